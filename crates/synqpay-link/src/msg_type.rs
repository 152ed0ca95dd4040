//! Message types of the link layer (spec/protocol.md §1, the type table).

/// The type byte that follows STX (spec/protocol.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum MessageType {
    /// `0x01`, client to device: API key, length, JSON-RPC request, CRC.
    Request = 0x01,
    /// `0x02`, device to client: length, JSON-RPC response, CRC.
    Response = 0x02,
    /// `0x03`, device to client: length, JSON-RPC notification, CRC.
    Event = 0x03,
    /// `0x04`, no body: "are you there?". Sent by the client; a device may send one too (field).
    KeepAlive = 0x04,
    /// `0x05`, no body: the answer to a KeepAlive.
    Ack = 0x05,
    /// `0x06`, one error code byte, sent by the device.
    Error = 0x06,
}

impl MessageType {
    /// The type for a type byte, or `None` for a byte the spec does not define
    /// (which a receiver reports as `INVALID_MSG_TYPE`).
    pub const fn from_u8(byte: u8) -> Option<Self> {
        Some(match byte {
            0x01 => Self::Request,
            0x02 => Self::Response,
            0x03 => Self::Event,
            0x04 => Self::KeepAlive,
            0x05 => Self::Ack,
            0x06 => Self::Error,
            _ => return None,
        })
    }

    /// The byte on the wire.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// Whether frames of this type carry a length, a payload and a CRC.
    pub const fn has_payload(self) -> bool {
        matches!(self, Self::Request | Self::Response | Self::Event)
    }

    /// Bytes of the frame before the payload: STX, type, (API key,) length.
    /// For types without a payload: the whole frame but the ETX.
    pub const fn header_len(self) -> usize {
        match self {
            Self::Request => 1 + 1 + 4 + 4,
            Self::Response | Self::Event => 1 + 1 + 4,
            Self::KeepAlive | Self::Ack => 1 + 1,
            Self::Error => 1 + 1 + 1,
        }
    }

    /// Bytes of the frame after the payload: CRC and ETX, or ETX alone.
    pub const fn trailer_len(self) -> usize {
        if self.has_payload() { 2 + 1 } else { 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_byte_round_trips_and_others_are_rejected() {
        for byte in 0..=u8::MAX {
            match MessageType::from_u8(byte) {
                Some(t) => assert_eq!(t.as_u8(), byte),
                None => assert!(byte == 0 || byte > 6, "byte {byte:#04x}"),
            }
        }
    }

    #[test]
    fn header_and_trailer_lengths_match_the_spec_table() {
        assert_eq!(
            MessageType::Request.header_len() + MessageType::Request.trailer_len(),
            13
        );
        assert_eq!(
            MessageType::Response.header_len() + MessageType::Response.trailer_len(),
            9
        );
        assert_eq!(
            MessageType::KeepAlive.header_len() + MessageType::KeepAlive.trailer_len(),
            3
        );
        assert_eq!(
            MessageType::Error.header_len() + MessageType::Error.trailer_len(),
            4
        );
    }
}
