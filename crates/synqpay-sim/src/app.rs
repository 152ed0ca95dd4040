//! The simulated device's application: what a Synqpay device does with each request
//! (spec/api.md, spec/protocol.md §3 pairing, §5 states, §6 money), on top of the device role of
//! `synqpay-session`.

use synqpay_link::ApiKey;
use synqpay_rpc::{
    Authenticate, Cancel, ContinueTransaction, DecodeError, DeviceInfo, DeviceStatus, EventType,
    GetBatchFileStatus, GetDeviceInfo, GetSettlement, GetStatus, GetTerminalStatus, GetTransaction,
    Method, Pair, QuerySettlements, RawJson, RpcErrorCode, Settlement, StartTransaction, Status,
    TerminalStatus, TerminalStatusResult, Text, TransactionStatus,
};
use synqpay_session::{Device, ReplyTo};

use crate::batch::Settlements;
use crate::outcomes::Outcome;
use crate::prompts::{self, Prompt};
use crate::records::{OwnedRequest, transaction_json};
use crate::system::Settings;

/// How long a pairing code is valid (spec/protocol.md §3).
pub const PAIRING_MS: u64 = 30_000;
/// How long the device waits for `continueTransaction` (spec/protocol.md §5).
pub const CONTINUE_MS: u64 = 60_000;

/// The simulated device's identity and pace.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// The serial number `pair` must name.
    pub serial_number: String,
    /// A fixed pairing code (tests); by default each pairing draws one.
    pub otp: Option<String>,
    /// A key already paired; by default the device must be paired first.
    pub api_key: Option<ApiKey>,
    /// Time between the steps of a transaction (each step may send an event).
    pub step_ms: u64,
    /// How long the device waits for a card before the transaction ends with TIMEOUT (a
    /// device's wait, ours: 30 s).
    pub card_wait_ms: u64,
    /// How long the simulated cardholder takes to answer a prompt (`readCard`, `userInput`,
    /// ...): the default scenario (ours: 1 s).
    pub cardholder_ms: u64,
    /// Keep answers a client could not receive for its return (the device's `cachedResponses`
    /// setting; off, as on a device, until set here or by `setConfig`).
    pub cached_responses: bool,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self {
            serial_number: "244RKR528387".into(),
            otp: None,
            api_key: None,
            step_ms: 300,
            card_wait_ms: 30_000,
            cardholder_ms: 1_000,
            cached_responses: false,
        }
    }
}

pub(crate) type SimDevice = Device<Vec<u8>>;

/// A transaction in progress.
#[derive(Debug, Clone)]
pub(super) struct Running {
    pub(super) reply: ReplyTo,
    pub(super) reference_id: String,
    pub(super) transaction_type: String,
    pub(super) amount: i64,
    pub(super) currency: u16,
    pub(super) events: bool,
    pub(super) outcome: Outcome,
    /// `notifyUpdate`: stop with UPDATE once the card is read; cleared when continued.
    pub(super) update: bool,
    /// The events of its flow, in order.
    pub(super) steps: Vec<EventType<'static>>,
    /// Steps done so far, and when the next one is due.
    pub(super) step: usize,
    pub(super) due: u64,
}

/// What the device is doing (spec/protocol.md §5).
#[derive(Debug, Clone)]
pub(crate) enum State {
    Idle,
    /// `wrong`: codes refused so far (spec/protocol.md §3: the 5th closes the pairing).
    Pairing {
        code: String,
        until: u64,
        wrong: u8,
    },
    Transaction(Running),
    /// Stopped with UPDATE or REFERRAL: the request that started it was answered with the
    /// stop, so nothing answers it again (each request is answered exactly once).
    WaitingContinue {
        running: Running,
        until: u64,
    },
    /// A screen method waits for the cardholder (READ_CARD or PROMPT).
    Prompt(Prompt),
}

/// A transaction the device remembers, for lookups and settlement: as it ran, and its status
/// now (a later VOID, CAPTURE or settlement changes it).
#[derive(Debug, Clone)]
pub(super) struct Stored {
    pub(super) reference_id: String,
    pub(super) transaction_id: String,
    pub(super) running: Running,
    pub(super) status: TransactionStatus<'static>,
    /// When it ran, RFC 3339.
    pub(super) time: String,
    pub(super) settled: bool,
}

impl Stored {
    /// The transaction object as the device reports it now, as JSON text.
    pub(super) fn json(&self) -> String {
        transaction_json(&self.running, &self.transaction_id, &self.time, self.status)
    }
}

/// What the simulated device knows and is doing.
pub struct App {
    pub(crate) config: SimulatorConfig,
    pub(crate) state: State,
    pub(crate) key: Option<ApiKey>,
    pub(crate) stored: Vec<Stored>,
    settlements: Settlements,
    /// Every `referenceId` ever used: unique for the device's lifetime (spec/protocol.md §6).
    pub(crate) references: Vec<String>,
    pub(crate) next_transaction: u64,
    seed: u64,
    settings: Settings,
    /// What the screen shows, for whoever watches it (the demo, tests).
    pub screen: String,
}

impl App {
    /// A device in IDLE.
    pub fn new(config: SimulatorConfig) -> Self {
        let key = config.api_key;
        let cached_responses = config.cached_responses;
        Self {
            config,
            state: State::Idle,
            key,
            stored: Vec::new(),
            settlements: Settlements::default(),
            references: Vec::new(),
            next_transaction: 1,
            // Pairing codes differ from run to run; tests fix theirs with `otp`.
            seed: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0x9e37_79b9_7f4a_7c15, |d| d.as_nanos() as u64 | 1),
            settings: Settings::new(cached_responses),
            screen: "IDLE".into(),
        }
    }

    /// Whether answers a client could not receive are kept for its return.
    pub fn cached_responses(&self) -> bool {
        self.settings.cached_responses()
    }

    /// The key requests must carry.
    pub fn api_key(&self) -> Option<ApiKey> {
        self.key
    }

    fn status(&self) -> DeviceStatus<'static> {
        match self.state {
            State::Idle => DeviceStatus::Idle,
            State::Pairing { .. } => DeviceStatus::Pairing,
            State::Transaction(_) => DeviceStatus::Transaction,
            State::WaitingContinue { .. } => DeviceStatus::WaitingContinueTransaction,
            State::Prompt(ref p) => p.status(),
        }
    }

    pub(crate) fn random(&mut self) -> u64 {
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        self.seed
    }

    /// Serves every request the device has queued.
    pub fn serve(&mut self, now: u64, device: &mut SimDevice) {
        while let Some(request) = device.poll_request() {
            let owned = OwnedRequest::of(&request);
            self.handle(now, device, owned);
        }
        device.set_api_key(self.key);
    }

    /// Moves a transaction in progress on, and ends what has waited too long.
    pub fn tick(&mut self, now: u64, device: &mut SimDevice) {
        match &mut self.state {
            State::Pairing { until, .. } if now > *until => {
                self.state = State::Idle;
                self.screen = "IDLE (pairing code expired)".into();
            }
            State::WaitingContinue { until, .. } if now > *until => {
                // No continueTransaction within 60 s: the device cancels (spec/protocol.md §5).
                // Its request was answered with the stop; nobody waits for more.
                self.state = State::Idle;
                self.screen = "IDLE (continue timed out)".into();
            }
            State::Prompt(prompt) if prompt.due(now) => {
                prompt.finish(now, device);
                self.state = State::Idle;
                self.screen = "IDLE".into();
            }
            State::Transaction(running) if now >= running.due => {
                let step = running.step;
                running.step += 1;
                running.due = now + self.config.step_ms;
                let running = running.clone();
                self.step(now, device, running, step);
            }
            _ => {}
        }
    }

    fn handle(&mut self, now: u64, device: &mut SimDevice, request: OwnedRequest) {
        let reply = request.reply_to;
        let method = request.method.as_str();
        let params = request
            .params
            .as_deref()
            .map(|p| RawJson::parse(p.as_bytes()).ok())
            .unwrap_or(None);
        let idle = matches!(self.state, State::Idle);
        match method {
            GetStatus::NAME => {
                let cancelable = match &self.state {
                    State::Transaction(_) | State::WaitingContinue { .. } => true,
                    State::Prompt(p) => p.cancelable,
                    State::Idle | State::Pairing { .. } => false,
                };
                let _ = device.respond(
                    &reply,
                    &Status {
                        device_status: self.status(),
                        cancelable,
                    },
                );
            }
            GetDeviceInfo::NAME => {
                let time = crate::clock::now_rfc3339();
                let info = DeviceInfo {
                    app_version: Some(Text::new("1.8.2")),
                    brand: Some(Text::new("Synqpay")),
                    model: Some(Text::new("Simulator")),
                    serial_number: Some(Text::new(&self.config.serial_number)),
                    firmware: Some(Text::new(env!("CARGO_PKG_VERSION"))),
                    local_ip: Some(Text::new("127.0.0.1")),
                    ssid: Some(Text::new("simulated")),
                    time: Some(Text::new(&time)),
                };
                let _ = device.respond(&reply, &info);
            }
            GetTerminalStatus::NAME => {
                let result = TerminalStatusResult {
                    terminal_id: Some(Text::new("0881234")),
                    terminal_name: Some(Text::new("קפה הסימולטור")),
                    terminal_status: Some(TerminalStatus::Ready),
                };
                let _ = device.respond(&reply, &result);
            }
            Pair::NAME => self.pair(now, device, reply, params),
            Authenticate::NAME => self.authenticate(now, device, reply, params),
            StartTransaction::NAME => self.start_transaction(now, device, reply, params),
            ContinueTransaction::NAME => self.continue_transaction(now, device, reply, params),
            Cancel::NAME => self.cancel(now, device, reply, params),
            GetTransaction::NAME => self.get_transaction(now, device, reply, params),
            GetBatchFileStatus::NAME => Settlements::batch_status(&self.stored, device, &reply),
            Settlement::NAME => {
                if !idle {
                    return illegal(device, &reply);
                }
                match Settlement::decode_params(params) {
                    Ok(p) if p.host != synqpay_rpc::Host::Shva => host_disabled(device, &reply),
                    Ok(_) => self.settlements.settle(&mut self.stored, device, &reply),
                    Err(e) => invalid_params(device, &reply, &e),
                }
            }
            GetSettlement::NAME => match GetSettlement::decode_params(params) {
                Ok(p) => self.settlements.find(&p, device, &reply),
                Err(e) => invalid_params(device, &reply, &e),
            },
            QuerySettlements::NAME => self.settlements.all(device, &reply),
            // The screen methods need the device IDLE (spec/protocol.md §5); the settings
            // may be read in any state.
            _ if prompts::is_prompt(method) && !idle => illegal(device, &reply),
            _ if prompts::is_prompt(method) => {
                let cardholder_ms = self.config.cardholder_ms;
                match prompts::start(device, reply, method, params, now, cardholder_ms) {
                    Ok(Some(prompt)) => {
                        self.screen = prompt.screen();
                        self.state = State::Prompt(prompt);
                    }
                    Ok(None) => {}
                    Err(e) => invalid_params(device, &reply, &e),
                }
            }
            _ if self.settings.serve(device, &reply, method, params) => {}
            _ => {
                let _ = device.respond_error(
                    &reply,
                    RpcErrorCode::MethodNotFound,
                    "Method not found",
                    None,
                );
            }
        }
    }
}

/// Answers a request whose parameters do not fit: 102 MissingParams when a required member is
/// absent, 103 InvalidParams otherwise, naming what is wrong (spec/protocol.md §4).
pub(crate) fn invalid_params(device: &mut SimDevice, reply: &ReplyTo, e: &DecodeError) {
    let code = if e.is_missing() {
        RpcErrorCode::MissingParams
    } else {
        RpcErrorCode::InvalidParams
    };
    let _ = device.respond_error(reply, code, &e.to_string(), None);
}

/// Answers a request made in the wrong state: 201 IllegalState (spec/protocol.md §5).
pub(crate) fn illegal(device: &mut SimDevice, reply: &ReplyTo) {
    let _ = device.respond_error(reply, RpcErrorCode::IllegalState, "IllegalState", None);
}

/// Answers 103 InvalidParams, saying what is wrong.
pub(crate) fn invalid(device: &mut SimDevice, reply: &ReplyTo, what: &str) {
    let _ = device.respond_error(reply, RpcErrorCode::InvalidParams, what, None);
}

/// Answers 401 HostDisabled: the terminal has no such host (spec/protocol.md §4; ours: the
/// simulated terminal knows SHVA only).
pub(crate) fn host_disabled(device: &mut SimDevice, reply: &ReplyTo) {
    let _ = device.respond_error(reply, RpcErrorCode::HostDisabled, "HostDisabled", None);
}
