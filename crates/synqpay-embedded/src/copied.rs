//! Results that leave the call (ours): what firmware keeps of an answer once the session's
//! inbox is reused — the device state, a sale's outcome and its amount — as `Copy` values, so a
//! task can hold them without a closure. Values this version does not know become `None`, so
//! that they borrow nothing (spec/protocol.md §4: unknown enum values are kept; read them with
//! `call` and a closure when they matter).

use synqpay_rpc::{
    DeviceStatus, GetTransactionResult, ResultCode, Status, Transaction, TransactionResult,
    TransactionStatus,
};

/// What `getStatus` said (spec/protocol.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DeviceState {
    /// The state; `None` for one this version does not know.
    pub status: Option<DeviceStatus<'static>>,
    /// Whether `cancel` applies now.
    pub cancelable: bool,
}

impl DeviceState {
    /// What `status` says, copied.
    pub fn of(status: &Status<'_>) -> Self {
        Self {
            status: status.device_status.known(),
            cancelable: status.cancelable,
        }
    }
}

/// What the device recorded for a payment (spec/api.md "TransactionResult"; spec/protocol.md
/// §6: money is judged by `transactionStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SaleOutcome {
    /// Whether the card was charged; `None`: unknown, look the `referenceId` up, never assume
    /// a decline.
    pub charged: Option<bool>,
    /// The `result` (OK, CANCELED, TIMEOUT, HOST_ERROR, ...), when known.
    pub result: Option<ResultCode<'static>>,
    /// The transaction's status, when there is one this version knows.
    pub status: Option<TransactionStatus<'static>>,
    /// The amount the device recorded, in minor units.
    pub amount: Option<i64>,
    /// Whether the device waits for `continueTransaction` (an UPDATE or REFERRAL stop).
    pub awaits_continue: bool,
}

impl SaleOutcome {
    /// What a `startTransaction` or `continueTransaction` answer says, copied.
    pub fn of_result(r: &TransactionResult<'_>) -> Self {
        Self {
            result: r.result.known(),
            awaits_continue: r.awaits_continue(),
            ..Self::of_transaction(r.transaction.as_ref(), r.is_charged())
        }
    }

    /// What a lookup (`getTransaction`) found, copied.
    pub fn of_lookup(r: &GetTransactionResult<'_>) -> Self {
        let charged = r.transaction.as_ref().and_then(Transaction::is_charged);
        Self {
            result: r.transaction_result.and_then(|c| c.known()),
            ..Self::of_transaction(r.transaction.as_ref(), charged)
        }
    }

    fn of_transaction(t: Option<&Transaction<'_>>, charged: Option<bool>) -> Self {
        Self {
            charged,
            result: None,
            status: t.and_then(|t| t.transaction_status).and_then(|s| s.known()),
            amount: t.and_then(|t| t.amount),
            awaits_continue: false,
        }
    }
}
