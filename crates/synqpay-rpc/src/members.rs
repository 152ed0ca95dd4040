//! Decoding an object member by member (ours), for the large objects of the API.
//!
//! serde's derived decoding of a struct keeps every field in a local, then moves the struct out
//! through each level of nesting; for the transaction object with its two receipts that cost about
//! 48 KiB of stack on a Cortex-M4 (measured with `examples/footprint`). Decoding one member at a
//! time from this crate's scanner needs only the struct and one member's worth of stack, and lets
//! a receipt stay raw until it is read.

use crate::{DecodeError, JsonKind, RawJson, Text, ValueError};

/// A type a member of a member-by-member object can hold. The scalars read the scanner's token
/// directly rather than through serde-json-core (ours: the same answers, several KB less flash
/// in a firmware, as `scripts/footprint` shows).
pub trait MemberValue<'a>: Sized {
    /// Decodes the member's raw value.
    fn decode_member(raw: RawJson<'a>) -> Result<Self, ValueError>;
}

impl<'a> MemberValue<'a> for Text<'a> {
    fn decode_member(raw: RawJson<'a>) -> Result<Self, ValueError> {
        let quoted = match raw.kind() {
            JsonKind::String => raw.as_str(),
            _ => return Err(ValueError::WrongType),
        };
        let inner = quoted
            .get(1..quoted.len().saturating_sub(1))
            .ok_or(ValueError::WrongType)?;
        Text::from_wire(inner).map_err(|_| ValueError::Escape)
    }
}

impl<'a> MemberValue<'a> for bool {
    fn decode_member(raw: RawJson<'a>) -> Result<Self, ValueError> {
        match raw.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(ValueError::WrongType),
        }
    }
}

impl<'a> MemberValue<'a> for i64 {
    /// An integer: the scanner has checked the JSON number syntax; a fraction or an exponent is
    /// not an integer.
    fn decode_member(raw: RawJson<'a>) -> Result<Self, ValueError> {
        if raw.kind() != JsonKind::Number {
            return Err(ValueError::WrongType);
        }
        crate::decimal::decimal(raw.as_str()).ok_or(ValueError::Number)
    }
}

/// Unsigned members: decoded as `i64`, then range-checked.
macro_rules! unsigned_member {
    ($($t:ty),+) => {$(
        impl<'a> MemberValue<'a> for $t {
            fn decode_member(raw: RawJson<'a>) -> Result<Self, ValueError> {
                <$t>::try_from(i64::decode_member(raw)?).map_err(|_| ValueError::Number)
            }
        }
    )+};
}
unsigned_member!(u16, u32);

impl<'a, T: MemberValue<'a>, const N: usize> MemberValue<'a> for heapless::Vec<T, N> {
    /// An array of at most `N` items.
    fn decode_member(raw: RawJson<'a>) -> Result<Self, ValueError> {
        if raw.kind() != JsonKind::Array {
            return Err(ValueError::WrongType);
        }
        let mut out = heapless::Vec::new();
        for item in raw.items() {
            out.push(T::decode_member(item)?)
                .map_err(|_| ValueError::TooLong)?;
        }
        Ok(out)
    }
}

/// Checks that `raw` is an object, for the member-by-member decoders.
pub(crate) fn object(raw: RawJson<'_>) -> Result<RawJson<'_>, DecodeError> {
    if raw.kind() == JsonKind::Object {
        Ok(raw)
    } else {
        Err(DecodeError::Value(ValueError::WrongType))
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

/// Decodes one member that money does not depend on: a value of an unexpected JSON type leaves
/// the slot empty and is reported by `false`, never failing the object (spec/protocol.md §4:
/// the raw value stays reachable through the object's raw JSON).
pub(crate) fn fill_lenient<'a, T: MemberValue<'a>>(
    slot: &mut Option<T>,
    field: &'static str,
    raw: RawJson<'a>,
) -> bool {
    fill(slot, field, raw).is_ok()
}

/// Whether a member of the wrong type fails its object (spec/protocol.md §4: the members money
/// depends on) or is left empty and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strictness {
    /// Money depends on it: a value of the wrong type fails the object.
    Strict,
    /// Left empty, counted in the object's `mismatched`, its raw value kept.
    Lenient,
}

impl Strictness {
    /// `Strict` when `wire` is one of `strict`; at compile time.
    pub(crate) const fn of(strict: &[&str], wire: &str) -> Self {
        let mut i = 0;
        while i < strict.len() {
            if same(strict[i].as_bytes(), wire.as_bytes()) {
                return Self::Strict;
            }
            i += 1;
        }
        Self::Lenient
    }
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Where `wire` stands in `known`, the wire names of an object's members.
pub(crate) fn position(known: &[&str], wire: &str) -> Option<usize> {
    known.iter().position(|k| *k == wire)
}

/// Decodes one member of a member-by-member object into its slot, as its strictness says.
pub(crate) fn member<'a, T: MemberValue<'a>>(
    slot: &mut Option<T>,
    field: &'static str,
    how: Strictness,
    raw: RawJson<'a>,
    mismatched: &mut u8,
) -> Result<(), DecodeError> {
    match (fill(slot, field, raw), how) {
        (Ok(()), _) => Ok(()),
        (Err(e), Strictness::Strict) => Err(e),
        (Err(_), Strictness::Lenient) => {
            *mismatched = mismatched.saturating_add(1);
            Ok(())
        }
    }
}

/// Decodes the one member `wire` an object must have (`missing` names it in the error); the
/// other members are ignored.
pub(crate) fn required_member<'a, T: MemberValue<'a>>(
    raw: Option<RawJson<'a>>,
    wire: &'static str,
    missing: &'static str,
) -> Result<T, DecodeError> {
    let mut slot = None;
    for (key, value) in object(raw.ok_or(DecodeError::Missing(missing))?)?.members() {
        if key.as_wire() == wire {
            fill(&mut slot, wire, value)?;
        }
    }
    slot.ok_or(DecodeError::Missing(missing))
}

/// Declares a struct of optional members decoded member by member, and written with the same
/// wire names (absent members left out). The members named `strict` are the ones money depends
/// on: a value of the wrong type fails the object. Any other member of an unexpected type is left
/// empty, counted in `mismatched`, and its raw value stays in `raw` (spec/protocol.md §4).
macro_rules! member_struct {
    (
        $(#[$meta:meta])*
        $name:ident strict [$($strict:literal),* $(,)?] {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct $name<'a> {
            $( $(#[$fmeta])* pub $field: Option<$ty>, )+
            /// The object as received (`None` for one built here): every member, known or not,
            /// with its raw value.
            pub raw: Option<$crate::RawJson<'a>>,
            /// How many known members had a JSON type other than the expected one (their
            /// typed field is empty; [`raw`](Self::raw) keeps the value).
            pub mismatched: u8,
        }

        impl<'a> $name<'a> {
            /// The wire names of the members money depends on.
            pub const STRICT: &'static [&'static str] = &[$($strict),*];
            /// The wire names of the members this version knows.
            pub const KNOWN: &'static [&'static str] = &[$($wire),+];

            /// Decodes the object member by member; unknown members are kept in `raw` only.
            pub fn from_json(raw: $crate::RawJson<'a>) -> Result<Self, $crate::DecodeError> {
                let mut out = Self { raw: Some(raw), ..Self::default() };
                for (key, value) in $crate::members::object(raw)?.members() {
                    // Table-driven (ours: flash): the member's place in `KNOWN`, then one
                    // call a member, its strictness settled at compile time.
                    let Some(index) = $crate::members::position(Self::KNOWN, key.as_wire()) else {
                        continue;
                    };
                    let mut at = 0;
                    $(
                        if index == at {
                            const HOW: $crate::members::Strictness =
                                $crate::members::Strictness::of(<$name<'static>>::STRICT, $wire);
                            $crate::members::member(
                                &mut out.$field,
                                $wire,
                                HOW,
                                value,
                                &mut out.mismatched,
                            )?;
                        }
                        at += 1;
                    )+
                    let _ = at;
                }
                Ok(out)
            }

            /// The raw value of member `wire` as received, whatever its type.
            pub fn member(&self, wire: &str) -> Option<$crate::RawJson<'a>> {
                self.raw.and_then(|raw| raw.member(wire))
            }

            /// The members this version does not know, raw, in the order received.
            pub fn unknown_members(&self) -> impl Iterator<Item = ($crate::Text<'a>, $crate::RawJson<'a>)> + 'a {
                self.raw
                    .into_iter()
                    .flat_map(|raw| raw.members())
                    .filter(|(key, _)| !Self::KNOWN.contains(&key.as_wire()))
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
            fn decode_member(raw: $crate::RawJson<'a>) -> Result<Self, $crate::ValueError> {
                Self::from_json(raw).map_err(|e| match e {
                    $crate::DecodeError::Value(e) | $crate::DecodeError::Field { error: e, .. } => e,
                    _ => $crate::ValueError::WrongType,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> RawJson<'_> {
        RawJson::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn scalars_read_the_token_and_refuse_the_wrong_kind() {
        assert_eq!(i64::decode_member(raw("-12550")), Ok(-12550));
        assert_eq!(i64::decode_member(raw("1.5")), Err(ValueError::Number));
        assert_eq!(i64::decode_member(raw("1e3")), Err(ValueError::Number));
        assert_eq!(i64::decode_member(raw("\"7\"")), Err(ValueError::WrongType));
        assert_eq!(
            i64::decode_member(raw("99999999999999999999")),
            Err(ValueError::Number)
        );
        assert_eq!(u16::decode_member(raw("376")), Ok(376));
        assert_eq!(u16::decode_member(raw("70000")), Err(ValueError::Number));
        assert_eq!(u32::decode_member(raw("-1")), Err(ValueError::Number));
        assert_eq!(bool::decode_member(raw("true")), Ok(true));
        assert_eq!(bool::decode_member(raw("1")), Err(ValueError::WrongType));
        let text = Text::decode_member(raw(r#""\u05d5\u05d9\u05d6\u05d4 \"x\"""#)).unwrap();
        assert_eq!(text, "ויזה \"x\"");
        assert_eq!(Text::decode_member(raw("5")), Err(ValueError::WrongType));
        assert_eq!(
            Text::decode_member(raw(r#""\ud800""#)),
            Err(ValueError::Escape)
        );
    }

    #[test]
    fn arrays_hold_at_most_their_capacity() {
        let two = heapless::Vec::<u16, 2>::decode_member(raw("[1, 2]")).unwrap();
        assert_eq!(two.as_slice(), &[1, 2]);
        assert_eq!(
            heapless::Vec::<u16, 2>::decode_member(raw("[1, 2, 3]")),
            Err(ValueError::TooLong)
        );
        assert_eq!(
            heapless::Vec::<u16, 2>::decode_member(raw("{}")),
            Err(ValueError::WrongType)
        );
    }
}
