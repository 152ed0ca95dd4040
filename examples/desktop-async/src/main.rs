//! A tokio point-of-sale app against the simulator: pair, a sale with a cancel button
//! (`tokio::select!` between the sale and the button: a timer here, or Ctrl-C), then the lookup
//! a POS makes before it trusts an outcome (spec/protocol.md §6).

use std::time::Duration;

use synqpay_sim::{Simulator, SimulatorConfig};
use synqpay_std::asynch::Client;
use synqpay_std::{Amount, ClientConfig, Error, ReferenceId, RpcErrorCode, StartTransactionParams};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A device whose card never comes (an amount ending in 03 waits for it): only a cancel ends it.
    let config = SimulatorConfig {
        step_ms: 20,
        card_wait_ms: 10_000,
        ..Default::default()
    };
    let sim = Simulator::start("127.0.0.1:0", config)?;
    let client = Client::connect(sim.addr(), ClientConfig::default()).await?;

    // Pairing: the code appears on the device's screen.
    client.pair("244RKR528387").await?;
    let code = sim.pairing_code().ok_or("no pairing code on the screen")?;
    let _key = client.authenticate(&code).await?; // kept: the next session starts with_api_key
    println!("paired");

    let reference = ReferenceId::new("desktop-async-1")?;
    let params = StartTransactionParams::sale(reference, Amount::ils(2003));
    let sale = client.start_transaction(&params, |event| println!("  {event}"));
    tokio::pin!(sale);
    // The sale's future is kept (`&mut sale`): dropping it would leave the sale running.
    let answer = tokio::select! {
        answer = &mut sale => answer?,
        () = cancel_button() => {
            println!("cancel pressed");
            client.canceller().cancel();
            sale.await?
        }
    };
    let outcome = answer.result()?.result.to_string();
    println!("sale: {outcome}");
    if outcome != "CANCELED" {
        return Err(format!("expected CANCELED, got {outcome}").into());
    }

    // The lookup: a cancelled sale never ran, so the device knows no such transaction (302).
    match client.lookup_transaction(reference).await {
        Err(Error::Rpc {
            code: RpcErrorCode::TransactionNotFound,
            ..
        }) => println!("lookup: no such transaction, nothing charged"),
        Ok(found) => return Err(format!("found {}", found.result_json()?).into()),
        Err(e) => return Err(e.into()),
    }
    println!("desktop-async: ok");
    Ok(())
}

/// The cashier's cancel button: pressed after half a second here, or Ctrl-C.
async fn cancel_button() {
    tokio::select! {
        () = tokio::time::sleep(Duration::from_millis(500)) => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
