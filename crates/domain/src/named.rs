//! Closed sets of values known by their names (statuses, stances, kinds,
//! bands): each name written once, in one list beside the enum, and `ALL`,
//! `NAMES`, `as_str` and `parse` derived from that list by [`names!`].

/// A closed set of values, each with one stable name: what storage keeps
/// in a text column and the API reads and writes.
pub trait Named: Copy + Sized + 'static {
    /// Every value, in the order declared (the order lists show them).
    const ALL: &'static [Self];
    /// The name of every value, in the same order.
    const NAMES: &'static [&'static str];
    /// The value's name.
    fn as_str(self) -> &'static str;
    /// The value of a name; exact names only.
    fn parse(name: &str) -> Option<Self>;
}

/// Gives an enum declared just above its names, `names! { Enum { Variant =
/// "name", … } }`: `ALL` (in the order listed, which is the order
/// declared), `NAMES`, `as_str` and `parse` (exact names only), as inherent
/// items and as [`Named`]. `as_str` is an exhaustive `match`, so a variant
/// without a name does not compile.
macro_rules! names {
    ($ty:ident { $($variant:ident = $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in the order declared.
            pub const ALL: [$ty; [$($name),+].len()] = [$($ty::$variant),+];
            /// The name of every value, in the order declared.
            pub const NAMES: [&'static str; [$($name),+].len()] = [$($name),+];

            /// The value's name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)+
                }
            }

            /// The inverse of `as_str`; exact names only.
            pub fn parse(s: &str) -> Option<$ty> {
                match s {
                    $($name => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }

        impl $crate::named::Named for $ty {
            const ALL: &'static [Self] = &$ty::ALL;
            const NAMES: &'static [&'static str] = &$ty::NAMES;
            fn as_str(self) -> &'static str {
                $ty::as_str(self)
            }
            fn parse(name: &str) -> Option<Self> {
                $ty::parse(name)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::Named;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Light {
        Red,
        Amber,
        Green,
    }

    names! { Light { Red = "red", Amber = "amber", Green = "green" } }

    fn round_trip<T: Named + PartialEq + std::fmt::Debug>() {
        assert_eq!(T::ALL.len(), T::NAMES.len());
        for (v, name) in T::ALL.iter().zip(T::NAMES) {
            assert_eq!(v.as_str(), *name);
            assert_eq!(T::parse(name), Some(*v));
        }
    }

    #[test]
    fn every_value_has_its_name_and_back() {
        round_trip::<Light>();
        assert_eq!(Light::NAMES, ["red", "amber", "green"]);
        assert_eq!(Light::parse("Red"), None);
        assert_eq!(Light::parse(""), None);
    }
}
