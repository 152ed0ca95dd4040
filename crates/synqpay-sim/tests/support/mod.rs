//! Helpers shared by the tests.
#![allow(dead_code)] // each test file uses a part

pub mod pty;
pub mod raw;

use synqpay_sim::{Simulator, SimulatorConfig};
use synqpay_std::{Client, ClientConfig, Error};

/// The key the simulators of these tests start paired with.
pub const KEY: &str = "1234abcd";

/// A simulator paired with [`KEY`] whose transactions step every `step_ms` (a card wait of 40
/// steps), and a client with the key.
pub fn paired(step_ms: u64) -> (Simulator, Client) {
    let config = SimulatorConfig {
        api_key: Some(KEY.parse().unwrap()),
        step_ms,
        card_wait_ms: 40 * step_ms,
        cardholder_ms: 20 * step_ms,
        ..Default::default()
    };
    let sim = Simulator::start("127.0.0.1:0", config).unwrap();
    let client = Client::connect(sim.addr(), ClientConfig::default())
        .unwrap()
        .with_api_key(KEY.parse().unwrap());
    (sim, client)
}

/// The JSON-RPC error code of a call that must have failed with one.
pub fn rpc_code<T: std::fmt::Debug>(r: Result<T, Error>) -> synqpay_rpc::RpcErrorCode {
    match r {
        Err(Error::Rpc { code, .. }) => code,
        other => panic!("{other:?}"),
    }
}
