//! Timers and switches of both roles (spec/protocol.md §2 "KeepAlive", §6). Every duration is
//! in milliseconds of the caller's monotonic clock: the session never reads a clock.

/// The client role's timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClientConfig {
    /// How often a KeepAlive is sent while connected (field: 15 s; ours: configurable).
    pub keepalive_interval_ms: u64,
    /// How long an ACK may take before the link is reported dead (ours).
    pub keepalive_deadline_ms: u64,
    /// How long a short request may wait for its answer (ours).
    pub request_timeout_ms: u64,
    /// How long a long-running request (a transaction, a prompt) may go without an answer or,
    /// for a transaction, an event; each `transactionEvent` starts it again (spec/protocol.md §6;
    /// ours: the length).
    pub transaction_timeout_ms: u64,
    /// The latest a transaction may end, events or not, counted from its request
    /// (spec/protocol.md §6: ours, 10 minutes).
    pub transaction_ceiling_ms: u64,
    /// Accept device frames whose CRC is sent low byte first (spec/protocol.md §1: off by
    /// default; such frames fail the waiting request with `Failure::SwappedCrc`, which names
    /// this option).
    pub accept_swapped_crc: bool,
    /// How long a partial frame may wait for its next byte before its STX is given up
    /// (ours: see `synqpay_link::Decoder::abandon_partial`).
    pub partial_frame_timeout_ms: u64,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            keepalive_interval_ms: 15_000,
            keepalive_deadline_ms: 5_000,
            request_timeout_ms: 10_000,
            transaction_timeout_ms: 120_000,
            transaction_ceiling_ms: 600_000,
            accept_swapped_crc: false,
            partial_frame_timeout_ms: 2_000,
        }
    }
}

/// Whether a device keeps the responses a client could not receive, for its return (the
/// device's `cachedResponses` setting, spec/protocol.md §2): see
/// [`Device::set_cached_responses`](crate::Device::set_cached_responses).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CachedResponses {
    /// Kept, and sent first when the client connects again.
    On,
    /// Not kept (the default, as on a device).
    #[default]
    Off,
}

/// The device role's switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DeviceConfig {
    /// Keep responses a client could not receive and send them when it connects again (the
    /// device's `cachedResponses` setting, spec/protocol.md §2). Off by default, as on a device.
    pub cached_responses: bool,
    /// How long a partial frame may wait for its next byte (ours, as for the client).
    pub partial_frame_timeout_ms: u64,
}

impl Default for DeviceConfig {
    fn default() -> Self {
        Self {
            cached_responses: false,
            partial_frame_timeout_ms: 2_000,
        }
    }
}
