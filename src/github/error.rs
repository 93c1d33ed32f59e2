//! Errors from the API, with what the user can do about them.

use std::fmt;

use reqwest::Method;

use super::access::{self, Operation, TokenKind};
use crate::model::rfc3339;

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
    /// The server asked to wait longer than `max-wait` (or the ceiling on waits) allows.
    WaitTooLong(String),
    /// A redirect, which we never follow: it would carry the token wherever it points.
    Redirected {
        status: u16,
        /// The `Location` header, as sent (secrets redacted).
        location: Option<String>,
    },
    /// An error status from something that is not GitHub's API: none of GitHub's headers, no
    /// JSON message (a proxy, a login wall, a wrong `api-url`).
    NotGitHub {
        status: u16,
        /// Where the request went: `host[:port]`.
        host: String,
        content_type: Option<String>,
    },
    /// A listing whose pages did not add up: a `Link` that loops, a page that brings nothing new,
    /// more pages than any listing has. Its items are not used.
    UnfinishedListing(String),
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

    /// True when the request was not sent because the rate limits would have the run wait longer
    /// than it may (the hourly budget is spent, or the server asked for too long a wait): the
    /// work is left for the next run.
    pub fn is_left_for_next_run(&self) -> bool {
        matches!(
            self.kind,
            ApiErrorKind::BudgetExhausted(_) | ApiErrorKind::WaitTooLong(_)
        )
    }

    /// The HTTP status, when GitHub answered. `None` for an answer that does not look like
    /// GitHub's: its 404 does not mean "not found on GitHub".
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
                if message.trim().is_empty() {
                    write!(
                        f,
                        "GitHub answered {status} to {method} {path} without a message"
                    )?;
                } else {
                    write!(f, "GitHub answered {status} to {method} {path}: {message}")?;
                }
                if let Some(hint) = hint {
                    // GitHub's messages sometimes end a sentence, sometimes not.
                    let stop = if message.trim_end().ends_with(['.', '!', '?']) {
                        ""
                    } else {
                        "."
                    };
                    write!(f, "{stop} {hint}")?;
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
            ApiErrorKind::BudgetExhausted(why) | ApiErrorKind::WaitTooLong(why) => {
                write!(f, "{method} {path} not sent: {why}")
            }
            ApiErrorKind::Redirected { status, location } => {
                let to = location.as_deref().unwrap_or("(no Location header)");
                write!(
                    f,
                    "{method} {path}: the server answered {status}, redirecting to {to}. \
                     package-warden does not follow redirects (they would carry the token \
                     elsewhere): check `api-url` (on GitHub Enterprise Server, \
                     https://HOST/api/v3), and whether the owner or the package was renamed or \
                     transferred; then use the new name"
                )
            }
            ApiErrorKind::NotGitHub {
                status,
                host,
                content_type,
            } => {
                let sent = content_type
                    .as_deref()
                    .map(|t| format!(", it sent {t}"))
                    .unwrap_or_default();
                write!(
                    f,
                    "{method} {path}: the server at {host} refused the request ({status}), and \
                     it does not look like GitHub's API (no x-github-request-id header, no JSON \
                     message{sent}): check `api-url` (GITHUB_API_URL) and any proxy between \
                     this machine and GitHub"
                )
            }
            ApiErrorKind::UnfinishedListing(why) => write!(
                f,
                "{method} {path}: the listing did not finish: {why}. Nothing is planned from \
                 it; run again, and if it keeps happening, check that `api-url` is GitHub's API"
            ),
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

/// What to make of a `403`/`429` that says the hourly rate limit is spent
/// (`x-ratelimit-remaining: 0`) and still reached the caller: its reset time (`reset`, epoch
/// seconds as sent) has passed, or the waits allowed ran out.
pub(crate) fn rate_limit_hint(reset: &str) -> String {
    let now = chrono::Utc::now();
    let when = reset
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|seconds| chrono::DateTime::from_timestamp(seconds, 0));
    match when {
        Some(when) if when < now => format!(
            "The server says the hourly API rate limit is used up, but the reset time it gives \
             ({}) has already passed by this machine's clock ({}): one of the two clocks is \
             wrong, or `api-url` is not GitHub's API. Check the clock, then run again",
            rfc3339(when),
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
        Some(when) => format!(
            "The hourly API rate limit is used up until {}: run again after that, or set \
             `max-wait` to wait for it",
            rfc3339(when)
        ),
        None => format!(
            "The server says the hourly API rate limit is used up, with a reset time that is not \
             a time ({reset:?}): check that `api-url` is GitHub's API"
        ),
    }
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
        403 if changes && !scopes_reported => {
            // The client restores with POST and deletes with DELETE.
            let operation = if *method == Method::POST {
                Operation::Restore
            } else {
                Operation::Delete
            };
            Some(access::permission_hint(kind, operation))
        }
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
