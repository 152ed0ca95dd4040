//! The scripted terminal: a device-role session with a small script answering its requests, for
//! tests and demos without a device (spec/protocol.md §3 pairing, §4 errors, §5 states, §6
//! money; spec/api.md for the methods and the event). The script is ours; the rules it plays by
//! are [`super::rules`].

use synqpay_link::ApiKey;
use synqpay_rpc::{DeviceStatus, Status};

use super::call::{Call, read};
use super::history::History;
use super::rules::Needs;
use super::sale::Sale;
use crate::{Buffer, Delivery, Device, ReplyTo, RespondError};

/// What the script knows of its terminal (ours).
#[derive(Debug, Clone, Copy)]
pub struct ScriptConfig {
    /// The serial number `pair` must name (spec/protocol.md §3; another one is 103).
    pub serial_number: &'static str,
    /// The code the terminal's screen shows after `pair`, which `authenticate` must give
    /// (spec/protocol.md §3).
    pub code: &'static str,
    /// The key `authenticate` hands out; the device requires it from then on (spec/protocol.md
    /// §3).
    pub key: ApiKey,
    /// The time between two steps of a sale, each of which may send a `transactionEvent`
    /// (spec/api.md "Event"; ours). With 0, a sale moves one step per [`ScriptedTerminal::tick`].
    pub step_ms: u64,
}

/// How the terminal answers (ours: the knobs tests need; spec/protocol.md §6 is what they test).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Mode {
    /// Every request is answered as the script says, and a sale moves on at each
    /// [`ScriptedTerminal::tick`] (spec/api.md `startTransaction`). A new terminal's mode.
    Scripted,
    /// Every request is answered as the script says, except that a sale stays at its start:
    /// no step, no event, no answer until [`ScriptedTerminal::finish_sale`] answers it, when the
    /// test wants: delivered, kept for a client that dropped, or lost with it (spec/protocol.md
    /// §2, §6); or until a `cancel` ends it. The caller sends the events it wants through
    /// [`ScriptedTerminal::device_mut`].
    HoldSales,
    /// Requests are read and none is answered, and nothing runs: a terminal that hangs, whose
    /// silence the client's deadlines must end (spec/protocol.md §6).
    Muted,
}

/// What the terminal is doing (spec/protocol.md §5).
pub(super) enum State {
    /// IDLE.
    Idle,
    /// PAIRING until `until`, with `wrong` codes given so far (spec/protocol.md §3).
    Pairing { until: u64, wrong: u8 },
    /// TRANSACTION: a sale runs.
    Transaction(Sale),
    /// WAITING_CONTINUE_TRANSACTION after a REFERRAL stop, until `until` (spec/protocol.md §5).
    WaitingContinue { sale: Sale, until: u64 },
}

impl State {
    /// Whether a method that needs `needs` may run now (spec/protocol.md §5).
    pub(super) fn meets(&self, needs: Needs) -> bool {
        match needs {
            Needs::Any => true,
            Needs::Idle => matches!(self, Self::Idle),
            Needs::Pairing => matches!(self, Self::Pairing { .. }),
            Needs::WaitingContinue => matches!(self, Self::WaitingContinue { .. }),
            Needs::Cancelable => self.cancelable(),
        }
    }

    /// `cancelable` of `getStatus`: a sale running or waiting for `continueTransaction`.
    fn cancelable(&self) -> bool {
        matches!(self, Self::Transaction(_) | Self::WaitingContinue { .. })
    }

    /// The sale running or waiting for `continueTransaction`.
    pub(super) fn sale(&self) -> Option<&Sale> {
        match self {
            Self::Transaction(sale) | Self::WaitingContinue { sale, .. } => Some(sale),
            Self::Idle | Self::Pairing { .. } => None,
        }
    }
}

/// A payment terminal in memory: a [`Device`] session with a small script answering its
/// requests, driven by the caller's clock (sans-IO: `now` in milliseconds, never read here).
///
/// # The script (ours, on the rules of [`RULES`](super::RULES))
/// - Each request is checked against the state table of spec/protocol.md §5 ([`super::rule_of`]):
///   a wrong state is 201 IllegalState. A method the script does not run (or no method of
///   spec/api.md) is -32601. Parameters are decoded with `synqpay-rpc`'s types: a required
///   member absent is 102 MissingParams, one that does not fit 103 InvalidParams (§4).
/// - `pair` naming [`ScriptConfig::serial_number`] opens a pairing with [`ScriptConfig::code`] for
///   [`super::PAIRING_MS`]; `authenticate` with the code answers [`ScriptConfig::key`] and sets it
///   on the device; a wrong code is 103, and [`super::PAIRING_ATTEMPTS`] of them close the
///   pairing (§3).
/// - `getStatus` answers `{deviceStatus, cancelable}` (§5).
/// - `startTransaction` (a SALE; other types are 103) runs with the outcome
///   [`super::Outcome::for_amount`]: one step per [`ScriptConfig::step_ms`], each sending a
///   `transactionEvent` when the sale asked `notifyEvents`: WAITING_FOR_CARD, CARD_DETECTED,
///   AUTHORIZATION_STARTED; then the answer: approved CAPTURED, DECLINED, `result: HOST_ERROR`
///   without a transaction, or a REFERRAL stop that `continueTransaction` approves within
///   [`super::CONTINUE_MS`]. A card never presented stops after WAITING_FOR_CARD and answers
///   TIMEOUT after [`super::CARD_WAIT_MS`]. A `referenceId` the terminal remembers is 303 (§6).
/// - `cancel` naming the running sale's `referenceId` answers `null`, and the sale then answers
///   CANCELED (spec/api.md `cancel`); another `referenceId` is 302.
/// - `getTransaction` by REF_ID (or LAST_TRANS) finds the approved or declined sales among the
///   last [`HISTORY`](super::HISTORY); anything else is 302 (§6).
pub struct ScriptedTerminal<B: Buffer> {
    pub(super) device: Device<B>,
    pub(super) config: ScriptConfig,
    mode: Mode,
    pub(super) state: State,
    pub(super) history: History,
}

impl<B: Buffer> ScriptedTerminal<B> {
    /// A terminal in IDLE (spec/protocol.md §5) around `device`, which keeps its key, its
    /// clients and its settings.
    pub fn new(device: Device<B>, config: ScriptConfig) -> Self {
        Self {
            device,
            config,
            mode: Mode::Scripted,
            state: State::Idle,
            history: History::default(),
        }
    }

    /// Changes how the terminal answers from now on: a [`Mode`] for each fault a test of
    /// spec/protocol.md §6 needs.
    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    /// What the script knows of its terminal (spec/protocol.md §3: its serial number, code and
    /// key).
    pub fn config(&self) -> &ScriptConfig {
        &self.config
    }

    /// The device session (spec/protocol.md §1–§2): its counters, and what it has to send
    /// ([`Device::poll_transmit`]).
    pub fn device(&self) -> &Device<B> {
        &self.device
    }

    /// The device session, to drive its link (spec/protocol.md §1–§2):
    /// [`Device::handle_input`], [`Device::transmitted`], [`Device::connect`]; or to send an
    /// event of the caller's (spec/api.md "Event").
    pub fn device_mut(&mut self) -> &mut Device<B> {
        &mut self.device
    }

    /// Answers every request the device has queued, as the script says (spec/protocol.md §4,
    /// §5), or reads them and answers nothing ([`Mode::Muted`]). A sale started here takes its
    /// first step at [`ScriptedTerminal::tick`].
    pub fn serve(&mut self, now: u64) {
        self.expire(now);
        while let Some(request) = self.device.poll_request() {
            if self.mode == Mode::Muted {
                continue;
            }
            let reply = request.reply_to;
            let call = read(&request, &self.state, &self.config);
            self.run(now, reply, call);
        }
    }

    /// Moves time on: a pairing or a wait for `continueTransaction` that has run out ends
    /// (spec/protocol.md §3, §5), and a sale due for its next step takes it ([`Mode::Scripted`]
    /// only): one step per call at most. May be called at any time, as often as wanted.
    pub fn tick(&mut self, now: u64) {
        self.expire(now);
        if self.mode == Mode::Scripted {
            self.step(now);
        }
    }

    /// Ends the sale in progress now, whatever its steps left, with its outcome: its answer is
    /// sent (the result, or the REFERRAL stop: spec/api.md "TransactionResult"), as
    /// [`Mode::HoldSales`] needs. `None` when no sale runs; otherwise what became of the answer
    /// (kept for a client that dropped, spec/protocol.md §2, or lost). An answer that does not
    /// fit the transmit buffer leaves the sale running.
    pub fn finish_sale(&mut self, now: u64) -> Option<Result<Delivery, RespondError>> {
        self.answer_sale(now)
    }

    /// The sale in progress (TRANSACTION, or WAITING_CONTINUE_TRANSACTION: spec/protocol.md
    /// §5): its `referenceId` and amount.
    pub fn sale(&self) -> Option<(&str, i64)> {
        self.state.sale().map(|s| (s.reference.as_str(), s.amount))
    }

    /// The sales approved (charged, spec/api.md "Enums") among the last
    /// [`HISTORY`](super::HISTORY), oldest first: their `referenceId`s and amounts.
    pub fn charged(&self) -> impl Iterator<Item = (&str, i64)> {
        self.history.charged()
    }

    /// Ends what has waited too long (spec/protocol.md §3: the pairing code's 30 s; §5: the
    /// 60 s wait for `continueTransaction`, after which the device cancels the sale).
    fn expire(&mut self, now: u64) {
        match &self.state {
            State::Pairing { until, .. } if now > *until => self.state = State::Idle,
            State::WaitingContinue { until, .. } if now > *until => {
                if let State::WaitingContinue { sale, .. } =
                    core::mem::replace(&mut self.state, State::Idle)
                {
                    self.history.remember(&sale, None);
                }
            }
            _ => {}
        }
    }

    /// Runs one request of the script.
    fn run(&mut self, now: u64, reply: ReplyTo, call: Call) {
        match call {
            Call::Refuse(refusal) => self.refuse(&reply, &refusal),
            Call::Status => {
                let status = Status {
                    device_status: self.status(),
                    cancelable: self.state.cancelable(),
                };
                self.answer(&reply, &status);
            }
            Call::Pair => self.pair(now, reply),
            Call::Authenticate(otp) => self.authenticate(reply, otp),
            Call::Start(start) => self.start(now, reply, start),
            Call::Continue => self.continue_sale(reply),
            Call::Cancel(target) => self.cancel(reply, target),
            Call::Lookup(lookup) => self.lookup(reply, &lookup),
        }
    }

    /// `deviceStatus` (spec/protocol.md §5).
    fn status(&self) -> DeviceStatus<'static> {
        match self.state {
            State::Idle => DeviceStatus::Idle,
            State::Pairing { .. } => DeviceStatus::Pairing,
            State::Transaction(_) => DeviceStatus::Transaction,
            State::WaitingContinue { .. } => DeviceStatus::WaitingContinueTransaction,
        }
    }
}
