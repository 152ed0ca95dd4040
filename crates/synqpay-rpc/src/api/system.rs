//! `getConfig`, `setConfig`, `uploadLogs`, `reboot`, `restart` (spec/api.md "Methods", field).

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::RawJson;
use crate::method::{NoParams, from_raw_required, method};

method! {
    /// `getConfig`: the device's settings.
    GetConfig = "getConfig", NoParams => Config, Query
}

method! {
    /// `setConfig {config}`: changes settings; the result's shape is not documented.
    SetConfig = "setConfig", SetConfigParams => Option<RawJson<'a>>, Command
}

method! {
    /// `uploadLogs`: the result's shape is not documented.
    UploadLogs = "uploadLogs", NoParams => Option<RawJson<'a>>, Command
}

method! {
    /// `reboot`: the result's shape is not documented.
    Reboot = "reboot", NoParams => Option<RawJson<'a>>, Command
}

method! {
    /// `restart`: the result's shape is not documented.
    Restart = "restart", NoParams => Option<RawJson<'a>>, Command
}

/// The device's settings, as `getConfig` returns them and `setConfig` takes them. Other members
/// are ignored here; the raw result keeps them.
#[skip_serializing_none]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// Print the transaction receipt.
    pub print_transaction_receipt: Option<bool>,
    /// Print the settlement report.
    pub print_settlement: Option<bool>,
    /// Keep responses for a client that dropped and send them when it returns
    /// (spec/protocol.md §2).
    pub cached_responses: Option<bool>,
    /// Announce the device by network service discovery.
    pub nsd: Option<bool>,
}

/// The parameters of `setConfig`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetConfigParams {
    /// The settings to change; absent members are left alone.
    pub config: Config,
}

from_raw_required!('static Config, SetConfigParams);
