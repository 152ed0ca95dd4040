//! A Cortex-M4 firmware on embassy (qemu's mps2-an386) that talks to the Synqpay simulator over
//! its UART: embassy-executor's thread-mode executor runs the tasks, embassy-time runs on the
//! board's SysTick (see [`time_driver`]), and `synqpay-embedded`'s async driver speaks the
//! protocol over UART0, which qemu bridges to the simulator's TCP port.
//!
//! The point-of-sale task pairs and authenticates with the code the simulator was started with,
//! runs a sale with events, then a sale whose card never comes (an amount ending in 03) that a
//! second task, the cancel button, cancels once the terminal has asked for the card; it looks
//! both sales up by their referenceId. Prints through semihosting and exits 0 when all went as
//! expected.
//!
//! Run by `scripts/embassy-firmware` (which starts the simulator and qemu).
#![no_std]
#![no_main]
#![deny(unsafe_code)]

mod time_driver;

use core::pin::pin;

use cortex_m::singleton;
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use embassy_executor::{Executor, Spawner};
use embassy_futures::select::{Either, select};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;
use embassy_time::{Instant, Timer};
use mps2_an386::uart::CmsdkUart;
use mps2_an386::{CORE_HZ, UART0, clock};
use panic_semihosting as _;
use synqpay_embedded::{
    Amount, AsyncClock, Cancel, CancelParams, ClientBuffers, ClientConfig, DeviceStatus,
    DriverError, EventType, IdPrefix, ReferenceId, RpcErrorCode, Session, StartTransactionParams,
    StaticAsyncClient, TransactionEvent,
};

/// What the simulator is started with (`synqpay simulate --otp 123456`).
const SERIAL: &str = "244RKR528387";
const OTP: &str = "123456";
/// The line's speed (spec/protocol.md §2).
const BAUD: u32 = 115_200;
/// The sale that goes through, and the one that is cancelled while the terminal waits for a card
/// that never comes (the simulator never presents one for an amount ending in 03).
const SALE: &str = "embassy-sale-1";
const CANCELLED: &str = "embassy-sale-2";
/// How long the cashier takes to press cancel once the terminal asks for the card.
const REACTION_MS: u64 = 400;

/// The driver's clock: embassy-time.
struct EmbassyClock;

impl AsyncClock for EmbassyClock {
    fn now_ms(&mut self) -> u64 {
        Instant::now().as_millis()
    }

    async fn wait_until(&mut self, deadline_ms: u64) {
        Timer::at(Instant::from_millis(deadline_ms)).await;
    }
}

type Client = StaticAsyncClient<CmsdkUart, EmbassyClock>;
type Failed = DriverError<core::convert::Infallible>;

/// The terminal asks for the card of the sale to cancel: the point of sale tells the button.
static CARD_ASKED: Signal<CriticalSectionRawMutex, Instant> = Signal::new();
/// The cashier pressed cancel.
static CANCEL_PRESSED: Signal<CriticalSectionRawMutex, ()> = Signal::new();

/// Where the run stopped, and why.
struct Stop(&'static str, Option<Failed>);

impl Stop {
    fn at(step: &'static str) -> impl FnOnce(Failed) -> Self {
        move |e| Self(step, Some(e))
    }
}

/// The cashier's cancel button: pressed a moment after the terminal asks for the card.
#[embassy_executor::task]
async fn cancel_button() {
    let asked = CARD_ASKED.wait().await;
    Timer::after_millis(REACTION_MS).await;
    hprintln!(
        "  [button] cancel pressed {} ms after the card prompt",
        asked.elapsed().as_millis()
    );
    CANCEL_PRESSED.signal(());
}

/// A member the device may leave out, shown by name.
struct Shown<T>(Option<T>);

impl<T: core::fmt::Display> core::fmt::Display for Shown<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.0 {
            Some(value) => value.fmt(f),
            None => f.write_str("(none)"),
        }
    }
}

fn show(event: TransactionEvent<'_>) {
    hprintln!("    event: {}", event.event_type.name());
}

/// The point of sale, over UART0.
async fn point_of_sale(spawner: Spawner) -> Result<(), Stop> {
    // Allowed: the board crate's constructor is `unsafe` because it takes a UART by address; UART0
    // is used by nothing else in this firmware (semihosting prints through the debugger).
    #[allow(unsafe_code)]
    // SAFETY: UART0 is this firmware's alone.
    let uart = unsafe { CmsdkUart::new(UART0, CORE_HZ, BAUD) };
    let buffers = ClientBuffers {
        rx: &mut singleton!(: [u8; 4096] = [0; 4096]).ok_or(Stop("buffers", None))?[..],
        tx: &mut singleton!(: [u8; 1024] = [0; 1024]).ok_or(Stop("buffers", None))?[..],
        inbox: &mut singleton!(: [u8; 4096] = [0; 4096]).ok_or(Stop("buffers", None))?[..],
    };
    // Short timers, so that a broken line shows within seconds, and a KeepAlive each second
    // (each one an embassy-time timer raced against the UART).
    let config = ClientConfig {
        keepalive_interval_ms: 1_000,
        keepalive_deadline_ms: 2_000,
        request_timeout_ms: 3_000,
        transaction_timeout_ms: 10_000,
        partial_frame_timeout_ms: 300,
        ..ClientConfig::default()
    };
    // A product draws the id prefix from its RNG at each boot (spec/protocol.md §2); this
    // emulated board has none, and each run talks to a fresh simulator.
    let session = Session::new(config, buffers, IdPrefix(0xe3ba_5500));
    let mut client: Client = StaticAsyncClient::new(uart, EmbassyClock, session);

    hprintln!("pairing with {} over UART0", SERIAL);
    client.pair(SERIAL).await.map_err(Stop::at("pair"))?;
    let key = client
        .authenticate(OTP)
        .await
        .map_err(Stop::at("authenticate"))?;
    hprintln!("  authenticated: key {:?}", key);
    idle(&mut client).await?;

    let reference = ReferenceId::new(SALE).map_err(|_| Stop("referenceId", None))?;
    let amount = Amount::ils(12550);
    hprintln!("sale {} of {}", SALE, amount);
    let started = Instant::now();
    let sale = StartTransactionParams::sale(reference, amount);
    let outcome = client
        .sale(&sale, &mut show)
        .await
        .map_err(Stop::at("the sale"))?;
    hprintln!(
        "  {} after {} ms: charged {}",
        Shown(outcome.status),
        started.elapsed().as_millis(),
        Shown(outcome.charged)
    );
    if outcome.charged != Some(true) {
        return Err(Stop("the sale was not charged", None));
    }

    cancelled_sale(&mut client, spawner).await?;
    idle(&mut client).await?;

    hprintln!("lookup {} by referenceId", SALE);
    let found = client
        .look_up(reference)
        .await
        .map_err(Stop::at("the lookup"))?;
    hprintln!(
        "  found: {}, {}, charged {}",
        Shown(found.status),
        Shown(found.amount.map(Amount::ils)),
        Shown(found.charged)
    );
    if found.charged != Some(true) || found.amount != Some(amount.minor_units()) {
        return Err(Stop("the lookup does not show the sale charged", None));
    }
    Ok(())
}

/// A sale that waits for a card that never comes, cancelled from the button task: the sale's
/// future is raced against the button, and once the button wins, `cancel` goes on the same
/// link (spec/protocol.md §2: a cancel travels on the connection that carries the sale).
async fn cancelled_sale(client: &mut Client, spawner: Spawner) -> Result<(), Stop> {
    spawner.spawn(cancel_button().map_err(|_| Stop("spawning the button", None))?);
    let reference = ReferenceId::new(CANCELLED).map_err(|_| Stop("referenceId", None))?;
    let amount = Amount::ils(1003);
    hprintln!(
        "sale {} of {} (no card will come); the button cancels it",
        CANCELLED,
        amount
    );
    let params = StartTransactionParams {
        tip_screen: Some(true),
        ..StartTransactionParams::sale(reference, amount)
    };
    let mut events = 0;
    let mut on_event = |event: TransactionEvent<'_>| {
        events += 1;
        show(event);
        if event.event_type == EventType::WaitingForCard {
            CARD_ASKED.signal(Instant::now());
        }
    };
    let sale = client.sale(&params, &mut on_event);
    match select(sale, CANCEL_PRESSED.wait()).await {
        Either::First(done) => {
            let outcome = done.map_err(Stop::at("the sale to cancel"))?;
            hprintln!("  ended before the button: {:?}", outcome);
            return Err(Stop("the sale to cancel ended by itself", None));
        }
        // The sale's future is dropped at an await point (the UART read, which is cancel-safe):
        // its request stays outstanding in the session, whose answer (CANCELED) the driver
        // drops as a late answer during the next call.
        Either::Second(()) => {}
    }
    hprintln!("  {} events before the button; sending cancel", events);
    let cancel = CancelParams {
        reference_id: reference.text(),
    };
    client
        .call::<Cancel, _>(&cancel, |_| ())
        .await
        .map_err(Stop::at("cancel"))?;
    hprintln!("  cancel answered");

    // Money: only a lookup says what became of a payment whose answer the firmware did not read
    // (spec/protocol.md §6). A sale cancelled before the card is not recorded: 302.
    hprintln!("lookup {} by referenceId", CANCELLED);
    match client.look_up(reference).await {
        Err(DriverError::Rpc {
            code: RpcErrorCode::TransactionNotFound,
            ..
        }) => hprintln!("  not found (302): never charged"),
        Ok(found) if found.charged == Some(false) => {
            hprintln!("  found, not charged: {}", Shown(found.status));
        }
        Ok(found) => {
            hprintln!("  found: {:?}", found);
            return Err(Stop("the cancelled sale may have been charged", None));
        }
        Err(e) => return Err(Stop("the lookup of the cancelled sale", Some(e))),
    }
    // The dropped sale's own answer (CANCELED) came before the lookup's, and the driver let it
    // go as belonging to no call: the session waits for nothing more.
    if client.session().outstanding() != 0 {
        return Err(Stop("the cancelled sale is still outstanding", None));
    }
    hprintln!("  the cancelled sale's own answer came too: nothing outstanding");
    Ok(())
}

/// Checks that the device is idle (getStatus).
async fn idle(client: &mut Client) -> Result<(), Stop> {
    let state = client.device_state().await.map_err(Stop::at("getStatus"))?;
    hprintln!("  device: {}", Shown(state.status));
    if state.status != Some(DeviceStatus::Idle) {
        return Err(Stop("the device is not idle", None));
    }
    Ok(())
}

#[embassy_executor::task]
async fn main_task(spawner: Spawner) {
    hprintln!(
        "embassy-executor (thread mode), embassy-time on SysTick ({} Hz ticks), the async driver over UART0",
        embassy_time::TICK_HZ
    );
    // Pinned where it is, so that awaiting it does not move it into a second copy.
    let run = pin!(point_of_sale(spawner));
    hprintln!(
        "the point of sale's future: {} bytes, in its task's static storage",
        core::mem::size_of_val(&*run)
    );
    let status = match run.await {
        Ok(()) => {
            hprintln!("embassy-firmware: ok");
            debug::EXIT_SUCCESS
        }
        Err(Stop(step, error)) => {
            match error {
                Some(e) => hprintln!("embassy-firmware: FAILED at {}: {}", step, e),
                None => hprintln!("embassy-firmware: FAILED: {}", step),
            }
            debug::EXIT_FAILURE
        }
    };
    if let Some(peak) = mps2_an386::stack::peak() {
        hprintln!(
            "peak stack {} bytes (main, the executor, both tasks' polls, the interrupts)",
            peak
        );
    }
    debug::exit(status);
}

#[entry]
fn main() -> ! {
    let Some(core) = cortex_m::Peripherals::take() else {
        panic!("the core peripherals were taken before main");
    };
    clock::start(core.SYST);
    mps2_an386::stack::paint();
    let Some(executor) = singleton!(: Executor = Executor::new()) else {
        panic!("main ran twice");
    };
    executor.run(|spawner| {
        let Ok(alarm) = time_driver::alarm() else {
            panic!("the alarm task was spawned twice");
        };
        spawner.spawn(alarm);
        let Ok(main) = main_task(spawner) else {
            panic!("the main task was spawned twice");
        };
        spawner.spawn(main);
    })
}
