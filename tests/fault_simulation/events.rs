//! What the harness does with each client event, and the checks made there:
//! a payment's answer against the ledger (invariant (a), spec/protocol.md §6 "money is judged by
//! `transactionStatus`"), an unknown outcome into the journal for a lookup (c), `NotSent`
//! against what the device received (b), and every matched answer's id against the session's
//! own (f, spec/protocol.md §2 "Cached responses": an answer whose id this client did not send is
//! reported as unsolicited and never taken as the answer to a call).

use synqpay_rpc::{Cancel, GetTransaction, RpcErrorCode, StartTransaction};
use synqpay_session::{CallError, decode_response};

use crate::device::{DeviceSide, Outcome};
use crate::invariants::Books;
use crate::party::{Seen, Sent, payload_id};
use crate::world::World;

/// Handles one event of party `i`'s process.
pub fn on_event(w: &mut World, i: usize, seen: Seen) {
    let now = w.now;
    if w.verbose {
        println!("t={now} {}: {}", w.parties[i].name, describe(&seen));
    }
    let party_id = w.parties[i].id;
    let World {
        parties,
        books,
        device,
        ..
    } = w;
    let Some(p) = parties[i].process.as_mut() else {
        return;
    };
    match seen {
        Seen::Response(id, payload) => {
            check_own(now, books, device, party_id, &p.id_text(id), &payload);
            let Some(sent) = p.sent.remove(&id) else {
                let what = format!("a Response to request {id}, which is not outstanding");
                return books.violation(now, "(f) matched answer", what);
            };
            answered(now, books, device, &sent, &payload, "response");
        }
        Seen::Late(id, payload) => {
            books.counters.late += 1;
            check_own(now, books, device, party_id, &p.id_text(id), &payload);
            let Some(sent) = p.failed.remove(&id) else {
                let what = format!("a LateResponse to request {id}, which had not failed");
                return books.violation(now, "(f) matched answer", what);
            };
            answered(now, books, device, &sent, &payload, "late response");
        }
        Seen::Failed(id, failure, reference_id) => {
            let Some(sent) = p.sent.remove(&id) else {
                let what = format!("request {id} failed ({failure}) but was not outstanding");
                return books.violation(now, "(f) matched answer", what);
            };
            if let Sent::Sale { reference, .. } = &sent {
                if reference_id.as_deref() != Some(reference.as_str()) {
                    let what =
                        format!("sale {reference} failed with reference_id {reference_id:?}");
                    books.violation(now, "(c) unknown outcome", what);
                }
                if failure.outcome_unknown() {
                    books.unknown(reference, format!("failed: {failure}"));
                } else {
                    books.not_sent(now, device, reference);
                }
            }
            p.failed.insert(id, sent);
        }
        Seen::Unsolicited(payload) => {
            books.counters.unsolicited += 1;
            let Some(text) = payload_id(&payload) else {
                return;
            };
            let own = p.sent.keys().find(|id| p.id_text(**id) == text);
            if let Some(id) = own {
                let what =
                    format!("the answer to outstanding request {id} was reported unsolicited");
                books.violation(now, "(f) matched answer", what);
            }
        }
        Seen::Overflow(lost) => {
            books.counters.overflow_lost += u64::from(lost);
            // An answer or a failure was lost: as a careful application would, take every sale
            // still outstanding for one whose outcome is unknown.
            for sent in p.sent.values() {
                if let Sent::Sale { reference, .. } = sent {
                    books.unknown(reference, "an Overflow was reported".into());
                }
            }
        }
        Seen::Notification | Seen::LinkDead | Seen::LinkError(_) => {}
    }
}

/// The answer a matched event carries must be this session's and the device's (invariant (f)).
fn check_own(
    now: u64,
    books: &mut Books,
    device: &DeviceSide,
    client: synqpay_session::ClientId,
    own: &str,
    payload: &[u8],
) {
    let carried = payload_id(payload);
    if carried.as_deref() != Some(own) {
        let what = format!("matched to {own}, the answer carries id {carried:?}");
        books.violation(now, "(f) matched answer", what);
    } else if !device.answered.contains(&(client, own.to_string())) {
        let what = format!("matched to {own}, an answer the device never sent to this client");
        books.violation(now, "(f) matched answer", what);
    }
}

/// An answer to `sent`, matched by the session (a Response, or a LateResponse).
fn answered(
    now: u64,
    books: &mut Books,
    device: &DeviceSide,
    sent: &Sent,
    payload: &[u8],
    how: &str,
) {
    match sent {
        Sent::Sale { reference, amount } => match decode_response::<StartTransaction>(payload) {
            Ok(result) => match result.transaction {
                None => books.known(now, device, reference, Outcome::NoTransaction, how),
                Some(t) => {
                    if t.reference_id.is_none_or(|r| r != reference.as_str())
                        || t.amount != Some(*amount)
                    {
                        let what = format!(
                            "the {how} to sale {reference} names {:?} {:?}",
                            t.reference_id, t.amount
                        );
                        books.violation(now, "(a) known outcome", what);
                    }
                    match t.transaction_status.as_ref().and_then(Outcome::of_status) {
                        Some(o) => books.known(now, device, reference, o, how),
                        None => books.unknown(reference, format!("{how} without a status")),
                    }
                }
            },
            // 201: the device refused it (another transaction ran): nothing was recorded.
            Err(CallError::Rpc(e)) if e.code == RpcErrorCode::IllegalState => {
                books.known(now, device, reference, Outcome::NoTransaction, how);
            }
            Err(CallError::Rpc(e)) => books.unknown(reference, format!("{how}: error {}", e.code)),
            Err(CallError::Decode(e)) => {
                let what = format!("the {how} to sale {reference} does not decode: {e}");
                books.violation(now, "(a) known outcome", what);
                books.unknown(reference, format!("{how} undecodable"));
            }
        },
        Sent::Lookup(reference) => match decode_response::<GetTransaction>(payload) {
            Ok(found) => {
                let t = found.transaction.unwrap_or_default();
                if t.reference_id.is_none_or(|r| r != reference.as_str()) {
                    let what = format!("a lookup of {reference} found {:?}", t.reference_id);
                    books.violation(now, "(c) lookup", what);
                }
                match t.transaction_status.as_ref().and_then(Outcome::of_status) {
                    Some(o) => books.looked_up(now, device, reference, o),
                    None => books.violation(now, "(c) lookup", format!("{reference}: no status")),
                }
            }
            Err(CallError::Rpc(e)) if e.code == RpcErrorCode::TransactionNotFound => {
                books.looked_up(now, device, reference, Outcome::NoTransaction);
            }
            // 201 while a transaction runs: ask again later.
            Err(CallError::Rpc(_)) => {}
            Err(CallError::Decode(e)) => {
                books.violation(
                    now,
                    "(c) lookup",
                    format!("a lookup of {reference} does not decode: {e}"),
                );
            }
        },
        // A cancel the device confirmed: that sale ran and will never be charged.
        Sent::Cancel(reference) => {
            if decode_response::<Cancel>(payload).is_ok() {
                books
                    .reported
                    .push((reference.clone(), Outcome::NoTransaction));
            }
        }
        Sent::Status => {}
    }
}

/// One line for the trace.
fn describe(seen: &Seen) -> String {
    let text = |p: &[u8]| {
        let s = String::from_utf8_lossy(p);
        s.chars().take(160).collect::<String>()
    };
    match seen {
        Seen::Response(id, p) => format!("Response {id}: {}", text(p)),
        Seen::Late(id, p) => format!("LateResponse {id}: {}", text(p)),
        Seen::Failed(id, f, r) => format!("Failed {id}: {f} (referenceId {r:?})"),
        Seen::Unsolicited(p) => format!("Unsolicited: {}", text(p)),
        Seen::Notification => "Notification".into(),
        Seen::LinkDead => "LinkDead".into(),
        Seen::LinkError(code) => format!("LinkError {}", code.name()),
        Seen::Overflow(lost) => format!("Overflow: {lost} lost"),
    }
}
