//! Money truth under faults (issue 11): the outcome the client reports is the one the device
//! recorded, or it is reported unknown with the referenceId (spec/protocol.md §1 fence rule, §2
//! cached responses, §6 money safety). The device's answers here are written by hand, frame by
//! frame, where the scripted terminal of `common` would agree with the client by construction.

mod common;

use common::*;
use synqpay_link::{ErrorCode, Frame};
use synqpay_rpc::{
    GetStatus, IdPrefix, NoParams, ReferenceId, RequestId, StartTransaction, StartTransactionParams,
};
use synqpay_session::{ClientConfig, Connected, Delivery, Failure};

type Client = synqpay_session::Client<Vec<u8>, 4>;

fn connected() -> (Client, Terminal) {
    let mut c = client(ClientConfig::default()).with_api_key(KEY);
    let mut d = device();
    assert_eq!(c.connect(0), Connected::Fresh);
    d.connect(0, A);
    (c, d)
}

fn sale(reference: &str, amount: i64) -> StartTransactionParams<'_> {
    StartTransactionParams::sale(
        ReferenceId::new(reference).unwrap(),
        synqpay_rpc::Amount::ils(amount),
    )
}

/// A device frame carrying `payload`.
fn frame(f: Frame<'_>) -> Vec<u8> {
    let mut out = vec![0u8; f.encoded_len()];
    let n = f.encode(&mut out).unwrap();
    out.truncate(n);
    out
}

/// The JSON-RPC answer to `id_text` with a transaction for `reference` and `amount`.
fn answer(id_text: &str, reference: &str, amount: i64) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":"{id_text}","result":{{"result":"OK","transaction":{{"transactionStatus":"CAPTURED","referenceId":"{reference}","amount":{amount}}}}}}}"#
    )
}

/// The device's Response frame carrying `json`, read by the client at `now`.
fn answered(now: u64, c: &mut Client, json: &str) {
    c.handle_input(
        now,
        &frame(Frame::Response {
            payload: json.as_bytes(),
        }),
    );
}

/// A CRC_ERROR frame at `now`, before any ACK: request `id` ends with its outcome unknown and
/// `reference` to look up (spec/protocol.md §1).
fn error_frame_leaves_it_unknown(now: u64, c: &mut Client, id: RequestId, reference: &str) {
    c.handle_input(now, &frame(Frame::Error(ErrorCode::CrcError)));
    assert_eq!(
        events(c),
        [Seen::Failed(
            id.0,
            Failure::Link(ErrorCode::CrcError),
            Some(reference.into())
        )]
    );
}

/// The id text of the request the client just wrote (read from its own transmit queue).
fn last_id_text(c: &Client) -> String {
    let bytes = c.poll_transmit().unwrap();
    let text = String::from_utf8_lossy(bytes);
    let start = text.find("\"id\":\"").unwrap() + 6;
    text[start..start + text[start..].find('"').unwrap()].to_string()
}

#[test]
fn a_new_process_never_takes_the_previous_ones_sale_for_its_own() {
    // Finding 1: process one starts sale A and is killed; the device caches A's answer and
    // replays it to the next client from the same address (spec §2): process two, whose ids
    // also start at 1.
    let (mut one, mut d) = connected();
    one.start_transaction(0, &sale("A", 12550)).unwrap();
    exchange(0, &mut one, &mut d);
    d.disconnect(500);
    assert_eq!(d.finish_sale(500), Delivery::Cached);

    let mut two =
        client_with_prefix(ClientConfig::default(), IdPrefix(0x0bad_cafe)).with_api_key(KEY);
    two.connect(1_000);
    d.connect(1_000, A);
    let b = two.start_transaction(1_000, &sale("B", 1001)).unwrap();
    exchange(1_000, &mut two, &mut d);
    let seen = events(&mut two);
    assert!(
        matches!(&seen[..], [Seen::Unsolicited(p)] if p.contains("\"A\"")),
        "A's answer is nobody's here: {seen:?}"
    );
    assert_eq!(two.stats().0.unsolicited, 1);
    // B is still waiting for its own answer, which is B's.
    assert_eq!(two.outstanding(), 1);
    d.finish_sale(1_000);
    device_to_client(1_001, &mut d, &mut two, usize::MAX);
    let seen = events(&mut two);
    let [Seen::Response(id, payload)] = &seen[..] else {
        panic!("{seen:?}")
    };
    assert_eq!(*id, b.0);
    let t = output_of::<StartTransaction>(payload).transaction.unwrap();
    assert_eq!(t.reference_id.unwrap(), "B");
}

#[test]
fn an_answer_naming_another_sale_is_never_this_sales_outcome() {
    // Finding 2: a charged result for another referenceId, or another amount.
    for (reference, amount) in [("other", 1001), ("mine", 999_999)] {
        let (mut c, mut d) = connected();
        let id = c.start_transaction(0, &sale("mine", 1001)).unwrap();
        let id_text = last_id_text(&c);
        client_to_device(0, &mut c, &mut d, usize::MAX);
        let json = answer(&id_text, reference, amount);
        answered(1, &mut c, &json);
        let seen = events(&mut c);
        assert_eq!(
            seen,
            [Seen::Failed(id.0, Failure::Mismatch, Some("mine".into()))],
            "{reference} {amount}"
        );
        assert!(Failure::Mismatch.outcome_unknown());
    }
}

#[test]
fn a_lookup_that_finds_another_transaction_is_a_mismatch() {
    let (mut c, mut d) = connected();
    let id = c
        .lookup_transaction(0, ReferenceId::new("mine").unwrap())
        .unwrap();
    let id_text = last_id_text(&c);
    client_to_device(0, &mut c, &mut d, usize::MAX);
    let json = format!(
        r#"{{"jsonrpc":"2.0","id":"{id_text}","result":{{"transactionResult":"OK","transaction":{{"transactionStatus":"CAPTURED","referenceId":"theirs","amount":5}}}}}}"#
    );
    answered(1, &mut c, &json);
    assert_eq!(
        events(&mut c),
        [Seen::Failed(id.0, Failure::Mismatch, None)]
    );
}

#[test]
fn an_unreadable_money_member_is_an_unknown_outcome_never_a_decline() {
    let (mut c, mut d) = connected();
    let id = c.start_transaction(0, &sale("mine", 1001)).unwrap();
    let id_text = last_id_text(&c);
    client_to_device(0, &mut c, &mut d, usize::MAX);
    let json = format!(
        r#"{{"jsonrpc":"2.0","id":"{id_text}","result":{{"result":"OK","transaction":{{"transactionStatus":"CAPTURED","referenceId":"mine","amount":"10.01"}}}}}}"#
    );
    answered(1, &mut c, &json);
    assert_eq!(
        events(&mut c),
        [Seen::Failed(
            id.0,
            Failure::Undecodable,
            Some("mine".into())
        )]
    );
}

#[test]
fn a_query_to_a_silent_device_fails_at_the_request_deadline() {
    // Finding 4: every method was long-running (120 s).
    let config = ClientConfig::default();
    let (mut c, mut d) = connected();
    let typed = c.send::<GetStatus>(0, &NoParams).unwrap();
    let raw = c.send_raw(0, "getStatus", None).unwrap();
    client_to_device(0, &mut c, &mut d, usize::MAX);
    assert_eq!(c.poll_timeout(), Some(config.request_timeout_ms));
    c.handle_timeout(config.request_timeout_ms);
    assert_eq!(
        events(&mut c),
        [
            Seen::Failed(typed.0, Failure::Timeout, None),
            Seen::Failed(raw.0, Failure::Timeout, None)
        ]
    );
}

#[test]
fn events_forever_end_at_the_ceiling_and_extend_only_transactions() {
    let config = ClientConfig::default();
    let (mut c, mut d) = connected();
    let payment = c.start_transaction(0, &sale("r-forever", 100)).unwrap();
    exchange(0, &mut c, &mut d);
    let status = c.send::<GetStatus>(0, &NoParams).unwrap();
    client_to_device(0, &mut c, &mut d, usize::MAX);
    let mut now = 0;
    let mut failed_at = Vec::new();
    while now <= config.transaction_ceiling_ms + 60_000 {
        now += 5_000;
        d.event(synqpay_rpc::EventType::PinStarted);
        c.handle_timeout(now);
        // The KeepAlives and their ACKs keep the link alive.
        client_to_device(now, &mut c, &mut d, usize::MAX);
        device_to_client(now, &mut d, &mut c, usize::MAX);
        for e in events(&mut c) {
            if let Seen::Failed(id, failure, _) = e {
                failed_at.push((id, failure, now));
            }
        }
    }
    assert_eq!(
        failed_at,
        [
            (status.0, Failure::Timeout, config.request_timeout_ms),
            (payment.0, Failure::Timeout, config.transaction_ceiling_ms)
        ]
    );
}

#[test]
fn a_dead_link_fails_the_calls_on_it_at_once() {
    // Finding 4: the dead link was detected and then not acted on.
    let config = ClientConfig::default();
    let (mut c, mut d) = connected();
    let id = c.start_transaction(0, &sale("r-dead", 100)).unwrap();
    client_to_device(0, &mut c, &mut d, usize::MAX);
    // The device goes quiet: no ACK to the fence.
    c.handle_timeout(config.keepalive_deadline_ms);
    assert_eq!(
        events(&mut c),
        [
            Seen::Failed(id.0, Failure::LinkDead, Some("r-dead".into())),
            Seen::LinkDead
        ]
    );
    assert!(!c.is_connected());
}

#[test]
fn a_request_still_queued_when_the_link_dies_is_reported_unsent_before_the_death() {
    // Every call of the dead connection has its own end before `LinkDead`, so that a driver
    // waiting on one never takes the link's death for its call's outcome (synqpay_session::outcome).
    let config = ClientConfig::default();
    let (mut c, mut d) = connected();
    let sale_id = c.start_transaction(0, &sale("r-dead-2", 100)).unwrap();
    client_to_device(0, &mut c, &mut d, usize::MAX);
    let status = c.send::<GetStatus>(1, &NoParams).unwrap();
    c.handle_timeout(config.keepalive_deadline_ms);
    assert_eq!(
        events(&mut c),
        [
            Seen::Failed(sale_id.0, Failure::LinkDead, Some("r-dead-2".into())),
            Seen::Failed(status.0, Failure::NotSent, None),
            Seen::LinkDead
        ]
    );
}

#[test]
fn a_frame_larger_than_the_buffer_fails_the_call_at_once_naming_its_size() {
    let (mut c, mut d) = connected();
    let id = c.send::<GetStatus>(0, &NoParams).unwrap();
    client_to_device(0, &mut c, &mut d, usize::MAX);
    // A 70 KB answer to a client with a 4 KiB receive buffer: its header says so at once.
    let mut head = vec![0x02, 0x02];
    head.extend_from_slice(&70_000u32.to_be_bytes());
    head.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":\"");
    c.handle_input(1, &head);
    let seen = events(&mut c);
    let [Seen::Failed(got, Failure::TooLarge { length, max }, None)] = &seen[..] else {
        panic!("{seen:?}")
    };
    assert_eq!((*got, *length), (id.0, 70_000));
    assert!(*max < 70_000);
}

#[test]
fn a_swapped_crc_is_diagnosed_at_once_and_accepted_when_asked() {
    for accept in [false, true] {
        let config = ClientConfig {
            accept_swapped_crc: accept,
            ..ClientConfig::default()
        };
        let mut c = client(config).with_api_key(KEY);
        c.connect(0);
        let id = c.send::<GetStatus>(0, &NoParams).unwrap();
        let id_text = last_id_text(&c);
        while let Some(bytes) = c.poll_transmit() {
            let n = bytes.len();
            c.transmitted(0, n);
        }
        let json = format!(
            r#"{{"jsonrpc":"2.0","id":"{id_text}","result":{{"deviceStatus":"IDLE","cancelable":false}}}}"#
        );
        let mut bytes = frame(Frame::Response {
            payload: json.as_bytes(),
        });
        let n = bytes.len();
        bytes.swap(n - 3, n - 2);
        c.handle_input(1, &bytes);
        let seen = events(&mut c);
        if accept {
            assert!(
                matches!(&seen[..], [Seen::Response(got, _)] if *got == id.0),
                "{seen:?}"
            );
        } else {
            assert_eq!(seen, [Seen::Failed(id.0, Failure::SwappedCrc, None)]);
            assert!(Failure::SwappedCrc.to_string().contains("swapped"));
        }
    }
}

#[test]
fn an_error_frame_goes_to_the_oldest_request_not_fenced() {
    // Finding 5: with a sale running (and fenced), a corrupted `cancel` gets the Error frame.
    let (mut c, mut d) = connected();
    let payment = c.start_transaction(0, &sale("r-fenced", 100)).unwrap();
    exchange(0, &mut c, &mut d); // the sale and its fence; the device ACKs
    let cancel = c
        .send::<synqpay_rpc::Cancel>(
            1,
            &synqpay_rpc::CancelParams {
                reference_id: synqpay_rpc::Text::new("r-fenced"),
            },
        )
        .unwrap();
    while let Some(bytes) = c.poll_transmit() {
        let n = bytes.len();
        c.transmitted(1, n); // lost on the way: the device says CRC_ERROR
    }
    c.handle_input(2, &frame(Frame::Error(ErrorCode::CrcError)));
    assert_eq!(
        events(&mut c),
        [Seen::Failed(
            cancel.0,
            Failure::Link(ErrorCode::CrcError),
            None
        )]
    );
    assert_eq!(
        c.outstanding(),
        1,
        "the sale {payment:?} still waits for its answer"
    );
}

#[test]
fn an_error_frame_on_an_unfenced_payment_is_an_unknown_outcome_with_its_reference() {
    let (mut c, _) = connected();
    let id = c.start_transaction(0, &sale("r-hit", 100)).unwrap();
    while let Some(bytes) = c.poll_transmit() {
        let n = bytes.len();
        c.transmitted(0, n);
    }
    c.handle_input(1, &frame(Frame::Error(ErrorCode::CrcError)));
    let seen = events(&mut c);
    assert_eq!(
        seen,
        [Seen::Failed(
            id.0,
            Failure::Link(ErrorCode::CrcError),
            Some("r-hit".into())
        )]
    );
    assert!(Failure::Link(ErrorCode::CrcError).outcome_unknown());
}

#[test]
fn a_late_answer_naming_another_sale_is_nobodys() {
    // Found by the fault simulation (seed 151): a sale failed (dead link), then its late answer
    // named another transaction and was delivered as this sale's outcome.
    let config = ClientConfig::default();
    // The late answer names another sale; then, for comparison, this one.
    for named in ["other", "mine"] {
        let (mut c, mut d) = connected();
        let id = c.start_transaction(0, &sale("mine", 1001)).unwrap();
        let id_text = last_id_text(&c);
        client_to_device(0, &mut c, &mut d, usize::MAX);
        c.handle_timeout(config.keepalive_deadline_ms);
        assert!(matches!(events(&mut c)[0], Seen::Failed(i, Failure::LinkDead, _) if i == id.0));
        c.connect(6_000);
        let json = answer(&id_text, named, 1001);
        let payload = json.as_bytes();
        c.handle_input(6_001, &frame(Frame::Response { payload }));
        let seen = events(&mut c);
        match named {
            "other" => assert!(matches!(&seen[..], [Seen::Unsolicited(_)]), "{seen:?}"),
            _ => assert!(
                matches!(&seen[..], [Seen::Late(i, _)] if *i == id.0),
                "{seen:?}"
            ),
        }
    }
}

#[test]
fn a_failure_is_reported_even_when_the_inbox_is_full() {
    // Found by the fault simulation (seed 8505): with the inbox full, a request ended with no
    // event at all; the caller saw only `Overflow` and could not tell which sale was unknown.
    let buffers = synqpay_session::ClientBuffers {
        rx: vec![0u8; 4096],
        tx: vec![0u8; 2048],
        // Two events (86 bytes each with the record header) leave 8 bytes: no room for the
        // record that holds the sale's failure in its place (9) either.
        inbox: vec![0u8; 180],
    };
    let mut c: Client = synqpay_session::Client::new(ClientConfig::default(), buffers, IdPrefix(9))
        .with_api_key(KEY);
    c.connect(0);
    let mut d = device();
    d.connect(0, A);
    let id = c.start_transaction(0, &sale("r-full", 100)).unwrap();
    exchange(0, &mut c, &mut d);
    // Events fill the inbox; the app does not poll; the sale's answer comes and cannot be kept.
    for _ in 0..4 {
        d.event(synqpay_rpc::EventType::PinStarted);
    }
    d.finish_sale(1);
    device_to_client(1, &mut d, &mut c, usize::MAX);
    assert_eq!(c.outstanding(), 1, "not reported yet");
    let seen = events(&mut c);
    assert!(
        seen.contains(&Seen::Failed(
            id.0,
            Failure::Overflow,
            Some("r-full".into())
        )),
        "{seen:?}"
    );
    assert_eq!(c.outstanding(), 0);
}

#[test]
fn a_corrupted_answer_fails_a_waiting_query_at_once_but_not_a_transaction() {
    let (mut c, mut d) = connected();
    let payment = c.start_transaction(0, &sale("r-busy", 100)).unwrap();
    exchange(0, &mut c, &mut d);
    let query = c.send::<GetStatus>(1, &NoParams).unwrap();
    let id_text = last_id_text(&c);
    client_to_device(1, &mut c, &mut d, usize::MAX);
    let json = format!(
        r#"{{"jsonrpc":"2.0","id":"{id_text}","result":{{"deviceStatus":"TRANSACTION","cancelable":true}}}}"#
    );
    let mut bytes = frame(Frame::Response {
        payload: json.as_bytes(),
    });
    let n = bytes.len();
    bytes[n - 3] ^= 0x5a; // the CRC's high byte, as noise or another CRC would leave it
    c.handle_input(2, &bytes);
    let seen = events(&mut c);
    let [Seen::Failed(got, Failure::Crc { computed, received }, None)] = &seen[..] else {
        panic!("{seen:?}")
    };
    assert_eq!(*got, query.0);
    assert_eq!(*received ^ *computed, 0x5a00);
    assert_eq!(c.outstanding(), 1, "the sale {payment:?} still waits");
    // The same frame with only the sale waiting is dropped and counted, nothing more.
    c.handle_input(3, &bytes);
    assert_eq!(events(&mut c), []);
    assert_eq!(c.outstanding(), 1);
}

#[test]
fn a_run_of_stx_bytes_fills_nothing_and_fails_nothing_implausible() {
    // Found by fuzzing: each 0x02 0x02 of a run starts a frame whose length is absurd; one
    // event per candidate overflowed a 2 KiB inbox. Now they are counted, and a length of
    // 16 MiB or more is not taken for an answer too large.
    let (mut c, mut d) = connected();
    let id = c.send::<GetStatus>(0, &NoParams).unwrap();
    client_to_device(0, &mut c, &mut d, usize::MAX);
    c.handle_input(1, &[0x02; 400]);
    assert_eq!(events(&mut c), []);
    assert_eq!(c.outstanding(), 1, "request {id:?} still waits");
    assert!(c.stats().1.len_error > 0);
}

#[test]
fn a_payment_named_at_run_time_is_bound_too() {
    // `synqpay call startTransaction '{...}'` goes through send_raw: its result is checked the
    // same way, and parameters that do not fit a payment are not sent.
    let (mut c, mut d) = connected();
    let params = r#"{"transactionType":"SALE","referenceId":"raw-1","amount":700,"currency":376}"#;
    let raw = synqpay_rpc::RawJson::parse(params.as_bytes()).unwrap();
    let id = c.send_raw(0, "startTransaction", Some(raw)).unwrap();
    let id_text = last_id_text(&c);
    client_to_device(0, &mut c, &mut d, usize::MAX);
    let json = answer(&id_text, "raw-1", 999);
    answered(1, &mut c, &json);
    assert_eq!(
        events(&mut c),
        [Seen::Failed(id.0, Failure::Mismatch, Some("raw-1".into()))]
    );
    let unfit = synqpay_rpc::RawJson::parse(br#"{"amount":"seven"}"#).unwrap();
    assert_eq!(
        c.send_raw(1, "startTransaction", Some(unfit)),
        Err(synqpay_session::SendError::Params)
    );
    // spec/api.md: a referenceId has at most 64 characters; a longer one could not be checked
    // against the answer, and is said so (not "could not be written as JSON").
    let long = "r".repeat(65);
    let params = StartTransactionParams {
        reference_id: synqpay_rpc::Text::new(&long),
        ..sale("raw-2", 100)
    };
    assert_eq!(
        c.start_transaction(1, &params),
        Err(synqpay_session::SendError::ReferenceTooLong)
    );
}

/// Writes what the client queued, as if the device read it, and nothing comes back.
fn written(now: u64, c: &mut Client) {
    while let Some(bytes) = c.poll_transmit() {
        let n = bytes.len();
        c.transmitted(now, n);
    }
}

#[test]
fn a_payment_is_bound_whichever_way_it_is_sent() {
    // spec/protocol.md §6: a result answers a startTransaction only if it names its
    // referenceId (and a SALE's amount). The typed helper, the generic `send` and `send_raw`
    // by name must all bind the payment: found by review, `send::<StartTransaction>` did not.
    let params = sale("mine", 1001);
    let raw = r#"{"paymentMethod":"CREDIT_CARD","transactionType":"SALE","referenceId":"mine","amount":1001,"currency":376}"#;
    for path in ["start_transaction", "send", "send_raw"] {
        // A foreign answer is a mismatch, never this sale's outcome...
        let (mut c, _) = connected();
        let id = match path {
            "start_transaction" => c.start_transaction(0, &params),
            "send" => c.send::<StartTransaction>(0, &params),
            _ => c.send_raw(
                0,
                "startTransaction",
                Some(synqpay_rpc::RawJson::parse(raw.as_bytes()).unwrap()),
            ),
        }
        .unwrap();
        let id_text = last_id_text(&c);
        written(0, &mut c);
        let json = answer(&id_text, "other", 1001);
        answered(1, &mut c, &json);
        assert_eq!(
            events(&mut c),
            [Seen::Failed(id.0, Failure::Mismatch, Some("mine".into()))],
            "{path}"
        );
        // ... and an Error frame before the fence's ACK is an unknown outcome with the
        // referenceId to look up (spec/protocol.md §1).
        let (mut c, _) = connected();
        let id = match path {
            "start_transaction" => c.start_transaction(0, &params),
            _ => c.send::<StartTransaction>(0, &params),
        }
        .unwrap();
        written(0, &mut c);
        error_frame_leaves_it_unknown(1, &mut c, id, "mine");
    }
}

#[test]
fn a_continuation_is_bound_to_the_payment_it_continues() {
    // `continueTransaction` names no referenceId (spec/api.md): the session binds it to the
    // payment that stopped, so its result must name that payment (and the new amount), and
    // an unknown outcome carries its referenceId.
    use synqpay_rpc::{ContinueTransaction, ContinueTransactionParams};
    let (mut c, _) = connected();
    let start = c.start_transaction(0, &sale("mine", 1001)).unwrap();
    let id_text = last_id_text(&c);
    written(0, &mut c);
    let stop = format!(
        r#"{{"jsonrpc":"2.0","id":"{id_text}","result":{{"result":"OK","commandStatus":"UPDATE"}}}}"#
    );
    answered(1, &mut c, &stop);
    assert!(matches!(&events(&mut c)[..], [Seen::Response(id, _)] if *id == start.0));

    // A new amount: a result with the old one is not this continuation's.
    let params = ContinueTransactionParams {
        new_amount: Some(900),
        ..Default::default()
    };
    let id = c.send::<ContinueTransaction>(2, &params).unwrap();
    let id_text = last_id_text(&c);
    written(2, &mut c);
    let json = answer(&id_text, "mine", 1001);
    answered(3, &mut c, &json);
    assert_eq!(
        events(&mut c),
        [Seen::Failed(id.0, Failure::Mismatch, Some("mine".into()))]
    );

    // Its Error frame is an unknown outcome with the referenceId, as for the payment.
    let id = c
        .send::<ContinueTransaction>(4, &ContinueTransactionParams::default())
        .unwrap();
    written(4, &mut c);
    error_frame_leaves_it_unknown(5, &mut c, id, "mine");

    // The right answer (the payment's referenceId, the new amount) is the outcome.
    let id = c.send::<ContinueTransaction>(6, &params).unwrap();
    let id_text = last_id_text(&c);
    written(6, &mut c);
    let json = answer(&id_text, "mine", 900);
    answered(7, &mut c, &json);
    assert!(matches!(&events(&mut c)[..], [Seen::Response(got, _)] if *got == id.0));
}

#[test]
fn a_missing_ack_to_a_later_keepalive_is_found_within_a_deadline_of_the_earlier_ack() {
    // spec/protocol.md §2: a missing ACK after its deadline marks the link dead. Two fences
    // out (two payments), the first ACKed: found by review, that ACK disarmed the deadline of
    // the second, which went unnoticed until the next periodic KeepAlive's (20 s, not 5).
    let config = ClientConfig::default();
    let (mut c, _) = connected();
    let first = c.start_transaction(0, &sale("first", 100)).unwrap();
    written(0, &mut c);
    let second = c.start_transaction(1_000, &sale("second", 200)).unwrap();
    written(1_000, &mut c);
    c.handle_input(1_500, &frame(Frame::Ack));
    let deadline = 1_500 + config.keepalive_deadline_ms;
    assert!(
        c.poll_timeout().is_some_and(|t| t <= deadline),
        "{:?}",
        c.poll_timeout()
    );
    c.handle_timeout(deadline);
    let seen = events(&mut c);
    assert!(
        seen.contains(&Seen::Failed(
            second.0,
            Failure::LinkDead,
            Some("second".into())
        )),
        "{seen:?}"
    );
    assert!(
        seen.contains(&Seen::Failed(
            first.0,
            Failure::LinkDead,
            Some("first".into())
        )),
        "{seen:?}"
    );
}

#[test]
fn an_error_frame_with_only_fenced_requests_out_is_nobodys_and_the_sale_waits() {
    // spec/protocol.md §1: a request whose fence was ACKed can no longer be the subject of an
    // Error frame. With only such a request out, the Error frame is reported about no request,
    // and the sale keeps waiting for its answer.
    let (mut c, mut d) = connected();
    let sale_id = c.start_transaction(0, &sale("fenced-only", 100)).unwrap();
    exchange(0, &mut c, &mut d); // the sale and its fence; the device ACKs
    c.handle_input(1, &frame(Frame::Error(ErrorCode::CrcError)));
    assert_eq!(events(&mut c), [Seen::LinkError(ErrorCode::CrcError)]);
    assert_eq!(c.outstanding(), 1, "the sale {sale_id:?} still waits");
}
