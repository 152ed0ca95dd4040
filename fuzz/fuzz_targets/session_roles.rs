//! The device role fed arbitrary client bytes, and the client role fed arbitrary device bytes,
//! in arbitrary chunks with the clock moving: no panic, every buffer within its bounds, and the
//! client's books balanced (each request answered, failed or still outstanding, never lost).
//!
//! Input: byte 0 picks the role (bit 0) and seeds the chunk sizes; the rest is the byte stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use synqpay_link::ApiKey;
use synqpay_rpc::{Amount, GetStatus, NoParams, Null, ReferenceId, StartTransactionParams};
use synqpay_session::{
    Client, ClientBuffers, ClientConfig, ClientEvent, ClientId, Device, DeviceBuffers, DeviceConfig,
};

const KEY: ApiKey = ApiKey::from_bytes([0x12, 0x34, 0xab, 0xcd]);

/// Chunk sizes from a small xorshift.
struct Chunker(u32);

impl Chunker {
    fn next<'s>(&mut self, stream: &'s [u8], at: usize) -> &'s [u8] {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        let n = 1 + (self.0 % 300) as usize;
        &stream[at..(at + n).min(stream.len())]
    }
}

fuzz_target!(|data: &[u8]| {
    let [first, stream @ ..] = data else { return };
    let mut chunker = Chunker((u32::from(*first) | 0x100).wrapping_mul(2_654_435_761));
    if first & 1 == 0 {
        device_role(stream, &mut chunker);
    } else {
        client_role(stream, &mut chunker);
    }
});

fn device_role(stream: &[u8], chunker: &mut Chunker) {
    let (mut rx, mut tx, mut rq, mut cache) = ([0u8; 2048], [0u8; 2048], [0u8; 2048], [0u8; 2048]);
    let mut device = Device::new(
        DeviceConfig::default(),
        DeviceBuffers {
            rx: &mut rx[..],
            tx: &mut tx[..],
            requests: &mut rq[..],
            cache: &mut cache[..],
        },
    );
    device.set_api_key(Some(KEY));
    device.connect(0, ClientId([7; 16]));
    let (mut at, mut now) = (0, 0u64);
    while at < stream.len() {
        let chunk = chunker.next(stream, at);
        at += chunk.len();
        now += 700;
        device.handle_input(now, chunk);
        device.handle_timeout(now);
        while let Some(request) = device.poll_request() {
            let reply = request.reply_to;
            let _ = device.respond(&reply, &Null);
        }
        while let Some(bytes) = device.poll_transmit() {
            let n = bytes.len();
            device.transmitted(now, n);
        }
        if at % 7 == 0 {
            device.disconnect(now);
            device.connect(now, ClientId([(at % 3) as u8; 16]));
        }
    }
}

fn client_role(stream: &[u8], chunker: &mut Chunker) {
    let (mut rx, mut tx, mut inbox) = ([0u8; 2048], [0u8; 1024], [0u8; 2048]);
    let mut client: Client<&mut [u8], 4> = Client::new(
        ClientConfig::default(),
        ClientBuffers {
            rx: &mut rx[..],
            tx: &mut tx[..],
            inbox: &mut inbox[..],
        },
        synqpay_rpc::IdPrefix(0x0f0f_0f0f),
    )
    .with_api_key(KEY);
    client.connect(0);
    let mut sent = 0u32;
    let mut ended = 0u32;
    let (mut at, mut now) = (0, 0u64);
    while at < stream.len() {
        if client.is_connected() && client.outstanding() < 4 {
            let queued = if sent % 2 == 0 {
                client.send::<GetStatus>(now, &NoParams)
            } else {
                let reference = ReferenceId::new("fz-1").expect("valid");
                let params = StartTransactionParams::sale(reference, Amount::ils(1));
                client.start_transaction(now, &params)
            };
            sent += u32::from(queued.is_ok());
        }
        while let Some(bytes) = client.poll_transmit() {
            let n = bytes.len().min(5);
            client.transmitted(now, n);
        }
        let chunk = chunker.next(stream, at);
        at += chunk.len();
        now += 1_500;
        client.handle_input(now, chunk);
        if let Some(t) = client.poll_timeout().filter(|t| *t <= now + 20_000) {
            now = now.max(t);
            client.handle_timeout(now);
        }
        while let Some(event) = client.poll_event() {
            if matches!(
                event,
                ClientEvent::Response { .. } | ClientEvent::Failed { .. }
            ) {
                ended += 1;
            }
            assert!(
                !matches!(event, ClientEvent::Overflow { .. }),
                "a 2 KiB inbox polled every chunk never overflows"
            );
        }
        if !client.is_connected() {
            client.connect(now);
        }
    }
    assert_eq!(
        sent,
        ended + client.outstanding() as u32,
        "every request answered, failed or outstanding"
    );
}
