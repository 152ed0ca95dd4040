//! The `synqpay` command and the client library against the simulator run as its own process on
//! loopback, on an ephemeral port.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use synqpay_rpc::{ReferenceId, StartTransaction, StartTransactionParams};
use synqpay_std::{Client, ClientConfig, Error};

const BIN: &str = env!("CARGO_BIN_EXE_synqpay");
const SERIAL: &str = "244RKR528387";
const KEY: &str = "1234abcd";

/// The subcommands, to find where a test's arguments name one.
const SUBCOMMANDS: [&str; 4] = ["pair", "call", "sale", "proxy"];

/// `args` in the order the command line takes them: the subcommand first, then its options
/// (tests write the device options first, as a person reads them).
fn ordered<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let at = args
        .iter()
        .position(|a| SUBCOMMANDS.contains(a))
        .expect("a subcommand");
    let mut out = vec![args[at]];
    out.extend(&args[..at]);
    out.extend(&args[at + 1..]);
    out
}

/// A directory of the test's own for the CLI's state (its unknown sales), removed on drop.
struct StateDir(std::path::PathBuf);

impl StateDir {
    fn new() -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("synqpay-state-{}-{n}", std::process::id()));
        Self(dir)
    }
}

impl Drop for StateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A simulator process, killed when dropped.
struct Sim {
    child: Child,
    addr: String,
    state: StateDir,
}

impl Sim {
    fn start(extra: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(["simulate", "--listen", "127.0.0.1:0", "--otp", "123456"])
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the simulator starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("simulator listening on ")
            .expect("its address")
            .to_string();
        Sim {
            child,
            addr,
            state: StateDir::new(),
        }
    }

    fn paired() -> Self {
        Self::start(&["--api-key", KEY])
    }

    /// `synqpay sale --json` with the key, an amount and a referenceId.
    fn sale(&self, amount: &str, reference: &str) -> Output {
        self.run(&[
            "--api-key",
            KEY,
            "sale",
            "--json",
            "--amount",
            amount,
            "--reference-id",
            reference,
        ])
    }

    /// A command with `--host` set to the simulator and a state directory of its own.
    fn command(&self, args: &[&str]) -> Command {
        let args = ordered(args);
        let mut command = Command::new(BIN);
        command
            .arg(args[0])
            .args(["--host", &self.addr])
            .args(&args[1..])
            .env("SYNQPAY_STATE_DIR", &self.state.0);
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the device recorded for `reference`, looked up by the client: (charged, amount).
fn looked_up(client: &mut Client, reference: &str) -> (Option<bool>, Option<i64>) {
    let found = client
        .lookup_transaction(ReferenceId::new(reference).unwrap())
        .unwrap();
    let t = found.result().unwrap().transaction.unwrap();
    (t.is_charged(), t.amount)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn pairing_prints_the_key_alone_on_the_last_line() {
    let sim = Sim::start(&[]);
    let out = sim.run(&["pair", "--serial-number", SERIAL, "--otp", "123456"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let key = stdout(&out).lines().last().unwrap().to_string();
    assert_eq!(key.len(), 8);
    assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
    // The key works.
    let out = sim.run(&["--api-key", &key, "call", "getStatus"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"IDLE\""));
}

#[test]
fn a_wrong_code_and_a_wrong_serial_are_refused() {
    let sim = Sim::start(&[]);
    let out = sim.run(&["pair", "--serial-number", SERIAL, "--otp", "000000"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("InvalidParams"), "{}", stderr(&out));
    let out = sim.run(&["pair", "--serial-number", "NOT-THIS-ONE", "--otp", "123456"]);
    assert!(!out.status.success());
    assert_eq!(stderr(&out).lines().count(), 1, "a one-line reason");
}

#[test]
fn a_wrong_key_is_a_link_error_by_name() {
    let sim = Sim::paired();
    let out = sim.run(&["--api-key", "deadbeef", "call", "getStatus"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("NOT_AUTHENTICATED"),
        "{}",
        stderr(&out)
    );
    // With what to do about it.
    assert!(stderr(&out).contains("synqpay pair"), "{}", stderr(&out));
    // A sale: a link Error frame on a payment is never a refusal (spec/protocol.md §1), its
    // outcome unknown; the lookup, with the same wrong key, cannot tell either. For a script:
    // JSON on stdout, exit 3.
    let out = sim.run(&[
        "--api-key",
        "deadbeef",
        "sale",
        "--json",
        "--amount",
        "1000",
        "--reference-id",
        "wrong-key-1",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let shown: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(shown["charged"], serde_json::Value::Null, "{shown}");
    let reason = shown["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("NOT_AUTHENTICATED"), "{reason}");
}

#[test]
fn a_refused_sale_is_an_outcome_a_script_reads() {
    let sim = Sim::paired();
    // The simulated terminal is Israeli: another currency is refused (103), and nothing ran.
    let out = sim.run(&[
        "--api-key",
        KEY,
        "sale",
        "--json",
        "--amount",
        "1000",
        "--currency",
        "840",
        "--reference-id",
        "refused-1",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let shown: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(shown["charged"], false, "{shown}");
    assert_eq!(shown["referenceId"], "refused-1", "{shown}");
    let reason = shown["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("refused") && reason.contains("currency"),
        "{reason}"
    );
}

#[test]
fn every_method_answers() {
    let sim = Sim::paired();
    for (method, params) in [
        ("getStatus", None),
        ("getDeviceInfo", None),
        ("getTerminalStatus", None),
        ("getBatchFileStatus", None),
        ("getConfig", None),
        ("setConfig", Some(r#"{"config":{"cachedResponses":true}}"#)),
        ("settlement", Some(r#"{"host":"SHVA"}"#)),
        (
            "getSettlement",
            Some(r#"{"lookupMethod":"LAST_SETTLEMENT"}"#),
        ),
        ("querySettlements", Some(r#"{"queryParams":{}}"#)),
        ("readCard", Some(r#"{"commandId":"c1","readMagCard":true}"#)),
        (
            "userInput",
            Some(r#"{"commandId":"c2","inputType":"NUMERIC"}"#),
        ),
        (
            "userSelection",
            Some(r#"{"commandId":"c3","options":[{"id":"1","label":"כן"}]}"#),
        ),
        ("showQR", Some(r#"{"commandId":"c4","qrData":"x"}"#)),
        (
            "captureSignature",
            Some(r#"{"commandId":"c5","mimeType":"image/png"}"#),
        ),
        ("uploadLogs", None),
    ] {
        let mut args = vec!["--api-key", KEY, "call", method];
        args.extend(params);
        let out = sim.run(&args);
        assert!(out.status.success(), "{method}: {}", stderr(&out));
        assert!(
            serde_json::from_str::<serde_json::Value>(&stdout(&out)).is_ok(),
            "{method}: {}",
            stdout(&out)
        );
    }
    // Documented refusals come back as errors with their names.
    let out = sim.run(&["--api-key", KEY, "call", "deposit", r#"{"host":"SHVA"}"#]);
    assert!(
        !out.status.success()
            && stderr(&out).contains("IllegalRequest")
            && stderr(&out).contains("NO_GATEWAY")
    );
    let out = sim.run(&[
        "--api-key",
        KEY,
        "call",
        "getTransaction",
        r#"{"lookupMethod":"REF_ID","lookupValue":"none"}"#,
    ]);
    assert!(!out.status.success() && stderr(&out).contains("TransactionNotFound"));
    let out = sim.run(&["--api-key", KEY, "call", "noSuchMethod"]);
    assert!(!out.status.success() && stderr(&out).contains("MethodNotFound"));
    // A reboot or restart is answered, then the device is in SYSTEM until it is back.
    for method in ["reboot", "restart"] {
        let out = sim.run(&["--api-key", KEY, "call", method]);
        assert!(out.status.success(), "{method}: {}", stderr(&out));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut states = Vec::new();
        loop {
            let out = sim.run(&["--api-key", KEY, "call", "getStatus"]);
            let state = stdout(&out);
            let idle = state.contains("\"IDLE\"");
            states.push(state);
            if idle || std::time::Instant::now() > deadline {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        assert!(states[0].contains("SYSTEM"), "{method}: {states:?}");
        assert!(
            states.last().is_some_and(|s| s.contains("IDLE")),
            "{method}: {states:?}"
        );
    }
}

#[test]
fn a_sale_prints_the_transaction_and_outcomes_follow_the_amount() {
    let sim = Sim::paired();
    let out = sim.sale("12550", "cli-1");
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["transaction"]["transactionStatus"], "CAPTURED");
    assert_eq!(json["transaction"]["cardName"], "ויזה רגיל");
    assert!(
        stderr(&out).contains("CARD_DETECTED"),
        "events shown: {}",
        stderr(&out)
    );
    // Declined: exit 1, not charged, with the reason.
    let out = sim.sale("1001", "cli-2");
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(json["charged"], false, "{json}");
    assert!(
        json["reason"].as_str().unwrap().contains("declined"),
        "{json}"
    );
    // The same referenceId again: 303, never a second charge; the device's record of it is
    // looked up and reported (charged once, earlier).
    let out = sim.sale("12550", "cli-1");
    assert!(
        stderr(&out).contains("TransactionAlreadyExist"),
        "{}",
        stderr(&out)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["charged"], true, "{json}");
    assert!(
        json["reason"].as_str().unwrap().contains("earlier"),
        "{json}"
    );
    // Another amount under a used referenceId is no sale of this amount.
    let out = sim.sale("500", "cli-1");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn a_scenario_file_decides_a_sale_and_a_bad_one_is_named() {
    let dir = std::env::temp_dir().join(format!("synqpay-scenario-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("decline.toml");
    std::fs::write(
        &file,
        "[[payment]]\nreference_id = \"cli-sc-1\"\noutcome = \"decline\"\n",
    )
    .unwrap();
    let sim = Sim::start(&["--api-key", KEY, "--scenario", file.to_str().unwrap()]);
    // 12550 would be approved by the amount; the scenario declines this referenceId.
    let out = sim.sale("12550", "cli-sc-1");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("declined"), "{}", stdout(&out));
    assert!(sim.sale("12550", "cli-sc-2").status.success());

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[[payment]]\nevents = [\"CARD_WAVED\"]\n").unwrap();
    let out = Command::new(BIN)
        .args(["simulate", "--listen", "127.0.0.1:0", "--scenario"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("CARD_WAVED"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_client_cut_off_mid_sale_gets_its_result_after_reconnecting() {
    let sim = Sim::paired();
    let addr = sim.addr.clone();
    let sale = std::thread::spawn(move || {
        let mut client = Client::connect(&addr, ClientConfig::default())
            .unwrap()
            .with_api_key("1234abcd".parse().unwrap());
        let reference = ReferenceId::new("cut-1").unwrap();
        let mut events = 0;
        let reply = client.start_transaction(
            &StartTransactionParams::sale(reference, synqpay_rpc::Amount::ils(12550)),
            &mut |_| events += 1,
        )?;
        Ok::<_, Error>(reply.result()?.is_charged())
    });
    // Another connection takes over in mid-sale, which closes the first one.
    std::thread::sleep(Duration::from_millis(400));
    let intruder = std::net::TcpStream::connect(&sim.addr).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    drop(intruder);
    assert_eq!(sale.join().unwrap().unwrap(), Some(true));
}

#[test]
fn decode_prints_frames_and_errors_with_the_vector_names() {
    let mut child = Command::new(BIN)
        .args(["decode", "--hex"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"020403 020503 02060503 0209")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["type"], "keepalive");
    assert_eq!(lines[1]["type"], "ack");
    assert_eq!(lines[2]["code"], "not_authenticated");
    assert_eq!(lines[3]["error"], "invalid_msg_type");
}

/// A simulator with TLS too; returns it with its TLS address and the CA file it wrote.
fn tls_sim(dir: &std::path::Path) -> (Child, String, String) {
    let ca = dir.join("ca.pem").to_string_lossy().into_owned();
    let mut child = Command::new(BIN)
        .args([
            "simulate",
            "--listen",
            "127.0.0.1:0",
            "--tls-listen",
            "127.0.0.1:0",
            "--ca-out",
            &ca,
        ])
        .args(["--api-key", KEY])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let _plain = lines.next().unwrap().unwrap();
    let tls = lines.next().unwrap().unwrap();
    let addr = tls
        .strip_prefix("simulator listening for TLS on ")
        .unwrap()
        .to_string();
    (child, addr, ca)
}

#[test]
fn tls_with_the_generated_ca_a_wrong_ca_and_insecure() {
    let dir = std::env::temp_dir().join(format!("synqpay-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut child, addr, ca) = tls_sim(&dir);
    let run = |args: &[&str]| {
        let args = ordered(args);
        Command::new(BIN)
            .arg(args[0])
            .args(["--host", &addr, "--api-key", KEY])
            .args(&args[1..])
            .output()
            .unwrap()
    };

    let out = run(&["--tls", "--ca", &ca, "call", "getStatus"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("IDLE"));

    // A CA that did not issue the device's certificate: refused.
    std::fs::create_dir_all(dir.join("other")).unwrap();
    let (mut other, _, other_ca) = tls_sim(&dir.join("other"));
    let out = run(&["--tls", "--ca", &other_ca, "call", "getStatus"]);
    assert!(!out.status.success(), "a wrong CA must be refused");
    assert!(
        stderr(&out).to_lowercase().contains("certificate"),
        "{}",
        stderr(&out)
    );

    // Verification on by default: the Synqpay root is pinned, which the simulator does not have.
    let out = run(&["--tls", "call", "getStatus"]);
    assert!(!out.status.success());

    let out = run(&["--tls", "--insecure", "call", "getStatus"]);
    assert!(out.status.success(), "{}", stderr(&out));

    for c in [&mut child, &mut other] {
        let _ = c.kill();
        let _ = c.wait();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_app_killed_in_mid_sale_finds_the_outcome_when_it_comes_back() {
    use synqpay_link::{ApiKey, MessageType, seal};
    let sim = Sim::paired();
    // The first app sends a sale and is killed (its socket closes) before the answer.
    {
        let mut frame = [0u8; 512];
        let params = StartTransactionParams::sale(
            ReferenceId::new("killed-1").unwrap(),
            synqpay_rpc::Amount::ils(12550),
        );
        let n = synqpay_rpc::encode_call::<synqpay_rpc::StartTransaction>(
            &mut frame[10..],
            "7",
            &params,
        )
        .unwrap();
        let n = seal(
            &mut frame,
            MessageType::Request,
            Some(KEY.parse::<ApiKey>().unwrap()),
            n,
        )
        .unwrap();
        let mut app = std::net::TcpStream::connect(&sim.addr).unwrap();
        std::io::Write::write_all(&mut app, &frame[..n]).unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    // The app restarts: a new session, from the same address, gets the answer the device kept
    // for it (or, if the sale is still running, the answer as it comes)...
    let mut client = Client::connect(&sim.addr, ClientConfig::default())
        .unwrap()
        .with_api_key(KEY.parse().unwrap());
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let mut late = Vec::new();
    while late.is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        late = client.late_responses();
    }
    assert_eq!(late.len(), 1, "the cached answer arrived");
    assert_eq!(late[0].0, None, "for a request of an earlier session");
    assert_eq!(
        late[0].1.result::<StartTransaction>().unwrap().is_charged(),
        Some(true)
    );
    // ...and confirms it by referenceId, as an app must.
    assert_eq!(looked_up(&mut client, "killed-1").0, Some(true));
}

#[path = "../../synqpay-sim/tests/support/pty.rs"]
mod pty;

#[test]
fn simulate_and_sale_over_a_serial_line() {
    let pty = pty::PtyPair::new("cli");
    let device = pty.device().to_string_lossy().into_owned();
    let app = pty.app().to_string_lossy().into_owned();
    let mut child = Command::new(BIN)
        .args(["simulate", "--listen", "127.0.0.1:0", "--serial", &device])
        .args(["--api-key", KEY])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let _tcp = lines.next().unwrap().unwrap();
    let serial = lines.next().unwrap().unwrap();
    assert!(serial.contains("serving the serial port"), "{serial}");
    let state = StateDir::new();
    let sale = Command::new(BIN)
        .args(["sale", "--serial", &app, "--api-key", KEY])
        .args(["--amount", "1500", "--json"])
        .env("SYNQPAY_STATE_DIR", &state.0)
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(sale.status.success(), "{}", stderr(&sale));
    let out = stdout(&sale);
    assert!(out.contains("\"transactionStatus\": \"CAPTURED\""), "{out}");
}

#[test]
fn a_new_sale_never_prints_an_earlier_processs_outcome() {
    // Issue 11, finding 1, as a user met it: cached responses on, a sale killed half a second
    // in, then another process's sale. The device replays the first sale's answer to the next
    // client from the same address (spec/protocol.md §2); it must not be printed as the second.
    let sim = Sim::paired();
    let out = sim.run(&[
        "--api-key",
        KEY,
        "call",
        "setConfig",
        r#"{"config":{"cachedResponses":true}}"#,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut first = sim
        .command(&["--api-key", KEY, "sale", "--amount", "12550"])
        .args(["--reference-id", "A"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    first.kill().unwrap();
    first.wait().unwrap();
    // The first sale ends on the device (about 1.5 s) with nobody to tell: its answer is kept.
    std::thread::sleep(Duration::from_millis(2_000));
    let out = sim.sale("1001", "B");
    let printed = stdout(&out);
    assert!(
        out.status.code() == Some(1) && printed.contains("declined"),
        "B is declined by the device: {printed} {}",
        stderr(&out)
    );
    // B's run first reports A, which the killed run left unknown, as the device recorded it.
    assert!(
        stderr(&out).contains("an earlier sale's outcome was unknown: A")
            && stderr(&out).contains("it was charged"),
        "{}",
        stderr(&out)
    );
    let json: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(json["transaction"]["referenceId"], "B", "{printed}");
    assert_eq!(json["transaction"]["amount"], 1001, "{printed}");
    // A query prints its own answer.
    let out = sim.run(&["--api-key", KEY, "call", "getStatus"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("deviceStatus"), "{}", stdout(&out));
    // And A's outcome is what the device recorded, found by its referenceId.
    let mut client = Client::connect(&sim.addr, ClientConfig::default())
        .unwrap()
        .with_api_key(KEY.parse().unwrap());
    assert_eq!(looked_up(&mut client, "A"), (Some(true), Some(12550)));
}

#[test]
fn ctrl_c_cancels_a_sale_waiting_for_a_card_on_its_own_connection() {
    let sim = Sim::paired();
    // 10.03: the card never comes; the device waits its 30 s card wait.
    let child = sim
        .command(&["--api-key", KEY, "sale", "--amount", "1003"])
        .args(["--reference-id", "ctrl-c-1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1_500));
    let started = std::time::Instant::now();
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    let took = started.elapsed();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{} {}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("cancelling the sale"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("not charged"), "{}", stdout(&out));
    assert!(took < Duration::from_secs(10), "the cancel took {took:?}");
    // Nothing is left unknown, and the device is idle again.
    let pending = std::fs::read_to_string(sim.state.0.join("unknown-sales")).unwrap_or_default();
    assert!(!pending.contains("ctrl-c-1"), "{pending}");
    let out = sim.run(&["--api-key", KEY, "call", "getStatus"]);
    assert!(stdout(&out).contains("\"IDLE\""), "{}", stdout(&out));
}
