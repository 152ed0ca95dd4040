//! A line-noise proxy, for testing an integration against the simulator: it sits between a
//! client and the device (TCP on both sides; qemu bridges a firmware's UART to it) and injects
//! the faults a serial line sees, at chosen frames (ours; spec/protocol.md §1 link errors, §6
//! money safety): a bit flipped, bytes lost, the cable pulled in the middle of a sale's result.
//! It reads frames with `synqpay_link::parse_frame` to aim, and forwards everything else as is;
//! with no fault to inject, it forwards bytes as they come without reading them (a TLS session
//! through it stays whole, for a capture with `start_recording`).

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::pcap::{Connection, Direction, PcapWriter};
use synqpay_link::{Frame, ParseError, ParseOptions, parse_frame};
use synqpay_rpc::{Message, Method, StartTransaction};

/// Which faults to inject; frames are counted from 1 over the proxy's life.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Flip one bit in the middle of the client's Nth Request frame: the device finds a CRC
    /// error and answers with an Error frame.
    pub flip_request: Option<u32>,
    /// Lose 8 bytes from the middle of the device's Nth Response frame: the client drops what
    /// it cannot read, resynchronises, and its request times out.
    pub drop_in_response: Option<u32>,
    /// Pull the cable in the middle of the sale's result: forward the first half of the first
    /// Response that carries a `transactionStatus`, then pass nothing either way for this long.
    pub cut_sale_result: Option<Duration>,
}

/// What passed through and what was done to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Request frames from the client (corrupted ones included).
    pub requests: u32,
    /// `startTransaction` requests the client sent (each one a payment attempt).
    pub sales: u32,
    /// Response frames from the device.
    pub responses: u32,
    /// Link Error frames from the device (its answers to broken frames).
    pub error_frames: u32,
    /// Bits flipped.
    pub flipped: u32,
    /// Bytes lost on purpose (the cut included).
    pub dropped: u32,
    /// Whether the cable was pulled.
    pub cut: bool,
}

struct Shared {
    faults: Faults,
    report: Mutex<Report>,
    quiet_until: Mutex<Option<Instant>>,
    /// The capture being written, and the connection in it (`start_recording`).
    pcap: Option<Mutex<(PcapWriter, Option<Connection>)>>,
}

/// A running proxy; stops when dropped.
pub struct NoiseProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl NoiseProxy {
    /// Listens on `listen` and connects each client to `upstream`.
    pub fn start(listen: &str, upstream: SocketAddr, faults: Faults) -> io::Result<Self> {
        Self::start_inner(listen, upstream, faults, None)
    }

    /// The same, writing what passes (after the faults) to the pcap file `capture`, for
    /// Wireshark with `tools/wireshark/synqpay.lua` (IPv4 connections).
    pub fn start_recording(
        listen: &str,
        upstream: SocketAddr,
        faults: Faults,
        capture: &Path,
    ) -> io::Result<Self> {
        let pcap = PcapWriter::create(capture)?;
        Self::start_inner(listen, upstream, faults, Some(pcap))
    }

    fn start_inner(
        listen: &str,
        upstream: SocketAddr,
        faults: Faults,
        pcap: Option<PcapWriter>,
    ) -> io::Result<Self> {
        let listener = TcpListener::bind(listen)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            faults,
            report: Mutex::default(),
            quiet_until: Mutex::default(),
            pcap: pcap.map(|p| Mutex::new((p, None))),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (s, flag) = (shared.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        if let Ok(device) = TcpStream::connect(upstream) {
                            join(client, device, &s, &flag);
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Ok(Self {
            addr,
            shared,
            stop,
            thread: Some(thread),
        })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What has passed so far.
    pub fn report(&self) -> Report {
        self.shared
            .report
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }
}

impl Drop for NoiseProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Pumps both ways until either side closes (or the proxy stops).
fn join(client: TcpStream, device: TcpStream, shared: &Arc<Shared>, stop: &Arc<AtomicBool>) {
    let _ = (client.set_nodelay(true), device.set_nodelay(true));
    let (Ok(c2), Ok(d2)) = (client.try_clone(), device.try_clone()) else {
        return;
    };
    if let (Some(pcap), Ok(SocketAddr::V4(from)), Ok(SocketAddr::V4(to))) =
        (&shared.pcap, client.peer_addr(), device.peer_addr())
        && let Ok(mut pcap) = pcap.lock()
    {
        let (writer, conn) = &mut *pcap;
        *conn = writer.connect(from, to).ok();
    }
    let (s, f) = (shared.clone(), stop.clone());
    let up = std::thread::spawn(move || pump(c2, d2, Way::ToDevice, &s, &f));
    pump(device, client, Way::ToClient, shared, stop);
    let _ = up.join();
    if let Some(pcap) = &shared.pcap
        && let Ok(mut pcap) = pcap.lock()
    {
        let (writer, conn) = &mut *pcap;
        if let Some(mut c) = conn.take() {
            let _ = writer.close(&mut c);
        }
    }
}

/// Writes `bytes` going `way` to the capture, if one is being written.
fn record(s: &Shared, way: Way, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    if let Some(pcap) = &s.pcap
        && let Ok(mut pcap) = pcap.lock()
    {
        let (writer, conn) = &mut *pcap;
        if let Some(c) = conn.as_mut() {
            let dir = match way {
                Way::ToDevice => Direction::ToDevice,
                Way::ToClient => Direction::ToClient,
            };
            let _ = writer.send(c, dir, bytes).and_then(|()| writer.flush());
        }
    }
}

/// Which way bytes go through the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    /// From the client to the device: requests.
    ToDevice,
    /// From the device to the client: answers, events, Error frames.
    ToClient,
}

/// Forwards `from` to `to` frame by frame, applying the faults of this direction.
fn pump(mut from: TcpStream, mut to: TcpStream, way: Way, s: &Shared, stop: &AtomicBool) {
    let _ = from.set_read_timeout(Some(Duration::from_millis(20)));
    let options = ParseOptions::default();
    let mut held: Vec<u8> = Vec::new();
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => held.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
        // No fault to inject: bytes pass as they come, whatever they are (a TLS session too).
        if s.faults.flip_request.is_none()
            && s.faults.drop_in_response.is_none()
            && s.faults.cut_sale_result.is_none()
        {
            record(s, way, &held);
            if to.write_all(&held).is_err() {
                let _ = from.shutdown(Shutdown::Both);
                return;
            }
            held.clear();
            continue;
        }
        loop {
            // The cable is out for what arrives now; pulled by this frame, it goes mid-frame.
            let cable_out = quiet(s);
            let (mut out, taken) = match parse_frame(&held, &options) {
                Ok((frame, len)) => (apply(s, way, &frame, held[..len].to_vec()), len),
                Err(ParseError::Incomplete) => break,
                // Not a frame start: passed on as it came.
                Err(ParseError::Invalid(_)) => (held[..1].to_vec(), 1),
            };
            held.drain(..taken);
            if cable_out {
                count(s, |r| r.dropped += out.len() as u32);
                out.clear();
            }
            record(s, way, &out);
            if to.write_all(&out).is_err() {
                let _ = from.shutdown(Shutdown::Both);
                return;
            }
        }
    }
    let _ = to.shutdown(Shutdown::Both);
}

/// The bytes to forward for one whole frame, after this direction's faults.
fn apply(s: &Shared, way: Way, frame: &Frame<'_>, mut bytes: Vec<u8>) -> Vec<u8> {
    let mid = bytes.len() / 2;
    match (way, frame) {
        (Way::ToDevice, Frame::Request { payload, .. }) => {
            let n = count(s, |r| {
                r.requests += 1;
                r.requests
            });
            let sale = matches!(
                Message::parse(payload),
                Ok(Message::Request(r)) if r.method == StartTransaction::NAME
            );
            if sale {
                count(s, |r| r.sales += 1);
            }
            if s.faults.flip_request == Some(n) {
                bytes[mid] ^= 0x10;
                count(s, |r| r.flipped += 1);
            }
        }
        (Way::ToClient, Frame::Response { payload }) => {
            let n = count(s, |r| {
                r.responses += 1;
                r.responses
            });
            if s.faults.drop_in_response == Some(n) && bytes.len() > 16 {
                bytes.drain(mid..mid + 8);
                count(s, |r| r.dropped += 8);
            } else if let Some(quiet_for) = s.faults.cut_sale_result
                && contains(payload, b"\"transactionStatus\"")
                && !count(s, |r| std::mem::replace(&mut r.cut, true))
            {
                count(s, |r| r.dropped += (bytes.len() - mid) as u32);
                bytes.truncate(mid);
                if let Ok(mut until) = s.quiet_until.lock() {
                    *until = Some(Instant::now() + quiet_for);
                }
            }
        }
        (Way::ToClient, Frame::Error(_)) => count(s, |r| r.error_frames += 1),
        _ => {}
    }
    bytes
}

/// Whether the cable is out now.
fn quiet(s: &Shared) -> bool {
    s.quiet_until
        .lock()
        .is_ok_and(|until| until.is_some_and(|t| Instant::now() < t))
}

fn count<T>(s: &Shared, f: impl FnOnce(&mut Report) -> T) -> T {
    let mut report = s.report.lock().unwrap_or_else(|p| p.into_inner());
    f(&mut report)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
