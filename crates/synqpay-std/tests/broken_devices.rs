//! The client against devices broken on purpose (issue 11, finding 4): every failure is a
//! typed error within the call's deadline, with bounded memory (spec/protocol.md §1, §2, §6).
//! The devices are scripted byte by byte in `support/fake_device.rs`, not the simulator.

#[path = "support/fake_device.rs"]
mod fake_device;

use std::io::Write;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use fake_device::{FakeDevice, frame};
use synqpay_rpc::{GetStatus, NoParams};
use synqpay_session::Failure;
use synqpay_std::tls::Verification;
use synqpay_std::{Client, ClientConfig, Error};

const KEY: &str = "1234abcd";

/// Deadlines short enough for a test; the defaults are 10 times longer.
fn short() -> ClientConfig {
    ClientConfig {
        request_timeout_ms: 1_000,
        ..ClientConfig::default()
    }
}

fn client(device: &FakeDevice, config: ClientConfig) -> Client {
    Client::connect(device.addr.to_string(), config)
        .unwrap()
        .with_api_key(KEY.parse().unwrap())
}

#[test]
fn a_query_to_a_silent_device_fails_at_its_deadline_and_is_not_resent() {
    let device = FakeDevice::start(|mut conn| {
        while !conn.stopped() {
            conn.read_some();
        }
    });
    let mut c = client(&device, short());
    let started = Instant::now();
    let e = c.call::<GetStatus>(&NoParams).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(e, Error::Timeout { reference_id: None }), "{e:?}");
    // The deadline is 1 s; 120 s (every method long-running) was the defect.
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(
        device.accepted.load(Ordering::Relaxed),
        1,
        "no reconnect, no re-send"
    );
}

#[test]
fn a_flood_of_answers_to_ids_never_sent_stays_bounded() {
    let device = FakeDevice::start(|mut conn| {
        let stray =
            br#"{"jsonrpc":"2.0","id":"1","result":{"deviceStatus":"IDLE","cancelable":false}}"#;
        let one = frame(2, stray);
        let burst: Vec<u8> = one.iter().copied().cycle().take(one.len() * 200).collect();
        while !conn.stopped() && conn.stream.write_all(&burst).is_ok() {}
    });
    let mut c = client(&device, short());
    // The call fails at its deadline (nobody answers it), whatever floods in meanwhile...
    let e = c.call::<GetStatus>(&NoParams).unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    std::thread::sleep(Duration::from_millis(500));
    // ...and what is kept of the flood for the app is bounded.
    let kept = c.late_responses();
    assert!(!kept.is_empty() && kept.len() <= 64, "{}", kept.len());
    assert!(
        kept.iter().all(|(id, _)| id.is_none()),
        "never matched to a call"
    );
    assert!(c.dropped() > 0, "the oldest were dropped, and counted");
}

#[test]
fn an_answer_larger_than_the_buffer_fails_at_once_naming_its_size() {
    let device = FakeDevice::start(|mut conn| {
        if let Some(id) = conn.next_request_id() {
            let filler = "x".repeat(70_000);
            let payload = format!(
                r#"{{"jsonrpc":"2.0","id":"{id}","result":{{"deviceStatus":"IDLE","pad":"{filler}"}}}}"#
            );
            let _ = conn.stream.write_all(&frame(2, payload.as_bytes()));
        }
        while !conn.stopped() {
            conn.read_some();
        }
    });
    let config = ClientConfig {
        request_timeout_ms: 30_000,
        ..ClientConfig::default()
    };
    let mut c = client(&device, config);
    let started = Instant::now();
    let e = c.call::<GetStatus>(&NoParams).unwrap_err();
    assert!(
        matches!(
            e,
            Error::OutcomeUnknown {
                cause: Failure::TooLarge { .. },
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("70"), "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "at once, not at the 30 s deadline"
    );
}

#[test]
fn a_device_that_accepts_and_closes_is_not_hammered() {
    let device = FakeDevice::start(|conn| drop(conn.stream));
    let mut c = match Client::connect(device.addr.to_string(), short()) {
        Ok(c) => c.with_api_key(KEY.parse().unwrap()),
        Err(e) => panic!("{e}"),
    };
    let started = Instant::now();
    let _ = c.call::<GetStatus>(&NoParams);
    let _ = c.call::<GetStatus>(&NoParams);
    let took = started.elapsed();
    let accepted = device.accepted.load(Ordering::Relaxed);
    // Backoff from 100 ms doubling: a handful of attempts in a few seconds (was 50,000 in 7 s).
    assert!(accepted <= 20, "{accepted} connections in {took:?}");
}

#[test]
fn a_tls_handshake_trickled_a_byte_at_a_time_ends_at_the_deadline() {
    let device = FakeDevice::start(|mut conn| {
        // A TLS record header that promises 16 KB, then one byte every 200 ms.
        let _ = conn.stream.write_all(&[0x16, 0x03, 0x03, 0x40, 0x00]);
        while !conn.stopped() && conn.stream.write_all(&[0x00]).is_ok() {
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let started = Instant::now();
    let e = Client::connect_tls(&device.addr.to_string(), short(), &Verification::default())
        .expect_err("no handshake");
    assert!(
        matches!(e, Error::Tls(synqpay_std::TlsError::HandshakeTimeout)),
        "{e:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// A device that answers every getStatus with a frame `seal` spoils.
fn answering_spoiled(seal: fn(&mut Vec<u8>)) -> FakeDevice {
    FakeDevice::start(move |mut conn: fake_device::Conn| {
        while let Some(id) = conn.next_request_id() {
            let payload = format!(
                r#"{{"jsonrpc":"2.0","id":"{id}","result":{{"deviceStatus":"IDLE","cancelable":false}}}}"#
            );
            let mut bytes = frame(2, payload.as_bytes());
            seal(&mut bytes);
            if conn.stream.write_all(&bytes).is_err() {
                return;
            }
        }
    })
}

/// A client with a 30 s deadline: what fails sooner, fails on its own.
fn patient() -> ClientConfig {
    ClientConfig {
        request_timeout_ms: 30_000,
        ..ClientConfig::default()
    }
}

#[test]
fn a_device_sending_its_crc_low_byte_first_is_diagnosed_at_once() {
    let device = answering_spoiled(|bytes| {
        let n = bytes.len();
        bytes.swap(n - 3, n - 2);
    });
    let config = patient();
    let started = Instant::now();
    let e = client(&device, config)
        .call::<GetStatus>(&NoParams)
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(e.to_string().contains("--accept-swapped-crc"), "{e}");
    let accepting = ClientConfig {
        accept_swapped_crc: true,
        ..config
    };
    client(&device, accepting)
        .call::<GetStatus>(&NoParams)
        .unwrap();
}

#[test]
fn a_device_whose_frames_fail_their_crc_is_diagnosed_at_once() {
    // Another CRC than CRC-16/MODBUS.
    let device = answering_spoiled(|bytes| {
        let n = bytes.len();
        bytes[n - 2] ^= 0x01;
    });
    let started = Instant::now();
    let e = client(&device, patient())
        .call::<GetStatus>(&NoParams)
        .unwrap_err();
    // Sent once more (a query), refused again, and said so: well before the 30 s deadline.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            e,
            Error::OutcomeUnknown {
                cause: Failure::Crc { .. },
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("CRC"), "{e}");
}
