//! Installing what a fresh machine lacks. Each tool is checked first and reused when
//! it is already there at the right version; nothing is downloaded outside the package
//! registries (crates.io, npm, Debian).

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use crate::{root, sh, step, Result};

/// Trunk's version: 0.22 needs a newer rustc than ours.
const TRUNK_VERSION: &str = "0.21.14";
/// Debian's Chromium and its driver.
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// `~/.cargo/bin`, where `cargo install` puts tools.
fn cargo_bin() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"),
        PathBuf::from,
    );
    home.join("bin")
}

/// The path of an installed cargo tool.
pub fn bin(name: &str) -> PathBuf {
    cargo_bin().join(name)
}

/// Trunk's path.
pub fn trunk() -> PathBuf {
    bin("trunk")
}

/// The npm packages of the build (binaryen's `wasm-opt`), pinned in `tools/package.json`.
fn npm_tools() -> PathBuf {
    root().join("tools")
}

/// `PATH` with `~/.cargo/bin` and `tools/node_modules/.bin` first, so Trunk finds the
/// pinned wasm-bindgen and wasm-opt (and never a system binaryen of another version).
pub fn path_with_tools() -> std::ffi::OsString {
    let mut paths = vec![cargo_bin(), npm_tools().join("node_modules/.bin")];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths).unwrap_or_default()
}

/// The first line a tool prints for `--version`, if it runs.
fn version_of(program: &Path) -> Option<String> {
    let out = Command::new(program).arg("--version").output().ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_owned()
    })
}

/// The version of a package in Cargo.lock.
pub fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .ok_or_else(|| format!("{package} is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..].find('"').ok_or("Cargo.lock is malformed")? + start;
    Ok(lock[start..end].to_owned())
}

/// The `cargo install`s running in the background, one after the other.
struct Install {
    /// What is being installed ("trunk 0.21.14, wasm-bindgen-cli 0.2.130").
    what: String,
    child: std::process::Child,
    log: PathBuf,
}

/// The build tools being installed in the background ([`start_build_tools`]); the
/// caller compiles meanwhile and calls [`Installing::finish`] before it needs them.
#[must_use = "finish() waits for the installs and checks them"]
pub struct Installing {
    install: Option<Install>,
    started: std::time::Instant,
}

impl Installing {
    /// Waits for the installs (a failed one is an error with its log's last lines), then
    /// puts binaryen's wasm-opt in place.
    pub fn finish(self) -> Result {
        if let Some(mut install) = self.install {
            step("Waiting for the tools installed in the background");
            let status = install
                .child
                .wait()
                .map_err(|e| format!("cargo install {}: {e}", install.what))?;
            if !status.success() {
                let log = std::fs::read_to_string(&install.log).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(30).collect();
                return Err(format!(
                    "cargo install of {} failed (with and without --locked); the last lines of {}:\n{}",
                    install.what,
                    install.log.display(),
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                ));
            }
            println!(
                "{} installed, {} s after they started (log: {})",
                install.what,
                self.started.elapsed().as_secs(),
                install.log.display()
            );
        }
        let trunk_toml =
            std::fs::read_to_string(root().join("Trunk.toml")).map_err(|e| e.to_string())?;
        check_wasm_opt_pin(&trunk_toml)?;
        npm_ci(
            &npm_tools(),
            "the build's npm packages (binaryen's wasm-opt)",
        )
    }
}

/// `npm ci` in `dir` unless its `node_modules` is newer than its lock file; Playwright's
/// browser download is skipped (the suite uses Debian's Chromium).
fn npm_ci(dir: &Path, what: &str) -> Result {
    let stamp = dir.join("node_modules/.package-lock.json");
    let lock = dir.join("package-lock.json");
    let fresh = match (std::fs::metadata(&stamp), std::fs::metadata(&lock)) {
        (Ok(s), Ok(l)) => s.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if !fresh {
        step(&format!("Installing {what} (npm ci)"));
        sh(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(dir)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))?;
    }
    Ok(())
}

/// The binaryen version pinned in `tools/package.json` must be the one Trunk.toml asks
/// for: Trunk runs offline and fails on a mismatch with a message that does not say
/// where the other version comes from.
fn check_wasm_opt_pin(trunk_toml: &str) -> Result {
    let manifest = std::fs::read_to_string(npm_tools().join("package.json"))
        .map_err(|e| format!("tools/package.json: {e}"))?;
    let needle = "\"binaryen\": \"";
    let start = manifest
        .find(needle)
        .ok_or("tools/package.json does not pin binaryen")?
        + needle.len();
    let major = manifest[start..]
        .split(['.', '"'])
        .next()
        .unwrap_or_default();
    if !trunk_toml.contains(&format!("wasm_opt = \"version_{major}\"")) {
        return Err(format!(
            "Trunk.toml [tools] wasm_opt must be \"version_{major}\", the binaryen in tools/package.json"
        ));
    }
    Ok(())
}

/// The wasm32 target, Trunk, the wasm-bindgen CLI at the version in Cargo.lock and
/// binaryen's wasm-opt from npm (compiled to WebAssembly, so nothing is built from C++).
pub fn ensure_build_tools() -> Result {
    start_build_tools()?.finish()
}

/// Starts [`ensure_build_tools`]: adds the wasm32 target and checks the pins at once,
/// and starts `cargo install` of Trunk and the wasm-bindgen CLI, when they are missing,
/// in the background (their output in a log file), so that on a cold machine their
/// compiling overlaps with whatever the caller compiles before it calls
/// [`Installing::finish`].
pub fn start_build_tools() -> Result<Installing> {
    let targets = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup: {e}"))?;
    if !String::from_utf8_lossy(&targets.stdout).contains("wasm32-unknown-unknown") {
        step("Adding the wasm32-unknown-unknown target");
        sh(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    let wasm_bindgen = locked_version("wasm-bindgen")?;
    let trunk_toml =
        std::fs::read_to_string(root().join("Trunk.toml")).map_err(|e| e.to_string())?;
    if !trunk_toml.contains(&format!("wasm_bindgen = \"{wasm_bindgen}\"")) {
        return Err(format!(
            "Trunk.toml [tools] wasm_bindgen must be {wasm_bindgen}, the version in Cargo.lock"
        ));
    }
    check_wasm_opt_pin(&trunk_toml)?;
    let mut missing = Vec::new();
    if version_of(&trunk()).as_deref() != Some(&format!("trunk {TRUNK_VERSION}")) {
        missing.push(("trunk", TRUNK_VERSION.to_owned()));
    }
    let want = format!("wasm-bindgen {wasm_bindgen}");
    if version_of(&bin("wasm-bindgen")).as_deref() != Some(want.as_str())
        || version_of(&bin("wasm-bindgen-test-runner")).is_none()
    {
        missing.push(("wasm-bindgen-cli", wasm_bindgen));
    }
    let started = std::time::Instant::now();
    if missing.is_empty() {
        return Ok(Installing {
            install: None,
            started,
        });
    }
    let dir = crate::target_dir().join("tool-installs");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let log = dir.join("install.log");
    let what = missing
        .iter()
        .map(|(name, version)| format!("{name} {version}"))
        .collect::<Vec<_>>()
        .join(", ");
    step(&format!(
        "Installing {what} in the background (cargo install; once per machine; log: {})",
        log.display()
    ));
    let file = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = file.try_clone().map_err(|e| e.to_string())?;
    // One after the other in one build directory of their own, so the second reuses
    // the dependencies the first compiled (and neither waits for the project's lock on
    // CI's shared CARGO_TARGET_DIR). `--locked` first; when the registry lacks a locked
    // version (wasm-bindgen-cli's lock names a webpki-roots crates.io does not serve),
    // again without it. Trunk's own release profile asks for fat LTO in one codegen unit
    // (minutes of a single core, for a tool that mostly copies files and starts
    // wasm-bindgen); the overrides keep opt-level 3 and drop those two.
    let child = Command::new("sh")
        .args([
            "-c",
            r#"for spec in "$@"; do
                 echo "==> cargo install $spec"
                 cargo install --locked "$spec" --target-dir "$RELAY_TOOLS_DIR" || {
                   echo "--locked failed; retrying without it"
                   cargo install "$spec" --target-dir "$RELAY_TOOLS_DIR"
                 } || exit 1
               done"#,
            "cargo-install",
        ])
        .args(
            missing
                .iter()
                .map(|(name, version)| format!("{name}@{version}")),
        )
        .env("RELAY_TOOLS_DIR", &dir)
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .stdout(file)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot start cargo install of {what}: {e}"))?;
    Ok(Installing {
        install: Some(Install { what, child, log }),
        started,
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The PostgreSQL server binaries (Debian keeps them out of PATH).
fn postgres_installed() -> bool {
    std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .any(|v| v.path().join("bin/initdb").exists())
}

/// Debian's chromium, chromium-driver and postgresql, then the npm packages of the
/// end-to-end suite (Playwright without its browser download, axe-core).
pub fn ensure_test_tools() -> Result {
    let mut missing = Vec::new();
    if !Path::new(CHROMIUM).exists() {
        missing.push("chromium");
    }
    if !Path::new(CHROMEDRIVER).exists() {
        missing.push("chromium-driver");
    }
    if !postgres_installed() {
        missing.push("postgresql");
    }
    if !missing.is_empty() {
        if !is_root() {
            return Err(format!(
                "missing Debian packages: {} (run `sudo apt-get install -y {}` or `bash .ci/run`)",
                missing.join(", "),
                missing.join(" ")
            ));
        }
        step(&format!(
            "Installing Debian packages: {}",
            missing.join(" ")
        ));
        sh(Command::new("apt-get").arg("update"))?;
        sh(Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    npm_ci(
        &root().join("end2end"),
        "the end-to-end suite's npm packages",
    )
}
