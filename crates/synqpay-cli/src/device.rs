//! Reaching a device from the command line's options (spec/protocol.md §2: TCP on port 9000,
//! TLS on 9443, a serial line).

use synqpay_std::tls::Verification;
use synqpay_std::{ApiKey, Client, ClientConfig};

use crate::args::DeviceArgs;
use crate::output;
use crate::trust::{Carried, Check};

/// How to reach the device.
pub struct Target {
    /// The address, or the serial port and its speed, as the user named it.
    pub name: String,
    host: String,
    config: ClientConfig,
    tls: Option<Verification>,
    serial: Option<(String, u32)>,
    api_key: Option<ApiKey>,
}

impl Target {
    /// From the options.
    pub fn of(args: &DeviceArgs) -> Result<Self, String> {
        let carried = Carried::of(args);
        let tls =
            crate::trust::verification(carried, args.ca.as_deref(), args.pin, Check::of(args))?;
        let api_key = args.api_key.as_deref().map(key).transpose()?;
        let serial = args.serial.clone().map(|port| (port, args.baud));
        Ok(Self {
            name: serial
                .as_ref()
                .map_or_else(|| args.host.clone(), |(port, _)| port.clone()),
            host: crate::trust::device_addr(&args.host, carried),
            config: ClientConfig {
                accept_swapped_crc: args.accept_swapped_crc,
                ..ClientConfig::default()
            },
            tls,
            serial,
            api_key,
        })
    }

    /// Connects, with the key when one was given.
    pub fn connect(&self) -> Result<Client, String> {
        let config = self.config;
        let client = match (&self.serial, &self.tls) {
            (Some((port, baud)), _) => Client::connect_serial(port, *baud, config),
            (None, None) => Client::connect(self.host.as_str(), config),
            (None, Some(verification)) => Client::connect_tls(&self.host, config, verification),
        };
        let mut client = client.map_err(|e| output::failure(&e))?;
        if let Some(key) = self.api_key {
            client = client.with_api_key(key);
        }
        Ok(client)
    }
}

/// An API key from the command line.
pub fn key(text: &str) -> Result<ApiKey, String> {
    ApiKey::from_hex(text).map_err(|e| format!("--api-key: {e}"))
}
