//! Shared nothing: the end-to-end tests live in `main.rs`.
