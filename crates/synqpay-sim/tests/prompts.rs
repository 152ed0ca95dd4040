//! The screen methods go through READ_CARD and PROMPT and wait for the cardholder (issue 12;
//! spec/protocol.md §5, spec/api.md `readCard`, `userInput`, `cancel`): getStatus tells the
//! state, another screen method is 201 meanwhile, a `cancel` naming the `commandId` answers
//! CANCELED, the prompt's own `timeout` answers TIMEOUT.

use std::time::Duration;

use synqpay_rpc::{
    Cancel, CancelParams, DeviceStatus, GetStatus, InputType, NoParams, ReadCard, ReadCardParams,
    ScreenResult, Text, UserInput, UserInputParams,
};
use synqpay_session::decode_response;
use synqpay_sim::{Simulator, SimulatorConfig};

mod support;
use support::raw::Raw;

fn simulator(cardholder_ms: u64) -> Simulator {
    let config = SimulatorConfig {
        api_key: Some("1234abcd".parse().unwrap()),
        cardholder_ms,
        ..Default::default()
    };
    Simulator::start("127.0.0.1:0", config).unwrap()
}

fn read_card(command_id: &str) -> ReadCardParams<'_> {
    ReadCardParams {
        command_id: Text::new(command_id),
        title: None,
        body: None,
        timeout: None,
        cancelable: None,
        read_mag_card: Some(true),
        read_nfc_card: None,
    }
}

/// The answer to `id` among `answers`.
fn answer_of(answers: &[(synqpay_rpc::RequestId, String)], id: synqpay_rpc::RequestId) -> String {
    let (_, payload) = answers
        .iter()
        .find(|(i, _)| *i == id)
        .unwrap_or_else(|| panic!("no answer to {id:?} in {answers:?}"));
    payload.clone()
}

#[test]
fn read_card_waits_in_read_card_then_the_cardholder_answers() {
    let sim = simulator(400);
    let mut raw = Raw::connect(&sim);
    let now = raw.now();
    let read = raw
        .session
        .send::<ReadCard>(now, &read_card("rc-1"))
        .unwrap();
    raw.pump(Duration::from_millis(100));
    let now = raw.now();
    let status = raw.session.send::<GetStatus>(now, &NoParams).unwrap();
    let params = UserInputParams {
        command_id: Text::new("ui-1"),
        input_type: InputType::Numeric,
        title: None,
        body: None,
        timeout: None,
        cancelable: None,
        min_length: None,
        max_length: None,
        min_value: None,
        max_value: None,
    };
    let other = raw.session.send::<UserInput>(now, &params).unwrap();
    let answers = raw.pump(Duration::from_millis(100));
    let s = answer_of(&answers, status);
    let s = decode_response::<GetStatus>(s.as_bytes()).unwrap();
    assert_eq!(s.device_status, DeviceStatus::ReadCard);
    assert!(s.cancelable);
    let refused = answer_of(&answers, other);
    let e = decode_response::<UserInput>(refused.as_bytes()).unwrap_err();
    assert!(
        e.to_string().contains("201"),
        "a second prompt meanwhile: {e}"
    );
    assert!(answers.iter().all(|(i, _)| *i != read), "still waiting");
    // The cardholder presents the card.
    let answers = raw.pump(Duration::from_millis(500));
    let card = answer_of(&answers, read);
    let card: ScreenResult<'_> = decode_response::<ReadCard>(card.as_bytes()).unwrap();
    assert_eq!(card.result.to_string(), "OK");
    assert!(card.member("cardData").is_some());
}

#[test]
fn a_prompt_is_cancelled_by_its_command_id_and_times_out_by_its_timeout() {
    let sim = simulator(60_000);
    let mut raw = Raw::connect(&sim);
    let now = raw.now();
    let read = raw
        .session
        .send::<ReadCard>(now, &read_card("rc-2"))
        .unwrap();
    raw.pump(Duration::from_millis(50));
    let cancel = |id: &'static str| CancelParams {
        reference_id: Text::new(id),
    };
    let now = raw.now();
    let wrong = raw.session.send::<Cancel>(now, &cancel("rc-9")).unwrap();
    let answers = raw.pump(Duration::from_millis(100));
    let refused = answer_of(&answers, wrong);
    let e = decode_response::<Cancel>(refused.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("302"), "{e}");
    let now = raw.now();
    raw.session.send::<Cancel>(now, &cancel("rc-2")).unwrap();
    let answers = raw.pump(Duration::from_millis(100));
    let cancelled = answer_of(&answers, read);
    assert!(cancelled.contains("CANCELED"), "{cancelled}");

    // A prompt whose own timeout (1 s) comes before the cardholder (60 s): TIMEOUT.
    let params = ReadCardParams {
        timeout: Some(1),
        ..read_card("rc-3")
    };
    let now = raw.now();
    let read = raw.session.send::<ReadCard>(now, &params).unwrap();
    let answers = raw.pump(Duration::from_millis(1_300));
    let timed_out = answer_of(&answers, read);
    assert!(timed_out.contains("TIMEOUT"), "{timed_out}");
}
