//! The screen methods (spec/api.md `readCard`, `userInput`, `userSelection`, `captureSignature`,
//! `showQR`): parameters decoded with `synqpay-rpc`'s types (102/103 when they do not fit), and
//! the cardholder's answer, given at once by the default scenario (ours), encoded typed. The
//! members after `commandId` and `result` have no documented shape: these are the simulator's.

use serde::Serialize;
use synqpay_rpc::{
    CaptureSignature, Method, Null, RawJson, ReadCard, ResultCode, ShowQr, Text, UserInput,
    UserSelection,
};
use synqpay_session::{Device, ReplyTo};

use crate::app::invalid_params;

/// The cardholder's answer: `{commandId, result, <what was read>: value}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Answer<'a, T: Serialize> {
    command_id: Text<'a>,
    result: ResultCode<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_data: Option<T>,
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

impl<'a> Answer<'a, Track2> {
    fn ok(command_id: Text<'a>) -> Self {
        Self {
            command_id,
            result: ResultCode::Ok,
            card_data: None,
            value: None,
            selected_id: None,
            signature: None,
        }
    }
}

/// Whether `method` is a screen method.
pub(crate) fn is_prompt(method: &str) -> bool {
    [
        ReadCard::NAME,
        UserInput::NAME,
        UserSelection::NAME,
        CaptureSignature::NAME,
        ShowQr::NAME,
    ]
    .contains(&method)
}

/// Answers the screen method `method`, if it is one; `false` for any other method.
pub(crate) fn serve(
    device: &mut Device<Vec<u8>>,
    reply: &ReplyTo,
    method: &str,
    params: Option<RawJson<'_>>,
) -> bool {
    match method {
        ReadCard::NAME => match ReadCard::decode_params(params) {
            Ok(p) => {
                let track2 = Track2 {
                    track2: ";4580080000003303=2812?",
                };
                let card = Answer {
                    card_data: Some(track2),
                    ..Answer::ok(p.command_id)
                };
                let _ = device.respond(reply, &card);
            }
            Err(e) => invalid_params(device, reply, &e),
        },
        UserInput::NAME => match UserInput::decode_params(params) {
            Ok(p) => {
                let typed = Answer {
                    value: Some("0501234567"),
                    ..Answer::ok(p.command_id)
                };
                let _ = device.respond(reply, &typed);
            }
            Err(e) => invalid_params(device, reply, &e),
        },
        UserSelection::NAME => match UserSelection::decode_params(params) {
            Ok(p) => {
                // The customer picks the first option offered.
                let first = p.options.first().map_or(Text::new(""), |o| o.id);
                let chosen = Answer {
                    selected_id: Some(first),
                    ..Answer::ok(p.command_id)
                };
                let _ = device.respond(reply, &chosen);
            }
            Err(e) => invalid_params(device, reply, &e),
        },
        CaptureSignature::NAME => match CaptureSignature::decode_params(params) {
            Ok(p) => {
                let signed = Answer {
                    signature: Some("0x89504e47"),
                    ..Answer::ok(p.command_id)
                };
                let _ = device.respond(reply, &signed);
            }
            Err(e) => invalid_params(device, reply, &e),
        },
        ShowQr::NAME => match ShowQr::decode_params(params) {
            // Answered as soon as it is shown (spec/api.md).
            Ok(_) => {
                let _ = device.respond(reply, &Null);
            }
            Err(e) => invalid_params(device, reply, &e),
        },
        _ => return false,
    }
    true
}
