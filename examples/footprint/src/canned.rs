//! The canned device: reads requests, answers each with its frames, encoded on demand (one set
//! per request), so no device code is linked. The far end of the client rows, and what the
//! in-memory TLS peer serves behind TLS.

use synqpay_link::{Decoder, Frame};

use crate::far_end::FarEnd;
use crate::payloads::{DETECTED, SALE, STATUS, WAITING};

pub struct Canned {
    requests_in: Decoder<&'static mut [u8]>,
    requests: usize,
    wire: &'static mut [u8],
    len: usize,
    at: usize,
}

impl Canned {
    /// A device that decodes requests in `rx` and encodes its answers in `wire`.
    pub fn new(rx: &'static mut [u8], wire: &'static mut [u8]) -> Self {
        Self {
            requests_in: Decoder::new(rx),
            requests: 0,
            wire,
            len: 0,
            at: 0,
        }
    }

    fn reply(&mut self) {
        let frames: &[Frame<'_>] = match self.requests {
            1 => &[Frame::Response { payload: STATUS }],
            2 => &[
                Frame::Event { payload: WAITING },
                Frame::Event { payload: DETECTED },
                Frame::Response { payload: SALE },
            ],
            _ => &[],
        };
        let (mut len, wire) = (0, &mut *self.wire);
        for frame in frames {
            len += frame.encode(&mut wire[len..]).unwrap_or(0);
        }
        (self.len, self.at) = (len, 0);
    }
}

impl FarEnd for Canned {
    fn take_in(&mut self, bytes: &[u8]) -> usize {
        let mut requests = 0;
        self.requests_in.feed(bytes, |frame| {
            requests += usize::from(matches!(frame, Ok(Frame::Request { .. })));
        });
        for _ in 0..requests {
            self.requests += 1;
            self.reply();
        }
        bytes.len()
    }

    fn give_out(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.len - self.at);
        buf[..n].copy_from_slice(&self.wire[self.at..self.at + n]);
        self.at += n;
        n
    }

    fn ready(&self) -> bool {
        self.at < self.len
    }
}
