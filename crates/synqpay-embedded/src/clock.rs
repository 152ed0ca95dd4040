//! Time, from the caller: the drivers read a clock but own none (ours: no executor or HAL tied
//! in). The session's timers (spec/protocol.md §1 KeepAlive/ACK, §4 deadlines) run from it.

/// A monotonic millisecond clock for the blocking driver, and what to do while waiting.
pub trait Clock {
    /// Milliseconds since any fixed point; never goes back.
    fn now_ms(&mut self) -> u64;

    /// Called while the driver waits for bytes, to sleep until the next interrupt (a WFI on a
    /// Cortex-M) or yield. The default does nothing: the driver polls.
    fn idle(&mut self) {}
}

/// A monotonic millisecond clock for the async driver, with a timer to await.
///
/// With embassy: `now_ms` is `Instant::now().as_millis()` and `wait_until(t)` is
/// `Timer::at(Instant::from_millis(t))`; with tokio, `tokio::time::sleep_until`.
pub trait AsyncClock {
    /// Milliseconds since any fixed point; never goes back.
    fn now_ms(&mut self) -> u64;

    /// Completes once [`now_ms`](Self::now_ms) has reached `deadline_ms` (at once if it has).
    fn wait_until(&mut self, deadline_ms: u64) -> impl Future<Output = ()>;
}
