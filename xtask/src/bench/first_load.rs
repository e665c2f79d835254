//! The first-load benchmark (issue 16): what a dispatcher waits for when opening the
//! board on a slow network. Starts the release server on a fresh demo database, runs
//! `end2end/bench/first-load.mjs` (headless Chromium, CDP network throttling: Fast 3G and
//! 4G; cold, and warm with the service worker) and writes its table into BENCHMARKS.md
//! between the `<!-- first-load:begin -->` and `<!-- first-load:end -->` markers.
//!
//! Expects `dist/` built and the release server binary (`cargo xtask bench` does both
//! before it calls [`run`]).

use std::{fmt::Write as _, process::Command, time::Duration};

use super::{line_after, number, output};
use crate::{free_port, root, step, target_dir, tools, wait_healthy, Result, ServerGuard};

/// Fresh page loads per network profile; the figures are their medians.
const LOADS: u32 = 5;

const BEGIN: &str = "<!-- first-load:begin -->";
const END: &str = "<!-- first-load:end -->";

/// The targets of issue 16, in milliseconds: shell and board cold on Fast 3G, board warm.
const SHELL_COLD_FAST3G_MS: f64 = 1_500.0;
const BOARD_COLD_FAST3G_MS: f64 = 6_000.0;
const BOARD_WARM_MS: f64 = 2_500.0;

/// Runs the benchmark and records it in BENCHMARKS.md.
pub fn run() -> Result {
    step(&format!(
        "First-load benchmark: Fast 3G and 4G, cold and warm, {LOADS} loads each"
    ));
    let port = free_port()?;
    let work = std::env::temp_dir().join(format!("relay-first-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let log = std::fs::File::create(work.join("server.log")).map_err(|e| e.to_string())?;
    let server = Command::new(target_dir().join("release/dispatch-server"))
        .current_dir(root())
        .env("PORT", port.to_string())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/first-load.db", work.display()),
        )
        .env("DIST_DIR", root().join("dist"))
        .env("DEMO_MODE", "1")
        .env("DEMO_TRAFFIC", "0")
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let guard = ServerGuard(server);
    wait_healthy(port, Duration::from_secs(60))?;
    let text = output(
        Command::new("node")
            .args(["bench/first-load.mjs"])
            .current_dir(root().join("end2end"))
            .env("BASE_URL", format!("http://127.0.0.1:{port}"))
            .env("CHROMIUM_PATH", tools::CHROMIUM)
            .env("BENCH_LOADS", LOADS.to_string()),
    )?;
    drop(guard);
    let _ = std::fs::remove_dir_all(&work);
    let result = line_after(&text, "FIRST_LOAD_RESULT")
        .ok_or("the first-load bench printed no FIRST_LOAD_RESULT line")?;
    let md = report(result);
    println!("\n{md}");
    let path = root().join("BENCHMARKS.md");
    let document = std::fs::read_to_string(&path).map_err(|e| format!("BENCHMARKS.md: {e}"))?;
    std::fs::write(&path, splice(&document, &md)).map_err(|e| format!("BENCHMARKS.md: {e}"))?;
    Ok(())
}

/// The figures of one profile and load kind from the script's JSON line
/// (`{"fast3g":{"cold":{"bytes":…,"shell_ms":…,"board_ms":…},"warm":{…}},"4g":{…}}`).
fn figures(json: &str, profile: &str, kind: &str) -> Option<(f64, f64, f64)> {
    let profile_at = json.find(&format!("\"{profile}\":"))?;
    let rest = &json[profile_at..];
    let kind_at = rest.find(&format!("\"{kind}\":"))?;
    let object = &rest[kind_at..];
    let object = &object[..object.find('}')?];
    Some((
        number(object, "bytes")?,
        number(object, "shell_ms")?,
        number(object, "board_ms")?,
    ))
}

fn verdict(value: f64, target: f64) -> &'static str {
    if value < target {
        "met"
    } else {
        "**missed**"
    }
}

/// The Markdown written between the markers.
fn report(json: &str) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "Last run of the first-load benchmark (`cargo xtask bench`, written by it; {LOADS} \
         loads per profile, medians; signed in, `/calendar` of the demo board; viewport \
         1366 × 900)."
    );
    let _ = writeln!(
        md,
        "\n| network | load | bytes on the wire | shell painted | board painted |"
    );
    let _ = writeln!(md, "| --- | --- | --- | --- | --- |");
    for (profile, label) in [("fast3g", "Fast 3G"), ("4g", "4G")] {
        for kind in ["cold", "warm"] {
            if let Some((bytes, shell, board)) = figures(json, profile, kind) {
                let _ = writeln!(
                    md,
                    "| {label} | {} | {:.0} KB | {shell:.0} ms | {board:.0} ms |",
                    if kind == "cold" {
                        "cold"
                    } else {
                        "warm (service worker)"
                    },
                    bytes / 1000.0,
                );
            }
        }
    }
    if let (Some((_, shell, board)), Some((_, _, warm))) = (
        figures(json, "fast3g", "cold"),
        figures(json, "fast3g", "warm"),
    ) {
        let _ = writeln!(
            md,
            "\nTargets (issue 16): shell < 1.5 s cold on Fast 3G — {}; board < 6 s cold on \
             Fast 3G — {}; board < 2.5 s warm — {}.",
            verdict(shell, SHELL_COLD_FAST3G_MS),
            verdict(board, BOARD_COLD_FAST3G_MS),
            verdict(warm, BOARD_WARM_MS),
        );
    }
    let _ = writeln!(md, "\n```\n{json}\n```");
    md
}

/// Replaces the text between the markers (or appends a marked section).
fn splice(document: &str, section: &str) -> String {
    match (document.find(BEGIN), document.find(END)) {
        (Some(begin), Some(end)) if begin < end => format!(
            "{}{BEGIN}\n{section}{}",
            &document[..begin],
            &document[end..]
        ),
        _ => format!("{document}\n{BEGIN}\n{section}{END}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::{figures, report};

    const JSON: &str = r#"{"loads":5,"fast3g":{"cold":{"bytes":412000,"shell_ms":1200,"board_ms":5400,"service_worker":false},"warm":{"bytes":9000,"shell_ms":300,"board_ms":1800,"service_worker":true}},"4g":{"cold":{"bytes":412000,"shell_ms":400,"board_ms":1500,"service_worker":false},"warm":{"bytes":9000,"shell_ms":200,"board_ms":900,"service_worker":true}}}"#;

    #[test]
    fn reads_each_profile_and_kind() {
        assert_eq!(
            figures(JSON, "fast3g", "warm"),
            Some((9000.0, 300.0, 1800.0))
        );
        assert_eq!(figures(JSON, "4g", "cold"), Some((412000.0, 400.0, 1500.0)));
        assert_eq!(figures(JSON, "5g", "cold"), None);
    }

    #[test]
    fn the_report_has_a_row_per_profile_and_kind_and_the_verdicts() {
        let md = report(JSON);
        assert!(md.contains("| Fast 3G | cold | 412 KB | 1200 ms | 5400 ms |"));
        assert!(md.contains("| 4G | warm (service worker) | 9 KB | 200 ms | 900 ms |"));
        assert!(md.contains("shell < 1.5 s cold on Fast 3G — met"));
    }
}
