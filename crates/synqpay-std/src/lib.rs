#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
pub mod simulator;
pub mod tls;
mod transport;

pub use client::{Client, Error, Reply};
pub use simulator::{Simulator, SimulatorConfig};
pub use synqpay_session::ClientConfig;
