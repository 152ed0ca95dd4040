//! The client and the simulator over a serial line: a linked pseudo-terminal pair made by
//! Debian's `socat` stands in for the cable (spec/protocol.md §2: the same frames at 115200 8N1).

use std::path::Path;
use std::time::{Duration, Instant};

mod support;
use support::pty::PtyPair;

use synqpay_rpc::{GetStatus, ReferenceId, StartTransactionParams};
use synqpay_sim::{Simulator, SimulatorConfig};
use synqpay_std::{Client, ClientConfig, DEFAULT_BAUD, Error};

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn simulator(pty: &PtyPair) -> Simulator {
    let config = SimulatorConfig {
        step_ms: 20,
        ..Default::default()
    };
    Simulator::start_serial("127.0.0.1:0", path(&pty.device()), DEFAULT_BAUD, config).unwrap()
}

fn sale(reference: &str, amount: i64) -> StartTransactionParams<'_> {
    StartTransactionParams::sale(
        ReferenceId::new(reference).unwrap(),
        synqpay_rpc::Amount::ils(amount),
    )
}

#[test]
fn pairing_and_a_sale_with_events_over_a_serial_line() {
    let pty = PtyPair::new("sale");
    let sim = simulator(&pty);
    let mut client =
        Client::connect_serial(path(&pty.app()), DEFAULT_BAUD, ClientConfig::default()).unwrap();
    client
        .pair(&SimulatorConfig::default().serial_number)
        .unwrap();
    let code = sim.pairing_code().expect("a code on the screen");
    client.authenticate(&code).unwrap();
    let status = client.call::<GetStatus>(&synqpay_rpc::NoParams).unwrap();
    assert!(status.result().is_ok());

    let mut events = Vec::new();
    let reply = client
        .start_transaction(&sale("serial-1", 4200), &mut |e| events.push(e.to_string()))
        .unwrap();
    assert_eq!(reply.result().unwrap().is_charged(), Some(true));
    assert!(events.len() >= 2, "{events:?}");
}

#[test]
fn an_app_that_reopens_the_port_mid_sale_finds_the_outcome_by_reference() {
    let pty = PtyPair::new("reopen");
    let key = "1234abcd".parse().unwrap();
    // Each step of the sale takes 400 ms; the app waits 200 ms for the first event.
    let config = SimulatorConfig {
        api_key: Some(key),
        step_ms: 400,
        ..Default::default()
    };
    let _sim =
        Simulator::start_serial("127.0.0.1:0", path(&pty.device()), DEFAULT_BAUD, config).unwrap();
    // The app gives up on the sale before the device finishes it (a short deadline), as one
    // killed mid-sale would, and reopens its port: a serial line has no takeover.
    let short = ClientConfig {
        transaction_timeout_ms: 200,
        ..ClientConfig::default()
    };
    let mut client = Client::connect_serial(path(&pty.app()), DEFAULT_BAUD, short)
        .unwrap()
        .with_api_key(key);
    let e = client
        .start_transaction(&sale("serial-2", 990), &mut |_| {})
        .unwrap_err();
    let Error::Timeout { reference_id } = e else {
        panic!("expected a timeout, got {e:?}");
    };
    assert_eq!(reference_id.as_deref(), Some("serial-2"));
    client.reconnect().unwrap();

    // Never resent: the lookup by referenceId tells the outcome once the device has one.
    let reference = ReferenceId::new("serial-2").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let charged = loop {
        match client.lookup_transaction(reference) {
            Ok(reply) => {
                let found = reply.result().unwrap();
                if let Some(charged) = found.transaction.and_then(|t| t.is_charged()) {
                    break charged;
                }
            }
            Err(Error::Rpc { .. }) => {}
            Err(e) => panic!("lookup: {e:?}"),
        }
        assert!(Instant::now() < deadline, "the sale never completed");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(charged);
    // One sale on the device's books for that reference.
    let late = client.late_responses();
    assert!(late.len() <= 1, "{late:?}");
}
