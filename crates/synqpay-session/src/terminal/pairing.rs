//! Pairing as the script runs it (spec/protocol.md §3): `pair` shows the code for 30 s,
//! `authenticate` with it hands out the key; after 5 wrong codes the pairing closes.

use synqpay_rpc::{AuthenticateResult, Null, RpcErrorCode, Text};

use super::ScriptedTerminal;
use super::call::Otp;
use super::reply::Refusal;
use super::rules::{PAIRING_ATTEMPTS, PAIRING_MS};
use super::scripted::State;
use crate::{Buffer, ReplyTo};

impl<B: Buffer> ScriptedTerminal<B> {
    /// `pair` naming this terminal, in IDLE: PAIRING, the code valid for [`PAIRING_MS`].
    pub(super) fn pair(&mut self, now: u64, reply: ReplyTo) {
        self.state = State::Pairing {
            until: now + PAIRING_MS,
            wrong: 0,
        };
        self.answer(&reply, &Null);
    }

    /// `authenticate` in PAIRING: the right code answers the key, which the device requires from
    /// then on, and the terminal is IDLE again; a wrong one is 103, and the
    /// [`PAIRING_ATTEMPTS`]th closes the pairing (its code is void).
    pub(super) fn authenticate(&mut self, reply: ReplyTo, otp: Otp) {
        let State::Pairing { wrong, .. } = &mut self.state else {
            let refusal = Refusal::new(RpcErrorCode::IllegalState, "no pairing open");
            return self.refuse(&reply, &refusal);
        };
        match otp {
            Otp::Right => {
                self.state = State::Idle;
                let key = self.config.key;
                let hex = key.expose_hex();
                let api_key = Text::new(core::str::from_utf8(&hex).unwrap_or_default());
                self.answer(&reply, &AuthenticateResult { api_key });
                self.device.set_api_key(Some(key));
            }
            Otp::Wrong => {
                *wrong += 1;
                if *wrong >= PAIRING_ATTEMPTS {
                    self.state = State::Idle;
                }
                self.refuse(
                    &reply,
                    &Refusal::new(RpcErrorCode::InvalidParams, "wrong code"),
                );
            }
        }
    }
}
