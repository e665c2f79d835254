//! The outbox worker's e-mail path through a real SMTP client (lettre) against a small
//! SMTP server on loopback: a message waits with a backoff while the server is down and
//! is delivered, exactly once, once it is up; a retried row keeps its `Message-ID`; a
//! company's e-mail carries its brand colour and logo.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc, Mutex,
};

use server::{
    config::Config,
    notify::{
        outbox::{enqueue, Channel, OutboxMessage},
        transport::Transports,
        worker::{self, deliver_due},
    },
};
use sqlx::Row;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

/// A fresh database with demo mode off and no background worker (`serve` is not called:
/// each test runs the outbox itself), and its folder.
async fn fresh_state() -> (server::AppState, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("relay-smtp-{}", uuid::Uuid::new_v4().simple()));
    let mut config = Config::for_tests(format!("sqlite://{}/t.db", dir.display()));
    config.demo_mode = false;
    (server::prepare(config).await.unwrap(), dir)
}

/// A fake SMTP server on loopback, the transports that send to it and what it received.
async fn smtp_up() -> (Transports, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    tokio::spawn(fake_smtp(listener, received.clone()));
    let transports = Transports::new(
        Some(&format!("smtp://127.0.0.1:{port}")),
        "Relay <no-reply@relay.example>",
    )
    .unwrap();
    (transports, received)
}

/// Accepts SMTP sessions and keeps every DATA payload.
async fn fake_smtp(listener: TcpListener, received: Arc<Mutex<Vec<String>>>) {
    fake_smtp_rejecting(listener, received, Arc::new(AtomicUsize::new(0))).await;
}

/// Like [`fake_smtp`], but answers the first `reject` messages (after their DATA was
/// received and kept) with a temporary failure, as a busy server does.
async fn fake_smtp_rejecting(
    listener: TcpListener,
    received: Arc<Mutex<Vec<String>>>,
    reject: Arc<AtomicUsize>,
) {
    while let Ok((stream, _)) = listener.accept().await {
        let received = received.clone();
        let reject = reject.clone();
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
            let mut data: Option<String> = None;
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(body) = data.as_mut() {
                    if line == "." {
                        received.lock().unwrap().push(data.take().unwrap());
                        let refuse = reject
                            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                            .is_ok();
                        let reply: &[u8] = if refuse {
                            b"451 try again later\r\n"
                        } else {
                            b"250 queued\r\n"
                        };
                        write.write_all(reply).await.unwrap();
                    } else {
                        body.push_str(&line);
                        body.push('\n');
                    }
                    continue;
                }
                let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                let reply: &[u8] = match verb.as_str() {
                    "EHLO" | "HELO" => b"250 fake\r\n",
                    "DATA" => {
                        data = Some(String::new());
                        b"354 go ahead\r\n"
                    }
                    "QUIT" => {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    }
                    _ => b"250 ok\r\n",
                };
                write.write_all(reply).await.unwrap();
            }
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_are_retried_while_smtp_is_down_and_sent_once_it_is_up() {
    // Arrange: a fresh database (no background worker: `serve` is not called) and a
    // port with nothing listening yet.
    let (state, dir) = fresh_state().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let transports = Transports::new(
        Some(&format!("smtp://127.0.0.1:{port}")),
        "Relay <no-reply@relay.example>",
    )
    .unwrap();
    enqueue(
        &state.db.pool,
        &OutboxMessage {
            company_id: None,
            call_id: None,
            channel: Channel::Email,
            kind: "schedule_set".into(),
            recipient: "anna@example.ch".into(),
            subject: "Your appointment".into(),
            body: "Tuesday 10:00".into(),
            deliver_after: None,
            hold_key: None,
        },
    )
    .await
    .unwrap();

    // Act 1: SMTP is down.
    let delivered = deliver_due(&state.db, &transports).await.unwrap();

    // Assert 1: not delivered, attempt counted, held back by the backoff.
    assert_eq!(delivered, 0);
    let row = sqlx::query("SELECT attempts, last_error, deliver_after, delivered_at FROM outbox")
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(row.get::<i64, _>("attempts"), 1);
    assert!(row.get::<Option<String>, _>("last_error").is_some());
    assert!(row.get::<i64, _>("deliver_after") > server::db::now());
    assert!(row.get::<Option<i64>, _>("delivered_at").is_none());
    assert_eq!(
        deliver_due(&state.db, &transports).await.unwrap(),
        0,
        "not due yet"
    );

    // Act 2: SMTP comes up and the backoff has passed.
    let received = Arc::new(Mutex::new(Vec::new()));
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    tokio::spawn(fake_smtp(listener, received.clone()));
    sqlx::query("UPDATE outbox SET deliver_after = $1")
        .bind(server::db::now())
        .execute(&state.db.pool)
        .await
        .unwrap();
    let delivered = deliver_due(&state.db, &transports).await.unwrap();

    // Assert 2: sent once, through SMTP, and marked delivered.
    assert_eq!(delivered, 1);
    assert_eq!(deliver_due(&state.db, &transports).await.unwrap(), 0);
    let mails = received.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].contains("Subject: Your appointment"),
        "{}",
        mails[0]
    );
    assert!(mails[0].contains("To: anna@example.ch"), "{}", mails[0]);
    let row = sqlx::query("SELECT attempts, delivered_at FROM outbox")
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(row.get::<i64, _>("attempts"), 2);
    assert!(row.get::<Option<i64>, _>("delivered_at").is_some());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_email_keeps_its_message_id_and_has_mime_headers_and_both_parts() {
    // Arrange: an SMTP server that refuses the first message with a temporary error.
    let (state, dir) = fresh_state().await;
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    tokio::spawn(fake_smtp_rejecting(
        listener,
        received.clone(),
        Arc::new(AtomicUsize::new(1)),
    ));
    let transports = Transports::new(
        Some(&format!("smtp://127.0.0.1:{port}")),
        "Relay <no-reply@relay.example>",
    )
    .unwrap();
    let row = enqueue(
        &state.db.pool,
        &OutboxMessage {
            company_id: None,
            call_id: None,
            channel: Channel::Email,
            kind: "schedule_set".into(),
            recipient: "anna@example.ch".into(),
            subject: "Your appointment".into(),
            body: "Hello Anna,\n\nTuesday 10:00: https://relay.example/requests/1\n".into(),
            deliver_after: None,
            hold_key: None,
        },
    )
    .await
    .unwrap();

    // Act: the first attempt is refused, the retry goes through.
    assert_eq!(deliver_due(&state.db, &transports).await.unwrap(), 0);
    sqlx::query("UPDATE outbox SET deliver_after = $1")
        .bind(server::db::now())
        .execute(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(deliver_due(&state.db, &transports).await.unwrap(), 1);

    // Assert: both attempts carried the same Message-ID, made from the row id.
    let mails = received.lock().unwrap().clone();
    assert_eq!(mails.len(), 2);
    let header = |mail: &str, name: &str| {
        mail.lines()
            .find(|l| l.starts_with(name))
            .map(str::to_owned)
            .unwrap_or_default()
    };
    let expected = format!("Message-ID: <{row}@relay.example>");
    assert_eq!(header(&mails[0], "Message-ID:"), expected);
    assert_eq!(header(&mails[1], "Message-ID:"), expected);
    assert_eq!(header(&mails[1], "MIME-Version:"), "MIME-Version: 1.0");
    assert!(header(&mails[1], "Date:").len() > "Date: ".len());
    assert!(mails[1].contains("multipart/alternative"), "{}", mails[1]);
    assert!(
        mails[1].contains("Content-Type: text/plain; charset=utf-8"),
        "{}",
        mails[1]
    );
    assert!(
        mails[1].contains("Content-Type: text/html; charset=utf-8"),
        "{}",
        mails[1]
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_companys_email_carries_its_colour_and_logo() {
    let (state, dir) = fresh_state().await;
    let company = uuid::Uuid::new_v4();
    sqlx::query(
        "INSERT INTO companies (id, name, email, time_zone, currency, created_at, \
         brand_colour, logo_url) VALUES ($1, $2, 'office@alpen.example', 'Europe/Zurich', \
         'CHF', 0, $3, $4)",
    )
    .bind(company.to_string())
    .bind("Alpen Sanitär AG")
    .bind("#0a7d3c")
    .bind("https://cdn.alpen.example/logo.png")
    .execute(&state.db.pool)
    .await
    .unwrap();
    let (transports, received) = smtp_up().await;
    enqueue(
        &state.db.pool,
        &OutboxMessage {
            company_id: Some(company),
            call_id: None,
            channel: Channel::Email,
            kind: "schedule_set".into(),
            recipient: "anna@example.ch".into(),
            subject: "Your appointment".into(),
            body: "Hello Anna,\n\nTuesday 10:00\n".into(),
            deliver_after: None,
            hold_key: None,
        },
    )
    .await
    .unwrap();

    assert_eq!(deliver_due(&state.db, &transports).await.unwrap(), 1);

    let mails = received.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    // The HTML part may be quoted-printable: read it unwrapped.
    let html = mails[0]
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    assert!(html.contains("background:#0a7d3c;"), "{}", mails[0]);
    assert!(
        html.contains("<img src=\"https://cdn.alpen.example/logo.png\""),
        "{}",
        mails[0]
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A burst larger than one round (the worker claims 50 rows a round) goes out without
/// waiting a poll interval per round: a full round is followed by the next after a
/// short pause.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_emails_drains_without_waiting_a_poll_per_round() {
    let (state, dir) = fresh_state().await;
    let (transports, received) = smtp_up().await;
    const BURST: usize = 130;
    for n in 0..BURST {
        enqueue(
            &state.db.pool,
            &OutboxMessage {
                company_id: None,
                call_id: None,
                channel: Channel::Email,
                kind: "new_request".into(),
                recipient: format!("dispatcher{n}@example.ch"),
                subject: "New request".into(),
                body: "A leaking tap in 8001 Zürich".into(),
                deliver_after: None,
                hold_key: None,
            },
        )
        .await
        .unwrap();
    }

    // A poll interval far longer than the test may take: only back-to-back rounds can
    // deliver three rounds' worth in time.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = worker::spawn(
        state.db.clone(),
        transports,
        std::time::Duration::from_secs(60),
        stopped,
    );
    let undelivered = || async {
        let n: i64 = sqlx::query("SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL")
            .fetch_one(&state.db.pool)
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
        n
    };
    let started = std::time::Instant::now();
    while (received.lock().unwrap().len() < BURST || undelivered().await > 0)
        && started.elapsed() < std::time::Duration::from_secs(20)
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(received.lock().unwrap().len(), BURST, "all sent, each once");
    assert_eq!(undelivered().await, 0, "every row marked delivered");
    stop.send(true).unwrap();
    worker.await.unwrap();
    let _ = std::fs::remove_dir_all(dir);
}
