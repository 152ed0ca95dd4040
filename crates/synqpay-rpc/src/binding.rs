//! What the answer to a request must name to be that request's answer (spec/protocol.md §6):
//! a transaction result answers a `startTransaction` only if its `referenceId` is the
//! request's (and, for a SALE, its `amount` the request's).
//!
//! Declared by the method ([`Method::binding`](crate::Method::binding)), so that every path
//! that sends a payment binds it, whichever way the caller names the method.

use crate::Text;

/// What a request's answer must name, read from its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestBinding<'a> {
    /// Nothing: the answer is the device's word on the request.
    Unbound,
    /// A payment (`startTransaction`): its result must name this `referenceId`, and, when
    /// given, this amount (a SALE's); an unknown outcome is looked up by the `referenceId`.
    Payment {
        /// The payment's `referenceId`.
        reference_id: Text<'a>,
        /// The amount the result must carry (`None`: not checked).
        amount: Option<i64>,
    },
    /// The continuation of the payment that stopped for an UPDATE or REFERRAL
    /// (`continueTransaction`), whose parameters name no `referenceId`: the caller binds it to
    /// the payment it continues (ours).
    Continuation {
        /// The amount asked for instead of the payment's (`newAmount`), if any.
        new_amount: Option<i64>,
    },
    /// A lookup by `referenceId` (`getTransaction` REF_ID): the transaction found must be
    /// that one.
    Lookup {
        /// The `referenceId` looked up.
        reference_id: Text<'a>,
    },
}
