//! A getStatus round trip against the simulator over loopback, next to a bare TCP echo of the
//! same request bytes, in the same run. `scripts/bench-roundtrip` prints the ratio and the
//! requests per second.

use std::hint::black_box;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use criterion::{Criterion, criterion_group, criterion_main};
use synqpay_link::{ApiKey, Frame};
use synqpay_rpc::{GetStatus, NoParams, encode_call};
use synqpay_sim::{Simulator, SimulatorConfig};
use synqpay_std::{Client, ClientConfig};

const KEY: ApiKey = ApiKey::from_bytes([0x12, 0x34, 0xab, 0xcd]);

/// The bytes the client sends for one getStatus.
fn request_frame() -> Vec<u8> {
    let mut json = [0u8; 128];
    let n = encode_call::<GetStatus>(&mut json, "1", &NoParams).unwrap();
    let frame = Frame::Request {
        api_key: KEY,
        payload: &json[..n],
    };
    let mut out = vec![0u8; frame.encoded_len()];
    frame.encode(&mut out).unwrap();
    out
}

fn echo_server() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_nodelay(true);
            let mut buf = [0u8; 4096];
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 || stream.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    });
    addr
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("roundtrip");

    let request = request_frame();
    let mut echo = TcpStream::connect(echo_server()).unwrap();
    echo.set_nodelay(true).unwrap();
    let mut back = vec![0u8; request.len()];
    group.bench_function("tcp_echo", |b| {
        b.iter(|| {
            echo.write_all(black_box(&request)).unwrap();
            echo.read_exact(&mut back).unwrap();
        })
    });

    let config = SimulatorConfig {
        api_key: Some(KEY),
        ..Default::default()
    };
    let sim = Simulator::start("127.0.0.1:0", config).unwrap();
    let mut client = Client::connect(sim.addr(), ClientConfig::default())
        .unwrap()
        .with_api_key(KEY);
    group.bench_function("get_status", |b| {
        b.iter(|| {
            let reply = client.call::<GetStatus>(&NoParams).unwrap();
            black_box(reply.result().unwrap().device_status);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
