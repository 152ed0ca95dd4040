//! The device's configuration and housekeeping (spec/api.md `getConfig`, `setConfig`,
//! `deposit`, `uploadLogs`, `reboot`, `restart`), typed with `synqpay-rpc`.

use synqpay_rpc::{
    Config, Deposit, GetConfig, Method, Null, RawJson, Reboot, Restart, RpcErrorCode, SetConfig,
    UploadLogs,
};
use synqpay_session::{Device, ReplyTo};

use crate::app::{host_disabled, invalid_params};

/// The settings `setConfig` changes (the simulator acts on `cachedResponses`; the others are
/// kept and reported).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings(pub(crate) Config);

impl Settings {
    /// The device's settings at start: cached responses as configured, receipts not printed.
    pub(crate) fn new(cached_responses: bool) -> Self {
        Self(Config {
            print_transaction_receipt: Some(false),
            print_settlement: Some(false),
            cached_responses: Some(cached_responses),
            nsd: Some(true),
        })
    }

    /// Whether answers a client could not receive are kept for its return.
    pub(crate) fn cached_responses(&self) -> bool {
        self.0.cached_responses == Some(true)
    }

    /// Answers the method `method`, if it is one of these; `false` for any other.
    pub(crate) fn serve(
        &mut self,
        device: &mut Device<Vec<u8>>,
        reply: &ReplyTo,
        method: &str,
        params: Option<RawJson<'_>>,
    ) -> bool {
        match method {
            GetConfig::NAME => {
                let _ = device.respond(reply, &self.0);
            }
            SetConfig::NAME => match SetConfig::decode_params(params) {
                Ok(p) => {
                    // Only the settings named change.
                    let new = p.config;
                    let c = &mut self.0;
                    c.print_transaction_receipt = new
                        .print_transaction_receipt
                        .or(c.print_transaction_receipt);
                    c.print_settlement = new.print_settlement.or(c.print_settlement);
                    c.cached_responses = new.cached_responses.or(c.cached_responses);
                    c.nsd = new.nsd.or(c.nsd);
                    device.set_cached_responses(self.cached_responses());
                    let _ = device.respond(reply, &Null);
                }
                Err(e) => invalid_params(device, reply, &e),
            },
            Deposit::NAME => match Deposit::decode_params(params) {
                Ok(p) if p.host != synqpay_rpc::Host::Shva => host_disabled(device, reply),
                // The simulated terminal has no deposit gateway (spec/api.md: 101 NO_GATEWAY).
                Ok(_) => {
                    let reason = RawJson::parse(br#""NO_GATEWAY""#).ok();
                    let _ = device.respond_error(
                        reply,
                        RpcErrorCode::IllegalRequest,
                        "IllegalRequest",
                        reason,
                    );
                }
                Err(e) => invalid_params(device, reply, &e),
            },
            UploadLogs::NAME | Reboot::NAME | Restart::NAME => {
                let _ = device.respond(reply, &Null);
            }
            _ => return false,
        }
        true
    }
}
