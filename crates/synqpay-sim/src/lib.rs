#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod app;
mod batch;
mod clock;
pub mod noise;
mod outcomes;
mod pairing;
mod prompts;
mod records;
mod server;
mod system;
mod test_ca;
mod transactions;

pub use app::{App, CONTINUE_MS, PAIRING_MS, SimulatorConfig};
pub use outcomes::Outcome;
pub use server::Simulator;
pub use test_ca::TestCa;
