//! The container registry (ghcr.io), served from the same data as the REST API: the manifests of
//! active container versions under `/v2/{owner}/{name...}/manifests/{reference}`, behind the
//! distribution spec's token auth (`/v2/` ping, `401` challenge, `/token`).
//!
//! Requests pass the fault emulation like REST requests, but not the REST rate limits: ghcr.io's
//! own limits are undocumented.

mod auth;
mod manifests;

use std::borrow::Cow;

use axum::Router;
use axum::extract::Request;
use axum::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

pub(crate) use auth::RegistryTokens;

use super::{App, faults};

/// Where clients ask for registry tokens, relative to the server root (GHCR's realm is
/// `https://ghcr.io/token`).
const TOKEN_PATH: &str = "/token";

/// Whether `path` belongs to the registry rather than the REST API.
pub(crate) fn serves(path: &str) -> bool {
    path == "/v2" || path.starts_with("/v2/") || path == TOKEN_PATH
}

/// The registry's routes, with the fault emulation around them.
pub(crate) fn router(app: App) -> Router<App> {
    Router::new()
        .route("/v2", get(auth::ping).fallback(unsupported))
        .route("/v2/", get(auth::ping).fallback(unsupported))
        // Repository names contain `/`, so everything under /v2/ is parsed by hand.
        .route(
            "/v2/{*path}",
            get(manifests::get_manifest).fallback(unsupported),
        )
        .route(TOKEN_PATH, get(auth::issue_token).fallback(unsupported))
        .layer(middleware::from_fn_with_state(app, faults::inject_faults))
        .layer(middleware::from_fn(api_version_header))
}

/// Middleware: registries announce the API version on every response, and clients check it.
async fn api_version_header(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(
        "docker-distribution-api-version",
        HeaderValue::from_static("registry/2.0"),
    );
    response
}

/// Methods the registry does not serve, e.g. a `DELETE` of a manifest (GHCR deletes only through
/// the Packages API).
async fn unsupported() -> RegistryError {
    RegistryError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "UNSUPPORTED",
        "The operation is unsupported.",
    )
}

/// An error as the OCI distribution spec shapes it:
/// `{"errors": [{"code", "message", "detail"}]}`, with a `WWW-Authenticate` challenge on `401`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RegistryError {
    status: StatusCode,
    code: &'static str,
    message: &'static str,
    detail: Option<Cow<'static, str>>,
    challenge: Option<String>,
}

impl RegistryError {
    fn new(status: StatusCode, code: &'static str, message: &'static str) -> Self {
        RegistryError {
            status,
            code,
            message,
            detail: None,
            challenge: None,
        }
    }

    /// Adds a detail saying what exactly was not found or not allowed.
    fn detail(mut self, detail: impl Into<Cow<'static, str>>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// `401 UNAUTHORIZED`, with the challenge telling the client where to get a token.
    fn unauthorized(challenge: Option<String>) -> Self {
        RegistryError {
            challenge,
            ..RegistryError::new(
                StatusCode::UNAUTHORIZED,
                "UNAUTHORIZED",
                "authentication required",
            )
        }
    }

    /// `403 DENIED`: the token is good, but may not pull this repository.
    fn denied() -> Self {
        RegistryError::new(
            StatusCode::FORBIDDEN,
            "DENIED",
            "requested access to the resource is denied",
        )
    }

    /// `404 NAME_UNKNOWN`: no such repository.
    fn name_unknown(repository: &str) -> Self {
        RegistryError::new(
            StatusCode::NOT_FOUND,
            "NAME_UNKNOWN",
            "repository name not known to registry",
        )
        .detail(format!("no container package is served as {repository}"))
    }

    /// `404 MANIFEST_UNKNOWN`: the repository exists, the manifest does not (or not in a form
    /// the client accepts).
    fn manifest_unknown(detail: String) -> Self {
        RegistryError::new(
            StatusCode::NOT_FOUND,
            "MANIFEST_UNKNOWN",
            "manifest unknown",
        )
        .detail(detail)
    }

    /// A `502` or `503` from the fault emulation.
    pub(crate) fn server_error(status: StatusCode) -> Self {
        if status == StatusCode::SERVICE_UNAVAILABLE {
            RegistryError::new(status, "UNAVAILABLE", "service unavailable")
        } else {
            RegistryError::new(status, "UNKNOWN", "unknown error")
        }
    }
}

impl IntoResponse for RegistryError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(detail) = self.detail {
            error["detail"] = json!(detail);
        }
        let body = json!({ "errors": [error] }).to_string();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(challenge) = self.challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            headers.insert(WWW_AUTHENTICATE, challenge);
        }
        response
    }
}
