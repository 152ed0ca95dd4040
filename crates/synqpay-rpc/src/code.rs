//! Numeric codes of the transaction object (`terminalNo`, `acquirer`, `issuer`, `brand`,
//! `cvvResponse`, `cardHolderIdResponse`): JSON numbers in the documented sale (spec/api.md
//! "Member types"), text in some devices' answers. Both are kept as received.

use crate::members::MemberValue;
use crate::{JsonKind, RawJson, Text};

/// A code the device sends as a JSON number or as text; kept as received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Code<'a>(RawJson<'a>);

impl<'a> Code<'a> {
    /// A code written as JSON text: a number (`2`) or a string (`"002"`); `None` for any other
    /// JSON value.
    pub fn from_json(json: &'a str) -> Option<Self> {
        let raw = RawJson::parse(json.as_bytes()).ok()?;
        matches!(raw.kind(), JsonKind::Number | JsonKind::String).then_some(Self(raw))
    }

    /// The value as a whole number: a JSON integer, or a string of decimal digits (leading
    /// zeros allowed). `None` for anything else (an empty string, letters, a fraction).
    pub fn as_u64(&self) -> Option<u64> {
        let digits = match self.0.kind() {
            JsonKind::Number => self.0.as_str(),
            _ => self.0.as_str().strip_prefix('"')?.strip_suffix('"')?,
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }

    /// The value as text, when the device sent a string.
    pub fn as_text(&self) -> Option<Text<'a>> {
        self.0.as_text()
    }

    /// Whether the device sent a JSON number (the documented type).
    pub fn is_number(&self) -> bool {
        self.0.kind() == JsonKind::Number
    }

    /// The JSON value as received.
    pub fn raw(&self) -> RawJson<'a> {
        self.0
    }
}

impl<'a> MemberValue<'a> for Code<'a> {
    fn decode_member(raw: RawJson<'a>) -> Result<Self, crate::ValueError> {
        match raw.kind() {
            JsonKind::Number | JsonKind::String => Ok(Self(raw)),
            _ => Err(crate::ValueError::WrongType),
        }
    }
}

/// Written as received: a number stays a number, text stays text (with any serializer).
impl serde::Serialize for Code<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Text or a number: `RawJson` writes either as the value it is.
        self.0.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_digit_strings_read_as_numbers() {
        assert_eq!(Code::from_json("2").unwrap().as_u64(), Some(2));
        assert!(Code::from_json("2").unwrap().is_number());
        assert_eq!(Code::from_json("\"002\"").unwrap().as_u64(), Some(2));
        assert_eq!(Code::from_json("\"\"").unwrap().as_u64(), None);
        assert_eq!(Code::from_json("\"A1\"").unwrap().as_u64(), None);
        assert_eq!(Code::from_json("1.5").unwrap().as_u64(), None);
        assert_eq!(Code::from_json("-1").unwrap().as_u64(), None);
        assert_eq!(Code::from_json("\"A1\"").unwrap().as_text().unwrap(), "A1");
        assert_eq!(Code::from_json("true"), None);
    }
}
