//! The gate in front of every Packages handler: GitHub's rules on who may do what
//! ([`crate::access`]) applied to the caller's token before the handler runs, so that a refused
//! request changes nothing; and the headers GitHub uses to say what an endpoint accepts.
//!
//! Each Packages route is wrapped with [`guarded`] and the [`Operation`] it performs, next to the
//! route in the route table (as GitHub declares a forbidden message per endpoint).

use axum::extract::{FromRequestParts, Request, State};
use axum::handler::Handler;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use super::App;
use super::caller::{ACCEPTED_OAUTH_SCOPES, Caller, OwnerScope};
use super::envelope::PermissionRefusal;
use super::error::{ApiError, docs};
use super::extract::Path;
use crate::access::{Denial, Operation, Target, decide};
use crate::model::PackageType;
use crate::tokens::{TokenKind, TokenProfile};

/// The header GitHub uses for SAML single sign-on: `required; url=...` on a refusal,
/// `partial-results; organizations=...` on a listing that left some organisations out.
pub(crate) const GITHUB_SSO: &str = "x-github-sso";
/// The fine-grained permission an endpoint needs, e.g. `packages=write`; GitHub sends it to
/// fine-grained, App and `GITHUB_TOKEN` callers.
const ACCEPTED_GITHUB_PERMISSIONS: &str = "x-accepted-github-permissions";

/// GitHub's refusal for App installations and `GITHUB_TOKEN`s.
pub(crate) const INTEGRATION_REFUSAL: &str = "Resource not accessible by integration";
/// GitHub's refusal for fine-grained personal access tokens.
const FINE_GRAINED_REFUSAL: &str = "Resource not accessible by personal access token";

/// What the gate needs to know about one route.
#[derive(Clone)]
pub(crate) struct Guard {
    app: App,
    operation: Operation,
}

/// Wraps `handler` so that the caller's token is checked for `operation` before it runs.
pub(crate) fn guarded<H, T>(app: &App, operation: Operation, handler: H) -> impl Handler<T, App>
where
    H: Handler<T, App>,
    T: 'static,
{
    let guard = Guard {
        app: app.clone(),
        operation,
    };
    handler.layer(middleware::from_fn_with_state(guard, enforce))
}

/// The path parameters that say which package a route names (absent on listings).
#[derive(Deserialize)]
struct PackageParams {
    package_type: Option<String>,
    package_name: Option<String>,
}

/// The listing's type filter, from the query.
#[derive(Deserialize)]
struct TypeQuery {
    package_type: Option<String>,
}

/// Middleware: refuses the request with GitHub's `403` when the token may not perform the
/// route's operation, and labels the response with what the endpoint accepts either way.
/// Requests without a known token, for an unknown account or a malformed path pass through
/// unchanged: the handler answers them (`401`, `404`) as before.
async fn enforce(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let Guard { app, operation } = guard;
    let (mut parts, body) = request.into_parts();
    let caller = parts.extensions.get::<Caller>().cloned();
    let scope = OwnerScope::from_request_parts(&mut parts, &app).await.ok();
    let params = Path::<PackageParams>::from_request_parts(&mut parts, &app)
        .await
        .ok()
        .map(|Path(params)| params);
    let listed_type = axum::extract::Query::<TypeQuery>::try_from_uri(&parts.uri)
        .ok()
        .and_then(|query| query.0.package_type);
    let request = Request::from_parts(parts, body);

    let (Some(Caller::Token { token, profile, .. }), Some(scope)) = (caller, scope) else {
        return next.run(request).await;
    };
    let (path_type, package_name) = params
        .map(|params| (params.package_type, params.package_name))
        .unwrap_or_default();
    let package_type: Option<PackageType> =
        path_type.or(listed_type).and_then(|text| text.parse().ok());

    let verdict = {
        let store = app.store();
        store.owner(&scope.login).map(|owner| {
            let package = package_type
                .zip(package_name.as_deref())
                .and_then(|(kind, name)| {
                    store
                        .linked_repository(&owner.login, kind, name)
                        .map(|repository| (name, repository))
                });
            let target = Target {
                login: &owner.login,
                kind: owner.kind,
                saml_sso: owner.saml_sso,
                via_user: scope.via_user,
                package_type,
                package,
            };
            decide(&profile, operation, &target)
        })
    };
    let mut response = match verdict {
        Some(Err(denial)) => refusal(denial, &profile, &token),
        Some(Ok(())) | None => next.run(request).await,
    };
    let accepted = accepted_header(&profile, operation, package_type);
    if let Ok(value) = HeaderValue::from_str(&accepted.1) {
        response.headers_mut().insert(accepted.0, value);
    }
    response
}

/// What the endpoint accepts, in the header GitHub uses for the token's kind:
/// `X-Accepted-OAuth-Scopes: delete:packages, read:packages` for classic and OAuth tokens,
/// `X-Accepted-GitHub-Permissions: packages=write` for the others.
fn accepted_header(
    profile: &TokenProfile,
    operation: Operation,
    package_type: Option<PackageType>,
) -> (&'static str, String) {
    if profile.kind.has_scopes() {
        (
            ACCEPTED_OAUTH_SCOPES,
            operation.required_scopes(package_type).join(", "),
        )
    } else {
        (
            ACCEPTED_GITHUB_PERMISSIONS,
            format!("packages={}", operation.required_permission().as_str()),
        )
    }
}

/// GitHub's answer to a denial, marked for the counters.
fn refusal(denial: Denial, profile: &TokenProfile, token: &str) -> Response {
    match denial {
        Denial::MissingScopes { message } => {
            mark(ApiError::new(StatusCode::FORBIDDEN, message, docs::PACKAGES).into_response())
        }
        Denial::NotAccessible { kind } => not_accessible(kind, docs::PACKAGES),
        Denial::SsoRequired { org } => {
            let mut response = ApiError::new(
                StatusCode::FORBIDDEN,
                sso_message(profile.kind),
                docs::SAML_SSO,
            )
            .into_response();
            let header = format!(
                "required; url=https://github.com/orgs/{org}/sso?authorization_request={}",
                authorization_request(token, &org)
            );
            if let Ok(value) = HeaderValue::from_str(&header) {
                response.headers_mut().insert(GITHUB_SSO, value);
            }
            mark(response)
        }
    }
}

/// GitHub's `403` for a token whose kind or permission does not allow the request.
pub(crate) fn not_accessible(kind: TokenKind, documentation_url: &'static str) -> Response {
    let message = if kind == TokenKind::FineGrained {
        FINE_GRAINED_REFUSAL
    } else {
        INTEGRATION_REFUSAL
    };
    mark(ApiError::new(StatusCode::FORBIDDEN, message, documentation_url).into_response())
}

fn mark(mut response: Response) -> Response {
    response.extensions_mut().insert(PermissionRefusal);
    response
}

/// GitHub's message names the kind of token to authorise: "You must grant your Personal Access
/// token access to this organization." (or "your OAuth token").
fn sso_message(kind: TokenKind) -> String {
    let token = if kind == TokenKind::OAuth {
        "OAuth token"
    } else {
        "Personal Access token"
    };
    format!(
        "Resource protected by organization SAML enforcement. You must grant your {token} access \
         to this organization."
    )
}

/// The opaque `authorization_request` of the SSO URL: stable for a token and an organisation,
/// and (being a digest) never the token itself, which clients may print.
fn authorization_request(token: &str, org: &str) -> String {
    let digest = Sha256::digest(format!("{org}\n{token}").as_bytes());
    hex::encode(&digest[..20])
}

/// The value of `X-GitHub-SSO` on a listing that left out the packages of these organisations
/// (by id, as GitHub lists them).
pub(crate) fn partial_results(organization_ids: &[u64]) -> Option<HeaderValue> {
    if organization_ids.is_empty() {
        return None;
    }
    let ids: Vec<String> = organization_ids.iter().map(u64::to_string).collect();
    HeaderValue::from_str(&format!("partial-results; organizations={}", ids.join(","))).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sso_urls_do_not_carry_the_token() {
        let opaque = authorization_request("ghp_secret", "acme");
        assert_eq!(opaque.len(), 40);
        assert!(!opaque.contains("secret"));
        assert_eq!(opaque, authorization_request("ghp_secret", "acme"));
        assert_ne!(opaque, authorization_request("ghp_secret", "corp"));
    }

    #[test]
    fn partial_results_list_organisation_ids() {
        assert_eq!(
            partial_results(&[7, 12])
                .as_ref()
                .and_then(|v| v.to_str().ok()),
            Some("partial-results; organizations=7,12")
        );
        assert_eq!(partial_results(&[]), None);
    }
}
