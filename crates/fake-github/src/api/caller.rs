//! Who is calling, what they may spend, and whose packages a route addresses.

use std::collections::HashMap;
use std::net::IpAddr;

use axum::extract::connect_info::ConnectInfo;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::App;
use super::connection::Connection;
use super::envelope::Fault;
use super::error::{ApiError, docs};
use super::extract::Path;
use crate::faults::Limits;
use crate::model::OwnerKind;
use crate::store::Store;
use crate::tokens::TokenProfile;

/// Requests an hour GitHub grants callers without a token.
const ANONYMOUS_RATE_LIMIT: u32 = 60;

/// The scopes of the caller's classic or OAuth token, e.g. `read:packages, repo`.
pub(crate) const OAUTH_SCOPES: &str = "x-oauth-scopes";
/// The scopes the endpoint checks for.
pub(crate) const ACCEPTED_OAUTH_SCOPES: &str = "x-accepted-oauth-scopes";

/// The caller of one request, as identified from its `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caller {
    /// No `Authorization` header.
    Anonymous,
    /// A token the seed knows, the login it authenticates as, and what it may do.
    Token {
        token: String,
        login: String,
        profile: TokenProfile,
    },
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
        match (store.authenticate(token), store.token_profile(token)) {
            (Some(owner), Some(profile)) if scheme_known => Caller::Token {
                token: token.to_owned(),
                login: owner.login.clone(),
                profile: profile.clone(),
            },
            _ => Caller::BadCredentials,
        }
    }

    /// What the caller's token may do; `None` without a known token.
    pub fn profile(&self) -> Option<&TokenProfile> {
        match self {
            Caller::Token { profile, .. } => Some(profile),
            Caller::Anonymous | Caller::BadCredentials => None,
        }
    }

    /// Whose allowance a request spends: its token's, or (as GitHub charges requests with bad
    /// credentials) the one all anonymous callers share, keyed by the empty string.
    pub fn budget_key(&self) -> &str {
        match self {
            Caller::Token { token, .. } => token,
            Caller::Anonymous | Caller::BadCredentials => "",
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

impl Budget {
    fn remaining(self) -> u32 {
        self.limit.saturating_sub(self.used)
    }
}

/// Every caller's budget, by [`Caller::budget_key`].
#[derive(Debug, Default)]
pub(crate) struct Budgets(HashMap<String, Budget>);

impl Budgets {
    /// Counts one request against `key`'s budget of `limit` requests an hour at `now`, and
    /// returns the budget after it. With `enforce`, a spent budget is not charged further and
    /// comes back as the error.
    fn charge(
        &mut self,
        key: &str,
        limit: u32,
        enforce: bool,
        now: DateTime<Utc>,
    ) -> Result<Budget, Budget> {
        let now = now.timestamp();
        let budget = self.0.entry(key.to_owned()).or_insert(Budget {
            limit,
            used: 0,
            resets_at: now + 3600,
        });
        // The limit may have been changed while the fake runs.
        budget.limit = limit;
        if now >= budget.resets_at {
            budget.used = 0;
            budget.resets_at = now + 3600;
        }
        if enforce && budget.remaining() == 0 {
            return Err(*budget);
        }
        budget.used = budget.used.saturating_add(1);
        Ok(*budget)
    }

    /// Sets what is left of `key`'s budget of `limit` and when it resets, as a test arranges it.
    pub fn set(&mut self, key: &str, limit: u32, remaining: u32, resets_at: DateTime<Utc>) {
        self.0.insert(
            key.to_owned(),
            Budget {
                limit,
                used: limit.saturating_sub(remaining),
                resets_at: resets_at.timestamp(),
            },
        );
    }
}

/// The hourly budget behind `budget_key` (see [`Caller::budget_key`]): for a token, the enforced
/// primary limit when there is one, else the one the seed reports; for anonymous callers,
/// GitHub's 60.
pub(crate) fn hourly_limit(budget_key: &str, limits: &Limits, seeded: u32) -> u32 {
    if budget_key.is_empty() {
        ANONYMOUS_RATE_LIMIT
    } else {
        limits.primary_per_hour.unwrap_or(seeded)
    }
}

/// Middleware: identifies the caller (handlers read it back with the [`Caller`] extractor) and
/// charges it one request of its hourly budget, reported in the `x-ratelimit-*` headers GitHub
/// puts on every response. When [`Limits::primary_per_hour`] is set, a caller whose budget is
/// spent gets GitHub's `403` instead, until the budget resets.
///
/// Classic and OAuth tokens also get their scopes in `X-OAuth-Scopes` on every response, with
/// `X-Accepted-OAuth-Scopes` (set by [`super::access`] on the Packages routes, empty elsewhere),
/// as GitHub sends them; other kinds of token never get `X-OAuth-Scopes`.
pub(crate) async fn identify_and_charge(
    State(app): State<App>,
    mut request: Request,
    next: Next,
) -> Response {
    let (caller, seeded_limit, user_id) = {
        let store = app.store();
        let caller = Caller::identify(request.headers(), &store);
        let user_id = match &caller {
            Caller::Token { login, .. } => store.owner(login).map(|owner| owner.id),
            Caller::Anonymous | Caller::BadCredentials => None,
        };
        (caller, store.rate_limit(), user_id)
    };
    let limits = *app.limits();
    let limit = hourly_limit(caller.budget_key(), &limits, seeded_limit);
    let enforce = limits.primary_per_hour.is_some();
    let oauth_scopes = caller.profile().and_then(TokenProfile::oauth_scopes_header);
    let charged = app
        .budgets()
        .charge(caller.budget_key(), limit, enforce, app.clock.now());

    let mut response = match charged {
        Ok(_) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(_) => {
            let peer = request
                .extensions()
                .get::<ConnectInfo<Connection>>()
                .map(|ConnectInfo(connection)| connection.peer().ip());
            let mut response = primary_limit_error(user_id, peer).into_response();
            response.extensions_mut().insert(Fault::PrimaryRateLimit);
            response
        }
    };
    let budget = charged.unwrap_or_else(|spent| spent);
    let headers = response.headers_mut();
    if let Some(scopes) = oauth_scopes
        && let Ok(scopes) = HeaderValue::from_str(&scopes)
    {
        headers.insert(OAUTH_SCOPES, scopes);
        if !headers.contains_key(ACCEPTED_OAUTH_SCOPES) {
            headers.insert(ACCEPTED_OAUTH_SCOPES, HeaderValue::from_static(""));
        }
    }
    for (name, value) in [
        ("x-ratelimit-limit", budget.limit.to_string()),
        ("x-ratelimit-remaining", budget.remaining().to_string()),
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

/// GitHub's answer once the primary budget is spent: it names the user, or for anonymous callers
/// their address.
fn primary_limit_error(user_id: Option<u64>, peer: Option<IpAddr>) -> ApiError {
    let message = match (user_id, peer) {
        (Some(id), _) => format!("API rate limit exceeded for user ID {id}."),
        (None, Some(ip)) => format!(
            "API rate limit exceeded for {ip}. (But here's the good news: Authenticated requests \
             get a higher rate limit. Check out the documentation for more details.)"
        ),
        (None, None) => "API rate limit exceeded.".to_owned(),
    };
    ApiError::new(StatusCode::FORBIDDEN, message, docs::PRIMARY_RATE_LIMITS)
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
    /// Whether the route addressed it as `/user`.
    pub via_user: bool,
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
            (None, None) => {
                return Ok(OwnerScope {
                    login: caller,
                    via_user: true,
                });
            }
        };
        let store = app.store();
        match store.owner(&login) {
            Some(owner) if owner.kind == kind => Ok(OwnerScope {
                login: owner.login.clone(),
                via_user: false,
            }),
            _ => Err(ApiError::not_found(docs::PACKAGES)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Seed;

    fn at_second(second: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(second, 0).expect("in range")
    }

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
            profile: TokenProfile::unrestricted(),
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
        let start = at_second(1_800_000_000);
        let used = |charged: Result<Budget, Budget>| charged.map(|budget| budget.used).ok();
        assert_eq!(used(budgets.charge("t", 5000, false, start)), Some(1));
        let second = budgets
            .charge("t", 5000, false, start)
            .expect("not enforced");
        assert_eq!((second.used, second.limit), (2, 5000));
        let later = at_second(1_800_003_600);
        assert_eq!(used(budgets.charge("t", 5000, false, later)), Some(1));
    }

    #[test]
    fn enforced_budgets_stop_at_their_limit_until_the_reset() {
        let mut budgets = Budgets::default();
        let start = at_second(1_800_000_000);
        assert!(budgets.charge("t", 2, true, start).is_ok());
        assert!(budgets.charge("t", 2, true, start).is_ok());
        let spent = budgets.charge("t", 2, true, start).expect_err("spent");
        assert_eq!((spent.used, spent.remaining()), (2, 0));
        assert_eq!(spent.resets_at, 1_800_003_600);
        let reset = at_second(1_800_003_600);
        assert!(budgets.charge("t", 2, true, reset).is_ok());

        budgets.set("t", 2, 0, at_second(1_800_009_000));
        assert!(budgets.charge("t", 2, true, reset).is_err());
    }

    #[test]
    fn anonymous_callers_share_githubs_sixty() {
        let token = Caller::Token {
            token: "t".into(),
            login: "octocat".into(),
            profile: TokenProfile::unrestricted(),
        };
        assert_eq!(token.budget_key(), "t");
        assert_eq!(Caller::Anonymous.budget_key(), "");
        assert_eq!(Caller::BadCredentials.budget_key(), "");
        let limits = Limits::default().primary_per_hour(10);
        assert_eq!(hourly_limit("", &limits, 5000), 60);
        assert_eq!(hourly_limit("t", &limits, 5000), 10);
        assert_eq!(hourly_limit("t", &Limits::default(), 5000), 5000);
    }
}
