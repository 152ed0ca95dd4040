//! What the device's ledger records of a transaction (spec/api.md "TransactionResult":
//! `transactionStatus`, `amount`; "Enums": CAPTURED is charged, DECLINED is not), and the
//! simulator's rule for which sales decline (ours).

use synqpay_rpc::TransactionStatus;

/// What happened to the money, as the ledger records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Charged.
    Captured,
    /// Not charged.
    Declined,
    /// No transaction: never run, refused, or cancelled before a card (a lookup says 302).
    NoTransaction,
}

impl Outcome {
    /// The ledger's rule (ours): a multiple of 7 declines.
    pub fn of_amount(amount: i64) -> Self {
        if amount % 7 == 0 {
            Self::Declined
        } else {
            Self::Captured
        }
    }

    /// The outcome a `transactionStatus` names; `None` for one this device never records.
    pub fn of_status(status: &TransactionStatus<'_>) -> Option<Self> {
        match status {
            TransactionStatus::Captured => Some(Self::Captured),
            TransactionStatus::Declined => Some(Self::Declined),
            _ => None,
        }
    }
}

/// A transaction in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// Minor units, as requested.
    pub amount: i64,
    /// CAPTURED or DECLINED.
    pub outcome: Outcome,
}
