//! The device role alone: its answers to malformed input, keys and KeepAlives, and that it goes
//! on after each (spec/protocol.md §1–§2).

mod common;

use common::*;
use synqpay_link::{ApiKey, Decoder, ErrorCode, Frame, MessageType, seal};
use synqpay_rpc::{GetStatus, Message, Method, RpcErrorCode, encode_request};

/// A request frame for `method` with `key`.
fn request(key: ApiKey, method: &str) -> Vec<u8> {
    let mut buf = [0u8; 256];
    let n = encode_request::<()>(&mut buf[10..], "9", method, None).unwrap();
    let len = seal(&mut buf, MessageType::Request, Some(key), n).unwrap();
    buf[..len].to_vec()
}

/// Everything the device sent, decoded: link frames by name, answers by their JSON-RPC kind.
fn answers(now: u64, device: &mut synqpay_session::Device<Vec<u8>>) -> Vec<String> {
    let bytes = drain_device(now, device);
    let mut decoder = Decoder::new(vec![0u8; 8192]);
    let mut out = Vec::new();
    decoder.feed(&bytes, |r| {
        out.push(match r.unwrap() {
            Frame::Error(code) => code.name().to_string(),
            Frame::Ack => "ACK".into(),
            Frame::Response { payload } => match Message::parse(payload).unwrap() {
                Message::Response(_) => "result".into(),
                Message::Error(e) => format!("error {}", e.error.code.name()),
                _ => "other".into(),
            },
            other => format!("{other:?}"),
        })
    });
    out
}

#[test]
fn malformed_input_gets_the_right_error_frame_and_the_device_goes_on() {
    let mut d = device();
    d.connect(0, A);
    let good = request(KEY, GetStatus::NAME);
    let mut bad_crc = good.clone();
    let n = bad_crc.len();
    bad_crc[n - 2] ^= 1;
    let mut bad_etx = good.clone();
    bad_etx[n - 1] = 0x7e;
    let cases: [(&[u8], &str); 5] = [
        (&bad_crc, "CRC_ERROR"),
        (&bad_etx, "INVALID_MESSAGE"),
        (&[0x02, 0x09, 0x00], "INVALID_MSG_TYPE"),
        (
            &[0x02, 0x01, 1, 2, 3, 4, 0x7f, 0xff, 0xff, 0xff],
            "LEN_ERROR",
        ),
        (&[0x02, 0x04, 0x03], "ACK"),
    ];
    for (input, expected) in cases {
        d.handle_input(0, input);
        d.handle_input(0, &good); // and the device goes on
        d.serve(0);
        let got = answers(0, &mut d);
        assert_eq!(got.first().map(String::as_str), Some(expected), "{got:?}");
        assert_eq!(got.last().map(String::as_str), Some("result"), "{got:?}");
    }
}

#[test]
fn keys_are_checked_and_only_pairing_goes_with_the_zero_key() {
    let mut d = device();
    d.connect(0, A);
    for (key, method, expected) in [
        (
            ApiKey::from_bytes([1, 1, 1, 1]),
            "getStatus",
            "NOT_AUTHENTICATED",
        ),
        (ApiKey::ZERO, "getStatus", "NOT_AUTHENTICATED"),
        // Accepted, and refused by the terminal: no serialNumber (102, spec/protocol.md §4).
        (ApiKey::ZERO, "pair", "error MissingParams"),
        (ApiKey::ZERO, "authenticate", "error IllegalState"),
        (KEY, "getStatus", "result"),
    ] {
        d.handle_input(0, &request(key, method));
        d.serve(0);
        assert_eq!(answers(0, &mut d), [expected], "{method} with {key:?}");
    }
    assert_eq!(d.stats().0.not_authenticated, 2);
}

#[test]
fn a_device_without_a_key_accepts_only_pairing() {
    let mut d = device();
    d.set_api_key(None);
    d.connect(0, A);
    d.handle_input(0, &request(KEY, "getStatus"));
    d.serve(0);
    assert_eq!(answers(0, &mut d), ["NOT_AUTHENTICATED"]);
}

#[test]
fn frames_a_client_never_sends_are_invalid_types_and_bad_json_is_a_parse_error() {
    let mut d = device();
    d.connect(0, A);
    let mut buf = [0u8; 32];
    let n = Frame::Response { payload: b"{}" }.encode(&mut buf).unwrap();
    d.handle_input(0, &buf[..n]);
    let mut frame = [0u8; 64];
    frame[10..15].copy_from_slice(b"{oops");
    let n = seal(&mut frame, MessageType::Request, Some(KEY), 5).unwrap();
    d.handle_input(0, &frame[..n]);
    assert_eq!(
        answers(0, &mut d),
        [
            "INVALID_MSG_TYPE".to_string(),
            format!("error {}", RpcErrorCode::ParseError.name())
        ]
    );
    assert_eq!(ErrorCode::InvalidMsgType.name(), "INVALID_MSG_TYPE");
}

#[test]
fn an_id_is_echoed_with_its_json_type() {
    // spec/protocol.md §4: `id` is a string; ours: a number is tolerated, and answered as a
    // number (found in the simulator: `"id":7` was answered `"id":"7"`).
    for (sent, echoed) in [(r#""7""#, r#""id":"7""#), ("7", r#""id":7,"#)] {
        let mut d = device();
        d.connect(0, A);
        let payload =
            format!(r#"{{"jsonrpc":"2.0","method":"getStatus","id":{sent},"params":null}}"#);
        let mut buf = [0u8; 256];
        buf[10..10 + payload.len()].copy_from_slice(payload.as_bytes());
        let len = seal(&mut buf, MessageType::Request, Some(KEY), payload.len()).unwrap();
        d.handle_input(0, &buf[..len]);
        let request = d.poll_request().unwrap();
        let reply = request.reply_to;
        d.respond(&reply, &synqpay_rpc::Null).unwrap();
        let bytes = drain_device(0, &mut d);
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains(echoed), "{sent}: {text}");
    }
}

#[test]
fn link_answers_go_out_in_the_order_their_frames_came_in_one_read() {
    // spec/protocol.md §1, the fence rule: the device answers link problems (Error) and
    // KeepAlives (ACK) in the order it read them, so an ACK proves that everything before its
    // KeepAlive was read intact. Here in one read, both orders.
    let good = request(KEY, GetStatus::NAME);
    let mut bad_crc = good.clone();
    let n = bad_crc.len();
    bad_crc[n - 2] ^= 1;
    let keepalive = [0x02, 0x04, 0x03];
    for (first, second, expected) in [
        (&bad_crc[..], &keepalive[..], ["CRC_ERROR", "ACK"]),
        (&keepalive[..], &bad_crc[..], ["ACK", "CRC_ERROR"]),
    ] {
        let mut d = device();
        d.connect(0, A);
        let mut read = first.to_vec();
        read.extend_from_slice(second);
        d.handle_input(0, &read);
        d.serve(0);
        assert_eq!(answers(0, &mut d), expected);
    }
}
