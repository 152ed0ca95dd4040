//! The dissector on a TLS session (issue 16): the CLI's TLS connection through the recording
//! proxy, decrypted by tshark with the key log the client wrote because `SSLKEYLOGFILE` was set,
//! shows the Synqpay frames inside. Without tshark the test says so and passes.

use std::process::Command;

use synqpay_sim::noise::{Faults, NoiseProxy};
use synqpay_sim::{Simulator, SimulatorConfig, TestCa};

const BIN: &str = env!("CARGO_BIN_EXE_synqpay");
const LUA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tools/wireshark/synqpay.lua"
);

#[test]
fn a_tls_session_decrypted_with_the_key_log_shows_its_frames() {
    if Command::new("tshark").arg("--version").output().is_err() {
        eprintln!("skipped: tshark is not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("synqpay-tls-pcap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (pcap, keys, ca_file) = (
        dir.join("tls.pcap"),
        dir.join("keys.log"),
        dir.join("ca.pem"),
    );
    let ca = TestCa::generate().unwrap();
    std::fs::write(&ca_file, &ca.ca_pem).unwrap();
    let config = SimulatorConfig {
        api_key: Some("1234abcd".parse().unwrap()),
        ..Default::default()
    };
    let sim = Simulator::start_with_tls("127.0.0.1:0", "127.0.0.1:0", config, &ca).unwrap();
    let tls_port = sim.tls_addr().unwrap().port();
    let proxy = NoiseProxy::start_recording(
        "127.0.0.1:0",
        sim.tls_addr().unwrap(),
        Faults::default(),
        &pcap,
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["call", "--tls", "--host", &proxy.addr().to_string()])
        .args([
            "--ca",
            ca_file.to_str().unwrap(),
            "--api-key",
            "1234abcd",
            "getStatus",
        ])
        .env("SSLKEYLOGFILE", &keys)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(proxy);
    assert!(
        std::fs::read_to_string(&keys).unwrap().contains("CLIENT_"),
        "a key log"
    );

    let shown = Command::new("tshark")
        .args([
            "-r",
            pcap.to_str().unwrap(),
            "-X",
            &format!("lua_script:{LUA}"),
        ])
        .args(["-o", &format!("tls.keylog_file:{}", keys.display())])
        .args(["-d", &format!("tcp.port=={tls_port},tls")])
        .args(["-d", &format!("tls.port=={tls_port},synqpay")])
        .args([
            "-Y",
            "synqpay",
            "-T",
            "fields",
            "-e",
            "synqpay.type",
            "-e",
            "synqpay.method",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("request\tgetStatus"),
        "decrypted frames: {text}"
    );
    assert!(text.contains("response"), "decrypted frames: {text}");
    let _ = std::fs::remove_dir_all(&dir);
}
