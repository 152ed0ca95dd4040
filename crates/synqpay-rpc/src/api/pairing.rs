//! `pair` and `authenticate` (spec/protocol.md §3).

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::method::{Null, from_raw_required, method};
use crate::{DecodeError, FromRaw, RawJson, Text, members};

method! {
    /// `pair {serialNumber}`: the device (IDLE) shows a 6-digit code for 30 s. Zero key.
    Pair = "pair", PairParams<'a> => Null, Command, UNAUTHENTICATED
}

method! {
    /// `authenticate {otp}`: the code from the screen buys the API key. Zero key.
    Authenticate = "authenticate", AuthenticateParams<'a> => AuthenticateResult<'a>, Command, UNAUTHENTICATED
}

/// Parameters of `pair`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct PairParams<'a> {
    /// The device's serial number; another one is 103 InvalidParams.
    pub serial_number: Text<'a>,
}

/// Parameters of `authenticate`.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct AuthenticateParams<'a> {
    /// The 6-digit code on the device's screen.
    pub otp: Text<'a>,
}

/// The result of `authenticate`: the API key, 8 hex digits (spec/protocol.md §3.3).
///
/// A secret: `Debug` does not show it. `synqpay_link::ApiKey::from_hex(result.api_key...)`
/// turns it into the key frames carry.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct AuthenticateResult<'a> {
    /// The key as 8 hex digits.
    pub api_key: Text<'a>,
}

from_raw_required!(PairParams, AuthenticateParams);

impl<'a> FromRaw<'a> for AuthenticateResult<'a> {
    /// Member by member (ours: no serde-json-core deserializer in a client firmware).
    fn from_raw(raw: Option<RawJson<'a>>, member: &'static str) -> Result<Self, DecodeError> {
        let api_key = members::required_member(raw, "apiKey", member)?;
        Ok(Self { api_key })
    }
}

impl fmt::Debug for AuthenticateParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthenticateParams { otp: <redacted> }")
    }
}

impl fmt::Debug for AuthenticateResult<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthenticateResult { api_key: <redacted> }")
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for AuthenticateResult<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "AuthenticateResult {{ api_key: <redacted> }}")
    }
}
