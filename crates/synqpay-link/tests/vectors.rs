//! Every vector of spec/vectors.json: CRCs, frames both ways, and streams through the decoder.

use serde_json::Value;
use synqpay_link::{ApiKey, Decoder, ErrorCode, Frame, FrameError, crc16};

const VECTORS: &str = include_str!("../../../spec/vectors.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("spec/vectors.json is JSON")
}

fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd hex length");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn code_named(name: &str) -> ErrorCode {
    (0..=u8::MAX)
        .map(ErrorCode::from_u8)
        .find(|c| c.name().eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("no error code named {name}"))
}

/// The owned description of a frame, as the vectors write it.
#[derive(Debug, PartialEq)]
enum Expected {
    Request { api_key: [u8; 4], payload: Vec<u8> },
    Response(Vec<u8>),
    Event(Vec<u8>),
    KeepAlive,
    Ack,
    Error(ErrorCode),
}

impl Expected {
    fn from_json(v: &Value) -> Self {
        let payload = || v["payload"].as_str().unwrap().as_bytes().to_vec();
        match v["type"].as_str().unwrap() {
            "request" => Expected::Request {
                api_key: ApiKey::from_hex(v["api_key"].as_str().unwrap())
                    .unwrap()
                    .to_bytes(),
                payload: payload(),
            },
            "response" => Expected::Response(payload()),
            "event" => Expected::Event(payload()),
            "keepalive" => Expected::KeepAlive,
            "ack" => Expected::Ack,
            "error" => Expected::Error(code_named(v["code"].as_str().unwrap())),
            other => panic!("unknown frame type {other}"),
        }
    }

    fn of(frame: &Frame<'_>) -> Self {
        match *frame {
            Frame::Request { api_key, payload } => Expected::Request {
                api_key: api_key.to_bytes(),
                payload: payload.to_vec(),
            },
            Frame::Response { payload } => Expected::Response(payload.to_vec()),
            Frame::Event { payload } => Expected::Event(payload.to_vec()),
            Frame::KeepAlive => Expected::KeepAlive,
            Frame::Ack => Expected::Ack,
            Frame::Error(code) => Expected::Error(code),
        }
    }

    fn as_frame(&self) -> Frame<'_> {
        match self {
            Expected::Request { api_key, payload } => Frame::Request {
                api_key: ApiKey::from_bytes(*api_key),
                payload,
            },
            Expected::Response(payload) => Frame::Response { payload },
            Expected::Event(payload) => Frame::Event { payload },
            Expected::KeepAlive => Frame::KeepAlive,
            Expected::Ack => Frame::Ack,
            Expected::Error(code) => Frame::Error(*code),
        }
    }
}

/// Decodes `stream` fed in chunks of `chunk` bytes; returns the frames and the errors, in order.
fn decode(stream: &[u8], max_payload: u32, chunk: usize) -> (Vec<Expected>, Vec<FrameError>) {
    let mut decoder =
        Decoder::new(vec![0u8; max_payload as usize + 13]).with_max_payload(max_payload);
    let (mut frames, mut errors) = (Vec::new(), Vec::new());
    for piece in stream.chunks(chunk) {
        let mut rest = piece;
        while !rest.is_empty() {
            rest = &rest[decoder.push(rest)..];
            while let Some(result) = decoder.poll() {
                match result {
                    Ok(frame) => frames.push(Expected::of(&frame)),
                    Err(e) => errors.push(e),
                }
            }
        }
    }
    (frames, errors)
}

/// The same through [`Decoder::feed`].
fn decode_by_feed(
    stream: &[u8],
    max_payload: u32,
    chunk: usize,
) -> (Vec<Expected>, Vec<FrameError>) {
    let mut decoder =
        Decoder::new(vec![0u8; max_payload as usize + 13]).with_max_payload(max_payload);
    let (mut frames, mut errors) = (Vec::new(), Vec::new());
    for piece in stream.chunks(chunk) {
        decoder.feed(piece, |result| match result {
            Ok(frame) => frames.push(Expected::of(&frame)),
            Err(e) => errors.push(e),
        });
    }
    (frames, errors)
}

#[test]
fn crc16_modbus_vectors() {
    for v in vectors()["crc16_modbus"].as_array().unwrap() {
        let input = match v.get("ascii") {
            Some(text) => text.as_str().unwrap().as_bytes().to_vec(),
            None => unhex(v["hex"].as_str().unwrap()),
        };
        let expected = u16::from_str_radix(v["crc"].as_str().unwrap(), 16).unwrap();
        assert_eq!(crc16(&input), expected, "{v}");
    }
}

#[test]
fn frame_vectors_encode_to_their_bytes() {
    for v in vectors()["frames"].as_array().unwrap() {
        let expected = Expected::from_json(&v["frame"]);
        let frame = expected.as_frame();
        let wire = unhex(v["hex"].as_str().unwrap());
        assert_eq!(frame.encoded_len(), wire.len(), "{}", v["name"]);
        let mut out = vec![0u8; wire.len()];
        assert_eq!(frame.encode(&mut out), Ok(wire.len()));
        assert_eq!(out, wire, "{}", v["name"]);
    }
}

#[test]
fn frame_vectors_decode_in_every_chunking() {
    for v in vectors()["frames"].as_array().unwrap() {
        let expected = Expected::from_json(&v["frame"]);
        let wire = unhex(v["hex"].as_str().unwrap());
        for chunk in 1..=wire.len() {
            let (frames, errors) = decode(&wire, 65536, chunk);
            assert_eq!(
                frames,
                [&expected].map(|e| Expected::of(&e.as_frame())),
                "{} / {chunk}",
                v["name"]
            );
            assert!(errors.is_empty(), "{}: {errors:?}", v["name"]);
        }
    }
}

#[test]
fn stream_vectors() {
    for v in vectors()["streams"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let wire = unhex(v["hex"].as_str().unwrap());
        let max = v["max_payload"].as_u64().unwrap() as u32;
        let expected: Vec<Expected> = v["expect_frames"]
            .as_array()
            .unwrap()
            .iter()
            .map(Expected::from_json)
            .collect();
        let first_error = v["first_error"].as_str().map(code_named);
        for chunk in [1, 2, 3, 7, 64, wire.len()] {
            let (frames, errors) = decode(&wire, max, chunk);
            assert_eq!(frames, expected, "{name}, chunks of {chunk}");
            assert_eq!(
                errors.first().map(|e| e.code()),
                first_error,
                "{name}, chunks of {chunk}: {errors:?}"
            );
            assert_eq!(
                decode_by_feed(&wire, max, chunk),
                (frames, errors),
                "{name}: feed, chunks of {chunk}"
            );
        }
    }
}
