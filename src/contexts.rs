//! App-wide state, each piece behind a named context type.
pub mod session;
