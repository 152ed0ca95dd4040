//! TLS from the global options: the device's address and port, and whom to trust (`--tls`,
//! `--ca`, `--pin`, `--insecure`), with the warnings a person must see on every run.

use std::path::Path;

use synqpay_std::tls::{self, Fingerprint, Verification};

use crate::args::DeviceArgs;

/// The device's plain TCP port (spec/protocol.md §2).
const PLAIN_PORT: u16 = 9000;

/// How the connection to the device is carried (`--tls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Carried {
    /// Plain TCP.
    Plain,
    /// TLS.
    Tls,
}

/// Whether the device's certificate is checked (`--insecure` says not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// Verified: by the root CA, a CA file or a pin.
    Verified,
    /// Not verified at all.
    Insecure,
}

impl Carried {
    /// As the options say.
    pub(crate) fn of(args: &DeviceArgs) -> Self {
        if args.tls { Self::Tls } else { Self::Plain }
    }
}

impl Check {
    /// As the options say.
    pub(crate) fn of(args: &DeviceArgs) -> Self {
        if args.insecure {
            Self::Insecure
        } else {
            Self::Verified
        }
    }
}

/// `host` with the device's port when it names none: 9443 with TLS, 9000 without.
///
/// `HOST:PORT` and `[V6]:PORT` name a port; `HOST`, `V4`, `V6` (bare, such as `::1`) and `[V6]`
/// do not.
pub(crate) fn device_addr(host: &str, carried: Carried) -> String {
    let port = match carried {
        Carried::Tls => tls::PORT,
        Carried::Plain => PLAIN_PORT,
    };
    let host = host.trim();
    if let Some(rest) = host.strip_prefix('[') {
        // `[V6]:PORT`, or `[V6]` alone.
        return match rest.split_once(']') {
            Some((_, "")) => format!("{host}:{port}"),
            _ => host.to_string(),
        };
    }
    if host.parse::<std::net::Ipv6Addr>().is_ok() {
        return format!("[{host}]:{port}");
    }
    match host.rsplit_once(':') {
        Some((_, p)) if p.parse::<u16>().is_ok() => host.to_string(),
        _ => format!("{host}:{port}"),
    }
}

/// Whom to trust, from the options: `None` without `--tls`. Warns on stderr, every run, when
/// the device is not verified (`--insecure`) and when TLS secrets are logged (`SSLKEYLOGFILE`).
pub(crate) fn verification(
    carried: Carried,
    ca: Option<&Path>,
    pin: Option<Fingerprint>,
    check: Check,
) -> Result<Option<Verification>, String> {
    let insecure = check == Check::Insecure;
    if carried == Carried::Plain {
        if ca.is_some() || pin.is_some() || insecure {
            return Err("--ca, --pin and --insecure go with --tls".into());
        }
        return Ok(None);
    }
    let verification = match (ca, pin, insecure) {
        (Some(file), None, false) => Verification::CaPem(
            std::fs::read(file).map_err(|e| format!("--ca {}: {e}", file.display()))?,
        ),
        (None, Some(pin), false) => Verification::PinnedLeaf(pin.0),
        (None, None, true) => {
            eprintln!(
                "synqpay: warning: --insecure: the device is not verified; anyone on the network \
                 can read and change the payments. Trust it with --ca FILE or --pin SHA256 instead."
            );
            Verification::DangerousNoVerification
        }
        (None, None, false) => Verification::default(),
        _ => return Err("--ca, --pin and --insecure: pick one".into()),
    };
    if let Some(file) = std::env::var_os("SSLKEYLOGFILE").filter(|f| !f.is_empty()) {
        eprintln!(
            "synqpay: warning: SSLKEYLOGFILE is set: the TLS secrets are written to {} (anyone \
             who reads it can read the payments)",
            Path::new(&file).display()
        );
    }
    Ok(Some(verification))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_means_port_9443_unless_the_address_names_one() {
        for (host, plain, tls) in [
            ("192.168.1.20", "192.168.1.20:9000", "192.168.1.20:9443"),
            (
                "192.168.1.20:7000",
                "192.168.1.20:7000",
                "192.168.1.20:7000",
            ),
            ("pos-1.local", "pos-1.local:9000", "pos-1.local:9443"),
            ("pos-1.local:9443", "pos-1.local:9443", "pos-1.local:9443"),
            ("::1", "[::1]:9000", "[::1]:9443"),
            ("fe80::1", "[fe80::1]:9000", "[fe80::1]:9443"),
            ("[::1]", "[::1]:9000", "[::1]:9443"),
            ("[::1]:7000", "[::1]:7000", "[::1]:7000"),
            (" 127.0.0.1 ", "127.0.0.1:9000", "127.0.0.1:9443"),
        ] {
            assert_eq!(device_addr(host, Carried::Plain), plain, "{host}");
            assert_eq!(device_addr(host, Carried::Tls), tls, "{host} --tls");
        }
    }

    #[test]
    fn options_pick_one_verification() {
        let pin = Fingerprint([1; 32]);
        let v = |ca: Option<&Path>, pin, check| verification(Carried::Tls, ca, pin, check);
        assert!(
            matches!(v(None, None, Check::Verified), Ok(Some(Verification::PinnedRoot(r))) if r == tls::SYNQPAY_ROOT_SHA256)
        );
        assert!(
            matches!(v(None, Some(pin), Check::Verified), Ok(Some(Verification::PinnedLeaf(p))) if p == pin.0)
        );
        assert!(matches!(
            v(None, None, Check::Insecure),
            Ok(Some(Verification::DangerousNoVerification))
        ));
        assert!(v(Some(Path::new("ca.pem")), Some(pin), Check::Verified).is_err());
        assert!(v(None, Some(pin), Check::Insecure).is_err());
        let plain = |pin| verification(Carried::Plain, None, pin, Check::Verified);
        assert!(matches!(plain(None), Ok(None)));
        assert!(plain(Some(pin)).is_err());
    }
}
