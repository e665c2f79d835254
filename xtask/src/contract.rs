//! The contract test of `cargo xtask test`: schemathesis (from PyPI, pinned, installed
//! into a virtualenv outside the clone and reused while it is at the pinned version)
//! fuzzes every operation of the server's own OpenAPI document against a started server
//! with a demo dispatcher's session and the demo marketplace key, and fails on any 5xx,
//! any status the document does not list for the operation, and any content type it
//! does not list. Bounded: a fixed number of examples per operation and a hard deadline.

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::PathBuf,
    process::Command,
    time::{Duration, Instant},
};

use crate::{free_port, root, sh, step, target_dir, wait_healthy, Result, ServerGuard};

/// The schemathesis release the checks are written for.
const VERSION: &str = "4.32.5";
/// The whole run is stopped (and fails) after this long.
const DEADLINE: Duration = Duration::from_secs(180);
/// Generated examples per operation.
const EXAMPLES: &str = "25";
/// schemathesis' own time budget in seconds (its fuzzing stops there), inside [`DEADLINE`].
const MAX_TIME: &str = "150";

/// `~/.cache/relay/schemathesis-VERSION` (outside the clone, shared by worktrees).
fn venv() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
    home.join(".cache/relay")
        .join(format!("schemathesis-{VERSION}"))
}

/// The schemathesis executable at [`VERSION`], installed when missing or different.
fn ensure_schemathesis() -> Result<PathBuf> {
    let dir = venv();
    let bin = dir.join("bin/schemathesis");
    let installed = Command::new(&bin)
        .arg("--version")
        .output()
        .ok()
        .is_some_and(|o| String::from_utf8_lossy(&o.stdout).contains(VERSION));
    if !installed {
        step(&format!(
            "Installing schemathesis {VERSION} into {}",
            dir.display()
        ));
        sh(Command::new("python3").arg("-m").arg("venv").arg(&dir))?;
        sh(Command::new(dir.join("bin/pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("schemathesis=={VERSION}"),
        ]))?;
    }
    Ok(bin)
}

/// Signs the demo dispatcher in with a plain HTTP/1.0 request (xtask has no HTTP client)
/// and returns the `Cookie` header value.
fn sign_in(port: u16) -> Result<String> {
    let body = r#"{"email":"dispatcher@alpen.example","password":"demo1234"}"#;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    write!(
        stream,
        "POST /api/v1/auth/login HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|e| e.to_string())?;
    answer
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie")
                .then(|| value.trim().split(';').next().unwrap_or("").to_owned())
        })
        .ok_or_else(|| format!("the demo sign-in set no cookie: {answer}"))
}

/// Builds and starts a server on a fresh database, runs schemathesis against it.
pub fn run() -> Result {
    let schemathesis = ensure_schemathesis()?;
    step("Contract test: schemathesis against /api/v1/openapi.json");
    crate::build_debug_server()?;
    let port = free_port()?;
    let work = std::env::temp_dir().join(format!("relay-contract-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("dist")).map_err(|e| e.to_string())?;
    std::fs::write(
        work.join("dist/index.html"),
        "<!doctype html><title>Relay</title>",
    )
    .map_err(|e| e.to_string())?;
    let log = std::fs::File::create(work.join("server.log")).map_err(|e| e.to_string())?;
    let server = Command::new(target_dir().join("debug/dispatch-server"))
        .current_dir(root())
        .env("PORT", port.to_string())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/contract.db", work.display()),
        )
        .env("DIST_DIR", work.join("dist"))
        .env("DEMO_MODE", "1")
        .env("DEMO_TRAFFIC", "0")
        .env("RUST_LOG", "warn")
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let guard = ServerGuard(server);
    wait_healthy(port, Duration::from_secs(60))?;
    let cookie = sign_in(port)?;
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(&schemathesis)
        .arg("run")
        .arg(format!("{base}/api/v1/openapi.json"))
        .args(["--url", &base])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance",
        ])
        .args(["--max-examples", EXAMPLES])
        .args(["--max-time", MAX_TIME])
        .args(["--seed", "42"])
        .args(["--header", &format!("Cookie: {cookie}")])
        .args(["--header", "Authorization: Bearer demo-marketplace-key"])
        // Signing out would end the session the rest of the run uses.
        .args(["--exclude-path", "/api/v1/auth/logout"])
        .args(["--request-timeout", "10"])
        .current_dir(&work)
        .spawn()
        .map_err(|e| format!("cannot start schemathesis: {e}"))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    drop(guard);
    let result = match status {
        Some(s) if s.success() => Ok(()),
        Some(s) => Err(format!("schemathesis found contract violations ({s})")),
        None => Err(format!(
            "schemathesis did not finish within {} s",
            DEADLINE.as_secs()
        )),
    };
    if result.is_err() {
        let log = std::fs::read_to_string(work.join("server.log")).unwrap_or_default();
        for line in log.lines().rev().take(30).collect::<Vec<_>>().iter().rev() {
            eprintln!("{line}");
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    result
}
