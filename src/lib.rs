//! The dispatcher app.
