//! Business rules of the dispatch board: pure Rust, no I/O, shared by server and app.
pub mod api;
