//! Each behaviour a desktop app relies on, written once and run against both clients: the
//! blocking `synqpay_std::Client` and the async `synqpay_std::asynch::Client` (issue 13: "the
//! async and blocking clients pass the same behaviour tests"). Against the simulator, and for
//! devices broken on purpose the scripted device of `support/fake_device.rs`. Then what only
//! the async client can do: drop a call's future.
#![cfg(feature = "tokio")]

#[path = "support/fake_device.rs"]
mod fake_device;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fake_device::{FakeDevice, frame};
use synqpay_sim::{Scenario, Simulator, SimulatorConfig};
use synqpay_std::{
    Amount, Answer, ApiKey, ClientConfig, DeviceStatus, Error, Event, EventType, Failure,
    GetStatus, GetTransaction, Method, NoParams, ReferenceId, Remedy, Reply, RequestId,
    RpcErrorCode, StartTransaction, StartTransactionParams, TransactionResult, TransactionStatus,
    asynch,
};

const KEY: &str = "1234abcd";
const SERIAL: &str = "244RKR528387";

/// What a behaviour asks of a client; each client does it its own way.
trait Subject: Sized {
    fn connect(addr: SocketAddr, config: ClientConfig) -> Result<Self, Error>;
    fn with_api_key(self, key: ApiKey) -> Self;
    fn pair(&mut self, serial_number: &str) -> Result<(), Error>;
    fn authenticate(&mut self, otp: &str) -> Result<ApiKey, Error>;
    fn call<M: Method>(&mut self, params: &M::Params<'_>) -> Result<Answer<M>, Error>;
    fn sale(
        &mut self,
        params: &StartTransactionParams<'_>,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<Answer<StartTransaction>, Error>;
    /// The cancel button, pressed from another thread.
    fn cancel_button(&self) -> Box<dyn Fn() + Send>;
    fn lookup(&mut self, reference: &str) -> Result<Answer<GetTransaction>, Error>;
    fn late_responses(&mut self) -> Vec<(Option<RequestId>, Reply)>;
}

impl Subject for synqpay_std::Client {
    fn connect(addr: SocketAddr, config: ClientConfig) -> Result<Self, Error> {
        synqpay_std::Client::connect(addr, config)
    }
    fn with_api_key(self, key: ApiKey) -> Self {
        self.with_api_key(key)
    }
    fn pair(&mut self, serial_number: &str) -> Result<(), Error> {
        self.pair(serial_number)
    }
    fn authenticate(&mut self, otp: &str) -> Result<ApiKey, Error> {
        self.authenticate(otp)
    }
    fn call<M: Method>(&mut self, params: &M::Params<'_>) -> Result<Answer<M>, Error> {
        self.call::<M>(params)
    }
    fn sale(
        &mut self,
        params: &StartTransactionParams<'_>,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<Answer<StartTransaction>, Error> {
        self.start_transaction(params, on_event)
    }
    fn cancel_button(&self) -> Box<dyn Fn() + Send> {
        let canceller = self.canceller();
        Box::new(move || canceller.cancel())
    }
    fn lookup(&mut self, reference: &str) -> Result<Answer<GetTransaction>, Error> {
        self.lookup_transaction(ReferenceId::new(reference).unwrap())
    }
    fn late_responses(&mut self) -> Vec<(Option<RequestId>, Reply)> {
        self.late_responses()
    }
}

/// The async client, each call awaited on a runtime whose worker runs the driver task.
struct Async {
    client: asynch::Client,
    // Dropped last: the client's driver task runs on it.
    runtime: tokio::runtime::Runtime,
}

impl Subject for Async {
    fn connect(addr: SocketAddr, config: ClientConfig) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let client = runtime.block_on(asynch::Client::connect(addr, config))?;
        Ok(Self { client, runtime })
    }
    fn with_api_key(self, key: ApiKey) -> Self {
        Self {
            client: self.client.with_api_key(key),
            runtime: self.runtime,
        }
    }
    fn pair(&mut self, serial_number: &str) -> Result<(), Error> {
        self.runtime.block_on(self.client.pair(serial_number))
    }
    fn authenticate(&mut self, otp: &str) -> Result<ApiKey, Error> {
        self.runtime.block_on(self.client.authenticate(otp))
    }
    fn call<M: Method>(&mut self, params: &M::Params<'_>) -> Result<Answer<M>, Error> {
        self.runtime.block_on(self.client.call::<M>(params))
    }
    fn sale(
        &mut self,
        params: &StartTransactionParams<'_>,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<Answer<StartTransaction>, Error> {
        let sale = self.client.start_transaction(params, on_event);
        self.runtime.block_on(sale)
    }
    fn cancel_button(&self) -> Box<dyn Fn() + Send> {
        let canceller = self.client.canceller();
        Box::new(move || canceller.cancel())
    }
    fn lookup(&mut self, reference: &str) -> Result<Answer<GetTransaction>, Error> {
        let reference = ReferenceId::new(reference).unwrap();
        self.runtime
            .block_on(self.client.lookup_transaction(reference))
    }
    fn late_responses(&mut self) -> Vec<(Option<RequestId>, Reply)> {
        self.client.late_responses()
    }
}

/// Each behaviour below, as a test for each client.
macro_rules! for_both_clients {
    ($($behaviour:ident),+ $(,)?) => {
        mod blocking {
            $(#[test]
            fn $behaviour() {
                super::$behaviour::<synqpay_std::Client>();
            })+
        }
        mod asynchronous {
            $(#[test]
            fn $behaviour() {
                super::$behaviour::<super::Async>();
            })+
        }
    };
}

for_both_clients!(
    pairs_and_authenticates,
    a_typed_call_reads_its_answer,
    a_sale_hands_typed_events_in_order,
    a_reused_reference_is_303_with_look_it_up,
    a_lookup_finds_the_sale,
    cancel_of_a_running_sale_answers_canceled,
    a_silent_device_fails_the_call_at_its_deadline,
    a_query_whose_answer_is_corrupted_is_sent_once_more,
    a_dropped_connection_mid_sale_never_gives_a_wrong_outcome,
    a_device_that_restarts_mid_sale_ends_it_unknown_without_waiting_out_its_deadline,
    keepalives_go_out_while_the_app_is_idle,
    cancel_pressed_while_the_link_is_down_goes_when_it_is_back,
);

fn simulator(config: SimulatorConfig) -> Simulator {
    Simulator::start("127.0.0.1:0", config).unwrap()
}

/// A simulator paired with [`KEY`], fast.
fn paired_simulator() -> Simulator {
    simulator(SimulatorConfig {
        api_key: Some(KEY.parse().unwrap()),
        step_ms: 10,
        ..Default::default()
    })
}

fn paired<C: Subject>(addr: SocketAddr, config: ClientConfig) -> C {
    C::connect(addr, config)
        .unwrap()
        .with_api_key(KEY.parse().unwrap())
}

fn sale(reference: &str, minor_units: i64) -> StartTransactionParams<'_> {
    StartTransactionParams::sale(
        ReferenceId::new(reference).unwrap(),
        Amount::ils(minor_units),
    )
}

fn status(result: &TransactionResult<'_>) -> Option<String> {
    let transaction = result.transaction.as_ref()?;
    transaction.transaction_status.map(|s| s.to_string())
}

fn pairs_and_authenticates<C: Subject>() {
    let sim = simulator(SimulatorConfig {
        step_ms: 10,
        ..Default::default()
    });
    let mut client = C::connect(sim.addr(), ClientConfig::default()).unwrap();
    let e = client.call::<GetStatus>(&NoParams).unwrap_err();
    assert!(matches!(e, Error::NotPaired), "{e:?}");
    assert_eq!(e.remedy(), Remedy::PairAgain);
    client.pair(SERIAL).unwrap();
    let code = sim.pairing_code().expect("a code on the screen");
    let key = client.authenticate(&code).unwrap();
    client.call::<GetStatus>(&NoParams).unwrap();
    // The key serves the next session.
    drop(client);
    let mut next = C::connect(sim.addr(), ClientConfig::default())
        .unwrap()
        .with_api_key(key);
    next.call::<GetStatus>(&NoParams).unwrap();
}

fn a_typed_call_reads_its_answer<C: Subject>() {
    let sim = paired_simulator();
    let mut client: C = paired(sim.addr(), ClientConfig::default());
    let answer = client.call::<GetStatus>(&NoParams).unwrap();
    assert_eq!(answer.result().unwrap().device_status, DeviceStatus::Idle);
}

fn a_sale_hands_typed_events_in_order<C: Subject>() {
    let sim = paired_simulator();
    let mut client: C = paired(sim.addr(), ClientConfig::default());
    let mut events = Vec::new();
    let answer = client
        .sale(&sale("both-sale", 12550), &mut |e| events.push(e.clone()))
        .unwrap();
    let result = answer.result().unwrap();
    assert_eq!(result.is_charged(), Some(true));
    let types: Vec<_> = events.iter().map(Event::event_type).collect();
    let expected = [
        EventType::WaitingForCard,
        EventType::CardDetected,
        EventType::PinStarted,
        EventType::AuthorizationStarted,
    ];
    assert_eq!(types, expected.map(Some));
}

fn a_reused_reference_is_303_with_look_it_up<C: Subject>() {
    let sim = paired_simulator();
    let mut client: C = paired(sim.addr(), ClientConfig::default());
    client.sale(&sale("both-303", 500), &mut |_| {}).unwrap();
    let e = client
        .sale(&sale("both-303", 500), &mut |_| {})
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Rpc {
                code: RpcErrorCode::TransactionAlreadyExist,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.remedy(), Remedy::LookUp(None));
}

fn a_lookup_finds_the_sale<C: Subject>() {
    let sim = paired_simulator();
    let mut client: C = paired(sim.addr(), ClientConfig::default());
    client.sale(&sale("both-lookup", 700), &mut |_| {}).unwrap();
    let found = client.lookup("both-lookup").unwrap();
    let transaction = found.result().unwrap().transaction.unwrap();
    assert_eq!(transaction.amount, Some(700));
    assert_eq!(
        transaction.transaction_status,
        Some(TransactionStatus::Captured)
    );
}

fn cancel_of_a_running_sale_answers_canceled<C: Subject>() {
    // An amount ending in 03: the card never comes, and the device waits for it.
    let sim = simulator(SimulatorConfig {
        api_key: Some(KEY.parse().unwrap()),
        step_ms: 10,
        card_wait_ms: 10_000,
        ..Default::default()
    });
    let mut client: C = paired(sim.addr(), ClientConfig::default());
    let button = client.cancel_button();
    let pressed = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        button();
    });
    let started = Instant::now();
    let answer = client
        .sale(&sale("both-cancel", 2003), &mut |_| {})
        .unwrap();
    pressed.join().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    let result = answer.result().unwrap();
    assert_eq!(result.result.to_string(), "CANCELED");
    assert_ne!(result.is_charged(), Some(true));
}

/// Deadlines short enough for a test; the defaults are 10 times longer.
fn short() -> ClientConfig {
    ClientConfig {
        request_timeout_ms: 1_000,
        ..ClientConfig::default()
    }
}

fn a_silent_device_fails_the_call_at_its_deadline<C: Subject>() {
    let device = FakeDevice::start(|mut conn| {
        while !conn.stopped() {
            conn.read_some();
        }
    });
    let mut client: C = paired(device.addr, short());
    let started = Instant::now();
    let e = client.call::<GetStatus>(&NoParams).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(e, Error::Timeout { reference_id: None }), "{e:?}");
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(device.accepted.load(Ordering::Relaxed), 1, "no reconnect");
}

fn a_query_whose_answer_is_corrupted_is_sent_once_more<C: Subject>() {
    // Each getStatus answered with a frame whose CRC fails (another CRC than CRC-16/MODBUS).
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    let device = FakeDevice::start(move |mut conn| {
        while let Some(id) = conn.next_request_id() {
            counted.fetch_add(1, Ordering::SeqCst);
            let payload = format!(
                r#"{{"jsonrpc":"2.0","id":"{id}","result":{{"deviceStatus":"IDLE","cancelable":false}}}}"#
            );
            let mut bytes = frame(2, payload.as_bytes());
            let n = bytes.len();
            bytes[n - 2] ^= 0x01;
            if conn.stream.write_all(&bytes).is_err() {
                return;
            }
        }
    });
    let patient = ClientConfig {
        request_timeout_ms: 30_000,
        ..ClientConfig::default()
    };
    let mut client: C = paired(device.addr, patient);
    let started = Instant::now();
    let e = client.call::<GetStatus>(&NoParams).unwrap_err();
    assert!(
        matches!(
            e,
            Error::OutcomeUnknown {
                cause: Failure::Crc { .. },
                ..
            }
        ),
        "{e:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(requests.load(Ordering::SeqCst), 2, "sent once more, once");
}

fn a_dropped_connection_mid_sale_never_gives_a_wrong_outcome<C: Subject>() {
    let scenario = "[[payment]]\nreference_id = \"both-drop\"\ndisconnect_at = \"CARD_DETECTED\"\n";
    let sim = simulator(SimulatorConfig {
        api_key: Some(KEY.parse().unwrap()),
        step_ms: 20,
        cached_responses: true,
        scenario: Scenario::from_toml(scenario).unwrap(),
        ..Default::default()
    });
    let config = ClientConfig {
        transaction_timeout_ms: 3_000,
        ..ClientConfig::default()
    };
    let mut client: C = paired(sim.addr(), config);
    match client.sale(&sale("both-drop", 1000), &mut |_| {}) {
        // The device's cached answer, on the new connection.
        Ok(answer) => {
            let result = answer.result().unwrap();
            assert_eq!(status(&result).as_deref(), Some("CAPTURED"));
        }
        // Or the outcome is unknown, with the referenceId to look up: never "declined".
        Err(e) => {
            assert!(e.outcome_unknown(), "{e:?}");
            assert_eq!(e.remedy(), Remedy::LookUp(Some("both-drop".into())));
        }
    }
    let found = client.lookup("both-drop").unwrap();
    let transaction = found.result().unwrap().transaction.unwrap();
    assert_eq!(
        transaction.transaction_status,
        Some(TransactionStatus::Captured)
    );
}

/// The device restarts while the card is read: it closes the connection, forgets the sale and
/// comes back. Asked on the new connection, it runs nothing: the sale ends as "outcome unknown,
/// look it up" (its cause says the device was asked, not that a deadline passed: the deadline
/// here is a minute), and the lookup, once the device is back, is what it recorded.
fn a_device_that_restarts_mid_sale_ends_it_unknown_without_waiting_out_its_deadline<C: Subject>() {
    let scenario = "[[payment]]\nreference_id = \"both-restart\"\nreboot_at = \"CARD_DETECTED\"\n";
    let sim = simulator(SimulatorConfig {
        api_key: Some(KEY.parse().unwrap()),
        step_ms: 20,
        reboot_ms: 200,
        scenario: Scenario::from_toml(scenario).unwrap(),
        ..Default::default()
    });
    let config = ClientConfig {
        transaction_timeout_ms: 60_000,
        ..ClientConfig::default()
    };
    let mut client: C = paired(sim.addr(), config);
    let e = client
        .sale(&sale("both-restart", 1000), &mut |_| {})
        .expect_err("the device restarted: no answer");
    assert!(
        matches!(
            e,
            Error::OutcomeUnknown {
                cause: Failure::NotRunning,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.remedy(), Remedy::LookUp(Some("both-restart".into())));
    // Once the device is back from SYSTEM, the lookup says what it recorded: not a charge.
    let deadline = Instant::now() + Duration::from_secs(10);
    let found = loop {
        match client.lookup("both-restart") {
            Err(Error::Rpc {
                code: RpcErrorCode::IllegalState,
                ..
            }) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            other => break other,
        }
    };
    match found {
        Err(Error::Rpc { code, .. }) => assert_eq!(code, RpcErrorCode::TransactionNotFound),
        Ok(found) => {
            let transaction = found.result().unwrap().transaction.unwrap();
            assert_ne!(transaction.is_charged(), Some(true));
        }
        Err(e) => panic!("{e:?}"),
    }
}

fn keepalives_go_out_while_the_app_is_idle<C: Subject>() {
    // A device that answers every KeepAlive with an ACK and counts them (spec/protocol.md §2).
    let seen = Arc::new(AtomicU32::new(0));
    let counter = seen.clone();
    let device = FakeDevice::start(move |mut conn| {
        while !conn.stopped() {
            let bytes = conn.read_some();
            for _ in bytes.windows(3).filter(|w| *w == [0x02, 0x04, 0x03]) {
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = conn.stream.write_all(&[0x02, 0x05, 0x03]);
            }
        }
    });
    let config = ClientConfig {
        keepalive_interval_ms: 100,
        keepalive_deadline_ms: 80,
        ..Default::default()
    };
    let mut client = C::connect(device.addr, config).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while seen.load(Ordering::SeqCst) < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(seen.load(Ordering::SeqCst) >= 5, "KeepAlives while idle");
    assert_eq!(device.accepted.load(Ordering::Relaxed), 1, "the link held");
    assert!(client.late_responses().is_empty());
}

// What only the async client can do: a call's future dropped (`select!`, a timeout).

async fn connected(sim: &Simulator) -> asynch::Client {
    asynch::Client::connect(sim.addr(), ClientConfig::default())
        .await
        .unwrap()
        .with_api_key(KEY.parse().unwrap())
}

/// Waits for the late answer to a sale, at most `within`.
async fn late_answer(client: &asynch::Client, within: Duration) -> Option<Reply> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Some((_, reply)) = client.late_responses().into_iter().next() {
            return Some(reply);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_sale_future_leaves_the_session_usable_and_its_answer_arrives_late() {
    let sim = simulator(SimulatorConfig {
        api_key: Some(KEY.parse().unwrap()),
        step_ms: 100,
        ..Default::default()
    });
    let client = connected(&sim).await;
    let params = sale("drop-future", 900);
    tokio::select! {
        _ = client.start_transaction(&params, |_| {}) => panic!("the sale ended before the timer"),
        () = tokio::time::sleep(Duration::from_millis(50)) => {}
    }
    // The sale runs on (the money rule); the session answers a query meanwhile.
    let answer = client.call::<GetStatus>(&NoParams).await.unwrap();
    assert_eq!(
        answer.result().unwrap().device_status,
        DeviceStatus::Transaction
    );
    let late = late_answer(&client, Duration::from_secs(5)).await;
    let late = late.expect("the sale's answer in late_responses");
    let result = late.result::<StartTransaction>().unwrap();
    assert_eq!(status(&result).as_deref(), Some("CAPTURED"));
    let found = client
        .lookup_transaction(ReferenceId::new("drop-future").unwrap())
        .await
        .unwrap();
    assert_eq!(
        found.result().unwrap().transaction.unwrap().amount,
        Some(900)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_sale_can_still_be_cancelled_and_says_so_late() {
    let sim = simulator(SimulatorConfig {
        api_key: Some(KEY.parse().unwrap()),
        step_ms: 10,
        card_wait_ms: 10_000,
        ..Default::default()
    });
    let client = connected(&sim).await;
    let params = sale("drop-cancel", 2003);
    let _ = tokio::time::timeout(
        Duration::from_millis(100),
        client.start_transaction(&params, |_| {}),
    )
    .await
    .expect_err("the card never comes");
    client.canceller().cancel();
    let late = late_answer(&client, Duration::from_secs(5)).await;
    let late = late.expect("CANCELED in late_responses");
    let result = late.result::<StartTransaction>().unwrap();
    assert_eq!(result.result.to_string(), "CANCELED");
    let status = client.call::<GetStatus>(&NoParams).await.unwrap();
    assert_eq!(status.result().unwrap().device_status, DeviceStatus::Idle);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_and_a_query_run_at_once() {
    let sim = simulator(SimulatorConfig {
        api_key: Some(KEY.parse().unwrap()),
        step_ms: 50,
        ..Default::default()
    });
    let client = connected(&sim).await;
    let params = sale("at-once", 1200);
    let status = async {
        tokio::time::sleep(Duration::from_millis(60)).await;
        client.call::<GetStatus>(&NoParams).await
    };
    let (sold, status) = tokio::join!(client.start_transaction(&params, |_| {}), status);
    assert_eq!(sold.unwrap().result().unwrap().is_charged(), Some(true));
    let status = status.unwrap();
    assert_eq!(
        status.result().unwrap().device_status,
        DeviceStatus::Transaction
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_client_closes_the_connection() {
    let closed = Arc::new(AtomicUsize::new(0));
    let seen = closed.clone();
    let device = FakeDevice::start(move |mut conn| {
        let _ = conn
            .stream
            .set_read_timeout(Some(Duration::from_millis(50)));
        let mut buf = [0u8; 64];
        while !conn.stopped() {
            if let Ok(0) = std::io::Read::read(&mut conn.stream, &mut buf) {
                seen.fetch_add(1, Ordering::SeqCst);
                return;
            }
        }
    });
    let client = asynch::Client::connect(device.addr, ClientConfig::default())
        .await
        .unwrap();
    drop(client);
    let deadline = Instant::now() + Duration::from_secs(2);
    while closed.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(closed.load(Ordering::SeqCst), 1, "the device saw it closed");
}

#[tokio::test]
async fn the_client_and_its_futures_move_across_tasks() {
    fn send<T: Send>(_: &T) {}
    fn send_sync<T: Send + Sync>() {}
    send_sync::<asynch::Client>();
    send_sync::<asynch::Canceller>();
    let sim = paired_simulator();
    let client = connected(&sim).await;
    // Made, never polled: an async call does nothing until it is awaited.
    let params = sale("never-sent", 100);
    let sale = client.start_transaction(&params, |_| {});
    send(&sale);
    let status = client.call::<GetStatus>(&NoParams);
    send(&status);
    drop((sale, status));
    assert!(client.late_responses().is_empty());
    // So an app may spawn one.
    let client = Arc::new(client);
    let task = tokio::spawn({
        let client = client.clone();
        async move { client.call::<GetStatus>(&NoParams).await.map(|_| ()) }
    });
    task.await.unwrap().unwrap();
}

/// Reads frames from `stream` (spec/protocol.md §1, parsed here from the spec's layout), ACKing
/// KeepAlives, until a request comes: its id, method and params.
fn next_request(
    stream: &mut std::net::TcpStream,
    buf: &mut Vec<u8>,
) -> (String, String, serde_json::Value) {
    use std::io::Read;
    loop {
        while let Some(at) = buf.iter().position(|&b| b == 0x02) {
            buf.drain(..at);
            match buf.get(1) {
                // KeepAlive: STX 0x04 ETX, answered with ACK (0x05).
                Some(0x04) if buf.len() >= 3 => {
                    buf.drain(..3);
                    stream.write_all(&[0x02, 0x05, 0x03]).unwrap();
                }
                // Request: STX 0x01, API key (4), length (4, big-endian), payload, CRC, ETX.
                Some(0x01) if buf.len() >= 10 => {
                    let len = u32::from_be_bytes(buf[6..10].try_into().unwrap()) as usize;
                    if buf.len() < 10 + len + 3 {
                        break;
                    }
                    let json: serde_json::Value =
                        serde_json::from_slice(&buf[10..10 + len]).unwrap();
                    buf.drain(..10 + len + 3);
                    return (
                        json["id"].as_str().unwrap().to_string(),
                        json["method"].as_str().unwrap().to_string(),
                        json["params"].clone(),
                    );
                }
                Some(_) if buf.len() >= 3 => {
                    buf.drain(..1);
                }
                _ => break,
            }
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "the client closed the connection");
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Answers request `id` with `result` (JSON text).
fn respond(stream: &mut std::net::TcpStream, id: &str, result: &str) {
    let payload = format!(r#"{{"jsonrpc":"2.0","id":"{id}","result":{result}}}"#);
    stream.write_all(&frame(2, payload.as_bytes())).unwrap();
}

fn cancel_pressed_while_the_link_is_down_goes_when_it_is_back<S: Subject>() {
    // Found by review: the blocking client, asked to cancel while its link was down, ended the
    // sale at once with a connection error, which the CLI printed as "refused, nothing ran"
    // and forgot, while the sale ran on. The cancel must wait for the link, go on it, and
    // the sale end with what the device says (spec/protocol.md §2: the cancel travels on the
    // sale's own connection; §6).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (sale_read, wait_sale) = std::sync::mpsc::channel::<()>();
    let (pressed, wait_press) = std::sync::mpsc::channel::<()>();
    let device = std::thread::spawn(move || {
        let (mut one, _) = listener.accept().unwrap();
        let mut buf = Vec::new();
        let (sale_id, method, _) = next_request(&mut one, &mut buf);
        assert_eq!(method, "startTransaction");
        // The link goes down, and nothing listens for a while.
        drop(listener);
        drop(one);
        sale_read.send(()).unwrap();
        wait_press.recv().unwrap();
        // Longer than the clients' idle wait (1 s) and first reconnection attempts: the
        // press is seen while the link is down.
        std::thread::sleep(Duration::from_millis(2_500));
        let listener = std::net::TcpListener::bind(addr).unwrap();
        let (mut two, _) = listener.accept().unwrap();
        two.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = Vec::new();
        let mut asked = Vec::new();
        loop {
            let (id, method, params) = next_request(&mut two, &mut buf);
            asked.push(method.clone());
            match method.as_str() {
                "getStatus" => respond(
                    &mut two,
                    &id,
                    r#"{"deviceStatus":"TRANSACTION","cancelable":true}"#,
                ),
                "cancel" => {
                    assert_eq!(params["referenceId"], "down-1");
                    respond(&mut two, &id, "null");
                    respond(
                        &mut two,
                        &sale_id,
                        r#"{"result":"CANCELED","commandStatus":"COMPLETED"}"#,
                    );
                    break;
                }
                other => panic!("unexpected {other}"),
            }
        }
        // Held open until the client has read the answers.
        std::thread::sleep(Duration::from_millis(500));
        asked
    });
    let mut client = S::connect(addr, ClientConfig::default())
        .unwrap()
        .with_api_key(KEY.parse().unwrap());
    let button = client.cancel_button();
    let presser = std::thread::spawn(move || {
        wait_sale.recv().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        button();
        pressed.send(()).unwrap();
    });
    let reference = ReferenceId::new("down-1").unwrap();
    let params = StartTransactionParams::sale(reference, Amount::ils(1000));
    let started = Instant::now();
    let answer = client
        .sale(&params, &mut |_| {})
        .expect("the device's word");
    assert_eq!(answer.result().unwrap().result.to_string(), "CANCELED");
    assert!(started.elapsed() < Duration::from_secs(30));
    presser.join().unwrap();
    let asked = device.join().unwrap();
    assert_eq!(
        asked.last().map(String::as_str),
        Some("cancel"),
        "{asked:?}"
    );
}
