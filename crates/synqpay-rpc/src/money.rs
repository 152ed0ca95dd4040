//! Amounts and currencies (spec/protocol.md §4: amounts are integers in minor units, `currency`
//! the ISO 4217 number, 376 = ILS), as types, so that an amount and a currency cannot be passed
//! the wrong way round.

use core::fmt;

/// A currency, by its ISO 4217 number (the wire form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Currency(u16);

impl Currency {
    /// The Israeli new shekel, 376 (the device's).
    pub const ILS: Self = Self(376);
    /// The US dollar, 840.
    pub const USD: Self = Self(840);
    /// The euro, 978.
    pub const EUR: Self = Self(978);

    /// The currency whose ISO 4217 number is `number`.
    pub const fn from_number(number: u16) -> Self {
        Self(number)
    }

    /// The ISO 4217 number, as sent.
    pub const fn number(self) -> u16 {
        self.0
    }

    /// The ISO 4217 letter code, for the currencies this crate names.
    pub const fn code(self) -> Option<&'static str> {
        match self.0 {
            376 => Some("ILS"),
            840 => Some("USD"),
            978 => Some("EUR"),
            _ => None,
        }
    }

    /// The currency whose letter code is `code` (`"ILS"`), for the currencies this crate names.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::ILS, Self::USD, Self::EUR]
            .into_iter()
            .find(|c| c.code().is_some_and(|k| k.eq_ignore_ascii_case(code)))
    }
}

impl Default for Currency {
    /// The device's currency, ILS.
    fn default() -> Self {
        Self::ILS
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code() {
            Some(code) => f.write_str(code),
            None => write!(f, "{:03}", self.0),
        }
    }
}

/// An amount of money: minor units (agorot, cents) of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Amount {
    minor_units: i64,
    currency: Currency,
}

impl Amount {
    /// `minor_units` of `currency`: `Amount::new(12550, Currency::ILS)` is 125.50 ILS.
    pub const fn new(minor_units: i64, currency: Currency) -> Self {
        Self {
            minor_units,
            currency,
        }
    }

    /// `minor_units` of ILS, the device's currency.
    pub const fn ils(minor_units: i64) -> Self {
        Self::new(minor_units, Currency::ILS)
    }

    /// The minor units, as sent.
    pub const fn minor_units(self) -> i64 {
        self.minor_units
    }

    /// The currency.
    pub const fn currency(self) -> Currency {
        self.currency
    }

    /// Reads `"125.50"` (or `"125"`, `"125.5"`) as minor units of `currency` (two decimals);
    /// `None` for anything else, such as more than two decimals or a sign.
    pub fn parse(text: &str, currency: Currency) -> Option<Self> {
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (text, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || fraction.is_some_and(|f| !digits(f) || f.len() > 2) {
            return None;
        }
        let fraction = fraction.unwrap_or("");
        let whole = crate::decimal::decimal(whole)?;
        let mut cents: i64 = if fraction.is_empty() {
            0
        } else {
            crate::decimal::decimal(fraction)?
        };
        if fraction.len() == 1 {
            cents *= 10;
        }
        Some(Self::new(
            whole.checked_mul(100)?.checked_add(cents)?,
            currency,
        ))
    }
}

impl fmt::Display for Amount {
    /// `125.50 ILS` (two decimals).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor_units < 0 { "-" } else { "" };
        let abs = self.minor_units.unsigned_abs();
        write!(f, "{sign}{}.{:02} {}", abs / 100, abs % 100, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::ToString;

    #[test]
    fn amounts_read_and_print_in_minor_units() {
        assert_eq!(Amount::ils(12550).to_string(), "125.50 ILS");
        assert_eq!(Amount::new(-5, Currency::USD).to_string(), "-0.05 USD");
        assert_eq!(
            Amount::new(1, Currency::from_number(1)).to_string(),
            "0.01 001"
        );
        assert_eq!(
            Amount::parse("125.5", Currency::ILS),
            Some(Amount::ils(12550))
        );
        assert_eq!(
            Amount::parse("125", Currency::ILS),
            Some(Amount::ils(12500))
        );
        assert_eq!(Amount::parse("0.07", Currency::ILS), Some(Amount::ils(7)));
        for bad in ["", ".5", "1.234", "-1", "1e3", "1.", "١٢"] {
            assert_eq!(Amount::parse(bad, Currency::ILS), None, "{bad}");
        }
        assert_eq!(Currency::from_code("ils"), Some(Currency::ILS));
        assert_eq!(Currency::ILS.number(), 376);
    }
}
