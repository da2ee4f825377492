//! The HTTP edge (入口): how connections are served and what every request goes through
//! before a route sees it. The one place its configuration lives; `kenpo serve` reads it with
//! [`EdgeConfig::from_env`].
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `KENPO_HEADER_READ_TIMEOUT_SECS` | a connection must send a whole request head within this many seconds of starting one (also a silent or idle keep-alive connection), else it is closed | 10 |
//! | `KENPO_REQUEST_TIMEOUT_SECS` | a request not answered within this many seconds is abandoned: 503 `request_timeout` | 120 |
//! | `KENPO_MAX_CONCURRENT_REQUESTS` | requests served at once; one more is refused at once: 503 `overloaded` | 256 |
//! | `KENPO_TRUSTED_PROXIES` | comma-separated IPs or CIDRs of reverse proxies whose `X-Forwarded-For` is believed | none |
//!
//! In order, every request:
//! 1. gets a request id made here (UUID v7), never the client's: it is the `request_id` of the
//!    events and access-log rows the request writes, the `X-Request-Id` response header and
//!    the `instance` (`urn:uuid:<id>`) of a problem+json answer. A client's own `X-Request-Id`
//!    (visible ASCII, at most 128 bytes) is kept apart as `client_request_id`;
//! 2. gets its client address: the TCP peer, or, when the peer is a trusted proxy, the
//!    right-most `X-Forwarded-For` address that is not a trusted proxy itself;
//! 3. is logged by path and the *names* of its query parameters, never their values (a search
//!    by カナ氏名 and 生年月日 must not end up in a log);
//! 4. is refused 413 `body_too_large` when its `Content-Length` is over the limit (1 MiB; 16
//!    MiB for `POST /api/v1/premium-receipt-imports`) before authentication or anything else
//!    runs; a body sent without a length is cut off at the limit as it is read (413 too);
//! 5. is refused 503 `overloaded` when [`EdgeConfig::max_concurrent_requests`] are in flight;
//! 6. is abandoned with 503 `request_timeout` after [`EdgeConfig::request_timeout`] (its
//!    transaction, if still open, rolls back).

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use uuid::Uuid;

use crate::problem::{self, ApiError};

/// The largest body a request may have (commands are JSON of a few KiB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The route that takes files (a receipt CSV or 全銀 file), and the largest it takes.
const FILE_ROUTE: &str = "/api/v1/premium-receipt-imports";
const MAX_FILE_BYTES: usize = crate::routes::premiums::MAX_RECEIPT_FILE_BYTES;
/// The longest client request id kept.
const CLIENT_REQUEST_ID_MAX: usize = 128;

/// Response header and request header naming the request.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Limits and trust of the HTTP edge (module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeConfig {
    /// Time a connection has to send a whole request head.
    pub header_read_timeout: Duration,
    /// Time a request has to be answered.
    pub request_timeout: Duration,
    /// Requests served at once.
    pub max_concurrent_requests: usize,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for EdgeConfig {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(120),
            max_concurrent_requests: 256,
            trusted_proxies: Vec::new(),
        }
    }
}

impl EdgeConfig {
    /// The configuration from the environment (module doc), defaults for what is unset.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The configuration from `lookup(variable)`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let defaults = Self::default();
        let seconds = |name: &str, default: Duration| -> anyhow::Result<Duration> {
            match lookup(name).filter(|v| !v.trim().is_empty()) {
                None => Ok(default),
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(n) if n > 0 => Ok(Duration::from_secs(n)),
                    _ => anyhow::bail!("{name}={v}: give a whole number of seconds, 1 or more"),
                },
            }
        };
        let max_concurrent_requests =
            match lookup("KENPO_MAX_CONCURRENT_REQUESTS").filter(|v| !v.trim().is_empty()) {
                None => defaults.max_concurrent_requests,
                Some(v) => match v.trim().parse::<usize>() {
                    Ok(n) if n > 0 => n,
                    _ => anyhow::bail!(
                    "KENPO_MAX_CONCURRENT_REQUESTS={v}: give a whole number of requests, 1 or more"
                ),
                },
            };
        let trusted_proxies = lookup("KENPO_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse::<IpNet>().map_err(|e| {
                    anyhow::anyhow!(
                        "KENPO_TRUSTED_PROXIES: {e}; give IP addresses or CIDRs (10.0.0.0/8), comma-separated"
                    )
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self {
            header_read_timeout: seconds(
                "KENPO_HEADER_READ_TIMEOUT_SECS",
                defaults.header_read_timeout,
            )?,
            request_timeout: seconds("KENPO_REQUEST_TIMEOUT_SECS", defaults.request_timeout)?,
            max_concurrent_requests,
            trusted_proxies,
        })
    }

    fn is_trusted(&self, address: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|net| net.contains(address))
    }

    /// The client's address: `peer`, or, when `peer` is a trusted proxy, the right-most
    /// `X-Forwarded-For` address that is not a trusted proxy (the left-most one when all are).
    /// An entry that is not an IP address ends the walk at the last address trusted so far.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.is_trusted(peer) {
            return peer;
        }
        let mut client = peer;
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for entry in forwarded.into_iter().rev() {
            let Some(address) = parse_forwarded(entry) else {
                break;
            };
            client = address;
            if !self.is_trusted(address) {
                break;
            }
        }
        client
    }
}

/// An `X-Forwarded-For` entry: an IP address, IPv6 possibly in brackets, possibly with a port.
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    if let Ok(address) = entry.parse::<IpAddr>() {
        return Some(address);
    }
    if let Ok(socket) = entry.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    entry
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .and_then(|v| v.parse().ok())
}

/// An IP network: an address and a prefix length (a bare address is a /32 or /128).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    address: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = match (self.address, address) {
            (IpAddr::V4(_), IpAddr::V6(v6)) => v6.to_ipv4_mapped().map(IpAddr::V4),
            _ => Some(address),
        };
        match (self.address, address) {
            (IpAddr::V4(net), Some(IpAddr::V4(a))) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(net), Some(IpAddr::V6(a))) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for IpNet {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address
            .parse()
            .map_err(|_| format!("`{address}` is not an IP address"))?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`/{p}` is not a prefix length from 0 to {max}"))?,
        };
        Ok(Self { address, prefix })
    }
}

/// The server's id of a request (request extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestId(pub Uuid);

/// The `X-Request-Id` the client sent, when it was visible ASCII of at most 128 bytes
/// (request extension). Recorded apart; never used as the request's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRequestId(pub String);

/// The client's address as the edge resolved it (request extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// What the edge middleware holds.
#[derive(Clone)]
pub struct Edge {
    config: Arc<EdgeConfig>,
    in_flight: Arc<Semaphore>,
}

impl Edge {
    pub fn new(config: &EdgeConfig) -> Self {
        Self {
            config: Arc::new(config.clone()),
            in_flight: Arc::new(Semaphore::new(config.max_concurrent_requests)),
        }
    }
}

fn client_request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| {
            !v.is_empty()
                && v.len() <= CLIENT_REQUEST_ID_MAX
                && v.bytes().all(|b| b.is_ascii_graphic())
        })
        .map(str::to_owned)
}

/// Step 1 and 2 (module doc): the request id, the client's own id and the client address go
/// into the request's extensions; the id is echoed in `X-Request-Id` and is the `instance` of
/// any problem+json answer.
pub async fn identify(State(edge): State<Edge>, mut request: Request, next: Next) -> Response {
    let id = Uuid::now_v7();
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(peer) = peer {
        let address = edge.config.client_address(peer, request.headers());
        request.extensions_mut().insert(ClientAddress(address));
    }
    if let Some(client_id) = client_request_id(request.headers()) {
        request.extensions_mut().insert(ClientRequestId(client_id));
    }
    request.extensions_mut().insert(RequestId(id));
    let mut response = problem::REQUEST_ID.scope(id, next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// The request's path and the names of its query parameters (`kana&birth_date`), for logs.
pub fn query_names(query: Option<&str>) -> String {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').map_or(pair, |(name, _)| name))
        .map(|name| {
            // names are ASCII in this API; anything else is not logged either
            if name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                name
            } else {
                "?"
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The span of one request in the request log: method, path, query parameter *names*, the
/// server's request id, the client's own id and the client address. Never the query values.
pub fn request_span(request: &Request<Body>) -> tracing::Span {
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|RequestId(id)| id.to_string())
        .unwrap_or_default();
    let client_request_id = request
        .extensions()
        .get::<ClientRequestId>()
        .map(|ClientRequestId(id)| id.as_str())
        .unwrap_or_default();
    let client = request
        .extensions()
        .get::<ClientAddress>()
        .map(|ClientAddress(ip)| ip.to_string())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        query = %query_names(request.uri().query()),
        request_id = %request_id,
        client_request_id = %client_request_id,
        client = %client,
    )
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        "Body too large",
        format!(
            "the body is larger than {} MiB; send less in one request",
            limit / (1024 * 1024)
        ),
    )
}

/// Steps 4 to 6 (module doc): the body limit, the concurrency limit and the request timeout.
pub async fn guard(State(edge): State<Edge>, request: Request, next: Next) -> Response {
    let limit = if request.uri().path() == FILE_ROUTE {
        MAX_FILE_BYTES
    } else {
        MAX_BODY_BYTES
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(limit).into_response();
    }
    let Ok(_permit) = edge.in_flight.clone().try_acquire_owned() else {
        let mut response = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "Overloaded",
            "the server is answering as many requests as it is allowed to at once; retry in a moment",
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    // a body sent without a length (chunked) is cut off at the limit as it is read
    let request = request.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
    let timeout = edge.config.request_timeout;
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "request_timeout",
            "Request timed out",
            format!(
                "the request was not answered within {} s and was abandoned; a command may or may not have been recorded: look before sending it again, or send it again with the same Idempotency-Key",
                timeout.as_secs()
            ),
        )
        .into_response(),
    }
}

/// An error reading a body: 413 when it is the edge's limit that cut it off, else 400.
pub fn body_error(error: &axum::Error, limit: usize) -> ApiError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return too_large(limit);
        }
        source = e.source();
    }
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "body_unreadable",
        "Body unreadable",
        "the request body could not be read to its end; send it again",
    )
}

/// Serve `router` on `listener` until `shutdown` completes, with the header-read timeout of
/// `config` (hyper's HTTP/1.1 server with a timer; `axum::serve` cannot set it), each request given its
/// peer address as [`ConnectInfo`]. Open connections finish their requests on shutdown.
pub async fn serve(
    listener: TcpListener,
    router: axum::Router,
    config: &EdgeConfig,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // e.g. out of file descriptors: wait a little rather than spin
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<_>| {
            let mut request = request.map(Body::new);
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(trusted: &str) -> EdgeConfig {
        EdgeConfig::from_lookup(|name| {
            (name == "KENPO_TRUSTED_PROXIES").then(|| trusted.to_owned())
        })
        .unwrap()
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn a_forwarded_address_counts_only_from_a_trusted_proxy() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let headers = forwarded("198.51.100.1, 203.0.113.7, 10.1.2.3");
        // no proxy trusted (the default): the peer, whatever the header says
        assert_eq!(
            config("").client_address(ip("10.0.0.1"), &headers),
            ip("10.0.0.1")
        );
        // the peer is not a trusted proxy
        let trusted = config("10.0.0.0/8, 192.0.2.1");
        assert_eq!(
            trusted.client_address(ip("192.0.2.9"), &headers),
            ip("192.0.2.9")
        );
        // the right-most address that is not a trusted proxy; the client cannot add to the left
        assert_eq!(
            trusted.client_address(ip("192.0.2.1"), &headers),
            ip("203.0.113.7")
        );
        // all trusted: the left-most
        let inside = forwarded("10.9.9.9, 10.1.2.3");
        assert_eq!(
            trusted.client_address(ip("10.0.0.1"), &inside),
            ip("10.9.9.9")
        );
        // garbage ends the walk at the last trusted hop
        let garbage = forwarded("203.0.113.7, not-an-address, 10.1.2.3");
        assert_eq!(
            trusted.client_address(ip("10.0.0.1"), &garbage),
            ip("10.1.2.3")
        );
        // no header: the peer
        assert_eq!(
            trusted.client_address(ip("10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
        // IPv6 and IPv4-mapped peers
        let v6 = config("2001:db8::/32");
        let headers = forwarded("[2001:db8:1::5]:443, 2001:db9::1");
        assert_eq!(
            v6.client_address(ip("2001:db8::1"), &headers),
            ip("2001:db9::1")
        );
        assert_eq!(
            config("127.0.0.1").client_address(ip("::ffff:127.0.0.1"), &forwarded("203.0.113.7")),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn the_configuration_has_defaults_and_refuses_nonsense() {
        assert_eq!(
            EdgeConfig::from_lookup(|_| None).unwrap(),
            EdgeConfig::default()
        );
        let set = EdgeConfig::from_lookup(|name| match name {
            "KENPO_HEADER_READ_TIMEOUT_SECS" => Some("1".into()),
            "KENPO_REQUEST_TIMEOUT_SECS" => Some("5".into()),
            "KENPO_MAX_CONCURRENT_REQUESTS" => Some("3".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(set.header_read_timeout, Duration::from_secs(1));
        assert_eq!(set.request_timeout, Duration::from_secs(5));
        assert_eq!(set.max_concurrent_requests, 3);
        for (name, value) in [
            ("KENPO_HEADER_READ_TIMEOUT_SECS", "0"),
            ("KENPO_REQUEST_TIMEOUT_SECS", "soon"),
            ("KENPO_MAX_CONCURRENT_REQUESTS", "-1"),
            ("KENPO_TRUSTED_PROXIES", "10.0.0.0/33"),
            ("KENPO_TRUSTED_PROXIES", "proxy.example"),
        ] {
            let error =
                EdgeConfig::from_lookup(|n| (n == name).then(|| value.to_owned())).unwrap_err();
            assert!(format!("{error:#}").contains(name), "{error:#}");
        }
    }

    /// A router with a slow route and a route that reads its whole body, behind [`guard`].
    fn guarded(config: &EdgeConfig) -> axum::Router {
        use axum::routing::{get, post};
        axum::Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    "done"
                }),
            )
            .route(
                "/body",
                post(|body: Body| async move {
                    axum::body::to_bytes(body, usize::MAX)
                        .await
                        .map(|bytes| bytes.len().to_string())
                        .map_err(|e| body_error(&e, MAX_BODY_BYTES))
                }),
            )
            .layer(axum::middleware::from_fn_with_state(
                Edge::new(config),
                guard,
            ))
    }

    async fn problem_code(response: Response) -> (StatusCode, String) {
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let problem: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        (
            status,
            problem["code"].as_str().unwrap_or_default().to_owned(),
        )
    }

    #[tokio::test]
    async fn a_slow_request_times_out_and_one_too_many_is_shed_with_problem_json() {
        let config = EdgeConfig {
            request_timeout: Duration::from_millis(300),
            max_concurrent_requests: 1,
            ..EdgeConfig::default()
        };
        let router = guarded(&config);
        let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
        let first = tokio::spawn(router.clone().oneshot(get("/slow")));
        tokio::time::sleep(Duration::from_millis(50)).await;
        let shed = router.clone().oneshot(get("/slow")).await.unwrap();
        assert_eq!(shed.headers()[header::RETRY_AFTER], "1");
        assert_eq!(
            problem_code(shed).await,
            (StatusCode::SERVICE_UNAVAILABLE, "overloaded".to_owned())
        );
        let timed_out = first.await.unwrap().unwrap();
        assert_eq!(
            problem_code(timed_out).await,
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "request_timeout".to_owned()
            )
        );
        // the permit is back: the next request is served (and times out again)
        let again = router.oneshot(get("/slow")).await.unwrap();
        assert_eq!(problem_code(again).await.1, "request_timeout");
    }

    #[tokio::test]
    async fn a_body_without_a_length_is_cut_off_at_the_limit_with_413() {
        let router = guarded(&EdgeConfig::default());
        let chunks = (0..40).map(|_| Ok::<_, std::io::Error>(vec![b' '; 64 * 1024]));
        let streamed = Request::post("/body")
            .body(Body::from_stream(futures::stream::iter(chunks)))
            .unwrap();
        assert!(streamed.headers().get(header::CONTENT_LENGTH).is_none());
        let response = router.clone().oneshot(streamed).await.unwrap();
        assert_eq!(
            problem_code(response).await,
            (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large".to_owned())
        );
        // within the limit it is read whole
        let small = Request::post("/body")
            .body(Body::from(vec![b' '; 1000]))
            .unwrap();
        let response = router.oneshot(small).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }

    #[test]
    fn the_request_log_keeps_query_names_not_values() {
        assert_eq!(
            query_names(Some(
                "kana=%E3%83%A4%E3%83%9E%E3%83%80&birth_date=1980-04-01&page"
            )),
            "kana&birth_date&page"
        );
        assert_eq!(query_names(Some("%E3%83%A4=1")), "?");
        assert_eq!(query_names(None), "");
    }
}
