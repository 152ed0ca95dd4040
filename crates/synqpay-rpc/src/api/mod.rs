//! Every documented method, its parameters and its result, and the one event
//! (spec/api.md "Methods", "TransactionResult", "Event").

mod event;
mod pairing;
mod receipt;
mod screen;
mod settlement;
mod status;
mod system;
mod transaction;
mod transaction_object;

pub use event::{TRANSACTION_EVENT, TransactionEvent};
pub use pairing::{Authenticate, AuthenticateParams, AuthenticateResult, Pair, PairParams};
pub use receipt::{Receipt, ReceiptField, ReceiptFields};
pub use screen::{
    CaptureSignature, CaptureSignatureParams, ReadCard, ReadCardParams, ScreenResult,
    SelectionOption, ShowQr, ShowQrParams, UserInput, UserInputParams, UserSelection,
    UserSelectionParams,
};
pub use settlement::{
    BatchFileStatus, BatchRecord, Deposit, DepositParams, DepositResult, DepositSummary,
    GetBatchFileStatus, GetSettlement, GetSettlementParams, MainTerminal, QuerySettlements,
    Settlement, SettlementParams, SettlementReport, SettlementResult, deposit_candidates,
};
pub use status::{
    DeviceInfo, GetDeviceInfo, GetStatus, GetTerminalStatus, Status, TerminalStatusResult,
};
pub use system::{Config, GetConfig, Reboot, Restart, SetConfig, SetConfigParams, UploadLogs};
pub use transaction::{
    Cancel, CancelParams, ContinueTransaction, ContinueTransactionParams, GetTransaction,
    GetTransactionParams, GetTransactionResult, StartTransaction, StartTransactionParams,
    TransactionResult,
};
pub use transaction_object::Transaction;

use crate::MethodInfo;

/// Every documented method (spec/api.md "Methods"), for [`MethodInfo::by_name`].
pub(crate) const METHODS: &[MethodInfo] = &[
    MethodInfo::of::<Pair>(),
    MethodInfo::of::<Authenticate>(),
    MethodInfo::of::<GetStatus>(),
    MethodInfo::of::<GetDeviceInfo>(),
    MethodInfo::of::<GetTerminalStatus>(),
    MethodInfo::of::<StartTransaction>(),
    MethodInfo::of::<ContinueTransaction>(),
    MethodInfo::of::<Cancel>(),
    MethodInfo::of::<GetTransaction>(),
    MethodInfo::of::<GetBatchFileStatus>(),
    MethodInfo::of::<Settlement>(),
    MethodInfo::of::<GetSettlement>(),
    MethodInfo::of::<QuerySettlements>(),
    MethodInfo::of::<Deposit>(),
    MethodInfo::of::<ReadCard>(),
    MethodInfo::of::<UserInput>(),
    MethodInfo::of::<UserSelection>(),
    MethodInfo::of::<ShowQr>(),
    MethodInfo::of::<CaptureSignature>(),
    MethodInfo::of::<GetConfig>(),
    MethodInfo::of::<SetConfig>(),
    MethodInfo::of::<UploadLogs>(),
    MethodInfo::of::<Reboot>(),
    MethodInfo::of::<Restart>(),
];
