//! Time, from the caller: the driver reads a clock but owns none (ours: no executor or HAL tied in).

/// A monotonic millisecond clock, and what to do while waiting.
pub trait Clock {
    /// Milliseconds since any fixed point; never goes back.
    fn now_ms(&mut self) -> u64;

    /// Called while the driver waits for bytes, to sleep until the next interrupt (a WFI on a
    /// Cortex-M) or yield. The default does nothing: the driver polls.
    fn idle(&mut self) {}
}
