//! A client session of `synqpay-session` driven by hand over a socket: requests go out while
//! others wait, and every answer (duplicates counted) is seen.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use synqpay_rpc::{IdPrefix, RequestId};
use synqpay_session::{ClientBuffers, ClientConfig, ClientEvent};
use synqpay_sim::Simulator;

pub type Session = synqpay_session::Client<Vec<u8>, 4>;

pub struct Raw {
    pub session: Session,
    socket: TcpStream,
    start: Instant,
}

impl Raw {
    pub fn connect(sim: &Simulator) -> Self {
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

    pub fn now(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// Drives the link for `wait`; returns (request, the answer's JSON) in order.
    pub fn pump(&mut self, wait: Duration) -> Vec<(RequestId, String)> {
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
