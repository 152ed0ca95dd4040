//! The device's surroundings, which no request changes: its screen, its battery and its payment
//! host (ours: spec/protocol.md §4 names 202 ScreenNotReady, 203 InsufficientBattery and 301
//! HostNotReady and §5 the SCREEN_OFF and SCREEN_BUSY states, not when a device is in them; a
//! scenario or a test sets them, and `synqpay_session::terminal::RULES` says which method needs
//! which).

use serde::{Deserialize, Serialize};
use synqpay_session::terminal::Resource;

/// The screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Screen {
    /// On and free.
    #[default]
    On,
    /// Off: an idle device reports SCREEN_OFF, and methods that need the screen get 202.
    Off,
    /// Showing something of the device's own: SCREEN_BUSY, and 202 likewise.
    Busy,
}

/// Where the device's power comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Power {
    /// On its charger: never short of power.
    #[default]
    Charging,
    /// On its battery alone.
    Battery,
}

/// The payment host, as the terminal sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Host {
    /// Reachable.
    #[default]
    Ready,
    /// Not reachable: payments and settlements get 301.
    NotReady,
}

/// Below this charge, on battery, jobs that must not stop half way are refused with 203 (ours).
pub const LOW_BATTERY_PERCENT: u8 = 10;

/// The device's surroundings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Conditions {
    /// The screen.
    pub screen: Screen,
    /// The battery's charge, in percent.
    pub battery: u8,
    /// Charger or battery.
    pub power: Power,
    /// The payment host.
    pub host: Host,
}

impl Default for Conditions {
    /// A device on its charger, its screen on, its host reachable.
    fn default() -> Self {
        Self {
            screen: Screen::On,
            battery: 100,
            power: Power::Charging,
            host: Host::Ready,
        }
    }
}

impl Conditions {
    /// Whether the device lacks `resource` now.
    pub fn lacks(&self, resource: Resource) -> bool {
        match resource {
            Resource::Screen => self.screen != Screen::On,
            Resource::Battery => self.power == Power::Battery && self.battery < LOW_BATTERY_PERCENT,
            Resource::Host => self.host == Host::NotReady,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_device_lacks() {
        let fine = Conditions::default();
        assert!(!fine.lacks(Resource::Screen) && !fine.lacks(Resource::Battery));
        let low = Conditions { battery: 5, ..fine };
        assert!(!low.lacks(Resource::Battery), "on its charger");
        let low = Conditions {
            power: Power::Battery,
            ..low
        };
        assert!(low.lacks(Resource::Battery));
        let busy = Conditions {
            screen: Screen::Busy,
            host: Host::NotReady,
            ..fine
        };
        assert!(busy.lacks(Resource::Screen) && busy.lacks(Resource::Host));
    }
}
