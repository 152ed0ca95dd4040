//! Writing JSON text into a caller's buffer (RFC 8259): the envelope's fixed parts as they are,
//! strings escaped as serde-json-core escapes them (the same bytes), values through
//! serde-json-core, and a method's parameters the way the method writes them
//! ([`crate::Method::write_params`]).

use crate::{EncodeError, Text};

/// JSON text being written into a caller's buffer.
pub(crate) struct Writer<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> Writer<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// `bytes` as they are: JSON text already. One copy of its code serves every piece written
    /// (ours: `inline(never)`, for flash; measured by `scripts/footprint`).
    #[inline(never)]
    pub(crate) fn bytes(&mut self, bytes: &[u8]) -> Result<&mut Self, EncodeError> {
        let end = self.len + bytes.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(EncodeError::BufferFull)?
            .copy_from_slice(bytes);
        self.len = end;
        Ok(self)
    }

    /// `text` as it is: JSON text already.
    pub(crate) fn raw(&mut self, text: &str) -> Result<&mut Self, EncodeError> {
        self.bytes(text.as_bytes())
    }

    /// A JSON string holding `s`: `"` and `\` escaped, the controls below U+0020 as `\b`, `\t`,
    /// `\n`, `\f`, `\r` or `\u00XX` (upper-case hex), everything else as it is: what
    /// serde-json-core writes (ours: one small escaper, no serializer, for flash).
    pub(crate) fn string(&mut self, s: &str) -> Result<&mut Self, EncodeError> {
        self.bytes(b"\"")?;
        let mut start = 0;
        for (i, b) in s.bytes().enumerate() {
            let short = match b {
                b'"' => b'"',
                b'\\' => b'\\',
                0x08 => b'b',
                0x09 => b't',
                0x0A => b'n',
                0x0C => b'f',
                0x0D => b'r',
                0x00..=0x1F => 0,
                _ => continue,
            };
            self.bytes(&s.as_bytes()[start..i])?;
            if short == 0 {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                let code = [
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 0xF)],
                ];
                self.bytes(&code)?;
            } else {
                self.bytes(&[b'\\', short])?;
            }
            start = i + 1;
        }
        self.bytes(&s.as_bytes()[start..])?.bytes(b"\"")
    }

    /// A JSON string holding `text`: as [`Writer::string`] for text from Rust; text received
    /// with escapes is written as it was received, escapes and all (valid JSON already, and the
    /// same string).
    pub(crate) fn text(&mut self, text: Text<'_>) -> Result<&mut Self, EncodeError> {
        match text.as_str() {
            Some(s) => self.string(s),
            None => self.bytes(b"\"")?.raw(text.as_wire())?.bytes(b"\""),
        }
    }

    /// `value` through serde-json-core.
    pub(crate) fn value<T: serde::Serialize + ?Sized>(
        &mut self,
        value: &T,
    ) -> Result<&mut Self, EncodeError> {
        self.with(|rest| serde_json_core::to_slice(value, rest).map_err(EncodeError::of))
    }

    /// What `write` writes into the rest of the buffer, returning its length.
    pub(crate) fn with(
        &mut self,
        write: impl FnOnce(&mut [u8]) -> Result<usize, EncodeError>,
    ) -> Result<&mut Self, EncodeError> {
        let rest = self
            .buf
            .get_mut(self.len..)
            .ok_or(EncodeError::BufferFull)?;
        self.len += write(rest)?;
        Ok(self)
    }

    pub(crate) fn finish(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::Writer;
    use proptest::prelude::*;

    fn ours(s: &str) -> std::string::String {
        let mut buf = [0u8; 1024];
        let mut w = Writer::new(&mut buf);
        w.string(s).unwrap();
        let n = w.finish();
        std::string::String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    fn serde_json_core(s: &str) -> std::string::String {
        let mut buf = [0u8; 1024];
        let n = serde_json_core::to_slice(s, &mut buf).unwrap();
        std::string::String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    proptest! {
        /// The same bytes as serde-json-core, for any text.
        #[test]
        fn strings_are_escaped_as_serde_json_core_escapes_them(s in "\\PC{0,40}|[\\x00-\\x7f]{0,40}") {
            prop_assert_eq!(ours(&s), serde_json_core(&s));
        }
    }

    #[test]
    fn every_control_and_the_two_that_must_be_escaped() {
        for b in 0u8..0x80 {
            let s = std::string::String::from(char::from(b));
            assert_eq!(ours(&s), serde_json_core(&s), "{b:#04x}");
        }
        assert_eq!(ours("a\"b\\c\u{1}é"), r#""a\"b\\c\u0001é""#);
    }

    #[test]
    fn a_full_buffer_is_said_so() {
        let mut buf = [0u8; 4];
        let mut w = Writer::new(&mut buf);
        assert_eq!(
            w.string("abcdef").map(|_| ()),
            Err(crate::EncodeError::BufferFull)
        );
    }
}
