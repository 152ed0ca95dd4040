//! The simulator's screen in a browser (ours; `synqpay simulate --screen ADDR`, feature
//! `screen`): one self-contained page (`page.html`, embedded) that shows the device as a
//! terminal — its screen, its state, the frames passing with the API key masked — and buttons
//! for the cardholder and the device that go through the same state machine as a scenario
//! (hand.rs). Served by tiny_http; every state change reaches each page at once over
//! server-sent events; several pages may watch; a page never holds the device up (the device
//! loop only swaps a snapshot and notifies, each page has a thread of its own). Bound to
//! loopback unless told otherwise, and says so when it is not.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

mod guard;

use crate::Simulator;
use crate::hand::Action;
use crate::view::{Control, Shared};

/// The page.
const PAGE: &str = include_str!("page.html");
/// The most pages watching at once (ours: bounded threads and memory).
const MAX_WATCHERS: usize = 16;
/// The largest action a page may post (ours).
const MAX_BODY: u64 = 4096;
/// How often an idle event stream is pinged, to notice a page that went away.
const PING: Duration = Duration::from_secs(15);

/// The screen page, served while this lives.
pub struct ScreenPage {
    addr: SocketAddr,
    server: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ScreenPage {
    /// Serves the screen of `sim` on `addr` (port 0: any free one).
    pub fn start(sim: &Simulator, addr: &str) -> io::Result<Self> {
        let server = tiny_http::Server::http(addr)
            .map_err(|e| io::Error::new(io::ErrorKind::AddrNotAvailable, e.to_string()))?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| io::Error::other("not an IP address"))?;
        let server = Arc::new(server);
        let stop = Arc::new(AtomicBool::new(false));
        let (shared, controls) = sim.watch();
        shared.watch_frames();
        let thread = {
            let (server, stop) = (server.clone(), stop.clone());
            std::thread::Builder::new()
                .name("synqpay-screen".into())
                .spawn(move || serve(&server, &shared, &controls, &stop))?
        };
        Ok(Self {
            addr,
            server,
            stop,
            thread: Some(thread),
        })
    }

    /// Where the page is.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether the page can be reached from other machines (not bound to loopback).
    pub fn is_public(&self) -> bool {
        !self.addr.ip().is_loopback()
    }
}

impl Drop for ScreenPage {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    server: &tiny_http::Server,
    shared: &Arc<Shared>,
    controls: &mpsc::Sender<Control>,
    stop: &Arc<AtomicBool>,
) {
    let watchers = Arc::new(AtomicUsize::new(0));
    let mut streams = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let Ok(Some(mut request)) = server.recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        let path = request.url().split('?').next().unwrap_or("").to_string();
        let method = request.method().clone();
        let result = match (method, path.as_str()) {
            _ if !guard::addressed_here(&request) => {
                request.respond(status(421, "address the page by IP or localhost"))
            }
            (tiny_http::Method::Post, "/action") if !guard::posted_by_the_page(&request) => {
                request.respond(status(403, "actions come from the page itself"))
            }
            (tiny_http::Method::Get, "/") => request.respond(html(PAGE)),
            (tiny_http::Method::Get, "/state") => {
                let json = shared.read(|v| serde_json::to_string(v).unwrap_or_default());
                request.respond(json_response(json.unwrap_or_default()))
            }
            (tiny_http::Method::Get, "/events") => {
                if watchers.fetch_add(1, Ordering::SeqCst) >= MAX_WATCHERS {
                    watchers.fetch_sub(1, Ordering::SeqCst);
                    request.respond(status(503, "too many pages watching"))
                } else {
                    let (shared, stop, watchers) = (shared.clone(), stop.clone(), watchers.clone());
                    let writer = request.into_writer();
                    streams.push(std::thread::spawn(move || {
                        let _ = events(writer, &shared, &stop);
                        watchers.fetch_sub(1, Ordering::SeqCst);
                    }));
                    Ok(())
                }
            }
            (tiny_http::Method::Post, "/action") => {
                let mut body = String::new();
                let read = request.as_reader().take(MAX_BODY).read_to_string(&mut body);
                match read
                    .ok()
                    .and_then(|_| serde_json::from_str::<Action>(&body).ok())
                {
                    Some(action) => {
                        let _ = controls.send(Control::Act(action));
                        request.respond(status(204, ""))
                    }
                    None => request.respond(status(400, "not an action")),
                }
            }
            _ => request.respond(status(404, "not found")),
        };
        let _ = result;
        streams.retain(|s| !s.is_finished());
    }
    for s in streams {
        let _ = s.join();
    }
}

/// One page's event stream: the snapshot at once, then each newer one, until the page goes or
/// the server stops.
fn events(mut out: Box<dyn Write + Send>, shared: &Shared, stop: &AtomicBool) -> io::Result<()> {
    out.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\
          Connection: close\r\n\r\n",
    )?;
    let now = shared.read(|v| (v.version, serde_json::to_string(v).unwrap_or_default()));
    let (mut seen, json) = now.unwrap_or_default();
    out.write_all(format!("data: {json}\n\n").as_bytes())?;
    out.flush()?;
    let mut quiet = Duration::ZERO;
    while !stop.load(Ordering::Relaxed) {
        match shared.newer_than(seen, TURN) {
            Some((version, json)) => {
                seen = version;
                quiet = Duration::ZERO;
                out.write_all(format!("data: {json}\n\n").as_bytes())?;
                out.flush()?;
            }
            None => {
                quiet += TURN;
                if quiet >= PING {
                    // A comment line: a page that went away shows up as a write error.
                    quiet = Duration::ZERO;
                    out.write_all(b": ping\n\n")?;
                    out.flush()?;
                }
            }
        }
    }
    Ok(())
}

/// How long an event stream waits for a change before it looks whether the server stops.
const TURN: Duration = Duration::from_millis(250);

/// `response` with the header `name: value`.
fn with(
    response: tiny_http::Response<io::Cursor<Vec<u8>>>,
    name: &str,
    value: &str,
) -> tiny_http::Response<io::Cursor<Vec<u8>>> {
    match tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        Ok(header) => response.with_header(header),
        Err(()) => response,
    }
}

fn html(page: &'static str) -> tiny_http::Response<io::Cursor<Vec<u8>>> {
    let response = tiny_http::Response::from_string(page);
    let response = with(response, "Content-Type", "text/html; charset=utf-8");
    // The page loads nothing from elsewhere.
    with(
        response,
        "Content-Security-Policy",
        "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:",
    )
}

fn json_response(json: String) -> tiny_http::Response<io::Cursor<Vec<u8>>> {
    with(
        tiny_http::Response::from_string(json),
        "Content-Type",
        "application/json",
    )
}

fn status(code: u16, text: &str) -> tiny_http::Response<io::Cursor<Vec<u8>>> {
    tiny_http::Response::from_string(text).with_status_code(code)
}
