//! The live board's WebSocket (`/api/v1/events`): opening it on the page's own host
//! with `?since=`, reading its messages into [`LiveMessage`], and sending the board's
//! activity (which call this dispatcher is dragging or editing). Reconnecting and what
//! the events do to the board live in `contexts::live`.

use domain::{
    api::live::{ActivityAction, ClientMessage, Presence, ACTIVITY_REFUSED, PRESENCE},
    view::CallView,
};
use serde::Deserialize;
use uuid::Uuid;
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

pub use domain::api::live::SESSION_ENDED_CLOSE;

/// One message of the live stream.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveMessage {
    /// An event of the company's board with its sequence number.
    Event { seq: i64, event: LiveEvent },
    /// The `since` was too old: re-read the board; the stream goes on after `seq`.
    Reload { seq: i64 },
    /// The backlog is through; the client stands at `seq`.
    Ready { seq: i64 },
    /// Who of the company is online and what they work on (ephemeral: no `seq`).
    Presence(Presence),
    /// The server did not pass on this board's last activity (the call is not on the
    /// company's board).
    ActivityRefused,
}

/// What happened on the board.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    /// A new request offered to this company.
    NewOffer(Box<CallView>),
    /// A call on the board changed (the whole new view).
    CallChanged(Box<CallView>),
    /// Another partner accepted the request first.
    OfferTaken(Uuid),
    /// The call left the board.
    CallRemoved(Uuid),
    /// A technician changed.
    TechnicianChanged(Uuid),
    /// A type this version of the app does not know (skipped, but counted).
    Other,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "type")]
    kind: String,
    seq: i64,
    call_id: Option<Uuid>,
    call: Option<CallView>,
    technician_id: Option<Uuid>,
}

#[derive(Deserialize)]
struct Kind {
    #[serde(rename = "type")]
    kind: String,
}

/// Reads one text message; `None` for anything unreadable.
pub fn parse(text: &str) -> Option<LiveMessage> {
    // The messages without a sequence number first.
    match serde_json::from_str::<Kind>(text).ok()?.kind.as_str() {
        PRESENCE => return serde_json::from_str(text).ok().map(LiveMessage::Presence),
        ACTIVITY_REFUSED => return Some(LiveMessage::ActivityRefused),
        _ => {}
    }
    let raw: Raw = serde_json::from_str(text).ok()?;
    let seq = raw.seq;
    let event = match raw.kind.as_str() {
        "ready" => return Some(LiveMessage::Ready { seq }),
        "reload" => return Some(LiveMessage::Reload { seq }),
        "new_offer" => LiveEvent::NewOffer(Box::new(raw.call?)),
        "call_changed" => LiveEvent::CallChanged(Box::new(raw.call?)),
        "offer_taken" => LiveEvent::OfferTaken(raw.call_id?),
        "call_removed" => LiveEvent::CallRemoved(raw.call_id?),
        "technician_changed" => LiveEvent::TechnicianChanged(raw.technician_id?),
        _ => LiveEvent::Other,
    };
    Some(LiveMessage::Event { seq, event })
}

/// `ws(s)://<this host>/api/v1/events[?since=N][&ticket=T]`: a bearer session (an
/// embedded board whose browser keeps no cookie in the frame) opens the socket with a
/// single-use ticket, since a WebSocket carries no `Authorization` header.
pub fn events_url(since: Option<i64>, ticket: Option<&str>) -> String {
    let location = leptos::prelude::window().location();
    let scheme = match location.protocol().as_deref() {
        Ok("https:") => "wss",
        _ => "ws",
    };
    let host = location.host().unwrap_or_default();
    let mut query = Vec::new();
    if let Some(seq) = since {
        query.push(format!("since={seq}"));
    }
    if let Some(ticket) = ticket {
        query.push(format!("ticket={}", js_sys::encode_uri_component(ticket)));
    }
    if query.is_empty() {
        format!("{scheme}://{host}/api/v1/events")
    } else {
        format!("{scheme}://{host}/api/v1/events?{}", query.join("&"))
    }
}

/// An open (or opening) live socket; dropping it closes the socket and detaches the
/// handlers, so a replaced connection never reports again.
pub struct LiveSocket {
    ws: WebSocket,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl LiveSocket {
    /// Tells colleagues what this board does with a call (`Idle`: nothing); silently
    /// dropped while the socket is not open, since it is sent again once it is.
    pub fn send_activity(&self, call_id: Option<Uuid>, action: ActivityAction) {
        if self.ws.ready_state() != WebSocket::OPEN {
            return;
        }
        let message = ClientMessage::Activity { call_id, action };
        if let Ok(text) = serde_json::to_string(&message) {
            let _ = self.ws.send_with_str(&text);
        }
    }

    /// Opens the socket; `on_message` gets every readable message, `on_closed` is called
    /// once when the socket closes or fails (not after it is dropped), with the close
    /// code ([`SESSION_ENDED_CLOSE`]: the session ended, do not reconnect).
    pub fn open(
        since: Option<i64>,
        ticket: Option<&str>,
        mut on_message: impl FnMut(LiveMessage) + 'static,
        on_closed: impl Fn(u16) + 'static,
    ) -> Result<Self, String> {
        let ws = WebSocket::new(&events_url(since, ticket)).map_err(|e| format!("{e:?}"))?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(text) = ev.data().as_string() {
                if let Some(message) = parse(&text) {
                    on_message(message);
                }
            }
        });
        let on_closed = std::rc::Rc::new(on_closed);
        let closed = on_closed.clone();
        let on_close =
            Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| closed(ev.code()));
        // An error is always followed by a close event: nothing more to do here than to
        // keep the browser from logging it as unhandled.
        let on_error = Closure::<dyn FnMut(Event)>::new(move |_: Event| {});
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            ws,
            _on_message: on_message,
            _on_close: on_close,
            _on_error: on_error,
        })
    }
}

impl Drop for LiveSocket {
    fn drop(&mut self) {
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        let _ = self.ws.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_unknown_messages_parse() {
        assert_eq!(
            parse(r#"{"type":"ready","seq":4}"#),
            Some(LiveMessage::Ready { seq: 4 })
        );
        assert_eq!(
            parse(r#"{"type":"reload","seq":9}"#),
            Some(LiveMessage::Reload { seq: 9 })
        );
        let id = Uuid::from_u128(5);
        assert_eq!(
            parse(&format!(
                r#"{{"type":"offer_taken","seq":2,"call_id":"{id}"}}"#
            )),
            Some(LiveMessage::Event {
                seq: 2,
                event: LiveEvent::OfferTaken(id)
            })
        );
        assert_eq!(
            parse(r#"{"type":"something_new","seq":3}"#),
            Some(LiveMessage::Event {
                seq: 3,
                event: LiveEvent::Other
            })
        );
        assert_eq!(parse("not json"), None);
    }

    #[test]
    fn presence_and_refusals_parse_without_a_seq() {
        let user = Uuid::from_u128(1);
        let call = Uuid::from_u128(2);
        let text = format!(
            r#"{{"type":"presence","users":[{{"id":"{user}","name":"Sandra Meier"}}],
                "activities":[{{"user_id":"{user}","name":"Sandra Meier","call_id":"{call}","action":"dragging"}}]}}"#
        );
        let Some(LiveMessage::Presence(presence)) = parse(&text) else {
            panic!("a presence message");
        };
        assert_eq!(presence.users[0].name, "Sandra Meier");
        assert_eq!(
            presence
                .activity_on(call, Uuid::from_u128(9))
                .map(|a| a.action),
            Some(ActivityAction::Dragging)
        );
        assert_eq!(
            parse(r#"{"type":"activity_refused"}"#),
            Some(LiveMessage::ActivityRefused)
        );
    }
}
