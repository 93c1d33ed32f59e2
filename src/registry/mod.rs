//! Reading image manifests from an OCI registry: ghcr.io in production, any registry that speaks
//! the OCI distribution API in tests.
//!
//! The Packages API lists a container's versions but not how they belong together; the registry
//! does. [`RegistryClient::manifest`] fetches one manifest by tag or digest, verifies that the
//! bytes are the ones named, and reads it into a [`Manifest`]: an index with its children
//! (platform images and attestations) or an image (possibly an artifact with a `subject`).
//!
//! ```no_run
//! # async fn example(token: package_warden::github::Token) -> Result<(), Box<dyn std::error::Error>> {
//! use package_warden::registry::{RegistryClient, repository_path};
//!
//! let registry = RegistryClient::new("https://ghcr.io".parse()?, "acme-bot".into(), token)?;
//! let index = registry.manifest(&repository_path("Acme", "app"), "v1").await?;
//! for child in index.children() {
//!     println!("{} {:?}", child.digest, child.platform.as_ref().map(ToString::to_string));
//! }
//! # Ok(()) }
//! ```
//!
//! Authentication is the registry token flow: the first request goes out without credentials
//! (or with the bearer remembered for the repository); a 401 names a token service, which we ask
//! with Basic auth (username, GitHub token) for a bearer, and the request is sent again with it.

mod challenge;
mod digest;
mod error;
mod manifest;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use regex::Regex;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, WWW_AUTHENTICATE};
use reqwest::{Response, StatusCode};
use serde::Deserialize;
use url::{Host, Url};

use crate::github::Token;
use crate::transport::{Transport, TransportError, TransportSettings};
use challenge::{Challenge, parse_challenges};
pub use digest::{Digest, DigestError};
pub use error::RegistryError;
use error::{describe_transport, hint_for};
pub use manifest::{
    BlobRef, ChildRef, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, Manifest, ManifestKind, OCI_INDEX,
    OCI_MANIFEST, Platform,
};

/// The OCI distribution spec asks registries to accept manifests of at least 4 MiB; we read no
/// more, so that a misbehaving server cannot make us buffer without bound.
const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;
/// Enough of an error body (or a token response) to read the registry's message.
const MAX_SMALL_BODY_BYTES: usize = 64 * 1024;

/// The repository path of a package on ghcr.io: the owner lower-cased, `/`, the package name.
/// ghcr.io stores names in lower case; GitHub already gives package names that way, but owners
/// keep their capitals (`Acme` is `ghcr.io/acme/...`).
pub fn repository_path(owner: &str, package: &str) -> String {
    format!("{}/{package}", owner.to_ascii_lowercase())
}

/// A client for one registry and one set of credentials. Cheap to share by reference: requests
/// may run concurrently.
pub struct RegistryClient {
    http: reqwest::Client,
    /// e.g. `https://ghcr.io`; requests go to `<base>/v2/...`.
    base: Url,
    /// `host[:port]`, the way image references name the registry: `ghcr.io`, `127.0.0.1:5000`.
    registry_name: String,
    username: String,
    token: Token,
    /// What worked last time for each repository, sent directly on the next request so that it
    /// costs one round trip instead of three. Keyed by repository: a manifest read needs the
    /// scope `repository:<name>:pull`, so one repository is one scope, and we know the
    /// repository before the registry has told us the scope.
    credentials: Mutex<HashMap<String, Credentials>>,
    requests_sent: AtomicU64,
    /// The one request path, shared with the API client: pacing, retries, concurrency.
    transport: Arc<Transport>,
}

/// What goes into the `Authorization` header of one request.
#[derive(Clone)]
enum Credentials {
    /// A token from the registry's token service, for one scope. Registry tokens are secrets
    /// too, so they are kept in a [`Token`], which never prints.
    Bearer(Token),
    /// Our username and GitHub token, for registries that take Basic auth themselves.
    Basic,
}

/// One request to send. Everything goes through [`RegistryClient::send`], so that credentials
/// are attached (and checked) in one place.
struct Outgoing<'a> {
    url: Url,
    /// For error messages: `ghcr.io/acme/app:v1`, or the token service's URL.
    location: &'a str,
    accept: Option<&'static str>,
    credentials: Option<Credentials>,
}

/// Tag or digest, checked before it goes into a URL.
enum Reference {
    Tag(String),
    Digest(Digest),
}

impl RegistryClient {
    /// A client for the registry at `base` (`https://ghcr.io`, or `http://127.0.0.1:5000`: plain
    /// http is allowed, but the token is only sent over it to this machine). `username` is what
    /// the token service expects with the token: the owner or `GITHUB_ACTOR` (ghcr.io accepts any
    /// non-empty name with a token). An empty token reads public images anonymously.
    pub fn new(base: Url, username: String, token: Token) -> Result<RegistryClient, RegistryError> {
        let transport = Arc::new(Transport::new(TransportSettings::default()));
        RegistryClient::with_transport(base, username, token, transport)
    }

    /// [`RegistryClient::new`], sending through a transport shared with other clients.
    pub fn with_transport(
        base: Url,
        username: String,
        token: Token,
        transport: Arc<Transport>,
    ) -> Result<RegistryClient, RegistryError> {
        let bad = |reason| RegistryError::BadRegistryUrl {
            url: base.to_string(),
            reason,
        };
        if !matches!(base.scheme(), "https" | "http") {
            return Err(bad(
                "it must start with https:// (or http:// for a local registry)",
            ));
        }
        let Some(host) = base.host_str() else {
            return Err(bad("it has no host"));
        };
        if base.query().is_some() || base.fragment().is_some() {
            return Err(bad("it must not have a query or fragment"));
        }
        let registry_name = match base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        let http = crate::transport::http_client(HeaderMap::new()).map_err(|err| {
            RegistryError::Transport {
                location: registry_name.clone(),
                detail: format!(
                    "could not set up the HTTP client: {}",
                    describe_transport(&err)
                ),
                timed_out: false,
            }
        })?;
        transport.redactor().add(token.expose());
        Ok(RegistryClient {
            http,
            base,
            registry_name,
            username,
            token,
            credentials: Mutex::new(HashMap::new()),
            requests_sent: AtomicU64::new(0),
            transport,
        })
    }

    /// How many requests this client has sent, token requests included.
    pub fn requests_sent(&self) -> u64 {
        self.requests_sent.load(Ordering::Relaxed)
    }

    /// Fetches one manifest from `repository` (`owner/name`; the name may contain `/`, see
    /// [`repository_path`]) by `reference`: a digest (`sha256:<hex>`) or a tag (`v1`).
    ///
    /// The manifest's bytes are verified: their sha256 must match the requested digest and the
    /// registry's `Docker-Content-Digest`. Errors say what to do; a manifest that does not exist
    /// is [`RegistryError::Status`] with status 404 and code `MANIFEST_UNKNOWN`.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<Manifest, RegistryError> {
        check_repository(repository)?;
        let reference = Reference::parse(reference)?;
        let location = match &reference {
            Reference::Tag(tag) => format!("{}/{repository}:{tag}", self.registry_name),
            Reference::Digest(digest) => format!("{}/{repository}@{digest}", self.registry_name),
        };
        let mut url = self.base.clone();
        let base_path = self.base.path().trim_end_matches('/');
        // Both parts were checked against the registry grammar: nothing in them needs escaping.
        url.set_path(&format!(
            "{base_path}/v2/{repository}/manifests/{}",
            reference.as_str()
        ));

        let read = async {
            let response = self.get_authorized(url, repository, &location).await?;
            self.read_manifest(response, repository, &reference, &location)
                .await
        };
        // What the registry said is kept and shown: the run's secrets come out first.
        read.await
            .map_err(|err| err.redacted(self.transport.redactor()))
    }

    /// GETs a registry URL, answering a 401 challenge once. The response may still be an error
    /// status; the caller reads it.
    async fn get_authorized(
        &self,
        url: Url,
        repository: &str,
        location: &str,
    ) -> Result<Response, RegistryError> {
        let remembered = self
            .credentials
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(repository)
            .cloned();
        let had_credentials = remembered.is_some();
        let response = self
            .send(Outgoing {
                url: url.clone(),
                location,
                accept: Some(manifest::ACCEPT),
                credentials: remembered,
            })
            .await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        // No credentials yet, or a remembered bearer that has expired (ghcr.io's last minutes):
        // either way the 401 carries a fresh challenge. Answer it once.
        if had_credentials {
            tracing::debug!("the remembered credentials were refused; asking again");
            self.credentials
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(repository);
        }
        let credentials = self.answer_challenge(&response, location).await?;
        let response = self
            .send(Outgoing {
                url,
                location,
                accept: Some(manifest::ACCEPT),
                credentials: Some(credentials.clone()),
            })
            .await?;
        let mut remembered = self
            .credentials
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if response.status() == StatusCode::UNAUTHORIZED {
            remembered.remove(repository);
        } else {
            remembered.insert(repository.to_string(), credentials);
        }
        Ok(response)
    }

    /// Reads the 401's `WWW-Authenticate` and gets what it asks for: a bearer from the token
    /// service (Bearer), or permission to send our credentials to the registry itself (Basic).
    async fn answer_challenge(
        &self,
        response: &Response,
        location: &str,
    ) -> Result<Credentials, RegistryError> {
        let challenges: Vec<Challenge> = response
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(parse_challenges)
            .collect();
        let bearer = challenges
            .iter()
            .find(|c| c.scheme == "bearer" && c.param("realm").is_some());
        if let Some(bearer) = bearer {
            return self.fetch_bearer(bearer, response.url(), location).await;
        }
        if challenges.iter().any(|c| c.scheme == "basic") {
            if self.token.is_empty() {
                return Err(RegistryError::Challenge {
                    location: location.to_string(),
                    reason: "the registry asks for a username and password, and no token was \
                             given: set the `token` input"
                        .to_string(),
                });
            }
            return Ok(Credentials::Basic);
        }
        let offered: Vec<&str> = challenges.iter().map(|c| c.scheme.as_str()).collect();
        Err(RegistryError::Challenge {
            location: location.to_string(),
            reason: if offered.is_empty() {
                "the registry answered 401 without a WWW-Authenticate challenge: check that \
                 `registry-url` points at a container registry"
                    .to_string()
            } else {
                format!(
                    "the registry offers only {} authentication; package-warden speaks Bearer \
                     (token service) and Basic",
                    offered.join(", ")
                )
            },
        })
    }

    /// Asks the token service named by a Bearer challenge for a bearer token.
    async fn fetch_bearer(
        &self,
        challenge: &Challenge,
        registry_url: &Url,
        location: &str,
    ) -> Result<Credentials, RegistryError> {
        let realm = challenge.param("realm").unwrap_or_default();
        // The realm is normally absolute (`https://ghcr.io/token`, `https://auth.docker.io/token`:
        // another host is normal); a relative one is resolved against the registry.
        let mut url = registry_url
            .join(realm)
            .ok()
            .filter(|url| matches!(url.scheme(), "https" | "http"))
            .ok_or_else(|| RegistryError::Challenge {
                location: location.to_string(),
                reason: format!("the token service `{realm}` it names is not an http(s) URL"),
            })?;
        let realm_location = {
            let mut bare = url.clone();
            bare.set_query(None);
            bare.to_string()
        };
        {
            let mut query = url.query_pairs_mut();
            if let Some(service) = challenge.param("service") {
                query.append_pair("service", service);
            }
            // Several scopes arrive space-separated; token services want one parameter each.
            for scope in challenge
                .param("scope")
                .unwrap_or_default()
                .split_whitespace()
            {
                query.append_pair("scope", scope);
            }
        }
        // The GitHub token goes only to a token service on the registry's own host (ghcr.io's is
        // ghcr.io/token): a registry that names another host must not collect it. Elsewhere, and
        // without a token, we ask anonymously: ghcr.io hands out pull tokens for public images.
        let same_host = url.host_str().map(str::to_ascii_lowercase)
            == registry_url.host_str().map(str::to_ascii_lowercase);
        if !same_host && !self.token.is_empty() {
            return Err(RegistryError::InsecureCredentials {
                url: realm_location,
            });
        }
        let credentials = (!self.token.is_empty()).then_some(Credentials::Basic);
        let response = self
            .send(Outgoing {
                url,
                location: &realm_location,
                accept: Some("application/json"),
                credentials,
            })
            .await?;
        let status = response.status();
        if !status.is_success() {
            let (code, message) = read_error_body(response, self.transport.redactor()).await;
            if matches!(status.as_u16(), 401 | 403) {
                return Err(RegistryError::AuthRefused {
                    realm: realm_location,
                    username: self.username.clone(),
                    status: status.as_u16(),
                    message: message.or(code),
                });
            }
            return Err(RegistryError::Status {
                location: realm_location,
                status: status.as_u16(),
                code,
                message,
                hint: Some(format!(
                    "The registry's token service failed while authenticating {location}: run \
                     again later, or check `registry-url`"
                )),
            });
        }
        let body = read_limited(response, MAX_SMALL_BODY_BYTES, &realm_location).await?;
        // Docker's token spec: `token`, with `access_token` as the OAuth 2 spelling of the same.
        #[derive(Deserialize)]
        struct TokenResponse {
            token: Option<String>,
            access_token: Option<String>,
        }
        let parsed: TokenResponse =
            serde_json::from_slice(&body).map_err(|err| RegistryError::Challenge {
                location: location.to_string(),
                reason: format!("the token service {realm_location} answered without JSON: {err}"),
            })?;
        parsed
            .token
            .filter(|token| !token.is_empty())
            .or(parsed.access_token.filter(|token| !token.is_empty()))
            .map(|bearer| {
                self.transport.redactor().add(&bearer);
                Credentials::Bearer(Token::new(bearer))
            })
            .ok_or_else(|| RegistryError::Challenge {
                location: location.to_string(),
                reason: format!("the token service {realm_location} answered without a token"),
            })
    }

    /// Sends one request: the one place where requests leave, are counted and get credentials.
    #[tracing::instrument(level = "debug", skip_all, fields(location = outgoing.location))]
    async fn send(&self, outgoing: Outgoing<'_>) -> Result<Response, RegistryError> {
        let Outgoing {
            url,
            location,
            accept,
            credentials,
        } = outgoing;
        let mut request = self.http.get(url.clone());
        if let Some(accept) = accept {
            request = request.header(ACCEPT, accept);
        }
        match &credentials {
            Some(Credentials::Bearer(bearer)) => request = request.bearer_auth(bearer.expose()),
            Some(Credentials::Basic) => {
                // Basic auth is the GitHub token itself, readable by anyone on the path.
                if !may_carry_credentials(&url) {
                    let mut shown = url.clone();
                    shown.set_query(None);
                    return Err(RegistryError::InsecureCredentials {
                        url: shown.to_string(),
                    });
                }
                request = request.basic_auth(&self.username, Some(self.token.expose()));
            }
            None => {}
        }
        self.requests_sent.fetch_add(1, Ordering::Relaxed);
        let transport_error = |detail: String, timed_out: bool| RegistryError::Transport {
            location: location.to_string(),
            detail,
            timed_out,
        };
        let request = request
            .build()
            .map_err(|err| transport_error(describe_transport(&err), false))?;
        let response =
            self.transport
                .execute(&self.http, request)
                .await
                .map_err(|err| match err {
                    TransportError::Request(err) => {
                        transport_error(describe_transport(&err), err.is_timeout())
                    }
                    limited @ (TransportError::BudgetExhausted { .. }
                    | TransportError::WaitTooLong { .. }) => {
                        transport_error(limited.to_string(), false)
                    }
                })?;
        tracing::debug!(status = response.status().as_u16(), "answered");
        Ok(response)
    }

    /// Turns a manifest response into a verified [`Manifest`], or its error status into an error.
    async fn read_manifest(
        &self,
        response: Response,
        repository: &str,
        reference: &Reference,
        location: &str,
    ) -> Result<Manifest, RegistryError> {
        let status = response.status();
        if !status.is_success() {
            let (code, message) = read_error_body(response, self.transport.redactor()).await;
            let hint = hint_for(status.as_u16(), code.as_deref(), repository);
            return Err(RegistryError::Status {
                location: location.to_string(),
                status: status.as_u16(),
                code,
                message,
                hint,
            });
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(CONTENT_TYPE.as_str());
        let served_digest = header("docker-content-digest");
        let body = read_limited(response, MAX_MANIFEST_BYTES, location).await?;

        let mismatch = |expected: Digest, expected_from, actual| RegistryError::DigestMismatch {
            location: location.to_string(),
            expected,
            expected_from,
            actual,
        };
        let cannot_verify = |digest: &Digest| RegistryError::Manifest {
            location: location.to_string(),
            reason: format!(
                "its digest uses the algorithm `{}`, which package-warden cannot verify",
                digest.algorithm()
            ),
        };
        let mut digest = Digest::sha256(&body);
        if let Some(served) = served_digest {
            let served = Digest::parse(&served).map_err(|err| RegistryError::Manifest {
                location: location.to_string(),
                reason: format!("the Docker-Content-Digest header is unusable: {err}"),
            })?;
            let actual = served
                .recompute(&body)
                .ok_or_else(|| cannot_verify(&served))?;
            if actual != served {
                return Err(mismatch(served, "the Docker-Content-Digest header", actual));
            }
            digest = served;
        }
        if let Reference::Digest(requested) = reference {
            let actual = requested
                .recompute(&body)
                .ok_or_else(|| cannot_verify(requested))?;
            if actual != *requested {
                return Err(mismatch(requested.clone(), "the requested digest", actual));
            }
            digest = requested.clone();
        }
        manifest::parse(&body, content_type.as_deref(), digest).map_err(|reason| {
            RegistryError::Manifest {
                location: location.to_string(),
                reason,
            }
        })
    }
}

impl Reference {
    fn parse(text: &str) -> Result<Reference, RegistryError> {
        // A reference with `:` can only be a digest: tags cannot contain one.
        if text.contains(':') {
            return Digest::parse(text).map(Reference::Digest).map_err(|err| {
                RegistryError::BadName {
                    what: "reference",
                    value: err.value,
                    reason: err.reason.to_string(),
                }
            });
        }
        // The distribution spec's tag grammar.
        static TAG: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$").expect("a valid pattern")
        });
        if TAG.is_match(text) {
            Ok(Reference::Tag(text.to_string()))
        } else {
            Err(RegistryError::BadName {
                what: "tag",
                value: text.chars().take(200).collect(),
                reason: "a tag is 1 to 128 letters, digits, `_`, `.` and `-`, not starting with \
                         `.` or `-`"
                    .to_string(),
            })
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Reference::Tag(tag) => tag,
            Reference::Digest(digest) => digest.as_str(),
        }
    }
}

/// Checks a repository name against the distribution spec's grammar, so that it can go into a
/// URL path as it is.
fn check_repository(repository: &str) -> Result<(), RegistryError> {
    static NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$")
            .expect("a valid pattern")
    });
    if NAME.is_match(repository) {
        return Ok(());
    }
    Err(RegistryError::BadName {
        what: "repository",
        value: repository.chars().take(200).collect(),
        reason: "repository names are lower-case letters and digits, separated by `.`, `_`, \
                 `__` or `-`, in `/`-separated parts (on ghcr.io: `owner/package`; see \
                 `repository_path`)"
            .to_string(),
    })
}

/// Whether the GitHub token may be sent to `url` as Basic auth: over https, or over plain http
/// only to this machine (a registry in a test or a `docker run -p` on the runner).
fn may_carry_credentials(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
            None => false,
        },
        _ => false,
    }
}

/// Reads a body of at most `limit` bytes.
async fn read_limited(
    mut response: Response,
    limit: usize,
    location: &str,
) -> Result<Vec<u8>, RegistryError> {
    let transport = |err: reqwest::Error| RegistryError::Transport {
        location: location.to_string(),
        detail: format!("reading the answer: {}", describe_transport(&err)),
        timed_out: err.is_timeout(),
    };
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > limit {
            return Err(RegistryError::Manifest {
                location: location.to_string(),
                reason: format!("the answer is larger than {limit} bytes"),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The registry's `errors[0].code` and `.message` (distribution spec), or for a body that is not
/// such JSON, its start as the message. Secrets come out before that start is cut, so that the
/// cut cannot leave half of one.
async fn read_error_body(
    response: Response,
    redactor: &crate::transport::redact::Redactor,
) -> (Option<String>, Option<String>) {
    #[derive(Deserialize)]
    struct Errors {
        errors: Vec<ErrorEntry>,
    }
    #[derive(Deserialize)]
    struct ErrorEntry {
        code: Option<String>,
        message: Option<String>,
    }
    // Only for the message: a body we cannot read leaves the status to speak for itself.
    let body = read_limited(response, MAX_SMALL_BODY_BYTES, "")
        .await
        .unwrap_or_default();
    if let Ok(Errors { errors }) = serde_json::from_slice::<Errors>(&body)
        && let Some(first) = errors.into_iter().next()
    {
        let non_empty = |text: Option<String>| text.filter(|text| !text.trim().is_empty());
        return (non_empty(first.code), non_empty(first.message));
    }
    let text = redactor.redact(&String::from_utf8_lossy(&body));
    let text: String = text.trim().chars().take(200).collect();
    (None, (!text.is_empty()).then_some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_path_lower_cases_the_owner_only() {
        assert_eq!(repository_path("Acme-Corp", "app"), "acme-corp/app");
        assert_eq!(repository_path("acme", "tools/cli"), "acme/tools/cli");
    }

    #[test]
    fn repository_names_follow_the_registry_grammar() {
        for good in [
            "acme/app",
            "acme/tools/cli",
            "a/b.c_d__e--f",
            "library/alpine",
        ] {
            assert!(check_repository(good).is_ok(), "{good}");
        }
        for bad in [
            "Acme/app",
            "acme//app",
            "acme/../app",
            "/acme",
            "acme/app/",
            "a/b?c",
            "",
        ] {
            let err = check_repository(bad).unwrap_err();
            assert!(err.to_string().contains("lower-case"), "{bad}: {err}");
        }
    }

    #[test]
    fn references_are_tags_or_digests() {
        assert!(matches!(
            Reference::parse("v1.2.3-rc_1"),
            Ok(Reference::Tag(_))
        ));
        let digest = format!("sha256:{}", "a".repeat(64));
        assert!(matches!(
            Reference::parse(&digest),
            Ok(Reference::Digest(_))
        ));
        let err = Reference::parse("sha256:abc").err().unwrap();
        assert!(err.to_string().contains("wrong length"), "{err}");
        for bad in ["", ".hidden", "-x", "a/b", "v1 ", &"x".repeat(129)] {
            assert!(Reference::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn credentials_go_over_https_or_to_this_machine_only() {
        let url = |text: &str| Url::parse(text).unwrap();
        for allowed in [
            "https://ghcr.io/token",
            "https://auth.docker.io/token",
            "http://127.0.0.1:5000/token",
            "http://127.8.9.10/token",
            "http://[::1]:5000/token",
            "http://localhost:5000/token",
            "http://LOCALHOST/token",
        ] {
            assert!(may_carry_credentials(&url(allowed)), "{allowed}");
        }
        for refused in [
            "http://ghcr.io/token",
            "http://10.0.0.1/token",
            "http://[::2]/token",
            "http://localhost.example.com/token",
            "ftp://127.0.0.1/token",
        ] {
            assert!(!may_carry_credentials(&url(refused)), "{refused}");
        }
    }

    #[test]
    fn registry_url_must_be_http_with_a_host() {
        let token = || Token::new("ghp_secret".into());
        let err = RegistryClient::new(Url::parse("ftp://ghcr.io").unwrap(), "u".into(), token())
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .starts_with("`registry-url` ftp://ghcr.io/ cannot be used")
        );
        let client = RegistryClient::new(
            Url::parse("http://127.0.0.1:5000").unwrap(),
            "u".into(),
            token(),
        )
        .unwrap();
        assert_eq!(client.registry_name, "127.0.0.1:5000");
        assert_eq!(client.requests_sent(), 0);
    }
}
