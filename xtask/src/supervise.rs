//! The end-to-end server under supervision: when it exits with [`RESTART_EXIT_CODE`]
//! (asked for through `POST /api/v1/dev/restart`, which the harness enables with
//! `DEV_RESTART=1`) it is started again with the same command — same database, same
//! port — so a browser test can show a board reconnecting and catching up after a
//! restart. Any other exit ends the supervision; dropping it kills the server.

use std::{
    process::{Child, Command},
    sync::{Arc, Mutex},
    thread::{self, JoinHandle},
    time::Duration,
};

use crate::Result;

/// The server's "restart me" exit code (`server::http::dev::RESTART_EXIT_CODE`; xtask
/// does not depend on the server crate).
const RESTART_EXIT_CODE: i32 = 75;

struct Inner {
    child: Child,
    stopping: bool,
}

/// A supervised server process, killed when dropped.
pub struct Supervised {
    inner: Arc<Mutex<Inner>>,
    watcher: Option<JoinHandle<()>>,
}

impl Supervised {
    /// Starts `command` and restarts it whenever it asks to be.
    pub fn start(mut command: Command) -> Result<Self> {
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let inner = Arc::new(Mutex::new(Inner {
            child,
            stopping: false,
        }));
        let watched = inner.clone();
        let watcher = thread::spawn(move || loop {
            thread::sleep(Duration::from_millis(20));
            let mut inner = watched.lock().expect("supervisor lock");
            if inner.stopping {
                return;
            }
            match inner.child.try_wait() {
                Ok(None) => {}
                Ok(Some(status)) if status.code() == Some(RESTART_EXIT_CODE) => {
                    match command.spawn() {
                        Ok(child) => inner.child = child,
                        Err(e) => {
                            eprintln!("cannot restart the server: {e}");
                            return;
                        }
                    }
                }
                Ok(Some(_)) | Err(_) => return,
            }
        });
        Ok(Self {
            inner,
            watcher: Some(watcher),
        })
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.stopping = true;
            let _ = inner.child.kill();
            let _ = inner.child.wait();
        }
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
    }
}
