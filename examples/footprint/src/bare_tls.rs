//! embedded-tls alone, the row the TLS client is measured against: the same record buffers
//! (4 KiB in, 4 KiB out), the same CA verification (embedded-tls's `CertVerifier`, certificates
//! up to 2 KiB, no clock), the same handshake against the same far end, then the client's first
//! getStatus written as bytes and the canned device's answer read back and compared, through
//! no synqpay crate (the two frames are encoded by build.rs).

use embedded_io_async::Write;
use embedded_tls::pki::CertVerifier;
use embedded_tls::{
    Aes128GcmSha256, Certificate, CryptoProvider, CryptoRngCore, NoClock, TlsConfig, TlsConnection,
    TlsContext, TlsError, TlsVerifier,
};
use mps2_an386::rng::NotCryptoRng;

use crate::far_end::Link;
use crate::tls::{CA, SEED, SERVER_NAME};

include!(concat!(env!("OUT_DIR"), "/bare_frames.rs"));

/// The least a firmware writes to verify the device against a CA with embedded-tls: its RNG
/// and `CertVerifier` (embedded-tls has no such provider of its own).
struct Provider<'a> {
    rng: NotCryptoRng,
    verifier: CertVerifier<'a, Aes128GcmSha256, NoClock, 2048>,
}

impl CryptoProvider for Provider<'_> {
    type CipherSuite = Aes128GcmSha256;
    type Signature = &'static [u8];

    fn rng(&mut self) -> impl CryptoRngCore {
        &mut self.rng
    }

    fn verifier(&mut self) -> Result<&mut impl TlsVerifier<Self::CipherSuite>, TlsError> {
        Ok(&mut self.verifier)
    }
}

#[inline(never)]
pub fn work() -> bool {
    static mut TLS: [[u8; 4096]; 2] = [[0; 4096]; 2];
    // SAFETY: `work` runs once, on one core.
    let [read, write] = unsafe { &mut *core::ptr::addr_of_mut!(TLS) };
    let link = Link(crate::tls::far_end());
    embassy_futures::block_on(async move {
        let config = TlsConfig::new().with_server_name(SERVER_NAME);
        let provider = Provider {
            rng: NotCryptoRng::new(SEED),
            verifier: CertVerifier::new(Certificate::X509(CA)),
        };
        let mut tls: TlsConnection<'_, _, Aes128GcmSha256> =
            TlsConnection::new(link, &mut read[..], &mut write[..]);
        if tls.open(TlsContext::new(&config, provider)).await.is_err()
            || tls.write_all(REQUEST).await.is_err()
            || tls.flush().await.is_err()
        {
            return false;
        }
        let mut answer = [0u8; ANSWER.len()];
        let mut got = 0;
        while got < answer.len() {
            match tls.read(&mut answer[got..]).await {
                Ok(n) if n > 0 => got += n,
                _ => return false,
            }
        }
        answer[..] == *ANSWER
    })
}
