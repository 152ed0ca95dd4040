//! Black-box conformance, money (spec/api.md "Member types", "Enums"; spec/protocol.md §6):
//! written from the spec alone, each test quoting the sentence it checks. Helpers in
//! `conformance/mod.rs`.

#[path = "conformance/mod.rs"]
mod conformance;
use conformance::*;

#[test]
fn approved_sale_is_captured_and_lookup_by_reference_agrees() -> TestResult {
    let (_sim, mut client) = start(paired(5))?;
    let reference = ReferenceId::new("conf-sale-1")?;
    let mut events = 0;
    let reply = client.start_transaction(
        &StartTransactionParams::sale(reference, synqpay_rpc::Amount::ils(12550)),
        &mut |_| events += 1,
    )?;
    assert_eq!(reply.result()?.is_charged(), Some(true));
    let sale = result_of(&reply);
    assert_eq!(sale["result"], "OK");
    assert_eq!(status_of(&sale), Some("CAPTURED"));
    assert_eq!(sale["transaction"]["referenceId"], "conf-sale-1");
    assert_eq!(sale["transaction"]["amount"], 12550);
    assert_eq!(sale["transaction"]["currency"], 376);

    // Lookup by REF_ID, the explicit way.
    let found = result_of(&client.call_raw(
        "getTransaction",
        Some(r#"{"lookupMethod":"REF_ID","lookupValue":"conf-sale-1"}"#),
    )?);
    assert_eq!(found["transactionResult"], "OK");
    assert_eq!(found["transaction"]["transactionStatus"], "CAPTURED");
    assert_eq!(found["transaction"]["referenceId"], "conf-sale-1");
    assert_eq!(found["transaction"]["amount"], 12550);
    assert_eq!(
        found["transaction"]["transactionId"],
        sale["transaction"]["transactionId"]
    );
    // And through the client's recovery helper.
    let again = lookup(&mut client, "conf-sale-1")?;
    assert_eq!(again["transaction"]["transactionStatus"], "CAPTURED");
    Ok(())
}

// api.md getTransaction: "not found → 302".
#[test]
fn lookup_of_unknown_reference_is_302() -> TestResult {
    let (_sim, mut client) = start(paired(5))?;
    let err = lookup(&mut client, "never-sent").expect_err("nothing to find");
    assert_eq!(rpc_code(&err), Some(302), "{err:?}");
    Ok(())
}

// protocol.md §6: "A `referenceId` must be unique for the device's lifetime; reusing one
// gives 303, which means "maybe already charged: look it up", never "declined"."
#[test]
fn reused_reference_is_303_and_never_charged_twice() -> TestResult {
    let (_sim, mut client) = start(paired(5))?;
    let first = transact(&mut client, sale("conf-dup-1", 1000))?;
    assert_eq!(status_of(&first), Some("CAPTURED"));

    for amount in [1000, 2500] {
        let err = transact(&mut client, sale("conf-dup-1", amount)).expect_err("reused");
        assert_eq!(rpc_code(&err), Some(303), "{err:?}");
    }
    // A reused reference for another type is reused all the same.
    let refund = json!({"paymentMethod": "CREDIT_CARD", "transactionType": "REFUND",
                        "referenceId": "conf-dup-1", "amount": 500, "currency": 376});
    let err = transact(&mut client, refund).expect_err("reused");
    assert_eq!(rpc_code(&err), Some(303), "{err:?}");

    let found = lookup(&mut client, "conf-dup-1")?;
    assert_eq!(
        found["transaction"]["amount"], 1000,
        "the first sale, untouched"
    );
    assert_eq!(found["transaction"]["transactionStatus"], "CAPTURED");
    assert_eq!(
        found["transaction"]["transactionId"],
        first["transaction"]["transactionId"]
    );

    // The batch holds that reference once.
    let batch = result_of(&client.call_raw("getBatchFileStatus", None)?);
    let entries = batch["mainTerminal"]["batchFile"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let count = entries
        .iter()
        .filter(|e| e["referenceId"] == "conf-dup-1")
        .count();
    assert_eq!(count, 1, "one charge in the batch: {batch}");
    Ok(())
}

// Unique "for the device's lifetime": a declined sale's reference is used too.
#[test]
fn reference_of_a_declined_sale_cannot_be_reused() -> TestResult {
    let (_sim, mut client) = start(paired(5))?;
    let declined = transact(&mut client, sale("conf-declined-1", 1001))?;
    assert_eq!(status_of(&declined), Some("DECLINED"), "{declined}");
    let err = transact(&mut client, sale("conf-declined-1", 1000)).expect_err("reused");
    assert_eq!(rpc_code(&err), Some(303), "{err:?}");
    Ok(())
}

// api.md: "VOID: `transactionType: VOID` with the original `referenceId` and no amount" and
// "VOID names the original `referenceId` and makes the original `VOIDED`".
#[test]
fn void_names_the_original_and_makes_it_voided() -> TestResult {
    let (_sim, mut client) = start(paired(5))?;
    let original = transact(&mut client, sale("conf-void-1", 4200))?;
    assert_eq!(status_of(&original), Some("CAPTURED"));

    let void = transact(
        &mut client,
        json!({"paymentMethod": "CREDIT_CARD", "transactionType": "VOID",
               "referenceId": "conf-void-1"}),
    )?;
    assert_eq!(void["result"], "OK", "{void}");
    if let Some(s) = status_of(&void) {
        assert!(!CHARGED.contains(&s), "a void is never a charge: {void}");
    }

    let found = lookup(&mut client, "conf-void-1")?;
    assert_eq!(
        found["transaction"]["transactionStatus"], "VOIDED",
        "{found}"
    );
    assert_eq!(found["transaction"]["referenceId"], "conf-void-1");

    // Voiding it again: the original is no longer in a voidable status (304).
    let err = transact(
        &mut client,
        json!({"transactionType": "VOID", "referenceId": "conf-void-1"}),
    )
    .expect_err("already voided");
    assert_eq!(rpc_code(&err), Some(304), "{err:?}");
    // Voiding what never existed: 302.
    let err = transact(
        &mut client,
        json!({"transactionType": "VOID", "referenceId": "conf-void-none"}),
    )
    .expect_err("no such transaction");
    assert_eq!(rpc_code(&err), Some(302), "{err:?}");
    Ok(())
}

// api.md: "REFUND is a credit to the card (never "charged")"; charged = AUTHORIZED, CAPTURED,
// SETTLED, DEPOSITED. Checked on the answer, on the lookup, and after a settlement ("Settlement
// makes the captured transactions of the batch SETTLED" must not make a refund charged).
#[test]
fn refund_is_never_reported_as_charged() -> TestResult {
    let (_sim, mut client) = start(paired(5))?;
    let mut problems = Vec::new();
    let params = json!({"paymentMethod": "CREDIT_CARD", "transactionType": "REFUND",
                        "referenceId": "conf-refund-1", "amount": 3000, "currency": 376});
    let reply = client.call_raw("startTransaction", Some(&params.to_string()))?;
    let refund = result_of(&reply);
    assert_eq!(refund["result"], "OK", "{refund}");
    let status = status_of(&refund).expect("a refund that ran has a status");
    if CHARGED.contains(&status) {
        problems.push(format!(
            "the refund's answer has transactionStatus {status}"
        ));
    }
    if reply.result::<StartTransaction>()?.is_charged() == Some(true) {
        problems.push("the client's is_charged() says Some(true) for the refund".into());
    }

    let found = lookup(&mut client, "conf-refund-1")?;
    let status = found["transaction"]["transactionStatus"]
        .as_str()
        .unwrap_or_default();
    if CHARGED.contains(&status) {
        problems.push(format!("getTransaction REF_ID says the refund is {status}"));
    }

    // A sale in the same batch, then a settlement.
    let _ = transact(&mut client, sale("conf-refund-sale", 5000))?;
    let settled = result_of(&client.call_raw("settlement", Some(r#"{"host":"SHVA"}"#))?);
    assert_eq!(settled["result"], "OK", "{settled}");
    let sale_after = lookup(&mut client, "conf-refund-sale")?;
    assert_eq!(sale_after["transaction"]["transactionStatus"], "SETTLED");
    let refund_after = lookup(&mut client, "conf-refund-1")?;
    let status = refund_after["transaction"]["transactionStatus"]
        .as_str()
        .unwrap_or_default();
    if CHARGED.contains(&status) {
        problems.push(format!("after settlement the refund is {status}"));
    }
    assert!(
        problems.is_empty(),
        "a REFUND reported as charged: {problems:#?}\nanswer: {refund}"
    );
    Ok(())
}

// api.md: "an approved AUTH_ONLY ends `AUTHORIZED` and a later CAPTURE (same `referenceId`)
// makes it `CAPTURED`".
#[test]
fn auth_only_then_capture() -> TestResult {
    let (_sim, mut client) = start(paired(5))?;
    let auth = transact(
        &mut client,
        json!({"paymentMethod": "CREDIT_CARD", "transactionType": "AUTH_ONLY",
               "referenceId": "conf-auth-1", "amount": 7000, "currency": 376}),
    )?;
    assert_eq!(status_of(&auth), Some("AUTHORIZED"), "{auth}");
    let capture = transact(
        &mut client,
        json!({"paymentMethod": "CREDIT_CARD", "transactionType": "CAPTURE",
               "referenceId": "conf-auth-1", "amount": 7000, "currency": 376}),
    )?;
    assert_eq!(capture["result"], "OK", "{capture}");
    let found = lookup(&mut client, "conf-auth-1")?;
    assert_eq!(found["transaction"]["transactionStatus"], "CAPTURED");
    Ok(())
}

// protocol.md §5: startTransaction "needs IDLE | during TRANSACTION | after IDLE"; getTransaction
// needs IDLE; pair needs IDLE; "Wrong state → 201". api.md: `notifyEvents` sends
// `transactionEvent` notifications. Raw frames on one connection: a second connection would
// replace the first (§2).
#[test]
fn declined_sale_is_not_charged() -> TestResult {
    let (_sim, mut client) = start(paired(5))?;
    let reply = client.call_raw(
        "startTransaction",
        Some(&sale("conf-decl-2", 2201).to_string()),
    )?;
    let v = result_of(&reply);
    assert_eq!(status_of(&v), Some("DECLINED"), "{v}");
    assert_eq!(
        reply.result::<StartTransaction>()?.is_charged(),
        Some(false)
    );
    let found = lookup(&mut client, "conf-decl-2")?;
    assert_eq!(found["transaction"]["transactionStatus"], "DECLINED");
    Ok(())
}

/// A sale sent on a raw connection that then goes away; once the sale has ended, the same
/// client (same address) connects again and asks `getStatus`: the frames' ids, in the order
/// they came, until the status answer.
fn answers_after_coming_back(cached_responses: bool) -> Vec<String> {
    let sim = Simulator::start(
        "127.0.0.1:0",
        SimulatorConfig {
            cached_responses,
            ..paired(50)
        },
    )
    .unwrap();
    let mut gone = Raw::connect(&sim).unwrap();
    let mut params = sale("cache-1", 1000);
    params["notifyEvents"] = json!(true);
    gone.send_json(&call("startTransaction", "sale-1", params))
        .unwrap();
    // Gone once the sale runs (its first event), before its answer.
    gone.first_event().unwrap();
    drop(gone);
    let until = Instant::now() + Duration::from_secs(10);
    while !sim.screen().starts_with("IDLE") {
        assert!(
            Instant::now() < until,
            "the sale never ended: {}",
            sim.screen()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut back = Raw::connect(&sim).unwrap();
    back.send_json(&call("getStatus", "status-1", Value::Null))
        .unwrap();
    let mut ids = Vec::new();
    loop {
        match back.read_frame().unwrap() {
            Frame::Response(v) => {
                ids.push(v["id"].as_str().unwrap_or("?").to_string());
                if v["id"] == "status-1" {
                    return ids;
                }
            }
            Frame::Event(_) | Frame::Ack | Frame::KeepAlive => {}
            Frame::Error(code) => panic!("link Error frame {code:#04x}"),
        }
    }
}

#[test]
fn an_answer_for_a_client_that_went_away_is_kept_only_when_cached_responses_is_on() {
    // spec/protocol.md §2: "when enabled on the device (setConfig key `cachedResponses`), a
    // response that could not be delivered because the client went away is kept and sent again
    // when the same client connects next"; the simulator starts with it off, as a device does.
    assert_eq!(answers_after_coming_back(false), ["status-1"]);
    assert_eq!(answers_after_coming_back(true), ["sale-1", "status-1"]);
}
