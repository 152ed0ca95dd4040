#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "advertise")]
pub mod advertise;
mod app;
mod batch;
pub mod catalog;
mod clock;
mod conditions;
mod face;
mod frame_log;
mod hand;
mod info;
mod jobs;
pub mod noise;
mod pairing;
mod params;
pub mod pcap;
mod prompts;
mod records;
pub mod scenario;
mod server;
mod state;
mod system;
mod test_ca;
mod transactions;
mod view;
#[cfg(feature = "screen")]
pub mod web;

pub use app::{App, CONTINUE_MS, PAIRING_MS, SimulatorConfig};
pub use conditions::{Conditions, Host, LOW_BATTERY_PERCENT, Power, Screen};
pub use face::{Face, LastSale};
pub use hand::{Action, Card, Decide};
pub use scenario::Scenario;
pub use server::Simulator;
pub use state::LinkAction;
pub use synqpay_session::terminal::Outcome;
pub use test_ca::TestCa;
