//! The client role alone, with the typed API, through the synqpay-embedded drivers: getStatus and
//! a sale with two events. The far end (src/far_end.rs) is the canned device (src/canned.rs),
//! with `client-tls` behind embedded-tls (CA verification) and the in-memory TLS 1.3 peer
//! (`tls-peer`); without `peer`, a stub that answers nothing (the build whose flash and RAM are
//! reported).

use synqpay_link::ApiKey;
use synqpay_rpc::{ReferenceId, StartTransactionParams};
use synqpay_session::{Client, ClientBuffers, ClientConfig};

use crate::far_end::Link;
use crate::payloads::KEY_BYTES;

const KEY: ApiKey = ApiKey::from_bytes(KEY_BYTES);

/// The session's id prefix; the canned answers name its requests `f0070001-1` and `-2`.
const PREFIX: synqpay_rpc::IdPrefix = synqpay_rpc::IdPrefix(0xf007_0001);

/// The client's buffers: rx, tx, inbox.
static mut SESSION: [[u8; 4096]; 3] = [[0; 4096]; 3];
/// The canned device's: requests in, answers out (over TLS the far end keeps its own).
#[cfg(all(feature = "peer", not(feature = "client-tls")))]
static mut CANNED: [[u8; 4096]; 2] = [[0; 4096]; 2];

#[cfg(all(feature = "peer", not(feature = "client-tls")))]
type Far = crate::canned::Canned;
#[cfg(feature = "client-tls")]
type Far = crate::tls::Far;
#[cfg(not(any(feature = "peer", feature = "client-tls")))]
type Far = crate::far_end::Stub;

/// The far end, in its place (src/far_end.rs), and the client's transport to it.
fn far() -> Link<Far> {
    #[cfg(all(feature = "peer", not(feature = "client-tls")))]
    let far = {
        // SAFETY: called once, on one core; each buffer is lent to one owner only.
        let [rx, wire] = unsafe { &mut *core::ptr::addr_of_mut!(CANNED) };
        crate::far_end::place(Far::new(&mut rx[..], &mut wire[..]))
    };
    #[cfg(feature = "client-tls")]
    let far = crate::tls::far_end();
    #[cfg(not(any(feature = "peer", feature = "client-tls")))]
    let far = crate::far_end::place(Far::new());
    Link(far)
}

/// The client session, on its buffers.
fn session() -> Client<&'static mut [u8], 4> {
    // SAFETY: called once, on one core; each buffer is lent to one owner only.
    let [rx, tx, inbox] = unsafe { &mut *core::ptr::addr_of_mut!(SESSION) };
    let buffers = ClientBuffers {
        rx: &mut rx[..],
        tx: &mut tx[..1024],
        inbox: &mut inbox[..],
    };
    Client::new(ClientConfig::default(), buffers, PREFIX).with_api_key(KEY)
}

/// The sale's parameters, opaque to the optimizer (`black_box`): a firmware's amount and
/// reference come from its caller at run time, and parameters known at compile time would let
/// the optimizer write part of the request ahead (seen: the blocking row 1.8 KB smaller).
fn sale_params() -> Option<StartTransactionParams<'static>> {
    let reference = ReferenceId::new(core::hint::black_box("fw-1")).ok()?;
    Some(core::hint::black_box(StartTransactionParams::sale(
        reference,
        synqpay_rpc::Amount::ils(core::hint::black_box(12550)),
    )))
}

/// getStatus then a sale, over the blocking driver.
#[cfg(not(feature = "client-async"))]
#[inline(never)]
pub fn work() -> bool {
    let mut client =
        synqpay_embedded::BlockingClient::new(far(), crate::ticks::Ticks(0), session());
    let Some(params) = sale_params() else {
        return false;
    };
    let idle = client.status(|s| s.device_status == synqpay_rpc::DeviceStatus::Idle);
    let mut events = 0;
    let sale = client.start_transaction(&params, &mut |_| events += 1, |r| r.is_charged());
    idle == Ok(true) && sale == Ok(Some(true)) && events == 2
}

/// getStatus then a sale, over the async driver (and with `client-tls`, over embedded-tls).
#[cfg(all(feature = "client-async", not(feature = "client-tls")))]
#[inline(never)]
pub fn work() -> bool {
    let link = far();
    embassy_futures::block_on(async move { sell(link).await })
}

/// The same over embedded-tls: the connection is made in the task and stays there, the
/// handshake runs on it in place, and the client borrows it. (Returned from a function and
/// moved into the client, its 1.3 KB would take that room again in the task's stack frame at
/// each move: 3 KB more stack, through the handshake too.)
#[cfg(feature = "client-tls")]
#[inline(never)]
pub fn work() -> bool {
    use synqpay_embedded::tls::{TlsStream, Verification, open};
    static mut TLS: [[u8; 4096]; 3] = [[0; 4096]; 3];
    // SAFETY: `work` runs once, on one core.
    let [read, write, record] = unsafe { &mut *core::ptr::addr_of_mut!(TLS) };
    let socket = synqpay_embedded::WholeRecords::new(far(), &mut record[..]);
    embassy_futures::block_on(async move {
        let mut tls = TlsStream::new(socket, &mut read[..], &mut write[..]);
        let verification = Verification::Ca {
            der: crate::tls::CA,
            server_name: crate::tls::SERVER_NAME,
        };
        let rng = mps2_an386::rng::NotCryptoRng::new(crate::tls::SEED);
        if open(&mut tls, verification, rng).await.is_err() {
            return false;
        }
        sell(&mut tls).await
    })
}

/// The client's part, in an async fn of its own: the task's future then holds either the
/// handshake or the client, never both. Written inline, the client (live across two awaits)
/// would take a room of its own in the task's future beside the handshake's (rustc lays out a
/// local live across several awaits apart from the others): 2.7 KB more stack through the
/// handshake. The session is made here, once the transport is up, for the same reason.
#[cfg(feature = "client-async")]
async fn sell<T: embedded_io_async::Read + embedded_io_async::Write>(io: T) -> bool {
    let mut client = synqpay_embedded::AsyncClient::new(io, crate::ticks::Ticks(0), session());
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
}
