//! `getStatus`, `getDeviceInfo`, `getTerminalStatus` (spec/api.md "Methods", spec/protocol.md §5).

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::method::{NoParams, from_raw_required, method};
use crate::{DecodeError, DeviceStatus, FromRaw, RawJson, TerminalStatus, Text, members};

method! {
    /// `getStatus`: the device's state and whether `cancel` would work now (field).
    GetStatus = "getStatus", NoParams => Status<'a>, Query
}

method! {
    /// `getDeviceInfo`: versions, model, serial number, address.
    GetDeviceInfo = "getDeviceInfo", NoParams => DeviceInfo<'a>, Query
}

method! {
    /// `getTerminalStatus`: the payment terminal's readiness.
    GetTerminalStatus = "getTerminalStatus", NoParams => TerminalStatusResult<'a>, Query
}

/// The result of `getStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct Status<'a> {
    /// The state (spec/protocol.md §5).
    pub device_status: DeviceStatus<'a>,
    /// Whether a `cancel` would be accepted now (absent: false).
    #[serde(default)]
    pub cancelable: bool,
}

/// The result of `getDeviceInfo`. Every field is optional: devices differ.
#[skip_serializing_none]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct DeviceInfo<'a> {
    /// The Synqpay application's version.
    pub app_version: Option<Text<'a>>,
    /// The hardware brand.
    pub brand: Option<Text<'a>>,
    /// The hardware model.
    pub model: Option<Text<'a>>,
    /// The serial number `pair` wants.
    pub serial_number: Option<Text<'a>>,
    /// The firmware version.
    pub firmware: Option<Text<'a>>,
    /// The device's IP address.
    #[serde(rename = "localIP")]
    pub local_ip: Option<Text<'a>>,
    /// The Wi-Fi network.
    pub ssid: Option<Text<'a>>,
    /// The device's clock, RFC 3339.
    pub time: Option<Text<'a>>,
}

/// The result of `getTerminalStatus`.
#[skip_serializing_none]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct TerminalStatusResult<'a> {
    /// The terminal id.
    pub terminal_id: Option<Text<'a>>,
    /// The terminal's name.
    pub terminal_name: Option<Text<'a>>,
    /// The status; one document version names this member `status`: both accepted.
    #[serde(alias = "status")]
    pub terminal_status: Option<TerminalStatus<'a>>,
}

from_raw_required!(DeviceInfo, TerminalStatusResult);

impl<'a> FromRaw<'a> for Status<'a> {
    /// Member by member (ours: the answer polled most often stays off serde-json-core's
    /// deserializer, as the transaction does).
    fn from_raw(raw: Option<RawJson<'a>>, member: &'static str) -> Result<Self, DecodeError> {
        let raw = raw.ok_or(DecodeError::Missing(member))?;
        let (mut device_status, mut cancelable) = (None, None);
        for (key, value) in members::object(raw)?.members() {
            match key.as_wire() {
                "deviceStatus" => members::fill(&mut device_status, "deviceStatus", value)?,
                "cancelable" => members::fill(&mut cancelable, "cancelable", value)?,
                _ => {}
            }
        }
        Ok(Self {
            device_status: device_status.ok_or(DecodeError::Missing("result.deviceStatus"))?,
            cancelable: cancelable.unwrap_or(false),
        })
    }
}
