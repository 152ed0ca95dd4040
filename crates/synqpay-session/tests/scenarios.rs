//! The session scenarios of issue 4: both roles talking over an in-memory link, a scripted
//! clock, and nothing else.

mod common;

use common::*;
use synqpay_link::ErrorCode;
use synqpay_rpc::{
    EventType, GetStatus, NoParams, ReferenceId, StartTransaction, StartTransactionParams,
};
use synqpay_session::{
    CachedResponses, ClientConfig, Connected, Delivery, Failure, PairingError, PairingStep,
    SendError,
};

fn connected() -> (synqpay_session::Client<Vec<u8>, 4>, Terminal) {
    let mut c = client(ClientConfig::default()).with_api_key(KEY);
    let mut d = device();
    assert_eq!(c.connect(0), Connected::Fresh);
    d.connect(0, A);
    (c, d)
}

#[test]
fn a_frame_split_at_every_byte_boundary() {
    let (mut c, mut d) = connected();
    let id = c.send::<GetStatus>(0, &NoParams).unwrap();
    client_to_device(0, &mut c, &mut d, usize::MAX);
    d.serve(0);
    let answer = drain_device(0, &mut d);
    for split in 1..answer.len() {
        let (mut c2, _) = connected();
        let id2 = c2.send::<GetStatus>(0, &NoParams).unwrap();
        assert_eq!(id2, id);
        c2.transmitted(0, c2.poll_transmit().unwrap().len());
        c2.handle_input(1, &answer[..split]);
        assert!(
            c2.poll_event().is_none(),
            "nothing before the last byte (split {split})"
        );
        c2.handle_input(2, &answer[split..]);
        let seen = events(&mut c2);
        assert!(
            matches!(&seen[..], [Seen::Response(i, _)] if *i == id.0),
            "split {split}: {seen:?}"
        );
    }
}

#[test]
fn two_frames_in_one_read() {
    let (mut c, mut d) = connected();
    let sale = StartTransactionParams::sale(
        ReferenceId::new("r-2").unwrap(),
        synqpay_rpc::Amount::ils(100),
    );
    let id = c.start_transaction(0, &sale).unwrap();
    client_to_device(0, &mut c, &mut d, usize::MAX);
    d.serve(0);
    d.event(EventType::CardDetected);
    d.finish_sale(0);
    let both = drain_device(0, &mut d);
    c.handle_input(1, &both);
    let seen = events(&mut c);
    assert!(matches!(&seen[0], Seen::Notification(p) if p.contains("CARD_DETECTED")));
    let Seen::Response(got, payload) = &seen[1] else {
        panic!("{seen:?}")
    };
    assert_eq!(*got, id.0);
    assert_eq!(
        output_of::<StartTransaction>(payload).is_charged(),
        Some(true)
    );
}

#[test]
fn a_crc_error_mid_stream_then_a_good_frame() {
    let (mut c, mut d) = connected();
    let first = c.send::<GetStatus>(0, &NoParams).unwrap();
    let mut bytes = c.poll_transmit().unwrap().to_vec();
    c.transmitted(0, bytes.len());
    let last = bytes.len() - 2;
    bytes[last] ^= 0xff; // the CRC's low byte
    d.handle_input(0, &bytes);
    device_to_client(0, &mut d, &mut c, usize::MAX);
    let second = c.send::<GetStatus>(1, &NoParams).unwrap();
    exchange(1, &mut c, &mut d);
    let seen = events(&mut c);
    assert_eq!(
        seen[0],
        Seen::Failed(first.0, Failure::Link(ErrorCode::CrcError), None)
    );
    assert!(matches!(&seen[1], Seen::Response(i, _) if *i == second.0));
    assert_eq!(d.stats().0.link_errors, 1);
}

#[test]
fn keepalive_for_an_hour_then_a_dead_peer_is_found_in_time() {
    let config = ClientConfig::default();
    let (mut c, mut d) = connected();
    let mut now = 0;
    let hour = 3_600_000;
    while now < hour {
        now = c.poll_timeout().expect("a timer while connected");
        c.handle_timeout(now);
        client_to_device(now, &mut c, &mut d, usize::MAX);
        device_to_client(now, &mut d, &mut c, usize::MAX);
    }
    assert!(events(&mut c).is_empty(), "the link stayed alive");
    assert_eq!(
        c.stats().0.keepalives,
        (hour / config.keepalive_interval_ms) as u32
    );
    // The device dies: nothing is answered any more.
    let died = now;
    while c.is_connected() {
        now = c.poll_timeout().unwrap();
        c.handle_timeout(now);
        while let Some(b) = c.poll_transmit() {
            let n = b.len();
            c.transmitted(now, n);
        }
    }
    assert_eq!(events(&mut c), [Seen::LinkDead]);
    assert!(
        now - died <= config.keepalive_interval_ms + config.keepalive_deadline_ms,
        "found after {} ms",
        now - died
    );
}

#[test]
fn events_keep_a_transaction_alive_beyond_its_deadline() {
    let config = ClientConfig::default();
    let (mut c, mut d) = connected();
    let sale = StartTransactionParams::sale(
        ReferenceId::new("r-long").unwrap(),
        synqpay_rpc::Amount::ils(100),
    );
    let id = c.start_transaction(0, &sale).unwrap();
    exchange(0, &mut c, &mut d);
    // An event every minute for five minutes, more than twice the base deadline.
    let mut now = 0;
    for _ in 0..5 {
        now += 60_000;
        c.handle_timeout(now);
        d.event(EventType::PinStarted);
        device_to_client(now, &mut d, &mut c, usize::MAX);
        // The KeepAlive that went out, and the device's ACK to it.
        client_to_device(now, &mut c, &mut d, usize::MAX);
        device_to_client(now, &mut d, &mut c, usize::MAX);
    }
    assert!(now > 2 * config.transaction_timeout_ms);
    d.finish_sale(now);
    device_to_client(now, &mut d, &mut c, usize::MAX);
    let seen = events(&mut c);
    assert_eq!(
        seen.iter()
            .filter(|e| matches!(e, Seen::Notification(_)))
            .count(),
        5
    );
    assert!(
        matches!(seen.last(), Some(Seen::Response(i, _)) if *i == id.0),
        "{seen:?}"
    );
}

#[test]
fn without_events_a_transaction_times_out_with_its_reference() {
    let (mut c, mut d) = connected();
    let sale = StartTransactionParams::sale(
        ReferenceId::new("r-quiet").unwrap(),
        synqpay_rpc::Amount::ils(100),
    );
    let id = c.start_transaction(0, &sale).unwrap();
    exchange(0, &mut c, &mut d);
    // Only KeepAlives and their ACKs for the whole deadline: nothing from the transaction.
    let limit = ClientConfig::default().transaction_timeout_ms;
    let mut now = 0;
    while let Some(t) = c.poll_timeout().filter(|t| *t <= limit) {
        now = t;
        c.handle_timeout(now);
        exchange(now, &mut c, &mut d);
    }
    let seen = events(&mut c);
    let failed = Seen::Failed(id.0, Failure::Timeout, Some("r-quiet".into()));
    assert!(seen.contains(&failed), "{seen:?}");
    assert!(Failure::Timeout.outcome_unknown());
    // The result arrives late after all: delivered, as it carries the outcome.
    d.finish_sale(now);
    device_to_client(now, &mut d, &mut c, usize::MAX);
    assert!(matches!(&events(&mut c)[..], [Seen::Late(i, _)] if *i == id.0));
}

#[test]
fn a_disconnect_mid_transaction_then_the_cached_result_once() {
    let (mut c, mut d) = connected();
    let sale = StartTransactionParams::sale(
        ReferenceId::new("r-drop").unwrap(),
        synqpay_rpc::Amount::ils(12550),
    );
    let id = c.start_transaction(0, &sale).unwrap();
    exchange(0, &mut c, &mut d);
    // The link drops; the device finishes the sale and keeps the answer.
    c.disconnect(10);
    d.disconnect(10);
    assert_eq!(d.finish_sale(10), Delivery::Cached);
    // The same client comes back: a resumption, and the cached answer comes first.
    assert_eq!(c.connect(20), Connected::Resumed { outstanding: 1 });
    assert_eq!(d.connect(20, A).cached_sent, 1);
    let replay = drain_device(20, &mut d);
    c.handle_input(21, &replay);
    c.handle_input(22, &replay); // delivered twice on the wire...
    let seen = events(&mut c);
    assert_eq!(seen.len(), 1, "...matched once: {seen:?}");
    let Seen::Response(got, payload) = &seen[0] else {
        panic!()
    };
    assert_eq!(*got, id.0);
    assert_eq!(
        output_of::<StartTransaction>(payload).is_charged(),
        Some(true)
    );
    assert_eq!(c.stats().0.duplicates, 1);
    assert_eq!(d.charged(), [("r-drop".to_string(), 12550)], "charged once");
}

#[test]
fn a_takeover_by_a_second_client() {
    let (mut a, mut d) = connected();
    let sale = StartTransactionParams::sale(
        ReferenceId::new("r-take").unwrap(),
        synqpay_rpc::Amount::ils(100),
    );
    let id = a.start_transaction(0, &sale).unwrap();
    exchange(0, &mut a, &mut d);
    // B connects: A is replaced; the sale's answer goes to A's cache.
    let mut b = client(ClientConfig::default()).with_api_key(KEY);
    b.connect(5);
    assert!(d.connect(5, B).replaced);
    assert_eq!(d.finish_sale(5), Delivery::Cached);
    let status = b.send::<GetStatus>(5, &NoParams).unwrap();
    exchange(5, &mut b, &mut d);
    assert!(
        matches!(&events(&mut b)[..], [Seen::Response(i, _)] if *i == status.0),
        "B is served"
    );
    // A notices, reconnects (replacing B), and gets its answer.
    a.disconnect(6);
    a.connect(7);
    assert_eq!(d.connect(7, A).cached_sent, 1);
    device_to_client(7, &mut d, &mut a, usize::MAX);
    assert!(matches!(&events(&mut a)[..], [Seen::Response(i, _)] if *i == id.0));
}

#[test]
fn a_wrong_key_is_not_authenticated() {
    let mut c = client(ClientConfig::default())
        .with_api_key(synqpay_link::ApiKey::from_bytes([9, 9, 9, 9]));
    let mut d = device();
    c.connect(0);
    d.connect(0, A);
    let id = c.send::<GetStatus>(0, &NoParams).unwrap();
    exchange(0, &mut c, &mut d);
    assert_eq!(
        events(&mut c),
        [Seen::Failed(
            id.0,
            Failure::Link(ErrorCode::NotAuthenticated),
            None
        )]
    );
    assert_eq!(d.stats().0.requests, 0, "the application never saw it");
    assert_eq!(d.stats().0.not_authenticated, 1);
    // Without a key the client refuses to send at all.
    let mut fresh = client(ClientConfig::default());
    fresh.connect(0);
    assert_eq!(
        fresh.send::<GetStatus>(0, &NoParams),
        Err(SendError::NotPaired)
    );
}

#[test]
fn pairing_stores_the_key_and_an_expired_code_is_a_typed_error() {
    let mut c = client(ClientConfig::default());
    let mut d = device();
    d.set_api_key(None);
    c.connect(0);
    d.connect(0, A);
    // Expired: the code is entered after 31 s.
    c.pair(0, SERIAL).unwrap();
    exchange(0, &mut c, &mut d);
    assert!(matches!(&events(&mut c)[..], [Seen::Response(..)]));
    let auth = c.authenticate(31_000, "123456").unwrap();
    exchange(31_000, &mut c, &mut d);
    let seen = events(&mut c);
    let Seen::Response(got, payload) = &seen[0] else {
        panic!("{seen:?}")
    };
    assert_eq!(*got, auth.0);
    let synqpay_session::CallError::Rpc(e) =
        synqpay_session::decode_response::<synqpay_rpc::Authenticate>(payload.as_bytes())
            .unwrap_err()
    else {
        panic!()
    };
    assert_eq!(
        PairingError::from_rpc(&e, PairingStep::Authenticate),
        PairingError::Expired
    );
    assert_eq!(c.api_key(), None);
    // In time: the key is kept, and requests carry it.
    c.pair(40_000, SERIAL).unwrap();
    c.authenticate(45_000, "123456").unwrap();
    exchange(45_000, &mut c, &mut d);
    events(&mut c);
    assert_eq!(c.api_key(), Some(KEY));
    d.set_api_key(c.api_key());
    let id = c.send::<GetStatus>(46_000, &NoParams).unwrap();
    exchange(46_000, &mut c, &mut d);
    assert!(matches!(&events(&mut c)[..], [Seen::Response(i, _)] if *i == id.0));
}

#[test]
fn a_request_never_sent_is_not_sent_and_nothing_is_resent() {
    let (mut c, mut d) = connected();
    let sale = StartTransactionParams::sale(
        ReferenceId::new("r-unsent").unwrap(),
        synqpay_rpc::Amount::ils(100),
    );
    let id = c.start_transaction(0, &sale).unwrap();
    // Half the frame goes out, then the connection drops.
    let half = c.poll_transmit().unwrap().len() / 2;
    c.transmitted(0, half);
    c.disconnect(1);
    assert_eq!(
        events(&mut c),
        [Seen::Failed(
            id.0,
            Failure::NotSent,
            Some("r-unsent".into())
        )]
    );
    assert!(!Failure::NotSent.outcome_unknown());
    c.connect(2);
    d.connect(2, A);
    assert_eq!(
        client_to_device(2, &mut c, &mut d, usize::MAX),
        0,
        "nothing is resent on its own"
    );
    d.serve(2);
    assert!(d.sale().is_none());
}

#[test]
fn a_lost_outcome_is_recovered_by_reference_id() {
    let (mut c, mut d) = connected();
    let reference = ReferenceId::new("r-lookup").unwrap();
    c.start_transaction(
        0,
        &StartTransactionParams::sale(reference, synqpay_rpc::Amount::ils(100)),
    )
    .unwrap();
    exchange(0, &mut c, &mut d);
    // The answer is lost for good (caching off on the device).
    d.set_cached_responses(CachedResponses::Off);
    c.disconnect(1);
    d.disconnect(1);
    assert_eq!(d.finish_sale(1), Delivery::Dropped);
    c.connect(2);
    d.connect(2, A);
    // The caller looks it up, as the failure tells it to.
    let lookup = c.lookup_transaction(2, reference).unwrap();
    exchange(2, &mut c, &mut d);
    let seen = events(&mut c);
    let Some(Seen::Response(got, payload)) = seen.iter().find(|e| matches!(e, Seen::Response(..)))
    else {
        panic!("{seen:?}")
    };
    assert_eq!(*got, lookup.0);
    let found = output_of::<synqpay_rpc::GetTransaction>(payload);
    assert_eq!(found.transaction.unwrap().is_charged(), Some(true));
}

#[test]
fn a_request_that_expires_in_the_queue_is_taken_back() {
    let (mut c, mut d) = connected();
    let reference = ReferenceId::new("r-stuck").unwrap();
    let id = c
        .start_transaction(
            0,
            &StartTransactionParams::sale(reference, synqpay_rpc::Amount::ils(100)),
        )
        .unwrap();
    // The transport never takes a byte (a blocked socket) until well past the deadline.
    let deadline = ClientConfig::default().transaction_timeout_ms;
    c.handle_timeout(deadline);
    let seen = events(&mut c);
    assert!(
        seen.contains(&Seen::Failed(
            id.0,
            Failure::NotSent,
            Some("r-stuck".into())
        )),
        "{seen:?}"
    );
    // Whatever the transport sends now, the sale is not in it.
    client_to_device(deadline, &mut c, &mut d, usize::MAX);
    d.serve(deadline);
    assert!(d.sale().is_none());
    assert_eq!(d.stats().0.requests, 0, "the application saw no request");
}

#[test]
fn a_request_the_transport_started_on_has_an_unknown_outcome() {
    let (mut c, _) = connected();
    let reference = ReferenceId::new("r-half").unwrap();
    let id = c
        .start_transaction(
            0,
            &StartTransactionParams::sale(reference, synqpay_rpc::Amount::ils(100)),
        )
        .unwrap();
    c.transmitted(0, 4);
    // The transport takes nothing more: the KeepAlive that fences the sale, queued behind it,
    // never goes, so no ACK comes and the link is dead. The device holds 4 bytes of a frame it
    // can never complete: the sale was not sent.
    let config = ClientConfig::default();
    c.handle_timeout(config.keepalive_deadline_ms);
    assert!(!c.is_connected());
    let seen = events(&mut c);
    assert!(
        seen.contains(&Seen::Failed(id.0, Failure::NotSent, Some("r-half".into()))),
        "{seen:?}"
    );
    assert!(seen.contains(&Seen::LinkDead), "{seen:?}");
}

#[test]
fn a_request_wholly_sent_and_never_answered_has_an_unknown_outcome() {
    let (mut c, mut d) = connected();
    let reference = ReferenceId::new("r-silent").unwrap();
    let id = c
        .start_transaction(
            0,
            &StartTransactionParams::sale(reference, synqpay_rpc::Amount::ils(100)),
        )
        .unwrap();
    // The device reads everything (and ACKs the fence) but never answers the sale.
    client_to_device(0, &mut c, &mut d, usize::MAX);
    device_to_client(0, &mut d, &mut c, usize::MAX);
    let mut now = 0;
    while now < ClientConfig::default().transaction_timeout_ms {
        now += 10_000;
        c.handle_timeout(now);
        client_to_device(now, &mut c, &mut d, usize::MAX);
        device_to_client(now, &mut d, &mut c, usize::MAX);
    }
    let seen = events(&mut c);
    assert!(
        seen.contains(&Seen::Failed(
            id.0,
            Failure::Timeout,
            Some("r-silent".into())
        )),
        "{seen:?}"
    );
}
