#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(test)]
extern crate std;

mod api;
mod binding;
mod code;
mod decimal;
mod enums;
mod envelope;
mod error;
mod json;
mod members;
mod method;
mod money;
mod reference_id;
mod request_id;
mod text;
mod wire_enum;
mod writer;
mod written;

pub use api::*;
pub use binding::RequestBinding;
pub use code::Code;
pub use enums::{
    CommandStatus, CreditTerms, DeviceStatus, EventType, Host, InputType, LookupMethod, MimeType,
    PaymentMethod, PaymentType, RecordType, ReportFormat, ResultCode, SettlementLookup,
    TerminalStatus, TransactionStatus, TransactionType,
};
pub use envelope::{
    EchoId, ErrorResponse, Message, Notification, Request, Response, encode_call, encode_error,
    encode_notification, encode_raw_request, encode_request, encode_response, encode_response_raw,
};
pub use error::{
    DecodeError, EncodeError, EnvelopeError, RpcError, RpcErrorCode, ValueError, Wording,
};
pub use json::{Items, JsonError, JsonErrorKind, JsonKind, MAX_DEPTH, Members, RawJson};
pub use members::MemberValue;
pub use method::{FromRaw, Method, MethodInfo, MethodKind, NoParams, Null};
pub use money::{Amount, Currency};
pub use reference_id::{MAX_REFERENCE_ID, ReferenceId, ReferenceIdError};
pub use request_id::{IdGenerator, IdPrefix, IdText, MAX_ID_TEXT, RequestId};
pub use text::{InvalidEscape, Text, TooLong};

/// Decodes one JSON value into a typed one with serde-json-core (no allocation; strings borrow
/// from `json`).
pub fn decode<'a, T: serde::Deserialize<'a>>(json: &'a [u8]) -> Result<T, DecodeError> {
    serde_json_core::from_slice(json)
        .map(|(value, _)| value)
        .map_err(|e| DecodeError::Value(ValueError::of(e)))
}

/// Encodes a typed value as JSON into `buf` with serde-json-core; returns the length.
pub fn encode<T: serde::Serialize + ?Sized>(
    value: &T,
    buf: &mut [u8],
) -> Result<usize, EncodeError> {
    serde_json_core::to_slice(value, buf).map_err(EncodeError::of)
}
