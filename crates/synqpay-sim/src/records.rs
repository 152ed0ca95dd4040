//! The transaction object the simulated device writes, with its receipt (spec/api.md
//! "TransactionResult", "Member types": the documented sale's types and `language: HEBREW`),
//! built with `synqpay-rpc`'s types and handed to whoever writes it (a result, a lookup).

use synqpay_rpc::{
    Code, CreditTerms, Receipt, ReceiptField, Text, Transaction, TransactionStatus, TransactionType,
};

use crate::batch::TERMINAL_ID;
use crate::state::Running;

/// An amount in agorot as the device prints it, on its screen and its receipts (`₪125.50`).
pub(crate) fn shekels(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}₪{}.{:02}", abs / 100, abs % 100)
}

/// Calls `write` with the transaction object of `running`, as the device reports it with
/// `status`, and returns what it returns.
pub(crate) fn with_transaction<R>(
    running: &Running,
    transaction_id: &str,
    time: &str,
    status: TransactionStatus<'_>,
    write: impl FnOnce(&Transaction<'_>) -> R,
) -> R {
    let amount = shekels(running.amount);
    let lines = [
        ReceiptField {
            id: Code::from_json(r#""title""#).unwrap(),
            key: Text::new("חשבונית"),
            value: Some(Text::new("העתק ללקוח")),
        },
        ReceiptField {
            id: Code::from_json(r#""amount""#).unwrap(),
            key: Text::new("סכום"),
            value: Some(Text::new(&amount)),
        },
        ReceiptField {
            id: Code::from_json(r#""card""#).unwrap(),
            key: Text::new("כרטיס"),
            value: Some(Text::new("ויזה 3303")),
        },
    ];
    let transaction = Transaction {
        transaction_status: Some(status),
        transaction_time: Some(Text::new(time)),
        reference_id: Some(Text::new(&running.reference_id)),
        terminal_id: Some(Text::new(TERMINAL_ID)),
        app_version: Some(Text::new("1.8.2")),
        transaction_type: Some(TransactionType::from_text(Text::new(
            &running.transaction_type,
        ))),
        amount: Some(running.amount),
        total_amount: Some(running.amount + running.tip),
        tip_amount: Some(running.tip),
        credit_terms: running
            .credit_terms
            .as_deref()
            .map(|t| CreditTerms::from_text(Text::new(t))),
        currency: Some(running.currency),
        transaction_id: Some(Text::new(transaction_id)),
        authorization_number: (status.is_charged() == Some(true)).then_some(Text::new("0123456")),
        rrn: Some(Text::new("123456789012    ")),
        card_name: Some(Text::new("ויזה רגיל")),
        masked_pan: Some(Text::new("458008XXXXXX3303")),
        pan_suffix: Some(Text::new("3303")),
        pan_entry_mode: Some(Text::new("EMV")),
        brand_name: Some(Text::new("ויזה")),
        card_holder_receipt: Some(Receipt::Built {
            fields: &lines,
            // As in the documented sample (spec/api.md "Member types").
            language: Some(Text::new("HEBREW")),
            collect_signature: Some(false),
            collect_telephone_no: None,
        }),
        ..Default::default()
    };
    write(&transaction)
}
