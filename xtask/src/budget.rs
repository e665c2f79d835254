//! The bundle-size budget: the gzip-compressed size of the release build's wasm, js and
//! css together. The budget was set from a measurement (see BENCHMARKS.md); growing past
//! it fails the test suite, so a heavy dependency is a conscious decision.

use std::{io::Write, path::Path};

use flate2::{write::GzEncoder, Compression};

use crate::Result;

/// Compressed bytes allowed for wasm + js + css.
pub const BUDGET_BYTES: u64 = 745 * 1024;

fn gzip_len(bytes: &[u8]) -> Result<u64> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    Ok(encoder.finish().map_err(|e| e.to_string())?.len() as u64)
}

/// Measures `dist/` and fails above [`BUDGET_BYTES`].
pub fn check(dist: &Path) -> Result {
    let mut total = 0;
    let mut raw_total = 0;
    let mut entries: Vec<_> = std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "wasm" || e == "js" || e == "css")
        })
        .collect();
    entries.sort();
    for path in entries {
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let compressed = gzip_len(&bytes)?;
        println!(
            "{:>9} B raw {:>9} B gzip  {}",
            bytes.len(),
            compressed,
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        total += compressed;
        raw_total += bytes.len() as u64;
    }
    println!("{raw_total:>9} B raw {total:>9} B gzip  total (budget {BUDGET_BYTES} B gzip)");
    if total > BUDGET_BYTES {
        return Err(format!(
            "bundle is {total} B gzip, over the budget of {BUDGET_BYTES} B"
        ));
    }
    Ok(())
}
