//! Writing an object member by member (ours), for the request parameters a firmware sends.
//!
//! serde's derived serialization inlines one call of the serializer per member, each for the
//! member's own type; for `startTransaction`'s fifteen members that was about 0.7 KB of flash on
//! a Cortex-M4 (`scripts/footprint`). Here each member becomes one [`Written`] value and a
//! single loop writes them: the same object, in the same order, with the same members left out.
//! Through serde ([`write_object`], for any serializer) or as JSON text directly
//! ([`write_json`], what a request carries: no serializer in a firmware at all).

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::decimal::Digits;
use crate::writer::Writer;
use crate::{EncodeError, Text};

/// One member's value as it is written.
#[derive(Clone, Copy)]
pub(crate) enum Written<'a> {
    /// A string (an enumeration's wire name, an id).
    Text(Text<'a>),
    /// An amount in minor units, a count or a code (written by [`crate::decimal::amount`]).
    Integer(i64),
    /// A flag.
    Flag(bool),
}

impl Serialize for Written<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Self::Text(text) => text.serialize(s),
            Self::Integer(n) => crate::decimal::amount(&Some(n), s),
            Self::Flag(b) => s.serialize_bool(b),
        }
    }
}

impl From<i64> for Written<'_> {
    fn from(n: i64) -> Self {
        Self::Integer(n)
    }
}

impl From<u32> for Written<'_> {
    fn from(n: u32) -> Self {
        Self::Integer(n.into())
    }
}

impl From<u16> for Written<'_> {
    fn from(n: u16) -> Self {
        Self::Integer(n.into())
    }
}

impl From<bool> for Written<'_> {
    fn from(b: bool) -> Self {
        Self::Flag(b)
    }
}

/// Writes the object `name`: `keys[i]` with `values[i]`, in order, leaving out the absent
/// values (as `skip_serializing_none` does). The names are a table apart from the values (ours:
/// one constant in flash, not an instruction or two a name to build pairs on the stack).
pub(crate) fn write_object<S: Serializer>(
    s: S,
    name: &'static str,
    keys: &[&'static str],
    values: &[Option<Written<'_>>],
) -> Result<S::Ok, S::Error> {
    debug_assert_eq!(keys.len(), values.len());
    let count = values.iter().filter(|value| value.is_some()).count();
    let mut out = s.serialize_struct(name, count)?;
    for (key, value) in keys.iter().zip(values) {
        if let Some(value) = value {
            out.serialize_field(key, value)?;
        }
    }
    out.end()
}

/// Writes the object as JSON text into `out` (`keys[i]` with `values[i]`, in order, the absent
/// ones left out), the text serde-json-core writes for [`write_object`]; returns the length.
/// The keys are the API's member names, which need no escaping.
pub(crate) fn write_json(
    out: &mut [u8],
    keys: &[&'static str],
    values: &[Option<Written<'_>>],
) -> Result<usize, EncodeError> {
    let mut w = Writer::new(out);
    w.raw("{")?;
    let mut separator = "\"";
    for (key, value) in keys.iter().zip(values) {
        let Some(value) = value else { continue };
        w.raw(separator)?.raw(key)?.raw("\":")?;
        separator = ",\"";
        match *value {
            Written::Text(text) => w.text(text)?,
            Written::Integer(n) => w.bytes(Digits::of(n).as_bytes())?,
            Written::Flag(true) => w.raw("true")?,
            Written::Flag(false) => w.raw("false")?,
        };
    }
    Ok(w.raw("}")?.finish())
}
