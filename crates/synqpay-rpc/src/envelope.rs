//! The JSON-RPC 2.0 envelope (spec/protocol.md §4): telling a request, a notification, a result
//! and an error apart without knowing the method first, and writing each.
//!
//! Parsing is done by this crate's scanner, so that `params` and `result` reach the caller as raw
//! JSON whatever their shape; typed decoding of them is a second, separate step.

use crate::writer::Writer;
use crate::{
    DecodeError, EncodeError, EnvelopeError, Method, RawJson, RpcError, RpcErrorCode, Text,
};

/// A message received in a Request, Response or Event frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Message<'a> {
    /// A call that expects an answer (the device receives these).
    Request(Request<'a>),
    /// A call without an id: an event such as `transactionEvent`.
    Notification(Notification<'a>),
    /// A successful answer.
    Response(Response<'a>),
    /// An error answer.
    Error(ErrorResponse<'a>),
}

/// A JSON-RPC request: a method, an id, and parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Request<'a> {
    /// The id the answer must carry (a number's digits when it came as a number).
    pub id: Text<'a>,
    /// The id came as a JSON number (ours: tolerated; the answer echoes it as one, see
    /// [`Request::echo_id`]).
    pub numeric_id: bool,
    /// The method name.
    pub method: Text<'a>,
    /// The parameters; `None` when `params` is absent or `null` (spec/protocol.md §4: both
    /// mean "no parameters").
    pub params: Option<RawJson<'a>>,
}

/// A JSON-RPC notification (no id): the device's events.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Notification<'a> {
    /// The method name, such as `transactionEvent`.
    pub method: Text<'a>,
    /// The parameters; `None` when absent or `null`.
    pub params: Option<RawJson<'a>>,
}

/// A successful JSON-RPC response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Response<'a> {
    /// The id of the request this answers.
    pub id: Text<'a>,
    /// The result as raw JSON; `None` when `result` is absent or `null` (the documented `pair`
    /// response has no `result` at all: spec/protocol.md §3).
    pub result: Option<RawJson<'a>>,
}

/// A JSON-RPC error response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorResponse<'a> {
    /// The id of the request this answers; `None` when the device could not read it.
    pub id: Option<Text<'a>>,
    /// What went wrong.
    pub error: RpcError<'a>,
}

impl<'a> Message<'a> {
    /// Parses one payload. Unknown members are ignored; `jsonrpc`, when present, must be "2.0".
    pub fn parse(payload: &'a [u8]) -> Result<Self, DecodeError> {
        let root = RawJson::parse(payload)?;
        if root.kind() != crate::JsonKind::Object {
            return Err(DecodeError::Envelope(EnvelopeError::NotAnObject));
        }
        let (mut version, mut id, mut method, mut params, mut result, mut error) =
            (None, None, None, None, None, None);
        for (key, value) in root.members() {
            let slot = match key.as_wire() {
                "jsonrpc" => &mut version,
                "id" => &mut id,
                "method" => &mut method,
                "params" => &mut params,
                "result" => &mut result,
                "error" => &mut error,
                _ => continue,
            };
            slot.get_or_insert(value);
        }
        // ours: a missing "jsonrpc" is tolerated (devices have always sent it); a wrong one is not.
        if let Some(v) = version
            && v.as_text().is_none_or(|t| t != "2.0")
        {
            return Err(DecodeError::Envelope(EnvelopeError::NotVersion2));
        }
        let numeric_id = id.is_some_and(|v| v.kind() == crate::JsonKind::Number);
        let id = match id {
            None => None,
            Some(v) if v.is_null() => None,
            Some(v) => Some(id_text(v)?),
        };
        let params = params.filter(|p| !p.is_null());
        if let Some(method) = method {
            let method = method
                .as_text()
                .ok_or(DecodeError::Envelope(EnvelopeError::MethodNotText))?;
            return Ok(match id {
                Some(id) => Message::Request(Request {
                    id,
                    numeric_id,
                    method,
                    params,
                }),
                None => Message::Notification(Notification { method, params }),
            });
        }
        if let Some(error) = error {
            return Ok(Message::Error(ErrorResponse {
                id,
                error: parse_error(error)?,
            }));
        }
        match id {
            Some(id) => Ok(Message::Response(Response {
                id,
                result: result.filter(|r| !r.is_null()),
            })),
            None => Err(DecodeError::Envelope(EnvelopeError::NoMethodErrorOrId)),
        }
    }
}

/// An id: a string (spec/protocol.md §4); ours: a number is tolerated and kept as its digits.
fn id_text(value: RawJson<'_>) -> Result<Text<'_>, DecodeError> {
    match value.kind() {
        crate::JsonKind::String => value
            .as_text()
            .ok_or(DecodeError::Envelope(EnvelopeError::IdEscape)),
        crate::JsonKind::Number => Ok(Text::new(value.as_str())),
        _ => Err(DecodeError::Envelope(EnvelopeError::IdNotTextOrNumber)),
    }
}

fn parse_error(value: RawJson<'_>) -> Result<RpcError<'_>, DecodeError> {
    let code = value
        .member("code")
        .and_then(|c| crate::decimal::decimal(c.as_str()))
        .ok_or(DecodeError::Envelope(EnvelopeError::ErrorWithoutCode))?;
    let message = value
        .member("message")
        .and_then(|m| m.as_text())
        .unwrap_or(Text::new(""));
    let data = value.member("data").filter(|d| !d.is_null());
    Ok(RpcError {
        code: RpcErrorCode::from_i64(code),
        message,
        data,
    })
}

/// Writes `{"jsonrpc":"2.0","method":M,"id":ID,"params":P}` (the member order of the spec's
/// vectors); `params` `None` writes `null`. Returns the length. For a method this crate
/// types, [`encode_call`] names it by its type.
pub fn encode_request<P: serde::Serialize + ?Sized>(
    buf: &mut [u8],
    id: &str,
    method: &str,
    params: Option<&P>,
) -> Result<usize, EncodeError> {
    let mut w = Writer::new(buf);
    request_head(&mut w, method, id)?;
    match params {
        Some(p) => w.value(p)?,
        None => w.raw("null")?,
    };
    Ok(w.raw("}")?.finish())
}

/// Writes a request of a method named at run time whose parameters are JSON text received or
/// given as such, byte for byte (`None`: `null`). Returns the length.
pub fn encode_raw_request(
    buf: &mut [u8],
    id: &str,
    method: &str,
    params: Option<RawJson<'_>>,
) -> Result<usize, EncodeError> {
    let mut w = Writer::new(buf);
    request_head(&mut w, method, id)?;
    w.raw(params.map_or("null", |p| p.as_str()))?;
    Ok(w.raw("}")?.finish())
}

/// Writes a request of method `M`, named by its type, with its typed parameters:
/// `{"jsonrpc":"2.0","method":M::NAME,"id":ID,"params":P}` ([`NoParams`](crate::NoParams) is
/// written `null`). Returns the length. [`encode_request`] is for a method named at run time.
pub fn encode_call<M: Method>(
    buf: &mut [u8],
    id: &str,
    params: &M::Params<'_>,
) -> Result<usize, EncodeError> {
    let mut w = Writer::new(buf);
    request_head(&mut w, M::NAME, id)?.with(|out| M::write_params(params, out))?;
    Ok(w.raw("}")?.finish())
}

/// A request up to its parameters: `{"jsonrpc":"2.0","method":M,"id":ID,"params":`.
fn request_head<'w, 'b>(
    w: &'w mut Writer<'b>,
    method: &str,
    id: &str,
) -> Result<&'w mut Writer<'b>, EncodeError> {
    w.raw(r#"{"jsonrpc":"2.0","method":"#)?
        .string(method)?
        .raw(r#","id":"#)?
        .string(id)?
        .raw(r#","params":"#)
}

/// Writes a notification: `{"jsonrpc":"2.0","method":M,"params":P}`.
pub fn encode_notification<P: serde::Serialize + ?Sized>(
    buf: &mut [u8],
    method: &str,
    params: &P,
) -> Result<usize, EncodeError> {
    let mut w = Writer::new(buf);
    w.raw(r#"{"jsonrpc":"2.0","method":"#)?
        .value(method)?
        .raw(r#","params":"#)?
        .value(params)?
        .raw("}")?;
    Ok(w.finish())
}

/// The id an answer carries: the request's, with its JSON type (spec/protocol.md §4: a string;
/// ours: a number is answered as a number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EchoId<'a> {
    /// A string id.
    Text(Text<'a>),
    /// A numeric id: its digits as received.
    Number(&'a str),
}

impl<'a> From<Text<'a>> for EchoId<'a> {
    fn from(text: Text<'a>) -> Self {
        Self::Text(text)
    }
}

impl<'a> Request<'a> {
    /// The id to answer this request with: the same text, the same JSON type.
    pub fn echo_id(&self) -> EchoId<'a> {
        match (self.numeric_id, self.id.as_str()) {
            (true, Some(digits)) => EchoId::Number(digits),
            _ => EchoId::Text(self.id),
        }
    }
}

impl serde::Serialize for EchoId<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Text(text) => text.serialize(s),
            // Checked to be a JSON number when the request was parsed.
            Self::Number(digits) => match (digits.parse::<u64>(), digits.parse::<i64>()) {
                (Ok(n), _) => s.serialize_u64(n),
                (_, Ok(n)) => s.serialize_i64(n),
                _ => s.serialize_bytes(digits.as_bytes()),
            },
        }
    }
}

/// Writes `{"jsonrpc":"2.0","id":ID,"result":R}`. The id is echoed as received.
pub fn encode_response<'i, R: serde::Serialize + ?Sized>(
    buf: &mut [u8],
    id: impl Into<EchoId<'i>>,
    result: &R,
) -> Result<usize, EncodeError> {
    let mut w = Writer::new(buf);
    response_head(&mut w, id.into())?.value(result)?.raw("}")?;
    Ok(w.finish())
}

/// Writes a response whose result is already JSON text (checked to be one JSON value), as is.
pub fn encode_response_raw<'i>(
    buf: &mut [u8],
    id: impl Into<EchoId<'i>>,
    result: RawJson<'_>,
) -> Result<usize, EncodeError> {
    let mut w = Writer::new(buf);
    response_head(&mut w, id.into())?
        .raw(result.as_str())?
        .raw("}")?;
    Ok(w.finish())
}

/// A response up to its result: `{"jsonrpc":"2.0","id":ID,"result":`.
fn response_head<'w, 'b>(
    w: &'w mut Writer<'b>,
    id: EchoId<'_>,
) -> Result<&'w mut Writer<'b>, EncodeError> {
    w.raw(r#"{"jsonrpc":"2.0","id":"#)?
        .value(&id)?
        .raw(r#","result":"#)
}

/// Writes `{"jsonrpc":"2.0","id":ID,"error":{"code":C,"message":M,"data":D}}`; `id` `None`
/// writes `null`, `data` `None` leaves it out.
pub fn encode_error(
    buf: &mut [u8],
    id: Option<EchoId<'_>>,
    code: RpcErrorCode,
    message: &str,
    data: Option<RawJson<'_>>,
) -> Result<usize, EncodeError> {
    let mut w = Writer::new(buf);
    w.raw(r#"{"jsonrpc":"2.0","id":"#)?;
    match id {
        Some(id) => w.value(&id)?,
        None => w.raw("null")?,
    };
    w.raw(r#","error":{"code":"#)?
        .value(&code.code())?
        .raw(r#","message":"#)?
        .value(message)?;
    if let Some(data) = data {
        w.raw(r#","data":"#)?.raw(data.as_str())?;
    }
    Ok(w.raw("}}")?.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Message<'_> {
        Message::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn tells_the_four_kinds_apart() {
        assert!(
            matches!(parse(r#"{"jsonrpc":"2.0","method":"getStatus","id":"3"}"#), Message::Request(r) if r.params.is_none() && r.id == "3")
        );
        assert!(
            matches!(parse(r#"{"jsonrpc":"2.0","method":"transactionEvent","params":{"type":"PIN_STARTED"}}"#), Message::Notification(n) if n.method == "transactionEvent")
        );
        assert!(
            matches!(parse(r#"{"jsonrpc":"2.0","id":"7","result":{"a":1}}"#), Message::Response(r) if r.result.unwrap().as_str() == r#"{"a":1}"#)
        );
        let Message::Error(e) = parse(
            r#"{"jsonrpc":"2.0","id":"8","error":{"code":101,"message":"no","data":"NO_GATEWAY"}}"#,
        ) else {
            panic!()
        };
        assert_eq!(
            (e.id.unwrap(), e.error.code),
            (Text::new("8"), RpcErrorCode::IllegalRequest)
        );
        assert_eq!(e.error.reason().unwrap(), "NO_GATEWAY");
    }

    #[test]
    fn tolerates_what_the_documents_and_devices_do() {
        // pair's documented response has no result; params null or absent; unknown members.
        assert!(
            matches!(parse(r#"{"jsonrpc":"2.0","id":"1"}"#), Message::Response(r) if r.result.is_none())
        );
        assert!(
            matches!(parse(r#"{"jsonrpc":"2.0","id":"1","result":null}"#), Message::Response(r) if r.result.is_none())
        );
        assert!(
            matches!(parse(r#"{"jsonrpc":"2.0","method":"m","id":"1","params":null,"x":[1]}"#), Message::Request(r) if r.params.is_none())
        );
        assert!(matches!(parse(r#"{"id":5,"result":true}"#), Message::Response(r) if r.id == "5"));
        assert!(
            matches!(parse(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#), Message::Error(e) if e.id.is_none())
        );
    }

    #[test]
    fn rejects_what_is_not_json_rpc() {
        for bad in [
            r#"[]"#,
            r#"{}"#,
            r#"{"jsonrpc":"1.0","id":"1","result":1}"#,
            r#"{"method":5}"#,
            r#"{"id":"1","error":{"message":"x"}}"#,
            r#"{"id":[],"result":1}"#,
        ] {
            assert!(
                matches!(
                    Message::parse(bad.as_bytes()),
                    Err(DecodeError::Envelope(_))
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            Message::parse(b"{\"id\":"),
            Err(DecodeError::Json(_))
        ));
    }

    #[test]
    fn encodes_the_spec_vector_byte_for_byte() {
        let mut buf = [0u8; 128];
        let n = encode_request::<()>(&mut buf, "1234", "getDeviceInfo", None).unwrap();
        assert_eq!(
            &buf[..n],
            br#"{"jsonrpc":"2.0","method":"getDeviceInfo","id":"1234","params":null}"#
        );
        assert_eq!(
            encode_request::<()>(&mut buf[..20], "1", "m", None),
            Err(EncodeError::BufferFull)
        );
    }

    #[test]
    fn a_raw_result_is_written_as_it_is() {
        let mut buf = [0u8; 96];
        let raw = RawJson::parse(br#"{"b": [1, 2], "a":"\u05d0"}"#).unwrap();
        let n = encode_response_raw(&mut buf, Text::new("3"), raw).unwrap();
        assert_eq!(
            &buf[..n],
            br#"{"jsonrpc":"2.0","id":"3","result":{"b": [1, 2], "a":"\u05d0"}}"#
        );
    }

    #[test]
    fn error_responses_round_trip() {
        let mut buf = [0u8; 160];
        let data = RawJson::parse(br#""AMOUNT_LIMIT_EXCEEDED""#).unwrap();
        let n = encode_error(
            &mut buf,
            Some(Text::new("9").into()),
            RpcErrorCode::IllegalRequest,
            "Illegal \"request\"",
            Some(data),
        )
        .unwrap();
        let Message::Error(e) = Message::parse(&buf[..n]).unwrap() else {
            panic!()
        };
        assert_eq!(e.error.message, "Illegal \"request\"");
        assert_eq!(e.error.reason().unwrap(), "AMOUNT_LIMIT_EXCEEDED");
    }
}
