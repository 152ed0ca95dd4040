#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[macro_use]
mod fmt;

mod asynch;
mod blocking;
mod clock;
mod error;
pub mod loopback;
mod outcome;
#[cfg(feature = "tls")]
pub mod tls;
mod whole_records;

pub use asynch::AsyncClient;
pub use blocking::BlockingClient;
pub use clock::{AsyncClock, Clock};
pub use error::DriverError;
pub use whole_records::{WholeRecords, WholeRecordsError};
