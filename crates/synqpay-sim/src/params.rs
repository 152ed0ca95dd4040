//! Parameters checked as a device checks them (spec/api.md; spec/protocol.md §4): a member the
//! method needs and did not get is 102 MissingParams, a value outside what api.md documents is
//! 103 InvalidParams, and the message names the member (`member: why`). Types are checked by
//! decoding with `synqpay-rpc`'s types first; a value of the wrong type is named by finding the
//! member without which the parameters decode (ours).

use serde_json::Value;
use synqpay_rpc::{
    CaptureSignatureParams, DecodeError, GetSettlementParams, GetTransactionParams, InputType,
    LookupMethod, Method, MimeType, RawJson, ReadCardParams, ReferenceId, RpcErrorCode,
    SettlementLookup, StartTransactionParams, TransactionType, UserInputParams,
    UserSelectionParams,
};
use synqpay_session::ReplyTo;

use crate::app::SimDevice;

/// Why parameters are refused: the code, the member, what is wrong with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    code: RpcErrorCode,
    member: &'static str,
    why: &'static str,
}

impl Refusal {
    /// 102: `member` is required and absent.
    fn missing(member: &'static str) -> Self {
        Self {
            code: RpcErrorCode::MissingParams,
            member,
            why: "missing",
        }
    }

    /// 103: `member` has a value api.md does not allow.
    fn invalid(member: &'static str, why: &'static str) -> Self {
        Self {
            code: RpcErrorCode::InvalidParams,
            member,
            why,
        }
    }

    /// Answers the request with this refusal.
    pub(crate) fn send(&self, device: &mut SimDevice, reply: &ReplyTo) {
        let message = format!("{}: {}", self.member, self.why);
        let _ = device.respond_error(reply, self.code, &message, None);
    }
}

/// Decodes the parameters of `M`; when they do not fit its types, answers as [`undecodable`]
/// does and gives `None`.
pub(crate) fn decode<'a, M: Method>(
    device: &mut SimDevice,
    reply: &ReplyTo,
    params: Option<RawJson<'a>>,
) -> Option<M::Params<'a>> {
    match M::decode_params(params) {
        Ok(p) => Some(p),
        Err(e) => {
            undecodable::<M>(device, reply, &e, params);
            None
        }
    }
}

/// Answers parameters of `M` that do not fit its types: 102 for a missing member, 103
/// otherwise, naming the member (found when the decoder's error does not say).
pub(crate) fn undecodable<M: Method>(
    device: &mut SimDevice,
    reply: &ReplyTo,
    e: &DecodeError,
    params: Option<RawJson<'_>>,
) {
    let code = if e.is_missing() {
        RpcErrorCode::MissingParams
    } else {
        RpcErrorCode::InvalidParams
    };
    let message = match (e, params.and_then(culprit::<M>)) {
        (DecodeError::Value(why), Some(member)) => {
            format!("`{member}` does not fit its type: {why}")
        }
        _ => e.to_string(),
    };
    let _ = device.respond_error(reply, code, &message, None);
}

/// The member (a dotted path into nested objects) without which `params` decode as `M`'s: the
/// one whose value does not fit its type.
fn culprit<M: Method>(params: RawJson<'_>) -> Option<String> {
    let root: Value = serde_json::from_str(params.as_str()).ok()?;
    let mut path = Vec::new();
    narrow::<M>(&root, &mut path);
    (!path.is_empty()).then(|| path.join("."))
}

/// The most members of one object searched for the one at fault, and the deepest nesting
/// (ours: bounded work for whatever a client sends; the API's objects have fewer than 20).
const PROBED_MEMBERS: usize = 32;
const PROBED_DEPTH: usize = 4;

/// Extends `path` while removing a member below it lets the parameters decode (or turns the
/// type error into a missing member, for a required one).
fn narrow<M: Method>(root: &Value, path: &mut Vec<String>) {
    while path.len() < PROBED_DEPTH {
        let Some(object) = at(root, path).and_then(Value::as_object) else {
            return;
        };
        if object.len() > PROBED_MEMBERS {
            return;
        }
        let found = object.keys().find(|key| {
            let mut without = root.clone();
            if let Some(Value::Object(inner)) = at_mut(&mut without, path) {
                inner.remove(*key);
            }
            let Ok(text) = serde_json::to_string(&without) else {
                return false;
            };
            let Ok(raw) = RawJson::parse(text.as_bytes()) else {
                return false;
            };
            match M::decode_params(Some(raw)) {
                Ok(_) => true,
                Err(e) => e.is_missing(),
            }
        });
        match found {
            Some(key) => path.push(key.clone()),
            None => return,
        }
    }
}

fn at<'v>(root: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(root, |v, key| v.get(key))
}

fn at_mut<'v>(root: &'v mut Value, path: &[String]) -> Option<&'v mut Value> {
    path.iter().try_fold(root, |v, key| v.get_mut(key))
}

/// spec/api.md "startTransaction params": `paymentMethod`, `transactionType`, `referenceId`,
/// `amount` and `currency` are required (no `?`), except that a VOID ("`transactionType: VOID`
/// with the original `referenceId` and no amount") or a CAPTURE names its original and needs
/// nothing more. Amounts are above zero (a tip or a first payment at least zero); the simulated
/// terminal is Israeli: currency 376 (ours).
pub(crate) fn start_transaction(p: &StartTransactionParams<'_>) -> Result<(), Refusal> {
    if p.transaction_type.is_unknown() {
        return Err(Refusal::invalid("transactionType", "not a documented type"));
    }
    // 1 to 64 of `A-Z a-z 0-9 _ -`, as synqpay-rpc checks a referenceId it sends.
    if ReferenceId::new(&p.reference_id.to_string()).is_err() {
        return Err(Refusal::invalid(
            "referenceId",
            "1 to 64 of A-Z a-z 0-9 _ -",
        ));
    }
    let names_original = matches!(
        p.transaction_type,
        TransactionType::Void | TransactionType::Capture
    );
    if !names_original {
        if p.payment_method.is_none() {
            return Err(Refusal::missing("paymentMethod"));
        }
        match p.amount {
            None => return Err(Refusal::missing("amount")),
            Some(a) if a <= 0 => return Err(Refusal::invalid("amount", "must be above 0")),
            Some(_) => {}
        }
        match p.currency {
            None => return Err(Refusal::missing("currency")),
            Some(376) => {}
            Some(_) => return Err(Refusal::invalid("currency", "376 (ILS) only")),
        }
    }
    for (member, value) in [
        ("tipAmount", p.tip_amount),
        ("firstPayment", p.first_payment),
    ] {
        if value.is_some_and(|v| v < 0) {
            return Err(Refusal::invalid(member, "must be 0 or above"));
        }
    }
    if p.credit_terms.is_some_and(|t| t.is_unknown()) {
        return Err(Refusal::invalid("creditTerms", "not a documented term"));
    }
    if p.payment_type.is_some_and(|t| t.is_unknown()) {
        return Err(Refusal::invalid("paymentType", "not a documented type"));
    }
    Ok(())
}

/// spec/api.md `getTransaction`: REF_ID and TRANS_ID look up `lookupValue`, LAST_TRANS needs
/// none.
pub(crate) fn get_transaction(p: &GetTransactionParams<'_>) -> Result<(), Refusal> {
    match p.lookup_method {
        LookupMethod::Unknown(_) => {
            Err(Refusal::invalid("lookupMethod", "not a documented method"))
        }
        LookupMethod::LastTrans => Ok(()),
        _ if p.lookup_value.is_none() => Err(Refusal::missing("lookupValue")),
        _ => Ok(()),
    }
}

/// spec/api.md `getSettlement`: SETTLEMENT_ID and BATCH_NO look up `lookupValue`,
/// LAST_SETTLEMENT needs none.
pub(crate) fn get_settlement(p: &GetSettlementParams<'_>) -> Result<(), Refusal> {
    match p.lookup_method {
        SettlementLookup::Unknown(_) => {
            Err(Refusal::invalid("lookupMethod", "not a documented method"))
        }
        SettlementLookup::LastSettlement => Ok(()),
        _ if p.lookup_value.is_none() => Err(Refusal::missing("lookupValue")),
        _ => Ok(()),
    }
}

fn command_id(text: &synqpay_rpc::Text<'_>) -> Result<(), Refusal> {
    if text.is_empty() {
        return Err(Refusal::invalid("commandId", "must not be empty"));
    }
    Ok(())
}

/// spec/api.md `readCard`: `readMagCard` and `readNfcCard` default to false, and at least one
/// is true.
pub(crate) fn read_card(p: &ReadCardParams<'_>) -> Result<(), Refusal> {
    command_id(&p.command_id)?;
    if p.read_mag_card != Some(true) && p.read_nfc_card != Some(true) {
        return Err(Refusal::invalid(
            "readMagCard",
            "readMagCard or readNfcCard must be true",
        ));
    }
    Ok(())
}

/// spec/api.md `userInput`: `inputType` one of NUMERIC, ALPHANUMERIC, EMAIL, NUMBER; bounds
/// that leave something to type.
pub(crate) fn user_input(p: &UserInputParams<'_>) -> Result<(), Refusal> {
    command_id(&p.command_id)?;
    if p.input_type.is_unknown() {
        return Err(Refusal::invalid(
            "inputType",
            "NUMERIC, ALPHANUMERIC, EMAIL or NUMBER",
        ));
    }
    if let (Some(min), Some(max)) = (p.min_length, p.max_length)
        && min > max
    {
        return Err(Refusal::invalid("minLength", "above maxLength"));
    }
    if let (Some(min), Some(max)) = (p.min_value, p.max_value)
        && min > max
    {
        return Err(Refusal::invalid("minValue", "above maxValue"));
    }
    if p.input_type != InputType::Number && (p.min_value.is_some() || p.max_value.is_some()) {
        return Err(Refusal::invalid("minValue", "for inputType NUMBER only"));
    }
    Ok(())
}

/// spec/api.md `userSelection`: at least one option, each with an `id`.
pub(crate) fn user_selection(p: &UserSelectionParams<'_>) -> Result<(), Refusal> {
    command_id(&p.command_id)?;
    if p.options.is_empty() {
        return Err(Refusal::invalid("options", "at least one option"));
    }
    if p.options.iter().any(|o| o.id.is_empty()) {
        return Err(Refusal::invalid("options", "each option needs an id"));
    }
    Ok(())
}

/// spec/api.md `captureSignature`: `mimeType` image/png or image/svg+xml.
pub(crate) fn capture_signature(p: &CaptureSignatureParams<'_>) -> Result<(), Refusal> {
    command_id(&p.command_id)?;
    if !matches!(p.mime_type, MimeType::Png | MimeType::Svg) {
        return Err(Refusal::invalid("mimeType", "image/png or image/svg+xml"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use synqpay_rpc::{RawJson, SetConfig};

    use super::{PROBED_MEMBERS, culprit};

    fn culprit_of(text: &str) -> Option<String> {
        culprit::<SetConfig>(RawJson::parse(text.as_bytes()).unwrap())
    }

    #[test]
    fn a_mistyped_member_is_named_by_its_path() {
        assert_eq!(
            culprit_of(r#"{"config": {"cachedResponses": "yes"}}"#).as_deref(),
            Some("config.cachedResponses")
        );
    }

    #[test]
    fn the_search_gives_up_beyond_its_bound_of_members() {
        // Bounded work for whatever a client sends: an object of more members than the bound
        // is not searched (the decoder's own message is answered instead).
        let extra = |n: usize| -> String {
            (0..n)
                .map(|i| format!(r#""x{i}": {i}, "#))
                .collect::<String>()
        };
        let within = format!(
            r#"{{"config": {{{}"cachedResponses": "yes"}}}}"#,
            extra(PROBED_MEMBERS - 1)
        );
        assert_eq!(
            culprit_of(&within).as_deref(),
            Some("config.cachedResponses")
        );
        let beyond = format!(
            r#"{{"config": {{{}"cachedResponses": "yes"}}}}"#,
            extra(PROBED_MEMBERS)
        );
        assert_eq!(culprit_of(&beyond).as_deref(), Some("config"));
    }
}
