//! `getBatchFileStatus`, `settlement`, `getSettlement`, `querySettlements`, `deposit`
//! (spec/api.md "Methods", "Settlement object").

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::method::{NoParams, from_raw_required, method};
use crate::{
    DecodeError, Host, RawJson, RecordType, ReportFormat, ResultCode, SettlementLookup, Text,
    Transaction,
};

/// ours: the most records a list of transactions in these results may hold; longer lists are a
/// typed error, and the raw result still holds them all (read them with `RawJson::items`).
pub const MAX_RECORDS: usize = 32;

method! {
    /// `getBatchFileStatus`: the transactions waiting for settlement (field).
    GetBatchFileStatus = "getBatchFileStatus", NoParams => BatchFileStatus<'a>, Query
}

method! {
    /// `settlement`: closes the batch with the host. Long-running.
    Settlement = "settlement", SettlementParams<'a> => SettlementResult<'a>, Interactive
}

method! {
    /// `getSettlement`: a past settlement (field).
    GetSettlement = "getSettlement", GetSettlementParams<'a> => SettlementReport<'a>, Query
}

method! {
    /// `querySettlements`: parameters and result of unverified shape, as raw JSON (field).
    QuerySettlements = "querySettlements", Option<RawJson<'a>> => Option<RawJson<'a>>, Query
}

method! {
    /// `deposit`: deposits with the host; no gateway is 101 NO_GATEWAY. Long-running.
    Deposit = "deposit", DepositParams<'a> => DepositResult<'a>, Interactive
}

/// The result of `getBatchFileStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct BatchFileStatus<'a> {
    /// The main terminal's batch.
    pub main_terminal: MainTerminal<'a>,
}

/// A terminal's batch file.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct MainTerminal<'a> {
    /// The terminal id.
    pub terminal_id: Option<Text<'a>>,
    /// The records.
    #[serde(default)]
    pub batch_file: heapless::Vec<BatchRecord<'a>, MAX_RECORDS>,
}

/// One transaction of a batch or settlement.
#[skip_serializing_none]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct BatchRecord<'a> {
    /// R, V or I.
    #[serde(rename = "type")]
    pub record_type: Option<RecordType<'a>>,
    /// The caller's reference.
    pub reference_id: Option<Text<'a>>,
    /// The device's transaction id.
    pub transaction_id: Option<Text<'a>>,
}

/// The parameters of `settlement`.
#[skip_serializing_none]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct SettlementParams<'a> {
    /// SHVA.
    pub host: Host<'a>,
    /// The report's format.
    pub report_format: Option<ReportFormat<'a>>,
    /// Reset the generation counter.
    pub reset_gen: Option<bool>,
}

/// The result of `settlement`; `settlement` may come with GENERAL_ERROR too.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct SettlementResult<'a> {
    /// OK, NETWORK_ERROR, GENERAL_ERROR.
    pub result: ResultCode<'a>,
    /// The settlement, when one was made.
    pub settlement: Option<SettlementReport<'a>>,
}

/// The settlement object.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct SettlementReport<'a> {
    /// The terminal id.
    pub terminal_id: Option<Text<'a>>,
    /// A UUID.
    pub settlement_id: Option<Text<'a>>,
    /// The batch number.
    pub batch_no: Option<Text<'a>>,
    /// The report text; lines are separated by the token `<!>` (see [`SettlementReport::lines`]).
    pub report: Option<Text<'a>>,
    /// The transactions settled.
    #[serde(default)]
    pub settled_transactions: heapless::Vec<BatchRecord<'a>, MAX_RECORDS>,
    /// When, RFC 3339.
    pub time: Option<Text<'a>>,
}

impl<'a> SettlementReport<'a> {
    /// The report's lines, split at `<!>`, when the report holds no JSON escapes.
    pub fn lines(&self) -> Option<core::str::Split<'a, &'static str>> {
        Some(self.report?.as_str()?.split("<!>"))
    }
}

/// The parameters of `getSettlement`.
#[skip_serializing_none]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct GetSettlementParams<'a> {
    /// How to look it up.
    pub lookup_method: SettlementLookup<'a>,
    /// The id or batch number.
    pub lookup_value: Option<Text<'a>>,
}

/// The parameters of `deposit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct DepositParams<'a> {
    /// SHVA.
    pub host: Host<'a>,
}

/// The result of `deposit`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct DepositResult<'a> {
    /// OK or an error.
    pub result: ResultCode<'a>,
    /// What was deposited.
    pub deposit: Option<DepositSummary<'a>>,
}

/// The `deposit` member of a deposit result. Its `depositCandidates` each hold a whole
/// transaction: read them one at a time from the raw result with [`deposit_candidates`] rather
/// than all at once (ours: a fixed-capacity list of transactions would cost kilobytes of stack).
#[skip_serializing_none]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct DepositSummary<'a> {
    /// The terminal id.
    pub terminal_id: Option<Text<'a>>,
}

/// The `transaction` of each deposit candidate in a raw `deposit` result, decoded one by one.
pub fn deposit_candidates<'a>(
    result: RawJson<'a>,
) -> impl Iterator<Item = Result<Transaction<'a>, DecodeError>> + 'a {
    result
        .member("deposit")
        .and_then(|d| d.member("depositCandidates"))
        .into_iter()
        .flat_map(|list| list.items())
        .map(|candidate| crate::FromRaw::from_raw(candidate.member("transaction"), "transaction"))
}

from_raw_required!(
    BatchFileStatus,
    SettlementParams,
    SettlementResult,
    SettlementReport,
    GetSettlementParams,
    DepositParams,
    DepositResult,
);
