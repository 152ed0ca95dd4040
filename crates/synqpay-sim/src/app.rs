//! The simulated device's application: what a Synqpay device does with each request
//! (spec/api.md, spec/protocol.md §3 pairing, §5 states, §6 money), on top of the device role of
//! `synqpay-session`. Each request is checked against the state table of §5
//! (`synqpay_session::terminal::RULES`: 201 in a wrong state, then 202/203/301 for what the
//! device lacks), then answered by the one function of its method.

use synqpay_link::ApiKey;
use synqpay_rpc::{
    Authenticate, Cancel, CaptureSignature, ContinueTransaction, Deposit, GetBatchFileStatus,
    GetConfig, GetDeviceInfo, GetSettlement, GetStatus, GetTerminalStatus, GetTransaction, Method,
    Pair, QuerySettlements, RawJson, ReadCard, Reboot, Restart, ResultCode, RpcErrorCode,
    SetConfig, Settlement, ShowQr, StartTransaction, UploadLogs, UserInput, UserSelection,
};
use synqpay_session::terminal::{Needs, Rule, rule_of};
use synqpay_session::{CachedResponses, Device, IncomingRequest, ReplyTo};

use crate::batch::Settlements;
use crate::conditions::Conditions;
use crate::face::LastSale;
use crate::hand::Decide;
use crate::prompts::ShownQr;
use crate::scenario::Scenario;
use crate::state::{LinkAction, State, Stored};
use crate::system::Settings;

pub use synqpay_session::terminal::{CONTINUE_MS, PAIRING_MS};

/// The simulated device's identity, pace and scenario.
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
    /// How long a settlement or a log upload runs, in SETTLEMENT or UPLOAD_LOGS (ours: 1 s).
    pub job_ms: u64,
    /// How long a reboot or restart keeps the device in SYSTEM (ours: 3 s).
    pub reboot_ms: u64,
    /// How long after a pairing closed on 5 wrong codes the next one opens (ours: 5 s, so that
    /// the 6-digit code cannot be guessed by pairing again and again: 5 guesses in 5 s, 12 days
    /// on average for a new code each time). The device is IDLE meanwhile, as spec/protocol.md
    /// §3 says; a `pair` is accepted and answered when its pairing opens.
    pub pairing_reopen_ms: u64,
    /// Keep answers a client could not receive for its return (the device's `cachedResponses`
    /// setting; off, as on a device, until set here or by `setConfig`).
    pub cached_responses: bool,
    /// What the card, the host and the device do (by default the amount decides).
    pub scenario: Scenario,
    /// Write the plain TCP connections to this pcap file, for Wireshark with
    /// `tools/wireshark/synqpay.lua` (ours: `synqpay simulate --pcap FILE`).
    pub pcap: Option<std::path::PathBuf>,
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
            job_ms: 1_000,
            reboot_ms: 3_000,
            pairing_reopen_ms: 5_000,
            cached_responses: false,
            scenario: Scenario::default(),
            pcap: None,
        }
    }
}

pub(crate) type SimDevice = Device<Vec<u8>>;

/// A request copied out of the device's queue, so the device can answer while it is handled.
struct OwnedRequest {
    reply_to: ReplyTo,
    method: String,
    params: Option<String>,
}

impl OwnedRequest {
    fn of(request: &IncomingRequest<'_>) -> Self {
        Self {
            reply_to: request.reply_to,
            method: request.method.to_string(),
            params: request.params.map(|p| p.as_str().to_string()),
        }
    }
}

/// What the simulated device knows and is doing.
pub struct App {
    pub(crate) config: SimulatorConfig,
    pub(crate) state: State,
    pub(crate) key: Option<ApiKey>,
    pub(crate) stored: Vec<Stored>,
    pub(crate) settlements: Settlements,
    /// Every `referenceId` ever used: unique for the device's lifetime (spec/protocol.md §6).
    pub(crate) references: Vec<String>,
    pub(crate) next_transaction: u64,
    seed: u64,
    pub(crate) settings: Settings,
    /// The screen, the battery, the host (ours: set by the scenario or a test).
    pub(crate) conditions: Conditions,
    /// The scenario's changes made so far.
    changes_made: usize,
    /// What the server is to do with the link after this turn.
    pub(crate) link: LinkAction,
    /// What the screen shows, for whoever watches it (the demo, tests).
    pub screen: String,
    /// The pairing code on the screen, while one is.
    pub(crate) pairing_code: Option<String>,
    /// Not before when a pairing opens: one closed on wrong codes (ours).
    pub(crate) pairing_opens_at: u64,
    /// Who decides what the card and the cardholder do (hand.rs).
    pub(crate) decide: Decide,
    /// The code `showQR` put on the screen, until the next screen.
    pub(crate) shown_qr: Option<ShownQr>,
    /// The last sale's outcome, shown on the idle screen.
    pub(crate) last: Option<LastSale>,
}

impl App {
    /// A device in IDLE.
    pub fn new(config: SimulatorConfig) -> Self {
        let key = config.api_key;
        let cached_responses = config.cached_responses;
        let conditions = config.scenario.device;
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
            settings: Settings::new(if cached_responses {
                CachedResponses::On
            } else {
                CachedResponses::Off
            }),
            conditions,
            changes_made: 0,
            link: LinkAction::Keep,
            screen: "IDLE".into(),
            pairing_code: None,
            pairing_opens_at: 0,
            decide: Decide::Scenario,
            shown_qr: None,
            last: None,
        }
    }

    /// Whether answers a client could not receive are kept for its return.
    pub fn cached_responses(&self) -> CachedResponses {
        self.settings.cached_responses()
    }

    /// The key requests must carry.
    pub fn api_key(&self) -> Option<ApiKey> {
        self.key
    }

    /// The pairing code on the screen, while one is (spec/protocol.md §3).
    pub fn pairing_code(&self) -> Option<&str> {
        self.pairing_code.as_deref()
    }

    /// The state `getStatus` reports now (spec/protocol.md §5).
    pub fn device_status(&self) -> synqpay_rpc::DeviceStatus<'static> {
        self.state.status(&self.conditions)
    }

    /// The device's surroundings now.
    pub fn conditions(&self) -> Conditions {
        self.conditions
    }

    /// Changes the device's surroundings (a test, or whoever plays the world around it).
    pub fn set_conditions(&mut self, conditions: Conditions) {
        self.conditions = conditions;
    }

    /// What the server is to do with the link after this turn; asking clears it.
    pub fn take_link_action(&mut self) -> LinkAction {
        core::mem::replace(&mut self.link, LinkAction::Keep)
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

    /// Moves what runs on, ends what has waited too long, and makes the scenario's changes
    /// that are due.
    pub fn tick(&mut self, now: u64, device: &mut SimDevice) {
        while let Some(change) = self.config.scenario.changes.get(self.changes_made)
            && now >= change.after_ms
        {
            self.conditions = change.apply(self.conditions);
            self.changes_made += 1;
        }
        match &mut self.state {
            State::Pairing { until, .. } if now > *until => {
                self.become_idle("IDLE (pairing code expired)");
            }
            State::PairingOpens { reply, at } if now >= *at => {
                let reply = *reply;
                self.open_pairing(now, device, &reply);
            }
            State::WaitingContinue { until, .. } if now > *until => {
                // No continueTransaction within 60 s: the device cancels (spec/protocol.md §5).
                // Its request was answered with the stop; nobody waits for more.
                self.become_idle("IDLE (continue timed out)");
            }
            State::Prompt(prompt) if prompt.due(now) => {
                prompt.finish(now, device);
                self.become_idle("IDLE");
            }
            // By hand: a card or a PIN that does not come in the device's wait times out.
            State::Transaction(running) if running.hold.is_some() && now >= running.hold_until => {
                let running = running.clone();
                self.end_without_charge(device, running, ResultCode::Timeout);
            }
            State::Transaction(running) if running.hold.is_some() => {}
            State::Transaction(running) if now >= running.due => {
                let step = running.step;
                running.step += 1;
                running.due = now + running.step_ms;
                let running = running.clone();
                self.step(now, device, running, step);
            }
            State::Job(job) if now >= job.until => {
                let job = job.clone();
                self.finish_job(device, job);
            }
            _ => {}
        }
    }

    /// Back to IDLE, saying why on the screen.
    pub(crate) fn become_idle(&mut self, screen: &str) {
        self.state = State::Idle;
        self.pairing_code = None;
        self.shown_qr = None;
        self.screen = screen.into();
    }

    /// Whether the state is one `needs` allows (spec/protocol.md §5).
    fn allows(&self, needs: Needs) -> bool {
        match needs {
            Needs::Any => true,
            Needs::Idle => matches!(self.state, State::Idle),
            Needs::Pairing => matches!(self.state, State::Pairing { .. }),
            Needs::WaitingContinue => matches!(self.state, State::WaitingContinue { .. }),
            Needs::Cancelable => self.state.cancelable(),
        }
    }

    /// Checks a request against its rule: the error to answer, if any.
    fn refusal(&self, rule: &Rule) -> Option<RpcErrorCode> {
        if !self.allows(rule.needs) {
            return Some(RpcErrorCode::IllegalState);
        }
        rule.resources
            .iter()
            .find(|r| self.conditions.lacks(**r))
            .map(|r| r.error())
    }

    fn handle(&mut self, now: u64, device: &mut SimDevice, request: OwnedRequest) {
        let reply = request.reply_to;
        let method = request.method.as_str();
        let params = request
            .params
            .as_deref()
            .and_then(|p| RawJson::parse(p.as_bytes()).ok());
        let Some(rule) = rule_of(method) else {
            let code = RpcErrorCode::MethodNotFound;
            let _ = device.respond_error(&reply, code, "Method not found", None);
            return;
        };
        if let Some(code) = self.refusal(rule) {
            let _ = device.respond_error(&reply, code, code.name(), None);
            return;
        }
        match method {
            GetStatus::NAME => self.get_status(device, reply),
            GetDeviceInfo::NAME => self.get_device_info(device, reply),
            GetTerminalStatus::NAME => self.get_terminal_status(device, reply),
            Pair::NAME => self.pair(now, device, reply, params),
            Authenticate::NAME => self.authenticate(now, device, reply, params),
            StartTransaction::NAME => self.start_transaction(now, device, reply, params),
            ContinueTransaction::NAME => self.continue_transaction(now, device, reply, params),
            Cancel::NAME => self.cancel(device, reply, params),
            GetTransaction::NAME => self.get_transaction(device, reply, params),
            GetBatchFileStatus::NAME => Settlements::batch_status(&self.stored, device, &reply),
            Settlement::NAME => self.settlement(now, device, reply, params),
            GetSettlement::NAME => self.get_settlement(device, reply, params),
            QuerySettlements::NAME => self.settlements.all(device, &reply),
            Deposit::NAME => self.deposit(device, reply, params),
            ReadCard::NAME
            | UserInput::NAME
            | UserSelection::NAME
            | CaptureSignature::NAME
            | ShowQr::NAME => self.prompt(now, device, reply, method, params),
            GetConfig::NAME => self.get_config(device, reply),
            SetConfig::NAME => self.set_config(device, reply, params),
            UploadLogs::NAME => self.upload_logs(now, device, reply),
            Reboot::NAME | Restart::NAME => self.reboot(now, device, reply),
            // Every method of RULES has its arm above (a test sends each).
            _ => {
                let code = RpcErrorCode::MethodNotFound;
                let _ = device.respond_error(&reply, code, "Method not found", None);
            }
        }
    }
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

/// Answers an error with its code's name as the message.
pub(crate) fn refuse(device: &mut SimDevice, reply: &ReplyTo, code: RpcErrorCode) {
    let _ = device.respond_error(reply, code, code.name(), None);
}
