//! What the simulated device is doing and what it remembers (spec/protocol.md §5 states, §6 a
//! `referenceId` unique for the device's lifetime): the one place the device's state is declared.

use synqpay_rpc::{DeviceStatus, EventType, TransactionStatus};
use synqpay_session::ReplyTo;
use synqpay_session::terminal::Outcome;

use crate::conditions::{Conditions, Screen};
use crate::hand::Hold;
use crate::prompts::Prompt;

/// A transaction in progress.
#[derive(Debug, Clone)]
pub(crate) struct Running {
    pub(crate) reply: ReplyTo,
    pub(crate) reference_id: String,
    pub(crate) transaction_type: String,
    pub(crate) amount: i64,
    /// The tip asked for (`tipAmount`; 0 without one, or chosen on the tip screen: ours), and
    /// the credit terms: the transaction carries them, with `totalAmount` = amount + tip
    /// (spec/api.md "startTransaction params", "TransactionResult").
    pub(crate) tip: i64,
    pub(crate) credit_terms: Option<String>,
    pub(crate) currency: u16,
    /// `notifyEvents`: the events are sent.
    pub(crate) events: bool,
    pub(crate) outcome: Outcome,
    /// `notifyUpdate` (or a scenario's UPDATE stop): stop with UPDATE once the card is read;
    /// cleared when continued.
    pub(crate) update: bool,
    /// The events of its flow, in order.
    pub(crate) steps: Vec<EventType<'static>>,
    /// Steps done so far, when the next one is due, and the time between steps.
    pub(crate) step: usize,
    pub(crate) due: u64,
    pub(crate) step_ms: u64,
    /// A scenario's dropped connection or reboot at a step (ours, `Scenario`).
    pub(crate) disconnect_at: Option<EventType<'static>>,
    pub(crate) reboot_at: Option<EventType<'static>>,
    /// Deciding by hand: where it waits for a hand, and until when (then it times out as a
    /// device does).
    pub(crate) hold: Option<Hold>,
    pub(crate) hold_until: u64,
}

/// A job the device runs on its own, showing its own state (spec/protocol.md §5: SETTLEMENT;
/// ours: UPLOAD_LOGS for `uploadLogs`, SYSTEM while it reboots).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobKind {
    Settlement,
    UploadLogs,
    System,
}

/// A job under way: whom to answer when it ends (a reboot answered at once), and when.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) kind: JobKind,
    pub(crate) reply: Option<ReplyTo>,
    pub(crate) until: u64,
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
    /// `pair` was accepted right after a pairing closed on wrong codes: the code shows, and
    /// `pair` is answered, at `at` (ours: `SimulatorConfig::pairing_reopen_ms`).
    PairingOpens {
        reply: ReplyTo,
        at: u64,
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
    Job(Job),
}

impl State {
    /// The state `getStatus` reports, given the screen (an idle device whose screen is off or
    /// busy reports that; ours).
    pub(crate) fn status(&self, conditions: &Conditions) -> DeviceStatus<'static> {
        match self {
            Self::Idle => match conditions.screen {
                Screen::On => DeviceStatus::Idle,
                Screen::Off => DeviceStatus::ScreenOff,
                Screen::Busy => DeviceStatus::ScreenBusy,
            },
            Self::Pairing { .. } | Self::PairingOpens { .. } => DeviceStatus::Pairing,
            Self::Transaction(_) => DeviceStatus::Transaction,
            Self::WaitingContinue { .. } => DeviceStatus::WaitingContinueTransaction,
            Self::Prompt(p) => p.status(),
            Self::Job(job) => match job.kind {
                JobKind::Settlement => DeviceStatus::Settlement,
                JobKind::UploadLogs => DeviceStatus::UploadLogs,
                JobKind::System => DeviceStatus::System,
            },
        }
    }

    /// Whether `cancel` applies (getStatus `cancelable`): a transaction, or a prompt sent
    /// cancelable.
    pub(crate) fn cancelable(&self) -> bool {
        match self {
            Self::Transaction(_) | Self::WaitingContinue { .. } => true,
            Self::Prompt(p) => p.cancelable,
            Self::Idle | Self::Pairing { .. } | Self::PairingOpens { .. } | Self::Job(_) => false,
        }
    }
}

/// A transaction the device remembers, for lookups and settlement: as it ran, and its status
/// now (a later VOID, CAPTURE or settlement changes it).
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub(crate) reference_id: String,
    pub(crate) transaction_id: String,
    pub(crate) running: Running,
    pub(crate) status: TransactionStatus<'static>,
    /// When it ran, RFC 3339.
    pub(crate) time: String,
    pub(crate) settled: bool,
}

/// What link the device wants after this turn (ours: a scenario's dropped connection, a reboot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkAction {
    /// Keep the connection.
    Keep,
    /// Close the client's connection; the device runs on.
    Drop,
    /// Close it and forget what was kept for it: the device restarts.
    Reboot,
}
