//! Helpers of the black-box conformance tests (`spec_money.rs`, `spec_states.rs`), written from
//! `spec/protocol.md` and `spec/api.md` only: a paired simulator, the public client, and raw
//! frames built as spec §1 says (CRC-16/MODBUS over length and payload, high byte first).
#![allow(dead_code, unused_imports)] // each test file uses a part

pub use std::io::{Read, Write};
pub use std::net::TcpStream;
pub use std::time::{Duration, Instant};

pub use serde_json::{Value, json};
pub use synqpay_rpc::{GetStatus, NoParams, ReferenceId, StartTransaction, StartTransactionParams};
pub use synqpay_sim::{Simulator, SimulatorConfig};
pub use synqpay_std::{Client, ClientConfig, Error};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

pub const KEY_TEXT: &str = "1234abcd";
pub const KEY: [u8; 4] = [0x12, 0x34, 0xAB, 0xCD];
pub const CHARGED: [&str; 4] = ["AUTHORIZED", "CAPTURED", "SETTLED", "DEPOSITED"];

pub fn paired(step_ms: u64) -> SimulatorConfig {
    SimulatorConfig {
        api_key: Some(KEY_TEXT.parse().unwrap()),
        step_ms,
        ..Default::default()
    }
}

pub fn start(config: SimulatorConfig) -> Result<(Simulator, Client), Box<dyn std::error::Error>> {
    let sim = Simulator::start("127.0.0.1:0", config)?;
    let client =
        Client::connect(sim.addr(), ClientConfig::default())?.with_api_key(KEY_TEXT.parse()?);
    Ok((sim, client))
}

pub fn result_of(reply: &synqpay_std::Reply) -> Value {
    serde_json::from_str(&reply.result_json().expect("result json")).expect("valid json")
}

/// `startTransaction` with JSON params, through the client; the result member as JSON.
pub fn transact(client: &mut Client, params: Value) -> Result<Value, Error> {
    let reply = client.call_raw("startTransaction", Some(&params.to_string()))?;
    Ok(result_of(&reply))
}

pub fn sale(reference: &str, amount: i64) -> Value {
    json!({"paymentMethod": "CREDIT_CARD", "transactionType": "SALE", "referenceId": reference,
           "amount": amount, "currency": 376})
}

pub fn lookup(client: &mut Client, reference: &str) -> Result<Value, Error> {
    let reply = client.lookup_transaction(ReferenceId::new(reference).expect("reference"))?;
    Ok(result_of(&reply))
}

/// [`lookup`] once the device is back from a restart: getTransaction needs IDLE
/// (spec/protocol.md §5), and a device in SYSTEM is asked again, for at most 10 s.
pub fn lookup_when_back(client: &mut Client, reference: &str) -> Result<Value, Error> {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < until
        && device_status(client).is_ok_and(|status| status == "SYSTEM")
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    lookup(client, reference)
}

pub fn rpc_code(err: &Error) -> Option<i64> {
    match err {
        Error::Rpc { code, .. } => Some(code.code()),
        _ => None,
    }
}

pub fn status_of(transaction_result: &Value) -> Option<&str> {
    transaction_result["transaction"]["transactionStatus"].as_str()
}

pub fn device_status(client: &mut Client) -> Result<String, Box<dyn std::error::Error>> {
    let reply = client.call_raw("getStatus", None)?;
    let v = result_of(&reply);
    Ok(v["deviceStatus"].as_str().unwrap_or_default().to_string())
}

// ---------------------------------------------------------------------------------------------
// Raw frames (spec §1), for what the blocking client cannot express.

pub fn crc16_modbus(data: &[u8]) -> u16 {
    let mut crc = 0xFFFFu16;
    for &b in data {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

pub fn request_frame(key: [u8; 4], payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).unwrap().to_be_bytes();
    let mut covered = len.to_vec();
    covered.extend_from_slice(payload);
    let crc = crc16_modbus(&covered);
    let mut f = vec![0x02, 0x01];
    f.extend_from_slice(&key);
    f.extend_from_slice(&covered);
    f.extend_from_slice(&crc.to_be_bytes());
    f.push(0x03);
    f
}

#[derive(Debug)]
pub enum Frame {
    Response(Value),
    Event(Value),
    Ack,
    KeepAlive,
    Error(u8),
}

pub struct Raw {
    pub stream: TcpStream,
}

impl Raw {
    pub fn connect(sim: &Simulator) -> std::io::Result<Self> {
        let stream = TcpStream::connect(sim.addr())?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        stream.set_write_timeout(Some(Duration::from_secs(5)))?;
        Ok(Raw { stream })
    }

    pub fn send_json(&mut self, message: &Value) -> std::io::Result<()> {
        self.stream
            .write_all(&request_frame(KEY, message.to_string().as_bytes()))
    }

    pub fn byte(&mut self) -> std::io::Result<u8> {
        let mut b = [0u8; 1];
        self.stream.read_exact(&mut b)?;
        Ok(b[0])
    }

    pub fn read_frame(&mut self) -> std::io::Result<Frame> {
        while self.byte()? != 0x02 {}
        let kind = self.byte()?;
        let frame = match kind {
            0x02 | 0x03 => {
                let mut len = [0u8; 4];
                self.stream.read_exact(&mut len)?;
                let n = u32::from_be_bytes(len) as usize;
                assert!(n < 1 << 20, "implausible length {n}");
                let mut payload = vec![0u8; n];
                self.stream.read_exact(&mut payload)?;
                let mut crc = [0u8; 2];
                self.stream.read_exact(&mut crc)?;
                let mut covered = len.to_vec();
                covered.extend_from_slice(&payload);
                assert_eq!(
                    u16::from_be_bytes(crc),
                    crc16_modbus(&covered),
                    "CRC-16/MODBUS over length+payload, big-endian (spec §1)"
                );
                let v: Value = serde_json::from_slice(&payload).expect("one JSON-RPC message");
                if kind == 0x02 {
                    Frame::Response(v)
                } else {
                    Frame::Event(v)
                }
            }
            0x04 => Frame::KeepAlive,
            0x05 => Frame::Ack,
            0x06 => Frame::Error(self.byte()?),
            other => panic!("unknown frame type {other:#04x}"),
        };
        assert_eq!(self.byte()?, 0x03, "ETX closes the frame");
        Ok(frame)
    }

    /// Reads until the response whose id is `id`, collecting events on the way.
    pub fn response(&mut self, id: &Value, events: &mut Vec<Value>) -> std::io::Result<Value> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            assert!(Instant::now() < deadline, "no response to {id} in time");
            match self.read_frame()? {
                Frame::Response(v) if &v["id"] == id => return Ok(v),
                Frame::Response(v) => panic!("unexpected response {v}"),
                Frame::Event(v) => events.push(v),
                Frame::Ack | Frame::KeepAlive => {}
                Frame::Error(code) => panic!("link Error frame {code:#04x}"),
            }
        }
    }

    /// Reads until the first event.
    pub fn first_event(&mut self) -> std::io::Result<Value> {
        loop {
            match self.read_frame()? {
                Frame::Event(v) => return Ok(v),
                Frame::Response(v) => panic!("response before any event: {v}"),
                _ => {}
            }
        }
    }
}

pub fn call(method: &str, id: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

// ---------------------------------------------------------------------------------------------
// api.md TransactionResult: "An approved SALE ends `CAPTURED` (doc sample)".
// protocol.md §6: recover with getTransaction REF_ID; "AUTHORIZED/CAPTURED/... mean charged".
