//! A notification that comes while a call that takes no events waits (a `getStatus` asked while
//! the device still reports a sale) is kept for `Client::events`, never dropped (spec/api.md
//! "Event"). The device is scripted byte by byte (`support/fake_device.rs`).

#[path = "support/fake_device.rs"]
#[allow(dead_code)] // each test file uses a part
mod fake_device;

use std::io::Write;

use fake_device::{FakeDevice, frame};
use synqpay_std::{Client, ClientConfig, EventType, GetStatus, NoParams};

#[test]
fn an_event_during_a_query_is_kept_for_events() {
    let device = FakeDevice::start(|mut conn| {
        while !conn.stopped() {
            let Some(id) = conn.next_request_id() else {
                continue;
            };
            let event = br#"{"jsonrpc":"2.0","method":"transactionEvent","params":{"type":"CARD_DETECTED"}}"#;
            let answer = format!(
                r#"{{"jsonrpc":"2.0","id":"{id}","result":{{"deviceStatus":"TRANSACTION","cancelable":true}}}}"#
            );
            let mut bytes = frame(3, event);
            bytes.extend(frame(2, answer.as_bytes()));
            let _ = conn.stream.write_all(&bytes);
        }
    });
    let mut client = Client::connect(device.addr, ClientConfig::default())
        .unwrap()
        .with_api_key("1234abcd".parse().unwrap());
    let status = client.call::<GetStatus>(&NoParams).unwrap();
    assert_eq!(
        status.result().unwrap().device_status,
        synqpay_std::DeviceStatus::Transaction
    );
    let events = client.events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].event_type(), Some(EventType::CardDetected));
}
