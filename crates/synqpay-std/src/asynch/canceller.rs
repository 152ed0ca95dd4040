//! The cashier's cancel button for the async client (spec/api.md `cancel`).

use std::sync::Weak;

use super::state::Shared;

/// Cancels the transaction in progress on its [`Client`](super::Client); see
/// [`Client::canceller`](super::Client::canceller).
///
/// `cancel` goes out on the connection that carries the sale, as it must (a second connection
/// would replace the first: spec/protocol.md §2), and the sale then answers `CANCELED` to
/// [`Client::start_transaction`](super::Client::start_transaction), or to
/// [`Client::late_responses`](super::Client::late_responses) if that future was dropped. It
/// holds no connection open: once the client is dropped, it does nothing.
#[derive(Debug, Clone)]
pub struct Canceller(pub(super) Weak<Shared>);

impl Canceller {
    /// Asks for the running transaction to be cancelled; returns at once, from any thread or
    /// task. Nothing happens when no transaction runs.
    pub fn cancel(&self) {
        if let Some(shared) = self.0.upgrade() {
            shared.lock().ask_cancel();
            shared.wake.notify_one();
        }
    }
}
