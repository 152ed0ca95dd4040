//! The simulator's server: TCP, TLS and a serial line, one client at a time (a new connection
//! replaces the old one), no idle timeout (spec/protocol.md §2).

use std::io::{self, ErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::TestCa;
use crate::app::{App, SimulatorConfig};
use crate::conditions::Conditions;
use crate::face::Face;
use crate::frame_log::FrameLog;
use crate::hand::{Action, Decide};
use crate::pcap::{Connection, Direction, PcapWriter};
use crate::state::LinkAction;
use crate::view::{Control, Shared};
use synqpay_session::{ClientId, Device, DeviceBuffers, DeviceConfig};
use synqpay_std::transport::{SerialPort, Transport};

/// A running simulator; stops when dropped.
pub struct Simulator {
    addr: SocketAddr,
    tls_addr: Option<SocketAddr>,
    ca_pem: Option<String>,
    stop: Arc<AtomicBool>,
    shared: Arc<Shared>,
    controls: mpsc::Sender<Control>,
    thread: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Starts a simulator listening on `addr` (port 0: any free port) in a thread of its own.
    pub fn start(addr: &str, config: SimulatorConfig) -> io::Result<Self> {
        Self::start_inner(addr, None, None, config)
    }

    /// Starts a simulator on the serial port `path` at `baud` (8N1, no flow control), which is
    /// its client whenever no TCP client is connected; it also listens on `addr`.
    #[cfg(feature = "serial")]
    pub fn start_serial(
        addr: &str,
        path: &str,
        baud: u32,
        config: SimulatorConfig,
    ) -> io::Result<Self> {
        let port = synqpay_std::transport::open_serial(path, baud, TICK)?;
        Self::start_inner(addr, None, Some(port), config)
    }

    /// Starts a simulator that also listens for TLS on `tls_addr` (TLS 1.3 and 1.2, a P-256
    /// certificate issued by `ca`, a test CA generated with [`TestCa::generate`]).
    pub fn start_with_tls(
        addr: &str,
        tls_addr: &str,
        config: SimulatorConfig,
        ca: &TestCa,
    ) -> io::Result<Self> {
        let tls = Some((tls_addr, ca.server.clone()));
        let mut sim = Self::start_inner(addr, tls, None, config)?;
        sim.ca_pem = Some(ca.ca_pem.clone());
        Ok(sim)
    }

    fn start_inner(
        addr: &str,
        tls: Option<(&str, Arc<rustls::ServerConfig>)>,
        serial: Option<SerialPort>,
        config: SimulatorConfig,
    ) -> io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let tls = match tls {
            Some((tls_addr, server)) => {
                let l = TcpListener::bind(tls_addr)?;
                l.set_nonblocking(true)?;
                Some((l, server))
            }
            None => None,
        };
        let tls_addr = match &tls {
            Some((l, _)) => Some(l.local_addr()?),
            None => None,
        };
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared::new(config.scenario.device));
        let (controls, controlled) = mpsc::channel();
        let thread = {
            let (stop, shared) = (stop.clone(), shared.clone());
            std::thread::Builder::new()
                .name("synqpay-simulator".into())
                .spawn(move || {
                    let links = Links {
                        tcp: listener,
                        tls,
                        serial,
                    };
                    let watch = Watch {
                        stop: &stop,
                        shared: &shared,
                        controls: controlled,
                    };
                    serve(links, config, &watch)
                })?
        };
        Ok(Self {
            addr,
            tls_addr,
            ca_pem: None,
            stop,
            shared,
            controls,
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address it listens on for TLS, if it does.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls_addr
    }

    /// The test CA's certificate (PEM) that clients trust, when TLS is on.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// What the device's screen shows now, such as `PAIRING: code 123456`.
    pub fn screen(&self) -> String {
        self.shared.read(|v| v.screen.clone()).unwrap_or_default()
    }

    /// The pairing code on the screen, if one is shown (spec/protocol.md §3).
    pub fn pairing_code(&self) -> Option<String> {
        self.shared.read(|v| v.pairing_code.clone()).flatten()
    }

    /// The device's surroundings now: screen, battery, host.
    pub fn conditions(&self) -> Conditions {
        self.shared.read(|v| v.conditions).unwrap_or_default()
    }

    /// Changes the device's surroundings (its screen, battery or host), as a tester would with
    /// a device in hand; takes effect at the device's next turn (a few ms).
    pub fn set_conditions(&self, conditions: Conditions) {
        let _ = self.controls.send(Control::Conditions(conditions));
    }

    /// Presses a button of the device or the cardholder ([`Action`]); takes effect at the
    /// device's next turn.
    pub fn act(&self, action: Action) {
        let _ = self.controls.send(Control::Act(action));
    }

    /// What the customer's screen shows now.
    pub fn face(&self) -> Face {
        self.shared
            .read(|v| v.face.clone())
            .unwrap_or(Face::Idle { last: None })
    }

    /// Who decides now: the scenario, or a hand.
    pub fn decide(&self) -> Decide {
        self.shared.read(|v| v.decide).unwrap_or_default()
    }

    /// The snapshot watchers read, and where their buttons go (the screen page).
    #[cfg_attr(not(feature = "screen"), allow(dead_code))]
    pub(crate) fn watch(&self) -> (Arc<Shared>, mpsc::Sender<Control>) {
        (self.shared.clone(), self.controls.clone())
    }

    /// Stops the simulator and waits for its thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Ours: the client on the serial line. `ff..ff` is an IPv6 multicast address, which no TCP
/// peer has.
const SERIAL_CLIENT: ClientId = ClientId([0xff; 16]);

/// Ours: a client is identified by its IP address (the only thing the device knows at connect
/// time), so that a client that reconnects gets its cached responses.
fn client_id(ip: IpAddr) -> ClientId {
    let v6 = match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    };
    ClientId(v6.octets())
}

/// A new connection: the stream, the peer, and the TLS configuration if it came on the TLS port.
type Incoming = (TcpStream, SocketAddr, Option<Arc<rustls::ServerConfig>>);

/// Accepts on `listener` until `stop`, handing connections to the device loop.
fn acceptor(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    out: mpsc::Sender<Incoming>,
    stop: Arc<AtomicBool>,
) {
    while !stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, peer)) => {
                if out.send((stream, peer, tls.clone())).is_err() {
                    return;
                }
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// The longest the loop waits for input before it moves transactions on.
const TICK: Duration = Duration::from_millis(5);

/// Whether an I/O error only says that the time allowed ran out.
fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// The longest a write to a TCP client may block before the client is dropped (ours).
const WRITE_DEADLINE: Duration = Duration::from_millis(500);

/// The link failed or closed. A TCP client is gone, and the serial line, if any (`serial`: its
/// client), becomes the client again. A serial line never goes (a cable pulled or a peer that
/// closed its end is not seen on a UART): the loop waits a tick and reads on.
fn link_lost<C>(
    now: u64,
    device: &mut Device<Vec<u8>>,
    client: &mut Option<Transport<C>>,
    serial: Option<ClientId>,
) {
    if client.take().is_some() {
        device.disconnect(now);
        if let Some(serial) = serial {
            device.connect(now, serial);
        }
    } else {
        std::thread::sleep(TICK);
    }
}

/// Where the simulator's clients come from.
struct Links {
    tcp: TcpListener,
    tls: Option<(TcpListener, Arc<rustls::ServerConfig>)>,
    serial: Option<SerialPort>,
}

/// The simulator's loop: accept (replacing the client), read, serve, tick, write. Reads block
/// until bytes arrive (or a tick passes), so an answer leaves as soon as its request is in.
/// The serial line, if any, is the client while no TCP client is connected.
/// What the loop shares with the `Simulator` handle.
struct Watch<'a> {
    stop: &'a AtomicBool,
    shared: &'a Shared,
    controls: mpsc::Receiver<Control>,
}

fn serve(links: Links, config: SimulatorConfig, watch: &Watch<'_>) {
    let Links {
        tcp: listener,
        tls,
        serial,
    } = links;
    let mut device = Device::new(
        DeviceConfig::default(),
        DeviceBuffers {
            rx: vec![0u8; 8192],
            tx: vec![0u8; 64 * 1024],
            requests: vec![0u8; 16 * 1024],
            cache: vec![0u8; 64 * 1024],
        },
    );
    // A capture of the plain TCP connections, when asked (ours: TLS is recorded by nobody here;
    // Wireshark decrypts a real device's with the client's key log).
    let mut capture = Capture::new(config.pcap.as_deref());
    let mut app = App::new(config);
    device.set_api_key(app.api_key());
    device.set_cached_responses(app.cached_responses());
    let start = Instant::now();
    let mut frames = FrameLog::new();
    let (to_loop, incoming) = mpsc::channel();
    let stop_all = Arc::new(AtomicBool::new(false));
    let mut acceptors = Vec::new();
    for (l, secure) in std::iter::once((listener, None)).chain(tls.map(|(l, c)| (l, Some(c)))) {
        let (out, stop) = (to_loop.clone(), stop_all.clone());
        acceptors.push(std::thread::spawn(move || acceptor(l, secure, out, stop)));
    }
    let mut client: Option<Transport<rustls::ServerConnection>> = None;
    let mut serial = serial.map(Transport::Serial);
    let serial_client = serial.as_ref().map(|_| SERIAL_CLIENT);
    if let Some(serial_client) = serial_client {
        device.connect(0, serial_client);
    }
    let mut buf = [0u8; 16 * 1024];
    while !watch.stop.load(Ordering::Relaxed) {
        while let Ok(control) = watch.controls.try_recv() {
            match control {
                Control::Conditions(conditions) => app.set_conditions(conditions),
                Control::Act(action) => {
                    let now = start.elapsed().as_millis() as u64;
                    app.act(now, &mut device, action);
                }
            }
        }
        let mut next = if client.is_some() || serial.is_some() {
            incoming.try_recv().ok()
        } else {
            incoming.recv_timeout(TICK).ok()
        };
        // The newest connection wins at once, however many wait behind it (spec/protocol.md
        // §2: each new client replaces the last; ours: the ones in between are closed unserved).
        while let Ok(newer) = incoming.try_recv() {
            next = Some(newer);
        }
        let now = start.elapsed().as_millis() as u64;
        if let Some((stream, peer, secure)) = next {
            // One client at a time: the new connection replaces the old (spec/protocol.md §2).
            let _ = stream.set_nonblocking(false);
            let _ = stream.set_nodelay(true);
            // Reads wait at most a tick (a serial port is opened with the same timeout); a
            // write that the client does not take within WRITE_DEADLINE drops it (ours: a
            // client that never reads cannot stall the device for the next one).
            let _ = stream.set_read_timeout(Some(TICK));
            let _ = stream.set_write_timeout(Some(WRITE_DEADLINE));
            let local = stream.local_addr().ok();
            capture.connected(secure.is_none(), peer, local);
            let transport = match secure {
                None => Some(Transport::Plain(stream)),
                Some(config) => rustls::ServerConnection::new(config)
                    .ok()
                    .map(|conn| Transport::Tls(Box::new(rustls::StreamOwned::new(conn, stream)))),
            };
            if transport.is_some() {
                device.connect(now, client_id(peer.ip()));
                frames.reset();
                client = transport;
            }
        }
        let mut lost = false;
        if let Some(stream) = client.as_mut().or(serial.as_mut()) {
            match stream.read(&mut buf) {
                Ok(n) if n > 0 => {
                    if watch.shared.frames_watched() {
                        watch.shared.log(frames.received(&buf[..n]));
                    }
                    capture.record(Direction::ToDevice, &buf[..n]);
                    device.handle_input(start.elapsed().as_millis() as u64, &buf[..n])
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                _ => lost = true,
            }
        }
        if lost {
            link_lost(now, &mut device, &mut client, serial_client);
        }
        let now = start.elapsed().as_millis() as u64;
        app.serve(now, &mut device);
        app.tick(now, &mut device);
        device.handle_timeout(now);
        // The screen changes before the answer leaves, as on the device.
        let (face, status) = (app.face(now), app.device_status().to_string());
        watch.shared.update(|view| {
            let changed = view.screen != app.screen
                || view.pairing_code.as_deref() != app.pairing_code()
                || view.conditions != app.conditions()
                || view.face != face
                || view.status != status
                || view.decide != app.decide();
            if changed {
                view.screen.clone_from(&app.screen);
                view.pairing_code = app.pairing_code().map(str::to_string);
                view.conditions = app.conditions();
                view.face = face;
                view.status = status;
                view.decide = app.decide();
            }
            changed
        });
        // A scenario's dropped connection: before anything more is written to it.
        let action = app.take_link_action();
        if action == LinkAction::Drop {
            link_lost(now, &mut device, &mut client, serial_client);
        }
        // Only a plain TCP client is dropped for not reading: on TLS a timed-out call may be
        // rustls reading the handshake (the socket's read timeout is a tick), and a serial line
        // cannot be dropped.
        let plain = matches!(client, Some(Transport::Plain(_)));
        if let Some(stream) = client.as_mut().or(serial.as_mut()) {
            let mut failed = false;
            while let Some(bytes) = device.poll_transmit() {
                match stream.write(bytes) {
                    Ok(n) => {
                        if watch.shared.frames_watched() {
                            watch.shared.log(frames.sent(&bytes[..n]));
                        }
                        capture.record(Direction::ToClient, &bytes[..n]);
                        device.transmitted(now, n)
                    }
                    // A plain TCP client that did not read for WRITE_DEADLINE is gone.
                    Err(e) if plain && is_timeout(&e) => {
                        failed = true;
                        break;
                    }
                    // Not taken now: the rest goes next turn.
                    Err(e) if is_timeout(&e) => break,
                    Err(_) => {
                        failed = true;
                        break;
                    }
                }
            }
            // TLS keeps written records until the socket takes them.
            if failed || stream.flush().is_err_and(|e| !is_timeout(&e)) {
                link_lost(now, &mut device, &mut client, serial_client);
            }
        }
        if client.is_none() {
            capture.closed();
        }
        // A reboot: after its answer left, the connection closes and what the device kept
        // for a client is gone with its memory.
        if action == LinkAction::Reboot {
            link_lost(now, &mut device, &mut client, serial_client);
            device.set_cached_responses(synqpay_session::CachedResponses::Off);
            device.set_cached_responses(app.cached_responses());
        }
    }
    stop_all.store(true, Ordering::Relaxed);
    for a in acceptors {
        let _ = a.join();
    }
}

/// The simulator's capture (`SimulatorConfig::pcap`): plain TCP connections over IPv4, what
/// the client sent and what it was sent.
struct Capture {
    writer: Option<PcapWriter>,
    connection: Option<Connection>,
}

impl Capture {
    fn new(path: Option<&std::path::Path>) -> Self {
        Self {
            writer: path.and_then(|p| PcapWriter::create(p).ok()),
            connection: None,
        }
    }

    /// A client connected (`plain`: not on the TLS port).
    fn connected(&mut self, plain: bool, peer: SocketAddr, local: Option<SocketAddr>) {
        self.closed();
        if let (Some(writer), true, SocketAddr::V4(client), Some(SocketAddr::V4(device))) =
            (self.writer.as_mut(), plain, peer, local)
        {
            self.connection = writer.connect(client, device).ok();
        }
    }

    fn record(&mut self, direction: Direction, bytes: &[u8]) {
        if let (Some(writer), Some(c)) = (self.writer.as_mut(), self.connection.as_mut()) {
            let _ = writer
                .send(c, direction, bytes)
                .and_then(|()| writer.flush());
        }
    }

    fn closed(&mut self) {
        if let (Some(writer), Some(mut c)) = (self.writer.as_mut(), self.connection.take()) {
            let _ = writer.close(&mut c);
        }
    }
}
