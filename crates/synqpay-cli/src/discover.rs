//! `synqpay discover`: the devices that announce themselves on the LAN over mDNS
//! (`_synqpay._tcp.local.`, issue 13); and `synqpay simulate --advertise`, the simulator
//! announcing itself the same way. Text from the network is printed escaped, never raw.

use std::time::Duration;

use synqpay_sim::Simulator;
use synqpay_sim::advertise::Advertisement;
use synqpay_std::discovery::{self, Discovered, Transport};

use crate::args::OutputArgs;

/// The name the simulator announces (TXT `name`).
const SIMULATOR_NAME: &str = "Synqpay simulator";

/// Browses for `timeout_secs` seconds (on `interface` alone, if given) and prints one line per
/// device: serial number, addresses, port, transport, name; or, with `--json`, one JSON array
/// of them (empty when none announced itself).
pub fn run(timeout_secs: u64, interface: Option<&str>, output: OutputArgs) -> Result<(), String> {
    let timeout = Duration::from_secs(timeout_secs);
    let found = match interface {
        Some(name) => discovery::discover_on(name, timeout),
        None => discovery::discover(timeout),
    }
    .map_err(|e| format!("discover: {e}"))?;
    if output.json {
        println!("{}", crate::output::json(&as_json(&found)));
        return Ok(());
    }
    if found.is_empty() {
        eprintln!("no device announced itself within {timeout_secs} s");
        return Ok(());
    }
    print!("{}", table(&found));
    Ok(())
}

/// The devices for scripts: the text as announced (within its bound), in JSON strings, which
/// [`crate::output::json`] prints escaped.
fn as_json(found: &[Discovered]) -> serde_json::Value {
    let devices: Vec<serde_json::Value> = found
        .iter()
        .map(|device| {
            serde_json::json!({
                "serialNumber": device.serial_number.as_str(),
                "addresses": device.addresses,
                "port": device.port,
                "transport": device.transport.to_string(),
                "name": device.name.as_str(),
            })
        })
        .collect();
    serde_json::Value::Array(devices)
}

/// The devices as aligned columns, a header first; every cell from the network escaped.
fn table(found: &[Discovered]) -> String {
    let mut rows = vec![[
        "SERIAL NUMBER".to_string(),
        "ADDRESS".to_string(),
        "PORT".to_string(),
        "TRANSPORT".to_string(),
        "NAME".to_string(),
    ]];
    for device in found {
        let addresses: Vec<String> = device.addresses.iter().map(|ip| ip.to_string()).collect();
        rows.push([
            device.serial_number.to_string(),
            addresses.join(","),
            device.port.to_string(),
            device.transport.to_string(),
            device.name.to_string(),
        ]);
    }
    let mut widths = [0; 4];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (width, cell) in widths.iter().zip(row) {
            line.push_str(&format!("{cell:<width$}  "));
        }
        line.push_str(&row[4]);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Announces `sim` as `serial_number`: its TLS listener when it has one, its TCP one otherwise.
/// The announcement lasts as long as the value returned.
pub fn advertise(sim: &Simulator, serial_number: &str) -> Result<Advertisement, String> {
    let transport = if sim.tls_addr().is_some() {
        Transport::Tls
    } else {
        Transport::Tcp
    };
    let shown = transport.to_string();
    let advertisement = sim
        .advertise(transport, serial_number, SIMULATOR_NAME)
        .map_err(|e| format!("--advertise: {e}"))?;
    let state = if advertisement.announced() {
        "announced"
    } else {
        "announcing (nothing sent yet: no interface holds the address?)"
    };
    println!(
        "simulator {state} over mDNS as {} ({shown} on {})",
        advertisement.fullname(),
        advertisement.addr()
    );
    Ok(advertisement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_escapes_what_devices_send() {
        let device = Discovered::from_announcement(
            "SN\x1b[2J1._synqpay._tcp.local.",
            9000,
            ["10.231.0.2".parse().unwrap()],
            Some(b"tcp"),
            Some(b"desk\x07\r"),
        )
        .unwrap();
        let text = table(&[device]);
        assert!(!text.contains('\x1b') && !text.contains('\x07') && !text.contains('\r'));
        assert_eq!(
            text,
            "SERIAL NUMBER  ADDRESS     PORT  TRANSPORT  NAME\n\
             SN\\u{1b}[2J1   10.231.0.2  9000  tcp        desk\\u{7}\\r\n"
        );
    }
}
