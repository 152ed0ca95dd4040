//! An in-memory link between a client session and a device session, a scripted clock, and a small
//! device application, for the scenario tests.
#![allow(dead_code)]

use synqpay_link::ApiKey;
use synqpay_rpc::{
    Authenticate, AuthenticateResult, EventType, GetStatus, GetTransaction, GetTransactionResult,
    Method, Null, Pair, ResultCode, StartTransaction, Status, Text, Transaction, TransactionEvent,
    TransactionResult, TransactionStatus,
};
use synqpay_session::{
    Client, ClientBuffers, ClientConfig, ClientEvent, ClientId, Device, DeviceBuffers,
    DeviceConfig, ReplyTo,
};

pub const KEY: ApiKey = ApiKey::from_bytes([0x12, 0x34, 0xab, 0xcd]);
pub const SERIAL: &str = "244RKR528387";
pub const A: ClientId = ClientId([1; 16]);
pub const B: ClientId = ClientId([2; 16]);

fn buffer(n: usize) -> Vec<u8> {
    vec![0u8; n]
}

pub fn client(config: ClientConfig) -> Client<Vec<u8>, 4> {
    client_with_prefix(config, synqpay_rpc::IdPrefix(0x7e57_0001))
}

/// A client session with its own id prefix: another process of the same app.
pub fn client_with_prefix(
    config: ClientConfig,
    prefix: synqpay_rpc::IdPrefix,
) -> Client<Vec<u8>, 4> {
    Client::new(
        config,
        ClientBuffers {
            rx: buffer(4096),
            tx: buffer(2048),
            inbox: buffer(8192),
        },
        prefix,
    )
}

pub fn device() -> Device<Vec<u8>> {
    // These scenarios exercise the cache: on, as `setConfig {"cachedResponses": true}` does.
    let mut d = Device::new(
        DeviceConfig {
            cached_responses: true,
            ..DeviceConfig::default()
        },
        DeviceBuffers {
            rx: buffer(4096),
            tx: buffer(8192),
            requests: buffer(4096),
            cache: buffer(8192),
        },
    );
    d.set_api_key(Some(KEY));
    d
}

/// What the test device application is doing.
#[derive(Debug, Default)]
pub struct App {
    /// The open pairing: the code and when it expires.
    pub pairing: Option<(&'static str, u64)>,
    /// A sale waiting to be answered: its reply id and referenceId.
    pub sale: Option<(ReplyTo, heapless::String<64>, i64)>,
    /// Sales completed: referenceIds and amounts.
    pub charged: Vec<(String, i64)>,
    /// Requests seen, by method.
    pub seen: Vec<String>,
}

impl App {
    /// Serves every queued request. Sales wait for [`App::finish_sale`].
    pub fn serve(&mut self, now: u64, device: &mut Device<Vec<u8>>) {
        while let Some(request) = device.poll_request() {
            let reply = request.reply_to;
            self.seen.push(request.method.to_string());
            if request.is::<GetStatus>() {
                let status = Status {
                    device_status: synqpay_rpc::DeviceStatus::Idle,
                    cancelable: false,
                };
                device.respond(&reply, &status).unwrap();
            } else if request.is::<Pair>() {
                let ok = request
                    .params::<Pair>()
                    .is_ok_and(|p| p.serial_number == SERIAL);
                if ok {
                    self.pairing = Some(("123456", now + 30_000));
                    device.respond(&reply, &Null).unwrap();
                } else {
                    device
                        .respond_error(
                            &reply,
                            synqpay_rpc::RpcErrorCode::InvalidParams,
                            "wrong serial",
                            None,
                        )
                        .unwrap();
                }
            } else if request.is::<Authenticate>() {
                let otp = request
                    .params::<Authenticate>()
                    .map(|p| p.otp.to_string())
                    .unwrap_or_default();
                match self.pairing.take() {
                    Some((code, until)) if now <= until && otp == code => {
                        device
                            .respond(
                                &reply,
                                &AuthenticateResult {
                                    api_key: Text::new("1234abcd"),
                                },
                            )
                            .unwrap();
                    }
                    Some((code, until)) if now <= until => {
                        self.pairing = Some((code, until));
                        device
                            .respond_error(
                                &reply,
                                synqpay_rpc::RpcErrorCode::InvalidParams,
                                "wrong code",
                                None,
                            )
                            .unwrap();
                    }
                    _ => {
                        device
                            .respond_error(
                                &reply,
                                synqpay_rpc::RpcErrorCode::IllegalState,
                                "no pairing",
                                None,
                            )
                            .unwrap();
                    }
                }
            } else if request.is::<StartTransaction>() {
                let params = request.params::<StartTransaction>().unwrap();
                let mut reference = heapless::String::new();
                for c in params.reference_id.chars() {
                    reference.push(c).unwrap();
                }
                self.sale = Some((reply, reference, params.amount.unwrap_or(0)));
            } else if request.is::<GetTransaction>() {
                let wanted = request
                    .params::<GetTransaction>()
                    .unwrap()
                    .lookup_value
                    .map(|v| v.to_string());
                let found = self
                    .charged
                    .iter()
                    .find(|(r, _)| Some(r) == wanted.as_ref());
                if let Some((reference, amount)) = found {
                    let t = Transaction {
                        transaction_status: Some(TransactionStatus::Captured),
                        reference_id: Some(Text::new(reference)),
                        amount: Some(*amount),
                        ..Default::default()
                    };
                    let r = GetTransactionResult {
                        transaction_result: Some(ResultCode::Ok),
                        transaction: Some(t),
                    };
                    device.respond(&reply, &r).unwrap();
                } else {
                    device
                        .respond_error(
                            &reply,
                            synqpay_rpc::RpcErrorCode::TransactionNotFound,
                            "not found",
                            None,
                        )
                        .unwrap();
                }
            } else {
                device
                    .respond_error(
                        &reply,
                        synqpay_rpc::RpcErrorCode::MethodNotFound,
                        "no such method",
                        None,
                    )
                    .unwrap();
            }
        }
    }

    /// Sends a transaction event for the sale in progress.
    pub fn event(&self, device: &mut Device<Vec<u8>>, event_type: EventType<'static>) {
        device
            .notify("transactionEvent", &TransactionEvent { event_type })
            .unwrap();
    }

    /// Answers the sale in progress: approved.
    pub fn finish_sale(&mut self, device: &mut Device<Vec<u8>>) -> synqpay_session::Delivery {
        let (reply, reference, amount) = self.sale.take().expect("a sale in progress");
        self.charged.push((reference.to_string(), amount));
        let t = Transaction {
            transaction_status: Some(TransactionStatus::Captured),
            reference_id: Some(Text::new(&reference)),
            amount: Some(amount),
            ..Default::default()
        };
        let r = TransactionResult {
            transaction: Some(t),
            ..TransactionResult::new(ResultCode::Ok)
        };
        device.respond(&reply, &r).unwrap()
    }
}

/// Moves what the client has to send to the device, in chunks of `chunk` bytes.
pub fn client_to_device(
    now: u64,
    client: &mut Client<Vec<u8>, 4>,
    device: &mut Device<Vec<u8>>,
    chunk: usize,
) -> usize {
    let mut moved = 0;
    while let Some(bytes) = client.poll_transmit() {
        let n = bytes.len().min(chunk);
        let piece = bytes[..n].to_vec();
        client.transmitted(now, n);
        device.handle_input(now, &piece);
        moved += n;
    }
    moved
}

/// Moves what the device has to send to the client, in chunks of `chunk` bytes.
pub fn device_to_client(
    now: u64,
    device: &mut Device<Vec<u8>>,
    client: &mut Client<Vec<u8>, 4>,
    chunk: usize,
) -> usize {
    let mut moved = 0;
    while let Some(bytes) = device.poll_transmit() {
        let n = bytes.len().min(chunk);
        let piece = bytes[..n].to_vec();
        device.transmitted(now, n);
        client.handle_input(now, &piece);
        moved += n;
    }
    moved
}

/// Takes what the device has to send, without delivering it.
pub fn drain_device(now: u64, device: &mut Device<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(bytes) = device.poll_transmit() {
        out.extend_from_slice(bytes);
        let n = bytes.len();
        device.transmitted(now, n);
    }
    out
}

/// One exchange both ways, the device app serving in between.
pub fn exchange(
    now: u64,
    client: &mut Client<Vec<u8>, 4>,
    device: &mut Device<Vec<u8>>,
    app: &mut App,
) {
    client_to_device(now, client, device, usize::MAX);
    app.serve(now, device);
    device_to_client(now, device, client, usize::MAX);
}

/// The client's events, owned.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    Response(u32, String),
    Failed(u32, synqpay_session::Failure, Option<String>),
    Notification(String),
    Late(u32, String),
    Unsolicited(String),
    LinkDead,
    LinkError(synqpay_link::ErrorCode),
    Overflow(u32),
}

pub fn events(client: &mut Client<Vec<u8>, 4>) -> Vec<Seen> {
    let text = |p: &[u8]| String::from_utf8_lossy(p).into_owned();
    let mut out = Vec::new();
    while let Some(e) = client.poll_event() {
        out.push(match e {
            ClientEvent::Response { id, payload } => Seen::Response(id.0, text(payload)),
            ClientEvent::Failed {
                id,
                failure,
                reference_id,
            } => Seen::Failed(id.0, failure, reference_id.map(String::from)),
            ClientEvent::Notification { payload } => Seen::Notification(text(payload)),
            ClientEvent::LateResponse { id, payload } => Seen::Late(id.0, text(payload)),
            ClientEvent::Unsolicited { payload } => Seen::Unsolicited(text(payload)),
            ClientEvent::LinkDead => Seen::LinkDead,
            ClientEvent::LinkError(code) => Seen::LinkError(code),
            ClientEvent::Overflow { lost } => Seen::Overflow(lost),
        });
    }
    out
}

/// The typed output of a response seen by the test.
pub fn output_of<M: Method>(payload: &str) -> M::Output<'_> {
    synqpay_session::decode_response::<M>(payload.as_bytes()).expect("a typed result")
}
