//! How the script answers: a result, or a JSON-RPC error naming what is wrong (spec/protocol.md
//! §4). An answer that does not fit the transmit buffer is lost, and the client's deadline
//! reports it (ours: a terminal that is too busy to answer); a sale's own answer is the
//! exception, tried again ([`super::ScriptedTerminal::tick`]).

use core::fmt::Write as _;

use heapless::String;
use serde::Serialize;
use synqpay_rpc::{DecodeError, RpcErrorCode};

use super::ScriptedTerminal;
use crate::{Buffer, ReplyTo};

/// The longest error message the script sends (ours).
const MESSAGE_LEN: usize = 96;

/// A JSON-RPC error the script answers with (spec/protocol.md §4).
pub(super) struct Refusal {
    code: RpcErrorCode,
    message: String<MESSAGE_LEN>,
}

impl Refusal {
    /// `code`, saying `message` (cut to [`MESSAGE_LEN`] bytes).
    pub(super) fn new(code: RpcErrorCode, message: &str) -> Self {
        let mut text = String::new();
        for c in message.chars() {
            if text.push(c).is_err() {
                break;
            }
        }
        Self {
            code,
            message: text,
        }
    }

    /// Parameters that do not fit: 102 MissingParams when a required member is absent, 103
    /// InvalidParams otherwise, naming what is wrong (spec/protocol.md §4).
    pub(super) fn params(e: &DecodeError) -> Self {
        let code = if e.is_missing() {
            RpcErrorCode::MissingParams
        } else {
            RpcErrorCode::InvalidParams
        };
        let mut message = String::new();
        if write!(message, "{e}").is_err() {
            message.clear();
            let _ = message.push_str(code.name());
        }
        Self { code, message }
    }
}

impl<B: Buffer> ScriptedTerminal<B> {
    /// Answers `reply` with `result`.
    pub(super) fn answer<R: Serialize + ?Sized>(&mut self, reply: &ReplyTo, result: &R) {
        let _ = self.device.respond(reply, result);
    }

    /// Answers `reply` with the error `refusal`.
    pub(super) fn refuse(&mut self, reply: &ReplyTo, refusal: &Refusal) {
        let _ = self
            .device
            .respond_error(reply, refusal.code, &refusal.message, None);
    }
}
