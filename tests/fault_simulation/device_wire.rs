//! The device application's wire side: requests read into owned values, and answers written
//! as the documented results (spec/api.md "Methods": startTransaction's TransactionResult with
//! its `transaction` object, getTransaction's `{transactionResult, transaction}`, getStatus's
//! `{deviceStatus, cancelable}`, cancel's `null`; spec/protocol.md §4 error codes).

use synqpay_rpc::{
    Cancel, CommandStatus, DeviceStatus, GetStatus, GetTransaction, GetTransactionResult,
    LookupMethod, Null, ResultCode, RpcErrorCode, StartTransaction, Status, Text, Transaction,
    TransactionResult, TransactionStatus, TransactionType,
};
use synqpay_session::{Delivery, Device, IncomingRequest, ReplyTo, RespondError};

use crate::device::{Outcome, Recorded};

/// A request, read into owned values so the session can be borrowed again to answer it.
pub enum Req {
    Sale {
        reference: String,
        amount: i64,
        events: bool,
    },
    Lookup(Option<String>),
    Status,
    Cancel(String),
    BadParams,
    Unknown,
}

/// An answer waiting to be handed to the session (kept while its transmit buffer is full).
pub enum Out {
    Status {
        running: bool,
    },
    Sale {
        reference: String,
        amount: i64,
        outcome: Option<Outcome>,
    },
    Found {
        reference: String,
        recorded: Recorded,
    },
    Null,
    Error(RpcErrorCode, &'static str),
}

/// Hands one answer to the session.
pub fn respond(
    session: &mut Device<Vec<u8>>,
    reply: &ReplyTo,
    out: &Out,
) -> Result<Delivery, RespondError> {
    match out {
        Out::Status { running } => {
            let device_status = if *running {
                DeviceStatus::Transaction
            } else {
                DeviceStatus::Idle
            };
            session.respond(
                reply,
                &Status {
                    device_status,
                    cancelable: *running,
                },
            )
        }
        Out::Sale {
            reference,
            amount,
            outcome,
        } => {
            let result = match outcome {
                Some(Outcome::Captured) => ResultCode::Ok,
                Some(_) => ResultCode::HostError,
                None => ResultCode::Canceled,
            };
            let r = TransactionResult {
                command_status: Some(CommandStatus::Completed),
                transaction: outcome.map(|o| transaction(reference, *amount, o)),
                ..TransactionResult::new(result)
            };
            session.respond(reply, &r)
        }
        Out::Found {
            reference,
            recorded,
        } => {
            let r = GetTransactionResult {
                transaction_result: Some(ResultCode::Ok),
                transaction: Some(transaction(reference, recorded.amount, recorded.outcome)),
                ..GetTransactionResult::default()
            };
            session.respond(reply, &r)
        }
        Out::Null => session.respond(reply, &Null),
        Out::Error(code, message) => session.respond_error(reply, *code, message, None),
    }
}

/// The `transaction` object of a SALE.
fn transaction(reference: &str, amount: i64, outcome: Outcome) -> Transaction<'_> {
    let status = match outcome {
        Outcome::Captured => TransactionStatus::Captured,
        _ => TransactionStatus::Declined,
    };
    Transaction {
        transaction_status: Some(status),
        reference_id: Some(Text::new(reference)),
        amount: Some(amount),
        total_amount: Some(amount),
        currency: Some(376),
        transaction_type: Some(TransactionType::Sale),
        ..Default::default()
    }
}

pub fn read(r: &IncomingRequest<'_>) -> Req {
    if r.is::<StartTransaction>() {
        match r.params::<StartTransaction>() {
            Ok(p) => Req::Sale {
                reference: p.reference_id.to_string(),
                amount: p.amount.unwrap_or(0),
                events: p.notify_events == Some(true),
            },
            Err(_) => Req::BadParams,
        }
    } else if r.is::<GetTransaction>() {
        match r.params::<GetTransaction>() {
            Ok(p) if p.lookup_method == LookupMethod::RefId => {
                Req::Lookup(p.lookup_value.map(|v| v.to_string()))
            }
            _ => Req::BadParams,
        }
    } else if r.is::<GetStatus>() {
        Req::Status
    } else if r.is::<Cancel>() {
        match r.params::<Cancel>() {
            Ok(p) => Req::Cancel(p.reference_id.to_string()),
            Err(_) => Req::BadParams,
        }
    } else {
        Req::Unknown
    }
}
