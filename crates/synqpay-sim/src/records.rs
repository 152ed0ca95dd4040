//! What the simulated device writes: stored transactions with their receipts, and the results of
//! the methods it answers with plain JSON text (spec/api.md "Methods").

use serde::Serialize;
use synqpay_rpc::{
    CreditTerms, RawJson, Receipt, ReceiptField, ResultCode, Text, Transaction, TransactionStatus,
    TransactionType,
};
use synqpay_session::{IncomingRequest, ReplyTo};

use crate::app::Running;

/// The credit terms the simulated host allows after UPDATE.
pub(super) fn heapless_terms() -> Option<heapless::Vec<CreditTerms<'static>, 8>> {
    let mut terms = heapless::Vec::new();
    let _ = terms.push(CreditTerms::Regular);
    let _ = terms.push(CreditTerms::Installments);
    Some(terms)
}

/// `getTransaction`'s answer with the stored transaction as it was first written.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Found<'a> {
    pub(super) transaction_result: ResultCode<'a>,
    pub(super) transaction: RawJson<'a>,
}

/// A request copied out of the device's queue.
pub(super) struct OwnedRequest {
    pub(super) reply_to: ReplyTo,
    pub(super) method: String,
    pub(super) params: Option<String>,
}

impl OwnedRequest {
    pub(super) fn of(request: &IncomingRequest<'_>) -> Self {
        Self {
            reply_to: request.reply_to,
            method: request.method.to_string(),
            params: request.params.map(|p| p.as_str().to_string()),
        }
    }
}

/// The transaction object of a completed payment, with receipts, as JSON text.
pub(super) fn transaction_json(
    running: &Running,
    transaction_id: &str,
    time: &str,
    status: TransactionStatus<'_>,
) -> String {
    let amount = format!("₪{}.{:02}", running.amount / 100, running.amount % 100);
    let lines = [
        ReceiptField {
            id: Text::new("title"),
            key: Text::new("חשבונית"),
            value: Some(Text::new("העתק ללקוח")),
        },
        ReceiptField {
            id: Text::new("amount"),
            key: Text::new("סכום"),
            value: Some(Text::new(&amount)),
        },
        ReceiptField {
            id: Text::new("card"),
            key: Text::new("כרטיס"),
            value: Some(Text::new("ויזה 3303")),
        },
    ];
    let t = Transaction {
        transaction_status: Some(status),
        transaction_time: Some(Text::new(time)),
        reference_id: Some(Text::new(&running.reference_id)),
        terminal_id: Some(Text::new("0881234")),
        app_version: Some(Text::new("1.8.2")),
        transaction_type: Some(TransactionType::from_text(Text::new(
            &running.transaction_type,
        ))),
        amount: Some(running.amount),
        total_amount: Some(running.amount),
        tip_amount: Some(0),
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
    serde_json::to_string(&t).unwrap_or_else(|_| "{}".into())
}
