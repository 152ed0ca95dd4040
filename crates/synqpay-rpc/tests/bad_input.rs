//! Bad input gets a typed error naming what was wrong, never a panic; escapes decode correctly.

use proptest::prelude::*;
use synqpay_rpc::*;

fn raw(text: &str) -> Option<RawJson<'_>> {
    Some(RawJson::parse(text.as_bytes()).unwrap())
}

fn message_of(e: DecodeError) -> String {
    e.to_string()
}

#[test]
fn invalid_json_is_a_json_error_with_its_offset() {
    let e = Message::parse(br#"{"jsonrpc":"2.0","id":"1","result":{"a":}}"#).unwrap_err();
    assert!(
        matches!(
            e,
            DecodeError::Json(JsonError {
                kind: JsonErrorKind::UnexpectedByte(b'}'),
                offset: 40
            })
        ),
        "{e:?}"
    );
    assert!(matches!(
        Message::parse(b"\xff"),
        Err(DecodeError::Json(JsonError {
            kind: JsonErrorKind::InvalidUtf8,
            ..
        }))
    ));
}

#[test]
fn wrong_types_are_value_errors() {
    // Decoded member by member: the error names the member.
    let e = GetStatus::decode_output(raw(r#"{"deviceStatus":5}"#)).unwrap_err();
    assert!(
        matches!(
            e,
            DecodeError::Field {
                field: "deviceStatus",
                ..
            }
        ),
        "{e:?}"
    );
    let e = StartTransaction::decode_params(raw(
        r#"{"transactionType":"SALE","referenceId":"r","amount":"12"}"#,
    ))
    .unwrap_err();
    assert!(matches!(e, DecodeError::Value(_)), "{e:?}");
    // A member money depends on fails the object that holds it (spec/protocol.md §4)...
    let e = GetTransaction::decode_output(raw(r#"{"transaction":{"amount":1.5}}"#)).unwrap_err();
    assert!(
        matches!(
            e,
            DecodeError::Field {
                field: "transaction",
                ..
            }
        ),
        "{e:?}"
    );
    // ... any other member of a wrong type is left out and counted, its raw value kept.
    let ok = GetTransaction::decode_output(raw(r#"{"transaction":{"currency":70000}}"#)).unwrap();
    let t = ok.transaction.unwrap();
    assert_eq!((t.currency, t.mismatched), (None, 1));
    assert_eq!(t.member("currency").unwrap().as_str(), "70000");
}

#[test]
fn missing_required_fields_are_named() {
    let e = GetStatus::decode_output(raw(r#"{"cancelable":true}"#)).unwrap_err();
    assert!(message_of(e).contains("deviceStatus"));
    let e = StartTransaction::decode_params(raw(r#"{"transactionType":"SALE","amount":5}"#))
        .unwrap_err();
    assert!(message_of(e).contains("referenceId"));
    let e = StartTransaction::decode_output(raw(r#"{"commandStatus":"COMPLETED"}"#)).unwrap_err();
    assert!(message_of(e).contains("result"));
}

#[test]
fn lists_beyond_their_capacity_are_typed_errors() {
    let record = r#"{"type":"R","referenceId":"r","transactionId":"1"}"#;
    let text = format!(
        r#"{{"mainTerminal":{{"batchFile":[{}]}}}}"#,
        vec![record; 33].join(",")
    );
    let e = GetBatchFileStatus::decode_output(raw(&text)).unwrap_err();
    assert!(matches!(e, DecodeError::Value(_)), "{e:?}");
    let text = format!(
        r#"{{"mainTerminal":{{"batchFile":[{}]}}}}"#,
        vec![record; 32].join(",")
    );
    assert_eq!(
        GetBatchFileStatus::decode_output(raw(&text))
            .unwrap()
            .main_terminal
            .batch_file
            .len(),
        32
    );
}

#[test]
fn receipts_of_any_length_are_read_line_by_line() {
    let fields: Vec<String> = (0..500)
        .map(|i| format!(r#"{{"id":"f{i}","key":"k"}}"#))
        .collect();
    let text = format!(
        r#"{{"result":"OK","transaction":{{"cardHolderReceipt":{{"fields":[{}]}}}}}}"#,
        fields.join(",")
    );
    let r = StartTransaction::decode_output(raw(&text)).unwrap();
    let receipt = r.transaction.unwrap().card_holder_receipt.unwrap();
    assert_eq!(receipt.fields().filter(Result::is_ok).count(), 500);
    // A malformed line is an error on that line, not a lost receipt.
    let text = r#"{"fields":[{"id":"a","key":"k"},{"id":"b","key":5},{"id":"c","key":"k"}]}"#;
    let wrapped = format!(r#"{{"merchantReceipt":{text}}}"#);
    let t = Transaction::from_json(RawJson::parse(wrapped.as_bytes()).unwrap()).unwrap();
    let lines: Vec<bool> = t
        .merchant_receipt
        .unwrap()
        .fields()
        .map(|f| f.is_ok())
        .collect();
    assert_eq!(lines, [true, false, true]);
}

#[test]
fn a_malformed_receipt_line_is_written_back_as_received() {
    // Found by fuzzing: encoding must not reach serde-json-core's `ser::Error::custom`, which panics.
    let text = br#"{"result":"OK","transaction":{"merchantReceipt":{"fields":[{"id":"a","key":"k"},{"id":5}]}}}"#;
    let result = StartTransaction::decode_output(Some(RawJson::parse(text).unwrap())).unwrap();
    let mut buf = [0u8; 256];
    let n = encode(&result, &mut buf).unwrap();
    assert_eq!(
        std::str::from_utf8(&buf[..n]).unwrap(),
        r#"{"result":"OK","transaction":{"merchantReceipt":{"fields":[{"id":"a","key":"k"},{"id":5}]}}}"#
    );
}

#[test]
fn a_wrong_member_type_names_the_member() {
    let e = StartTransaction::decode_output(raw(r#"{"result":7,"commandStatus":"UPDATE"}"#))
        .unwrap_err();
    assert!(
        matches!(
            e,
            DecodeError::Field {
                field: "result",
                ..
            }
        ),
        "{e:?}"
    );
    let e = Transaction::from_json(RawJson::parse(br#"{"amount":"12"}"#).unwrap()).unwrap_err();
    assert!(
        matches!(
            e,
            DecodeError::Field {
                field: "amount",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("amount"));
    // A receipt of the wrong shape is not money: left out, kept raw.
    let t =
        Transaction::from_json(RawJson::parse(br#"{"cardHolderReceipt":[1]}"#).unwrap()).unwrap();
    assert_eq!((t.card_holder_receipt, t.mismatched), (None, 1));
}

#[test]
fn escapes_decode_correctly() {
    let r = GetTerminalStatus::decode_output(raw(
        r#"{"terminalName":"a\"b\\c\/d\u05d0\ud83d\ude00\n"}"#,
    ))
    .unwrap();
    assert_eq!(r.terminal_name.unwrap().to_string(), "a\"b\\c/dא😀\n");
    // Invalid escapes and lone surrogates are refused, not passed through.
    for bad in [
        r#"{"terminalName":"\ud83d"}"#,
        r#"{"terminalName":"\udc00x"}"#,
    ] {
        assert!(
            matches!(
                GetTerminalStatus::decode_output(raw(bad)),
                Err(DecodeError::Value(_))
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        RawJson::parse(br#""\q""#),
        Err(JsonError {
            kind: JsonErrorKind::InvalidEscape,
            ..
        })
    ));
}

#[test]
fn escapes_survive_encoding() {
    let text = r#"{"terminalName":"q\"\\\t\u0001א"}"#;
    let r = GetTerminalStatus::decode_output(raw(text)).unwrap();
    let mut buf = [0u8; 64];
    let n = encode(&r, &mut buf).unwrap();
    let back: serde_json::Value = serde_json::from_slice(&buf[..n]).unwrap();
    assert_eq!(back["terminalName"], "q\"\\\t\u{1}א");
}

#[test]
fn a_small_buffer_is_a_typed_error() {
    let mut buf = [0u8; 10];
    assert_eq!(
        encode_request(&mut buf, "1", "getStatus", Some(&NoParams)),
        Err(EncodeError::BufferFull)
    );
}

proptest! {
    #[test]
    fn no_bytes_make_parsing_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(message) = Message::parse(&bytes) {
            let (params, result) = match message {
                Message::Request(r) => (r.params, None),
                Message::Notification(n) => (n.params, None),
                Message::Response(r) => (None, r.result),
                Message::Error(_) => (None, None),
            };
            let _ = StartTransaction::decode_params(params);
            let _ = StartTransaction::decode_output(result);
        }
    }

    #[test]
    fn json_like_text_makes_nothing_panic(text in r#"[\{\}\[\]":,a-z0-9\\u\- .eE]{0,200}"#) {
        let _ = Message::parse(text.as_bytes());
        if let Ok(value) = RawJson::parse(text.as_bytes()) {
            for (k, v) in value.members() { let _ = (k.to_string(), v.kind()); }
            for item in value.items() { let _ = item.as_text(); }
            let _ = StartTransaction::decode_output(Some(value));
            let _ = GetTransaction::decode_output(Some(value));
        }
    }

    #[test]
    fn every_string_survives_a_round_trip(s in "\\PC*") {
        let params = PairParams { serial_number: Text::new(&s) };
        let mut buf = vec![0u8; 16 * s.len() + 64];
        let n = encode(&params, &mut buf).unwrap();
        let back: PairParams = decode(&buf[..n]).unwrap();
        prop_assert_eq!(back.serial_number.to_string(), s);
    }
}

#[test]
fn a_missing_member_is_told_from_a_wrong_one() {
    let missing = UserInput::decode_params(Some(RawJson::parse(b"{}").unwrap())).unwrap_err();
    assert!(missing.is_missing(), "{missing}");
    assert!(UserInput::decode_params(None).unwrap_err().is_missing());
    let wrong = UserInput::decode_params(Some(
        RawJson::parse(br#"{"commandId":5,"inputType":"NUMERIC"}"#).unwrap(),
    ))
    .unwrap_err();
    assert!(!wrong.is_missing(), "{wrong}");
}
