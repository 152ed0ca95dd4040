//! The same client over TLS 1.3 (embedded-tls) to the simulator's TLS port, through the UART:
//! the async driver over `TlsConnection<WholeRecords<CmsdkUart>>`, the device verified against
//! the CA whose DER file `SYNQPAY_CA_DER` named at build time, server name `localhost`.

use core::sync::atomic::Ordering;
use core::task::Poll;

use cortex_m::singleton;
use cortex_m_semihosting::hprintln;
use synqpay_embedded::tls::{self, Verification};
use synqpay_embedded::{AsyncClient, AsyncClock, WholeRecords};
use synqpay_rpc::{DeviceStatus, ReferenceId, StartTransactionParams};
use synqpay_session::Client;

use crate::uart::CmsdkUart;
use crate::{MILLIS, OTP, SERIAL, micros, show};

/// The simulator's test CA, DER.
static CA: &[u8] = include_bytes!(env!("SYNQPAY_CA_DER"));
/// The largest TLS record the simulator sends, plus header and tag.
const RECORD: usize = 16_640;

struct SysTickClock;

impl AsyncClock for SysTickClock {
    fn now_ms(&mut self) -> u64 {
        u64::from(MILLIS.load(Ordering::Relaxed))
    }

    async fn wait_until(&mut self, deadline_ms: u64) {
        core::future::poll_fn(|cx| {
            if u64::from(MILLIS.load(Ordering::Relaxed)) >= deadline_ms {
                return Poll::Ready(());
            }
            cx.waker().wake_by_ref();
            Poll::Pending
        })
        .await
    }
}

/// NOT a cryptographic RNG: a stand-in for this emulated board, which has none. A firmware
/// gives embedded-tls its hardware TRNG.
struct XorShift(u32);

impl rand_core::RngCore for XorShift {
    fn next_u32(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }
    fn next_u64(&mut self) -> u64 {
        (u64::from(self.next_u32()) << 32) | u64::from(self.next_u32())
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.iter_mut().for_each(|b| *b = self.next_u32() as u8);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for XorShift {}

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
        let rng = XorShift(0x9e37_79b9 ^ micros() as u32);
        let stream = tls::connect(socket, read, write, verification, rng)
            .await
            .map_err(|_| "the TLS handshake")?;
        hprintln!(
            "TLS 1.3 handshake over UART0, CA verified: {} ms",
            (micros() - started) / 1000
        );
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
        let params = StartTransactionParams::sale(reference, 4250, 376);
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
    })
}
