//! The faults a step may inject, drawn from the seed: on the line (spec/protocol.md §1: a byte
//! flipped, the tail of a write lost, bytes held back, a transport that stops taking bytes);
//! on connections (§2: a cut seen by both ends or by one, another client taking the device over,
//! the client process replaced by a new one with a new id prefix); answers whose id the client
//! never sent (§2 "Cached responses": reported unsolicited, never a call's answer); and a device
//! that names another transaction in an answer (§6: never shown as the sale's outcome).

use synqpay_link::{MessageType, seal};
use synqpay_rpc::{RawJson, Text, encode_response_raw};

use synqpay_session::ClientId;

use crate::conn::Cut;
use crate::link::Way;
use crate::party::Sent;
use crate::world::{A, B, World};

/// Injects the fault `roll` (0..100) names, if any; whether one was armed or done.
pub fn fault(w: &mut World, roll: u64) {
    let dir = if w.rng.chance(50) { Way::Up } else { Way::Down };
    let way = dir.words();
    match roll {
        0..=7 => {
            w.trace(format_args!(
                "line: the next write {way} gets a byte flipped"
            ));
            w.link.pipe(dir).armed.corrupt = true;
        }
        8..=12 => {
            w.trace(format_args!("line: the next write {way} loses its tail"));
            w.link.pipe(dir).armed.lose_tail = true;
        }
        13..=18 => {
            let delay = w.rng.range(50, 4000);
            w.trace(format_args!(
                "line: the next write {way} is held {delay} ms"
            ));
            w.link.pipe(dir).armed.delay = delay;
        }
        19..=21 => {
            let until = w.now + w.rng.range(500, 15_000);
            w.trace(format_args!(
                "line: the client's transport stalls until {until}"
            ));
            w.link.up.armed.stall_until = until;
            w.books.counters.faults.stall += 1;
        }
        22..=26 if w.whole().is_some() => {
            w.books.counters.faults.cut += 1;
            let how = match w.rng.below(4) {
                0 => Cut::DeviceUnaware,
                1 => Cut::ClientUnaware,
                _ => Cut::Clean {
                    flush: w.rng.chance(50),
                },
            };
            w.cut(how);
        }
        27..=29 => {
            w.trace(format_args!("A: the process is replaced"));
            w.books.counters.faults.replace_process += 1;
            w.retire(A);
            w.parties[A].reconnect_at = Some(w.now + w.rng.range(0, 3000));
        }
        30..=32 if w.whole() != Some(B) => {
            // Another app on the same machine has the same address (spec/protocol.md §2).
            if w.parties[B].process.is_none() {
                let same = w.rng.chance(50);
                w.parties[B].id = if same {
                    w.parties[A].id
                } else {
                    ClientId([20; 16])
                };
            }
            let same = w.parties[B].id == w.parties[A].id;
            w.trace(format_args!(
                "B: takes the device over (same address as A: {same})"
            ));
            w.books.counters.faults.takeover += 1;
            w.connect(B);
            w.parties[B].leave_at = Some(w.now + w.rng.range(2000, 20_000));
        }
        33..=37 => w.inject_armed = true,
        39..=40 => {
            let until = w.now + w.rng.range(1000, 30_000);
            w.trace(format_args!(
                "A: the application polls no events until {until}"
            ));
            w.parties[A].busy_until = until;
            w.books.counters.faults.slow_app += 1;
        }
        38 => {
            w.trace(format_args!(
                "device: the next transaction answered names another one"
            ));
            w.device.misanswer = true;
        }
        _ => {}
    }
}

/// Puts on the line, at a frame boundary, an answer whose id party `o`'s process never sent:
/// a bare counter, another session's prefix, an earlier process's id, or this prefix with a
/// counter it never reached. Its body names one of the process's outstanding sales when there
/// is one, with a made-up status.
pub fn inject(w: &mut World, o: usize) {
    let party = &w.parties[o];
    let p = party.process.as_ref().expect("a process");
    let rng = &mut w.rng;
    let id = match rng.below(4) {
        0 => rng.range(1, 9).to_string(),
        1 => {
            let other = rng.next_u64() as u32;
            let other = if other == p.prefix { other ^ 1 } else { other };
            format!("{other:08x}-{}", rng.range(1, 20))
        }
        2 if !party.history.is_empty() => {
            let (prefix, max) = party.history[rng.index(party.history.len())];
            format!("{prefix:08x}-{}", rng.range(1, u64::from(max.max(1))))
        }
        _ => {
            let never = u64::from(p.max_id) + 1000 + rng.below(100);
            format!("{:08x}-{never}", p.prefix)
        }
    };
    let mut sales: Vec<(&String, i64)> = (p.sent.values())
        .filter_map(|s| match s {
            Sent::Sale { reference, amount } => Some((reference, *amount)),
            _ => None,
        })
        .collect();
    sales.sort();
    let result = match sales.get(rng.index(sales.len().max(1))) {
        Some((reference, amount)) => {
            let status = if rng.chance(50) {
                "CAPTURED"
            } else {
                "DECLINED"
            };
            let t = format!(
                r#"{{"transactionStatus":"{status}","referenceId":"{reference}","amount":{amount}}}"#
            );
            format!(r#"{{"result":"OK","commandStatus":"COMPLETED","transaction":{t}}}"#)
        }
        None => r#"{"deviceStatus":"IDLE","cancelable":false}"#.to_string(),
    };
    let mut buf = vec![0u8; 1024];
    let at = MessageType::Response.header_len();
    let raw = RawJson::parse(result.as_bytes()).expect("valid JSON");
    let n = encode_response_raw(&mut buf[at..], Text::new(&id), raw).expect("fits");
    let len = seal(&mut buf, MessageType::Response, None, n).expect("sealed");
    buf.truncate(len);
    w.trace(format_args!(
        "line: injected an answer with id {id:?}: {result}"
    ));
    w.books.counters.faults.inject += 1;
    w.link.down.push(w.now, buf);
}
