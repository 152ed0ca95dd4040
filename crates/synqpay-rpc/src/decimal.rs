//! Whole numbers written in decimal: JSON integers (RFC 8259 §6, once the scanner has checked
//! the token), request id counters, amounts typed by a person. One small function rather than
//! `str::parse` for each integer type (ours: core's generic parser costs several hundred bytes
//! of flash on a microcontroller, as `scripts/footprint` shows).

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

#[cfg(test)]
mod tests {
    use super::decimal;
    use proptest::prelude::*;
    use std::string::ToString;

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
}
