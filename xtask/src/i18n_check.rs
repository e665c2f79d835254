//! Checks the translation catalogues (`locales/{en,de,fr}/*.json`): the three languages
//! define exactly the same keys, no
//! text is empty, and every key the app looks up literally (`.t("…")`) exists. The
//! regional overrides (`locales/{tag}/overrides.json`, one per supported locale) may only
//! override keys of their language, and a German text written the Swiss way (`ss` where
//! Germany and Austria write `ß`) must have its de-DE override.

use std::{collections::BTreeSet, path::Path};

use crate::Result;

const LOCALES: [&str; 3] = ["en", "de", "fr"];

/// Every supported locale and the language whose keys its overrides may use.
const REGIONS: [(&str, &str); 6] = [
    ("en-GB", "en"),
    ("de-CH", "de"),
    ("de-DE", "de"),
    ("de-AT", "de"),
    ("fr-CH", "fr"),
    ("fr-FR", "fr"),
];

/// Word stems Swiss German spells with `ss` and German of Germany and Austria with `ß`
/// (`abschliessen`/`abschließen`, `gross`/`groß`); a base text holding one needs a
/// de-DE override.
const SWISS_SS: [&str; 9] = [
    "schliess", "gross", "grösse", "grösser", "strasse", "weiss", "fuss", "mässig", "gemäss",
];

/// The texts of one JSON file (a flat map of key to text).
fn texts(path: &Path) -> Result<serde_json::Map<String, serde_json::Value>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The override files: each exists, overrides only keys its language has, with text.
fn check_overrides(root: &Path, problems: &mut Vec<String>) -> Result {
    let mut german_overridden = BTreeSet::new();
    for (tag, language) in REGIONS {
        let path = root.join(format!("locales/{tag}/overrides.json"));
        let known = keys(root, language)?;
        for (key, value) in texts(&path)? {
            if value.as_str().is_none_or(|s| s.trim().is_empty()) {
                problems.push(format!("locales/{tag}/overrides.json: {key} is empty"));
            }
            if !known.contains(&key) {
                problems.push(format!(
                    "locales/{tag}/overrides.json overrides {key}, which locales/{language} lacks"
                ));
            }
            if tag == "de-DE" {
                german_overridden.insert(key);
            }
        }
    }
    let dir = root.join("locales/de");
    for entry in std::fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        for (key, value) in texts(&path)? {
            let lower = value.as_str().unwrap_or_default().to_lowercase();
            if let Some(stem) = SWISS_SS.iter().find(|stem| lower.contains(*stem)) {
                if !german_overridden.contains(&key) {
                    problems.push(format!(
                        "locales/de: {key} writes \"{stem}\" the Swiss way; add its ß spelling to locales/de-DE/overrides.json"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Every key of one language, over all its area files (`locales/{locale}/*.json`); a key
/// defined twice is an error.
fn keys(root: &Path, locale: &str) -> Result<BTreeSet<String>> {
    let dir = root.join(format!("locales/{locale}"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut keys = BTreeSet::new();
    for path in files {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        for (key, value) in &map {
            if value.as_str().is_none_or(|s| s.trim().is_empty()) {
                return Err(format!(
                    "{}: {key} is empty or not a string",
                    path.display()
                ));
            }
            if !keys.insert(key.clone()) {
                return Err(format!("{}: {key} is defined twice", path.display()));
            }
        }
    }
    Ok(keys)
}

/// Every literal key used by the app's sources: `.t("key")`.
fn used_keys(dir: &Path, out: &mut BTreeSet<String>) -> Result {
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            used_keys(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
            for piece in text.split(".t(\"").skip(1) {
                if let Some(end) = piece.find('"') {
                    out.insert(piece[..end].to_owned());
                }
            }
        }
    }
    Ok(())
}

/// Fails with the list of differences.
pub fn check(root: &Path) -> Result {
    let en = keys(root, "en")?;
    let mut problems = Vec::new();
    for locale in &LOCALES[1..] {
        let other = keys(root, locale)?;
        for key in en.difference(&other) {
            problems.push(format!("locales/{locale} lacks {key}"));
        }
        for key in other.difference(&en) {
            problems.push(format!(
                "locales/{locale} has {key}, which locales/en lacks"
            ));
        }
    }
    check_overrides(root, &mut problems)?;
    let mut used = BTreeSet::new();
    used_keys(&root.join("src"), &mut used)?;
    for key in used.difference(&en) {
        problems.push(format!("the app uses {key}, which locales/en lacks"));
    }
    if problems.is_empty() {
        println!(
            "{} keys in each of {}; {} used literally",
            en.len(),
            LOCALES.join(", "),
            used.len()
        );
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    /// The repository's own catalogues pass the check (also run by `cargo xtask test`).
    #[test]
    fn the_catalogues_pass() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        super::check(&root).unwrap();
    }
}
