//! The `transaction` object (spec/api.md "TransactionResult"), decoded member by member.

use crate::members::member_struct;
use crate::{Code, CreditTerms, Receipt, Text, TransactionStatus, TransactionType};

member_struct! {
    /// A transaction as the device reports it. Every member is optional: a declined or failed
    /// transaction carries few of them, and devices differ. Money is judged by
    /// [`Transaction::is_charged`], from `transactionStatus` (spec/protocol.md §4). Members this
    /// version does not know are kept raw ([`Transaction::unknown_members`]); a member of an
    /// unexpected JSON type is kept raw too and never fails the object, except the ones money
    /// depends on (spec/protocol.md §4).
    Transaction strict ["transactionStatus", "referenceId", "amount"] {
        /// What happened to the money.
        transaction_status: TransactionStatus<'a> = "transactionStatus",
        /// When, RFC 3339.
        transaction_time: Text<'a> = "transactionTime",
        /// The caller's unique reference.
        reference_id: Text<'a> = "referenceId",
        /// The terminal id.
        terminal_id: Text<'a> = "terminalId",
        /// The application version.
        app_version: Text<'a> = "appVersion",
        /// The kind of transaction.
        transaction_type: TransactionType<'a> = "transactionType",
        /// The amount in minor units, tip excluded.
        amount: i64 = "amount",
        /// Amount plus tip, in minor units.
        total_amount: i64 = "totalAmount",
        /// The tip, in minor units.
        tip_amount: i64 = "tipAmount",
        /// ISO 4217 numeric currency (376 = ILS).
        currency: u16 = "currency",
        /// The device's transaction id (23 digits).
        transaction_id: Text<'a> = "transactionId",
        /// The host's authorization number.
        authorization_number: Text<'a> = "authorizationNumber",
        /// The retrieval reference number (space-padded).
        rrn: Text<'a> = "rrn",
        /// The system trace number.
        system_trace_number: Text<'a> = "systemTraceNumber",
        /// The card's name (often Hebrew).
        card_name: Text<'a> = "cardName",
        /// The masked card number, such as `458008XXXXXX3303`.
        masked_pan: Text<'a> = "maskedPan",
        /// The last digits of the card number.
        pan_suffix: Text<'a> = "panSuffix",
        /// The terminal number.
        terminal_no: Code<'a> = "terminalNo",
        /// The credit terms used.
        credit_terms: CreditTerms<'a> = "creditTerms",
        /// How the card was read (EMV, ...).
        pan_entry_mode: Text<'a> = "panEntryMode",
        /// The acquirer's code.
        acquirer: Code<'a> = "acquirer",
        /// The acquirer's name.
        acquirer_name: Text<'a> = "acquirerName",
        /// The acquirer's business number.
        acquirer_business_number: Text<'a> = "acquirerBusinessNumber",
        /// The acquirer's phone number.
        acquirer_phone_number: Text<'a> = "acquirerPhoneNumber",
        /// The issuer's code.
        issuer: Code<'a> = "issuer",
        /// The issuer's name.
        issuer_name: Text<'a> = "issuerName",
        /// The card brand's code.
        brand: Code<'a> = "brand",
        /// The card brand's name.
        brand_name: Text<'a> = "brandName",
        /// A club card.
        is_club: bool = "isClub",
        /// A prepaid card.
        is_prepaid: bool = "isPrepaid",
        /// The CVV check's answer.
        cvv_response: Code<'a> = "cvvResponse",
        /// The card holder id check's answer.
        card_holder_id_response: Code<'a> = "cardHolderIdResponse",
        /// The host's error code, when it refused.
        host_error_code: Text<'a> = "hostErrorCode",
        /// The host's error message.
        host_error_message: Text<'a> = "hostErrorMessage",
        /// The card holder's receipt.
        card_holder_receipt: Receipt<'a> = "cardHolderReceipt",
        /// The merchant's receipt.
        merchant_receipt: Receipt<'a> = "merchantReceipt",
    }
}

impl Transaction<'_> {
    /// Whether the card was charged: `Some(true)` for AUTHORIZED, CAPTURED, SETTLED, DEPOSITED;
    /// `None` when the status is absent or unknown, which the caller must treat as "unknown,
    /// look it up", never as "not charged" (spec/protocol.md §6). A REFUND is a credit to the
    /// card, never a charge, whatever its status (spec/api.md "Member types").
    pub fn is_charged(&self) -> Option<bool> {
        let charged = self.transaction_status.and_then(|s| s.is_charged())?;
        match self.transaction_type {
            Some(TransactionType::Refund) => Some(false),
            _ => Some(charged),
        }
    }
}
