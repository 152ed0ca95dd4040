//! The docs-style transaction result, with its Hebrew fields and receipts, through the typed API.

use synqpay_rpc::*;

const SAMPLE: &str = include_str!("samples/transaction-result.json");

fn result_of(message: &str) -> RawJson<'_> {
    let Message::Response(response) = Message::parse(message.as_bytes()).unwrap() else {
        panic!("not a response")
    };
    response.result.expect("a result")
}

#[test]
fn the_full_result_decodes_with_every_field() {
    let result = StartTransaction::decode_output(Some(result_of(SAMPLE))).unwrap();
    assert_eq!(result.result, ResultCode::Ok);
    assert_eq!(result.command_status, Some(CommandStatus::Completed));
    assert!(!result.awaits_continue());
    assert_eq!(result.is_charged(), Some(true));
    let t = result.transaction.as_ref().unwrap();
    assert_eq!(t.transaction_type, Some(TransactionType::Sale));
    assert_eq!(
        (t.amount, t.total_amount, t.tip_amount, t.currency),
        (Some(12550), Some(13550), Some(1000), Some(376))
    );
    assert_eq!(t.card_name.unwrap(), "ויזה רגיל");
    assert_eq!(t.acquirer_name.unwrap(), "ישראכרט");
    assert_eq!(t.rrn.unwrap(), "123456789012    ");
    assert_eq!(t.transaction_id.unwrap().len(), 23);
    assert_eq!(t.masked_pan.unwrap(), "458008XXXXXX3303");

    let receipt = t.card_holder_receipt.unwrap();
    let fields: Vec<ReceiptField> = receipt.fields().map(Result::unwrap).collect();
    let ids: Vec<String> = fields
        .iter()
        .map(|f| f.id.as_text().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        ["title", "merchant", "sep", "amount", "card", "path"],
        "order kept"
    );
    assert_eq!(fields[1].value.unwrap(), "קפה \"הפינה\"");
    assert_eq!(fields[2].value, None, "a field without value");
    assert_eq!(fields[3].value.unwrap(), "₪135.50");
    assert_eq!(fields[4].value.unwrap(), "ויזה 3303", "\\u escapes decoded");
    assert_eq!(
        fields[5].value.unwrap(),
        r"C:\receipts\1001",
        "\\\\ decoded"
    );
    assert_eq!(receipt.language().unwrap(), "he");
    let merchant = t.merchant_receipt.unwrap();
    assert_eq!(
        (
            merchant.collect_signature(),
            merchant.collect_telephone_no()
        ),
        (Some(true), Some(false))
    );
    assert_eq!(merchant.fields().count(), 3);
}

#[test]
fn a_device_builds_receipts_from_parts() {
    let lines = [
        ReceiptField {
            id: Code::from_json(r#""title""#).unwrap(),
            key: Text::new("חשבונית"),
            value: Some(Text::new("העתק ללקוח")),
        },
        ReceiptField {
            id: Code::from_json(r#""sig""#).unwrap(),
            key: Text::new("חתימה"),
            value: None,
        },
    ];
    let receipt = Receipt::Built {
        fields: &lines,
        language: Some(Text::new("he")),
        collect_signature: Some(true),
        collect_telephone_no: None,
    };
    let t = Transaction {
        transaction_status: Some(TransactionStatus::Captured),
        card_holder_receipt: Some(receipt),
        ..Default::default()
    };
    let mut buf = [0u8; 512];
    let n = encode(&t, &mut buf).unwrap();
    assert_eq!(
        std::str::from_utf8(&buf[..n]).unwrap(),
        r#"{"transactionStatus":"CAPTURED","cardHolderReceipt":{"fields":[{"id":"title","key":"חשבונית","value":"העתק ללקוח"},{"id":"sig","key":"חתימה"}],"language":"he","collectSignature":true}}"#
    );
    let back = Transaction::from_json(RawJson::parse(&buf[..n]).unwrap()).unwrap();
    let fields: Vec<ReceiptField> = back
        .card_holder_receipt
        .unwrap()
        .fields()
        .map(Result::unwrap)
        .collect();
    assert_eq!(fields, lines);
}

#[test]
fn the_full_result_round_trips_and_keeps_its_meaning() {
    let result = StartTransaction::decode_output(Some(result_of(SAMPLE))).unwrap();
    let mut buf = [0u8; 8192];
    let n = encode_response(&mut buf, Text::new("42"), &result).unwrap();
    let written: serde_json::Value = serde_json::from_slice(&buf[..n]).unwrap();
    let mut original: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
    // The one member this version does not know is not kept by the typed value...
    original["result"]["transaction"]
        .as_object_mut()
        .unwrap()
        .remove("someFutureField");
    assert_eq!(written, original);
    // ...but the raw result still has it.
    let raw = result_of(SAMPLE)
        .member("transaction")
        .unwrap()
        .member("someFutureField")
        .unwrap();
    assert_eq!(raw.as_str(), r#"{"nested": [1, 2, 3]}"#);
}

#[test]
fn hebrew_length_counts_bytes_and_text_is_intact() {
    let result = StartTransaction::decode_output(Some(result_of(SAMPLE))).unwrap();
    let name = result.transaction.unwrap().card_name.unwrap();
    assert_eq!(
        name.as_str(),
        Some("ויזה רגיל"),
        "no escapes: borrowed as is"
    );
    assert_eq!(name.len(), "ויזה רגיל".len());
    assert_eq!(name.len(), 17);
}

#[test]
fn an_unknown_outcome_is_not_a_decline() {
    // A non-OK result without transactionStatus: unknown, to be looked up (spec/protocol.md §6).
    let r = StartTransaction::decode_output(Some(
        RawJson::parse(br#"{"result":"NETWORK_ERROR"}"#).unwrap(),
    ))
    .unwrap();
    assert_eq!(r.is_charged(), None);
    let r = StartTransaction::decode_output(Some(
        RawJson::parse(br#"{"result":"OK","transaction":{"transactionStatus":"PENDING_REVIEW"}}"#)
            .unwrap(),
    ))
    .unwrap();
    assert_eq!(r.is_charged(), None);
    assert!(
        matches!(r.transaction.unwrap().transaction_status, Some(TransactionStatus::Unknown(t)) if t == "PENDING_REVIEW")
    );
    let r = StartTransaction::decode_output(Some(
        RawJson::parse(br#"{"result":"OK","transaction":{"transactionStatus":"DECLINED"}}"#)
            .unwrap(),
    ))
    .unwrap();
    assert_eq!(r.is_charged(), Some(false));
}

#[test]
fn the_recovery_lookup_is_by_reference_id() {
    let id = ReferenceId::new("order-1001").unwrap();
    let lookup = GetTransactionParams::by_reference_id(id);
    let mut buf = [0u8; 256];
    let n = encode_call::<GetTransaction>(&mut buf, "5", &lookup).unwrap();
    assert_eq!(
        std::str::from_utf8(&buf[..n]).unwrap(),
        r#"{"jsonrpc":"2.0","method":"getTransaction","id":"5","params":{"lookupMethod":"REF_ID","lookupValue":"order-1001"}}"#
    );
    let sale = StartTransactionParams::sale(id, synqpay_rpc::Amount::ils(12550));
    let n = encode(&sale, &mut buf).unwrap();
    assert_eq!(
        std::str::from_utf8(&buf[..n]).unwrap(),
        r#"{"paymentMethod":"CREDIT_CARD","transactionType":"SALE","referenceId":"order-1001","amount":12550,"currency":376,"notifyEvents":true}"#
    );
}

/// The params of `message`, as written.
fn params_of(message: &[u8]) -> &str {
    let Message::Request(request) = Message::parse(message).unwrap() else {
        panic!("not a request")
    };
    request.params.expect("params").as_str()
}

/// spec/api.md "startTransaction params": every member, in the documented order, with the
/// value given; an absent one is left out, and an amount past `i32` is written whole.
#[test]
fn a_sale_request_writes_the_documented_members_in_order() {
    let api = include_str!("../../../spec/api.md");
    let section = &api[api.find("### startTransaction params").unwrap()..];
    let section = &section[..section.find(" VOID:").unwrap()];
    let documented: Vec<&str> = section
        .split('`')
        .skip(1)
        .step_by(2)
        // Not members: the other name of notifyReferral, the notification notifyEvents asks for.
        .filter(|name| name.starts_with(char::is_lowercase))
        .filter(|name| !["updateReferral", "transactionEvent"].contains(name))
        .collect();

    let all = StartTransactionParams {
        payment_method: Some(PaymentMethod::CreditCard),
        transaction_type: TransactionType::Sale,
        reference_id: Text::new("pos-1_A"),
        amount: Some(12550),
        currency: Some(376),
        tip_amount: Some(1000),
        tip_screen: Some(false),
        credit_terms: Some(CreditTerms::Installments),
        no_other_installment_payments: Some(2),
        first_payment: Some(5000),
        no_credit_payments: Some(3),
        payment_type: Some(PaymentType::CardPresent),
        notify_update: Some(true),
        notify_referral: Some(false),
        notify_events: Some(true),
    };
    let mut buf = [0u8; 1024];
    let n = encode_call::<StartTransaction>(&mut buf, "9", &all).unwrap();
    let written = params_of(&buf[..n]);
    assert_eq!(
        written,
        concat!(
            r#"{"paymentMethod":"CREDIT_CARD","transactionType":"SALE","referenceId":"pos-1_A","#,
            r#""amount":12550,"currency":376,"tipAmount":1000,"tipScreen":false,"#,
            r#""creditTerms":"INSTALLMENTS","noOtherInstallmentPayments":2,"firstPayment":5000,"#,
            r#""noCreditPayments":3,"paymentType":"CARD_PRESENT","notifyUpdate":true,"#,
            r#""notifyReferral":false,"notifyEvents":true}"#
        )
    );
    let names: Vec<&str> = RawJson::parse(written.as_bytes())
        .unwrap()
        .members()
        .map(|(key, _)| key.as_wire())
        .collect();
    assert_eq!(names, documented);

    let void = StartTransactionParams {
        amount: None,
        ..StartTransactionParams::new(TransactionType::Void, ReferenceId::new("pos-1_A").unwrap())
    };
    let n = encode_call::<StartTransaction>(&mut buf, "10", &void).unwrap();
    assert_eq!(
        params_of(&buf[..n]),
        r#"{"paymentMethod":"CREDIT_CARD","transactionType":"VOID","referenceId":"pos-1_A"}"#
    );

    let large = StartTransactionParams {
        amount: Some(i64::MAX),
        tip_amount: Some(i64::MIN),
        ..void
    };
    let n = encode_call::<StartTransaction>(&mut buf, "11", &large).unwrap();
    let again =
        StartTransaction::decode_params(Message::parse(&buf[..n]).ok().and_then(|m| match m {
            Message::Request(r) => r.params,
            _ => None,
        }))
        .unwrap();
    assert_eq!(
        (again.amount, again.tip_amount),
        (Some(i64::MAX), Some(i64::MIN))
    );
}

mod written_without_serde {
    use proptest::prelude::*;
    use synqpay_rpc::*;

    fn enum_of<T: Copy + std::fmt::Debug + 'static>(
        all: &'static [T],
    ) -> impl Strategy<Value = Option<T>> {
        prop::option::of(prop::sample::select(all))
    }

    proptest! {
        /// `startTransaction` writes its parameters without serde (`Method::write_params`):
        /// the request is the same text serde writes for them (`encode_request`), whatever
        /// the members, the amounts and the text.
        #[test]
        fn a_payment_request_is_the_text_serde_writes(
            reference in "[ -~\u{e9}\u{5d0}\u{1}\n\"\\\\]{0,24}",
            amount in prop::option::of(any::<i64>()),
            currency in prop::option::of(any::<u16>()),
            tip in prop::option::of(any::<i64>()),
            tip_screen in prop::option::of(any::<bool>()),
            terms in enum_of(CreditTerms::ALL),
            payments in prop::option::of(any::<u32>()),
            payment_type in enum_of(PaymentType::ALL),
            flags in (prop::option::of(any::<bool>()), prop::option::of(any::<bool>())),
            kind in prop::sample::select(TransactionType::ALL),
        ) {
            let params = StartTransactionParams {
                payment_method: None,
                transaction_type: kind,
                reference_id: Text::new(&reference),
                amount,
                currency,
                tip_amount: tip,
                tip_screen,
                credit_terms: terms,
                no_other_installment_payments: payments,
                first_payment: tip,
                no_credit_payments: payments,
                payment_type,
                notify_update: flags.0,
                notify_referral: flags.1,
                notify_events: None,
            };
            let (mut ours, mut serde) = ([0u8; 2048], [0u8; 2048]);
            let a = encode_call::<StartTransaction>(&mut ours, "id-1", &params).unwrap();
            let b = encode_request(&mut serde, "id-1", StartTransaction::NAME, Some(&params)).unwrap();
            prop_assert_eq!(std::str::from_utf8(&ours[..a]).unwrap(), std::str::from_utf8(&serde[..b]).unwrap());
        }
    }
}
