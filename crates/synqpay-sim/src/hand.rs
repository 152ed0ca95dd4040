//! Deciding by hand (ours): what the cardholder and the device's own buttons do, pressed on the
//! screen page (`synqpay simulate --screen`) or by a test, instead of the scenario. Each action
//! goes through the same state machine as a scenario's decision, so the client sees exactly what
//! a device would send (spec/protocol.md §5 states, spec/api.md results).

use serde::{Deserialize, Serialize};
use synqpay_rpc::{EventType, ResultCode};
use synqpay_session::terminal::Outcome;

use crate::app::{App, SimDevice};
use crate::state::State;

/// Who decides what the card, the cardholder and the host do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decide {
    /// The scenario (by default the amount): nothing waits for a hand.
    #[default]
    Scenario,
    /// A person: a sale waits at the card and at the PIN, a prompt until it is answered.
    ByHand,
}

/// The card presented, as the person picks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Card {
    /// Approved by the host.
    Approve,
    /// Declined by the host.
    Decline,
    /// Declined: not enough funds (a decline, as the host reports it).
    NoFunds,
    /// The host asks for a voice referral: the device stops with REFERRAL.
    Referral,
    /// The host fails to answer: HOST_ERROR, no status.
    HostError,
}

impl Card {
    fn outcome(self) -> Outcome {
        match self {
            Self::Approve => Outcome::Approve,
            Self::Decline | Self::NoFunds => Outcome::Decline,
            Self::Referral => Outcome::Referral,
            Self::HostError => Outcome::HostError,
        }
    }
}

/// A button pressed on the device, by the cardholder or the person testing.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// Switch between deciding by scenario and by hand.
    Decide {
        /// Who decides from now on.
        by: Decide,
    },
    /// A card presented to a sale waiting for one.
    PresentCard {
        /// What the host will say of it.
        card: Card,
    },
    /// The PIN entered.
    EnterPin,
    /// Cancel pressed on the device: the sale or prompt ends CANCELED.
    Cancel,
    /// The card pulled out before the sale ended: it ends CANCELED.
    RemoveCard,
    /// A prompt answered (`userInput`'s value, `userSelection`'s option id, `readCard`'s card).
    Answer {
        /// What was typed or picked (ignored for `readCard`).
        #[serde(default)]
        value: String,
    },
    /// The signature drawn (`captureSignature`).
    Sign,
}

/// Where a sale waits for a hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hold {
    Card,
    Pin,
}

impl Hold {
    /// The step of the flow that waits for a hand, if `event` is one.
    pub(crate) fn at(event: EventType<'_>) -> Option<Self> {
        match event {
            EventType::WaitingForCard | EventType::EnterCardDetails => Some(Self::Card),
            EventType::PinStarted => Some(Self::Pin),
            _ => None,
        }
    }
}

impl App {
    /// Carries out `action` at `now`.
    pub fn act(&mut self, now: u64, device: &mut SimDevice, action: Action) {
        match (action, &mut self.state) {
            (Action::Decide { by }, _) => self.decide = by,
            (Action::PresentCard { card }, State::Transaction(running))
                if running.hold == Some(Hold::Card) =>
            {
                running.outcome = card.outcome();
                running.hold = None;
                running.due = now;
            }
            (Action::EnterPin, State::Transaction(running)) if running.hold == Some(Hold::Pin) => {
                running.hold = None;
                running.due = now;
            }
            (Action::Cancel | Action::RemoveCard, State::Transaction(running)) => {
                // As the device's own cancel: the sale answers CANCELED, nothing charged.
                let running = running.clone();
                self.end_without_charge(device, running, ResultCode::Canceled);
            }
            (Action::Cancel, State::Prompt(prompt)) if prompt.cancelable => {
                let prompt = prompt.clone();
                prompt.answer(device, ResultCode::Canceled);
                self.become_idle("IDLE (prompt cancelled on the device)");
            }
            (Action::Answer { value }, State::Prompt(prompt)) => {
                prompt.answered_by_hand(now, &value)
            }
            (Action::Sign, State::Prompt(prompt))
                if prompt.kind == crate::prompts::Kind::CaptureSignature =>
            {
                prompt.answered_by_hand(now, "");
            }
            // A button that means nothing now does nothing, as on a device.
            _ => {}
        }
    }
}
