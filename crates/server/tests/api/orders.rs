//! The order and what ends a call: lines and totals (computed by the domain), the agreed
//! price, the work report, call attempts, closing with payment and signature, the three
//! ways to cancel — with tenancy, stale versions and bad input refused without a change.

use crate::{
    helpers::{company_with_dispatcher, send, spawn_app, user_id, Backend, TestApp},
    marketplace::{
        booking, company_id, create_request, outbox, post_booking, stored, ALPEN, PASSWORD, RHEIN,
    },
    on_both_backends,
};
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::Row;
use uuid::Uuid;

on_both_backends!(
    totals_follow_every_change_of_the_order,
    extra_units_are_priced_pro_rata_and_rounded_half_up,
    card_without_a_valid_signature_is_refused_and_changes_nothing,
    closing_freezes_the_total_sends_the_receipt_and_ends_all_changes,
    only_a_ready_call_can_be_closed,
    redistribution_reoffers_to_the_other_suitable_companies_only,
    no_answer_needs_a_logged_attempt_and_client_cancelled_confirms_by_mail,
    report_notes_and_call_attempts_keep_author_and_time,
    money_in_another_currency_is_a_422,
    another_companys_call_is_404_on_every_order_route,
    stale_versions_are_409_with_the_current_call,
);

/// Sends and expects `status`; returns the JSON body.
async fn expect(
    app: &TestApp,
    method: Method,
    path: &str,
    cookie: &str,
    body: Option<Value>,
    status: u16,
) -> Value {
    let response = send(app, method.clone(), path, cookie, body.clone()).await;
    let got = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(got, status, "{method} {path} {body:?}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn chf(minor: i64) -> Value {
    json!({"amount_minor": minor, "currency": "CHF"})
}

fn total(call: &Value) -> i64 {
    assert_eq!(call["order"]["total"]["currency"], "CHF", "{call}");
    call["order"]["total"]["amount_minor"].as_i64().unwrap()
}

/// The DESIGN.md booking (60 min, CHF 120.00), accepted by Alpen.
async fn accepted(app: &TestApp, alpen: &str, external_id: &str) -> (Uuid, Value) {
    let call = create_request(app, external_id).await;
    let view = expect(
        app,
        Method::POST,
        &format!("/api/v1/calls/{call}/accept"),
        alpen,
        None,
        200,
    )
    .await;
    (call, view)
}

/// An accepted call made green: dated (by the booking), assigned to Anna, client called.
async fn green(app: &TestApp, alpen: &str, external_id: &str) -> (Uuid, Value) {
    let (call, view) = accepted(app, alpen, external_id).await;
    let anna = user_id(app, "anna.keller@alpen.example").await;
    let view = expect(
        app,
        Method::PATCH,
        &format!("/api/v1/calls/{call}"),
        alpen,
        Some(json!({"version": view["version"], "technician_id": anna, "client_called": true})),
        200,
    )
    .await;
    assert_eq!(view["colour"], "green", "{view}");
    (call, view)
}

/// A tiny but real PNG (1×1, transparent) as a data URL.
const PNG_1X1: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

async fn totals_follow_every_change_of_the_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (call, view) = accepted(&app, &alpen, "MKT-O1").await;
    let lines = format!("/api/v1/calls/{call}/order/lines");
    assert_eq!(total(&view), 12000);

    let units = expect(
        &app,
        Method::POST,
        &lines,
        &alpen,
        Some(json!({"version": view["version"], "kind": "time_unit", "quantity": 2})),
        200,
    )
    .await;
    let material = expect(
        &app,
        Method::POST,
        &lines,
        &alpen,
        Some(json!({"version": units["version"], "kind": "material",
                    "description": "Tap cartridge", "amount": chf(2500)})),
        200,
    )
    .await;
    let discount = expect(
        &app,
        Method::POST,
        &lines,
        &alpen,
        Some(json!({"version": material["version"], "kind": "discount",
                    "description": "Regular client", "amount": chf(1500)})),
        200,
    )
    .await;
    let discount_id = discount["order"]["lines"][3]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let removed = expect(
        &app,
        Method::DELETE,
        &format!("{lines}/{discount_id}?version={}", discount["version"]),
        &alpen,
        None,
        200,
    )
    .await;
    let repriced = expect(
        &app,
        Method::PATCH,
        &format!("/api/v1/calls/{call}"),
        &alpen,
        Some(json!({"version": removed["version"], "agreed_price": chf(15000)})),
        200,
    )
    .await;

    // 60-min CHF 120 package + 2 × CHF 60 + CHF 25 = CHF 265.00.
    assert_eq!(total(&units), 24000);
    assert_eq!(units["order"]["lines"][1]["kind"], "time_unit");
    assert_eq!(units["order"]["lines"][1]["unit_price"], chf(6000));
    assert_eq!(total(&material), 26500);
    assert_eq!(total(&discount), 25000);
    assert_eq!(discount["order"]["lines"][3]["amount"], chf(-1500));
    assert_eq!(total(&removed), 26500);
    assert_eq!(removed["order"]["lines"].as_array().unwrap().len(), 3);
    assert_eq!(total(&repriced), 29500);
    assert_eq!(repriced["order"]["lines"][0]["kind"], "package");
    assert_eq!(repriced["order"]["lines"][0]["amount"], chf(15000));
    assert_eq!(
        repriced["version"].as_i64().unwrap(),
        view["version"].as_i64().unwrap() + 5
    );
    // What the API answered is what is stored.
    let stored_doc: Value = serde_json::from_str(&stored(&app, call).await.1).unwrap();
    assert_eq!(stored_doc["order"]["total"], chf(29500));

    // The package line cannot be removed; an unknown line is not found.
    let package = Uuid::nil();
    let refused = expect(
        &app,
        Method::DELETE,
        &format!("{lines}/{package}?version={}", repriced["version"]),
        &alpen,
        None,
        422,
    )
    .await;
    assert_eq!(refused["type"], "/problems/line-not-removable");
    expect(
        &app,
        Method::DELETE,
        &format!("{lines}/{}?version={}", Uuid::new_v4(), repriced["version"]),
        &alpen,
        None,
        404,
    )
    .await;
    // A discount larger than the total is refused.
    let negative = expect(
        &app,
        Method::POST,
        &lines,
        &alpen,
        Some(json!({"version": repriced["version"], "kind": "discount",
                    "description": "Too much", "amount": chf(50000)})),
        422,
    )
    .await;
    assert_eq!(negative["type"], "/problems/negative-total");
    // Missing fields are named.
    let missing = expect(
        &app,
        Method::POST,
        &lines,
        &alpen,
        Some(json!({"version": repriced["version"], "kind": "material"})),
        422,
    )
    .await;
    assert_eq!(missing["errors"][0]["field"], "description");
    assert_eq!(missing["errors"][1]["field"], "amount");
    assert_eq!(
        stored(&app, call).await.0,
        repriced["version"].as_i64().unwrap()
    );
}

async fn extra_units_are_priced_pro_rata_and_rounded_half_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let mut body = booking("MKT-O2");
    body["service"]["duration_minutes"] = json!(45);
    body["service"]["recommended_price"] = chf(10000);
    let created: Value = post_booking(&app, &body).await.json().await.unwrap();
    let call = created["id"].as_str().unwrap();
    let view = expect(
        &app,
        Method::POST,
        &format!("/api/v1/calls/{call}/accept"),
        &alpen,
        None,
        200,
    )
    .await;
    let lines = format!("/api/v1/calls/{call}/order/lines");

    let three = expect(
        &app,
        Method::POST,
        &lines,
        &alpen,
        Some(json!({"version": view["version"], "kind": "time_unit", "quantity": 3})),
        200,
    )
    .await;
    let own_price = expect(
        &app,
        Method::POST,
        &lines,
        &alpen,
        Some(
            json!({"version": three["version"], "kind": "time_unit", "quantity": 1,
                    "unit_price": chf(5555)}),
        ),
        200,
    )
    .await;

    // CHF 100.00 × 30 / 45 = 66.666… → CHF 66.67 a unit; three units CHF 200.01.
    assert_eq!(three["order"]["lines"][1]["unit_price"], chf(6667));
    assert_eq!(three["order"]["lines"][1]["amount"], chf(20001));
    assert_eq!(total(&three), 30001);
    assert_eq!(own_price["order"]["lines"][2]["unit_price"], chf(5555));
    assert_eq!(total(&own_price), 35556);
}

async fn card_without_a_valid_signature_is_refused_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (call, view) = green(&app, &alpen, "MKT-O3").await;
    let before = stored(&app, call).await;
    let mails_before = outbox(&app, call).await;
    let close = format!("/api/v1/calls/{call}/close");
    let version = view["version"].clone();
    let text_as_png = format!(
        "data:image/png;base64,{}",
        "bm90IGEgcG5nIGF0IGFsbCwganVzdCBzb21lIHRleHQ="
    );
    let jpeg = "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDA==";
    let huge = format!(
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ{}",
        "A".repeat(300 * 1024)
    );

    // (body, status, type)
    let cases = [
        (
            json!({"version": version, "payment_method": "card"}),
            422,
            "/problems/signature-required",
        ),
        (
            json!({"version": version, "payment_method": "card", "signature": ""}),
            422,
            "/problems/signature-required",
        ),
        (
            json!({"version": version, "payment_method": "card", "signature": text_as_png}),
            422,
            "/problems/invalid-signature",
        ),
        (
            json!({"version": version, "payment_method": "card", "signature": jpeg}),
            422,
            "/problems/invalid-signature",
        ),
        (
            json!({"version": version, "payment_method": "card", "signature": "data:image/png;base64,@@@"}),
            422,
            "/problems/invalid-signature",
        ),
        (
            json!({"version": version, "payment_method": "card", "signature": huge}),
            413,
            "/problems/signature-too-large",
        ),
        (
            json!({"version": version, "payment_method": "bitcoin"}),
            422,
            "/problems/validation",
        ),
    ];
    for (body, status, kind) in cases {
        let problem = expect(&app, Method::POST, &close, &alpen, Some(body), status).await;
        assert_eq!(problem["type"], kind, "{problem}");
    }

    assert_eq!(stored(&app, call).await, before, "nothing changed");
    assert_eq!(outbox(&app, call).await, mails_before, "nobody was told");
    let still: Value = expect(
        &app,
        Method::GET,
        &format!("/api/v1/calls/{call}"),
        &alpen,
        None,
        200,
    )
    .await;
    assert_eq!(still["status"], "accepted");
    assert!(still["closure"].is_null());
}

async fn closing_freezes_the_total_sends_the_receipt_and_ends_all_changes(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (call, view) = green(&app, &alpen, "MKT-O4").await;
    let lines = format!("/api/v1/calls/{call}/order/lines");
    let units = expect(
        &app,
        Method::POST,
        &lines,
        &alpen,
        Some(json!({"version": view["version"], "kind": "time_unit", "quantity": 2})),
        200,
    )
    .await;
    let material = expect(
        &app,
        Method::POST,
        &lines,
        &alpen,
        Some(json!({"version": units["version"], "kind": "material",
                    "description": "Tap cartridge", "amount": chf(2500)})),
        200,
    )
    .await;

    let closed = expect(
        &app,
        Method::POST,
        &format!("/api/v1/calls/{call}/close"),
        &alpen,
        Some(
            json!({"version": material["version"], "payment_method": "card", "signature": PNG_1X1}),
        ),
        200,
    )
    .await;

    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["closure"]["payment_method"], "online_card");
    assert_eq!(closed["closure"]["total"], chf(26500));
    assert_eq!(closed["closure"]["signature"], PNG_1X1);
    // The receipt to the client lists the lines and the total; the company gets the
    // after-check-out notice at its own address.
    let company_email: String = sqlx::query("SELECT email FROM companies WHERE name LIKE 'Alpen%'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
        .get("email");
    let rows = sqlx::query(
        "SELECT recipient, subject, body FROM outbox WHERE call_id = $1 AND kind = 'call_closed'",
    )
    .bind(call.to_string())
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    let mails: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r.get("recipient"), r.get("subject"), r.get("body")))
        .collect();
    assert_eq!(mails.len(), 2, "{mails:?}");
    let receipt = mails.iter().find(|m| m.0 == "anna@example.ch").unwrap();
    assert!(
        receipt.1.contains("receipt") && receipt.1.contains("CHF 265.00"),
        "{receipt:?}"
    );
    for part in [
        "2 × 30 min extra time: CHF 120.00",
        "Tap cartridge: CHF 25.00",
        "Total: CHF 265.00",
        "online card",
    ] {
        assert!(receipt.2.contains(part), "{part}: {}", receipt.2);
    }
    let notice = mails.iter().find(|m| m.0 == company_email).unwrap();
    // The company's own address reads the company's default locale (Zürich: de-CH).
    assert!(notice.1.starts_with("Nach dem Abschluss"), "{notice:?}");
    assert!(notice.2.contains("Total: CHF 265.00"), "{notice:?}");

    // Nothing changes a closed call any more, with its current version or not.
    let version = closed["version"].clone();
    let attempts = [
        (
            Method::POST,
            lines.clone(),
            Some(json!({"version": version, "kind": "time_unit", "quantity": 1})),
        ),
        (
            Method::DELETE,
            format!(
                "{lines}/{}?version={version}",
                closed["order"]["lines"][1]["id"].as_str().unwrap()
            ),
            None,
        ),
        (
            Method::PATCH,
            format!("/api/v1/calls/{call}"),
            Some(json!({"version": version, "agreed_price": chf(1000)})),
        ),
        (
            Method::POST,
            format!("/api/v1/calls/{call}/report"),
            Some(json!({"text": "one more thing"})),
        ),
        (
            Method::POST,
            format!("/api/v1/calls/{call}/call-attempts"),
            Some(json!({"outcome": "reached"})),
        ),
        (
            Method::POST,
            format!("/api/v1/calls/{call}/close"),
            Some(json!({"version": version, "payment_method": "cash"})),
        ),
        (
            Method::POST,
            format!("/api/v1/calls/{call}/cancel"),
            Some(json!({"version": version, "reason": "client_cancelled"})),
        ),
    ];
    let frozen = stored(&app, call).await;
    for (method, path, body) in attempts {
        let problem = expect(&app, method, &path, &alpen, body, 409).await;
        assert_eq!(
            problem["type"], "/problems/call-closed",
            "{path}: {problem}"
        );
        assert_eq!(problem["current"]["status"], "closed");
    }
    assert_eq!(stored(&app, call).await, frozen);
    let status: Value = app
        .http
        .get(app.url(&format!("/api/v1/marketplace/requests/{call}")))
        .bearer_auth(crate::marketplace::KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["state"], "closed");
}

async fn only_a_ready_call_can_be_closed(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (call, view) = accepted(&app, &alpen, "MKT-O5").await;

    let problem = expect(
        &app,
        Method::POST,
        &format!("/api/v1/calls/{call}/close"),
        &alpen,
        Some(json!({"version": view["version"], "payment_method": "cash"})),
        409,
    )
    .await;

    assert_eq!(problem["type"], "/problems/not-ready");
    assert_eq!(problem["current"]["colour"], "white");
    // Cash needs no signature once the call is green.
    let (call, view) = green(&app, &alpen, "MKT-O5b").await;
    let closed = expect(
        &app,
        Method::POST,
        &format!("/api/v1/calls/{call}/close"),
        &alpen,
        Some(json!({"version": view["version"], "payment_method": "cash"})),
        200,
    )
    .await;
    assert_eq!(closed["closure"]["payment_method"], "cash");
    assert!(closed["closure"]["signature"].is_null());
}

async fn redistribution_reoffers_to_the_other_suitable_companies_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let (call, view) = green(&app, &alpen, "MKT-O6").await;
    // Joined after the booking came in: suitable, so offered in the new round.
    let (limmat, limmat_cookie) =
        company_with_dispatcher(&app, "Limmat Sanitaer", "8000-8099").await;
    // Serves Bern only: never offered.
    let (_, bern_cookie) = company_with_dispatcher(&app, "Bern Haustechnik", "3000-3099").await;
    let alpen_id = company_id(&app, "Alpen").await;
    let rhein_id = company_id(&app, "Rhein").await;
    let mails_before = outbox(&app, call).await;

    let answer = expect(
        &app,
        Method::POST,
        &format!("/api/v1/calls/{call}/cancel"),
        &alpen,
        Some(json!({"version": view["version"], "reason": "redistribute", "note": "No one free this week"})),
        200,
    )
    .await;

    // Alpen's last look: given up, on no place of its board; then it is gone.
    assert_eq!(answer["offer_state"], "gave_up");
    assert_eq!(answer["placements"], json!([]));
    for (method, path, body) in [
        (Method::GET, format!("/api/v1/calls/{call}"), None),
        (Method::GET, format!("/api/v1/calls/{call}/report"), None),
        (Method::POST, format!("/api/v1/calls/{call}/accept"), None),
        (
            Method::POST,
            format!("/api/v1/calls/{call}/order/lines"),
            Some(json!({"version": answer["version"], "kind": "time_unit"})),
        ),
    ] {
        let problem = expect(&app, method, &path, &alpen, body, 404).await;
        assert_eq!(problem["type"], "/problems/not-found");
    }
    let board: Value = expect(
        &app,
        Method::GET,
        "/api/v1/calls?from=2026-11-23T00:00:00Z&to=2026-11-30T00:00:00Z",
        &alpen,
        None,
        200,
    )
    .await;
    assert!(board["calls"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["id"] != call.to_string()));

    // Rhein (which lost the first race) and Limmat get it again, blue; Bern never.
    for cookie in [&rhein, &limmat_cookie] {
        let seen = expect(
            &app,
            Method::GET,
            &format!("/api/v1/calls/{call}"),
            cookie,
            None,
            200,
        )
        .await;
        assert_eq!(seen["offer_state"], "offered");
        assert_eq!(seen["colour"], "blue");
        assert_eq!(seen["placements"][0]["place"], "requests_list");
        assert!(seen["technician_id"].is_null() && seen["client"].is_null());
    }
    expect(
        &app,
        Method::GET,
        &format!("/api/v1/calls/{call}"),
        &bern_cookie,
        None,
        404,
    )
    .await;
    // Every row written since the give-up (a multiset difference: Rhein was mailed in
    // the first round too).
    let mut new_mails = outbox(&app, call).await;
    for old in &mails_before {
        if let Some(at) = new_mails.iter().position(|m| m == old) {
            new_mails.remove(at);
        }
    }
    new_mails.sort();
    let anna = user_id(&app, "anna.keller@alpen.example").await;
    assert_eq!(
        new_mails,
        vec![
            (
                "callback".into(),
                "redistribute".into(),
                "marketplace".into()
            ),
            (
                "email".into(),
                "new_request".into(),
                "dispatcher@limmatsanitaer.example".into()
            ),
            ("email".into(), "new_request".into(), RHEIN.into()),
            ("push".into(), "call_cancelled".into(), anna.to_string()),
        ]
    );
    // The marketplace sees the new round: offered, Alpen out for good.
    let status: Value = app
        .http
        .get(app.url(&format!("/api/v1/marketplace/requests/{call}")))
        .bearer_auth(crate::marketplace::KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["state"], "offered");
    assert!(status["accepted_by"].is_null());
    let offer_of = |company: Uuid| {
        status["offers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["company_id"] == company.to_string())
            .map(|o| o["state"].as_str().unwrap().to_owned())
    };
    assert_eq!(offer_of(alpen_id).as_deref(), Some("gave_up"));
    assert_eq!(offer_of(rhein_id).as_deref(), Some("offered"));
    assert_eq!(offer_of(limmat).as_deref(), Some("offered"));
    // Rhein can win it now, starting afresh.
    let won = expect(
        &app,
        Method::POST,
        &format!("/api/v1/calls/{call}/accept"),
        &rhein,
        None,
        200,
    )
    .await;
    assert_eq!(won["offer_state"], "won");
    assert_eq!(total(&won), 12000);
    // No work-report notes yet: left out of the view (`CallView` skips what is empty).
    assert!(won.get("report_notes").is_none(), "{won}");
}

async fn no_answer_needs_a_logged_attempt_and_client_cancelled_confirms_by_mail(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (call, view) = accepted(&app, &alpen, "MKT-O7").await;
    let cancel = format!("/api/v1/calls/{call}/cancel");

    let refused = expect(
        &app,
        Method::POST,
        &cancel,
        &alpen,
        Some(json!({"version": view["version"], "reason": "no_answer"})),
        422,
    )
    .await;
    let attempt = expect(
        &app,
        Method::POST,
        &format!("/api/v1/calls/{call}/call-attempts"),
        &alpen,
        Some(json!({"outcome": "no_answer", "note": "Rang twice at 9:00"})),
        200,
    )
    .await;
    let cancelled = expect(
        &app,
        Method::POST,
        &cancel,
        &alpen,
        Some(json!({"version": attempt["version"], "reason": "no_answer", "note": "Three tries"})),
        200,
    )
    .await;

    assert_eq!(refused["type"], "/problems/no-unanswered-attempt");
    assert_eq!(attempt["call_attempts"][0]["outcome"], "no_answer");
    assert_eq!(attempt["client_called"], false);
    assert_eq!(attempt["report_notes"][0]["text"], "Rang twice at 9:00");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancellation"]["reason"], "client_did_not_answer");
    assert_eq!(cancelled["placements"], json!([]));
    assert_eq!(cancelled["report_notes"][1]["text"], "Three tries");
    let again = expect(
        &app,
        Method::POST,
        &cancel,
        &alpen,
        Some(json!({"version": cancelled["version"], "reason": "client_cancelled"})),
        409,
    )
    .await;
    assert_eq!(again["type"], "/problems/call-cancelled");
    let status = |call: Uuid| {
        let app = &app;
        async move {
            app.http
                .get(app.url(&format!("/api/v1/marketplace/requests/{call}")))
                .bearer_auth(crate::marketplace::KEY)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(status(call).await["state"], "cancelled");

    // The client who cancels gets a confirmation.
    let (other, view) = accepted(&app, &alpen, "MKT-O7b").await;
    expect(
        &app,
        Method::POST,
        &format!("/api/v1/calls/{other}/cancel"),
        &alpen,
        Some(json!({"version": view["version"], "reason": "client_cancelled"})),
        200,
    )
    .await;
    let subject: String = sqlx::query(
        "SELECT subject FROM outbox WHERE call_id = $1 AND kind = 'call_cancelled' AND recipient = 'anna@example.ch'",
    )
    .bind(other.to_string())
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap()
    .get("subject");
    assert!(subject.starts_with("Cancellation confirmed"), "{subject}");
    assert_eq!(status(other).await["state"], "cancelled");
}

async fn report_notes_and_call_attempts_keep_author_and_time(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (call, view) = accepted(&app, &alpen, "MKT-O8").await;
    let report = format!("/api/v1/calls/{call}/report");

    let noted = expect(
        &app,
        Method::POST,
        &report,
        &alpen,
        Some(json!({"text": "  Replaced the cartridge  "})),
        200,
    )
    .await;
    let stale = expect(
        &app,
        Method::POST,
        &report,
        &alpen,
        Some(json!({"text": "x", "version": view["version"]})),
        409,
    )
    .await;
    let empty = expect(
        &app,
        Method::POST,
        &report,
        &alpen,
        Some(json!({"text": "   "})),
        422,
    )
    .await;
    let reached = expect(
        &app,
        Method::POST,
        &format!("/api/v1/calls/{call}/call-attempts"),
        &alpen,
        Some(json!({"outcome": "reached", "version": noted["version"]})),
        200,
    )
    .await;
    let listed = expect(&app, Method::GET, &report, &alpen, None, 200).await;

    assert_eq!(noted["version"], view["version"].as_i64().unwrap() + 1);
    assert_eq!(stale["type"], "/problems/stale-version");
    assert_eq!(empty["type"], "/problems/invalid-text");
    assert_eq!(reached["client_called"], true, "reached completes the task");
    assert_eq!(reached["call_attempts"][0]["outcome"], "reached");
    assert_eq!(reached["call_attempts"][0]["by"]["kind"], "dispatcher");
    let entries = listed.as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["text"], "Replaced the cartridge");
    assert_eq!(entries[0]["author"], "Sandra Meier");
    assert_eq!(entries[0]["by"]["kind"], "dispatcher");
    assert!(entries[0]["at"].as_str().unwrap().ends_with('Z'));
}

async fn money_in_another_currency_is_a_422(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (call, view) = accepted(&app, &alpen, "MKT-O9").await;
    let before = stored(&app, call).await;
    let eur = json!({"amount_minor": 2500, "currency": "EUR"});
    let lines = format!("/api/v1/calls/{call}/order/lines");

    for (method, path, body) in [
        (
            Method::POST,
            lines.clone(),
            json!({"version": view["version"], "kind": "material", "description": "Washer", "amount": eur}),
        ),
        (
            Method::POST,
            lines.clone(),
            json!({"version": view["version"], "kind": "discount", "description": "Euro off", "amount": eur}),
        ),
        (
            Method::POST,
            lines.clone(),
            json!({"version": view["version"], "kind": "time_unit", "quantity": 1, "unit_price": eur}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/calls/{call}"),
            json!({"version": view["version"], "agreed_price": eur}),
        ),
    ] {
        let problem = expect(&app, method, &path, &alpen, Some(body), 422).await;
        assert_eq!(problem["type"], "/problems/currency-mismatch", "{path}");
    }
    let usd = expect(
        &app,
        Method::POST,
        &lines,
        &alpen,
        Some(
            json!({"version": view["version"], "kind": "material", "description": "Washer",
                    "amount": {"amount_minor": 1, "currency": "USD"}}),
        ),
        422,
    )
    .await;
    assert_eq!(usd["type"], "/problems/validation");
    assert_eq!(stored(&app, call).await, before);
}

async fn another_companys_call_is_404_on_every_order_route(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (_, outsider) = company_with_dispatcher(&app, "Bern Haustechnik", "3000-3099").await;
    let (call, view) = green(&app, &alpen, "MKT-O10").await;
    let v = view["version"].clone();
    let before = stored(&app, call).await;
    let line = Uuid::nil();

    let routes = [
        (
            Method::POST,
            format!("/api/v1/calls/{call}/order/lines"),
            Some(json!({"version": v, "kind": "time_unit", "quantity": 1})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/calls/{call}/order/lines/{line}?version={v}"),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/v1/calls/{call}/order/lines/{line}"),
            None,
        ),
        (
            Method::PATCH,
            format!("/api/v1/calls/{call}"),
            Some(json!({"version": v, "agreed_price": chf(100)})),
        ),
        (Method::GET, format!("/api/v1/calls/{call}/report"), None),
        (
            Method::POST,
            format!("/api/v1/calls/{call}/report"),
            Some(json!({"text": "hello"})),
        ),
        (
            Method::POST,
            format!("/api/v1/calls/{call}/call-attempts"),
            Some(json!({"outcome": "reached"})),
        ),
        (
            Method::POST,
            format!("/api/v1/calls/{call}/close"),
            Some(json!({"version": v, "payment_method": "card", "signature": PNG_1X1})),
        ),
        (
            Method::POST,
            format!("/api/v1/calls/{call}/cancel"),
            Some(json!({"version": v, "reason": "redistribute"})),
        ),
    ];
    for (method, path, body) in routes.iter().cloned() {
        let problem = expect(&app, method, &path, &outsider, body, 404).await;
        assert_eq!(problem["type"], "/problems/not-found");
    }
    // Unknown and malformed call ids look the same to the owner.
    for path in [
        format!("/api/v1/calls/{}/report", Uuid::new_v4()),
        "/api/v1/calls/not-a-uuid/report".to_owned(),
    ] {
        expect(&app, Method::GET, &path, &alpen, None, 404).await;
    }
    // Without a session, nothing at all.
    for (method, path, body) in routes {
        let mut request = app.http.request(method, app.url(&path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        assert_eq!(request.send().await.unwrap().status(), 401, "{path}");
    }
    assert_eq!(stored(&app, call).await, before);
}

async fn stale_versions_are_409_with_the_current_call(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (call, view) = green(&app, &alpen, "MKT-O11").await;
    let old = view["version"].as_i64().unwrap();
    // A colleague adds a unit first.
    let current = expect(
        &app,
        Method::POST,
        &format!("/api/v1/calls/{call}/order/lines"),
        &alpen,
        Some(json!({"version": old, "kind": "time_unit", "quantity": 1})),
        200,
    )
    .await;
    let line = current["order"]["lines"][1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = stored(&app, call).await;

    let stale = [
        (
            Method::POST,
            format!("/api/v1/calls/{call}/order/lines"),
            Some(
                json!({"version": old, "kind": "material", "description": "Washer", "amount": chf(500)}),
            ),
        ),
        (
            Method::DELETE,
            format!("/api/v1/calls/{call}/order/lines/{line}?version={old}"),
            None,
        ),
        (
            Method::PATCH,
            format!("/api/v1/calls/{call}"),
            Some(json!({"version": old, "agreed_price": chf(9000)})),
        ),
        (
            Method::POST,
            format!("/api/v1/calls/{call}/close"),
            Some(json!({"version": old, "payment_method": "cash"})),
        ),
        (
            Method::POST,
            format!("/api/v1/calls/{call}/cancel"),
            Some(json!({"version": old, "reason": "client_cancelled"})),
        ),
    ];
    for (method, path, body) in stale {
        let problem = expect(&app, method, &path, &alpen, body, 409).await;
        assert_eq!(problem["type"], "/problems/stale-version", "{path}");
        assert_eq!(problem["current"]["version"], current["version"]);
        assert_eq!(total(&problem["current"]), 18000);
    }
    // A parameter the removal does not take is refused, even with the right version.
    let extra = expect(
        &app,
        Method::DELETE,
        &format!(
            "/api/v1/calls/{call}/order/lines/{line}?version={}&force=1",
            current["version"]
        ),
        &alpen,
        None,
        400,
    )
    .await;
    assert_eq!(extra["type"], "/problems/bad-query", "{extra}");
    let missing = expect(
        &app,
        Method::DELETE,
        &format!("/api/v1/calls/{call}/order/lines/{line}"),
        &alpen,
        None,
        422,
    )
    .await;
    assert_eq!(missing["errors"][0]["field"], "version");
    assert_eq!(stored(&app, call).await, before);
}
