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

/// Vietnam's public holidays for 2026 and 2027, seeded into an empty
/// calendar, as the Labour Code 2019 (art. 112) sets them: New Year's Day;
/// Tết, five days (taken here as 29 or 30 Tết to mùng 4, on working days);
/// the Hùng Kings' Commemoration (10/3 lunar); 30 April; 1 May; National
/// Day with the day next to it; a holiday falling on a weekend is taken the
/// next working day. The government's yearly announcement may move days
/// (and often swaps working days around Tết): admins replace a year's list
/// with `PUT /api/v1/calendar/holidays`.
pub const VIETNAM_HOLIDAYS: &[(&str, &str)] = &[
    ("2026-01-01", "Tết Dương lịch"),
    ("2026-02-16", "Tết Nguyên đán (29 Tết)"),
    ("2026-02-17", "Tết Nguyên đán (mùng 1)"),
    ("2026-02-18", "Tết Nguyên đán (mùng 2)"),
    ("2026-02-19", "Tết Nguyên đán (mùng 3)"),
    ("2026-02-20", "Tết Nguyên đán (mùng 4)"),
    ("2026-04-27", "Giỗ Tổ Hùng Vương (nghỉ bù)"),
    ("2026-04-30", "Ngày Giải phóng miền Nam"),
    ("2026-05-01", "Ngày Quốc tế Lao động"),
    ("2026-09-01", "Quốc khánh"),
    ("2026-09-02", "Quốc khánh"),
    ("2027-01-01", "Tết Dương lịch"),
    ("2027-02-05", "Tết Nguyên đán (30 Tết)"),
    ("2027-02-08", "Tết Nguyên đán (nghỉ bù mùng 1)"),
    ("2027-02-09", "Tết Nguyên đán (nghỉ bù mùng 2)"),
    ("2027-02-10", "Tết Nguyên đán (mùng 5)"),
    ("2027-02-11", "Tết Nguyên đán (mùng 6)"),
    ("2027-04-16", "Giỗ Tổ Hùng Vương"),
    ("2027-04-30", "Ngày Giải phóng miền Nam"),
    ("2027-05-03", "Ngày Quốc tế Lao động (nghỉ bù)"),
    ("2027-09-02", "Quốc khánh"),
    ("2027-09-03", "Quốc khánh"),
];

/// [`VIETNAM_HOLIDAYS`] as dates.
pub fn vietnam_holidays() -> Vec<(NaiveDate, &'static str)> {
    VIETNAM_HOLIDAYS
        .iter()
        .filter_map(|(d, n)| Some((d.parse().ok()?, *n)))
        .collect()
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

    #[test]
    fn the_seeded_holidays_are_weekdays_of_2026_and_2027() {
        let days = vietnam_holidays();
        assert_eq!(days.len(), VIETNAM_HOLIDAYS.len(), "every date parses");
        for (d, _) in days {
            assert!(!matches!(d.weekday(), Weekday::Sat | Weekday::Sun), "{d}");
            assert!((2026..=2027).contains(&d.year()));
        }
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
