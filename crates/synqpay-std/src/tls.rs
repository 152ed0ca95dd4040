//! TLS on port 9443 (spec/protocol.md §2): the client's verification, on by default.
//!
//! The device's certificate chains to the self-signed "Synqpay Root CA" (doc), whose PEM is not
//! public; only its SHA-256 fingerprint is ([`SYNQPAY_ROOT_SHA256`], field). The device's own
//! certificate (its leaf) names its IP address and is re-issued when that changes (field).
//!
//! So a client trusts the device in one of these ways ([`Verification`]):
//!
//! - by default, the Synqpay root by fingerprint: the chain is verified against the root when
//!   the device sends the root with its certificate. Many devices send their leaf alone (the root
//!   is what clients are meant to hold); without the root's PEM such a device cannot be
//!   verified, and is refused with [`TlsError::RootNotInChain`], which names the two ways out
//!   and the fingerprint of the device's certificate;
//! - the vendor's root (or any CA) as a PEM file ([`Verification::CaPem`], the CLI's `--ca`):
//!   verifies leaf-only chains too;
//! - the device's own certificate, pinned ([`Verification::PinnedLeaf`], the CLI's `--pin`);
//! - trust on first use, by serial number, in a small file ([`Verification::KnownDevice`],
//!   [`KnownDevices`]);
//! - none at all: [`Verification::DangerousNoVerification`], named so that nobody picks it by
//!   accident (ours).
//!
//! A device that is not trusted is refused at connect with [`Error::Tls`](crate::Error::Tls):
//! a [`TlsError`] that says why, what to do, and the fingerprint to pin.
//!
//! **Key logging**: when the environment variable `SSLKEYLOGFILE` names a file, the TLS session
//! secrets of every connection ([`client_config`]) are appended to it in the NSS key log format,
//! for Wireshark to decrypt a capture; when it is not set, nothing is written. Anyone who can
//! read that file can read the payments it covers: set it only to debug.

use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::Remedy;

mod fingerprint;
mod known_devices;

pub use fingerprint::{Fingerprint, PinError};
pub use known_devices::{KnownDevices, KnownDevicesError};

/// The device's TLS port (spec/protocol.md §2; 9000 is plain TCP).
pub const PORT: u16 = 9443;

/// The SHA-256 fingerprint of the Synqpay Root CA (spec/protocol.md §2, field).
pub const SYNQPAY_ROOT_SHA256: [u8; 32] = [
    0x61, 0xAA, 0x67, 0xE7, 0x0D, 0x4B, 0xC5, 0x4A, 0x25, 0x31, 0xE1, 0xE4, 0x40, 0x16, 0x87, 0xC0,
    0xB1, 0xD9, 0x61, 0x0D, 0xEC, 0x16, 0xE2, 0x49, 0xAF, 0xF3, 0xF4, 0x12, 0x3A, 0xD1, 0x1D, 0x5C,
];

/// How a client decides to trust the device.
#[derive(Debug, Clone)]
pub enum Verification {
    /// Trust the CAs in this PEM text (a file's contents): the device's chain must verify
    /// against one of them, and its certificate must name the address connected to. The device
    /// need not send the CA: a leaf alone, issued by it, is enough. With the vendor's Synqpay
    /// Root CA, this is the default verification for devices that send their leaf alone.
    CaPem(Vec<u8>),
    /// Trust the root whose SHA-256 fingerprint this is: when the device sends it in its chain,
    /// the chain is verified against it (names, dates, signatures). A root is not known by its
    /// fingerprint alone, so a device that does not send it cannot be verified and is refused
    /// with [`TlsError::RootNotInChain`].
    PinnedRoot([u8; 32]),
    /// Trust exactly the device certificate whose SHA-256 fingerprint this is (parse one with
    /// [`Fingerprint`]'s `FromStr`), whoever issued it; the handshake's signature still proves
    /// that the device holds its key.
    ///
    /// Nothing else is checked (chain, names, dates): the pin names the one certificate, which
    /// is what a user checked. The device's certificate is re-issued when its IP address
    /// changes (spec/protocol.md §2), so a pin lasts until then: the refusal that follows
    /// ([`TlsError::PinMismatch`]) shows the new fingerprint, to check and pin again.
    PinnedLeaf([u8; 32]),
    /// Trust on first use, by serial number: the first certificate the device presents is
    /// recorded in `file` ([`KnownDevices`]) once its handshake succeeds; later, only that
    /// certificate is accepted, as with [`Verification::PinnedLeaf`]. A different one is refused
    /// with [`TlsError::DeviceChanged`], showing both fingerprints, until it is re-pinned
    /// ([`KnownDevices::repin`]). The file is read at each handshake.
    KnownDevice {
        /// The known-devices file (created when the first device is recorded).
        file: PathBuf,
        /// The serial number of the device connected to (the one `pair` names, or discovery's
        /// instance name).
        serial_number: String,
    },
    /// No verification at all: anyone on the network can read and change the payments.
    DangerousNoVerification,
}

impl Default for Verification {
    /// The Synqpay root, pinned by fingerprint ([`Verification::PinnedRoot`]).
    fn default() -> Self {
        Verification::PinnedRoot(SYNQPAY_ROOT_SHA256)
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// Why TLS could not be set up, or the device was not trusted. The `Display` of each says what
/// to do; those about the device's certificate carry its fingerprint, to pin.
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
    /// The device did not send the pinned root in its chain, and a root known by its
    /// fingerprint alone cannot verify a chain without it ([`Verification::PinnedRoot`]).
    RootNotInChain {
        /// The pinned root (by default the Synqpay root, [`SYNQPAY_ROOT_SHA256`]).
        root_sha256: Fingerprint,
        /// The device's certificate, to pin ([`Verification::PinnedLeaf`]).
        leaf_sha256: Fingerprint,
    },
    /// The device's chain did not verify (against the CA file, or the pinned root it sent).
    Untrusted {
        /// The device's certificate, to pin ([`Verification::PinnedLeaf`]).
        leaf_sha256: Fingerprint,
        /// Why.
        reason: UntrustedReason,
    },
    /// The device's certificate is not the pinned one ([`Verification::PinnedLeaf`]).
    PinMismatch {
        /// The pin.
        expected: Fingerprint,
        /// The device's certificate.
        presented: Fingerprint,
    },
    /// The device's certificate is not the one on record for it
    /// ([`Verification::KnownDevice`]).
    DeviceChanged {
        /// The device's serial number.
        serial_number: String,
        /// The known-devices file.
        file: PathBuf,
        /// The fingerprint on record.
        known: Fingerprint,
        /// The device's certificate now.
        presented: Fingerprint,
    },
    /// The known-devices file could not be read or written ([`Verification::KnownDevice`]).
    KnownDevices(KnownDevicesError),
    /// The handshake did not finish within the request deadline.
    HandshakeTimeout,
    /// What came back is not TLS: a plain port (9000), or not a device.
    NotTls,
}

/// Why a device's certificate chain did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UntrustedReason {
    /// Not issued by a trusted CA.
    UnknownIssuer,
    /// It does not name the address connected to.
    NotValidForName,
    /// Expired.
    Expired,
    /// Not valid yet (or the computer's clock is behind).
    NotValidYet,
    /// Revoked.
    Revoked,
    /// A signature in the chain does not verify: issued by another CA than the trusted one (of
    /// the same name).
    BadSignature,
    /// The handshake's signature does not verify: the device did not prove that it holds its
    /// certificate's key.
    KeyNotProven,
    /// Signed with an algorithm this client does not support.
    UnsupportedAlgorithm,
    /// Not for a TLS server, or with an extension that forbids its use here.
    NotForServers,
    /// It could not be read.
    BadEncoding,
    /// Another reason.
    Other,
}

impl UntrustedReason {
    fn of(e: &CertificateError) -> Self {
        use CertificateError as E;
        match e {
            E::UnknownIssuer => Self::UnknownIssuer,
            E::NotValidForName | E::NotValidForNameContext { .. } => Self::NotValidForName,
            E::Expired | E::ExpiredContext { .. } => Self::Expired,
            E::NotValidYet | E::NotValidYetContext { .. } => Self::NotValidYet,
            E::Revoked => Self::Revoked,
            E::BadSignature => Self::BadSignature,
            E::UnsupportedSignatureAlgorithmContext { .. }
            | E::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
                Self::UnsupportedAlgorithm
            }
            E::InvalidPurpose | E::InvalidPurposeContext { .. } | E::UnhandledCriticalExtension => {
                Self::NotForServers
            }
            E::BadEncoding => Self::BadEncoding,
            _ => Self::Other,
        }
    }
}

impl std::fmt::Display for UntrustedReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::UnknownIssuer => "it was not issued by a trusted CA",
            Self::NotValidForName => {
                "it does not name the address connected to (a device's certificate names its \
                 IP address, and is re-issued when that changes)"
            }
            Self::Expired => "it has expired",
            Self::NotValidYet => "it is not valid yet (or this computer's clock is behind)",
            Self::Revoked => "it was revoked",
            Self::BadSignature => {
                "a signature in its chain does not verify: it was not issued by the trusted CA \
                 (perhaps by another of the same name)"
            }
            Self::KeyNotProven => {
                "the device did not prove that it holds its certificate's key (the handshake's \
                 signature does not verify)"
            }
            Self::UnsupportedAlgorithm => "it is signed with an algorithm this client lacks",
            Self::NotForServers => "it is not a certificate for a TLS server",
            Self::BadEncoding => "it cannot be read",
            Self::Other => "it was refused",
        })
    }
}

impl TlsError {
    /// What to do about it: [`Remedy::CheckTrust`] for the device's certificate and the files
    /// that say whom to trust, [`Remedy::CheckConnection`] for a handshake that did not happen
    /// (no answer in time, not TLS), [`Remedy::FixRequest`] for settings that cannot work.
    pub fn remedy(&self) -> Remedy {
        match self {
            Self::ServerName { .. } | Self::Setup => Remedy::FixRequest,
            Self::HandshakeTimeout | Self::NotTls => Remedy::CheckConnection,
            Self::CaFileEmpty
            | Self::CaFileInvalid
            | Self::RootNotInChain { .. }
            | Self::Untrusted { .. }
            | Self::PinMismatch { .. }
            | Self::DeviceChanged { .. }
            | Self::KnownDevices(_) => Remedy::CheckTrust,
        }
    }

    /// The fingerprint of the certificate the device presented, when it was refused for it.
    pub fn presented(&self) -> Option<Fingerprint> {
        match self {
            Self::RootNotInChain { leaf_sha256, .. } | Self::Untrusted { leaf_sha256, .. } => {
                Some(*leaf_sha256)
            }
            Self::PinMismatch { presented, .. } | Self::DeviceChanged { presented, .. } => {
                Some(*presented)
            }
            _ => None,
        }
    }

    /// The TLS problem in a failed handshake's error (rustls's, inside the `io::Error`), if it
    /// is one of ours: a certificate refused by our verifiers, no handshake in time, not TLS.
    /// Other failures (a closed connection, a device that refuses our TLS) stay I/O errors.
    pub(crate) fn from_handshake(e: &io::Error) -> Option<Self> {
        if matches!(
            e.kind(),
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
        ) {
            return Some(Self::HandshakeTimeout);
        }
        match e.get_ref()?.downcast_ref::<rustls::Error>()? {
            rustls::Error::InvalidCertificate(CertificateError::Other(other)) => {
                let inner: &(dyn std::error::Error + Send + Sync) = &*other.0;
                inner.downcast_ref::<TlsError>().cloned()
            }
            rustls::Error::InvalidMessage(_) => Some(Self::NotTls),
            _ => None,
        }
    }
}

/// How to trust a device that could not be verified: the two ways, with this leaf's pin.
fn how_to_trust(f: &mut std::fmt::Formatter<'_>, ca: &str, leaf: &Fingerprint) -> std::fmt::Result {
    write!(
        f,
        "\nTo trust this device, either:\
         \n  --ca FILE   {ca} (PEM), or\
         \n  --pin {leaf}\
         \n              this device's own certificate, as presented now. Pin it only if this is\
         \n              your device and nobody can be in between now; it is re-issued when the\
         \n              device's IP address changes, and must then be pinned again."
    )
}

/// The lines after a changed certificate: why it may have changed, and the warning.
fn changed(
    f: &mut std::fmt::Formatter<'_>,
    known: &Fingerprint,
    presented: &Fingerprint,
    what: &str,
) -> std::fmt::Result {
    write!(
        f,
        "\n  {what:<10} {known}\
         \n  presented: {presented}\
         \nA device's certificate is re-issued when its IP address changes. If that is why, and \
         this is your device, "
    )
}

impl std::fmt::Display for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const IMPERSONATED: &str =
            "\nOtherwise someone may be impersonating the device: do not use it.";
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
            Self::RootNotInChain {
                root_sha256,
                leaf_sha256,
            } => {
                if root_sha256.0 == SYNQPAY_ROOT_SHA256 {
                    f.write_str(
                        "the device did not send the Synqpay Root CA with its certificate, and \
                         that root is known by its fingerprint only (its PEM is not public): the \
                         device cannot be verified.",
                    )?;
                } else {
                    write!(
                        f,
                        "the device did not send the pinned root ({root_sha256}) with its \
                         certificate, and a root known by its fingerprint only cannot verify \
                         it: the device cannot be verified."
                    )?;
                }
                let ca = if root_sha256.0 == SYNQPAY_ROOT_SHA256 {
                    "the Synqpay Root CA from the vendor"
                } else {
                    "that root"
                };
                how_to_trust(f, ca, leaf_sha256)
            }
            Self::Untrusted {
                leaf_sha256,
                reason,
            } => {
                write!(f, "the device's certificate is not trusted: {reason}.")?;
                how_to_trust(
                    f,
                    "the CA that issued the device's certificate",
                    leaf_sha256,
                )
            }
            Self::PinMismatch {
                expected,
                presented,
            } => {
                f.write_str("the device's certificate is not the pinned one:")?;
                changed(f, expected, presented, "pinned:")?;
                write!(f, "pin the new one:\n  --pin {presented}{IMPERSONATED}")
            }
            Self::DeviceChanged {
                serial_number,
                file,
                known,
                presented,
            } => {
                write!(
                    f,
                    "device {} presented another certificate than the one on record in {}:",
                    serial_number.escape_debug(),
                    file.display()
                )?;
                changed(f, known, presented, "on record:")?;
                write!(
                    f,
                    "re-pin it: replace its line in that file with\
                     \n  {} {presented}\
                     \n(or KnownDevices::repin).{IMPERSONATED}",
                    serial_number.escape_debug()
                )
            }
            Self::KnownDevices(e) => e.fmt(f),
            Self::HandshakeTimeout => f.write_str(
                "the TLS handshake did not finish in time: is this the device's TLS port (9443)?",
            ),
            Self::NotTls => f.write_str(
                "the device did not answer in TLS: is this its TLS port (9443; 9000 is plain)?",
            ),
        }
    }
}

impl std::error::Error for TlsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::KnownDevices(e) => Some(e),
            _ => None,
        }
    }
}

/// The rustls client configuration for `verification` (TLS 1.3 and 1.2), logging session keys
/// to `SSLKEYLOGFILE` when that is set (see the [module](self)).
pub fn client_config(verification: &Verification) -> Result<Arc<rustls::ClientConfig>, TlsError> {
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|_| TlsError::Setup)?;
    let provider = provider();
    let verifier: Arc<dyn ServerCertVerifier> = match verification {
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
            let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|_| TlsError::CaFileInvalid)?;
            Arc::new(ByCa { inner })
        }
        Verification::PinnedRoot(pin) => Arc::new(PinnedRoot {
            root: Fingerprint(*pin),
            provider,
        }),
        Verification::PinnedLeaf(pin) => Arc::new(PinnedLeaf {
            leaf: Fingerprint(*pin),
            provider,
        }),
        Verification::KnownDevice {
            file,
            serial_number,
        } => {
            known_devices::check_serial_number(serial_number).map_err(TlsError::KnownDevices)?;
            Arc::new(KnownDevice {
                file: file.clone(),
                serial_number: serial_number.clone(),
                first_use: Mutex::new(None),
                provider,
            })
        }
        Verification::DangerousNoVerification => Arc::new(NoVerification { provider }),
    };
    let mut config = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    // SSLKEYLOGFILE when set, nothing otherwise (rustls's KeyLogFile reads the variable).
    config.key_log = Arc::new(rustls::KeyLogFile::new());
    Ok(Arc::new(config))
}

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
struct ByCa {
    inner: Arc<WebPkiServerVerifier>,
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
struct PinnedRoot {
    root: Fingerprint,
    provider: Arc<CryptoProvider>,
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
struct PinnedLeaf {
    leaf: Fingerprint,
    provider: Arc<CryptoProvider>,
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
struct KnownDevice {
    file: PathBuf,
    serial_number: String,
    /// A device not on record: the certificate it presented, until its signature is checked.
    first_use: Mutex<Option<Fingerprint>>,
    provider: Arc<CryptoProvider>,
}

impl KnownDevice {
    /// The certificate on record, or a refusal.
    fn check(&self, presented: Fingerprint) -> Result<Option<Fingerprint>, TlsError> {
        let known = KnownDevices::load(&self.file).map_err(TlsError::KnownDevices)?;
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
        if self.check(presented).map_err(refuse)?.is_none() {
            let mut known =
                KnownDevices::load(&self.file).map_err(|e| refuse(TlsError::KnownDevices(e)))?;
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
