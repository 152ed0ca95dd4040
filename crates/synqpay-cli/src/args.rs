//! The command line: each subcommand with its own options only (`synqpay sale --help` lists what
//! a sale takes; `decode` and `simulate` list nothing of a device connection).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "synqpay",
    version,
    about = "Talk to a Synqpay payment device, or to the built-in simulator"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// How to reach a device: the options of the commands that talk to one.
#[derive(Args, Clone, Debug)]
pub struct DeviceArgs {
    /// The device's address: `HOST` or `HOST:PORT` (without a port: 9000, or 9443 with --tls).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Talk over this serial port (`/dev/ttyUSB0`, `COM3`) instead of TCP.
    #[arg(long, value_name = "PORT", conflicts_with = "tls")]
    pub serial: Option<String>,
    /// The serial port's speed (8N1, no flow control).
    #[arg(long, default_value_t = synqpay_std::DEFAULT_BAUD)]
    pub baud: u32,
    /// The API key from pairing (8 hex digits).
    #[arg(long, env = "SYNQPAY_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Connect over TLS (the device's port 9443), verifying the device.
    #[arg(long)]
    pub tls: bool,
    /// With --tls: trust the CA certificates in this PEM file, such as the vendor's Synqpay Root
    /// CA (default: the Synqpay root, pinned by fingerprint, which the device must then send).
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// With --tls: trust exactly the device certificate with this SHA-256 fingerprint
    /// (`sha256:HEX`, `HEX` or `AA:BB:…`; a refused device's error prints it). Pin again when
    /// the device's IP address changes: its certificate is re-issued then.
    #[arg(long, value_name = "SHA256", conflicts_with = "ca")]
    pub pin: Option<synqpay_std::tls::Fingerprint>,
    /// With --tls: do not verify the device at all (warned on every run). Anyone on the network
    /// can then read and change payments.
    #[arg(long, conflicts_with_all = ["ca", "pin"])]
    pub insecure: bool,
    /// Accept frames from the device whose CRC comes low byte first (some firmwares send it so;
    /// spec/protocol.md §1). Off by default: such frames are refused and the call says so.
    #[arg(long)]
    pub accept_swapped_crc: bool,
}

/// How results are printed.
#[derive(Args, Clone, Copy, Debug)]
pub struct OutputArgs {
    /// Print JSON for scripts, instead of sentences for people.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum Command {
    /// Runs the device simulator until interrupted.
    Simulate(SimulateArgs),
    /// Lists the devices that announce themselves on the LAN over mDNS (`_synqpay._tcp.local.`).
    Discover {
        /// How long to listen for announcements, in seconds.
        #[arg(long, value_name = "SECS", default_value_t = 3)]
        timeout: u64,
        /// Listen on this network interface alone (`eth0`, `en0`).
        #[arg(long, value_name = "NAME")]
        interface: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Pairs with the device; prints the API key alone on the last line.
    Pair {
        #[command(flatten)]
        device: DeviceArgs,
        /// The device's serial number.
        #[arg(long)]
        serial_number: String,
        /// The code on the device's screen (asked for when not given).
        #[arg(long)]
        otp: Option<String>,
    },
    /// Calls any method; prints its result as JSON.
    Call {
        #[command(flatten)]
        device: DeviceArgs,
        /// The method, such as getStatus.
        method: String,
        /// The parameters as JSON.
        params: Option<String>,
    },
    /// Runs a sale, showing its progress; Ctrl-C cancels it on the device. Exit status: 0
    /// charged, 1 not charged or refused, 3 outcome unknown (look the referenceId up).
    Sale {
        #[command(flatten)]
        device: DeviceArgs,
        #[command(flatten)]
        output: OutputArgs,
        /// The amount in minor units (12550 = 125.50).
        #[arg(long)]
        amount: i64,
        /// ISO 4217 numeric currency.
        #[arg(long, default_value_t = 376)]
        currency: u16,
        /// The unique reference (when not given: `cli-` with the time and 8 random hex digits).
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
    /// Forwards a client to the device and injects line faults at chosen frames; prints what
    /// passed each time it changes.
    Proxy {
        /// The device's address.
        #[arg(long, default_value = "127.0.0.1:9000")]
        host: String,
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
        /// Write what passes (after the faults) to this pcap file, for Wireshark with
        /// tools/wireshark/synqpay.lua.
        #[arg(long, value_name = "FILE")]
        pcap: Option<PathBuf>,
    },
}

/// The simulator's options.
#[derive(Args)]
pub struct SimulateArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:9000")]
    pub listen: String,
    /// The serial number `pair` must name.
    #[arg(long, default_value = "244RKR528387")]
    pub serial_number: String,
    /// A fixed pairing code instead of a random one.
    #[arg(long)]
    pub otp: Option<String>,
    /// The key the device starts paired with (8 hex digits).
    #[arg(long, env = "SYNQPAY_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Also serve this serial port (`/dev/ttyUSB0`, `COM3`).
    #[arg(long, value_name = "PORT", conflicts_with = "tls_listen")]
    pub serial: Option<String>,
    /// The serial port's speed (8N1, no flow control).
    #[arg(long, default_value_t = synqpay_std::DEFAULT_BAUD)]
    pub baud: u32,
    /// Also listen for TLS here (TLS 1.3 and 1.2, P-256, from a generated test CA).
    #[arg(long)]
    pub tls_listen: Option<String>,
    /// Write the test CA's certificate (PEM) here, for clients to trust.
    #[arg(long, value_name = "FILE", requires = "tls_listen")]
    pub ca_out: Option<PathBuf>,
    /// Keep answers a client could not receive for its return (the device's
    /// `cachedResponses`; off by default, as on a device).
    #[arg(long)]
    pub cached_responses: bool,
    /// How long the device waits for a card, in seconds (an amount ending in 03 never
    /// presents one).
    #[arg(long, default_value_t = 30)]
    pub card_wait: u64,
    /// What the card, the host and the device do (TOML: per payment the outcome, events,
    /// stops, a dropped connection or a reboot; the screen, battery and host). Without one,
    /// the amount decides; examples in crates/synqpay-sim/scenarios/.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Write the plain TCP connections to this pcap file, for Wireshark with
    /// tools/wireshark/synqpay.lua.
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<PathBuf>,
    /// Serve the device's screen as a web page here (`127.0.0.1:8080`): what the customer sees,
    /// the state, the frames, and buttons for the cardholder and the device.
    #[arg(long, value_name = "ADDR")]
    pub screen: Option<String>,
    /// Announce the simulator on the LAN over mDNS as `SERIAL._synqpay._tcp.local.` (its TLS
    /// listener when --tls-listen is given), on the interface that holds the --listen address.
    #[arg(long)]
    pub advertise: bool,
}
