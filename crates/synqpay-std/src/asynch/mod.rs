//! The async client for tokio apps (feature `tokio`): the same session and semantics as the
//! blocking [`crate::Client`] (spec/protocol.md §2–§6), over tokio and tokio-rustls.
//!
//! # Design
//!
//! - A **driver task** (spawned by [`Client::connect`]) is the one owner of the connection:
//!   it writes, reads, runs the session's timers (KeepAlive, ACK and request deadlines),
//!   hands each event to the call that waits for it, and reconnects, paced by the backoff,
//!   while a request is outstanding. It stops when the [`Client`] is dropped.
//! - The **session** is shared between the driver and the callers under a lock that is held
//!   only for a few steps and never across an `.await`: a call queues its request and
//!   registers where its end goes (a oneshot channel; for a payment, a bounded channel of its
//!   notifications) in one step, rings the driver, and awaits.
//! - **Cancel safety**: a future dropped at any `.await` leaves the session whole. Its
//!   request, once queued, runs to its end; its answer, which nobody waits for any more, lands
//!   in [`Client::late_responses`]. A payment's future dropped does not stop the payment (see
//!   [`Client`]'s money rule); [`Canceller`] does.
//! - What both clients decide alike (what each session event means to a call, when a query
//!   is sent once more, the bounded queues of 64) is one private module both use.
//!
//! Serial ports are for the blocking client only.

mod canceller;
mod client;
mod driver;
mod link;
mod state;

pub use canceller::Canceller;
pub use client::Client;
