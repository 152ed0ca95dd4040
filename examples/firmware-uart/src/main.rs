//! A Cortex-M4 firmware (qemu's mps2-an386) that talks to the Synqpay simulator over its UART:
//! qemu bridges UART0 to the simulator's TCP port (`-serial tcp:127.0.0.1:PORT`), so the bytes
//! are exactly those of a serial line (spec/protocol.md §2). The blocking driver pairs,
//! authenticates with the code the simulator was started with, measures the getStatus round
//! trip, and runs a sale with events. A call that fails on the line (a CRC error answered with an
//! Error frame, a frame lost, a line gone quiet) is retried when it is not a payment; a payment
//! whose outcome is unknown is looked up by its referenceId, never sent again. Prints through
//! semihosting and exits 0 once the sale is known charged exactly once.
//!
//! Run by `scripts/uart-firmware` (which starts the simulator, and with `--noise` a proxy that
//! injects line faults between the two).
#![no_std]
#![no_main]

mod uart;

use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::singleton;
use cortex_m_rt::{entry, exception};
use cortex_m_semihosting::{debug, hprintln};
use panic_semihosting as _;
use synqpay_embedded::{BlockingClient, Clock, DriverError};
use synqpay_rpc::{ReferenceId, StartTransactionParams, TransactionEvent};
use synqpay_session::{Client, ClientBuffers, ClientConfig, Failure};

use uart::CmsdkUart;

/// What the simulator is started with (`synqpay simulate --otp 123456`).
const SERIAL: &str = "244RKR528387";
const OTP: &str = "123456";
/// mps2-an386: 25 MHz core and peripheral clock; UART0.
const CORE_HZ: u32 = 25_000_000;
const UART0: usize = 0x4000_4000;
const BAUD: u32 = 115_200;
/// getStatus calls timed.
const ROUND_TRIPS: u32 = 20;
const REFERENCE: &str = "uart-sale-1";

static MILLIS: AtomicU32 = AtomicU32::new(0);

#[exception]
fn SysTick() {
    MILLIS.fetch_add(1, Ordering::Relaxed);
}

/// Microseconds since boot, from the SysTick count and its current value.
fn micros() -> u64 {
    loop {
        let ms = MILLIS.load(Ordering::Relaxed);
        let left = SYST::get_current();
        if MILLIS.load(Ordering::Relaxed) == ms {
            let done = (CORE_HZ / 1000 - 1).saturating_sub(left) / (CORE_HZ / 1_000_000);
            return u64::from(ms) * 1000 + u64::from(done);
        }
    }
}

struct SysTickClock;

impl Clock for SysTickClock {
    fn now_ms(&mut self) -> u64 {
        u64::from(MILLIS.load(Ordering::Relaxed))
    }
}

type Driver = BlockingClient<CmsdkUart, SysTickClock, &'static mut [u8], 4>;
type Failed = DriverError<core::convert::Infallible>;

/// What the line did to the calls.
#[derive(Default)]
struct Tally {
    link_errors: u32,
    timeouts: u32,
    dead_links: u32,
    lookups: u32,
}

impl Tally {
    /// Whether a failed call that is not a payment may be sent again; notes why it failed.
    fn retryable(&mut self, client: &mut Driver, e: &Failed) -> bool {
        match e {
            DriverError::Failed(Failure::Link(code)) => {
                hprintln!("    the device answered a link error: {:?}; again", code);
                self.link_errors += 1;
            }
            DriverError::Failed(Failure::Timeout | Failure::NotSent) => {
                hprintln!("    no answer in time; again");
                self.timeouts += 1;
            }
            DriverError::LinkDead => {
                hprintln!("    the line went quiet (no ACK to a KeepAlive); resuming");
                self.dead_links += 1;
                client.connected();
            }
            _ => return false,
        }
        true
    }
}

/// Runs `call` until it succeeds, retrying what the line broke, at most 5 times.
fn retried<T>(
    client: &mut Driver,
    tally: &mut Tally,
    mut call: impl FnMut(&mut Driver) -> Result<T, Failed>,
) -> Result<T, Failed> {
    let mut attempt = 0;
    loop {
        match call(client) {
            Err(e) if attempt < 5 && tally.retryable(client, &e) => attempt += 1,
            done => return done,
        }
    }
}

fn show(event: TransactionEvent<'_>) {
    hprintln!("    event: {}", event.event_type.name());
}

fn run() -> Result<(), &'static str> {
    // SAFETY: UART0 is this firmware's alone.
    let uart = unsafe { CmsdkUart::new(UART0, CORE_HZ, BAUD) };
    let buffers = ClientBuffers {
        rx: &mut singleton!(: [u8; 4096] = [0; 4096]).ok_or("buffers")?[..],
        tx: &mut singleton!(: [u8; 1024] = [0; 1024]).ok_or("buffers")?[..],
        inbox: &mut singleton!(: [u8; 4096] = [0; 4096]).ok_or("buffers")?[..],
    };
    // Short timers, so that a broken line shows within seconds.
    let config = ClientConfig {
        keepalive_interval_ms: 1_000,
        keepalive_deadline_ms: 1_000,
        request_timeout_ms: 2_000,
        transaction_timeout_ms: 8_000,
        // At 115200 Bd a frame's bytes come 87 us apart: 300 ms of silence mid-frame means
        // its end was lost, and the decoder gives it up for the next frame.
        partial_frame_timeout_ms: 300,
    };
    let session: Client<&'static mut [u8], 4> = Client::new(config, buffers);
    let mut client = BlockingClient::new(uart, SysTickClock, session);
    let mut tally = Tally::default();

    hprintln!("pairing with {} over UART0", SERIAL);
    retried(&mut client, &mut tally, |c| c.pair(SERIAL)).map_err(|_| "pair")?;
    let key =
        retried(&mut client, &mut tally, |c| c.authenticate(OTP)).map_err(|_| "authenticate")?;
    hprintln!("  authenticated: key {:?}", key);

    let (mut min, mut max, mut total) = (u64::MAX, 0, 0);
    for _ in 0..ROUND_TRIPS {
        let started = micros();
        retried(&mut client, &mut tally, |c| c.status(|_| ())).map_err(|_| "getStatus")?;
        let took = micros() - started;
        (min, max, total) = (min.min(took), max.max(took), total + took);
    }
    hprintln!(
        "getStatus round trip over the UART, {} calls: min {} us, mean {} us, max {} us",
        ROUND_TRIPS,
        min,
        total / u64::from(ROUND_TRIPS),
        max
    );

    let reference = ReferenceId::new(REFERENCE).map_err(|_| "referenceId")?;
    let params = StartTransactionParams::sale(reference, 12550, 376);
    hprintln!("sale {} of 125.50 ILS", REFERENCE);
    // Sent once, whatever happens.
    let charged = match client.start_transaction(&params, &mut show, |r| r.is_charged()) {
        Ok(Some(charged)) => charged,
        Ok(None) => return Err("a result without a transaction status"),
        Err(e) => {
            hprintln!(
                "  the sale's outcome is unknown ({}); looking it up by referenceId",
                e
            );
            if e == DriverError::LinkDead {
                tally.dead_links += 1;
                client.connected();
            }
            let mut found = None;
            for _ in 0..20 {
                tally.lookups += 1;
                let lookup = client
                    .lookup_transaction(reference, |r| r.transaction.and_then(|t| t.is_charged()));
                match lookup {
                    Ok(Some(charged)) => {
                        found = Some(charged);
                        break;
                    }
                    // Not found yet, or the line broke again: ask again.
                    Ok(None) | Err(DriverError::Rpc(_)) => {}
                    Err(e) if tally.retryable(&mut client, &e) => {}
                    Err(_) => return Err("lookup"),
                }
            }
            found.ok_or("the sale was never found")?
        }
    };
    hprintln!("  charged: {}", charged);
    if !charged {
        return Err("the sale was declined");
    }
    let (stats, link) = client.session().stats();
    hprintln!(
        "line faults seen: {} link errors answered, {} timeouts, {} dead links, {} bad frames \
         received, {} bytes skipped; {} lookups; the sale was sent once",
        tally.link_errors,
        tally.timeouts,
        tally.dead_links,
        stats.bad_frames,
        link.skipped_bytes,
        tally.lookups
    );
    Ok(())
}

#[entry]
fn main() -> ! {
    let Some(mut core) = cortex_m::Peripherals::take() else {
        panic!("the core peripherals were taken before main");
    };
    core.SYST.set_clock_source(SystClkSource::Core);
    core.SYST.set_reload(CORE_HZ / 1000 - 1);
    core.SYST.clear_current();
    core.SYST.enable_counter();
    core.SYST.enable_interrupt();

    let status = match run() {
        Ok(()) => {
            hprintln!("firmware-uart: ok");
            debug::EXIT_SUCCESS
        }
        Err(step) => {
            hprintln!("firmware-uart: FAILED at {}", step);
            debug::EXIT_FAILURE
        }
    };
    debug::exit(status);
    loop {
        cortex_m::asm::wfi();
    }
}
