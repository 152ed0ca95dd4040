//! Methods as types: each documented method is a unit type implementing [`Method`], naming its
//! wire name, its parameter type and its result type (spec/api.md "Methods").
//!
//! A client encodes with [`Method::Params`] and decodes with [`Method::decode_output`]; a device
//! decodes with [`Method::decode_params`] and encodes with [`Method::Output`].

use serde::{Deserialize, Serialize};

use crate::{DecodeError, EncodeError, RawJson};

/// One method of the API.
pub trait Method {
    /// The wire name, such as `"getStatus"`.
    const NAME: &'static str;
    /// How the method behaves: its deadline, whether events extend it, whether it may be sent
    /// again (spec/protocol.md §6).
    const KIND: MethodKind;
    /// Sent with the zero API key (`pair` and `authenticate`, spec/protocol.md §2).
    const UNAUTHENTICATED: bool = false;
    /// Changes nothing on the device, so a client may send it again after a lost or corrupted
    /// answer (spec/protocol.md §6). Payments and every other method: never.
    const SAFE_TO_RESEND: bool = Self::KIND.safe_to_resend();
    /// May take long (a card, a customer, the host): the transaction deadline, not the
    /// request's, applies (ours).
    const LONG_RUNNING: bool = Self::KIND.long_running();
    /// The parameters.
    type Params<'a>: Serialize + FromRaw<'a>;
    /// The result.
    type Output<'a>: Serialize + FromRaw<'a>;

    /// Decodes a request's `params` (`None`: absent or `null`).
    fn decode_params(raw: Option<RawJson<'_>>) -> Result<Self::Params<'_>, DecodeError> {
        FromRaw::from_raw(raw, "params")
    }

    /// Decodes a response's `result` (`None`: absent or `null`).
    fn decode_output(raw: Option<RawJson<'_>>) -> Result<Self::Output<'_>, DecodeError> {
        FromRaw::from_raw(raw, "result")
    }

    /// What the answer to a request with these `params` must name (spec/protocol.md §6).
    /// Provided: nothing ([`RequestBinding::Unbound`](crate::RequestBinding::Unbound));
    /// payments, their continuation and the lookup by `referenceId` say what.
    fn binding<'a>(params: &Self::Params<'a>) -> crate::RequestBinding<'a> {
        let _ = params;
        crate::RequestBinding::Unbound
    }

    /// Writes `params` as JSON into `out`; returns the length. Provided: through serde
    /// (serde-json-core). The methods a firmware calls most write theirs without serde, the
    /// same text (ours: `getStatus` and the other methods without parameters write `null`,
    /// `startTransaction` its members by one loop, for flash).
    fn write_params(params: &Self::Params<'_>, out: &mut [u8]) -> Result<usize, EncodeError> {
        serde_json_core::to_slice(params, out).map_err(EncodeError::of)
    }
}

/// Decoding from an optional raw member (`params` or `result`), so that "absent", `null` and a
/// value each get the meaning the type gives them.
pub trait FromRaw<'a>: Sized {
    /// Decodes `raw`; `member` names it in a [`DecodeError::Missing`].
    fn from_raw(raw: Option<RawJson<'a>>, member: &'static str) -> Result<Self, DecodeError>;
}

/// Decodes any serde type from a raw member; absent or `null` is [`DecodeError::Missing`].
pub(crate) fn required<'a, T: Deserialize<'a>>(
    raw: Option<RawJson<'a>>,
    member: &'static str,
) -> Result<T, DecodeError> {
    raw.ok_or(DecodeError::Missing(member))?.decode()
}

/// Implements [`FromRaw`] for serde types that must be present (`'static` before types
/// without a lifetime).
macro_rules! from_raw_required {
    ('static $($t:ident),+ $(,)?) => {$(
        impl<'a> $crate::FromRaw<'a> for $t {
            fn from_raw(raw: Option<$crate::RawJson<'a>>, member: &'static str) -> Result<Self, $crate::DecodeError> {
                $crate::method::required(raw, member)
            }
        }
    )+};
    ($($t:ident),+ $(,)?) => {$(
        impl<'a> $crate::FromRaw<'a> for $t<'a> {
            fn from_raw(raw: Option<$crate::RawJson<'a>>, member: &'static str) -> Result<Self, $crate::DecodeError> {
                $crate::method::required(raw, member)
            }
        }
    )+};
}
pub(crate) use from_raw_required;

/// No parameters: written as `"params":null`; anything received is accepted and ignored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NoParams;

impl Serialize for NoParams {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_unit()
    }
}

impl<'a> FromRaw<'a> for NoParams {
    fn from_raw(_: Option<RawJson<'a>>, _: &'static str) -> Result<Self, DecodeError> {
        Ok(NoParams)
    }
}

/// A `null` result (`pair`, `cancel`, `showQR`); an absent `result` is the same (spec/protocol.md
/// §3). ours: a non-null result is accepted and ignored, since the call did succeed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Null;

impl Serialize for Null {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_unit()
    }
}

impl<'a> FromRaw<'a> for Null {
    fn from_raw(_: Option<RawJson<'a>>, _: &'static str) -> Result<Self, DecodeError> {
        Ok(Null)
    }
}

/// A result or parameter whose shape the documents do not give: handed over as raw JSON.
impl<'a> FromRaw<'a> for Option<RawJson<'a>> {
    fn from_raw(raw: Option<RawJson<'a>>, _: &'static str) -> Result<Self, DecodeError> {
        Ok(raw)
    }
}

/// How a method behaves on the link (spec/protocol.md §6; the classes and deadlines are ours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MethodKind {
    /// Changes nothing (spec/protocol.md §6's list): the short request deadline; may be sent
    /// again after a lost or corrupted answer.
    Query,
    /// Changes something and answers at once: the short deadline; never sent again.
    Command,
    /// Waits for a person or the host (a prompt, a settlement): the long deadline; never sent
    /// again.
    Interactive,
    /// Moves money (`startTransaction`, `continueTransaction`): the long deadline, extended by
    /// `transactionEvent`s up to a ceiling; never sent again; its result must name its request.
    Transaction,
}

impl MethodKind {
    /// Whether a client may send it again after a lost or corrupted answer.
    pub const fn safe_to_resend(self) -> bool {
        matches!(self, Self::Query)
    }

    /// Whether the long deadline applies.
    pub const fn long_running(self) -> bool {
        matches!(self, Self::Interactive | Self::Transaction)
    }

    /// Whether `transactionEvent`s extend its deadline (spec/protocol.md §6).
    pub const fn extended_by_events(self) -> bool {
        matches!(self, Self::Transaction)
    }
}

/// A method's wire name and behaviour, for code that names methods at run time (a command
/// line's `call NAME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MethodInfo {
    /// The wire name.
    pub name: &'static str,
    /// How it behaves.
    pub kind: MethodKind,
    /// Sent with the zero API key.
    pub unauthenticated: bool,
}

impl MethodInfo {
    /// The description of `M`.
    pub const fn of<M: Method>() -> Self {
        Self {
            name: M::NAME,
            kind: M::KIND,
            unauthenticated: M::UNAUTHENTICATED,
        }
    }

    /// The documented method named `name`; `None` for a name this crate does not know, which
    /// a caller should treat as a [`MethodKind::Command`] (ours: never resent, short deadline).
    pub fn by_name(name: &str) -> Option<Self> {
        crate::api::METHODS.iter().find(|m| m.name == name).copied()
    }

    /// A method this crate does not know: a command with the key (ours).
    pub const fn unknown(name: &'static str) -> Self {
        Self {
            name,
            kind: MethodKind::Command,
            unauthenticated: false,
        }
    }
}

/// Declares a method type. A method without parameters writes `null`, and one marked
/// `; write_json` writes its parameters by their own `write_json`, both without serde (ours:
/// flash); the others through serde ([`Method::write_params`]). One marked `; bound` binds its
/// answer by its parameters' own `binding` ([`Method::binding`]).
macro_rules! method {
    ($(#[$doc:meta])* $name:ident = $wire:literal, NoParams => $output:ty, $kind:ident $(, $flag:ident)* $(,)?) => {
        $crate::method::method!(@type $(#[$doc])* $name = $wire, NoParams => $output, $kind [$($flag)*] {
            fn write_params(_: &NoParams, out: &mut [u8]) -> Result<usize, $crate::EncodeError> {
                $crate::writer::Writer::new(out).raw("null").map(|w| w.finish())
            }
        });
    };
    ($(#[$doc:meta])* $name:ident = $wire:literal, $params:ty => $output:ty, $kind:ident $(, $flag:ident)*; write_json; bound $(,)?) => {
        $crate::method::method!(@type $(#[$doc])* $name = $wire, $params => $output, $kind [$($flag)*] {
            fn write_params(
                params: &Self::Params<'_>,
                out: &mut [u8],
            ) -> Result<usize, $crate::EncodeError> {
                params.write_json(out)
            }
            fn binding<'a>(params: &Self::Params<'a>) -> $crate::RequestBinding<'a> {
                params.binding()
            }
        });
    };
    ($(#[$doc:meta])* $name:ident = $wire:literal, $params:ty => $output:ty, $kind:ident $(, $flag:ident)*; bound $(,)?) => {
        $crate::method::method!(@type $(#[$doc])* $name = $wire, $params => $output, $kind [$($flag)*] {
            fn binding<'a>(params: &Self::Params<'a>) -> $crate::RequestBinding<'a> {
                params.binding()
            }
        });
    };
    ($(#[$doc:meta])* $name:ident = $wire:literal, $params:ty => $output:ty, $kind:ident $(, $flag:ident)* $(,)?) => {
        $crate::method::method!(@type $(#[$doc])* $name = $wire, $params => $output, $kind [$($flag)*] {});
    };
    (@type $(#[$doc:meta])* $name:ident = $wire:literal, $params:ty => $output:ty, $kind:ident [$($flag:ident)*] { $($items:tt)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name;

        impl $crate::Method for $name {
            const NAME: &'static str = $wire;
            const KIND: $crate::MethodKind = $crate::MethodKind::$kind;
            $( const $flag: bool = true; )*
            type Params<'a> = $params;
            type Output<'a> = $output;
            $($items)*
        }
    };
}
pub(crate) use method;
