//! Over the bare UART: the blocking driver. What the line breaks is retried when it is not a
//! payment; a payment whose outcome is unknown is looked up by its referenceId.

use cortex_m_semihosting::hprintln;
use mps2_an386::clock::{SysTickClock, micros};
use mps2_an386::uart::CmsdkUart;
use synqpay_embedded::{BlockingClient, DriverError};
use synqpay_rpc::{ReferenceId, StartTransactionParams};
use synqpay_session::{Client, Failure};

use crate::{OTP, SERIAL, show};

/// getStatus calls timed.
const ROUND_TRIPS: u32 = 20;
const REFERENCE: &str = "uart-sale-1";

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
    /// Whether the call failed on the line (then noted, and the session resumed after a dead
    /// link); such a call may be sent again unless it is a payment.
    fn line_fault(&mut self, client: &mut Driver, e: &Failed) -> bool {
        match e {
            // A query or a command refused with a link Error frame, or one on a payment.
            DriverError::Refused(code) | DriverError::Failed(Failure::Link(code)) => {
                hprintln!("    the device answered a link error: {:?}", code);
                self.link_errors += 1;
            }
            DriverError::Failed(Failure::Timeout | Failure::NotSent) => {
                hprintln!("    no answer in time");
                self.timeouts += 1;
            }
            DriverError::LinkDead | DriverError::Failed(Failure::LinkDead) => {
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
            Err(e) if attempt < 5 && tally.line_fault(client, &e) => attempt += 1,
            done => return done,
        }
    }
}

/// Over the bare UART: the blocking driver, retrying what the line breaks.
pub fn run(uart: CmsdkUart, session: Client<&'static mut [u8], 4>) -> Result<(), &'static str> {
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
    let params = StartTransactionParams::sale(reference, synqpay_rpc::Amount::ils(12550));
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
            tally.line_fault(&mut client, &e);
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
                    Ok(None) | Err(DriverError::Rpc { .. }) => {}
                    Err(e) if tally.line_fault(&mut client, &e) => {}
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
