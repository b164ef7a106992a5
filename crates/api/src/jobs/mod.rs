//! Background work beside the routes: the result folder, retention, the
//! reminders to agencies and the webhook relay. Jobs call services and
//! storage, never a handler.

pub mod chasing;
pub mod relay;
pub mod retention;
pub mod rollup;
