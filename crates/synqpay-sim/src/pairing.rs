//! Pairing (spec/protocol.md §3): `pair` shows a 6-digit code for 30 s, `authenticate` with it
//! gives a new key (the old one stops working); after 5 wrong codes the pairing closes (back to
//! IDLE), and the next pairing opens only after a while (`SimulatorConfig::pairing_reopen_ms`),
//! so that pairing again and again does not give 5 more guesses at once (ours).

use std::io::Write as _;

use synqpay_link::ApiKey;
use synqpay_rpc::{Authenticate, AuthenticateResult, Method, Null, Pair, RawJson, Text};
use synqpay_session::ReplyTo;

use synqpay_session::terminal::{PAIRING_ATTEMPTS, PAIRING_MS};

use crate::app::{App, SimDevice, illegal, invalid};
use crate::state::State;

impl App {
    /// `pair`: opens a pairing with a 6-digit code on the screen (spec/protocol.md §3).
    pub(crate) fn pair(
        &mut self,
        now: u64,
        device: &mut SimDevice,
        reply: ReplyTo,
        params: Option<RawJson<'_>>,
    ) {
        match Pair::decode_params(params) {
            Ok(p) if p.serial_number == self.config.serial_number.as_str() => {
                if now < self.pairing_opens_at {
                    // Ours: accepted, and answered when the pairing opens; meanwhile
                    // `authenticate` finds no pairing open (201).
                    self.screen = "PAIRING (opens shortly: too many wrong codes)".into();
                    self.state = State::PairingOpens {
                        reply,
                        at: self.pairing_opens_at,
                    };
                    return;
                }
                self.open_pairing(now, device, &reply);
            }
            Ok(_) => invalid(device, &reply, "serialNumber is not this device's"),
            Err(e) => crate::params::undecodable::<Pair>(device, &reply, &e, params),
        }
    }

    /// A pairing opens: a new code on the screen for 30 s, and `pair` answered.
    pub(crate) fn open_pairing(&mut self, now: u64, device: &mut SimDevice, reply: &ReplyTo) {
        let code = self
            .config
            .otp
            .clone()
            .unwrap_or_else(|| format!("{:06}", self.random() % 1_000_000));
        self.screen = format!("PAIRING: code {code}");
        self.pairing_code = Some(code.clone());
        // Shown on the console as the device shows it on screen; a closed console must not
        // stop the device.
        let _ = writeln!(
            std::io::stdout(),
            "[device screen] pairing code {code} (valid {} s)",
            PAIRING_MS / 1000
        );
        self.state = State::Pairing {
            code,
            until: now + PAIRING_MS,
            wrong: 0,
        };
        let _ = device.respond(reply, &Null);
    }

    /// `authenticate`: the code from the screen gives the key; 5 wrong codes close the pairing.
    pub(crate) fn authenticate(
        &mut self,
        now: u64,
        device: &mut SimDevice,
        reply: ReplyTo,
        params: Option<RawJson<'_>>,
    ) {
        let State::Pairing { code, until, wrong } = &mut self.state else {
            return illegal(device, &reply);
        };
        if now > *until {
            return illegal(device, &reply);
        }
        match Authenticate::decode_params(params) {
            Ok(p) if p.otp == code.as_str() => {
                let key = ApiKey::from_bytes((self.random() as u32).to_be_bytes());
                self.key = Some(key);
                self.become_idle("IDLE (paired)");
                let hex = key.expose_hex();
                let digits = std::str::from_utf8(&hex).unwrap_or("00000000");
                let _ = device.respond(
                    &reply,
                    &AuthenticateResult {
                        api_key: Text::new(digits),
                    },
                );
            }
            Err(e) => crate::params::undecodable::<Authenticate>(device, &reply, &e, params),
            Ok(_) => {
                // Ours (spec/protocol.md §3): after 5 wrong codes the pairing is closed
                // and the code void, so it cannot be guessed within its 30 s.
                *wrong += 1;
                if *wrong >= PAIRING_ATTEMPTS {
                    self.become_idle("IDLE (pairing closed: too many wrong codes)");
                    self.pairing_opens_at = now + self.config.pairing_reopen_ms;
                }
                invalid(device, &reply, "wrong code")
            }
        }
    }
}
