//! The scripted terminal (`synqpay_session::terminal::ScriptedTerminal`) against a client
//! session, checked against the spec's words: the state table (spec/protocol.md §5), pairing
//! (§3), errors (§4), money safety (§6), `cancel` and the event (spec/api.md).

mod common;

use common::*;
use synqpay_rpc::{
    Cancel, CancelParams, ContinueTransaction, ContinueTransactionParams, DeviceStatus, GetStatus,
    GetTransaction, Method, NoParams, RawJson, ReferenceId, RequestId, ResultCode, RpcErrorCode,
    StartTransaction, StartTransactionParams, Text, TransactionStatus,
};
use synqpay_session::terminal::{
    CARD_WAIT_MS, CONTINUE_MS, Mode, PAIRING_ATTEMPTS, ScriptedTerminal,
};
use synqpay_session::{CallError, ClientConfig, decode_response};

type Client = synqpay_session::Client<Vec<u8>, 4>;
type Terminal = ScriptedTerminal<Vec<u8>>;

/// A terminal in IDLE, paired, running its script ([`Mode::Scripted`], a step every 300 ms), and
/// a client connected to it.
fn connected() -> (Client, Terminal) {
    let mut c = client(ClientConfig::default()).with_api_key(KEY);
    let mut t = ScriptedTerminal::new(device_session(), script());
    c.connect(0);
    t.device_mut().connect(0, A);
    (c, t)
}

/// The client's requests in, the terminal serving and ticking at `now`, its answers out.
fn exchange_at(now: u64, c: &mut Client, t: &mut Terminal) -> Vec<Seen> {
    client_to_device(now, c, t.device_mut(), usize::MAX);
    t.serve(now);
    t.tick(now);
    device_to_client(now, t.device_mut(), c, usize::MAX);
    events(c)
}

/// The answer to `id` among `seen`.
fn answer_to(seen: &[Seen], id: RequestId) -> &str {
    seen.iter()
        .find_map(|e| match e {
            Seen::Response(i, payload) if *i == id.0 => Some(payload.as_str()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no answer to {id:?} in {seen:?}"))
}

/// The JSON-RPC error code of an answer to method `M`.
fn error_of<M: Method>(payload: &str) -> RpcErrorCode {
    match decode_response::<M>(payload.as_bytes()) {
        Err(CallError::Rpc(e)) => e.code,
        _ => panic!("not an error: {payload}"),
    }
}

/// The transaction events among `seen`, by name.
fn event_names(seen: &[Seen]) -> Vec<&str> {
    let names = ["WAITING_FOR_CARD", "CARD_DETECTED", "AUTHORIZATION_STARTED"];
    seen.iter()
        .filter_map(|e| match e {
            Seen::Notification(p) => names.into_iter().find(|n| p.contains(n)),
            _ => None,
        })
        .collect()
}

fn sale(reference: &str, amount: i64) -> StartTransactionParams<'_> {
    StartTransactionParams::sale(
        ReferenceId::new(reference).unwrap(),
        synqpay_rpc::Amount::ils(amount),
    )
}

/// Ticks every 100 ms from `from` until the answer to `id` comes: what came, and when.
fn until_answered(from: u64, c: &mut Client, t: &mut Terminal, id: RequestId) -> (Vec<Seen>, u64) {
    let mut seen = Vec::new();
    let mut now = from;
    while !seen
        .iter()
        .any(|e| matches!(e, Seen::Response(i, _) if *i == id.0))
    {
        assert!(now < from + 2 * CARD_WAIT_MS, "no answer: {seen:?}");
        now += 100;
        seen.extend(exchange_at(now, c, t));
    }
    (seen, now)
}

fn status(now: u64, c: &mut Client, t: &mut Terminal) -> DeviceStatus<'static> {
    let id = c.send::<GetStatus>(now, &NoParams).unwrap();
    let seen = exchange_at(now, c, t);
    let got = decode_response::<GetStatus>(answer_to(&seen, id).as_bytes()).unwrap();
    got.device_status.known().unwrap()
}

#[test]
fn a_method_in_the_wrong_state_is_201() {
    // spec/protocol.md §5: "Wrong state → 201".
    let (mut c, mut t) = connected();
    let auth = c.authenticate(0, CODE).unwrap();
    let cont = c
        .send::<ContinueTransaction>(0, &ContinueTransactionParams::default())
        .unwrap();
    let cancel = c
        .send::<Cancel>(
            0,
            &CancelParams {
                reference_id: Text::new("r-none"),
            },
        )
        .unwrap();
    let unknown = c.send_raw(0, "frobnicate", None).unwrap();
    let seen = exchange_at(0, &mut c, &mut t);
    assert_eq!(
        error_of::<synqpay_rpc::Authenticate>(answer_to(&seen, auth)),
        RpcErrorCode::IllegalState,
        "authenticate needs PAIRING"
    );
    assert_eq!(
        error_of::<ContinueTransaction>(answer_to(&seen, cont)),
        RpcErrorCode::IllegalState,
        "continueTransaction needs WAITING_FOR_CONTINUE"
    );
    assert_eq!(
        error_of::<Cancel>(answer_to(&seen, cancel)),
        RpcErrorCode::IllegalState,
        "cancel needs a cancelable state"
    );
    assert_eq!(
        error_of::<GetStatus>(answer_to(&seen, unknown)),
        RpcErrorCode::MethodNotFound,
        "§4: -32601"
    );
    // A sale running: the methods that need IDLE are 201.
    c.start_transaction(0, &sale("r-busy", 100)).unwrap();
    exchange_at(0, &mut c, &mut t);
    let again = c.start_transaction(1, &sale("r-other", 100)).unwrap();
    let lookup = c
        .lookup_transaction(1, ReferenceId::new("r-busy").unwrap())
        .unwrap();
    let pair = c.pair(1, SERIAL).unwrap();
    let seen = exchange_at(1, &mut c, &mut t);
    for (id, what) in [
        (again, "startTransaction"),
        (lookup, "getTransaction"),
        (pair, "pair"),
    ] {
        assert_eq!(
            error_of::<GetStatus>(answer_to(&seen, id)),
            RpcErrorCode::IllegalState,
            "{what} needs IDLE"
        );
    }
    assert_eq!(t.sale(), Some(("r-busy", 100)), "the sale runs on");
}

#[test]
fn five_wrong_codes_close_the_pairing() {
    // spec/protocol.md §3: "after 5 wrong codes the pairing is closed (back to IDLE, the code
    // void)"; a wrong code is 103; no pairing open is 201.
    let mut c = client(ClientConfig::default());
    let mut device = device_session();
    device.set_api_key(None);
    let mut t = ScriptedTerminal::new(device, script());
    c.connect(0);
    t.device_mut().connect(0, A);
    let pair = c.pair(0, SERIAL).unwrap();
    let seen = exchange_at(0, &mut c, &mut t);
    assert!(decode_response::<synqpay_rpc::Pair>(answer_to(&seen, pair).as_bytes()).is_ok());
    for attempt in 1..=u64::from(PAIRING_ATTEMPTS) {
        let id = c.authenticate(attempt, "000000").unwrap();
        let seen = exchange_at(attempt, &mut c, &mut t);
        assert_eq!(
            error_of::<synqpay_rpc::Authenticate>(answer_to(&seen, id)),
            RpcErrorCode::InvalidParams,
            "wrong code {attempt}"
        );
    }
    let id = c.authenticate(10, CODE).unwrap();
    let seen = exchange_at(10, &mut c, &mut t);
    assert_eq!(
        error_of::<synqpay_rpc::Authenticate>(answer_to(&seen, id)),
        RpcErrorCode::IllegalState,
        "the code is void"
    );
    assert_eq!(c.api_key(), None);
    // A new pairing, and the right code at the first try: the key, required from then on.
    c.pair(20, SERIAL).unwrap();
    exchange_at(20, &mut c, &mut t);
    c.authenticate(21, CODE).unwrap();
    exchange_at(21, &mut c, &mut t);
    assert_eq!(c.api_key(), Some(KEY));
    assert_eq!(t.device().api_key(), Some(KEY));
}

#[test]
fn missing_parameters_are_102_and_invalid_ones_103() {
    // spec/protocol.md §4: 102 MissingParams, 103 InvalidParams; §3: a serial number that is
    // not the device's is 103.
    let mut c = client(ClientConfig::default());
    let mut t = ScriptedTerminal::new(device_session(), script());
    c.connect(0);
    t.device_mut().connect(0, A);
    let none = c.send_raw(0, "pair", None).unwrap();
    let number = RawJson::parse(br#"{"serialNumber":7}"#).unwrap();
    let mistyped = c.send_raw(0, "pair", Some(number)).unwrap();
    let other = c.pair(0, "SOMEONE-ELSE").unwrap();
    let seen = exchange_at(0, &mut c, &mut t);
    let code = |id| error_of::<synqpay_rpc::Pair>(answer_to(&seen, id));
    assert_eq!(code(none), RpcErrorCode::MissingParams);
    assert_eq!(code(mistyped), RpcErrorCode::InvalidParams);
    assert_eq!(code(other), RpcErrorCode::InvalidParams);
}

#[test]
fn a_sale_sends_its_events_in_order_one_per_step_then_its_result() {
    // spec/api.md "Event": `transactionEvent` when the transaction asked `notifyEvents: true`.
    let (mut c, mut t) = connected();
    let id = c.start_transaction(0, &sale("r-events", 12550)).unwrap();
    let mut seen = Vec::new();
    for now in (0..=1_200).step_by(100) {
        let step = exchange_at(now, &mut c, &mut t);
        let due = now > 0 && now % 300 == 0;
        assert_eq!(
            step.len(),
            usize::from(due),
            "one step every 300 ms: {step:?} at {now}"
        );
        seen.extend(step);
    }
    assert_eq!(
        event_names(&seen),
        ["WAITING_FOR_CARD", "CARD_DETECTED", "AUTHORIZATION_STARTED"]
    );
    assert!(
        matches!(seen.last(), Some(Seen::Response(..))),
        "then the result"
    );
    let result = decode_response::<StartTransaction>(answer_to(&seen, id).as_bytes()).unwrap();
    assert_eq!(result.is_charged(), Some(true));
    let sold = result.transaction.unwrap();
    assert_eq!(sold.transaction_status, Some(TransactionStatus::Captured));
    assert_eq!(sold.reference_id, Some(Text::new("r-events")));
    assert_eq!(sold.amount, Some(12550));
    assert_eq!(t.charged().collect::<Vec<_>>(), [("r-events", 12550)]);
    // Without `notifyEvents`, the same steps send nothing.
    let quiet = StartTransactionParams {
        notify_events: None,
        ..sale("r-quiet", 100)
    };
    let id = c.start_transaction(1_200, &quiet).unwrap();
    let (seen, _) = until_answered(1_200, &mut c, &mut t, id);
    assert_eq!(event_names(&seen), Vec::<&str>::new());
}

#[test]
fn a_reference_id_used_again_is_303_and_charges_nothing() {
    // spec/protocol.md §6: "reusing one gives 303".
    let (mut c, mut t) = connected();
    for (reference, amount) in [("r-once", 100), ("r-declined", 1001)] {
        let first = c.start_transaction(0, &sale(reference, amount)).unwrap();
        let (_, now) = until_answered(0, &mut c, &mut t, first);
        let again = c.start_transaction(now, &sale(reference, amount)).unwrap();
        let seen = exchange_at(now, &mut c, &mut t);
        assert_eq!(
            error_of::<StartTransaction>(answer_to(&seen, again)),
            RpcErrorCode::TransactionAlreadyExist,
            "{reference}"
        );
        assert_eq!(t.sale(), None, "{reference}: nothing runs");
    }
    assert_eq!(t.charged().collect::<Vec<_>>(), [("r-once", 100)]);
}

#[test]
fn cancel_answers_twice_the_cancel_with_null_then_the_sale_with_canceled() {
    // spec/api.md `cancel`: "`null`; the cancelled request then answers too (e.g. `result:
    // CANCELED`)"; it names the running request's referenceId.
    let (mut c, mut t) = connected();
    let payment = c.start_transaction(0, &sale("r-cancel", 100)).unwrap();
    exchange_at(0, &mut c, &mut t);
    assert_eq!(status(10, &mut c, &mut t), DeviceStatus::Transaction);
    let wrong = c
        .send::<Cancel>(
            20,
            &CancelParams {
                reference_id: Text::new("r-not-this-one"),
            },
        )
        .unwrap();
    let seen = exchange_at(20, &mut c, &mut t);
    assert_eq!(
        error_of::<Cancel>(answer_to(&seen, wrong)),
        RpcErrorCode::TransactionNotFound
    );
    let cancel = c
        .send::<Cancel>(
            30,
            &CancelParams {
                reference_id: Text::new("r-cancel"),
            },
        )
        .unwrap();
    let seen = exchange_at(30, &mut c, &mut t);
    let answered: Vec<u32> = seen
        .iter()
        .filter_map(|e| match e {
            Seen::Response(id, _) => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(answered, [cancel.0, payment.0], "{seen:?}");
    assert!(decode_response::<Cancel>(answer_to(&seen, cancel).as_bytes()).is_ok());
    let result = decode_response::<StartTransaction>(answer_to(&seen, payment).as_bytes()).unwrap();
    assert_eq!(result.result, ResultCode::Canceled);
    assert_eq!(result.is_charged(), None);
    assert_eq!(status(40, &mut c, &mut t), DeviceStatus::Idle);
    // Not charged, and not found (spec/api.md `getTransaction`: not found → 302).
    assert_eq!(t.charged().count(), 0);
    let lookup = c
        .lookup_transaction(50, ReferenceId::new("r-cancel").unwrap())
        .unwrap();
    let seen = exchange_at(50, &mut c, &mut t);
    assert_eq!(
        error_of::<GetTransaction>(answer_to(&seen, lookup)),
        RpcErrorCode::TransactionNotFound
    );
}

#[test]
fn each_outcome_by_amount_answers_as_the_spec_says() {
    let (mut c, mut t) = connected();
    // Declined: `result: OK`, DECLINED, found by a lookup.
    let id = c.start_transaction(0, &sale("r-decline", 1001)).unwrap();
    let (seen, now) = until_answered(0, &mut c, &mut t, id);
    let r = decode_response::<StartTransaction>(answer_to(&seen, id).as_bytes()).unwrap();
    assert_eq!(r.result, ResultCode::Ok);
    assert_eq!(r.is_charged(), Some(false));
    let lookup = c
        .lookup_transaction(now, ReferenceId::new("r-decline").unwrap())
        .unwrap();
    let seen = exchange_at(now, &mut c, &mut t);
    let found = decode_response::<GetTransaction>(answer_to(&seen, lookup).as_bytes()).unwrap();
    let declined = found.transaction.and_then(|t| t.transaction_status);
    assert_eq!(declined, Some(TransactionStatus::Declined));
    // Host error: no transaction status, so the outcome is to be looked up (§6): not found.
    let id = c.start_transaction(now, &sale("r-host", 1002)).unwrap();
    let (seen, now) = until_answered(now, &mut c, &mut t, id);
    let r = decode_response::<StartTransaction>(answer_to(&seen, id).as_bytes()).unwrap();
    assert_eq!(
        (r.result, r.transaction.is_none()),
        (ResultCode::HostError, true)
    );
    // No card: WAITING_FOR_CARD, then TIMEOUT after the card wait.
    let start = now;
    let id = c.start_transaction(now, &sale("r-no-card", 1003)).unwrap();
    let (seen, now) = until_answered(now, &mut c, &mut t, id);
    assert_eq!(event_names(&seen), ["WAITING_FOR_CARD"]);
    assert!(
        now - start >= CARD_WAIT_MS,
        "answered after {} ms",
        now - start
    );
    let r = decode_response::<StartTransaction>(answer_to(&seen, id).as_bytes()).unwrap();
    assert_eq!(r.result, ResultCode::Timeout);
    // Referral: the stop, WAITING_FOR_CONTINUE, and `continueTransaction` approves.
    let id = c.start_transaction(now, &sale("r-referral", 1004)).unwrap();
    let (seen, now) = until_answered(now, &mut c, &mut t, id);
    let r = decode_response::<StartTransaction>(answer_to(&seen, id).as_bytes()).unwrap();
    assert_eq!(r.command_status, Some(synqpay_rpc::CommandStatus::Referral));
    assert_eq!(
        status(now, &mut c, &mut t),
        DeviceStatus::WaitingContinueTransaction
    );
    let params = ContinueTransactionParams {
        authorization_number: Some(Text::new("1234567")),
        ..ContinueTransactionParams::default()
    };
    let cont = c.send::<ContinueTransaction>(now, &params).unwrap();
    let seen = exchange_at(now, &mut c, &mut t);
    let r = decode_response::<ContinueTransaction>(answer_to(&seen, cont).as_bytes()).unwrap();
    assert_eq!(r.is_charged(), Some(true));
    assert_eq!(t.charged().collect::<Vec<_>>(), [("r-referral", 1004)]);
    // A referral left waiting is cancelled after 60 s (spec/protocol.md §5).
    let id = c.start_transaction(now, &sale("r-left", 2004)).unwrap();
    let (_, now) = until_answered(now, &mut c, &mut t, id);
    assert_eq!(t.sale(), Some(("r-left", 2004)));
    t.tick(now + CONTINUE_MS + 1);
    assert_eq!(t.sale(), None);
    assert_eq!(
        status(now + CONTINUE_MS + 1, &mut c, &mut t),
        DeviceStatus::Idle
    );
}

#[test]
fn a_held_sale_waits_for_the_caller_and_a_muted_terminal_answers_nothing() {
    let (mut c, mut t) = connected();
    t.set_mode(Mode::HoldSales);
    let id = c.start_transaction(0, &sale("r-held", 100)).unwrap();
    // Past every step and the card wait: no event, no answer.
    for now in (0..=2 * CARD_WAIT_MS).step_by(1_000) {
        assert_eq!(exchange_at(now, &mut c, &mut t), [], "at {now}");
    }
    assert_eq!(t.sale(), Some(("r-held", 100)));
    let later = 2 * CARD_WAIT_MS + 1;
    assert!(t.finish_sale(later).is_some_and(|d| d.is_ok()));
    device_to_client(later, t.device_mut(), &mut c, usize::MAX);
    let seen = events(&mut c);
    let r = decode_response::<StartTransaction>(answer_to(&seen, id).as_bytes()).unwrap();
    assert_eq!(r.is_charged(), Some(true));
    assert_eq!(t.finish_sale(later), None, "no sale runs");

    t.set_mode(Mode::Muted);
    c.send::<GetStatus>(later, &NoParams).unwrap();
    assert_eq!(exchange_at(later, &mut c, &mut t), []);
    assert_eq!(t.device().stats().0.requests, 2, "read all the same");
}
