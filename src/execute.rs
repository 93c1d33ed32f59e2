//! Carrying a plan out through the client, and collecting what happened to each version.
//!
//! A failed deletion never stops the others: every result is collected, so that whatever was
//! deleted before a failure is reported.

use std::collections::{HashMap, HashSet};

use futures::StreamExt;

use crate::actions::Runtime;
use crate::cancel::{Cancellation, Signal};
use crate::github::{ApiError, Client, Scope, VersionState};
use crate::journal::{Entry, Journal, SentVersion};
use crate::model::VersionId;
use crate::plan::{Action, PackagePlan, Plan, Reason};
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
    /// What went differently from the plan, for the warnings.
    pub notes: Vec<String>,
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
        Outcome {
            results,
            notes: Vec::new(),
        }
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

/// Deletes what the plan deletes: whole packages where the plan says so and the package is
/// still as it was listed, else version by version.
///
/// Versions go in waves: a part of an image (platform manifest, attestation, signature) is
/// sent only once every image it belongs to that the plan deletes is gone, so that a failed
/// image deletion never leaves an image that resolves but cannot be pulled.
///
/// At the first signal of `cancellation` nothing more is sent; what was sent may finish for a
/// short grace. Every request that may delete something is in `journal` before it leaves.
pub async fn delete(
    client: &Client,
    scope: &Scope,
    plan: &Plan,
    runtime: &Runtime,
    journal: &Journal,
    cancellation: &Cancellation,
) -> Outcome {
    let mut results = Vec::new();
    let mut notes = Vec::new();
    let mut one_by_one: Vec<Job> = Vec::new();
    for (p, package) in plan.packages.iter().enumerate() {
        if package.delete_package {
            match still_as_listed(client, scope, package).await {
                Ok(()) => {
                    let status =
                        delete_whole_package(client, scope, package, journal, cancellation).await;
                    results.extend(package_versions(package).map(|v| Executed {
                        package: p,
                        version: v,
                        status: status.clone(),
                    }));
                    continue;
                }
                Err(why) => notes.push(format!(
                    "{} was not deleted as a whole package: {why}; its planned versions were \
                     deleted one by one instead",
                    package.package.name
                )),
            }
        }
        one_by_one.extend(package_versions(package).map(|v| (p, v)));
    }

    one_by_one.sort_by_key(|&(p, v)| deletion_order(&plan.packages[p], v));
    let parents = planned_parents(plan, &one_by_one);
    // Counted by `Status::as_str`, so that the log says "0 deleted, 3 failed", never
    // "Deleted 3 of 3" when all three failed.
    let progress = Progress::new(runtime, "Deletions", one_by_one.len()).counting(&[
        "deleted",
        "already-gone",
        "failed",
        "deferred",
    ]);
    let mut sender = Sender {
        client,
        scope,
        plan,
        progress: &progress,
        concurrency: client.transport().settings().concurrency.max(1),
        journal,
        cancellation,
        probed: HashSet::new(),
        denied: HashMap::new(),
    };
    let statuses = delete_in_waves(&mut sender, one_by_one, &parents).await;
    progress.finish();
    drop(progress);

    let mut deleted: Vec<Executed> = statuses
        .into_iter()
        .map(|((package, version), status)| Executed {
            package,
            version,
            status,
        })
        .collect();
    // Report in plan order whatever order the requests finished in.
    deleted.sort_by_key(|e| (e.package, std::cmp::Reverse(e.version)));
    results.extend(deleted);
    Outcome { results, notes }
}

/// Sends `jobs` wave after wave: each wave holds what no unsent image still holds back; a part
/// whose image failed, was deferred or was not sent stays, with that said.
async fn delete_in_waves(
    sender: &mut Sender<'_>,
    jobs: Vec<Job>,
    parents: &HashMap<Job, Vec<Job>>,
) -> HashMap<Job, Status> {
    let mut statuses: HashMap<Job, Status> = HashMap::new();
    let mut waiting = jobs;
    while !waiting.is_empty() {
        if let Some(signal) = sender.cancellation.signal() {
            for job in waiting.drain(..) {
                let status = not_sent(signal);
                sender.progress.record(status.as_str());
                statuses.insert(job, status);
            }
            break;
        }
        let mut ready = Vec::new();
        let mut later = Vec::new();
        let mut settled = false;
        for job in waiting {
            match wave_state(sender.plan, &parents[&job], &statuses) {
                ParentsState::Pending => later.push(job),
                ParentsState::Gone => ready.push(job),
                ParentsState::Blocked(status) => {
                    sender.progress.record(status.as_str());
                    statuses.insert(job, status);
                    settled = true;
                }
            }
        }
        if ready.is_empty() && !settled {
            // Only tags can make parts claim each other in a circle; the plan deletes them all,
            // so send them rather than wait forever.
            ready = std::mem::take(&mut later);
        }
        statuses.extend(sender.send(ready).await);
        waiting = later;
    }
    statuses
}

/// A planned deletion: (package, version) indices into the plan.
type Job = (usize, usize);

/// For each job, the jobs of the images it belongs to that this run deletes one by one.
fn planned_parents(plan: &Plan, jobs: &[Job]) -> HashMap<Job, Vec<Job>> {
    let planned: HashSet<Job> = jobs.iter().copied().collect();
    let mut by_digest: HashMap<(usize, &str), usize> = HashMap::new();
    for &(p, v) in jobs {
        by_digest.insert((p, plan.packages[p].versions[v].version.name.as_str()), v);
    }
    jobs.iter()
        .map(|&(p, v)| {
            let parents = plan.packages[p].versions[v]
                .belongs_to
                .iter()
                .filter_map(|digest| by_digest.get(&(p, digest.as_str())))
                .map(|&parent| (p, parent))
                .filter(|parent| planned.contains(parent) && *parent != (p, v))
                .collect();
            ((p, v), parents)
        })
        .collect()
}

enum ParentsState {
    /// An image it belongs to has not been sent yet.
    Pending,
    /// Every image it belongs to is gone (or it belongs to none): it may go.
    Gone,
    /// An image it belongs to is still there: the part stays, with this status.
    Blocked(Status),
}

fn wave_state(plan: &Plan, parents: &[Job], statuses: &HashMap<Job, Status>) -> ParentsState {
    let mut blocked = None;
    for parent in parents {
        match statuses.get(parent) {
            None => return ParentsState::Pending,
            Some(Status::Deleted | Status::AlreadyGone) => {}
            Some(Status::Deferred) => {
                blocked.get_or_insert(Status::Deferred);
            }
            Some(Status::Failed(_) | Status::WouldDelete) => {
                let image = &plan.packages[parent.0].versions[parent.1].version;
                let name = image.tags().first().cloned().unwrap_or(image.name.clone());
                blocked = Some(Status::Failed(format!(
                    "kept: its image {name} could not be deleted, and an image keeps its parts"
                )));
            }
        }
    }
    blocked.map_or(ParentsState::Gone, ParentsState::Blocked)
}

/// Sends deletions, with a concurrency cap, and remembers packages whose first deletion was
/// refused for lack of permission.
struct Sender<'a> {
    client: &'a Client,
    scope: &'a Scope,
    plan: &'a Plan,
    progress: &'a Progress<'a>,
    concurrency: usize,
    journal: &'a Journal,
    cancellation: &'a Cancellation,
    /// Packages whose first deletion has been sent.
    probed: HashSet<usize>,
    /// Packages whose first deletion was refused, with GitHub's answer.
    denied: HashMap<usize, String>,
}

impl Sender<'_> {
    /// The first deletion of each package goes alone: a permission 403 there means the others
    /// would fail the same way, so they are not sent (they would spend the budget for nothing).
    async fn send(&mut self, jobs: Vec<Job>) -> Vec<(Job, Status)> {
        let mut probes = Vec::new();
        let mut rest = Vec::new();
        for job in jobs {
            if self.probed.insert(job.0) {
                probes.push(job);
            } else {
                rest.push(job);
            }
        }
        let mut done = Vec::new();
        for (job, status, refused) in self.run(probes).await {
            if let (true, Status::Failed(error)) = (refused, &status) {
                self.denied.insert(job.0, error.clone());
            }
            done.push((job, status));
        }
        let (blocked, sendable): (Vec<Job>, Vec<Job>) = rest
            .into_iter()
            .partition(|job| self.denied.contains_key(&job.0));
        for job in blocked {
            let status = Status::Failed(format!(
                "not sent: the first deletion in this package was refused ({})",
                self.denied[&job.0]
            ));
            self.progress.record(status.as_str());
            done.push((job, status));
        }
        done.extend(
            self.run(sendable)
                .await
                .into_iter()
                .map(|(job, status, _)| (job, status)),
        );
        done
    }

    async fn run(&self, jobs: Vec<Job>) -> Vec<(Job, Status, bool)> {
        let (client, scope, plan) = (self.client, self.scope, self.plan);
        let (journal, cancellation) = (self.journal, self.cancellation);
        futures::stream::iter(jobs)
            .map(|(p, v)| async move {
                let package = &plan.packages[p];
                let version = &package.versions[v].version;
                // A deletion costs one request, two when a 404 must be confirmed.
                let (status, refused) = if let Some(signal) = cancellation.signal() {
                    (not_sent(signal), false)
                } else if client.transport().budget_short_of(2) {
                    (Status::Deferred, false)
                } else {
                    journal.record(&Entry::Sending {
                        package: package.package.name.clone(),
                        id: version.id,
                        name: version.name.clone(),
                    });
                    let answer = tokio::select! {
                        answer = delete_version(client, scope, package, v) => answer,
                        () = cancellation.grace_over() => (in_flight(), false),
                    };
                    journal.record(&outcome_entry(&package.package.name, version.id, &answer.0));
                    answer
                };
                ((p, v), status, refused)
            })
            .buffer_unordered(self.concurrency)
            .inspect(|(_, status, _)| self.progress.record(status.as_str()))
            .collect()
            .await
    }
}

/// Deletes a whole package, journalled like a version.
async fn delete_whole_package(
    client: &Client,
    scope: &Scope,
    package: &PackagePlan,
    journal: &Journal,
    cancellation: &Cancellation,
) -> Status {
    if let Some(signal) = cancellation.signal() {
        return not_sent(signal);
    }
    let name = &package.package.name;
    journal.record(&Entry::SendingPackage {
        package: name.clone(),
        versions: package
            .deletions()
            .map(|v| SentVersion {
                id: v.version.id,
                name: v.version.name.clone(),
            })
            .collect(),
    });
    let status = tokio::select! {
        answer = client.delete_package(scope, package.package.package_type, name) => match answer {
            Ok(()) => Status::Deleted,
            Err(err) => Status::Failed(err.to_string()),
        },
        () = cancellation.grace_over() => in_flight(),
    };
    for version in package.deletions() {
        journal.record(&outcome_entry(name, version.version.id, &status));
    }
    status
}

fn outcome_entry(package: &str, id: VersionId, status: &Status) -> Entry {
    Entry::Outcome {
        package: package.to_string(),
        id,
        status: status.as_str().to_string(),
        error: match status {
            Status::Failed(error) => Some(error.clone()),
            _ => None,
        },
    }
}

/// The status of a deletion a cancelled run did not send.
fn not_sent(signal: Signal) -> Status {
    Status::Failed(signal.not_sent())
}

/// The status of a deletion whose answer a cancelled run did not wait for.
fn in_flight() -> Status {
    Status::Failed(
        "cancelled while the request was in flight: it may have been deleted; `undo` with the \
         journal restores it if so"
            .to_string(),
    )
}

/// Whether a package that the plan deletes whole still holds exactly the versions the plan
/// deletes: a version pushed since the listing would go with the package, unplanned and
/// unreported. (What is pushed between this check and the DELETE still races; the window is
/// one request long instead of the whole run.)
async fn still_as_listed(
    client: &Client,
    scope: &Scope,
    package: &PackagePlan,
) -> Result<(), String> {
    let (package_type, name) = (package.package.package_type, &package.package.name);
    let now = client
        .list_versions(scope, package_type, name, VersionState::Active)
        .await
        .map_err(|err| format!("could not list its versions again to check ({err})"))?;
    let planned: HashSet<VersionId> = package.deletions().map(|v| v.version.id).collect();
    let unplanned: Vec<String> = now
        .iter()
        .filter(|v| !planned.contains(&v.id))
        .map(|v| v.name.clone())
        .collect();
    if unplanned.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} version(s) arrived after it was listed ({})",
            unplanned.len(),
            unplanned.join(", ")
        ))
    }
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
fn deletion_order(
    package: &PackagePlan,
    v: usize,
) -> (bool, crate::model::Timestamp, VersionId, u8) {
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
        !root.version.tags().is_untagged(),
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
    package_type: crate::model::PackageType,
    package: &str,
    id: crate::model::VersionId,
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

/// What [`restore_package`] would do, for a dry run: a package that GitHub serves is active
/// already (the real run's POST is answered 404 and the same GET finds it), one it does not
/// serve would be restored.
pub async fn preview_restore_package(
    client: &Client,
    scope: &Scope,
    package_type: crate::model::PackageType,
    package: &str,
) -> RestoreStatus {
    match client.get_package(scope, package_type, package).await {
        Ok(_) => RestoreStatus::AlreadyActive,
        Err(err) if err.status() == Some(404) => RestoreStatus::WouldRestore,
        Err(err) => RestoreStatus::Failed(err.to_string()),
    }
}

/// Restores a whole package, or finds it active already.
pub async fn restore_package(
    client: &Client,
    scope: &Scope,
    package_type: crate::model::PackageType,
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
