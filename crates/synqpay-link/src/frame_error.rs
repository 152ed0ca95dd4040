//! What a receiver reports when a candidate frame fails (spec/protocol.md §1, "Resynchronisation").

use crate::ErrorCode;

/// Why a candidate frame (bytes starting at an STX) was rejected.
///
/// Each variant maps to the link error code a device answers with ([`FrameError::code`]). After
/// any of them the decoder has dropped only the candidate's STX byte and goes on scanning from the
/// next byte, so a real frame that follows is never lost (ours, spec/protocol.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FrameError {
    /// The byte where ETX belongs is something else, or a partial frame was abandoned.
    InvalidMessage,
    /// The type byte after STX is not a known [`MessageType`](crate::MessageType).
    InvalidMsgType(u8),
    /// The CRC over length and payload does not match the one received.
    CrcError {
        /// CRC-16/MODBUS computed over the received length and payload.
        computed: u16,
        /// The CRC field as received (big-endian).
        received: u16,
    },
    /// The length field exceeds what this receiver accepts; detected from the four length bytes
    /// alone, before any payload is buffered.
    LenError {
        /// The length field as received.
        length: u32,
        /// The largest payload this receiver accepts.
        max: u32,
    },
}

impl FrameError {
    /// The link error code a device answers this with in an Error frame.
    pub const fn code(self) -> ErrorCode {
        match self {
            Self::InvalidMessage => ErrorCode::InvalidMessage,
            Self::InvalidMsgType(_) => ErrorCode::InvalidMsgType,
            Self::CrcError { .. } => ErrorCode::CrcError,
            Self::LenError { .. } => ErrorCode::LenError,
        }
    }
}

impl core::fmt::Display for FrameError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            Self::InvalidMessage => {
                f.write_str("INVALID_MESSAGE: malformed frame (no ETX where expected)")
            }
            Self::InvalidMsgType(t) => write!(f, "INVALID_MSG_TYPE: unknown message type {t:#04x}"),
            Self::CrcError { computed, received } => {
                write!(
                    f,
                    "CRC_ERROR: received {received:#06x}, computed {computed:#06x}"
                )
            }
            Self::LenError { length, max } => {
                write!(
                    f,
                    "LEN_ERROR: length {length} exceeds the limit of {max} bytes"
                )
            }
        }
    }
}

impl core::error::Error for FrameError {}
