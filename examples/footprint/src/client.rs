//! The client role alone, with the typed API, through the synqpay-embedded drivers: getStatus and
//! a sale with two events. The far end (src/far_end.rs) is the canned device (src/canned.rs);
//! with `client-tls` the async driver runs over embedded-tls (CA verification) to the in-memory
//! TLS 1.3 peer serving that device (`tls-peer`), or to a stub that speaks no TLS (the build
//! whose flash and RAM are reported).

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
/// The canned device's: requests in, answers out (over TLS the far end keeps its own, and
/// only its run links them).
#[cfg(not(feature = "client-tls"))]
static mut CANNED: [[u8; 4096]; 2] = [[0; 4096]; 2];

#[cfg(not(feature = "client-tls"))]
type Far = crate::canned::Canned;
#[cfg(feature = "client-tls")]
type Far = crate::tls::Far;

/// The far end, in its place (src/far_end.rs), and the client's transport to it.
fn far() -> Link<Far> {
    #[cfg(not(feature = "client-tls"))]
    let far = {
        // SAFETY: called once, on one core; each buffer is lent to one owner only.
        let [rx, wire] = unsafe { &mut *core::ptr::addr_of_mut!(CANNED) };
        crate::far_end::place(Far::new(&mut rx[..], &mut wire[..]))
    };
    #[cfg(feature = "client-tls")]
    let far = crate::tls::far_end();
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

fn sale_params() -> Option<StartTransactionParams<'static>> {
    let reference = ReferenceId::new("fw-1").ok()?;
    Some(StartTransactionParams::sale(
        reference,
        synqpay_rpc::Amount::ils(12550),
    ))
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
#[cfg(feature = "client-async")]
#[inline(never)]
pub fn work() -> bool {
    let link = far();
    // The session is made in the task, once the transport is up: moved in from outside, it
    // would take its room in the future twice (captured, then inside the client), through the
    // TLS handshake too.
    embassy_futures::block_on(async move {
        #[cfg(feature = "client-tls")]
        let Some(io) = tls(link).await else {
            return false;
        };
        #[cfg(not(feature = "client-tls"))]
        let io = link;
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
    })
}

/// The TLS handshake with the far end, verifying it against the test CA.
#[cfg(feature = "client-tls")]
async fn tls(
    link: Link<Far>,
) -> Option<
    synqpay_embedded::tls::TlsStream<
        'static,
        synqpay_embedded::WholeRecords<Link<Far>, &'static mut [u8]>,
    >,
> {
    use synqpay_embedded::tls::{Verification, connect};
    static mut TLS: [[u8; 4096]; 3] = [[0; 4096]; 3];
    // SAFETY: called once, on one core.
    let [read, write, record] = unsafe { &mut *core::ptr::addr_of_mut!(TLS) };
    let verification = Verification::Ca {
        der: crate::tls::CA,
        server_name: crate::tls::SERVER_NAME,
    };
    let socket = synqpay_embedded::WholeRecords::new(link, &mut record[..]);
    let rng = mps2_an386::rng::NotCryptoRng::new(crate::tls::SEED);
    connect(socket, read, write, verification, rng).await.ok()
}
