//! Who is calling, what they may spend, and whose packages a route addresses.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use jiff::Timestamp;
use serde::Deserialize;

use super::App;
use super::error::{ApiError, docs};
use super::extract::Path;
use crate::model::OwnerKind;
use crate::store::Store;

/// Requests an hour GitHub grants callers without a token.
const ANONYMOUS_RATE_LIMIT: u32 = 60;

/// The caller of one request, as identified from its `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caller {
    /// No `Authorization` header.
    Anonymous,
    /// A token the seed knows, and the login it authenticates as.
    Token { token: String, login: String },
    /// A token the seed does not know, or a scheme other than `Bearer` and `token`.
    BadCredentials,
}

impl Caller {
    /// Reads `Authorization: Bearer <token>` or the older `Authorization: token <token>`, both of
    /// which GitHub accepts.
    pub fn identify(headers: &HeaderMap, store: &Store) -> Caller {
        let Some(value) = headers.get(AUTHORIZATION) else {
            return Caller::Anonymous;
        };
        let Some((scheme, token)) = value.to_str().ok().and_then(|v| v.trim().split_once(' '))
        else {
            return Caller::BadCredentials;
        };
        let scheme_known =
            scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token");
        let token = token.trim();
        match store.authenticate(token) {
            Some(owner) if scheme_known => Caller::Token {
                token: token.to_owned(),
                login: owner.login.clone(),
            },
            _ => Caller::BadCredentials,
        }
    }
}

/// The request budget of one caller for the current hour.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    limit: u32,
    used: u32,
    /// Epoch second at which `used` returns to zero.
    resets_at: i64,
}

/// Every caller's budget: one per token, one shared by all anonymous callers.
#[derive(Debug, Default)]
pub(crate) struct Budgets(HashMap<String, Budget>);

impl Budgets {
    /// Counts one request by `caller` at `now` and returns the budget after it.
    fn charge(&mut self, caller: &Caller, token_limit: u32, now: Timestamp) -> Budget {
        let (key, limit) = match caller {
            Caller::Token { token, .. } => (token.as_str(), token_limit),
            // GitHub charges requests with bad credentials to the unauthenticated budget.
            Caller::Anonymous | Caller::BadCredentials => ("", ANONYMOUS_RATE_LIMIT),
        };
        let now = now.as_second();
        let budget = self.0.entry(key.to_owned()).or_insert(Budget {
            limit,
            used: 0,
            resets_at: now + 3600,
        });
        if now >= budget.resets_at {
            budget.used = 0;
            budget.resets_at = now + 3600;
        }
        budget.used = budget.used.saturating_add(1);
        *budget
    }
}

/// Middleware: identifies the caller (handlers read it back with the [`Caller`] extractor) and
/// charges it one request of its hourly budget, reported in the `x-ratelimit-*` headers GitHub
/// puts on every response. The budget is reported, not enforced: running out is the business of
/// the fault emulation.
pub(crate) async fn identify_and_charge(
    State(app): State<App>,
    mut request: Request,
    next: Next,
) -> Response {
    let (caller, token_limit) = {
        let store = app.store();
        (
            Caller::identify(request.headers(), &store),
            store.rate_limit(),
        )
    };
    let budget = app.budgets().charge(&caller, token_limit, Timestamp::now());
    request.extensions_mut().insert(caller);

    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let remaining = budget.limit.saturating_sub(budget.used);
    for (name, value) in [
        ("x-ratelimit-limit", budget.limit.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        ("x-ratelimit-used", budget.used.to_string()),
        ("x-ratelimit-reset", budget.resets_at.to_string()),
        ("x-ratelimit-resource", "core".to_owned()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

/// Extracting a [`Caller`] refuses unknown tokens (`401 Bad credentials`, which GitHub answers
/// even on endpoints that need no token) but lets anonymous callers through.
impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match parts.extensions.get::<Caller>() {
            Some(Caller::BadCredentials) => Err(ApiError::bad_credentials()),
            Some(caller) => Ok(caller.clone()),
            None => Ok(Caller::Anonymous),
        }
    }
}

/// The login of an authenticated caller; extracting it answers `401 Requires authentication`
/// to anonymous callers.
#[derive(Debug, Clone)]
pub(crate) struct Authenticated(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Token { login, .. } => Ok(Authenticated(login)),
            Caller::Anonymous | Caller::BadCredentials => Err(ApiError::requires_authentication()),
        }
    }
}

/// The account whose packages a route addresses, from its owner scope: `/orgs/{org}` (must be an
/// organisation), `/users/{username}` (must be a user) or `/user` (the caller). Every packages
/// endpoint needs a token. GitHub answers `404 Not Found` for an account that does not exist or
/// is addressed through the wrong scope.
#[derive(Debug, Clone)]
pub(crate) struct OwnerScope {
    /// The owner's login as seeded.
    pub login: String,
}

#[derive(Deserialize)]
struct ScopeParams {
    org: Option<String>,
    username: Option<String>,
}

impl FromRequestParts<App> for OwnerScope {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let Authenticated(caller) = Authenticated::from_request_parts(parts, app).await?;
        let Path(params) = Path::<ScopeParams>::from_request_parts(parts, app).await?;
        let (login, kind) = match (params.org, params.username) {
            (Some(org), _) => (org, OwnerKind::Organization),
            (None, Some(username)) => (username, OwnerKind::User),
            (None, None) => return Ok(OwnerScope { login: caller }),
        };
        let store = app.store();
        match store.owner(&login) {
            Some(owner) if owner.kind == kind => Ok(OwnerScope {
                login: owner.login.clone(),
            }),
            _ => Err(ApiError::not_found(docs::PACKAGES)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Seed;

    fn identify(authorization: Option<&str>) -> Caller {
        let store = Store::from_seed(
            Seed::default()
                .with_user("octocat")
                .with_token("t0k", "octocat"),
        )
        .expect("valid seed");
        let mut headers = HeaderMap::new();
        if let Some(value) = authorization {
            headers.insert(AUTHORIZATION, HeaderValue::from_str(value).expect("ascii"));
        }
        Caller::identify(&headers, &store)
    }

    #[test]
    fn both_token_schemes_authenticate() {
        let octocat = Caller::Token {
            token: "t0k".into(),
            login: "octocat".into(),
        };
        assert_eq!(identify(Some("Bearer t0k")), octocat);
        assert_eq!(identify(Some("token t0k")), octocat);
        assert_eq!(identify(Some("Basic t0k")), Caller::BadCredentials);
        assert_eq!(identify(Some("Bearer nope")), Caller::BadCredentials);
        assert_eq!(identify(None), Caller::Anonymous);
    }

    #[test]
    fn budgets_reset_after_an_hour() {
        let mut budgets = Budgets::default();
        let caller = Caller::Token {
            token: "t".into(),
            login: "octocat".into(),
        };
        let start = Timestamp::constant(1_800_000_000, 0);
        assert_eq!(budgets.charge(&caller, 5000, start).used, 1);
        let second = budgets.charge(&caller, 5000, start);
        assert_eq!((second.used, second.limit), (2, 5000));
        let later = Timestamp::constant(1_800_003_600, 0);
        assert_eq!(budgets.charge(&caller, 5000, later).used, 1);
        assert_eq!(budgets.charge(&Caller::Anonymous, 5000, start).limit, 60);
    }
}
