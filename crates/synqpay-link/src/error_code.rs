//! Link error codes, the body of an Error frame (spec/protocol.md §1, "Error codes").

/// The one byte an Error frame carries (spec/protocol.md §1).
///
/// An Error frame names no request: the session layer decides what it applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ErrorCode {
    /// `0x01`: the frame was malformed (wrong ETX, cut short).
    InvalidMessage,
    /// `0x02`: the type byte is not one the device knows.
    InvalidMsgType,
    /// `0x03`: the CRC did not match.
    CrcError,
    /// `0x04`: the length field was invalid (for the device: too large).
    LenError,
    /// `0x05`: the API key was missing or wrong; the client must pair again.
    NotAuthenticated,
    /// Any other byte. Ours: kept, not rejected, so that a device that grows a new code is still
    /// understood as "an error" and the frame re-encodes to the same bytes. `Unknown` never holds
    /// `0x01..=0x05`: [`ErrorCode::from_u8`] maps those to their names.
    Unknown(u8),
}

impl ErrorCode {
    /// The code for a byte on the wire.
    pub const fn from_u8(byte: u8) -> Self {
        match byte {
            0x01 => Self::InvalidMessage,
            0x02 => Self::InvalidMsgType,
            0x03 => Self::CrcError,
            0x04 => Self::LenError,
            0x05 => Self::NotAuthenticated,
            other => Self::Unknown(other),
        }
    }

    /// The byte on the wire.
    pub const fn as_u8(self) -> u8 {
        match self {
            Self::InvalidMessage => 0x01,
            Self::InvalidMsgType => 0x02,
            Self::CrcError => 0x03,
            Self::LenError => 0x04,
            Self::NotAuthenticated => 0x05,
            Self::Unknown(byte) => byte,
        }
    }

    /// The name the spec gives the code, such as `"CRC_ERROR"`; `"UNKNOWN"` for others.
    pub const fn name(self) -> &'static str {
        match self {
            Self::InvalidMessage => "INVALID_MESSAGE",
            Self::InvalidMsgType => "INVALID_MSG_TYPE",
            Self::CrcError => "CRC_ERROR",
            Self::LenError => "LEN_ERROR",
            Self::NotAuthenticated => "NOT_AUTHENTICATED",
            Self::Unknown(_) => "UNKNOWN",
        }
    }
}

impl core::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Unknown(byte) => write!(f, "UNKNOWN({byte:#04x})"),
            known => f.write_str(known.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips() {
        for byte in 0..=u8::MAX {
            assert_eq!(ErrorCode::from_u8(byte).as_u8(), byte);
        }
    }

    #[test]
    fn names_follow_the_spec() {
        assert_eq!(ErrorCode::from_u8(5).name(), "NOT_AUTHENTICATED");
        assert_eq!(ErrorCode::from_u8(4).name(), "LEN_ERROR");
        assert_eq!(ErrorCode::from_u8(9), ErrorCode::Unknown(9));
    }
}
