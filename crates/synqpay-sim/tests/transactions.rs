//! Transaction flows of the simulator through the client: UPDATE and REFERRAL stops with
//! `continueTransaction`, `cancel`, IllegalState, and the outcomes chosen by amount.

use synqpay_rpc::{
    CommandStatus, ContinueTransaction, ContinueTransactionParams, ReferenceId, RpcErrorCode,
    StartTransaction, StartTransactionParams, Text,
};
mod support;
use support::{paired, rpc_code};
use synqpay_sim::{Simulator, SimulatorConfig};
use synqpay_std::{Client, ClientConfig, Error};

fn setup() -> (Simulator, Client) {
    setup_with(5)
}

fn setup_with(step_ms: u64) -> (Simulator, Client) {
    paired(step_ms)
}

fn sale<'a>(reference: &'a str, amount: i64) -> StartTransactionParams<'a> {
    StartTransactionParams::sale(
        ReferenceId::new(reference).unwrap(),
        synqpay_rpc::Amount::ils(amount),
    )
}

#[test]
fn update_stop_then_continue_with_a_new_amount() {
    let (_sim, mut client) = setup();
    let params = StartTransactionParams {
        notify_update: Some(true),
        ..sale("upd-1", 10000)
    };
    let mut events = Vec::new();
    let reply = client
        .start_transaction(&params, &mut |e| events.push(e.to_string()))
        .unwrap();
    let stopped = reply.result().unwrap();
    assert_eq!(stopped.command_status, Some(CommandStatus::Update));
    assert!(stopped.awaits_continue());
    assert_eq!(
        stopped.allowed_credit_terms.as_ref().map(|t| t.len()),
        Some(2)
    );
    assert_eq!(
        events.len(),
        2,
        "WAITING_FOR_CARD and CARD_DETECTED before the stop: {events:?}"
    );
    let more = ContinueTransactionParams {
        new_amount: Some(9000),
        ..Default::default()
    };
    let reply = client.call::<ContinueTransaction>(&more).unwrap();
    let done = reply.result().unwrap();
    assert_eq!(done.command_status, Some(CommandStatus::Completed));
    assert_eq!(done.is_charged(), Some(true));
    assert_eq!(done.transaction.unwrap().amount, Some(9000));
}

#[test]
fn referral_stop_then_continue_with_an_authorization_number() {
    let (_sim, mut client) = setup();
    let reply = client
        .start_transaction(&sale("ref-1", 1004), &mut |_| {})
        .unwrap();
    assert_eq!(
        reply.result().unwrap().command_status,
        Some(CommandStatus::Referral)
    );
    let params = ContinueTransactionParams {
        authorization_number: Some(Text::new("1234567")),
        ..Default::default()
    };
    let done = client.call::<ContinueTransaction>(&params).unwrap();
    assert_eq!(done.result().unwrap().is_charged(), Some(true));
}

#[test]
fn outcomes_follow_the_amount_and_unknown_is_not_declined() {
    let (_sim, mut client) = setup();
    let declined = client
        .start_transaction(&sale("o-1", 1001), &mut |_| {})
        .unwrap();
    assert_eq!(declined.result().unwrap().is_charged(), Some(false));
    let host_error = client
        .start_transaction(&sale("o-2", 1002), &mut |_| {})
        .unwrap();
    assert_eq!(
        host_error.result().unwrap().is_charged(),
        None,
        "unknown: look it up"
    );
    let timeout = client
        .start_transaction(&sale("o-3", 1003), &mut |_| {})
        .unwrap();
    assert_eq!(timeout.result().unwrap().result.to_string(), "TIMEOUT");
    // The lookup tells what the host error left unknown: nothing was stored, so 302.
    let lookup = client.lookup_transaction(ReferenceId::new("o-2").unwrap());
    assert_eq!(rpc_code(lookup), RpcErrorCode::TransactionNotFound);
}

#[test]
fn continue_without_a_stop_is_illegal_state() {
    let (_sim, mut client) = setup();
    let e = client
        .call::<ContinueTransaction>(&ContinueTransactionParams::default())
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Rpc {
                code: RpcErrorCode::IllegalState,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn a_sale_is_cancelled_from_another_thread_on_its_own_connection() {
    let (_sim, mut client) = setup_with(300);
    let canceller = client.canceller();
    let button = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(150));
        canceller.cancel();
    });
    let reply = client
        .start_transaction(&sale("cancel-1", 5000), &mut |_| {})
        .unwrap();
    button.join().unwrap();
    let result = reply.result().unwrap();
    assert_eq!(result.result.to_string(), "CANCELED");
    assert_eq!(
        result.is_charged(),
        None,
        "no transaction: nothing charged, and nothing stored"
    );
    let lookup = client.lookup_transaction(ReferenceId::new("cancel-1").unwrap());
    assert_eq!(rpc_code(lookup), RpcErrorCode::TransactionNotFound);
}

#[test]
fn five_wrong_pairing_codes_close_the_pairing() {
    // spec/protocol.md §3 (ours): after 5 wrong codes the pairing is closed (back to IDLE)
    // and the code void.
    let config = SimulatorConfig {
        otp: Some("123456".into()),
        pairing_reopen_ms: 400,
        ..Default::default()
    };
    let sim = Simulator::start("127.0.0.1:0", config).unwrap();
    let mut client = Client::connect(sim.addr(), ClientConfig::default()).unwrap();
    client.pair("244RKR528387").unwrap();
    for guess in ["000001", "000002", "000003", "000004", "000005"] {
        assert_eq!(
            rpc_code(client.authenticate(guess)),
            RpcErrorCode::InvalidParams
        );
    }
    // The right code now comes too late: no pairing is open (201).
    assert_eq!(
        rpc_code(client.authenticate("123456")),
        RpcErrorCode::IllegalState
    );
    assert!(sim.screen().starts_with("IDLE"), "{}", sim.screen());
    assert_eq!(sim.pairing_code(), None);
    // Pairing again is accepted (the device is IDLE), but the new pairing opens, and `pair`
    // is answered, only once the reopening delay has passed (ours: otherwise each pairing
    // would give 5 more guesses at once, ~10,000 guesses a second).
    let asked = std::time::Instant::now();
    client.pair("244RKR528387").unwrap();
    assert!(asked.elapsed() >= std::time::Duration::from_millis(350));
    client.authenticate("123456").unwrap();
}

/// The status the device holds for `reference`, looked up as an app would.
fn status_of(client: &mut Client, reference: &str) -> String {
    let found = client
        .lookup_transaction(ReferenceId::new(reference).unwrap())
        .unwrap();
    let result = found.result().unwrap();
    result
        .transaction
        .unwrap()
        .transaction_status
        .unwrap()
        .to_string()
}

fn run(
    client: &mut Client,
    kind: synqpay_rpc::TransactionType<'static>,
    reference: &str,
    amount: Option<i64>,
) -> Result<synqpay_std::Reply, Error> {
    let params = StartTransactionParams {
        transaction_type: kind,
        amount,
        ..sale(reference, 0)
    };
    client
        .start_transaction(&params, &mut |_| {})
        .map(synqpay_std::Answer::into_reply)
}

#[test]
fn transaction_types_end_as_the_api_says() {
    use synqpay_rpc::TransactionType as T;
    // spec/api.md "Member types": an approved SALE ends CAPTURED; an AUTH_ONLY AUTHORIZED, and a
    // CAPTURE with the same referenceId makes it CAPTURED; a VOID names the original and makes
    // it VOIDED; a REFUND is a credit, never "charged".
    let (_sim, mut client) = setup();
    let sold = run(&mut client, T::Sale, "tt-sale", Some(1000)).unwrap();
    let sold = sold.result::<StartTransaction>().unwrap();
    assert_eq!(sold.is_charged(), Some(true));
    let t = sold.transaction.as_ref().unwrap();
    // The device's clock, not a constant; the receipt's language as in the documented sample.
    let time = t.transaction_time.unwrap().to_string();
    assert!(time.ends_with('Z') && time.as_str() > "2026-11", "{time}");
    assert_eq!(t.card_holder_receipt.unwrap().language().unwrap(), "HEBREW");
    assert_eq!(status_of(&mut client, "tt-sale"), "CAPTURED");

    run(&mut client, T::AuthOnly, "tt-auth", Some(2000)).unwrap();
    assert_eq!(status_of(&mut client, "tt-auth"), "AUTHORIZED");
    run(&mut client, T::Capture, "tt-auth", None).unwrap();
    assert_eq!(status_of(&mut client, "tt-auth"), "CAPTURED");

    let voided = run(&mut client, T::Void, "tt-sale", None).unwrap();
    let voided = voided.result::<StartTransaction>().unwrap();
    assert_eq!(voided.is_charged(), Some(false));
    assert_eq!(status_of(&mut client, "tt-sale"), "VOIDED");

    let refund = run(&mut client, T::Refund, "tt-refund", Some(500)).unwrap();
    let refund = refund.result::<StartTransaction>().unwrap();
    assert_eq!(refund.is_charged(), Some(false), "a credit to the card");
}

#[test]
fn void_and_capture_of_what_cannot_be_are_refused() {
    use synqpay_rpc::TransactionType as T;
    let (_sim, mut client) = setup();
    let code = rpc_code;
    // Unknown originals: 302.
    let unknown = run(&mut client, T::Void, "tt-nothing", None);
    assert_eq!(code(unknown), RpcErrorCode::TransactionNotFound);
    let unknown = run(&mut client, T::Capture, "tt-nothing", None);
    assert_eq!(code(unknown), RpcErrorCode::TransactionNotFound);
    // A SALE cannot be captured, nor a VOIDED one voided again: 304.
    run(&mut client, T::Sale, "tt-once", Some(1000)).unwrap();
    let capture = run(&mut client, T::Capture, "tt-once", None);
    assert_eq!(code(capture), RpcErrorCode::IllegalTransactionStatus);
    run(&mut client, T::Void, "tt-once", None).unwrap();
    let again = run(&mut client, T::Void, "tt-once", None);
    assert_eq!(code(again), RpcErrorCode::IllegalTransactionStatus);
    // A new SALE with a used referenceId is still 303.
    let reused = run(&mut client, T::Sale, "tt-once", Some(1000));
    assert_eq!(code(reused), RpcErrorCode::TransactionAlreadyExist);
}

#[test]
fn settlement_makes_the_batch_settled() {
    use synqpay_rpc::TransactionType as T;
    let (_sim, mut client) = setup();
    run(&mut client, T::Sale, "st-1", Some(1000)).unwrap();
    run(&mut client, T::AuthOnly, "st-2", Some(1000)).unwrap();
    let params = synqpay_rpc::SettlementParams {
        host: synqpay_rpc::Host::Shva,
        report_format: None,
        reset_gen: None,
    };
    client.call::<synqpay_rpc::Settlement>(&params).unwrap();
    assert_eq!(status_of(&mut client, "st-1"), "SETTLED");
    // Only what was captured is settled.
    assert_eq!(status_of(&mut client, "st-2"), "AUTHORIZED");
}

#[test]
fn each_flow_sends_its_events_in_order() {
    use synqpay_rpc::{CreditTerms, PaymentType};
    let (_sim, mut client) = setup();
    let mut run = |params: StartTransactionParams<'_>| {
        let mut events = Vec::new();
        client
            .start_transaction(&params, &mut |e| {
                events.push(e.event_type().unwrap().to_string());
            })
            .unwrap();
        events
    };
    let present = run(sale("ev-1", 1000));
    assert_eq!(
        present,
        [
            "WAITING_FOR_CARD",
            "CARD_DETECTED",
            "PIN_STARTED",
            "AUTHORIZATION_STARTED"
        ]
    );
    let moto_with_tip_in_installments = run(StartTransactionParams {
        tip_screen: Some(true),
        payment_type: Some(PaymentType::Moto),
        credit_terms: Some(CreditTerms::Installments),
        ..sale("ev-2", 1000)
    });
    assert_eq!(
        moto_with_tip_in_installments,
        [
            "TIP_SELECTION",
            "ENTER_CARD_DETAILS",
            "ENTER_CVV",
            "ENTER_CARDHOLDER_ID",
            "CREDIT_CONFORMATION",
            "AUTHORIZATION_STARTED"
        ]
    );
}
