//! A typed client for GitHub's Packages REST API.
//!
//! Every request goes through [`Client::send`]: it adds GitHub's headers and the token, and turns
//! error statuses into [`ApiError`]s that say what to do. Listings follow the `Link` header until
//! the last page.

pub mod access;
mod endpoints;
mod error;
mod link;
mod token;
mod wire;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::StreamExt;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue};
use reqwest::{Method, Response};
use serde::de::DeserializeOwned;
use url::Url;

use crate::transport::{Transport, TransportError, TransportSettings};

pub use access::{Operation, TokenKind};
pub use endpoints::{Endpoint, Scope, encode_segment};
pub(crate) use error::describe_transport;
pub use error::{ApiError, ApiErrorKind};
pub use link::PageLinks;
pub use token::Token;
pub use wire::{Account, RepositoryRef, VersionState};
use wire::{WirePackage, WireVersion};

use crate::model::{Package, PackageType, PackageVersion, VersionId, Visibility};

/// The REST API version this client was written against.
pub const API_VERSION: &str = "2022-11-28";
/// GitHub's largest page.
const PER_PAGE: &str = "100";
/// The most pages a listing may have: at 100 items a page, a million items (the largest listing
/// measured is 150,000 versions). A `Link` header that names more is not telling the truth.
const MAX_PAGES: usize = 10_000;

/// What a listing is made of: items with an id, so that a page that repeats earlier ones is seen.
trait Listed {
    fn listing_id(&self) -> u64;
}

impl Listed for WirePackage {
    fn listing_id(&self) -> u64 {
        self.id
    }
}

impl Listed for WireVersion {
    fn listing_id(&self) -> u64 {
        self.id.0
    }
}

/// A client for one API base URL and one token.
pub struct Client {
    http: reqwest::Client,
    /// `https://api.github.com` or `https://HOST/api/v3`, without a trailing slash.
    api_base: Url,
    token: Token,
    requests_sent: AtomicU64,
    /// The one request path: pacing, retries, concurrency, the primary budget.
    transport: Arc<Transport>,
    /// What the token looks like, for wording messages only.
    token_kind: TokenKind,
    /// `X-OAuth-Scopes` as GitHub first reported it (classic PATs and OAuth tokens only).
    oauth_scopes: Mutex<Option<String>>,
    /// Warnings GitHub sent along with answers (partial results under SSO).
    warnings: Mutex<Vec<String>>,
}

impl Client {
    /// A client with a transport of its own, with the default settings.
    pub fn new(api_base: Url, token: Token) -> Result<Client, reqwest::Error> {
        let transport = Arc::new(Transport::new(TransportSettings::default()));
        Client::with_transport(api_base, token, transport)
    }

    /// A client sending through `transport`, shared with the registry client so that both
    /// obey one concurrency cap and one points budget.
    pub fn with_transport(
        api_base: Url,
        token: Token,
        transport: Arc<Transport>,
    ) -> Result<Client, reqwest::Error> {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/vnd.github+json"),
        );
        headers.insert(
            "X-GitHub-Api-Version",
            HeaderValue::from_static(API_VERSION),
        );
        let http = crate::transport::http_client(headers)?;
        let token_kind = TokenKind::guess(token.expose());
        transport.redactor().add(token.expose());
        Ok(Client {
            http,
            api_base,
            token,
            requests_sent: AtomicU64::new(0),
            transport,
            token_kind,
            oauth_scopes: Mutex::new(None),
            warnings: Mutex::new(Vec::new()),
        })
    }

    /// What kind the token looks like.
    pub fn token_kind(&self) -> TokenKind {
        self.token_kind
    }

    /// The token's scopes as GitHub reported them in `X-OAuth-Scopes`; `None` when GitHub
    /// reports none (GITHUB_TOKEN, App and fine-grained tokens) or before the first answer.
    pub fn oauth_scopes(&self) -> Option<String> {
        self.oauth_scopes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Warnings GitHub sent along with answers since the last call.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Reads what every answer may say about the token: its scopes, and SSO partial results.
    fn note_headers(&self, headers: &reqwest::header::HeaderMap) {
        if let Some(scopes) = headers.get("x-oauth-scopes").and_then(|v| v.to_str().ok()) {
            let mut known = self.oauth_scopes.lock().unwrap_or_else(|e| e.into_inner());
            known.get_or_insert_with(|| scopes.to_string());
        }
        let sso = headers.get("x-github-sso").and_then(|v| v.to_str().ok());
        if let Some(orgs) = sso.and_then(|v| v.strip_prefix("partial-results;")) {
            let orgs = self.redact(orgs.trim().trim_start_matches("organizations="));
            let warning = format!(
                "Some results are missing: the token is not authorised for SAML SSO in the \
                 organisation(s) with id {orgs}; authorise it (GitHub → Settings → Personal \
                 access tokens → Configure SSO) to see their packages"
            );
            let mut warnings = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
            if !warnings.contains(&warning) {
                warnings.push(warning);
            }
        }
    }

    /// `text` from a server, with the run's secrets taken out (see [`Redactor`]).
    ///
    /// [`Redactor`]: crate::transport::redact::Redactor
    fn redact(&self, text: &str) -> String {
        self.transport.redactor().redact(text)
    }

    /// The transport this client sends through.
    pub fn transport(&self) -> &Arc<Transport> {
        &self.transport
    }

    /// How many requests this client has sent.
    pub fn requests_sent(&self) -> u64 {
        self.requests_sent.load(Ordering::Relaxed)
    }

    fn url_for(&self, path: &str) -> Url {
        let mut url = self.api_base.clone();
        let base_path = self.api_base.path().trim_end_matches('/');
        url.set_path(&format!("{base_path}{path}"));
        url
    }

    /// The path relative to the API base, for messages.
    fn relative_path(&self, url: &Url) -> String {
        let base_path = self.api_base.path().trim_end_matches('/');
        let path = url.path().strip_prefix(base_path).unwrap_or(url.path());
        match url.query() {
            Some(query) => format!("{path}?{query}"),
            None => path.to_string(),
        }
    }

    /// Sends one request; an error status becomes an [`ApiError`].
    #[tracing::instrument(level = "debug", skip(self), fields(path = %self.relative_path(&url)))]
    async fn send(&self, method: Method, url: Url) -> Result<Response, ApiError> {
        let path = self.relative_path(&url);
        let fail = |kind| ApiError {
            method: method.clone(),
            path: path.clone(),
            kind,
        };
        self.requests_sent.fetch_add(1, Ordering::Relaxed);
        let mut request = self.http.request(method.clone(), url);
        if !self.token.is_empty() {
            request = request.header(AUTHORIZATION, format!("Bearer {}", self.token.expose()));
        }
        let request = request
            .build()
            .map_err(|err| fail(ApiErrorKind::Transport(err)))?;
        let response =
            self.transport
                .execute(&self.http, request)
                .await
                .map_err(|err| match err {
                    TransportError::Request(err) => fail(ApiErrorKind::Transport(err)),
                    budget @ TransportError::BudgetExhausted { .. } => {
                        fail(ApiErrorKind::BudgetExhausted(budget.to_string()))
                    }
                    wait @ TransportError::WaitTooLong { .. } => {
                        fail(ApiErrorKind::WaitTooLong(wait.to_string()))
                    }
                })?;
        let status = response.status();
        tracing::debug!(status = status.as_u16(), "answered");
        self.note_headers(response.headers());
        if status.is_success() {
            return Ok(response);
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(|v| self.redact(v))
        };
        if status.is_redirection() {
            return Err(fail(ApiErrorKind::Redirected {
                status: status.as_u16(),
                location: header("location"),
            }));
        }
        if status == reqwest::StatusCode::FORBIDDEN {
            let sso = header("x-github-sso")
                .and_then(|v| v.strip_prefix("required;").map(str::to_string))
                .map(|v| v.trim().trim_start_matches("url=").to_string());
            if let Some(url) = sso {
                // https://github.com/orgs/<org>/sso?authorization_request=…
                let org = url
                    .split("/orgs/")
                    .nth(1)
                    .and_then(|rest| rest.split('/').next())
                    .map(str::to_string);
                return Err(fail(ApiErrorKind::SsoRequired { org, url }));
            }
        }
        let from_github = response.headers().contains_key("x-github-request-id");
        let content_type = header("content-type");
        let reset = header("x-ratelimit-reset");
        let spent = header("x-ratelimit-remaining").as_deref() == Some("0");
        // Secrets out before the message is cut short: a cut must not leave half a token.
        let body = self.redact(&response.text().await.unwrap_or_default());
        let github_message = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("message")?.as_str().map(str::to_string));
        let status = status.as_u16();
        let Some(message) = github_message.or_else(|| {
            // Without GitHub's request id, a body that is not GitHub's JSON is someone else's.
            from_github.then(|| body.chars().take(200).collect())
        }) else {
            return Err(fail(ApiErrorKind::NotGitHub {
                status,
                host: self.host(),
                content_type,
            }));
        };
        let scopes_reported = self.oauth_scopes().is_some();
        let limited = matches!(status, 403 | 429);
        let hint = match reset {
            Some(reset) if spent && limited => Some(error::rate_limit_hint(&reset)),
            // The transport waited as often as it may; a 403 that says so is not about the token.
            _ if limited
                && message
                    .to_ascii_lowercase()
                    .contains("secondary rate limit") =>
            {
                Some(
                    "GitHub's secondary rate limit kept refusing after every wait: lower \
                 `concurrency` or `points-per-minute` (other jobs may share the token's \
                 budget), or run later"
                        .to_string(),
                )
            }
            _ => error::hint_for(&method, &path, status, self.token_kind, scopes_reported),
        };
        Err(fail(ApiErrorKind::Status {
            status,
            message,
            hint,
        }))
    }

    /// `host[:port]` of the API, for messages.
    fn host(&self) -> String {
        let host = self.api_base.host_str().unwrap_or("the API");
        match self.api_base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        }
    }

    async fn get_json<T: DeserializeOwned>(&self, url: Url) -> Result<T, ApiError> {
        let path = self.relative_path(&url);
        let response = self.send(Method::GET, url).await?;
        self.decode(response, &path).await
    }

    /// Fetches every page of a listing. When the first page names the last one
    /// (`Link: rel="last"`), the other pages are fetched at once (the transport paces them);
    /// otherwise `rel="next"` is followed page by page.
    ///
    /// A listing that does not add up is an error, never a shorter list: a `next` link back to a
    /// page already read, a page that brings nothing not seen before (while more are announced),
    /// more than [`MAX_PAGES`] pages. Plans are made from listings, and a plan made from part of
    /// one can delete what the missing part would have kept.
    async fn get_all_pages<T: DeserializeOwned + Listed>(
        &self,
        mut url: Url,
    ) -> Result<Vec<T>, ApiError> {
        url.query_pairs_mut().append_pair("per_page", PER_PAGE);
        let unfinished = |at: &Url, why: String| ApiError {
            method: Method::GET,
            path: self.relative_path(at),
            kind: ApiErrorKind::UnfinishedListing(why),
        };
        let (mut items, links) = self.get_page::<T>(url.clone()).await?;
        let mut seen: HashSet<u64> = items.iter().map(Listed::listing_id).collect();
        if let Some(last) = links
            .last
            .as_deref()
            .and_then(|last| self.page_number(last))
        {
            if last > MAX_PAGES {
                return Err(unfinished(
                    &url,
                    format!(
                        "the Link header names page {last} as the last one, more than the \
                         {MAX_PAGES} pages (a million items) any listing has"
                    ),
                ));
            }
            // Made as they are needed, and in order, each page appended as it arrives: a listing
            // of 150,000 versions is never held twice.
            let pages = (2..=last).map(|page| (page, with_page(&url, page)));
            let mut fetched = futures::stream::iter(pages)
                .map(|(page, page_url)| async move {
                    let fetched = self.get_page::<T>(page_url.clone()).await;
                    (page, page_url, fetched)
                })
                .buffered(self.transport.settings().concurrency.max(1));
            while let Some((page, page_url, fetched)) = fetched.next().await {
                let (found, _) = fetched?;
                let before = seen.len();
                seen.extend(found.iter().map(Listed::listing_id));
                if seen.len() == before {
                    return Err(unfinished(
                        &page_url,
                        format!(
                            "page {page} of {last} brought nothing that earlier pages did not \
                             (the listing changed while it was read, or the server ignores `page`)"
                        ),
                    ));
                }
                items.extend(found);
            }
            return Ok(items);
        }
        let mut read = HashSet::from([page_key(&url)]);
        let mut next = links.next;
        while let Some(link) = next {
            let page_url = self.same_origin(&link).ok_or_else(|| ApiError {
                method: Method::GET,
                path: self.relative_path(&url),
                kind: ApiErrorKind::ForeignLink(self.redact(&link)),
            })?;
            if !read.insert(page_key(&page_url)) {
                return Err(unfinished(
                    &page_url,
                    "the Link header's next page is one already read: the pages loop".to_string(),
                ));
            }
            if read.len() > MAX_PAGES {
                return Err(unfinished(
                    &page_url,
                    format!("more than the {MAX_PAGES} pages (a million items) any listing has"),
                ));
            }
            let (found, links) = self.get_page::<T>(page_url.clone()).await?;
            let before = seen.len();
            seen.extend(found.iter().map(Listed::listing_id));
            if seen.len() == before && links.next.is_some() {
                return Err(unfinished(
                    &page_url,
                    "a page brought nothing that earlier pages did not, yet links to another"
                        .to_string(),
                ));
            }
            items.extend(found);
            next = links.next;
        }
        Ok(items)
    }

    /// One page of a listing and its pagination links.
    async fn get_page<T: DeserializeOwned>(
        &self,
        url: Url,
    ) -> Result<(Vec<T>, PageLinks), ApiError> {
        let path = self.relative_path(&url);
        let response = self.send(Method::GET, url).await?;
        let links = response
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .map(PageLinks::parse)
            .unwrap_or_default();
        let page: Vec<T> = self.decode(response, &path).await?;
        Ok((page, links))
    }

    /// Reads a JSON answer. serde's messages quote the text they could not read, so they are
    /// redacted too.
    async fn decode<T: DeserializeOwned>(
        &self,
        response: Response,
        path: &str,
    ) -> Result<T, ApiError> {
        let fail = |kind| ApiError {
            method: Method::GET,
            path: path.to_string(),
            kind,
        };
        let body = response
            .bytes()
            .await
            .map_err(|err| fail(ApiErrorKind::Transport(err)))?;
        serde_json::from_slice(&body)
            .map_err(|err| fail(ApiErrorKind::Decode(self.redact(&err.to_string()))))
    }

    /// The page number of a `rel="last"` link on our API.
    fn page_number(&self, link: &str) -> Option<usize> {
        let url = self.same_origin(link)?;
        let page = url.query_pairs().find(|(key, _)| key == "page")?.1;
        page.parse().ok()
    }

    /// Parses a link and checks that it points at our API, where the token may go.
    fn same_origin(&self, link: &str) -> Option<Url> {
        let url = Url::parse(link).ok()?;
        (url.origin() == self.api_base.origin()).then_some(url)
    }

    fn endpoint_url(
        &self,
        endpoint: Endpoint,
        scope: &Scope,
        package: Option<(PackageType, &str)>,
        version: Option<VersionId>,
    ) -> Url {
        self.url_for(&endpoint.path(scope, package, version))
    }

    /// `GET /users/{login}`: a user or an organisation (see [`Account::is_organization`]).
    pub async fn get_account(&self, login: &str) -> Result<Account, ApiError> {
        self.get_json(self.url_for(&format!("/users/{}", encode_segment(login))))
            .await
    }

    /// `GET /user`: the account the token belongs to.
    pub async fn token_account(&self) -> Result<Account, ApiError> {
        self.get_json(self.url_for("/user")).await
    }

    /// Every package of a type in a scope, optionally only of one visibility.
    pub async fn list_packages(
        &self,
        scope: &Scope,
        package_type: PackageType,
        visibility: Option<Visibility>,
    ) -> Result<Vec<Package>, ApiError> {
        let mut url = self.endpoint_url(Endpoint::ListPackages, scope, None, None);
        url.query_pairs_mut()
            .append_pair("package_type", package_type.as_str());
        if let Some(visibility) = visibility {
            url.query_pairs_mut()
                .append_pair("visibility", visibility.as_str());
        }
        let packages: Vec<WirePackage> = self.get_all_pages(url).await?;
        Ok(packages.into_iter().map(Package::from).collect())
    }

    pub async fn get_package(
        &self,
        scope: &Scope,
        package_type: PackageType,
        name: &str,
    ) -> Result<Package, ApiError> {
        let url = self.endpoint_url(
            Endpoint::GetPackage,
            scope,
            Some((package_type, name)),
            None,
        );
        let package: WirePackage = self.get_json(url).await?;
        Ok(package.into())
    }

    /// Deletes a package with all its versions (restorable for 30 days).
    pub async fn delete_package(
        &self,
        scope: &Scope,
        package_type: PackageType,
        name: &str,
    ) -> Result<(), ApiError> {
        let url = self.endpoint_url(
            Endpoint::DeletePackage,
            scope,
            Some((package_type, name)),
            None,
        );
        self.send(Method::DELETE, url).await.map(drop)
    }

    /// Restores a deleted package. `restore_token` is GitHub's optional `token` parameter for a
    /// package whose namespace was reused.
    pub async fn restore_package(
        &self,
        scope: &Scope,
        package_type: PackageType,
        name: &str,
        restore_token: Option<&str>,
    ) -> Result<(), ApiError> {
        let mut url = self.endpoint_url(
            Endpoint::RestorePackage,
            scope,
            Some((package_type, name)),
            None,
        );
        if let Some(restore_token) = restore_token {
            url.query_pairs_mut().append_pair("token", restore_token);
        }
        self.send(Method::POST, url).await.map(drop)
    }

    /// Every version of a package in the given state.
    pub async fn list_versions(
        &self,
        scope: &Scope,
        package_type: PackageType,
        name: &str,
        state: VersionState,
    ) -> Result<Vec<PackageVersion>, ApiError> {
        let mut url = self.endpoint_url(
            Endpoint::ListVersions,
            scope,
            Some((package_type, name)),
            None,
        );
        url.query_pairs_mut().append_pair("state", state.as_str());
        let versions: Vec<WireVersion> = self.get_all_pages(url).await?;
        Ok(versions.into_iter().map(PackageVersion::from).collect())
    }

    pub async fn get_version(
        &self,
        scope: &Scope,
        package_type: PackageType,
        name: &str,
        id: VersionId,
    ) -> Result<PackageVersion, ApiError> {
        let url = self.endpoint_url(
            Endpoint::GetVersion,
            scope,
            Some((package_type, name)),
            Some(id),
        );
        let version: WireVersion = self.get_json(url).await?;
        Ok(version.into())
    }

    /// Deletes one version (restorable for 30 days). GitHub refuses to delete a package's last
    /// version (400): delete the package instead.
    pub async fn delete_version(
        &self,
        scope: &Scope,
        package_type: PackageType,
        name: &str,
        id: VersionId,
    ) -> Result<(), ApiError> {
        let url = self.endpoint_url(
            Endpoint::DeleteVersion,
            scope,
            Some((package_type, name)),
            Some(id),
        );
        self.send(Method::DELETE, url).await.map(drop)
    }

    pub async fn restore_version(
        &self,
        scope: &Scope,
        package_type: PackageType,
        name: &str,
        id: VersionId,
    ) -> Result<(), ApiError> {
        let url = self.endpoint_url(
            Endpoint::RestoreVersion,
            scope,
            Some((package_type, name)),
            Some(id),
        );
        self.send(Method::POST, url).await.map(drop)
    }

    /// Packages whose migration from the Docker registry conflicts with an existing package.
    pub async fn list_docker_conflicts(&self, scope: &Scope) -> Result<Vec<Package>, ApiError> {
        let url = self.endpoint_url(Endpoint::ListDockerConflicts, scope, None, None);
        let packages: Vec<WirePackage> = self.get_json(url).await?;
        Ok(packages.into_iter().map(Package::from).collect())
    }
}

/// Which page of which listing `url` asks for, however its query is written: the path and the
/// sorted query parameters, `page` being 1 when absent (as GitHub reads it).
fn page_key(url: &Url) -> String {
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if !pairs.iter().any(|(key, _)| key == "page") {
        pairs.push(("page".to_string(), "1".to_string()));
    }
    pairs.sort();
    format!("{}?{pairs:?}", url.path())
}

/// `url` with its `page` parameter set to `page`.
fn with_page(url: &Url, page: usize) -> Url {
    let mut paged = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, _)| key != "page")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    paged
        .query_pairs_mut()
        .clear()
        .extend_pairs(pairs)
        .append_pair("page", &page.to_string());
    paged
}
