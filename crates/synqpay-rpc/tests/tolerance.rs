//! What the documents contradict or the device may change: each case of spec/api.md and
//! spec/protocol.md §3–§5 that asks for tolerance.

use synqpay_rpc::*;

fn raw(text: &str) -> Option<RawJson<'_>> {
    Some(RawJson::parse(text.as_bytes()).unwrap())
}

#[test]
fn terminal_status_under_either_name() {
    for text in [
        r#"{"terminalId":"1","terminalStatus":"READY"}"#,
        r#"{"terminalId":"1","status":"READY"}"#,
    ] {
        let r = GetTerminalStatus::decode_output(raw(text)).unwrap();
        assert_eq!(r.terminal_status, Some(TerminalStatus::Ready), "{text}");
    }
}

#[test]
fn waiting_for_continue_under_either_name() {
    for name in ["WAITING_FOR_CONTINUE", "WAITING_CONTINUE_TRANSACTION"] {
        let text = format!(r#"{{"deviceStatus":"{name}","cancelable":true}}"#);
        let s = GetStatus::decode_output(raw(&text)).unwrap();
        assert_eq!(s.device_status, DeviceStatus::WaitingContinueTransaction);
        assert!(s.cancelable);
    }
}

#[test]
fn notify_referral_under_either_name() {
    for key in ["notifyReferral", "updateReferral"] {
        let text =
            format!(r#"{{"transactionType":"SALE","referenceId":"r1","amount":1,"{key}":true}}"#);
        let p = StartTransaction::decode_params(raw(&text)).unwrap();
        assert_eq!(p.notify_referral, Some(true), "{key}");
    }
}

#[test]
fn pair_response_without_result_or_with_null() {
    for text in [
        r#"{"jsonrpc":"2.0","id":"1"}"#,
        r#"{"jsonrpc":"2.0","id":"1","result":null}"#,
    ] {
        let Message::Response(r) = Message::parse(text.as_bytes()).unwrap() else {
            panic!()
        };
        assert_eq!(Pair::decode_output(r.result), Ok(Null));
    }
}

#[test]
fn params_null_or_absent() {
    for text in [
        r#"{"jsonrpc":"2.0","method":"getStatus","id":"1","params":null}"#,
        r#"{"jsonrpc":"2.0","method":"getStatus","id":"1"}"#,
    ] {
        let Message::Request(r) = Message::parse(text.as_bytes()).unwrap() else {
            panic!()
        };
        assert_eq!(r.params, None);
        assert_eq!(GetStatus::decode_params(r.params), Ok(NoParams));
    }
    // A method that needs params says so, by name.
    assert_eq!(
        StartTransaction::decode_params(None).unwrap_err(),
        DecodeError::Missing("params")
    );
}

#[test]
fn unknown_fields_are_ignored() {
    let s = GetStatus::decode_output(raw(r#"{"future":{"a":[1,{"b":null}]},"deviceStatus":"IDLE","x":1.5e3,"cancelable":false,"y":"\u05d0"}"#)).unwrap();
    assert_eq!(s.device_status, DeviceStatus::Idle);
}

#[test]
fn unknown_enum_values_are_kept() {
    let s = GetStatus::decode_output(raw(r#"{"deviceStatus":"DEEP_SLEEP"}"#)).unwrap();
    assert_eq!(
        s.device_status,
        DeviceStatus::Unknown(Text::new("DEEP_SLEEP"))
    );
    // ...and written back as received.
    let mut buf = [0u8; 64];
    let n = encode(&s, &mut buf).unwrap();
    assert_eq!(
        &buf[..n],
        br#"{"deviceStatus":"DEEP_SLEEP","cancelable":false}"#
    );
    let e = EventType::from_text(Text::new("FACE_ID_STARTED"));
    assert!(e.is_unknown() && e.name() == "FACE_ID_STARTED");
}

#[test]
fn hebrew_text_is_intact_raw_or_escaped() {
    let a = GetTerminalStatus::decode_output(raw(r#"{"terminalName":"קפה הפינה"}"#)).unwrap();
    let b = GetTerminalStatus::decode_output(raw(
        r#"{"terminalName":"\u05e7\u05e4\u05d4 \u05d4\u05e4\u05d9\u05e0\u05d4"}"#,
    ))
    .unwrap();
    assert_eq!(a.terminal_name, b.terminal_name);
    assert_eq!(b.terminal_name.unwrap().to_string(), "קפה הפינה");
    let mut buf = [0u8; 128];
    let n = encode(&b, &mut buf).unwrap();
    assert_eq!(
        std::str::from_utf8(&buf[..n]).unwrap(),
        r#"{"terminalName":"קפה הפינה"}"#
    );
}

#[test]
fn an_error_303_means_maybe_charged() {
    let text =
        br#"{"jsonrpc":"2.0","id":"4","error":{"code":303,"message":"TransactionAlreadyExist"}}"#;
    let Message::Error(e) = Message::parse(text).unwrap() else {
        panic!()
    };
    assert_eq!(e.error.code, RpcErrorCode::TransactionAlreadyExist);
    assert!(e.error.maybe_charged());
    assert_eq!(e.error.code.name(), "TransactionAlreadyExist");
}
