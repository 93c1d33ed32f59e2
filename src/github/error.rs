//! Errors from the API, with what the user can do about them.

use std::fmt;

use reqwest::Method;

use crate::access::TokenKind;

/// A request that did not succeed.
#[derive(Debug, thiserror::Error)]
pub struct ApiError {
    pub method: Method,
    /// The path after the API base, e.g. `/orgs/acme/packages/container/app`.
    pub path: String,
    pub kind: ApiErrorKind,
}

#[derive(Debug)]
pub enum ApiErrorKind {
    /// GitHub answered with an error status.
    Status {
        status: u16,
        /// GitHub's `message`, or the start of the body when it has none.
        message: String,
        hint: Option<String>,
    },
    /// The organisation enforces SAML single sign-on and the token is not authorised for it.
    SsoRequired { org: Option<String>, url: String },
    /// No answer: connection refused, reset, timed out.
    Transport(reqwest::Error),
    /// An answer we could not read.
    Decode(String),
    /// A pagination link that points away from the API: following it would send the token there.
    ForeignLink(String),
    /// The primary rate limit is spent and resets later than `max-wait` allows waiting.
    BudgetExhausted(String),
}

impl ApiError {
    /// True for a 403 that is about permissions (not a rate limit, which is retried before
    /// it gets here): the same request for the same package would fail the same way.
    pub fn is_permission_denied(&self) -> bool {
        matches!(self.kind, ApiErrorKind::Status { status: 403, .. })
    }

    /// True when SAML SSO refused the token.
    pub fn is_permission_denied_by_sso(&self) -> bool {
        matches!(self.kind, ApiErrorKind::SsoRequired { .. })
    }

    /// True when the request was not sent because the primary rate limit is spent.
    pub fn is_budget_exhausted(&self) -> bool {
        matches!(self.kind, ApiErrorKind::BudgetExhausted(_))
    }

    /// The HTTP status, when GitHub answered.
    pub fn status(&self) -> Option<u16> {
        match self.kind {
            ApiErrorKind::Status { status, .. } => Some(status),
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (method, path) = (&self.method, &self.path);
        match &self.kind {
            ApiErrorKind::Status {
                status,
                message,
                hint,
            } => {
                write!(f, "GitHub answered {status} to {method} {path}: {message}")?;
                if let Some(hint) = hint {
                    write!(f, ". {hint}")?;
                }
                Ok(())
            }
            ApiErrorKind::Transport(err) => {
                write!(f, "{method} {path} failed: {}", describe_transport(err))
            }
            ApiErrorKind::Decode(reason) => {
                write!(
                    f,
                    "could not read GitHub's answer to {method} {path}: {reason}"
                )
            }
            ApiErrorKind::BudgetExhausted(why) => write!(f, "{method} {path} not sent: {why}"),
            ApiErrorKind::SsoRequired { org, url } => match org {
                Some(org) => write!(f, "authorise this token for SSO in {org}: {url}"),
                None => write!(f, "authorise this token for SSO: {url}"),
            },
            ApiErrorKind::ForeignLink(link) => write!(
                f,
                "{method} {path}: the next page is on another host ({link}); not following it, \
                 so that the token is not sent there. Check `api-url`"
            ),
        }
    }
}

/// reqwest's message with the cause chain, without the URL it adds (callers print where the
/// request went already). Shared by the API and the registry clients.
pub(crate) fn describe_transport(err: &reqwest::Error) -> String {
    let mut message = if err.is_timeout() {
        "timed out".to_string()
    } else if err.is_connect() {
        "could not connect".to_string()
    } else {
        "request failed".to_string()
    };
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// What a user can do about an error status, where the cause is known. `scopes_reported` says
/// whether GitHub reported the token's scopes (classic PATs and OAuth tokens).
pub(crate) fn hint_for(
    method: &Method,
    path: &str,
    status: u16,
    kind: TokenKind,
    scopes_reported: bool,
) -> Option<String> {
    let is_listing = *method == Method::GET && path.ends_with("/packages");
    let changes = *method == Method::DELETE || *method == Method::POST;
    match status {
        401 => Some(
            "The token was not accepted: check the `token` input (expired, revoked, or empty)"
                .to_string(),
        ),
        403 if is_listing => Some(
            "This token may not list the owner's packages (GITHUB_TOKEN cannot): name the \
             packages exactly in `packages`, or use a PAT with the `read:packages` scope"
                .to_string(),
        ),
        403 if changes && !scopes_reported => Some(crate::access::permission_hint(
            kind,
            *method == Method::POST,
        )),
        403 => Some(
            "The token lacks a permission: a PAT needs `read:packages` (plus `delete:packages` to \
             delete, `write:packages` to restore); GITHUB_TOKEN needs `permissions: packages: \
             write` and access to the package in its \"Manage Actions access\" settings"
                .to_string(),
        ),
        404 => Some(
            "Check `owner`, `owner-type`, `package-type` and the package name, and that the \
             token can see the package (GitHub answers 404 when it may not)"
                .to_string(),
        ),
        _ => None,
    }
}
