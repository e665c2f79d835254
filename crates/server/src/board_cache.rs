//! The dispatcher board's call views, kept encoded per call version, so a board read
//! decodes and encodes only the calls that changed since the last read.
//!
//! A board read costs its database query plus, for every call on it, decoding the stored
//! document, building the company's [`CallView`] and encoding it: at a few hundred calls
//! that is most of the server's CPU under load (the load bench of BENCHMARKS.md). The
//! view is a function of the stored document and the company alone, and every change of
//! a document writes a new version (`domain::flow::apply_all`; the conditional update
//! of `db::calls::update` lets exactly one writer commit each version, on every instance
//! sharing the database). So `(call, company, version)` names one view for ever: the
//! board query reads ids and versions only, takes each view whose version matches from
//! here and reads the documents of the others. An entry of an older version is simply
//! not used; nothing has to be invalidated, on this instance or another.
//!
//! Whole answers are kept too, per company and window, with the company's live-event
//! sequence number read before their calls (`Board::seq`): every change of what a
//! company's board shows appends an event to its log in the change's own transaction
//! (`live::record_call_change`; the live boards rely on the same rule), and the log's
//! head only grows, so while the head is still at that number the answer is still the
//! board. A read at a newer head builds the answer again, from the kept views, and
//! usually without the board query: an answer keeps the `(call, version)` rows it was
//! built from, and the events between its head and the new one name every call whose
//! place on the board may have changed — only those are looked up again
//! (`db::calls::board_among`). When the log no longer holds all those events, or they
//! are many, the whole board query runs as on a first read.
//!
//! Bounded: when the encoded views, or the kept answers, pass [`BoardCache::MAX_BYTES`]
//! that part starts empty again (the next reads fill it with what boards show now).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::body::Bytes;
use chrono::{DateTime, Utc};
use serde_json::value::RawValue;
use uuid::Uuid;

use domain::{api::calls::BoardDetail, call::ServiceCall, view::CallView, visibility::Viewer};

/// One call as one company's dispatchers see it on the board.
#[derive(Debug)]
struct Entry {
    version: i64,
    order: Order,
    /// The encoded views, `None` when the call is not on the company's board (a taken
    /// offer, a closed call, a call the company has no business with).
    json: Option<Views>,
}

/// A call's view encoded whole and as its summary (the two [`BoardDetail`]s).
#[derive(Debug, Clone)]
struct Views {
    whole: Arc<RawValue>,
    summary: Arc<RawValue>,
}

impl Views {
    fn of(&self, detail: BoardDetail) -> &Arc<RawValue> {
        match detail {
            BoardDetail::Whole => &self.whole,
            BoardDetail::Summary => &self.summary,
        }
    }

    fn size(&self) -> usize {
        self.whole.get().len() + self.summary.get().len()
    }
}

#[derive(Debug, Default)]
struct Entries {
    by_call: HashMap<(Uuid, Uuid), Entry, foldhash::fast::RandomState>,
    bytes: usize,
}

/// A company's board for one window: `(company, from, to)`.
pub type BoardKey = (Uuid, DateTime<Utc>, DateTime<Utc>);

/// A board's calls as `(call, version)`, unordered.
pub type Rows = Arc<[(Uuid, i64)]>;

/// A kept answer: the head it was built at, its body and the rows it was built from.
#[derive(Debug, Clone)]
struct Kept {
    seq: i64,
    body: Bytes,
    rows: Rows,
}

impl Kept {
    fn size(&self) -> usize {
        self.body.len() + self.rows.len() * std::mem::size_of::<(Uuid, i64)>()
    }
}

#[derive(Debug, Default)]
struct Answers {
    by_board: HashMap<(BoardKey, BoardDetail), Kept, foldhash::fast::RandomState>,
    bytes: usize,
}

/// See the module documentation.
#[derive(Debug, Default)]
pub struct BoardCache {
    entries: Mutex<Entries>,
    answers: Mutex<Answers>,
}

/// What [`BoardCache::take`] found.
#[derive(Debug, Default)]
pub struct Lookup {
    /// The encoded views of the calls kept at the version asked for that are on the
    /// board, unordered.
    pub found: Vec<Shown>,
    /// The calls whose documents must be read.
    pub missing: Vec<Uuid>,
}

/// A call's place in the board's order.
pub type Order = (Option<DateTime<Utc>>, DateTime<Utc>);

/// A call on the board: its place in the board's order and its encoded view.
pub type Shown = (Order, Arc<RawValue>);

impl BoardCache {
    /// The most encoded JSON kept of views, and of answers (all companies together).
    pub const MAX_BYTES: usize = 64 << 20;

    /// The answer of `detail` kept for `board` when it was built at the company's head
    /// `seq`.
    pub fn answer(&self, board: BoardKey, detail: BoardDetail, seq: i64) -> Option<Bytes> {
        let answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        match answers.by_board.get(&(board, detail)) {
            Some(kept) if kept.seq == seq => Some(kept.body.clone()),
            _ => None,
        }
    }

    /// The head and the rows of the answer of `detail` kept for `board`, whatever its
    /// head.
    pub fn rows(&self, board: BoardKey, detail: BoardDetail) -> Option<(i64, Rows)> {
        let answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        answers
            .by_board
            .get(&(board, detail))
            .map(|kept| (kept.seq, kept.rows.clone()))
    }

    /// Keeps the answer of `detail` for `board` built at the company's head `seq` from
    /// `rows`.
    pub fn keep_answer(
        &self,
        board: BoardKey,
        detail: BoardDetail,
        seq: i64,
        body: Bytes,
        rows: Rows,
    ) {
        let kept = Kept { seq, body, rows };
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        if answers.bytes + kept.size() > Self::MAX_BYTES {
            answers.by_board.clear();
            answers.bytes = 0;
        }
        answers.bytes += kept.size();
        if let Some(previous) = answers.by_board.insert((board, detail), kept) {
            answers.bytes = answers.bytes.saturating_sub(previous.size());
        }
    }

    /// The encoded views (of `detail`) of `company`'s board for the `(call, version)`
    /// pairs the board query found, and the calls not kept at that version.
    pub fn take(&self, company: Uuid, rows: &[(Uuid, i64)], detail: BoardDetail) -> Lookup {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let mut lookup = Lookup::default();
        for &(call, version) in rows {
            match entries.by_call.get(&(company, call)) {
                Some(entry) if entry.version == version => {
                    if let Some(views) = &entry.json {
                        lookup.found.push((entry.order, views.of(detail).clone()));
                    }
                }
                _ => lookup.missing.push(call),
            }
        }
        lookup
    }

    /// Keeps the dispatcher view of each of `calls` for `company` (whole and summary)
    /// and returns the ones on its board, of `detail`.
    pub fn keep(
        &self,
        company: Uuid,
        calls: &[ServiceCall],
        detail: BoardDetail,
    ) -> Result<Vec<Shown>, serde_json::Error> {
        let mut shown = Vec::new();
        let mut fresh = Vec::with_capacity(calls.len());
        for call in calls {
            let order = board_order(call);
            let json = match CallView::for_company(call, company) {
                Some(view) if Viewer::Dispatcher.sees_on_board(&view) => {
                    let views = Views {
                        whole: serde_json::value::to_raw_value(&view)?.into(),
                        summary: serde_json::value::to_raw_value(&view.summary())?.into(),
                    };
                    shown.push((order, views.of(detail).clone()));
                    Some(views)
                }
                _ => None,
            };
            fresh.push((call.id, call.version, order, json));
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        for (call, version, order, json) in fresh {
            let size = json.as_ref().map_or(0, Views::size) + 64;
            if entries.bytes + size > Self::MAX_BYTES {
                entries.by_call.clear();
                entries.bytes = 0;
            }
            let previous = entries.by_call.insert(
                (company, call),
                Entry {
                    version,
                    order,
                    json,
                },
            );
            entries.bytes += size;
            if let Some(previous) = previous {
                entries.bytes = entries
                    .bytes
                    .saturating_sub(previous.json.as_ref().map_or(0, Views::size) + 64);
            }
        }
        Ok(shown)
    }
}

/// A call's place in the board's order: undated first, then by start, then by creation.
pub fn board_order(call: &ServiceCall) -> Order {
    (call.slot.map(|s| s.start), call.created_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn answer_key(company: Uuid) -> BoardKey {
        let from = "2027-11-22T00:00:00Z".parse().unwrap();
        let to = "2027-11-29T00:00:00Z".parse().unwrap();
        (company, from, to)
    }

    #[test]
    fn an_answer_is_reused_only_at_the_head_it_was_read_at() {
        let cache = BoardCache::default();
        let board = answer_key(id(1));
        let rows: Rows = Arc::from([(id(10), 3)]);
        let summary = BoardDetail::Summary;
        cache.keep_answer(
            board,
            summary,
            7,
            Bytes::from_static(b"{\"seq\":7}"),
            rows.clone(),
        );

        assert_eq!(
            cache.answer(board, summary, 7).as_deref(),
            Some(&b"{\"seq\":7}"[..])
        );
        assert!(
            cache.answer(board, summary, 8).is_none(),
            "a newer head builds it again"
        );
        assert!(
            cache.answer(board, BoardDetail::Whole, 7).is_none(),
            "the whole board is an answer of its own"
        );
        assert!(
            cache.answer(answer_key(id(2)), summary, 7).is_none(),
            "another company's board is its own"
        );
        assert_eq!(
            cache.rows(board, summary),
            Some((7, rows)),
            "its rows stay for a newer head to start from"
        );
        assert_eq!(cache.rows(answer_key(id(2)), summary), None);
    }

    #[test]
    fn a_view_is_taken_only_at_the_version_it_was_kept_for() {
        let cache = BoardCache::default();
        let (company, call) = (id(1), id(10));
        let whole = BoardDetail::Whole;
        assert_eq!(cache.take(company, &[(call, 3)], whole).missing, vec![call]);

        // Nothing was kept for `call` yet; keep an entry by hand at version 3.
        {
            let mut entries = cache.entries.lock().unwrap();
            entries.by_call.insert(
                (company, call),
                Entry {
                    version: 3,
                    order: (None, Utc::now()),
                    json: Some(Views {
                        whole: Arc::from(
                            serde_json::value::to_raw_value(&serde_json::json!({"id": 10}))
                                .unwrap(),
                        ),
                        summary: Arc::from(
                            serde_json::value::to_raw_value(
                                &serde_json::json!({"id": 10, "summary": true}),
                            )
                            .unwrap(),
                        ),
                    }),
                },
            );
        }
        let hit = cache.take(company, &[(call, 3)], whole);
        assert_eq!((hit.found.len(), hit.missing.len()), (1, 0));
        assert_eq!(hit.found[0].1.get(), "{\"id\":10}");
        let summary = cache.take(company, &[(call, 3)], BoardDetail::Summary);
        assert_eq!(summary.found[0].1.get(), "{\"id\":10,\"summary\":true}");

        let newer = cache.take(company, &[(call, 4)], whole);
        assert_eq!((newer.found.len(), newer.missing), (0, vec![call]));
        assert_eq!(
            cache.take(id(2), &[(call, 3)], whole).missing,
            vec![call],
            "views are kept per company"
        );
    }

    #[test]
    fn kept_answers_are_bounded() {
        let cache = BoardCache::default();
        let big = Bytes::from(vec![b' '; BoardCache::MAX_BYTES / 2 + 1]);
        let rows: Rows = Arc::from([]);
        let summary = BoardDetail::Summary;
        cache.keep_answer(answer_key(id(1)), summary, 1, big.clone(), rows.clone());
        cache.keep_answer(answer_key(id(2)), summary, 1, big, rows);

        assert!(
            cache.answer(answer_key(id(1)), summary, 1).is_none(),
            "emptied on overflow"
        );
        assert!(cache.answer(answer_key(id(2)), summary, 1).is_some());
        assert!(cache.answers.lock().unwrap().bytes <= BoardCache::MAX_BYTES);
    }
}
