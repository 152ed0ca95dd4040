//! `synqpay proxy`: a client forwarded to the device through line faults injected at chosen
//! frames (`synqpay_sim::noise`), with a line of what passed each time it changes.

use std::time::Duration;

use synqpay_sim::noise::{Faults, NoiseProxy, Report};

/// The faults to inject, from the command line.
pub struct Options {
    pub host: String,
    pub listen: String,
    pub faults: Faults,
    pub pcap: Option<std::path::PathBuf>,
}

/// Runs the proxy until interrupted.
pub fn run(options: Options) -> Result<(), String> {
    let upstream = std::net::ToSocketAddrs::to_socket_addrs(&options.host)
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| format!("--host {}: no address", options.host))?;
    let listen = &options.listen;
    let proxy = match &options.pcap {
        Some(file) => NoiseProxy::start_recording(listen, upstream, options.faults, file),
        None => NoiseProxy::start(listen, upstream, options.faults),
    }
    .map_err(|e| format!("listen on {listen}: {e}"))?;
    println!("proxy listening on {}", proxy.addr());
    let mut shown = Report::default();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let now = proxy.report();
        if now != shown {
            println!("{}", sentence(&now));
            shown = now;
        }
    }
}

/// What passed, as a line for people.
fn sentence(r: &Report) -> String {
    format!(
        "passed: {} requests ({} sales), {} responses, {} link error frames; injected: {} bits flipped, {} bytes lost{}",
        r.requests,
        r.sales,
        r.responses,
        r.error_frames,
        r.flipped,
        r.dropped,
        if r.cut { ", the cable pulled" } else { "" }
    )
}
