//! The simulator announces itself on the LAN as a device does (issue 13): over mDNS / DNS-SD as
//! `_synqpay._tcp.local.`, its serial number as the instance name, TXT `transport` and `name`;
//! found by `synqpay_std::discovery`. The announcement lasts as long as its [`Advertisement`].

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mdns_sd::{DaemonEvent, IfKind, ServiceDaemon, ServiceInfo};
use synqpay_std::discovery::{SERVICE_TYPE, TEXT_MAX_CHARS, TXT_NAME, TXT_TRANSPORT, Transport};

use crate::Simulator;

/// How long [`advertise`] waits for the first announcement to go out (mDNS probes for a name
/// conflict first, some 750 ms).
const ANNOUNCE_WAIT: Duration = Duration::from_secs(3);

/// How long the mDNS daemon is given to say goodbye and to shut down.
const DAEMON_WAIT: Duration = Duration::from_secs(2);

/// The longest DNS label, hence instance name (RFC 1035 §2.3.4).
const LABEL_MAX_BYTES: usize = 63;

/// A running announcement. Dropping it (or [`Advertisement::stop`]) says goodbye on the network
/// (the device's records withdrawn) and shuts the mDNS daemon down, waiting (up to 2 s each) for
/// both to be done: the daemon's thread ends as it confirms (mdns-sd gives no handle to join).
pub struct Advertisement {
    daemon: ServiceDaemon,
    fullname: String,
    addr: SocketAddr,
    announced: bool,
}

impl Advertisement {
    /// The announced instance: `SERIAL._synqpay._tcp.local.`.
    pub fn fullname(&self) -> &str {
        &self.fullname
    }

    /// The address and port announced (an unspecified address: every address of the machine).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether the first announcement had gone out when [`advertise`] returned. When not (no
    /// interface to send it on yet, or a slow probe), it goes out once one is there.
    pub fn announced(&self) -> bool {
        self.announced
    }

    /// Withdraws the announcement and stops the daemon, as dropping it does.
    pub fn stop(self) {}
}

impl Drop for Advertisement {
    fn drop(&mut self) {
        if let Ok(status) = self.daemon.unregister(&self.fullname) {
            let _ = status.recv_timeout(DAEMON_WAIT);
        }
        if let Ok(status) = self.daemon.shutdown() {
            let _ = status.recv_timeout(DAEMON_WAIT);
        }
    }
}

impl std::fmt::Debug for Advertisement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Advertisement")
            .field("fullname", &self.fullname)
            .field("addr", &self.addr)
            .field("announced", &self.announced)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Announces this simulator as `serial_number` (the serial number it was configured with,
    /// for `pair` to match) named `name`: its TCP listener for [`Transport::Tcp`], its TLS
    /// listener for [`Transport::Tls`]. See [`advertise`].
    pub fn advertise(
        &self,
        transport: Transport,
        serial_number: &str,
        name: &str,
    ) -> io::Result<Advertisement> {
        let addr = match transport {
            Transport::Tcp => self.addr(),
            Transport::Tls => self.tls_addr().ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "advertise TLS: the simulator does not listen for TLS",
                )
            })?,
            Transport::Unknown(_) => return Err(unknown_transport()),
        };
        advertise(addr, transport, serial_number, name)
    }
}

fn unknown_transport() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "advertise: the transport is tcp or tls",
    )
}

/// Announces a device at `addr` over mDNS as `serial_number._synqpay._tcp.local.` with TXT
/// `transport` and `name`, until the returned [`Advertisement`] is dropped.
///
/// An address of `addr` that is not unspecified is announced on the interface that holds it
/// alone (`127.0.0.1`: loopback, this machine only); an unspecified one (`0.0.0.0`) announces
/// every address of every interface. Waits up to 3 s for the first announcement.
///
/// Errors: `InvalidInput` for a serial number that cannot be an instance name (empty, over 63
/// bytes, a dot or a control character), a name over 64 characters or with a control
/// character, port 0, or an unknown transport; another kind when the mDNS daemon cannot start
/// or refuses the service.
pub fn advertise(
    addr: SocketAddr,
    transport: Transport,
    serial_number: &str,
    name: &str,
) -> io::Result<Advertisement> {
    let info = service_info(addr, &transport, serial_number, name)?;
    let fullname = info.get_fullname().to_string();
    let daemon = ServiceDaemon::new().map_err(mdns("start the mDNS daemon"))?;
    let shut = |daemon: &ServiceDaemon| {
        if let Ok(status) = daemon.shutdown() {
            let _ = status.recv_timeout(DAEMON_WAIT);
        }
    };
    let setup = (|| -> mdns_sd::Result<_> {
        if !addr.ip().is_unspecified() {
            daemon.disable_interface(IfKind::All)?;
            daemon.enable_interface(IfKind::Addr(addr.ip()))?;
        }
        let monitor = daemon.monitor()?;
        daemon.register(info)?;
        Ok(monitor)
    })();
    let monitor = match setup {
        Ok(monitor) => monitor,
        Err(e) => {
            shut(&daemon);
            return Err(mdns("register the service")(e));
        }
    };
    let deadline = Instant::now() + ANNOUNCE_WAIT;
    let mut announced = false;
    while let Some(left) = deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
    {
        match monitor.recv_timeout(left) {
            Ok(DaemonEvent::Announce(name, _)) if name == fullname => {
                announced = true;
                break;
            }
            Ok(DaemonEvent::Error(e)) => {
                shut(&daemon);
                return Err(mdns("register the service")(e));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Ok(Advertisement {
        daemon,
        fullname,
        addr,
        announced,
    })
}

fn mdns(what: &'static str) -> impl Fn(mdns_sd::Error) -> io::Error {
    move |e| io::Error::other(format!("{what}: {e}"))
}

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what)
}

/// The service record: checked here, so that what the daemon is handed it accepts.
fn service_info(
    addr: SocketAddr,
    transport: &Transport,
    serial_number: &str,
    name: &str,
) -> io::Result<ServiceInfo> {
    if matches!(transport, Transport::Unknown(_)) {
        return Err(unknown_transport());
    }
    if serial_number.is_empty()
        || serial_number.len() > LABEL_MAX_BYTES
        || serial_number.contains(|c: char| c == '.' || c.is_control())
    {
        return Err(invalid(format!(
            "advertise: the serial number {serial_number:?} cannot be an mDNS instance name \
             (1 to {LABEL_MAX_BYTES} bytes, no dot, no control character)"
        )));
    }
    if name.chars().count() > TEXT_MAX_CHARS || name.contains(char::is_control) {
        return Err(invalid(format!(
            "advertise: the name {name:?} has more than {TEXT_MAX_CHARS} characters or a \
             control character"
        )));
    }
    if addr.port() == 0 {
        return Err(invalid("advertise: port 0".into()));
    }
    let label: String = serial_number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let host = format!("synqpay-{label}.local.");
    let properties = [(TXT_TRANSPORT, transport.as_txt()), (TXT_NAME, name)];
    let info = if addr.ip().is_unspecified() {
        ServiceInfo::new(
            SERVICE_TYPE,
            serial_number,
            &host,
            "",
            addr.port(),
            &properties[..],
        )
        .map(ServiceInfo::enable_addr_auto)
    } else {
        ServiceInfo::new(
            SERVICE_TYPE,
            serial_number,
            &host,
            addr.ip(),
            addr.port(),
            &properties[..],
        )
    };
    info.map_err(|e| invalid(format!("advertise: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use synqpay_std::discovery::Discovered;

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_record_reads_back_as_the_device() {
        let info = service_info(
            addr("10.231.0.2:9443"),
            &Transport::Tls,
            "244RKR528387",
            "Front desk",
        )
        .unwrap();
        assert_eq!(info.get_fullname(), "244RKR528387._synqpay._tcp.local.");
        assert_eq!(info.get_hostname(), "synqpay-244rkr528387.local.");
        assert!(!info.is_addr_auto());
        let device = Discovered::from_announcement(
            info.get_fullname(),
            info.get_port(),
            info.get_addresses().iter().copied(),
            info.get_property_val(TXT_TRANSPORT).flatten(),
            info.get_property_val(TXT_NAME).flatten(),
        )
        .unwrap();
        assert_eq!(device.serial_number.as_str(), "244RKR528387");
        assert_eq!(device.socket_addr(), Some(addr("10.231.0.2:9443")));
        assert_eq!(device.transport, Transport::Tls);
        assert_eq!(device.name.as_str(), "Front desk");
    }

    #[test]
    fn an_unspecified_address_announces_every_address() {
        let info = service_info(addr("0.0.0.0:9000"), &Transport::Tcp, "SIM1", "").unwrap();
        assert!(info.is_addr_auto());
        assert!(info.get_addresses().is_empty());
    }

    #[test]
    fn what_cannot_be_announced_is_refused() {
        let at = addr("10.231.0.2:9000");
        let refused = |transport: Transport, serial: &str, name: &str, at: SocketAddr| {
            service_info(at, &transport, serial, name)
                .unwrap_err()
                .kind()
        };
        let invalid = io::ErrorKind::InvalidInput;
        assert_eq!(refused(Transport::Tcp, "", "", at), invalid);
        assert_eq!(refused(Transport::Tcp, "a.b", "", at), invalid);
        assert_eq!(refused(Transport::Tcp, "a\nb", "", at), invalid);
        assert_eq!(refused(Transport::Tcp, &"x".repeat(64), "", at), invalid);
        assert_eq!(refused(Transport::Tcp, "SIM", "\x1b[2J", at), invalid);
        assert_eq!(refused(Transport::Tcp, "SIM", &"n".repeat(65), at), invalid);
        assert_eq!(
            refused(Transport::Tcp, "SIM", "", addr("10.0.0.1:0")),
            invalid
        );
        let other = Transport::Unknown(Default::default());
        assert_eq!(refused(other, "SIM", "", at), invalid);
        assert!(service_info(at, &Transport::Tcp, &"x".repeat(63), &"n".repeat(64)).is_ok());
    }
}
