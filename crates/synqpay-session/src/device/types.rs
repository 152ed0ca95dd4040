//! What the device role takes and hands out: its buffers, client identities, requests for the
//! application and where their answers go, and its counters.

use synqpay_rpc::{EchoId, Method, RawJson, Text};

/// ours: the longest request id echoed back; a longer one is answered -32600 with a null id.
pub const MAX_ID_LEN: usize = 64;

/// The caller's buffers.
///
/// - `rx`: the frame decoder (largest request + 13 bytes);
/// - `tx`: frames waiting for the transport;
/// - `requests`: valid requests waiting for [`Device::poll_request`](super::Device::poll_request);
/// - `cache`: responses kept for a client that dropped (may be empty when caching is off).
pub struct DeviceBuffers<B> {
    /// Receive buffer.
    pub rx: B,
    /// Transmit buffer.
    pub tx: B,
    /// Requests waiting for the application.
    pub requests: B,
    /// Responses kept for a client that dropped.
    pub cache: B,
}

/// Who a client is. Ours: the device knows nothing else of a client at connect time than its
/// address, so an IP address (v4 mapped into v6) is the usual identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClientId(pub [u8; 16]);

/// What [`Device::connect`](super::Device::connect) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DeviceConnected {
    /// Another client was connected and has been replaced (spec/protocol.md §2).
    pub replaced: bool,
    /// Cached responses queued first on this connection.
    pub cached_sent: usize,
}

/// What became of a response or event handed to the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Delivery {
    /// Queued on the current connection.
    Queued,
    /// No client is connected: kept for the last one's return.
    Cached,
    /// Not deliverable and not kept (no client, caching off or the cache full; or an event,
    /// which is never cached). Counted in [`DeviceStats::undeliverable`].
    Dropped,
}

/// A response could not even be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RespondError {
    /// Larger than the transmit buffer, or the buffer is busy: transmit and try again.
    TxFull,
    /// The result could not be written as JSON.
    Encode,
}

/// Where an answer goes: the client the request came from, and the request's id as received.
///
/// An answer for a client that is no longer connected (it dropped, or another client took
/// over) is kept for its return, never sent to whoever is connected now.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ReplyTo {
    client: ClientId,
    raw: [u8; MAX_ID_LEN],
    len: u8,
    /// The id came as a JSON number: it is answered as one (ours).
    numeric: bool,
}

impl ReplyTo {
    /// Where the answer to a request with id `id` from `client` goes.
    pub(super) fn new(client: ClientId, id: EchoId<'_>) -> Option<Self> {
        let (wire, numeric) = match id {
            EchoId::Text(text) => (text.as_wire(), false),
            EchoId::Number(digits) => (digits, true),
        };
        let mut raw = [0u8; MAX_ID_LEN];
        raw.get_mut(..wire.len())?.copy_from_slice(wire.as_bytes());
        Some(Self {
            client,
            raw,
            len: wire.len() as u8,
            numeric,
        })
    }

    /// The id as the answer carries it: the same text and JSON type as the request's.
    pub fn echo_id(&self) -> EchoId<'_> {
        match (self.numeric, self.id().as_str()) {
            (true, Some(digits)) => EchoId::Number(digits),
            _ => EchoId::Text(self.id()),
        }
    }

    /// The client the request came from.
    pub fn client(&self) -> ClientId {
        self.client
    }

    /// The id.
    pub fn id(&self) -> Text<'_> {
        // Copied from a valid JSON string body, so it is valid again.
        let wire = core::str::from_utf8(&self.raw[..usize::from(self.len)]).unwrap_or("");
        Text::from_wire(wire).unwrap_or(Text::new(""))
    }
}

impl core::fmt::Debug for ReplyTo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ReplyTo({:?})", self.id())
    }
}

/// A valid, authenticated request for the application.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IncomingRequest<'a> {
    /// What to answer with.
    pub reply_to: ReplyTo,
    /// The method.
    pub method: Text<'a>,
    /// The parameters (`None`: absent or `null`).
    pub params: Option<RawJson<'a>>,
    /// Whether it came with the zero key (only `pair` and `authenticate` do).
    pub zero_key: bool,
}

impl<'a> IncomingRequest<'a> {
    /// Whether this is a call of method `M`.
    pub fn is<M: Method>(&self) -> bool {
        self.method == M::NAME
    }

    /// The parameters as method `M`'s.
    pub fn params<M: Method>(&self) -> Result<M::Params<'a>, synqpay_rpc::DecodeError> {
        M::decode_params(self.params)
    }
}

/// Counters of the device role.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DeviceStats {
    /// Requests handed to the application.
    pub requests: u32,
    /// Link Error frames sent for malformed input.
    pub link_errors: u32,
    /// Requests refused with NOT_AUTHENTICATED.
    pub not_authenticated: u32,
    /// Requests answered with a JSON-RPC error by the session (parse errors, a full queue).
    pub refused: u32,
    /// Responses kept for a client that dropped.
    pub cached: u32,
    /// Responses and events that could be neither delivered nor kept.
    pub undeliverable: u32,
}
