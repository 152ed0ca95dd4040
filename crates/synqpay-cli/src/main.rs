//! `synqpay`: talk to a Synqpay payment device, or to the built-in simulator.

mod decode;
mod demo;
mod discover;

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use synqpay_link::ApiKey;
use synqpay_rpc::{ReferenceId, StartTransactionParams};
use synqpay_sim::{Scenario, Simulator, SimulatorConfig, TestCa};
use synqpay_std::tls::Verification;
use synqpay_std::{Client, ClientConfig};

#[derive(Parser)]
#[command(
    name = "synqpay",
    version,
    about = "Talk to a Synqpay payment device, or to the built-in simulator"
)]
struct Cli {
    /// The device's address.
    #[arg(long, global = true, default_value = "127.0.0.1:9000")]
    host: String,
    /// Talk over this serial port (`/dev/ttyUSB0`, `COM3`) instead of TCP; for `simulate`,
    /// serve it (as well as TCP).
    #[arg(long, global = true, value_name = "PORT", conflicts_with = "tls")]
    serial: Option<String>,
    /// The serial port's speed (8N1, no flow control).
    #[arg(long, global = true, default_value_t = synqpay_std::DEFAULT_BAUD)]
    baud: u32,
    /// The API key from pairing (8 hex digits); for `simulate`, the key the device starts
    /// paired with.
    #[arg(long, global = true, env = "SYNQPAY_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Connect over TLS (the device's port 9443), verifying the device.
    #[arg(long, global = true)]
    tls: bool,
    /// With --tls: trust the CA certificates in this PEM file (default: the Synqpay root, pinned).
    #[arg(long, global = true, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// With --tls: do not verify the device at all. Anyone on the network can then read and
    /// change payments.
    #[arg(long, global = true, conflicts_with = "ca")]
    insecure: bool,
    /// Accept frames from the device whose CRC comes low byte first (some firmwares send it so;
    /// spec/protocol.md §1). Off by default: such frames are refused and the call says so.
    #[arg(long, global = true)]
    accept_swapped_crc: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the device simulator until interrupted.
    Simulate {
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:9000")]
        listen: String,
        /// The serial number `pair` must name.
        #[arg(long, default_value = "244RKR528387")]
        serial_number: String,
        /// A fixed pairing code instead of a random one.
        #[arg(long)]
        otp: Option<String>,
        /// Also listen for TLS here (TLS 1.3 and 1.2, P-256, from a generated test CA).
        #[arg(long)]
        tls_listen: Option<String>,
        /// Write the test CA's certificate (PEM) here, for clients to trust.
        #[arg(long, value_name = "FILE", requires = "tls_listen")]
        ca_out: Option<PathBuf>,
        /// Keep answers a client could not receive for its return (the device's
        /// `cachedResponses`; off by default, as on a device).
        #[arg(long)]
        cached_responses: bool,
        /// How long the device waits for a card, in seconds (an amount ending in 03 never
        /// presents one).
        #[arg(long, default_value_t = 30)]
        card_wait: u64,
        /// What the card, the host and the device do (TOML: per payment the outcome, events,
        /// stops, a dropped connection or a reboot; the screen, battery and host). Without
        /// one, the amount decides; examples in crates/synqpay-sim/scenarios/.
        #[arg(long, value_name = "FILE")]
        scenario: Option<PathBuf>,
        /// Announce the simulator on the LAN over mDNS as `SERIAL._synqpay._tcp.local.` (its TLS
        /// listener when --tls-listen is given), on the interface that holds the --listen address.
        #[arg(long)]
        advertise: bool,
    },
    /// Lists the devices that announce themselves on the LAN over mDNS (`_synqpay._tcp.local.`).
    Discover {
        /// How long to listen for announcements, in seconds.
        #[arg(long, value_name = "SECS", default_value_t = 3)]
        timeout: u64,
        /// Listen on this network interface alone (`eth0`, `en0`).
        #[arg(long, value_name = "NAME")]
        interface: Option<String>,
    },
    /// Pairs with the device; prints the API key alone on the last line.
    Pair {
        /// The device's serial number.
        #[arg(long)]
        serial_number: String,
        /// The code on the device's screen (asked for when not given).
        #[arg(long)]
        otp: Option<String>,
    },
    /// Calls any method; prints the result as JSON.
    Call {
        /// The method, such as getStatus.
        method: String,
        /// The parameters as JSON.
        params: Option<String>,
    },
    /// Runs a sale, showing its events; prints the final transaction as JSON.
    Sale {
        /// The amount in minor units (12550 = 125.50).
        #[arg(long)]
        amount: i64,
        /// ISO 4217 numeric currency.
        #[arg(long, default_value_t = 376)]
        currency: u16,
        /// The unique reference (generated when not given).
        #[arg(long)]
        reference_id: Option<String>,
    },
    /// Decodes a captured byte stream from stdin: one JSON object per frame or link error.
    Decode {
        /// The input is hex text rather than raw bytes.
        #[arg(long)]
        hex: bool,
    },
    /// Starts the simulator in-process and walks through pairing, a sale and its lookup.
    Demo,
    /// Forwards a client to the device (--host) and injects line faults at chosen frames;
    /// prints what passed each time it changes.
    Proxy {
        /// Where clients connect.
        #[arg(long, default_value = "127.0.0.1:9001")]
        listen: String,
        /// Flip a bit in the client's Nth request (the device answers CRC_ERROR).
        #[arg(long, value_name = "N")]
        flip_request: Option<u32>,
        /// Lose 8 bytes in the middle of the device's Nth response.
        #[arg(long, value_name = "N")]
        drop_in_response: Option<u32>,
        /// Pull the cable half-way through the sale's result, for this many milliseconds.
        #[arg(long, value_name = "MS")]
        cut_sale_result: Option<u64>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            eprintln!("synqpay: {reason}");
            ExitCode::FAILURE
        }
    }
}

fn key(text: &str) -> Result<ApiKey, String> {
    ApiKey::from_hex(text).map_err(|e| format!("--api-key: {e}"))
}

/// How to reach the device, from the global options.
struct Target {
    host: String,
    config: ClientConfig,
    tls: Option<Verification>,
    /// A serial port and its speed, in place of `host`.
    serial: Option<(String, u32)>,
}

impl Target {
    fn of(cli: &Cli) -> Result<Self, String> {
        let tls = match (cli.tls, &cli.ca, cli.insecure) {
            (false, None, false) => None,
            (false, _, _) => return Err("--ca and --insecure go with --tls".into()),
            (true, Some(file), _) => Some(Verification::CaPem(
                std::fs::read(file).map_err(|e| format!("--ca {}: {e}", file.display()))?,
            )),
            (true, None, true) => Some(Verification::DangerousNoVerification),
            (true, None, false) => Some(Verification::default()),
        };
        Ok(Self {
            host: cli.host.clone(),
            config: ClientConfig {
                accept_swapped_crc: cli.accept_swapped_crc,
                ..ClientConfig::default()
            },
            tls,
            serial: cli.serial.clone().map(|port| (port, cli.baud)),
        })
    }
}

fn connect(target: &Target, api_key: Option<&str>) -> Result<Client, String> {
    let config = target.config;
    let client = match (&target.serial, &target.tls) {
        (Some((port, baud)), _) => Client::connect_serial(port, *baud, config),
        (None, None) => Client::connect(&target.host, config),
        (None, Some(verification)) => Client::connect_tls(&target.host, config, verification),
    };
    let mut client = client.map_err(|e| e.to_string())?;
    if let Some(k) = api_key {
        client = client.with_api_key(key(k)?);
    }
    Ok(client)
}

fn pretty(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| json.to_string())
}

fn run(cli: Cli) -> Result<(), String> {
    let target = Target::of(&cli)?;
    match cli.command {
        Command::Simulate {
            listen,
            serial_number,
            otp,
            tls_listen,
            ca_out,
            cached_responses,
            card_wait,
            scenario,
            advertise,
        } => {
            // The global --api-key (or SYNQPAY_API_KEY): the device starts paired with it.
            let api_key = cli.api_key.as_deref().map(key).transpose()?;
            let scenario = match &scenario {
                Some(file) => {
                    let text = std::fs::read_to_string(file)
                        .map_err(|e| format!("--scenario {}: {e}", file.display()))?;
                    Scenario::from_toml(&text)
                        .map_err(|e| format!("--scenario {}: {e}", file.display()))?
                }
                None => Scenario::default(),
            };
            let advertised_serial = serial_number.clone();
            let config = SimulatorConfig {
                serial_number,
                otp,
                api_key,
                cached_responses,
                card_wait_ms: card_wait.saturating_mul(1000),
                scenario,
                ..Default::default()
            };
            let sim = match (tls_listen, &target.serial) {
                (None, None) => Simulator::start(&listen, config),
                (None, Some((port, baud))) => Simulator::start_serial(&listen, port, *baud, config)
                    .map_err(|e| std::io::Error::new(e.kind(), format!("--serial {port}: {e}"))),
                (Some(_), Some(_)) => return Err("--tls-listen and --serial: pick one".into()),
                (Some(tls_listen), None) => {
                    let ca = TestCa::generate()?;
                    if let Some(file) = &ca_out {
                        std::fs::write(file, &ca.ca_pem)
                            .map_err(|e| format!("--ca-out {}: {e}", file.display()))?;
                    }
                    Simulator::start_with_tls(&listen, &tls_listen, config, &ca)
                }
            }
            .map_err(|e| format!("listen on {listen}: {e}"))?;
            println!("simulator listening on {}", sim.addr());
            if let Some((port, baud)) = &target.serial {
                println!("simulator serving the serial port {port} at {baud} Bd");
            }
            if let Some(tls_addr) = sim.tls_addr() {
                println!("simulator listening for TLS on {tls_addr}");
            }
            let _advertisement = advertise
                .then(|| discover::advertise(&sim, &advertised_serial))
                .transpose()?;
            loop {
                std::thread::sleep(Duration::from_secs(3600));
            }
        }
        Command::Proxy {
            listen,
            flip_request,
            drop_in_response,
            cut_sale_result,
        } => {
            let upstream = std::net::ToSocketAddrs::to_socket_addrs(&target.host)
                .ok()
                .and_then(|mut a| a.next())
                .ok_or_else(|| format!("--host {}: no address", target.host))?;
            let faults = synqpay_sim::noise::Faults {
                flip_request,
                drop_in_response,
                cut_sale_result: cut_sale_result.map(Duration::from_millis),
            };
            let proxy = synqpay_sim::noise::NoiseProxy::start(&listen, upstream, faults)
                .map_err(|e| format!("listen on {listen}: {e}"))?;
            println!("proxy listening on {}", proxy.addr());
            let mut shown = synqpay_sim::noise::Report::default();
            loop {
                std::thread::sleep(Duration::from_millis(100));
                let now = proxy.report();
                if now != shown {
                    println!("{now:?}");
                    shown = now;
                }
            }
        }
        Command::Pair { serial_number, otp } => {
            let mut client = connect(&target, None)?;
            client.pair(&serial_number).map_err(|e| e.to_string())?;
            let otp = match otp {
                Some(otp) => otp,
                None => {
                    eprint!("code on the device's screen: ");
                    let _ = std::io::stderr().flush();
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .map_err(|e| e.to_string())?;
                    line.trim().to_string()
                }
            };
            let key = client.authenticate(&otp).map_err(|e| e.to_string())?;
            let hex = key.expose_hex();
            println!("{}", String::from_utf8_lossy(&hex));
            Ok(())
        }
        Command::Call { method, params } => {
            let mut client = connect(&target, cli.api_key.as_deref())?;
            let reply = client
                .call_raw(&method, params.as_deref())
                .map_err(|e| e.to_string())?;
            println!(
                "{}",
                pretty(&reply.result_json().map_err(|e| e.to_string())?)
            );
            Ok(())
        }
        Command::Sale {
            amount,
            currency,
            reference_id,
        } => {
            let mut client = connect(&target, cli.api_key.as_deref())?;
            let reference_text = reference_id.unwrap_or_else(|| {
                let secs = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis());
                format!("cli-{secs}")
            });
            let reference =
                ReferenceId::new(&reference_text).map_err(|e| format!("--reference-id: {e}"))?;
            let terminal = std::io::stderr().is_terminal();
            let mut on_event = |event: &synqpay_std::Event| {
                // The event type, device text escaped (never printed raw).
                let kind = event.to_string();
                if terminal {
                    eprint!("\r\x1b[2K… {kind}");
                } else {
                    eprintln!("event: {kind}");
                }
            };
            let reply = client
                .start_transaction(
                    &StartTransactionParams::sale(
                        reference,
                        synqpay_rpc::Amount::new(
                            amount,
                            synqpay_rpc::Currency::from_number(currency),
                        ),
                    ),
                    &mut on_event,
                )
                .map_err(|e| e.to_string())?;
            if terminal {
                eprintln!();
            }
            let result = reply.result().map_err(|e| e.to_string())?;
            let json = serde_json::to_string(&result).map_err(|e| e.to_string())?;
            println!("{}", pretty(&json));
            match result.is_charged() {
                Some(true) => Ok(()),
                Some(false) => Err(format!("declined ({})", result.result)),
                None => Err(format!(
                    "outcome unknown ({}): look up referenceId {reference_text}",
                    result.result
                )),
            }
        }
        Command::Decode { hex } => decode::run(if hex {
            decode::Input::Hex
        } else {
            decode::Input::Raw
        }),
        Command::Demo => demo::run(),
        Command::Discover { timeout, interface } => discover::run(timeout, interface.as_deref()),
    }
}
