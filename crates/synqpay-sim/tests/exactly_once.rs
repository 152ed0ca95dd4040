//! Each request is answered exactly once, and `cancel` names what it cancels (issue 12; spec/api.md
//! "cancel", spec/protocol.md §5). Seen from a client session of `synqpay-session` driven by hand
//! over a socket, which counts every duplicate answer.

use std::time::Duration;

use synqpay_rpc::{Cancel, CancelParams, ReferenceId, StartTransactionParams, Text};
use synqpay_session::decode_response;
use synqpay_sim::{Simulator, SimulatorConfig};

mod support;
use support::raw::Raw;

fn simulator() -> Simulator {
    let config = SimulatorConfig {
        api_key: Some("1234abcd".parse().unwrap()),
        step_ms: 5,
        ..Default::default()
    };
    Simulator::start("127.0.0.1:0", config).unwrap()
}

#[test]
fn a_stopped_transaction_is_not_answered_again_when_cancelled() {
    let sim = simulator();
    let mut raw = Raw::connect(&sim);
    let params = StartTransactionParams {
        notify_update: Some(true),
        ..StartTransactionParams::sale(
            ReferenceId::new("once-1").unwrap(),
            synqpay_rpc::Amount::ils(5000),
        )
    };
    let now = raw.now();
    let sale = raw.session.start_transaction(now, &params).unwrap();
    let answers = raw.pump(Duration::from_millis(300));
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0].0, sale);
    assert!(answers[0].1.contains("UPDATE"), "{}", answers[0].1);
    // Cancel in WAITING_FOR_CONTINUE: the cancel is answered; the sale was, with its stop.
    let now = raw.now();
    let cancel = CancelParams {
        reference_id: Text::new("once-1"),
    };
    let cancelled = raw.session.send::<Cancel>(now, &cancel).unwrap();
    let answers = raw.pump(Duration::from_millis(300));
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0].0, cancelled);
    assert_eq!(raw.session.stats().0.duplicates, 0, "no second answer");
}

#[test]
fn cancel_names_the_running_transaction() {
    let sim = simulator();
    let mut raw = Raw::connect(&sim);
    let params = StartTransactionParams::sale(
        ReferenceId::new("named-1").unwrap(),
        synqpay_rpc::Amount::ils(1003),
    );
    let now = raw.now();
    let sale = raw.session.start_transaction(now, &params).unwrap();
    raw.pump(Duration::from_millis(50));
    // Another referenceId: 302, and the sale runs on.
    let now = raw.now();
    let wrong = CancelParams {
        reference_id: Text::new("named-2"),
    };
    let refused = raw.session.send::<Cancel>(now, &wrong).unwrap();
    let answers = raw.pump(Duration::from_millis(100));
    let (_, payload) = answers.iter().find(|(id, _)| *id == refused).unwrap();
    let e = decode_response::<Cancel>(payload.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("302"), "{e}");
    assert!(answers.iter().all(|(id, _)| *id != sale), "{answers:?}");
    // Its own referenceId: the cancel is answered, then the sale with CANCELED.
    let now = raw.now();
    let right = CancelParams {
        reference_id: Text::new("named-1"),
    };
    raw.session.send::<Cancel>(now, &right).unwrap();
    let answers = raw.pump(Duration::from_millis(200));
    let (_, payload) = answers.iter().find(|(id, _)| *id == sale).unwrap();
    assert!(payload.contains("CANCELED"), "{payload}");
}
