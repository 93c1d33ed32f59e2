//! Errors from the registry, with what the user can do about them. No message ever contains the
//! token: it travels only in an `Authorization` header, never in a URL, and no variant holds it.

use super::digest::Digest;
use crate::transport::redact::Redactor;

/// A manifest that could not be read. `location` is where, as `docker` would name it:
/// `ghcr.io/acme/app:v1` or `ghcr.io/acme/app@sha256:…`; for the token service, its URL.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// `registry-url` is not something we can send requests to.
    #[error("`registry-url` {url} cannot be used: {reason}")]
    BadRegistryUrl { url: String, reason: &'static str },

    /// A repository or reference no registry accepts; nothing was sent.
    #[error("{what} `{value}` cannot be asked of a registry: {reason}")]
    BadName {
        what: &'static str,
        value: String,
        reason: String,
    },

    /// The registry (or its token service) answered with an error status.
    #[error("{}", status_message(.location, *.status, .code.as_deref(), .message.as_deref(), .hint.as_deref()))]
    Status {
        location: String,
        status: u16,
        /// The registry's `errors[0].code`, e.g. `MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, `DENIED`.
        code: Option<String>,
        /// The registry's `errors[0].message`, or the start of a body that is not JSON.
        message: Option<String>,
        hint: Option<String>,
    },

    /// The token service refused the credentials.
    #[error(
        "the registry's token service {realm} refused the credentials of `{username}` \
         (answered {status}{}): the token needs the `read:packages` scope (GITHUB_TOKEN: \
         `permissions: packages: read` and read access to the package), and `registry-url` must \
         point at the registry that holds the images (https://ghcr.io for github.com)",
        .message.as_deref().map(|m| format!(": {m}")).unwrap_or_default()
    )]
    AuthRefused {
        /// The token service's URL, without query.
        realm: String,
        username: String,
        status: u16,
        message: Option<String>,
    },

    /// The registry asked for credentials in a way we cannot answer.
    #[error("cannot authenticate to {location}: {reason}")]
    Challenge { location: String, reason: String },

    /// Sending the token would expose it: to a token service on another host than the
    /// registry's, or over plain http to a host other than this machine.
    #[error(
        "not sending the token to {url}: only the registry's own host may receive it, over \
         https (or http on this machine); set `registry-url` to the registry's https address"
    )]
    InsecureCredentials { url: String },

    /// No answer: connection refused, reset, timed out.
    #[error("{location}: {detail}")]
    Transport {
        location: String,
        /// What failed, with its causes, without the URL (the location says it).
        detail: String,
        /// For callers that retry: whether the request timed out.
        timed_out: bool,
    },

    /// The bytes served are not the ones asked for (or not the ones the registry says it sent).
    #[error(
        "{location}: the registry served a manifest whose digest is {actual}, but {expected_from} \
         says {expected}; the manifest was not used"
    )]
    DigestMismatch {
        location: String,
        expected: Digest,
        /// `the requested digest` or `the Docker-Content-Digest header`.
        expected_from: &'static str,
        actual: Digest,
    },

    /// The registry answered 200 with something that is not a manifest we can read.
    #[error("{location}: could not read the manifest: {reason}")]
    Manifest { location: String, reason: String },
}

impl RegistryError {
    /// The same error with the run's secrets taken out of every text a server could have put in
    /// it (messages, codes, reasons, URLs).
    pub fn redacted(mut self, redactor: &Redactor) -> RegistryError {
        match &mut self {
            RegistryError::BadRegistryUrl { .. } | RegistryError::DigestMismatch { .. } => {}
            RegistryError::BadName { value, reason, .. } => {
                redactor.redact_in_place(value);
                redactor.redact_in_place(reason);
            }
            RegistryError::Status {
                location,
                code,
                message,
                hint,
                ..
            } => {
                redactor.redact_in_place(location);
                for text in [code, message, hint].into_iter().flatten() {
                    redactor.redact_in_place(text);
                }
            }
            RegistryError::AuthRefused { realm, message, .. } => {
                redactor.redact_in_place(realm);
                if let Some(message) = message {
                    redactor.redact_in_place(message);
                }
            }
            RegistryError::Challenge { location, reason }
            | RegistryError::Manifest { location, reason } => {
                redactor.redact_in_place(location);
                redactor.redact_in_place(reason);
            }
            RegistryError::InsecureCredentials { url } => redactor.redact_in_place(url),
            RegistryError::Transport {
                location, detail, ..
            } => {
                redactor.redact_in_place(location);
                redactor.redact_in_place(detail);
            }
        }
        self
    }

    /// The HTTP status, when the registry answered with an error status.
    pub fn status(&self) -> Option<u16> {
        match self {
            RegistryError::Status { status, .. } | RegistryError::AuthRefused { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// The registry's error code (`MANIFEST_UNKNOWN`, …), when it gave one.
    pub fn registry_code(&self) -> Option<&str> {
        match self {
            RegistryError::Status { code, .. } => code.as_deref(),
            _ => None,
        }
    }
}

fn status_message(
    location: &str,
    status: u16,
    code: Option<&str>,
    message: Option<&str>,
    hint: Option<&str>,
) -> String {
    let mut text = format!("{location}: the registry answered {status}");
    match (code, message) {
        (Some(code), Some(message)) => text.push_str(&format!(" {code} ({message})")),
        (Some(code), None) => text.push_str(&format!(" {code}")),
        (None, Some(message)) => text.push_str(&format!(": {message}")),
        (None, None) => {}
    }
    if let Some(hint) = hint {
        text.push_str(". ");
        text.push_str(hint);
    }
    text
}

/// What a user can do about an error status from the registry, where the cause is known.
pub(crate) fn hint_for(status: u16, code: Option<&str>, repository: &str) -> Option<String> {
    let hint = match (status, code) {
        (404, Some("NAME_UNKNOWN")) => format!(
            "This registry has no repository `{repository}`: check the package name and that \
             `registry-url` points at the registry that holds the images"
        ),
        (404, _) => format!(
            "No such manifest in `{repository}`: it may have been deleted since it was listed; \
             if none can be found, check that `registry-url` points at the registry that holds \
             the images"
        ),
        (401 | 403, _) => format!(
            "The token may not read `{repository}`: it needs the `read:packages` scope \
             (GITHUB_TOKEN: `permissions: packages: read` and access to the package in its \
             \"Manage Actions access\" settings), and `registry-url` must point at the registry \
             that holds the images"
        ),
        (429, _) => "The registry is limiting requests: run again later".to_string(),
        (300..=399, _) => "The registry redirected the request; redirects are not followed, so \
                           that the token stays with the registry: check `registry-url`"
            .to_string(),
        (500..=599, _) => "The registry failed: run again later".to_string(),
        _ => return None,
    };
    Some(hint)
}

pub(crate) use crate::github::describe_transport;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_messages_carry_the_registry_code_and_the_hint() {
        let err = RegistryError::Status {
            location: "ghcr.io/acme/app:v9".into(),
            status: 404,
            code: Some("MANIFEST_UNKNOWN".into()),
            message: Some("manifest unknown".into()),
            hint: hint_for(404, Some("MANIFEST_UNKNOWN"), "acme/app"),
        };
        let text = err.to_string();
        assert!(
            text.starts_with(
                "ghcr.io/acme/app:v9: the registry answered 404 MANIFEST_UNKNOWN (manifest unknown). "
            ),
            "{text}"
        );
        assert!(text.contains("`registry-url`"), "{text}");
        assert_eq!(err.registry_code(), Some("MANIFEST_UNKNOWN"));
        assert_eq!(err.status(), Some(404));
    }

    #[test]
    fn statuses_without_a_known_cause_have_no_hint() {
        assert_eq!(hint_for(418, None, "acme/app"), None);
        let unknown_repository = hint_for(404, Some("NAME_UNKNOWN"), "acme/app").unwrap();
        assert!(unknown_repository.contains("no repository `acme/app`"));
        assert!(
            hint_for(403, Some("DENIED"), "acme/app")
                .unwrap()
                .contains("read:packages")
        );
    }
}
