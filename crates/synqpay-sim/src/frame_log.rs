//! The frames passing between the client and the simulated device, for the screen page's log
//! (ours): each direction decoded by a link decoder of its own (spec/protocol.md §1), each
//! payload cut to a line and its secrets masked — the API key a request carries is never shown,
//! nor the `apiKey` member of `authenticate`'s answer.

use synqpay_link::{Decoder, Frame};

use crate::view::LogLine;

/// How much of a payload a log line shows (ours).
const SHOWN: usize = 300;

/// Both directions' decoders.
pub(crate) struct FrameLog {
    inbound: Decoder<Vec<u8>>,
    outbound: Decoder<Vec<u8>>,
}

impl FrameLog {
    pub(crate) fn new() -> Self {
        Self {
            inbound: Decoder::new(vec![0; 16 * 1024]),
            outbound: Decoder::new(vec![0; 16 * 1024]),
        }
    }

    /// Bytes from the client: the frames they complete.
    pub(crate) fn received(&mut self, bytes: &[u8]) -> Vec<LogLine> {
        let mut lines = Vec::new();
        self.inbound.feed(bytes, |f| lines.push(line("in", f)));
        lines
    }

    /// Bytes to the client: the frames they complete.
    pub(crate) fn sent(&mut self, bytes: &[u8]) -> Vec<LogLine> {
        let mut lines = Vec::new();
        self.outbound.feed(bytes, |f| lines.push(line("out", f)));
        lines
    }

    /// A new connection: what was half-way is dropped.
    pub(crate) fn reset(&mut self) {
        self.inbound.clear();
        self.outbound.clear();
    }
}

fn line(dir: &'static str, frame: Result<Frame<'_>, synqpay_link::FrameError>) -> LogLine {
    let (kind, text) = match frame {
        Ok(Frame::Request { payload, .. }) => ("request".to_string(), masked(payload)),
        Ok(Frame::Response { payload }) => ("response".to_string(), masked(payload)),
        Ok(Frame::Event { payload }) => ("event".to_string(), masked(payload)),
        Ok(Frame::KeepAlive) => ("keepalive".to_string(), String::new()),
        Ok(Frame::Ack) => ("ack".to_string(), String::new()),
        Ok(Frame::Error(code)) => ("error".to_string(), code.name().to_string()),
        Err(e) => (e.code().name().to_lowercase(), e.to_string()),
    };
    LogLine { dir, kind, text }
}

/// The payload as one line: JSON with every `apiKey` member masked, cut at [`SHOWN`] characters.
fn masked(payload: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(payload) {
        Ok(mut value) => {
            mask(&mut value);
            value.to_string()
        }
        Err(_) => String::from_utf8_lossy(payload).into_owned(),
    };
    let mut shown: String = text.chars().take(SHOWN).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    shown
}

fn mask(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                if key == "apiKey" {
                    *member = serde_json::Value::String("••••••••".into());
                } else {
                    mask(member);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_never_shown() {
        let shown = masked(br#"{"jsonrpc":"2.0","id":"1","result":{"apiKey":"1234abcd"}}"#);
        assert!(!shown.contains("1234abcd"), "{shown}");
        assert!(shown.contains("••••••••"));
    }
}
