//! `referenceId`: the caller's unique name for a payment, and the key to recovering it
//! (spec/api.md "startTransaction params", spec/protocol.md §6).

use core::fmt;

use crate::Text;

/// The longest `referenceId` (field practice).
pub const MAX_REFERENCE_ID: usize = 64;

/// A validated `referenceId`: 1 to 64 of `A-Z a-z 0-9 _ -` (field practice).
///
/// It must be unique for the device's lifetime: reusing one is 303, which means "maybe already
/// charged". Keep it until the transaction's outcome is known; it is how a transaction whose
/// answer was lost is looked up ([`GetTransactionParams::by_reference_id`]).
///
/// [`GetTransactionParams::by_reference_id`]: crate::GetTransactionParams::by_reference_id
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReferenceId<'a>(&'a str);

/// Why a string is not a valid `referenceId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ReferenceIdError {
    /// Empty.
    Empty,
    /// Longer than [`MAX_REFERENCE_ID`]; carries the length.
    TooLong(usize),
    /// A character outside `A-Z a-z 0-9 _ -`, at this byte index.
    BadCharacter(usize),
}

impl fmt::Display for ReferenceIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("a referenceId cannot be empty"),
            Self::TooLong(n) => write!(
                f,
                "a referenceId has at most {MAX_REFERENCE_ID} characters, not {n}"
            ),
            Self::BadCharacter(i) => write!(
                f,
                "a referenceId has only A-Z a-z 0-9 _ -; byte {i} is not one"
            ),
        }
    }
}

impl core::error::Error for ReferenceIdError {}

impl<'a> ReferenceId<'a> {
    /// Checks `s`.
    pub fn new(s: &'a str) -> Result<Self, ReferenceIdError> {
        if s.is_empty() {
            return Err(ReferenceIdError::Empty);
        }
        if s.len() > MAX_REFERENCE_ID {
            return Err(ReferenceIdError::TooLong(s.len()));
        }
        match s
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
        {
            Some(i) => Err(ReferenceIdError::BadCharacter(i)),
            None => Ok(Self(s)),
        }
    }

    /// The id.
    pub const fn as_str(&self) -> &'a str {
        self.0
    }

    /// The id as [`Text`], for the API types.
    pub const fn text(&self) -> Text<'a> {
        Text::new(self.0)
    }
}

impl<'a> TryFrom<&'a str> for ReferenceId<'a> {
    type Error = ReferenceIdError;
    fn try_from(s: &'a str) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl fmt::Debug for ReferenceId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReferenceId({})", self.0)
    }
}

impl fmt::Display for ReferenceId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for ReferenceId<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "ReferenceId({=str})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_the_form() {
        assert!(ReferenceId::new("order-2026_11-27").is_ok());
        assert!(ReferenceId::new(&"a".repeat(64)).is_ok());
        assert_eq!(ReferenceId::new(""), Err(ReferenceIdError::Empty));
        assert_eq!(
            ReferenceId::new(&"a".repeat(65)),
            Err(ReferenceIdError::TooLong(65))
        );
        assert_eq!(
            ReferenceId::new("ab cd"),
            Err(ReferenceIdError::BadCharacter(2))
        );
        assert_eq!(
            ReferenceId::new("הזמנה"),
            Err(ReferenceIdError::BadCharacter(0))
        );
    }
}
