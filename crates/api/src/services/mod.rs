//! Application services: what several routes (and the background jobs) do
//! alike, below the routes and above storage and the domain. A service
//! takes the application state and plain values, never a request.

pub mod destinations;
pub mod figures;
pub mod intake;
pub mod lookups;
pub mod progress;
pub mod receipt_guesses;
pub mod results;
pub mod submission;
pub mod topics;
