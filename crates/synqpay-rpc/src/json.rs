//! A validating JSON scanner over borrowed bytes (RFC 8259): it finds where a value ends without
//! building it, so that any part of a message can reach the caller as raw JSON.
//!
//! serde-json-core decodes typed values but cannot hand out the raw text of a value; this module
//! does that, for the JSON-RPC envelope (spec/protocol.md §4) and for result fields whose shape is
//! unknown (spec/api.md: "must reach the caller as raw JSON"). It never recurses: nesting is
//! tracked in a 64-bit stack, and deeper input is an error (ours: 64 levels).

use core::fmt;

use crate::{DecodeError, Text};

/// How deep arrays and objects may nest (ours).
pub const MAX_DEPTH: u32 = 64;

/// One complete, valid JSON value, as the text it was received as.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RawJson<'a>(&'a str);

/// What is wrong with a JSON text, and the byte offset where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct JsonError {
    /// What was wrong.
    pub kind: JsonErrorKind,
    /// Byte offset into the text.
    pub offset: usize,
}

/// The kinds of [`JsonError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum JsonErrorKind {
    /// The text is not UTF-8.
    InvalidUtf8,
    /// The text ended inside a value.
    UnexpectedEnd,
    /// This byte cannot stand here.
    UnexpectedByte(u8),
    /// A number that JSON does not allow (`01`, `1.`, `-`).
    InvalidNumber,
    /// A backslash escape that JSON does not define.
    InvalidEscape,
    /// A raw control character inside a string.
    ControlCharacter,
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
    /// More than whitespace after the value.
    TrailingCharacters,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid JSON at byte {}: {:?}", self.offset, self.kind)
    }
}

impl core::error::Error for JsonError {}

/// The kind of value a [`RawJson`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum JsonKind {
    /// `{...}`
    Object,
    /// `[...]`
    Array,
    /// `"..."`
    String,
    /// `-1.5e3`
    Number,
    /// `true` or `false`
    Bool,
    /// `null`
    Null,
}

impl<'a> RawJson<'a> {
    /// Checks that `bytes` are exactly one JSON value (whitespace around it allowed).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, JsonError> {
        let text = core::str::from_utf8(bytes).map_err(|e| JsonError {
            kind: JsonErrorKind::InvalidUtf8,
            offset: e.valid_up_to(),
        })?;
        let start = skip_ws(bytes, 0);
        let end = scan_value(bytes, start)?;
        let after = skip_ws(bytes, end);
        if after != bytes.len() {
            return Err(JsonError {
                kind: JsonErrorKind::TrailingCharacters,
                offset: after,
            });
        }
        // The scan stops at ASCII delimiters, so these are char boundaries; `get` keeps
        // str slicing's panic path (and its ~2.5 KB of formatting) out of firmware.
        let value = text.get(start..end).ok_or(JsonError {
            kind: JsonErrorKind::InvalidUtf8,
            offset: start,
        })?;
        Ok(RawJson(value))
    }

    /// The value's text, exactly as received.
    pub const fn as_str(&self) -> &'a str {
        self.0
    }

    /// The value's kind.
    pub fn kind(&self) -> JsonKind {
        match self.0.as_bytes()[0] {
            b'{' => JsonKind::Object,
            b'[' => JsonKind::Array,
            b'"' => JsonKind::String,
            b't' | b'f' => JsonKind::Bool,
            b'n' => JsonKind::Null,
            _ => JsonKind::Number,
        }
    }

    /// Whether the value is `null`.
    pub fn is_null(&self) -> bool {
        self.0 == "null"
    }

    /// The members of an object, in order (none for other kinds).
    pub fn members(&self) -> Members<'a> {
        let bytes = self.0.as_bytes();
        let pos = if self.kind() == JsonKind::Object {
            1
        } else {
            bytes.len()
        };
        Members { text: self.0, pos }
    }

    /// The first member of an object with this key, if any.
    pub fn member(&self, key: &str) -> Option<RawJson<'a>> {
        self.members().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// The items of an array, in order (none for other kinds).
    pub fn items(&self) -> Items<'a> {
        let bytes = self.0.as_bytes();
        let pos = if self.kind() == JsonKind::Array {
            1
        } else {
            bytes.len()
        };
        Items { text: self.0, pos }
    }

    /// The value as a string, if it is one.
    pub fn as_text(&self) -> Option<Text<'a>> {
        let inner = self.0.strip_prefix('"')?.strip_suffix('"')?;
        Text::from_wire(inner).ok()
    }

    /// Decodes the value into a typed one with serde-json-core.
    pub fn decode<T: serde::Deserialize<'a>>(&self) -> Result<T, DecodeError> {
        crate::decode(self.0.as_bytes())
    }
}

impl fmt::Debug for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawJson({})", self.0)
    }
}

impl fmt::Display for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for RawJson<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=str}", self.0)
    }
}

/// The same JSON value, with any serializer: objects, arrays, strings (unescaped, then escaped
/// by the serializer), integers and booleans as they are; a fraction or an exponent as an
/// `f64`. Found by a black-box test: written as bytes, as before, serde-json-core copied the
/// text, but `serde_json` wrote an array of byte values (a receipt line printed blank).
/// Recursion is bounded by [`MAX_DEPTH`], which every `RawJson` was checked against.
impl serde::Serialize for RawJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.kind() {
            JsonKind::Object => {
                let mut map = s.serialize_map(None)?;
                for (key, value) in self.members() {
                    map.serialize_entry(&key, &value)?;
                }
                map.end()
            }
            JsonKind::Array => {
                let mut seq = s.serialize_seq(None)?;
                for item in self.items() {
                    seq.serialize_element(&item)?;
                }
                seq.end()
            }
            JsonKind::String => match self.as_text() {
                Some(text) => text.serialize(s),
                None => s.serialize_unit(),
            },
            JsonKind::Number => {
                let n = self.as_str();
                match (n.parse::<i64>(), n.parse::<u64>()) {
                    (Ok(i), _) => s.serialize_i64(i),
                    (_, Ok(u)) => s.serialize_u64(u),
                    _ => fraction(n, s),
                }
            }
            JsonKind::Bool => s.serialize_bool(self.as_str() == "true"),
            JsonKind::Null => s.serialize_unit(),
        }
    }
}

/// A number with a fraction or an exponent: with `std`, as an `f64`; without, as its text
/// through `serialize_bytes`, which serde-json-core writes as it is (ours: parsing and writing
/// floats would add tens of KB to a firmware that answers as a device, as `scripts/footprint`
/// showed).
#[cfg(feature = "std")]
fn fraction<S: serde::Serializer>(n: &str, s: S) -> Result<S::Ok, S::Error> {
    match n.parse::<f64>() {
        Ok(f) => s.serialize_f64(f),
        Err(_) => s.serialize_unit(),
    }
}

#[cfg(not(feature = "std"))]
fn fraction<S: serde::Serializer>(n: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bytes(n.as_bytes())
}

/// Iterator over an object's members: `(key, value)`.
#[derive(Debug, Clone)]
pub struct Members<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for Members<'a> {
    type Item = (Text<'a>, RawJson<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        // The text was validated when the RawJson was made; a failure here only ends iteration.
        let bytes = self.text.as_bytes();
        let key_start = skip_ws(bytes, self.pos);
        if bytes.get(key_start) != Some(&b'"') {
            self.pos = bytes.len();
            return None;
        }
        let key_end = scan_string(bytes, key_start).ok()?;
        let colon = skip_ws(bytes, key_end);
        let value_start = skip_ws(bytes, colon + 1);
        let value_end = scan_value(bytes, value_start).ok()?;
        self.pos = skip_ws(bytes, value_end) + 1; // past ',' or '}'
        let key = Text::from_wire(self.text.get(key_start + 1..key_end - 1)?).ok()?;
        Some((key, RawJson(self.text.get(value_start..value_end)?)))
    }
}

/// Iterator over an array's items.
#[derive(Debug, Clone)]
pub struct Items<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for Items<'a> {
    type Item = RawJson<'a>;
    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        let start = skip_ws(bytes, self.pos);
        if matches!(bytes.get(start), None | Some(b']')) {
            self.pos = bytes.len();
            return None;
        }
        let end = scan_value(bytes, start).ok()?;
        self.pos = skip_ws(bytes, end) + 1; // past ',' or ']'
        Some(RawJson(self.text.get(start..end)?))
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

fn error<T>(kind: JsonErrorKind, offset: usize) -> Result<T, JsonError> {
    Err(JsonError { kind, offset })
}

fn unexpected<T>(b: &[u8], i: usize) -> Result<T, JsonError> {
    match b.get(i) {
        Some(&c) => error(JsonErrorKind::UnexpectedByte(c), i),
        None => error(JsonErrorKind::UnexpectedEnd, i),
    }
}

/// The end of the value starting at `i` (no leading whitespace). Iterative: containers push one
/// bit each on `stack` (1 = object, 0 = array).
fn scan_value(b: &[u8], mut i: usize) -> Result<usize, JsonError> {
    let mut stack: u64 = 0;
    let mut depth: u32 = 0;
    loop {
        // A value starts at `i`.
        i = skip_ws(b, i);
        match b.get(i) {
            Some(b'{') | Some(b'[') => {
                let object = b[i] == b'{';
                if depth == MAX_DEPTH {
                    return error(JsonErrorKind::TooDeep, i);
                }
                i = skip_ws(b, i + 1);
                let close = if object { b'}' } else { b']' };
                if b.get(i) == Some(&close) {
                    i += 1;
                } else {
                    stack = (stack << 1) | u64::from(object);
                    depth += 1;
                    if object {
                        i = scan_key(b, i)?;
                    }
                    continue;
                }
            }
            Some(b'"') => i = scan_string(b, i)?,
            Some(b't') => i = scan_literal(b, i, b"true")?,
            Some(b'f') => i = scan_literal(b, i, b"false")?,
            Some(b'n') => i = scan_literal(b, i, b"null")?,
            Some(b'-' | b'0'..=b'9') => i = scan_number(b, i)?,
            _ => return unexpected(b, i),
        }
        // A value ended at `i`: close every container that ends here.
        loop {
            if depth == 0 {
                return Ok(i);
            }
            let object = stack & 1 == 1;
            i = skip_ws(b, i);
            match b.get(i) {
                Some(b',') => {
                    i += 1;
                    if object {
                        i = scan_key(b, skip_ws(b, i))?;
                    }
                    break;
                }
                Some(b'}') if object => {}
                Some(b']') if !object => {}
                _ => return unexpected(b, i),
            }
            i += 1;
            stack >>= 1;
            depth -= 1;
        }
    }
}

/// `"key" :` starting at `i`; returns the position after the colon.
fn scan_key(b: &[u8], i: usize) -> Result<usize, JsonError> {
    if b.get(i) != Some(&b'"') {
        return unexpected(b, i);
    }
    let i = skip_ws(b, scan_string(b, i)?);
    if b.get(i) != Some(&b':') {
        return unexpected(b, i);
    }
    Ok(i + 1)
}

/// A string starting at the quote at `i`; returns the position after the closing quote.
fn scan_string(b: &[u8], mut i: usize) -> Result<usize, JsonError> {
    i += 1;
    loop {
        match b.get(i) {
            None => return error(JsonErrorKind::UnexpectedEnd, i),
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => match b.get(i + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                Some(b'u') => {
                    let hex = b.get(i + 2..i + 6).ok_or(JsonError {
                        kind: JsonErrorKind::UnexpectedEnd,
                        offset: i,
                    })?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return error(JsonErrorKind::InvalidEscape, i);
                    }
                    i += 6;
                }
                None => return error(JsonErrorKind::UnexpectedEnd, i),
                Some(_) => return error(JsonErrorKind::InvalidEscape, i),
            },
            Some(&c) if c < 0x20 => return error(JsonErrorKind::ControlCharacter, i),
            Some(_) => i += 1,
        }
    }
}

fn scan_literal(b: &[u8], i: usize, word: &[u8]) -> Result<usize, JsonError> {
    match b.get(i..i + word.len()) {
        Some(found) if found == word => Ok(i + word.len()),
        Some(_) => error(JsonErrorKind::UnexpectedByte(b[i]), i),
        None => error(JsonErrorKind::UnexpectedEnd, i),
    }
}

fn scan_number(b: &[u8], start: usize) -> Result<usize, JsonError> {
    let digits = |mut i: usize| {
        let from = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i, i - from)
    };
    let bad = || error(JsonErrorKind::InvalidNumber, start);
    let mut i = start + usize::from(b[start] == b'-');
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(i).0,
        _ => return bad(),
    }
    if b.get(i) == Some(&b'.') {
        let (end, n) = digits(i + 1);
        if n == 0 {
            return bad();
        }
        i = end;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let (end, n) = digits(i);
        if n == 0 {
            return bad();
        }
        i = end;
    }
    Ok(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> RawJson<'_> {
        RawJson::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn kind_of_error(text: &[u8]) -> JsonErrorKind {
        RawJson::parse(text).expect_err("must fail").kind
    }

    #[test]
    fn accepts_valid_json() {
        for text in [
            "0",
            "-0.5e+3",
            "1E9",
            "true",
            "false",
            "null",
            "\"\"",
            r#""a\"\\\/\b\f\n\r\t\u05d0""#,
            "[]",
            "{}",
            " [1, [2, {\"a\": [3]}], {}] ",
            r#"{"k":{"k":{"k":null}},"z":[]}"#,
            "\"\u{5d5}\u{5d9}\u{5d6}\u{5d4}\"",
        ] {
            assert_eq!(ok(text).as_str(), text.trim());
        }
    }

    #[test]
    fn rejects_invalid_json_with_the_reason() {
        use JsonErrorKind::*;
        assert_eq!(kind_of_error(b""), UnexpectedEnd);
        assert_eq!(kind_of_error(b"01"), TrailingCharacters);
        assert_eq!(kind_of_error(b"1."), InvalidNumber);
        assert_eq!(kind_of_error(b"-"), InvalidNumber);
        assert_eq!(kind_of_error(b"[1,]"), UnexpectedByte(b']'));
        assert_eq!(kind_of_error(b"{\"a\" 1}"), UnexpectedByte(b'1'));
        assert_eq!(kind_of_error(b"{1:2}"), UnexpectedByte(b'1'));
        assert_eq!(kind_of_error(b"[1}"), UnexpectedByte(b'}'));
        assert_eq!(kind_of_error(b"\"\\x\""), InvalidEscape);
        assert_eq!(kind_of_error(b"\"\\u12g4\""), InvalidEscape);
        assert_eq!(kind_of_error(b"\"a\nb\""), ControlCharacter);
        assert_eq!(kind_of_error(b"\"\xff\""), InvalidUtf8);
        assert_eq!(kind_of_error(b"tru"), UnexpectedEnd);
        assert_eq!(kind_of_error(b"nul1"), UnexpectedByte(b'n'));
        assert_eq!(kind_of_error(b"{} {}"), TrailingCharacters);
        assert_eq!(kind_of_error(b"{\"a\":1"), UnexpectedEnd);
    }

    #[test]
    fn depth_is_limited_without_recursion() {
        let deep: std::string::String = "[".repeat(64) + &"]".repeat(64);
        ok(&deep);
        let deeper: std::string::String = "[".repeat(65) + &"]".repeat(65);
        assert_eq!(kind_of_error(deeper.as_bytes()), JsonErrorKind::TooDeep);
        let huge = "[".repeat(100_000);
        assert_eq!(kind_of_error(huge.as_bytes()), JsonErrorKind::TooDeep);
    }

    #[test]
    fn members_and_items_give_raw_values() {
        let v = ok(r#"{"a": 1, "b" : {"c": [true, null, "x"]}, "a": 2}"#);
        let keys: std::vec::Vec<_> = v.members().map(|(k, v)| (k, v.as_str())).collect();
        assert_eq!(keys.len(), 3);
        assert_eq!(v.member("a").unwrap().as_str(), "1");
        let c = v.member("b").unwrap().member("c").unwrap();
        assert_eq!(c.kind(), JsonKind::Array);
        let items: std::vec::Vec<_> = c.items().map(|i| i.as_str()).collect();
        assert_eq!(items, ["true", "null", "\"x\""]);
        assert!(v.member("zz").is_none());
        assert_eq!(ok("[]").items().count(), 0);
        assert_eq!(ok("{}").members().count(), 0);
        assert_eq!(ok("3").members().count(), 0);
    }
}
