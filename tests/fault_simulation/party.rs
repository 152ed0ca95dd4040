//! The client side: a party (one `ClientId`, as the device knows a client by its IP address,
//! spec/protocol.md §2) runs one client process at a time, each a `Client` session with its own
//! random id prefix (§2 "Cached responses", ours: ids `PPPPPPPP-N`). What each process sent is
//! remembered, so that every event can be checked: answers against the ledger (§6), ids against
//! the session's own (§2: an answer to another session's request is never a call's answer).

use std::collections::HashMap;

use synqpay_link::ErrorCode;
use synqpay_rpc::{IdPrefix, Message};
use synqpay_session::{Client, ClientBuffers, ClientConfig, ClientEvent, ClientId, Failure};

use crate::world::PENDING;

/// A request a process sent, as the harness remembers it.
#[derive(Debug, Clone)]
pub enum Sent {
    /// startTransaction SALE.
    Sale {
        /// Its referenceId.
        reference: String,
        /// Minor units.
        amount: i64,
    },
    /// getTransaction by REF_ID.
    Lookup(String),
    /// getStatus.
    Status,
    /// cancel of this referenceId.
    Cancel(String),
}

/// A client event, owned.
#[derive(Debug, Clone)]
pub enum Seen {
    Response(u32, Vec<u8>),
    Failed(u32, Failure, Option<String>),
    Notification,
    Late(u32, Vec<u8>),
    Unsolicited(Vec<u8>),
    LinkDead,
    LinkError(ErrorCode),
    Overflow(u32),
}

/// One client process: a session and what it sent.
pub struct Process {
    /// The session.
    pub client: Client<Vec<u8>, PENDING>,
    /// Its id prefix.
    pub prefix: u32,
    /// Requests not yet reported, by id.
    pub sent: HashMap<u32, Sent>,
    /// When each request was queued, by id.
    pub sent_at: HashMap<u32, u64>,
    /// Requests reported failed, by id (a late answer may follow).
    pub failed: HashMap<u32, Sent>,
    /// The highest id it sent.
    pub max_id: u32,
}

impl Process {
    /// A new process with the pairing's key, not connected, with an inbox of `inbox` bytes.
    pub fn new(prefix: u32, inbox: usize) -> Self {
        let config = ClientConfig::default();
        let buffers = ClientBuffers {
            rx: vec![0; 4096],
            tx: vec![0; 2048],
            inbox: vec![0; inbox],
        };
        let client =
            Client::new(config, buffers, IdPrefix(prefix)).with_api_key(crate::device::KEY);
        Self {
            client,
            prefix,
            sent: HashMap::new(),
            sent_at: HashMap::new(),
            failed: HashMap::new(),
            max_id: 0,
        }
    }

    /// The wire text of this process's request `id`.
    pub fn id_text(&self, id: u32) -> String {
        format!("{:08x}-{id}", self.prefix)
    }

    /// Remembers a request just queued.
    pub fn remember(&mut self, now: u64, id: u32, sent: Sent) {
        self.max_id = self.max_id.max(id);
        self.sent_at.insert(id, now);
        self.sent.insert(id, sent);
    }

    /// Every event the session has, owned.
    pub fn events(&mut self) -> Vec<Seen> {
        let mut out = Vec::new();
        while let Some(e) = self.client.poll_event() {
            out.push(match e {
                ClientEvent::Response { id, payload } => Seen::Response(id.0, payload.to_vec()),
                ClientEvent::Failed {
                    id,
                    failure,
                    reference_id,
                } => Seen::Failed(id.0, failure, reference_id.map(String::from)),
                ClientEvent::Notification { .. } => Seen::Notification,
                ClientEvent::LateResponse { id, payload } => Seen::Late(id.0, payload.to_vec()),
                ClientEvent::Unsolicited { payload } => Seen::Unsolicited(payload.to_vec()),
                ClientEvent::LinkDead => Seen::LinkDead,
                ClientEvent::LinkError(code) => Seen::LinkError(code),
                ClientEvent::Overflow { lost } => Seen::Overflow(lost),
            });
        }
        out
    }
}

/// A client as the device knows it: one address, one process at a time.
pub struct Party {
    /// "A" (the cashier's app) or "B" (another client on the network).
    pub name: &'static str,
    /// Its address.
    pub id: ClientId,
    /// The process running now, if any.
    pub process: Option<Process>,
    /// The connection its process believes it is on.
    pub conn: Option<u64>,
    /// The application is busy and polls no events before this time.
    pub busy_until: u64,
    /// When it connects again.
    pub reconnect_at: Option<u64>,
    /// When it goes away for good (B only).
    pub leave_at: Option<u64>,
    /// Prefixes and highest ids of its processes that ended.
    pub history: Vec<(u32, u32)>,
}

impl Party {
    /// A party with no process.
    pub fn new(name: &'static str, id: ClientId) -> Self {
        Self {
            name,
            id,
            process: None,
            conn: None,
            busy_until: 0,
            reconnect_at: None,
            leave_at: None,
            history: Vec::new(),
        }
    }
}

/// The `id` text a response payload carries, if any.
pub fn payload_id(payload: &[u8]) -> Option<String> {
    match Message::parse(payload).ok()? {
        Message::Response(r) => Some(r.id.to_string()),
        Message::Error(e) => e.id.map(|id| id.to_string()),
        _ => None,
    }
}
