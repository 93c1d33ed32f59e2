//! A stateful fake of GitHub's Packages REST API, for tests and demos.
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
//! [`FakeGitHub::requests`]. The demo data set behind `package-warden demo` is [`demo_seed`].

mod api;
mod demo;
mod model;
mod snapshot;
mod store;

use std::net::SocketAddr;
use std::thread;

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use api::RequestRecord;
pub use demo::{DEMO_TOKEN, demo_seed};
pub use model::{
    DEFAULT_CREATED_AT, DEFAULT_RATE_LIMIT, IntoTimestamp, ManifestSeed, OwnerKind, OwnerSeed,
    PackageSeed, PackageType, Seed, UnknownPackageType, VersionSeed, Visibility,
};
pub use snapshot::{OwnerState, PackageState, State, VersionState};
pub use store::SeedError;

use api::App;
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
    /// clients, child processes waited for) want [`FakeGitHub::spawn`].
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
        let store = Store::from_seed(seed).context("the fake cannot start from this seed")?;
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let addr = listener.local_addr()?;
        let app = App::new(store, addr);
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
    ///
    /// # Errors
    /// If the seed is inconsistent ([`SeedError`]), no port can be bound or no runtime built.
    pub fn spawn(seed: Seed) -> anyhow::Result<FakeGitHub> {
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
        let app = App::new(store, addr);
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

    /// Forgets the requests served so far.
    pub fn clear_requests(&self) {
        self.app.requests().clear();
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

/// Serves until `signal` fires (or its sender is dropped).
async fn serve(listener: TcpListener, app: App, signal: oneshot::Receiver<()>) {
    let router = api::router(app);
    let shutdown = async {
        let _ = signal.await;
    };
    if let Err(error) = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
    {
        tracing::error!(%error, "fake-github stopped serving");
    }
}
