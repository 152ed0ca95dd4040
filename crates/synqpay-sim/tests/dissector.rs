//! The Wireshark dissector (`tools/wireshark/synqpay.lua`, issue 16) read by Debian's tshark on
//! captures these tests write: frames split over segments and several in one segment, a
//! corrupted CRC followed by good frames, an Error frame, Hebrew payloads, and a whole session
//! with the simulator recorded by its `pcap` option. Every field tshark reports is checked
//! against what the Rust decoder (synqpay-link) says of the same bytes, in the same order.
//! Without tshark the tests say so and pass (`.ci/run` installs it).

use std::net::SocketAddrV4;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use synqpay_link::{ApiKey, Decoder, Frame, MessageType, seal};
use synqpay_sim::pcap::{Direction, PcapWriter};

const LUA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tools/wireshark/synqpay.lua"
);

fn tshark_present() -> bool {
    Command::new("tshark").arg("--version").output().is_ok()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synqpay-dissector-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A frame of `kind` around `payload` (with `key` for a request), from the Rust encoder.
fn frame(kind: MessageType, key: Option<ApiKey>, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; payload.len() + 32];
    let body = match kind {
        MessageType::Request => 10,
        _ => 6,
    };
    buf[body..body + payload.len()].copy_from_slice(payload);
    let n = seal(&mut buf, kind, key, payload.len()).unwrap();
    buf.truncate(n);
    buf
}

/// What one packet's frames say, field by field, in order.
#[derive(Debug, Default, PartialEq, Eq)]
struct Fields {
    types: Vec<String>,
    bad: Vec<String>,
    lengths: Vec<String>,
    crc: Vec<String>,
    error_codes: Vec<String>,
    methods: Vec<String>,
    ids: Vec<String>,
    event_types: Vec<String>,
    keys: Vec<String>,
}

const FIELDS: [&str; 9] = [
    "synqpay.type",
    "synqpay.bad",
    "synqpay.length",
    "synqpay.crc.status",
    "synqpay.error_code",
    "synqpay.method",
    "synqpay.id",
    "synqpay.event_type",
    "synqpay.api_key",
];

/// tshark's view: one `Fields` per packet that holds Synqpay frames, with its frame number.
fn tshark(capture: &Path) -> Vec<(u32, Fields)> {
    let mut args = vec![
        "-r".to_string(),
        capture.display().to_string(),
        "-X".into(),
        format!("lua_script:{LUA}"),
        "-o".into(),
        "tcp.desegment_tcp_streams:TRUE".into(),
        "-Y".into(),
        "synqpay".into(),
        "-T".into(),
        "fields".into(),
        "-E".into(),
        "occurrence=a".into(),
        "-E".into(),
        "aggregator=|".into(),
        "-E".into(),
        "separator=\t".into(),
        "-e".into(),
        "frame.number".into(),
    ];
    for f in FIELDS {
        args.push("-e".into());
        args.push(f.into());
    }
    let out = Command::new("tshark")
        .args(&args)
        .output()
        .expect("tshark runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "tshark: {stderr}");
    assert!(
        !stderr.to_lowercase().contains("lua"),
        "the dissector failed: {stderr}"
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            let list = |i: usize| -> Vec<String> {
                cells
                    .get(i)
                    .filter(|c| !c.is_empty())
                    .map(|c| c.split('|').map(str::to_string).collect())
                    .unwrap_or_default()
            };
            let fields = Fields {
                types: list(1),
                bad: list(2),
                lengths: list(3),
                crc: list(4),
                error_codes: list(5),
                methods: list(6),
                ids: list(7),
                event_types: list(8),
                keys: list(9),
            };
            (cells[0].parse().unwrap(), fields)
        })
        .collect()
}

fn type_name(kind: MessageType) -> &'static str {
    match kind {
        MessageType::Request => "request",
        MessageType::Response => "response",
        MessageType::Event => "event",
        MessageType::KeepAlive => "keepalive",
        MessageType::Ack => "ack",
        MessageType::Error => "error",
    }
}

/// The members of a payload tshark shows: method, id, event type.
fn payload_fields(f: &mut Fields, kind: MessageType, payload: &[u8]) {
    f.lengths.push(payload.len().to_string());
    let json: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
    if let Some(m) = json["method"].as_str() {
        f.methods.push(m.into());
    }
    match &json["id"] {
        Value::String(id) => f.ids.push(id.clone()),
        Value::Number(id) => f.ids.push(id.to_string()),
        _ => {}
    }
    if kind == MessageType::Event
        && let Some(t) = json["params"]["type"].as_str()
    {
        f.event_types.push(t.into());
    }
}

/// The Rust decoder's view of one packet's bytes, fed to the decoder of its direction, in the
/// order tshark shows them; `bad` gives the type and payload of each CRC-bad frame (the decoder
/// names only the error; tshark shows the bad frame's members too).
fn rust_view(
    decoder: &mut Decoder<Vec<u8>>,
    bytes: &[u8],
    bad: &mut Vec<(MessageType, Vec<u8>)>,
) -> Fields {
    let mut f = Fields::default();
    decoder.feed(bytes, |result| match result {
        Ok(frame) => {
            let (kind, key, payload) = match frame {
                Frame::Request { api_key, payload } => {
                    (MessageType::Request, Some(api_key), Some(payload))
                }
                Frame::Response { payload } => (MessageType::Response, None, Some(payload)),
                Frame::Event { payload } => (MessageType::Event, None, Some(payload)),
                Frame::KeepAlive => (MessageType::KeepAlive, None, None),
                Frame::Ack => (MessageType::Ack, None, None),
                Frame::Error(code) => {
                    f.types.push("error".into());
                    f.error_codes.push(code.as_u8().to_string());
                    return;
                }
            };
            f.types.push(type_name(kind).into());
            if let Some(key) = key {
                f.keys.push(if key.is_zero() {
                    "00000000 (zero: pairing)".into()
                } else {
                    "••••••••".into()
                });
            }
            if let Some(payload) = payload {
                f.crc.push("good".into());
                payload_fields(&mut f, kind, payload);
            }
        }
        Err(e) => {
            let code = e.code().name().to_lowercase();
            if code == "crc_error" {
                let (kind, payload) = bad.remove(0);
                f.types.push(type_name(kind).into());
                if kind == MessageType::Request {
                    f.keys.push("••••••••".into());
                }
                f.crc.push("bad".into());
                payload_fields(&mut f, kind, &payload);
            }
            f.bad.push(code);
        }
    });
    f
}

#[test]
fn split_joined_corrupted_error_and_hebrew_frames_read_as_the_codec_reads_them() {
    if !tshark_present() {
        eprintln!("skipped: tshark is not installed");
        return;
    }
    let key: ApiKey = "1234abcd".parse().unwrap();
    let request = frame(
        MessageType::Request,
        Some(key),
        br#"{"jsonrpc":"2.0","method":"startTransaction","id":"5f3a9c01-7","params":{"transactionType":"SALE","referenceId":"ORDER-1","amount":12550,"currency":376}}"#,
    );
    let event = frame(
        MessageType::Event,
        None,
        br#"{"jsonrpc":"2.0","method":"transactionEvent","params":{"type":"CARD_DETECTED"}}"#,
    );
    let hebrew = "{\"jsonrpc\":\"2.0\",\"id\":\"5f3a9c01-7\",\"result\":{\"result\":\"OK\",\"transaction\":{\"cardName\":\"ויזה רגיל\",\"transactionStatus\":\"CAPTURED\"}}}";
    let response = frame(MessageType::Response, None, hebrew.as_bytes());
    let mut corrupted = frame(
        MessageType::Response,
        None,
        br#"{"jsonrpc":"2.0","id":"5f3a9c01-8","result":{"deviceStatus":"IDLE"}}"#,
    );
    let n = corrupted.len();
    corrupted[n - 2] ^= 0x5a; // the CRC's low byte
    let status = frame(
        MessageType::Request,
        Some(ApiKey::ZERO),
        br#"{"jsonrpc":"2.0","method":"pair","id":9,"params":{"serialNumber":"244RKR528387"}}"#,
    );
    let keepalive = [0x02, 0x04, 0x03];
    let ack = [0x02, 0x05, 0x03];
    let error = [0x02, 0x06, 0x03, 0x03];

    // The capture: (direction, bytes of one segment), in order.
    let split_at = [17, 40];
    let mut segments: Vec<(Direction, Vec<u8>)> = vec![
        (Direction::ToDevice, request[..split_at[0]].to_vec()),
        (
            Direction::ToDevice,
            request[split_at[0]..split_at[1]].to_vec(),
        ),
        (
            Direction::ToDevice,
            [&request[split_at[1]..], &keepalive[..]].concat(),
        ),
        (
            Direction::ToClient,
            [&ack[..], &event[..], &response[..5]].concat(),
        ),
        (Direction::ToClient, response[5..].to_vec()),
        (Direction::ToDevice, status.clone()),
        (
            Direction::ToClient,
            [&corrupted[..], &error[..], &event[..]].concat(),
        ),
    ];
    let path = temp("frames.pcap");
    let mut pcap = PcapWriter::create(&path).unwrap();
    let client: SocketAddrV4 = "10.0.0.7:50123".parse().unwrap();
    let device: SocketAddrV4 = "10.0.0.2:9000".parse().unwrap();
    let mut c = pcap.connect(client, device).unwrap();
    for (dir, bytes) in &segments {
        pcap.send(&mut c, *dir, bytes).unwrap();
    }
    pcap.close(&mut c).unwrap();
    drop(pcap);

    let seen = tshark(&path);
    let bad = vec![(
        MessageType::Response,
        corrupted[6..corrupted.len() - 3].to_vec(),
    )];
    let packets = read_pcap(&path, 9000);
    assert_eq!(
        packets.len(),
        3 + segments.len() + 3,
        "handshake, segments, close"
    );
    segments.clear();
    compare(&seen, &packets, bad);
    // What the test means to cover is there: a split request, a CRC error, an Error frame,
    // Hebrew, and the key masked.
    let all: Vec<&Fields> = seen.iter().map(|(_, f)| f).collect();
    assert!(
        all.iter()
            .any(|f| f.methods.contains(&"startTransaction".to_string()))
    );
    assert!(all.iter().any(|f| f.bad.contains(&"crc_error".to_string())));
    assert!(all.iter().any(|f| f.error_codes.contains(&"3".to_string())));
    assert!(
        all.iter()
            .all(|f| f.keys.iter().all(|k| !k.contains("1234abcd")))
    );
    let _ = std::fs::remove_file(&path);
}

/// The TCP payloads of a capture this crate wrote, packet by packet (frame numbers from 1),
/// with their direction (towards `device_port` or back).
fn read_pcap(path: &Path, device_port: u16) -> Vec<(u32, Direction, Vec<u8>)> {
    let bytes = std::fs::read(path).unwrap();
    let mut at = 24;
    let mut n = 0;
    let mut out = Vec::new();
    while at + 16 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
        let packet = &bytes[at + 16..at + 16 + len];
        at += 16 + len;
        n += 1;
        let dst_port = u16::from_be_bytes([packet[36], packet[37]]);
        let dir = if dst_port == device_port {
            Direction::ToDevice
        } else {
            Direction::ToClient
        };
        out.push((n, dir, packet[54..].to_vec()));
    }
    out
}

/// tshark's fields, packet by packet, against the Rust decoder's of the same bytes.
fn compare(
    seen: &[(u32, Fields)],
    packets: &[(u32, Direction, Vec<u8>)],
    mut bad: Vec<(MessageType, Vec<u8>)>,
) {
    let mut to_device = Decoder::new(vec![0u8; 1 << 20]);
    let mut to_client = Decoder::new(vec![0u8; 1 << 20]);
    let mut expected = Vec::new();
    for (n, dir, bytes) in packets {
        let decoder = match dir {
            Direction::ToDevice => &mut to_device,
            Direction::ToClient => &mut to_client,
        };
        let f = rust_view(decoder, bytes, &mut bad);
        if f != Fields::default() {
            expected.push((*n, f));
        }
    }
    assert_eq!(
        seen.len(),
        expected.len(),
        "tshark: {seen:#?}\nrust: {expected:#?}"
    );
    for ((n, tshark), (m, rust)) in seen.iter().zip(&expected) {
        assert_eq!(n, m, "the frames complete in the same packet");
        assert_eq!(tshark, rust, "packet {n}");
    }
}

#[test]
fn a_sale_with_the_simulator_recorded_by_its_pcap_option_reads_as_the_codec_reads_it() {
    if !tshark_present() {
        eprintln!("skipped: tshark is not installed");
        return;
    }
    let path = temp("session.pcap");
    let config = synqpay_sim::SimulatorConfig {
        api_key: Some("1234abcd".parse().unwrap()),
        step_ms: 20,
        pcap: Some(path.clone()),
        ..Default::default()
    };
    let sim = synqpay_sim::Simulator::start("127.0.0.1:0", config).unwrap();
    let port = sim.addr().port();
    {
        let mut client =
            synqpay_std::Client::connect(sim.addr(), synqpay_std::ClientConfig::default())
                .unwrap()
                .with_api_key("1234abcd".parse().unwrap());
        let sale = synqpay_rpc::StartTransactionParams::sale(
            synqpay_rpc::ReferenceId::new("pcap-1").unwrap(),
            synqpay_rpc::Amount::ils(12550),
        );
        client.start_transaction(&sale, &mut |_| {}).unwrap();
        client
            .lookup_transaction(synqpay_rpc::ReferenceId::new("pcap-1").unwrap())
            .unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    sim.stop();
    let seen = tshark(&path);
    let packets = read_pcap(&path, port);
    compare(&seen, &packets, Vec::new());
    let all: Vec<&Fields> = seen.iter().map(|(_, f)| f).collect();
    assert!(
        all.iter()
            .any(|f| f.methods.contains(&"startTransaction".to_string()))
    );
    assert!(
        all.iter()
            .any(|f| f.event_types.contains(&"AUTHORIZATION_STARTED".to_string()))
    );
    // The one-line summaries of the sale, as Wireshark's packet list shows them.
    let out = Command::new("tshark")
        .args([
            "-r",
            &path.display().to_string(),
            "-X",
            &format!("lua_script:{LUA}"),
        ])
        .args(["-d", &format!("tcp.port=={port},synqpay"), "-Y", "synqpay"])
        .output()
        .unwrap();
    eprintln!("{}", String::from_utf8_lossy(&out.stdout));
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_noisy_line_recorded_by_the_proxy_shows_the_flipped_request_and_the_error_frame() {
    if !tshark_present() {
        eprintln!("skipped: tshark is not installed");
        return;
    }
    let path = temp("proxy.pcap");
    let config = synqpay_sim::SimulatorConfig {
        api_key: Some("1234abcd".parse().unwrap()),
        ..Default::default()
    };
    let sim = synqpay_sim::Simulator::start("127.0.0.1:0", config).unwrap();
    let faults = synqpay_sim::noise::Faults {
        flip_request: Some(1),
        ..Default::default()
    };
    let proxy =
        synqpay_sim::noise::NoiseProxy::start_recording("127.0.0.1:0", sim.addr(), faults, &path)
            .unwrap();
    {
        let mut client =
            synqpay_std::Client::connect(proxy.addr(), synqpay_std::ClientConfig::default())
                .unwrap()
                .with_api_key("1234abcd".parse().unwrap());
        // The first request is corrupted on the way: the device answers CRC_ERROR, and the
        // query is sent once more (spec/protocol.md §6).
        client
            .call::<synqpay_rpc::GetStatus>(&synqpay_rpc::NoParams)
            .unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(proxy);
    let seen = tshark(&path);
    let packets = read_pcap(&path, sim.addr().port());
    // The flipped request as it went on the wire (its CRC no longer matches).
    let flipped = packets
        .iter()
        .find(|(_, dir, bytes)| *dir == Direction::ToDevice && bytes.first() == Some(&0x02))
        .map(|(_, _, bytes)| bytes[10..bytes.len() - 3].to_vec())
        .unwrap();
    compare(&seen, &packets, vec![(MessageType::Request, flipped)]);
    let all: Vec<&Fields> = seen.iter().map(|(_, f)| f).collect();
    assert!(all.iter().any(|f| f.bad.contains(&"crc_error".to_string())));
    assert!(all.iter().any(|f| f.error_codes.contains(&"3".to_string())));
    let _ = std::fs::remove_file(&path);
}
