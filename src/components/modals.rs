//! Modal dialogs (native `<dialog>`: focus is trapped and restored by the browser).
pub mod call_detail_modal;
