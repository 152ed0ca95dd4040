//! The `data` of a device's JSON-RPC error, kept (spec/protocol.md §4: a 101 IllegalRequest
//! says why in its data, such as `"AMOUNT_LIMIT_EXCEEDED"`), bounded and copied out of the
//! session's inbox so that the error can leave the call.

use core::fmt;

/// How many bytes of an error's data are kept (ours: the documented reasons are under 32).
pub const RPC_DATA_LEN: usize = 48;

/// The `data` member of a JSON-RPC error as JSON text (`"NO_GATEWAY"` with its quotes), at
/// most [`RPC_DATA_LEN`] bytes: longer data is cut at a character boundary and marked so.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RpcData {
    bytes: [u8; RPC_DATA_LEN],
    len: u8,
    cut: bool,
}

impl RpcData {
    /// No data.
    pub const NONE: Self = Self {
        bytes: [0; RPC_DATA_LEN],
        len: 0,
        cut: false,
    };

    /// Keeps the first [`RPC_DATA_LEN`] bytes of `json` (whole characters).
    pub fn new(json: &str) -> Self {
        let mut end = json.len().min(RPC_DATA_LEN);
        while !json.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = [0; RPC_DATA_LEN];
        bytes[..end].copy_from_slice(&json.as_bytes()[..end]);
        Self {
            bytes,
            len: end as u8,
            cut: end < json.len(),
        }
    }

    /// The data as JSON text (`""` when the error had none).
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }

    /// The reason when the data is a JSON string, such as `AMOUNT_LIMIT_EXCEEDED` (without the
    /// quotes), for matching; `None` otherwise.
    pub fn reason(&self) -> Option<&str> {
        let s = self.as_str();
        s.strip_prefix('"')?.strip_suffix('"')
    }

    /// Whether the error had no data.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the data was longer than [`RPC_DATA_LEN`] and was cut.
    pub fn was_cut(&self) -> bool {
        self.cut
    }
}

impl fmt::Debug for RpcData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())?;
        if self.cut {
            f.write_str("…")?;
        }
        Ok(())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for RpcData {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=str}", self.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_kept_bounded_and_its_reason_read() {
        let d = RpcData::new(r#""NO_GATEWAY""#);
        assert_eq!(d.reason(), Some("NO_GATEWAY"));
        assert!(!d.was_cut() && !d.is_empty());
        let long = "\"ש".repeat(40);
        let d = RpcData::new(&long);
        assert!(d.was_cut() && d.as_str().len() <= RPC_DATA_LEN);
        assert!(d.as_str().chars().all(|c| c == '"' || c == 'ש'));
        assert!(RpcData::NONE.is_empty());
    }
}
