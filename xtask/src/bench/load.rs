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
/// Runs per database; the table shows the median one (by requests/s) and lists all.
/// Single runs on this shared virtual machine spread by ±25 % (CPU steal).
const ROUNDS: usize = 3;

/// One database's runs: their lines of JSON, the median one first.
struct Run {
    label: &'static str,
    line: String,
    rounds: Vec<String>,
}

/// Runs `database` [`ROUNDS`] times; the median run by requests/s is `line`.
fn rounds(label: &'static str, database: &str, instances: u32) -> Result<Run> {
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        rounds.push(load(database, instances)?);
    }
    let mut by_rate = rounds.clone();
    by_rate.sort_by(|a, b| {
        let rate = |l: &str| number(l, "requests_per_s").unwrap_or(0.0);
        rate(a).total_cmp(&rate(b))
    });
    Ok(Run {
        label,
        line: by_rate[by_rate.len() / 2].clone(),
        rounds,
    })
}

/// The share of CPU time the hypervisor took from this machine since `before`
/// (`/proc/stat`'s steal column), in per cent.
fn steal_since(before: &[u64]) -> Option<f64> {
    let now = cpu_times()?;
    let total: u64 = now.iter().zip(before).map(|(n, b)| n - b).sum();
    let steal = now.get(7)? - before.get(7)?;
    (total > 0).then(|| 100.0 * steal as f64 / total as f64)
}

/// The first line of `/proc/stat`: user, nice, system, idle, iowait, irq, softirq, steal.
fn cpu_times() -> Option<Vec<u64>> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?;
    Some(
        line.split_whitespace()
            .skip(1)
            .take(8)
            .filter_map(|n| n.parse().ok())
            .collect(),
    )
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
fn report(runs: &[Run], steal: Option<f64>) -> String {
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
         the database and the load generator. Mix: 50 % board reads of next week, \
         25 % versioned PATCHes moving calls into it, 15 % marketplace intake, 10 % accept races. {ROUNDS} runs \
         per database; the table shows the median run by requests/s. Load average when the \
         runs ended: {load}; CPU time taken by the hypervisor (steal) during the runs: {}.\n",
        steal.map_or_else(|| "unknown".to_owned(), |s| format!("{s:.0} %"))
    );
    let _ = writeln!(
        md,
        "| database | requests/s | p50 | p99 | 5xx | lost acknowledged writes | all runs (requests/s, p99) |"
    );
    let _ = writeln!(md, "| --- | --- | --- | --- | --- | --- | --- |");
    for run in runs {
        let l = &run.line;
        let all = run
            .rounds
            .iter()
            .map(|r| {
                format!(
                    "{} / {}",
                    cell(r, "requests_per_s", ""),
                    cell(r, "p99_ms", " ms")
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let sum = |key| -> f64 { run.rounds.iter().filter_map(|r| number(r, key)).sum() };
        let (errors, lost) = (sum("server_errors"), sum("lost_writes"));
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {errors:.0} | {lost:.0} | {all} |",
            run.label,
            cell(l, "requests_per_s", ""),
            cell(l, "p50_ms", " ms"),
            cell(l, "p99_ms", " ms"),
        );
    }
    let _ = writeln!(
        md,
        "\nRaw figures of the median runs (one JSON object per database):\n\n```"
    );
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
    let before = cpu_times().unwrap_or_default();
    let runs = vec![
        rounds("SQLite, 1 instance", "sqlite", 1)?,
        rounds("PostgreSQL, 2 instances", "postgres", 2)?,
    ];
    let md = report(&runs, steal_since(&before));
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
