//! The std client through the line-noise proxy: a flipped bit is answered with CRC_ERROR and the
//! link goes on; a cable pulled in the middle of the sale's result leaves the outcome unknown,
//! and the lookup by referenceId finds it; the sale is sent once.

use std::time::Duration;

use synqpay_rpc::{GetStatus, NoParams, ReferenceId, StartTransactionParams};
use synqpay_sim::noise::{Faults, NoiseProxy};
use synqpay_sim::{Simulator, SimulatorConfig};
use synqpay_std::{Client, ClientConfig, Error};

#[test]
fn a_flipped_bit_and_a_pulled_cable_lose_no_money() {
    let key = "1234abcd".parse().unwrap();
    let config = SimulatorConfig {
        api_key: Some(key),
        step_ms: 20,
        ..Default::default()
    };
    let sim = Simulator::start("127.0.0.1:0", config).unwrap();
    let faults = Faults {
        flip_request: Some(1),
        cut_sale_result: Some(Duration::from_millis(1500)),
        ..Faults::default()
    };
    let proxy = NoiseProxy::start("127.0.0.1:0", sim.addr(), faults).unwrap();
    let short = ClientConfig {
        transaction_timeout_ms: 1_000,
        ..ClientConfig::default()
    };
    let mut client = Client::connect(proxy.addr().to_string(), short)
        .unwrap()
        .with_api_key(key);

    // The flipped query is answered CRC_ERROR; a query changes nothing, so the client sends it
    // once more (spec/protocol.md §6) and the call succeeds.
    client.call::<GetStatus>(&NoParams).unwrap();

    let reference = ReferenceId::new("noise-1").unwrap();
    let sale = StartTransactionParams::sale(reference, synqpay_rpc::Amount::ils(3300));
    let e = client.start_transaction(&sale, &mut |_| {}).unwrap_err();
    assert!(e.outcome_unknown(), "{e:?}");
    let (Error::Timeout { reference_id } | Error::OutcomeUnknown { reference_id, .. }) = e else {
        panic!("the outcome should be unknown, got {e:?}");
    };
    assert_eq!(reference_id.as_deref(), Some("noise-1"));
    std::thread::sleep(Duration::from_millis(1600));
    // No reconnect by hand: a new request opens a new connection if the old one died.
    let found = client.lookup_transaction(reference).unwrap();
    let found = found.result().unwrap();
    assert_eq!(found.transaction.and_then(|t| t.is_charged()), Some(true));

    let report = proxy.report();
    assert_eq!(report.sales, 1, "{report:?}");
    assert_eq!((report.flipped, report.error_frames), (1, 1), "{report:?}");
    assert!(report.cut && report.dropped > 0, "{report:?}");
}
