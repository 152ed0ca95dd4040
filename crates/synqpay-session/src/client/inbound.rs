//! What the client does with each frame from the device (spec/protocol.md §1, §4, §6): answers
//! matched to requests, events that extend running transactions, KeepAlives answered, link
//! Error frames attributed.

use synqpay_link::{ApiKey, ErrorCode, Frame, FrameError, MessageType};
use synqpay_rpc::{Message, RequestId};

use super::pending::Kind;
use super::{
    Core, Failure, IN_LATE, IN_LINK_ERROR, IN_NOTIFICATION, IN_RESPONSE, IN_UNSOLICITED, TX_LINK,
    decode_response,
};
use crate::Buffer;

impl<B: Buffer, const PENDING: usize> Core<B, PENDING> {
    pub(super) fn on_frame(&mut self, now: u64, frame: Result<Frame<'_>, FrameError>) {
        match frame {
            Err(e) => {
                debug!("client: bad frame from the device: {:?}", e);
                self.stats.bad_frames += 1;
            }
            Ok(Frame::Response { payload }) => self.on_response(payload),
            Ok(Frame::Event { payload }) => {
                // Each event extends the running transactions' deadlines (spec/protocol.md §6).
                let extended = now + self.config.transaction_timeout_ms;
                for p in self.pending.iter_mut().filter(|p| p.long_running) {
                    p.deadline = p.deadline.max(extended);
                }
                self.record(IN_NOTIFICATION, 0, payload);
            }
            Ok(Frame::KeepAlive) => {
                let _ = self.tx.push(
                    TX_LINK,
                    0,
                    &[
                        synqpay_link::STX,
                        MessageType::Ack.as_u8(),
                        synqpay_link::ETX,
                    ],
                );
            }
            Ok(Frame::Ack) => {
                if let Some(link) = &mut self.link {
                    link.ack_deadline = None;
                }
            }
            Ok(Frame::Error(code)) => self.on_link_error(code),
            Ok(Frame::Request { .. }) => self.stats.unexpected_frames += 1,
        }
    }

    /// An Error frame names no request: ours, the oldest one outstanding on this connection.
    fn on_link_error(&mut self, code: ErrorCode) {
        let oldest = self
            .pending
            .iter()
            .enumerate()
            .filter(|(_, p)| p.sent_on == Some(self.epoch))
            .min_by_key(|(_, p)| p.id)
            .map(|(i, _)| i);
        match oldest {
            Some(i) => self.fail(i, Failure::Link(code)),
            None => {
                self.record(IN_LINK_ERROR, 0, &[code.as_u8()]);
            }
        }
    }

    fn on_response(&mut self, payload: &[u8]) {
        let id = match Message::parse(payload) {
            Ok(Message::Response(r)) => RequestId::from_text(&r.id),
            Ok(Message::Error(e)) => e.id.as_ref().and_then(RequestId::from_text),
            _ => None,
        };
        let Some(id) = id else {
            self.record(IN_UNSOLICITED, 0, payload);
            return;
        };
        if let Some(i) = self.pending.iter().position(|p| p.id == id) {
            let p = self.pending.swap_remove(i);
            if matches!(p.kind, Kind::Authenticate)
                && let Some(key) = api_key_of(payload)
            {
                self.api_key = Some(key);
            }
            self.recent.remember(id, true);
            if !self.record(IN_RESPONSE, id.0, payload) {
                // The answer is lost to a full inbox: its request fails, reported as such.
                let _ = self.pending.push(p);
                if let Some(i) = self.pending.iter().position(|p| p.id == id) {
                    self.fail(i, Failure::Overflow);
                }
            }
            return;
        }
        match self.recent.answered(id) {
            Some(true) => {
                debug!("client: duplicate answer to request {} dropped", id.0);
                self.stats.duplicates += 1;
            }
            Some(false) => {
                info!("client: late answer to request {}", id.0);
                self.recent.mark_answered(id);
                self.record(IN_LATE, id.0, payload);
            }
            None => {
                self.record(IN_UNSOLICITED, id.0, payload);
            }
        }
    }
}

/// The API key in an `authenticate` answer.
fn api_key_of(payload: &[u8]) -> Option<ApiKey> {
    let result = decode_response::<synqpay_rpc::Authenticate>(payload).ok()?;
    let mut digits = [0u8; 8];
    ApiKey::from_hex(result.api_key.unescape_into(&mut digits).ok()?).ok()
}
