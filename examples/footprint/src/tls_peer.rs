//! The device's end of TLS 1.3, in memory, so that the TLS rows run on the board: a minimal
//! server (RFC 8446) for the one handshake embedded-tls makes here (TLS_AES_128_GCM_SHA256,
//! P-256 key share, the device's certificate signed by the test CA, ECDSA P-256 SHA-256 in
//! CertificateVerify; no HelloRetryRequest, no session tickets, no client certificate), with the
//! canned device (src/canned.rs) behind it. Its key share is fixed and its signature
//! deterministic (RFC 6979), and the client's RNG is seeded, so every run is the same
//! handshake. It runs on the far end's stack (src/far_end.rs); it is linked only in the runs
//! (`tls-peer`), never in the builds whose flash and RAM are reported.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce, Tag};
use cortex_m_semihosting::hprintln;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use sha2::{Digest, Sha256};

use crate::canned::Canned;
use crate::far_end::FarEnd;

/// The device's certificate (DER, signed by tls/ca.der) and its private key (the raw scalar).
const CERT: &[u8] = include_bytes!("../tls/device.der");
const KEY: &[u8; 32] = include_bytes!("../tls/device.key");
/// The server's ephemeral key and random: fixed, for a handshake that is the same every run.
const EPHEMERAL: [u8; 32] = [0x5a; 32];
const RANDOM: [u8; 32] = [0x53; 32];

const CHANGE_CIPHER_SPEC: u8 = 20;
const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
const APPLICATION_DATA: u8 = 23;
const HEADER: usize = 5;
const TAG: usize = 16;
/// The most plaintext the peer puts in one record.
const MAX_PLAIN: usize = 2048;

/// Records in, records out, and the canned device's two buffers.
static mut BUFFERS: [[u8; 4096]; 4] = [[0; 4096]; 4];

/// One direction's traffic key, IV and record counter.
struct Keys {
    key: [u8; 16],
    iv: [u8; 12],
    seq: u64,
}

impl Keys {
    fn new(secret: &[u8; 32]) -> Self {
        let mut keys = Self {
            key: [0; 16],
            iv: [0; 12],
            seq: 0,
        };
        expand_label(secret, b"key", &[], &mut keys.key);
        expand_label(secret, b"iv", &[], &mut keys.iv);
        keys
    }

    /// The next record's nonce: the IV with the counter XORed into its last 8 bytes.
    fn nonce(&mut self) -> [u8; 12] {
        let mut nonce = self.iv;
        for (n, s) in nonce[4..].iter_mut().zip(self.seq.to_be_bytes()) {
            *n ^= s;
        }
        self.seq += 1;
        nonce
    }
}

/// HKDF-Expand-Label (RFC 8446 §7.1), SHA-256.
fn expand_label(secret: &[u8; 32], label: &[u8], context: &[u8], out: &mut [u8]) {
    let mut info = Writer::new([0u8; 64]);
    info.u16(out.len() as u16);
    info.u8((6 + label.len()) as u8);
    info.bytes(b"tls13 ");
    info.bytes(label);
    info.u8(context.len() as u8);
    info.bytes(context);
    let Ok(hkdf) = Hkdf::<Sha256>::from_prk(secret) else {
        return;
    };
    let _ = hkdf.expand(info.written(), out);
}

fn derive_secret(secret: &[u8; 32], label: &[u8], hash: &[u8; 32]) -> [u8; 32] {
    let mut out = [0; 32];
    expand_label(secret, label, hash, &mut out);
    out
}

fn extract(salt: &[u8; 32], ikm: &[u8]) -> [u8; 32] {
    Hkdf::<Sha256>::extract(Some(salt), ikm).0.into()
}

fn hmac(key: &[u8; 32], data: &[u8; 32]) -> [u8; 32] {
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) else {
        return [0; 32];
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn hash_of(transcript: &Sha256) -> [u8; 32] {
    transcript.clone().finalize().into()
}

/// A byte writer over a fixed array or a slice; it panics past the end (the buffers here are
/// sized for this handshake).
struct Writer<B> {
    buf: B,
    len: usize,
}

impl<B: AsMut<[u8]> + AsRef<[u8]>> Writer<B> {
    fn new(buf: B) -> Self {
        Self { buf, len: 0 }
    }
    fn bytes(&mut self, bytes: &[u8]) {
        self.buf.as_mut()[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
    fn u8(&mut self, v: u8) {
        self.bytes(&[v]);
    }
    fn u16(&mut self, v: u16) {
        self.bytes(&v.to_be_bytes());
    }
    fn u24(&mut self, v: usize) {
        self.bytes(&(v as u32).to_be_bytes()[1..]);
    }
    fn written(&self) -> &[u8] {
        &self.buf.as_ref()[..self.len]
    }
}

/// A byte reader: `None` past the end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<usize> {
        Some(usize::from(self.take(1)?[0]))
    }
    fn u16(&mut self) -> Option<usize> {
        let b = self.take(2)?;
        Some(usize::from(u16::from_be_bytes([b[0], b[1]])))
    }
    fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()?;
        self.take(n)
    }
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(n)
    }
}

/// The client's P-256 key share and legacy session id, from its ClientHello.
fn parse_client_hello(message: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut r = Reader(message);
    if r.u8()? != 1 {
        return None;
    }
    r.take(3)?;
    r.take(2 + 32)?; // legacy_version, random
    let session_id = r.vec8()?;
    let suites = r.vec16()?;
    if !suites.chunks(2).any(|s| s == [0x13, 0x01]) {
        return None;
    }
    r.vec8()?; // compression methods
    let mut extensions = Reader(r.vec16()?);
    while let (Some(kind), Some(data)) = (extensions.u16(), extensions.vec16()) {
        if kind != 0x0033 {
            continue;
        }
        let mut shares = Reader(Reader(data).vec16()?);
        while let (Some(group), Some(key)) = (shares.u16(), shares.vec16()) {
            if group == 0x0017 {
                return Some((key, session_id));
            }
        }
    }
    None
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Waiting for the ClientHello.
    Hello,
    /// The server's flight went out; waiting for the client's Finished.
    Finished,
    /// Application data: requests in, the canned device's answers out.
    Data,
    /// Something was wrong (said once): the client reads the end of the stream.
    Failed,
}

pub struct TlsPeer {
    state: State,
    transcript: Sha256,
    /// Records from the client, `rx[..rx_len]`.
    rx: &'static mut [u8],
    rx_len: usize,
    /// Records for the client, `tx[tx_at..tx_len]`.
    tx: &'static mut [u8],
    tx_len: usize,
    tx_at: usize,
    client: Keys,
    server: Keys,
    /// The client's application keys and the Finished it must send, once the flight is out.
    next_client: Keys,
    client_finished: [u8; 32],
    canned: Canned,
}

impl TlsPeer {
    pub fn new() -> Self {
        // SAFETY: called once, on one core; each buffer is lent to one owner only.
        let [rx, tx, canned_rx, canned_wire] = unsafe { &mut *core::ptr::addr_of_mut!(BUFFERS) };
        let none = [0; 32];
        Self {
            state: State::Hello,
            transcript: Sha256::new(),
            rx: &mut rx[..],
            rx_len: 0,
            tx: &mut tx[..],
            tx_len: 0,
            tx_at: 0,
            client: Keys::new(&none),
            server: Keys::new(&none),
            next_client: Keys::new(&none),
            client_finished: none,
            canned: Canned::new(&mut canned_rx[..], &mut canned_wire[..]),
        }
    }

    fn fail(&mut self, why: &str) {
        if self.state != State::Failed {
            hprintln!("footprint: TLS peer: {}", why);
            self.state = State::Failed;
        }
    }

    /// Appends a handshake message (type, 24-bit length, body) to `w` and to the transcript.
    fn handshake_message<B: AsMut<[u8]> + AsRef<[u8]>>(
        &mut self,
        w: &mut Writer<B>,
        kind: u8,
        body: &[&[u8]],
    ) {
        let start = w.len;
        w.u8(kind);
        w.u24(body.iter().map(|b| b.len()).sum());
        for b in body {
            w.bytes(b);
        }
        self.transcript.update(&w.written()[start..]);
    }

    /// Encrypts `tx[tx_len + HEADER..][..len]` (the plaintext written there) as one record of
    /// inner type `kind`, in place, and appends it.
    fn seal(&mut self, kind: u8, len: usize) {
        let start = self.tx_len;
        let body = start + HEADER;
        self.tx[body + len] = kind;
        let sealed = len + 1 + TAG;
        let header = [APPLICATION_DATA, 3, 3, (sealed >> 8) as u8, sealed as u8];
        self.tx[start..body].copy_from_slice(&header);
        let nonce = self.server.nonce();
        let cipher = Aes128Gcm::new((&self.server.key).into());
        let plain = &mut self.tx[body..body + len + 1];
        let Ok(tag) = cipher.encrypt_in_place_detached(Nonce::from_slice(&nonce), &header, plain)
        else {
            return self.fail("encryption failed");
        };
        self.tx[body + len + 1..body + sealed].copy_from_slice(&tag);
        self.tx_len = body + sealed;
    }

    /// Decrypts a record's payload in place with the client's keys: its inner type and the
    /// plaintext's length.
    fn open(&mut self, header: &[u8], payload: &mut [u8]) -> Option<(u8, usize)> {
        let n = payload.len().checked_sub(TAG)?;
        let (data, tag) = payload.split_at_mut(n);
        let nonce = self.client.nonce();
        let cipher = Aes128Gcm::new((&self.client.key).into());
        cipher
            .decrypt_in_place_detached(
                Nonce::from_slice(&nonce),
                header,
                data,
                Tag::from_slice(tag),
            )
            .ok()?;
        let end = data.iter().rposition(|&b| b != 0)?;
        Some((data[end], end))
    }

    /// Answers the ClientHello with the server's whole flight: ServerHello in the clear, then
    /// EncryptedExtensions, Certificate, CertificateVerify and Finished in one record.
    fn server_flight(&mut self, client_hello: &[u8]) -> Option<()> {
        let (share, session_id) = parse_client_hello(client_hello)?;
        self.transcript.update(client_hello);
        let client_key = PublicKey::from_sec1_bytes(share).ok()?;
        let ephemeral = SecretKey::from_bytes((&EPHEMERAL).into()).ok()?;
        let shared =
            p256::ecdh::diffie_hellman(ephemeral.to_nonzero_scalar(), client_key.as_affine());
        let our_share = ephemeral.public_key().to_encoded_point(false);

        // ServerHello.
        let mut hello = Writer::new([0u8; 160]);
        let mut body = Writer::new([0u8; 150]);
        body.u16(0x0303);
        body.bytes(&RANDOM);
        body.u8(session_id.len() as u8);
        body.bytes(session_id);
        body.u16(0x1301);
        body.u8(0);
        body.u16(6 + 4 + 4 + 65);
        body.bytes(&[0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]); // supported_versions: TLS 1.3
        body.bytes(&[0x00, 0x33, 0x00, 69, 0x00, 0x17, 0x00, 65]); // key_share: secp256r1
        body.bytes(our_share.as_bytes());
        self.handshake_message(&mut hello, 2, &[body.written()]);
        let mut record = Writer::new(&mut self.tx[self.tx_len..]);
        record.bytes(&[HANDSHAKE, 3, 3]);
        record.u16(hello.len as u16);
        record.bytes(hello.written());
        self.tx_len += record.len;

        // The handshake secrets.
        let empty: [u8; 32] = Sha256::digest(b"").into();
        let early = extract(&[0; 32], &[0; 32]);
        let secret = extract(
            &derive_secret(&early, b"derived", &empty),
            shared.raw_secret_bytes(),
        );
        let hello_hash = hash_of(&self.transcript);
        let client_secret = derive_secret(&secret, b"c hs traffic", &hello_hash);
        let server_secret = derive_secret(&secret, b"s hs traffic", &hello_hash);
        self.client = Keys::new(&client_secret);
        self.server = Keys::new(&server_secret);

        // The encrypted part, written where its record's plaintext goes.
        let start = self.tx_len + HEADER;
        let mut flight = Writer::new(core::mem::take(&mut self.tx));
        flight.len = start;
        self.handshake_message(&mut flight, 8, &[&[0, 0]]);
        let list = 3 + CERT.len() + 2;
        let mut lengths = Writer::new([0u8; 7]);
        lengths.u8(0);
        lengths.u24(list);
        lengths.u24(CERT.len());
        self.handshake_message(&mut flight, 11, &[lengths.written(), CERT, &[0, 0]]);
        let mut signed = Writer::new([0u8; 130]);
        signed.bytes(&[0x20; 64]);
        signed.bytes(b"TLS 1.3, server CertificateVerify\0");
        signed.bytes(&hash_of(&self.transcript));
        let signature: Signature = SigningKey::from_bytes(KEY.into())
            .ok()?
            .sign(signed.written());
        let der = signature.to_der();
        let der = der.as_bytes();
        let scheme_and_length = [0x04, 0x03, 0, der.len() as u8];
        self.handshake_message(&mut flight, 15, &[&scheme_and_length, der]);
        let mut finished_key = [0; 32];
        expand_label(&server_secret, b"finished", &[], &mut finished_key);
        let verify = hmac(&finished_key, &hash_of(&self.transcript));
        self.handshake_message(&mut flight, 20, &[&verify]);
        let len = flight.len - start;
        self.tx = flight.buf;
        self.seal(HANDSHAKE, len);

        // The application secrets, and the Finished the client must send.
        let flight_hash = hash_of(&self.transcript);
        let master = extract(&derive_secret(&secret, b"derived", &empty), &[0; 32]);
        self.next_client = Keys::new(&derive_secret(&master, b"c ap traffic", &flight_hash));
        self.server = Keys::new(&derive_secret(&master, b"s ap traffic", &flight_hash));
        expand_label(&client_secret, b"finished", &[], &mut finished_key);
        self.client_finished = hmac(&finished_key, &flight_hash);
        Some(())
    }

    /// Handles one whole record from the client (header and payload, in place).
    fn record(&mut self, record: &mut [u8]) {
        let (header, payload) = record.split_at_mut(HEADER);
        match (self.state, header[0]) {
            (_, CHANGE_CIPHER_SPEC) | (State::Failed, _) => {}
            (State::Hello, HANDSHAKE) => {
                if self.server_flight(payload).is_none() {
                    return self.fail("ClientHello not understood");
                }
                self.state = State::Finished;
            }
            (State::Finished, APPLICATION_DATA) => match self.open(header, payload) {
                Some((HANDSHAKE, 36))
                    if payload[..4] == [20, 0, 0, 32] && payload[4..36] == self.client_finished =>
                {
                    core::mem::swap(&mut self.client, &mut self.next_client);
                    self.state = State::Data;
                }
                _ => self.fail("the client's Finished is wrong"),
            },
            (State::Data, APPLICATION_DATA) => match self.open(header, payload) {
                Some((APPLICATION_DATA, n)) => {
                    self.canned.take_in(&payload[..n]);
                    self.answer();
                }
                Some((ALERT, _)) => {}
                _ => self.fail("a record does not decrypt"),
            },
            _ => self.fail("an unexpected record"),
        }
    }

    /// Seals what the canned device has to say, in records.
    fn answer(&mut self) {
        while self.state != State::Failed {
            let body = self.tx_len + HEADER;
            let room = (self.tx.len() - body)
                .saturating_sub(1 + TAG)
                .min(MAX_PLAIN);
            let n = self.canned.give_out(&mut self.tx[body..body + room]);
            if n == 0 {
                return;
            }
            self.seal(APPLICATION_DATA, n);
        }
    }
}

impl FarEnd for TlsPeer {
    fn take_in(&mut self, bytes: &[u8]) -> usize {
        let Some(room) = self.rx.get_mut(self.rx_len..self.rx_len + bytes.len()) else {
            self.fail("a record larger than the buffer");
            return bytes.len();
        };
        room.copy_from_slice(bytes);
        self.rx_len += bytes.len();
        let rx = core::mem::take(&mut self.rx);
        while self.rx_len >= HEADER {
            let len = HEADER + usize::from(u16::from_be_bytes([rx[3], rx[4]]));
            if self.rx_len < len {
                break;
            }
            self.record(&mut rx[..len]);
            rx.copy_within(len..self.rx_len, 0);
            self.rx_len -= len;
        }
        self.rx = rx;
        bytes.len()
    }

    fn give_out(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.tx_len - self.tx_at);
        buf[..n].copy_from_slice(&self.tx[self.tx_at..self.tx_at + n]);
        self.tx_at += n;
        if self.tx_at == self.tx_len {
            (self.tx_at, self.tx_len) = (0, 0);
        }
        n
    }

    fn ready(&self) -> bool {
        self.tx_at < self.tx_len || self.state == State::Failed
    }
}
