//! The device's configuration and its deposit (spec/api.md `getConfig`, `setConfig`,
//! `deposit`), typed with `synqpay-rpc`.

use synqpay_rpc::{Config, Deposit, Method, Null, RawJson, RpcErrorCode, SetConfig};
use synqpay_session::{CachedResponses, ReplyTo};

use crate::app::{App, SimDevice, host_disabled};
use crate::params;

/// The settings `setConfig` changes (the simulator acts on `cachedResponses`; the others are
/// kept and reported).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings(pub(crate) Config);

impl Settings {
    /// The device's settings at start: cached responses as configured, receipts not printed.
    pub(crate) fn new(cached: CachedResponses) -> Self {
        Self(Config {
            print_transaction_receipt: Some(false),
            print_settlement: Some(false),
            cached_responses: Some(cached == CachedResponses::On),
            nsd: Some(true),
        })
    }

    /// Whether answers a client could not receive are kept for its return.
    pub(crate) fn cached_responses(&self) -> CachedResponses {
        match self.0.cached_responses {
            Some(true) => CachedResponses::On,
            _ => CachedResponses::Off,
        }
    }
}

impl App {
    /// `getConfig`: the settings.
    pub(crate) fn get_config(&mut self, device: &mut SimDevice, reply: ReplyTo) {
        let _ = device.respond(&reply, &self.settings.0);
    }

    /// `setConfig`: only the settings named change.
    pub(crate) fn set_config(
        &mut self,
        device: &mut SimDevice,
        reply: ReplyTo,
        params: Option<RawJson<'_>>,
    ) {
        match SetConfig::decode_params(params) {
            Ok(p) => {
                let new = p.config;
                let c = &mut self.settings.0;
                c.print_transaction_receipt = new
                    .print_transaction_receipt
                    .or(c.print_transaction_receipt);
                c.print_settlement = new.print_settlement.or(c.print_settlement);
                c.cached_responses = new.cached_responses.or(c.cached_responses);
                c.nsd = new.nsd.or(c.nsd);
                device.set_cached_responses(self.settings.cached_responses());
                let _ = device.respond(&reply, &Null);
            }
            Err(e) => params::undecodable::<SetConfig>(device, &reply, &e, params),
        }
    }

    /// `deposit`: the simulated terminal has no deposit gateway (spec/api.md: 101 NO_GATEWAY).
    pub(crate) fn deposit(
        &mut self,
        device: &mut SimDevice,
        reply: ReplyTo,
        params: Option<RawJson<'_>>,
    ) {
        match Deposit::decode_params(params) {
            Ok(p) if p.host != synqpay_rpc::Host::Shva => host_disabled(device, &reply),
            Ok(_) => {
                let reason = RawJson::parse(br#""NO_GATEWAY""#).ok();
                let code = RpcErrorCode::IllegalRequest;
                let _ = device.respond_error(&reply, code, "IllegalRequest", reason);
            }
            Err(e) => params::undecodable::<Deposit>(device, &reply, &e, params),
        }
    }
}
