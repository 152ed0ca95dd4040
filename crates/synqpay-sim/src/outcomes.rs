//! How the simulator decides a payment's outcome: by the amount, so that tests and demos can ask
//! for each case (ours; the real device asks the card and the host).
//!
//! | amount ends in (minor units) | outcome |
//! |---|---|
//! | `01` | declined by the host: `result: OK`, `transactionStatus: DECLINED` |
//! | `02` | host error: `result: HOST_ERROR`, no transaction status (outcome to be looked up) |
//! | `03` | the card is never presented: `result: TIMEOUT` after the device's wait |
//! | `04` | the device stops with REFERRAL and waits for `continueTransaction` |
//! | anything else | approved: `transactionStatus: AUTHORIZED` |

/// What the simulated card and host do with a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Approved.
    Approve,
    /// Declined by the host.
    Decline,
    /// The host failed to answer.
    HostError,
    /// No card: the device times out.
    Timeout,
    /// The host asks for a voice referral: the device waits for `continueTransaction`.
    Referral,
}

impl Outcome {
    /// The outcome for an amount in minor units.
    pub fn for_amount(amount: i64) -> Self {
        match amount.rem_euclid(100) {
            1 => Self::Decline,
            2 => Self::HostError,
            3 => Self::Timeout,
            4 => Self::Referral,
            _ => Self::Approve,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_pick_outcomes() {
        assert_eq!(Outcome::for_amount(12550), Outcome::Approve);
        assert_eq!(Outcome::for_amount(1001), Outcome::Decline);
        assert_eq!(Outcome::for_amount(1002), Outcome::HostError);
        assert_eq!(Outcome::for_amount(1003), Outcome::Timeout);
        assert_eq!(Outcome::for_amount(1004), Outcome::Referral);
    }
}
