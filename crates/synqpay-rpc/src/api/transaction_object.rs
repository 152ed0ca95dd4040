//! The `transaction` object and its receipts (spec/api.md "TransactionResult").

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::method::from_raw_required;
use crate::{CreditTerms, Text, TransactionStatus, TransactionType};

/// ours: the most fields a receipt may have; more is a typed error, and the raw result still
/// holds them all.
pub const MAX_RECEIPT_FIELDS: usize = 48;

/// A transaction as the device reports it. Every member is optional: a declined or failed
/// transaction carries few of them, and devices differ. Money is judged by
/// [`Transaction::is_charged`], from `transactionStatus` (spec/protocol.md §4).
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct Transaction<'a> {
    /// What happened to the money.
    pub transaction_status: Option<TransactionStatus<'a>>,
    /// When, RFC 3339.
    pub transaction_time: Option<Text<'a>>,
    /// The caller's unique reference.
    pub reference_id: Option<Text<'a>>,
    /// The terminal id.
    pub terminal_id: Option<Text<'a>>,
    /// The application version.
    pub app_version: Option<Text<'a>>,
    /// The kind of transaction.
    pub transaction_type: Option<TransactionType<'a>>,
    /// The amount in minor units, tip excluded.
    pub amount: Option<i64>,
    /// Amount plus tip, in minor units.
    pub total_amount: Option<i64>,
    /// The tip, in minor units.
    pub tip_amount: Option<i64>,
    /// ISO 4217 numeric currency (376 = ILS).
    pub currency: Option<u16>,
    /// The device's transaction id (23 digits).
    pub transaction_id: Option<Text<'a>>,
    /// The host's authorization number.
    pub authorization_number: Option<Text<'a>>,
    /// The retrieval reference number (space-padded).
    pub rrn: Option<Text<'a>>,
    /// The system trace number.
    pub system_trace_number: Option<Text<'a>>,
    /// The card's name (often Hebrew).
    pub card_name: Option<Text<'a>>,
    /// The masked card number, such as `458008XXXXXX3303`.
    pub masked_pan: Option<Text<'a>>,
    /// The last digits of the card number.
    pub pan_suffix: Option<Text<'a>>,
    /// The terminal number.
    pub terminal_no: Option<Text<'a>>,
    /// The credit terms used.
    pub credit_terms: Option<CreditTerms<'a>>,
    /// How the card was read (EMV, ...).
    pub pan_entry_mode: Option<Text<'a>>,
    /// The acquirer's code.
    pub acquirer: Option<Text<'a>>,
    /// The acquirer's name.
    pub acquirer_name: Option<Text<'a>>,
    /// The acquirer's business number.
    pub acquirer_business_number: Option<Text<'a>>,
    /// The acquirer's phone number.
    pub acquirer_phone_number: Option<Text<'a>>,
    /// The issuer's code.
    pub issuer: Option<Text<'a>>,
    /// The issuer's name.
    pub issuer_name: Option<Text<'a>>,
    /// The card brand's code.
    pub brand: Option<Text<'a>>,
    /// The card brand's name.
    pub brand_name: Option<Text<'a>>,
    /// A club card.
    pub is_club: Option<bool>,
    /// A prepaid card.
    pub is_prepaid: Option<bool>,
    /// The CVV check's answer.
    pub cvv_response: Option<Text<'a>>,
    /// The card holder id check's answer.
    pub card_holder_id_response: Option<Text<'a>>,
    /// The host's error code, when it refused.
    pub host_error_code: Option<Text<'a>>,
    /// The host's error message.
    pub host_error_message: Option<Text<'a>>,
    /// The card holder's receipt.
    pub card_holder_receipt: Option<Receipt<'a>>,
    /// The merchant's receipt.
    pub merchant_receipt: Option<Receipt<'a>>,
}

impl Transaction<'_> {
    /// Whether the card was charged: `Some(true)` for AUTHORIZED, CAPTURED, SETTLED, DEPOSITED;
    /// `None` when the status is absent or unknown, which the caller must treat as "unknown,
    /// look it up", never as "not charged" (spec/protocol.md §6).
    pub fn is_charged(&self) -> Option<bool> {
        self.transaction_status.and_then(|s| s.is_charged())
    }
}

/// A receipt: fields in print order (the order matters), language, what to collect.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct Receipt<'a> {
    /// The lines, in order.
    #[serde(default)]
    pub fields: heapless::Vec<ReceiptField<'a>, MAX_RECEIPT_FIELDS>,
    /// The receipt's language.
    pub language: Option<Text<'a>>,
    /// Whether to collect a signature.
    pub collect_signature: Option<bool>,
    /// Whether to collect a telephone number.
    pub collect_telephone_no: Option<bool>,
}

/// One line of a receipt; `value` may be absent (a heading).
#[skip_serializing_none]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct ReceiptField<'a> {
    /// The field's id.
    pub id: Text<'a>,
    /// The label.
    pub key: Text<'a>,
    /// The value.
    pub value: Option<Text<'a>>,
}

from_raw_required!(Transaction, Receipt);
