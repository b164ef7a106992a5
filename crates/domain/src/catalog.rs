//! Topics (a small, editable taxonomy) and agencies (who answers for which
//! topics where). Both are data an admin maintains.

use crate::{AgencyId, FieldErrors, LocalizedText, TopicId, UnitId};

/// A topic's slug: 2–64 characters of `a-z`, `0-9` and `_`, the stable name
/// clients use (`"topic": "safety"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TopicSlug(String);

impl TopicSlug {
    pub fn parse(field: &str, raw: &str) -> Result<TopicSlug, FieldErrors> {
        let slug = raw.trim();
        let ok = (2..=64).contains(&slug.len())
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && slug.starts_with(|c: char| c.is_ascii_lowercase());
        if ok {
            Ok(TopicSlug(slug.to_owned()))
        } else {
            Err(FieldErrors::single(
                field,
                "invalid_slug",
                "2 to 64 characters: a-z, digits or '_', starting with a letter",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub id: TopicId,
    pub slug: TopicSlug,
    pub name: LocalizedText,
    pub description: Option<LocalizedText>,
    pub active: bool,
}

/// What sort of body an agency is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgencyKind {
    /// Phòng Giáo dục và Đào tạo.
    EducationOffice,
    /// Phòng Lao động – Thương binh và Xã hội.
    SocialAffairsOffice,
    /// Ủy ban nhân dân (ward or district People's Committee).
    PeoplesCommittee,
    /// Ban Giám hiệu.
    SchoolBoard,
    /// Hội Liên hiệp Phụ nữ and other mass organisations.
    MassOrganisation,
    /// A city department (Sở).
    Department,
    Police,
    Health,
    Other,
}

names! {
    AgencyKind {
        EducationOffice = "education_office", SocialAffairsOffice = "social_affairs_office",
        PeoplesCommittee = "peoples_committee", SchoolBoard = "school_board",
        MassOrganisation = "mass_organisation", Department = "department", Police = "police",
        Health = "health", Other = "other",
    }
}

/// How to reach an agency's focal point.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl Contact {
    /// Trims each part, drops empty ones and checks their shape.
    pub fn parse(name: Option<&str>, email: Option<&str>, phone: Option<&str>) -> Result<Contact, FieldErrors> {
        let clean = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let contact = Contact {
            name: clean(name),
            email: clean(email),
            phone: clean(phone),
        };
        let mut errors = FieldErrors::new();
        if contact.name.as_ref().is_some_and(|n| n.chars().count() > 200) {
            errors.push("contact.name", "too_long", "at most 200 characters");
        }
        if let Some(e) = &contact.email {
            let valid = e.len() <= 254
                && e.split_once('@')
                    .is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !host.contains('@'))
                && !e.chars().any(char::is_whitespace);
            if !valid {
                errors.push("contact.email", "invalid_email", "not an e-mail address");
            }
        }
        if let Some(p) = &contact.phone {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            let valid = (6..=15).contains(&digits)
                && p.chars().count() <= 40
                && p.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')'));
            if !valid {
                errors.push(
                    "contact.phone",
                    "invalid_phone",
                    "6 to 15 digits, optionally with + ( ) - . or spaces",
                );
            }
        }
        errors.into_result(contact)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    pub id: AgencyId,
    pub name: LocalizedText,
    pub kind: AgencyKind,
    /// The unit whose area the agency answers for (and everything below it).
    pub jurisdiction_unit_id: UnitId,
    pub topics: Vec<TopicId>,
    pub contact: Contact,
    pub active: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(TopicSlug::parse("slug", "online_safety").is_ok());
        for bad in ["", "a", "Safety", "an-toàn", "1abc", &"a".repeat(65)] {
            assert!(TopicSlug::parse("slug", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn contacts() {
        let c = Contact::parse(Some(" Chị Lan "), Some("pgd@phunhuan.gov.vn"), Some("028 3844 1234")).unwrap();
        assert_eq!(c.name.as_deref(), Some("Chị Lan"));
        assert_eq!(Contact::parse(None, Some(""), None).unwrap(), Contact::default());
        let e = Contact::parse(None, Some("not-an-email"), Some("12")).unwrap_err();
        let codes: Vec<_> = e.0.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["invalid_email", "invalid_phone"]);
    }

    #[test]
    fn agency_kinds_round_trip() {
        crate::testing::assert_names_read_back(AgencyKind::ALL, AgencyKind::as_str, AgencyKind::parse);
    }
}
