#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod backoff;
mod client;
mod connection;
mod error;
mod randomness;
pub mod tls;
pub mod transport;

pub use client::{Canceller, Client};
pub use error::{Error, Reply};
pub use randomness::fresh_id_prefix;
pub use synqpay_session::ClientConfig;
pub use transport::{DEFAULT_BAUD, Endpoint};
