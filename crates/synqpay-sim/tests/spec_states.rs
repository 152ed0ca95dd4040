//! Black-box conformance, states, pairing, cancel and the link (spec/protocol.md §1–§5):
//! written from the spec alone, each test quoting the sentence it checks. Helpers in
//! `conformance/mod.rs`.

#[path = "conformance/mod.rs"]
mod conformance;
use conformance::*;

#[test]
fn get_status_reports_transaction_during_a_sale_and_idle_after() -> TestResult {
    let sim = Simulator::start("127.0.0.1:0", paired(150))?;
    let mut raw = Raw::connect(&sim)?;
    let mut events = Vec::new();

    let get_status = call("getStatus", "st-0", Value::Null);
    raw.send_json(&get_status)?;
    let before = raw.response(&json!("st-0"), &mut events)?;
    assert_eq!(before["result"]["deviceStatus"], "IDLE", "{before}");

    let mut params = sale("conf-status-1", 2000);
    params["notifyEvents"] = json!(true);
    raw.send_json(&call("startTransaction", "sale-1", params))?;
    let first = raw.first_event()?;
    assert_eq!(first["method"], "transactionEvent", "{first}");
    assert!(
        first.get("id").is_none(),
        "notifications have no id: {first}"
    );

    raw.send_json(&call("getStatus", "st-1", Value::Null))?;
    let during = raw.response(&json!("st-1"), &mut events)?;
    assert_eq!(during["result"]["deviceStatus"], "TRANSACTION", "{during}");

    raw.send_json(&call(
        "getTransaction",
        "gt-1",
        json!({"lookupMethod": "LAST_TRANS"}),
    ))?;
    let wrong = raw.response(&json!("gt-1"), &mut events)?;
    assert_eq!(
        wrong["error"]["code"], 201,
        "getTransaction needs IDLE: {wrong}"
    );

    let mut other = sale("conf-status-2", 2000);
    other["notifyEvents"] = json!(false);
    raw.send_json(&call("startTransaction", "sale-2", other))?;
    let wrong = raw.response(&json!("sale-2"), &mut events)?;
    assert_eq!(
        wrong["error"]["code"], 201,
        "a second sale needs IDLE: {wrong}"
    );

    let done = raw.response(&json!("sale-1"), &mut events)?;
    assert_eq!(
        done["result"]["transaction"]["transactionStatus"], "CAPTURED",
        "{done}"
    );
    assert!(
        events.iter().all(|e| e["method"] == "transactionEvent"),
        "{events:?}"
    );

    raw.send_json(&call("getStatus", "st-2", Value::Null))?;
    let after = raw.response(&json!("st-2"), &mut events)?;
    assert_eq!(after["result"]["deviceStatus"], "IDLE", "{after}");
    drop(raw);
    drop(sim);
    Ok(())
}

// protocol.md §5: "Wrong state → 201": continueTransaction needs WAITING_FOR_CONTINUE;
// authenticate needs PAIRING (§3: "no pairing open (or expired) → 201 IllegalState"); pair
// needs IDLE (so a second pair while PAIRING is wrong).
#[test]
fn methods_in_the_wrong_state_give_201() -> TestResult {
    let (sim, mut client) = start(paired(5))?;
    let err = client
        .call_raw("continueTransaction", Some(r#"{"newAmount": 100}"#))
        .expect_err("nothing waits to continue");
    assert_eq!(rpc_code(&err), Some(201), "{err:?}");

    let err = client.authenticate("123456").expect_err("no pairing open");
    assert_eq!(rpc_code(&err), Some(201), "{err:?}");

    let serial = SimulatorConfig::default().serial_number;
    client.pair(&serial)?;
    assert!(sim.pairing_code().is_some());
    let err = client.pair(&serial).expect_err("pair needs IDLE");
    assert_eq!(rpc_code(&err), Some(201), "{err:?}");
    assert_eq!(device_status(&mut client)?, "PAIRING");

    let err = transact(&mut client, sale("conf-state-1", 1000)).expect_err("PAIRING");
    assert_eq!(
        rpc_code(&err),
        Some(201),
        "startTransaction needs IDLE: {err:?}"
    );
    Ok(())
}

// protocol.md §3: "A serial number that is not the device's → error 103"; "A wrong code → 103";
// "after 5 wrong codes the pairing is closed (back to IDLE, the code void)"; "no pairing open
// (or expired) → 201 IllegalState".
#[test]
fn five_wrong_pairing_codes_close_the_pairing() -> TestResult {
    let config = SimulatorConfig {
        otp: Some("654321".into()),
        ..paired(5)
    };
    let serial = config.serial_number.clone();
    let (sim, mut client) = start(config)?;

    let err = client.pair("NOT-THIS-DEVICE").expect_err("wrong serial");
    assert_eq!(rpc_code(&err), Some(103), "{err:?}");

    client.pair(&serial)?;
    assert_eq!(sim.pairing_code().as_deref(), Some("654321"));
    for wrong in ["000000", "111111", "222222", "333333", "444444"] {
        let err = client.authenticate(wrong).expect_err("wrong code");
        assert_eq!(rpc_code(&err), Some(103), "{err:?}");
    }
    // The right code no longer opens anything.
    let err = client.authenticate("654321").expect_err("pairing closed");
    assert_eq!(rpc_code(&err), Some(201), "{err:?}");
    assert_eq!(device_status(&mut client)?, "IDLE");
    Ok(())
}

// Four wrong codes leave the pairing open: the right code still pairs, a new key is issued,
// and (§3, ours) "the old one stops working".
#[test]
fn four_wrong_codes_then_the_right_one_pairs() -> TestResult {
    let config = SimulatorConfig {
        otp: Some("654321".into()),
        ..paired(5)
    };
    let serial = config.serial_number.clone();
    let (sim, mut client) = start(config)?;
    client.pair(&serial)?;
    for wrong in ["000000", "111111", "222222", "333333"] {
        let err = client.authenticate(wrong).expect_err("wrong code");
        assert_eq!(rpc_code(&err), Some(103), "{err:?}");
    }
    let key = client.authenticate("654321")?;
    assert_eq!(device_status(&mut client)?, "IDLE");
    drop(client);

    let mut old =
        Client::connect(sim.addr(), ClientConfig::default())?.with_api_key(KEY_TEXT.parse()?);
    if key != KEY_TEXT.parse()? {
        let err = old.call::<GetStatus>(&NoParams).expect_err("old key");
        assert!(matches!(err, Error::Link(_)), "{err:?}");
    }
    drop(old);
    let mut new = Client::connect(sim.addr(), ClientConfig::default())?.with_api_key(key);
    assert_eq!(device_status(&mut new)?, "IDLE");
    Ok(())
}

// api.md cancel: "`referenceId` (of the running request) | `null`; the cancelled request then
// answers too (e.g. `result: CANCELED`)". A card that never comes keeps the sale running.
#[test]
fn cancel_of_the_running_sale_answers_canceled_to_the_sale() -> TestResult {
    let config = SimulatorConfig {
        card_wait_ms: 10_000,
        ..paired(5)
    };
    let sim = Simulator::start("127.0.0.1:0", config)?;
    let mut raw = Raw::connect(&sim)?;
    let mut events = Vec::new();
    let mut params = sale("conf-cancel-1", 1003);
    params["notifyEvents"] = json!(true);
    let started = Instant::now();
    raw.send_json(&call("startTransaction", "sale-c", params))?;
    raw.first_event()?;

    raw.send_json(&call(
        "cancel",
        "cancel-c",
        json!({"referenceId": "conf-cancel-1"}),
    ))?;
    let cancel = raw.response(&json!("cancel-c"), &mut events)?;
    assert!(cancel.get("error").is_none(), "{cancel}");
    assert!(
        cancel.get("result").is_none_or(Value::is_null),
        "cancel answers null: {cancel}"
    );
    let sale = raw.response(&json!("sale-c"), &mut events)?;
    assert_eq!(sale["result"]["result"], "CANCELED", "{sale}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "cancel was prompt"
    );
    if let Some(s) = sale["result"]["transaction"]["transactionStatus"].as_str() {
        assert!(!CHARGED.contains(&s), "a cancelled sale charged: {sale}");
    }

    // And the cancelled sale is not left running.
    raw.send_json(&call("getStatus", "st-c", Value::Null))?;
    let after = raw.response(&json!("st-c"), &mut events)?;
    assert_eq!(after["result"]["deviceStatus"], "IDLE", "{after}");
    Ok(())
}

// The same through the public client's Canceller (README: "the sale answers `CANCELED`").
#[test]
fn canceller_cancels_the_running_sale() -> TestResult {
    let config = SimulatorConfig {
        card_wait_ms: 10_000,
        ..paired(5)
    };
    let (_sim, mut client) = start(config)?;
    let canceller = client.canceller();
    let mut params = StartTransactionParams::sale(
        ReferenceId::new("conf-cancel-2")?,
        synqpay_rpc::Amount::ils(2003),
    );
    params.notify_events = Some(true);
    let started = Instant::now();
    let reply = client.start_transaction(&params, &mut |_| canceller.cancel())?;
    assert!(started.elapsed() < Duration::from_secs(5));
    let v = result_of(&reply);
    assert_eq!(v["result"], "CANCELED", "{v}");
    assert_ne!(reply.result()?.is_charged(), Some(true));
    assert_eq!(device_status(&mut client)?, "IDLE");
    Ok(())
}

// api.md cancel: the `referenceId` is "of the running request"; naming another one cancels
// nothing (README: 302) and the sale goes on.
#[test]
fn cancel_naming_another_reference_leaves_the_sale_alone() -> TestResult {
    let sim = Simulator::start("127.0.0.1:0", paired(100))?;
    let mut raw = Raw::connect(&sim)?;
    let mut events = Vec::new();
    let mut params = sale("conf-cancel-3", 1500);
    params["notifyEvents"] = json!(true);
    raw.send_json(&call("startTransaction", "sale-x", params))?;
    raw.first_event()?;
    raw.send_json(&call("cancel", "cancel-x", json!({"referenceId": "other"})))?;
    let cancel = raw.response(&json!("cancel-x"), &mut events)?;
    assert!(cancel.get("error").is_some(), "{cancel}");
    let sale = raw.response(&json!("sale-x"), &mut events)?;
    assert_eq!(sale["result"]["result"], "OK", "{sale}");
    assert_eq!(
        sale["result"]["transaction"]["transactionStatus"], "CAPTURED",
        "{sale}"
    );
    Ok(())
}

// JSON-RPC 2.0 (protocol.md §4): a response carries the id of its request. The docs use
// strings, but a numeric id is still a JSON-RPC 2.0 id and must come back unchanged.
#[test]
fn numeric_id_is_answered_with_the_same_id() -> TestResult {
    let sim = Simulator::start("127.0.0.1:0", paired(5))?;
    let mut raw = Raw::connect(&sim)?;
    let mut events = Vec::new();
    raw.send_json(&json!({"jsonrpc": "2.0", "id": 7, "method": "getStatus"}))?;
    let answer = raw.response(&json!(7), &mut events)?;
    assert_eq!(answer["id"], json!(7));
    assert_eq!(answer["jsonrpc"], "2.0");
    assert_eq!(answer["result"]["deviceStatus"], "IDLE", "{answer}");
    Ok(())
}

// §4: "Parameterless methods may send `"params": null` or omit `params`; accept both", and
// "Unknown fields must be ignored".
#[test]
fn params_null_omitted_and_unknown_members_are_accepted() -> TestResult {
    let sim = Simulator::start("127.0.0.1:0", paired(5))?;
    let mut raw = Raw::connect(&sim)?;
    let mut events = Vec::new();
    raw.send_json(&json!({"jsonrpc": "2.0", "id": "a", "method": "getStatus"}))?;
    raw.send_json(&json!({"jsonrpc": "2.0", "id": "b", "method": "getStatus", "params": null}))?;
    let a = raw.response(&json!("a"), &mut events)?;
    let b = raw.response(&json!("b"), &mut events)?;
    assert_eq!(a["result"]["deviceStatus"], "IDLE", "{a}");
    assert_eq!(b["result"]["deviceStatus"], "IDLE", "{b}");

    let mut params = sale("conf-unknown-1", 1200);
    params["someFutureField"] = json!({"x": 1});
    raw.send_json(&call("startTransaction", "c", params))?;
    let c = raw.response(&json!("c"), &mut events)?;
    assert_eq!(
        c["result"]["transaction"]["transactionStatus"], "CAPTURED",
        "{c}"
    );
    Ok(())
}

// §1: "0x03 CRC_ERROR"; "0x05 NOT_AUTHENTICATED (api key missing or wrong)"; KeepAlive → ACK,
// and the device keeps serving after a bad frame (resynchronisation).
#[test]
fn link_errors_and_keepalive() -> TestResult {
    let sim = Simulator::start("127.0.0.1:0", paired(5))?;
    let mut raw = Raw::connect(&sim)?;
    let payload = call("getStatus", "k1", Value::Null).to_string();

    let mut bad = request_frame(KEY, payload.as_bytes());
    let n = bad.len();
    bad[n - 2] ^= 0xFF; // the CRC's low byte
    raw.stream.write_all(&bad)?;
    assert!(matches!(raw.read_frame()?, Frame::Error(0x03)));

    raw.stream
        .write_all(&request_frame([0, 0, 0, 1], payload.as_bytes()))?;
    assert!(matches!(raw.read_frame()?, Frame::Error(0x05)));

    raw.stream.write_all(&[0x02, 0x04, 0x03])?;
    assert!(matches!(raw.read_frame()?, Frame::Ack));

    let mut events = Vec::new();
    raw.send_json(&call("getStatus", "k2", Value::Null))?;
    let ok = raw.response(&json!("k2"), &mut events)?;
    assert_eq!(ok["result"]["deviceStatus"], "IDLE", "{ok}");
    Ok(())
}

// api.md / §4: amounts of other outcomes: a declined sale is DECLINED, not charged, and a
// non-OK result is still a valid answer (not an error).
