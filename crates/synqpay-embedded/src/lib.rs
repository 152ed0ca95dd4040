#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod blocking;
mod clock;

pub use blocking::{BlockingClient, DriverError};
pub use clock::Clock;
