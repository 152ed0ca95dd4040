//! The blocking driver against a device session in the same program, over an in-memory
//! `embedded_io` link: what the Cortex-M example does, run on the host.

use std::cell::Cell;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::rc::Rc;

use synqpay_embedded::{BlockingClient, Clock, DriverError};
use synqpay_link::ApiKey;
use synqpay_rpc::{
    DeviceStatus, EventType, GetStatus, ReferenceId, ResultCode, StartTransaction,
    StartTransactionParams, Status, Transaction, TransactionEvent, TransactionResult,
    TransactionStatus,
};
use synqpay_session::{
    Client, ClientBuffers, ClientConfig, ClientId, Device, DeviceBuffers, DeviceConfig, ReplyTo,
};

const KEY: ApiKey = ApiKey::from_bytes([0x12, 0x34, 0xab, 0xcd]);

#[derive(Clone)]
struct Ticks(Rc<Cell<u64>>);

impl Clock for Ticks {
    fn now_ms(&mut self) -> u64 {
        self.0.set(self.0.get() + 10);
        self.0.get()
    }
}

/// A device on the other end of an in-memory link: getStatus, and sales with two events.
struct Loopback {
    device: Device<Vec<u8>>,
    to_client: VecDeque<u8>,
    sale: Option<(ReplyTo, usize)>,
    clock: Ticks,
}

impl Loopback {
    fn pump(&mut self) {
        let now = self.clock.0.get();
        while let Some(request) = self.device.poll_request() {
            let reply = request.reply_to;
            if request.is::<GetStatus>() {
                let status = Status {
                    device_status: DeviceStatus::Idle,
                    cancelable: false,
                };
                self.device.respond(&reply, &status).unwrap();
            } else if request.is::<StartTransaction>() {
                self.sale = Some((reply, 0));
            }
        }
        if let Some((reply, step)) = self.sale.take() {
            if step < 2 {
                let event_type = [EventType::WaitingForCard, EventType::CardDetected][step];
                self.device
                    .notify("transactionEvent", &TransactionEvent { event_type })
                    .unwrap();
                self.sale = Some((reply, step + 1));
            } else {
                let t = Transaction {
                    transaction_status: Some(TransactionStatus::Authorized),
                    ..Default::default()
                };
                let r = TransactionResult {
                    transaction: Some(t),
                    ..TransactionResult::new(ResultCode::Ok)
                };
                self.device.respond(&reply, &r).unwrap();
            }
        }
        while let Some(bytes) = self.device.poll_transmit() {
            self.to_client.extend(bytes.iter().copied());
            let n = bytes.len();
            self.device.transmitted(now, n);
        }
    }
}

impl embedded_io::ErrorType for Loopback {
    type Error = Infallible;
}

impl embedded_io::Write for Loopback {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        // A UART takes a few bytes at a time.
        let n = buf.len().min(7);
        self.device.handle_input(self.clock.0.get(), &buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

impl embedded_io::ReadReady for Loopback {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        self.pump();
        Ok(!self.to_client.is_empty())
    }
}

impl embedded_io::Read for Loopback {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let n = buf.len().min(self.to_client.len()).min(5);
        for b in buf.iter_mut().take(n) {
            *b = self.to_client.pop_front().unwrap();
        }
        Ok(n)
    }
}

fn driver(key: ApiKey) -> BlockingClient<Loopback, Ticks, Vec<u8>, 4> {
    let clock = Ticks(Rc::new(Cell::new(0)));
    let mut device = Device::new(
        DeviceConfig::default(),
        DeviceBuffers {
            rx: vec![0; 2048],
            tx: vec![0; 4096],
            requests: vec![0; 2048],
            cache: vec![0; 2048],
        },
    );
    device.set_api_key(Some(KEY));
    device.connect(0, ClientId([1; 16]));
    let link = Loopback {
        device,
        to_client: VecDeque::new(),
        sale: None,
        clock: clock.clone(),
    };
    let session = Client::new(
        ClientConfig::default(),
        ClientBuffers {
            rx: vec![0; 4096],
            tx: vec![0; 1024],
            inbox: vec![0; 4096],
        },
    )
    .with_api_key(key);
    BlockingClient::new(link, clock, session)
}

#[test]
fn get_status_and_a_sale_with_events_over_embedded_io() {
    let mut client = driver(KEY);
    // Results borrow the session's inbox: the closure keeps what it needs.
    let idle = client
        .status(|s| s.device_status == DeviceStatus::Idle)
        .unwrap();
    assert!(idle);
    let mut events = Vec::new();
    let params = StartTransactionParams::sale(ReferenceId::new("fw-1").unwrap(), 12550, 376);
    let charged = client
        .start_transaction(
            &params,
            &mut |e| events.push(e.event_type.name().to_string()),
            |r| r.is_charged(),
        )
        .unwrap();
    assert_eq!(charged, Some(true));
    assert_eq!(events, ["WAITING_FOR_CARD", "CARD_DETECTED"]);
}

#[test]
fn a_wrong_key_fails_with_the_link_error() {
    let mut client = driver(ApiKey::from_bytes([9, 9, 9, 9]));
    let e = client.status(|s| s.cancelable).unwrap_err();
    assert_eq!(
        e,
        DriverError::Failed(synqpay_session::Failure::Link(
            synqpay_link::ErrorCode::NotAuthenticated
        ))
    );
}
