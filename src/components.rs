//! Reusable pieces of the views.
pub mod calls;
pub mod common;
pub mod modals;
