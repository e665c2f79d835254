//! Small components used across pages.
pub mod live_indicator;
pub mod locale_switch;
pub mod spinner;
pub mod toast_host;
