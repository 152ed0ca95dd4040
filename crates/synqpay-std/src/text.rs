//! Text from a device or the network, shown to people (ours: text from the wire is never printed
//! raw to a terminal). A device's error message, a receipt line, a name announced on the LAN may
//! hold control characters (an ANSI escape clears the screen or retitles the window) or Unicode
//! controls that reorder or hide text; [`Untrusted`] shows them escaped, and cuts text that is
//! longer than a screen needs with a note of how much was left out.

use std::fmt::{self, Write};

/// How many characters of device text are shown by default (ours).
pub const SHOWN_CHARS: usize = 300;

/// `text`, shown escaped and cut at [`SHOWN_CHARS`] characters: `println!("{}", untrusted(m))`.
pub fn untrusted(text: &str) -> Untrusted<'_> {
    Untrusted {
        text,
        max_chars: SHOWN_CHARS,
    }
}

/// Text from the wire, to be shown: its `Display` escapes what could drive a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Untrusted<'a> {
    text: &'a str,
    max_chars: usize,
}

impl Untrusted<'_> {
    /// Shows at most `max_chars` characters.
    pub fn max_chars(self, max_chars: usize) -> Self {
        Self { max_chars, ..self }
    }
}

/// Whether `c` reorders or hides text on a terminal without being a control character (Unicode
/// format characters: bidirectional controls, zero-width characters).
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

impl fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut chars = self.text.chars();
        for c in chars.by_ref().take(self.max_chars) {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else if is_invisible_format(c) {
                write!(f, "{}", c.escape_unicode())?;
            } else {
                f.write_char(c)?;
            }
        }
        let left = chars.count();
        if left > 0 {
            write!(f, "… ({left} more characters not shown)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_long_text_is_cut_with_a_note() {
        let shown = untrusted("\u{1b}[2J\u{1b}]0;owned\u{7}\u{202e}קפה\r\nok").to_string();
        assert_eq!(shown, "\\u{1b}[2J\\u{1b}]0;owned\\u{7}\\u{202e}קפה\\r\\nok");
        let long = "x".repeat(1000);
        let shown = untrusted(&long).max_chars(10).to_string();
        assert_eq!(shown, "xxxxxxxxxx… (990 more characters not shown)");
        assert_eq!(untrusted("שלום").to_string(), "שלום");
    }
}
