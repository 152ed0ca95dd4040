//! The scripted-terminal core: the rules every terminal of the project plays by (the state table
//! of spec/protocol.md §5, the pairing and continue limits, outcomes by amount), shared by the
//! simulator (`synqpay-sim`), the embedded loopback terminal and the session tests.

mod rules;

pub use rules::{
    CONTINUE_MS, Needs, Outcome, PAIRING_ATTEMPTS, PAIRING_MS, RULES, Resource, Rule, rule_of,
};
