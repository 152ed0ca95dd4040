//! The client role alone, with the typed API, through the synqpay-embedded drivers: getStatus and
//! a sale with two events. The far end is canned: the device's frames, encoded on demand, one
//! set per request, so no device code is linked. With `client-tls` the async driver runs over
//! embedded-tls (CA verification): the firmware is built for its size, but the canned peer
//! speaks no TLS, so it is not run.

use synqpay_link::{ApiKey, Decoder, Frame};
use synqpay_rpc::{ReferenceId, StartTransactionParams};
use synqpay_session::{Client, ClientBuffers, ClientConfig};

const KEY: ApiKey = ApiKey::from_bytes([0x12, 0x34, 0xab, 0xcd]);

/// The session's id prefix; the canned answers name its requests `f0070001-1` and `-2`.
const PREFIX: synqpay_rpc::IdPrefix = synqpay_rpc::IdPrefix(0xf007_0001);

/// What the device sends after request 1 (getStatus) and request 2 (startTransaction).
const STATUS: &[u8] =
    br#"{"jsonrpc":"2.0","id":"f0070001-1","result":{"deviceStatus":"IDLE","cancelable":false}}"#;
const WAITING: &[u8] =
    br#"{"jsonrpc":"2.0","method":"transactionEvent","params":{"type":"WAITING_FOR_CARD"}}"#;
const DETECTED: &[u8] =
    br#"{"jsonrpc":"2.0","method":"transactionEvent","params":{"type":"CARD_DETECTED"}}"#;
const SALE: &[u8] = br#"{"jsonrpc":"2.0","id":"f0070001-2","result":{"result":"OK","transaction":{"transactionStatus":"AUTHORIZED","referenceId":"fw-1","amount":12550,"currency":376}}}"#;

static mut BUFFERS: [[u8; 4096]; 5] = [[0; 4096]; 5];

/// The canned device: reads requests, answers each with its frames.
pub struct Canned {
    requests_in: Decoder<&'static mut [u8]>,
    requests: usize,
    wire: &'static mut [u8],
    len: usize,
    at: usize,
}

impl Canned {
    fn reply(&mut self) {
        let frames: &[Frame<'_>] = match self.requests {
            1 => &[Frame::Response { payload: STATUS }],
            2 => &[
                Frame::Event { payload: WAITING },
                Frame::Event { payload: DETECTED },
                Frame::Response { payload: SALE },
            ],
            _ => &[],
        };
        let (mut len, wire) = (0, &mut *self.wire);
        for frame in frames {
            len += frame.encode(&mut wire[len..]).unwrap_or(0);
        }
        (self.len, self.at) = (len, 0);
    }

    fn take_in(&mut self, bytes: &[u8]) -> usize {
        let mut requests = 0;
        self.requests_in.feed(bytes, |frame| {
            requests += usize::from(matches!(frame, Ok(Frame::Request { .. })));
        });
        for _ in 0..requests {
            self.requests += 1;
            self.reply();
        }
        bytes.len()
    }

    fn give_out(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.len - self.at);
        buf[..n].copy_from_slice(&self.wire[self.at..self.at + n]);
        self.at += n;
        n
    }
}

impl embedded_io::ErrorType for Canned {
    type Error = core::convert::Infallible;
}

impl embedded_io::Write for Canned {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        Ok(self.take_in(buf))
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl embedded_io::ReadReady for Canned {
    fn read_ready(&mut self) -> Result<bool, Self::Error> {
        Ok(self.at < self.len)
    }
}

impl embedded_io::Read for Canned {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        Ok(self.give_out(buf))
    }
}

impl embedded_io_async::Write for Canned {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        Ok(self.take_in(buf))
    }
    async fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl embedded_io_async::Read for Canned {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        if self.at == self.len {
            // Nothing comes until the client writes, which it cannot do while this read is
            // pending: wait for the driver's timer to drop this read.
            core::future::pending::<()>().await;
        }
        Ok(self.give_out(buf))
    }
}

/// A clock that moves a millisecond each time it is read.
struct Ticks(u64);

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

fn parts() -> (Canned, Client<&'static mut [u8], 4>) {
    // SAFETY: called once, on one core; each buffer is lent to one owner only.
    let [c_rx, c_tx, c_in, d_rx, d_wire] = unsafe { &mut *core::ptr::addr_of_mut!(BUFFERS) };
    let canned = Canned {
        requests_in: Decoder::new(&mut d_rx[..]),
        requests: 0,
        wire: &mut d_wire[..],
        len: 0,
        at: 0,
    };
    let buffers = ClientBuffers {
        rx: &mut c_rx[..],
        tx: &mut c_tx[..1024],
        inbox: &mut c_in[..],
    };
    let session = Client::new(ClientConfig::default(), buffers, PREFIX).with_api_key(KEY);
    (canned, session)
}

fn sale_params() -> Option<StartTransactionParams<'static>> {
    let reference = ReferenceId::new("fw-1").ok()?;
    Some(StartTransactionParams::sale(reference, synqpay_rpc::Amount::ils(12550)))
}

/// getStatus then a sale, over the blocking driver.
#[cfg(not(feature = "client-async"))]
#[inline(never)]
pub fn work() -> bool {
    let (canned, session) = parts();
    let mut client = synqpay_embedded::BlockingClient::new(canned, Ticks(0), session);
    let Some(params) = sale_params() else {
        return false;
    };
    let idle = client.status(|s| s.device_status == synqpay_rpc::DeviceStatus::Idle);
    let mut events = 0;
    let sale = client.start_transaction(&params, &mut |_| events += 1, |r| r.is_charged());
    idle == Ok(true) && sale == Ok(Some(true)) && events == 2
}

/// getStatus then a sale, over the async driver (and with `client-tls`, over embedded-tls).
#[cfg(feature = "client-async")]
#[inline(never)]
pub fn work() -> bool {
    let (canned, session) = parts();
    embassy_futures::block_on(async move {
        #[cfg(feature = "client-tls")]
        let Some(io) = tls(canned).await else {
            return false;
        };
        #[cfg(not(feature = "client-tls"))]
        let io = canned;
        let mut client = synqpay_embedded::AsyncClient::new(io, Ticks(0), session);
        let Some(params) = sale_params() else {
            return false;
        };
        let idle = client
            .status(|s| s.device_status == synqpay_rpc::DeviceStatus::Idle)
            .await;
        let mut events = 0;
        let sale = client
            .start_transaction(&params, &mut |_| events += 1, |r| r.is_charged())
            .await;
        matches!(idle, Ok(true)) && matches!(sale, Ok(Some(true))) && events == 2
    })
}

/// The TLS handshake over the canned peer, verifying against a CA (a placeholder DER: the
/// firmware is measured, not run).
#[cfg(feature = "client-tls")]
async fn tls(
    canned: Canned,
) -> Option<
    synqpay_embedded::tls::TlsStream<
        'static,
        synqpay_embedded::WholeRecords<Canned, &'static mut [u8]>,
    >,
> {
    use synqpay_embedded::tls::{Verification, connect};
    static mut TLS: [[u8; 4096]; 3] = [[0; 4096]; 3];
    static CA: [u8; 512] = [0x30; 512];
    // SAFETY: called once, on one core.
    let [read, write, record] = unsafe { &mut *core::ptr::addr_of_mut!(TLS) };
    let verification = Verification::Ca {
        der: core::hint::black_box(&CA[..]),
        server_name: "synqpay.local",
    };
    let socket = synqpay_embedded::WholeRecords::new(canned, &mut record[..]);
    connect(
        socket,
        read,
        write,
        verification,
        mps2_an386::rng::NotCryptoRng::new(0x2545_f491),
    )
    .await
    .ok()
}
