//! Long-running requests of an earlier connection, once the link is back (ours, from
//! spec/protocol.md §2 "Cached responses" and §6).
//!
//! A payment sent on a connection that then dropped stays outstanding: its answer may come on
//! the next connection, cached by the device. When the device restarted, or ended the payment
//! while the link was down with no cache to keep its answer, nothing will come, and the call would
//! wait out its whole deadline (two minutes for a payment). A driver that reconnects by itself
//! asks the device on the new connection (`getStatus`, which changes nothing); when the device
//! says it runs nothing, [`Client::device_runs_nothing`] ends those requests at once, their
//! outcome unknown: a payment is then looked up by its `referenceId`, never assumed declined.

use super::{Client, Failure};
use crate::Buffer;

impl<B: Buffer, const PENDING: usize> Client<B, PENDING> {
    /// How many long-running requests (payments, settlements, prompts) sent on an earlier
    /// connection still wait for their answer on this one. When there are any, a driver may
    /// ask the device what it runs (`getStatus`) and, if it runs nothing, call
    /// [`Client::device_runs_nothing`].
    pub fn long_running_from_earlier_links(&self) -> usize {
        let epoch = self.core.epoch;
        self.core
            .pending
            .iter()
            .filter(|p| p.waits_from_before(epoch))
            .count()
    }

    /// The device, asked on this connection, said it runs nothing
    /// (`synqpay_rpc::DeviceStatus::runs_nothing`): each long-running request sent on an
    /// earlier connection fails with [`Failure::NotRunning`], as its answer will not come. Its
    /// outcome is unknown: a payment is looked up by its `referenceId` (spec/protocol.md §6).
    /// Requests of this connection are left as they are.
    pub fn device_runs_nothing(&mut self) {
        let epoch = self.core.epoch;
        while let Some(i) = self
            .core
            .pending
            .iter()
            .position(|p| p.waits_from_before(epoch))
        {
            self.core.fail(i, Failure::NotRunning);
        }
    }
}
