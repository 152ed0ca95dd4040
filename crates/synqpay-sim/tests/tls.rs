//! TLS: the generated CA trusted, a wrong CA refused, a pinned root, and no verification only
//! when asked for by name.

use synqpay_rpc::{GetStatus, NoParams};
use synqpay_sim::{Simulator, SimulatorConfig, TestCa};
use synqpay_std::tls::{TlsError, Verification};
use synqpay_std::{Client, ClientConfig, Error};

fn simulator() -> (Simulator, TestCa) {
    let ca = TestCa::generate().unwrap();
    let config = SimulatorConfig {
        api_key: Some("1234abcd".parse().unwrap()),
        ..Default::default()
    };
    let sim = Simulator::start_with_tls("127.0.0.1:0", "127.0.0.1:0", config, &ca).unwrap();
    (sim, ca)
}

fn status(client: &mut Client) -> String {
    let reply = client.call::<GetStatus>(&NoParams).unwrap();
    reply.result().unwrap().device_status.to_string()
}

#[test]
fn the_generated_ca_is_trusted() {
    let (sim, _) = simulator();
    let addr = sim.tls_addr().unwrap().to_string();
    let pem = sim.ca_pem().unwrap().as_bytes().to_vec();
    let mut client = Client::connect_tls(&addr, ClientConfig::default(), &Verification::CaPem(pem))
        .unwrap()
        .with_api_key("1234abcd".parse().unwrap());
    assert_eq!(status(&mut client), "IDLE");
}

#[test]
fn a_pinned_root_is_trusted() {
    let (sim, ca) = simulator();
    let addr = sim.tls_addr().unwrap().to_string();
    let mut client = Client::connect_tls(
        &addr,
        ClientConfig::default(),
        &Verification::PinnedRoot(ca.ca_sha256),
    )
    .unwrap()
    .with_api_key("1234abcd".parse().unwrap());
    assert_eq!(status(&mut client), "IDLE");
}

#[test]
fn a_wrong_ca_or_pin_is_refused() {
    let (sim, _) = simulator();
    let addr = sim.tls_addr().unwrap().to_string();
    let other = TestCa::generate().unwrap();
    let wrong = Client::connect_tls(
        &addr,
        ClientConfig::default(),
        &Verification::CaPem(other.ca_pem.into_bytes()),
    );
    assert!(
        matches!(wrong, Err(Error::Tls(TlsError::Untrusted { .. }))),
        "refused"
    );
    // The default pins the real Synqpay root, which the simulator does not have.
    let default = Client::connect_tls(&addr, ClientConfig::default(), &Verification::default());
    assert!(
        matches!(default, Err(Error::Tls(TlsError::RootNotInChain { .. }))),
        "refused"
    );
}

#[test]
fn no_verification_only_when_asked_for() {
    let (sim, _) = simulator();
    let addr = sim.tls_addr().unwrap().to_string();
    let mut client = Client::connect_tls(
        &addr,
        ClientConfig::default(),
        &Verification::DangerousNoVerification,
    )
    .unwrap()
    .with_api_key("1234abcd".parse().unwrap());
    assert_eq!(status(&mut client), "IDLE");
}
