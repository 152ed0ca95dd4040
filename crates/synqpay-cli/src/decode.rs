//! `synqpay decode`: a captured byte stream in, one JSON object per frame or link error out,
//! with the field names of spec/vectors.json. Streams: memory stays bounded on any input (a read
//! buffer and the link decoder's frame buffer), and a run of identical errors is one line with
//! its count, so that 10 MB of noise is a line, not ten million.

use std::io::{self, BufWriter, Read, Write};

use serde_json::{Value, json};
use synqpay_link::{Decoder, Frame, FrameError};

/// How the input is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// The bytes themselves.
    Raw,
    /// Hex digits, whitespace ignored.
    Hex,
}

/// Decodes stdin to stdout.
pub fn run(input: Input) -> Result<(), String> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    stream(io::stdin().lock(), input, &mut out).map_err(|e| format!("decode: {e}"))?;
    out.flush().map_err(|e| format!("decode: {e}"))
}

/// The size of each read (ours).
const CHUNK: usize = 64 * 1024;
/// The longest frame the decoder holds (spec/protocol.md §1 allows a 16-bit length and more;
/// ours: 1 MiB, frames longer are reported as LEN_ERROR).
const FRAME_BUFFER: usize = 1 << 20;

/// Reads `input` to its end, writing one JSON line per frame or error to `out`.
pub fn stream(mut input: impl Read, kind: Input, out: &mut impl Write) -> io::Result<()> {
    let mut decoder = Decoder::new(vec![0u8; FRAME_BUFFER]);
    let mut sink = Sink::new(out);
    let mut chunk = vec![0u8; CHUNK];
    let mut hex = HexReader::default();
    let mut bytes = Vec::with_capacity(CHUNK);
    loop {
        let n = match input.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let data: &[u8] = match kind {
            Input::Raw => &chunk[..n],
            Input::Hex => {
                bytes.clear();
                hex.push(&chunk[..n], &mut bytes)?;
                &bytes
            }
        };
        decoder.feed(data, |result| sink.push(describe(result)));
        sink.check()?;
    }
    if kind == Input::Hex && hex.half.is_some() {
        sink.push(json!({"error": "hex", "detail": "an odd number of hex digits"}));
    }
    while decoder.abandon_partial().is_some() {
        sink.push(json!({"error": "invalid_message", "detail": "a frame cut short at the end of the input"}));
        while let Some(result) = decoder.poll() {
            sink.push(describe(result));
        }
    }
    let skipped = decoder.stats().skipped_bytes;
    if skipped > 0 {
        sink.push(json!({"skipped_bytes": skipped}));
    }
    sink.finish()
}

/// Writes lines, folding a run of identical errors into one with `"count"`.
struct Sink<'w, W: Write> {
    out: &'w mut W,
    held: Option<(Value, u64)>,
    failed: Option<io::Error>,
}

impl<'w, W: Write> Sink<'w, W> {
    fn new(out: &'w mut W) -> Self {
        Self {
            out,
            held: None,
            failed: None,
        }
    }

    fn push(&mut self, line: Value) {
        match &mut self.held {
            Some((held, count)) if *held == line && line.get("error").is_some() => *count += 1,
            _ => {
                self.flush_held();
                self.held = Some((line, 1));
            }
        }
    }

    fn flush_held(&mut self) {
        let Some((mut line, count)) = self.held.take() else {
            return;
        };
        if count > 1 {
            line["count"] = json!(count);
        }
        if self.failed.is_none()
            && let Err(e) = writeln!(self.out, "{line}")
        {
            self.failed = Some(e);
        }
    }

    fn check(&mut self) -> io::Result<()> {
        self.failed.take().map_or(Ok(()), Err)
    }

    fn finish(mut self) -> io::Result<()> {
        self.flush_held();
        self.check()
    }
}

/// Hex digits to bytes across reads: a digit left over from one read pairs with the next.
#[derive(Default)]
struct HexReader {
    half: Option<u8>,
    offset: u64,
}

impl HexReader {
    fn push(&mut self, text: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        for &c in text {
            self.offset += 1;
            if c.is_ascii_whitespace() {
                continue;
            }
            let Some(digit) = (c as char).to_digit(16) else {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "not a hex digit at input byte {}: {:?}",
                        self.offset,
                        (c as char).escape_debug().to_string()
                    ),
                ));
            };
            match self.half.take() {
                Some(high) => out.push(high << 4 | digit as u8),
                None => self.half = Some(digit as u8),
            }
        }
        Ok(())
    }
}

fn describe(result: Result<Frame<'_>, FrameError>) -> Value {
    // Device text goes out as a JSON string: control characters are escaped, never raw.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], kind: Input) -> Vec<Value> {
        let mut out = Vec::new();
        stream(input, kind, &mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn decodes_the_spec_stream_with_its_field_names() {
        let out = lines(b"02 0403 020503 02060403 02 09", Input::Hex);
        assert_eq!(out[0], json!({"type": "keepalive"}));
        assert_eq!(out[1], json!({"type": "ack"}));
        assert_eq!(out[2], json!({"type": "error", "code": "len_error"}));
        assert_eq!(out[3]["error"], "invalid_msg_type");
    }

    /// A reader of `n` bytes of `byte`, made as they are read.
    struct Repeat(u8, usize);

    impl Read for Repeat {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.1);
            buf[..n].fill(self.0);
            self.1 -= n;
            Ok(n)
        }
    }

    #[test]
    fn megabytes_of_noise_stream_through_as_a_few_lines() {
        let mut out = Vec::new();
        stream(Repeat(0x02, 2 << 20), Input::Raw, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.lines().count() <= 4, "{text}");
        let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["error"], "len_error");
        assert!(first["count"].as_u64().unwrap() > 200_000, "{first}");
    }

    #[test]
    fn hex_digits_pair_across_reads_and_a_bad_digit_is_named() {
        // One byte at a time: every digit pair is split across reads.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let Some((&b, rest)) = self.0.split_first() else {
                    return Ok(0);
                };
                buf[0] = b;
                self.0 = rest;
                Ok(1)
            }
        }
        let mut out = Vec::new();
        stream(Trickle(b"0 2 0 4 0 3"), Input::Hex, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap().trim(),
            r#"{"type":"keepalive"}"#
        );
        let e = stream(&b"02zz"[..], Input::Hex, &mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("input byte 3"), "{e}");
    }
}
