//! Milliseconds from SysTick at 1 kHz, as the synqpay drivers' [`Clock`] and [`AsyncClock`].

use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::exception;
use synqpay_embedded::Clock;

use crate::CORE_HZ;

/// Milliseconds since [`start`] (wraps after 49 days: enough for an example).
static MILLIS: AtomicU32 = AtomicU32::new(0);

#[exception]
fn SysTick() {
    MILLIS.fetch_add(1, Ordering::Relaxed);
}

/// Starts SysTick at 1 kHz.
pub fn start(mut syst: SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(CORE_HZ / 1000 - 1);
    syst.clear_current();
    syst.enable_counter();
    syst.enable_interrupt();
}

/// Milliseconds since [`start`].
pub fn millis() -> u64 {
    u64::from(MILLIS.load(Ordering::Relaxed))
}

/// Microseconds since [`start`], from the millisecond count and SysTick's current value.
pub fn micros() -> u64 {
    loop {
        let ms = MILLIS.load(Ordering::Relaxed);
        let left = SYST::get_current();
        if MILLIS.load(Ordering::Relaxed) == ms {
            let done = (CORE_HZ / 1000 - 1).saturating_sub(left) / (CORE_HZ / 1_000_000);
            return u64::from(ms) * 1000 + u64::from(done);
        }
    }
}

/// The board's clock for the synqpay drivers. While waiting it polls: the UART here raises no
/// interrupt, so a WFI in [`Clock::idle`] would sleep until the next SysTick (under qemu that
/// made the getStatus round trip 10 times slower). With an interrupt-driven transport, `idle`
/// is the place for a WFI.
pub struct SysTickClock;

impl Clock for SysTickClock {
    fn now_ms(&mut self) -> u64 {
        millis()
    }
}

#[cfg(feature = "async")]
impl synqpay_embedded::AsyncClock for SysTickClock {
    fn now_ms(&mut self) -> u64 {
        millis()
    }

    /// Polls (waking itself) until the deadline: a busy executor's timer. embassy's is
    /// `Timer::at`.
    async fn wait_until(&mut self, deadline_ms: u64) {
        while millis() < deadline_ms {
            embassy_futures::yield_now().await;
        }
    }
}
