//! `cargo xtask run|test|bench`: the project's two set-up commands (and the benchmark).
//! Each installs what is missing (the wasm32 target, Trunk, the wasm-bindgen CLI pinned
//! to Cargo.lock, npm packages, and under `test` Debian's chromium, chromedriver and
//! postgresql), builds, and starts or tests. Only std, flate2 and brotli (pure Rust, for
//! the precompressed assets): this is compiled cold on every fresh clone.

mod bench;
mod budget;
mod contract;
mod dist;
mod i18n_check;
mod partner_page;
mod supervise;
mod tools;

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, Command, ExitCode, Stdio},
    time::{Duration, Instant},
};

type Result<T = (), E = String> = std::result::Result<T, E>;

const USAGE: &str = "usage: cargo xtask <run | test [--skip-e2e] [--e2e-only] | bench>

  run    install what is missing, build app and server (release), start on :8080 with demo data
  test   install what is missing, then fmt, clippy (host + wasm32), Rust tests (SQLite and
         PostgreSQL), wasm tests in Chromium, served-bytes budget, Playwright end-to-end
  bench  install what is missing, build (release), measure the board (../shared/BENCH.md)
         in headless Chromium, navigation to the board, the live fan-out, the API under
         load and the first load on slow networks; figures into BENCHMARKS.md
  bench load | first-load | nav   one part alone (load and first-load write their
         sections of BENCHMARKS.md; nav prints its figures)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(),
        // The release app into dist/ alone (for running one's own specs by hand).
        Some("build-app") => tools::ensure_build_tools().and_then(|()| build_app()),
        Some("partner-page") => {
            partner_page::serve(&root(), args.get(1).map_or("8080", String::as_str))
        }
        Some("test") => test(&args[1..]),
        Some("bench") => match args.get(1).map(String::as_str) {
            None => bench::bench(),
            Some(part) => bench::part(part),
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nxtask: FAILED: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate).
fn root() -> PathBuf {
    // `cargo xtask` sets the variable at run time too. That one wins: with a target
    // directory shared by two checkouts (a CI cache), the binary may have been built
    // in the other one, and its compile-time path would point there.
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn step(title: &str) {
    println!("\n==> {title}");
    let _ = std::io::stdout().flush();
}

/// Runs a command to completion, inheriting stdio; fails on a non-zero exit.
fn sh(cmd: &mut Command) -> Result {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} exited with {status}"))
    }
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    cmd.current_dir(root());
    cmd
}

/// Builds the wasm app with Trunk in release mode into `dist/`, then writes its service
/// worker and precompresses it (`dist.rs`).
fn build_app() -> Result {
    step("Building the app (Trunk, release)");
    sh(Command::new(tools::trunk())
        .args(["build", "--release", "--offline"])
        .current_dir(root())
        .env("PATH", tools::path_with_tools()))?;
    step("Service worker and precompression of dist/ (brotli q11, gzip -9)");
    let dist = root().join("dist");
    dist::write_service_worker(&dist)?;
    dist::precompress(&dist)
}

fn run() -> Result {
    // The server compiles while Trunk and the wasm-bindgen CLI install (cold machine).
    let installing = tools::start_build_tools()?;
    step("Building the server (release)");
    sh(cargo().args(["build", "--release", "-p", "server"]))?;
    installing.finish()?;
    build_app()?;
    let binary = target_dir().join("release/dispatch-server");
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".to_owned());
    println!("\n==> Starting Relay on http://localhost:{port}  (Ctrl-C stops it)");
    partner_page::spawn(&port);
    let mut cmd = Command::new(binary);
    cmd.current_dir(root())
        .env(
            "DEMO_MODE",
            std::env::var("DEMO_MODE").unwrap_or_else(|_| "1".to_owned()),
        )
        .env("DIST_DIR", root().join("dist"))
        .env("PORT", &port);
    // Replace this process with the server so Ctrl-C reaches it directly and it shuts
    // down gracefully.
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        Err(format!("cannot start the server: {}", cmd.exec()))
    }
    #[cfg(not(unix))]
    sh(&mut cmd)
}

/// Builds `target/debug/dispatch-server` with the features of the test step: `cargo test`
/// unifies the dev-dependencies' features into the server's, a plain
/// `cargo build -p server` does not and would compile tokio, sqlx and the rest a second
/// time (minutes on two cores). After the test step this is a no-op.
fn build_debug_server() -> Result {
    sh(cargo().args([
        "test",
        "--workspace",
        "--exclude",
        "dispatch-app",
        "--no-run",
    ]))
}

/// Cargo's target directory (honours `CARGO_TARGET_DIR`, as cargo does).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// Test counts gathered from the runners' own summary lines.
#[derive(Debug, Default)]
struct Tally {
    passed: u64,
    failed: u64,
}

impl Tally {
    /// Reads `test result: ok. 12 passed; 0 failed; …` (cargo/libtest and
    /// wasm-bindgen-test) and `  34 passed (1.2m)` / `  1 failed` (Playwright).
    fn scan(&mut self, line: &str) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("test result: ") {
            for part in rest.split([';', '.']) {
                let mut words = part.split_whitespace();
                if let (Some(n), Some(kind)) = (words.next(), words.next()) {
                    if let Ok(n) = n.parse::<u64>() {
                        match kind {
                            "passed" => self.passed += n,
                            "failed" => self.failed += n,
                            _ => {}
                        }
                    }
                }
            }
        } else {
            let mut words = line.split_whitespace();
            if let (Some(n), Some(kind)) = (words.next(), words.next()) {
                if let Ok(n) = n.parse::<u64>() {
                    if line.ends_with(')') || words.next().is_none() {
                        match kind {
                            "passed" => self.passed += n,
                            "failed" => self.failed += n,
                            _ => {}
                        }
                    }
                }
            }
        }
    }
}

/// Runs a test command, echoing its output and counting its results.
fn sh_counted(cmd: &mut Command, tally: &mut Tally) -> Result {
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    for line in BufReader::new(stdout)
        .lines()
        .map_while(std::result::Result::ok)
    {
        println!("{line}");
        tally.scan(&line);
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} exited with {status}"))
    }
}

fn test(args: &[String]) -> Result {
    let started = Instant::now();
    let skip_e2e = args.iter().any(|a| a == "--skip-e2e");
    let e2e_only = args.iter().any(|a| a == "--e2e-only");
    // On a cold machine Trunk and the wasm-bindgen CLI compile in the background while
    // the checks below compile; they are waited for before anything runs that is
    // timed or needs them (the tests, then the app's build).
    let installing = tools::start_build_tools()?;
    tools::ensure_test_tools()?;
    let mut tally = Tally::default();
    let wasm_tests = || {
        let mut cmd = cargo();
        cmd.args([
            "test",
            "-p",
            "domain",
            "-p",
            "dispatch-app",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            tools::bin("wasm-bindgen-test-runner"),
        )
        .env("CHROMEDRIVER", tools::CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .env("PATH", tools::path_with_tools());
        cmd
    };
    let host_tests = || {
        let mut cmd = cargo();
        cmd.args(["test", "--workspace", "--exclude", "dispatch-app"]);
        cmd
    };

    if e2e_only {
        installing.finish()?;
    } else {
        step("rustfmt --check");
        sh(cargo().args(["fmt", "--all", "--", "--check"]))?;

        step("clippy -D warnings (host: domain, server, xtask)");
        sh(cargo().args([
            "clippy",
            "--workspace",
            "--exclude",
            "dispatch-app",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))?;
        step("clippy -D warnings (wasm32: app, domain)");
        sh(cargo().args([
            "clippy",
            "-p",
            "dispatch-app",
            "-p",
            "domain",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))?;

        step("Translation catalogues (en/de/fr complete, every used key exists)");
        i18n_check::check(&root())?;
        tally.passed += 1;

        step("Compiling the Rust tests (host and wasm32)");
        sh(host_tests().arg("--no-run"))?;
        sh(wasm_tests().arg("--no-run"))?;
        installing.finish()?;

        step("Rust tests (domain, server on SQLite and PostgreSQL, xtask)");
        sh_counted(&mut host_tests(), &mut tally)?;

        contract::run()?;
        tally.passed += 1;

        step("WebAssembly tests in headless Chromium (domain, app)");
        sh_counted(&mut wasm_tests(), &mut tally)?;
    }

    if !skip_e2e {
        build_app()?;
        step("Building the server for the end-to-end run");
        build_debug_server()?;
        end_to_end(&mut tally)?;
    }

    println!(
        "\nxtask test finished in {:.0?} ({} passed, {} failed)",
        started.elapsed(),
        tally.passed,
        tally.failed
    );
    println!("xtask: {} passed, {} failed", tally.passed, tally.failed);
    if tally.failed > 0 {
        return Err("some tests failed".to_owned());
    }
    Ok(())
}

/// A server process that is killed when dropped (the benchmark's server).
struct ServerGuard(Child);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free TCP port on loopback.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// Waits until `GET /healthz` answers 200.
fn wait_healthy(port: u16, timeout: Duration) -> Result {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n");
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200") {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("the server on port {port} did not become healthy"))
}

/// Starts a fresh server (empty SQLite database, demo data, no demo traffic), measures
/// the first screen's bytes on the wire against the budget, and runs the Playwright
/// suite against it in Debian's headless Chromium.
fn end_to_end(tally: &mut Tally) -> Result {
    step("End-to-end tests (Playwright, headless Chromium)");
    let port = free_port()?;
    let work = std::env::temp_dir().join(format!("relay-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let log = std::fs::File::create(work.join("server.log")).map_err(|e| e.to_string())?;
    let mut server = Command::new(target_dir().join("debug/dispatch-server"));
    server
        .current_dir(root())
        .env("PORT", port.to_string())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/e2e.db", work.display()),
        )
        .env("DIST_DIR", root().join("dist"))
        .env("DEMO_MODE", "1")
        .env("DEMO_TRAFFIC", "0")
        // live.spec.ts restarts the server (same database and port) to show a board
        // catching up; the supervisor starts it again.
        .env("DEV_RESTART", "1")
        .env("RUST_LOG", "info")
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log);
    let guard = supervise::Supervised::start(server)?;
    wait_healthy(port, Duration::from_secs(60))?;
    step("Served-bytes budget (first screen as the server sends it)");
    budget::check(port)?;
    tally.passed += 1;
    step("Playwright");
    let e2e = root().join("end2end");
    let result = sh_counted(
        Command::new("npx")
            .args(["playwright", "test"])
            .current_dir(&e2e)
            .env("BASE_URL", format!("http://127.0.0.1:{port}"))
            .env("CHROMIUM_PATH", tools::CHROMIUM)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
        tally,
    );
    drop(guard);
    if result.is_err() {
        let log = std::fs::read_to_string(work.join("server.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        eprintln!("--- last server log lines ---");
        for line in tail.iter().rev() {
            eprintln!("{line}");
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    result
}

#[cfg(test)]
mod tests {
    use super::Tally;

    #[test]
    fn tally_reads_libtest_and_playwright_summaries() {
        let mut tally = Tally::default();
        tally.scan("test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.5s");
        tally.scan("test result: FAILED. 3 passed; 2 failed; 0 ignored");
        tally.scan("  7 passed (21.3s)");
        tally.scan("  1 failed");
        tally.scan("12 passed tests are great"); // prose is not a summary
        assert_eq!((tally.passed, tally.failed), (22, 3));
    }
}
