//! The load benchmark of `cargo xtask bench` (issue 14): builds the release server and
//! the `load` example, runs a bounded, seeded mixed load of 50 clients on loopback
//! against one server on SQLite and two servers sharing one PostgreSQL, and writes
//! requests/s, p50/p99, 5xx and the lost-write check into BENCHMARKS.md between the
//! `<!-- bench-load:begin -->` and `<!-- bench-load:end -->` markers.
//!
//! `cargo xtask bench load` runs only this part.

use std::{fmt::Write as _, process::Stdio};

use crate::{cargo, root, step, target_dir, Result};

const BEGIN: &str = "<!-- bench-load:begin -->";
const END: &str = "<!-- bench-load:end -->";
/// Concurrent clients, and requests each client sends (the load is bounded, not timed).
const CLIENTS: u32 = 50;
const REQUESTS: u32 = 200;
const SEED: u32 = 42;

/// One run's line of JSON.
struct Run {
    label: &'static str,
    line: String,
}

/// The number after `"key":` in the run's JSON line, at its top level: the per-kind
/// figures (`"kinds":{…}`) use the same keys and come first, so they are skipped.
fn number(json: &str, key: &str) -> Option<f64> {
    let top = json
        .rfind("}},")
        .map_or(json, |end_of_kinds| &json[end_of_kinds..]);
    super::number(top, key).or_else(|| super::number(json, key))
}

fn load(database: &str, instances: u32) -> Result<String> {
    step(&format!(
        "Load: {CLIENTS} clients × {REQUESTS} requests on {database} ({instances} instance(s))"
    ));
    let bin = target_dir().join("release/examples/load");
    let output = std::process::Command::new(&bin)
        .current_dir(root())
        .args([
            "--database",
            database,
            "--instances",
            &instances.to_string(),
            "--clients",
            &CLIENTS.to_string(),
            "--requests",
            &REQUESTS.to_string(),
            "--seed",
            &SEED.to_string(),
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let line = text
        .lines()
        .rev()
        .find(|l| l.contains("\"bench\":\"load\""))
        .ok_or_else(|| format!("the load example printed no report ({})", output.status))?
        .to_owned();
    println!("{line}");
    if !output.status.success() {
        return Err(format!(
            "the load run on {database} lost acknowledged writes: {line}"
        ));
    }
    Ok(line)
}

fn cell(json: &str, key: &str, unit: &str) -> String {
    number(json, key).map_or_else(|| "—".to_owned(), |v| format!("{v:.1}{unit}"))
}

/// The Markdown written between this section's markers.
fn report(runs: &[Run]) -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    // Other work on the machine (builds, browsers) takes cores from the servers: say how
    // busy it was, so a figure is read with its conditions.
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned());
    let mut md = String::new();
    let _ = writeln!(
        md,
        "Last run of `cargo xtask bench` (load part: `cargo xtask bench load`), written by it: \
         {CLIENTS} concurrent clients × {REQUESTS} requests each, seed {SEED}, on loopback \
         against release `dispatch-server` processes; {cores} cores shared by the servers, \
         the database and the load generator. Mix: 50 % board reads of the current week, \
         25 % versioned PATCHes, 15 % marketplace intake, 10 % accept races. Load average \
         when the runs ended: {load}.\n"
    );
    let _ = writeln!(
        md,
        "| database | requests/s | p50 | p99 | 5xx | lost acknowledged writes |"
    );
    let _ = writeln!(md, "| --- | --- | --- | --- | --- | --- |");
    for run in runs {
        let l = &run.line;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            run.label,
            cell(l, "requests_per_s", ""),
            cell(l, "p50_ms", " ms"),
            cell(l, "p99_ms", " ms"),
            number(l, "server_errors").map_or_else(|| "—".to_owned(), |n| format!("{n:.0}")),
            number(l, "lost_writes").map_or_else(|| "—".to_owned(), |n| format!("{n:.0}")),
        );
    }
    let _ = writeln!(md, "\nRaw figures (one JSON object per database):\n\n```");
    for run in runs {
        let _ = writeln!(md, "{}", run.line);
    }
    let _ = writeln!(md, "```");
    md
}

/// Replaces the text between this section's markers (or appends a marked section).
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

/// Builds, runs both databases, and writes the section.
pub fn bench() -> Result {
    step("Building the server and the load generator (release)");
    crate::sh(cargo().args([
        "build",
        "--release",
        "-p",
        "server",
        "--bin",
        "dispatch-server",
        "--example",
        "load",
    ]))?;
    let runs = vec![
        Run {
            label: "SQLite, 1 instance",
            line: load("sqlite", 1)?,
        },
        Run {
            label: "PostgreSQL, 2 instances",
            line: load("postgres", 2)?,
        },
    ];
    let md = report(&runs);
    println!("\n{md}");
    let path = root().join("BENCHMARKS.md");
    let document = std::fs::read_to_string(&path).map_err(|e| format!("BENCHMARKS.md: {e}"))?;
    std::fs::write(&path, splice(&document, &md)).map_err(|e| format!("BENCHMARKS.md: {e}"))?;
    println!("xtask: load figures written to BENCHMARKS.md");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_load_section_is_spliced_between_its_own_markers() {
        let document = format!("# B\n{BEGIN}\nold\n{END}\ntail\n");

        let spliced = splice(&document, "new\n");

        assert_eq!(spliced, format!("# B\n{BEGIN}\nnew\n{END}\ntail\n"));
        assert!(splice("# B\n", "x\n").ends_with(&format!("{BEGIN}\nx\n{END}\n")));
    }
}
