//! The only module that talks to the server. Components call these functions and get
//! domain types back; transport details stay in [`http`].

pub mod company;
mod http;
pub mod live;
pub mod offline_store;
pub mod orders;
pub mod prefetch;
pub mod queue;
pub mod team;

pub use http::ApiError;

use chrono::{DateTime, Utc};
use domain::{
    api::{
        calls::{Board, PatchCall, UndoMoveRequest},
        team::TechnicianSummary,
        LoginRequest, Me,
    },
    view::CallView,
};
use uuid::Uuid;

/// Signs in; on success the server has set the session cookie (and the identity is kept
/// for an offline start).
pub async fn login(email: String, password: String) -> Result<Me, ApiError> {
    let me: Me = http::post_json("/api/v1/auth/login", &LoginRequest { email, password }).await?;
    offline_store::save_identity(&me).await;
    Ok(me)
}

/// The signed-in person, or `None` when there is no valid session. When the server
/// cannot be reached at all (offline), the identity kept from the last online start
/// stands in: the session is checked again by the first request that gets through,
/// whose 401 signs out as usual.
pub async fn me() -> Result<Option<Me>, ApiError> {
    match http::get_json::<Me>(domain::api::ME_PATH).await {
        Ok(me) => {
            let kept = me.clone();
            keep_after_first_paint(async move { offline_store::save_identity(&kept).await });
            Ok(Some(me))
        }
        Err(err) if err.status() == Some(401) => {
            offline_store::clear().await;
            Ok(None)
        }
        Err(err @ ApiError::Network(_)) => match offline_store::load_identity().await {
            Some(me) => Ok(Some(me)),
            None => Err(err),
        },
        Err(err) => Err(err),
    }
}

/// Stores the signed-in person's locale on their account; answers the identity with it.
pub async fn set_my_locale(locale: domain::locale::Locale) -> Result<Me, ApiError> {
    let me: Me = http::put_json("/api/v1/me/locale", &domain::api::SetLocale { locale }).await?;
    offline_store::save_identity(&me).await;
    Ok(me)
}

/// Changes the signed-in person's own name and personal e-mail; answers the identity.
pub async fn update_me(change: &domain::api::team::UpdateMe) -> Result<Me, ApiError> {
    let me: Me = http::patch_json("/api/v1/me", change).await?;
    offline_store::save_identity(&me).await;
    Ok(me)
}

/// Changes the signed-in person's password; their other sessions end, this one stays.
pub async fn change_password(change: &domain::api::team::ChangePassword) -> Result<(), ApiError> {
    http::put_json_empty("/api/v1/me/password", change).await
}

/// Signs out (the server revokes the session) and forgets what was kept for offline use.
pub async fn logout() -> Result<(), ApiError> {
    offline_store::clear().await;
    http::post_empty("/api/v1/auth/logout").await
}

/// Runs `keep` (a write to IndexedDB, for offline starts) once the first screen is
/// painted: opening and writing IndexedDB must not compete with it (crate::first_paint).
/// Skipped if what is kept was cleared meanwhile (a sign-out).
fn keep_after_first_paint(keep: impl std::future::Future<Output = bool> + 'static) {
    let clears = offline_store::clears();
    crate::first_paint::after_first_paint(move || {
        if offline_store::clears() == clears {
            leptos::task::spawn_local(async move {
                keep.await;
            });
        }
    });
}

/// A board as the calendar shows it: fresh from the server, or (`saved_at` set) the last
/// one kept when the server could not be reached.
#[derive(Debug, Clone)]
pub struct BoardRead {
    pub board: Board,
    pub saved_at: Option<DateTime<Utc>>,
    /// Read by [`prefetch`] before the board store existed: older than every change the
    /// store has seen (take it in at epoch 0).
    pub prefetched: bool,
}

/// A board answer: the board, and its text as the server sent it (kept offline as is).
pub struct BoardAnswer {
    pub board: Board,
    json: String,
}

/// [`board`], kept for `user` when it arrives; when the network fails, the board kept
/// last (whatever its window), else the network error. Either way with the user's
/// waiting changes on top.
pub async fn board_or_saved(
    user: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<BoardRead, ApiError> {
    // Where the calendar asks for its board (on a cold load, the prefetched read may
    // already be in): `cargo xtask bench`'s parts of `nav_to_board_ms`.
    crate::mark("board-wanted");
    let read = async {
        match prefetch::take(from, to).await {
            Some(read) => (Ok(read), true),
            None => (board(from, to).await, false),
        }
    };
    // The queue is read while the board is on its way, and only when it may hold
    // changes: opening IndexedDB on a cold profile would hold up the first paint.
    let queued = async {
        if queue::may_hold_changes(user) {
            queue::load(user).await
        } else {
            Vec::new()
        }
    };
    let ((read, prefetched), intents) = futures::join!(read, queued);
    match read {
        Ok(BoardAnswer { mut board, json }) => {
            // Kept for an offline start: megabytes written to IndexedDB would hold up
            // the paint (a later read's copy is written once the store has drawn it).
            keep_after_first_paint(
                async move { offline_store::save_board_json(user, &json).await },
            );
            // Changes still waiting in the queue show on top of the server's board.
            queue::overlay_board(&intents, &mut board);
            Ok(BoardRead {
                board,
                saved_at: None,
                prefetched,
            })
        }
        Err(err @ ApiError::Network(_)) => match offline_store::load_board(user).await {
            Some(mut saved) => {
                // Offline, the kept board shows every waiting change: read the queue
                // itself rather than trust the mark that let the online read skip it.
                let intents = queue::load(user).await;
                queue::overlay_board(&intents, &mut saved.board);
                Ok(BoardRead {
                    board: saved.board,
                    saved_at: Some(saved.saved_at),
                    prefetched: false,
                })
            }
            None => Err(err),
        },
        Err(err) => Err(err),
    }
}

/// The board: this company's offers and calls between `from` and `to`, plus undated
/// ones, each call as the board draws it (`CallView::summary`).
pub async fn board(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<BoardAnswer, ApiError> {
    // The same spelling the server preloads (`domain::api::calls::board_path`).
    let (board, json) =
        http::get_json_and_text(&domain::api::calls::board_path(from, to), "board").await?;
    Ok(BoardAnswer { board, json })
}

/// One call as this company sees it, whole (a board answer holds each call's summary,
/// `CallView::summary`).
pub async fn call(id: Uuid) -> Result<CallView, ApiError> {
    http::get_json(&format!("/api/v1/calls/{id}")).await
}

/// [`call`], kept for `user` when it arrives (the detail modal reads it on opening, so
/// a call once opened has its order lines, notes and call log offline too); when the
/// network fails, the copy kept last, else the network error.
pub async fn call_or_kept(user: Uuid, id: Uuid) -> Result<CallView, ApiError> {
    match call(id).await {
        Ok(view) => {
            let kept = view.clone();
            leptos::task::spawn_local(async move {
                offline_store::save_call(user, &kept).await;
            });
            Ok(view)
        }
        Err(err @ ApiError::Network(_)) => offline_store::kept_call(user, id).await.ok_or(err),
        Err(err) => Err(err),
    }
}

/// The call's history as this company may read it, newest first.
pub async fn call_history(id: Uuid) -> Result<Vec<domain::view::HistoryEntry>, ApiError> {
    http::get_json(&format!("/api/v1/calls/{id}/history")).await
}

/// Accepts an offered request (first accept wins; others get `already-accepted`).
pub async fn accept(id: Uuid) -> Result<CallView, ApiError> {
    http::post_json(
        &format!("/api/v1/calls/{id}/accept"),
        &serde_json::json!({}),
    )
    .await
}

/// Declines an offered request; it leaves this company's board.
pub async fn decline(id: Uuid) -> Result<CallView, ApiError> {
    http::post_json(
        &format!("/api/v1/calls/{id}/decline"),
        &serde_json::json!({}),
    )
    .await
}

/// Changes date/time, technician, "client called" or the agreed price, based on
/// `change.version` (a stale version is answered 409 with the current call).
pub async fn patch_call(id: Uuid, change: &PatchCall) -> Result<CallView, ApiError> {
    http::patch_json(&format!("/api/v1/calls/{id}"), change).await
}

/// Takes back the dispatcher's own last move of the call within
/// [`domain::flow::UNDO_WINDOW`]; `version` is the one the move produced. The answer is
/// the call with its date/time (or none) and technician (or none) from before the move.
pub async fn undo_move(id: Uuid, version: i64) -> Result<CallView, ApiError> {
    http::post_json(
        &format!("/api/v1/calls/{id}/undo"),
        &UndoMoveRequest { version },
    )
    .await
}

/// The roster's first read: the one `main` started beside the board when it is still
/// fresh and succeeded ([`prefetch::take_roster`]), else [`technicians`].
pub async fn first_technicians() -> Result<Vec<TechnicianSummary>, ApiError> {
    match prefetch::take_roster().await {
        Some(list) => Ok(list),
        None => technicians().await,
    }
}

/// This company's technicians (the calendar's rows and the assignment picker). Kept
/// like the board, so an offline start still has the calendar's rows.
pub async fn technicians() -> Result<Vec<TechnicianSummary>, ApiError> {
    match http::get_json::<Vec<TechnicianSummary>>(domain::api::team::TECHNICIANS_PATH).await {
        Ok(list) => {
            let kept = list.clone();
            keep_after_first_paint(async move { offline_store::save_roster(&kept).await });
            Ok(list)
        }
        Err(err @ ApiError::Network(_)) => offline_store::load_roster().await.ok_or(err),
        Err(err) => Err(err),
    }
}
