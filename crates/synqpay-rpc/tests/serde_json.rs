//! The same types with serde_json, as a std program would use them.

use synqpay_rpc::*;

const SAMPLE: &str = include_str!("samples/transaction-result.json");

#[test]
fn serde_json_writes_what_serde_json_core_writes() {
    let Message::Response(r) = Message::parse(SAMPLE.as_bytes()).unwrap() else {
        panic!()
    };
    let result = StartTransaction::decode_output(r.result).unwrap();
    let mut buf = [0u8; 8192];
    let n = encode(&result, &mut buf).unwrap();
    let by_core: serde_json::Value = serde_json::from_slice(&buf[..n]).unwrap();
    let by_serde_json = serde_json::to_value(&result).unwrap();
    assert_eq!(by_core, by_serde_json);
}

#[test]
fn serde_json_reads_strings_without_escapes() {
    let status: Status = serde_json::from_str(
        r#"{"deviceStatus":"WAITING_FOR_CONTINUE","cancelable":true,"x":[1]}"#,
    )
    .unwrap();
    assert_eq!(
        status.device_status,
        DeviceStatus::WaitingContinueTransaction
    );
    let info: TerminalStatusResult =
        serde_json::from_str(r#"{"terminalName":"קפה","status":"NOT_READY"}"#).unwrap();
    assert_eq!(info.terminal_status, Some(TerminalStatus::NotReady));
    assert_eq!(info.terminal_name.unwrap(), "קפה");
}

#[test]
fn serde_json_refuses_to_borrow_escaped_strings_with_a_clear_error() {
    let e =
        serde_json::from_str::<TerminalStatusResult>(r#"{"terminalName":"\u05e7"}"#).unwrap_err();
    assert!(e.to_string().contains("synqpay_rpc::decode"), "{e}");
    // serde-json-core reads the same text.
    let ok: TerminalStatusResult = decode(br#"{"terminalName":"\u05e7"}"#).unwrap();
    assert_eq!(ok.terminal_name.unwrap(), "ק");
}
