//! Errors in GitHub's shape: a status and `{"message", "documentation_url", "status"}`.

use std::borrow::Cow;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::store::Refusal;

/// Where GitHub's error bodies point for each area of the API.
pub(crate) mod docs {
    pub const REST: &str = "https://docs.github.com/rest";
    pub const PACKAGES: &str = "https://docs.github.com/rest/packages/packages";
    pub const USERS: &str = "https://docs.github.com/rest/users/users";
    pub const ORGS: &str = "https://docs.github.com/rest/orgs/orgs";
    pub const PRIMARY_RATE_LIMITS: &str = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits";
    pub const SAML_SSO: &str = "https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/";
    pub const SECONDARY_RATE_LIMITS: &str = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";
}

/// The message GitHub gives when a package's last version is deleted.
pub(crate) const LAST_VERSION_MESSAGE: &str =
    "You cannot delete the last tagged version of a package. You must delete the package instead.";

/// An error response as GitHub sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub message: Cow<'static, str>,
    pub documentation_url: &'static str,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        message: impl Into<Cow<'static, str>>,
        documentation_url: &'static str,
    ) -> Self {
        ApiError {
            status,
            message: message.into(),
            documentation_url,
        }
    }

    /// `404 Not Found`: GitHub's answer for an unknown account or route, and for anything the
    /// caller may not see.
    pub fn not_found(documentation_url: &'static str) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "Not Found", documentation_url)
    }

    /// `400` with a message that says what was wrong with the request.
    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message, docs::PACKAGES)
    }

    /// `401` for a request without credentials on an endpoint that needs them.
    pub fn requires_authentication() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Requires authentication",
            docs::REST,
        )
    }

    /// `401` for a token GitHub does not know.
    pub fn bad_credentials() -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "Bad credentials", docs::REST)
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::PackageNotFound => {
                ApiError::new(StatusCode::NOT_FOUND, "Package not found.", docs::PACKAGES)
            }
            Refusal::VersionNotFound => ApiError::not_found(docs::PACKAGES),
            Refusal::LastVersion => ApiError::new(
                StatusCode::BAD_REQUEST,
                LAST_VERSION_MESSAGE,
                docs::PACKAGES,
            ),
            Refusal::TooPopular => ApiError::new(
                StatusCode::BAD_REQUEST,
                "Publicly visible package versions with more than 5000 downloads cannot be \
                 deleted. Contact GitHub support for further assistance.",
                docs::PACKAGES,
            ),
            Refusal::Injected(status) => ApiError::new(
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                "The fake was told to fail this deletion.",
                docs::PACKAGES,
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "message": self.message,
            "documentation_url": self.documentation_url,
            "status": self.status.as_str(),
        });
        (self.status, Json(body)).into_response()
    }
}
