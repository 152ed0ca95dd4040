#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(test)]
extern crate std;

mod client;
mod config;
mod device;
mod fifo;
mod tx;

pub use client::{
    CallError, Client, ClientBuffers, ClientEvent, ClientStats, Connected, Failure, PairingError,
    SendError, decode_response,
};
pub use config::{ClientConfig, DeviceConfig};
pub use device::{
    ClientId, Delivery, Device, DeviceBuffers, DeviceConnected, DeviceStats, IncomingRequest,
    MAX_ID_LEN, ReplyTo, RespondError,
};
