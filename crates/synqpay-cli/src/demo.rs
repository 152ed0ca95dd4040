//! `synqpay demo`: the simulator in-process, and a client that walks pairing, device info, a
//! sale with its events, and the lookup of that sale, narrating each step.

use synqpay_rpc::{GetDeviceInfo, NoParams, ReferenceId, StartTransactionParams};
use synqpay_sim::{Simulator, SimulatorConfig};
use synqpay_std::{Client, ClientConfig};

/// Whether the card was charged, in words (unknown: look it up, spec/protocol.md §6).
fn charged(charged: Option<bool>) -> &'static str {
    match charged {
        Some(true) => "charged",
        Some(false) => "not charged",
        None => "unknown: look it up",
    }
}

fn step(n: u32, what: &str) {
    println!("\n{n}. {what}");
}

/// Runs the demo; an error names the step that failed.
pub fn run() -> Result<(), String> {
    let e = |what: &'static str| move |err: synqpay_std::Error| format!("{what}: {err}");
    let serial = "244RKR528387";
    let sim = Simulator::start(
        "127.0.0.1:0",
        SimulatorConfig {
            serial_number: serial.into(),
            step_ms: 250,
            ..Default::default()
        },
    )
    .map_err(|err| format!("starting the simulator: {err}"))?;
    println!(
        "Synqpay demo: a simulated device listens on {} (TCP, the link layer of spec/protocol.md §1).",
        sim.addr()
    );

    step(
        1,
        "Connect, and pair: `pair` with the serial number, the device shows a code for 30 s",
    );
    let mut client = Client::connect(sim.addr(), ClientConfig::default()).map_err(e("connect"))?;
    client.pair(serial).map_err(e("pair"))?;
    let code = sim
        .pairing_code()
        .ok_or("the device shows no pairing code")?;
    println!("   the cashier reads the code on the device's screen: {code}");

    step(
        2,
        "Authenticate with the code: the device returns the API key every request carries",
    );
    let key = client.authenticate(&code).map_err(e("authenticate"))?;
    let _ = key; // a secret: an app stores it, never prints it
    println!("   paired: the device handed over the API key (stored by the app, never shown)");

    step(3, "getDeviceInfo");
    let reply = client
        .call::<GetDeviceInfo>(&NoParams)
        .map_err(e("getDeviceInfo"))?;
    let info = reply.result().map_err(e("getDeviceInfo"))?;
    // Device text, shown escaped.
    let show = |t: Option<synqpay_rpc::Text<'_>>| {
        t.map_or("?".to_string(), |t| {
            synqpay_std::text::untrusted(&t.to_string()).to_string()
        })
    };
    println!(
        "   {} {} serial {} app {}",
        show(info.brand),
        show(info.model),
        show(info.serial_number),
        show(info.app_version)
    );

    step(
        4,
        "A sale of 125.50 ILS with referenceId demo-1001, events on",
    );
    let reference = ReferenceId::new("demo-1001").map_err(|err| err.to_string())?;
    let mut on_event = |event: &synqpay_std::Event| println!("   event: {event}");
    let reply = client
        .start_transaction(
            &StartTransactionParams::sale(reference, synqpay_rpc::Amount::ils(12550)),
            &mut on_event,
        )
        .map_err(e("startTransaction"))?;
    let result = reply.result().map_err(e("startTransaction"))?;
    let t = result
        .transaction
        .as_ref()
        .ok_or("the sale came back without a transaction")?;
    println!(
        "   result {}, transactionStatus {}: {}, card {} {}",
        result.result,
        t.transaction_status.map_or("?".into(), |s| s.to_string()),
        charged(result.is_charged()),
        show(t.card_name),
        show(t.masked_pan)
    );
    if let Some(receipt) = t.card_holder_receipt {
        for line in receipt.fields().flatten() {
            println!(
                "   receipt | {} {}",
                show(Some(line.key)),
                line.value.map_or(String::new(), |v| show(Some(v)))
            );
        }
    }

    step(
        5,
        "Look the sale up by its referenceId: how an app recovers a sale whose answer was lost",
    );
    let reply = client
        .lookup_transaction(reference)
        .map_err(e("getTransaction"))?;
    let found = reply.result().map_err(e("getTransaction"))?;
    let t = found.transaction.ok_or("the lookup found no transaction")?;
    println!(
        "   found {} amount {} status {}: {}",
        show(t.reference_id),
        synqpay_std::Amount::new(
            t.amount.unwrap_or(0),
            synqpay_std::Currency::from_number(t.currency.unwrap_or(0))
        ),
        t.transaction_status.map_or("?".into(), |s| s.to_string()),
        charged(t.is_charged())
    );
    if t.is_charged() != Some(true) {
        return Err("the lookup does not show the sale as charged".into());
    }
    sim.stop();
    println!("\nDemo complete.");
    Ok(())
}
