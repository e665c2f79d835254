//! What xtask adds to Trunk's `dist/` after each build:
//! - `sw.js`, the service worker, from the template `dist/sw.js` beside this file: its
//!   precache list is what `index.html` and the manifest reference (the hashed names
//!   Trunk just wrote), its version a hash of those files' bytes, so a hand-kept list
//!   can never go stale and every build that changes the shell makes a new worker;
//! - a brotli (highest quality) and a gzip copy beside every compressible asset, so the
//!   server's `ServeDir` can send them by `Accept-Encoding` without compressing anything
//!   at request time.
//!
//! Brotli at quality 11 is slow (seconds for the wasm), so each file is compressed on its
//! own thread of a small pool and the results are remembered by content hash under the
//! target directory: a rebuild whose wasm did not change costs nothing.

use std::{
    collections::hash_map::DefaultHasher,
    hash::{Hash, Hasher},
    io::Write,
    path::{Path, PathBuf},
    time::Instant,
};

use flate2::{write::GzEncoder, Compression};

use crate::Result;

/// The service worker's template; `__VERSION__` and `__PRECACHE__` are filled in.
const SW_TEMPLATE: &str = include_str!("dist/sw.js");

/// Every same-origin file path `html` references in quotes (a `href`, a `src`, Trunk's
/// inline `import`/`init(...)`), in order, once each.
pub fn references(html: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for quote in ['"', '\''] {
        for (i, piece) in html.split(quote).enumerate() {
            // Odd pieces are the insides of quotes.
            let file_like = piece
                .rsplit('/')
                .next()
                .is_some_and(|name| name.contains('.') && !name.contains(char::is_whitespace));
            if i % 2 == 1
                && piece.starts_with('/')
                && !piece.starts_with("//")
                && file_like
                && !found.iter().any(|f| f == piece)
            {
                found.push(piece.to_owned());
            }
        }
    }
    found
}

/// 64-bit FNV-1a: a stable fingerprint (std's hasher may change between Rust releases,
/// and the version must only change when the files do).
fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The precache list: the shell (`/`, served as index.html), every file index.html
/// references that the build holds, and the manifest's icons (not its screenshots, which
/// only an install dialog shows).
pub fn precache_list(dist: &Path) -> Result<Vec<String>> {
    let html = std::fs::read_to_string(dist.join("index.html"))
        .map_err(|e| format!("{}/index.html: {e}", dist.display()))?;
    let mut list = vec!["/".to_owned()];
    for path in references(&html) {
        let file = dist.join(path.trim_start_matches('/'));
        if !file.is_file() || list.contains(&path) {
            continue;
        }
        if path.ends_with(".webmanifest") {
            let manifest: serde_json::Value = serde_json::from_slice(
                &std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?,
            )
            .map_err(|e| format!("{}: {e}", file.display()))?;
            for icon in manifest["icons"].as_array().into_iter().flatten() {
                if let Some(src) = icon["src"].as_str() {
                    if !dist.join(src.trim_start_matches('/')).is_file() {
                        return Err(format!("the manifest's icon {src} is not in dist/"));
                    }
                    if !list.iter().any(|p| p == src) {
                        list.push(src.to_owned());
                    }
                }
            }
        }
        list.push(path);
    }
    Ok(list)
}

/// Writes `dist/sw.js` for the build in `dist`; returns its version.
pub fn write_service_worker(dist: &Path) -> Result<String> {
    let list = precache_list(dist)?;
    let mut hash = 0xcbf2_9ce4_8422_2325;
    for path in &list {
        let file = if path == "/" {
            dist.join("index.html")
        } else {
            dist.join(path.trim_start_matches('/'))
        };
        hash = fnv1a(hash, path.as_bytes());
        hash = fnv1a(
            hash,
            &std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?,
        );
    }
    let version = format!("{hash:016x}");
    let script = SW_TEMPLATE.replace("__VERSION__", &version).replace(
        "__PRECACHE__",
        &serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?,
    );
    std::fs::write(dist.join("sw.js"), script).map_err(|e| e.to_string())?;
    println!(
        "sw.js version {version}, {} files precached: {}",
        list.len(),
        list.join(" ")
    );
    Ok(version)
}

/// Extensions worth compressing. PNG, JPEG and woff2 are compressed already.
const COMPRESSIBLE: [&str; 8] = [
    "wasm",
    "js",
    "mjs",
    "css",
    "html",
    "webmanifest",
    "svg",
    "json",
];

/// Brotli's largest standard window (16 MiB): the wasm is under 2 MB, so the whole file
/// is one window, which is what lets quality 11 find its long repeats.
const BROTLI_WINDOW: u32 = 24;

/// Every compressible file under `dir`, recursively, sorted.
pub fn compressible_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in
            std::fs::read_dir(&current).map_err(|e| format!("{}: {e}", current.display()))?
        {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| COMPRESSIBLE.contains(&e))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Brotli at quality 11 with the largest standard window.
pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: BROTLI_WINDOW as i32,
        size_hint: bytes.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(bytes.len() / 3);
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Gzip at the highest level.
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 3), Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    encoder.finish().map_err(|e| e.to_string())
}

/// Where compressed copies of earlier builds are kept, by content hash.
fn cache_dir() -> PathBuf {
    crate::target_dir().join("xtask-precompress")
}

/// `bytes` compressed by `codec`, from the cache when the same bytes were compressed
/// before.
fn cached(bytes: &[u8], ext: &str, codec: fn(&[u8]) -> Result<Vec<u8>>) -> Result<Vec<u8>> {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    let entry = cache_dir().join(format!("{:016x}-{}.{ext}", hasher.finish(), bytes.len()));
    if let Ok(hit) = std::fs::read(&entry) {
        return Ok(hit);
    }
    let out = codec(bytes)?;
    // A cache that cannot be written only costs time on the next build.
    if std::fs::create_dir_all(cache_dir()).is_ok() {
        let _ = std::fs::write(&entry, &out);
    }
    Ok(out)
}

/// Writes `NAME.br` and `NAME.gz` beside one file; a copy that would not be smaller is
/// left out, so the server sends the original instead.
fn precompress_file(path: &Path) -> Result<(u64, u64, u64)> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut sizes = (bytes.len() as u64, bytes.len() as u64, bytes.len() as u64);
    for (ext, codec, size) in [
        ("br", brotli as fn(&[u8]) -> Result<Vec<u8>>, &mut sizes.1),
        ("gz", gzip, &mut sizes.2),
    ] {
        let out = cached(&bytes, ext, codec)?;
        let mut target = path.as_os_str().to_owned();
        target.push(".");
        target.push(ext);
        if out.len() < bytes.len() {
            std::fs::write(&target, &out).map_err(|e| format!("{target:?}: {e}"))?;
            *size = out.len() as u64;
        } else {
            let _ = std::fs::remove_file(&target);
        }
    }
    Ok(sizes)
}

/// Precompresses every compressible file of `dist`, largest first across two threads
/// (the wasm dominates; the rest finish on the other thread meanwhile).
pub fn precompress(dist: &Path) -> Result {
    let started = Instant::now();
    let mut files = compressible_files(dist)?;
    files.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).map_or(0, |m| m.len())));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                let result = precompress_file(path).map(|sizes| (path.clone(), sizes));
                results.lock().expect("no thread panics").push(result);
            });
        }
    });
    let mut results = results
        .into_inner()
        .expect("no thread panics")
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    results.sort();
    for (path, (raw, br, gz)) in &results {
        let name = path.strip_prefix(dist).unwrap_or(path).display();
        println!("{raw:>9} B raw {br:>9} B br {gz:>9} B gzip  {name}");
    }
    println!(
        "precompressed {} files in {:.1?}",
        results.len(),
        started.elapsed()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_worker_precaches_what_the_build_references_and_changes_with_it() {
        let dir = std::env::temp_dir().join(format!("xtask-sw-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("public/icons")).unwrap();
        let html = r#"<link rel="modulepreload" href="/app-0123456789abcdef.js">
<link rel="preload" href="/app-0123456789abcdef_bg.wasm" as="fetch">
<link rel="manifest" href="/public/manifest.webmanifest"><a href="https://x.example/a.js">
<script type="module">import init from '/app-0123456789abcdef.js'; init('/app-0123456789abcdef_bg.wasm');</script>"#;
        std::fs::write(dir.join("index.html"), html).unwrap();
        std::fs::write(dir.join("app-0123456789abcdef.js"), "js").unwrap();
        std::fs::write(dir.join("app-0123456789abcdef_bg.wasm"), "wasm").unwrap();
        std::fs::write(
            dir.join("public/manifest.webmanifest"),
            r#"{"icons":[{"src":"/public/icons/icon-192-00000000000000aa.png"}],
               "screenshots":[{"src":"/public/shot.png"}]}"#,
        )
        .unwrap();
        std::fs::write(
            dir.join("public/icons/icon-192-00000000000000aa.png"),
            "png",
        )
        .unwrap();

        let first = write_service_worker(&dir).unwrap();
        let script = std::fs::read_to_string(dir.join("sw.js")).unwrap();
        let list = precache_list(&dir).unwrap();
        assert_eq!(
            list,
            [
                "/",
                "/app-0123456789abcdef.js",
                "/app-0123456789abcdef_bg.wasm",
                "/public/icons/icon-192-00000000000000aa.png",
                "/public/manifest.webmanifest",
            ]
        );
        assert!(script.contains(&format!("const VERSION = '{first}';")));
        assert!(script.contains("\"/app-0123456789abcdef_bg.wasm\""));
        assert!(!script.contains("__PRECACHE__") && !script.contains("shot.png"));

        // Same files, same worker; one byte of the shell changed, a new version.
        assert_eq!(write_service_worker(&dir).unwrap(), first);
        std::fs::write(dir.join("index.html"), format!("{html} ")).unwrap();
        assert_ne!(write_service_worker(&dir).unwrap(), first);

        // A manifest naming an icon the build lacks is a build error, not a broken install.
        std::fs::remove_file(dir.join("public/icons/icon-192-00000000000000aa.png")).unwrap();
        assert!(write_service_worker(&dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn both_codecs_round_trip_and_shrink_text() {
        let text = "the dispatch board ".repeat(200);
        let br = brotli(text.as_bytes()).unwrap();
        let gz = gzip(text.as_bytes()).unwrap();
        assert!(br.len() < text.len() / 10 && gz.len() < text.len() / 10);
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, text.as_bytes());
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back)
            .unwrap();
        assert_eq!(back, text);
    }

    #[test]
    fn precompress_writes_siblings_for_text_and_skips_png_and_incompressible() {
        let dir = std::env::temp_dir().join(format!("xtask-dist-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("public")).unwrap();
        std::fs::write(dir.join("index.html"), "<p>board</p>".repeat(100)).unwrap();
        std::fs::write(dir.join("public/icon.svg"), "<svg></svg>".repeat(50)).unwrap();
        std::fs::write(dir.join("public/icon.png"), [0u8; 500]).unwrap();
        // One byte cannot shrink: no sibling, the server sends the original.
        std::fs::write(dir.join("tiny.js"), "1").unwrap();
        precompress(&dir).unwrap();
        for name in ["index.html", "public/icon.svg"] {
            assert!(dir.join(format!("{name}.br")).exists(), "{name}.br");
            assert!(dir.join(format!("{name}.gz")).exists(), "{name}.gz");
        }
        assert!(!dir.join("public/icon.png.br").exists());
        assert!(!dir.join("tiny.js.br").exists() && !dir.join("tiny.js.gz").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
