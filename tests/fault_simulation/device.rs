//! The device application of the simulation, on top of the `Device` role of `synqpay-session`:
//! a ledger of transactions by `referenceId` and the methods a cashier's client uses.
//!
//! - `startTransaction` (spec/api.md "startTransaction params", "TransactionResult"): a new
//!   `referenceId` runs for a few virtual seconds, with `transactionEvent`s when asked
//!   (spec/api.md "Event"), then is recorded CAPTURED, or DECLINED when the amount is a
//!   multiple of 7, and answered with a TransactionResult naming `referenceId` and `amount`;
//!   a reused `referenceId` is 303, one while another transaction runs is 201
//!   (spec/protocol.md §4 codes, §5 states, §6 "Never send a payment twice").
//! - `getTransaction` by REF_ID: the recorded transaction, 302 when there is none, 201 while a
//!   transaction runs (spec/protocol.md §5: getTransaction needs IDLE).
//! - `getStatus` (§5), `cancel` (spec/api.md: the cancelled sale then answers CANCELED, here
//!   without a transaction and with no record in the ledger).
//!
//! A device defect the client must catch can be armed (`misanswer`): the next transaction in
//! an answer names another `referenceId`, or for a sale another amount; spec/protocol.md §6
//! says such a result is "never shown as this sale's outcome". The ledger keeps the truth.
//!
//! Cached responses are on (spec/protocol.md §2): the `Device` role keeps what a client could not
//! receive and replays it to the next connection with the same `ClientId`.

use std::collections::{HashMap, HashSet, VecDeque};

use synqpay_link::ApiKey;
use synqpay_rpc::{EventType, RpcErrorCode, TRANSACTION_EVENT, TransactionEvent};
use synqpay_session::{ClientId, Device, DeviceBuffers, DeviceConfig, ReplyTo, RespondError};

use crate::device_wire::{Out, Req, read, respond};
pub use crate::ledger::{Outcome, Recorded};
use crate::rng::Rng;
use crate::world::Trace;

/// The key of the pairing both clients share (spec/protocol.md §3).
pub const KEY: ApiKey = ApiKey::from_bytes([0x12, 0x34, 0xab, 0xcd]);

/// The most answers the application keeps waiting for room (invariant (d)).
pub const OUTBOX_BOUND: usize = 64;

struct Running {
    reply: ReplyTo,
    reference: String,
    amount: i64,
    finish_at: u64,
    next_event_at: u64,
}

/// The device: its session and its application.
pub struct DeviceSide {
    /// The device role.
    pub session: Device<Vec<u8>>,
    /// referenceId → recorded transaction.
    pub ledger: HashMap<String, Recorded>,
    /// startTransaction requests received, by referenceId (invariant (b)).
    pub received: HashMap<String, u32>,
    /// referenceIds received more than once, in order.
    pub twice: Vec<String>,
    /// Requests answered: the client and the id text the answer carries.
    pub answered: HashSet<(ClientId, String)>,
    /// Sales cancelled.
    pub cancelled: u64,
    /// The next transaction answered names another one (a device defect, armed by the world).
    pub misanswer: bool,
    /// Answers that named another transaction.
    pub misanswered: u64,
    /// The transaction recorded last.
    previous: Option<(String, Recorded)>,
    running: Option<Running>,
    outbox: VecDeque<(Option<ReplyTo>, Out)>,
    rng: Rng,
    verbose: bool,
}

impl DeviceSide {
    /// A paired device with cached responses on.
    pub fn new(rng: Rng, trace: Trace) -> Self {
        let verbose = trace == Trace::Printed;
        let config = DeviceConfig {
            cached_responses: true,
            ..DeviceConfig::default()
        };
        let buffers = DeviceBuffers {
            rx: vec![0; 4096],
            tx: vec![0; 8192],
            requests: vec![0; 4096],
            cache: vec![0; 8192],
        };
        let mut session = Device::new(config, buffers);
        session.set_api_key(Some(KEY));
        Self {
            session,
            ledger: HashMap::new(),
            received: HashMap::new(),
            twice: Vec::new(),
            answered: HashSet::new(),
            cancelled: 0,
            misanswer: false,
            misanswered: 0,
            previous: None,
            running: None,
            outbox: VecDeque::new(),
            rng,
            verbose,
        }
    }

    /// Answers waiting for room in the session.
    pub fn outbox_len(&self) -> usize {
        self.outbox.len()
    }

    /// Whether a transaction runs.
    pub fn busy(&self) -> bool {
        self.running.is_some()
    }

    /// When [`DeviceSide::tick`] has something to do.
    pub fn next_timer(&self) -> Option<u64> {
        self.running
            .as_ref()
            .map(|r| r.finish_at.min(r.next_event_at))
    }

    /// Serves every request the session has read.
    pub fn serve(&mut self, now: u64) {
        while let Some((reply, req)) = self.session.poll_request().map(|r| (r.reply_to, read(&r))) {
            if self.verbose {
                println!("t={now} device: request {}", reply.id());
            }
            self.handle(now, reply, req);
        }
        self.flush();
    }

    fn handle(&mut self, now: u64, reply: ReplyTo, req: Req) {
        let busy = Out::Error(RpcErrorCode::IllegalState, "a transaction is running");
        let out = match req {
            Req::Sale {
                reference,
                amount,
                events,
            } => {
                let n = self.received.entry(reference.clone()).or_insert(0);
                *n += 1;
                if *n > 1 {
                    self.twice.push(reference);
                    Out::Error(RpcErrorCode::TransactionAlreadyExist, "already exists")
                } else if self.running.is_some() {
                    busy
                } else {
                    let finish_at = now + self.rng.range(200, 6000);
                    let next_event_at = match events {
                        true => now + self.rng.range(50, 1500),
                        false => u64::MAX,
                    };
                    let r = Running {
                        reply,
                        reference,
                        amount,
                        finish_at,
                        next_event_at,
                    };
                    self.running = Some(r);
                    return;
                }
            }
            Req::Lookup(_) if self.running.is_some() => busy,
            Req::Lookup(Some(reference)) => match self.ledger.get(&reference) {
                Some(&recorded) => self.wrong(Out::Found {
                    reference,
                    recorded,
                }),
                None => Out::Error(RpcErrorCode::TransactionNotFound, "not found"),
            },
            Req::Lookup(None) => Out::Error(RpcErrorCode::MissingParams, "lookupValue"),
            Req::Status => Out::Status {
                running: self.running.is_some(),
            },
            Req::Cancel(reference) => match self.running.take() {
                Some(r) if r.reference == reference => {
                    self.cancelled += 1;
                    let (reference, amount) = (r.reference, r.amount);
                    let sale = Out::Sale {
                        reference,
                        amount,
                        outcome: None,
                    };
                    self.outbox.push_back((Some(r.reply), sale));
                    Out::Null
                }
                other => {
                    self.running = other;
                    Out::Error(RpcErrorCode::IllegalState, "nothing to cancel")
                }
            },
            Req::BadParams => Out::Error(RpcErrorCode::InvalidParams, "invalid params"),
            Req::Unknown => Out::Error(RpcErrorCode::MethodNotFound, "no such method"),
        };
        self.outbox.push_back((Some(reply), out));
    }

    /// The answer as a defective device would give it, when `misanswer` is armed: the
    /// transaction recorded before (a device answering with its "last transaction"), another
    /// amount for a sale, or a made-up referenceId.
    fn wrong(&mut self, out: Out) -> Out {
        let (reference, amount, outcome, found) = match out {
            _ if !self.misanswer => return out,
            Out::Sale {
                reference,
                amount,
                outcome: Some(o),
            } => (reference, amount, o, false),
            Out::Found {
                reference,
                recorded,
            } => (reference, recorded.amount, recorded.outcome, true),
            other => return other,
        };
        self.misanswer = false;
        self.misanswered += 1;
        let (reference, amount, outcome) = match &self.previous {
            Some((r, rec)) if *r != reference && self.rng.chance(50) => {
                (r.clone(), rec.amount, rec.outcome)
            }
            _ if !found && self.rng.chance(50) => (reference, amount + 1, outcome),
            _ => (format!("{reference}-other"), amount, outcome),
        };
        if self.verbose {
            println!("device: answers naming {reference} of {amount}, {outcome:?} (a defect)");
        }
        match found {
            true => Out::Found {
                reference,
                recorded: Recorded { amount, outcome },
            },
            false => Out::Sale {
                reference,
                amount,
                outcome: Some(outcome),
            },
        }
    }

    /// Runs the transaction in progress: its events, and its end.
    pub fn tick(&mut self, now: u64) {
        let Some(r) = &mut self.running else { return };
        if now >= r.finish_at {
            let r = self.running.take().expect("running");
            let outcome = Outcome::of_amount(r.amount);
            let recorded = Recorded {
                amount: r.amount,
                outcome,
            };
            self.ledger.insert(r.reference.clone(), recorded);
            let sale = Out::Sale {
                reference: r.reference.clone(),
                amount: r.amount,
                outcome: Some(outcome),
            };
            let out = self.wrong(sale);
            self.previous = Some((r.reference, recorded));
            self.outbox.push_back((Some(r.reply), out));
        } else if now >= r.next_event_at {
            r.next_event_at = now + self.rng.range(300, 3000);
            self.outbox.push_back((None, Out::Null));
        }
        self.flush();
    }

    /// Hands waiting answers (and events: no reply) to the session, in order, until its
    /// transmit buffer is full.
    pub fn flush(&mut self) {
        while let Some((reply, out)) = self.outbox.front() {
            let sent = match reply {
                Some(reply) => respond(&mut self.session, reply, out),
                None => {
                    let event_type = match self.rng.below(3) {
                        0 => EventType::WaitingForCard,
                        1 => EventType::CardDetected,
                        _ => EventType::AuthorizationStarted,
                    };
                    let event = TransactionEvent { event_type };
                    self.session.notify(TRANSACTION_EVENT, &event)
                }
            };
            match sent {
                Ok(_) => {
                    if let Some(reply) = reply {
                        self.answered
                            .insert((reply.client(), reply.id().to_string()));
                    }
                    self.outbox.pop_front();
                }
                Err(RespondError::TxFull) => break,
                Err(RespondError::Encode) => panic!("harness: an answer that cannot be encoded"),
            }
        }
    }
}
