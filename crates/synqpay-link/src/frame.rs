//! A frame as a value, and its encoding (spec/protocol.md §1, "Frame" and the type table).
//!
//! Layout on the wire, all integers big-endian, no byte stuffing (ours: the spec is silent):
//!
//! ```text
//! Request   02 01 | key(4) | len(4) | payload | crc(2) | 03
//! Response  02 02 |          len(4) | payload | crc(2) | 03
//! Event     02 03 |          len(4) | payload | crc(2) | 03
//! KeepAlive 02 04 | 03
//! ACK       02 05 | 03
//! Error     02 06 | code(1) | 03
//! ```

use crate::crc::frame_crc;
use crate::{ApiKey, ErrorCode, MessageType};

/// Start of every frame.
pub const STX: u8 = 0x02;
/// End of every frame.
pub const ETX: u8 = 0x03;
/// The most bytes a frame adds around its payload (a Request: 10 before, 3 after).
pub const MAX_OVERHEAD: usize = 13;

/// One link-layer frame. Payloads borrow from wherever the frame came from; nothing is copied.
///
/// A payload is one JSON-RPC 2.0 message in UTF-8 (spec/protocol.md §1); this layer does not
/// look inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Frame<'a> {
    /// A JSON-RPC request from the client, with its API key ([`ApiKey::ZERO`] for pairing).
    Request {
        /// The key the client was given by `authenticate`.
        api_key: ApiKey,
        /// The JSON-RPC request.
        payload: &'a [u8],
    },
    /// A JSON-RPC response from the device.
    Response {
        /// The JSON-RPC response.
        payload: &'a [u8],
    },
    /// A JSON-RPC notification from the device (`transactionEvent`).
    Event {
        /// The JSON-RPC notification.
        payload: &'a [u8],
    },
    /// KeepAlive: the peer answers with [`Frame::Ack`].
    KeepAlive,
    /// The answer to a KeepAlive.
    Ack,
    /// A link error reported by the device.
    Error(ErrorCode),
}

/// Why a frame could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EncodeError {
    /// The output buffer is too small; `needed` bytes would do.
    BufferTooSmall {
        /// The exact size of the encoded frame.
        needed: usize,
        /// The size of the buffer that was given.
        available: usize,
    },
    /// The payload is longer than the 4-byte length field can express.
    PayloadTooLong(usize),
    /// [`seal`] was asked for a type that carries no payload.
    NoPayload(MessageType),
}

impl core::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::BufferTooSmall { needed, available } => {
                write!(
                    f,
                    "the frame needs {needed} bytes, the buffer has {available}"
                )
            }
            Self::PayloadTooLong(n) => {
                write!(f, "a payload of {n} bytes does not fit a 32-bit length")
            }
            Self::NoPayload(t) => write!(f, "a {t:?} frame carries no payload"),
        }
    }
}

impl core::error::Error for EncodeError {}

impl<'a> Frame<'a> {
    /// The frame's message type.
    pub const fn message_type(&self) -> MessageType {
        match self {
            Self::Request { .. } => MessageType::Request,
            Self::Response { .. } => MessageType::Response,
            Self::Event { .. } => MessageType::Event,
            Self::KeepAlive => MessageType::KeepAlive,
            Self::Ack => MessageType::Ack,
            Self::Error(_) => MessageType::Error,
        }
    }

    /// The JSON-RPC payload, for the three types that carry one.
    pub const fn payload(&self) -> Option<&'a [u8]> {
        match *self {
            Self::Request { payload, .. }
            | Self::Response { payload }
            | Self::Event { payload } => Some(payload),
            _ => None,
        }
    }

    /// The exact number of bytes [`Frame::encode`] writes.
    pub const fn encoded_len(&self) -> usize {
        let t = self.message_type();
        let payload = match self.payload() {
            Some(p) => p.len(),
            None => 0,
        };
        t.header_len() + payload + t.trailer_len()
    }

    /// Writes the frame to the start of `out` and returns its length.
    ///
    /// Nothing is written when the buffer is too small: the error carries the size needed.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let needed = self.encoded_len();
        if out.len() < needed {
            return Err(EncodeError::BufferTooSmall {
                needed,
                available: out.len(),
            });
        }
        let t = self.message_type();
        if let Some(payload) = self.payload() {
            let start = t.header_len();
            out[start..start + payload.len()].copy_from_slice(payload);
            let key = match self {
                Self::Request { api_key, .. } => Some(*api_key),
                _ => None,
            };
            return seal(&mut out[..needed], t, key, payload.len());
        }
        out[0] = STX;
        out[1] = t.as_u8();
        if let Self::Error(code) = self {
            out[2] = code.as_u8();
        }
        out[needed - 1] = ETX;
        Ok(needed)
    }
}

/// Completes a payload frame whose payload was already written in place.
///
/// For encoders that serialize JSON straight into the transmit buffer: write the payload at
/// `buf[t.header_len()..]`, then call this to fill in STX, type, key, length, CRC and ETX. `key`
/// is used only for [`MessageType::Request`] (`None` there means [`ApiKey::ZERO`]). Returns the
/// frame length, `t.header_len() + payload_len + t.trailer_len()`.
pub fn seal(
    buf: &mut [u8],
    t: MessageType,
    key: Option<ApiKey>,
    payload_len: usize,
) -> Result<usize, EncodeError> {
    let length =
        u32::try_from(payload_len).map_err(|_| EncodeError::PayloadTooLong(payload_len))?;
    if !t.has_payload() {
        return Err(EncodeError::NoPayload(t));
    }
    let header = t.header_len();
    let needed = header + payload_len + t.trailer_len();
    if buf.len() < needed {
        return Err(EncodeError::BufferTooSmall {
            needed,
            available: buf.len(),
        });
    }
    let len_bytes = length.to_be_bytes();
    buf[0] = STX;
    buf[1] = t.as_u8();
    if t == MessageType::Request {
        buf[2..6].copy_from_slice(&key.unwrap_or(ApiKey::ZERO).to_bytes());
    }
    buf[header - 4..header].copy_from_slice(&len_bytes);
    let crc = frame_crc(len_bytes, &buf[header..header + payload_len]);
    buf[header + payload_len..header + payload_len + 2].copy_from_slice(&crc.to_be_bytes());
    buf[needed - 1] = ETX;
    Ok(needed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_small_buffer_says_what_is_needed_and_writes_nothing() {
        let frame = Frame::Response { payload: b"{}" };
        let mut buf = [0xAAu8; 10];
        assert_eq!(
            frame.encode(&mut buf),
            Err(EncodeError::BufferTooSmall {
                needed: 11,
                available: 10
            })
        );
        assert_eq!(buf, [0xAA; 10]);
    }

    #[test]
    fn encodes_the_short_frames() {
        let mut buf = [0u8; 4];
        assert_eq!(Frame::KeepAlive.encode(&mut buf), Ok(3));
        assert_eq!(&buf[..3], &[0x02, 0x04, 0x03]);
        assert_eq!(Frame::Ack.encode(&mut buf), Ok(3));
        assert_eq!(&buf[..3], &[0x02, 0x05, 0x03]);
        assert_eq!(
            Frame::Error(ErrorCode::NotAuthenticated).encode(&mut buf),
            Ok(4)
        );
        assert_eq!(buf, [0x02, 0x06, 0x05, 0x03]);
    }

    #[test]
    fn seal_matches_encode() {
        let key = ApiKey::from_bytes([0x12, 0x34, 0xab, 0xcd]);
        let payload = b"{\"jsonrpc\":\"2.0\"}";
        let frame = Frame::Request {
            api_key: key,
            payload,
        };
        let mut a = [0u8; 64];
        let n = frame.encode(&mut a).unwrap();
        let mut b = [0u8; 64];
        b[10..10 + payload.len()].copy_from_slice(payload);
        assert_eq!(
            seal(&mut b, MessageType::Request, Some(key), payload.len()),
            Ok(n)
        );
        assert_eq!(a[..n], b[..n]);
    }

    #[test]
    fn seal_refuses_types_without_payload() {
        let mut buf = [0u8; 8];
        assert_eq!(
            seal(&mut buf, MessageType::Ack, None, 0),
            Err(EncodeError::NoPayload(MessageType::Ack))
        );
    }
}
