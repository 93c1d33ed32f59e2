//! What wraps every response: the request log and the JSON content type.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use super::App;

/// One request the fake served, as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    /// `GET`, `DELETE`, `POST`, ...
    pub method: String,
    /// The path as received: still percent-encoded, with any `/api/v3` prefix.
    pub path: String,
    /// The raw query string, without the `?`; empty when there was none.
    pub query: String,
    /// The status the fake answered with.
    pub status: u16,
}

/// Middleware: appends every request, with the status it got, to the log behind
/// `FakeGitHub::requests`.
pub(crate) async fn record_request(
    State(app): State<App>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    tracing::debug!(%method, %path, %query, status, "served");
    app.requests().push(RequestRecord {
        method,
        path,
        query,
        status,
    });
    response
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
