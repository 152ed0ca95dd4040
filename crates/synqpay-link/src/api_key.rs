//! The 4-byte API key every Request carries (spec/protocol.md §2 "Authentication", §3.3).

use core::fmt;
use core::str::FromStr;

/// A Synqpay API key: 4 bytes, written as 8 hex digits (`"1234abcd"` is `12 34 AB CD`).
///
/// The key is a secret. Its `Debug` and `defmt` output never show it; there is deliberately no
/// `Display`. To store or print it on purpose, call [`ApiKey::expose_hex`]. Comparison with `==`
/// takes the same time whatever the keys (the device role compares keys it receives).
#[derive(Clone, Copy, Default)]
pub struct ApiKey([u8; 4]);

/// Why a string is not an API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ApiKeyError {
    /// The string does not have exactly 8 characters; carries the length found.
    WrongLength(usize),
    /// The character at this byte index is not a hex digit.
    NotHex {
        /// Byte index into the string.
        index: usize,
    },
}

impl fmt::Display for ApiKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongLength(n) => write!(f, "an API key has 8 hex digits, this has {n} bytes"),
            Self::NotHex { index } => {
                write!(f, "an API key has only hex digits, byte {index} is not one")
            }
        }
    }
}

impl core::error::Error for ApiKeyError {}

impl ApiKey {
    /// `00 00 00 00`: the key `pair` and `authenticate` are sent with (spec/protocol.md §2).
    pub const ZERO: ApiKey = ApiKey([0; 4]);

    /// A key from its four bytes.
    pub const fn from_bytes(bytes: [u8; 4]) -> Self {
        Self(bytes)
    }

    /// The four bytes as sent on the wire.
    pub const fn to_bytes(self) -> [u8; 4] {
        self.0
    }

    /// Whether this is the zero key.
    pub const fn is_zero(&self) -> bool {
        u32::from_be_bytes(self.0) == 0
    }

    /// Parses the 8 hex digits the device returns from `authenticate`, in either letter case.
    pub fn from_hex(text: &str) -> Result<Self, ApiKeyError> {
        let digits = text.as_bytes();
        if digits.len() != 8 {
            return Err(ApiKeyError::WrongLength(digits.len()));
        }
        let mut key = [0u8; 4];
        for (index, &c) in digits.iter().enumerate() {
            let nibble = hex_value(c).ok_or(ApiKeyError::NotHex { index })?;
            key[index / 2] |= nibble << if index % 2 == 0 { 4 } else { 0 };
        }
        Ok(Self(key))
    }

    /// The key as 8 lower-case hex digits, for storing it on purpose. The name is a reminder:
    /// whatever receives these digits holds the secret.
    pub fn expose_hex(&self) -> [u8; 8] {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 8];
        for (i, byte) in self.0.iter().enumerate() {
            out[2 * i] = DIGITS[usize::from(byte >> 4)];
            out[2 * i + 1] = DIGITS[usize::from(byte & 0x0f)];
        }
        out
    }
}

const fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl FromStr for ApiKey {
    type Err = ApiKeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_hex(s)
    }
}

impl PartialEq for ApiKey {
    /// Constant-time: every byte is looked at whatever the first difference.
    fn eq(&self, other: &Self) -> bool {
        let diff = self
            .0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        core::hint::black_box(diff) == 0
    }
}

impl Eq for ApiKey {}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            f.write_str("ApiKey(ZERO)")
        } else {
            f.write_str("ApiKey(<redacted>)")
        }
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for ApiKey {
    fn format(&self, f: defmt::Formatter<'_>) {
        let shown = if self.is_zero() { "ZERO" } else { "<redacted>" };
        defmt::write!(f, "ApiKey({=str})", shown)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::format;

    #[test]
    fn parses_the_documented_example_in_either_case() {
        let expected = ApiKey::from_bytes([0x12, 0x34, 0xab, 0xcd]);
        assert_eq!(ApiKey::from_hex("1234abcd"), Ok(expected));
        assert_eq!("1234ABCD".parse::<ApiKey>(), Ok(expected));
        assert_eq!(&expected.expose_hex(), b"1234abcd");
    }

    #[test]
    fn rejects_wrong_length_and_non_hex() {
        assert_eq!(
            ApiKey::from_hex("1234abc"),
            Err(ApiKeyError::WrongLength(7))
        );
        assert_eq!(
            ApiKey::from_hex("1234abcde"),
            Err(ApiKeyError::WrongLength(9))
        );
        assert_eq!(
            ApiKey::from_hex("1234abcg"),
            Err(ApiKeyError::NotHex { index: 7 })
        );
        assert_eq!(
            ApiKey::from_hex("+234abcd"),
            Err(ApiKeyError::NotHex { index: 0 })
        );
        // Eight bytes but multi-byte characters: rejected, not panicking on a char boundary.
        assert_eq!(
            ApiKey::from_hex("12345\u{5d0}a"),
            Err(ApiKeyError::NotHex { index: 5 })
        );
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = ApiKey::from_hex("1234abcd").unwrap();
        let shown = format!("{key:?} {:?}", Some(key));
        assert!(!shown.to_lowercase().contains("1234"), "{shown}");
        assert!(
            !shown.contains("18") && !shown.contains("52"),
            "decimal bytes leaked: {shown}"
        );
        assert_eq!(format!("{:?}", ApiKey::ZERO), "ApiKey(ZERO)");
    }

    #[test]
    fn equality_compares_all_bytes() {
        let a = ApiKey::from_bytes([1, 2, 3, 4]);
        assert_eq!(a, ApiKey::from_bytes([1, 2, 3, 4]));
        assert_ne!(a, ApiKey::from_bytes([1, 2, 3, 5]));
        assert_ne!(a, ApiKey::from_bytes([0, 2, 3, 4]));
        assert!(ApiKey::ZERO.is_zero() && !a.is_zero());
    }
}
