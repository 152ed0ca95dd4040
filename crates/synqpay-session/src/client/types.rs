//! What the client role takes and reports: its buffers, how a connection started, why a request
//! was refused, and its counters.

/// The caller's buffers, sized by the caller.
///
/// - `rx`: the frame decoder; the largest response it accepts is its length minus 13. A
///   transaction result with receipts is about 3 KiB: 4 KiB is a sound default.
/// - `tx`: frames waiting for the transport; the largest request plus a KeepAlive.
/// - `inbox`: answers and notifications waiting for [`Client::poll_event`](super::Client::poll_event), each with 9 bytes
///   of bookkeeping. What does not fit is reported as [`ClientEvent::Overflow`](super::ClientEvent::Overflow), never dropped
///   silently.
pub struct ClientBuffers<B> {
    /// Receive buffer.
    pub rx: B,
    /// Transmit buffer.
    pub tx: B,
    /// Inbox.
    pub inbox: B,
}

/// How a connection started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Connected {
    /// Nothing was outstanding.
    Fresh,
    /// Requests of earlier connections are still outstanding; their answers (cached by the
    /// device) will be matched on this one.
    Resumed {
        /// How many.
        outstanding: usize,
    },
}

/// Why a request could not be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SendError {
    /// There is no connection (ours: requests, payments above all, are never queued offline).
    NotConnected,
    /// No API key yet: pair and authenticate first.
    NotPaired,
    /// As many requests are outstanding as the session has room for.
    TooManyPending,
    /// The transmit buffer is busy with earlier frames: transmit, then try again.
    TxFull,
    /// The request is larger than the whole transmit buffer.
    TooLarge,
    /// The parameters could not be written as JSON.
    Encode,
    /// Parameters given as JSON text do not fit the method (a payment is sent only when its
    /// result can be checked against it, spec/protocol.md §6).
    Params,
    /// A payment's `referenceId` is longer than 64 characters (spec/api.md "startTransaction
    /// params"; `synqpay_rpc::MAX_REFERENCE_ID`): its result could not be checked against it.
    ReferenceTooLong,
}

impl core::fmt::Display for SendError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::NotConnected => "not connected",
            Self::NotPaired => "no API key: pair first",
            Self::TooManyPending => "too many requests outstanding",
            Self::TxFull => "the transmit buffer is full",
            Self::TooLarge => "the request is larger than the transmit buffer",
            Self::Encode => "the parameters could not be encoded",
            Self::Params => "the parameters do not fit the method",
            Self::ReferenceTooLong => "the referenceId is longer than 64 characters",
        })
    }
}

impl core::error::Error for SendError {}

/// Counters of the client role.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClientStats {
    /// Answers to requests already answered: dropped.
    pub duplicates: u32,
    /// Frames from the device that failed (CRC, length, ...).
    pub bad_frames: u32,
    /// Frames of a kind a device does not send (a Request).
    pub unexpected_frames: u32,
    /// KeepAlives sent.
    pub keepalives: u32,
    /// Messages lost to a full inbox (each also reported).
    pub lost: u32,
    /// Answers whose id this session never sent (another session's cached answers, or none):
    /// reported as [`ClientEvent::Unsolicited`](super::ClientEvent::Unsolicited), never
    /// matched to a call.
    pub unsolicited: u32,
    /// Frames whose CRC matched only byte-swapped (spec/protocol.md §1).
    pub swapped_crc: u32,
}
