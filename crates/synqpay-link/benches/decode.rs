//! Decoding throughput against the bare CRC over the same bytes (the ceiling).
//!
//! The stream is what a client receives in a busy session: responses of 100 B to 4 KiB with
//! Hebrew text in them, transaction events, ACKs and the odd Error frame.
//! `scripts/bench-codec` runs it with both CRC tables and prints the ratios.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use synqpay_link::{Decoder, ErrorCode, Frame, crc16};

/// A deterministic stream of about 1 MiB.
fn realistic_stream() -> (Vec<u8>, usize) {
    let mut seed = 0x2545_f491_u32;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    let mut stream = Vec::new();
    let mut frames = 0;
    let mut payload = Vec::new();
    let mut out = vec![0u8; 8192];
    while stream.len() < 1 << 20 {
        let frame = match next() % 10 {
            0..=4 => {
                let size = 100 + (next() as usize % 3997);
                payload.clear();
                payload.extend_from_slice(br#"{"jsonrpc":"2.0","id":"42","result":{"cardName":""#);
                while payload.len() + 3 < size {
                    payload.extend_from_slice("ויזה רגיל 458008XXXXXX3303 ".as_bytes());
                }
                payload.truncate(size - 3);
                while std::str::from_utf8(&payload).is_err() {
                    payload.pop();
                }
                payload.extend_from_slice(b"\"}}");
                Frame::Response { payload: &payload }
            }
            5..=7 => Frame::Event {
                payload: br#"{"jsonrpc":"2.0","method":"transactionEvent","params":{"type":"WAITING_FOR_CARD"}}"#,
            },
            8 => Frame::Ack,
            _ => Frame::Error(ErrorCode::CrcError),
        };
        let n = frame.encode(&mut out).unwrap();
        stream.extend_from_slice(&out[..n]);
        frames += 1;
    }
    (stream, frames)
}

/// Chunks read elsewhere, handed to `feed`: frames inside a chunk are decoded in place.
fn decode_fed(stream: &[u8], chunk: usize, decoder: &mut Decoder<[u8; 8192]>) -> usize {
    let mut frames = 0;
    for piece in stream.chunks(chunk) {
        decoder.feed(piece, |frame| {
            black_box(&frame);
            frames += 1;
        });
    }
    frames
}

/// Chunks read into the decoder's own buffer (`write_buf` + `commit`), then polled. The copy
/// stands for the read itself.
fn decode_read_into(stream: &[u8], chunk: usize, decoder: &mut Decoder<[u8; 8192]>) -> usize {
    let mut frames = 0;
    for piece in stream.chunks(chunk) {
        let mut rest = piece;
        while !rest.is_empty() {
            let free = decoder.write_buf();
            let n = free.len().min(rest.len());
            free[..n].copy_from_slice(&rest[..n]);
            decoder.commit(n);
            rest = &rest[n..];
            while let Some(frame) = decoder.poll() {
                black_box(&frame);
                frames += 1;
            }
        }
    }
    frames
}

fn bench(c: &mut Criterion) {
    let (stream, expected) = realistic_stream();
    let mut group = c.benchmark_group("link");
    group.throughput(Throughput::Bytes(stream.len() as u64));

    group.bench_function("crc_bare", |b| b.iter(|| crc16(black_box(&stream))));

    // 1460: one TCP segment's payload; 16384: a large read; 2 MiB: the whole stream at once,
    // which shows the decoder's own work with no frame split across reads.
    for chunk in [1460usize, 16384, 1 << 21] {
        group.bench_function(format!("feed_{chunk}"), |b| {
            let mut decoder = Decoder::new([0u8; 8192]);
            b.iter(|| {
                assert_eq!(
                    decode_fed(black_box(&stream), chunk, &mut decoder),
                    expected
                )
            })
        });
        group.bench_function(format!("read_into_{chunk}"), |b| {
            let mut decoder = Decoder::new([0u8; 8192]);
            b.iter(|| {
                assert_eq!(
                    decode_read_into(black_box(&stream), chunk, &mut decoder),
                    expected
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
