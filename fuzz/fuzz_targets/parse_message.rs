//! Arbitrary bytes as every kind of JSON-RPC message: the envelope, then the params and result
//! of every method, the event, raw traversal, and re-encoding whatever decoded. No panic allowed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use synqpay_rpc::*;

/// Decodes `params` and `result` as method `M`, and encodes what decoded.
fn as_method<M: Method>(params: Option<RawJson<'_>>, result: Option<RawJson<'_>>, buf: &mut [u8]) {
    if let Ok(p) = M::decode_params(params) {
        let _ = encode_call::<M>(buf, "1", &p);
    }
    if let Ok(r) = M::decode_output(result) {
        let _ = encode_response(buf, Text::new("1"), &r);
    }
}

/// Walks every member and item, unescaping every string.
fn walk(value: RawJson<'_>, budget: &mut u32) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    let _ = value.as_text().map(|t| t.chars().count());
    for (key, member) in value.members() {
        let _ = key.len();
        walk(member, budget);
    }
    for item in value.items() {
        walk(item, budget);
    }
}

fuzz_target!(|data: &[u8]| {
    let mut buf = [0u8; 4096];
    if let Ok(value) = RawJson::parse(data) {
        walk(value, &mut 10_000);
        let _ = Transaction::from_json(value);
    }
    let Ok(message) = Message::parse(data) else {
        return;
    };
    let (params, result) = match message {
        Message::Request(r) => (r.params, None),
        Message::Notification(n) => {
            let _: Result<TransactionEvent, _> = FromRaw::from_raw(n.params, "params");
            (n.params, None)
        }
        Message::Response(r) => (None, r.result),
        Message::Error(e) => {
            let _ = encode_error(
                &mut buf,
                e.id.map(Into::into),
                e.error.code,
                "m",
                e.error.data,
            );
            (None, None)
        }
    };
    // The same raw member tried as every method's params and result.
    let any = params.or(result);
    macro_rules! each {
        ($($m:ty),+) => { $( as_method::<$m>(any, any, &mut buf); )+ };
    }
    each!(
        Pair,
        Authenticate,
        GetStatus,
        GetDeviceInfo,
        GetTerminalStatus,
        StartTransaction,
        ContinueTransaction,
        Cancel,
        GetTransaction,
        GetBatchFileStatus,
        Settlement,
        GetSettlement,
        QuerySettlements,
        Deposit,
        ReadCard,
        UserInput,
        UserSelection,
        ShowQr,
        CaptureSignature,
        GetConfig,
        SetConfig,
        UploadLogs,
        Reboot,
        Restart
    );
    if let Some(result) = result {
        for candidate in deposit_candidates(result) {
            let _ = candidate;
        }
    }
});
