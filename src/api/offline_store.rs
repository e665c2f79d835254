//! What the app keeps in the browser to open without a network: the signed-in identity
//! (the answer of the last `/auth/me` or sign-in), the company's technicians (the
//! calendar's rows) and, per user, the last board the server sent with the moment it
//! arrived (each call's summary) and every call opened since, whole. One IndexedDB database (`relay-offline`, one
//! object store of JSON strings); everything in it is deleted on sign-out. The queue of
//! changes waiting to be sent (`api::queue`) lives in a database of its own, which
//! sign-out leaves alone: a change made offline is never lost to a 401.
//!
//! Every operation is best effort: a browser without IndexedDB (or a private window that
//! refuses it) only loses the offline opening, never the online app, so failures come
//! back as `None`/`false` instead of errors.

use chrono::{DateTime, Utc};
use domain::api::{calls::Board, team::TechnicianSummary, Me};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use uuid::Uuid;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

const DATABASE: &str = "relay-offline";
const STORE: &str = "kept";
const IDENTITY: &str = "identity";
/// The technicians (the calendar's rows) of the kept identity's company.
const ROSTER: &str = "technicians";

/// A board as it was read, and when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedBoard {
    pub saved_at: DateTime<Utc>,
    pub board: Board,
}

fn board_key(user: Uuid) -> String {
    format!("board:{user}")
}

/// Resolves when `request` succeeds (with its result), rejects when it fails.
async fn settle(request: &IdbRequest) -> Result<JsValue, JsValue> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let done = request.clone();
        let on_success = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &done.result().unwrap_or(JsValue::UNDEFINED));
        });
        let failed = request.clone();
        let on_error = Closure::once_into_js(move |event: web_sys::Event| {
            // Handled here: without this the failure would also abort the transaction
            // noisily and surface as an uncaught error.
            event.prevent_default();
            let error = failed
                .error()
                .ok()
                .flatten()
                .map_or(JsValue::UNDEFINED, Into::into);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise).await
}

async fn open() -> Result<IdbDatabase, JsValue> {
    open_named(DATABASE).await
}

/// Opens (creating when missing) the database `name` with its one object store.
async fn open_named(name: &str) -> Result<IdbDatabase, JsValue> {
    let factory = web_sys::window()
        .ok_or(JsValue::NULL)?
        .indexed_db()?
        .ok_or(JsValue::NULL)?;
    let request: IdbOpenDbRequest = factory.open_with_u32(name, 1)?;
    let upgrading = request.clone();
    let on_upgrade = Closure::once_into_js(move || {
        if let Ok(db) = upgrading.result() {
            let _ = db
                .unchecked_into::<IdbDatabase>()
                .create_object_store(STORE);
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    Ok(settle(&request).await?.unchecked_into())
}

async fn get<T: DeserializeOwned>(key: &str) -> Option<T> {
    get_in(DATABASE, key).await
}

/// The JSON value under `key` in the database `name`, if any.
pub(crate) async fn get_in<T: DeserializeOwned>(name: &str, key: &str) -> Option<T> {
    let db = open_named(name).await.ok()?;
    let store = db
        .transaction_with_str(STORE)
        .ok()?
        .object_store(STORE)
        .ok()?;
    let value = settle(&store.get(&JsValue::from_str(key)).ok()?)
        .await
        .ok()?;
    db.close();
    serde_json::from_str(&value.as_string()?).ok()
}

async fn put<T: Serialize>(key: &str, value: &T) -> bool {
    put_in(DATABASE, key, value).await
}

/// Stores `value` as JSON under `key` in the database `name`.
pub(crate) async fn put_in<T: Serialize>(name: &str, key: &str, value: &T) -> bool {
    let Ok(json) = serde_json::to_string(value) else {
        return false;
    };
    put_json_in(name, key, &json).await
}

/// Stores the JSON text `json` under `key` in the database `name`.
async fn put_json_in(name: &str, key: &str, json: &str) -> bool {
    let Ok(db) = open_named(name).await else {
        return false;
    };
    let stored = async {
        let store = db
            .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?
            .object_store(STORE)?;
        settle(&store.put_with_key(&JsValue::from_str(json), &JsValue::from_str(key))?).await
    }
    .await
    .is_ok();
    db.close();
    stored
}

/// Keeps the signed-in identity for an offline start.
pub async fn save_identity(me: &Me) -> bool {
    put(IDENTITY, me).await
}

/// The identity kept by the last online start or sign-in, if any.
pub async fn load_identity() -> Option<Me> {
    get(IDENTITY).await
}

/// Keeps the board answer `board_json` (a [`Board`] as the server sent it) as `user`'s
/// last board, read now. The text is kept as it came: encoding a board of thousands of
/// calls again would cost tens of milliseconds of the main thread.
pub async fn save_board_json(user: Uuid, board_json: &str) -> bool {
    let Ok(saved_at) = serde_json::to_string(&Utc::now()) else {
        return false;
    };
    // The shape of `SavedBoard`, spliced rather than encoded.
    let saved = format!(r#"{{"saved_at":{saved_at},"board":{board_json}}}"#);
    put_json_in(DATABASE, &board_key(user), &saved).await
}

/// `user`'s last board, if one was kept.
pub async fn load_board(user: Uuid) -> Option<SavedBoard> {
    get(&board_key(user)).await
}

fn call_key(user: Uuid, id: Uuid) -> String {
    format!("call:{user}:{id}")
}

/// Keeps `view` (a call read whole) for `user`: offline, its detail is then at hand
/// although the kept board holds each call's summary.
pub async fn save_call(user: Uuid, view: &domain::view::CallView) -> bool {
    put(&call_key(user, view.id), view).await
}

/// The whole call `id` kept for `user`, if it was kept.
pub async fn kept_call(user: Uuid, id: Uuid) -> Option<domain::view::CallView> {
    get(&call_key(user, id)).await
}

/// Keeps the company's technicians.
pub async fn save_roster(technicians: &[TechnicianSummary]) -> bool {
    put(ROSTER, &technicians).await
}

/// The technicians kept last, if any.
pub async fn load_roster() -> Option<Vec<TechnicianSummary>> {
    get(ROSTER).await
}

thread_local! {
    static CLEARS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many times this page cleared what is kept ([`clear`], at sign-out): a save
/// scheduled for later (after the first paint) checks it has not changed, so it never
/// keeps a signed-out person's data again.
pub fn clears() -> u64 {
    CLEARS.with(std::cell::Cell::get)
}

/// Forgets everything kept (sign-out).
pub async fn clear() -> bool {
    CLEARS.with(|clears| clears.set(clears.get() + 1));
    let Ok(db) = open().await else { return false };
    let cleared = async {
        let store = db
            .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?
            .object_store(STORE)?;
        settle(&store.clear()?).await
    }
    .await
    .is_ok();
    db.close();
    cleared
}
