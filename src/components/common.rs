//! Small components used across pages.
pub mod live_indicator;
pub mod locale_switch;
pub mod offline_banner;
pub mod presence_list;
pub mod spinner;
pub mod toast_host;
pub mod update_banner;
