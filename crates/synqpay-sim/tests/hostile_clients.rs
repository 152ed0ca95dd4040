//! The simulator against hostile clients (issue 12): one that floods KeepAlives and never reads,
//! and many idle sockets held open. The rightful client, connecting last, is served at once
//! (spec/protocol.md §2: the newest connection replaces the old).

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use synqpay_rpc::{GetStatus, NoParams};
use synqpay_sim::{Simulator, SimulatorConfig};
use synqpay_std::{Client, ClientConfig};

const KEY: &str = "1234abcd";

fn simulator() -> Simulator {
    let config = SimulatorConfig {
        api_key: Some(KEY.parse().unwrap()),
        ..Default::default()
    };
    Simulator::start("127.0.0.1:0", config).unwrap()
}

/// The rightful client's getStatus, and how long it took from connecting.
fn rightful(sim: &Simulator) -> Duration {
    let started = Instant::now();
    let mut client = Client::connect(sim.addr(), ClientConfig::default())
        .unwrap()
        .with_api_key(KEY.parse().unwrap());
    client.call::<GetStatus>(&NoParams).unwrap();
    started.elapsed()
}

#[test]
fn a_client_that_floods_and_never_reads_does_not_stall_the_next() {
    let sim = simulator();
    let mut flooder = TcpStream::connect(sim.addr()).unwrap();
    flooder
        .set_write_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    // KeepAlives, each answered by an ACK the flooder never reads, until its socket is full.
    let keepalives = [0x02u8, 0x04, 0x03].repeat(100_000);
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline && flooder.write_all(&keepalives).is_ok() {}
    let took = rightful(&sim);
    println!("rightful getStatus while a client floods and never reads: {took:?}");
    // The default request deadline is 10 s; before, this call failed after 120 s.
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn idle_sockets_held_open_do_not_delay_a_takeover() {
    let sim = simulator();
    let idle: Vec<TcpStream> = (0..2_000)
        .map(|_| TcpStream::connect(sim.addr()).unwrap())
        .collect();
    let took = rightful(&sim);
    println!(
        "rightful getStatus behind {} idle sockets: {took:?}",
        idle.len()
    );
    // Served oldest first, 3,000 sockets delayed a takeover by 35 s.
    assert!(
        took < Duration::from_secs(3),
        "{took:?} behind {} sockets",
        idle.len()
    );
}
