//! The HTTP side: GitHub's routes, served at the root and again under `/api/v3`.
//!
//! Every request passes, outermost first, through [`envelope::record_request`] (the request log),
//! [`caller::identify_and_charge`] (who is calling; the rate-limit headers) and
//! [`envelope::json_content_type`], then reaches a handler that reads or changes the
//! [`Store`]. Registry routes and fault injection are meant to slot in the same way: more routes
//! next to [`routes`], one more middleware layer in [`router`].

mod accounts;
mod caller;
mod envelope;
mod error;
mod extract;
mod packages;
mod pagination;
mod render;

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};

pub use envelope::RequestRecord;

use crate::store::Store;
use caller::Budgets;
use error::{ApiError, docs};
use extract::ENTERPRISE_PREFIX;

/// What every handler shares; cheap to clone.
#[derive(Clone)]
pub(crate) struct App(Arc<Shared>);

impl App {
    pub fn new(store: Store, local_addr: SocketAddr) -> App {
        App(Arc::new(Shared {
            store: Mutex::new(store),
            budgets: Mutex::new(Budgets::default()),
            requests: Mutex::new(Vec::new()),
            local_addr,
        }))
    }
}

impl Deref for App {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The fake's mutable parts, each behind its own lock. Locks are held only for synchronous work,
/// never across an `.await`.
pub(crate) struct Shared {
    store: Mutex<Store>,
    budgets: Mutex<Budgets>,
    requests: Mutex<Vec<RequestRecord>>,
    /// Where the server listens; stands in for a missing `Host` header.
    pub local_addr: SocketAddr,
}

impl Shared {
    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    pub fn budgets(&self) -> MutexGuard<'_, Budgets> {
        lock(&self.budgets)
    }

    pub fn requests(&self) -> MutexGuard<'_, Vec<RequestRecord>> {
        lock(&self.requests)
    }
}

/// Locks a mutex, carrying on after a panic elsewhere: every operation leaves the data
/// consistent before anything can panic, and a fake that stops answering helps no test.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The whole service: routes at the root and under `/api/v3`, with the middleware around them.
pub(crate) fn router(app: App) -> Router {
    let api = routes();
    Router::new()
        .merge(api.clone())
        .nest(ENTERPRISE_PREFIX, api)
        .fallback(not_found)
        // GitHub answers 404, not 405, to a method a route does not support.
        .method_not_allowed_fallback(not_found)
        .layer(middleware::from_fn(envelope::json_content_type))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            caller::identify_and_charge,
        ))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            envelope::record_request,
        ))
        .with_state(app)
}

/// GitHub's REST routes, relative to the API base URL.
fn routes() -> Router<App> {
    use packages::*;

    let package = "/packages/{package_type}/{package_name}";
    let version = "/packages/{package_type}/{package_name}/versions/{package_version_id}";
    let per_owner = Router::new()
        .route("/packages", get(list_packages))
        .route(package, get(get_package).delete(delete_package))
        .route(&format!("{package}/restore"), post(restore_package))
        .route(&format!("{package}/versions"), get(list_versions))
        .route(version, get(get_version).delete(delete_version))
        .route(&format!("{version}/restore"), post(restore_version))
        .route("/docker/conflicts", get(docker_conflicts));

    Router::new()
        .route("/user", get(accounts::get_authenticated_user))
        .route("/users/{username}", get(accounts::get_user))
        .route("/orgs/{org}", get(accounts::get_org))
        .nest("/user", per_owner.clone())
        .nest("/users/{username}", per_owner.clone())
        .nest("/orgs/{org}", per_owner)
}

/// Anything GitHub does not serve, including a package name whose `/` was not encoded as `%2F`.
async fn not_found() -> ApiError {
    ApiError::not_found(docs::REST)
}
