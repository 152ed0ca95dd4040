//! The simulator's test CA (spec/protocol.md §2: the device's certificate chains to a root the
//! client trusts; the real "Synqpay Root CA" is not public, so the simulator makes its own).

use std::sync::Arc;

use rustls::pki_types::PrivateKeyDer;

/// The simulator's test CA and the device certificate it issues: P-256 ECDSA, as embedded-tls
/// clients need; the server offers TLS 1.3 and 1.2.
pub struct TestCa {
    /// The CA certificate, PEM: what clients trust (`--ca-out` writes it).
    pub ca_pem: String,
    /// The CA certificate's SHA-256 fingerprint, for pinning.
    pub ca_sha256: [u8; 32],
    /// The device certificate's SHA-256 fingerprint, for pinning the device itself.
    pub leaf_sha256: [u8; 32],
    /// The server configuration presenting the device certificate and the CA (or the device
    /// certificate alone, after [`TestCa::sending_leaf_only`]).
    pub server: Arc<rustls::ServerConfig>,
    /// The server configuration presenting the device certificate alone.
    leaf_only: Arc<rustls::ServerConfig>,
}

impl TestCa {
    /// Generates a CA named "Synqpay Simulator Root CA" and a device certificate for
    /// 127.0.0.1, ::1 and localhost.
    pub fn generate() -> Result<Self, String> {
        let e = |e: rcgen::Error| e.to_string();
        let ca_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(e)?;
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(e)?;
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Synqpay Simulator Root CA");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca = ca_params.self_signed(&ca_key).map_err(e)?;
        let issuer = rcgen::Issuer::new(ca_params, ca_key);

        let leaf_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(e)?;
        let mut leaf_params = rcgen::CertificateParams::new(vec![
            "localhost".into(),
            "127.0.0.1".into(),
            "::1".into(),
        ])
        .map_err(e)?;
        leaf_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Synqpay Simulator");
        let leaf = leaf_params.signed_by(&leaf_key, &issuer).map_err(e)?;

        let server = |chain| {
            let key = PrivateKeyDer::try_from(leaf_key.serialize_der())?;
            let config = rustls::ServerConfig::builder_with_provider(provider())
                .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
                .with_no_client_auth()
                .with_single_cert(chain, key)?;
            Ok::<_, Box<dyn std::error::Error>>(Arc::new(config))
        };
        let with_ca = server(vec![leaf.der().clone(), ca.der().clone()]);
        let leaf_only = server(vec![leaf.der().clone()]);
        Ok(Self {
            ca_pem: ca.pem(),
            ca_sha256: sha256(ca.der()),
            leaf_sha256: sha256(leaf.der()),
            server: with_ca.map_err(|e| e.to_string())?,
            leaf_only: leaf_only.map_err(|e| e.to_string())?,
        })
    }

    /// The same CA and device certificate, the device sending its certificate alone, without
    /// the CA (as many devices do: the root is what clients are meant to hold). A client then
    /// needs the CA's PEM, or a pin of the device's certificate.
    pub fn sending_leaf_only(self) -> Self {
        Self {
            server: self.leaf_only.clone(),
            ..self
        }
    }
}

/// The crypto the simulator's TLS server uses: ring, as the client's.
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The SHA-256 fingerprint of a certificate.
fn sha256(der: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, der).as_ref());
    out
}
