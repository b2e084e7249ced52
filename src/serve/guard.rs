//! The guard against DNS rebinding: a request is served only when its `Host` (and `Origin`, when
//! the browser sends one) names this server as the browser reached it directly — `localhost` or
//! the IP address it is bound to, with its port. A page on another site that rebinds its own name
//! to 127.0.0.1 still sends its own name as `Host`, and is refused with 403 and a message saying why.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::{Shared, error_response, url_for};

/// The names this server answers to.
#[derive(Debug, Clone)]
pub struct HostGuard {
    bound: SocketAddr,
}

impl HostGuard {
    pub fn new(bound: SocketAddr) -> HostGuard {
        HostGuard { bound }
    }

    /// The URL to open.
    pub fn url(&self) -> String {
        url_for(self.bound)
    }

    /// Whether `host` (a Host header: `name:port`, `[v6]:port`) is this server's own.
    pub fn is_own_host(&self, host: &str) -> bool {
        let (name, port) = match host.strip_prefix('[') {
            Some(rest) => match rest.split_once("]:") {
                Some((ip, port)) => (ip, port),
                None => (rest.trim_end_matches(']'), ""),
            },
            None => host.rsplit_once(':').unwrap_or((host, "")),
        };
        let port_ok = match port {
            "" => self.bound.port() == 80,
            p => p.parse::<u16>() == Ok(self.bound.port()),
        };
        if !port_ok {
            return false;
        }
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        // An IP address cannot be rebound; a name other than localhost could be anyone's.
        match name.parse::<IpAddr>() {
            Ok(ip) if self.bound.ip().is_unspecified() => ip.is_loopback() || !ip.is_unspecified(),
            Ok(ip) if self.bound.ip().is_loopback() => ip.is_loopback(),
            Ok(ip) => ip == self.bound.ip(),
            Err(_) => false,
        }
    }

    /// Why a request with these headers is refused, or `None` to serve it.
    pub fn refusal(&self, headers: &HeaderMap) -> Option<String> {
        let own = self.url();
        let Some(host) = headers.get(header::HOST) else {
            return Some(format!(
                "refused: the request has no Host header; open {own}"
            ));
        };
        let host = host.to_str().unwrap_or("");
        if !self.is_own_host(host) {
            return Some(format!(
                "refused: Host \"{host}\" is not this server's own name; a page on another site \
                 must not drive it (DNS rebinding). Open {own} (or localhost with the same port)"
            ));
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("");
            let own_origin = origin
                .strip_prefix("http://")
                .is_some_and(|h| self.is_own_host(h));
            if !own_origin {
                return Some(format!(
                    "refused: Origin \"{origin}\" is not this server's page; only the page at {own} may call it"
                ));
            }
        }
        None
    }
}

/// Middleware: refuses (403) any request that is not from this server's own page or address.
pub(super) async fn refuse_foreign(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    match shared.guard.refusal(request.headers()) {
        Some(message) => error_response(StatusCode::FORBIDDEN, message),
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(addr: &str) -> HostGuard {
        HostGuard::new(addr.parse().unwrap())
    }

    #[test]
    fn loopback_answers_to_its_address_and_localhost_with_its_port() {
        let g = guard("127.0.0.1:8470");
        assert!(g.is_own_host("127.0.0.1:8470"));
        assert!(g.is_own_host("localhost:8470"));
        assert!(g.is_own_host("LOCALHOST:8470"));
        assert!(!g.is_own_host("127.0.0.1:8471"));
        assert!(!g.is_own_host("127.0.0.1"));
        assert!(!g.is_own_host("evil.example:8470"));
        assert!(!g.is_own_host("192.168.1.5:8470"));
        assert!(!g.is_own_host(""));
    }

    #[test]
    fn ipv6_and_unspecified_binds() {
        let g = guard("[::1]:9000");
        assert!(g.is_own_host("[::1]:9000"));
        assert!(!g.is_own_host("[::1]:9001"));
        let any = guard("0.0.0.0:9000");
        assert!(any.is_own_host("10.0.0.7:9000"));
        assert!(!any.is_own_host("rebound.example:9000"));
    }

    #[test]
    fn a_foreign_origin_is_refused_and_the_own_one_served() {
        let g = guard("127.0.0.1:8470");
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8470".parse().unwrap());
        assert_eq!(g.refusal(&h), None);
        h.insert(header::ORIGIN, "http://localhost:8470".parse().unwrap());
        assert_eq!(g.refusal(&h), None);
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(g.refusal(&h).unwrap().contains("Origin"));
        h.insert(header::ORIGIN, "null".parse().unwrap());
        assert!(g.refusal(&h).is_some());
        h.remove(header::ORIGIN);
        h.insert(header::HOST, "evil.example:8470".parse().unwrap());
        assert!(g.refusal(&h).unwrap().contains("DNS rebinding"));
    }
}
