//! Once the link is back while a payment of the earlier connection waits: the device is asked
//! what it runs, and when it runs nothing (it restarted, or ended the payment while the link
//! was down), the payment ends at once as "outcome unknown, look it up" rather than after its
//! whole deadline (ours; `synqpay_session`'s resumed requests, spec/protocol.md §2, §6). Both
//! clients, blocking and async, do it the same way.

use synqpay_rpc::{GetStatus, NoParams, RequestId};
use synqpay_session::Connected;

use crate::calls::{End, Session};

/// The question asked after a reconnect (`getStatus`), until its answer comes.
#[derive(Debug, Default)]
pub(crate) struct Resumed {
    asked: Option<RequestId>,
}

impl Resumed {
    /// The transport is up: tells the session, then asks the device what it runs when a
    /// long-running request of an earlier connection still waits. `getStatus` changes nothing on
    /// the device; when it cannot be queued, the request waits out its deadline as before.
    pub(crate) fn connect(&mut self, session: &mut Session, now: u64) -> Connected {
        let connected = session.connect(now);
        self.asked = None;
        if session.long_running_from_earlier_links() > 0 {
            self.asked = session.send::<GetStatus>(now, &NoParams).ok();
        }
        connected
    }

    /// Request `id` ended. `true` when it was the question: its answer is read here, and is
    /// nobody else's. When the device runs nothing, the requests of earlier connections fail
    /// with `Failure::NotRunning`, reported by the session's next events.
    pub(crate) fn ended(&mut self, session: &mut Session, id: RequestId, end: &End) -> bool {
        if self.asked != Some(id) {
            return false;
        }
        self.asked = None;
        if let End::Answered(reply) = end
            && reply
                .result::<GetStatus>()
                .is_ok_and(|status| status.device_status.runs_nothing())
        {
            session.device_runs_nothing();
        }
        true
    }
}
