//! Each request is answered exactly once, and `cancel` names what it cancels (issue 12; spec/api.md
//! "cancel", spec/protocol.md §5). Seen from a client session of `synqpay-session` driven by hand
//! over a socket, which counts every duplicate answer.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use synqpay_rpc::{
    Cancel, CancelParams, IdPrefix, ReferenceId, RequestId, StartTransactionParams, Text,
};
use synqpay_session::{ClientBuffers, ClientConfig, ClientEvent, decode_response};
use synqpay_sim::{Simulator, SimulatorConfig};

type Session = synqpay_session::Client<Vec<u8>, 4>;

struct Raw {
    session: Session,
    socket: TcpStream,
    start: Instant,
}

impl Raw {
    fn connect(sim: &Simulator) -> Self {
        let buffers = ClientBuffers {
            rx: vec![0; 8192],
            tx: vec![0; 4096],
            inbox: vec![0; 16384],
        };
        let mut session = Session::new(ClientConfig::default(), buffers, IdPrefix(0x0ce0_0001))
            .with_api_key("1234abcd".parse().unwrap());
        let socket = TcpStream::connect(sim.addr()).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(10)))
            .unwrap();
        session.connect(0);
        Self {
            session,
            socket,
            start: Instant::now(),
        }
    }

    fn now(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// Drives the link for `wait`; returns (request, the answer's JSON) in order.
    fn pump(&mut self, wait: Duration) -> Vec<(RequestId, String)> {
        let until = Instant::now() + wait;
        let mut answers = Vec::new();
        while Instant::now() < until {
            while let Some(bytes) = self.session.poll_transmit() {
                let n = self.socket.write(bytes).unwrap();
                let now = self.now();
                self.session.transmitted(now, n);
            }
            let mut buf = [0u8; 4096];
            match self.socket.read(&mut buf) {
                Ok(n) => {
                    let now = self.now();
                    self.session.handle_input(now, &buf[..n]);
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => panic!("{e}"),
            }
            let now = self.now();
            self.session.handle_timeout(now);
            while let Some(event) = self.session.poll_event() {
                if let ClientEvent::Response { id, payload } = event {
                    answers.push((id, String::from_utf8_lossy(payload).into_owned()));
                }
            }
        }
        answers
    }
}

fn simulator() -> Simulator {
    let config = SimulatorConfig {
        api_key: Some("1234abcd".parse().unwrap()),
        step_ms: 5,
        ..Default::default()
    };
    Simulator::start("127.0.0.1:0", config).unwrap()
}

#[test]
fn a_stopped_transaction_is_not_answered_again_when_cancelled() {
    let sim = simulator();
    let mut raw = Raw::connect(&sim);
    let params = StartTransactionParams {
        notify_update: Some(true),
        ..StartTransactionParams::sale(ReferenceId::new("once-1").unwrap(), 5000, 376)
    };
    let now = raw.now();
    let sale = raw.session.start_transaction(now, &params).unwrap();
    let answers = raw.pump(Duration::from_millis(300));
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0].0, sale);
    assert!(answers[0].1.contains("UPDATE"), "{}", answers[0].1);
    // Cancel in WAITING_FOR_CONTINUE: the cancel is answered; the sale was, with its stop.
    let now = raw.now();
    let cancel = CancelParams {
        reference_id: Text::new("once-1"),
    };
    let cancelled = raw.session.send::<Cancel>(now, &cancel).unwrap();
    let answers = raw.pump(Duration::from_millis(300));
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0].0, cancelled);
    assert_eq!(raw.session.stats().0.duplicates, 0, "no second answer");
}

#[test]
fn cancel_names_the_running_transaction() {
    let sim = simulator();
    let mut raw = Raw::connect(&sim);
    let params = StartTransactionParams::sale(ReferenceId::new("named-1").unwrap(), 1003, 376);
    let now = raw.now();
    let sale = raw.session.start_transaction(now, &params).unwrap();
    raw.pump(Duration::from_millis(50));
    // Another referenceId: 302, and the sale runs on.
    let now = raw.now();
    let wrong = CancelParams {
        reference_id: Text::new("named-2"),
    };
    let refused = raw.session.send::<Cancel>(now, &wrong).unwrap();
    let answers = raw.pump(Duration::from_millis(100));
    let (_, payload) = answers.iter().find(|(id, _)| *id == refused).unwrap();
    let e = decode_response::<Cancel>(payload.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("302"), "{e}");
    assert!(answers.iter().all(|(id, _)| *id != sale), "{answers:?}");
    // Its own referenceId: the cancel is answered, then the sale with CANCELED.
    let now = raw.now();
    let right = CancelParams {
        reference_id: Text::new("named-1"),
    };
    raw.session.send::<Cancel>(now, &right).unwrap();
    let answers = raw.pump(Duration::from_millis(200));
    let (_, payload) = answers.iter().find(|(id, _)| *id == sale).unwrap();
    assert!(payload.contains("CANCELED"), "{payload}");
}
