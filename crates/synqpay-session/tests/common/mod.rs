//! An in-memory link between a client session and a device session, a scripted clock, and the
//! scripted terminal of `synqpay_session::terminal` holding its sales for the scenario tests.
#![allow(dead_code)]

use std::ops::{Deref, DerefMut};

use synqpay_link::ApiKey;
use synqpay_rpc::{EventType, Method, TransactionEvent};
use synqpay_session::terminal::{Mode, ScriptConfig, ScriptedTerminal};
use synqpay_session::{
    Client, ClientBuffers, ClientConfig, ClientEvent, ClientId, Delivery, Device, DeviceBuffers,
    DeviceConfig,
};

pub const KEY: ApiKey = ApiKey::from_bytes([0x12, 0x34, 0xab, 0xcd]);
pub const SERIAL: &str = "244RKR528387";
/// The code the terminal's screen shows after `pair`.
pub const CODE: &str = "123456";
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

/// The script's knowledge of the test terminal: [`SERIAL`], [`CODE`], [`KEY`], a step every
/// 300 ms.
pub fn script() -> ScriptConfig {
    ScriptConfig {
        serial_number: SERIAL,
        code: CODE,
        key: KEY,
        step_ms: 300,
    }
}

/// A device session paired with [`KEY`], caching on.
pub fn device_session() -> Device<Vec<u8>> {
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

/// The device of the scenarios: its session, with the scripted terminal holding each sale until
/// the test finishes it ([`Mode::HoldSales`]). It derefs to the device session, which the tests
/// drive as they would a bare one.
pub struct Terminal(ScriptedTerminal<Vec<u8>>);

/// The scenarios' device: paired with [`KEY`], caching on, sales held.
pub fn device() -> Terminal {
    let mut terminal = ScriptedTerminal::new(device_session(), script());
    terminal.set_mode(Mode::HoldSales);
    Terminal(terminal)
}

impl Deref for Terminal {
    type Target = Device<Vec<u8>>;

    fn deref(&self) -> &Device<Vec<u8>> {
        self.0.device()
    }
}

impl DerefMut for Terminal {
    fn deref_mut(&mut self) -> &mut Device<Vec<u8>> {
        self.0.device_mut()
    }
}

impl Terminal {
    /// Serves every queued request. Sales wait for [`Terminal::finish_sale`].
    pub fn serve(&mut self, now: u64) {
        self.0.serve(now);
    }

    /// Sends a transaction event for the sale in progress.
    pub fn event(&mut self, event_type: EventType<'static>) {
        self.0
            .device_mut()
            .notify("transactionEvent", &TransactionEvent { event_type })
            .unwrap();
    }

    /// Answers the sale in progress with the outcome its amount gives.
    pub fn finish_sale(&mut self, now: u64) -> Delivery {
        let answered = self.0.finish_sale(now).expect("a sale in progress");
        answered.expect("the answer fits the transmit buffer")
    }

    /// The sale in progress: its referenceId and amount.
    pub fn sale(&self) -> Option<(&str, i64)> {
        self.0.sale()
    }

    /// Sales charged: referenceIds and amounts.
    pub fn charged(&self) -> Vec<(String, i64)> {
        self.0.charged().map(|(r, a)| (r.to_string(), a)).collect()
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

/// One exchange both ways, the terminal serving in between.
pub fn exchange(now: u64, client: &mut Client<Vec<u8>, 4>, device: &mut Terminal) {
    client_to_device(now, client, device, usize::MAX);
    device.serve(now);
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
