//! What the device says about itself (spec/api.md `getStatus`, `getDeviceInfo`,
//! `getTerminalStatus`; spec/protocol.md §5 for the status values).

use synqpay_rpc::{DeviceInfo, Status, TerminalStatus, TerminalStatusResult, Text};
use synqpay_session::ReplyTo;

use crate::app::{App, SimDevice};
use crate::batch::TERMINAL_ID;

impl App {
    /// `getStatus`: the state (spec/protocol.md §5) and whether `cancel` applies now.
    pub(crate) fn get_status(&mut self, device: &mut SimDevice, reply: ReplyTo) {
        let status = Status {
            device_status: self.state.status(&self.conditions),
            cancelable: self.state.cancelable(),
        };
        let _ = device.respond(&reply, &status);
    }

    /// `getDeviceInfo`: who the device is, and its clock.
    pub(crate) fn get_device_info(&mut self, device: &mut SimDevice, reply: ReplyTo) {
        let time = crate::clock::now_rfc3339();
        let info = DeviceInfo {
            app_version: Some(Text::new("1.8.2")),
            brand: Some(Text::new("Synqpay")),
            model: Some(Text::new("Simulator")),
            serial_number: Some(Text::new(&self.config.serial_number)),
            firmware: Some(Text::new(env!("CARGO_PKG_VERSION"))),
            local_ip: Some(Text::new("127.0.0.1")),
            ssid: Some(Text::new("simulated")),
            time: Some(Text::new(&time)),
        };
        let _ = device.respond(&reply, &info);
    }

    /// `getTerminalStatus`: the payment terminal behind the device (ours: NOT_READY while the
    /// scenario has the host unreachable).
    pub(crate) fn get_terminal_status(&mut self, device: &mut SimDevice, reply: ReplyTo) {
        let ready = !self
            .conditions
            .lacks(synqpay_session::terminal::Resource::Host);
        let result = TerminalStatusResult {
            terminal_id: Some(Text::new(TERMINAL_ID)),
            terminal_name: Some(Text::new("קפה הסימולטור")),
            terminal_status: Some(if ready {
                TerminalStatus::Ready
            } else {
                TerminalStatus::NotReady
            }),
        };
        let _ = device.respond(&reply, &result);
    }
}
