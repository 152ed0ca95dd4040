//! Decoding an object member by member (ours), for the large objects of the API.
//!
//! serde's derived decoding of a struct keeps every field in a local, then moves the struct out
//! through each level of nesting; for the transaction object with its two receipts that cost about
//! 48 KiB of stack on a Cortex-M4 (measured with `examples/footprint`). Decoding one member at a
//! time from this crate's scanner needs only the struct and one member's worth of stack, and lets
//! a receipt stay raw until it is read.

use serde::Deserialize;

use crate::{DecodeError, JsonKind, RawJson};

/// A type a member of a member-by-member object can hold.
pub trait MemberValue<'a>: Sized {
    /// Decodes the member's raw value.
    fn decode_member(raw: RawJson<'a>) -> Result<Self, serde_json_core::de::Error>;
}

impl<'a, T: Deserialize<'a>> MemberValue<'a> for T {
    fn decode_member(raw: RawJson<'a>) -> Result<Self, serde_json_core::de::Error> {
        serde_json_core::from_slice(raw.as_str().as_bytes()).map(|(value, _)| value)
    }
}

/// Checks that `raw` is an object, for the member-by-member decoders.
pub(crate) fn object(raw: RawJson<'_>) -> Result<RawJson<'_>, DecodeError> {
    if raw.kind() == JsonKind::Object {
        Ok(raw)
    } else {
        Err(DecodeError::Value(serde_json_core::de::Error::InvalidType))
    }
}

/// Decodes one member into its slot: the first occurrence wins, `null` is absent.
pub(crate) fn fill<'a, T: MemberValue<'a>>(
    slot: &mut Option<T>,
    field: &'static str,
    raw: RawJson<'a>,
) -> Result<(), DecodeError> {
    if slot.is_none() && !raw.is_null() {
        *slot = Some(T::decode_member(raw).map_err(|error| DecodeError::Field { field, error })?);
    }
    Ok(())
}

/// Declares a struct of optional members decoded member by member, and written with the same
/// wire names (absent members left out).
macro_rules! member_struct {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct $name<'a> {
            $( $(#[$fmeta])* pub $field: Option<$ty>, )+
        }

        impl<'a> $name<'a> {
            /// Decodes the object member by member; unknown members are ignored.
            pub fn from_json(raw: $crate::RawJson<'a>) -> Result<Self, $crate::DecodeError> {
                let mut out = Self::default();
                for (key, value) in $crate::members::object(raw)?.members() {
                    match key.as_wire() {
                        $( $wire => $crate::members::fill(&mut out.$field, $wire, value)?, )+
                        _ => {}
                    }
                }
                Ok(out)
            }
        }

        impl serde::Serialize for $name<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct;
                let count = 0 $( + usize::from(self.$field.is_some()) )+;
                let mut out = s.serialize_struct(stringify!($name), count)?;
                $( if let Some(value) = &self.$field { out.serialize_field($wire, value)?; } )+
                out.end()
            }
        }

        impl<'a> $crate::MemberValue<'a> for $name<'a> {
            fn decode_member(raw: $crate::RawJson<'a>) -> Result<Self, serde_json_core::de::Error> {
                Self::from_json(raw).map_err(|e| match e {
                    $crate::DecodeError::Value(e) | $crate::DecodeError::Field { error: e, .. } => e,
                    _ => serde_json_core::de::Error::InvalidType,
                })
            }
        }

        impl<'a> $crate::FromRaw<'a> for $name<'a> {
            fn from_raw(raw: Option<$crate::RawJson<'a>>, member: &'static str) -> Result<Self, $crate::DecodeError> {
                Self::from_json(raw.ok_or($crate::DecodeError::Missing(member))?)
            }
        }
    };
}

pub(crate) use member_struct;
