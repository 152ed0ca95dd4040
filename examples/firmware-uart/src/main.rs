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

#[cfg(not(feature = "tls"))]
mod plain;
#[cfg(feature = "tls")]
mod tls;

use cortex_m::singleton;
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use mps2_an386::uart::CmsdkUart;
use mps2_an386::{CORE_HZ, UART0, clock, stack};
use panic_semihosting as _;
use synqpay_rpc::TransactionEvent;
use synqpay_session::{Client, ClientBuffers, ClientConfig};

/// What the simulator is started with (`synqpay simulate --otp 123456`).
const SERIAL: &str = "244RKR528387";
const OTP: &str = "123456";
/// The line's speed (spec/protocol.md §2).
const BAUD: u32 = 115_200;

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
        ..ClientConfig::default()
    };
    // A product draws the id prefix from its RNG at each boot (spec/protocol.md §2); this
    // emulated board has none, and each run talks to a fresh simulator.
    let prefix = synqpay_rpc::IdPrefix(0xf1a5_0002);
    let session: Client<&'static mut [u8], 4> = Client::new(config, buffers, prefix);
    #[cfg(feature = "tls")]
    return tls::run(uart, session);
    #[cfg(not(feature = "tls"))]
    plain::run(uart, session)
}

#[entry]
fn main() -> ! {
    let Some(core) = cortex_m::Peripherals::take() else {
        panic!("the core peripherals were taken before main");
    };
    clock::start(core.SYST);

    let (result, peak) = stack::measured(run);
    hprintln!("peak stack {} bytes", peak);
    let status = match result {
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
