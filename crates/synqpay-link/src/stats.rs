//! Counters a decoder keeps (ours: the spec asks for none; operators want them).

use crate::FrameError;

/// What a [`Decoder`](crate::Decoder) has seen since it was created. Counters saturate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Stats {
    /// Valid frames decoded.
    pub frames: u32,
    /// Bytes skipped while looking for an STX (not counting rejected candidates' STX bytes).
    pub skipped_bytes: u32,
    /// Candidates rejected as INVALID_MESSAGE (wrong ETX, or abandoned while incomplete).
    pub invalid_message: u32,
    /// Candidates rejected as INVALID_MSG_TYPE.
    pub invalid_msg_type: u32,
    /// Candidates rejected as CRC_ERROR.
    pub crc_error: u32,
    /// Candidates rejected as LEN_ERROR.
    pub len_error: u32,
}

impl Stats {
    /// All rejected candidates, whatever the kind.
    pub const fn errors(&self) -> u32 {
        self.invalid_message
            .saturating_add(self.invalid_msg_type)
            .saturating_add(self.crc_error)
            .saturating_add(self.len_error)
    }

    pub(crate) fn count_error(&mut self, error: &FrameError) {
        let counter = match error {
            FrameError::InvalidMessage => &mut self.invalid_message,
            FrameError::InvalidMsgType(_) => &mut self.invalid_msg_type,
            FrameError::CrcError { .. } => &mut self.crc_error,
            FrameError::LenError { .. } => &mut self.len_error,
        };
        *counter = counter.saturating_add(1);
    }
}
