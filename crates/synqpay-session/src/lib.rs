#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[macro_use]
mod fmt;

#[cfg(test)]
extern crate std;

mod client;
mod config;
mod device;
mod fifo;
pub mod outcome;
pub mod terminal;
mod tx;

pub use client::{
    CallError, Client, ClientBuffers, ClientEvent, ClientStats, Connected, Failure, PairingError,
    PairingStep, SendError, decode_response,
};
pub use config::{CachedResponses, ClientConfig, DeviceConfig};
pub use synqpay_rpc::{IdPrefix, MethodKind};

/// A buffer the caller lends a session: `&mut [u8]` on a microcontroller, `Vec<u8>` or
/// `Box<[u8]>` where there is a heap, `[u8; N]` for a fixed one.
pub trait Buffer: AsRef<[u8]> + AsMut<[u8]> {}

impl<T: AsRef<[u8]> + AsMut<[u8]> + ?Sized> Buffer for T {}
pub use device::{
    ClientId, Delivery, Device, DeviceBuffers, DeviceConnected, DeviceStats, IncomingRequest,
    MAX_ID_LEN, ReplyTo, RespondError,
};
