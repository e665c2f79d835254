//! Small components used across pages.
pub mod live_indicator;
pub mod locale_switch;
pub mod presence_list;
pub mod spinner;
pub mod toast_host;
