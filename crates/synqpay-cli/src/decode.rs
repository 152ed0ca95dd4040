//! `synqpay decode`: a captured byte stream in, one JSON object per frame or link error out,
//! with the field names of spec/vectors.json.

use std::io::Read;

use serde_json::{Value, json};
use synqpay_link::{Decoder, Frame, FrameError};

/// Reads the whole of stdin (raw bytes, or hex text with `hex`) and prints what it holds.
pub fn run(hex: bool) -> Result<(), String> {
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .map_err(|e| format!("reading stdin: {e}"))?;
    let bytes = if hex { unhex(&input)? } else { input };
    for line in decode(&bytes) {
        println!("{line}");
    }
    Ok(())
}

/// Each frame or link error in `bytes`, as JSON, with its stream offset.
pub fn decode(bytes: &[u8]) -> Vec<Value> {
    let mut decoder = Decoder::new(vec![0u8; 1 << 20]);
    let mut out = Vec::new();
    decoder.feed(bytes, |result| out.push(describe(result)));
    while decoder.abandon_partial().is_some() {
        out.push(json!({"error": "invalid_message", "detail": "a frame cut short at the end of the input"}));
        while let Some(result) = decoder.poll() {
            out.push(describe(result));
        }
    }
    let skipped = decoder.stats().skipped_bytes;
    if skipped > 0 {
        out.push(json!({"skipped_bytes": skipped}));
    }
    out
}

fn describe(result: Result<Frame<'_>, FrameError>) -> Value {
    let text = |p: &[u8]| String::from_utf8_lossy(p).into_owned();
    match result {
        Ok(Frame::Request { api_key, payload }) => {
            // The key is a secret: only whether it is the zero key is shown.
            let key = if api_key.is_zero() {
                "00000000"
            } else {
                "<redacted>"
            };
            json!({"type": "request", "api_key": key, "payload": text(payload)})
        }
        Ok(Frame::Response { payload }) => json!({"type": "response", "payload": text(payload)}),
        Ok(Frame::Event { payload }) => json!({"type": "event", "payload": text(payload)}),
        Ok(Frame::KeepAlive) => json!({"type": "keepalive"}),
        Ok(Frame::Ack) => json!({"type": "ack"}),
        Ok(Frame::Error(code)) => json!({"type": "error", "code": code.name().to_lowercase()}),
        Err(e) => json!({"error": e.code().name().to_lowercase(), "detail": e.to_string()}),
    }
}

fn unhex(text: &[u8]) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    if digits.len() % 2 != 0 {
        return Err("hex input has an odd number of digits".into());
    }
    digits
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).map_err(|_| "hex input is not text".to_string())?;
            u8::from_str_radix(s, 16).map_err(|_| format!("not a hex byte: {s:?}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_spec_stream_with_its_field_names() {
        let bytes = unhex(b"02 0403 020503 02060403 02 09").unwrap();
        let out = decode(&bytes);
        assert_eq!(out[0], json!({"type": "keepalive"}));
        assert_eq!(out[1], json!({"type": "ack"}));
        assert_eq!(out[2], json!({"type": "error", "code": "len_error"}));
        assert_eq!(out[3]["error"], "invalid_msg_type");
    }
}
