//! The rules a terminal plays by, shared by every scripted terminal of the project (the simulator,
//! the embedded loopback terminal, the session tests): which device state each method needs and
//! what it runs in (spec/protocol.md §5), what it needs of the device beyond its state (ours:
//! the screen, the battery, the host), the pairing and continue limits (§3, §5), and how a payment's
//! outcome is picked by its amount (ours: the default scenario).

use synqpay_rpc::{
    Authenticate, Cancel, CaptureSignature, ContinueTransaction, Deposit, DeviceStatus,
    GetBatchFileStatus, GetConfig, GetDeviceInfo, GetSettlement, GetStatus, GetTerminalStatus,
    GetTransaction, Method, Pair, QuerySettlements, ReadCard, Reboot, Restart, RpcErrorCode,
    SetConfig, Settlement, ShowQr, StartTransaction, UploadLogs, UserInput, UserSelection,
};

/// How long a pairing code is valid (spec/protocol.md §3).
pub const PAIRING_MS: u64 = 30_000;
/// Wrong pairing codes after which the pairing closes and its code is void (spec/protocol.md §3).
pub const PAIRING_ATTEMPTS: u8 = 5;
/// How long the device waits for `continueTransaction` before it cancels (spec/protocol.md §5).
pub const CONTINUE_MS: u64 = 60_000;
/// How long a device waits for a card before the transaction ends with TIMEOUT (ours: the spec
/// names the result, spec/protocol.md §4, not the wait).
pub const CARD_WAIT_MS: u64 = 30_000;

/// The state a method needs (spec/protocol.md §5 "needs"; a wrong one is 201 IllegalState).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Needs {
    /// Any state: the method reads and changes nothing that runs (ours, for the methods the
    /// table of §5 does not list).
    Any,
    /// IDLE.
    Idle,
    /// PAIRING, with its code still valid.
    Pairing,
    /// WAITING_FOR_CONTINUE, after an UPDATE or REFERRAL stop.
    WaitingContinue,
    /// A state that can be cancelled (`getStatus` says `cancelable: true`).
    Cancelable,
}

/// What a method needs of the device beyond its state (ours: the spec names the errors, 202,
/// 203, 301, not when a device gives them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Resource {
    /// The screen on and free: 202 ScreenNotReady when it is off or busy.
    Screen,
    /// Enough battery for a job that must not stop half done: 203 InsufficientBattery.
    Battery,
    /// The payment host reachable: 301 HostNotReady.
    Host,
}

impl Resource {
    /// The error a device gives when the resource is missing (spec/protocol.md §4).
    pub const fn error(self) -> RpcErrorCode {
        match self {
            Self::Screen => RpcErrorCode::ScreenNotReady,
            Self::Battery => RpcErrorCode::InsufficientBattery,
            Self::Host => RpcErrorCode::HostNotReady,
        }
    }
}

/// One row of the state table: a method, the state it needs, the state it runs in, and what else
/// it needs.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The method's wire name.
    pub method: &'static str,
    /// The state it needs.
    pub needs: Needs,
    /// The state the device shows while it runs, if it changes the state.
    pub during: Option<DeviceStatus<'static>>,
    /// What else it needs, checked in this order after the state.
    pub resources: &'static [Resource],
}

const fn rule<M: Method>(
    needs: Needs,
    during: Option<DeviceStatus<'static>>,
    resources: &'static [Resource],
) -> Rule {
    Rule {
        method: M::NAME,
        needs,
        during,
        resources,
    }
}

use DeviceStatus as S;
use Resource::{Battery, Host, Screen};

/// Payments: the screen for the cardholder, the battery not to die half way, the host to ask.
const PAYMENT: &[Resource] = &[Screen, Battery, Host];

/// The state table of spec/protocol.md §5, one row per method of spec/api.md. Rows the spec's
/// table does not list are ours: the housekeeping methods need IDLE and show their own state
/// (UPLOAD_LOGS, SYSTEM); the queries run in any state.
pub const RULES: &[Rule] = &[
    rule::<Pair>(Needs::Idle, Some(S::Pairing), &[Screen]),
    rule::<Authenticate>(Needs::Pairing, None, &[]),
    rule::<GetStatus>(Needs::Any, None, &[]),
    rule::<GetDeviceInfo>(Needs::Any, None, &[]),
    rule::<GetTerminalStatus>(Needs::Any, None, &[]),
    rule::<StartTransaction>(Needs::Idle, Some(S::Transaction), PAYMENT),
    rule::<ContinueTransaction>(
        Needs::WaitingContinue,
        Some(S::Transaction),
        &[Screen, Host],
    ),
    rule::<Cancel>(Needs::Cancelable, None, &[]),
    rule::<GetTransaction>(Needs::Idle, None, &[]),
    rule::<GetBatchFileStatus>(Needs::Any, None, &[]),
    rule::<Settlement>(Needs::Idle, Some(S::Settlement), &[Battery, Host]),
    rule::<GetSettlement>(Needs::Any, None, &[]),
    rule::<QuerySettlements>(Needs::Any, None, &[]),
    rule::<Deposit>(Needs::Idle, Some(S::Settlement), &[Battery, Host]),
    rule::<ReadCard>(Needs::Idle, Some(S::ReadCard), &[Screen]),
    rule::<UserInput>(Needs::Idle, Some(S::Prompt), &[Screen]),
    rule::<UserSelection>(Needs::Idle, Some(S::Prompt), &[Screen]),
    rule::<CaptureSignature>(Needs::Idle, Some(S::Prompt), &[Screen]),
    rule::<ShowQr>(Needs::Idle, None, &[Screen]),
    rule::<GetConfig>(Needs::Any, None, &[]),
    rule::<SetConfig>(Needs::Any, None, &[]),
    rule::<UploadLogs>(Needs::Idle, Some(S::UploadLogs), &[Battery]),
    rule::<Reboot>(Needs::Idle, Some(S::System), &[]),
    rule::<Restart>(Needs::Idle, Some(S::System), &[]),
];

/// The rule of the method named `method`, if it is one of spec/api.md's.
pub fn rule_of(method: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.method == method)
}

/// What the simulated card and host do with a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Outcome {
    /// Approved.
    Approve,
    /// Declined by the host.
    Decline,
    /// The host failed to answer: no transaction status, the outcome is to be looked up.
    HostError,
    /// No card: the device waits its whole card wait and answers TIMEOUT.
    Timeout,
    /// The host asks for a voice referral: the device stops with REFERRAL and waits for
    /// `continueTransaction`.
    Referral,
}

impl Outcome {
    /// The outcome for an amount in minor units: the default scenario (ours), so that tests and
    /// demos can ask for each case.
    ///
    /// | amount ends in (minor units) | outcome |
    /// |---|---|
    /// | `01` | declined by the host: `result: OK`, `transactionStatus: DECLINED` |
    /// | `02` | host error: `result: HOST_ERROR`, no transaction status |
    /// | `03` | the card is never presented: `result: TIMEOUT` after the card wait |
    /// | `04` | REFERRAL stop, waiting for `continueTransaction` |
    /// | anything else | approved |
    pub const fn for_amount(amount: i64) -> Self {
        match amount.rem_euclid(100) {
            1 => Self::Decline,
            2 => Self::HostError,
            3 => Self::Timeout,
            4 => Self::Referral,
            _ => Self::Approve,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_pick_outcomes() {
        assert_eq!(Outcome::for_amount(12550), Outcome::Approve);
        assert_eq!(Outcome::for_amount(1001), Outcome::Decline);
        assert_eq!(Outcome::for_amount(1002), Outcome::HostError);
        assert_eq!(Outcome::for_amount(1003), Outcome::Timeout);
        assert_eq!(Outcome::for_amount(1004), Outcome::Referral);
        assert_eq!(Outcome::for_amount(-99), Outcome::Decline);
    }

    #[test]
    fn every_method_of_the_api_has_one_rule() {
        for rule in RULES {
            assert!(
                synqpay_rpc::MethodInfo::by_name(rule.method).is_some(),
                "{}",
                rule.method
            );
            let rows = RULES.iter().filter(|r| r.method == rule.method).count();
            assert_eq!(rows, 1, "{}", rule.method);
        }
        assert_eq!(RULES.len(), 24);
    }

    #[test]
    fn the_spec_table_of_section_5() {
        let needs = |m| rule_of(m).map(|r| r.needs);
        assert_eq!(needs("pair"), Some(Needs::Idle));
        assert_eq!(needs("authenticate"), Some(Needs::Pairing));
        assert_eq!(needs("startTransaction"), Some(Needs::Idle));
        assert_eq!(needs("continueTransaction"), Some(Needs::WaitingContinue));
        assert_eq!(needs("getTransaction"), Some(Needs::Idle));
        assert_eq!(needs("readCard"), Some(Needs::Idle));
        assert_eq!(needs("cancel"), Some(Needs::Cancelable));
        let during = |m| rule_of(m).and_then(|r| r.during);
        assert_eq!(during("settlement"), Some(DeviceStatus::Settlement));
        assert_eq!(during("deposit"), Some(DeviceStatus::Settlement));
        assert_eq!(during("readCard"), Some(DeviceStatus::ReadCard));
        assert_eq!(during("userInput"), Some(DeviceStatus::Prompt));
    }
}
