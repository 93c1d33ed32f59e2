//! Carrying a plan out through the client, and collecting what happened to each version.
//!
//! A failed deletion never stops the others: every result is collected, so that whatever was
//! deleted before a failure is reported.

use futures::StreamExt;

use crate::actions::Runtime;
use crate::github::{ApiError, Client, Scope, VersionId};
use crate::policy::{Action, PackagePlan, Plan, Reason};
use crate::progress::Progress;

/// What happened to one version the plan deletes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Dry run: it would have been deleted.
    WouldDelete,
    Deleted,
    /// GitHub said 404 and a second look confirmed it is no longer active.
    AlreadyGone,
    /// Not attempted: the API budget ran low, or GitHub asked to wait longer than allowed; the
    /// next run will pick it up.
    Deferred,
    Failed(String),
}

impl Status {
    pub fn is_failure(&self) -> bool {
        matches!(self, Status::Failed(_))
    }

    /// The word used in outputs and reports.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::WouldDelete => "would-delete",
            Status::Deleted => "deleted",
            Status::AlreadyGone => "already-gone",
            Status::Deferred => "deferred",
            Status::Failed(_) => "failed",
        }
    }
}

/// The status of one planned deletion: `package` and `version` index into the plan.
#[derive(Debug, Clone)]
pub struct Executed {
    pub package: usize,
    pub version: usize,
    pub status: Status,
}

/// Everything the run did, in plan order.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub results: Vec<Executed>,
}

impl Outcome {
    /// A dry run: every planned deletion is reported as what would happen.
    pub fn dry_run(plan: &Plan) -> Outcome {
        let results = planned(plan)
            .map(|(package, version)| Executed {
                package,
                version,
                status: Status::WouldDelete,
            })
            .collect();
        Outcome { results }
    }

    pub fn failures(&self) -> impl Iterator<Item = &Executed> {
        self.results.iter().filter(|r| r.status.is_failure())
    }

    /// Deleted, already gone, or would be deleted in a dry run.
    pub fn done(&self) -> impl Iterator<Item = &Executed> {
        self.results
            .iter()
            .filter(|r| !r.status.is_failure() && r.status != Status::Deferred)
    }

    /// Left for the next run because the API budget ran low.
    pub fn deferred(&self) -> impl Iterator<Item = &Executed> {
        self.results.iter().filter(|r| r.status == Status::Deferred)
    }
}

/// The (package, version) indices of every planned deletion, oldest version first within a
/// package.
fn planned(plan: &Plan) -> impl Iterator<Item = (usize, usize)> + '_ {
    plan.packages
        .iter()
        .enumerate()
        .flat_map(|(p, package)| package_versions(package).map(move |v| (p, v)))
}

/// Deletes what the plan deletes: whole packages where the plan says so, else version by version.
pub async fn delete(client: &Client, scope: &Scope, plan: &Plan, runtime: &Runtime) -> Outcome {
    let mut results = Vec::new();

    // Whole packages first: one request takes all their versions.
    for (p, package) in plan.packages.iter().enumerate() {
        if !package.delete_package {
            continue;
        }
        let status = match client
            .delete_package(scope, package.package.package_type, &package.package.name)
            .await
        {
            Ok(()) => Status::Deleted,
            Err(err) => Status::Failed(err.to_string()),
        };
        results.extend(package_versions(package).map(|v| Executed {
            package: p,
            version: v,
            status: status.clone(),
        }));
    }

    let mut one_by_one: Vec<(usize, usize)> = planned(plan)
        .filter(|&(p, _)| !plan.packages[p].delete_package)
        .collect();
    one_by_one.sort_by_key(|&(p, v)| deletion_order(&plan.packages[p], v));
    let total = one_by_one.len();
    let progress = Progress::new(runtime, "Deleted", total);
    // The first deletion of each package goes alone: a permission 403 there means the others
    // would fail the same way, so they are not sent (they would spend the budget for nothing).
    let mut firsts = Vec::new();
    let mut rest = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for job in one_by_one {
        if seen.insert(job.0) {
            firsts.push(job);
        } else {
            rest.push(job);
        }
    }
    let concurrency = client.transport().settings().concurrency.max(1);
    let run = |jobs: Vec<(usize, usize)>| {
        futures::stream::iter(jobs)
            .map(|(p, v)| async move {
                let package = &plan.packages[p];
                // A deletion costs one request, two when a 404 must be confirmed.
                let (status, refused) = if client.transport().budget_short_of(2) {
                    (Status::Deferred, false)
                } else {
                    delete_version(client, scope, package, v).await
                };
                let executed = Executed {
                    package: p,
                    version: v,
                    status,
                };
                (executed, refused)
            })
            .buffer_unordered(concurrency)
            .inspect(|_| progress.tick())
            .collect::<Vec<(Executed, bool)>>()
    };
    let firsts = run(firsts).await;
    let denied: std::collections::HashMap<usize, String> = firsts
        .iter()
        .filter(|(_, refused)| *refused)
        .filter_map(|(e, _)| match &e.status {
            Status::Failed(error) => Some((e.package, error.clone())),
            _ => None,
        })
        .collect();
    let mut deleted: Vec<Executed> = firsts.into_iter().map(|(e, _)| e).collect();
    let (blocked, sendable): (Vec<_>, Vec<_>) =
        rest.into_iter().partition(|(p, _)| denied.contains_key(p));
    deleted.extend(blocked.into_iter().map(|(p, v)| Executed {
        package: p,
        version: v,
        status: Status::Failed(format!(
            "not sent: the first deletion in this package was refused ({})",
            denied[&p]
        )),
    }));
    deleted.extend(run(sendable).await.into_iter().map(|(e, _)| e));
    // Report in plan order whatever order the requests finished in.
    deleted.sort_by_key(|e| (e.package, std::cmp::Reverse(e.version)));
    results.extend(deleted);
    Outcome { results }
}

/// The indices of a package's planned deletions, oldest first.
fn package_versions(package: &PackagePlan) -> impl Iterator<Item = usize> + '_ {
    (0..package.versions.len())
        .rev()
        .filter(|&v| package.versions[v].action == Action::Delete)
}

/// Deletes one version; the flag says whether GitHub refused it for lack of permission.
async fn delete_version(
    client: &Client,
    scope: &Scope,
    package: &PackagePlan,
    v: usize,
) -> (Status, bool) {
    let (package_type, name) = (package.package.package_type, &package.package.name);
    let id = package.versions[v].version.id;
    match client.delete_version(scope, package_type, name, id).await {
        Ok(()) => (Status::Deleted, false),
        Err(err) if err.status() == Some(404) => {
            (confirm_gone(client, scope, package, v, err).await, false)
        }
        Err(err) if err.is_left_for_next_run() => (Status::Deferred, false),
        Err(err) => (Status::Failed(err.to_string()), err.is_permission_denied()),
    }
}

/// The order deletions are sent in, so that a run cut short by the API budget leaves the most
/// useful work done and nothing broken: independent untagged versions first, then tagged images,
/// oldest first; the parts of an image (platforms, attestations, signatures) right after the
/// image itself, so that an interrupted run leaves orphans, never an image missing a platform.
fn deletion_order(package: &PackagePlan, v: usize) -> (bool, jiff::Timestamp, VersionId, u8) {
    let version = &package.versions[v];
    let parent = version.reasons.iter().find_map(|reason| match reason {
        Reason::PartOfDeleted { image, .. } => package
            .versions
            .iter()
            .find(|p| p.version.name == image.digest),
        _ => None,
    });
    let (root, part) = match parent {
        Some(parent) => (parent, 1),
        None => (version, 0),
    };
    (
        !root.version.tags().is_empty(),
        root.version.updated_or_created(),
        root.version.id,
        part,
    )
}

/// GitHub also answers 404 to a DELETE when the token may see the package but not delete from
/// it: a 404 counts as "already gone" only once a GET shows the version is no longer active.
async fn confirm_gone(
    client: &Client,
    scope: &Scope,
    package: &PackagePlan,
    v: usize,
    delete_error: ApiError,
) -> Status {
    let (package_type, name) = (package.package.package_type, &package.package.name);
    let id = package.versions[v].version.id;
    match client.get_version(scope, package_type, name, id).await {
        Err(err) if err.status() == Some(404) => Status::AlreadyGone,
        Ok(_) => Status::Failed(format!(
            "{delete_error}; the version is still there, so the token may see the package but not \
             delete from it: give it `delete:packages` (PAT) or admin access to the package"
        )),
        Err(err) => Status::Failed(format!(
            "{delete_error}; checking whether it is gone: {err}"
        )),
    }
}

/// What happened to one version `restore` brings back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreStatus {
    /// Dry run: it would have been restored.
    WouldRestore,
    Restored,
    /// Active already, because something else restored it first.
    AlreadyActive,
    Failed(String),
}

impl RestoreStatus {
    pub fn is_failure(&self) -> bool {
        matches!(self, RestoreStatus::Failed(_))
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            RestoreStatus::WouldRestore => "would-restore",
            RestoreStatus::Restored => "restored",
            RestoreStatus::AlreadyActive => "already-active",
            RestoreStatus::Failed(_) => "failed",
        }
    }
}

/// GitHub's 404 to a restore, in words a user can act on.
const RESTORE_404: &str = "GitHub cannot restore it: versions and packages can be restored for 30 \
                           days after deletion, and only while no new package took the name";

/// Restores one version. A 404 is "already active" when a second look finds it active (another
/// run, or a person, restored it in the meantime), else it is past restoring.
pub async fn restore_version(
    client: &Client,
    scope: &Scope,
    package_type: crate::github::PackageType,
    package: &str,
    id: crate::github::VersionId,
) -> RestoreStatus {
    match client
        .restore_version(scope, package_type, package, id)
        .await
    {
        Ok(()) => RestoreStatus::Restored,
        Err(err) if err.status() == Some(404) => {
            match client.get_version(scope, package_type, package, id).await {
                Ok(_) => RestoreStatus::AlreadyActive,
                Err(_) => RestoreStatus::Failed(format!("{err}. {RESTORE_404}")),
            }
        }
        Err(err) => RestoreStatus::Failed(err.to_string()),
    }
}

/// Restores a whole package, or finds it active already.
pub async fn restore_package(
    client: &Client,
    scope: &Scope,
    package_type: crate::github::PackageType,
    package: &str,
) -> RestoreStatus {
    match client
        .restore_package(scope, package_type, package, None)
        .await
    {
        Ok(()) => RestoreStatus::Restored,
        Err(err) if err.status() == Some(404) => {
            match client.get_package(scope, package_type, package).await {
                Ok(_) => RestoreStatus::AlreadyActive,
                Err(_) => RestoreStatus::Failed(format!("{err}. {RESTORE_404}")),
            }
        }
        Err(err) => RestoreStatus::Failed(err.to_string()),
    }
}
