//! The simulated device's application: what a Synqpay device does with each request
//! (spec/api.md, spec/protocol.md §3 pairing, §5 states, §6 money), on top of the device role of
//! `synqpay-session`.

use std::io::Write as _;

use synqpay_link::ApiKey;
use synqpay_rpc::{
    Authenticate, AuthenticateResult, Cancel, CommandStatus, ContinueTransaction, DecodeError,
    DeviceInfo, DeviceStatus, EventType, GetBatchFileStatus, GetDeviceInfo, GetSettlement,
    GetStatus, GetTerminalStatus, GetTransaction, LookupMethod, Method, Null, Pair,
    QuerySettlements, RawJson, ResultCode, RpcErrorCode, Settlement, StartTransaction, Status,
    TerminalStatus, TerminalStatusResult, Text, Transaction, TransactionEvent, TransactionResult,
    TransactionStatus, TransactionType,
};
use synqpay_session::{Device, ReplyTo};

use crate::batch::Settlements;
use crate::outcomes::Outcome;
use crate::prompts;
use crate::records::{Found, OwnedRequest, heapless_terms, transaction_json};
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
            cached_responses: false,
        }
    }
}

type SimDevice = Device<Vec<u8>>;

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
    /// Steps done so far, and when the next one is due.
    pub(super) step: usize,
    pub(super) due: u64,
}

/// Wrong pairing codes after which the pairing is closed (spec/protocol.md §3, ours).
const MAX_WRONG_CODES: u8 = 5;

#[derive(Debug, Clone)]
enum State {
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

/// The status an approved transaction of `kind` ends in (spec/api.md "Member types"): an
/// approved SALE is CAPTURED, an AUTH_ONLY AUTHORIZED (a CAPTURE then makes it CAPTURED), a
/// VOID makes the original VOIDED, a REFUND is a credit (CAPTURED, never "charged"), a BALANCE
/// inquiry INFORMATIVE (ours).
fn approved_status(kind: &TransactionType<'_>) -> TransactionStatus<'static> {
    match kind {
        TransactionType::AuthOnly => TransactionStatus::Authorized,
        TransactionType::Void => TransactionStatus::Voided,
        TransactionType::Balance => TransactionStatus::Informative,
        _ => TransactionStatus::Captured,
    }
}

/// What the simulated device knows and is doing.
pub struct App {
    config: SimulatorConfig,
    state: State,
    key: Option<ApiKey>,
    stored: Vec<Stored>,
    settlements: Settlements,
    /// Every `referenceId` ever used: unique for the device's lifetime (spec/protocol.md §6).
    references: Vec<String>,
    next_transaction: u64,
    seed: u64,
    settings: Settings,
    /// What the screen shows, for whoever watches it (the demo, tests).
    pub screen: String,
}

const STEPS: [EventType<'static>; 4] = [
    EventType::WaitingForCard,
    EventType::CardDetected,
    EventType::PinStarted,
    EventType::AuthorizationStarted,
];

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
        }
    }

    fn random(&mut self) -> u64 {
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

    fn step(&mut self, now: u64, device: &mut SimDevice, running: Running, step: usize) {
        let last_event = match running.outcome {
            Outcome::Timeout => 1,
            Outcome::Referral => STEPS.len(),
            _ => STEPS.len(),
        };
        // After CARD_DETECTED, a transaction that asked `notifyUpdate` stops with UPDATE and
        // waits for `continueTransaction` (spec/api.md "TransactionResult").
        if step == 2 && running.update {
            let result = TransactionResult {
                command_status: Some(CommandStatus::Update),
                allowed_credit_terms: heapless_terms(),
                max_number_installment_payments: Some(12),
                ..TransactionResult::new(ResultCode::Ok)
            };
            let _ = device.respond(&running.reply, &result);
            self.screen = "WAITING FOR CONTINUE (update)".into();
            let running = Running {
                update: false,
                step,
                ..running
            };
            self.state = State::WaitingContinue {
                running,
                until: now + CONTINUE_MS,
            };
            return;
        }
        if step < last_event {
            self.screen = format!("TRANSACTION: {}", STEPS[step]);
            if running.events {
                let _ = device.notify(
                    "transactionEvent",
                    &TransactionEvent {
                        event_type: STEPS[step],
                    },
                );
            }
            return;
        }
        // A card that never comes: the device waits its whole card wait.
        let card_wait_steps = (self.config.card_wait_ms / self.config.step_ms.max(1)) as usize;
        match running.outcome {
            Outcome::Timeout if step < last_event + card_wait_steps => {}
            Outcome::Referral => {
                let result = TransactionResult {
                    command_status: Some(CommandStatus::Referral),
                    ..TransactionResult::new(ResultCode::Ok)
                };
                let _ = device.respond(&running.reply, &result);
                self.screen = "WAITING FOR CONTINUE (referral)".into();
                self.state = State::WaitingContinue {
                    running,
                    until: now + CONTINUE_MS,
                };
            }
            outcome => self.complete(device, running, outcome),
        }
    }

    /// Ends a transaction with `outcome`, answers it, and remembers it.
    fn complete(&mut self, device: &mut SimDevice, running: Running, outcome: Outcome) {
        self.state = State::Idle;
        let kind = TransactionType::from_text(Text::new(&running.transaction_type));
        let (result, status) = match outcome {
            Outcome::Approve | Outcome::Referral => (ResultCode::Ok, Some(approved_status(&kind))),
            Outcome::Decline => (ResultCode::Ok, Some(TransactionStatus::Declined)),
            Outcome::HostError => (ResultCode::HostError, None),
            Outcome::Timeout => (ResultCode::Timeout, None),
        };
        let reply = running.reply;
        // A VOID or CAPTURE names the original, whose record it changes (spec/api.md).
        let original = matches!(kind, TransactionType::Void | TransactionType::Capture)
            .then(|| {
                self.stored
                    .iter()
                    .position(|s| s.reference_id == running.reference_id)
            })
            .flatten();
        let transaction_id = match original {
            Some(i) => self.stored[i].transaction_id.clone(),
            None => format!("2611{:019}", self.next_transaction),
        };
        self.next_transaction += 1;
        let time = crate::clock::now_rfc3339();
        let json = status.map(|s| transaction_json(&running, &transaction_id, &time, s));
        let transaction = json
            .as_deref()
            .and_then(|j| Transaction::from_json(RawJson::parse(j.as_bytes()).ok()?).ok());
        let answer = TransactionResult {
            command_status: Some(CommandStatus::Completed),
            transaction,
            ..TransactionResult::new(result)
        };
        let _ = device.respond(&reply, &answer);
        self.screen = format!(
            "IDLE (last: {} {})",
            running.reference_id,
            status.map_or("not charged".into(), |s| s.to_string())
        );
        match (status, original) {
            (Some(status), Some(i)) if result == ResultCode::Ok => self.stored[i].status = status,
            (Some(status), None) => self.stored.push(Stored {
                reference_id: running.reference_id.clone(),
                transaction_id,
                running,
                status,
                time,
                settled: false,
            }),
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
        let illegal = |device: &mut SimDevice| {
            let _ = device.respond_error(&reply, RpcErrorCode::IllegalState, "IllegalState", None);
        };
        let invalid = |device: &mut SimDevice, what: &str| {
            let _ = device.respond_error(&reply, RpcErrorCode::InvalidParams, what, None);
        };
        let idle = matches!(self.state, State::Idle);
        match method {
            GetStatus::NAME => {
                let cancelable = matches!(
                    self.state,
                    State::Transaction(_) | State::WaitingContinue { .. }
                );
                let _ = device.respond(
                    &reply,
                    &Status {
                        device_status: self.status(),
                        cancelable,
                    },
                );
            }
            GetDeviceInfo::NAME => {
                let info = DeviceInfo {
                    app_version: Some(Text::new("1.8.2")),
                    brand: Some(Text::new("Synqpay")),
                    model: Some(Text::new("Simulator")),
                    serial_number: Some(Text::new(&self.config.serial_number)),
                    firmware: Some(Text::new(env!("CARGO_PKG_VERSION"))),
                    local_ip: Some(Text::new("127.0.0.1")),
                    ssid: Some(Text::new("simulated")),
                    time: Some(Text::new("2026-11-27T10:15:30+02:00")),
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
            Pair::NAME => match Pair::decode_params(params) {
                _ if !idle => illegal(device),
                Ok(p) if p.serial_number == self.config.serial_number.as_str() => {
                    let code = self
                        .config
                        .otp
                        .clone()
                        .unwrap_or_else(|| format!("{:06}", self.random() % 1_000_000));
                    self.screen = format!("PAIRING: code {code}");
                    // Shown on the console as the device shows it on screen; a closed console
                    // must not stop the device.
                    let _ = writeln!(
                        std::io::stdout(),
                        "[device screen] pairing code {code} (valid {} s)",
                        PAIRING_MS / 1000
                    );
                    self.state = State::Pairing {
                        code,
                        until: now + PAIRING_MS,
                        wrong: 0,
                    };
                    let _ = device.respond(&reply, &Null);
                }
                _ => invalid(device, "serialNumber is not this device's"),
            },
            Authenticate::NAME => {
                let State::Pairing { code, until, wrong } = &mut self.state else {
                    return illegal(device);
                };
                if now > *until {
                    return illegal(device);
                }
                match Authenticate::decode_params(params) {
                    Ok(p) if p.otp == code.as_str() => {
                        let key = ApiKey::from_bytes((self.random() as u32).to_be_bytes());
                        self.key = Some(key);
                        self.state = State::Idle;
                        self.screen = "IDLE (paired)".into();
                        let hex = key.expose_hex();
                        let digits = std::str::from_utf8(&hex).unwrap_or("00000000");
                        let _ = device.respond(
                            &reply,
                            &AuthenticateResult {
                                api_key: Text::new(digits),
                            },
                        );
                    }
                    _ => {
                        // Ours (spec/protocol.md §3): after 5 wrong codes the pairing is closed
                        // and the code void, so it cannot be guessed within its 30 s.
                        *wrong += 1;
                        if *wrong >= MAX_WRONG_CODES {
                            self.state = State::Idle;
                            self.screen = "IDLE (pairing closed: too many wrong codes)".into();
                        }
                        invalid(device, "wrong code")
                    }
                }
            }
            StartTransaction::NAME => {
                if !idle {
                    return illegal(device);
                }
                let p = match StartTransaction::decode_params(params) {
                    Ok(p) => p,
                    Err(e) => return invalid_params(device, &reply, &e),
                };
                let reference = p.reference_id.to_string();
                let names_original = matches!(
                    p.transaction_type,
                    TransactionType::Void | TransactionType::Capture
                );
                let mut amount = p.amount.unwrap_or(0);
                if names_original {
                    // VOID and CAPTURE name the original referenceId (spec/api.md): it must be
                    // known (302) and in a status they apply to (304).
                    let Some(original) = self.stored.iter().find(|s| s.reference_id == reference)
                    else {
                        let _ = device.respond_error(
                            &reply,
                            RpcErrorCode::TransactionNotFound,
                            "TransactionNotFound",
                            None,
                        );
                        return;
                    };
                    let applies = match p.transaction_type {
                        TransactionType::Void => matches!(
                            original.status,
                            TransactionStatus::Authorized | TransactionStatus::Captured
                        ),
                        _ => {
                            original.status == TransactionStatus::Authorized
                                && original.running.transaction_type == "AUTH_ONLY"
                        }
                    };
                    if !applies {
                        let _ = device.respond_error(
                            &reply,
                            RpcErrorCode::IllegalTransactionStatus,
                            "IllegalTransactionStatus",
                            None,
                        );
                        return;
                    }
                    amount = original.running.amount;
                } else {
                    if self.references.contains(&reference) {
                        let _ = device.respond_error(
                            &reply,
                            RpcErrorCode::TransactionAlreadyExist,
                            "TransactionAlreadyExist",
                            None,
                        );
                        return;
                    }
                    if p.amount.is_none() {
                        let _ = device.respond_error(
                            &reply,
                            RpcErrorCode::MissingParams,
                            "amount",
                            None,
                        );
                        return;
                    }
                    self.references.push(reference.clone());
                }
                self.screen = format!("TRANSACTION: {reference}");
                self.state = State::Transaction(Running {
                    reply,
                    reference_id: reference,
                    transaction_type: p.transaction_type.name().to_string(),
                    amount,
                    currency: p.currency.unwrap_or(376),
                    events: p.notify_events == Some(true),
                    // A VOID or CAPTURE of a transaction the device holds goes through (ours).
                    outcome: if names_original {
                        Outcome::Approve
                    } else {
                        Outcome::for_amount(amount)
                    },
                    update: p.notify_update == Some(true),
                    step: 0,
                    due: now + self.config.step_ms,
                });
            }
            ContinueTransaction::NAME => {
                let State::WaitingContinue { running, .. } = &self.state else {
                    return illegal(device);
                };
                let mut running = running.clone();
                running.reply = reply;
                if running.outcome == Outcome::Referral {
                    // The voice authorization number settles the referral.
                    return self.complete(device, running, Outcome::Approve);
                }
                // After UPDATE: new terms or amount, then the rest of the steps.
                if let Ok(p) = ContinueTransaction::decode_params(params) {
                    running.amount = p.new_amount.unwrap_or(running.amount);
                }
                running.due = now + self.config.step_ms;
                self.screen = "TRANSACTION: continued".into();
                self.state = State::Transaction(running);
            }
            Cancel::NAME => {
                let (target, answered) = match &self.state {
                    State::Transaction(r) => (r.clone(), false),
                    State::WaitingContinue { running, .. } => (running.clone(), true),
                    _ => return illegal(device),
                };
                // `cancel` names the running request by its referenceId (spec/api.md).
                match Cancel::decode_params(params) {
                    Ok(p) if p.reference_id == target.reference_id.as_str() => {}
                    Ok(_) => {
                        let _ = device.respond_error(
                            &reply,
                            RpcErrorCode::TransactionNotFound,
                            "TransactionNotFound",
                            None,
                        );
                        return;
                    }
                    Err(e) => return invalid_params(device, &reply, &e),
                }
                let _ = device.respond(&reply, &Null);
                self.state = State::Idle;
                self.screen = "IDLE (cancelled)".into();
                // The cancelled request answers too (spec/api.md "cancel"), unless it was
                // answered already with an UPDATE or REFERRAL stop.
                if !answered {
                    let result = TransactionResult {
                        command_status: Some(CommandStatus::Completed),
                        ..TransactionResult::new(ResultCode::Canceled)
                    };
                    let _ = device.respond(&target.reply, &result);
                }
            }
            GetTransaction::NAME => {
                if !idle {
                    return illegal(device);
                }
                let p = match GetTransaction::decode_params(params) {
                    Ok(p) => p,
                    Err(e) => return invalid_params(device, &reply, &e),
                };
                let value = p.lookup_value.map(|v| v.to_string()).unwrap_or_default();
                let found = match p.lookup_method {
                    LookupMethod::RefId => self.stored.iter().find(|s| s.reference_id == value),
                    LookupMethod::TransId => self.stored.iter().find(|s| s.transaction_id == value),
                    LookupMethod::LastTrans => self.stored.last(),
                    LookupMethod::Unknown(_) => return invalid(device, "lookupMethod"),
                };
                let json = found.map(Stored::json);
                match json
                    .as_deref()
                    .and_then(|j| RawJson::parse(j.as_bytes()).ok())
                {
                    Some(transaction) => {
                        let _ = device.respond(
                            &reply,
                            &Found {
                                transaction_result: ResultCode::Ok,
                                transaction,
                            },
                        );
                    }
                    None => {
                        let _ = device.respond_error(
                            &reply,
                            RpcErrorCode::TransactionNotFound,
                            "TransactionNotFound",
                            None,
                        );
                    }
                }
            }
            GetBatchFileStatus::NAME => Settlements::batch_status(&self.stored, device, &reply),
            Settlement::NAME => {
                if !idle {
                    return illegal(device);
                }
                if let Err(e) = Settlement::decode_params(params) {
                    return invalid_params(device, &reply, &e);
                }
                self.settlements.settle(&mut self.stored, device, &reply);
            }
            GetSettlement::NAME => match GetSettlement::decode_params(params) {
                Ok(p) => self.settlements.find(&p, device, &reply),
                Err(e) => invalid_params(device, &reply, &e),
            },
            QuerySettlements::NAME => self.settlements.all(device, &reply),
            // The screen methods need the device IDLE (spec/protocol.md §5); the settings
            // may be read in any state.
            _ if prompts::is_prompt(method) && !idle => illegal(device),
            _ if prompts::serve(device, &reply, method, params) => {}
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
