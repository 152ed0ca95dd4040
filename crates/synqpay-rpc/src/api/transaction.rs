//! `startTransaction`, `continueTransaction`, `cancel`, `getTransaction`
//! (spec/api.md "startTransaction params", "continueTransaction params", "TransactionResult").

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::method::{Null, from_raw_required, method};
use crate::written::{self, Written};
use crate::{
    CommandStatus, CreditTerms, LookupMethod, PaymentMethod, PaymentType, ReferenceId,
    RequestBinding, ResultCode, Text, Transaction, TransactionType,
};
use crate::{DecodeError, FromRaw, RawJson, members};

method! {
    /// `startTransaction`: a payment. Long-running; never resent on our own (spec/protocol.md §6).
    StartTransaction = "startTransaction", StartTransactionParams<'a> => TransactionResult<'a>, Transaction; write_json; bound
}

method! {
    /// `continueTransaction`: after an UPDATE or REFERRAL stop, within 60 s.
    ContinueTransaction = "continueTransaction", ContinueTransactionParams<'a> => TransactionResult<'a>, Transaction; bound
}

method! {
    /// `cancel`: stops the running request; that request then answers too (`CANCELED`).
    Cancel = "cancel", CancelParams<'a> => Null, Command
}

method! {
    /// `getTransaction`: looks a transaction up; 302 when there is none.
    GetTransaction = "getTransaction", GetTransactionParams<'a> => GetTransactionResult<'a>, Query; bound
}

/// The parameters of `startTransaction`.
///
/// Written member by member in the order below, absent members left out (ours: one loop
/// rather than serde's derived code, for flash; the same JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct StartTransactionParams<'a> {
    /// CREDIT_CARD.
    pub payment_method: Option<PaymentMethod<'a>>,
    /// SALE, REFUND, ...
    pub transaction_type: TransactionType<'a>,
    /// Unique for the device's lifetime; reuse is 303.
    pub reference_id: Text<'a>,
    /// Minor units, tip excluded; absent for VOID.
    pub amount: Option<i64>,
    /// ISO 4217 numeric (376).
    pub currency: Option<u16>,
    /// A tip, in minor units.
    pub tip_amount: Option<i64>,
    /// Show the tip screen.
    pub tip_screen: Option<bool>,
    /// REGULAR by default.
    pub credit_terms: Option<CreditTerms<'a>>,
    /// Installments after the first.
    pub no_other_installment_payments: Option<u32>,
    /// The first installment, in minor units.
    pub first_payment: Option<i64>,
    /// The number of credit payments.
    pub no_credit_payments: Option<u32>,
    /// CARD_PRESENT, MOTO, SIGNATURE.
    pub payment_type: Option<PaymentType<'a>>,
    /// Stop with UPDATE after the card is read.
    pub notify_update: Option<bool>,
    /// Stop with REFERRAL when the host asks (one page calls it `updateReferral`: accepted).
    #[serde(alias = "updateReferral")]
    pub notify_referral: Option<bool>,
    /// Send `transactionEvent`s.
    pub notify_events: Option<bool>,
}

impl<'a> StartTransactionParams<'a> {
    /// The members' wire names, in the order of the fields above and of spec/api.md.
    const MEMBERS: [&'static str; 15] = [
        "paymentMethod",
        "transactionType",
        "referenceId",
        "amount",
        "currency",
        "tipAmount",
        "tipScreen",
        "creditTerms",
        "noOtherInstallmentPayments",
        "firstPayment",
        "noCreditPayments",
        "paymentType",
        "notifyUpdate",
        "notifyReferral",
        "notifyEvents",
    ];

    /// The members' values, in the order of [`Self::MEMBERS`].
    fn values(&self) -> [Option<Written<'a>>; 15] {
        fn w(v: Option<Text<'_>>) -> Option<Written<'_>> {
            v.map(Written::Text)
        }
        [
            w(self.payment_method.map(|m| m.name())),
            w(Some(self.transaction_type.name())),
            w(Some(self.reference_id)),
            self.amount.map(Written::from),
            self.currency.map(Written::from),
            self.tip_amount.map(Written::from),
            self.tip_screen.map(Written::from),
            w(self.credit_terms.map(|t| t.name())),
            self.no_other_installment_payments.map(Written::from),
            self.first_payment.map(Written::from),
            self.no_credit_payments.map(Written::from),
            w(self.payment_type.map(|t| t.name())),
            self.notify_update.map(Written::from),
            self.notify_referral.map(Written::from),
            self.notify_events.map(Written::from),
        ]
    }

    /// Its result must name this `referenceId`, and a SALE's this amount (spec/protocol.md
    /// §6; the other types' results carry the original's or none).
    pub fn binding(&self) -> RequestBinding<'a> {
        RequestBinding::Payment {
            reference_id: self.reference_id,
            amount: match self.transaction_type {
                TransactionType::Sale => self.amount,
                _ => None,
            },
        }
    }

    /// The parameters as JSON text in `out`, as a request carries them (no serializer:
    /// [`Method::write_params`](crate::Method::write_params)); returns the length.
    pub(crate) fn write_json(&self, out: &mut [u8]) -> Result<usize, crate::EncodeError> {
        written::write_json(out, &Self::MEMBERS, &self.values())
    }
}

impl<'a> Serialize for StartTransactionParams<'a> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        written::write_object(s, "StartTransactionParams", &Self::MEMBERS, &self.values())
    }
}

impl<'a> StartTransactionParams<'a> {
    /// A credit-card transaction of `transaction_type` with only the required members.
    pub fn new(transaction_type: TransactionType<'a>, reference_id: ReferenceId<'a>) -> Self {
        Self {
            payment_method: Some(PaymentMethod::CreditCard),
            transaction_type,
            reference_id: reference_id.text(),
            amount: None,
            currency: None,
            tip_amount: None,
            tip_screen: None,
            credit_terms: None,
            no_other_installment_payments: None,
            first_payment: None,
            no_credit_payments: None,
            payment_type: None,
            notify_update: None,
            notify_referral: None,
            notify_events: None,
        }
    }

    /// A sale of `amount` (`Amount::ils(12550)`: 125.50 ILS), with events.
    pub fn sale(reference_id: ReferenceId<'a>, amount: crate::Amount) -> Self {
        Self {
            amount: Some(amount.minor_units()),
            currency: Some(amount.currency().number()),
            notify_events: Some(true),
            ..Self::new(TransactionType::Sale, reference_id)
        }
    }
}

/// The parameters of `continueTransaction`.
#[skip_serializing_none]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct ContinueTransactionParams<'a> {
    /// After UPDATE: a new amount.
    #[serde(serialize_with = "crate::decimal::amount")]
    pub new_amount: Option<i64>,
    /// After UPDATE: credit terms.
    pub credit_terms: Option<CreditTerms<'a>>,
    /// After UPDATE.
    pub no_other_installment_payments: Option<u32>,
    /// After UPDATE.
    #[serde(serialize_with = "crate::decimal::amount")]
    pub first_payment: Option<i64>,
    /// After UPDATE.
    pub no_credit_payments: Option<u32>,
    /// After REFERRAL: the voice authorization number (up to 7 characters).
    pub authorization_number: Option<Text<'a>>,
}

impl<'a> ContinueTransactionParams<'a> {
    /// The payment it continues is the caller's to name (the parameters carry no
    /// `referenceId`); a new amount, if given, is what the result must carry.
    pub fn binding(&self) -> RequestBinding<'a> {
        RequestBinding::Continuation {
            new_amount: self.new_amount,
        }
    }
}

/// The parameters of `cancel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct CancelParams<'a> {
    /// The running transaction's `referenceId`, or a screen method's `commandId`.
    pub reference_id: Text<'a>,
}

/// The parameters of `getTransaction`.
#[skip_serializing_none]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct GetTransactionParams<'a> {
    /// How to look it up.
    pub lookup_method: LookupMethod<'a>,
    /// The reference or id (required for REF_ID and TRANS_ID).
    pub lookup_value: Option<Text<'a>>,
}

impl<'a> GetTransactionParams<'a> {
    /// The money-safe recovery: the transaction with this `referenceId` (spec/protocol.md §6).
    pub fn by_reference_id(reference_id: ReferenceId<'a>) -> Self {
        Self {
            lookup_method: LookupMethod::RefId,
            lookup_value: Some(reference_id.text()),
        }
    }

    /// A lookup by `referenceId` binds its answer to that transaction; the others, nothing.
    pub fn binding(&self) -> RequestBinding<'a> {
        match (self.lookup_method, self.lookup_value) {
            (LookupMethod::RefId, Some(reference_id)) => RequestBinding::Lookup { reference_id },
            _ => RequestBinding::Unbound,
        }
    }

    /// The last transaction.
    pub fn last() -> Self {
        Self {
            lookup_method: LookupMethod::LastTrans,
            lookup_value: None,
        }
    }
}

/// The result of `startTransaction` and `continueTransaction`, decoded member by member.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionResult<'a> {
    /// Whether the request ran (not whether money moved).
    pub result: ResultCode<'a>,
    /// UPDATE, REFERRAL (continue within 60 s) or COMPLETED.
    pub command_status: Option<CommandStatus<'a>>,
    /// The transaction.
    pub transaction: Option<Transaction<'a>>,
    /// After UPDATE: the credit terms allowed.
    pub allowed_credit_terms: Option<heapless::Vec<CreditTerms<'a>, 8>>,
    /// After UPDATE: the most installments allowed.
    pub max_number_installment_payments: Option<u32>,
    /// The object as received (`None` for one built here), every member with its raw value.
    #[serde(skip)]
    pub raw: Option<RawJson<'a>>,
    /// How many of `commandStatus`, `allowedCreditTerms` and `maxNumberInstallmentPayments`
    /// had a JSON type other than the expected one: left empty, their raw values in
    /// [`raw`](Self::raw) (spec/protocol.md §4). A mistyped `commandStatus` means that whether
    /// the device waits for `continueTransaction` is not known: `getStatus` tells.
    #[serde(skip)]
    pub mismatched: u8,
}

impl<'a> TransactionResult<'a> {
    /// A result with only `result` set.
    pub fn new(result: ResultCode<'a>) -> Self {
        Self {
            result,
            command_status: None,
            transaction: None,
            allowed_credit_terms: None,
            max_number_installment_payments: None,
            raw: None,
            mismatched: 0,
        }
    }

    /// Whether the card was charged; `None` means unknown (no transaction, or no or an unknown
    /// status): look it up by `referenceId`, never assume a decline (spec/protocol.md §6).
    pub fn is_charged(&self) -> Option<bool> {
        self.transaction.as_ref().and_then(Transaction::is_charged)
    }

    /// Whether the device waits for `continueTransaction`.
    pub fn awaits_continue(&self) -> bool {
        matches!(
            self.command_status,
            Some(CommandStatus::Update | CommandStatus::Referral)
        )
    }
}

impl<'a> FromRaw<'a> for TransactionResult<'a> {
    fn from_raw(raw: Option<RawJson<'a>>, member: &'static str) -> Result<Self, DecodeError> {
        let raw = raw.ok_or(DecodeError::Missing(member))?;
        let (mut result, mut command_status, mut transaction, mut terms, mut installments) =
            (None, None, None, None, None);
        let mut mismatched = 0u8;
        for (key, value) in members::object(raw)?.members() {
            let fitted = match key.as_wire() {
                "result" => {
                    members::fill(&mut result, "result", value)?;
                    true
                }
                "transaction" => {
                    members::fill(&mut transaction, "transaction", value)?;
                    true
                }
                // Money does not depend on these: a value of another type is left out and
                // counted (spec/protocol.md §4); it stays in `raw`.
                "commandStatus" => {
                    members::fill_lenient(&mut command_status, "commandStatus", value)
                }
                "allowedCreditTerms" => {
                    members::fill_lenient(&mut terms, "allowedCreditTerms", value)
                }
                "maxNumberInstallmentPayments" => {
                    members::fill_lenient(&mut installments, "maxNumberInstallmentPayments", value)
                }
                _ => true,
            };
            mismatched = mismatched.saturating_add(u8::from(!fitted));
        }
        Ok(Self {
            result: result.ok_or(DecodeError::Missing("result.result"))?,
            command_status,
            transaction,
            allowed_credit_terms: terms,
            max_number_installment_payments: installments,
            raw: Some(raw),
            mismatched,
        })
    }
}

/// The result of `getTransaction`, decoded member by member.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetTransactionResult<'a> {
    /// OK, or HOST_ERROR.
    pub transaction_result: Option<ResultCode<'a>>,
    /// The transaction found.
    pub transaction: Option<Transaction<'a>>,
    /// The object as received (`None` for one built here), every member with its raw value.
    #[serde(skip)]
    pub raw: Option<RawJson<'a>>,
    /// 1 when `transactionResult` had a JSON type other than text: left empty, its raw value
    /// in [`raw`](Self::raw) (spec/protocol.md §4).
    #[serde(skip)]
    pub mismatched: u8,
}

impl<'a> FromRaw<'a> for GetTransactionResult<'a> {
    fn from_raw(raw: Option<RawJson<'a>>, member: &'static str) -> Result<Self, DecodeError> {
        let raw = raw.ok_or(DecodeError::Missing(member))?;
        let mut out = Self {
            raw: Some(raw),
            ..Self::default()
        };
        for (key, value) in members::object(raw)?.members() {
            match key.as_wire() {
                "transactionResult" => {
                    let fitted = members::fill_lenient(
                        &mut out.transaction_result,
                        "transactionResult",
                        value,
                    );
                    out.mismatched = out.mismatched.saturating_add(u8::from(!fitted));
                }
                "transaction" => members::fill(&mut out.transaction, "transaction", value)?,
                _ => {}
            }
        }
        Ok(out)
    }
}

from_raw_required!(
    StartTransactionParams,
    ContinueTransactionParams,
    CancelParams,
    GetTransactionParams,
);
