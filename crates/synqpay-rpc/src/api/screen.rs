//! The screen methods: `readCard`, `userInput`, `userSelection`, `showQR`, `captureSignature`
//! (spec/api.md "Methods"). Each is identified by the caller's `commandId`, which `cancel` takes.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::method::{Null, from_raw_required, method};
use crate::{InputType, MimeType, RawJson, ResultCode, Text};

method! {
    /// `readCard`: reads a card (magnetic stripe and/or NFC: at least one).
    ReadCard = "readCard", ReadCardParams<'a> => ScreenResult<'a>, Interactive
}

method! {
    /// `userInput`: asks the customer for text or a number.
    UserInput = "userInput", UserInputParams<'a> => ScreenResult<'a>, Interactive
}

method! {
    /// `userSelection`: asks the customer to choose; the result's shape is not documented.
    UserSelection = "userSelection", UserSelectionParams<'a> => Option<RawJson<'a>>, Interactive
}

method! {
    /// `showQR`: shows a QR code; answers as soon as it is shown.
    ShowQr = "showQR", ShowQrParams<'a> => Null, Command
}

method! {
    /// `captureSignature`: the result's shape is not documented (field).
    CaptureSignature = "captureSignature", CaptureSignatureParams<'a> => Option<RawJson<'a>>, Interactive
}

/// The parameters of `readCard`.
#[skip_serializing_none]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct ReadCardParams<'a> {
    /// The caller's id for this prompt.
    pub command_id: Text<'a>,
    /// A title.
    pub title: Option<Text<'a>>,
    /// A body text.
    pub body: Option<Text<'a>>,
    /// Seconds (default 60).
    pub timeout: Option<u32>,
    /// Whether the customer may cancel (default true).
    pub cancelable: Option<bool>,
    /// Read magnetic stripes (default false).
    pub read_mag_card: Option<bool>,
    /// Read NFC cards (default false).
    pub read_nfc_card: Option<bool>,
}

/// The parameters of `userInput`.
#[skip_serializing_none]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct UserInputParams<'a> {
    /// The caller's id for this prompt.
    pub command_id: Text<'a>,
    /// NUMERIC, ALPHANUMERIC, EMAIL or NUMBER.
    pub input_type: InputType<'a>,
    /// A title.
    pub title: Option<Text<'a>>,
    /// A body text.
    pub body: Option<Text<'a>>,
    /// Seconds.
    pub timeout: Option<u32>,
    /// Whether the customer may cancel.
    pub cancelable: Option<bool>,
    /// Text types: the shortest answer.
    pub min_length: Option<u32>,
    /// Text types: the longest answer.
    pub max_length: Option<u32>,
    /// NUMBER: the smallest value.
    #[serde(serialize_with = "crate::decimal::amount")]
    pub min_value: Option<i64>,
    /// NUMBER: the largest value.
    #[serde(serialize_with = "crate::decimal::amount")]
    pub max_value: Option<i64>,
}

/// One choice of `userSelection`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct SelectionOption<'a> {
    /// The id returned when chosen.
    pub id: Text<'a>,
    /// What the customer sees.
    pub label: Text<'a>,
}

/// The parameters of `userSelection` (ours: at most 16 options).
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct UserSelectionParams<'a> {
    /// The caller's id for this prompt.
    pub command_id: Text<'a>,
    /// The choices.
    pub options: heapless::Vec<SelectionOption<'a>, 16>,
    /// A title.
    pub title: Option<Text<'a>>,
    /// A body text.
    pub body: Option<Text<'a>>,
    /// Seconds.
    pub timeout: Option<u32>,
}

/// The parameters of `showQR`.
#[skip_serializing_none]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct ShowQrParams<'a> {
    /// The caller's id for this screen.
    pub command_id: Text<'a>,
    /// What the QR code encodes.
    pub qr_data: Text<'a>,
    /// A title.
    pub title: Option<Text<'a>>,
    /// A body text.
    pub body: Option<Text<'a>>,
    /// Seconds.
    pub timeout: Option<u32>,
    /// Whether the customer may cancel.
    pub cancelable: Option<bool>,
}

/// The parameters of `captureSignature`.
#[skip_serializing_none]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct CaptureSignatureParams<'a> {
    /// The caller's id for this prompt.
    pub command_id: Text<'a>,
    /// image/png or image/svg+xml.
    pub mime_type: MimeType<'a>,
    /// A title.
    pub title: Option<Text<'a>>,
    /// A body text.
    pub body: Option<Text<'a>>,
    /// Seconds.
    pub timeout: Option<u32>,
}

/// The result of `readCard` and `userInput`: `{commandId, result, ...}`. The card data or value
/// that follows has no documented shape: it reaches the caller raw ([`ScreenResult::member`],
/// [`ScreenResult::extra_members`]; spec/api.md: "Result fields whose shape is unknown must reach
/// the caller as raw JSON").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct ScreenResult<'a> {
    /// The prompt's id.
    pub command_id: Text<'a>,
    /// OK, CANCELED, TIMEOUT, GENERAL_ERROR, CARD_NOT_ALLOWED.
    pub result: ResultCode<'a>,
    /// The result object as received (`None` for one built here).
    #[serde(skip)]
    pub raw: Option<RawJson<'a>>,
}

impl<'a> ScreenResult<'a> {
    /// Member `wire` of the result as received (`cardData`, `value`, ...).
    pub fn member(&self, wire: &str) -> Option<RawJson<'a>> {
        self.raw.and_then(|raw| raw.member(wire))
    }

    /// The members other than `commandId` and `result`, raw, in the order received: the card
    /// data of `readCard`, the value of `userInput`.
    pub fn extra_members(&self) -> impl Iterator<Item = (Text<'a>, RawJson<'a>)> + 'a {
        self.raw
            .into_iter()
            .flat_map(|raw| raw.members())
            .filter(|(key, _)| !matches!(key.as_wire(), "commandId" | "result"))
    }
}

impl<'a> crate::FromRaw<'a> for ScreenResult<'a> {
    fn from_raw(
        raw: Option<RawJson<'a>>,
        member: &'static str,
    ) -> Result<Self, crate::DecodeError> {
        let raw = raw.ok_or(crate::DecodeError::Missing(member))?;
        let decoded: Self = raw.decode()?;
        Ok(Self {
            raw: Some(raw),
            ..decoded
        })
    }
}

from_raw_required!(
    ReadCardParams,
    UserInputParams,
    UserSelectionParams,
    ShowQrParams,
    CaptureSignatureParams,
);
