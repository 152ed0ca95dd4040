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

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

mod error;
mod fingerprint;
mod known_devices;
mod verify;

pub use error::{TlsError, UntrustedReason};
pub use fingerprint::{Fingerprint, PinError};
pub use known_devices::{KnownDevices, KnownDevicesError};
use verify::{ByCa, KnownDevice, NoVerification, PinnedLeaf, PinnedRoot};

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
