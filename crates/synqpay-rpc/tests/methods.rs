//! Every method of spec/api.md, both directions, through the typed API with serde-json-core:
//! a device decodes the params a client encoded, a client decodes the result a device encoded,
//! and the JSON written means the same as the sample it came from.

use serde_json::Value;
use synqpay_rpc::*;

/// Decodes `params` and `result` as a device and a client would, encodes them again in full
/// messages, parses those back, and checks each step kept the meaning. (Typed values are
/// compared by their encodings: a method's types are invariant in their lifetime.)
fn both_ways<M: Method>(params: Option<&str>, result: Option<&str>) {
    let (mut message, mut reply, mut first, mut second) =
        ([0u8; 8192], [0u8; 8192], [0u8; 8192], [0u8; 8192]);

    let raw_params = params.map(|p| RawJson::parse(p.as_bytes()).unwrap());
    let typed = M::decode_params(raw_params).unwrap_or_else(|e| panic!("{}: params: {e}", M::NAME));
    let n = encode_call::<M>(&mut message, "17", &typed).unwrap();
    let Message::Request(request) = Message::parse(&message[..n]).unwrap() else {
        panic!("{} is not a request", M::NAME)
    };
    assert_eq!(request.method, M::NAME);
    let again = M::decode_params(request.params).unwrap();
    let (a, b) = (
        encode(&typed, &mut first).unwrap(),
        encode(&again, &mut second).unwrap(),
    );
    assert_eq!(first[..a], second[..b], "{}: params round trip", M::NAME);
    if let (Some(sample), Some(written)) = (params, request.params) {
        same_json(sample, written.as_str(), M::NAME);
    }

    let raw_result = result.map(|r| RawJson::parse(r.as_bytes()).unwrap());
    let output =
        M::decode_output(raw_result).unwrap_or_else(|e| panic!("{}: result: {e}", M::NAME));
    let n = encode_response(&mut reply, Text::new("17"), &output).unwrap();
    let Message::Response(response) = Message::parse(&reply[..n]).unwrap() else {
        panic!("{} is not a response", M::NAME)
    };
    assert_eq!(response.id, "17");
    let again = M::decode_output(response.result).unwrap();
    let (a, b) = (
        encode(&output, &mut first).unwrap(),
        encode(&again, &mut second).unwrap(),
    );
    assert_eq!(first[..a], second[..b], "{}: result round trip", M::NAME);
    if let (Some(sample), Some(written)) = (result, response.result) {
        same_json(sample, written.as_str(), M::NAME);
    }
}

/// The same JSON value, member order aside.
fn same_json(expected: &str, written: &str, what: &str) {
    let a: Value = serde_json::from_str(expected).unwrap();
    let b: Value = serde_json::from_str(written)
        .unwrap_or_else(|e| panic!("{what}: wrote invalid JSON {written}: {e}"));
    assert_eq!(a, b, "{what}");
}

#[test]
fn pairing() {
    both_ways::<Pair>(Some(r#"{"serialNumber":"244RKR528387"}"#), None);
    both_ways::<Authenticate>(
        Some(r#"{"otp":"123456"}"#),
        Some(r#"{"apiKey":"1234abcd"}"#),
    );
}

#[test]
fn status_methods() {
    both_ways::<GetStatus>(None, Some(r#"{"deviceStatus":"IDLE","cancelable":false}"#));
    both_ways::<GetDeviceInfo>(
        None,
        Some(
            r#"{"appVersion":"1.8.2","brand":"PAX","model":"A920","serialNumber":"244RKR528387","firmware":"PayDroid_8.1","localIP":"192.168.1.20","ssid":"shop","time":"2026-11-27T10:15:30+02:00"}"#,
        ),
    );
    both_ways::<GetTerminalStatus>(
        None,
        Some(r#"{"terminalId":"0881234","terminalName":"קפה הפינה","terminalStatus":"READY"}"#),
    );
}

#[test]
fn transaction_methods() {
    both_ways::<StartTransaction>(
        Some(
            r#"{"paymentMethod":"CREDIT_CARD","transactionType":"SALE","referenceId":"order-1001","amount":12550,"currency":376,"tipAmount":1000,"tipScreen":false,"creditTerms":"INSTALLMENTS","noOtherInstallmentPayments":2,"firstPayment":4550,"noCreditPayments":3,"paymentType":"CARD_PRESENT","notifyUpdate":true,"notifyReferral":true,"notifyEvents":true}"#,
        ),
        Some(
            r#"{"result":"OK","commandStatus":"UPDATE","allowedCreditTerms":["REGULAR","INSTALLMENTS"],"maxNumberInstallmentPayments":12}"#,
        ),
    );
    both_ways::<StartTransaction>(
        Some(r#"{"transactionType":"VOID","referenceId":"order-1001"}"#),
        Some(
            r#"{"result":"HOST_ERROR","commandStatus":"COMPLETED","transaction":{"transactionStatus":"DECLINED","hostErrorCode":"005","hostErrorMessage":"סירוב"}}"#,
        ),
    );
    both_ways::<ContinueTransaction>(
        Some(r#"{"newAmount":9900,"creditTerms":"REGULAR"}"#),
        Some(r#"{"result":"OK","commandStatus":"COMPLETED"}"#),
    );
    both_ways::<ContinueTransaction>(
        Some(r#"{"authorizationNumber":"1234567"}"#),
        Some(r#"{"result":"CANCELED"}"#),
    );
    both_ways::<Cancel>(Some(r#"{"referenceId":"order-1001"}"#), None);
    both_ways::<GetTransaction>(
        Some(r#"{"lookupMethod":"REF_ID","lookupValue":"order-1001"}"#),
        Some(
            r#"{"transactionResult":"OK","transaction":{"transactionStatus":"CAPTURED","referenceId":"order-1001","amount":12550}}"#,
        ),
    );
    both_ways::<GetTransaction>(
        Some(r#"{"lookupMethod":"LAST_TRANS"}"#),
        Some(r#"{"transactionResult":"HOST_ERROR"}"#),
    );
}

#[test]
fn settlement_methods() {
    both_ways::<GetBatchFileStatus>(
        None,
        Some(
            r#"{"mainTerminal":{"terminalId":"0881234","batchFile":[{"type":"R","referenceId":"order-1001","transactionId":"26112710153012345678901"},{"type":"V","referenceId":"order-1002","transactionId":"26112710153012345678902"}]}}"#,
        ),
    );
    both_ways::<Settlement>(
        Some(r#"{"host":"SHVA","reportFormat":"NARROW","resetGen":false}"#),
        Some(
            r#"{"result":"OK","settlement":{"terminalId":"0881234","settlementId":"0b5c6a3e-27c4-4f0e-9a51-6a2d9e1f7c11","batchNo":"0042","report":"דוח סגירה<!>סה\"כ: 135.50<!>","settledTransactions":[{"type":"R","referenceId":"order-1001","transactionId":"26112710153012345678901"}],"time":"2026-11-27T23:00:00+02:00"}}"#,
        ),
    );
    both_ways::<GetSettlement>(
        Some(r#"{"lookupMethod":"LAST_SETTLEMENT"}"#),
        Some(r#"{"terminalId":"0881234","batchNo":"0042","report":"x","settledTransactions":[]}"#),
    );
    both_ways::<QuerySettlements>(
        Some(r#"{"queryParams":{"from":"2026-11-01"}}"#),
        Some(r#"[{"settlementId":"a"},{"settlementId":"b"}]"#),
    );
    both_ways::<Deposit>(
        Some(r#"{"host":"SHVA"}"#),
        Some(r#"{"result":"OK","deposit":{"terminalId":"0881234"}}"#),
    );
}

#[test]
fn screen_methods() {
    both_ways::<ReadCard>(
        Some(
            r#"{"commandId":"rc-1","title":"כרטיס מועדון","body":"העבר כרטיס","timeout":60,"cancelable":true,"readMagCard":true,"readNfcCard":false}"#,
        ),
        Some(r#"{"commandId":"rc-1","result":"OK"}"#),
    );
    both_ways::<UserInput>(
        Some(
            r#"{"commandId":"ui-1","inputType":"NUMBER","title":"טלפון","timeout":30,"cancelable":true,"minValue":0,"maxValue":999}"#,
        ),
        Some(r#"{"commandId":"ui-1","result":"TIMEOUT"}"#),
    );
    both_ways::<UserSelection>(
        Some(
            r#"{"commandId":"us-1","options":[{"id":"a","label":"כן"},{"id":"b","label":"לא"}],"title":"לאשר?","timeout":20}"#,
        ),
        Some(r#"{"commandId":"us-1","result":"OK","selected":"a"}"#),
    );
    both_ways::<ShowQr>(
        Some(
            r#"{"commandId":"qr-1","qrData":"https://pay.example/x?a=1&b=2","title":"סרוק","cancelable":false}"#,
        ),
        None,
    );
    both_ways::<CaptureSignature>(
        Some(r#"{"commandId":"sig-1","mimeType":"image/svg+xml","timeout":60}"#),
        Some(r#"{"commandId":"sig-1","result":"OK","signature":"0x3c7376673e"}"#),
    );
}

#[test]
fn system_methods() {
    both_ways::<GetConfig>(
        None,
        Some(
            r#"{"printTransactionReceipt":true,"printSettlement":false,"cachedResponses":true,"nsd":true}"#,
        ),
    );
    both_ways::<SetConfig>(Some(r#"{"config":{"cachedResponses":true}}"#), None);
    both_ways::<UploadLogs>(None, None);
    both_ways::<Reboot>(None, Some("null"));
    both_ways::<Restart>(None, Some(r#"{"restarting":true}"#));
}

#[test]
fn the_transaction_event() {
    let text = r#"{"jsonrpc":"2.0","method":"transactionEvent","params":{"type":"CARD_DETECTED"}}"#;
    let Message::Notification(n) = Message::parse(text.as_bytes()).unwrap() else {
        panic!()
    };
    assert_eq!(n.method, TRANSACTION_EVENT);
    let event: TransactionEvent = FromRaw::from_raw(n.params, "params").unwrap();
    assert_eq!(event.event_type, EventType::CardDetected);
    let mut buf = [0u8; 128];
    let len = encode_notification(&mut buf, TRANSACTION_EVENT, &event).unwrap();
    assert_eq!(&buf[..len], text.as_bytes());
    for name in [
        "WAITING_FOR_CARD",
        "CARD_DETECTED",
        "PIN_STARTED",
        "AUTHORIZATION_STARTED",
        "TIP_SELECTION",
        "COMBINED_CARD",
        "ENTER_CVV",
        "ENTER_CARDHOLDER_ID",
        "CREDIT_CONFORMATION",
        "ENTER_CARD_DETAILS",
    ] {
        assert!(
            !EventType::from_text(Text::new(name)).is_unknown(),
            "{name}"
        );
    }
}

/// (name, sent with the zero key, long-running) of every method type this crate has.
fn every_method() -> Vec<(&'static str, bool, bool)> {
    fn row<M: Method>() -> (&'static str, bool, bool) {
        (M::NAME, M::UNAUTHENTICATED, M::LONG_RUNNING)
    }
    vec![
        row::<Pair>(),
        row::<Authenticate>(),
        row::<GetStatus>(),
        row::<GetDeviceInfo>(),
        row::<GetTerminalStatus>(),
        row::<StartTransaction>(),
        row::<ContinueTransaction>(),
        row::<Cancel>(),
        row::<GetTransaction>(),
        row::<GetBatchFileStatus>(),
        row::<Settlement>(),
        row::<GetSettlement>(),
        row::<QuerySettlements>(),
        row::<Deposit>(),
        row::<ReadCard>(),
        row::<UserInput>(),
        row::<UserSelection>(),
        row::<ShowQr>(),
        row::<CaptureSignature>(),
        row::<GetConfig>(),
        row::<SetConfig>(),
        row::<UploadLogs>(),
        row::<Reboot>(),
        row::<Restart>(),
    ]
}

#[test]
fn every_method_of_the_spec_has_a_type() {
    // The first column of the method table in spec/api.md, each `name` in it.
    let api = include_str!("../../../spec/api.md");
    let table =
        &api[api.find("| method |").unwrap()..api.find("### startTransaction params").unwrap()];
    let mut documented: Vec<&str> = table
        .lines()
        .skip(2)
        .filter_map(|line| line.split('|').nth(1))
        .flat_map(|cell| cell.split('`').skip(1).step_by(2))
        .collect();
    let mut ours: Vec<&str> = every_method().iter().map(|m| m.0).collect();
    documented.sort();
    ours.sort();
    assert_eq!(ours, documented);

    let zero_key: Vec<&str> = every_method().iter().filter(|m| m.1).map(|m| m.0).collect();
    assert_eq!(
        zero_key,
        ["pair", "authenticate"],
        "spec/protocol.md §2: only these carry the zero key"
    );
    let long: Vec<&str> = every_method().iter().filter(|m| m.2).map(|m| m.0).collect();
    assert!(long.contains(&"startTransaction") && long.contains(&"continueTransaction"));
    assert!(!long.contains(&"getStatus") && !long.contains(&"cancel"));
}

#[test]
fn only_the_methods_that_change_nothing_may_be_resent() {
    // spec/protocol.md §6: "Methods that change nothing (getStatus, ...) may be sent again".
    let protocol = include_str!("../../../spec/protocol.md");
    let start = protocol.find("Methods that change nothing (").unwrap() + 29;
    let list = &protocol[start..start + protocol[start..].find(')').unwrap()];
    let mut documented: Vec<&str> = list.split(',').map(|s| s.trim()).collect();
    let mut ours: Vec<&str> = every_method()
        .iter()
        .map(|m| m.0)
        .filter(|name| MethodInfo::by_name(name).unwrap().kind.safe_to_resend())
        .collect();
    documented.sort();
    ours.sort();
    assert_eq!(ours, documented);
    const { assert!(!StartTransaction::SAFE_TO_RESEND && GetStatus::SAFE_TO_RESEND) };
    // Events extend transactions only, and the payments are the transaction methods.
    for (name, _, _) in every_method() {
        let extended = MethodInfo::by_name(name).unwrap().kind.extended_by_events();
        assert_eq!(
            extended,
            name == "startTransaction" || name == "continueTransaction",
            "{name}"
        );
    }
    assert_eq!(MethodInfo::by_name("noSuchMethod"), None);
}
