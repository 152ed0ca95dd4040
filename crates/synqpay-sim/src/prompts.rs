//! The screen methods (spec/api.md `readCard`, `userInput`, `userSelection`, `captureSignature`,
//! `showQR`; spec/protocol.md §5: they need IDLE and run in READ_CARD or PROMPT): parameters
//! decoded with `synqpay-rpc`'s types (102/103 when they do not fit); the device then waits for
//! the cardholder, who answers after `SimulatorConfig::cardholder_ms` (ours: the default
//! scenario), unless the prompt's `timeout` comes first (TIMEOUT) or a `cancel` naming its
//! `commandId` does (CANCELED). `showQR` answers as soon as the code is shown. The members after
//! `commandId` and `result` have no documented shape: these are the simulator's.

use serde::Serialize;
use synqpay_rpc::{
    CaptureSignature, DeviceStatus, Method, Null, RawJson, ReadCard, ResultCode, ShowQr, Text,
    UserInput, UserSelection,
};
use synqpay_session::{Device, ReplyTo};

use crate::app::{App, SimDevice};
use crate::hand::Decide;
use crate::params;
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
    pub(crate) kind: Kind,
    reply: ReplyTo,
    pub(crate) command_id: String,
    /// What the screen shows: the request's `title` and `body`, and for `userSelection` its
    /// options (id, label).
    pub(crate) title: Option<String>,
    pub(crate) body: Option<String>,
    pub(crate) options: Vec<(String, String)>,
    /// The cardholder's answer: by default (the scenario) the first option, a phone number, a
    /// card; by hand (the screen page), what was typed or picked.
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

    /// The cardholder answers by hand (the screen page): `value` typed or picked, now.
    pub(crate) fn answered_by_hand(&mut self, now: u64, value: &str) {
        if !value.is_empty() {
            self.choice = value.chars().take(64).collect();
        }
        self.answer_at = now;
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
            value: (read && self.kind == Kind::UserInput).then_some(self.choice.as_str()),
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
        // By hand, the screen page answers; otherwise the simulated cardholder, after a while.
        let cardholder_ms = (self.decide == Decide::Scenario).then_some(self.config.cardholder_ms);
        // `None`: the request was refused (102/103), and answered so.
        match start(device, reply, method, params, now, cardholder_ms) {
            Some(Shown::Prompt(prompt)) => {
                self.screen = prompt.screen();
                self.state = State::Prompt(prompt);
            }
            Some(Shown::Qr(qr)) => self.shown_qr = Some(qr),
            None => {}
        }
    }
}

/// A code `showQR` put on the screen (answered at once; shown until the next screen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShownQr {
    pub(crate) data: String,
    pub(crate) title: Option<String>,
    /// The code drawn, as SVG.
    pub(crate) svg: String,
}

/// What a screen method's request starts: a prompt that waits, or a code shown (`showQR`,
/// answered already).
pub(crate) enum Shown {
    Prompt(Prompt),
    Qr(ShownQr),
}

fn text(t: Option<Text<'_>>) -> Option<String> {
    t.map(|t| t.to_string())
}

/// Starts the screen method `method` at `now`; the simulated cardholder answers `cardholder_ms`
/// later, or (`None`: by hand) when the screen page says. Parameters that do not fit
/// (`crate::params`) are answered 102 or 103 here, and nothing starts (`None`).
fn start(
    device: &mut Device<Vec<u8>>,
    reply: ReplyTo,
    method: &str,
    params: Option<RawJson<'_>>,
    now: u64,
    cardholder_ms: Option<u64>,
) -> Option<Shown> {
    // Decoded, then checked beyond their types; refused here when either fails.
    fn checked<'a, M: Method>(
        device: &mut Device<Vec<u8>>,
        reply: &ReplyTo,
        params: Option<RawJson<'a>>,
        check: fn(&M::Params<'a>) -> Result<(), params::Refusal>,
    ) -> Option<M::Params<'a>> {
        let p = params::decode::<M>(device, reply, params)?;
        match check(&p) {
            Ok(()) => Some(p),
            Err(refusal) => {
                refusal.send(device, reply);
                None
            }
        }
    }
    // What every prompt's request says, then what only a selection or an input adds: its
    // options, and the simulated cardholder's default answer.
    let (kind, asked, options, choice) = match method {
        ReadCard::NAME => {
            let p = checked::<ReadCard>(device, &reply, params, params::read_card)?;
            let asked = Asked::new(p.command_id, p.timeout, p.cancelable, p.title, p.body);
            (Kind::ReadCard, asked, Vec::new(), String::new())
        }
        UserInput::NAME => {
            let p = checked::<UserInput>(device, &reply, params, params::user_input)?;
            let asked = Asked::new(p.command_id, p.timeout, p.cancelable, p.title, p.body);
            (Kind::UserInput, asked, Vec::new(), "0501234567".to_string())
        }
        UserSelection::NAME => {
            let p = checked::<UserSelection>(device, &reply, params, params::user_selection)?;
            let options: Vec<(String, String)> = p
                .options
                .iter()
                .map(|o| (o.id.to_string(), o.label.to_string()))
                .collect();
            let first = options
                .first()
                .map(|(id, _)| id.clone())
                .unwrap_or_default();
            let asked = Asked::new(p.command_id, p.timeout, None, p.title, p.body);
            (Kind::UserSelection, asked, options, first)
        }
        CaptureSignature::NAME => {
            let p = checked::<CaptureSignature>(device, &reply, params, params::capture_signature)?;
            let asked = Asked::new(p.command_id, p.timeout, None, p.title, p.body);
            (Kind::CaptureSignature, asked, Vec::new(), String::new())
        }
        _ => {
            // showQR: answered as soon as it is shown (spec/api.md).
            let p = params::decode::<ShowQr>(device, &reply, params)?;
            let _ = device.respond(&reply, &Null);
            let data = p.qr_data.to_string();
            return Some(Shown::Qr(ShownQr {
                svg: crate::face::qr_svg(&data),
                data,
                title: text(p.title),
            }));
        }
    };
    let timeout_ms = asked
        .timeout
        .map_or(DEFAULT_TIMEOUT_MS, |s| u64::from(s) * 1000);
    Some(Shown::Prompt(Prompt {
        kind,
        reply,
        command_id: asked.command_id,
        title: asked.title,
        body: asked.body,
        options,
        choice,
        answer_at: cardholder_ms.map_or(u64::MAX, |ms| now + ms),
        timeout_at: now + timeout_ms,
        cancelable: asked.cancelable != Some(false),
    }))
}

/// What every screen method's request says (spec/api.md: `commandId`, `timeout`, `cancelable`,
/// `title`, `body`), owned.
struct Asked {
    command_id: String,
    timeout: Option<u32>,
    cancelable: Option<bool>,
    title: Option<String>,
    body: Option<String>,
}

impl Asked {
    fn new(
        command_id: Text<'_>,
        timeout: Option<u32>,
        cancelable: Option<bool>,
        title: Option<Text<'_>>,
        body: Option<Text<'_>>,
    ) -> Self {
        Self {
            command_id: command_id.to_string(),
            timeout,
            cancelable,
            title: text(title),
            body: text(body),
        }
    }
}
