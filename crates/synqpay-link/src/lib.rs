#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[macro_use]
mod fmt;

mod api_key;
mod crc;
mod decoder;
mod error_code;
mod frame;
mod frame_error;
mod msg_type;
mod parse;
mod stats;

pub use api_key::{ApiKey, ApiKeyError};
pub use crc::{crc16, frame_crc};
pub use decoder::{CapacityError, Decoder, MIN_CAPACITY};
pub use error_code::ErrorCode;
pub use frame::{ETX, EncodeError, Frame, MAX_OVERHEAD, STX, seal};
pub use frame_error::FrameError;
pub use msg_type::MessageType;
pub use parse::{ParseError, ParseOptions, SwappedCrc, parse_frame};
pub use stats::Stats;
