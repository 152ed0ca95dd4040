//! What the simulator shows to whoever watches it — the `Simulator` handle, tests, the screen
//! page — and what they may press (ours): one snapshot behind a lock, a version that grows with
//! each change, and a condition variable that wakes watchers. The device loop only replaces the
//! snapshot and notifies: a slow watcher never holds the device up.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
#[cfg(feature = "screen")]
use std::time::Duration;

use serde::Serialize;

use crate::conditions::Conditions;
use crate::face::Face;
use crate::hand::{Action, Decide};

/// What a watcher may send the device loop.
#[derive(Debug, Clone)]
pub(crate) enum Control {
    /// New surroundings (screen, battery, host).
    Conditions(Conditions),
    /// A button pressed.
    Act(Action),
}

/// The frames shown in the log (ours: the last 200).
const LOG_LINES: usize = 200;

/// A frame that passed, for the log: its direction, kind, and its payload with the API key
/// masked (frame_log.rs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct LogLine {
    /// `in` (from the client) or `out` (to it).
    pub(crate) dir: &'static str,
    /// `request`, `response`, `event`, `keepalive`, `ack`, `error`, or a link error's name.
    pub(crate) kind: String,
    /// The payload, cut and masked; empty for frames without one.
    pub(crate) text: String,
}

/// The snapshot.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct View {
    /// Grows with each change.
    pub(crate) version: u64,
    /// The one-line console screen (`PAIRING: code 123456`).
    pub(crate) screen: String,
    #[serde(skip)]
    pub(crate) pairing_code: Option<String>,
    pub(crate) conditions: Conditions,
    /// The device state `getStatus` reports (spec/protocol.md §5).
    pub(crate) status: String,
    /// The customer's screen.
    pub(crate) face: Face,
    /// Who decides: the scenario, or a hand.
    pub(crate) decide: Decide,
    /// The last frames, oldest first.
    pub(crate) log: VecDeque<LogLine>,
}

/// The snapshot and its watchers' wake-up.
pub(crate) struct Shared {
    view: Mutex<View>,
    changed: Condvar,
    /// Whether a screen page watches: the frame log is kept only then (its decoding and masking
    /// would otherwise cost every frame of every simulator).
    watched: AtomicBool,
}

impl Shared {
    pub(crate) fn new(conditions: Conditions) -> Self {
        Self {
            view: Mutex::new(View {
                version: 0,
                screen: "IDLE".into(),
                pairing_code: None,
                conditions,
                status: "IDLE".into(),
                face: Face::Idle { last: None },
                decide: Decide::Scenario,
                log: VecDeque::new(),
            }),
            changed: Condvar::new(),
            watched: AtomicBool::new(false),
        }
    }

    /// A screen page watches from now on: frames are logged.
    #[cfg_attr(not(feature = "screen"), allow(dead_code))]
    pub(crate) fn watch_frames(&self) {
        self.watched.store(true, Ordering::Relaxed);
    }

    /// Whether frames are logged (a screen page watches).
    pub(crate) fn frames_watched(&self) -> bool {
        self.watched.load(Ordering::Relaxed)
    }

    /// Reads the snapshot.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&View) -> R) -> Option<R> {
        self.view.lock().ok().map(|v| f(&v))
    }

    /// Changes the snapshot with `f`, which says whether anything changed; watchers wake if so.
    pub(crate) fn update(&self, f: impl FnOnce(&mut View) -> bool) {
        let Ok(mut view) = self.view.lock() else {
            return;
        };
        if f(&mut view) {
            view.version += 1;
            self.changed.notify_all();
        }
    }

    /// Adds frames to the log (the oldest go past [`LOG_LINES`]).
    pub(crate) fn log(&self, lines: Vec<LogLine>) {
        if lines.is_empty() {
            return;
        }
        self.update(|view| {
            for line in lines {
                if view.log.len() == LOG_LINES {
                    view.log.pop_front();
                }
                view.log.push_back(line);
            }
            true
        });
    }

    /// The snapshot as JSON once its version is past `seen`, or `None` after `timeout`.
    #[cfg(feature = "screen")]
    pub(crate) fn newer_than(&self, seen: u64, timeout: Duration) -> Option<(u64, String)> {
        let view = self.view.lock().ok()?;
        let (view, _) = self
            .changed
            .wait_timeout_while(view, timeout, |v| v.version <= seen)
            .ok()?;
        (view.version > seen).then(|| {
            (
                view.version,
                serde_json::to_string(&*view).unwrap_or_default(),
            )
        })
    }
}
