//! `synqpay sale`: a sale as a cashier runs it (spec/protocol.md §6 money safety). First the
//! sales an earlier run left with an unknown outcome are looked up and reported; the new sale is
//! recorded before it is sent; its progress shows on one line; Ctrl-C cancels it on the device
//! (a second one leaves); its outcome is what the device recorded, looked up by referenceId
//! whenever the answer does not say (no status, a lost link, a reused referenceId).

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::json;
use synqpay_std::text::untrusted;
use synqpay_std::{
    Amount, Client, Currency, DeviceStatus, Error, GetStatus, NoParams, ReferenceId, RpcErrorCode,
    StartTransactionParams, Transaction,
};

use crate::args::{DeviceArgs, OutputArgs};
use crate::device::Target;
use crate::interrupt;
use crate::output;
use crate::pending::{Pending, UnknownSale};

/// Exit status of a sale whose outcome is unknown (ours; 0 charged, 1 not charged).
const UNKNOWN: u8 = 3;

/// What the device recorded for a sale.
enum Outcome {
    /// Charged (AUTHORIZED, CAPTURED, SETTLED, DEPOSITED), with the transaction as JSON, and
    /// a note when it was not this run that charged it.
    Charged(Option<String>, serde_json::Value),
    /// Not charged: declined, cancelled, never run; why.
    NotCharged(String, serde_json::Value),
    /// Unknown, with why.
    Unknown(String),
}

/// Runs the sale.
pub fn run(
    device: &DeviceArgs,
    output: OutputArgs,
    amount: Amount,
    reference_id: Option<String>,
) -> Result<ExitCode, String> {
    let target = Target::of(device)?;
    let mut client = target.connect()?;
    let pending = Pending::in_state_dir();
    if let Some(pending) = &pending {
        earlier_sales(&mut client, pending, &target.name);
    }
    let reference_text = reference_id.unwrap_or_else(|| synqpay_std::fresh_reference_id("cli"));
    let reference =
        ReferenceId::new(&reference_text).map_err(|e| format!("--reference-id: {e}"))?;
    let record = UnknownSale {
        reference_id: reference_text.clone(),
        amount: amount.minor_units(),
        currency: amount.currency().number(),
        device: target.name.clone(),
    };
    if let Some(pending) = &pending {
        pending.add(&record).map_err(|e| {
            format!(
                "{}: {e} (a sale is recorded before it is sent)",
                pending.path().display()
            )
        })?;
    }
    interrupt::on_ctrl_c(client.canceller(), reference_text.clone())?;
    eprintln!("sale {reference_text}: {amount}");
    let terminal = std::io::stderr().is_terminal();
    let mut on_event = |event: &synqpay_std::Event| {
        // Our own line control, around escaped device text.
        if terminal {
            eprint!("\r\x1b[2K… {event}");
        } else {
            eprintln!("… {event}");
        }
    };
    let sale = StartTransactionParams::sale(reference, amount);
    let answered = client.start_transaction(&sale, &mut on_event);
    if terminal {
        eprintln!();
    }
    let outcome = match answered {
        Ok(answer) => {
            let result = answer.result().map_err(|e| e.to_string())?;
            match (result.is_charged(), result.transaction) {
                (Some(true), Some(t)) => Outcome::Charged(None, transaction_json(&t)),
                (Some(false), Some(t)) => Outcome::NotCharged(
                    format!("declined ({})", result.result),
                    transaction_json(&t),
                ),
                // No status: the outcome is unknown until looked up (spec/protocol.md §6).
                _ => look_up(
                    &mut client,
                    reference,
                    amount,
                    format!("result {}", result.result),
                ),
            }
        }
        // The referenceId was used before (spec/protocol.md §6: maybe charged, look it up).
        Err(
            e @ Error::Rpc {
                code: RpcErrorCode::TransactionAlreadyExist,
                ..
            },
        ) => match look_up(&mut client, reference, amount, e.to_string()) {
            Outcome::Charged(_, t) => Outcome::Charged(
                Some("the referenceId was used before: charged once, earlier, not again".into()),
                t,
            ),
            other => other,
        },
        Err(e) if e.outcome_unknown() => look_up(&mut client, reference, amount, e.to_string()),
        // Refused or never sent: nothing ran. Reported as an outcome, so that `--json` prints
        // it too.
        Err(e) => Outcome::NotCharged(
            format!("refused, nothing ran: {}", output::failure(&e)),
            serde_json::Value::Null,
        ),
    };
    Ok(report(outcome, output, pending.as_ref(), &reference_text))
}

/// Looks the sale of `amount` up by its referenceId, after an answer that did not tell.
fn look_up(
    client: &mut Client,
    reference: ReferenceId<'_>,
    amount: Amount,
    why: String,
) -> Outcome {
    eprintln!(
        "the answer does not tell ({}): looking the sale up by its referenceId",
        untrusted(&why)
    );
    wait_while_restarting(client);
    match client.lookup_transaction(reference) {
        Ok(found) => match found.result() {
            // Another amount under this referenceId: another sale, not this one.
            Ok(r) if r.transaction.and_then(|t| t.amount) != Some(amount.minor_units()) => {
                Outcome::NotCharged(
                    format!(
                        "{why}; the referenceId belongs to another sale: this one was not made"
                    ),
                    r.transaction.as_ref().map_or(json!(null), transaction_json),
                )
            }
            Ok(r) => match (r.transaction.and_then(|t| t.is_charged()), r.transaction) {
                (Some(true), Some(t)) => Outcome::Charged(None, transaction_json(&t)),
                (Some(false), Some(t)) => Outcome::NotCharged(
                    format!(
                        "not charged ({})",
                        t.transaction_status.map_or("?".into(), |s| s.to_string())
                    ),
                    transaction_json(&t),
                ),
                _ => Outcome::Unknown(format!("{why}; the lookup has no status")),
            },
            Err(e) => Outcome::Unknown(format!("{why}; the lookup: {e}")),
        },
        Err(Error::Rpc {
            code: RpcErrorCode::TransactionNotFound,
            ..
        }) => Outcome::NotCharged(
            format!("{why}; the device has no such transaction: it never ran"),
            json!(null),
        ),
        // getTransaction needs IDLE (spec/protocol.md §5): a transaction runs, maybe this one.
        Err(Error::Rpc {
            code: RpcErrorCode::IllegalState,
            ..
        }) => Outcome::Unknown(format!(
            "{why}; the device is busy with a transaction (maybe this one): look it up once it is idle"
        )),
        Err(e) => Outcome::Unknown(format!("{why}; the lookup: {e}")),
    }
}

/// How long a lookup waits for a device that is coming back from a restart (ours).
const RESTART_WAIT: Duration = Duration::from_secs(30);

/// getTransaction needs IDLE (spec/protocol.md §5): a device still in SYSTEM, as after a
/// restart that ended the sale, is asked again each second (getStatus changes nothing), for at
/// most [`RESTART_WAIT`]. Any other state, or no answer, goes straight on to the lookup.
fn wait_while_restarting(client: &mut Client) {
    let until = Instant::now() + RESTART_WAIT;
    let mut said = false;
    while Instant::now() < until {
        let restarting = client.call::<GetStatus>(&NoParams).is_ok_and(|s| {
            s.result()
                .is_ok_and(|s| s.device_status == DeviceStatus::System)
        });
        if !restarting {
            return;
        }
        if !said {
            eprintln!("the device is restarting: the lookup waits for it");
            said = true;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn transaction_json(t: &Transaction<'_>) -> serde_json::Value {
    serde_json::to_value(t).unwrap_or(json!(null))
}

fn forget(pending: Option<&Pending>, reference: &str) {
    if let Some(pending) = pending
        && let Err(e) = pending.remove(reference)
    {
        eprintln!("{}: {e}", pending.path().display());
    }
}

/// Prints the outcome and forgets the sale once it is known; the exit status.
fn report(
    outcome: Outcome,
    output: OutputArgs,
    pending: Option<&Pending>,
    reference: &str,
) -> ExitCode {
    let (charged, why, transaction) = match &outcome {
        Outcome::Charged(why, t) => (Some(true), why.as_deref(), t),
        Outcome::NotCharged(why, t) => (Some(false), Some(why.as_str()), t),
        Outcome::Unknown(why) => (None, Some(why.as_str()), &serde_json::Value::Null),
    };
    if charged.is_some() {
        forget(pending, reference);
    }
    if output.json {
        let shown = json!({
            "referenceId": reference,
            "charged": charged,
            "reason": why,
            "transaction": transaction,
        });
        println!("{}", output::json(&shown));
    } else {
        match charged {
            Some(true) => println!("approved: sale {reference} charged"),
            Some(false) => println!("not charged: sale {reference}"),
            None => println!("outcome unknown: sale {reference}"),
        }
        if let Some(why) = why {
            println!("  {}", untrusted(why));
        }
        sentences(transaction);
        if charged.is_none() {
            println!(
                "  look it up later by its referenceId; the next `synqpay sale` does it first"
            );
        }
    }
    match charged {
        Some(true) => ExitCode::SUCCESS,
        Some(false) => ExitCode::FAILURE,
        None => ExitCode::from(UNKNOWN),
    }
}

/// The transaction's main members and its receipt, as lines for people.
fn sentences(t: &serde_json::Value) {
    let text = |member: &str| t[member].as_str().map(|s| untrusted(s).to_string());
    if let Some(status) = text("transactionStatus") {
        println!("  status {status}");
    }
    if let (Some(amount), Some(currency)) = (t["amount"].as_i64(), t["currency"].as_u64()) {
        let currency = Currency::from_number(u16::try_from(currency).unwrap_or(0));
        println!("  amount {}", Amount::new(amount, currency));
    }
    for (label, member) in [
        ("card", "cardName"),
        ("number", "maskedPan"),
        ("authorization", "authorizationNumber"),
        ("transaction", "transactionId"),
    ] {
        if let Some(value) = text(member) {
            println!("  {label} {value}");
        }
    }
    if let Some(fields) = t["cardHolderReceipt"]["fields"].as_array() {
        println!("  receipt:");
        for field in fields {
            let key = field["key"].as_str().unwrap_or_default();
            let value = field["value"].as_str().unwrap_or_default();
            println!("    {} {}", untrusted(key), untrusted(value));
        }
    }
}

/// Reports the sales an earlier run left with an unknown outcome on this device, looked up now.
fn earlier_sales(client: &mut Client, pending: &Pending, device: &str) {
    let Ok(sales) = pending.list() else { return };
    for sale in sales.iter().filter(|s| s.device == device) {
        let Ok(reference) = ReferenceId::new(&sale.reference_id) else {
            continue;
        };
        let amount = Amount::new(sale.amount, Currency::from_number(sale.currency));
        eprintln!(
            "an earlier sale's outcome was unknown: {} ({amount})",
            sale.reference_id
        );
        // Once known, the sale is forgotten; still unknown, it stays for the next run.
        match look_up(client, reference, amount, "an earlier run".into()) {
            Outcome::Charged(..) => eprintln!("  it was charged"),
            Outcome::NotCharged(why, _) => eprintln!("  not charged: {}", untrusted(&why)),
            Outcome::Unknown(why) => {
                eprintln!("  still unknown: {}", untrusted(&why));
                continue;
            }
        }
        forget(Some(pending), &sale.reference_id);
    }
}
