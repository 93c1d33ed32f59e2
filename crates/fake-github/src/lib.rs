//! A stateful fake of GitHub's Packages REST API and of the ghcr.io registry, for tests and
//! demos.
//!
//! [`FakeGitHub`] is a real HTTP server on `127.0.0.1` holding accounts, tokens, packages and
//! versions from a [`Seed`]. It serves the 27 Packages operations under all three owner scopes
//! (`/orgs/{org}`, `/users/{username}`, `/user`) plus the account profiles, at the root and under
//! GitHub Enterprise Server's `/api/v3` prefix, and applies GitHub's rules as it goes: tokens,
//! pagination with `Link` headers, the 10,000-item listing cap, soft deletion and restoration,
//! and the refusal to delete a package's last version. Bodies follow GitHub's OpenAPI
//! description (a contract test checks every operation against it).
//!
//! ```
//! use fake_github::{FakeGitHub, PackageSeed, PackageType, Seed, VersionSeed};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> anyhow::Result<()> {
//! let seed = Seed::default()
//!     .with_org("acme")
//!     .with_user("octocat")
//!     .with_token("test-token", "octocat")
//!     .with_package(
//!         PackageSeed::new("acme", PackageType::Container, "team/app")
//!             .version(VersionSeed::new("sha256:aaaa").tags(["v1", "latest"]))
//!             .version(VersionSeed::new("sha256:bbbb")),
//!     );
//! let github = FakeGitHub::start(seed).await?;
//!
//! // Versions without an explicit id are numbered from 1000 in seed order.
//! let url = format!("{}/orgs/acme/packages/container/team%2Fapp/versions/1001", github.base_url());
//! let response = reqwest::Client::new().delete(&url).bearer_auth("test-token").send().await?;
//! assert_eq!(response.status(), 204);
//!
//! let state = github.state();
//! let package = state.package("acme", PackageType::Container, "team/app").unwrap();
//! assert!(package.version(1001).unwrap().deleted_at.is_some());
//! assert_eq!(github.requests()[0].path, "/orgs/acme/packages/container/team%2Fapp/versions/1001");
//! # Ok(())
//! # }
//! ```
//!
//! The seed is checked and numbered when the fake starts (see [`Seed`] for the JSON form). Each
//! request is then identified (token, rate-limit budget), routed, answered from the fake's data,
//! and logged; tests read the data back with [`FakeGitHub::state`] and the log with
//! [`FakeGitHub::requests`]. The demo data set behind `package-warden demo` is in [`demo`].
//!
//! # The registry
//!
//! The same server is also a container registry in the manner of ghcr.io, at the root (never
//! under `/api/v3`): `GET`/`HEAD /v2/{owner}/{name}/manifests/{digest or tag}` serves the
//! manifest of an active version of a container package, byte for byte, with its media type and
//! `Docker-Content-Digest`; a deleted version's manifest is `404 MANIFEST_UNKNOWN` until it is
//! restored. Clients authenticate as with GHCR: a `401` challenge names the realm `/token`, which
//! trades Basic credentials (any user name, a seeded token as the password) for a registry token.
//!
//! The builders in [`ManifestSeed`] lay manifests out as `docker buildx` and `cosign` push them:
//!
//! ```
//! use fake_github::{
//!     FakeGitHub, ManifestSeed, MultiArchImage, PackageSeed, PackageType, Platform, Seed,
//!     VersionSeed, cosign_tag, media_type,
//! };
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> anyhow::Result<()> {
//! // One multi-arch build: an index naming an image and an attestation per platform. On ghcr.io
//! // each manifest is a version of its own, and only the index is tagged.
//! let platforms = [Platform::linux("amd64"), Platform::linux("arm64")];
//! let build = MultiArchImage::new("app v1", &platforms, 2);
//! let index = build.index.digest();
//! let signature = ManifestSeed::cosign_signature(&index);
//! let package = PackageSeed::new("acme", PackageType::Container, "team/app")
//!     .versions(build.children().cloned().map(VersionSeed::from_manifest))
//!     .version(VersionSeed::from_manifest(build.index.clone()).tags(["v1"]))
//!     .version(VersionSeed::from_manifest(signature).tags([cosign_tag(&index, "sig")]));
//! let seed = Seed::default()
//!     .with_org("acme")
//!     .with_user("octocat")
//!     .with_token("test-token", "octocat")
//!     .with_package(package);
//! let github = FakeGitHub::start(seed).await?;
//!
//! let client = reqwest::Client::new();
//! let url = format!("{}/v2/acme/team/app/manifests/v1", github.base_url());
//! let challenge = client.get(&url).send().await?;
//! assert_eq!(challenge.status(), 401);
//! let token: serde_json::Value = client
//!     .get(format!("{}/token?scope=repository:acme/team/app:pull", github.base_url()))
//!     .basic_auth("octocat", Some("test-token"))
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! let reply = client
//!     .get(&url)
//!     .bearer_auth(token["token"].as_str().unwrap_or_default())
//!     .header("accept", media_type::OCI_INDEX)
//!     .send()
//!     .await?;
//! assert_eq!(reply.headers()["docker-content-digest"], index.as_str());
//! assert_eq!(reply.text().await?, build.index.content);
//! # Ok(())
//! # }
//! ```
//!
//! [`OciLayout`] writes what the same builders build, with real blobs, as an OCI image layout
//! that `skopeo` pushes to a real registry.
//!
//! # Who may do what
//!
//! Every token has a [`TokenProfile`]: a token seeded with [`Seed::with_token`] alone is a
//! classic personal access token with `read:packages`, `write:packages`, `delete:packages` and
//! `repo`, so it may do everything; [`Seed::with_token_profile`] makes it another kind, or takes
//! scopes away. The fake never looks at a token's text to decide its kind. Before a Packages
//! handler runs, the token is checked as GitHub checks it, and a refused request changes nothing
//! (it is in the request log with its `403`, and counted in [`Counters::permission_refusals`]):
//!
//! - **Classic and OAuth tokens** need `read:packages` for everything, plus `delete:packages` to
//!   delete and `write:packages` to restore; npm, Maven, RubyGems and NuGet packages inherit a
//!   repository's permissions, so they also need `repo`
//!   ([`PackageType::inherits_repository_permissions`]). A refusal carries GitHub's message for
//!   the operation, e.g. "You need at least read:packages scope to list packages." Every API
//!   response to these tokens carries `X-OAuth-Scopes` (their scopes, sorted, `", "`-separated)
//!   and `X-Accepted-OAuth-Scopes` (what the endpoint checks for); other kinds never get
//!   `X-OAuth-Scopes`.
//! - **Fine-grained, App and `GITHUB_TOKEN` tokens** need the `packages` permission: read to
//!   read, write to delete and restore (named in `X-Accepted-GitHub-Permissions`). Refusals say
//!   "Resource not accessible by personal access token" (fine-grained) or "Resource not accessible
//!   by integration" (the others). Installations act for no user, so `/user` and its packages
//!   refuse them.
//! - **`GITHUB_TOKEN`** cannot list an owner's packages (`GET {scope}/packages` is `403`), but gets
//!   a package, its versions and a version by name. Deleting or restoring needs the admin role in
//!   the package's "Manage Actions access" settings ([`TokenProfile::actions_access`]), which the
//!   repository a package is linked to holds without a grant ([`TokenProfile::repository`]).
//! - **SAML SSO**: an organisation seeded with [`OwnerSeed::saml_sso`] refuses classic and OAuth
//!   tokens not authorised for it ([`TokenProfile::sso_authorized`]) on all its Packages
//!   endpoints, with `X-GitHub-SSO: required; url=https://github.com/orgs/<org>/sso?authorization_request=<opaque>`
//!   and "Resource protected by organization SAML enforcement. You must grant your Personal
//!   Access token access to this organization." Under `/user/packages`, which the fake extends
//!   to the organisations the user is a member of ([`OwnerSeed::members`]), their packages are
//!   left out and `X-GitHub-SSO: partial-results; organizations=<ids>` names them.
//!
//! ```
//! use fake_github::{FakeGitHub, PackageSeed, PackageType, Seed, TokenProfile, VersionSeed, scope};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> anyhow::Result<()> {
//! let seed = Seed::default()
//!     .with_org("acme")
//!     .with_user("octocat")
//!     .with_token("read-only", "octocat")
//!     .with_token_profile("read-only", TokenProfile::classic([scope::READ_PACKAGES]))
//!     .with_package(
//!         PackageSeed::new("acme", PackageType::Container, "app")
//!             .version(VersionSeed::new("sha256:aaaa"))
//!             .version(VersionSeed::new("sha256:bbbb")),
//!     );
//! let github = FakeGitHub::start(seed).await?;
//! let url = format!("{}/orgs/acme/packages/container/app/versions/1001", github.base_url());
//! let response = reqwest::Client::new().delete(&url).bearer_auth("read-only").send().await?;
//! assert_eq!(response.status(), 403);
//! assert_eq!(response.headers()["x-oauth-scopes"], "read:packages");
//! assert_eq!(github.counters().permission_refusals, 1);
//! # Ok(())
//! # }
//! ```
//!
//! # Faults and rate limits
//!
//! [`Faults`] (latency, `502`/`503` answers, dropped connections, all drawn from a seeded
//! generator) and [`Limits`] (GitHub's secondary and primary rate limits) are off unless the
//! seed sets them ([`Seed::with_faults`], [`Seed::with_limits`]) or a test changes them while the
//! fake runs ([`FakeGitHub::set_faults`], [`FakeGitHub::set_limits`]). What they did is in the
//! request log ([`RequestRecord::fault`]) and in [`FakeGitHub::counters`]. [`Hostile`] modes
//! ([`FakeGitHub::set_hostile`]) go further, with answers GitHub would never give: a token
//! echoed back, a `Link` that loops, a `retry-after` of three years, redirects, a proxy's `403`;
//! [`HostileRegistry`] modes ([`FakeGitHub::set_hostile_registry`]) make the registry answer as
//! other registries or broken ones do: Basic auth, a token service elsewhere, a wrong digest.
//!
//! Latency is slept and rate-limit windows are measured on tokio's clock. A test that wants them
//! to pass in an instant runs on a paused clock (`#[tokio::test(start_paused = true)]`, then
//! `tokio::time::advance`) and starts the fake with [`FakeGitHub::start`], so that the fake's
//! tasks share the test's runtime and clock. [`FakeGitHub::spawn`] runs its own runtime on real
//! time and does not see the test's clock.

mod access;
mod api;
mod clock;
pub mod demo;
mod faults;
mod hostile;
mod manifest;
mod model;
mod oci_layout;
mod rfc3339;
mod snapshot;
mod store;
mod tokens;

use std::net::SocketAddr;
use std::thread;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use api::{Counters, Fault, RequestKind, RequestRecord};
pub use faults::{Faults, Limits, NotAProbability, Probability};
pub use hostile::{HUGE_LAST_PAGE, HUGE_RETRY_AFTER, Hostile, HostileRegistry};
pub use manifest::{
    Descriptor, ImageBuilder, IndexBuilder, ManifestSeed, MultiArchImage, Platform, cosign_tag,
    media_type,
};
pub use model::{
    DEFAULT_CREATED_AT, DEFAULT_RATE_LIMIT, IntoTimestamp, LatePush, MetadataShape, OwnerKind,
    OwnerSeed, PackageSeed, PackageType, PushTrigger, Seed, UnknownPackageType, VersionSeed,
    Visibility,
};
pub use oci_layout::OciLayout;
pub use snapshot::{OwnerState, PackageState, State, VersionState};
pub use store::SeedError;
pub use tokens::{
    ActionsAccess, ActionsRole, PackagePermission, TokenKind, TokenProfile, UnknownTokenKind, scope,
};

use api::App;
use api::connection::{Connection, Listener};
use store::Store;

/// A running fake. Dropping it shuts the server down.
pub struct FakeGitHub {
    app: App,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    /// The thread running the server's own runtime, for fakes made by [`FakeGitHub::spawn`].
    thread: Option<thread::JoinHandle<()>>,
}

impl FakeGitHub {
    /// Starts the fake on `127.0.0.1` with a port the OS chooses, as a task on the current tokio
    /// runtime. The caller must keep that runtime free to run it: synchronous callers (blocking
    /// clients, child processes waited for) want [`FakeGitHub::spawn`]. On a paused tokio clock
    /// the fake's latency and rate-limit windows follow that clock.
    ///
    /// # Errors
    /// If the seed is inconsistent ([`SeedError`]) or no port can be bound.
    pub async fn start(seed: Seed) -> anyhow::Result<FakeGitHub> {
        FakeGitHub::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), seed).await
    }

    /// Starts the fake on `addr` (port 0 lets the OS choose), as a task on the current tokio
    /// runtime.
    ///
    /// # Errors
    /// If the seed is inconsistent ([`SeedError`]) or `addr` cannot be bound.
    pub async fn start_on(addr: SocketAddr, seed: Seed) -> anyhow::Result<FakeGitHub> {
        let (faults, limits) = (seed.faults.clone(), seed.limits);
        let store = Store::from_seed(seed).context("the fake cannot start from this seed")?;
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let addr = listener.local_addr()?;
        let app = App::new(store, addr, faults, limits);
        let (shutdown, signal) = oneshot::channel();
        tokio::spawn(serve(listener, app.clone(), signal));
        Ok(FakeGitHub {
            app,
            addr,
            shutdown: Some(shutdown),
            thread: None,
        })
    }

    /// Starts the fake on `127.0.0.1` with a port the OS chooses, on a multi-thread tokio runtime
    /// of its own on a background thread: for synchronous tests, e.g. ones that run the built
    /// binary as a child process against it. Dropping the fake stops the server and the thread.
    /// Its runtime runs on real time, whatever the caller's clock: tests that pause tokio's clock
    /// want [`FakeGitHub::start`].
    ///
    /// # Errors
    /// If the seed is inconsistent ([`SeedError`]), no port can be bound or no runtime built.
    pub fn spawn(seed: Seed) -> anyhow::Result<FakeGitHub> {
        let (faults, limits) = (seed.faults.clone(), seed.limits);
        let store = Store::from_seed(seed).context("the fake cannot start from this seed")?;
        let listener =
            std::net::TcpListener::bind(("127.0.0.1", 0)).context("cannot listen on 127.0.0.1")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fake-github")
            .enable_all()
            .build()
            .context("cannot build the fake's tokio runtime")?;
        // The clock starts on the fake's own runtime, which runs on real time.
        let app = runtime.block_on(async { App::new(store, addr, faults, limits) });
        let (shutdown, signal) = oneshot::channel();
        let server_app = app.clone();
        let thread = thread::Builder::new()
            .name("fake-github".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match TcpListener::from_std(listener) {
                        Ok(listener) => serve(listener, server_app, signal).await,
                        Err(error) => tracing::error!(%error, "fake-github cannot listen"),
                    }
                });
            })
            .context("cannot start the fake's thread")?;
        Ok(FakeGitHub {
            app,
            addr,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The base URL to give a client: `http://127.0.0.1:PORT`, without a trailing slash. Append
    /// `/api/v3` to exercise GitHub Enterprise Server-style URLs.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A snapshot of all data, in a deterministic order, for comparing before and after.
    pub fn state(&self) -> State {
        self.app.store().snapshot()
    }

    /// Every request served since start (or the last [`clear_requests`](Self::clear_requests)),
    /// oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.app.requests().clone()
    }

    /// Forgets the requests served so far (the [`counters`](Self::counters) keep counting).
    pub fn clear_requests(&self) {
        self.app.requests().clear();
    }

    /// Running totals since the fake started: requests by method and service, rate-limit hits,
    /// injected failures and dropped connections.
    pub fn counters(&self) -> Counters {
        self.app.counters().clone()
    }

    /// Replaces the faults from the next request on, restarting their generator from
    /// `faults.rng_seed`.
    pub fn set_faults(&self, faults: Faults) {
        self.app.set_faults(faults);
    }

    /// Replaces the enforced rate limits from the next request on. What callers have spent so
    /// far (points in the window, requests this hour) still counts.
    pub fn set_limits(&self, limits: Limits) {
        *self.app.limits() = limits;
    }

    /// Makes the REST API misbehave as `hostile` says from the next request on (see [`Hostile`]);
    /// `None` makes it GitHub again.
    pub fn set_hostile(&self, hostile: Option<Hostile>) {
        *self.app.hostile() = hostile;
    }

    /// Makes the registry misbehave as `hostile` says from the next request on (see
    /// [`HostileRegistry`]); `None` makes it ghcr.io again.
    pub fn set_hostile_registry(&self, hostile: Option<HostileRegistry>) {
        *self.app.hostile_registry() = hostile;
    }

    /// Forgets every registry token issued so far, as if they had expired: a client holding one
    /// meets the registry's `401` challenge again and must fetch a new one.
    pub fn expire_registry_tokens(&self) {
        self.app.registry_tokens().expire_all();
    }

    /// Sets what is left of `token`'s hourly primary budget and when it resets, as if it had been
    /// spending: `remaining` 0 makes its next request meet the limit when
    /// [`Limits::primary_per_hour`] is enforced (and shows in `x-ratelimit-remaining` either way).
    /// The empty string sets the budget anonymous callers share.
    pub fn set_primary_budget(&self, token: &str, remaining: u32, resets_at: DateTime<Utc>) {
        self.app.set_primary_budget(token, remaining, resets_at);
    }
}

impl std::fmt::Debug for FakeGitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGitHub")
            .field("base_url", &self.base_url())
            .field("own_runtime", &self.thread.is_some())
            .finish_non_exhaustive()
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The server may already have stopped; then there is nobody to tell.
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            // Graceful shutdown closes idle connections at once and lets in-flight requests
            // finish, so this returns promptly.
            let _ = thread.join();
        }
    }
}

/// Serves until `signal` fires (or its sender is dropped), on connections the fault emulation
/// can cut.
async fn serve(listener: TcpListener, app: App, signal: oneshot::Receiver<()>) {
    let service = api::router(app).into_make_service_with_connect_info::<Connection>();
    let shutdown = async {
        let _ = signal.await;
    };
    if let Err(error) = axum::serve(Listener::new(listener), service)
        .with_graceful_shutdown(shutdown)
        .await
    {
        tracing::error!(%error, "fake-github stopped serving");
    }
}
