//! Finding devices on the LAN: each device announces itself over mDNS / DNS-SD as
//! [`SERVICE_TYPE`] (`_synqpay._tcp.local.`), its instance name being its serial number and its
//! TXT record carrying `transport` (`tcp` or `tls`) and `name` (issue 13; the port it announces
//! is the one it listens on, 9000 plain or 9443 TLS: spec/protocol.md §2).
//!
//! Everything in an announcement comes from whoever answers on the network, device or not: it is
//! kept as data ([`AnnouncedText`]: bounded to [`TEXT_MAX_CHARS`], shown with control characters
//! escaped), never trusted. An announcement names where a device says it is; whether it is the
//! device it claims is for TLS and pairing to tell (spec/protocol.md §2, §3).
//!
//! ```no_run
//! use std::time::Duration;
//! use synqpay_std::Client;
//!
//! for device in Client::discover(Duration::from_secs(3))? {
//!     println!("{} at {:?} over {}", device.serial_number, device.socket_addr(), device.transport);
//! }
//! # Ok::<(), synqpay_std::discovery::DiscoveryError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use mdns_sd::{IfKind, ServiceDaemon, ServiceEvent, ServiceInfo};

use crate::Client;

/// The DNS-SD service type devices announce themselves as (issue 13).
pub const SERVICE_TYPE: &str = "_synqpay._tcp.local.";

/// The TXT key that names the device's transport: `tcp` or `tls` (issue 13; spec/protocol.md §2).
pub const TXT_TRANSPORT: &str = "transport";

/// The TXT key that carries the device's human-readable name (issue 13).
pub const TXT_NAME: &str = "name";

/// At most this many characters of a serial number, name or unknown transport are kept; more is
/// cut (and the cut shown). An mDNS instance name is at most 63 bytes, so a serial number is never
/// cut; a TXT value can be 255 bytes.
pub const TEXT_MAX_CHARS: usize = 64;

/// At most this many devices are kept from one browse: more announcements than that, from
/// whoever sends them, are ignored rather than held.
pub const MAX_DEVICES: usize = 1024;

/// How long the mDNS daemon is given to answer a command or to shut down.
const DAEMON_WAIT: Duration = Duration::from_secs(2);

/// Text from the network (a serial number, a name): kept as data, at most [`TEXT_MAX_CHARS`]
/// characters (invalid UTF-8 replaced by U+FFFD).
///
/// [`AnnouncedText::as_str`] is the text as received (within the bound), for comparing and
/// storing; its [`Display`](fmt::Display) is for people: control characters and the Unicode
/// controls that reorder or hide text are escaped (`\u{1b}`), and a cut is shown by `…`, so
/// printing it cannot drive a terminal.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AnnouncedText {
    text: String,
    cut: bool,
}

impl AnnouncedText {
    /// Keeps the first [`TEXT_MAX_CHARS`] characters of `text`.
    pub fn new(text: &str) -> Self {
        let mut chars = text.char_indices();
        match chars.nth(TEXT_MAX_CHARS) {
            Some((end, _)) => Self {
                text: text[..end].to_string(),
                cut: true,
            },
            None => Self {
                text: text.to_string(),
                cut: false,
            },
        }
    }

    /// Reads `bytes` as UTF-8 (what is not becomes U+FFFD) and keeps the first
    /// [`TEXT_MAX_CHARS`] characters.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self::new(&String::from_utf8_lossy(bytes))
    }

    /// The text as received, within the bound. Not for a terminal: print the value itself
    /// (its `Display` escapes control characters).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the text was longer than [`TEXT_MAX_CHARS`] and was cut.
    pub fn was_cut(&self) -> bool {
        self.cut
    }

    /// Whether there is no text.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

impl fmt::Display for AnnouncedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        write!(f, "{}", crate::text::untrusted(&self.text))?;
        if self.cut {
            f.write_char('…')?;
        }
        Ok(())
    }
}

/// How a device says it is reached: its TXT `transport` (issue 13; spec/protocol.md §2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Transport {
    /// Plain TCP (the device's port 9000): `Client::connect`.
    Tcp,
    /// TLS over TCP (the device's port 9443): `Client::connect_tls`.
    Tls,
    /// Anything else, as announced (empty when the TXT record has no `transport`).
    Unknown(AnnouncedText),
}

impl Transport {
    /// Reads a TXT `transport` value: `tcp` or `tls` in any case, surrounding blanks ignored;
    /// `None` (no such key, or a key without a value) is `Unknown` with no text.
    pub fn from_txt(value: Option<&[u8]>) -> Self {
        let Some(raw) = value else {
            return Self::Unknown(AnnouncedText::default());
        };
        let trimmed = raw.trim_ascii();
        if trimmed.eq_ignore_ascii_case(b"tcp") {
            Self::Tcp
        } else if trimmed.eq_ignore_ascii_case(b"tls") {
            Self::Tls
        } else {
            Self::Unknown(AnnouncedText::from_bytes(raw))
        }
    }

    /// The TXT value a device announces for this transport (`tcp`, `tls`, or the unknown text).
    pub fn as_txt(&self) -> &str {
        match self {
            Self::Tcp => "tcp",
            Self::Tls => "tls",
            Self::Unknown(text) => text.as_str(),
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tcp => f.write_str("tcp"),
            Self::Tls => f.write_str("tls"),
            Self::Unknown(text) if text.is_empty() => f.write_str("unknown"),
            Self::Unknown(text) => write!(f, "unknown ({text})"),
        }
    }
}

/// A device that announced itself (issue 13): what it says, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Discovered {
    /// Its serial number: the mDNS instance name (what `pair` names: spec/protocol.md §3).
    pub serial_number: AnnouncedText,
    /// Its addresses, IPv4 first, link-local last; never empty.
    pub addresses: Vec<IpAddr>,
    /// The port it listens on (spec/protocol.md §2: 9000 plain, 9443 TLS).
    pub port: u16,
    /// Its TXT `transport`.
    pub transport: Transport,
    /// Its TXT `name` (empty when it announced none).
    pub name: AnnouncedText,
}

impl Discovered {
    /// The first of its addresses with its port: where to connect. An IPv6 link-local address
    /// comes last and has no interface (scope) here, so connecting to it may need one added.
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        self.addresses
            .first()
            .map(|ip| SocketAddr::new(*ip, self.port))
    }

    /// Every address with its port, in the order of [`Discovered::addresses`].
    pub fn socket_addrs(&self) -> Vec<SocketAddr> {
        self.addresses
            .iter()
            .map(|ip| SocketAddr::new(*ip, self.port))
            .collect()
    }

    /// Reads one announcement: the instance's full name (`SERIAL._synqpay._tcp.local.`), its
    /// port and addresses, and its TXT `transport` and `name` values (`None` when absent).
    /// `None` when the full name is not of [`SERVICE_TYPE`], the serial number is empty or there
    /// is no address to reach it at. Addresses are sorted (IPv4 first, link-local last) and
    /// deduplicated.
    pub fn from_announcement(
        fullname: &str,
        port: u16,
        addresses: impl IntoIterator<Item = IpAddr>,
        transport: Option<&[u8]>,
        name: Option<&[u8]>,
    ) -> Option<Self> {
        let serial = instance_name(fullname)?;
        if serial.is_empty() {
            return None;
        }
        let mut addresses: Vec<IpAddr> = addresses.into_iter().collect();
        addresses.sort_by_key(|ip| (address_rank(ip), *ip));
        addresses.dedup();
        if addresses.is_empty() {
            return None;
        }
        Some(Self {
            serial_number: AnnouncedText::new(serial),
            addresses,
            port,
            transport: Transport::from_txt(transport),
            name: name.map(AnnouncedText::from_bytes).unwrap_or_default(),
        })
    }

    fn from_info(info: &ServiceInfo) -> Option<Self> {
        let txt = |key| info.get_property_val(key).flatten();
        Self::from_announcement(
            info.get_fullname(),
            info.get_port(),
            info.get_addresses().iter().copied(),
            txt(TXT_TRANSPORT),
            txt(TXT_NAME),
        )
    }
}

/// The instance part of `fullname` if it is of [`SERVICE_TYPE`] (DNS names compare without
/// regard to ASCII case).
fn instance_name(fullname: &str) -> Option<&str> {
    let split = fullname.len().checked_sub(SERVICE_TYPE.len() + 1)?;
    let (instance, rest) = (fullname.get(..split)?, fullname.get(split..)?);
    let suffix = rest.strip_prefix('.')?;
    suffix
        .eq_ignore_ascii_case(SERVICE_TYPE)
        .then_some(instance)
}

/// Sort rank: routable IPv4, routable IPv6, then link-local (unusable without a scope).
fn address_rank(ip: &IpAddr) -> u8 {
    match ip {
        IpAddr::V4(v4) if v4.is_link_local() => 2,
        IpAddr::V4(_) => 0,
        IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80 => 2,
        IpAddr::V6(_) => 1,
    }
}

/// Why discovery could not run. A browse that found nothing is not an error: it is an empty list.
#[derive(Debug)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// The mDNS daemon could not start (it needs a UDP socket on the loopback interface, which
    /// must be up, and a thread).
    Start(MdnsFailure),
    /// The mDNS daemon refused a command (choosing the interface, starting the browse).
    Daemon(MdnsFailure),
    /// No interface of this name has an IP address ([`discover_on`]).
    NoSuchInterface {
        /// The name as given.
        name: String,
    },
}

impl DiscoveryError {
    /// What to do about it, for a person.
    pub fn remedy(&self) -> &'static str {
        match self {
            Self::Start(_) | Self::Daemon(_) => {
                "check that the loopback interface is up and that this program may open UDP sockets and start threads, then try again"
            }
            Self::NoSuchInterface { .. } => {
                "name an interface that is up and has an address (`ip addr`, `ipconfig`), or leave the interface out"
            }
        }
    }
}

impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Start(cause) => write!(f, "the mDNS daemon could not start: {cause}"),
            Self::Daemon(cause) => write!(f, "the mDNS daemon refused the browse: {cause}"),
            Self::NoSuchInterface { name } => write!(
                f,
                "no interface {} with an address",
                AnnouncedText::new(name)
            ),
        }?;
        write!(f, "; {}", self.remedy())
    }
}

impl std::error::Error for DiscoveryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Start(cause) | Self::Daemon(cause) => Some(cause),
            Self::NoSuchInterface { .. } => None,
        }
    }
}

/// What the mDNS library said when it failed (its own error, kept opaque: it is not part of this
/// crate's API). Shown by its `Display`.
#[derive(Debug)]
pub struct MdnsFailure(mdns_sd::Error);

impl fmt::Display for MdnsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for MdnsFailure {}

/// Browses for [`SERVICE_TYPE`] on every interface for `timeout`, then lists the devices that
/// announced themselves and did not say goodbye meanwhile: one per serial number (the latest
/// announcement, with the addresses of all), in order of serial number. The mDNS daemon is shut
/// down before it returns.
pub fn discover(timeout: Duration) -> Result<Vec<Discovered>, DiscoveryError> {
    browse(None, timeout)
}

/// As [`discover`], on the interface `interface` alone (`eth0`, `en0`): announcements that arrive
/// elsewhere are not heard, and queries go out there only (once the daemon has started: it opens
/// its sockets on every interface first).
pub fn discover_on(interface: &str, timeout: Duration) -> Result<Vec<Discovered>, DiscoveryError> {
    let known = if_addrs::get_if_addrs()
        .map(|all| all.iter().any(|i| i.name == interface))
        .unwrap_or(false);
    if !known {
        return Err(DiscoveryError::NoSuchInterface {
            name: interface.to_string(),
        });
    }
    browse(Some(interface), timeout)
}

fn browse(interface: Option<&str>, timeout: Duration) -> Result<Vec<Discovered>, DiscoveryError> {
    let deadline = Instant::now() + timeout;
    let daemon = Daemon(ServiceDaemon::new().map_err(|e| DiscoveryError::Start(MdnsFailure(e)))?);
    if let Some(name) = interface {
        daemon
            .0
            .disable_interface(IfKind::All)
            .and_then(|()| daemon.0.enable_interface(IfKind::Name(name.to_string())))
            .map_err(|e| DiscoveryError::Daemon(MdnsFailure(e)))?;
    }
    let events = daemon
        .0
        .browse(SERVICE_TYPE)
        .map_err(|e| DiscoveryError::Daemon(MdnsFailure(e)))?;
    let mut found = Found::default();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match events.recv_timeout(left) {
            Ok(ServiceEvent::ServiceResolved(info)) => {
                if let Some(device) = Discovered::from_info(&info) {
                    found.add(device);
                }
            }
            Ok(ServiceEvent::ServiceRemoved(_, fullname)) => {
                if let Some(serial) = instance_name(&fullname) {
                    found.remove(serial);
                }
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let _ = daemon.0.stop_browse(SERVICE_TYPE);
    Ok(found.into_list())
}

/// The daemon, shut down (and waited for) however the browse ends.
struct Daemon(ServiceDaemon);

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(status) = self.0.shutdown() {
            let _ = status.recv_timeout(DAEMON_WAIT);
        }
    }
}

/// The devices heard so far, by serial number.
#[derive(Default)]
struct Found(BTreeMap<String, Discovered>);

impl Found {
    fn add(&mut self, device: Discovered) {
        let key = device.serial_number.as_str().to_string();
        let room = self.0.len() < MAX_DEVICES;
        match self.0.get_mut(&key) {
            Some(known) => {
                let mut addresses = std::mem::take(&mut known.addresses);
                if device.port == known.port {
                    addresses.extend(device.addresses.iter().copied());
                } else {
                    addresses.clone_from(&device.addresses);
                }
                addresses.sort_by_key(|ip| (address_rank(ip), *ip));
                addresses.dedup();
                *known = Discovered {
                    addresses,
                    ..device
                };
            }
            None if room => {
                self.0.insert(key, device);
            }
            None => {}
        }
    }

    fn remove(&mut self, serial: &str) {
        self.0.remove(AnnouncedText::new(serial).as_str());
    }

    fn into_list(self) -> Vec<Discovered> {
        self.0.into_values().collect()
    }
}

impl Client {
    /// Lists the devices that announce themselves on the LAN within `timeout` (mDNS,
    /// `_synqpay._tcp.local.`: issue 13): [`discover`]. Connect to one with
    /// [`Client::connect`] or [`Client::connect_tls`] as its [`Transport`] says, at
    /// [`Discovered::socket_addr`].
    pub fn discover(timeout: Duration) -> Result<Vec<Discovered>, DiscoveryError> {
        discover(timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    const V4: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 231, 0, 2));

    #[test]
    fn an_announcement_is_read_as_data() {
        let link_local = IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 7));
        let global = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1));
        let device = Discovered::from_announcement(
            "244RKR528387._synqpay._tcp.local.",
            9443,
            [link_local, global, V4, V4],
            Some(b" TLS "),
            Some(b"Front desk"),
        )
        .unwrap();
        assert_eq!(device.serial_number.as_str(), "244RKR528387");
        assert_eq!(device.addresses, [V4, global, link_local]);
        assert_eq!(device.socket_addr(), Some(SocketAddr::new(V4, 9443)));
        assert_eq!(device.transport, Transport::Tls);
        assert_eq!(device.name.to_string(), "Front desk");
    }

    #[test]
    fn transport_values() {
        assert_eq!(Transport::from_txt(Some(b"tcp")), Transport::Tcp);
        assert_eq!(Transport::from_txt(Some(b"TLS")), Transport::Tls);
        assert_eq!(Transport::from_txt(None).to_string(), "unknown");
        let odd = Transport::from_txt(Some(b"udp\x1b[2J"));
        assert_eq!(odd.to_string(), "unknown (udp\\u{1b}[2J)");
        assert_eq!(odd.as_txt(), "udp\x1b[2J");
    }

    #[test]
    fn other_service_types_and_empty_or_unreachable_announcements_are_dropped() {
        let read = |fullname: &str, addresses: &[IpAddr]| {
            Discovered::from_announcement(fullname, 9000, addresses.to_vec(), None, None)
        };
        assert!(read("X._http._tcp.local.", &[V4]).is_none());
        assert!(read("._synqpay._tcp.local.", &[V4]).is_none());
        assert!(read("_synqpay._tcp.local.", &[V4]).is_none());
        assert!(read("X._synqpay._tcp.local.", &[]).is_none());
        let upper = read("X._SYNQPAY._TCP.LOCAL.", &[V4]).unwrap();
        assert_eq!(upper.serial_number.as_str(), "X");
        assert_eq!(
            upper.transport,
            Transport::Unknown(AnnouncedText::default())
        );
        assert!(upper.name.is_empty());
    }

    #[test]
    fn text_is_bounded_and_shown_escaped() {
        let hostile = "\x1b]0;owned\x07\u{202E}abc\r\nok\u{FFFD}é";
        let text = AnnouncedText::new(hostile);
        assert_eq!(text.as_str(), hostile);
        assert!(!text.was_cut());
        assert_eq!(
            text.to_string(),
            "\\u{1b}]0;owned\\u{7}\\u{202e}abc\\r\\nok\u{FFFD}é"
        );
        assert!(text.to_string().chars().all(|c| !c.is_control()));

        let long = "é".repeat(TEXT_MAX_CHARS + 10);
        let cut = AnnouncedText::new(&long);
        assert!(cut.was_cut());
        assert_eq!(cut.as_str().chars().count(), TEXT_MAX_CHARS);
        assert!(cut.to_string().ends_with('…'));

        let exact = AnnouncedText::new(&"a".repeat(TEXT_MAX_CHARS));
        assert!(!exact.was_cut());

        let bytes = AnnouncedText::from_bytes(b"ab\xff\xfecd");
        assert_eq!(bytes.as_str(), "ab\u{FFFD}\u{FFFD}cd");
    }

    #[test]
    fn one_device_per_serial_number_in_order() {
        let other = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 9));
        let at = |serial: &str, port, ip, name: &[u8]| {
            Discovered::from_announcement(
                &format!("{serial}.{SERVICE_TYPE}"),
                port,
                [ip],
                Some(b"tcp"),
                Some(name),
            )
            .unwrap()
        };
        let mut found = Found::default();
        found.add(at("B2", 9000, V4, b"first"));
        found.add(at("A1", 9000, V4, b"a"));
        found.add(at("B2", 9000, other, b"renamed"));
        found.add(at("C3", 9000, V4, b"c"));
        found.remove("C3");
        let list = found.into_list();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].serial_number.as_str(), "A1");
        assert_eq!(list[1].serial_number.as_str(), "B2");
        assert_eq!(list[1].addresses, [V4, other]);
        assert_eq!(list[1].name.as_str(), "renamed");

        let mut moved = Found::default();
        moved.add(at("B2", 9000, V4, b"x"));
        moved.add(at("B2", 9443, other, b"x"));
        let list = moved.into_list();
        assert_eq!(
            (list[0].port, list[0].addresses.clone()),
            (9443, vec![other])
        );
    }
}
