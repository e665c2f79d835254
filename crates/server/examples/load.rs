//! Load bench of the API: a bounded, seeded mixed load of concurrent clients on loopback
//! against release server processes (`dispatch-server`), on SQLite (one instance) or on
//! PostgreSQL (two instances sharing one database). Prints one line of JSON with
//! requests/s, p50/p99 latency and the number of 5xx answers, after checking in the
//! database that no acknowledged write was lost.
//!
//! ```text
//! cargo build -p server --release --bin dispatch-server --example load
//! target/release/examples/load --database sqlite
//! target/release/examples/load --database postgres --instances 2
//! ```
//!
//! The mix, per request of each client (a 32-bit LCG seeded from `--seed` and the client
//! number, so two runs send the same sequence): 50 % board reads of next week,
//! 25 % versioned PATCHes moving one of the company's accepted calls into it (a move
//! into this week's past would be refused), 15 % marketplace
//! intake of a new booking, 10 % accepts of an offered request both companies race for.
//! Afterwards every 2xx is checked in the database: each call's version grew by exactly
//! the number of acknowledged PATCHes and ends at the last acknowledged slot, every
//! acknowledged intake is stored, and every acknowledged accept is won by the acknowledged
//! company (never two).
//!
//! PostgreSQL: `BENCH_POSTGRES_URL` (an admin URL; a fresh database is created in it),
//! else a throw-away cluster is started from Debian's `postgresql` package.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use chrono::{DateTime, Datelike, Duration as Span, TimeZone, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

struct Args {
    database: String,
    instances: usize,
    clients: usize,
    requests: usize,
    seed: u32,
    server_bin: PathBuf,
}

fn args() -> Args {
    let exe = std::env::current_exe().expect("own path");
    // target/release/examples/load → target/release/dispatch-server
    let default_bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("dispatch-server"))
        .unwrap_or_default();
    let mut args = Args {
        database: "sqlite".to_owned(),
        instances: 0,
        clients: 50,
        requests: 200,
        seed: 42,
        server_bin: default_bin,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--database" => args.database = value,
            "--instances" => args.instances = value.parse().expect("--instances N"),
            "--clients" => args.clients = value.parse().expect("--clients N"),
            "--requests" => args.requests = value.parse().expect("--requests N (per client)"),
            "--seed" => args.seed = value.parse().expect("--seed N"),
            "--server-bin" => args.server_bin = PathBuf::from(value),
            other => panic!(
                "unknown flag {other} (--database sqlite|postgres --instances N --clients N \
                 --requests N --seed N --server-bin PATH)"
            ),
        }
    }
    assert!(
        matches!(args.database.as_str(), "sqlite" | "postgres"),
        "--database sqlite|postgres"
    );
    if args.instances == 0 {
        args.instances = if args.database == "postgres" { 2 } else { 1 };
    }
    assert!(
        args.server_bin.exists(),
        "{} missing: build it with `cargo build -p server --release --bin dispatch-server`",
        args.server_bin.display()
    );
    args
}

/// The LCG of ../shared/BENCH.md: `s = s * 1664525 + 1013904223 mod 2^32`.
struct Lcg(u32);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        f64::from(self.0) / 4_294_967_296.0
    }

    fn below(&mut self, n: usize) -> usize {
        ((self.next() * n as f64) as usize).min(n.saturating_sub(1))
    }
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

const COMPANIES: [&str; 2] = ["dispatcher@alpen.example", "dispatcher@rhein.example"];
/// Accepted calls per company that the PATCHes move around.
const MOVABLE: usize = 40;
/// Offered requests the accepts race for.
const CONTESTED: usize = 150;

/// What the clients were told succeeded, checked against the database at the end.
#[derive(Default)]
struct Acks {
    /// call → (version, slot start) of each 2xx PATCH.
    patches: HashMap<Uuid, Vec<(i64, DateTime<Utc>)>>,
    /// ids of 2xx intakes.
    intakes: Vec<Uuid>,
    /// call → companies whose accept got a 2xx.
    accepts: HashMap<Uuid, Vec<usize>>,
}

/// Per operation kind: latencies and statuses.
#[derive(Default)]
struct Tally {
    latencies_ms: Vec<f64>,
    statuses: HashMap<u16, usize>,
}

/// A server process, killed on drop.
struct Instance {
    child: Child,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn booking(external_id: &str, start: DateTime<Utc>) -> Value {
    json!({"external_id": external_id,
       "service": {"code": "plumbing.leak", "name": "Fix a leaking tap", "skill": "plumbing",
                   "duration_minutes": 60,
                   "recommended_price": {"amount_minor": 12000, "currency": "CHF"}},
       "client": {"name": "Anna Muster", "phone": "+41 79 123 45 67", "email": "anna@example.ch",
                  "address": {"street": "Bahnhofstrasse 1", "postcode": "8001",
                              "city": "Zürich", "country": "CH"}},
       "slot": {"start": start.to_rfc3339(), "end": (start + Span::hours(1)).to_rfc3339()},
       "notes": "load bench"})
}

/// Monday 00:00 UTC of this week.
fn this_monday() -> DateTime<Utc> {
    let today = Utc::now().date_naive();
    let monday = today - Span::days(i64::from(today.weekday().num_days_from_monday()));
    Utc.from_utc_datetime(&monday.and_hms_opt(0, 0, 0).unwrap())
}

/// A quarter-hour slot start in the week after `monday`, 07:00–17:00, from the LCG.
fn slot_start(monday: DateTime<Utc>, rng: &mut Lcg) -> DateTime<Utc> {
    let day = rng.below(5) as i64;
    let quarter = 28 + rng.below(40) as i64;
    monday + Span::days(day) + Span::minutes(quarter * 15)
}

async fn start_instance(bin: &Path, database_url: &str, dist: &Path) -> (Instance, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .env("PORT", port.to_string())
        .env("DATABASE_URL", database_url)
        .env("DEMO_MODE", "1")
        .env("DEMO_TRAFFIC", "0")
        .env("DIST_DIR", dist)
        .env("RUST_LOG", "warn")
        .env("PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "server on {base} not healthy within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (Instance { child }, base)
}

async fn sign_in(http: &reqwest::Client, base: &str, email: &str) -> String {
    let response = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": "demo1234"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "sign-in of {email}");
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// A call a client knows: id and the version and slot start it last saw.
#[derive(Clone, Copy)]
struct Known {
    id: Uuid,
    version: i64,
    start: Option<DateTime<Utc>>,
}

fn known_of(view: &Value) -> Option<Known> {
    Some(Known {
        id: view["id"].as_str()?.parse().ok()?,
        version: view["version"].as_i64()?,
        start: view["slot"]["start"].as_str().and_then(|s| s.parse().ok()),
    })
}

#[tokio::main]
async fn main() {
    let args = args();
    let scratch = std::env::temp_dir().join(format!("relay-load-{}", std::process::id()));
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
        _ => (format!("sqlite://{}/load.db", scratch.display()), None),
    };

    // The first instance seeds the demo companies; the others start on the seeded data.
    let mut instances = Vec::new();
    let mut bases = Vec::new();
    for _ in 0..args.instances {
        let (instance, base) =
            start_instance(&args.server_bin, &database_url, &scratch.join("dist")).await;
        instances.push(instance);
        bases.push(base);
    }

    // Set-up (not measured): sessions per instance and company, the calls each company
    // moves around, and the requests the accepts race for.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()
        .unwrap();
    let mut cookies = Vec::new(); // [instance][company]
    for base in &bases {
        let mut per_company = Vec::new();
        for email in COMPANIES {
            per_company.push(sign_in(&http, base, email).await);
        }
        cookies.push(per_company);
    }
    // The board reads next week and the moves go there: a move into this week's past
    // is refused (a new date in the past), so late in a week every move was a 422 and
    // the mix measured no writes. Calls are booked the week after, so that a move brings
    // a call into the window the board reads.
    let week = this_monday() + Span::days(7);
    let later = week + Span::days(7);
    let mut rng = Lcg(args.seed);
    let mut movable: Vec<Vec<Known>> = vec![Vec::new(), Vec::new()];
    for (company, pool) in movable.iter_mut().enumerate() {
        for n in 0..MOVABLE {
            let body = booking(&format!("LOAD-M{company}-{n}"), slot_start(later, &mut rng));
            let created: Value = http
                .post(format!("{}/api/v1/marketplace/requests", bases[0]))
                .bearer_auth("demo-marketplace-key")
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let id = created["id"].as_str().unwrap();
            let accepted: Value = http
                .post(format!("{}/api/v1/calls/{id}/accept", bases[0]))
                .header("cookie", &cookies[0][company])
                .header("content-type", "application/json")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            pool.push(known_of(&accepted).expect("accepted call"));
        }
    }
    let mut contested = Vec::new();
    for n in 0..CONTESTED {
        let body = booking(&format!("LOAD-C{n}"), slot_start(later, &mut rng));
        let created: Value = http
            .post(format!("{}/api/v1/marketplace/requests", bases[0]))
            .bearer_auth("demo-marketplace-key")
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        contested.push(created["id"].as_str().unwrap().parse::<Uuid>().unwrap());
    }
    let initial: HashMap<Uuid, i64> = movable
        .iter()
        .flatten()
        .map(|k| (k.id, k.version))
        .collect();

    // The measured load.
    let acks = Arc::new(Mutex::new(Acks::default()));
    let tallies = Arc::new(Mutex::new(HashMap::<&'static str, Tally>::new()));
    let from = week.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let to = (week + Span::days(7)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let board_query = format!(
        "from={}&to={}",
        from.replace('+', "%2B"),
        to.replace('+', "%2B")
    );
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..args.clients {
        let company = client % 2;
        let instance = client % bases.len();
        let base = bases[instance].clone();
        let cookie = cookies[instance][company].clone();
        let mut mine = movable[company].clone();
        let contested = contested.clone();
        let (http, acks, tallies, board_query) = (
            http.clone(),
            acks.clone(),
            tallies.clone(),
            board_query.clone(),
        );
        let requests = args.requests;
        let seed = args
            .seed
            .wrapping_add(u32::try_from(client).unwrap_or(0) * 7919);
        tasks.push(tokio::spawn(async move {
            let mut rng = Lcg(seed);
            for n in 0..requests {
                let pick = rng.next();
                let sent = Instant::now();
                let (kind, status) = if pick < 0.50 {
                    let r = http
                        .get(format!("{base}/api/v1/calls?{board_query}"))
                        .header("cookie", &cookie)
                        .send()
                        .await
                        .expect("board request");
                    let status = r.status().as_u16();
                    let _ = r.bytes().await;
                    ("board", status)
                } else if pick < 0.75 {
                    let i = rng.below(mine.len());
                    let known = mine[i];
                    let mut start = slot_start(week, &mut rng);
                    if Some(start) == known.start {
                        start += Span::minutes(15);
                    }
                    let r = http
                        .patch(format!("{base}/api/v1/calls/{}", known.id))
                        .header("cookie", &cookie)
                        .json(&json!({"version": known.version, "slot": {
                            "start": start.to_rfc3339(),
                            "end": (start + Span::hours(1)).to_rfc3339()}}))
                        .send()
                        .await
                        .expect("patch request");
                    let status = r.status().as_u16();
                    let body: Value = r.json().await.unwrap_or(Value::Null);
                    if status == 200 {
                        if let Some(k) = known_of(&body) {
                            acks.lock()
                                .unwrap()
                                .patches
                                .entry(k.id)
                                .or_default()
                                .push((k.version, start));
                            mine[i] = k;
                        }
                    } else if let Some(k) = known_of(&body["current"]) {
                        mine[i] = k; // a colleague moved it first: continue from theirs
                    }
                    ("patch", status)
                } else if pick < 0.90 {
                    let external_id = format!("LOAD-I{client}-{n}");
                    let r = http
                        .post(format!("{base}/api/v1/marketplace/requests"))
                        .bearer_auth("demo-marketplace-key")
                        .json(&booking(&external_id, slot_start(later, &mut rng)))
                        .send()
                        .await
                        .expect("intake request");
                    let status = r.status().as_u16();
                    let body: Value = r.json().await.unwrap_or(Value::Null);
                    if status == 201 {
                        if let Some(id) = body["id"].as_str().and_then(|s| s.parse().ok()) {
                            acks.lock().unwrap().intakes.push(id);
                        }
                    }
                    ("intake", status)
                } else {
                    let call = contested[rng.below(contested.len())];
                    let r = http
                        .post(format!("{base}/api/v1/calls/{call}/accept"))
                        .header("cookie", &cookie)
                        // Body-less state changes are JSON requests too (the CSRF rule).
                        .header("content-type", "application/json")
                        .send()
                        .await
                        .expect("accept request");
                    let status = r.status().as_u16();
                    let _ = r.bytes().await;
                    if status == 200 {
                        acks.lock()
                            .unwrap()
                            .accepts
                            .entry(call)
                            .or_default()
                            .push(company);
                    }
                    ("accept", status)
                };
                let ms = sent.elapsed().as_secs_f64() * 1000.0;
                let mut tallies = tallies.lock().unwrap();
                let tally = tallies.entry(kind).or_default();
                tally.latencies_ms.push(ms);
                *tally.statuses.entry(status).or_default() += 1;
            }
        }));
    }
    for task in tasks {
        task.await.expect("client task");
    }
    let elapsed = started.elapsed().as_secs_f64();

    // No acknowledged write lost.
    let db = server::db::Db::connect(&database_url)
        .await
        .expect("connect for the check");
    let acks = std::mem::take(&mut *acks.lock().unwrap());
    let mut lost = Vec::new();
    for (call, before) in &initial {
        let stored = server::db::calls::find(&db, *call)
            .await
            .unwrap()
            .expect("movable call stored");
        let mut patches = acks.patches.get(call).cloned().unwrap_or_default();
        patches.sort_by_key(|(version, _)| *version);
        let acked = i64::try_from(patches.len()).unwrap_or(0);
        if stored.version != before + acked {
            lost.push(format!(
                "call {call}: version {} after {acked} acknowledged PATCHes from {before}",
                stored.version
            ));
        }
        if let Some((_, start)) = patches.last() {
            if stored.slot.map(|s| s.start) != Some(*start) {
                lost.push(format!(
                    "call {call}: the last acknowledged slot is not stored"
                ));
            }
        }
    }
    for id in &acks.intakes {
        if server::db::calls::find(&db, *id).await.unwrap().is_none() {
            lost.push(format!("intake {id} acknowledged but not stored"));
        }
    }
    let companies = [
        company_of(&db, COMPANIES[0]).await,
        company_of(&db, COMPANIES[1]).await,
    ];
    for (call, winners) in &acks.accepts {
        let stored = server::db::calls::find(&db, *call).await.unwrap().unwrap();
        let first = winners[0];
        if winners.iter().any(|w| *w != first) {
            lost.push(format!("call {call}: accepted by both companies"));
        }
        if stored.accepted_by != Some(companies[first]) {
            lost.push(format!(
                "call {call}: the acknowledged accept is not stored"
            ));
        }
    }
    db.pool.close().await;

    let tallies = std::mem::take(&mut *tallies.lock().unwrap());
    let mut all: Vec<f64> = Vec::new();
    let mut kinds = serde_json::Map::new();
    let mut server_errors = 0;
    let mut total = 0;
    for (kind, tally) in &tallies {
        let mut latencies = tally.latencies_ms.clone();
        latencies.sort_by(f64::total_cmp);
        all.extend(&latencies);
        let errors: usize = tally
            .statuses
            .iter()
            .filter(|(s, _)| **s >= 500)
            .map(|(_, n)| n)
            .sum();
        server_errors += errors;
        total += latencies.len();
        let statuses: serde_json::Map<String, Value> = tally
            .statuses
            .iter()
            .map(|(s, n)| (s.to_string(), json!(n)))
            .collect();
        kinds.insert(
            (*kind).to_owned(),
            json!({"requests": latencies.len(),
                   "p50_ms": round(percentile(&latencies, 50.0)),
                   "p99_ms": round(percentile(&latencies, 99.0)),
                   "statuses": statuses}),
        );
    }
    all.sort_by(f64::total_cmp);
    let report = json!({
        "bench": "load",
        "database": args.database,
        "instances": args.instances,
        "clients": args.clients,
        "requests": total,
        "seed": args.seed,
        "seconds": round(elapsed),
        "requests_per_s": round(total as f64 / elapsed),
        "p50_ms": round(percentile(&all, 50.0)),
        "p99_ms": round(percentile(&all, 99.0)),
        "server_errors": server_errors,
        "lost_writes": lost.len(),
        "acknowledged_patches": acks.patches.values().map(Vec::len).sum::<usize>(),
        "acknowledged_intakes": acks.intakes.len(),
        "acknowledged_accepts": acks.accepts.len(),
        "kinds": kinds,
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
    });
    for problem in &lost {
        eprintln!("load: LOST WRITE: {problem}");
    }
    println!("{report}");

    drop(instances);
    drop(cluster);
    let _ = std::fs::remove_dir_all(&scratch);
    if !lost.is_empty() {
        std::process::exit(1);
    }
    // A mix whose moves were all refused measured no writes: that is a broken bench,
    // not a fast server.
    if acks.patches.is_empty() {
        eprintln!(
            "load: no move was accepted (statuses {}): the write mix was not measured",
            report["kinds"]["patch"]["statuses"]
        );
        std::process::exit(1);
    }
}

async fn company_of(db: &server::db::Db, dispatcher: &str) -> Uuid {
    let id: String = sqlx::query_scalar("SELECT company_id FROM users WHERE email = $1")
        .bind(dispatcher)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    id.parse().unwrap()
}

async fn fresh_database(admin: &str) -> String {
    let db = server::db::Db::connect(admin)
        .await
        .expect("connect to PostgreSQL");
    let name = format!("load_{}", std::process::id());
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

fn as_owner(program: &Path, root: bool) -> Command {
    if root {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

impl Cluster {
    fn start(scratch: &Path) -> Self {
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
        // Durable settings (fsync on): a load bench on a database that may lose commits
        // would flatter the figures.
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c max_connections=200",
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
