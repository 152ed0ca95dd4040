//! What the simulated device writes: stored transactions with their receipts, and the results of
//! the methods it answers with plain JSON text (spec/api.md "Methods").

use std::fmt::Write as _;

use serde::Serialize;
use synqpay_rpc::{
    CreditTerms, RawJson, Receipt, ReceiptField, ResultCode, RpcErrorCode, Text, Transaction,
    TransactionStatus, TransactionType,
};
use synqpay_session::{IncomingRequest, ReplyTo};

use crate::app::{Running, Stored};

/// The methods whose results the simulator writes as JSON text: batch and settlement reports
/// from the stored transactions, configuration, and the screen methods.
pub(super) fn other_method(
    stored: &mut [Stored],
    cached_responses: &mut bool,
    counter: u64,
    method: &str,
    params: Option<RawJson<'_>>,
) -> Result<String, (RpcErrorCode, &'static str, Option<String>)> {
    let command_id = params
        .and_then(|p| p.member("commandId"))
        .map_or("\"\"".to_string(), |c| c.to_string());
    let records = |settled: bool, stored: &[Stored]| {
        let items: Vec<String> = stored
            .iter()
            .filter(|s| s.settled == settled)
            .map(|s| {
                format!(
                    r#"{{"type":"R","referenceId":"{}","transactionId":"{}"}}"#,
                    s.reference_id, s.transaction_id
                )
            })
            .collect();
        items.join(",")
    };
    Ok(match method {
        "getBatchFileStatus" => {
            format!(
                r#"{{"mainTerminal":{{"terminalId":"0881234","batchFile":[{}]}}}}"#,
                records(false, stored)
            )
        }
        "settlement" => {
            let list = records(false, stored);
            let count = stored.iter().filter(|s| !s.settled).count();
            // Settlement sends the batch to the host: its captured transactions are SETTLED.
            for s in stored.iter_mut().filter(|s| !s.settled) {
                s.settled = true;
                if s.status == TransactionStatus::Captured {
                    s.status = TransactionStatus::Settled;
                }
            }
            let mut report = String::from("דוח סגירה<!>");
            let _ = write!(report, "עסקאות: {count}<!>");
            format!(
                r#"{{"result":"OK","settlement":{{"terminalId":"0881234","settlementId":"00000000-0000-4000-8000-{:012}","batchNo":"{:04}","report":"{report}","settledTransactions":[{list}],"time":"2026-11-27T23:00:00+02:00"}}}}"#,
                counter, counter
            )
        }
        "getSettlement" | "querySettlements" => {
            let list = records(true, stored);
            if method == "getSettlement" {
                format!(
                    r#"{{"terminalId":"0881234","batchNo":"0001","report":"","settledTransactions":[{list}]}}"#
                )
            } else {
                format!(r#"[{{"batchNo":"0001","settledTransactions":[{list}]}}]"#)
            }
        }
        "deposit" => {
            return Err((
                RpcErrorCode::IllegalRequest,
                "IllegalRequest",
                Some("\"NO_GATEWAY\"".into()),
            ));
        }
        "getConfig" => format!(
            r#"{{"printTransactionReceipt":false,"printSettlement":false,"cachedResponses":{},"nsd":true}}"#,
            *cached_responses
        ),
        "setConfig" => {
            let cached = params
                .and_then(|p| p.member("config"))
                .and_then(|c| c.member("cachedResponses"));
            if let Some(flag) = cached {
                *cached_responses = flag.as_str() == "true";
            }
            "null".into()
        }
        "readCard" => format!(
            r#"{{"commandId":{command_id},"result":"OK","cardData":{{"track2":";4580080000003303=2812?"}}}}"#
        ),
        "userInput" => {
            format!(r#"{{"commandId":{command_id},"result":"OK","value":"0501234567"}}"#)
        }
        "userSelection" => {
            format!(r#"{{"commandId":{command_id},"result":"OK","selectedId":"1"}}"#)
        }
        "captureSignature" => {
            format!(r#"{{"commandId":{command_id},"result":"OK","signature":"0x89504e47"}}"#)
        }
        _ => "null".into(), // showQR, uploadLogs, reboot, restart
    })
}

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
