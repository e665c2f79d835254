//! `cargo xtask bench`: the board benchmark of ../shared/BENCH.md and the live fan-out.
//!
//! Builds the app (Trunk, release) twice — the shipped `dist/` and `dist-bench/` with the
//! `bench` feature's `/bench` page — and the server (release). It drives the `/bench`
//! page in Debian's headless Chromium through Playwright (`end2end/bench/board-bench.mjs`:
//! render, moves, drag, `ingest_render_ms`), then, for each size, seeds the data set into a
//! fresh database (`seed_board` example) and measures `nav_to_board_ms` on the shipped
//! app (`end2end/bench/nav-bench.mjs`), then runs the fan-out example on SQLite and
//! PostgreSQL. Prints a table and writes the figures into BENCHMARKS.md between the
//! `<!-- bench:begin -->` and `<!-- bench:end -->` markers, so the file always holds the
//! last measured run next to the history written by hand.

mod first_load;
pub mod load;

use std::{
    fmt::Write as _,
    process::{Command, Stdio},
    time::Duration,
};

use crate::{
    build_app, cargo, free_port, root, sh, step, target_dir, tools, wait_healthy, Result,
    ServerGuard,
};

/// The two sizes of BENCH.md: technicians × calls.
const SIZES: [(u32, u32); 2] = [(50, 2_000), (200, 10_000)];
/// Fresh page loads per size; the figures are their medians.
const LOADS: u32 = 7;
/// Fan-out clients (issue 7).
const CLIENTS: u32 = 1_000;

const BEGIN: &str = "<!-- bench:begin -->";
const END: &str = "<!-- bench:end -->";

/// One size's medians, as the Node script prints them.
struct Board {
    technicians: u32,
    calls: u32,
    figures: String,
}

/// One fan-out run's line of JSON.
struct Fanout {
    database: &'static str,
    line: String,
}

/// The number after `"key":` in a one-line JSON object (enough for our own reports, and
/// it keeps xtask free of a JSON dependency).
pub fn number(json: &str, key: &str) -> Option<f64> {
    let needle = format!("\"{key}\":");
    let start = json.find(&needle)? + needle.len();
    let rest = json[start..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | 'e' | 'E' | '+')))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// Runs a command and returns its standard output (stderr passes through).
fn output(cmd: &mut Command) -> Result<String> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    print!("{text}");
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!("{shown} exited with {}", out.status))
    }
}

/// The line of `text` that starts with `prefix`, without the prefix.
fn line_after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .map(str::trim)
}

/// The machine, as BENCHMARKS.md records it.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|kb| kb.trim().trim_end_matches(" kB").parse::<u64>().ok())
        })
        .map_or_else(String::new, |kb| format!(", {} GiB", kb / 1024 / 1024));
    let chromium = Command::new(tools::CHROMIUM)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "chromium (version unknown)".to_owned());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_default();
    format!("{cores} cores ({cpu}){memory}; {chromium}; load average before the run {load}")
}

/// The app with the `/bench` page (cargo feature `bench`), built into its own `dist-bench/`
/// so the shipped `dist/` never contains it.
pub const BENCH_DIST: &str = "dist-bench";

/// Builds the app with the `bench` feature (Trunk, release) into [`BENCH_DIST`].
fn build_bench_app() -> Result {
    step("Building the bench app (Trunk, release, feature `bench`) into dist-bench/");
    sh(Command::new(tools::trunk())
        .args([
            "build",
            "--release",
            "--offline",
            "--features",
            "bench",
            "--dist",
            BENCH_DIST,
        ])
        .current_dir(root())
        .env("PATH", tools::path_with_tools()))
}

/// A release server on a free port serving `dist` from the SQLite database `db` (demo
/// mode, no demo traffic: an empty database gets the demo companies, a seeded one keeps
/// what it has). The log goes to `log`.
fn start_server(
    dist: &str,
    db: &std::path::Path,
    log: &std::path::Path,
) -> Result<(ServerGuard, u16)> {
    let port = free_port()?;
    let log = std::fs::File::create(log).map_err(|e| e.to_string())?;
    let server = Command::new(target_dir().join("release/dispatch-server"))
        .current_dir(root())
        .env("PORT", port.to_string())
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("DIST_DIR", root().join(dist))
        .env("DEMO_MODE", "1")
        .env("DEMO_TRAFFIC", "0")
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let guard = ServerGuard(server);
    wait_healthy(port, Duration::from_secs(60))?;
    Ok((guard, port))
}

/// A fresh scratch directory for one part of the bench.
fn scratch(name: &str) -> Result<std::path::PathBuf> {
    let work = std::env::temp_dir().join(format!("relay-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    Ok(work)
}

/// Builds the server, the fan-out example and the seeding example (release).
fn build_server() -> Result {
    step("Building the server, the fan-out and the seeding examples (release)");
    // One build for all, so they share one feature set and the examples' `cargo run`
    // below finds everything fresh instead of compiling the server a second time.
    sh(cargo().args([
        "build",
        "--release",
        "-p",
        "server",
        "--bin",
        "dispatch-server",
        "--example",
        "fanout",
        "--example",
        "seed_board",
    ]))
}

/// Drives the bench page for each size against a fresh release server serving the bench
/// build.
fn board_figures() -> Result<Vec<Board>> {
    let work = scratch("bench")?;
    let (guard, port) = start_server(BENCH_DIST, &work.join("bench.db"), &work.join("server.log"))?;
    let mut boards = Vec::new();
    for (technicians, calls) in SIZES {
        step(&format!(
            "Board benchmark: {technicians} technicians × {calls} calls, {LOADS} fresh page loads"
        ));
        let text = output(
            Command::new("node")
                .args(["bench/board-bench.mjs"])
                .current_dir(root().join("end2end"))
                .env("BASE_URL", format!("http://127.0.0.1:{port}"))
                .env("CHROMIUM_PATH", tools::CHROMIUM)
                .env("BENCH_T", technicians.to_string())
                .env("BENCH_C", calls.to_string())
                .env("BENCH_LOADS", LOADS.to_string()),
        )?;
        let figures = line_after(&text, "BENCH_RESULT")
            .ok_or("the board bench printed no BENCH_RESULT line")?
            .to_owned();
        boards.push(Board {
            technicians,
            calls,
            figures,
        });
    }
    drop(guard);
    let _ = std::fs::remove_dir_all(&work);
    Ok(boards)
}

/// `nav_to_board_ms` for each size: the data set seeded into a fresh database, the shipped
/// app (`dist/`) served from it, fresh page loads from navigation to the painted board.
fn nav_figures() -> Result<Vec<Board>> {
    let mut navs = Vec::new();
    for (technicians, calls) in SIZES {
        step(&format!(
            "Navigation to the board: {technicians} technicians × {calls} calls seeded, {LOADS} fresh page loads"
        ));
        let work = scratch("nav")?;
        let db = work.join("nav.db");
        sh(cargo().args([
            "run",
            "--quiet",
            "-p",
            "server",
            "--release",
            "--example",
            "seed_board",
            "--",
            "--database",
            &format!("sqlite://{}", db.display()),
            "--technicians",
            &technicians.to_string(),
            "--calls",
            &calls.to_string(),
        ]))?;
        let (guard, port) = start_server("dist", &db, &work.join("server.log"))?;
        let text = output(
            Command::new("node")
                .args(["bench/nav-bench.mjs"])
                .current_dir(root().join("end2end"))
                .env("BASE_URL", format!("http://127.0.0.1:{port}"))
                .env("CHROMIUM_PATH", tools::CHROMIUM)
                .env("BENCH_T", technicians.to_string())
                .env("BENCH_C", calls.to_string())
                .env("BENCH_LOADS", LOADS.to_string()),
        )?;
        drop(guard);
        let _ = std::fs::remove_dir_all(&work);
        let figures = line_after(&text, "NAV_RESULT")
            .ok_or("the navigation bench printed no NAV_RESULT line")?
            .to_owned();
        navs.push(Board {
            technicians,
            calls,
            figures,
        });
    }
    Ok(navs)
}

/// The fan-out example on one database.
fn fanout(database: &'static str) -> Result<Fanout> {
    step(&format!(
        "Live fan-out: {CLIENTS} WebSocket clients on {database}"
    ));
    let text = output(cargo().args([
        "run",
        "-p",
        "server",
        "--release",
        "--example",
        "fanout",
        "--",
        "--clients",
        &CLIENTS.to_string(),
        "--database",
        database,
    ]))?;
    let line = text
        .lines()
        .rev()
        .find(|l| l.contains("\"bench\":\"live_fanout\""))
        .ok_or("the fan-out example printed no report")?
        .to_owned();
    Ok(Fanout { database, line })
}

fn ms(json: &str, key: &str) -> String {
    number(json, key).map_or_else(|| "—".to_owned(), |v| format!("{v:.1} ms"))
}

/// The Markdown written between the markers of BENCHMARKS.md.
fn report(machine: &str, boards: &[Board], navs: &[Board], fanouts: &[Fanout]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "Last run of `cargo xtask bench` (written by it; {} fresh page loads per size, medians; viewport 1600 × 1000, week view).", LOADS);
    let _ = writeln!(md, "Machine: {machine}.\n");
    let _ = writeln!(md, "| technicians × calls | render | move p50 / max (of 20) | move busy p50 / max | drag frame p50 / p99 | drag busy p50 / p99 | DOM nodes |");
    let _ = writeln!(md, "| --- | --- | --- | --- | --- | --- | --- |");
    for b in boards {
        let f = &b.figures;
        let _ = writeln!(
            md,
            "| {} × {} | {} | {} / {} | {} / {} | {} / {} | {} / {} | {} |",
            b.technicians,
            b.calls,
            ms(f, "render_ms"),
            ms(f, "move_ms_p50"),
            ms(f, "move_ms_max"),
            ms(f, "move_busy_ms_p50"),
            ms(f, "move_busy_ms_max"),
            ms(f, "drag_frame_ms_p50"),
            ms(f, "drag_frame_ms_p99"),
            ms(f, "drag_busy_ms_p50"),
            ms(f, "drag_busy_ms_p99"),
            number(f, "dom_nodes").map_or_else(|| "—".to_owned(), |n| format!("{n:.0}")),
        );
    }
    let _ = writeln!(
        md,
        "\nmove and drag frame run to a frame of the display (60 Hz: a move can never be under \
         one frame to the second animation frame); move busy and drag busy are the main \
         thread's work for one change: script, DOM update, style, layout and paint."
    );
    let _ = writeln!(md, "\nFrom the board's JSON in memory and from navigation to the painted board (../shared/BENCH.md; nav_to_board on the shipped build, data set seeded into the server's SQLite database, cold cache, loopback):\n");
    let _ = writeln!(md, "| technicians × calls | ingest_render | parse / store / render | nav_to_board | wasm fetch | compile | app start → board request | board fetch | ingest | render | board answer | board requests |");
    let _ = writeln!(
        md,
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    for (b, n) in boards.iter().zip(navs) {
        let (f, g) = (&b.figures, &n.figures);
        let store = number(f, "ingest_ms")
            .zip(number(f, "parse_ms"))
            .map_or_else(|| "—".to_owned(), |(i, p)| format!("{:.1} ms", i - p));
        let _ = writeln!(
            md,
            "| {} × {} | {} | {} / {} / {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            b.technicians,
            b.calls,
            ms(f, "ingest_render_ms"),
            ms(f, "parse_ms"),
            store,
            ms(f, "render_ms"),
            ms(g, "nav_to_board_ms"),
            ms(g, "wasm_fetch_ms"),
            ms(g, "compile_ms"),
            ms(g, "app_to_board_request_ms"),
            ms(g, "board_fetch_ms"),
            ms(g, "ingest_ms"),
            ms(g, "render_ms"),
            number(g, "board_bytes").map_or_else(|| "—".to_owned(), |n| format!("{n:.0} B")),
            number(g, "board_requests").map_or_else(|| "—".to_owned(), |n| format!("{n:.0}")),
        );
    }
    let _ = writeln!(md, "\n| live fan-out, {CLIENTS} clients | p50 | p99 | every client had it, p50 / p99 | connecting all |");
    let _ = writeln!(md, "| --- | --- | --- | --- | --- |");
    for f in fanouts {
        let l = &f.line;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} / {} | {} |",
            if f.database == "sqlite" {
                "SQLite"
            } else {
                "PostgreSQL"
            },
            ms(l, "p50_ms"),
            ms(l, "p99_ms"),
            ms(l, "all_clients_p50_ms"),
            ms(l, "all_clients_p99_ms"),
            ms(l, "connect_all_ms"),
        );
    }
    let _ = writeln!(
        md,
        "\nRaw figures (one JSON object per size / database):\n\n```"
    );
    for b in boards.iter().chain(navs) {
        let _ = writeln!(md, "{}", b.figures);
    }
    for f in fanouts {
        let _ = writeln!(md, "{}", f.line);
    }
    let _ = writeln!(md, "```");
    md
}

/// Replaces the text between the markers (or appends a marked section).
pub fn splice(document: &str, section: &str) -> String {
    match (document.find(BEGIN), document.find(END)) {
        (Some(begin), Some(end)) if begin < end => format!(
            "{}{BEGIN}\n{section}{}",
            &document[..begin],
            &document[end..]
        ),
        _ => format!("{document}\n{BEGIN}\n{section}{END}\n"),
    }
}

/// `cargo xtask bench <part>`: one part of the benchmark alone, with only the builds it
/// needs (for measuring one change without the whole run).
pub fn part(name: &str) -> Result {
    match name {
        "load" => load::bench(),
        "first-load" => {
            tools::ensure_build_tools()?;
            tools::ensure_test_tools()?;
            build_app()?;
            build_server()?;
            first_load::run()
        }
        "nav" => {
            tools::ensure_build_tools()?;
            tools::ensure_test_tools()?;
            build_app()?;
            build_server()?;
            for nav in nav_figures()? {
                println!("{} × {}: {}", nav.technicians, nav.calls, nav.figures);
            }
            Ok(())
        }
        other => Err(format!(
            "unknown bench part {other:?} (load, first-load or nav; none for all)"
        )),
    }
}

/// `cargo xtask bench`.
pub fn bench() -> Result {
    tools::ensure_build_tools()?;
    tools::ensure_test_tools()?;
    build_app()?;
    build_bench_app()?;
    build_server()?;
    let machine = machine();
    let boards = board_figures()?;
    let navs = nav_figures()?;
    let fanouts = vec![fanout("sqlite")?, fanout("postgres")?];
    load::bench()?;
    first_load::run()?;
    let md = report(&machine, &boards, &navs, &fanouts);
    println!("\n{md}");
    let path = root().join("BENCHMARKS.md");
    let document = std::fs::read_to_string(&path).map_err(|e| format!("BENCHMARKS.md: {e}"))?;
    std::fs::write(&path, splice(&document, &md)).map_err(|e| format!("BENCHMARKS.md: {e}"))?;
    println!("xtask: figures written to BENCHMARKS.md");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{number, splice};

    #[test]
    fn reads_numbers_from_one_line_json() {
        let json = r#"{"render_ms":123.4,"dom_nodes":9001,"neg":-2.5e1,"name":"x"}"#;
        assert_eq!(number(json, "render_ms"), Some(123.4));
        assert_eq!(number(json, "dom_nodes"), Some(9001.0));
        assert_eq!(number(json, "neg"), Some(-25.0));
        assert_eq!(number(json, "name"), None);
        assert_eq!(number(json, "missing"), None);
    }

    #[test]
    fn splices_between_markers_or_appends() {
        let doc = "# B\n\n<!-- bench:begin -->\nold\n<!-- bench:end -->\ntail\n";
        assert_eq!(
            splice(doc, "new\n"),
            "# B\n\n<!-- bench:begin -->\nnew\n<!-- bench:end -->\ntail\n"
        );
        assert_eq!(
            splice("# B\n", "new\n"),
            "# B\n\n<!-- bench:begin -->\nnew\n<!-- bench:end -->\n"
        );
    }
}
