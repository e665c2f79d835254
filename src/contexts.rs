//! App-wide state, each piece behind a named context type.
pub mod board;
pub mod live;
pub mod presence;
pub mod session;
pub mod toasts;
