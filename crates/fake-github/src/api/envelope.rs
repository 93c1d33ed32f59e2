//! What wraps every response: the request id, the request log, the counters and the JSON content
//! type.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::Ordering;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use super::hostile::NotFromGitHub;
use super::{App, registry};
use crate::model::PushTrigger;

/// One request the fake received, as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    /// `GET`, `DELETE`, `POST`, ...
    pub method: String,
    /// The path as received: still percent-encoded, with any `/api/v3` prefix.
    pub path: String,
    /// The raw query string, without the `?`; empty when there was none.
    pub query: String,
    /// The `Authorization` header as sent, credentials and all, if there was one: which
    /// credentials went where is what registry and token tests check.
    pub authorization: Option<String>,
    /// The status the fake answered with; `0` when it dropped the connection instead.
    pub status: u16,
    /// Whether it went to the REST API or to the registry.
    pub kind: RequestKind,
    /// What the fault and limit emulation did to it, if anything.
    pub fault: Option<Fault>,
}

/// The two services the fake serves on one port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestKind {
    /// GitHub's REST API (`api.github.com`, or `/api/v3` on Enterprise Server).
    Api,
    /// The container registry (`ghcr.io`): `/v2/...` and its token endpoint `/token`.
    Registry,
}

impl RequestKind {
    /// Which service serves `path`.
    pub(crate) fn of(path: &str) -> RequestKind {
        if registry::serves(path) {
            RequestKind::Registry
        } else {
            RequestKind::Api
        }
    }
}

/// What the fault and limit emulation did to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// Answered `502` or `503` without being carried out.
    ServerError,
    /// The connection was closed without an answer, before anything was carried out.
    Dropped,
    /// The request was carried out, then the connection was closed without an answer.
    DroppedAfterApplying,
    /// Refused by the secondary rate limit (points or concurrency): `403` with `retry-after`.
    SecondaryRateLimit,
    /// Refused because the token's primary budget is spent: `403`, `x-ratelimit-remaining: 0`.
    PrimaryRateLimit,
    /// Answered (or its answer changed) by a [`Hostile`](crate::Hostile) mode.
    Hostile,
}

/// Running totals since the fake started, for tests and for the binary's closing summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Every request received, both services.
    pub requests: u64,
    /// Of those, the ones sent to the registry.
    pub registry_requests: u64,
    /// Requests by method (`GET`, `DELETE`, ...).
    pub by_method: BTreeMap<String, u64>,
    /// Requests refused by the secondary rate limit.
    pub secondary_limit_hits: u64,
    /// Requests refused for lack of primary budget.
    pub primary_limit_hits: u64,
    /// Requests answered `502`/`503` by the fault emulation.
    pub injected_failures: u64,
    /// Requests whose connection was dropped without an answer.
    pub dropped_connections: u64,
    /// Of the dropped ones, those carried out before the drop.
    pub dropped_after_applying: u64,
    /// Packages requests refused with `403` for who the token is: a missing scope or
    /// permission, or SAML SSO.
    pub permission_refusals: u64,
    /// Requests answered (or whose answer was changed) by a [`Hostile`](crate::Hostile) mode.
    pub hostile_answers: u64,
    /// The most requests of each method (`POST`, ...) that were in flight at once: received and
    /// not yet answered, injected latency included. Shows how many requests a client really
    /// sends together, whatever it was configured to do.
    pub peak_in_flight: BTreeMap<String, u64>,
}

impl Counters {
    fn count(&mut self, method: &str, kind: RequestKind, fault: Option<Fault>, refused: bool) {
        self.requests += 1;
        if refused {
            self.permission_refusals += 1;
        }
        *self.by_method.entry(method.to_owned()).or_default() += 1;
        if kind == RequestKind::Registry {
            self.registry_requests += 1;
        }
        match fault {
            None => {}
            Some(Fault::ServerError) => self.injected_failures += 1,
            Some(Fault::Dropped) => self.dropped_connections += 1,
            Some(Fault::DroppedAfterApplying) => {
                self.dropped_connections += 1;
                self.dropped_after_applying += 1;
            }
            Some(Fault::SecondaryRateLimit) => self.secondary_limit_hits += 1,
            Some(Fault::PrimaryRateLimit) => self.primary_limit_hits += 1,
            Some(Fault::Hostile) => self.hostile_answers += 1,
        }
    }
}

impl fmt::Display for Counters {
    /// A few lines for a person: totals, then each method, then each kind of fault.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "requests: {} ({} to the registry)",
            self.requests, self.registry_requests
        )?;
        for (method, count) in &self.by_method {
            writeln!(f, "  {method}: {count}")?;
        }
        writeln!(
            f,
            "secondary rate limit hits: {}",
            self.secondary_limit_hits
        )?;
        writeln!(f, "primary rate limit hits: {}", self.primary_limit_hits)?;
        writeln!(f, "injected 5xx failures: {}", self.injected_failures)?;
        writeln!(f, "permission refusals: {}", self.permission_refusals)?;
        writeln!(f, "hostile answers: {}", self.hostile_answers)?;
        write!(
            f,
            "dropped connections: {} ({} after carrying the request out)",
            self.dropped_connections, self.dropped_after_applying
        )
    }
}

/// Marks a response as a refusal for who the token is (scopes, permissions, SSO), for the
/// counters.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PermissionRefusal;

/// The id of one request, as GitHub reports it in `x-github-request-id` and quotes it in some
/// error messages.
#[derive(Debug, Clone)]
pub(crate) struct RequestId(pub String);

/// Middleware: gives every request an id (`x-github-request-id`, which GitHub puts on every
/// response), then logs it with the status it got behind `FakeGitHub::requests` and counts it.
pub(crate) async fn record_request(
    State(app): State<App>,
    mut request: Request,
    next: Next,
) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let authorization = request
        .headers()
        .get(AUTHORIZATION)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    let kind = RequestKind::of(&path);
    let sequence = app.request_sequence.fetch_add(1, Ordering::Relaxed) + 1;
    let id = format!("FAKE:{sequence:08X}");
    request.extensions_mut().insert(RequestId(id.clone()));

    let in_flight = InFlight::start(&app, &method);
    let mut response = next.run(request).await;
    drop(in_flight);
    let now = app.clock.now_to_second();
    app.store().deliver_pushes(
        now,
        |_, trigger| matches!(trigger, PushTrigger::AfterRequests(after) if sequence >= after),
    );
    let fault = response.extensions().get::<Fault>().copied();
    let refused = response.extensions().get::<PermissionRefusal>().is_some();
    let status = match fault {
        Some(Fault::Dropped | Fault::DroppedAfterApplying) => 0,
        _ => response.status().as_u16(),
    };
    let from_github = response.extensions().get::<NotFromGitHub>().is_none();
    if from_github && let Ok(id) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-github-request-id", id);
    }
    tracing::debug!(%method, %path, %query, status, ?fault, "served");
    app.counters().count(&method, kind, fault, refused);
    app.requests().push(RequestRecord {
        method,
        path,
        query,
        authorization,
        status,
        kind,
        fault,
    });
    response
}

/// Counts a request of one method as in flight while it lives (a client hanging up drops it
/// too), and keeps [`Counters::peak_in_flight`] up to date.
struct InFlight<'a> {
    app: &'a App,
    method: String,
}

impl<'a> InFlight<'a> {
    fn start(app: &'a App, method: &str) -> InFlight<'a> {
        let now = {
            let mut in_flight = app.in_flight();
            let count = in_flight.entry(method.to_owned()).or_default();
            *count += 1;
            *count
        };
        let mut counters = app.counters();
        let peak = counters
            .peak_in_flight
            .entry(method.to_owned())
            .or_default();
        *peak = (*peak).max(now);
        InFlight {
            app,
            method: method.to_owned(),
        }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(count) = self.app.in_flight().get_mut(&self.method) {
            *count = count.saturating_sub(1);
        }
    }
}

/// Middleware: GitHub labels every REST response `application/json; charset=utf-8`, bodiless
/// ones included.
pub(crate) async fn json_content_type(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}
