//! Scenarios (`synqpay_sim::Scenario`, ours): the shipped examples read, and each kind of rule
//! does what it says, seen through the public client.

#[path = "conformance/mod.rs"]
mod conformance;
use conformance::*;
use synqpay_sim::Scenario;

fn with_scenario(toml: &str) -> Result<(Simulator, Client), Box<dyn std::error::Error>> {
    let config = SimulatorConfig {
        scenario: Scenario::from_toml(toml)?,
        reboot_ms: 300,
        ..paired(20)
    };
    let sim = Simulator::start("127.0.0.1:0", config)?;
    // A payment whose answer never comes ends at the transaction deadline: 3 s here.
    let client_config = ClientConfig {
        transaction_timeout_ms: 3_000,
        ..ClientConfig::default()
    };
    let client = Client::connect(sim.addr(), client_config)?.with_api_key(KEY_TEXT.parse()?);
    Ok((sim, client))
}

/// Whether `r` is what the client says of a payment whose answer was lost: the outcome is
/// unknown, look the referenceId up (`Timeout` or `OutcomeUnknown`, both with it).
fn lost(r: &Result<Value, Error>, reference: &str) -> bool {
    match r {
        Err(Error::Timeout { reference_id } | Error::OutcomeUnknown { reference_id, .. }) => {
            reference_id.as_deref() == Some(reference)
        }
        _ => false,
    }
}

#[test]
fn the_shipped_scenarios_read() -> TestResult {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut read = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let text = std::fs::read_to_string(&path)?;
        let scenario =
            Scenario::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        assert!(
            !scenario.payments.is_empty() || !scenario.changes.is_empty(),
            "{}",
            path.display()
        );
        read += 1;
    }
    assert!(read >= 3, "{read} scenarios in {dir}");
    Ok(())
}

#[test]
fn a_rule_by_reference_decides_whatever_the_amount() -> TestResult {
    let (_sim, mut client) =
        with_scenario("[[payment]]\nreference_id = \"ORDER-1001\"\noutcome = \"decline\"\n")?;
    let declined = transact(&mut client, sale("ORDER-1001", 1000))?;
    assert_eq!(status_of(&declined), Some("DECLINED"), "{declined}");
    // Without a rule the amount decides (1000: approved).
    let approved = transact(&mut client, sale("ORDER-1002", 1000))?;
    assert_eq!(status_of(&approved), Some("CAPTURED"), "{approved}");
    Ok(())
}

#[test]
fn a_rule_by_amount_gives_its_events_in_order() -> TestResult {
    let (_sim, mut client) = with_scenario(
        "[[payment]]\namount = 777\nevents = [\"TIP_SELECTION\", \"COMBINED_CARD\", \"AUTHORIZATION_STARTED\"]\n",
    )?;
    let reference = ReferenceId::new("EV-1")?;
    let params = StartTransactionParams {
        notify_events: Some(true),
        ..StartTransactionParams::sale(reference, synqpay_rpc::Amount::ils(777))
    };
    let mut events = Vec::new();
    let reply = client.start_transaction(&params, &mut |e| events.push(e.to_string()))?;
    let done = result_of(&reply);
    assert_eq!(status_of(&done), Some("CAPTURED"), "{done}");
    assert_eq!(
        events,
        ["TIP_SELECTION", "COMBINED_CARD", "AUTHORIZATION_STARTED"]
    );
    Ok(())
}

#[test]
fn a_stop_for_update_waits_for_continue() -> TestResult {
    let (_sim, mut client) =
        with_scenario("[[payment]]\nreference_id = \"UP-1\"\nstop = \"update\"\n")?;
    let stopped = transact(&mut client, sale("UP-1", 1000))?;
    assert_eq!(stopped["commandStatus"], "UPDATE", "{stopped}");
    assert_eq!(device_status(&mut client)?, "WAITING_CONTINUE_TRANSACTION");
    let reply = client.call_raw(
        "continueTransaction",
        Some(&json!({"newAmount": 900}).to_string()),
    )?;
    let done = result_of(&reply);
    assert_eq!(status_of(&done), Some("CAPTURED"), "{done}");
    assert_eq!(done["transaction"]["amount"], 900, "{done}");
    Ok(())
}

#[test]
fn a_reboot_after_the_host_approved_leaves_the_outcome_unknown_and_the_lookup_charged() -> TestResult
{
    let (_sim, mut client) = with_scenario(
        "[[payment]]\nreference_id = \"REBOOT-1\"\nreboot_at = \"AUTHORIZATION_STARTED\"\n",
    )?;
    let r = transact(&mut client, sale("REBOOT-1", 1000));
    assert!(
        lost(&r, "REBOOT-1"),
        "a reboot mid-sale leaves the outcome unknown: {r:?}"
    );
    // Back from the reboot, the lookup says what the host recorded.
    let found = lookup_when_back(&mut client, "REBOOT-1")?;
    assert_eq!(status_of(&found), Some("CAPTURED"), "{found}");
    Ok(())
}

#[test]
fn a_reboot_before_the_card_charges_nothing() -> TestResult {
    let (_sim, mut client) =
        with_scenario("[[payment]]\nreference_id = \"REBOOT-2\"\nreboot_at = \"CARD_DETECTED\"\n")?;
    let r = transact(&mut client, sale("REBOOT-2", 1000));
    assert!(lost(&r, "REBOOT-2"), "{r:?}");
    let found = lookup_when_back(&mut client, "REBOOT-2");
    assert_eq!(found.err().as_ref().and_then(rpc_code), Some(302));
    Ok(())
}

#[test]
fn a_dropped_connection_mid_sale_leaves_it_running_to_its_end() -> TestResult {
    let (sim, mut client) = with_scenario(
        "[[payment]]\nreference_id = \"DROP-1\"\ndisconnect_at = \"CARD_DETECTED\"\n",
    )?;
    // The client opens a new connection and waits on: the device, which knows the client
    // by its address, answers it there (spec/protocol.md §2), or the answer is lost.
    let r = transact(&mut client, sale("DROP-1", 1000));
    match &r {
        Ok(done) => assert_eq!(status_of(done), Some("CAPTURED"), "{done}"),
        Err(_) => assert!(lost(&r, "DROP-1"), "{r:?}"),
    }
    assert!(sim.screen().contains("DROP-1"), "{}", sim.screen());
    let found = lookup(&mut client, "DROP-1")?;
    assert_eq!(status_of(&found), Some("CAPTURED"), "{found}");
    Ok(())
}

#[test]
fn changes_come_at_their_time() -> TestResult {
    let (_sim, mut client) = with_scenario(
        "[device]\nscreen = \"busy\"\n[[change]]\nafter_ms = 300\nscreen = \"off\"\n",
    )?;
    assert_eq!(device_status(&mut client)?, "SCREEN_BUSY");
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(device_status(&mut client)?, "SCREEN_OFF");
    Ok(())
}
