//! Extractors that answer bad input the way GitHub does (a JSON error), not with axum's plain text.

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::HeaderMap;
use axum::http::header::HOST;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::App;
use super::error::{ApiError, docs};

/// The path prefix GitHub Enterprise Server puts before every REST route.
pub(crate) const ENTERPRISE_PREFIX: &str = "/api/v3";

/// Path parameters, percent-decoded (`team%2Fapp` arrives as `team/app`).
pub(crate) struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            // A segment that does not decode to UTF-8 cannot name anything GitHub holds.
            Err(_) => Err(ApiError::not_found(docs::REST)),
        }
    }
}

/// Query parameters.
pub(crate) struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(rejection) => Err(ApiError::bad_request(format!(
                "Invalid query string: {}",
                rejection.body_text()
            ))),
        }
    }
}

/// Where the request was sent, as the client sees it: used for the absolute URLs in `Link`
/// headers and in response bodies, so both point back at the fake and keep the `/api/v3` prefix
/// when the client uses one, as GitHub Enterprise Server's do.
#[derive(Debug, Clone)]
pub(crate) struct RequestUrl {
    /// `http://host:port`, from the `Host` header (the listening address without one).
    pub origin: String,
    /// The path as received, prefix included and still percent-encoded.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
}

impl RequestUrl {
    /// The REST API's base URL for this request: the origin, plus `/api/v3` when the request used
    /// that prefix.
    pub fn api_base(&self) -> String {
        if self.path.starts_with(&format!("{ENTERPRISE_PREFIX}/")) {
            format!("{}{ENTERPRISE_PREFIX}", self.origin)
        } else {
            self.origin.clone()
        }
    }
}

impl FromRequestParts<App> for RequestUrl {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        // Nested routers see the URI with the prefix stripped; the original keeps it.
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |original| original.0.clone());
        Ok(RequestUrl {
            origin: format!("http://{}", request_host(&parts.headers, app)),
            path: uri.path().to_owned(),
            query: uri.query().map(str::to_owned),
        })
    }
}

/// The host (and port) the client sent the request to, from the `Host` header; the listening
/// address when there is none.
pub(crate) fn request_host(headers: &HeaderMap, app: &App) -> String {
    headers
        .get(HOST)
        .and_then(|host| host.to_str().ok())
        .map_or_else(|| app.local_addr.to_string(), str::to_owned)
}
