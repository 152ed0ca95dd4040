//! The vendor's documented sale, as spec/api.md "Member types" describes it: the codes as JSON
//! numbers, `isClub`/`isPrepaid` booleans, `rrn` and `transactionId` strings of digits, receipt
//! language `HEBREW`, an approved SALE `CAPTURED`. The fixture is written from that description,
//! not from anything this crate encodes.

use synqpay_rpc::*;

const DOCUMENTED: &str = include_str!("samples/documented-sale.json");

fn result_of(message: &str) -> RawJson<'_> {
    let Message::Response(response) = Message::parse(message.as_bytes()).unwrap() else {
        panic!("not a response")
    };
    response.result.expect("a result")
}

#[test]
fn the_documented_sale_decodes_with_its_numeric_codes() {
    let result = StartTransaction::decode_output(Some(result_of(DOCUMENTED))).unwrap();
    assert_eq!(result.is_charged(), Some(true));
    let t = result.transaction.unwrap();
    assert_eq!(t.transaction_status, Some(TransactionStatus::Captured));
    assert_eq!(t.reference_id.unwrap(), "pos-7-000123");
    assert_eq!((t.amount, t.currency), (Some(2990), Some(376)));
    assert_eq!(t.mismatched, 0, "every member has its documented type");
    let codes = [
        t.terminal_no,
        t.acquirer,
        t.issuer,
        t.brand,
        t.cvv_response,
        t.card_holder_id_response,
    ];
    let numbers: Vec<Option<u64>> = codes.iter().map(|c| c.and_then(|c| c.as_u64())).collect();
    assert_eq!(
        numbers,
        [Some(1), Some(2), Some(2), Some(2), Some(0), Some(0)]
    );
    assert!(codes.iter().all(|c| c.unwrap().is_number()));
    assert_eq!((t.is_club, t.is_prepaid), (Some(false), Some(false)));
    assert_eq!(t.rrn.unwrap(), "407114000123");
    let receipt = t.card_holder_receipt.unwrap();
    assert_eq!(receipt.language().unwrap(), "HEBREW");
    assert_eq!(receipt.fields().count(), 3);
}

#[test]
fn codes_as_text_decode_too() {
    // Another device's variant: the same codes as strings (the older sample of this crate).
    let text = DOCUMENTED
        .replace("\"terminalNo\": 1", "\"terminalNo\": \"001\"")
        .replace("\"brand\": 2", "\"brand\": \"2\"");
    let result = StartTransaction::decode_output(Some(result_of(&text))).unwrap();
    let t = result.transaction.unwrap();
    assert_eq!(t.terminal_no.unwrap().as_u64(), Some(1));
    assert_eq!(t.terminal_no.unwrap().as_text().unwrap(), "001");
    assert_eq!(t.brand.unwrap().as_u64(), Some(2));
}

#[test]
fn a_member_of_an_unexpected_type_is_kept_raw_and_fails_nothing() {
    // spec/protocol.md §4: keep the raw value, never fail the enclosing object.
    let text = DOCUMENTED
        .replace("\"isClub\": false", "\"isClub\": \"N\"")
        .replace("\"rrn\": \"407114000123\"", "\"rrn\": 407114000123")
        .replace("\"terminalNo\": 1", "\"terminalNo\": {\"main\": 1}")
        .replace("\"currency\": 376", "\"currency\": \"ILS\"")
        .replace("\"commandStatus\": \"COMPLETED\"", "\"commandStatus\": 3");
    let result = StartTransaction::decode_output(Some(result_of(&text))).unwrap();
    assert_eq!(result.command_status, None);
    // Counted and kept raw, so that a caller can tell "no stop" from "a stop it cannot read".
    assert_eq!(result.mismatched, 1);
    assert_eq!(
        result
            .raw
            .and_then(|r| r.member("commandStatus"))
            .unwrap()
            .as_str(),
        "3"
    );
    let t = result.transaction.unwrap();
    assert_eq!(t.is_charged(), Some(true));
    assert_eq!(t.mismatched, 4);
    assert_eq!(
        (t.is_club, t.rrn, t.terminal_no, t.currency),
        (None, None, None, None)
    );
    assert_eq!(t.member("isClub").unwrap().as_str(), "\"N\"");
    assert_eq!(t.member("rrn").unwrap().as_str(), "407114000123");
    assert_eq!(t.member("terminalNo").unwrap().as_str(), "{\"main\": 1}");
}

#[test]
fn the_members_money_depends_on_still_fail_the_decode() {
    // spec/protocol.md §4: result, transactionStatus, referenceId, amount.
    for (from, to) in [
        ("\"amount\": 2990", "\"amount\": \"29.90\""),
        (
            "\"transactionStatus\": \"CAPTURED\"",
            "\"transactionStatus\": 1",
        ),
        ("\"referenceId\": \"pos-7-000123\"", "\"referenceId\": 123"),
        ("\"result\": \"OK\"", "\"result\": true"),
    ] {
        let text = DOCUMENTED.replace(from, to);
        assert_ne!(text, DOCUMENTED);
        assert!(
            StartTransaction::decode_output(Some(result_of(&text))).is_err(),
            "{to}"
        );
    }
}

#[test]
fn unknown_members_reach_the_caller_raw() {
    let text = DOCUMENTED.replace(
        "\"isPrepaid\": false,",
        "\"isPrepaid\": false, \"loyaltyPoints\": {\"earned\": 12},",
    );
    let result = StartTransaction::decode_output(Some(result_of(&text))).unwrap();
    let t = result.transaction.unwrap();
    let unknown: Vec<(String, String)> = t
        .unknown_members()
        .map(|(k, v)| (k.to_string(), v.as_str().to_string()))
        .collect();
    assert_eq!(
        unknown,
        [("loyaltyPoints".into(), "{\"earned\": 12}".into())]
    );
}

#[test]
fn read_card_and_user_input_keep_their_data() {
    let message = r#"{"jsonrpc":"2.0","id":"1","result":{"commandId":"c1","result":"OK","cardData":{"track2":";4580...?"},"value":"42"}}"#;
    let result = ReadCard::decode_output(Some(result_of(message))).unwrap();
    assert_eq!(result.result, ResultCode::Ok);
    assert_eq!(
        result.member("cardData").unwrap().as_str(),
        r#"{"track2":";4580...?"}"#
    );
    let extra: Vec<String> = result.extra_members().map(|(k, _)| k.to_string()).collect();
    assert_eq!(extra, ["cardData", "value"]);
    let input = UserInput::decode_output(Some(result_of(message))).unwrap();
    assert_eq!(input.member("value").unwrap().as_text().unwrap(), "42");
}

#[test]
fn receipt_lines_with_numeric_ids_are_read_and_written_as_received() {
    // Found by a black-box test of the CLI: with `id`s as JSON numbers (api.md does not say
    // which type), every receipt line failed to decode; `--json` then wrote each line as an
    // array of byte values, and the text output printed blank lines (spec/protocol.md §4:
    // keep the raw value, never lose the member).
    let text = DOCUMENTED
        .replace("\"id\": \"MERCHANT_NAME\"", "\"id\": 1")
        .replace("\"id\": \"AMOUNT\"", "\"id\": 2")
        .replace("\"id\": \"SIGNATURE\"", "\"id\": 3");
    let result = StartTransaction::decode_output(Some(result_of(&text))).unwrap();
    let t = result.transaction.unwrap();
    let receipt = t.card_holder_receipt.unwrap();
    let lines: Vec<_> = receipt.fields().map(Result::unwrap).collect();
    let ids: Vec<_> = lines.iter().map(|l| l.id.as_u64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(lines[1].value.unwrap(), "29.90");

    // Written with serde_json (a desktop app's output), the lines are objects as received.
    let json: serde_json::Value = serde_json::to_value(t).unwrap();
    assert_eq!(
        json["cardHolderReceipt"]["fields"][1],
        serde_json::json!({"id": 2, "key": "סכום", "value": "29.90"})
    );

    // A line that does not decode (a key that is an object) is written back as received.
    let odd = text.replace("\"key\": \"חתימה\"", "\"key\": {\"he\": \"חתימה\"}");
    let result = StartTransaction::decode_output(Some(result_of(&odd))).unwrap();
    let json = serde_json::to_value(result.transaction.unwrap()).unwrap();
    assert_eq!(
        json["cardHolderReceipt"]["fields"][2],
        serde_json::json!({"id": 3, "key": {"he": "חתימה"}})
    );
}

/// With `std` (what serde_json needs, README "serde_json"): without it, a fraction is written
/// as its text through `serialize_bytes`, for serde-json-core alone.
#[cfg(feature = "std")]
#[test]
fn raw_json_is_the_same_value_through_either_serializer() {
    let raw = RawJson::parse(
        br#"{"a": [1, -2, 1.5, true, null, "t\u00e9xt \"q\""], "b": {"c": 18446744073709551615}}"#,
    )
    .unwrap();
    let through_serde_json: serde_json::Value = serde_json::to_value(raw).unwrap();
    assert_eq!(
        through_serde_json,
        serde_json::json!({"a": [1, -2, 1.5, true, null, "téxt \"q\""], "b": {"c": 18446744073709551615u64}})
    );
    let mut buf = [0u8; 256];
    let n = serde_json_core::to_slice(&raw, &mut buf).unwrap();
    let through_core: serde_json::Value = serde_json::from_slice(&buf[..n]).unwrap();
    assert_eq!(through_core, through_serde_json);
}
