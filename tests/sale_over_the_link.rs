//! A sale through both layers with no session yet: the client writes JSON straight into its
//! transmit buffer and seals the frame around it; the device decodes a noisy, split stream,
//! checks the key, answers with events and the result; the client reads them one byte at a time.

use synqpay_link::{ApiKey, Decoder, Frame, MessageType, seal};
use synqpay_rpc::{
    EventType, FromRaw, Message, Method, ReferenceId, StartTransaction, StartTransactionParams,
    Text, TransactionEvent, TransactionStatus, encode_call, encode_notification, encode_response,
};

const KEY: ApiKey = ApiKey::from_bytes([0x12, 0x34, 0xab, 0xcd]);

/// Writes a JSON-RPC payload in place at the payload offset, then seals the frame around it.
fn frame_in_place(buf: &mut [u8], t: MessageType, write: impl FnOnce(&mut [u8]) -> usize) -> usize {
    let at = t.header_len();
    let len = write(&mut buf[at..]);
    seal(buf, t, Some(KEY), len).unwrap()
}

#[test]
fn a_sale_survives_noise_and_any_chunking() {
    // Client: the request, JSON written straight into the frame.
    let reference = ReferenceId::new("order-1001").unwrap();
    let params = StartTransactionParams::sale(reference, synqpay_rpc::Amount::ils(12550));
    let mut tx = [0u8; 512];
    let n = frame_in_place(&mut tx, MessageType::Request, |b| {
        encode_call::<StartTransaction>(b, "1", &params).unwrap()
    });
    let mut wire = b"\x02\x02\xff\xff\xff\xff line noise".to_vec();
    wire.extend_from_slice(&tx[..n]);

    // Device: decode in uneven chunks, check the key, decode the params.
    let mut device = Decoder::new([0u8; 1024]);
    let mut requests = Vec::new();
    for chunk in wire.chunks(7) {
        device.feed(chunk, |r| {
            if let Ok(Frame::Request { api_key, payload }) = r {
                assert_eq!(api_key, KEY);
                requests.push(payload.to_vec());
            }
        });
    }
    assert_eq!(requests.len(), 1, "the request came through the noise");
    assert_eq!(device.stats().len_error, 1);
    let Message::Request(request) = Message::parse(&requests[0]).unwrap() else {
        panic!("not a request")
    };
    assert_eq!(request.method, StartTransaction::NAME);
    let got = StartTransaction::decode_params(request.params).unwrap();
    assert_eq!(
        (got.amount, got.currency, got.reference_id),
        (Some(12550), Some(376), Text::new("order-1001"))
    );

    // Device: two events, then the result, each framed.
    let mut out = Vec::new();
    let mut buf = [0u8; 2048];
    for event_type in [EventType::WaitingForCard, EventType::CardDetected] {
        let n = frame_in_place(&mut buf, MessageType::Event, |b| {
            encode_notification(b, "transactionEvent", &TransactionEvent { event_type }).unwrap()
        });
        out.extend_from_slice(&buf[..n]);
    }
    let result = r#"{"result":"OK","commandStatus":"COMPLETED","transaction":{"transactionStatus":"AUTHORIZED","referenceId":"order-1001","amount":12550,"cardName":"ויזה רגיל"}}"#.as_bytes();
    let typed = StartTransaction::decode_output(Some(synqpay_rpc::RawJson::parse(result).unwrap()))
        .unwrap();
    let n = frame_in_place(&mut buf, MessageType::Response, |b| {
        encode_response(b, request.id, &typed).unwrap()
    });
    out.extend_from_slice(&buf[..n]);

    // Client: one byte at a time; events in order, then the result, matched by id.
    let mut client = Decoder::new([0u8; 1024]);
    let mut events = Vec::new();
    let mut answer = None;
    for byte in &out {
        client.feed(std::slice::from_ref(byte), |r| match r.unwrap() {
            Frame::Event { payload } => {
                let Message::Notification(n) = Message::parse(payload).unwrap() else {
                    panic!()
                };
                let e: TransactionEvent = FromRaw::from_raw(n.params, "params").unwrap();
                events.push(e.event_type.name().to_string());
            }
            Frame::Response { payload } => answer = Some(payload.to_vec()),
            other => panic!("unexpected {other:?}"),
        });
    }
    assert_eq!(events, ["WAITING_FOR_CARD", "CARD_DETECTED"]);
    let answer = answer.expect("the result arrived");
    let Message::Response(response) = Message::parse(&answer).unwrap() else {
        panic!()
    };
    assert_eq!(response.id, "1");
    let result = StartTransaction::decode_output(response.result).unwrap();
    assert_eq!(result.is_charged(), Some(true));
    let t = result.transaction.unwrap();
    assert_eq!(t.transaction_status, Some(TransactionStatus::Authorized));
    assert_eq!(t.card_name.unwrap(), "ויזה רגיל");
}
