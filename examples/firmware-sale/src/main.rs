//! A Cortex-M4 firmware (qemu's mps2-an386) that runs the Synqpay client against a payment
//! terminal in the same firmware: `synqpay_embedded::loopback::LoopbackTerminal`, a device-role
//! session with a scripted terminal behind it, over an in-memory `embedded_io` link.
//!
//! The blocking driver pairs, authenticates with the code on the "screen", checks the status,
//! and runs a sale whose events it prints; the async driver (under `embassy_futures::block_on`)
//! runs a second sale and looks both up by their referenceIds. Time is SysTick at 1 kHz
//! (`examples/mps2-an386`, the board support the example firmwares share). Prints
//! through semihosting and exits 0 when every step gave what it should.
//!
//! `cargo run --release` (qemu-system-arm must be installed).
#![no_std]
#![no_main]

use cortex_m::singleton;
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use mps2_an386::clock::{self, SysTickClock};
use panic_semihosting as _;
use synqpay_embedded::loopback::LoopbackTerminal;
use synqpay_embedded::{AsyncClient, BlockingClient};
use synqpay_link::ApiKey;
use synqpay_rpc::{DeviceStatus, ReferenceId, StartTransactionParams, TransactionEvent};
use synqpay_session::{Client, ClientBuffers, ClientConfig, DeviceBuffers};

/// The terminal's serial number and the code its screen shows after `pair`.
const SERIAL: &str = "244RKR528387";
const CODE: &str = "481516";
/// The key the terminal hands out.
const KEY: ApiKey = ApiKey::from_bytes([0x5e, 0xc2, 0xe7, 0x01]);
/// Prints a sale's events as they come.
fn show(event: TransactionEvent<'_>) {
    hprintln!("    event: {}", event.event_type.name());
}

/// Runs every step; the first that does not give what it should is named in the error.
fn run() -> Result<(), &'static str> {
    let device = DeviceBuffers {
        rx: &mut singleton!(: [u8; 2048] = [0; 2048]).ok_or("buffers")?[..],
        tx: &mut singleton!(: [u8; 4096] = [0; 4096]).ok_or("buffers")?[..],
        requests: &mut singleton!(: [u8; 2048] = [0; 2048]).ok_or("buffers")?[..],
        cache: &mut singleton!(: [u8; 2048] = [0; 2048]).ok_or("buffers")?[..],
    };
    let terminal = LoopbackTerminal::new(device, SERIAL, CODE, KEY);
    let buffers = ClientBuffers {
        rx: &mut singleton!(: [u8; 4096] = [0; 4096]).ok_or("buffers")?[..],
        tx: &mut singleton!(: [u8; 1024] = [0; 1024]).ok_or("buffers")?[..],
        inbox: &mut singleton!(: [u8; 4096] = [0; 4096]).ok_or("buffers")?[..],
    };
    let session: Client<&mut [u8], 4> = Client::new(
        ClientConfig::default(),
        buffers,
        synqpay_rpc::IdPrefix(0xf1a5_0001),
    );

    hprintln!("blocking driver:");
    let mut client = BlockingClient::new(terminal, SysTickClock, session);
    client.pair(SERIAL).map_err(|_| "pair")?;
    hprintln!("  paired; the screen shows {}", CODE);
    let key = client.authenticate(CODE).map_err(|_| "authenticate")?;
    if key != KEY {
        return Err("the key handed out");
    }
    hprintln!("  authenticated: key {:?}", key);
    let idle = client
        .status(|s| s.device_status == DeviceStatus::Idle)
        .map_err(|_| "getStatus")?;
    if !idle {
        return Err("the terminal is not IDLE");
    }
    let first = ReferenceId::new("fw-sale-1").map_err(|_| "referenceId")?;
    let params = StartTransactionParams::sale(first, synqpay_rpc::Amount::ils(12550));
    let charged = client
        .start_transaction(&params, &mut show, |r| r.is_charged())
        .map_err(|_| "the first sale")?;
    hprintln!("  sale fw-sale-1 of 125.50 ILS: charged {:?}", charged);
    if charged != Some(true) {
        return Err("the first sale was not charged");
    }

    hprintln!("async driver (embassy_futures::block_on):");
    let (terminal, _, session) = client.into_parts();
    let mut client = AsyncClient::new(terminal, SysTickClock, session);
    let second = ReferenceId::new("fw-sale-2").map_err(|_| "referenceId")?;
    embassy_futures::block_on(async {
        let params = StartTransactionParams::sale(second, synqpay_rpc::Amount::ils(990));
        let charged = client
            .start_transaction(&params, &mut show, |r| r.is_charged())
            .await
            .map_err(|_| "the second sale")?;
        hprintln!("  sale fw-sale-2 of 9.90 ILS: charged {:?}", charged);
        for reference in [first, second] {
            let amount = client
                .lookup_transaction(reference, |r| r.transaction.and_then(|t| t.amount))
                .await
                .map_err(|_| "lookup")?;
            hprintln!("  lookup {}: amount {:?}", reference.as_str(), amount);
            if amount.is_none() {
                return Err("a sale was not found by its referenceId");
            }
        }
        Ok(())
    })?;
    let (terminal, _, _) = client.into_parts();
    let charged = terminal.charged().count();
    hprintln!("the terminal charged {} sales, each once", charged);
    if charged != 2 {
        return Err("the terminal's books");
    }
    Ok(())
}

#[entry]
fn main() -> ! {
    let Some(core) = cortex_m::Peripherals::take() else {
        panic!("the core peripherals were taken before main");
    };
    clock::start(core.SYST);

    let status = match run() {
        Ok(()) => {
            hprintln!("firmware-sale: ok");
            debug::EXIT_SUCCESS
        }
        Err(step) => {
            hprintln!("firmware-sale: FAILED at {}", step);
            debug::EXIT_FAILURE
        }
    };
    debug::exit(status);
    loop {
        cortex_m::asm::wfi();
    }
}
