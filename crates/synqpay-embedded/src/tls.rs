//! TLS 1.3 to the device (spec/protocol.md §2: the TLS port, 9443) through embedded-tls: the
//! device verified against a CA given as DER, or no verification when asked for by name. The
//! random numbers are the caller's (a hardware RNG), as is the time, if any.

use embedded_io_async::{Read, Write};
use embedded_tls::pki::CertVerifier;
use embedded_tls::{
    Aes128GcmSha256, Certificate, CryptoProvider, CryptoRngCore, NoClock, TlsClock, TlsConfig,
    TlsConnection, TlsContext, TlsError, TlsVerifier,
};

/// How the device's certificate is checked. There is no default: the choice is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification<'a> {
    /// The device's chain must lead to this CA certificate (DER), and name `server_name` (a DNS
    /// name of the certificate; embedded-tls does not match IP addresses).
    Ca {
        /// The CA certificate, DER.
        der: &'a [u8],
        /// The name the device's certificate must carry.
        server_name: &'a str,
    },
    /// No check at all: anyone on the path can read and change every payment. For a bench with
    /// a simulator only; the name says it.
    DangerousNoVerification,
}

/// The crypto provider for embedded-tls: the caller's RNG, and the CA verifier when
/// [`Verification::Ca`] was chosen. `CERT` bounds the size of the device's certificate (bytes);
/// `T` is the wall clock for validity dates (`NoClock`: dates are not checked, as most MCUs have
/// no trusted time; ours).
pub struct Provider<'a, R, T: TlsClock = NoClock, const CERT: usize = 2048> {
    rng: R,
    verifier: Option<CertVerifier<'a, Aes128GcmSha256, T, CERT>>,
}

impl<'a, R: CryptoRngCore, T: TlsClock, const CERT: usize> Provider<'a, R, T, CERT> {
    /// A provider that checks the device as `verification` says.
    pub fn new(rng: R, verification: Verification<'a>) -> Self {
        let verifier = match verification {
            Verification::Ca { der, .. } => Some(CertVerifier::new(Certificate::X509(der))),
            Verification::DangerousNoVerification => None,
        };
        Self { rng, verifier }
    }
}

impl<R: CryptoRngCore, T: TlsClock, const CERT: usize> CryptoProvider for Provider<'_, R, T, CERT> {
    type CipherSuite = Aes128GcmSha256;
    type Signature = &'static [u8];

    fn rng(&mut self) -> impl CryptoRngCore {
        &mut self.rng
    }

    /// No verifier is embedded-tls's way to skip verification: reached only through
    /// [`Verification::DangerousNoVerification`].
    fn verifier(&mut self) -> Result<&mut impl TlsVerifier<Self::CipherSuite>, TlsError> {
        self.verifier.as_mut().ok_or(TlsError::Unimplemented)
    }
}

/// A TLS connection to the device, ready for [`AsyncClient`](crate::AsyncClient).
pub type TlsStream<'a, S> = TlsConnection<'a, S, Aes128GcmSha256>;

/// Runs the TLS 1.3 handshake over `socket` and returns the connection. `read_buf` holds one
/// whole TLS record (16 KiB + 256 for any server; less if the device's records are known to be
/// smaller), `write_buf` one outgoing record (1 KiB is plenty for requests).
///
/// Wrap `socket` in [`WholeRecords`](crate::WholeRecords) first when the driver's timers may
/// interrupt a read (always, with [`AsyncClient`](crate::AsyncClient)): embedded-tls's reads
/// are not cancel-safe on their own.
///
/// The connection is over a kilobyte, and each move of it through a return value takes that
/// room again in the caller's stack frame: where stack is short, make the connection where it
/// stays (`TlsStream::new` in the task), run [`open`] on it, and give the client `&mut` of it.
pub async fn connect<'a, S, R>(
    socket: S,
    read_buf: &'a mut [u8],
    write_buf: &'a mut [u8],
    verification: Verification<'_>,
    rng: R,
) -> Result<TlsStream<'a, S>, TlsError>
where
    S: Read + Write + 'a,
    R: CryptoRngCore,
{
    let mut tls = TlsConnection::new(socket, read_buf, write_buf);
    open(&mut tls, verification, rng).await?;
    Ok(tls)
}

/// Runs the TLS 1.3 handshake on a connection made with `TlsStream::new`, where it is: the
/// connection is not moved, and the client then takes `&mut` of it
/// (`AsyncClient::new(&mut tls, ...)`). See [`connect`] for the buffers and the socket.
pub async fn open<S, R>(
    tls: &mut TlsStream<'_, S>,
    verification: Verification<'_>,
    rng: R,
) -> Result<(), TlsError>
where
    S: Read + Write,
    R: CryptoRngCore,
{
    let config = match verification {
        Verification::Ca { server_name, .. } => TlsConfig::new().with_server_name(server_name),
        Verification::DangerousNoVerification => TlsConfig::new(),
    };
    let provider: Provider<'_, R> = Provider::new(rng, verification);
    tls.open(TlsContext::new(&config, provider)).await
}
