#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[macro_use]
mod fmt;

mod asynch;
mod blocking;
mod clock;
mod copied;
mod error;
pub mod loopback;
mod outcome;
mod rpc_data;
#[cfg(feature = "tls")]
pub mod tls;
mod whole_records;

pub use asynch::AsyncClient;
pub use blocking::BlockingClient;
pub use clock::{AsyncClock, Clock};
pub use copied::{DeviceState, SaleOutcome};
pub use error::DriverError;
pub use rpc_data::{RPC_DATA_LEN, RpcData};

// What a firmware names, re-exported so that this crate is its one dependency (the layers below
// stay reachable as `synqpay_embedded::rpc`, `::session` and `::link`).
pub use synqpay_link::ApiKey;
pub use synqpay_rpc::{
    Amount, Authenticate, Cancel, CancelParams, ContinueTransaction, ContinueTransactionParams,
    Currency, DeviceStatus, EventType, GetStatus, GetTransaction, GetTransactionResult, IdPrefix,
    Method, NoParams, Pair, ReferenceId, ResultCode, RpcErrorCode, StartTransaction,
    StartTransactionParams, Status, Transaction, TransactionEvent, TransactionResult,
    TransactionStatus, TransactionType,
};
pub use synqpay_session::{
    Client as Session, ClientBuffers, ClientConfig, Connected, Failure, PairingError, SendError,
};
pub use {synqpay_link as link, synqpay_rpc as rpc, synqpay_session as session};

/// The blocking driver as a firmware usually names it: buffers lent for the program's lifetime
/// (`&'static mut [u8]`), up to four requests outstanding.
pub type StaticBlockingClient<T, C> = BlockingClient<T, C, &'static mut [u8], 4>;

/// The async driver as a task usually names it: buffers lent for the program's lifetime
/// (`&'static mut [u8]`), up to four requests outstanding.
pub type StaticAsyncClient<T, C> = AsyncClient<T, C, &'static mut [u8], 4>;

/// The session those drivers run.
pub type StaticSession = Session<&'static mut [u8], 4>;
pub use whole_records::{WholeRecords, WholeRecordsError};
