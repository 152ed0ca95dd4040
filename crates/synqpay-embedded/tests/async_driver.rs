//! The async driver against the in-memory terminal, on a virtual clock: the timer races the
//! transport's read, so deadlines and KeepAlives run while a read is pending.

use std::cell::Cell;
use std::rc::Rc;
use std::task::Poll;

use embassy_futures::block_on;
use synqpay_embedded::loopback::LoopbackTerminal;
use synqpay_embedded::{AsyncClient, AsyncClock, DriverError};
use synqpay_rpc::{ReferenceId, StartTransactionParams};
use synqpay_session::{ClientConfig, Failure};

mod common;
use common::{CODE, KEY, SERIAL, session, terminal};

/// Virtual time: it moves one millisecond each time a timer is polled and has not expired, as
/// if the executor had slept that long.
#[derive(Clone, Default)]
struct Virtual(Rc<Cell<u64>>);

impl AsyncClock for Virtual {
    fn now_ms(&mut self) -> u64 {
        self.0.get()
    }

    async fn wait_until(&mut self, deadline_ms: u64) {
        let now = self.0.clone();
        core::future::poll_fn(move |cx| {
            if now.get() >= deadline_ms {
                return Poll::Ready(());
            }
            now.set(now.get() + 1);
            cx.waker().wake_by_ref();
            Poll::Pending
        })
        .await
    }
}

#[test]
fn pairs_then_sells_with_events_then_finds_the_sale() {
    block_on(async {
        let mut client = AsyncClient::new(terminal(), Virtual::default(), session());
        client.pair(SERIAL).await.unwrap();
        assert_eq!(client.authenticate(CODE).await.unwrap(), KEY);
        let reference = ReferenceId::new("async-1").unwrap();
        let params = StartTransactionParams::sale(reference, synqpay_rpc::Amount::ils(4200));
        let mut events = Vec::new();
        let charged = client
            .start_transaction(
                &params,
                &mut |e| events.push(e.event_type.name().to_string()),
                |r| r.is_charged(),
            )
            .await
            .unwrap();
        assert_eq!(charged, Some(true));
        assert_eq!(
            events,
            ["WAITING_FOR_CARD", "CARD_DETECTED", "AUTHORIZATION_STARTED"]
        );
        let amount = client
            .lookup_transaction(reference, |r| r.transaction.and_then(|t| t.amount))
            .await
            .unwrap();
        assert_eq!(amount, Some(4200));
    });
}

#[test]
fn the_timer_ends_a_call_the_terminal_never_answers() {
    let clock = Virtual::default();
    let mut terminal = terminal().paired();
    terminal.set_mode(synqpay_session::terminal::Mode::Muted);
    let mut client = AsyncClient::new(terminal, clock.clone(), session().with_api_key(KEY));
    let e = block_on(client.status(|_| ())).unwrap_err();
    assert_eq!(e, DriverError::Failed(Failure::Timeout));
    assert_eq!(clock.0.get(), ClientConfig::default().request_timeout_ms);
}

/// A slow terminal: what it has queued (an ACK) comes at once, but each step of the sale takes
/// `delay` ms of virtual time, as a customer would. The wait is kept in the transport, not the
/// read's future, so a read dropped by the timer loses nothing (cancel-safe).
struct Slow {
    inner: LoopbackTerminal<Vec<u8>>,
    clock: Virtual,
    ready_at: Option<u64>,
    delay: u64,
}

impl embedded_io_async::ErrorType for Slow {
    type Error = core::convert::Infallible;
}

impl embedded_io_async::Read for Slow {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        loop {
            if self.inner.device().poll_transmit().is_some() {
                return embedded_io_async::Read::read(&mut self.inner, buf).await;
            }
            let now = self.clock.0.get();
            let ready_at = *self.ready_at.get_or_insert(now + self.delay);
            if now >= ready_at {
                self.ready_at = None;
                return embedded_io_async::Read::read(&mut self.inner, buf).await;
            }
            embassy_futures::yield_now().await;
        }
    }
}

impl embedded_io_async::Write for Slow {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        embedded_io_async::Write::write(&mut self.inner, buf).await
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

#[test]
fn keepalives_run_while_a_long_sale_waits_for_its_reads() {
    let clock = Virtual::default();
    let slow = Slow {
        inner: terminal().paired(),
        clock: clock.clone(),
        ready_at: None,
        delay: 17_000,
    };
    let config = ClientConfig::default();
    let mut client = AsyncClient::new(slow, clock.clone(), session().with_api_key(KEY));
    let params = StartTransactionParams::sale(
        ReferenceId::new("slow-1").unwrap(),
        synqpay_rpc::Amount::ils(990),
    );
    let mut events = 0;
    let charged =
        block_on(client.start_transaction(&params, &mut |_| events += 1, |r| r.is_charged()))
            .unwrap();
    assert_eq!(charged, Some(true));
    assert_eq!(events, 3);
    // Reads 17 s apart: the timer interrupted each pending read for a KeepAlive (15 s idle),
    // whose ACK came back within its 5 s, and no byte was lost to the cancelled reads.
    let (stats, link) = client.session().stats();
    assert!(stats.keepalives >= 2, "{stats:?}");
    assert_eq!(stats.bad_frames, 0);
    assert_eq!(link.crc_error, 0);
    assert!(clock.0.get() >= 3 * 17_000 && clock.0.get() < config.transaction_timeout_ms);
}

/// A line to a device that has gone: writes go, no read ever completes (not even an ACK).
struct Silent;

impl embedded_io_async::ErrorType for Silent {
    type Error = core::convert::Infallible;
}

impl embedded_io_async::Read for Silent {
    async fn read(&mut self, _: &mut [u8]) -> Result<usize, Self::Error> {
        core::future::pending().await
    }
}

impl embedded_io_async::Write for Silent {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

#[test]
fn idle_keeps_the_link_between_calls_and_finds_it_dead() {
    // spec/protocol.md §2: KeepAlives go out and are ACKed between calls too.
    let config = ClientConfig::default();
    let clock = Virtual::default();
    let mut client = AsyncClient::new(
        terminal().paired(),
        clock.clone(),
        session().with_api_key(KEY),
    );
    client.connected();
    block_on(client.idle(3 * config.keepalive_interval_ms)).unwrap();
    let (stats, _) = client.session().stats();
    assert!(stats.keepalives >= 3, "{stats:?}");
    assert!(block_on(client.status(|s| s.cancelable)).is_ok());

    // Silence: the first KeepAlive's missing ACK ends the wait, at its deadline.
    let clock = Virtual::default();
    let mut client = AsyncClient::new(Silent, clock.clone(), session().with_api_key(KEY));
    client.connected();
    let e = block_on(client.idle(10 * config.keepalive_interval_ms)).unwrap_err();
    assert_eq!(e, DriverError::LinkDead);
    assert_eq!(
        clock.0.get(),
        config.keepalive_interval_ms + config.keepalive_deadline_ms
    );
}
