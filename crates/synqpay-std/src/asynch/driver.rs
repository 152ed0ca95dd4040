//! The driver task: the one owner of the connection. It writes what the session offers, hands
//! it what the device sends, runs its timers (KeepAlive every 15 s and the device's KeepAlives
//! answered, the ACK deadline, request deadlines: spec/protocol.md §2, §6) however long the app
//! stays idle, hands each event to whoever waits for it, and reconnects, paced, while a request
//! is outstanding. It stops when its [`Client`](super::Client) is dropped.

use std::sync::Arc;
use std::time::Instant;

use synqpay_session::Connected;
use tokio::sync::{mpsc, oneshot};

use super::link::{Dialer, Io, Link, exchange};
use super::state::Shared;
use crate::Error;
use crate::backoff::Backoff;

/// What the client asks of the driver, beyond the session they share.
pub(super) enum Command {
    /// Open a new connection (the old one, if any, is closed).
    Reconnect(oneshot::Sender<Result<Connected, Error>>),
    /// Open a connection if none is up.
    Connect(oneshot::Sender<Result<(), Error>>),
}

/// What woke the driver.
enum Woke {
    Command(Option<Command>),
    Io(Io),
    /// A request was queued, a cancel asked, or a timer came.
    Look,
}

pub(super) struct Driver {
    shared: Arc<Shared>,
    commands: mpsc::Receiver<Command>,
    dialer: Dialer,
    link: Option<Link>,
    /// When the next connection attempt may be made.
    backoff: Backoff,
}

impl Driver {
    pub(super) fn new(
        shared: Arc<Shared>,
        commands: mpsc::Receiver<Command>,
        dialer: Dialer,
    ) -> Self {
        Self {
            shared,
            commands,
            dialer,
            link: None,
            backoff: Backoff::default(),
        }
    }

    /// Opens a new connection (the old one, if any, is closed). Requests outstanding on the
    /// old one stay outstanding: their answers, cached by the device, are matched on the new
    /// one. Paced: a device that accepts and closes at once is not hammered (ours).
    pub(super) async fn reconnect(&mut self) -> Result<Connected, Error> {
        self.drop_link();
        tokio::time::sleep(self.backoff.wait(Instant::now())).await;
        self.backoff.attempted(Instant::now());
        self.link = Some(self.dialer.dial().await?);
        Ok(self.shared.lock().connected())
    }

    fn drop_link(&mut self) {
        let mut state = self.shared.lock();
        let now = state.now();
        state.session.disconnect(now);
        self.link = None;
    }

    /// Drives the session until the client is dropped.
    pub(super) async fn run(mut self) {
        let mut buf = vec![0u8; 8192];
        loop {
            let (out, mut wake_at) = {
                let mut state = self.shared.lock();
                state.send_cancel_if_asked();
                let out = match &self.link {
                    Some(_) => state.session.poll_transmit().map(<[u8]>::to_vec),
                    None => None,
                };
                (out.unwrap_or_default(), state.wake_at())
            };
            if self.link.is_none() && self.shared.lock().wants_link() {
                wake_at = wake_at.min(Instant::now() + self.backoff.wait(Instant::now()));
            }
            let woke = tokio::select! {
                command = self.commands.recv() => Woke::Command(command),
                () = self.shared.wake.notified() => Woke::Look,
                io = exchange(self.link.as_mut(), &out, &mut buf) => Woke::Io(io),
                () = tokio::time::sleep_until(wake_at.into()) => Woke::Look,
            };
            match woke {
                // The client is gone: so is the connection.
                Woke::Command(None) => return,
                Woke::Command(Some(command)) => self.obey(command).await,
                Woke::Io(io) => self.on_io(io, &buf),
                Woke::Look => {}
            }
            self.turn().await;
        }
    }

    async fn obey(&mut self, command: Command) {
        match command {
            Command::Reconnect(done) => {
                let _ = done.send(self.reconnect().await);
            }
            Command::Connect(done) => {
                let up = self.link.is_some() && self.shared.lock().session.is_connected();
                let result = match up {
                    true => Ok(()),
                    false => self.reconnect().await.map(|_| ()),
                };
                let _ = done.send(result);
            }
        }
    }

    fn on_io(&mut self, io: Io, buf: &[u8]) {
        match io {
            Io::Read(0) | Io::Wrote(0) | Io::Failed => self.drop_link(),
            Io::Read(n) => {
                self.backoff.proven();
                self.shared.lock().received(&buf[..n]);
            }
            Io::Wrote(n) => {
                let mut state = self.shared.lock();
                let now = state.now();
                state.session.transmitted(now, n);
            }
        }
    }

    /// After each wake: the timers that are due, the events to their waiters, and a new
    /// connection when the link is gone while a request is outstanding (its cached answer may
    /// come on it), once the backoff allows.
    async fn turn(&mut self) {
        let wants_link = {
            let mut state = self.shared.lock();
            let now = state.now();
            state.session.handle_timeout(now);
            if !state.session.is_connected() {
                // The session gave the link up (no ACK in time): so does the transport.
                self.link = None;
            }
            state.dispatch();
            self.link.is_none() && state.wants_link()
        };
        if wants_link && self.backoff.wait(Instant::now()).is_zero() {
            // A failure is paced by the backoff, and the waiting calls end at their deadlines.
            let _ = self.reconnect().await;
            self.shared.lock().dispatch();
        }
    }
}
