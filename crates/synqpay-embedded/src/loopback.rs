//! An in-memory payment terminal: [`synqpay_session::terminal::ScriptedTerminal`] (a device-role
//! session with a small script answering its requests) reached through `embedded_io` and
//! `embedded_io_async`. For tests and demos of an integration without a device, on the host or
//! in a firmware (spec/protocol.md §3 pairing, §4 requests, §5 states and events; the script
//! itself is ours, documented on `ScriptedTerminal`).

use core::convert::Infallible;

use synqpay_link::ApiKey;
pub use synqpay_session::terminal::Mode;
use synqpay_session::terminal::{ScriptConfig, ScriptedTerminal};
use synqpay_session::{Buffer, ClientId, Device, DeviceBuffers, DeviceConfig};

/// A payment terminal in memory, as the far end of a client's transport.
///
/// The script is [`ScriptedTerminal`]'s: `pair` with the configured serial number opens a code
/// for 30 s; `authenticate` with it returns the configured key; `getStatus` is IDLE, or
/// TRANSACTION while a sale runs; `startTransaction` sends `WAITING_FOR_CARD`, `CARD_DETECTED`
/// and `AUTHORIZATION_STARTED` (with `notifyEvents`), one per read, then answers with the
/// outcome its amount gives (an amount ending in `01` to `04` is declined, a host error, a
/// timeout, a referral; any other is approved); `getTransaction` by `REF_ID` finds the
/// approved and declined sales among the last [`HISTORY`](synqpay_session::terminal::HISTORY);
/// methods outside the script are `METHOD_NOT_FOUND`. Time is counted in reads and writes, one
/// millisecond each.
pub struct LoopbackTerminal<B: Buffer> {
    terminal: ScriptedTerminal<B>,
    now: u64,
}

impl<B: Buffer> LoopbackTerminal<B> {
    /// A terminal that is not paired: its serial number, the code its screen would show, and the
    /// key `authenticate` hands out.
    pub fn new(
        buffers: DeviceBuffers<B>,
        serial_number: &'static str,
        code: &'static str,
        key: ApiKey,
    ) -> Self {
        let mut device = Device::new(DeviceConfig::default(), buffers);
        device.connect(0, ClientId([1; 16]));
        let config = ScriptConfig {
            serial_number,
            code,
            key,
            // One step of a sale per read.
            step_ms: 0,
        };
        Self {
            terminal: ScriptedTerminal::new(device, config),
            now: 0,
        }
    }

    /// The same terminal, already paired with `key`.
    pub fn paired(mut self) -> Self {
        let key = self.terminal.config().key;
        self.terminal.device_mut().set_api_key(Some(key));
        self
    }

    /// How the terminal answers: [`Mode::Scripted`] (the default), [`Mode::Muted`] (it reads
    /// requests and answers nothing, as one that hangs: the client's deadlines must end its
    /// calls), or [`Mode::HoldSales`].
    pub fn set_mode(&mut self, mode: Mode) {
        self.terminal.set_mode(mode);
    }

    /// The `referenceId`s and amounts of the sales approved, oldest first (among the last
    /// [`HISTORY`](synqpay_session::terminal::HISTORY) sales).
    pub fn charged(&self) -> impl Iterator<Item = (&str, i64)> {
        self.terminal.charged()
    }

    /// The device session, for its counters.
    pub fn device(&self) -> &Device<B> {
        self.terminal.device()
    }

    fn tick(&mut self) -> u64 {
        self.now += 1;
        self.now
    }

    /// Copies what the terminal has to send into `buf`.
    fn take_output(&mut self, buf: &mut [u8]) -> usize {
        let now = self.tick();
        let device = self.terminal.device_mut();
        let Some(bytes) = device.poll_transmit() else {
            return 0;
        };
        let n = bytes.len().min(buf.len());
        buf[..n].copy_from_slice(&bytes[..n]);
        device.transmitted(now, n);
        n
    }

    /// Whether the terminal has something to send; when it has nothing, it serves the requests
    /// that came in and moves a sale one step first.
    fn ready(&mut self) -> bool {
        if self.terminal.device().poll_transmit().is_none() {
            self.terminal.serve(self.now);
            self.terminal.tick(self.now);
        }
        self.terminal.device().poll_transmit().is_some()
    }
}

impl<B: Buffer> embedded_io::ErrorType for LoopbackTerminal<B> {
    type Error = Infallible;
}

impl<B: Buffer> embedded_io::Write for LoopbackTerminal<B> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        let now = self.tick();
        self.terminal.device_mut().handle_input(now, buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

impl<B: Buffer> embedded_io::ReadReady for LoopbackTerminal<B> {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(self.ready())
    }
}

impl<B: Buffer> embedded_io::Read for LoopbackTerminal<B> {
    /// Returns what the terminal has to send; 0 bytes when it has nothing (check
    /// `read_ready` first: a TCP reader would take 0 for a closed connection).
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        self.ready();
        Ok(self.take_output(buf))
    }
}

impl<B: Buffer> embedded_io_async::Write for LoopbackTerminal<B> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        embedded_io::Write::write(self, buf)
    }

    async fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

impl<B: Buffer> embedded_io_async::Read for LoopbackTerminal<B> {
    /// Waits (yielding to the executor) until the terminal has something to send. Cancel-safe.
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        while !self.ready() {
            embassy_futures::yield_now().await;
        }
        Ok(self.take_output(buf))
    }
}
