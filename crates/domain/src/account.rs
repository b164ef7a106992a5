//! Staff accounts: roles, usernames, password rules, the scope a role
//! needs (a facilitator works for one unit, agency staff for one agency),
//! and the one rule of which units a staff member's work covers (`Scope`).

use chrono::NaiveDate;

use crate::org::OrgChart;
use crate::{AgencyId, FieldErrors, UnitId};

/// What a staff account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// District Youth Union: manages units, topics, agencies, accounts.
    Admin,
    /// Children's Council facilitator or delegate: curates issues.
    Moderator,
    /// School Pioneer leader or ward youth officer, scoped to one unit.
    Facilitator,
    /// Reads the restricted safeguarding queue.
    SafeguardingOfficer,
    /// Works for one agency and answers its deliveries.
    AgencyStaff,
}

names! {
    Role {
        Admin = "admin", Moderator = "moderator", Facilitator = "facilitator",
        SafeguardingOfficer = "safeguarding_officer", AgencyStaff = "agency_staff",
    }
}

/// A username: 3–64 characters of `a-z`, `0-9`, `.`, `_`, `-`, stored in
/// lower case so that `Lan` and `lan` are one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, FieldErrors> {
        let name = raw.trim().to_ascii_lowercase();
        let ok_chars = name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        if !(3..=64).contains(&name.len()) || !ok_chars {
            return Err(FieldErrors::single(
                "username",
                "invalid_username",
                "3 to 64 characters: letters a-z, digits, '.', '_' or '-'",
            ));
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Shortest password accepted for a staff account.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted (bounds the hashing work one request can cause).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Checks a new password; `field` names the input for the error.
pub fn check_new_password(field: &str, password: &str) -> Result<(), FieldErrors> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(FieldErrors::single(
            field,
            "password_too_short",
            format!("at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(FieldErrors::single(
            field,
            "password_too_long",
            format!("at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// The scope that goes with a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    pub role: Role,
    pub unit_id: Option<UnitId>,
    pub agency_id: Option<AgencyId>,
}

impl Assignment {
    /// A facilitator needs a unit and agency staff an agency; no other role
    /// carries either, so a scope can never be left behind on a role change.
    pub fn check(role: Role, unit_id: Option<UnitId>, agency_id: Option<AgencyId>) -> Result<Assignment, FieldErrors> {
        let mut errors = FieldErrors::new();
        match (role, unit_id) {
            (Role::Facilitator, None) => errors.push("unit_id", "required", "a facilitator needs a unit"),
            (Role::Facilitator, Some(_)) => {}
            (_, Some(_)) => errors.push("unit_id", "not_allowed", "only a facilitator has a unit scope"),
            (_, None) => {}
        }
        match (role, agency_id) {
            (Role::AgencyStaff, None) => errors.push("agency_id", "required", "agency staff need an agency"),
            (Role::AgencyStaff, Some(_)) => {}
            (_, Some(_)) => errors.push("agency_id", "not_allowed", "only agency staff belong to an agency"),
            (_, None) => {}
        }
        errors.into_result(Assignment {
            role,
            unit_id,
            agency_id,
        })
    }
}

impl Assignment {
    /// The assignment after a change: `None` fields stay as they are
    /// (`Some(None)` clears a scope). A role change drops the scope the new
    /// role does not carry, unless the change sets it.
    pub fn change(
        self,
        role: Option<Role>,
        unit_id: Option<Option<UnitId>>,
        agency_id: Option<Option<AgencyId>>,
    ) -> Result<Assignment, FieldErrors> {
        let role = role.unwrap_or(self.role);
        let keep = |r: Role| role == r && self.role == r;
        let unit_id = unit_id.unwrap_or(if keep(Role::Facilitator) { self.unit_id } else { None });
        let agency_id = agency_id.unwrap_or(if keep(Role::AgencyStaff) { self.agency_id } else { None });
        Assignment::check(role, unit_id, agency_id)
    }
}

/// The units a staff member's work covers: a facilitator's own unit and
/// everything below it; every unit for the district-wide roles. Whatever a
/// facilitator opens, records, lists or reads is checked against this, and
/// only this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Admins, moderators, safeguarding officers, agency staff.
    Everywhere,
    /// A facilitator: this unit and the units below it.
    Within(UnitId),
    /// A facilitator left without a unit: nothing.
    Nowhere,
}

/// Why a unit asked for is not the caller's to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OutOfScope {
    /// The caller covers no unit at all.
    #[error("the account has no unit to work for")]
    NoUnit,
    /// The unit is outside the caller's own.
    #[error("the unit is outside the caller's own unit")]
    Outside,
}

impl Assignment {
    /// The units this assignment's work covers.
    pub fn scope(&self) -> Scope {
        match (self.role, self.unit_id) {
            (Role::Facilitator, Some(own)) => Scope::Within(own),
            (Role::Facilitator, None) => Scope::Nowhere,
            _ => Scope::Everywhere,
        }
    }
}

impl Scope {
    /// Whether `unit` is covered: at or below the own unit on one of
    /// `days` (a unit may have moved between them, e.g. the day an event
    /// was held and today).
    pub fn covers(self, chart: &OrgChart, unit: UnitId, days: &[NaiveDate]) -> bool {
        match self {
            Scope::Everywhere => true,
            Scope::Within(own) => days.iter().any(|d| chart.is_within(unit, own, *d)),
            Scope::Nowhere => false,
        }
    }

    /// The units covered on `day`, to filter a list by; `None` for every
    /// unit (no filter).
    pub fn units(self, chart: &OrgChart, day: NaiveDate) -> Option<Vec<UnitId>> {
        match self {
            Scope::Everywhere => None,
            Scope::Within(own) => Some(
                chart
                    .units()
                    .filter(|u| chart.is_within(u.id, own, day))
                    .map(|u| u.id)
                    .collect(),
            ),
            Scope::Nowhere => Some(Vec::new()),
        }
    }

    /// The units whose events a caller reads on `day`: the units covered
    /// and the units above a facilitator's own (events held there gather
    /// their children too); `None` for every unit.
    pub fn units_and_above(self, chart: &OrgChart, day: NaiveDate) -> Option<Vec<UnitId>> {
        let mut units = self.units(chart, day)?;
        if let Scope::Within(own) = self {
            units.extend(chart.ancestors_on(own, day).into_iter().map(|a| a.id));
        }
        Some(units)
    }

    /// The unit figures are about: `asked` when covered on one of `days`,
    /// else the own unit by default; `None` when the caller covers every
    /// unit and asked for none. Whether `asked` exists is the caller's
    /// question (a facilitator asking for a unit that does not exist is
    /// outside their own).
    pub fn narrow(
        self,
        chart: &OrgChart,
        asked: Option<UnitId>,
        days: &[NaiveDate],
    ) -> Result<Option<UnitId>, OutOfScope> {
        match (self, asked) {
            (Scope::Nowhere, _) => Err(OutOfScope::NoUnit),
            (Scope::Within(own), None) => Ok(Some(own)),
            (_, Some(u)) if self.covers(chart, u, days) => Ok(Some(u)),
            (_, Some(_)) => Err(OutOfScope::Outside),
            (Scope::Everywhere, None) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    #[test]
    fn usernames() {
        assert_eq!(Username::parse(" Lan.Nguyen ").unwrap().as_str(), "lan.nguyen");
        for bad in ["ab", "có dấu", "a b c", "x@y", &"a".repeat(65)] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_round_trip() {
        crate::testing::assert_names_read_back(Role::ALL, Role::as_str, Role::parse);
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn passwords() {
        assert!(check_new_password("password", "short").is_err());
        assert!(check_new_password("password", "mật khẩu đủ dài").is_ok());
        assert!(check_new_password("password", &"x".repeat(257)).is_err());
    }

    #[test]
    fn a_role_change_drops_the_scope_the_new_role_does_not_carry() {
        let unit = Some(UnitId::new());
        let fac = Assignment::check(Role::Facilitator, unit, None).unwrap();
        assert_eq!(fac.change(Some(Role::Moderator), None, None).unwrap().unit_id, None);
        assert_eq!(fac.change(None, None, None).unwrap(), fac);
        let other = Some(UnitId::new());
        assert_eq!(fac.change(None, Some(other), None).unwrap().unit_id, other);
        let e = fac.change(None, Some(None), None).unwrap_err();
        assert_eq!(e.0[0].code, "required");
        let m = Assignment::check(Role::Moderator, None, None).unwrap();
        assert_eq!(
            m.change(Some(Role::Facilitator), None, None).unwrap_err().0[0].code,
            "required"
        );
    }

    /// City → district → ward → school, and another school of the
    /// district; the school moves under the district on 2026-09-01.
    fn chart() -> (OrgChart, [UnitId; 5]) {
        use crate::org::UnitKind;
        use crate::testing::{parent, parent_in, unit};
        let (city, district, ward) = (
            unit("HCM", UnitKind::City),
            unit("PN", UnitKind::District),
            unit("W", UnitKind::Ward),
        );
        let (school, other) = (unit("S", UnitKind::School), unit("S2", UnitKind::School));
        let parents = vec![
            parent(&district, &city),
            parent(&ward, &district),
            parent_in(&school, &ward, "2000-01-01", Some("2026-09-01")),
            parent_in(&school, &district, "2026-09-01", None),
            parent(&other, &district),
        ];
        let ids = [city.id, district.id, ward.id, school.id, other.id];
        (
            OrgChart::new(vec![city, district, ward, school, other], parents, vec![]),
            ids,
        )
    }

    #[test]
    fn a_scope_follows_the_role() {
        let unit = UnitId::new();
        let fac = Assignment::check(Role::Facilitator, Some(unit), None).unwrap();
        assert_eq!(fac.scope(), Scope::Within(unit));
        let lost = Assignment { unit_id: None, ..fac };
        assert_eq!(lost.scope(), Scope::Nowhere);
        for role in [Role::Admin, Role::Moderator, Role::SafeguardingOfficer] {
            assert_eq!(Assignment::check(role, None, None).unwrap().scope(), Scope::Everywhere);
        }
        let agency = Assignment::check(Role::AgencyStaff, None, Some(AgencyId::new())).unwrap();
        assert_eq!(agency.scope(), Scope::Everywhere);
    }

    #[test]
    fn a_facilitator_covers_their_unit_and_below_on_the_day() {
        let (chart, [city, district, ward, school, other]) = chart();
        let (before, after) = (d("2026-08-31"), d("2026-09-01"));
        let w = Scope::Within(ward);
        assert!(w.covers(&chart, ward, &[before]));
        assert!(w.covers(&chart, school, &[before]));
        assert!(!w.covers(&chart, school, &[after]), "the school moved away");
        assert!(w.covers(&chart, school, &[after, before]), "any of the days");
        assert!(!w.covers(&chart, other, &[before]));
        assert!(!w.covers(&chart, district, &[before]), "never above");
        assert!(
            !w.covers(&chart, UnitId::new(), &[before]),
            "an unknown unit is outside"
        );
        assert!(Scope::Everywhere.covers(&chart, city, &[]));
        assert!(!Scope::Nowhere.covers(&chart, ward, &[before]));

        let mut listed = w.units(&chart, before).unwrap();
        listed.sort();
        let mut want = vec![ward, school];
        want.sort();
        assert_eq!(listed, want);
        assert_eq!(w.units(&chart, after), Some(vec![ward]));
        assert_eq!(Scope::Everywhere.units(&chart, before), None);
        assert_eq!(Scope::Nowhere.units(&chart, before), Some(vec![]));

        let mut read = w.units_and_above(&chart, before).unwrap();
        read.sort();
        let mut want = vec![city, district, ward, school];
        want.sort();
        assert_eq!(read, want, "events held above the ward gather its children");
        assert_eq!(Scope::Everywhere.units_and_above(&chart, before), None);
        assert_eq!(Scope::Nowhere.units_and_above(&chart, before), Some(vec![]));
    }

    #[test]
    fn figures_are_narrowed_to_what_a_caller_covers() {
        let (chart, [_, district, ward, school, other]) = chart();
        let days = [d("2026-08-31")];
        let w = Scope::Within(ward);
        let cases = [
            (w, None, Ok(Some(ward))),
            (w, Some(ward), Ok(Some(ward))),
            (w, Some(school), Ok(Some(school))),
            (w, Some(other), Err(OutOfScope::Outside)),
            (w, Some(district), Err(OutOfScope::Outside)),
            (w, Some(UnitId::new()), Err(OutOfScope::Outside)),
            (Scope::Everywhere, None, Ok(None)),
            (Scope::Everywhere, Some(other), Ok(Some(other))),
            (Scope::Nowhere, None, Err(OutOfScope::NoUnit)),
            (Scope::Nowhere, Some(ward), Err(OutOfScope::NoUnit)),
        ];
        for (scope, asked, want) in cases {
            assert_eq!(scope.narrow(&chart, asked, &days), want, "{scope:?} {asked:?}");
        }
    }

    #[test]
    fn assignments() {
        let unit = Some(UnitId::new());
        let agency = Some(AgencyId::new());
        assert!(Assignment::check(Role::Facilitator, unit, None).is_ok());
        assert!(Assignment::check(Role::AgencyStaff, None, agency).is_ok());
        assert!(Assignment::check(Role::Admin, None, None).is_ok());
        let e = Assignment::check(Role::Facilitator, None, agency).unwrap_err();
        let codes: Vec<_> = e.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(codes, [("unit_id", "required"), ("agency_id", "not_allowed")]);
        assert!(Assignment::check(Role::Moderator, unit, None).is_err());
    }
}

/// A staff account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: crate::UserId,
    pub username: String,
    pub assignment: Assignment,
    pub display_name: Option<String>,
    pub disabled: bool,
    /// Bumped on every password change or disablement; a token carrying an
    /// older version is no longer honoured.
    pub token_version: i32,
}
