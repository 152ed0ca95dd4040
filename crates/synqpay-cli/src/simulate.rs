//! `synqpay simulate`: the device simulator (`synqpay-sim`) until interrupted, over TCP, TLS or
//! a serial line, with a scenario and an mDNS announcement when asked.

use std::time::Duration;

use synqpay_sim::{Scenario, Simulator, SimulatorConfig, TestCa};

use crate::args::SimulateArgs;
use crate::device::key;
use crate::discover;

/// Runs the simulator; returns only on a start-up error.
pub fn run(args: SimulateArgs) -> Result<(), String> {
    let api_key = args.api_key.as_deref().map(key).transpose()?;
    let scenario = match &args.scenario {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("--scenario {}: {e}", file.display()))?;
            Scenario::from_toml(&text).map_err(|e| format!("--scenario {}: {e}", file.display()))?
        }
        None => Scenario::default(),
    };
    let config = SimulatorConfig {
        serial_number: args.serial_number.clone(),
        otp: args.otp,
        api_key,
        cached_responses: args.cached_responses,
        card_wait_ms: args.card_wait.saturating_mul(1000),
        scenario,
        pcap: args.pcap.clone(),
        ..Default::default()
    };
    let listen = &args.listen;
    let sim = match (&args.tls_listen, &args.serial) {
        (None, None) => Simulator::start(listen, config),
        (None, Some(port)) => Simulator::start_serial(listen, port, args.baud, config)
            .map_err(|e| std::io::Error::new(e.kind(), format!("--serial {port}: {e}"))),
        (Some(_), Some(_)) => return Err("--tls-listen and --serial: pick one".into()),
        (Some(tls_listen), None) => {
            let ca = TestCa::generate()?;
            if let Some(file) = &args.ca_out {
                std::fs::write(file, &ca.ca_pem)
                    .map_err(|e| format!("--ca-out {}: {e}", file.display()))?;
            }
            Simulator::start_with_tls(listen, tls_listen, config, &ca)
        }
    }
    .map_err(|e| format!("listen on {listen}: {e}"))?;
    println!("simulator listening on {}", sim.addr());
    if let Some(port) = &args.serial {
        println!(
            "simulator serving the serial port {port} at {} Bd",
            args.baud
        );
    }
    if let Some(tls_addr) = sim.tls_addr() {
        println!("simulator listening for TLS on {tls_addr}");
    }
    let _screen = match &args.screen {
        Some(addr) => {
            let page = synqpay_sim::web::ScreenPage::start(&sim, addr)
                .map_err(|e| format!("--screen {addr}: {e}"))?;
            println!("screen page on http://{}/", page.addr());
            if page.is_public() {
                eprintln!(
                    "synqpay: warning: the screen page at {} is reachable from the network: \
                     anyone who reaches it can press the device's buttons",
                    page.addr()
                );
            }
            Some(page)
        }
        None => None,
    };
    let _advertisement = args
        .advertise
        .then(|| discover::advertise(&sim, &args.serial_number))
        .transpose()?;
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
