//! TLS trust for real devices (issue 13), against the simulator: a device that sends its leaf
//! alone is refused by the default with the remedy and its fingerprint, and trusted by a pin of
//! its certificate or by its CA's PEM; a wrong pin shows both fingerprints; a pinned root the
//! device sends is trusted; trust on first use pins and refuses a change.

use std::path::PathBuf;

use synqpay_sim::{Simulator, SimulatorConfig, TestCa};
use synqpay_std::tls::{
    Fingerprint, KnownDevices, SYNQPAY_ROOT_SHA256, TlsError, UntrustedReason, Verification,
};
use synqpay_std::{Client, ClientConfig, Error, GetStatus, NoParams, Remedy};

const KEY: &str = "1234abcd";

/// A simulator serving TLS with `ca` on `tls_host` (port chosen by the system).
fn simulator_on(ca: &TestCa, tls_host: &str) -> Simulator {
    let config = SimulatorConfig {
        api_key: Some(KEY.parse().unwrap()),
        ..Default::default()
    };
    Simulator::start_with_tls("127.0.0.1:0", &format!("{tls_host}:0"), config, ca).unwrap()
}

fn simulator(ca: &TestCa) -> Simulator {
    simulator_on(ca, "127.0.0.1")
}

fn connect(sim: &Simulator, verification: &Verification) -> Result<Client, Error> {
    let addr = sim.tls_addr().unwrap().to_string();
    Client::connect_tls(&addr, ClientConfig::default(), verification)
}

/// Connects and asks for the status: the device was trusted.
fn trusted(sim: &Simulator, verification: &Verification) {
    let client = connect(sim, verification).unwrap_or_else(|e| panic!("{e}"));
    let mut client = client.with_api_key(KEY.parse().unwrap());
    let status = client.call::<GetStatus>(&NoParams).unwrap();
    assert_eq!(status.result().unwrap().device_status.to_string(), "IDLE");
}

/// Connects, expecting a refusal for TLS; returns it and prints what a user sees.
fn refused(sim: &Simulator, verification: &Verification) -> (TlsError, String) {
    match connect(sim, verification) {
        Ok(_) => panic!("trusted with {verification:?}"),
        Err(e) => {
            let text = e.to_string();
            println!("{text}\n");
            match e {
                Error::Tls(t) => {
                    assert_eq!(t.remedy(), Remedy::CheckTrust);
                    assert_eq!(Error::Tls(t.clone()).remedy(), Remedy::CheckTrust);
                    (t, text)
                }
                other => panic!("not a TLS error: {other:?}"),
            }
        }
    }
}

#[test]
fn a_leaf_only_device_is_refused_by_the_default_with_the_remedy_and_its_fingerprint() {
    let ca = TestCa::generate().unwrap().sending_leaf_only();
    let sim = simulator(&ca);
    let (e, text) = refused(&sim, &Verification::default());
    let leaf = Fingerprint(ca.leaf_sha256);
    assert_eq!(
        e,
        TlsError::RootNotInChain {
            root_sha256: Fingerprint(SYNQPAY_ROOT_SHA256),
            leaf_sha256: leaf,
        }
    );
    assert_eq!(e.presented(), Some(leaf));
    assert!(text.contains("did not send the Synqpay Root CA"), "{text}");
    assert!(text.contains("--ca FILE"), "{text}");
    assert!(text.contains(&format!("--pin {leaf}")), "{text}");
}

#[test]
fn a_device_sending_another_root_is_refused_by_the_default_too() {
    // The simulator's chain holds its own root, not the Synqpay one.
    let ca = TestCa::generate().unwrap();
    let sim = simulator(&ca);
    let (e, _) = refused(&sim, &Verification::default());
    assert!(
        matches!(e, TlsError::RootNotInChain { leaf_sha256, .. } if leaf_sha256.0 == ca.leaf_sha256)
    );
}

#[test]
fn a_pinned_root_in_the_chain_is_trusted_and_one_not_sent_is_refused_saying_so() {
    let ca = TestCa::generate().unwrap();
    let pinned = Verification::PinnedRoot(ca.ca_sha256);
    trusted(&simulator(&ca), &pinned);

    let ca = ca.sending_leaf_only();
    let (e, text) = refused(&simulator(&ca), &pinned);
    assert_eq!(
        e,
        TlsError::RootNotInChain {
            root_sha256: Fingerprint(ca.ca_sha256),
            leaf_sha256: Fingerprint(ca.leaf_sha256),
        }
    );
    assert!(
        text.contains(&format!("the pinned root ({})", Fingerprint(ca.ca_sha256))),
        "{text}"
    );
}

#[test]
fn a_pinned_leaf_is_trusted_with_or_without_its_chain() {
    let ca = TestCa::generate().unwrap();
    let pin = Verification::PinnedLeaf(ca.leaf_sha256);
    trusted(&simulator(&ca), &pin);
    trusted(&simulator(&ca.sending_leaf_only()), &pin);
}

#[test]
fn a_wrong_pin_is_refused_showing_both_fingerprints() {
    let ca = TestCa::generate().unwrap().sending_leaf_only();
    let sim = simulator(&ca);
    let wrong = Fingerprint([0xAB; 32]);
    let (e, text) = refused(&sim, &Verification::PinnedLeaf(wrong.0));
    let presented = Fingerprint(ca.leaf_sha256);
    assert_eq!(
        e,
        TlsError::PinMismatch {
            expected: wrong,
            presented,
        }
    );
    assert!(text.contains(&format!("pinned:    {wrong}")), "{text}");
    assert!(text.contains(&format!("presented: {presented}")), "{text}");
    assert!(text.contains(&format!("--pin {presented}")), "{text}");
    // A pin of the CA is not a pin of the device.
    let (e, _) = refused(&sim, &Verification::PinnedLeaf(ca.ca_sha256));
    assert!(matches!(e, TlsError::PinMismatch { .. }));
}

#[test]
fn the_ca_pem_trusts_a_leaf_only_device_and_a_wrong_one_is_refused_with_the_leaf() {
    let ca = TestCa::generate().unwrap().sending_leaf_only();
    let sim = simulator(&ca);
    trusted(&sim, &Verification::CaPem(ca.ca_pem.clone().into_bytes()));

    let other = TestCa::generate().unwrap();
    let (e, text) = refused(&sim, &Verification::CaPem(other.ca_pem.into_bytes()));
    // Issued by another CA of the same name (all test CAs have one): a signature that does not
    // verify, rather than an unknown issuer.
    assert!(
        matches!(
            e,
            TlsError::Untrusted {
                leaf_sha256,
                reason: UntrustedReason::UnknownIssuer | UntrustedReason::BadSignature,
            } if leaf_sha256.0 == ca.leaf_sha256
        ),
        "{e:?}"
    );
    assert!(text.contains("not issued by"), "{text}");
    assert!(
        text.contains(&format!("--pin {}", Fingerprint(ca.leaf_sha256))),
        "{text}"
    );
}

/// The simulator's certificate names 127.0.0.1, not 127.0.0.2 (Linux answers all of 127/8).
#[cfg(target_os = "linux")]
#[test]
fn a_certificate_for_another_address_is_refused_by_the_ca_but_a_pin_is_about_the_certificate() {
    let ca = TestCa::generate().unwrap();
    let sim = simulator_on(&ca, "127.0.0.2");
    let (e, text) = refused(&sim, &Verification::CaPem(ca.ca_pem.clone().into_bytes()));
    assert!(
        matches!(
            e,
            TlsError::Untrusted {
                reason: UntrustedReason::NotValidForName,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(text.contains("re-issued when that changes"), "{text}");
    trusted(&sim, &Verification::PinnedLeaf(ca.leaf_sha256));
}

fn temp_file(name: &str) -> PathBuf {
    let file = std::env::temp_dir().join(format!("synqpay-{name}-{}", std::process::id()));
    let _ = std::fs::remove_file(&file);
    file
}

#[test]
fn known_devices_pin_on_first_use_refuse_a_change_and_take_a_re_pin() {
    let file = temp_file("known-devices");
    let first = TestCa::generate().unwrap().sending_leaf_only();
    let device = Verification::KnownDevice {
        file: file.clone(),
        serial_number: "244RKR528387".into(),
    };

    // First use: trusted and recorded, with the format comment at the top of the file.
    trusted(&simulator(&first), &device);
    let known = KnownDevices::load(&file).unwrap();
    assert_eq!(
        known.get("244RKR528387"),
        Some(Fingerprint(first.leaf_sha256))
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("# Synqpay devices known"), "{text}");
    // Again: the same certificate, trusted.
    trusted(&simulator(&first), &device);

    // Another certificate for the same serial number: refused, both shown.
    let second = TestCa::generate().unwrap();
    let sim = simulator(&second);
    let (e, text) = refused(&sim, &device);
    assert_eq!(
        e,
        TlsError::DeviceChanged {
            serial_number: "244RKR528387".into(),
            file: file.clone(),
            known: Fingerprint(first.leaf_sha256),
            presented: Fingerprint(second.leaf_sha256),
        }
    );
    assert!(
        text.contains(&format!("on record: {}", Fingerprint(first.leaf_sha256))),
        "{text}"
    );
    assert!(
        text.contains(&format!("presented: {}", Fingerprint(second.leaf_sha256))),
        "{text}"
    );
    // Another device is pinned on its own first use, beside the first.
    let other = Verification::KnownDevice {
        file: file.clone(),
        serial_number: "OTHER-1".into(),
    };
    trusted(&sim, &other);

    // Re-pinned (the user checked the new certificate): trusted.
    let old = KnownDevices::repin(&file, "244RKR528387", e.presented().unwrap()).unwrap();
    assert_eq!(old, Some(Fingerprint(first.leaf_sha256)));
    trusted(&sim, &device);
    assert_eq!(KnownDevices::load(&file).unwrap().iter().count(), 2);
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn a_broken_known_devices_file_is_a_trust_problem_saying_which_line() {
    let file = temp_file("known-devices-broken");
    std::fs::write(&file, "# ok\n244RKR528387 sha256:0011\n").unwrap();
    let ca = TestCa::generate().unwrap();
    let device = Verification::KnownDevice {
        file: file.clone(),
        serial_number: "244RKR528387".into(),
    };
    let (e, text) = refused(&simulator(&ca), &device);
    assert!(matches!(e, TlsError::KnownDevices(_)), "{e:?}");
    assert!(text.contains("line 2"), "{text}");
    // A serial number that cannot be written in it: refused before connecting.
    let bad = Verification::KnownDevice {
        file: file.clone(),
        serial_number: "two words".into(),
    };
    assert!(matches!(
        connect(&simulator(&ca), &bad),
        Err(Error::Tls(TlsError::KnownDevices(_)))
    ));
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn tls_to_the_plain_port_says_so() {
    let ca = TestCa::generate().unwrap();
    let sim = simulator(&ca);
    let Err(e) = Client::connect_tls(
        &sim.addr().to_string(),
        ClientConfig {
            request_timeout_ms: 2000,
            ..ClientConfig::default()
        },
        &Verification::PinnedLeaf(ca.leaf_sha256),
    ) else {
        panic!("TLS to a plain port");
    };
    println!("{e}");
    assert!(
        matches!(e, Error::Tls(TlsError::NotTls | TlsError::HandshakeTimeout)),
        "{e:?}"
    );
    assert_eq!(e.remedy(), Remedy::CheckConnection);
    assert!(e.to_string().contains("9443"), "{e}");
}
