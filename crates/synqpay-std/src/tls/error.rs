//! Why TLS could not be set up or the device was not trusted (spec/protocol.md §2), each error
//! saying what to do: the vendor's root with `--ca`, or the device's certificate with `--pin`.

use std::io;
use std::path::PathBuf;

use rustls::CertificateError;

use super::{Fingerprint, KnownDevicesError, SYNQPAY_ROOT_SHA256};
use crate::Remedy;

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
    /// fingerprint alone cannot verify a chain without it ([`Verification::PinnedRoot`](super::Verification::PinnedRoot)).
    RootNotInChain {
        /// The pinned root (by default the Synqpay root, [`SYNQPAY_ROOT_SHA256`]).
        root_sha256: Fingerprint,
        /// The device's certificate, to pin ([`Verification::PinnedLeaf`](super::Verification::PinnedLeaf)).
        leaf_sha256: Fingerprint,
    },
    /// The device's chain did not verify (against the CA file, or the pinned root it sent).
    Untrusted {
        /// The device's certificate, to pin ([`Verification::PinnedLeaf`](super::Verification::PinnedLeaf)).
        leaf_sha256: Fingerprint,
        /// Why.
        reason: UntrustedReason,
    },
    /// The device's certificate is not the pinned one ([`Verification::PinnedLeaf`](super::Verification::PinnedLeaf)).
    PinMismatch {
        /// The pin.
        expected: Fingerprint,
        /// The device's certificate.
        presented: Fingerprint,
    },
    /// The device's certificate is not the one on record for it
    /// ([`Verification::KnownDevice`](super::Verification::KnownDevice)).
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
    /// The known-devices file could not be read or written ([`Verification::KnownDevice`](super::Verification::KnownDevice)).
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
    pub(super) fn of(e: &CertificateError) -> Self {
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
