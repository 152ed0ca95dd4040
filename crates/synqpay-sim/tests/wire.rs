//! A corrupted frame on the wire: a proxy between the client and the simulator flips one bit of
//! the first request. The device answers CRC_ERROR, the client reports it by name against that
//! request, and the next request goes through.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use synqpay_rpc::{GetStatus, NoParams};
use synqpay_sim::{Simulator, SimulatorConfig};
use synqpay_std::{Client, ClientConfig};

/// Relays `from` to `to`, flipping a bit in the 20th byte of the first chunk when `corrupt` is set.
fn relay(mut from: TcpStream, mut to: TcpStream, corrupt: Option<Arc<AtomicBool>>) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 {
            break;
        }
        if let Some(flag) = &corrupt
            && n > 20
            && flag.swap(false, Ordering::SeqCst)
        {
            buf[20] ^= 0x01;
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
}

#[test]
fn a_corrupted_query_is_a_crc_error_then_sent_once_more_and_the_link_goes_on() {
    let config = SimulatorConfig {
        api_key: Some("1234abcd".parse().unwrap()),
        ..Default::default()
    };
    let sim = Simulator::start("127.0.0.1:0", config).unwrap();
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_addr = proxy.local_addr().unwrap();
    let device_addr = sim.addr();
    let corrupt = Arc::new(AtomicBool::new(true));
    let flag = corrupt.clone();
    std::thread::spawn(move || {
        let (client_side, _) = proxy.accept().unwrap();
        let device_side = TcpStream::connect(device_addr).unwrap();
        let (c2, d2) = (
            client_side.try_clone().unwrap(),
            device_side.try_clone().unwrap(),
        );
        std::thread::spawn(move || relay(d2, c2, None));
        relay(client_side, device_side, Some(flag));
    });

    let mut client = Client::connect(proxy_addr.to_string(), ClientConfig::default())
        .unwrap()
        .with_api_key("1234abcd".parse().unwrap());
    // The device answers the corrupted getStatus with CRC_ERROR; getStatus changes nothing, so
    // the client sends it once more (spec/protocol.md §6).
    let first = client.call::<GetStatus>(&NoParams);
    assert!(first.is_ok(), "{first:?}");
    assert!(
        !corrupt.load(Ordering::SeqCst),
        "the proxy did corrupt a frame"
    );
    let second = client.call::<GetStatus>(&NoParams).unwrap();
    assert_eq!(second.result().unwrap().device_status.to_string(), "IDLE");
}
