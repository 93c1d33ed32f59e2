//! Registry auth as GHCR does it (the distribution spec's token flow):
//!
//! 1. a request without a registry token gets `401` and
//!    `WWW-Authenticate: Bearer realm="http://<host>/token",service="<host>",scope="repository:<owner>/<name>:pull"`;
//! 2. the client asks the realm, `GET /token?service=...&scope=...`, with HTTP Basic credentials
//!    (any user name, a GitHub token as the password), or none for public packages;
//! 3. it repeats the request with `Authorization: Bearer <registry token>`.
//!
//! Registry tokens are not API tokens: GHCR refuses an API token sent as a bearer, and so does
//! the fake. A registry token allows pulling the repositories named in the scopes it was asked
//! for; the fake lets any account pull any package and anonymous tokens pull public ones. The
//! REST API's token rules (scopes, permissions, SAML SSO: see the crate docs) are not applied
//! here. Tokens do not expire unless a test says so (`FakeGitHub::expire_registry_tokens`).
//!
//! A [`HostileRegistry`] mode may change the challenge (another realm, other actions in the
//! scope) or replace the token flow with Basic auth on the registry itself.

use std::collections::{BTreeSet, HashMap};

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, Uri};
use serde_json::{Value, json};

use super::{RegistryError, TOKEN_PATH};
use crate::api::App;
use crate::api::extract::request_host;
use crate::hostile::HostileRegistry;

/// Every registry token issued, with what it allows.
#[derive(Debug, Default)]
pub(crate) struct RegistryTokens {
    grants: HashMap<String, Grant>,
    issued: u64,
}

/// What one registry token allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    /// The account it was issued to; `None` for an anonymous token.
    pub login: Option<String>,
    /// Repositories it may pull, lower-cased.
    repositories: BTreeSet<String>,
}

impl Grant {
    fn may_pull(&self, repository: &str) -> bool {
        self.repositories.contains(&repository.to_ascii_lowercase())
    }
}

impl RegistryTokens {
    /// Issues a new token, never one of the API's.
    fn issue(&mut self, grant: Grant, is_api_token: impl Fn(&str) -> bool) -> String {
        loop {
            self.issued += 1;
            let token = format!("fake-registry-token-{}", self.issued);
            if !is_api_token(&token) {
                self.grants.insert(token.clone(), grant);
                return token;
            }
        }
    }

    fn grant(&self, token: &str) -> Option<&Grant> {
        self.grants.get(token)
    }

    /// Forgets every token issued, as if all had expired. New ones keep counting up, so that a
    /// client is never given an old token again.
    pub(crate) fn expire_all(&mut self) {
        self.grants.clear();
    }
}

/// What the challenge says, where a [`HostileRegistry`] mode changes it.
#[derive(Debug, Clone, Copy, Default)]
struct ChallengeQuirks<'a> {
    /// The realm, instead of the fake's own token endpoint.
    realm: Option<&'a str>,
    /// The scope's actions, instead of `pull`.
    actions: Option<&'a str>,
}

impl<'a> ChallengeQuirks<'a> {
    fn of(hostile: Option<&'a HostileRegistry>) -> Self {
        match hostile {
            Some(HostileRegistry::Realm(realm)) => ChallengeQuirks {
                realm: Some(realm),
                actions: None,
            },
            Some(HostileRegistry::ScopeActions(actions)) => ChallengeQuirks {
                realm: None,
                actions: Some(actions),
            },
            _ => ChallengeQuirks::default(),
        }
    }
}

/// The challenge that sends a client to the token endpoint, for `repository` when the request
/// named one. GHCR lower-cases repository names, so the scope does too.
fn challenge(
    host: &str,
    repository: Option<&str>,
    insufficient_scope: bool,
    quirks: ChallengeQuirks<'_>,
) -> String {
    let realm = match quirks.realm {
        Some(realm) => realm.to_owned(),
        None => format!("http://{host}{TOKEN_PATH}"),
    };
    let mut challenge = format!(r#"Bearer realm="{realm}",service="{host}""#);
    if let Some(repository) = repository {
        let repository = repository.to_ascii_lowercase();
        let actions = quirks.actions.unwrap_or("pull");
        challenge.push_str(&format!(r#",scope="repository:{repository}:{actions}""#));
    }
    if insufficient_scope {
        challenge.push_str(r#",error="insufficient_scope""#);
    }
    challenge
}

/// Checks the bearer token of a registry request, for pulling `repository` when it names one,
/// and returns its grant.
///
/// # Errors
/// `401` with a challenge when the token is missing or unknown (an API token included) or does
/// not cover `repository`.
pub(crate) fn authorize(
    app: &App,
    headers: &HeaderMap,
    repository: Option<&str>,
) -> Result<Grant, RegistryError> {
    let host = request_host(headers, app);
    let hostile = app.hostile_registry().clone();
    if hostile == Some(HostileRegistry::BasicAuth) {
        return authorize_basic(app, headers, repository);
    }
    let quirks = ChallengeQuirks::of(hostile.as_ref());
    let grant = bearer(headers).and_then(|token| app.registry_tokens().grant(token).cloned());
    match grant {
        None => Err(RegistryError::unauthorized(Some(challenge(
            &host, repository, false, quirks,
        )))),
        Some(grant) if repository.is_some_and(|r| !grant.may_pull(r)) => {
            let challenge = challenge(&host, repository, true, quirks);
            Err(RegistryError::unauthorized(Some(challenge))
                .detail("the token's scope does not include this repository"))
        }
        Some(grant) => Ok(grant),
    }
}

/// [`HostileRegistry::BasicAuth`]: the registry takes Basic credentials (a seeded token as the
/// password) itself, and they allow pulling anything.
fn authorize_basic(
    app: &App,
    headers: &HeaderMap,
    repository: Option<&str>,
) -> Result<Grant, RegistryError> {
    let login = match basic_password(headers) {
        Credentials::Basic(password) => app
            .store()
            .authenticate(&password)
            .map(|owner| owner.login.clone()),
        Credentials::Anonymous | Credentials::Malformed => None,
    };
    match login {
        Some(login) => Ok(Grant {
            login: Some(login),
            repositories: repository
                .map(str::to_ascii_lowercase)
                .into_iter()
                .collect(),
        }),
        None => Err(RegistryError::unauthorized(Some(
            r#"Basic realm="Registry Realm""#.to_owned(),
        ))),
    }
}

/// `GET /v2/`: whether the client holds a registry token. Clients ping it first to learn where
/// to authenticate.
pub(crate) async fn ping(
    State(app): State<App>,
    headers: HeaderMap,
) -> Result<Json<Value>, RegistryError> {
    authorize(&app, &headers, None)?;
    Ok(Json(json!({})))
}

/// `GET /token?service=...&scope=repository:<name>:pull`: a registry token for the scopes asked
/// for, to the holder of a GitHub token sent as the Basic password, or anonymously without
/// credentials.
pub(crate) async fn issue_token(
    State(app): State<App>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Json<Value>, RegistryError> {
    let login = match basic_password(&headers) {
        Credentials::Anonymous => None,
        Credentials::Basic(password) => {
            let store = app.store();
            let owner = store
                .authenticate(&password)
                .ok_or_else(|| RegistryError::unauthorized(None).detail("bad credentials"))?;
            Some(owner.login.clone())
        }
        Credentials::Malformed => {
            return Err(RegistryError::unauthorized(None)
                .detail("expected Basic credentials: any user name and a GitHub token"));
        }
    };
    // `scope` may repeat, and one value may hold several scopes separated by spaces.
    let params: Vec<(String, String)> = Query::try_from_uri(&uri)
        .map(|Query(params)| params)
        .unwrap_or_default();
    let repositories = params
        .iter()
        .filter(|(name, _)| name == "scope")
        .flat_map(|(_, scopes)| scopes.split(' '))
        .filter_map(pull_scope)
        .collect();
    let grant = Grant {
        login,
        repositories,
    };
    let token = {
        let store = app.store();
        app.registry_tokens()
            .issue(grant, |token| store.authenticate(token).is_some())
    };
    Ok(Json(json!({ "token": token, "access_token": token })))
}

/// The repository of a `repository:<name>:<actions>` scope whose actions include `pull`,
/// lower-cased.
fn pull_scope(scope: &str) -> Option<String> {
    let rest = scope.strip_prefix("repository:")?;
    let (repository, actions) = rest.rsplit_once(':')?;
    actions
        .split(',')
        .any(|action| action == "pull")
        .then(|| repository.to_ascii_lowercase())
}

/// The bearer token of a request, if it sent one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// What a token request authenticates with.
#[derive(Debug, PartialEq, Eq)]
enum Credentials {
    Anonymous,
    /// The password of `Authorization: Basic base64(user:password)`.
    Basic(String),
    Malformed,
}

fn basic_password(headers: &HeaderMap) -> Credentials {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Credentials::Anonymous;
    };
    let password = value
        .to_str()
        .ok()
        .and_then(|value| value.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, encoded)| decode_base64(encoded.trim()))
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(_, password)| password.to_owned())
        });
    password.map_or(Credentials::Malformed, Credentials::Basic)
}

/// Decodes standard, padded base64 (RFC 4648 §4), as HTTP Basic credentials use. Written out
/// here rather than taken from a crate, for this one header.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let digits = text.trim_end_matches('=');
    if !text.len().is_multiple_of(4) || text.len() - digits.len() > 2 {
        return None;
    }
    let mut bytes = Vec::with_capacity(digits.len() * 3 / 4);
    let (mut buffer, mut bits) = (0_u32, 0);
    for digit in digits.bytes() {
        let value = match digit {
            b'A'..=b'Z' => digit - b'A',
            b'a'..=b'z' => digit - b'a' + 26,
            b'0'..=b'9' => digit - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn base64_decodes_rfc_4648_test_vectors() {
        for (encoded, decoded) in [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
        ] {
            assert_eq!(
                decode_base64(encoded).as_deref(),
                Some(decoded.as_bytes()),
                "{encoded}"
            );
        }
        assert_eq!(decode_base64("Zm9"), None);
        assert_eq!(decode_base64("Zm9v!A=="), None);
    }

    #[test]
    fn basic_credentials_yield_the_password() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, HeaderValue::from_str(value).expect("ascii"));
            basic_password(&headers)
        };
        // base64("octocat:t0k:with:colons")
        assert_eq!(
            with("Basic b2N0b2NhdDp0MGs6d2l0aDpjb2xvbnM="),
            Credentials::Basic("t0k:with:colons".into())
        );
        assert_eq!(with("Bearer t0k"), Credentials::Malformed);
        assert_eq!(with("Basic !!!!"), Credentials::Malformed);
        assert_eq!(basic_password(&HeaderMap::new()), Credentials::Anonymous);
    }

    #[test]
    fn scopes_grant_pull_on_lower_cased_repositories() {
        assert_eq!(
            pull_scope("repository:Acme/api/build-cache:pull,push").as_deref(),
            Some("acme/api/build-cache")
        );
        assert_eq!(pull_scope("repository:acme/api:push"), None);
        assert_eq!(pull_scope("registry:catalog:*"), None);
    }

    #[test]
    fn challenges_name_the_realm_service_and_scope() {
        assert_eq!(
            challenge(
                "127.0.0.1:9",
                Some("Acme/App"),
                false,
                ChallengeQuirks::default()
            ),
            r#"Bearer realm="http://127.0.0.1:9/token",service="127.0.0.1:9",scope="repository:acme/app:pull""#
        );
        assert_eq!(
            challenge("h", None, false, ChallengeQuirks::default()),
            r#"Bearer realm="http://h/token",service="h""#
        );
        let elsewhere = HostileRegistry::Realm("http://elsewhere.invalid/token".into());
        let pull_push = HostileRegistry::ScopeActions("pull,push".into());
        assert_eq!(
            challenge(
                "h",
                Some("a/b"),
                false,
                ChallengeQuirks::of(Some(&elsewhere))
            ),
            r#"Bearer realm="http://elsewhere.invalid/token",service="h",scope="repository:a/b:pull""#
        );
        assert_eq!(
            challenge(
                "h",
                Some("a/b"),
                false,
                ChallengeQuirks::of(Some(&pull_push))
            ),
            r#"Bearer realm="http://h/token",service="h",scope="repository:a/b:pull,push""#
        );
    }
}
