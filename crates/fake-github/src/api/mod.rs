//! The HTTP side: GitHub's REST routes, served at the root and again under `/api/v3`, and the
//! registry's, on the same port.
//!
//! Every request first passes [`envelope::record_request`] (request id, log, counters). REST
//! requests then pass, outermost first, [`hostile::misbehave`] (the [`Hostile`] modes, off unless
//! set), [`envelope::json_content_type`],
//! [`caller::identify_and_charge`] (who is calling; the primary budget and its headers),
//! [`limits::enforce_secondary_limits`] and [`faults::inject_faults`], and reach a handler that
//! reads or changes the [`Store`]; each Packages handler sits behind [`access::guarded`], which
//! refuses tokens that may not perform its operation. Registry requests pass only the fault injection on their way
//! to [`registry`]. The fault layer sits inside the limits so that injected latency counts as
//! time in flight.

mod access;
mod accounts;
mod caller;
pub(crate) mod connection;
mod envelope;
mod error;
mod extract;
mod faults;
mod hostile;
mod limits;
mod packages;
mod pagination;
mod registry;
mod render;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};

pub use envelope::{Counters, Fault, RequestKind, RequestRecord};

use crate::clock::Clock;
use crate::faults::{Faults, Limits};
use crate::hostile::{Hostile, HostileRegistry};
use crate::store::Store;
use caller::{Budgets, hourly_limit};
use error::{ApiError, docs};
use extract::ENTERPRISE_PREFIX;
use faults::FaultSchedule;
use limits::SecondaryLimits;
use registry::RegistryTokens;

/// What every handler shares; cheap to clone.
#[derive(Clone)]
pub(crate) struct App(Arc<Shared>);

impl App {
    /// The fake's shared state, with its clock started on the current tokio runtime.
    pub fn new(store: Store, local_addr: SocketAddr, faults: Faults, limits: Limits) -> App {
        App(Arc::new(Shared {
            store: Mutex::new(store),
            budgets: Mutex::new(Budgets::default()),
            requests: Mutex::new(Vec::new()),
            counters: Mutex::new(Counters::default()),
            in_flight: Mutex::new(BTreeMap::new()),
            fault_schedule: Mutex::new(FaultSchedule::new(faults)),
            limits: Mutex::new(limits),
            hostile: Mutex::new(None),
            hostile_registry: Mutex::new(None),
            secondary_limits: Mutex::new(SecondaryLimits::default()),
            registry_tokens: Mutex::new(RegistryTokens::default()),
            request_sequence: AtomicU64::new(0),
            clock: Clock::start(),
            local_addr,
        }))
    }

    /// Replaces the faults, restarting their generator from the new seed.
    pub fn set_faults(&self, faults: Faults) {
        *self.fault_schedule() = FaultSchedule::new(faults);
    }

    /// Sets what is left of `token`'s primary budget (the empty string: the one anonymous
    /// callers share) and when it resets.
    pub fn set_primary_budget(&self, token: &str, remaining: u32, resets_at: DateTime<Utc>) {
        let limits = *self.limits();
        let seeded = self.store().rate_limit();
        let limit = hourly_limit(token, &limits, seeded);
        self.budgets().set(token, limit, remaining, resets_at);
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
    counters: Mutex<Counters>,
    /// Requests received and not yet answered, by method.
    in_flight: Mutex<BTreeMap<String, u64>>,
    fault_schedule: Mutex<FaultSchedule>,
    limits: Mutex<Limits>,
    /// The way the REST API misbehaves, if it does.
    hostile: Mutex<Option<Hostile>>,
    /// The way the registry misbehaves, if it does.
    hostile_registry: Mutex<Option<HostileRegistry>>,
    secondary_limits: Mutex<SecondaryLimits>,
    registry_tokens: Mutex<RegistryTokens>,
    /// Numbers requests for their ids.
    request_sequence: AtomicU64,
    pub clock: Clock,
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

    pub fn counters(&self) -> MutexGuard<'_, Counters> {
        lock(&self.counters)
    }

    pub fn in_flight(&self) -> MutexGuard<'_, BTreeMap<String, u64>> {
        lock(&self.in_flight)
    }

    pub fn fault_schedule(&self) -> MutexGuard<'_, FaultSchedule> {
        lock(&self.fault_schedule)
    }

    pub fn limits(&self) -> MutexGuard<'_, Limits> {
        lock(&self.limits)
    }

    pub fn hostile(&self) -> MutexGuard<'_, Option<Hostile>> {
        lock(&self.hostile)
    }

    pub fn hostile_registry(&self) -> MutexGuard<'_, Option<HostileRegistry>> {
        lock(&self.hostile_registry)
    }

    pub fn secondary_limits(&self) -> MutexGuard<'_, SecondaryLimits> {
        lock(&self.secondary_limits)
    }

    pub fn registry_tokens(&self) -> MutexGuard<'_, RegistryTokens> {
        lock(&self.registry_tokens)
    }
}

/// Locks a mutex, carrying on after a panic elsewhere: every operation leaves the data
/// consistent before anything can panic, and a fake that stops answering helps no test.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The whole service: the REST API at the root and under `/api/v3` and the registry, each with
/// its middleware, inside the request log.
pub(crate) fn router(app: App) -> Router {
    let api = routes(&app);
    let rest = Router::new()
        .merge(api.clone())
        .nest(ENTERPRISE_PREFIX, api)
        .fallback(not_found)
        // GitHub answers 404, not 405, to a method a route does not support.
        .method_not_allowed_fallback(not_found)
        .layer(middleware::from_fn_with_state(
            app.clone(),
            faults::inject_faults,
        ))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            limits::enforce_secondary_limits,
        ))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            caller::identify_and_charge,
        ))
        .layer(middleware::from_fn(envelope::json_content_type))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            hostile::misbehave,
        ));
    rest.merge(registry::router(app.clone()))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            envelope::record_request,
        ))
        .with_state(app)
}

/// GitHub's REST routes, relative to the API base URL. Each Packages handler is guarded by the
/// operation it performs, which decides what a token needs to reach it.
fn routes(app: &App) -> Router<App> {
    use crate::access::Operation;
    use access::guarded;
    use packages::*;

    let package = "/packages/{package_type}/{package_name}";
    let version = "/packages/{package_type}/{package_name}/versions/{package_version_id}";
    let per_owner = Router::new()
        .route(
            "/packages",
            get(guarded(app, Operation::ListPackages, list_packages)),
        )
        .route(
            package,
            get(guarded(app, Operation::GetPackage, get_package)).delete(guarded(
                app,
                Operation::DeletePackage,
                delete_package,
            )),
        )
        .route(
            &format!("{package}/restore"),
            post(guarded(app, Operation::RestorePackage, restore_package)),
        )
        .route(
            &format!("{package}/versions"),
            get(guarded(app, Operation::ListVersions, list_versions)),
        )
        .route(
            version,
            get(guarded(app, Operation::GetVersion, get_version)).delete(guarded(
                app,
                Operation::DeleteVersion,
                delete_version,
            )),
        )
        .route(
            &format!("{version}/restore"),
            post(guarded(app, Operation::RestoreVersion, restore_version)),
        )
        .route(
            "/docker/conflicts",
            get(guarded(app, Operation::DockerConflicts, docker_conflicts)),
        );

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
