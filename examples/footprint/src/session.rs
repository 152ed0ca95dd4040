//! A client session and a device session in one firmware, over an in-memory link.

use crate::say::{Piece, say};
use synqpay_link::ApiKey;
use synqpay_rpc::{
    EventType, GetStatus, NoParams, ReferenceId, ResultCode, StartTransaction,
    StartTransactionParams, Status, Transaction, TransactionEvent, TransactionResult,
    TransactionStatus,
};
use synqpay_session::{
    Client, ClientBuffers, ClientConfig, ClientEvent, ClientId, Device, DeviceBuffers, DeviceConfig,
};

const KEY: ApiKey = ApiKey::from_bytes([0x12, 0x34, 0xab, 0xcd]);

pub fn print_sizes() {
    say(&[
        Piece::Text("footprint: size_of Client<4> "),
        Piece::Number(core::mem::size_of::<Client<&'static mut [u8], 4>>()),
        Piece::Text(" bytes, Device "),
        Piece::Number(core::mem::size_of::<Device<&'static mut [u8]>>()),
        Piece::Text(" bytes (buffers are the caller's)"),
    ]);
}

static mut BUFFERS: [[u8; 4096]; 7] = [[0; 4096]; 7];

fn pump(now: u64, client: &mut Client<&mut [u8], 4>, device: &mut Device<&mut [u8]>) {
    while let Some(bytes) = client.poll_transmit() {
        let mut chunk = [0u8; 64];
        let n = bytes.len().min(chunk.len());
        chunk[..n].copy_from_slice(&bytes[..n]);
        client.transmitted(now, n);
        device.handle_input(now, &chunk[..n]);
    }
}

fn deliver(now: u64, device: &mut Device<&mut [u8]>, client: &mut Client<&mut [u8], 4>) {
    while let Some(bytes) = device.poll_transmit() {
        let mut chunk = [0u8; 64];
        let n = bytes.len().min(chunk.len());
        chunk[..n].copy_from_slice(&bytes[..n]);
        device.transmitted(now, n);
        client.handle_input(now, &chunk[..n]);
    }
}

#[inline(never)]
pub fn work() -> bool {
    // SAFETY: `work` runs once, on one core; each buffer is lent to one session only.
    let [c_rx, c_tx, c_in, d_rx, d_tx, d_rq, d_cache] =
        unsafe { &mut *core::ptr::addr_of_mut!(BUFFERS) };
    let mut client: Client<&mut [u8], 4> = Client::new(
        ClientConfig::default(),
        ClientBuffers {
            rx: &mut c_rx[..],
            tx: &mut c_tx[..],
            inbox: &mut c_in[..],
        },
        synqpay_rpc::IdPrefix(0x5e55_1011),
    )
    .with_api_key(KEY);
    let mut device = Device::new(
        DeviceConfig::default(),
        DeviceBuffers {
            rx: &mut d_rx[..],
            tx: &mut d_tx[..],
            requests: &mut d_rq[..],
            cache: &mut d_cache[..],
        },
    );
    device.set_api_key(Some(KEY));
    client.connect(0);
    device.connect(0, ClientId([1; 16]));

    let Ok(status) = client.send::<GetStatus>(0, &NoParams) else {
        return false;
    };
    let Ok(reference) = ReferenceId::new("fw-1") else {
        return false;
    };
    let Ok(sale) = client.start_transaction(
        0,
        &StartTransactionParams::sale(reference, synqpay_rpc::Amount::ils(12550)),
    ) else {
        return false;
    };
    pump(1, &mut client, &mut device);
    let mut sale_reply = None;
    while let Some(request) = device.poll_request() {
        let reply = request.reply_to;
        if request.is::<GetStatus>() {
            let s = Status {
                device_status: synqpay_rpc::DeviceStatus::Idle,
                cancelable: false,
            };
            let _ = device.respond(&reply, &s);
        } else if request.is::<StartTransaction>() {
            sale_reply = Some(reply);
        }
    }
    let Some(reply) = sale_reply else {
        return false;
    };
    for event_type in [EventType::WaitingForCard, EventType::CardDetected] {
        let _ = device.notify("transactionEvent", &TransactionEvent { event_type });
    }
    // The result names its request, as the client checks (spec/protocol.md §6).
    let t = Transaction {
        transaction_status: Some(TransactionStatus::Authorized),
        reference_id: Some(synqpay_rpc::Text::new("fw-1")),
        amount: Some(12550),
        ..Default::default()
    };
    let _ = device.respond(
        &reply,
        &TransactionResult {
            transaction: Some(t),
            ..TransactionResult::new(ResultCode::Ok)
        },
    );
    deliver(2, &mut device, &mut client);

    let (mut status_ok, mut events, mut charged) = (false, 0, false);
    while let Some(event) = client.poll_event() {
        match event {
            ClientEvent::Response { id, payload } if id == status => {
                status_ok = synqpay_session::decode_response::<GetStatus>(payload).is_ok();
            }
            ClientEvent::Response { id, payload } if id == sale => {
                charged = synqpay_session::decode_response::<StartTransaction>(payload)
                    .is_ok_and(|r| r.is_charged() == Some(true));
            }
            ClientEvent::Notification { .. } => events += 1,
            _ => return false,
        }
    }
    status_ok && events == 2 && charged
}
