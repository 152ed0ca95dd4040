//! Long-running requests of an earlier connection, once the link is back (ours, from
//! spec/protocol.md §2 "Cached responses" and §6 money safety): they are counted for the driver
//! that asks the device what it runs, and when the device runs nothing they end at once, their
//! outcome unknown with the referenceId to look up. Requests of the new connection, and short
//! ones, are left alone.

mod common;

use common::*;
use synqpay_rpc::{GetStatus, NoParams, ReferenceId, StartTransactionParams};
use synqpay_session::{ClientConfig, ClientEvent, Connected, Failure};

type Client = synqpay_session::Client<Vec<u8>, 4>;

fn sale(reference: &str) -> StartTransactionParams<'_> {
    StartTransactionParams::sale(
        ReferenceId::new(reference).unwrap(),
        synqpay_rpc::Amount::ils(1000),
    )
}

/// Hands every queued byte to a transport that takes them all.
fn transmit_all(c: &mut Client, now: u64) {
    while let Some(bytes) = c.poll_transmit() {
        let n = bytes.len();
        c.transmitted(now, n);
    }
}

/// The failures reported, with their referenceIds.
fn failures(c: &mut Client) -> Vec<(Failure, Option<String>)> {
    let mut out = Vec::new();
    while let Some(event) = c.poll_event() {
        if let ClientEvent::Failed {
            failure,
            reference_id,
            ..
        } = event
        {
            out.push((failure, reference_id.map(str::to_string)));
        }
    }
    out
}

#[test]
fn a_payment_of_an_earlier_connection_ends_unknown_when_the_device_runs_nothing() {
    let mut c = client(ClientConfig::default()).with_api_key(KEY);
    assert_eq!(c.connect(0), Connected::Fresh);
    c.start_transaction(10, &sale("order-1")).unwrap();
    transmit_all(&mut c, 10);
    c.disconnect(20);
    assert_eq!(c.connect(30), Connected::Resumed { outstanding: 1 });
    // A query on the new connection is not what the device may still answer from before.
    c.send::<GetStatus>(40, &NoParams).unwrap();
    transmit_all(&mut c, 40);
    assert_eq!(c.long_running_from_earlier_links(), 1);

    c.device_runs_nothing();

    assert_eq!(
        failures(&mut c),
        vec![(Failure::NotRunning, Some("order-1".to_string()))]
    );
    assert!(Failure::NotRunning.outcome_unknown());
    assert!(
        !Failure::NotRunning.answer_lost(),
        "a payment is never sent again"
    );
    assert_eq!(c.long_running_from_earlier_links(), 0);
    // The query of this connection still waits for its answer.
    assert_eq!(c.outstanding(), 1);
}

#[test]
fn a_payment_of_this_connection_is_left_waiting() {
    let mut c = client(ClientConfig::default()).with_api_key(KEY);
    c.connect(0);
    c.start_transaction(10, &sale("order-2")).unwrap();
    transmit_all(&mut c, 10);
    assert_eq!(c.long_running_from_earlier_links(), 0);

    c.device_runs_nothing();

    assert_eq!(failures(&mut c), vec![]);
    assert_eq!(c.outstanding(), 1);
}

#[test]
fn a_payment_never_handed_to_the_transport_fails_as_not_sent_not_as_not_running() {
    let mut c = client(ClientConfig::default()).with_api_key(KEY);
    c.connect(0);
    c.start_transaction(10, &sale("order-3")).unwrap();
    // The connection goes before a byte of it left: it never reached the device.
    c.disconnect(20);
    assert_eq!(
        failures(&mut c),
        vec![(Failure::NotSent, Some("order-3".to_string()))]
    );
    c.connect(30);
    assert_eq!(c.long_running_from_earlier_links(), 0);
}
