//! Reusable pieces of the views.
pub mod common;
