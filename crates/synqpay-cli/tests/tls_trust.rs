//! `synqpay --tls` with a device that sends its certificate alone (issue 13): refused by default
//! with the remedy and the `--pin` line to paste, which then works; a wrong pin shows both
//! fingerprints; `--insecure` warns on every run; `SSLKEYLOGFILE` is honoured when set.

use std::process::{Command, Output};

use synqpay_sim::{Simulator, SimulatorConfig, TestCa};
use synqpay_std::tls::Fingerprint;

const BIN: &str = env!("CARGO_BIN_EXE_synqpay");
const KEY: &str = "1234abcd";

/// The simulator, serving TLS with a device certificate sent alone (no CA in the chain).
fn leaf_only_device() -> (Simulator, TestCa) {
    let ca = TestCa::generate().unwrap().sending_leaf_only();
    let config = SimulatorConfig {
        api_key: Some(KEY.parse().unwrap()),
        ..Default::default()
    };
    let sim = Simulator::start_with_tls("127.0.0.1:0", "127.0.0.1:0", config, &ca).unwrap();
    (sim, ca)
}

/// `synqpay call --host ADDR --api-key KEY ARGS… getStatus`, without SSLKEYLOGFILE.
fn get_status(sim: &Simulator, args: &[&str]) -> Output {
    Command::new(BIN)
        .env_remove("SSLKEYLOGFILE")
        .args(["call", "--host", &sim.tls_addr().unwrap().to_string()])
        .args(["--api-key", KEY])
        .args(args)
        .arg("getStatus")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn idle(out: &Output) -> bool {
    out.status.success() && String::from_utf8_lossy(&out.stdout).contains("IDLE")
}

#[test]
fn a_leaf_only_device_is_refused_with_the_remedy_and_accepted_with_the_pin_it_prints() {
    let (sim, ca) = leaf_only_device();
    let out = get_status(&sim, &["--tls"]);
    let text = stderr(&out);
    println!("{text}");
    assert!(!out.status.success());
    assert!(text.contains("did not send the Synqpay Root CA"), "{text}");
    assert!(text.contains("--ca FILE"), "{text}");
    // The line to paste.
    let pin = text
        .split_whitespace()
        .skip_while(|w| *w != "--pin")
        .nth(1)
        .expect("a --pin line")
        .to_string();
    assert_eq!(pin, Fingerprint(ca.leaf_sha256).to_string());

    let out = get_status(&sim, &["--tls", "--pin", &pin]);
    assert!(idle(&out), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "no warning with a pin");
    // The same pin as OpenSSL shows it, and as bare hex.
    let colons = Fingerprint(ca.leaf_sha256).colon_hex();
    assert!(idle(&get_status(&sim, &["--tls", "--pin", &colons])));
    let bare = pin.trim_start_matches("sha256:").to_uppercase();
    assert!(idle(&get_status(&sim, &["--tls", "--pin", &bare])));
    // The vendor's root (here the test CA) works for a leaf-only device too.
    let file = std::env::temp_dir().join(format!("synqpay-cli-ca-{}.pem", std::process::id()));
    std::fs::write(&file, &ca.ca_pem).unwrap();
    let out = get_status(&sim, &["--tls", "--ca", file.to_str().unwrap()]);
    assert!(idle(&out), "{}", stderr(&out));
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn a_wrong_pin_is_refused_showing_both_fingerprints() {
    let (sim, ca) = leaf_only_device();
    let wrong = Fingerprint([0x5A; 32]).to_string();
    let out = get_status(&sim, &["--tls", "--pin", &wrong]);
    let text = stderr(&out);
    println!("{text}");
    assert!(!out.status.success());
    let presented = Fingerprint(ca.leaf_sha256);
    assert!(text.contains(&format!("pinned:    {wrong}")), "{text}");
    assert!(text.contains(&format!("presented: {presented}")), "{text}");
}

#[test]
fn a_pin_that_is_not_one_is_refused_naming_the_forms() {
    let (sim, _) = leaf_only_device();
    let out = get_status(&sim, &["--tls", "--pin", "sha1:00ff"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(stderr(&out).contains("sha256:HEX"), "{}", stderr(&out));
    let pin = Fingerprint([1; 32]).to_string();
    let out = get_status(&sim, &["--pin", &pin]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("go with --tls"), "{}", stderr(&out));
}

#[test]
fn insecure_warns_on_every_run() {
    let (sim, _) = leaf_only_device();
    for _ in 0..2 {
        let out = get_status(&sim, &["--tls", "--insecure"]);
        assert!(idle(&out), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("warning: --insecure: the device is not verified"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn sslkeylogfile_is_honoured_when_set_and_said_so() {
    let (sim, ca) = leaf_only_device();
    let pin = Fingerprint(ca.leaf_sha256).to_string();
    let file = std::env::temp_dir().join(format!("synqpay-keylog-{}", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let out = Command::new(BIN)
        .env("SSLKEYLOGFILE", &file)
        .args(["call", "--host", &sim.tls_addr().unwrap().to_string()])
        .args(["--api-key", KEY, "--tls", "--pin", &pin, "getStatus"])
        .output()
        .unwrap();
    assert!(idle(&out), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("SSLKEYLOGFILE is set"),
        "{}",
        stderr(&out)
    );
    let log = std::fs::read_to_string(&file).unwrap();
    assert!(log.contains("CLIENT_"), "{log}");
    std::fs::remove_file(&file).unwrap();
}
