//! Errors: the device's JSON-RPC error codes (spec/protocol.md §4 "Errors"), and what can go
//! wrong decoding or encoding a message here.

use core::fmt;

use crate::{JsonError, RawJson, Text};

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $name:literal; )+) => {
        /// A JSON-RPC error code, by the name the documents give it (spec/protocol.md §4).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub enum RpcErrorCode {
            $( $(#[$doc])* $variant, )+
            /// A code the documents do not list, kept.
            Other(i64),
        }

        impl RpcErrorCode {
            /// The code for a number.
            pub const fn from_i64(code: i64) -> Self {
                match code {
                    $( $code => Self::$variant, )+
                    other => Self::Other(other),
                }
            }

            /// The number on the wire.
            pub const fn code(self) -> i64 {
                match self {
                    $( Self::$variant => $code, )+
                    Self::Other(code) => code,
                }
            }

            /// The documented name, such as `"IllegalState"`; `"Unknown"` for others.
            pub const fn name(self) -> &'static str {
                match self {
                    $( Self::$variant => $name, )+
                    Self::Other(_) => "Unknown",
                }
            }
        }
    };
}

error_codes! {
    /// -32700: the device could not parse the JSON.
    ParseError = -32700, "ParseError";
    /// -32600: not a valid JSON-RPC request.
    InvalidRequest = -32600, "InvalidRequest";
    /// -32601: no such method.
    MethodNotFound = -32601, "MethodNotFound";
    /// 100: a general error.
    GeneralError = 100, "GeneralError";
    /// 101: not allowed; `data` says why (AMOUNT_LIMIT_EXCEEDED, ILLEGAL_NEW_AMOUNT, NO_GATEWAY).
    IllegalRequest = 101, "IllegalRequest";
    /// 102: a required parameter is missing.
    MissingParams = 102, "MissingParams";
    /// 103: a parameter is invalid (also a wrong pairing code or serial number).
    InvalidParams = 103, "InvalidParams";
    /// 201: the device is in the wrong state for this method (spec/protocol.md §5).
    IllegalState = 201, "IllegalState";
    /// 202: the screen is not ready.
    ScreenNotReady = 202, "ScreenNotReady";
    /// 203: the battery is too low.
    InsufficientBattery = 203, "InsufficientBattery";
    /// 300: this payment method is disabled.
    PaymentMethodDisabled = 300, "PaymentMethodDisabled";
    /// 301: the host is not ready.
    HostNotReady = 301, "HostNotReady";
    /// 302: no transaction matches the lookup.
    TransactionNotFound = 302, "TransactionNotFound";
    /// 303: this `referenceId` was used before: maybe already charged, look it up
    /// (spec/protocol.md §6). Never a decline.
    TransactionAlreadyExist = 303, "TransactionAlreadyExist";
    /// 304: the transaction's status does not allow this.
    IllegalTransactionStatus = 304, "IllegalTransactionStatus";
    /// 401: the host is disabled (the documents also reuse 401 for SettlementNotFound).
    HostDisabled = 401, "HostDisabled";
}

impl fmt::Display for RpcErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

/// The `error` member of a JSON-RPC error response: `{code, message, data?}`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RpcError<'a> {
    /// The code, by name.
    pub code: RpcErrorCode,
    /// The device's message.
    pub message: Text<'a>,
    /// Extra data, as raw JSON (for 101: the reason string).
    pub data: Option<RawJson<'a>>,
}

impl<'a> RpcError<'a> {
    /// `data` when it is a string, such as `NO_GATEWAY` for 101.
    pub fn reason(&self) -> Option<Text<'a>> {
        self.data.and_then(|d| d.as_text())
    }

    /// Whether a payment may have gone through despite this error (303: the `referenceId` was
    /// used before). Look the transaction up by its `referenceId` (spec/protocol.md §6).
    pub fn maybe_charged(&self) -> bool {
        self.code == RpcErrorCode::TransactionAlreadyExist
    }
}

impl fmt::Display for RpcError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(data) = self.data {
            write!(f, " ({data})")?;
        }
        Ok(())
    }
}

/// Why a message or value could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes are not valid JSON.
    Json(JsonError),
    /// Valid JSON, but not a JSON-RPC 2.0 message of the kind expected; says what was wrong.
    Envelope(EnvelopeError),
    /// A member the method requires is absent (`"params"` or `"result"`).
    Missing(&'static str),
    /// The value does not fit the type: a wrong type, a missing field (named), a list longer
    /// than its fixed capacity, a number out of range.
    Value(ValueError),
    /// A member of an object decoded member by member does not fit its type; names the member.
    Field {
        /// The member's wire name.
        field: &'static str,
        /// What was wrong with it.
        error: ValueError,
    },
}

impl DecodeError {
    /// Whether a required member is absent (`params` or `result` itself, or a member of it):
    /// what a device answers with 102 MissingParams rather than 103 InvalidParams
    /// (spec/protocol.md §4).
    pub fn is_missing(&self) -> bool {
        matches!(
            self,
            Self::Missing(_) | Self::Value(ValueError::MissingField(_))
        )
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(e) => e.fmt(f),
            Self::Envelope(what) => write!(f, "not a JSON-RPC 2.0 message: {what}"),
            Self::Missing(member) => write!(f, "the message has no `{member}`"),
            Self::Value(e) => write!(f, "the value does not fit its type: {e}"),
            Self::Field { field, error } => write!(f, "`{field}` does not fit its type: {error}"),
        }
    }
}

impl core::error::Error for DecodeError {}

impl From<JsonError> for DecodeError {
    fn from(e: JsonError) -> Self {
        Self::Json(e)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for DecodeError {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            Self::Json(e) => defmt::write!(f, "Json({})", e),
            Self::Envelope(what) => defmt::write!(f, "Envelope({})", what),
            Self::Missing(member) => defmt::write!(f, "Missing({=str})", member),
            Self::Value(e) => defmt::write!(f, "Value({})", e),
            Self::Field { field, error } => defmt::write!(f, "Field({=str}, {})", field, error),
        }
    }
}

/// What makes valid JSON not a JSON-RPC 2.0 message of the kind expected (spec/protocol.md
/// §3, §4). A type rather than text (ours): a firmware carries no sentences it never prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The message is not a JSON object.
    NotAnObject,
    /// `jsonrpc` is present and is not `"2.0"`.
    NotVersion2,
    /// `method` is not a string.
    MethodNotText,
    /// The message has none of `method`, `error` and `id`.
    NoMethodErrorOrId,
    /// The `id` string holds an escape JSON does not define.
    IdEscape,
    /// The `id` is neither a string nor a number.
    IdNotTextOrNumber,
    /// The `error` object has no integer `code`.
    ErrorWithoutCode,
    /// A request or notification came where a response was awaited.
    NotAResponse,
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotAnObject => "the message is not an object",
            Self::NotVersion2 => "\"jsonrpc\" is not \"2.0\"",
            Self::MethodNotText => "\"method\" is not a string",
            Self::NoMethodErrorOrId => "neither \"method\", \"error\" nor \"id\"",
            Self::IdEscape => "bad \"id\"",
            Self::IdNotTextOrNumber => "\"id\" is neither a string nor a number",
            Self::ErrorWithoutCode => "\"error\" has no integer \"code\"",
            Self::NotAResponse => "not a response",
        })
    }
}

/// Why a JSON value does not fit its type: this crate's reasons, whichever JSON decoder reads
/// the value underneath (ours: a new version of that decoder changes nothing here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ValueError {
    /// Another JSON type than the one expected (a string where a number goes, say).
    WrongType,
    /// A number that is not an integer, or out of its type's range.
    Number,
    /// A string with an invalid escape sequence or code point.
    Escape,
    /// A list or a text longer than its fixed capacity.
    TooLong,
    /// A required member is absent: its name.
    MissingField(Wording),
    /// The JSON is not well formed (a value decoded on its own, with [`crate::decode`]).
    Syntax,
    /// Another reason (a text that is none of its type's values, a list of the wrong length),
    /// as the decoder worded it.
    Other(Wording),
}

impl ValueError {
    /// Ours, for any error serde-json-core reports (the one place its errors are read).
    pub(crate) fn of(e: serde_json_core::de::Error) -> Self {
        use serde_json_core::de::Error as E;
        match e {
            E::InvalidType => Self::WrongType,
            E::InvalidNumber => Self::Number,
            E::InvalidEscapeSequence | E::InvalidUnicodeCodePoint => Self::Escape,
            E::EscapedStringIsTooLong => Self::TooLong,
            E::EofWhileParsingList
            | E::EofWhileParsingObject
            | E::EofWhileParsingString
            | E::EofWhileParsingNumber
            | E::EofWhileParsingValue
            | E::ExpectedColon
            | E::ExpectedListCommaOrEnd
            | E::ExpectedObjectCommaOrEnd
            | E::ExpectedSomeIdent
            | E::ExpectedSomeValue
            | E::KeyMustBeAString
            | E::TrailingCharacters
            | E::TrailingComma => Self::Syntax,
            E::CustomErrorWithMessage(message) => {
                // serde's wording for an absent field: missing field `name`.
                match message
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.strip_suffix('`'))
                {
                    Some(name) => Self::MissingField(Wording::new(name)),
                    None => Self::Other(Wording::new(&message)),
                }
            }
            // AnyIsUnsupported, BytesIsUnsupported, CustomError, and whatever a later version
            // adds: worded as the decoder words them.
            other => {
                let mut wording = Wording::default();
                let _ = fmt::write(&mut wording, format_args!("{other}"));
                Self::Other(wording)
            }
        }
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongType => f.write_str("another JSON type than expected"),
            Self::Number => f.write_str("not an integer in range"),
            Self::Escape => f.write_str("an invalid escape sequence or code point"),
            Self::TooLong => f.write_str("longer than its capacity"),
            Self::MissingField(name) => write!(f, "missing field `{name}`"),
            Self::Syntax => f.write_str("not well-formed JSON"),
            Self::Other(wording) if wording.as_str().is_empty() => {
                f.write_str("does not match the expected shape")
            }
            Self::Other(wording) => f.write_str(wording.as_str()),
        }
    }
}

impl core::error::Error for ValueError {}

/// A few words of an error (a field's name, the decoder's message), kept in place: at most
/// [`Wording::CAPACITY`] bytes, cut at a character boundary.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Wording {
    bytes: [u8; Wording::CAPACITY],
    len: u8,
}

impl Wording {
    /// The most bytes kept.
    pub const CAPACITY: usize = 64;

    /// `text`, cut to [`Wording::CAPACITY`] bytes.
    pub fn new(text: &str) -> Self {
        let mut wording = Self::default();
        wording.push(text);
        wording
    }

    /// The words.
    pub fn as_str(&self) -> &str {
        // Only whole characters are copied in.
        core::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }

    fn push(&mut self, text: &str) {
        let at = usize::from(self.len);
        let mut n = text.len().min(Self::CAPACITY - at);
        while !text.is_char_boundary(n) {
            n -= 1;
        }
        self.bytes[at..at + n].copy_from_slice(&text.as_bytes()[..n]);
        self.len += n as u8;
    }
}

impl Default for Wording {
    /// No words.
    fn default() -> Self {
        Self {
            bytes: [0; Self::CAPACITY],
            len: 0,
        }
    }
}

impl fmt::Write for Wording {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s);
        Ok(())
    }
}

impl fmt::Debug for Wording {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Wording {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Wording {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=str}", self.as_str())
    }
}

/// Why a message could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EncodeError {
    /// The buffer is too small for the message.
    BufferFull,
    /// A value could not be written as JSON.
    Value,
}

impl EncodeError {
    /// Ours, for an error serde-json-core reports (the one place its errors are read).
    pub(crate) fn of(e: serde_json_core::ser::Error) -> Self {
        match e {
            serde_json_core::ser::Error::BufferFull => Self::BufferFull,
            _ => Self::Value,
        }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BufferFull => "the buffer is too small for the message",
            Self::Value => "a value could not be written as JSON",
        })
    }
}

impl core::error::Error for EncodeError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn every_documented_code_round_trips_with_its_name() {
        for (code, name) in [
            (-32700, "ParseError"),
            (-32600, "InvalidRequest"),
            (-32601, "MethodNotFound"),
            (100, "GeneralError"),
            (101, "IllegalRequest"),
            (102, "MissingParams"),
            (103, "InvalidParams"),
            (201, "IllegalState"),
            (202, "ScreenNotReady"),
            (203, "InsufficientBattery"),
            (300, "PaymentMethodDisabled"),
            (301, "HostNotReady"),
            (302, "TransactionNotFound"),
            (303, "TransactionAlreadyExist"),
            (304, "IllegalTransactionStatus"),
            (401, "HostDisabled"),
        ] {
            let c = RpcErrorCode::from_i64(code);
            assert_eq!((c.code(), c.name()), (code, name));
        }
        assert_eq!(RpcErrorCode::from_i64(999), RpcErrorCode::Other(999));
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Two {
        a: i64,
        b: heapless::Vec<u8, 1>,
    }

    #[test]
    fn the_decoders_errors_become_ours() {
        let value = |json: &str| match crate::decode::<Two>(json.as_bytes()) {
            Err(DecodeError::Value(e)) => e,
            other => panic!("{json}: {other:?}"),
        };
        let missing = value(r#"{"b":[]}"#);
        assert_eq!(missing, ValueError::MissingField(Wording::new("a")));
        assert!(DecodeError::Value(missing).is_missing());
        assert_eq!(missing.to_string(), "missing field `a`");
        assert_eq!(value(r#"{"a":"1","b":[]}"#), ValueError::WrongType);
        assert_eq!(
            value(r#"{"a":99999999999999999999,"b":[]}"#),
            ValueError::Number
        );
        assert_eq!(value(r#"{"a":1,"b":[]"#), ValueError::Syntax);
        assert_eq!(value(r#"{"a":1,"b":[]} x"#), ValueError::Syntax);
        let long = value(r#"{"a":1,"b":[1,2]}"#);
        assert!(
            matches!(long, ValueError::Other(w) if w.as_str().contains("length")),
            "{long:?}"
        );
        assert!(!DecodeError::Value(long).is_missing());
    }

    #[test]
    fn wording_is_cut_at_a_character_boundary() {
        let w = Wording::new(&"\u{5d0}".repeat(40));
        assert_eq!(w.as_str(), "\u{5d0}".repeat(32));
        assert_eq!(Wording::new("amount").to_string(), "amount");
    }
}
