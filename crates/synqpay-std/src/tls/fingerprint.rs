//! A certificate's SHA-256 fingerprint, and the pin parser (`--pin`).

use std::fmt;
use std::str::FromStr;

/// The SHA-256 fingerprint of a certificate (its DER bytes): what a pin names.
///
/// Shown as `sha256:` and 64 lowercase hex digits, the form to paste after `--pin`
/// ([`Fingerprint::colon_hex`] gives OpenSSL's `AA:BB:…`). Read from any of the forms people copy
/// ([`FromStr`]):
///
/// - `AA:BB:…:FF`, 32 colon-separated pairs (OpenSSL's and browsers' form, any case);
/// - 64 hex digits, any case;
/// - either of those after `sha256:` (or OpenSSL's `sha256 Fingerprint=`, any case).
///
/// ```
/// use synqpay_std::tls::{Fingerprint, PinError};
///
/// let plain: Fingerprint = "61aa67e70d4bc54a2531e1e4401687c0b1d9610dec16e249aff3f4123ad11d5c".parse()?;
/// let colons: Fingerprint = "61:AA:67:E7:0D:4B:C5:4A:25:31:E1:E4:40:16:87:C0:\
///                            B1:D9:61:0D:EC:16:E2:49:AF:F3:F4:12:3A:D1:1D:5C".parse()?;
/// let prefixed: Fingerprint = plain.to_string().parse()?; // "sha256:61aa…"
/// assert_eq!(plain, colons);
/// assert_eq!(plain, prefixed);
/// assert_eq!(plain.0, synqpay_std::tls::SYNQPAY_ROOT_SHA256);
/// assert_eq!("sha1:00".parse::<Fingerprint>(), Err(PinError::Algorithm));
/// # Ok::<(), PinError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// The fingerprint of a certificate, from its DER bytes.
    pub fn of(der: &[u8]) -> Self {
        let digest = ::ring::digest::digest(&::ring::digest::SHA256, der);
        let mut out = [0u8; 32];
        out.copy_from_slice(digest.as_ref());
        Self(out)
    }

    /// `AA:BB:…:FF`, as OpenSSL (`openssl x509 -fingerprint -sha256`) and browsers show it.
    pub fn colon_hex(&self) -> String {
        let pairs: Vec<String> = self.0.iter().map(|b| format!("{b:02X}")).collect();
        pairs.join(":")
    }
}

impl From<[u8; 32]> for Fingerprint {
    fn from(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl From<Fingerprint> for [u8; 32] {
    fn from(f: Fingerprint) -> Self {
        f.0
    }
}

impl fmt::Display for Fingerprint {
    /// `sha256:` and 64 lowercase hex digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sha256:")?;
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// Why a pin could not be read as a SHA-256 fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PinError {
    /// Nothing was given.
    Empty,
    /// It names another digest than SHA-256 (`sha1:…`).
    Algorithm,
    /// A character that is not a hex digit (nor a colon between pairs).
    NotHex {
        /// The character.
        character: char,
    },
    /// Colon-separated, but not in pairs of two hex digits.
    Grouping,
    /// Not 32 bytes.
    Length {
        /// How many hex digits were given (64 are needed).
        digits: usize,
    },
}

impl fmt::Display for PinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("no fingerprint given"),
            Self::Algorithm => f.write_str("not a SHA-256 fingerprint"),
            Self::NotHex { character } => {
                write!(f, "{} is not a hex digit", character.escape_debug())
            }
            Self::Grouping => f.write_str("colon-separated, but not in pairs of two hex digits"),
            Self::Length { digits } => write!(f, "{digits} hex digits where a SHA-256 has 64"),
        }?;
        f.write_str(" (a pin is sha256:HEX, 64 hex digits, or AA:BB:… with 32 pairs)")
    }
}

impl std::error::Error for PinError {}

impl FromStr for Fingerprint {
    type Err = PinError;

    fn from_str(text: &str) -> Result<Self, PinError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(PinError::Empty);
        }
        // `sha256:…`, or OpenSSL's `sha256 Fingerprint=…`: a name longer than a hex pair.
        let body = match text.split_once('=').or_else(|| text.split_once(':')) {
            Some((name, rest)) if name.len() > 2 => {
                if !name.to_ascii_lowercase().starts_with("sha256") {
                    return Err(PinError::Algorithm);
                }
                rest.trim()
            }
            _ => text,
        };
        if let Some(c) = body.chars().find(|c| !c.is_ascii_hexdigit() && *c != ':') {
            return Err(PinError::NotHex { character: c });
        }
        let digits: Vec<u8> = if body.contains(':') {
            if body.split(':').any(|pair| pair.len() != 2) {
                return Err(PinError::Grouping);
            }
            body.bytes().filter(|b| *b != b':').collect()
        } else {
            body.bytes().collect()
        };
        if digits.len() != 64 {
            return Err(PinError::Length {
                digits: digits.len(),
            });
        }
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(digits.chunks(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| PinError::Grouping)?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| PinError::Grouping)?;
        }
        Ok(Self(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "61aa67e70d4bc54a2531e1e4401687c0b1d9610dec16e249aff3f4123ad11d5c";

    #[test]
    fn the_three_forms_and_their_errors() {
        let want = Fingerprint(crate::tls::SYNQPAY_ROOT_SHA256);
        let colons = want.colon_hex();
        for form in [
            HEX.to_string(),
            HEX.to_uppercase(),
            colons.clone(),
            colons.to_lowercase(),
            format!("sha256:{HEX}"),
            format!("SHA256:{colons}"),
            format!("sha256 Fingerprint={colons}"),
            format!("  {want}\n"),
        ] {
            assert_eq!(form.parse::<Fingerprint>(), Ok(want), "{form}");
        }
        assert_eq!(want.to_string(), format!("sha256:{HEX}"));
        assert!(colons.starts_with("61:AA:67:") && colons.len() == 95);

        let err = |s: &str| s.parse::<Fingerprint>().unwrap_err();
        assert_eq!(err(""), PinError::Empty);
        assert_eq!(err("sha1:abcd"), PinError::Algorithm);
        assert_eq!(err(&HEX[..62]), PinError::Length { digits: 62 });
        assert_eq!(err(&format!("{HEX}00")), PinError::Length { digits: 66 });
        assert_eq!(
            err(&HEX.replace('a', "g")),
            PinError::NotHex { character: 'g' }
        );
        assert_eq!(err("61:AA:6"), PinError::Grouping);
    }
}
