//! Reconnect pacing (spec/protocol.md §6, ours): a device that accepts and closes at once, or a
//! port that will not open, is tried again after a delay that doubles from 100 ms up to 5 s,
//! each with a random part (jitter), so that a broken device does not get thousands of
//! connections a second.

use std::time::{Duration, Instant};

/// The first delay.
const FIRST: Duration = Duration::from_millis(100);
/// The longest delay.
const CAP: Duration = Duration::from_secs(5);

/// When the next connection attempt may be made.
#[derive(Debug, Default)]
pub(crate) struct Backoff {
    failures: u32,
    not_before: Option<Instant>,
}

impl Backoff {
    /// How long to wait before the next attempt (zero: now).
    pub fn wait(&self, now: Instant) -> Duration {
        self.not_before
            .map_or(Duration::ZERO, |t| t.saturating_duration_since(now))
    }

    /// An attempt was made and the link did not (yet) prove itself: the next one waits longer.
    pub fn attempted(&mut self, now: Instant) {
        let doubled = FIRST.saturating_mul(1u32 << self.failures.min(16));
        let ceiling = doubled.min(CAP);
        // Between half and all of the ceiling ("equal jitter").
        let half = ceiling / 2;
        let jitter = half.mul_f64((crate::randomness::random_u64() % 1024) as f64 / 1024.0);
        self.not_before = Some(now + half + jitter);
        self.failures = self.failures.saturating_add(1);
    }

    /// The device answered on the link: the next attempt may be made at once.
    pub fn proven(&mut self) {
        self.failures = 0;
        self.not_before = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_with_jitter() {
        let now = Instant::now();
        let mut b = Backoff::default();
        assert_eq!(b.wait(now), Duration::ZERO);
        let mut ceilings = Vec::new();
        for _ in 0..10 {
            b.attempted(now);
            ceilings.push(b.wait(now));
        }
        let expected = [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000];
        for (wait, ceiling) in ceilings.iter().zip(expected) {
            let ceiling = Duration::from_millis(ceiling);
            assert!(
                *wait >= ceiling / 2 && *wait <= ceiling,
                "{wait:?} vs {ceiling:?}"
            );
        }
        b.proven();
        assert_eq!(b.wait(now), Duration::ZERO);
    }
}
