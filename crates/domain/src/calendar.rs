//! Working days, for agencies' due dates: Monday to Friday, except the
//! holidays in a calendar that admins maintain (Vietnam's public holidays,
//! Tết among them). A due date "15 working days after sending" is the 15th
//! working day after the day of sending.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// The default time an agency has to answer.
pub const DEFAULT_DUE_WORKING_DAYS: u32 = 15;

/// The days off besides weekends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays(BTreeSet<NaiveDate>);

impl Holidays {
    pub fn new(days: impl IntoIterator<Item = NaiveDate>) -> Holidays {
        Holidays(days.into_iter().collect())
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.0.contains(&d)
    }

    /// The `n`th working day after `start` (`start` itself for 0).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days in `(from, to]`; negative when `to` is before `from`
    /// (then the working days in `(to, from]`, counted down).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (a, b, sign) = if to >= from { (from, to, 1) } else { (to, from, -1) };
        let mut n = 0;
        let mut d = a;
        while d < b {
            d += Duration::days(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        sign * n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// 30 April and 1 May 2026 (Thursday, Friday), and a week of Tết.
    fn calendar() -> Holidays {
        let mut days = vec![day("2026-04-30"), day("2026-05-01")];
        days.extend((16..=20).map(|d| NaiveDate::from_ymd_opt(2026, 2, d).unwrap()));
        Holidays::new(days)
    }

    #[test]
    fn due_dates_skip_weekends_and_holidays() {
        let c = calendar();
        let cases = [
            // start, working days, due
            ("2026-11-27", 1, "2026-11-30"), // Friday → Monday
            ("2026-11-23", 5, "2026-11-30"), // Monday → next Monday
            ("2026-11-28", 0, "2026-11-28"), // nothing to add, even on a Saturday
            ("2026-04-29", 1, "2026-05-04"), // over 30/4, 1/5 and a weekend
            ("2026-04-29", 3, "2026-05-06"),
            ("2026-02-13", 1, "2026-02-23"), // Friday before Tết → Monday after
            ("2026-02-13", 15, "2026-03-13"),
            ("2026-12-31", 15, "2027-01-21"), // across the year
        ];
        for (start, n, due) in cases {
            assert_eq!(c.add_working_days(day(start), n), day(due), "{start} + {n}");
        }
        assert_eq!(c.working_days_between(day("2026-04-29"), day("2026-05-06")), 3);
        assert_eq!(c.working_days_between(day("2026-05-06"), day("2026-04-29")), -3);
        assert_eq!(
            c.working_days_between(day("2026-11-28"), day("2026-11-29")),
            0,
            "a weekend"
        );
        assert!(!c.is_working_day(day("2026-02-18")) && c.is_working_day(day("2026-02-23")));
    }

    proptest! {
        /// A due date is a working day, exactly n working days on, and
        /// later dates come from more days.
        #[test]
        fn adding_and_counting_agree(offset in 0i64..800, n in 0u32..60) {
            let c = calendar();
            let start = day("2025-06-01") + Duration::days(offset);
            let due = c.add_working_days(start, n);
            prop_assert_eq!(c.working_days_between(start, due), i64::from(n));
            if n > 0 {
                prop_assert!(c.is_working_day(due));
                prop_assert!(due > c.add_working_days(start, n - 1));
            }
        }
    }
}
