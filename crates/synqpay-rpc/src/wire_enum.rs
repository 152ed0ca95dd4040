//! The one pattern behind every enum of the API: known values by name, unknown ones kept
//! (spec/protocol.md §4: "unknown enum values kept, never rejected").

/// Declares an enum whose wire form is a JSON string, with an `Unknown(Text)` variant that keeps
/// whatever the device sent. `"A" | "B"` gives a variant an alias accepted on input.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq)]
        pub enum $name<'a> {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept as sent.
            Unknown($crate::Text<'a>),
        }

        impl $name<'static> {
            /// Every value this version knows, in the order declared.
            pub const ALL: &'static [Self] = &[$( Self::$variant ),+];
        }

        impl<'a> $name<'a> {
            /// The value for a wire name; names this version does not know become `Unknown`.
            pub fn from_text(text: $crate::Text<'a>) -> Self {
                let mut buf = [0u8; 48];
                let name = match text.as_str() {
                    Some(s) => s,
                    None => match text.unescape_into(&mut buf) {
                        Ok(s) => s,
                        Err(_) => return Self::Unknown(text),
                    },
                };
                // Table-driven (ours: flash): the name's place among the wire names, then the
                // variant in that place; aliases after.
                if let Some(index) = $crate::members::position(&[$($wire),+], name) {
                    let mut at = 0;
                    $(
                        if index == at {
                            return Self::$variant;
                        }
                        at += 1;
                    )+
                    let _ = at;
                }
                match name {
                    $( $( $alias => Self::$variant, )* )+
                    _ => Self::Unknown(text),
                }
            }

            /// The wire name (for `Unknown`, the text as received).
            pub fn name(&self) -> $crate::Text<'a> {
                match self {
                    $( Self::$variant => $crate::Text::new($wire), )+
                    Self::Unknown(text) => *text,
                }
            }

            /// Whether this is a value this version does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }

            /// The value with no borrow, if it is one this version knows (`None` for `Unknown`).
            pub fn known(&self) -> Option<$name<'static>> {
                match self {
                    $( Self::$variant => Some($name::$variant), )+
                    Self::Unknown(_) => None,
                }
            }
        }

        impl core::fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self {
                    Self::Unknown(text) => write!(f, "{}::Unknown({:?})", stringify!($name), text),
                    known => write!(f, "{}", known.name()),
                }
            }
        }

        impl core::fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Display::fmt(&self.name(), f)
            }
        }

        #[cfg(feature = "defmt")]
        impl defmt::Format for $name<'_> {
            fn format(&self, f: defmt::Formatter<'_>) {
                defmt::write!(f, "{}", self.name())
            }
        }

        impl serde::Serialize for $name<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.name().serialize(s)
            }
        }

        impl<'de: 'a, 'a> serde::Deserialize<'de> for $name<'a> {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::Text::deserialize(d).map(Self::from_text)
            }
        }

        impl<'a> $crate::MemberValue<'a> for $name<'a> {
            fn decode_member(
                raw: $crate::RawJson<'a>,
            ) -> Result<Self, $crate::ValueError> {
                $crate::Text::decode_member(raw).map(Self::from_text)
            }
        }
    };
}

pub(crate) use wire_enum;
