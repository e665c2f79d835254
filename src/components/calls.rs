//! Calls as cards in the lists below the calendar.
pub mod arrival;
pub mod call_card;
pub mod request_lists;
pub mod state_badge;

use domain::view::CallView;

use crate::{api::ApiError, i18n::I18n};

/// What keeps a technician unverified, in words ("no photo, no skill").
pub fn missing_text(i18n: &I18n, missing: &[domain::technician::Missing]) -> String {
    use domain::technician::Missing;
    missing
        .iter()
        .map(|m| {
            i18n.t(match m {
                Missing::PasswordNotSet => "calls.missing.password_not_set",
                Missing::NoPhoto => "calls.missing.no_photo",
                Missing::NoSkill => "calls.missing.no_skill",
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A readable, translated message for a failed call action: by the problem's type (and,
/// for a refused date, its field code: `calls.error.invalid-slot.in_past`); a type we
/// have no text for shows the server's own `detail`, and only an answer without any
/// reason gets "That did not work".
pub fn error_text(i18n: &I18n, err: &ApiError) -> String {
    let code = err.code();
    if let ApiError::Problem(problem) = err {
        if let Some(field) = problem.errors.first() {
            let key = format!("calls.error.{code}.{}", field.code);
            let text = i18n.t_or(&key, "");
            if !text.is_empty() {
                return text;
            }
        }
        let text = i18n.t_or(&format!("calls.error.{code}"), "");
        if !text.is_empty() {
            return text;
        }
        if let Some(detail) = problem.detail.clone().filter(|d| !d.is_empty()) {
            return detail;
        }
        return i18n.t("calls.error.generic");
    }
    i18n.t_or(&format!("calls.error.{code}"), "calls.error.generic")
}

/// The price a dispatcher sees: the order total once accepted, else the recommended one.
pub fn price_of(view: &CallView) -> (i64, String) {
    match &view.order {
        Some(order) => (
            order.total.amount_minor,
            order.total.currency.code().to_owned(),
        ),
        None => (
            view.service.recommended_price.amount_minor,
            view.service.recommended_price.currency.code().to_owned(),
        ),
    }
}

/// Accepts a request: on success the board shows the won call and the dispatcher is
/// reminded to call the client; if another partner was faster the request leaves the
/// board with that notice. Returns the new view when accepted.
///
/// Call it inside the component tree: the contexts are taken when it is called, not when
/// the future first runs (by then `spawn_local` has left the reactive owner).
pub fn accept_and_report(id: uuid::Uuid) -> impl std::future::Future<Output = Option<CallView>> {
    use crate::contexts::{board::use_board, toasts::use_toasts};
    use crate::i18n::use_i18n;
    let (board, toasts, i18n) = (use_board(), use_toasts(), use_i18n());
    async move {
        match crate::api::accept(id).await {
            Ok(view) => {
                board.upsert(view.clone());
                toasts.success(i18n.t("calls.accepted_toast"));
                Some(view)
            }
            Err(err) => {
                if err.code() == "already-accepted" {
                    board.mark_taken(id);
                    toasts.error(i18n.t("calls.taken_toast"));
                } else {
                    toasts.error(error_text(&i18n, &err));
                }
                None
            }
        }
    }
}

/// Declines a request; it leaves the board. (Contexts are taken at the call, as above.)
pub fn decline_and_report(id: uuid::Uuid) -> impl std::future::Future<Output = ()> {
    use crate::contexts::{board::use_board, toasts::use_toasts};
    use crate::i18n::use_i18n;
    let (board, toasts, i18n) = (use_board(), use_toasts(), use_i18n());
    async move {
        match crate::api::decline(id).await {
            Ok(_) => {
                board.remove(id);
                toasts.info(i18n.t("calls.declined_toast"));
            }
            Err(err) => toasts.error(error_text(&i18n, &err)),
        }
    }
}
