//! JSON string values without copying them (spec/protocol.md §4: UTF-8, Hebrew text common).
//!
//! A [`Text`] borrows a string from the received message as it stands there, escapes and all,
//! and decodes the escapes only when it is read. Unescaping is ours, not serde-json-core's: its
//! unescaper rejects `\ud83d\ude00`-style surrogate pairs, which JSON allows.

use core::fmt::{self, Write};

/// A JSON string value: either received text with its escapes still in, or a Rust `&str`.
///
/// Compare it with `==` against a `&str`, print it with `Display`, copy it out with
/// [`Text::unescape_into`] or [`Text::to_heapless`]; [`Text::as_str`] borrows it when it holds no
/// escapes, which is the common case.
///
/// Serialized, it is its unescaped value, whatever the serializer. Without the `std` feature an
/// escaped text is unescaped into 256 bytes on the stack for that (a firmware then links no
/// `core::fmt`); a longer one goes as serde-json-core's escaped string, which serde-json-core
/// writes exactly as received and any other serializer sees with its escapes still in.
#[derive(Clone, Copy)]
pub struct Text<'a> {
    s: &'a str,
    escaped: bool,
}

/// A string held an escape JSON does not define, or a lone UTF-16 surrogate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct InvalidEscape {
    /// Byte offset of the backslash in the string.
    pub offset: usize,
}

/// The destination was too small for the unescaped text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TooLong {
    /// Bytes the unescaped text needs.
    pub needed: usize,
}

impl<'a> Text<'a> {
    /// Text from Rust: encoded with escapes where JSON needs them.
    pub const fn new(s: &'a str) -> Self {
        Self { s, escaped: false }
    }

    /// Text as it stands between the quotes of a JSON string, escapes included. Checks escapes.
    pub fn from_wire(raw: &'a str) -> Result<Self, InvalidEscape> {
        let escaped = raw.as_bytes().contains(&b'\\');
        let text = Self { s: raw, escaped };
        if escaped {
            let mut chars = Chars {
                rest: raw,
                base: raw.len(),
            };
            for c in &mut chars {
                c?;
            }
        }
        Ok(text)
    }

    /// The text itself, when it needs no unescaping.
    pub const fn as_str(&self) -> Option<&'a str> {
        if self.escaped { None } else { Some(self.s) }
    }

    /// The text as received, escapes still in (the same as [`Text::as_str`] for plain text).
    pub const fn as_wire(&self) -> &'a str {
        self.s
    }

    /// Whether the text is empty.
    pub const fn is_empty(&self) -> bool {
        self.s.is_empty()
    }

    /// The characters, unescaped.
    pub fn chars(&self) -> impl Iterator<Item = char> + 'a {
        let (plain, escaped) = if self.escaped {
            ("", self.s)
        } else {
            (self.s, "")
        };
        plain.chars().chain(
            Chars {
                rest: escaped,
                base: escaped.len(),
            }
            .map_while(Result::ok),
        )
    }

    /// The length in bytes of the unescaped text (UTF-8).
    pub fn len(&self) -> usize {
        if self.escaped {
            self.chars().map(char::len_utf8).sum()
        } else {
            self.s.len()
        }
    }

    /// Copies the unescaped text into `buf` and returns it there.
    pub fn unescape_into<'b>(&self, buf: &'b mut [u8]) -> Result<&'b str, TooLong> {
        let needed = self.len();
        let Some(out) = buf.get_mut(..needed) else {
            return Err(TooLong { needed });
        };
        let mut at = 0;
        for c in self.chars() {
            at += c.encode_utf8(&mut out[at..]).len();
        }
        // Every byte written came from `char::encode_utf8`, so this cannot fail.
        core::str::from_utf8(out).map_err(|_| TooLong { needed })
    }

    /// The unescaped text in a fixed-capacity string.
    pub fn to_heapless<const N: usize>(&self) -> Result<heapless::String<N>, TooLong> {
        let mut out = heapless::String::new();
        for c in self.chars() {
            out.push(c).map_err(|_| TooLong { needed: self.len() })?;
        }
        Ok(out)
    }
}

/// Unescapes a JSON string body: the one place escapes are decoded. Yields an error (and then
/// stops) at an escape JSON does not define or a lone surrogate.
struct Chars<'a> {
    rest: &'a str,
    base: usize,
}

impl Iterator for Chars<'_> {
    type Item = Result<char, InvalidEscape>;
    fn next(&mut self) -> Option<Self::Item> {
        let mut it = self.rest.chars();
        let c = it.next()?;
        if c != '\\' {
            self.rest = it.as_str();
            return Some(Ok(c));
        }
        let offset = self.base - self.rest.len();
        let fail = |this: &mut Self| {
            this.rest = "";
            Some(Err(InvalidEscape { offset }))
        };
        let simple = match it.next() {
            Some('"') => '"',
            Some('\\') => '\\',
            Some('/') => '/',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                let Some(high) = hex4(it.as_str()) else {
                    return fail(self);
                };
                let Some(after) = it.as_str().get(4..) else {
                    return fail(self);
                };
                let (code, rest) = match high {
                    0xD800..=0xDBFF => {
                        let low = after.strip_prefix("\\u").and_then(hex4);
                        match low {
                            Some(low @ 0xDC00..=0xDFFF) => (
                                0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00),
                                after.get(6..).unwrap_or_default(),
                            ),
                            _ => return fail(self),
                        }
                    }
                    0xDC00..=0xDFFF => return fail(self),
                    _ => (high, after),
                };
                let Some(c) = char::from_u32(code) else {
                    return fail(self);
                };
                self.rest = rest;
                return Some(Ok(c));
            }
            _ => return fail(self),
        };
        self.rest = it.as_str();
        Some(Ok(simple))
    }
}

fn hex4(s: &str) -> Option<u32> {
    let digits = s.get(..4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

impl PartialEq for Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self.as_str(), other.as_str()) {
            (Some(a), Some(b)) => a == b,
            _ => self.chars().eq(other.chars()),
        }
    }
}

impl Eq for Text<'_> {}

impl PartialEq<str> for Text<'_> {
    fn eq(&self, other: &str) -> bool {
        match self.as_str() {
            Some(s) => s == other,
            None => self.chars().eq(other.chars()),
        }
    }
}

impl PartialEq<&str> for Text<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_str() {
            Some(s) => f.write_str(s),
            None => self.chars().try_for_each(|c| f.write_char(c)),
        }
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        for c in self.chars() {
            for e in c.escape_debug() {
                f.write_char(e)?;
            }
        }
        f.write_char('"')
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Text<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "\"{=str}\"", self.s)
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(s: &'a str) -> Self {
        Text::new(s)
    }
}

impl serde::Serialize for Text<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.as_str() {
            Some(s) => serializer.serialize_str(s),
            None => self.serialize_escaped(serializer),
        }
    }
}

/// The most bytes an escaped text is unescaped into on the stack to be written, without `std`.
#[cfg(any(not(feature = "std"), test))]
const UNESCAPED_ON_STACK: usize = 256;

impl Text<'_> {
    /// With `std`: unescaped through `Display` (`collect_str`), for every serializer.
    #[cfg(feature = "std")]
    fn serialize_escaped<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }

    /// Without `std` (ours: `collect_str` would link `core::fmt` into a firmware): unescaped
    /// into [`UNESCAPED_ON_STACK`] bytes on the stack, which every serializer takes; a longer
    /// text goes as serde-json-core's escaped string, which it writes exactly as received and
    /// any other serializer sees with its escapes still in.
    #[cfg(not(feature = "std"))]
    fn serialize_escaped<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct AsReceived<'t>(&'t str);
        impl serde::Serialize for AsReceived<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.0)
            }
        }
        let mut buf = [0u8; UNESCAPED_ON_STACK];
        match self.unescape_into(&mut buf) {
            Ok(text) => serializer.serialize_str(text),
            Err(_) => serializer.serialize_newtype_struct(RAW_STRING_NEWTYPE, &AsReceived(self.s)),
        }
    }
}

/// ours: the name serde-json-core gives its escaped-string newtype. Asking for it makes
/// serde-json-core hand over the raw string, escapes still in, borrowed from the input; any other
/// deserializer treats it as a plain newtype and hands over a borrowed, unescaped string, which is
/// the same text whenever it holds no backslash.
const RAW_STRING_NEWTYPE: &str = "__serde_json_core_escaped_string__";

impl<'de: 'a, 'a> serde::Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Outer;
        struct Inner;
        impl<'de> serde::de::Visitor<'de> for Inner {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                raw: &'de str,
            ) -> Result<Self::Value, E> {
                Text::from_wire(raw).map_err(|_| E::custom("invalid escape in string"))
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Err(E::custom(
                    "a string with escapes cannot be borrowed by this deserializer: use synqpay_rpc::decode",
                ))
            }
        }
        impl<'de> serde::de::Visitor<'de> for Outer {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_newtype_struct<D: serde::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Self::Value, D::Error> {
                d.deserialize_str(Inner)
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                raw: &'de str,
            ) -> Result<Self::Value, E> {
                Inner.visit_borrowed_str(raw)
            }
        }
        deserializer.deserialize_newtype_struct(RAW_STRING_NEWTYPE, Outer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    fn wire(raw: &str) -> Text<'_> {
        Text::from_wire(raw).unwrap()
    }

    /// What serde-json-core writes for `text`, read back as a JSON string by serde_json.
    fn through_serde_json_core(text: Text<'_>) -> std::string::String {
        let mut buf = [0u8; 4096];
        let n = serde_json_core::to_slice(&text, &mut buf).unwrap();
        serde_json::from_slice(&buf[..n]).unwrap()
    }

    #[test]
    fn an_escaped_text_is_written_as_its_unescaped_value() {
        let short = wire(r#"\u05d5\u05d9\u05d6\u05d4 \"x\" \\ end"#);
        assert_eq!(through_serde_json_core(short), "ויזה \"x\" \\ end");
        assert_eq!(
            serde_json::to_string(&short).unwrap(),
            r#""ויזה \"x\" \\ end""#
        );
        // Longer than the stack buffer of a build without `std`, once unescaped.
        let raw = r#"\u05d0\""#.repeat(100);
        let long = wire(&raw);
        assert!(long.len() > UNESCAPED_ON_STACK);
        let expected: std::string::String = "א\"".repeat(100);
        assert_eq!(through_serde_json_core(long), expected);
        #[cfg(feature = "std")]
        assert_eq!(
            serde_json::from_str::<std::string::String>(&serde_json::to_string(&long).unwrap())
                .unwrap(),
            expected
        );
    }

    #[test]
    fn unescapes_every_json_escape() {
        assert_eq!(wire(r#"a\"b\\c\/d\b\f\n\r\t"#), "a\"b\\c/d\u{8}\u{c}\n\r\t");
        assert_eq!(wire(r"\u05d0\u05D1"), "אב");
        assert_eq!(wire(r"\ud83d\ude00!"), "😀!");
        assert_eq!(wire(r"\u0000"), "\0");
        assert_eq!(wire(r"ויזה \u05e8גיל").to_string(), "ויזה רגיל");
    }

    #[test]
    fn rejects_bad_escapes_and_lone_surrogates() {
        for raw in [
            r"\x",
            r"\u12",
            r"\u12g4",
            r"\ud83d",
            r"\ude00",
            r"\ud83d\u0041",
            "\\",
        ] {
            assert!(Text::from_wire(raw).is_err(), "{raw}");
        }
        assert_eq!(Text::from_wire(r"ab\q"), Err(InvalidEscape { offset: 2 }));
    }

    #[test]
    fn lengths_and_copies_are_of_the_unescaped_text() {
        let t = wire(r"\u05d0x");
        assert_eq!(t.len(), 3);
        assert_eq!(t.as_str(), None);
        let mut buf = [0u8; 3];
        assert_eq!(t.unescape_into(&mut buf), Ok("אx"));
        assert_eq!(t.unescape_into(&mut [0u8; 2]), Err(TooLong { needed: 3 }));
        assert_eq!(t.to_heapless::<3>().unwrap().as_str(), "אx");
        assert!(t.to_heapless::<2>().is_err());
        assert_eq!(Text::new("plain").as_str(), Some("plain"));
    }

    #[test]
    fn escaped_and_plain_forms_compare_equal() {
        assert_eq!(wire(r"\u0041B"), Text::new("AB"));
        assert_ne!(wire(r"\u0041B"), Text::new("AC"));
        assert_eq!(std::format!("{:?}", wire(r#"q\"\n"#)), r#""q\"\n""#);
    }
}
