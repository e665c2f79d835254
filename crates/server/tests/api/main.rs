//! HTTP-level tests of the server against real databases: every test runs once on
//! SQLite and once on PostgreSQL (a throw-away cluster the harness starts itself).

mod helpers;

mod auth;
mod calls;
mod company;
mod compression;
mod embed;
mod idempotency;
mod input;
mod languages;
mod live;
mod marketplace;
mod orders;
mod own_profile;
mod platform;
mod scoping;
mod security;
mod session_end;
mod team;
mod undo;
