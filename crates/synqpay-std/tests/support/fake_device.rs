//! A device that is broken on purpose: a TCP listener on loopback whose behaviour a test
//! scripts byte by byte, with none of the simulator's code (issue 11: "a broken device makes
//! every call wait 120 s or forever"). Each accepted connection runs the script on a thread;
//! everything stops when the `FakeDevice` is dropped.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the script is given: the connection and a flag that says to stop.
pub struct Conn {
    pub stream: TcpStream,
    pub stop: Arc<AtomicBool>,
}

impl Conn {
    /// Whether the test is over.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Reads what the client sent so far (waits up to 50 ms); empty when nothing came.
    pub fn read_some(&mut self) -> Vec<u8> {
        let _ = self
            .stream
            .set_read_timeout(Some(Duration::from_millis(50)));
        let mut buf = [0u8; 4096];
        match self.stream.read(&mut buf) {
            Ok(n) => buf[..n].to_vec(),
            Err(_) => Vec::new(),
        }
    }

    /// Reads until a request's id shows, and returns it (the text of `"id":"…"`).
    pub fn next_request_id(&mut self) -> Option<String> {
        let mut seen = Vec::new();
        while !self.stopped() {
            seen.extend(self.read_some());
            let text = String::from_utf8_lossy(&seen);
            if let Some(at) = text.find("\"id\":\"") {
                let rest = &text[at + 6..];
                return rest.find('"').map(|end| rest[..end].to_string());
            }
        }
        None
    }
}

pub struct FakeDevice {
    pub addr: SocketAddr,
    pub accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeDevice {
    /// Listens on loopback; `script` runs for each connection.
    pub fn start(script: impl Fn(Conn) + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicUsize::new(0));
        let (flag, count) = (stop.clone(), accepted.clone());
        let script = Arc::new(script);
        let thread = std::thread::spawn(move || {
            let mut workers = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        count.fetch_add(1, Ordering::Relaxed);
                        let _ = stream.set_nonblocking(false);
                        let (script, stop) = (script.clone(), flag.clone());
                        workers.push(std::thread::spawn(move || script(Conn { stream, stop })));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
            for w in workers {
                let _ = w.join();
            }
        });
        Self {
            addr,
            accepted,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for FakeDevice {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A frame of `kind` (2: Response) around `payload`, its CRC-16/MODBUS high byte first, as
/// spec/protocol.md §1 describes it (written here from the spec, not with the crate's encoder).
pub fn frame(kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut covered = (payload.len() as u32).to_be_bytes().to_vec();
    covered.extend_from_slice(payload);
    let mut crc: u16 = 0xFFFF;
    for &b in &covered {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    let mut out = vec![0x02, kind];
    out.extend_from_slice(&covered);
    out.extend_from_slice(&crc.to_be_bytes());
    out.push(0x03);
    out
}
