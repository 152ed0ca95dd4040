//! The batch and its settlements (spec/api.md `getBatchFileStatus`, `settlement`,
//! `getSettlement`, `querySettlements`, `deposit`), answered with `synqpay-rpc`'s types: the
//! transactions not yet settled form the batch; a settlement sends them to the host (the captured
//! ones become SETTLED), is numbered, and is kept for `getSettlement` by id, by batch number or
//! the last one.

use synqpay_rpc::{
    BatchFileStatus, BatchRecord, GetSettlementParams, MainTerminal, RecordType, RpcErrorCode,
    SettlementLookup, SettlementReport, Text, TransactionStatus, TransactionType,
};
use synqpay_session::{Device, ReplyTo};

use crate::state::Stored;

/// The terminal the simulator plays (ours).
pub(crate) const TERMINAL_ID: &str = "0881234";

/// A settlement done: what `getSettlement` finds.
#[derive(Debug, Clone)]
pub(crate) struct Settled {
    settlement_id: String,
    batch_no: String,
    time: String,
    report: String,
    /// (record type, referenceId, transactionId) of the transactions it settled.
    records: Vec<(RecordType<'static>, String, String)>,
}

/// The settlements done so far, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Settlements(Vec<Settled>);

/// A transaction's record type in a batch (field: R a regular transaction, V a voided one;
/// ours: I an informative one, a refund's credit or a balance inquiry).
fn record_type(s: &Stored) -> RecordType<'static> {
    match (
        s.status,
        TransactionType::from_text(Text::new(&s.running.transaction_type)),
    ) {
        (TransactionStatus::Voided, _) | (_, TransactionType::Void) => RecordType::V,
        (TransactionStatus::Informative, _) => RecordType::I,
        _ => RecordType::R,
    }
}

/// Whether a transaction goes to the host with the batch (ours): what moved money or undid it.
/// A declined one never does; an authorization waits for its CAPTURE or VOID.
fn in_batch(s: &Stored) -> bool {
    !s.settled
        && !matches!(
            s.status,
            TransactionStatus::Declined | TransactionStatus::Authorized
        )
}

/// Writes `records` as the typed list (at most `synqpay_rpc`'s capacity; ours: the rest are left
/// out of the list, never the count in the report).
fn listed<'a>(
    records: impl Iterator<Item = (RecordType<'static>, &'a str, &'a str)>,
) -> heapless::Vec<BatchRecord<'a>, 32> {
    let mut out = heapless::Vec::new();
    for (kind, reference, transaction) in records {
        let record = BatchRecord {
            record_type: Some(kind),
            reference_id: Some(Text::new(reference)),
            transaction_id: Some(Text::new(transaction)),
        };
        if out.push(record).is_err() {
            break;
        }
    }
    out
}

fn report_of<'a>(s: &'a Settled) -> SettlementReport<'a> {
    SettlementReport {
        terminal_id: Some(Text::new(TERMINAL_ID)),
        settlement_id: Some(Text::new(&s.settlement_id)),
        batch_no: Some(Text::new(&s.batch_no)),
        report: Some(Text::new(&s.report)),
        settled_transactions: listed(
            s.records
                .iter()
                .map(|(k, r, t)| (*k, r.as_str(), t.as_str())),
        ),
        time: Some(Text::new(&s.time)),
    }
}

impl Settlements {
    /// `getBatchFileStatus`: the transactions not settled yet.
    pub(crate) fn batch_status(stored: &[Stored], device: &mut Device<Vec<u8>>, reply: &ReplyTo) {
        let open = stored.iter().filter(|s| in_batch(s));
        let status = BatchFileStatus {
            main_terminal: MainTerminal {
                terminal_id: Some(Text::new(TERMINAL_ID)),
                batch_file: listed(open.map(|s| {
                    (
                        record_type(s),
                        s.reference_id.as_str(),
                        s.transaction_id.as_str(),
                    )
                })),
            },
        };
        let _ = device.respond(reply, &status);
    }

    /// `settlement`: the batch goes to the host; its captured transactions become SETTLED. The
    /// report of the settlement done, for its answer.
    pub(crate) fn settle(&mut self, stored: &mut [Stored]) -> SettlementReport<'_> {
        let number = self.0.len() + 1;
        let mut records = Vec::new();
        for s in stored.iter_mut().filter(|s| in_batch(s)) {
            s.settled = true;
            if s.status == TransactionStatus::Captured {
                s.status = TransactionStatus::Settled;
            }
            records.push((
                record_type(s),
                s.reference_id.clone(),
                s.transaction_id.clone(),
            ));
        }
        let settled = Settled {
            settlement_id: format!("00000000-0000-4000-8000-{number:012}"),
            batch_no: format!("{number:04}"),
            time: crate::clock::now_rfc3339(),
            report: format!("דוח סגירה<!>עסקאות: {}", records.len()),
            records,
        };
        self.0.push(settled);
        report_of(&self.0[self.0.len() - 1])
    }

    /// `getSettlement`: by settlement id, by batch number, or the last; 401 when there is none
    /// (spec/protocol.md §4: the docs reuse 401 for SettlementNotFound).
    pub(crate) fn find(
        &self,
        params: &GetSettlementParams<'_>,
        device: &mut Device<Vec<u8>>,
        reply: &ReplyTo,
    ) {
        let value = params
            .lookup_value
            .map(|v| v.to_string())
            .unwrap_or_default();
        let found = match params.lookup_method {
            SettlementLookup::SettlementId => self.0.iter().find(|s| s.settlement_id == value),
            SettlementLookup::BatchNo => self.0.iter().find(|s| s.batch_no == value),
            SettlementLookup::LastSettlement => self.0.last(),
            SettlementLookup::Unknown(_) => None,
        };
        match found {
            Some(s) => {
                let _ = device.respond(reply, &report_of(s));
            }
            None => {
                let _ = device.respond_error(
                    reply,
                    RpcErrorCode::HostDisabled,
                    "SettlementNotFound",
                    None,
                );
            }
        }
    }

    /// `querySettlements`: every settlement, oldest first (the query's shape is unverified, so
    /// it is accepted as it comes).
    pub(crate) fn all(&self, device: &mut Device<Vec<u8>>, reply: &ReplyTo) {
        let reports: Vec<SettlementReport<'_>> = self.0.iter().map(report_of).collect();
        let _ = device.respond(reply, &reports);
    }
}
