//! Modal dialogs (native `<dialog>`: focus is trapped and restored by the browser).
pub mod call_detail_modal;
pub mod call_history;
pub mod call_log;
pub mod cancel_dialog;
pub mod close_dialog;
pub mod colleague_notice;
pub mod order_section;
pub mod work_report;
