//! What a user interface branches on: each error a desktop app meets, and what to do about it
//! ([`Error::remedy`]), against the simulator.

use synqpay_sim::{Simulator, SimulatorConfig};
use synqpay_std::{
    Amount, Client, ClientConfig, Error, ErrorCode, GetStatus, NoParams, ReferenceId, Remedy,
    RequestProblem, RpcErrorCode, StartTransactionParams,
};

const KEY: &str = "1234abcd";

fn paired() -> Simulator {
    let config = SimulatorConfig {
        api_key: Some(KEY.parse().unwrap()),
        step_ms: 10,
        ..Default::default()
    };
    Simulator::start("127.0.0.1:0", config).unwrap()
}

#[test]
fn a_socket_address_connects_and_a_name_that_resolves_to_nothing_says_check_the_connection() {
    let sim = paired();
    // Anything ToSocketAddrs: here the SocketAddr itself.
    let mut client = Client::connect(sim.addr(), ClientConfig::default())
        .unwrap()
        .with_api_key(KEY.parse().unwrap());
    let status = client.call::<GetStatus>(&NoParams).unwrap();
    assert!(status.result().is_ok());

    let e = Client::connect("no-such-device.invalid:9000", ClientConfig::default()).unwrap_err();
    assert!(matches!(e, Error::Address { .. }), "{e:?}");
    assert_eq!(e.remedy(), Remedy::CheckConnection);
    assert!(e.to_string().contains("no-such-device.invalid"), "{e}");
}

#[test]
fn no_key_or_a_wrong_key_says_pair_again() {
    let sim = paired();
    let mut unpaired = Client::connect(sim.addr(), ClientConfig::default()).unwrap();
    let e = unpaired.call::<GetStatus>(&NoParams).unwrap_err();
    assert!(matches!(e, Error::NotPaired), "{e:?}");
    assert_eq!(e.remedy(), Remedy::PairAgain);

    let mut wrong = Client::connect(sim.addr(), ClientConfig::default())
        .unwrap()
        .with_api_key("00000001".parse().unwrap());
    let e = wrong.call::<GetStatus>(&NoParams).unwrap_err();
    assert!(
        matches!(e, Error::Link(ErrorCode::NotAuthenticated)),
        "{e:?}"
    );
    assert_eq!(e.remedy(), Remedy::PairAgain);
}

#[test]
fn a_request_that_cannot_be_sent_says_fix_it_and_nothing_left() {
    let sim = paired();
    let mut client = Client::connect(sim.addr(), ClientConfig::default())
        .unwrap()
        .with_api_key(KEY.parse().unwrap());
    let e = client.call_raw("getStatus", Some("{not json")).unwrap_err();
    assert!(
        matches!(e, Error::Request(RequestProblem::ParamsNotJson)),
        "{e:?}"
    );
    assert_eq!(e.remedy(), Remedy::FixRequest);
    // A payment by name whose parameters do not fit is never sent (spec/protocol.md §6).
    let e = client
        .call_raw("startTransaction", Some(r#"{"amount":"many"}"#))
        .unwrap_err();
    assert!(
        matches!(e, Error::Request(RequestProblem::ParamsDoNotFit)),
        "{e:?}"
    );
    assert_eq!(sim.screen(), "IDLE", "nothing reached the device");
}

#[test]
fn a_reused_reference_says_look_it_up_and_a_device_error_keeps_its_code() {
    let sim = paired();
    let mut client = Client::connect(sim.addr(), ClientConfig::default())
        .unwrap()
        .with_api_key(KEY.parse().unwrap());
    let sale = StartTransactionParams::sale(ReferenceId::new("e-1").unwrap(), Amount::ils(500));
    let answer = client.start_transaction(&sale, &mut |_| {}).unwrap();
    assert_eq!(answer.result().unwrap().is_charged(), Some(true));
    let e = client.start_transaction(&sale, &mut |_| {}).unwrap_err();
    match &e {
        Error::Rpc { code, .. } => assert_eq!(*code, RpcErrorCode::TransactionAlreadyExist),
        other => panic!("{other:?}"),
    }
    assert_eq!(e.remedy(), Remedy::LookUp(None));
    // The lookup, typed without naming the method again.
    let found = client
        .lookup_transaction(ReferenceId::new("e-1").unwrap())
        .unwrap();
    let found = found.result().unwrap();
    assert_eq!(found.transaction.and_then(|t| t.amount), Some(500));
}

#[test]
fn device_text_in_an_error_is_escaped_when_shown() {
    let e = Error::Rpc {
        code: RpcErrorCode::GeneralError,
        message: "\u{1b}[2Jpay here".into(),
        data: None,
    };
    let shown = e.to_string();
    assert!(!shown.contains('\u{1b}'), "{shown}");
    assert!(shown.contains("\\u{1b}[2Jpay here"), "{shown}");
}
