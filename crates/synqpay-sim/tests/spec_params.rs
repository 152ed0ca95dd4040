//! Parameters checked as api.md documents them (issue 12: "every parameter validated: 102
//! missing, 103 invalid, with the member named"). Each request below breaks one rule of
//! spec/api.md and must be refused with its code, the message naming the member, before anything
//! runs: the device stays IDLE and nothing is charged.

mod conformance;
use conformance::*;

/// A connection that speaks raw frames (spec §1), so that parameters our own client would
/// never send reach the device as written.
struct Device {
    raw: Raw,
    next: u32,
}

impl Device {
    fn new(sim: &Simulator) -> std::io::Result<Self> {
        Ok(Self {
            raw: Raw::connect(sim)?,
            next: 0,
        })
    }

    /// The answer to `method` with `params`.
    fn call(&mut self, method: &str, params: &Value) -> Value {
        self.next += 1;
        let id = json!(format!("p{}", self.next));
        let request = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.raw.send_json(&request).unwrap();
        self.raw.response(&id, &mut Vec::new()).unwrap()
    }

    /// The code and message of the device's refusal of `method` with `params`.
    fn refusal(&mut self, method: &str, params: &Value) -> (i64, String) {
        let answer = self.call(method, params);
        let error = &answer["error"];
        assert!(
            error.is_object(),
            "{method} {params}: not refused: {answer}"
        );
        let message = error["message"].as_str().unwrap_or_default().to_string();
        (error["code"].as_i64().unwrap_or_default(), message)
    }

    fn status(&mut self) -> String {
        let answer = self.call("getStatus", &Value::Null);
        answer["result"]["deviceStatus"]
            .as_str()
            .unwrap_or_default()
            .into()
    }
}

fn sale_with(change: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let mut sale = sale("params-1", 1000);
    change(sale.as_object_mut().unwrap());
    sale
}

#[test]
fn a_payment_missing_a_required_member_is_102_naming_it() -> TestResult {
    let (sim, _client) = start(paired(5))?;
    let mut device = Device::new(&sim)?;
    // "startTransaction params": every member without `?` is required.
    for member in [
        "paymentMethod",
        "transactionType",
        "referenceId",
        "amount",
        "currency",
    ] {
        let params = sale_with(|s| {
            s.remove(member);
        });
        let (code, message) = device.refusal("startTransaction", &params);
        assert_eq!(code, 102, "{member}: {message}");
        assert!(message.contains(member), "{member}: {message}");
    }
    assert_eq!(device.status(), "IDLE");
    Ok(())
}

#[test]
fn a_payment_with_a_value_out_of_its_range_is_103_naming_it() -> TestResult {
    let (sim, _client) = start(paired(5))?;
    let mut device = Device::new(&sim)?;
    let cases: [(&str, Value); 8] = [
        ("amount", json!(0)),
        ("amount", json!(-5)),
        ("currency", json!(999)),
        ("referenceId", json!("")),
        ("referenceId", json!("bad ref!")),
        ("referenceId", json!("x".repeat(65))),
        ("tipAmount", json!(-1)),
        ("transactionType", json!("BOGUS")),
    ];
    for (member, value) in cases {
        let params = sale_with(|s| {
            s.insert(member.into(), value.clone());
        });
        let (code, message) = device.refusal("startTransaction", &params);
        assert_eq!(code, 103, "{member}={value}: {message}");
        assert!(message.contains(member), "{member}={value}: {message}");
    }
    // A member of the wrong JSON type is named too.
    let params = sale_with(|s| {
        s.insert("amount".into(), json!("many"));
    });
    let (code, message) = device.refusal("startTransaction", &params);
    assert_eq!((code, message.contains("amount")), (103, true), "{message}");
    assert_eq!(device.status(), "IDLE");
    // Nothing ran: the referenceId is still free for the sale itself.
    let done = device.call("startTransaction", &sale("params-1", 1000));
    assert_eq!(status_of(&done["result"]), Some("CAPTURED"), "{done}");
    Ok(())
}

#[test]
fn a_lookup_without_its_value_is_102() -> TestResult {
    let (sim, _client) = start(paired(5))?;
    let mut device = Device::new(&sim)?;
    for (method, lookup) in [
        ("getTransaction", "REF_ID"),
        ("getTransaction", "TRANS_ID"),
        ("getSettlement", "BATCH_NO"),
        ("getSettlement", "SETTLEMENT_ID"),
    ] {
        let (code, message) = device.refusal(method, &json!({"lookupMethod": lookup}));
        assert_eq!(code, 102, "{method} {lookup}: {message}");
        assert!(
            message.contains("lookupValue"),
            "{method} {lookup}: {message}"
        );
    }
    Ok(())
}

#[test]
fn screen_methods_outside_their_documented_values_are_103_naming_the_member() -> TestResult {
    let (sim, _client) = start(paired(5))?;
    let mut device = Device::new(&sim)?;
    let cases = [
        (
            "userInput",
            json!({"commandId": "c1", "inputType": "BOGUS"}),
            "inputType",
        ),
        (
            "userInput",
            json!({"commandId": "c1", "inputType": "NUMBER", "minValue": 10, "maxValue": 1}),
            "minValue",
        ),
        (
            "userInput",
            json!({"commandId": "c1", "inputType": "NUMBER", "timeout": -3}),
            "timeout",
        ),
        (
            "userSelection",
            json!({"commandId": "c1", "options": []}),
            "options",
        ),
        (
            "captureSignature",
            json!({"commandId": "c1", "mimeType": "text/plain"}),
            "mimeType",
        ),
        // "at least one true" of readMagCard and readNfcCard.
        ("readCard", json!({"commandId": "r1"}), "readMagCard"),
        (
            "setConfig",
            json!({"config": {"cachedResponses": "yes"}}),
            "cachedResponses",
        ),
    ];
    for (method, params, member) in cases {
        let (code, message) = device.refusal(method, &params);
        assert_eq!(code, 103, "{method} {params}: {message}");
        assert!(message.contains(member), "{method} {params}: {message}");
        assert_eq!(device.status(), "IDLE", "{method} {params}");
    }
    Ok(())
}
