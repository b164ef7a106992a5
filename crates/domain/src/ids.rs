//! Newtype identifiers, so that one kind of id cannot be passed for another.
//! All ids are UUID v7: time-ordered, which keeps indexes and cursors simple.

use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }
    };
}

id_type!(
    /// A staff account.
    UserId
);
id_type!(
    /// A unit of the organisation (city, district, ward, school, …).
    UnitId
);
id_type!(
    /// A topic of the taxonomy.
    TopicId
);
id_type!(
    /// An agency that answers recommendations.
    AgencyId
);
id_type!(
    /// A recorded reorganisation of units.
    ReorganisationId
);
