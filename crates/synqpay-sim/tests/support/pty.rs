//! A linked pseudo-terminal pair made by Debian's `socat`, standing in for a serial cable in
//! tests (shared by the synqpay-std and synqpay-cli tests through `#[path]`).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Two linked pseudo-terminals, `device` and `app`, for as long as this lives.
pub struct PtyPair {
    socat: Child,
    dir: PathBuf,
}

impl PtyPair {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("synqpay-pty-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let end = |n: &str| format!("pty,raw,echo=0,link={}", dir.join(n).display());
        let socat = Command::new("socat")
            .args([end("device"), end("app")])
            .stderr(Stdio::null())
            .spawn()
            .expect("socat (Debian package socat) makes the pty pair");
        let pair = Self { socat, dir };
        let deadline = Instant::now() + Duration::from_secs(5);
        while !(pair.device().exists() && pair.app().exists()) {
            assert!(Instant::now() < deadline, "socat made no ptys");
            std::thread::sleep(Duration::from_millis(10));
        }
        pair
    }

    pub fn device(&self) -> PathBuf {
        self.dir.join("device")
    }

    pub fn app(&self) -> PathBuf {
        self.dir.join("app")
    }
}

impl Drop for PtyPair {
    fn drop(&mut self) {
        let _ = self.socat.kill();
        let _ = self.socat.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
