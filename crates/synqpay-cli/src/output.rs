//! What the command line prints (ours: text from the device is never printed raw). JSON for
//! scripts goes through serde_json, which escapes control characters; the Unicode controls that
//! reorder or hide text are escaped too, so that a terminal shows what the JSON holds.

use std::fmt::Write;

use synqpay_std::text::is_invisible_format;

/// `json` pretty-printed for a terminal, every character that could drive it escaped as a JSON
/// `\u` escape (the text stays valid JSON, equal to the original).
pub fn json(value: &serde_json::Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_invisible_format(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// JSON text from the device, pretty-printed as [`json`] does (or shown escaped when it is not
/// JSON).
pub fn json_text(text: &str) -> String {
    match serde_json::from_str(text) {
        Ok(value) => json(&value),
        Err(_) => synqpay_std::text::untrusted(text).to_string(),
    }
}

/// A failed call, as a sentence for a person: what happened, then what to do when the error's
/// own words do not say it already (pair again, check the connection). The error's `Display`
/// has escaped the device's text in it already.
pub fn failure(e: &synqpay_std::Error) -> String {
    let said = e.to_string();
    match e.remedy() {
        // `NotPaired` says "pair first" itself.
        synqpay_std::Remedy::PairAgain if !matches!(e, synqpay_std::Error::NotPaired) => {
            format!("{said}: pair with the device again (`synqpay pair`, then `--api-key`)")
        }
        synqpay_std::Remedy::CheckConnection => {
            format!("{said}: check the cable or network, that the device is on, and its address")
        }
        _ => said,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_key_says_pair_again() {
        let e = synqpay_std::Error::Link(synqpay_std::ErrorCode::NotAuthenticated);
        let said = failure(&e);
        assert!(
            said.contains("NOT_AUTHENTICATED") && said.contains("synqpay pair"),
            "{said}"
        );
    }

    #[test]
    fn json_for_a_terminal_escapes_what_could_drive_it_and_stays_equal() {
        let v = serde_json::json!({"message": "\u{1b}[2Jpaid\u{202e}", "cardName": "ויזה"});
        let shown = json(&v);
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{202e}'),
            "{shown}"
        );
        assert!(shown.contains("ויזה"));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&shown).unwrap(),
            v
        );
        assert_eq!(json_text("\u{1b}[31mnot json"), "\\u{1b}[31mnot json");
    }
}
