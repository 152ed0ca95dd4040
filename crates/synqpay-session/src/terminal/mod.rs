//! The scripted-terminal core: the rules every terminal of the project plays by (the state table
//! of spec/protocol.md §5, the pairing and continue limits, outcomes by amount), shared by the
//! simulator (`synqpay-sim`), the embedded loopback terminal and the session tests; and
//! [`ScriptedTerminal`], the terminal in memory the last two are built on (no_std, no
//! allocation).

mod call;
mod history;
mod pairing;
mod reply;
mod rules;
mod sale;
mod scripted;

pub use history::HISTORY;
pub use rules::{
    CARD_WAIT_MS, CONTINUE_MS, Needs, Outcome, PAIRING_ATTEMPTS, PAIRING_MS, RULES, Resource, Rule,
    rule_of,
};
pub use scripted::{Mode, ScriptConfig, ScriptedTerminal};
