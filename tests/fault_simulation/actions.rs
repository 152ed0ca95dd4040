//! What happens in a step, drawn from the seed: a cashier's requests (sales with a new
//! `referenceId` each, cancels, lookups by REF_ID, getStatus: spec/api.md "Methods") or a fault
//! (`faults.rs`); then the drain, where every unknown outcome is looked up by its `referenceId`
//! until it is resolved (spec/protocol.md §6 "When the outcome of a transaction is unknown").

use std::collections::HashSet;

use synqpay_rpc::{
    Cancel, CancelParams, GetStatus, NoParams, ReferenceId, StartTransactionParams, Text,
};

use crate::party::Sent;
use crate::world::{A, B, PENDING, World};

/// One step: a request or a fault, everything it sets moving, then some virtual time.
pub fn step(w: &mut World) {
    let actor = match w.whole() {
        Some(B) if w.rng.chance(50) => B,
        _ => A,
    };
    match w.rng.below(100) {
        0..=29 => sale(w, actor),
        30..=35 => cancel(w, actor),
        36..=43 => lookup(w, actor, None),
        44..=50 => status(w, actor),
        roll => crate::faults::fault(w, roll - 51),
    }
    w.pump();
    let dt = if w.rng.chance(5) {
        w.rng.range(10_000, 130_000)
    } else {
        w.rng.range(0, 2500)
    };
    w.advance(w.now + dt);
}

/// A sale with a new referenceId and a random amount.
fn sale(w: &mut World, i: usize) {
    w.sale_attempts += 1;
    let reference = format!("s{}-{}", w.seed, w.sale_attempts);
    let amount = w.rng.range(1, 99_999) as i64;
    let Some(p) = w.parties[i].process.as_mut() else {
        return;
    };
    // A till sells one thing at a time, mostly.
    let selling = p.sent.values().any(|s| matches!(s, Sent::Sale { .. }));
    if selling && w.rng.chance(70) {
        return;
    }
    let params = StartTransactionParams::sale(
        ReferenceId::new(&reference).expect("valid"),
        synqpay_rpc::Amount::ils(amount),
    );
    let queued = p.client.start_transaction(w.now, &params);
    w.trace(format_args!(
        "{}: sale {reference} of {amount}: {queued:?}",
        w.parties[i].name
    ));
    if let Ok(id) = queued {
        let p = w.parties[i].process.as_mut().expect("a process");
        p.remember(
            w.now,
            id.0,
            Sent::Sale {
                reference: reference.clone(),
                amount,
            },
        );
        let sale = crate::invariants::Sale {
            amount,
            state: crate::invariants::SaleState::Pending,
        };
        w.books.sales.insert(reference, sale);
        w.books.counters.sales += 1;
    }
}

/// A cancel of one of this process's sales still outstanding.
fn cancel(w: &mut World, i: usize) {
    let Some(p) = w.parties[i].process.as_mut() else {
        return;
    };
    let mut sales: Vec<&String> = p
        .sent
        .values()
        .filter_map(|s| match s {
            Sent::Sale { reference, .. } => Some(reference),
            _ => None,
        })
        .collect();
    sales.sort();
    if sales.is_empty() {
        return;
    }
    let reference = sales[w.rng.index(sales.len())].clone();
    let params = CancelParams {
        reference_id: Text::new(&reference),
    };
    let queued = p.client.send::<Cancel>(w.now, &params);
    if let Ok(id) = queued {
        p.remember(w.now, id.0, Sent::Cancel(reference.clone()));
    }
    w.trace(format_args!(
        "{}: cancel {reference}: {queued:?}",
        w.parties[i].name
    ));
}

/// A lookup by referenceId: of `reference`, or of an unknown outcome, or of any earlier sale.
fn lookup(w: &mut World, i: usize, reference: Option<String>) {
    let reference = match reference {
        Some(r) => r,
        None if !w.books.journal.is_empty() => {
            let n = w.rng.index(w.books.journal.len());
            w.books.journal.keys().nth(n).expect("in range").clone()
        }
        None => {
            let mut done: Vec<&String> = w
                .books
                .sales
                .iter()
                .filter(|(_, s)| s.state != crate::invariants::SaleState::Pending)
                .map(|(r, _)| r)
                .collect();
            done.sort();
            if done.is_empty() {
                return;
            }
            done[w.rng.index(done.len())].clone()
        }
    };
    let Some(p) = w.parties[i].process.as_mut() else {
        return;
    };
    let queued = p
        .client
        .lookup_transaction(w.now, ReferenceId::new(&reference).expect("valid"));
    if let Ok(id) = queued {
        p.remember(w.now, id.0, Sent::Lookup(reference.clone()));
    }
    w.trace(format_args!(
        "{}: lookup {reference}: {queued:?}",
        w.parties[i].name
    ));
}

fn status(w: &mut World, i: usize) {
    let Some(p) = w.parties[i].process.as_mut() else {
        return;
    };
    let queued = p.client.send::<GetStatus>(w.now, &NoParams);
    if let Ok(id) = queued {
        p.remember(w.now, id.0, Sent::Status);
    }
    w.trace(format_args!("{}: getStatus: {queued:?}", w.parties[i].name));
}

/// The end of a seed: no more faults; B goes; A connects and looks up every unknown outcome
/// until each is resolved, and waits for its own sales to end.
pub fn drain(w: &mut World) {
    w.trace(format_args!("drain"));
    w.inject_armed = false;
    w.device.misanswer = false;
    w.parties[A].busy_until = 0;
    w.link.up.armed = Default::default();
    w.link.down.armed = Default::default();
    if w.parties[B].process.is_some() {
        w.retire(B);
    }
    for _ in 0..400 {
        if w.whole() != Some(A) {
            w.connect(A);
            w.pump();
        }
        // Lookups in flight; one whose report never came (lost to a full inbox, see the
        // bookkeeping check in world.rs) is asked again after its deadline.
        let p = w.parties[A].process.as_ref().expect("a process");
        let asked: HashSet<String> = (p.sent.iter())
            .filter(|(id, _)| p.sent_at[*id] + 15_000 > w.now)
            .filter_map(|(_, s)| match s {
                Sent::Lookup(r) => Some(r.clone()),
                _ => None,
            })
            .collect();
        let wanted: Vec<String> = w
            .books
            .journal
            .keys()
            .filter(|r| !asked.contains(*r))
            .cloned()
            .collect();
        for reference in wanted {
            let outstanding = w.parties[A]
                .process
                .as_ref()
                .map_or(PENDING, |p| p.client.outstanding());
            if outstanding >= PENDING {
                break;
            }
            lookup(w, A, Some(reference));
        }
        w.pump();
        let p = w.parties[A].process.as_ref().expect("a process");
        let selling = p.sent.values().any(|s| matches!(s, Sent::Sale { .. }));
        if w.books.journal.is_empty() && !selling && !w.device.busy() {
            return;
        }
        w.advance(w.now + 1500);
    }
}
