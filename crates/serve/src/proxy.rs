//! The forward-auth conventions: where each proxy puts the original method and URI.

use std::fmt;
use std::str::FromStr;

use http::{HeaderMap, Method, Uri};

/// The path of the forward-auth endpoint (and Envoy's `path_prefix`).
pub const AUTH_PATH: &str = "/auth";

/// Which proxy asks `/auth`, and so which request fields carry the original request.
///
/// Only the configured convention is read: a client-supplied `X-Forwarded-Uri` is ignored in
/// nginx mode, `X-Original-URI` in Traefik mode, and both in Envoy mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProxyKind {
    /// nginx `auth_request` and ingress-nginx `auth-url`: `X-Original-Method`, `X-Original-URI`.
    /// Denials are answered as 401/403 with the real response carried in `X-Tollgate-*`
    /// headers, because `auth_request` turns any other status into a 500.
    Nginx,
    /// Traefik `forwardAuth`: `X-Forwarded-Method`, `X-Forwarded-Uri`.
    Traefik,
    /// Envoy `ext_authz` HTTP service with `path_prefix: /auth`: the check request carries the
    /// original method, and the original path and query after the prefix.
    Envoy,
}

impl ProxyKind {
    /// Every convention.
    pub const ALL: [ProxyKind; 3] = [ProxyKind::Nginx, ProxyKind::Traefik, ProxyKind::Envoy];

    /// The name used by `--proxy` and `TOLLGATE_PROXY`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProxyKind::Nginx => "nginx",
            ProxyKind::Traefik => "traefik",
            ProxyKind::Envoy => "envoy",
        }
    }

    /// The headers this convention reads the original method and URI from (none for Envoy).
    pub const fn forwarded_headers(self) -> Option<(&'static str, &'static str)> {
        match self {
            ProxyKind::Nginx => Some(("x-original-method", "x-original-uri")),
            ProxyKind::Traefik => Some(("x-forwarded-method", "x-forwarded-uri")),
            ProxyKind::Envoy => None,
        }
    }
}

impl fmt::Display for ProxyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `--proxy` value that names no convention.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown proxy `{0}`: expected `nginx`, `traefik` or `envoy`")]
pub struct UnknownProxy(pub String);

impl FromStr for ProxyKind {
    type Err = UnknownProxy;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProxyKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| UnknownProxy(s.to_owned()))
    }
}

/// The request the proxy asks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Original<'a> {
    /// The original method, e.g. `GET`.
    pub method: &'a str,
    /// The original path with its query, e.g. `/lease/1/2/3/status?follow=true`.
    pub target: &'a str,
}

/// Why the check request does not say which request to authorize.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ForwardedProblem {
    /// A forwarded header of the convention is absent or empty.
    #[error("the proxy sent no `{header}` header ({proxy} convention)")]
    Missing {
        /// The header.
        header: &'static str,
        /// The convention.
        proxy: ProxyKind,
    },
    /// A forwarded header is repeated.
    #[error("the proxy sent `{header}` more than once")]
    Repeated {
        /// The header.
        header: &'static str,
    },
    /// A forwarded header is not visible ASCII.
    #[error("the `{header}` header is not visible ASCII")]
    NotText {
        /// The header.
        header: &'static str,
    },
    /// The forwarded URI is not an origin-form target (`/path?query`).
    #[error("the `{header}` header is not a path starting with `/`")]
    NotAPath {
        /// The header (or `:path` for Envoy).
        header: &'static str,
    },
}

/// Reads the original request from a check request, by `proxy`'s convention only.
pub fn original<'a>(
    proxy: ProxyKind,
    method: &'a Method,
    uri: &'a Uri,
    headers: &'a HeaderMap,
) -> Result<Original<'a>, ForwardedProblem> {
    match proxy.forwarded_headers() {
        Some((method_header, uri_header)) => {
            let method = single(headers, method_header, proxy)?;
            let target = single(headers, uri_header, proxy)?;
            if !target.starts_with('/') {
                return Err(ForwardedProblem::NotAPath { header: uri_header });
            }
            Ok(Original { method, target })
        }
        None => {
            let target = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
            let rest = target.strip_prefix(AUTH_PATH).unwrap_or_default();
            if !rest.starts_with('/') {
                return Err(ForwardedProblem::NotAPath { header: ":path" });
            }
            Ok(Original {
                method: method.as_str(),
                target: rest,
            })
        }
    }
}

/// The one non-empty, visible-ASCII value of `name`.
fn single<'a>(
    headers: &'a HeaderMap,
    name: &'static str,
    proxy: ProxyKind,
) -> Result<&'a str, ForwardedProblem> {
    let mut values = headers.get_all(name).iter();
    let value = match (values.next(), values.next()) {
        (None, _) => {
            return Err(ForwardedProblem::Missing {
                header: name,
                proxy,
            });
        }
        (Some(_), Some(_)) => return Err(ForwardedProblem::Repeated { header: name }),
        (Some(value), None) => value,
    };
    let text = value
        .to_str()
        .map_err(|_| ForwardedProblem::NotText { header: name })?;
    if text.is_empty() {
        return Err(ForwardedProblem::Missing {
            header: name,
            proxy,
        });
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn names_round_trip() {
        for kind in ProxyKind::ALL {
            assert_eq!(kind.as_str().parse::<ProxyKind>().unwrap(), kind);
        }
        assert_eq!(
            "Nginx".parse::<ProxyKind>().unwrap_err().to_string(),
            "unknown proxy `Nginx`: expected `nginx`, `traefik` or `envoy`"
        );
    }

    #[test]
    fn each_convention_reads_only_its_own_headers() {
        let uri: Uri = "/auth".parse().unwrap();
        let get = Method::GET;
        let all = headers(&[
            ("x-original-method", "PUT"),
            ("x-original-uri", "/deployment/1/manifest"),
            ("x-forwarded-method", "GET"),
            ("x-forwarded-uri", "/lease/1/2/3/status?follow=true"),
        ]);
        assert_eq!(
            original(ProxyKind::Nginx, &get, &uri, &all).unwrap(),
            Original {
                method: "PUT",
                target: "/deployment/1/manifest"
            }
        );
        assert_eq!(
            original(ProxyKind::Traefik, &get, &uri, &all).unwrap(),
            Original {
                method: "GET",
                target: "/lease/1/2/3/status?follow=true"
            }
        );
        assert_eq!(
            original(ProxyKind::Envoy, &get, &uri, &all).unwrap_err(),
            ForwardedProblem::NotAPath { header: ":path" }
        );
        let nginx_only = headers(&[("x-original-method", "GET"), ("x-original-uri", "/status")]);
        assert_eq!(
            original(ProxyKind::Traefik, &get, &uri, &nginx_only).unwrap_err(),
            ForwardedProblem::Missing {
                header: "x-forwarded-method",
                proxy: ProxyKind::Traefik
            }
        );
    }

    #[test]
    fn envoy_strips_the_prefix_and_keeps_the_query() {
        let uri: Uri = "/auth/lease/1/2/3/logs?follow=true&tail=10"
            .parse()
            .unwrap();
        let method = Method::PATCH;
        assert_eq!(
            original(ProxyKind::Envoy, &method, &uri, &HeaderMap::new()).unwrap(),
            Original {
                method: "PATCH",
                target: "/lease/1/2/3/logs?follow=true&tail=10"
            }
        );
        let root: Uri = "/auth/".parse().unwrap();
        assert_eq!(
            original(ProxyKind::Envoy, &method, &root, &HeaderMap::new())
                .unwrap()
                .target,
            "/"
        );
        let glued: Uri = "/authx/status".parse().unwrap();
        assert!(original(ProxyKind::Envoy, &method, &glued, &HeaderMap::new()).is_err());
    }

    #[test]
    fn repeated_empty_and_relative_values_are_refused() {
        let uri: Uri = "/auth".parse().unwrap();
        let get = Method::GET;
        let twice = headers(&[
            ("x-original-method", "GET"),
            ("x-original-uri", "/status"),
            ("x-original-uri", "/version"),
        ]);
        assert_eq!(
            original(ProxyKind::Nginx, &get, &uri, &twice).unwrap_err(),
            ForwardedProblem::Repeated {
                header: "x-original-uri"
            }
        );
        let empty = headers(&[("x-original-method", ""), ("x-original-uri", "/status")]);
        assert!(matches!(
            original(ProxyKind::Nginx, &get, &uri, &empty).unwrap_err(),
            ForwardedProblem::Missing { .. }
        ));
        let relative = headers(&[
            ("x-original-method", "GET"),
            ("x-original-uri", "http://evil/status"),
        ]);
        assert_eq!(
            original(ProxyKind::Nginx, &get, &uri, &relative).unwrap_err(),
            ForwardedProblem::NotAPath {
                header: "x-original-uri"
            }
        );
    }
}
