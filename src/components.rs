//! Reusable pieces of the views.
pub mod calendar;
pub mod calls;
pub mod common;
pub mod company;
pub mod modals;
pub mod team;
