//! The demo partner page of `cargo xtask run`: a tiny static site on
//! `http://localhost:4100` (the origin demo Alpen allows) that embeds Alpen's board from
//! `http://127.0.0.1:PORT` — another site, so the frame is third-party as on a real
//! partner's website. Like a partner's server, it mints the embed sign-in token itself
//! (`/token`, with Alpen's demo partner key); the page only passes it on.
//!
//! It runs as its own small process (`cargo xtask partner-page PORT`), started by `run`
//! just before it becomes the server, so Ctrl-C stops both.

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::Path,
    process::Command,
};

/// Where the demo partner page listens.
pub const PARTNER_PORT: u16 = 4100;
const PARTNER_KEY: &str = "demo-partner-key-alpen";
const DISPATCHER: &str = "dispatcher@alpen.example";

/// Starts the partner page beside the server on `port` and says how to open it.
pub fn spawn(port: &str) {
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    match Command::new(exe).args(["partner-page", port]).spawn() {
        Ok(_) => println!(
            "==> Demo partner page (Alpen's board embedded in another site): \
             http://localhost:{PARTNER_PORT}/  — open it once the server is up"
        ),
        Err(e) => eprintln!("the demo partner page did not start: {e}"),
    }
}

/// Serves the page until the process is stopped.
pub fn serve(root: &Path, port: &str) -> Result<(), String> {
    let relay = format!("http://127.0.0.1:{port}");
    let page = std::fs::read_to_string(root.join("end2end/partner/index.html"))
        .map_err(|e| format!("end2end/partner/index.html: {e}"))?
        .replace("__RELAY__", &relay);
    let listener = TcpListener::bind(("127.0.0.1", PARTNER_PORT))
        .map_err(|e| format!("cannot listen on localhost:{PARTNER_PORT}: {e}"))?;
    for stream in listener.incoming().flatten() {
        let _ = answer(stream, &page, port);
    }
    Ok(())
}

fn answer(mut stream: TcpStream, page: &str, port: &str) -> std::io::Result<()> {
    let mut buffer = [0u8; 4096];
    let n = stream.read(&mut buffer)?;
    let request = String::from_utf8_lossy(&buffer[..n]);
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let (status, kind, body) = match path {
        "/" => ("200 OK", "text/html; charset=utf-8", page.to_owned()),
        "/token" => ("200 OK", "application/json", mint(port)),
        _ => ("404 Not Found", "text/plain", "not found".to_owned()),
    };
    write!(
        stream,
        "HTTP/1.0 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\r\n{body}",
        body.len()
    )
}

/// `POST /api/v1/embed/tokens` on the server, as the partner's backend does.
fn mint(port: &str) -> String {
    let body = serde_json::json!({
        "email": DISPATCHER,
        "origin": format!("http://localhost:{PARTNER_PORT}"),
    })
    .to_string();
    let result = (|| -> std::io::Result<String> {
        let mut s = TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap_or(8080)))?;
        write!(
            s,
            "POST /api/v1/embed/tokens HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\
             Authorization: Bearer {PARTNER_KEY}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )?;
        let mut answer = String::new();
        s.read_to_string(&mut answer)?;
        Ok(answer
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default())
    })();
    result.unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string())
}
