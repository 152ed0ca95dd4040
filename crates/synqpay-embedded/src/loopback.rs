//! An in-memory payment terminal: a device-role session (`synqpay_session::Device`) with a small
//! scripted terminal behind it, reached through `embedded_io` and `embedded_io_async`. For tests
//! and demos of an integration without a device, on the host or in a firmware
//! (spec/protocol.md §3 pairing, §4 requests, §5 events; the script itself is ours).

use core::convert::Infallible;

use heapless::{Deque, String};
use synqpay_link::ApiKey;
use synqpay_rpc::{
    Authenticate, AuthenticateResult, DeviceStatus, EventType, GetStatus, GetTransaction,
    GetTransactionResult, Null, Pair, ResultCode, RpcErrorCode, StartTransaction, Status, Text,
    Transaction, TransactionEvent, TransactionResult, TransactionStatus,
};
use synqpay_session::{Buffer, ClientId, Device, DeviceBuffers, DeviceConfig, ReplyTo};

/// How long a pairing code stays valid (spec/protocol.md §3: 30 s).
const CODE_VALID_MS: u64 = 30_000;

/// The events a sale shows before its result (ours: a card tapped, no PIN).
const SALE_EVENTS: [EventType<'static>; 2] = [EventType::WaitingForCard, EventType::CardDetected];

/// A sale in progress: whom to answer, and how far it got.
struct Sale {
    reply: ReplyTo,
    reference: String<32>,
    amount: i64,
    step: usize,
}

/// A payment terminal in memory, as the far end of a client's transport.
///
/// The script (ours): `pair` with the configured serial number opens a code for 30 s;
/// `authenticate` with it returns the configured key; `getStatus` is IDLE, or TRANSACTION while a
/// sale runs; `startTransaction` sends `WAITING_FOR_CARD` and `CARD_DETECTED`, one per read, then
/// approves; `getTransaction` by `REF_ID` finds the last four sales; other methods are
/// `METHOD_NOT_FOUND`. Time is counted in reads and writes, one millisecond each.
pub struct LoopbackTerminal<B: Buffer> {
    device: Device<B>,
    serial_number: &'static str,
    code: &'static str,
    key: ApiKey,
    now: u64,
    pairing_until: Option<u64>,
    sale: Option<Sale>,
    charged: Deque<(String<32>, i64), 4>,
    muted: bool,
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
        Self {
            device,
            serial_number,
            code,
            key,
            now: 0,
            pairing_until: None,
            sale: None,
            charged: Deque::new(),
            muted: false,
        }
    }

    /// The same terminal, already paired with `key`.
    pub fn paired(mut self) -> Self {
        self.device.set_api_key(Some(self.key));
        self
    }

    /// A muted terminal reads requests and answers nothing, as one that hangs: the client's
    /// deadlines must end its calls.
    pub fn set_muted(&mut self, muted: bool) {
        self.muted = muted;
    }

    /// The `referenceId`s and amounts of the sales approved, oldest first (the last four).
    pub fn charged(&self) -> impl Iterator<Item = (&str, i64)> {
        self.charged.iter().map(|(r, a)| (r.as_str(), *a))
    }

    /// The device session, for its counters.
    pub fn device(&self) -> &Device<B> {
        &self.device
    }

    fn tick(&mut self) -> u64 {
        self.now += 1;
        self.now
    }

    /// Serves the requests that came in, and moves a sale one step.
    fn serve(&mut self) {
        if self.muted {
            while self.device.poll_request().is_some() {}
            return;
        }
        while let Some(request) = self.device.poll_request() {
            let reply = request.reply_to;
            let answered = if request.is::<GetStatus>() {
                let device_status = match self.sale {
                    Some(_) => DeviceStatus::Transaction,
                    None => DeviceStatus::Idle,
                };
                let cancelable = false;
                self.device.respond(
                    &reply,
                    &Status {
                        device_status,
                        cancelable,
                    },
                )
            } else if request.is::<Pair>() {
                if request
                    .params::<Pair>()
                    .is_ok_and(|p| p.serial_number == self.serial_number)
                {
                    self.pairing_until = Some(self.now + CODE_VALID_MS);
                    self.device.respond(&reply, &Null)
                } else {
                    let e = RpcErrorCode::InvalidParams;
                    self.device
                        .respond_error(&reply, e, "wrong serial number", None)
                }
            } else if request.is::<Authenticate>() {
                let otp_ok = request
                    .params::<Authenticate>()
                    .is_ok_and(|p| p.otp == self.code);
                match self.pairing_until {
                    Some(until) if self.now <= until && otp_ok => {
                        self.pairing_until = None;
                        let hex = self.key.expose_hex();
                        let api_key = Text::new(core::str::from_utf8(&hex).unwrap_or_default());
                        let sent = self.device.respond(&reply, &AuthenticateResult { api_key });
                        self.device.set_api_key(Some(self.key));
                        sent
                    }
                    Some(until) if self.now <= until => {
                        let e = RpcErrorCode::InvalidParams;
                        self.device.respond_error(&reply, e, "wrong code", None)
                    }
                    _ => {
                        let e = RpcErrorCode::IllegalState;
                        self.device
                            .respond_error(&reply, e, "no pairing open", None)
                    }
                }
            } else if request.is::<StartTransaction>() && self.sale.is_none() {
                let Ok(params) = request.params::<StartTransaction>() else {
                    let e = RpcErrorCode::InvalidParams;
                    let _ = self.device.respond_error(&reply, e, "bad params", None);
                    continue;
                };
                let mut reference = String::new();
                let fits = params
                    .reference_id
                    .chars()
                    .all(|c| reference.push(c).is_ok());
                if fits {
                    let amount = params.amount.unwrap_or(0);
                    self.sale = Some(Sale {
                        reply,
                        reference,
                        amount,
                        step: 0,
                    });
                    continue;
                }
                let e = RpcErrorCode::InvalidParams;
                self.device
                    .respond_error(&reply, e, "referenceId too long", None)
            } else if request.is::<StartTransaction>() {
                let e = RpcErrorCode::IllegalState;
                self.device
                    .respond_error(&reply, e, "a transaction is in progress", None)
            } else if request.is::<GetTransaction>() {
                let wanted = request
                    .params::<GetTransaction>()
                    .ok()
                    .and_then(|p| p.lookup_value);
                let found = self
                    .charged
                    .iter()
                    .find(|(r, _)| wanted.is_some_and(|w| w == r.as_str()));
                match found {
                    Some((reference, amount)) => {
                        let t = approved(reference, *amount, TransactionStatus::Captured);
                        let r = GetTransactionResult {
                            transaction_result: Some(ResultCode::Ok),
                            transaction: Some(t),
                        };
                        self.device.respond(&reply, &r)
                    }
                    None => {
                        let e = RpcErrorCode::TransactionNotFound;
                        self.device
                            .respond_error(&reply, e, "no such transaction", None)
                    }
                }
            } else {
                let e = RpcErrorCode::MethodNotFound;
                self.device
                    .respond_error(&reply, e, "not in this terminal's script", None)
            };
            // A full transmit buffer loses the answer; the client's deadline reports it.
            let _ = answered;
        }
        self.step_sale();
    }

    /// Sends the sale's next event, or its result.
    fn step_sale(&mut self) {
        let Some(sale) = self.sale.as_mut() else {
            return;
        };
        if let Some(&event_type) = SALE_EVENTS.get(sale.step) {
            if self
                .device
                .notify("transactionEvent", &TransactionEvent { event_type })
                .is_ok()
            {
                sale.step += 1;
            }
            return;
        }
        let Some(sale) = self.sale.take() else {
            return;
        };
        let sent = {
            let t = approved(&sale.reference, sale.amount, TransactionStatus::Authorized);
            let r = TransactionResult {
                transaction: Some(t),
                ..TransactionResult::new(ResultCode::Ok)
            };
            self.device.respond(&sale.reply, &r).is_ok()
        };
        if sent {
            if self.charged.is_full() {
                self.charged.pop_front();
            }
            let _ = self.charged.push_back((sale.reference, sale.amount));
        } else {
            self.sale = Some(sale);
        }
    }

    /// Copies what the terminal has to send into `buf`.
    fn take_output(&mut self, buf: &mut [u8]) -> usize {
        let now = self.tick();
        let Some(bytes) = self.device.poll_transmit() else {
            return 0;
        };
        let n = bytes.len().min(buf.len());
        buf[..n].copy_from_slice(&bytes[..n]);
        self.device.transmitted(now, n);
        n
    }

    fn ready(&mut self) -> bool {
        if self.device.poll_transmit().is_none() {
            self.serve();
        }
        self.device.poll_transmit().is_some()
    }
}

/// A transaction the script approved.
fn approved<'a>(reference: &'a str, amount: i64, status: TransactionStatus<'a>) -> Transaction<'a> {
    Transaction {
        transaction_status: Some(status),
        reference_id: Some(Text::new(reference)),
        amount: Some(amount),
        ..Default::default()
    }
}

impl<B: Buffer> embedded_io::ErrorType for LoopbackTerminal<B> {
    type Error = Infallible;
}

impl<B: Buffer> embedded_io::Write for LoopbackTerminal<B> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        let now = self.tick();
        self.device.handle_input(now, buf);
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
