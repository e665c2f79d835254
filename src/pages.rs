//! The routed views.
pub mod activation_page;
#[cfg(feature = "bench")]
pub mod bench_page;
pub mod board_shell;
pub mod calendar_page;
pub mod company_page;
pub mod embed_signin_page;
pub mod login_page;
pub mod my_profile_page;
pub mod not_found_page;
pub mod team_page;
