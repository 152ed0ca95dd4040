//! The certificate verifiers behind each [`Verification`](super::Verification) (spec/protocol.md
//! §2): they refuse with our own [`TlsError`]s, carried through rustls and found again by
//! [`TlsError::from_handshake`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::{Fingerprint, KnownDevices, TlsError, UntrustedReason};

/// A refusal carrying our error, for [`TlsError::from_handshake`] to find.
fn refuse(e: TlsError) -> rustls::Error {
    rustls::Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(Arc::new(e))))
}

/// rustls's certificate error as ours, with the device's certificate to pin.
fn untrusted(leaf: &CertificateDer<'_>, e: rustls::Error) -> rustls::Error {
    match e {
        rustls::Error::InvalidCertificate(c) => refuse(TlsError::Untrusted {
            leaf_sha256: Fingerprint::of(leaf),
            reason: UntrustedReason::of(&c),
        }),
        other => other,
    }
}

/// A handshake signature's failure as ours: a bad signature there is a key not proven.
fn unsigned(leaf: &CertificateDer<'_>, e: rustls::Error) -> rustls::Error {
    match e {
        rustls::Error::InvalidCertificate(CertificateError::BadSignature) => {
            refuse(TlsError::Untrusted {
                leaf_sha256: Fingerprint::of(leaf),
                reason: UntrustedReason::KeyNotProven,
            })
        }
        other => untrusted(leaf, other),
    }
}

/// The handshake's signatures, checked with the provider's algorithms whatever the verifier
/// decides about the certificate (the verifier's `provider` field); then `$signed` (with
/// `self` and the certificate) runs, if given.
macro_rules! handshake_signatures {
    () => {
        handshake_signatures!(|_this, _cert| Ok(()));
    };
    (|$this:ident, $cert:ident| $signed:expr) => {
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            let algorithms = &self.provider.signature_verification_algorithms;
            let valid = rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
                .map_err(|e| unsigned(cert, e))?;
            let ($this, $cert) = (self, cert);
            $signed.map(|()| valid)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            let algorithms = &self.provider.signature_verification_algorithms;
            let valid = rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
                .map_err(|e| unsigned(cert, e))?;
            let ($this, $cert) = (self, cert);
            $signed.map(|()| valid)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.provider
                .signature_verification_algorithms
                .supported_schemes()
        }
    };
}

/// Verifies the chain against the CAs of a file (rustls's verifier), refusing with our errors.
#[derive(Debug)]
pub(super) struct ByCa {
    pub(super) inner: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for ByCa {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
            .map_err(|e| untrusted(end_entity, e))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner
            .verify_tls12_signature(message, cert, dss)
            .map_err(|e| unsigned(cert, e))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner
            .verify_tls13_signature(message, cert, dss)
            .map_err(|e| unsigned(cert, e))
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Verifies the chain against the pinned root, which the device must send in its chain.
#[derive(Debug)]
pub(super) struct PinnedRoot {
    pub(super) root: Fingerprint,
    pub(super) provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedRoot {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(root) = intermediates
            .iter()
            .find(|c| Fingerprint::of(c) == self.root)
        else {
            return Err(refuse(TlsError::RootNotInChain {
                root_sha256: self.root,
                leaf_sha256: Fingerprint::of(end_entity),
            }));
        };
        let mut roots = RootCertStore::empty();
        roots
            .add(root.clone().into_owned())
            .map_err(|_| untrusted(end_entity, CertificateError::BadEncoding.into()))?;
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), self.provider.clone())
                .build()
                .map_err(|_| untrusted(end_entity, CertificateError::BadEncoding.into()))?;
        verifier
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
            .map_err(|e| untrusted(end_entity, e))
    }

    handshake_signatures!();
}

/// Accepts exactly the pinned device certificate.
#[derive(Debug)]
pub(super) struct PinnedLeaf {
    pub(super) leaf: Fingerprint,
    pub(super) provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedLeaf {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = Fingerprint::of(end_entity);
        if presented != self.leaf {
            return Err(refuse(TlsError::PinMismatch {
                expected: self.leaf,
                presented,
            }));
        }
        Ok(ServerCertVerified::assertion())
    }

    handshake_signatures!();
}

/// Trust on first use: the certificate on record for the serial number, or the first one,
/// recorded once the handshake's signature proves the device holds its key.
#[derive(Debug)]
pub(super) struct KnownDevice {
    pub(super) file: PathBuf,
    pub(super) serial_number: String,
    /// A device not on record: the certificate it presented, until its signature is checked.
    pub(super) first_use: Mutex<Option<Fingerprint>>,
    pub(super) provider: Arc<CryptoProvider>,
}

impl KnownDevice {
    /// The certificate on record, or a refusal.
    fn check(&self, presented: Fingerprint) -> Result<Option<Fingerprint>, TlsError> {
        let known = KnownDevices::load(&self.file).map_err(TlsError::KnownDevices)?;
        self.on_record(&known, presented)
    }

    /// The certificate `known` holds for the serial number, or a refusal when it is another.
    fn on_record(
        &self,
        known: &KnownDevices,
        presented: Fingerprint,
    ) -> Result<Option<Fingerprint>, TlsError> {
        match known.get(&self.serial_number) {
            Some(known) if known != presented => Err(TlsError::DeviceChanged {
                serial_number: self.serial_number.clone(),
                file: self.file.clone(),
                known,
                presented,
            }),
            other => Ok(other),
        }
    }

    /// After the handshake's signature: records a device seen for the first time.
    fn signed(&self, cert: &CertificateDer<'_>) -> Result<(), rustls::Error> {
        let presented = Fingerprint::of(cert);
        let first = self.first_use.lock().map_or(None, |mut f| f.take());
        if first != Some(presented) {
            return Ok(());
        }
        // Read again: another process may have recorded it meanwhile.
        let mut known =
            KnownDevices::load(&self.file).map_err(|e| refuse(TlsError::KnownDevices(e)))?;
        if self.on_record(&known, presented).map_err(refuse)?.is_none() {
            known
                .pin(&self.serial_number, presented)
                .and_then(|_| known.save())
                .map_err(|e| refuse(TlsError::KnownDevices(e)))?;
        }
        Ok(())
    }
}

impl ServerCertVerifier for KnownDevice {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = Fingerprint::of(end_entity);
        if self.check(presented).map_err(refuse)?.is_none() {
            if let Ok(mut first) = self.first_use.lock() {
                *first = Some(presented);
            }
        }
        Ok(ServerCertVerified::assertion())
    }

    handshake_signatures!(|this, cert| this.signed(cert));
}

/// Accepts any certificate; the handshake's signatures are still checked.
#[derive(Debug)]
pub(super) struct NoVerification {
    pub(super) provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    handshake_signatures!();
}
