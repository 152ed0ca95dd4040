//! The firmware driver on a desktop: `synqpay_embedded::AsyncClient` over a tokio `TcpStream`
//! (through `embedded_io_adapters::tokio_1::FromTokio`; embedded-io-adapters' `FromStd` is
//! blocking only), on tokio's single-thread runtime, against the simulator: pairing, a sale with events and the lookup by referenceId in plain TCP, then a sale
//! over TLS 1.3 (embedded-tls, the simulator's test CA as DER).
//!
//! `cargo run -p embedded-host` starts the simulator in this process; `--addr HOST:PORT
//! --tls-addr HOST:PORT --ca CA.pem` (the code is typed in) talks to one started by
//! `synqpay simulate --ca-out CA.pem` instead.
//!
//! The clock is tokio's: `wait_until` is `sleep_until`, racing each read as embassy's `Timer::at`
//! does on a firmware.

use embedded_io_adapters::tokio_1::FromTokio;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use synqpay_embedded::tls::{self, Verification};
use synqpay_embedded::{AsyncClient, AsyncClock, WholeRecords};
use synqpay_rpc::{ReferenceId, StartTransactionParams};
use synqpay_session::{Client, ClientBuffers, ClientConfig};
use synqpay_sim::{Simulator, SimulatorConfig, TestCa};
use tokio::net::TcpStream;
use tokio::time::{Duration, Instant};

/// tokio's monotonic clock, in milliseconds since `0`.
struct HostClock(Instant);

impl AsyncClock for HostClock {
    fn now_ms(&mut self) -> u64 {
        u64::try_from(self.0.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    async fn wait_until(&mut self, deadline_ms: u64) {
        tokio::time::sleep_until(self.0 + Duration::from_millis(deadline_ms)).await
    }
}

fn session() -> Client<Vec<u8>, 4> {
    let buffers = ClientBuffers {
        rx: vec![0; 4096],
        tx: vec![0; 1024],
        inbox: vec![0; 8192],
    };
    Client::new(
        ClientConfig::default(),
        buffers,
        synqpay_std::fresh_id_prefix(),
    )
}

type Failure = Box<dyn std::error::Error>;

/// A sale with its events printed, then the lookup by its referenceId.
async fn sale<T: embedded_io_async::Read + embedded_io_async::Write>(
    client: &mut AsyncClient<T, HostClock, Vec<u8>, 4>,
    reference: &str,
    amount: i64,
) -> Result<(), Failure>
where
    T::Error: std::fmt::Debug + 'static,
{
    let reference = ReferenceId::new(reference)?;
    let params = StartTransactionParams::sale(reference, synqpay_rpc::Amount::ils(amount));
    let mut on_event = |e: synqpay_rpc::TransactionEvent<'_>| {
        println!("  event: {}", e.event_type.name());
    };
    let charged = client
        .start_transaction(&params, &mut on_event, |r| r.is_charged())
        .await
        .map_err(|e| e.to_string())?;
    println!("  sale {}: charged {:?}", reference.as_str(), charged);
    if charged != Some(true) {
        return Err("the sale was not charged".into());
    }
    let status = client
        .lookup_transaction(reference, |r| {
            r.transaction
                .and_then(|t| t.transaction_status)
                .map(|s| s.name().to_string())
        })
        .await
        .map_err(|e| e.to_string())?;
    println!("  lookup {}: {:?}", reference.as_str(), status);
    Ok(())
}

struct Target {
    addr: String,
    tls_addr: String,
    ca_pem: String,
    serial_number: String,
}

fn target() -> Result<(Target, Option<Simulator>), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| {
        let at = args.iter().position(|a| a == name)?;
        args.get(at + 1).cloned()
    };
    if let (Some(addr), Some(tls_addr), Some(ca)) = (arg("--addr"), arg("--tls-addr"), arg("--ca"))
    {
        let target = Target {
            addr,
            tls_addr,
            ca_pem: std::fs::read_to_string(ca)?,
            serial_number: arg("--serial-number").unwrap_or_else(|| "244RKR528387".into()),
        };
        return Ok((target, None));
    }
    let ca = TestCa::generate()?;
    let config = SimulatorConfig::default();
    let serial_number = config.serial_number.clone();
    let sim = Simulator::start_with_tls("127.0.0.1:0", "127.0.0.1:0", config, &ca)?;
    let target = Target {
        addr: sim.addr().to_string(),
        tls_addr: sim.tls_addr().ok_or("no TLS port")?.to_string(),
        ca_pem: ca.ca_pem.clone(),
        serial_number,
    };
    Ok((target, Some(sim)))
}

/// The code on the device's screen, once `pair` has asked for it: the simulator's, or typed in.
fn code_on_screen(simulator: Option<&Simulator>) -> Option<String> {
    if let Some(sim) = simulator {
        return sim.pairing_code();
    }
    println!("code on the device's screen?");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).ok()?;
    Some(line.trim().to_string())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Failure> {
    let (target, simulator) = target()?;
    let started = Instant::now();

    println!("plain TCP to {}", target.addr);
    let socket = FromTokio::new(TcpStream::connect(&target.addr).await?);
    let mut client = AsyncClient::new(socket, HostClock(started), session());
    client
        .pair(&target.serial_number)
        .await
        .map_err(|e| e.to_string())?;
    let code = code_on_screen(simulator.as_ref()).ok_or("no code on the screen")?;
    let key = client
        .authenticate(&code)
        .await
        .map_err(|e| e.to_string())?;
    println!("  paired: key {key:?}");
    sale(&mut client, "host-plain-1", 1250).await?;

    println!(
        "TLS 1.3 to {} (CA verified, server name localhost)",
        target.tls_addr
    );
    let ca = CertificateDer::from_pem_slice(target.ca_pem.as_bytes())?;
    let tcp = FromTokio::new(TcpStream::connect(&target.tls_addr).await?);
    // Whole TLS records under embedded-tls, so the driver's timer can drop a read safely.
    let socket = Box::new(WholeRecords::new(tcp, vec![0u8; 16_640]));
    let (mut read_buf, mut write_buf) = (vec![0u8; 16_640], vec![0u8; 4096]);
    let verification = Verification::Ca {
        der: &ca,
        server_name: "localhost",
    };
    let rng = rand_core::OsRng;
    let stream = tls::connect(socket, &mut read_buf, &mut write_buf, verification, rng)
        .await
        .map_err(|e| format!("TLS handshake: {e:?}"))?;
    let mut client = AsyncClient::new(stream, HostClock(started), session().with_api_key(key));
    sale(&mut client, "host-tls-1", 2250).await?;

    // Verification is on: a device whose certificate another CA issued is refused.
    let other = TestCa::generate()?;
    let other = CertificateDer::from_pem_slice(other.ca_pem.as_bytes())?;
    let tcp = FromTokio::new(TcpStream::connect(&target.tls_addr).await?);
    let socket = Box::new(WholeRecords::new(tcp, vec![0u8; 16_640]));
    let verification = Verification::Ca {
        der: &other,
        server_name: "localhost",
    };
    let refused = tls::connect(socket, &mut read_buf, &mut write_buf, verification, rng).await;
    match refused {
        Err(e) => println!("  a certificate from another CA: refused ({e:?})"),
        Ok(_) => return Err("a certificate from another CA was accepted".into()),
    }

    // Skipping verification takes its name written out; for a bench only.
    let tcp = FromTokio::new(TcpStream::connect(&target.tls_addr).await?);
    let socket = Box::new(WholeRecords::new(tcp, vec![0u8; 16_640]));
    let verification = Verification::DangerousNoVerification;
    let stream = tls::connect(socket, &mut read_buf, &mut write_buf, verification, rng)
        .await
        .map_err(|e| format!("TLS handshake without verification: {e:?}"))?;
    let mut client = AsyncClient::new(stream, HostClock(started), session().with_api_key(key));
    let idle = client
        .status(|s| s.device_status.name().to_string())
        .await
        .map_err(|e| e.to_string())?;
    println!("  DangerousNoVerification: connected, device {idle}");

    if let Some(sim) = simulator {
        sim.stop();
    }
    println!("embedded-host: done");
    Ok(())
}
