//! An idle client keeps its link alive: KeepAlives go out from the background with no call
//! running, and the link is not reported dead while the device answers them.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use synqpay_std::{Client, ClientConfig};

#[test]
fn keepalives_go_out_while_the_app_is_idle() {
    // A device that answers every KeepAlive with an ACK and counts them.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(AtomicU32::new(0));
    let counter = seen.clone();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut buf = [0u8; 64];
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            let keepalives = buf[..n]
                .windows(3)
                .filter(|w| *w == [0x02, 0x04, 0x03])
                .count();
            for _ in 0..keepalives {
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = stream.write_all(&[0x02, 0x05, 0x03]);
            }
        }
    });
    let config = ClientConfig {
        keepalive_interval_ms: 100,
        keepalive_deadline_ms: 80,
        ..Default::default()
    };
    let mut client = Client::connect(addr.to_string(), config).unwrap();
    // At 100 ms intervals, five KeepAlives take half a second; a loaded machine gets ten.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while seen.load(Ordering::SeqCst) < 5 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let count = seen.load(Ordering::SeqCst);
    assert!(count >= 5, "only {count} KeepAlives in 5 s of idleness");
    assert!(client.events().is_empty());
    assert!(client.late_responses().is_empty());
}
