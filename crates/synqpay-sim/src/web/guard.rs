//! Who may use the screen page (ours): a browser holds the page, and any other site open in
//! that browser can send requests to it. So a request must name this page by an IP address or
//! `localhost` (a site whose own name resolves here, DNS rebinding, is refused), and an action
//! must be posted the way the page posts it: JSON, which another site cannot send without the
//! browser asking first (a CORS preflight this server never grants), and from the page's own
//! origin when the browser says one.

use std::net::IpAddr;

/// The request's header `name`, if it has one.
fn header<'r>(request: &'r tiny_http::Request, name: &str) -> Option<&'r str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// Whether `host` (a `Host` header: name or address, and maybe a port) names a page here by
/// address: an IP literal or `localhost`.
fn by_address(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        // [v6]:port
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<IpAddr>().is_ok()
}

/// Whether the request names this page by address (see the module's text).
pub(super) fn addressed_here(request: &tiny_http::Request) -> bool {
    header(request, "Host").is_some_and(by_address)
}

/// Whether an action was posted as the page posts it: JSON, and from the page's origin when
/// the browser names one.
pub(super) fn posted_by_the_page(request: &tiny_http::Request) -> bool {
    let json = header(request, "Content-Type").is_some_and(|t| {
        t.split(';')
            .next()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    });
    let same_origin = match (header(request, "Origin"), header(request, "Host")) {
        (None, _) => true,
        (Some(origin), Some(host)) => origin
            .strip_prefix("http://")
            .is_some_and(|o| o.eq_ignore_ascii_case(host)),
        (Some(_), None) => false,
    };
    json && same_origin
}

#[cfg(test)]
mod tests {
    use super::by_address;

    #[test]
    fn only_addresses_and_localhost_name_the_page() {
        for host in [
            "127.0.0.1:8080",
            "localhost:8080",
            "[::1]:8080",
            "10.0.0.5",
            "LOCALHOST",
        ] {
            assert!(by_address(host), "{host}");
        }
        for host in [
            "evil.example:8080",
            "evil.example",
            "127.0.0.1.evil.example:80",
            "",
        ] {
            assert!(!by_address(host), "{host}");
        }
    }
}
