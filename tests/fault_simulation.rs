//! A seeded fault-injection simulation of both roles of `synqpay-session`: the `Client` (two
//! parties, each replaced by new processes from time to time) and the `Device` (with an
//! application that keeps a ledger), on one virtual clock, with no sockets, threads or sleeps.
//! A line between them splits, merges, corrupts, truncates, delays and cuts; another client
//! takes the device over; unsolicited answers are injected (spec/protocol.md §1 link layer,
//! §2 TCP transport and cached responses, §5 device states, §6 money safety; spec/api.md
//! startTransaction, getTransaction, getStatus, cancel, TransactionResult, transactionEvent).
//!
//! After every step the invariants of `fault_simulation/invariants.rs` are checked; at the end
//! of a seed every unknown outcome must have been resolved by a lookup.
//!
//! - `SYNQPAY_SEEDS=n` (default 10000) seeds from `SYNQPAY_SEED_START` (default 0);
//! - `SYNQPAY_SEED=n` runs only seed n, with a trace:
//!   `SYNQPAY_SEED=1234 cargo test -p synqpay-scenarios --test fault_simulation -- --nocapture`.

#[path = "fault_simulation/actions.rs"]
mod actions;
#[path = "fault_simulation/conn.rs"]
mod conn;
#[path = "fault_simulation/counters.rs"]
mod counters;
#[path = "fault_simulation/device.rs"]
mod device;
#[path = "fault_simulation/device_wire.rs"]
mod device_wire;
#[path = "fault_simulation/events.rs"]
mod events;
#[path = "fault_simulation/faults.rs"]
mod faults;
#[path = "fault_simulation/invariants.rs"]
mod invariants;
#[path = "fault_simulation/ledger.rs"]
mod ledger;
#[path = "fault_simulation/link.rs"]
mod link;
#[path = "fault_simulation/party.rs"]
mod party;
#[path = "fault_simulation/rng.rs"]
mod rng;
#[path = "fault_simulation/world.rs"]
mod world;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::time::Instant;

use counters::Counters;
use world::{Trace, World};

/// Steps of one seed before the drain (10,000 seeds must run well under a minute in debug).
const STEPS: usize = 120;

/// The last panic's message and place, kept by a quiet hook so a panicking seed reports itself.
static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

fn env_u64(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a number")),
    )
}

/// Runs one seed: its counters and the invariant violations found.
fn run_seed(seed: u64, trace: Trace) -> (Counters, Vec<String>) {
    let mut w = World::new(seed, trace);
    for _ in 0..STEPS {
        actions::step(&mut w);
        w.check();
        if !w.books.violations.is_empty() {
            break;
        }
    }
    if w.books.violations.is_empty() {
        actions::drain(&mut w);
        w.check();
        let now = w.now;
        w.books.final_check(now, &w.device);
    }
    let mut counters = w.books.counters;
    counters.seeds = 1;
    counters.cancelled = w.device.cancelled;
    counters.faults.misanswer = w.device.misanswered;
    (counters, std::mem::take(&mut w.books.violations))
}

/// A violation with its time, numbers and referenceIds blanked out, to group failures by kind.
fn signature(violation: &str) -> String {
    let text = match violation.split_once(' ') {
        Some((time, rest)) if time.starts_with("t=") => rest,
        _ => violation,
    };
    // The label, and the message up to its first parenthesis (which holds the particulars).
    let text = match text.split_once(": ") {
        Some((label, message)) => {
            let message = message.split(" (").next().unwrap_or(message);
            format!("{label}: {message}")
        }
        None => text.to_string(),
    };
    let mut out = String::new();
    for word in text.split(' ') {
        let blank = word.chars().any(|c| c.is_ascii_digit());
        out.push_str(if blank { "_" } else { word });
        out.push(' ');
    }
    out.trim_end().to_string()
}

fn replay(seed: u64) -> String {
    format!(
        "SYNQPAY_SEED={seed} cargo test -p synqpay-scenarios --test fault_simulation -- --nocapture"
    )
}

#[test]
fn fault_simulation() {
    let single = env_u64("SYNQPAY_SEED");
    let start = env_u64("SYNQPAY_SEED_START").unwrap_or(0);
    let count = env_u64("SYNQPAY_SEEDS").unwrap_or(10_000);
    let (seeds, trace) = match single {
        Some(seed) => (seed..seed + 1, Trace::Printed),
        None => (start..start + count, Trace::Quiet),
    };
    let first = seeds.start;
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = info.to_string();
    }));
    let started = Instant::now();
    let mut total = Counters::default();
    let mut failed: Vec<(u64, Vec<String>)> = Vec::new();
    for seed in seeds.clone() {
        match catch_unwind(AssertUnwindSafe(|| run_seed(seed, trace))) {
            Ok((counters, violations)) => {
                total += counters;
                if !violations.is_empty() {
                    failed.push((seed, violations));
                }
            }
            Err(_) => {
                let message = LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()).clone();
                failed.push((seed, vec![format!("(e) panic: {message}")]));
            }
        }
    }
    std::panic::set_hook(default_hook);
    let elapsed = started.elapsed().as_secs_f64();
    for (seed, violations) in failed.iter().take(10) {
        println!("seed {seed} FAILED:");
        for v in violations.iter().take(5) {
            println!("    {v}");
        }
        println!("    replay: {}", replay(*seed));
    }
    // The failures by kind: the first violation of each seed, numbers and ids blanked out.
    let mut kinds: std::collections::BTreeMap<String, Vec<u64>> = Default::default();
    for (seed, violations) in &failed {
        let kind = signature(&violations[0]);
        kinds.entry(kind).or_default().push(*seed);
    }
    for (kind, seeds) in &kinds {
        let some = &seeds[..seeds.len().min(5)];
        println!("{} seeds: {kind} (e.g. seeds {some:?})", seeds.len());
    }
    println!(
        "fault_simulation: seeds {first}..{} in {elapsed:.1}s, {} failed; {total}",
        seeds.end,
        failed.len()
    );
    let seeds: Vec<u64> = failed.iter().map(|(s, _)| *s).collect();
    assert!(
        failed.is_empty(),
        "{} seeds violated an invariant: {:?}{}; replay the first with: {}",
        seeds.len(),
        &seeds[..seeds.len().min(50)],
        if seeds.len() > 50 { " ..." } else { "" },
        replay(seeds[0])
    );
}
