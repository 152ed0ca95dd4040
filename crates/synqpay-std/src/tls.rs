//! TLS on port 9443 (spec/protocol.md §2): the client's verification, on by default.
//!
//! The device's certificate chains to the self-signed "Synqpay Root CA" (doc), whose PEM is not
//! public; its SHA-256 fingerprint is ([`SYNQPAY_ROOT_SHA256`], field). So a client trusts a CA
//! file, or pins the root by fingerprint; turning verification off takes
//! [`Verification::DangerousNoVerification`], named so that nobody picks it by accident (ours).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

/// The SHA-256 fingerprint of the Synqpay Root CA (spec/protocol.md §2, field).
pub const SYNQPAY_ROOT_SHA256: [u8; 32] = [
    0x61, 0xAA, 0x67, 0xE7, 0x0D, 0x4B, 0xC5, 0x4A, 0x25, 0x31, 0xE1, 0xE4, 0x40, 0x16, 0x87, 0xC0,
    0xB1, 0xD9, 0x61, 0x0D, 0xEC, 0x16, 0xE2, 0x49, 0xAF, 0xF3, 0xF4, 0x12, 0x3A, 0xD1, 0x1D, 0x5C,
];

/// How a client decides to trust the device.
#[derive(Debug, Clone)]
pub enum Verification {
    /// Trust the CAs in this PEM text (a file's contents).
    CaPem(Vec<u8>),
    /// Trust the root whose SHA-256 fingerprint this is, when the device presents it in its chain.
    PinnedRoot([u8; 32]),
    /// No verification at all: anyone on the network can read and change the payments.
    DangerousNoVerification,
}

impl Default for Verification {
    /// The Synqpay root, pinned.
    fn default() -> Self {
        Verification::PinnedRoot(SYNQPAY_ROOT_SHA256)
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// Why TLS could not be set up, or the device was not trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsError {
    /// The CA file holds no certificate.
    CaFileEmpty,
    /// A certificate in the CA file could not be read, or is not one a root can be.
    CaFileInvalid,
    /// The device's address is neither a name nor an IP address TLS can verify.
    ServerName {
        /// The host as given.
        host: String,
    },
    /// The TLS library refused the settings (never with the ones this crate uses).
    Setup,
}

impl TlsError {
    /// Whether the problem is in the settings given (not in the device's certificate).
    pub(crate) fn is_setup(&self) -> bool {
        matches!(self, Self::ServerName { .. } | Self::Setup)
    }
}

impl std::fmt::Display for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::CaFileEmpty => f.write_str("the CA file holds no certificate"),
            Self::CaFileInvalid => f.write_str("a certificate in the CA file cannot be used"),
            Self::ServerName { host } => {
                write!(
                    f,
                    "{host:?} is not a host name or IP address TLS can verify"
                )
            }
            Self::Setup => f.write_str("the TLS settings were refused"),
        }
    }
}

impl std::error::Error for TlsError {}

/// The rustls client configuration for `verification` (TLS 1.3 and 1.2).
pub fn client_config(verification: &Verification) -> Result<Arc<rustls::ClientConfig>, TlsError> {
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|_| TlsError::Setup)?;
    let config = match verification {
        Verification::CaPem(pem) => {
            let mut roots = RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(pem) {
                roots
                    .add(cert.map_err(|_| TlsError::CaFileInvalid)?)
                    .map_err(|_| TlsError::CaFileInvalid)?;
            }
            if roots.is_empty() {
                return Err(TlsError::CaFileEmpty);
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        Verification::PinnedRoot(pin) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Pinned {
                pin: *pin,
                provider: provider(),
            }))
            .with_no_client_auth(),
        Verification::DangerousNoVerification => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification {
                provider: provider(),
            }))
            .with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

fn sha256(der: &[u8]) -> [u8; 32] {
    let digest = ::ring::digest::digest(&::ring::digest::SHA256, der);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// The handshake's signatures, checked with the provider's algorithms whatever the verifier
/// decides about the certificate (the verifier's `provider` field).
macro_rules! handshake_signatures {
    () => {
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            let algorithms = &self.provider.signature_verification_algorithms;
            rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            let algorithms = &self.provider.signature_verification_algorithms;
            rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.provider
                .signature_verification_algorithms
                .supported_schemes()
        }
    };
}

/// Verifies the chain against the pinned root, which the device must present in its chain.
#[derive(Debug)]
struct Pinned {
    pin: [u8; 32],
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let root = intermediates.iter().find(|c| sha256(c) == self.pin).ok_or(
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        )?;
        let mut roots = RootCertStore::empty();
        roots.add(root.clone().into_owned()).map_err(|_| {
            rustls::Error::InvalidCertificate(rustls::CertificateError::BadEncoding)
        })?;
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            self.provider.clone(),
        )
        .build()
        .map_err(|e| rustls::Error::General(e.to_string()))?;
        verifier.verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
    }

    handshake_signatures!();
}

/// Accepts any certificate; the handshake's signatures are still checked.
#[derive(Debug)]
struct NoVerification {
    provider: Arc<CryptoProvider>,
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
