//! Fan-out bench of the live board: starts the server in-process on SQLite or on a
//! throw-away PostgreSQL cluster, connects N WebSocket clients of one company, then
//! posts bookings through the marketplace intake one at a time and measures how long
//! each change takes to reach every client (from the moment the booking is sent).
//! Prints one line of JSON.
//!
//! ```text
//! cargo run -p server --release --example fanout -- --clients 1000 --database sqlite
//! cargo run -p server --release --example fanout -- --clients 1000 --database postgres
//! ```
//!
//! PostgreSQL: `BENCH_POSTGRES_URL` (an admin URL; a fresh database is created in it),
//! else a cluster is started from Debian's `postgresql` package (`initdb` under
//! `/usr/lib/postgresql/*/bin`) and removed afterwards.
// Opening a client yields the handle of its reader task on purpose: the reader keeps
// running after the connection is set up, and the handles are collected.
#![allow(clippy::async_yields_async)]

use std::{
    path::PathBuf,
    process::Command,
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use server::config::Config;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue, Message};

struct Args {
    clients: usize,
    changes: usize,
    database: String,
}

fn args() -> Args {
    let mut args = Args {
        clients: 1000,
        changes: 30,
        database: "sqlite".to_owned(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--clients" => args.clients = value.parse().expect("--clients N"),
            "--changes" => args.changes = value.parse().expect("--changes N"),
            "--database" => args.database = value,
            other => {
                panic!("unknown flag {other} (--clients N --changes N --database sqlite|postgres)")
            }
        }
    }
    assert!(
        matches!(args.database.as_str(), "sqlite" | "postgres"),
        "--database sqlite|postgres"
    );
    args
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn round(ms: f64) -> f64 {
    (ms * 100.0).round() / 100.0
}

#[tokio::main]
async fn main() {
    let args = args();
    let scratch = std::env::temp_dir().join(format!("relay-fanout-{}", std::process::id()));
    std::fs::create_dir_all(scratch.join("dist")).unwrap();
    std::fs::write(
        scratch.join("dist/index.html"),
        "<!doctype html><title>Relay</title>",
    )
    .unwrap();
    let (database_url, cluster) = match args.database.as_str() {
        "postgres" => {
            let (admin, cluster) = match std::env::var("BENCH_POSTGRES_URL") {
                Ok(url) => (url, None),
                Err(_) => {
                    let cluster = Cluster::start(&scratch);
                    (cluster.url.clone(), Some(cluster))
                }
            };
            (fresh_database(&admin).await, cluster)
        }
        _ => (format!("sqlite://{}/bench.db", scratch.display()), None),
    };

    let mut config = Config::for_tests(database_url);
    config.dist_dir = scratch.join("dist");
    config.outbox_poll = Duration::from_secs(3600);
    let state = server::prepare(config).await.expect("server prepares");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(state, listener, async move {
        let _ = stopped.await;
    }));

    let http = reqwest::Client::new();
    let login = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "dispatcher@alpen.example", "password": "demo1234"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    // Connect every client (a hundred at a time) and wait until each is ready.
    let (arrivals, mut arrived) = mpsc::unbounded_channel::<(String, Instant)>();
    let url = format!("{}/api/v1/events", base.replacen("http://", "ws://", 1));
    let connect_start = Instant::now();
    let mut readers = Vec::new();
    for batch in 0..args.clients.div_ceil(100) {
        let mut opening = Vec::new();
        for _ in (batch * 100)..((batch + 1) * 100).min(args.clients) {
            let (url, cookie, arrivals) = (url.clone(), cookie.clone(), arrivals.clone());
            opening.push(tokio::spawn(async move {
                let mut request = url.into_client_request().unwrap();
                request
                    .headers_mut()
                    .insert("cookie", HeaderValue::from_str(&cookie).unwrap());
                let (mut ws, _) = tokio_tungstenite::connect_async(request)
                    .await
                    .expect("websocket opens");
                // Up to "ready"; then report each event's call id as it arrives.
                while let Some(Ok(message)) = ws.next().await {
                    if let Message::Text(text) = message {
                        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                        if v["type"] == "ready" {
                            break;
                        }
                    }
                }
                tokio::spawn(async move {
                    while let Some(Ok(message)) = ws.next().await {
                        if let Message::Text(text) = message {
                            let at = Instant::now();
                            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                            if let Some(call) = v["call_id"].as_str() {
                                let _ = arrivals.send((call.to_owned(), at));
                            }
                        }
                    }
                })
            }));
        }
        for task in opening {
            readers.push(task.await.unwrap());
        }
    }
    let connect_ms = connect_start.elapsed().as_secs_f64() * 1000.0;

    // One change at a time: per delivery latency, and the time until the last client had it.
    let mut deliveries = Vec::new();
    let mut all = Vec::new();
    for n in 0..args.changes {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let booking = serde_json::json!({"external_id": format!("BENCH-{n}"),
            "service": {"code": "plumbing.leak", "name": "Fix a leaking tap", "skill": "plumbing",
                        "duration_minutes": 60,
                        "recommended_price": {"amount_minor": 12000, "currency": "CHF"}},
            "client": {"name": "Anna Muster", "phone": "+41 79 123 45 67", "email": "anna@example.ch",
                       "address": {"street": "Bahnhofstrasse 1", "postcode": "8001",
                                   "city": "Zürich", "country": "CH"}},
            "slot": null, "notes": null});
        let sent = Instant::now();
        let response = http
            .post(format!("{base}/api/v1/marketplace/requests"))
            .bearer_auth(server::seed::DEMO_MARKETPLACE_KEY)
            .json(&booking)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let call = response.json::<serde_json::Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut got = 0;
        let mut last = sent;
        while got < args.clients {
            let (id, at) = tokio::time::timeout(Duration::from_secs(30), arrived.recv())
                .await
                .expect("every client hears of the change within 30 s")
                .expect("readers alive");
            assert_eq!(id, call, "events arrive one change at a time");
            deliveries.push(at.duration_since(sent).as_secs_f64() * 1000.0);
            last = last.max(at);
            got += 1;
        }
        all.push(last.duration_since(sent).as_secs_f64() * 1000.0);
    }
    deliveries.sort_by(f64::total_cmp);
    all.sort_by(f64::total_cmp);
    let report = serde_json::json!({
        "bench": "live_fanout",
        "database": args.database,
        "clients": args.clients,
        "changes": args.changes,
        "connect_all_ms": round(connect_ms),
        "p50_ms": round(percentile(&deliveries, 50.0)),
        "p99_ms": round(percentile(&deliveries, 99.0)),
        "all_clients_p50_ms": round(percentile(&all, 50.0)),
        "all_clients_p99_ms": round(percentile(&all, 99.0)),
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
    });
    println!("{report}");

    for reader in readers {
        reader.abort();
    }
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
    drop(cluster);
    let _ = std::fs::remove_dir_all(&scratch);
}

async fn fresh_database(admin: &str) -> String {
    let db = server::db::Db::connect(admin)
        .await
        .expect("connect to PostgreSQL");
    let name = format!("bench_{}", std::process::id());
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&db.pool)
        .await
        .unwrap();
    db.pool.close().await;
    let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
    format!("{base}/{name}")
}

/// A throw-away PostgreSQL cluster, stopped and deleted on drop.
struct Cluster {
    url: String,
    pg_ctl: PathBuf,
    data: PathBuf,
    root: bool,
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn as_owner(program: &std::path::Path, root: bool) -> Command {
    if root {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

impl Cluster {
    fn start(scratch: &std::path::Path) -> Self {
        let mut bins: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL installed (Debian package postgresql), or set BENCH_POSTGRES_URL")
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|p| p.join("initdb").exists())
            .collect();
        bins.sort();
        let bin = bins.pop().expect("initdb under /usr/lib/postgresql/*/bin");
        let root = run(Command::new("id").arg("-u")) == "0";
        let dir = scratch.join("pg");
        std::fs::create_dir_all(&dir).unwrap();
        if root {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(scratch));
        }
        let data = dir.join("data");
        run(as_owner(&bin.join("initdb"), root)
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
            ]));
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c synchronous_commit=off -c max_connections=200",
            dir.display()
        );
        run(as_owner(&bin.join("pg_ctl"), root)
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(dir.join("log"))
            .args(["-w", "start"]));
        Self {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            pg_ctl: bin.join("pg_ctl"),
            data,
            root,
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_owner(&self.pg_ctl, self.root)
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .output();
    }
}
