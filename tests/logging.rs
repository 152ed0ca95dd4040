//! The `log` backend of the crates' logging shim (crates/shared/fmt.rs): the link and session
//! layers say what went wrong, and never print the API key.

use std::sync::Mutex;

use log::{Level, Log, Metadata, Record};
use synqpay_embedded::loopback::LoopbackTerminal;
use synqpay_embedded::{BlockingClient, Clock, DriverError};
use synqpay_link::ApiKey;
use synqpay_session::{Client, ClientBuffers, ClientConfig, DeviceBuffers};

static LINES: Mutex<Vec<(Level, String)>> = Mutex::new(Vec::new());

struct Capture;

impl Log for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &Record<'_>) {
        let line = format!("{}: {}", record.target(), record.args());
        LINES.lock().unwrap().push((record.level(), line));
    }
    fn flush(&self) {}
}

struct Ticks(u64);

impl Clock for Ticks {
    fn now_ms(&mut self) -> u64 {
        self.0 += 10;
        self.0
    }
}

#[test]
fn a_refused_key_and_a_bad_frame_are_logged_without_the_key() {
    log::set_logger(&Capture).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let device_key = ApiKey::from_bytes([0x5e, 0xc2, 0xe7, 0x01]);
    let wrong_key = ApiKey::from_bytes([0xde, 0xad, 0xbe, 0xef]);
    let buffers = DeviceBuffers {
        rx: vec![0; 2048],
        tx: vec![0; 4096],
        requests: vec![0; 2048],
        cache: vec![0; 2048],
    };
    let terminal = LoopbackTerminal::new(buffers, "244RKR528387", "481516", device_key).paired();
    let buffers = ClientBuffers {
        rx: vec![0; 4096],
        tx: vec![0; 1024],
        inbox: vec![0; 4096],
    };
    let session: Client<_, 4> = Client::new(
        ClientConfig::default(),
        buffers,
        synqpay_rpc::IdPrefix(0x7e57_0003),
    )
    .with_api_key(wrong_key);
    let mut client = BlockingClient::new(terminal, Ticks(0), session);
    let refused = client.status(|_| ()).unwrap_err();
    assert!(matches!(
        refused,
        DriverError::Refused(synqpay_link::ErrorCode::NotAuthenticated)
    ));
    // A frame with a broken CRC, straight into the client session.
    client
        .session()
        .handle_input(1_000_000, &[0x02, 0x04, 0, 0, 0, 2, b'{', b'}', 0x03, 0, 0]);

    let lines = LINES.lock().unwrap().clone();
    let has = |level: Level, text: &str| lines.iter().any(|(l, s)| *l == level && s.contains(text));
    assert!(has(Level::Info, "client: connected"), "{lines:#?}");
    assert!(
        has(Level::Warn, "device: request with a wrong API key refused"),
        "{lines:#?}"
    );
    assert!(
        has(
            Level::Warn,
            "client: request 1 failed: Link(NotAuthenticated)"
        ),
        "{lines:#?}"
    );
    assert!(has(Level::Debug, "link: invalid frame"), "{lines:#?}");
    assert!(
        has(Level::Debug, "client: bad frame from the device"),
        "{lines:#?}"
    );
    for secret in [device_key, wrong_key] {
        let hex = String::from_utf8(secret.expose_hex().to_vec()).unwrap();
        assert!(lines.iter().all(|(_, s)| !s.to_lowercase().contains(&hex)));
    }
}
