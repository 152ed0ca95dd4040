//! The screen methods (spec/api.md `readCard`, `userInput`, `userSelection`, `captureSignature`,
//! `showQR`; spec/protocol.md §5: they need IDLE and run in READ_CARD or PROMPT): parameters
//! decoded with `synqpay-rpc`'s types (102/103 when they do not fit); the device then waits for
//! the cardholder, who answers after `SimulatorConfig::cardholder_ms` (ours: the default
//! scenario), unless the prompt's `timeout` comes first (TIMEOUT) or a `cancel` naming its
//! `commandId` does (CANCELED). `showQR` answers as soon as the code is shown. The members after
//! `commandId` and `result` have no documented shape: these are the simulator's.

use serde::Serialize;
use synqpay_rpc::{
    CaptureSignature, DecodeError, DeviceStatus, Method, Null, RawJson, ReadCard, ResultCode,
    ShowQr, Text, UserInput, UserSelection,
};
use synqpay_session::{Device, ReplyTo};

use crate::app::{App, SimDevice, invalid_params};
use crate::state::State;

/// The default wait of a prompt without `timeout` (spec/api.md: 60 s).
const DEFAULT_TIMEOUT_MS: u64 = 60_000;

/// Which prompt runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    ReadCard,
    UserInput,
    UserSelection,
    CaptureSignature,
}

/// A prompt on the screen, waiting for the cardholder.
#[derive(Debug, Clone)]
pub(crate) struct Prompt {
    kind: Kind,
    reply: ReplyTo,
    command_id: String,
    /// For `userSelection`: the option the simulated customer picks (the first).
    choice: String,
    /// When the cardholder answers, and when the prompt gives up.
    answer_at: u64,
    timeout_at: u64,
    pub(crate) cancelable: bool,
}

impl Prompt {
    /// The device state while it shows (spec/protocol.md §5).
    pub(crate) fn status(&self) -> DeviceStatus<'static> {
        match self.kind {
            Kind::ReadCard => DeviceStatus::ReadCard,
            _ => DeviceStatus::Prompt,
        }
    }

    /// Whether a `cancel` with this `referenceId` names it (spec/api.md: for screen methods,
    /// the `commandId`).
    pub(crate) fn is_named(&self, reference: &Text<'_>) -> bool {
        *reference == self.command_id.as_str()
    }

    /// What the screen shows.
    pub(crate) fn screen(&self) -> String {
        format!("{:?}: {}", self.kind, self.command_id)
    }

    /// Whether the prompt ends at `now` (answered, or timed out).
    pub(crate) fn due(&self, now: u64) -> bool {
        now >= self.answer_at.min(self.timeout_at)
    }

    /// Ends the prompt as time has it at `now`: the cardholder's answer, or TIMEOUT.
    pub(crate) fn finish(&self, now: u64, device: &mut Device<Vec<u8>>) {
        let result = if now >= self.answer_at && self.answer_at <= self.timeout_at {
            ResultCode::Ok
        } else {
            ResultCode::Timeout
        };
        self.answer(device, result);
    }

    /// Answers the prompt's request with `result` (and, when OK, what was read).
    pub(crate) fn answer(&self, device: &mut Device<Vec<u8>>, result: ResultCode<'_>) {
        let read = result == ResultCode::Ok;
        let answer = Answer {
            command_id: Text::new(&self.command_id),
            result,
            card_data: (read && self.kind == Kind::ReadCard).then_some(Track2 {
                track2: ";4580080000003303=2812?",
            }),
            value: (read && self.kind == Kind::UserInput).then_some("0501234567"),
            selected_id: (read && self.kind == Kind::UserSelection)
                .then(|| Text::new(&self.choice)),
            signature: (read && self.kind == Kind::CaptureSignature).then_some("0x89504e47"),
        };
        let _ = device.respond(&self.reply, &answer);
    }
}

/// The cardholder's answer: `{commandId, result, <what was read>: value}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Answer<'a> {
    command_id: Text<'a>,
    result: ResultCode<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_data: Option<Track2>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    selected_id: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signature: Option<&'a str>,
}

/// What a card read gives (ours: a track 2 of the documented sample's card).
#[derive(Serialize)]
struct Track2 {
    track2: &'static str,
}

impl App {
    /// A screen method (`readCard`, `userInput`, `userSelection`, `captureSignature`,
    /// `showQR`): shown, then waiting for the cardholder in READ_CARD or PROMPT.
    pub(crate) fn prompt(
        &mut self,
        now: u64,
        device: &mut SimDevice,
        reply: ReplyTo,
        method: &str,
        params: Option<RawJson<'_>>,
    ) {
        let cardholder_ms = self.config.cardholder_ms;
        match start(device, reply, method, params, now, cardholder_ms) {
            Ok(Some(prompt)) => {
                self.screen = prompt.screen();
                self.state = State::Prompt(prompt);
            }
            Ok(None) => {}
            Err(e) => invalid_params(device, &reply, &e),
        }
    }
}

/// What a screen method's request starts: `Ok(None)` when it is answered already (`showQR`).
type Started = Result<Option<Prompt>, DecodeError>;

/// Starts the screen method `method` at `now`; the cardholder answers `cardholder_ms` later.
fn start(
    device: &mut Device<Vec<u8>>,
    reply: ReplyTo,
    method: &str,
    params: Option<RawJson<'_>>,
    now: u64,
    cardholder_ms: u64,
) -> Started {
    // (kind, commandId, timeout s, cancelable, the first option)
    let (kind, command_id, timeout, cancelable, choice) = match method {
        ReadCard::NAME => {
            let p = ReadCard::decode_params(params)?;
            (Kind::ReadCard, p.command_id, p.timeout, p.cancelable, None)
        }
        UserInput::NAME => {
            let p = UserInput::decode_params(params)?;
            (Kind::UserInput, p.command_id, p.timeout, p.cancelable, None)
        }
        UserSelection::NAME => {
            let p = UserSelection::decode_params(params)?;
            let first = p.options.first().map(|o| o.id.to_string());
            (Kind::UserSelection, p.command_id, p.timeout, None, first)
        }
        CaptureSignature::NAME => {
            let p = CaptureSignature::decode_params(params)?;
            (Kind::CaptureSignature, p.command_id, p.timeout, None, None)
        }
        _ => {
            // showQR: answered as soon as it is shown (spec/api.md).
            ShowQr::decode_params(params)?;
            let _ = device.respond(&reply, &Null);
            return Ok(None);
        }
    };
    let timeout_ms = timeout.map_or(DEFAULT_TIMEOUT_MS, |s| u64::from(s) * 1000);
    Ok(Some(Prompt {
        kind,
        reply,
        command_id: command_id.to_string(),
        choice: choice.unwrap_or_default(),
        answer_at: now + cardholder_ms,
        timeout_at: now + timeout_ms,
        cancelable: cancelable != Some(false),
    }))
}
