//! Scenarios (ours): a TOML file that says what the simulated card, cardholder, host and device
//! do, so that an app can be tested against each case without a device: per payment (by
//! `referenceId` or amount) the outcome, the events and their pace, a stop for UPDATE or
//! REFERRAL, a dropped connection or a reboot at a step; for the device its screen, battery and
//! host, at start and later. Without a rule for a payment, the amount decides
//! ([`Outcome::for_amount`], the default scenario). `synqpay simulate --scenario FILE` loads one;
//! the crate's `scenarios/` folder has examples.
//!
//! ```toml
//! [device]                      # at start; each member optional
//! screen = "on"                 # on, off, busy
//! battery = 80                  # percent
//! power = "battery"             # charging, battery
//! host = "ready"                # ready, not-ready
//!
//! [[change]]                    # later: what changes, and when (ms after start)
//! after_ms = 60000
//! screen = "off"
//!
//! [[payment]]                   # the first rule that matches a startTransaction wins
//! reference_id = "ORDER-17"     # and/or amount = 12550; neither: every payment
//! outcome = "decline"           # approve, decline, host-error, timeout, referral
//! stop = "update"               # update, referral: stop after the card is read
//! events = ["WAITING_FOR_CARD", "CARD_DETECTED", "AUTHORIZATION_STARTED"]
//! step_ms = 500                 # the pace of the events
//! disconnect_at = "CARD_DETECTED"         # drop the client's connection there
//! reboot_at = "AUTHORIZATION_STARTED"     # or reboot there
//! ```

use serde::Deserialize;
use synqpay_rpc::{EventType, Text};
use synqpay_session::terminal::Outcome;

use crate::conditions::{Conditions, Host, Power, Screen};

/// A scenario: the device's surroundings and what each payment does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scenario {
    /// The surroundings at start.
    pub device: Conditions,
    /// Later changes, in the order they come.
    pub changes: Vec<Change>,
    /// Rules for payments, the first that matches wins.
    pub payments: Vec<PaymentRule>,
}

/// A change of the device's surroundings at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// When, in ms after the simulator started.
    pub after_ms: u64,
    /// What changes (members left out stay as they are).
    pub screen: Option<Screen>,
    /// The battery's charge.
    pub battery: Option<u8>,
    /// Charger or battery.
    pub power: Option<Power>,
    /// The host.
    pub host: Option<Host>,
}

impl Change {
    /// `conditions` with this change made.
    pub fn apply(&self, conditions: Conditions) -> Conditions {
        Conditions {
            screen: self.screen.unwrap_or(conditions.screen),
            battery: self.battery.unwrap_or(conditions.battery),
            power: self.power.unwrap_or(conditions.power),
            host: self.host.unwrap_or(conditions.host),
        }
    }
}

/// Where a payment stops to wait for `continueTransaction` (spec/api.md "TransactionResult").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// UPDATE after the card is read, as `notifyUpdate` asks.
    Update,
    /// REFERRAL: the host asks for a voice authorization; once continued, approved.
    Referral,
}

/// What one payment does.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentRule {
    /// Matches this `referenceId` only.
    pub reference_id: Option<String>,
    /// Matches this amount (minor units) only.
    pub amount: Option<i64>,
    /// The outcome; by default the amount's.
    pub outcome: Option<Outcome>,
    /// A stop before the end.
    pub stop: Option<Stop>,
    /// The events, in order; by default the flow the request asks for.
    pub events: Option<Vec<EventType<'static>>>,
    /// The time between steps; by default the simulator's.
    pub step_ms: Option<u64>,
    /// The client's connection is dropped when this event's step comes.
    pub disconnect_at: Option<EventType<'static>>,
    /// The device reboots when this event's step comes.
    pub reboot_at: Option<EventType<'static>>,
}

impl PaymentRule {
    /// Whether the rule is for the payment `reference_id` of `amount`.
    pub fn matches(&self, reference_id: &str, amount: i64) -> bool {
        self.reference_id
            .as_deref()
            .is_none_or(|r| r == reference_id)
            && self.amount.is_none_or(|a| a == amount)
    }
}

impl Scenario {
    /// Reads a scenario from TOML text.
    pub fn from_toml(text: &str) -> Result<Self, ScenarioError> {
        let file: File = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| line_and_column(text, s.start));
            ScenarioError::Syntax(SyntaxError {
                at,
                message: e.message().to_string(),
            })
        })?;
        let payments = file
            .payment
            .into_iter()
            .enumerate()
            .map(|(i, p)| p.checked(i))
            .collect::<Result<_, _>>()?;
        let changes = file
            .change
            .into_iter()
            .map(|c| Change {
                after_ms: c.after_ms,
                screen: c.screen,
                battery: c.battery,
                power: c.power,
                host: c.host,
            })
            .collect();
        Ok(Self {
            device: file.device,
            changes,
            payments,
        })
    }

    /// The rule for a payment, if one matches.
    pub fn payment(&self, reference_id: &str, amount: i64) -> Option<&PaymentRule> {
        self.payments
            .iter()
            .find(|p| p.matches(reference_id, amount))
    }
}

fn line_and_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, column)
}

/// Why a scenario could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The text is not TOML, or not of the scenario's shape.
    Syntax(SyntaxError),
    /// A payment rule names an event this version does not know.
    UnknownEvent {
        /// Which `[[payment]]` (from 1).
        payment: usize,
        /// The name given.
        name: String,
    },
}

/// Where and why a scenario's text does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    at: Option<(usize, usize)>,
    message: String,
}

impl SyntaxError {
    /// The line and column (from 1) where the problem is, when known.
    pub fn at(&self) -> Option<(usize, usize)> {
        self.at
    }
}

impl core::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Syntax(SyntaxError {
                at: Some((line, column)),
                message,
            }) => write!(f, "scenario, line {line} column {column}: {message}"),
            Self::Syntax(SyntaxError { at: None, message }) => write!(f, "scenario: {message}"),
            Self::UnknownEvent { payment, name } => write!(
                f,
                "scenario, payment rule {payment}: unknown event {name:?} (spec/api.md \"Event\")"
            ),
        }
    }
}

impl std::error::Error for ScenarioError {}

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    device: Conditions,
    #[serde(default)]
    change: Vec<ChangeFile>,
    #[serde(default)]
    payment: Vec<PaymentFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeFile {
    after_ms: u64,
    screen: Option<Screen>,
    battery: Option<u8>,
    power: Option<Power>,
    host: Option<Host>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum OutcomeFile {
    Approve,
    Decline,
    HostError,
    Timeout,
    Referral,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum StopFile {
    Update,
    Referral,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentFile {
    reference_id: Option<String>,
    amount: Option<i64>,
    outcome: Option<OutcomeFile>,
    stop: Option<StopFile>,
    events: Option<Vec<String>>,
    step_ms: Option<u64>,
    disconnect_at: Option<String>,
    reboot_at: Option<String>,
}

impl PaymentFile {
    fn checked(self, index: usize) -> Result<PaymentRule, ScenarioError> {
        let event = |name: &str| {
            EventType::from_text(Text::new(name))
                .known()
                .ok_or_else(|| ScenarioError::UnknownEvent {
                    payment: index + 1,
                    name: name.to_string(),
                })
        };
        let events = match &self.events {
            Some(names) => Some(names.iter().map(|n| event(n)).collect::<Result<_, _>>()?),
            None => None,
        };
        Ok(PaymentRule {
            reference_id: self.reference_id,
            amount: self.amount,
            outcome: self.outcome.map(|o| match o {
                OutcomeFile::Approve => Outcome::Approve,
                OutcomeFile::Decline => Outcome::Decline,
                OutcomeFile::HostError => Outcome::HostError,
                OutcomeFile::Timeout => Outcome::Timeout,
                OutcomeFile::Referral => Outcome::Referral,
            }),
            stop: self.stop.map(|s| match s {
                StopFile::Update => Stop::Update,
                StopFile::Referral => Stop::Referral,
            }),
            events,
            step_ms: self.step_ms,
            disconnect_at: self.disconnect_at.as_deref().map(event).transpose()?,
            reboot_at: self.reboot_at.as_deref().map(event).transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_reads() {
        let doc = include_str!("scenario.rs");
        let start = doc.find("//! ```toml\n").unwrap() + 12;
        let end = start + doc[start..].find("//! ```").unwrap();
        let text: String = doc[start..end]
            .lines()
            .map(|l| l.trim_start_matches("//!").trim_start())
            .map(|l| format!("{l}\n"))
            .collect();
        let s = Scenario::from_toml(&text).unwrap();
        assert_eq!(s.device.battery, 80);
        assert_eq!(s.device.power, Power::Battery);
        assert_eq!(s.changes[0].screen, Some(Screen::Off));
        let p = s.payment("ORDER-17", 12550).unwrap();
        assert_eq!(p.outcome, Some(Outcome::Decline));
        assert_eq!(p.stop, Some(Stop::Update));
        assert_eq!(p.events.as_ref().map(Vec::len), Some(3));
        assert_eq!(p.reboot_at, Some(EventType::AuthorizationStarted));
        assert!(s.payment("ORDER-18", 12550).is_none());
    }

    #[test]
    fn mistakes_are_named() {
        let e = Scenario::from_toml("[[payment]]\nevents = [\"CARD_WAVED\"]\n").unwrap_err();
        assert_eq!(
            e,
            ScenarioError::UnknownEvent {
                payment: 1,
                name: "CARD_WAVED".into()
            }
        );
        let e = Scenario::from_toml("[device]\nscreen = \"dim\"\n").unwrap_err();
        let ScenarioError::Syntax(s) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(s.at().map(|(line, _)| line), Some(2));
        let e = Scenario::from_toml("[[payment]]\nammount = 5\n").unwrap_err();
        assert!(e.to_string().contains("ammount"), "{e}");
    }
}
