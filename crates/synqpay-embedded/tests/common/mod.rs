//! The in-memory terminal and a client session with test buffers, shared by the driver tests.
#![allow(dead_code)]

use synqpay_embedded::loopback::LoopbackTerminal;
use synqpay_link::ApiKey;
use synqpay_session::{Client, ClientBuffers, ClientConfig, DeviceBuffers};

pub const KEY: ApiKey = ApiKey::from_bytes([0x12, 0x34, 0xab, 0xcd]);
pub const SERIAL: &str = "244RKR528387";
/// The code the terminal's screen shows after `pair`.
pub const CODE: &str = "481516";

/// A terminal that is not paired yet.
pub fn terminal() -> LoopbackTerminal<Vec<u8>> {
    let buffers = DeviceBuffers {
        rx: vec![0; 2048],
        tx: vec![0; 4096],
        requests: vec![0; 2048],
        cache: vec![0; 2048],
    };
    LoopbackTerminal::new(buffers, SERIAL, CODE, KEY)
}

/// A client session without a key.
pub fn session() -> Client<Vec<u8>, 4> {
    let buffers = ClientBuffers {
        rx: vec![0; 4096],
        tx: vec![0; 1024],
        inbox: vec![0; 4096],
    };
    Client::new(
        ClientConfig::default(),
        buffers,
        synqpay_rpc::IdPrefix(0x7e57_0002),
    )
}
