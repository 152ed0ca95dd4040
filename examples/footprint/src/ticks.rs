//! The drivers' clock in these firmwares: time moves a millisecond each time it is read, so
//! that runs are the same from one to the next.

/// A clock that moves a millisecond each time it is read.
pub struct Ticks(pub u64);

impl synqpay_embedded::Clock for Ticks {
    fn now_ms(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }
}

impl synqpay_embedded::AsyncClock for Ticks {
    fn now_ms(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }
    async fn wait_until(&mut self, deadline_ms: u64) {
        while self.0 < deadline_ms {
            self.0 += 1;
            embassy_futures::yield_now().await;
        }
    }
}
