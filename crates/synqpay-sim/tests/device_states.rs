//! The device states a request cannot reach by itself and the errors that go with them
//! (spec/protocol.md §5: SCREEN_OFF, SCREEN_BUSY, SETTLEMENT, UPLOAD_LOGS, SYSTEM; §4: 202
//! ScreenNotReady, 203 InsufficientBattery, 301 HostNotReady), set as a tester would with a
//! device in hand (`Simulator::set_conditions`) or by the jobs that run in them.

#[path = "conformance/mod.rs"]
mod conformance;
use conformance::*;
use synqpay_sim::{Conditions, Host, Power, Screen};

fn wait_for(sim: &Simulator, conditions: Conditions) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while sim.conditions() != conditions && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(sim.conditions(), conditions);
}

fn code_of(r: Result<synqpay_std::Reply, Error>) -> Option<i64> {
    r.err().as_ref().and_then(rpc_code)
}

#[test]
fn a_screen_off_or_busy_is_reported_and_refuses_what_needs_it_with_202() -> TestResult {
    let (sim, mut client) = start(paired(20))?;
    let off = Conditions {
        screen: Screen::Off,
        ..Conditions::default()
    };
    sim.set_conditions(off);
    wait_for(&sim, off);
    assert_eq!(device_status(&mut client)?, "SCREEN_OFF");
    let sale = sale("screen-1", 1000).to_string();
    assert_eq!(
        code_of(client.call_raw("startTransaction", Some(&sale))),
        Some(202)
    );
    let prompt = json!({"commandId": "c1", "readMagCard": true}).to_string();
    assert_eq!(
        code_of(client.call_raw("readCard", Some(&prompt))),
        Some(202)
    );
    // What does not need the screen still runs: a lookup finds nothing (302), not 202.
    let last = json!({"lookupMethod": "LAST_TRANS"}).to_string();
    assert_eq!(
        code_of(client.call_raw("getTransaction", Some(&last))),
        Some(302)
    );

    let busy = Conditions {
        screen: Screen::Busy,
        ..off
    };
    sim.set_conditions(busy);
    wait_for(&sim, busy);
    assert_eq!(device_status(&mut client)?, "SCREEN_BUSY");

    sim.set_conditions(Conditions::default());
    wait_for(&sim, Conditions::default());
    assert_eq!(device_status(&mut client)?, "IDLE");
    // The refused sale left nothing behind: its referenceId is free.
    let done = transact(&mut client, serde_json::from_str(&sale)?)?;
    assert_eq!(status_of(&done), Some("CAPTURED"), "{done}");
    Ok(())
}

#[test]
fn a_low_battery_refuses_payments_and_settlement_with_203_unless_charging() -> TestResult {
    let (sim, mut client) = start(paired(20))?;
    let low = Conditions {
        battery: 5,
        power: Power::Battery,
        ..Conditions::default()
    };
    sim.set_conditions(low);
    wait_for(&sim, low);
    let sale = sale("battery-1", 1000);
    assert_eq!(
        transact(&mut client, sale.clone())
            .err()
            .as_ref()
            .and_then(rpc_code),
        Some(203)
    );
    let settle = json!({"host": "SHVA"}).to_string();
    assert_eq!(
        code_of(client.call_raw("settlement", Some(&settle))),
        Some(203)
    );
    assert_eq!(device_status(&mut client)?, "IDLE");

    let charging = Conditions {
        power: Power::Charging,
        ..low
    };
    sim.set_conditions(charging);
    wait_for(&sim, charging);
    assert_eq!(status_of(&transact(&mut client, sale)?), Some("CAPTURED"));
    Ok(())
}

#[test]
fn an_unreachable_host_refuses_payments_with_301_and_the_terminal_says_not_ready() -> TestResult {
    let (sim, mut client) = start(paired(20))?;
    let down = Conditions {
        host: Host::NotReady,
        ..Conditions::default()
    };
    sim.set_conditions(down);
    wait_for(&sim, down);
    let sale = sale("host-1", 1000);
    assert_eq!(
        transact(&mut client, sale)
            .err()
            .as_ref()
            .and_then(rpc_code),
        Some(301)
    );
    let terminal = result_of(&client.call_raw("getTerminalStatus", None)?);
    assert_eq!(terminal["terminalStatus"], "NOT_READY", "{terminal}");
    Ok(())
}

/// Sends `method` on a raw connection, then asks getStatus while it runs; returns that status
/// and the job's answer.
fn status_during(
    sim: &Simulator,
    method: &str,
    params: Value,
) -> Result<(Value, Value), Box<dyn std::error::Error>> {
    let mut raw = Raw::connect(sim)?;
    let mut events = Vec::new();
    raw.send_json(&call(method, "job-1", params))?;
    std::thread::sleep(Duration::from_millis(100));
    raw.send_json(&call("getStatus", "st-1", Value::Null))?;
    let during = raw.response(&json!("st-1"), &mut events)?;
    raw.send_json(&call(
        "startTransaction",
        "sale-1",
        sale("during-job", 1000),
    ))?;
    let refused = raw.response(&json!("sale-1"), &mut events)?;
    assert_eq!(refused["error"]["code"], 201, "{refused}");
    let answer = raw.response(&json!("job-1"), &mut events)?;
    raw.send_json(&call("getStatus", "st-2", Value::Null))?;
    let after = raw.response(&json!("st-2"), &mut events)?;
    assert_eq!(after["result"]["deviceStatus"], "IDLE", "{after}");
    Ok((during, answer))
}

fn slow_jobs() -> SimulatorConfig {
    SimulatorConfig {
        job_ms: 800,
        ..paired(20)
    }
}

#[test]
fn a_settlement_runs_in_settlement_and_is_answered_when_done() -> TestResult {
    let sim = Simulator::start("127.0.0.1:0", slow_jobs())?;
    let (during, answer) = status_during(&sim, "settlement", json!({"host": "SHVA"}))?;
    assert_eq!(during["result"]["deviceStatus"], "SETTLEMENT", "{during}");
    assert_eq!(answer["result"]["result"], "OK", "{answer}");
    assert_eq!(
        answer["result"]["settlement"]["batchNo"], "0001",
        "{answer}"
    );
    Ok(())
}

#[test]
fn an_upload_of_logs_runs_in_upload_logs() -> TestResult {
    let sim = Simulator::start("127.0.0.1:0", slow_jobs())?;
    let (during, answer) = status_during(&sim, "uploadLogs", Value::Null)?;
    assert_eq!(during["result"]["deviceStatus"], "UPLOAD_LOGS", "{during}");
    assert!(
        answer.get("result").is_some() && answer.get("error").is_none(),
        "{answer}"
    );
    Ok(())
}

#[test]
fn a_reboot_is_answered_then_the_device_is_in_system_and_comes_back_idle() -> TestResult {
    let config = SimulatorConfig {
        reboot_ms: 1_000,
        ..paired(20)
    };
    let sim = Simulator::start("127.0.0.1:0", config)?;
    let mut raw = Raw::connect(&sim)?;
    let mut events = Vec::new();
    raw.send_json(&call("reboot", "rb-1", Value::Null))?;
    let answer = raw.response(&json!("rb-1"), &mut events)?;
    assert!(answer.get("error").is_none(), "{answer}");
    // The device goes down: the connection closes.
    assert!(
        raw.read_frame().is_err(),
        "the connection must close on a reboot"
    );

    let mut raw = Raw::connect(&sim)?;
    raw.send_json(&call("getStatus", "st-1", Value::Null))?;
    let during = raw.response(&json!("st-1"), &mut events)?;
    assert_eq!(during["result"]["deviceStatus"], "SYSTEM", "{during}");
    raw.send_json(&call(
        "startTransaction",
        "sale-1",
        sale("during-reboot", 1000),
    ))?;
    let refused = raw.response(&json!("sale-1"), &mut events)?;
    assert_eq!(refused["error"]["code"], 201, "{refused}");

    std::thread::sleep(Duration::from_millis(1_100));
    raw.send_json(&call("getStatus", "st-2", Value::Null))?;
    let after = raw.response(&json!("st-2"), &mut events)?;
    assert_eq!(after["result"]["deviceStatus"], "IDLE", "{after}");
    Ok(())
}
