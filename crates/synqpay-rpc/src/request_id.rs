//! Request ids, made without allocation (spec/protocol.md §4: `id` is a string).

use core::fmt;

use crate::Text;

/// The id of a request this side sent: a counter, written as its decimal digits.
///
/// ours: numbers from 1 up, skipping 0 when they wrap. A session that outlives its connections
/// keeps one counter, so a late answer on a new connection cannot match a newer request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RequestId(pub u32);

impl RequestId {
    /// The id as text, for [`encode_request`](crate::encode_request).
    pub fn as_text(&self) -> IdText {
        let mut digits = [0u8; 10];
        let mut n = self.0;
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        IdText {
            digits,
            start: start as u8,
        }
    }

    /// Whether an id received in a response is this one.
    pub fn matches(&self, received: &Text<'_>) -> bool {
        *received == self.as_text().as_str()
    }

    /// The id a response carries, if it is one this side could have made.
    pub fn from_text(received: &Text<'_>) -> Option<Self> {
        let s = received.as_str()?;
        if s.is_empty() || s.len() > 10 || (s.len() > 1 && s.starts_with('0')) {
            return None;
        }
        s.parse().ok().map(RequestId)
    }
}

/// The decimal digits of a [`RequestId`], on the stack.
#[derive(Clone, Copy)]
pub struct IdText {
    digits: [u8; 10],
    start: u8,
}

impl IdText {
    /// The digits.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever written.
        core::str::from_utf8(&self.digits[usize::from(self.start)..]).unwrap_or("0")
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Hands out request ids in order.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IdGenerator {
    next: u32,
}

impl Default for IdGenerator {
    fn default() -> Self {
        Self { next: 1 }
    }
}

impl IdGenerator {
    /// A generator starting at 1.
    pub const fn new() -> Self {
        Self { next: 1 }
    }

    /// A generator starting at `first` (0 is taken as 1): a client that keeps the counter across
    /// restarts avoids reusing ids the device may still answer.
    pub const fn starting_at(first: u32) -> Self {
        Self {
            next: if first == 0 { 1 } else { first },
        }
    }

    /// The next id.
    pub fn next_id(&mut self) -> RequestId {
        let id = RequestId(self.next);
        self.next = self.next.checked_add(1).unwrap_or(1);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_decimal_and_match_their_text() {
        assert_eq!(RequestId(0).as_text().as_str(), "0");
        assert_eq!(RequestId(u32::MAX).as_text().as_str(), "4294967295");
        assert!(RequestId(42).matches(&Text::new("42")));
        assert!(!RequestId(42).matches(&Text::new("042")));
        assert_eq!(RequestId::from_text(&Text::new("42")), Some(RequestId(42)));
        assert_eq!(RequestId::from_text(&Text::new("042")), None);
        assert_eq!(RequestId::from_text(&Text::new("abc")), None);
    }

    #[test]
    fn the_generator_wraps_past_zero() {
        let mut g = IdGenerator::starting_at(u32::MAX);
        assert_eq!(g.next_id(), RequestId(u32::MAX));
        assert_eq!(g.next_id(), RequestId(1));
    }
}
