//! `synqpay discover` finds `synqpay simulate --advertise` over mDNS across a veth pair, each end
//! in a network namespace this test creates (issue 13): one namespace for the devices, one for
//! the point of sale. Nothing runs in the machine's own namespace, so no packet reaches a real
//! network (mdns-sd opens a socket on every interface it sees, and sends on it, before an
//! interface can be chosen).
//!
//! Needs root and `ip` (iproute2); without them the test says why and passes. Everything it makes
//! (processes, namespaces, links) is removed on every path by a drop guard.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const SYNQPAY: &str = env!("CARGO_BIN_EXE_synqpay");
const DEVICE_IP: &str = "10.231.0.2";
const POS_IP: &str = "10.231.0.1";

/// The namespaces, the veth pair and the processes of one run; all removed when dropped.
struct Lab {
    device_ns: String,
    pos_ns: String,
    device_link: String,
    pos_link: String,
    children: Vec<Child>,
}

impl Lab {
    /// Makes the two namespaces and the veth pair between them, or says why it cannot.
    fn create() -> Result<Self, String> {
        if !is_root() {
            return Err("not root: network namespaces need CAP_SYS_ADMIN".into());
        }
        if Command::new("ip").arg("-V").output().is_err() {
            return Err("`ip` (iproute2) is not installed".into());
        }
        let id = std::process::id();
        let lab = Self {
            device_ns: format!("sqp-dev-{id}"),
            pos_ns: format!("sqp-pos-{id}"),
            device_link: format!("sqpd{id}"),
            pos_link: format!("sqpp{id}"),
            children: Vec::new(),
        };
        lab.remove_network(); // what a killed earlier run with this pid left, if anything
        // The guard exists from here on: whatever is made below is removed on every path.
        ip(&["netns", "add", &lab.device_ns])
            .map_err(|e| format!("network namespaces unavailable: {e}"))?;
        ip(&["netns", "add", &lab.pos_ns])?;
        ip(&[
            "link",
            "add",
            &lab.device_link,
            "netns",
            &lab.device_ns,
            "type",
            "veth",
            "peer",
            "name",
            &lab.pos_link,
            "netns",
            &lab.pos_ns,
        ])?;
        for (ns, link, addr) in [
            (&lab.device_ns, &lab.device_link, DEVICE_IP),
            (&lab.pos_ns, &lab.pos_link, POS_IP),
        ] {
            ip(&["-n", ns, "link", "set", "lo", "up"])?;
            ip(&["-n", ns, "addr", "add", &format!("{addr}/24"), "dev", link])?;
            ip(&["-n", ns, "link", "set", link, "multicast", "on"])?;
            ip(&["-n", ns, "link", "set", link, "up"])?;
        }
        Ok(lab)
    }

    /// A command run in `ns`.
    fn in_ns(ns: &str, args: &[&str]) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", ns, SYNQPAY]).args(args);
        command
    }

    /// Starts `synqpay simulate ARGS --advertise` in the devices' namespace and waits until it
    /// has announced itself; returns the lines it printed up to then.
    fn simulator(&mut self, args: &[&str]) -> Vec<String> {
        let mut child = Self::in_ns(&self.device_ns, args)
            .arg("--advertise")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the simulator");
        let stdout = child.stdout.take().expect("piped");
        self.children.push(child);
        let (lines, seen) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut printed = Vec::new();
        while !printed.iter().any(|l: &String| l.contains("over mDNS as")) {
            let left = deadline.saturating_duration_since(Instant::now());
            match seen.recv_timeout(left) {
                Ok(line) => printed.push(line),
                Err(e) => panic!("the simulator did not announce itself ({e}): {printed:?}"),
            }
        }
        printed
    }

    fn remove_network(&self) {
        // Deleting a namespace deletes the veth end in it, and with it its peer.
        for ns in [&self.device_ns, &self.pos_ns] {
            let _ = ip(&["netns", "del", ns]);
        }
        for link in [&self.device_link, &self.pos_link] {
            let _ = quiet_ip(&["link", "del", link]);
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.remove_network();
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            == Some("0")
    })
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip {}: {e}", args.join(" ")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// `ip` with its complaints (a link that is not there) kept quiet.
fn quiet_ip(args: &[&str]) -> std::io::Result<Output> {
    Command::new("ip").args(args).stderr(Stdio::null()).output()
}

/// Runs `command` to its end, killing it after `limit`.
fn run_for(mut command: Command, limit: Duration) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start synqpay");
    let deadline = Instant::now() + limit;
    while child.try_wait().expect("wait for synqpay").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("synqpay's output")
}

/// The port in a line `simulator listening [for TLS ]on 10.231.0.2:PORT`.
fn port_after(lines: &[String], prefix: &str) -> String {
    lines
        .iter()
        .find_map(|l| l.strip_prefix(prefix))
        .and_then(|addr| addr.rsplit(':').next())
        .unwrap_or_else(|| panic!("no line {prefix:?} in {lines:?}"))
        .to_string()
}

/// The rows of `synqpay discover`'s table (header dropped), cells split on blanks.
fn rows(stdout: &str) -> Vec<Vec<String>> {
    stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

#[test]
fn discover_finds_the_advertised_simulators_across_a_veth_pair() {
    let mut lab = match Lab::create() {
        Ok(lab) => lab,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let listen = format!("{DEVICE_IP}:0");
    let plain = lab.simulator(&[
        "simulate",
        "--listen",
        &listen,
        "--serial-number",
        "SQP-NETNS-1",
    ]);
    let tls = lab.simulator(&[
        "simulate",
        "--listen",
        &listen,
        "--tls-listen",
        &listen,
        "--serial-number",
        "SQP-NETNS-2",
    ]);
    println!("simulator 1: {}", plain.join(" | "));
    println!("simulator 2: {}", tls.join(" | "));
    let plain_port = port_after(&plain, &format!("simulator listening on {DEVICE_IP}:"));
    let tls_port = port_after(
        &tls,
        &format!("simulator listening for TLS on {DEVICE_IP}:"),
    );
    let expected = [
        vec![
            "SQP-NETNS-1".to_string(),
            DEVICE_IP.into(),
            plain_port,
            "tcp".into(),
            "Synqpay".into(),
            "simulator".into(),
        ],
        vec![
            "SQP-NETNS-2".to_string(),
            DEVICE_IP.into(),
            tls_port,
            "tls".into(),
            "Synqpay".into(),
            "simulator".into(),
        ],
    ];

    // Every interface of the point of sale's namespace (its veth end alone), then that interface
    // by name. A query can be lost while a link comes up: up to three tries each.
    let by_name = ["--interface", lab.pos_link.as_str()];
    for extra in [&[][..], &by_name[..]] {
        let mut tries = Vec::new();
        for _ in 0..3 {
            let mut args = vec!["discover", "--timeout", "3"];
            args.extend_from_slice(extra);
            let out = run_for(Lab::in_ns(&lab.pos_ns, &args), Duration::from_secs(30));
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            println!("$ synqpay {}\n{stdout}", args.join(" "));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "discover failed: {stderr}");
            let found = rows(&stdout);
            tries.push(stdout);
            if found == expected {
                break;
            }
            assert!(tries.len() < 3, "discover printed, three times: {tries:#?}");
        }
    }

    // For scripts: one JSON array, the same devices.
    let mut tries = Vec::new();
    for _ in 0..3 {
        let args = ["discover", "--timeout", "3", "--json"];
        let out = run_for(Lab::in_ns(&lab.pos_ns, &args), Duration::from_secs(30));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let devices: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut found: Vec<(String, String, String)> = devices
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["serialNumber"].as_str().unwrap_or_default().to_string(),
                    d["port"].to_string(),
                    d["transport"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        found.sort();
        tries.push(devices);
        let wanted: Vec<(String, String, String)> = expected
            .iter()
            .map(|row| (row[0].clone(), row[2].clone(), row[3].clone()))
            .collect();
        if found == wanted {
            break;
        }
        assert!(
            tries.len() < 3,
            "discover --json printed, three times: {tries:#?}"
        );
    }

    // A name that is no interface is said so, before anything is sent.
    let out = run_for(
        Lab::in_ns(&lab.pos_ns, &["discover", "--interface", "nosuch0"]),
        Duration::from_secs(30),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("no interface nosuch0"), "{stderr}");
}
