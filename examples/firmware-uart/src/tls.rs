//! The same client over TLS 1.3 (embedded-tls) to the simulator's TLS port, through the UART:
//! the async driver over `&mut TlsStream<WholeRecords<CmsdkUart>>`, the device verified against
//! the CA whose DER file `SYNQPAY_CA_DER` named at build time, server name `localhost`.

use cortex_m::singleton;
use cortex_m_semihosting::hprintln;
use mps2_an386::clock::{SysTickClock, micros};
use mps2_an386::rng::NotCryptoRng;
use mps2_an386::uart::CmsdkUart;
use synqpay_embedded::tls::{self, TlsStream, Verification};
use synqpay_embedded::{AsyncClient, WholeRecords};
use synqpay_rpc::{DeviceStatus, ReferenceId, StartTransactionParams};
use synqpay_session::Client;

use crate::{OTP, SERIAL, show};

/// The simulator's test CA, DER.
static CA: &[u8] = include_bytes!(env!("SYNQPAY_CA_DER"));
/// The largest TLS record the simulator sends, plus header and tag.
const RECORD: usize = 16_640;

/// Pairs, measures getStatus and sells, all inside TLS.
pub fn run(uart: CmsdkUart, session: Client<&'static mut [u8], 4>) -> Result<(), &'static str> {
    let record = &mut singleton!(: [u8; RECORD] = [0; RECORD]).ok_or("buffers")?[..];
    let read = &mut singleton!(: [u8; RECORD] = [0; RECORD]).ok_or("buffers")?[..];
    let write = &mut singleton!(: [u8; 4096] = [0; 4096]).ok_or("buffers")?[..];
    embassy_futures::block_on(async move {
        let socket = WholeRecords::new(uart, record);
        let verification = Verification::Ca {
            der: CA,
            server_name: "localhost",
        };
        let started = micros();
        // The board has no TRNG: a stand-in, NOT cryptographic (a firmware uses its TRNG).
        let rng = NotCryptoRng::new(0x9e37_79b9 ^ micros() as u32);
        // The connection stays here in the task; the handshake runs on it in place and the
        // client borrows it (each move of its 1.3 KB would cost that much stack again).
        let mut stream = TlsStream::new(socket, read, write);
        tls::open(&mut stream, verification, rng)
            .await
            .map_err(|_| "the TLS handshake")?;
        hprintln!(
            "TLS 1.3 handshake over UART0, CA verified: {} ms",
            (micros() - started) / 1000
        );
        sell(&mut stream, session).await
    })
}

/// Pairs, measures getStatus and sells over the open connection: in an async fn of its own, so
/// the task's future holds the handshake's state or the client's, never both.
async fn sell(
    stream: &mut TlsStream<'_, WholeRecords<CmsdkUart, &'static mut [u8]>>,
    session: Client<&'static mut [u8], 4>,
) -> Result<(), &'static str> {
    let mut client = AsyncClient::new(stream, SysTickClock, session);
    client.pair(SERIAL).await.map_err(|_| "pair")?;
    let key = client.authenticate(OTP).await.map_err(|_| "authenticate")?;
    hprintln!("  authenticated: key {:?}", key);
    let (mut total, calls) = (0, 10u64);
    for _ in 0..calls {
        let t = micros();
        let idle = client
            .status(|s| s.device_status == DeviceStatus::Idle)
            .await;
        idle.map_err(|_| "getStatus")?;
        total += micros() - t;
    }
    hprintln!("getStatus round trip inside TLS: mean {} us", total / calls);
    let reference = ReferenceId::new("uart-tls-1").map_err(|_| "referenceId")?;
    let params = StartTransactionParams::sale(reference, synqpay_rpc::Amount::ils(4250));
    hprintln!("sale uart-tls-1 of 42.50 ILS");
    let charged = client
        .start_transaction(&params, &mut show, |r| r.is_charged())
        .await
        .map_err(|_| "the sale")?;
    hprintln!("  charged: {:?}", charged);
    if charged == Some(true) {
        Ok(())
    } else {
        Err("the sale was not charged")
    }
}
