//! The pure core of Lắng Nghe: rules and types with no I/O, no async and no
//! wire formats. The storage crate persists these types; the api crate maps
//! them to and from JSON.

// First, so that every module may declare its named enums with it.
#[macro_use]
pub mod named;

pub mod account;
pub mod calendar;
pub mod catalog;
pub mod consultation;
pub mod disclosure;
pub mod field;
pub mod field_words;
pub mod ids;
pub mod letter;
pub mod moderation;
pub mod org;
pub mod plan;
pub mod recommendation;
pub mod reorg;
pub mod reports;
pub mod results;
pub mod rows;
pub mod safeguarding;
pub mod screen;
pub mod similar;
pub mod survey;
pub mod text;
pub mod throttle;
pub mod words;

#[cfg(test)]
mod testing;

pub use field::{FieldError, FieldErrors};
pub use ids::{AgencyId, ReorganisationId, TopicId, UnitId, UserId};
pub use named::Named;
pub use text::LocalizedText;
