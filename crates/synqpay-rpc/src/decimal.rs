//! Whole numbers written in decimal: JSON integers (RFC 8259 §6, once the scanner has checked
//! the token), request id counters, amounts typed by a person. One small function rather than
//! `str::parse` for each integer type (ours: core's generic parser costs several hundred bytes
//! of flash on a microcontroller, as `scripts/footprint` shows), and one way to write the
//! amounts of a request ([`amount`]) that needs no 64-bit division.

/// The value of `s` when it is `-?[0-9]+` and fits an `i64`; `None` otherwise (no `+`, no
/// spaces, no fraction).
pub(crate) fn decimal(s: &str) -> Option<i64> {
    let (sign, digits) = match s.strip_prefix('-') {
        Some(digits) => (-1, digits),
        None => (1, s),
    };
    if digits.is_empty() {
        return None;
    }
    // Accumulated below zero, where i64 reaches one further (i64::MIN). The bound is checked
    // before multiplying, which then cannot overflow (a checked 64-bit multiply is a library
    // call on a 32-bit core).
    const FLOOR: i64 = i64::MIN / 10;
    let mut below = 0i64;
    for b in digits.bytes() {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 || below < FLOOR {
            return None;
        }
        below = (below * 10).checked_sub(i64::from(digit))?;
    }
    if sign < 0 {
        Some(below)
    } else {
        below.checked_neg()
    }
}

/// Serializes an amount of a request (`serialize_with`): as an `i32` when it fits, which is
/// every amount below 21,474,836.48 in a currency of two decimals; a larger one as an `i64` with
/// `std`, and without `std` as its digits through `serialize_bytes`, which serde-json-core writes
/// as they are, a JSON number.
///
/// Ours: serde-json-core writes an `i64` by dividing by ten in 64 bits, a library routine of
/// nearly a kilobyte on a 32-bit core (`scripts/footprint`); a serializer other than
/// serde-json-core without `std` sees the larger amounts as bytes.
pub(crate) fn amount<S: serde::Serializer>(value: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    let Some(n) = *value else {
        return s.serialize_none();
    };
    match i32::try_from(n) {
        Ok(small) => s.serialize_i32(small),
        #[cfg(feature = "std")]
        Err(_) => s.serialize_i64(n),
        #[cfg(not(feature = "std"))]
        Err(_) => s.serialize_bytes(Digits::of(n).as_bytes()),
    }
}

/// The decimal text of an `i64`, built without 64-bit division.
pub(crate) struct Digits {
    buf: [u8; 20],
    start: usize,
}

impl Digits {
    pub(crate) fn of(n: i64) -> Self {
        let mut buf = [0u8; 20];
        let mut start = buf.len();
        let mut rest = n.unsigned_abs();
        loop {
            let (quotient, digit) = tenth(rest);
            start -= 1;
            buf[start] = b'0' + digit;
            rest = quotient;
            if rest == 0 {
                break;
            }
        }
        if n < 0 {
            start -= 1;
            buf[start] = b'-';
        }
        Self { buf, start }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

/// `v / 10` and `v % 10` by long division in three 32-bit steps: the high word, then the
/// remainder with the next 16 bits, then with the last 16 (each fits 32 bits, as a remainder is
/// below 10).
fn tenth(v: u64) -> (u64, u8) {
    let (high, low) = ((v >> 32) as u32, v as u32);
    let (q_high, r) = (high / 10, high % 10);
    let middle = (r << 16) | (low >> 16);
    let (q_middle, r) = (middle / 10, middle % 10);
    let bottom = (r << 16) | (low & 0xffff);
    let (q_bottom, r) = (bottom / 10, bottom % 10);
    let quotient = (u64::from(q_high) << 32) | (u64::from(q_middle) << 16) | u64::from(q_bottom);
    (quotient, r as u8)
}

#[cfg(test)]
mod tests {
    use super::{Digits, amount, decimal};
    use proptest::prelude::*;
    use std::string::ToString;

    /// An amount as a request member, written by serde-json-core.
    fn written(n: i64) -> heapless::String<32> {
        #[derive(serde::Serialize)]
        struct Request {
            #[serde(serialize_with = "amount")]
            amount: Option<i64>,
        }
        serde_json_core::to_string(&Request { amount: Some(n) }).unwrap()
    }

    /// What core's parser reads, where `decimal` takes the same text (it refuses a leading `+`,
    /// which JSON numbers never carry).
    fn core_reading(s: &str) -> Option<i64> {
        if s.starts_with('+') {
            None
        } else {
            s.parse::<i64>().ok()
        }
    }

    proptest! {
        #[test]
        fn reads_every_i64_back(n in any::<i64>()) {
            prop_assert_eq!(decimal(&n.to_string()), Some(n));
        }

        #[test]
        fn writes_every_i64_as_core_does(n in any::<i64>()) {
            let (digits, text, expected) = (Digits::of(n), written(n), n.to_string());
            prop_assert_eq!(digits.as_bytes(), expected.as_bytes());
            prop_assert_eq!(text.as_str(), std::format!("{{\"amount\":{n}}}"));
        }

        #[test]
        fn agrees_with_core_on_any_short_text(s in "-?[0-9a+ .-]{0,22}") {
            prop_assert_eq!(decimal(&s), core_reading(&s));
        }
    }

    #[test]
    fn agrees_with_core_on_every_edge() {
        for s in [
            "0",
            "-0",
            "7",
            "-12550",
            "007",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999",
            "",
            "-",
            "+1",
            "1.5",
            "1e3",
            " 1",
            "1 ",
            "--1",
            "12a",
            "٣",
        ] {
            assert_eq!(decimal(s), core_reading(s), "{s:?}");
        }
    }

    #[test]
    fn writes_the_edges_as_core_does() {
        for n in [
            0,
            9,
            10,
            -1,
            -10,
            i64::from(i32::MAX),
            i64::from(i32::MAX) + 1,
            i64::from(i32::MIN),
            i64::from(i32::MIN) - 1,
            1 << 32,
            (1 << 32) - 1,
            i64::from(u32::MAX) * 10 + 9,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            assert_eq!(Digits::of(n).as_bytes(), n.to_string().as_bytes(), "{n}");
            assert_eq!(
                written(n).as_str(),
                std::format!("{{\"amount\":{n}}}"),
                "{n}"
            );
        }
    }

    /// Any serializer reads an amount that fits an `i32` back; with `std`, every amount.
    #[test]
    fn serde_json_reads_a_written_amount_back() {
        #[derive(serde::Serialize)]
        struct Request {
            #[serde(serialize_with = "amount")]
            amount: Option<i64>,
        }
        let read = |a: i64| {
            let text = serde_json::to_string(&Request { amount: Some(a) }).unwrap();
            serde_json::from_str::<serde_json::Value>(&text).unwrap()["amount"].as_i64()
        };
        for a in [0, 12550, -5, i64::from(i32::MAX), i64::from(i32::MIN)] {
            assert_eq!(read(a), Some(a));
        }
        #[cfg(feature = "std")]
        for a in [i64::from(i32::MAX) + 1, i64::MAX, i64::MIN] {
            assert_eq!(read(a), Some(a));
        }
        let none = serde_json::to_string(&Request { amount: None }).unwrap();
        assert_eq!(none, r#"{"amount":null}"#);
    }
}
