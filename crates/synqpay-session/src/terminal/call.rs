//! A request as the script reads it: its method checked against the state table (spec/protocol.md
//! §5), its parameters decoded with `synqpay-rpc`'s types into owned values (§4), so that the
//! device session is free to answer it.

use synqpay_rpc::{
    Authenticate, AuthenticateParams, Cancel, CancelParams, ContinueTransaction, GetStatus,
    GetTransaction, GetTransactionParams, LookupMethod, Method, Pair, RpcErrorCode,
    StartTransaction, StartTransactionParams, TransactionType,
};

use super::reply::Refusal;
use super::rules::rule_of;
use super::sale::{Events, Reference, Start};
use super::scripted::{ScriptConfig, State};
use crate::IncomingRequest;

/// The methods the script runs; the other methods of spec/api.md are -32601 here (ours).
const SCRIPTED: &[&str] = &[
    Pair::NAME,
    Authenticate::NAME,
    GetStatus::NAME,
    StartTransaction::NAME,
    ContinueTransaction::NAME,
    Cancel::NAME,
    GetTransaction::NAME,
];

/// A request the script runs, or the error it answers instead.
pub(super) enum Call {
    /// Answered with a JSON-RPC error (spec/protocol.md §4).
    Refuse(Refusal),
    /// `getStatus`.
    Status,
    /// `pair` with this terminal's serial number.
    Pair,
    /// `authenticate`, with the code on the screen or another.
    Authenticate(Otp),
    /// `startTransaction`: a SALE.
    Start(Start),
    /// `continueTransaction`.
    Continue,
    /// `cancel`, naming the running sale or another.
    Cancel(Target),
    /// `getTransaction`.
    Lookup(Lookup),
}

/// Whether `authenticate` gave the code the screen shows (spec/protocol.md §3).
pub(super) enum Otp {
    /// The code on the screen.
    Right,
    /// Another code.
    Wrong,
}

/// What `cancel` names (spec/api.md `cancel`: the running request's `referenceId`).
pub(super) enum Target {
    /// The sale in progress.
    Running,
    /// Something else.
    Other,
}

/// What `getTransaction` looks for (spec/api.md `getTransaction`).
pub(super) enum Lookup {
    /// REF_ID.
    Reference(Reference),
    /// LAST_TRANS.
    Last,
    /// TRANS_ID: never found, the script gives no `transactionId`s (ours).
    TransactionId,
}

/// Reads `request` in `state`: the method first (-32601), the state it needs (201), then its
/// parameters (102, 103).
pub(super) fn read(request: &IncomingRequest<'_>, state: &State, config: &ScriptConfig) -> Call {
    let mut name = [0u8; 32];
    let rule = request
        .method
        .unescape_into(&mut name)
        .ok()
        .and_then(rule_of);
    let Some(rule) = rule.filter(|r| SCRIPTED.contains(&r.method)) else {
        return not_scripted();
    };
    if !state.meets(rule.needs) {
        return Call::Refuse(Refusal::new(RpcErrorCode::IllegalState, "IllegalState"));
    }
    let decoded = match rule.method {
        Pair::NAME => request.params::<Pair>().map(|p| {
            if p.serial_number == config.serial_number {
                Call::Pair
            } else {
                let message = "serialNumber is not this device's";
                Call::Refuse(Refusal::new(RpcErrorCode::InvalidParams, message))
            }
        }),
        Authenticate::NAME => request
            .params::<Authenticate>()
            .map(|p| authenticate(&p, config)),
        StartTransaction::NAME => request.params::<StartTransaction>().map(|p| start(&p)),
        ContinueTransaction::NAME => request
            .params::<ContinueTransaction>()
            .map(|_| Call::Continue),
        Cancel::NAME => request.params::<Cancel>().map(|p| cancel(&p, state)),
        GetTransaction::NAME => request.params::<GetTransaction>().map(|p| lookup(&p)),
        GetStatus::NAME => Ok(Call::Status),
        _ => Ok(not_scripted()),
    };
    decoded.unwrap_or_else(|e| Call::Refuse(Refusal::params(&e)))
}

/// -32601: no method of spec/api.md, or one the script does not run (ours).
fn not_scripted() -> Call {
    let message = "not in this terminal's script";
    Call::Refuse(Refusal::new(RpcErrorCode::MethodNotFound, message))
}

fn authenticate(p: &AuthenticateParams<'_>, config: &ScriptConfig) -> Call {
    let otp = if p.otp == config.code {
        Otp::Right
    } else {
        Otp::Wrong
    };
    Call::Authenticate(otp)
}

/// A SALE, with its amount (102 without) and a `referenceId` of 1 to 64 characters (spec/api.md
/// "startTransaction params"); other transaction types are not in the script (103, ours).
fn start(p: &StartTransactionParams<'_>) -> Call {
    if p.transaction_type != TransactionType::Sale {
        let message = "transactionType: this terminal's script runs SALE only";
        return Call::Refuse(Refusal::new(RpcErrorCode::InvalidParams, message));
    }
    let Some(amount) = p.amount else {
        return Call::Refuse(Refusal::new(RpcErrorCode::MissingParams, "amount"));
    };
    let reference = match p.reference_id.to_heapless() {
        Ok(reference) if !reference.is_empty() => reference,
        _ => {
            let message = "referenceId: 1 to 64 characters";
            return Call::Refuse(Refusal::new(RpcErrorCode::InvalidParams, message));
        }
    };
    let events = match p.notify_events {
        Some(true) => Events::Notify,
        _ => Events::Quiet,
    };
    Call::Start(Start {
        reference,
        amount,
        events,
    })
}

fn cancel(p: &CancelParams<'_>, state: &State) -> Call {
    let running = state.sale().map(|s| s.reference.as_str());
    let target = if running.is_some_and(|r| p.reference_id == r) {
        Target::Running
    } else {
        Target::Other
    };
    Call::Cancel(target)
}

/// REF_ID and TRANS_ID need a `lookupValue` (102 without; spec/api.md `getTransaction`).
fn lookup(p: &GetTransactionParams<'_>) -> Call {
    let value = p.lookup_value;
    let lookup = match p.lookup_method {
        LookupMethod::LastTrans => Lookup::Last,
        LookupMethod::RefId | LookupMethod::TransId if value.is_none() => {
            return Call::Refuse(Refusal::new(RpcErrorCode::MissingParams, "lookupValue"));
        }
        LookupMethod::RefId => match value.map(|v| v.to_heapless()) {
            Some(Ok(reference)) => Lookup::Reference(reference),
            _ => {
                let message = "lookupValue: not a referenceId";
                return Call::Refuse(Refusal::new(RpcErrorCode::InvalidParams, message));
            }
        },
        LookupMethod::TransId => Lookup::TransactionId,
        LookupMethod::Unknown(_) => {
            return Call::Refuse(Refusal::new(RpcErrorCode::InvalidParams, "lookupMethod"));
        }
    };
    Call::Lookup(lookup)
}
