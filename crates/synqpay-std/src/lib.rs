#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "tokio")]
pub mod asynch;
mod backoff;
mod calls;
mod client;
mod connection;
#[cfg(feature = "discovery")]
pub mod discovery;
mod error;
mod event;
mod randomness;
mod resumed;
pub mod text;
pub mod tls;
pub mod transport;

pub use client::{Canceller, Client};
pub use error::{Answer, Error, Remedy, Reply, RequestProblem};
pub use event::Event;
pub use randomness::{fresh_id_prefix, fresh_reference_id};
pub use synqpay_session::ClientConfig;
pub use tls::TlsError;
pub use transport::{DEFAULT_BAUD, Endpoint};

// What a desktop app names, re-exported so that this crate is its one dependency (the layers
// below stay reachable as `synqpay_std::rpc`, `::link` and `::session`).
pub use synqpay_link::{ApiKey, ErrorCode};
pub use synqpay_rpc::{
    Amount, Authenticate, AuthenticateResult, CaptureSignature, CaptureSignatureParams, Code,
    CommandStatus, Config, ContinueTransaction, ContinueTransactionParams, CreditTerms, Currency,
    Deposit, DepositParams, DeviceInfo, DeviceStatus, EventType, GetBatchFileStatus, GetConfig,
    GetDeviceInfo, GetSettlement, GetSettlementParams, GetStatus, GetTerminalStatus,
    GetTransaction, GetTransactionParams, GetTransactionResult, Host, InputType, LookupMethod,
    Method, MimeType, NoParams, Null, Pair, PaymentMethod, PaymentType, QuerySettlements, ReadCard,
    ReadCardParams, Reboot, Receipt, ReceiptField, ReferenceId, ReferenceIdError, ReportFormat,
    RequestId, Restart, ResultCode, RpcErrorCode, ScreenResult, SelectionOption, SetConfig,
    SetConfigParams, Settlement, SettlementLookup, SettlementParams, SettlementReport,
    SettlementResult, ShowQr, ShowQrParams, StartTransaction, StartTransactionParams, Status,
    TerminalStatus, TerminalStatusResult, Transaction, TransactionEvent, TransactionResult,
    TransactionStatus, TransactionType, UploadLogs, UserInput, UserInputParams, UserSelection,
    UserSelectionParams,
};
pub use synqpay_session::Failure;
pub use {synqpay_link as link, synqpay_rpc as rpc, synqpay_session as session};
