//! Small components used across pages.
pub mod conflict_card;
pub mod date_picker;
pub mod live_indicator;
pub mod locale_switch;
pub mod offline_banner;
pub mod presence_list;
pub mod queue_badge;
pub mod spinner;
pub mod toast_host;
pub mod update_banner;
