//! What the two TLS rows share: the test CA the device is verified against, its name, the
//! stand-in RNG's seed, and the far end: the in-memory TLS 1.3 peer (`tls-peer`), or the stub
//! (src/far_end.rs) in the build whose flash and RAM are reported.
//!
//! The CA and the device's certificate and key (tls/) were made once with openssl, P-256:
//!
//! ```text
//! openssl ecparam -name prime256v1 -genkey -noout -out ca.key
//! openssl req -x509 -new -key ca.key -sha256 -days 36500 -subj "/CN=footprint test CA" \
//!   -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
//!   -outform DER -out ca.der
//! openssl ecparam -name prime256v1 -genkey -noout -out device.pem
//! openssl req -new -key device.pem -subj /CN=synqpay.local -out device.csr
//! printf 'subjectAltName=DNS:synqpay.local\nbasicConstraints=CA:FALSE\n' >ext
//! openssl x509 -req -in device.csr -CA ca.der -CAform DER -CAkey ca.key -sha256 \
//!   -days 36500 -extfile ext -outform DER -out device.der
//! openssl ec -in device.pem -text -noout   # priv: 32 bytes, written raw to device.key
//! ```
//!
//! A test key for an emulator: it protects nothing.

/// The CA (DER) the device's certificate must lead to.
pub const CA: &[u8] = include_bytes!("../tls/ca.der");
/// The name the device's certificate must carry.
pub const SERVER_NAME: &str = "synqpay.local";
/// The stand-in RNG's seed (the handshake is the same on every run).
pub const SEED: u32 = 0x2545_f491;

#[cfg(feature = "tls-peer")]
pub type Far = crate::tls_peer::TlsPeer;
#[cfg(not(feature = "tls-peer"))]
pub type Far = crate::far_end::Stub;

/// The far end, in its place (src/far_end.rs).
pub fn far_end() -> &'static mut Far {
    crate::far_end::place(Far::new())
}
