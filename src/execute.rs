//! Carrying a plan out: one runner for deletions and restores, of versions and of whole
//! packages, and what happened to each.
//!
//! Deletions and restores go the same way: as many requests at once as `concurrency` allows;
//! none once the hourly API budget runs low (they are left for the next run); no more in a
//! package once GitHub refused its first for lack of permission; nothing new after a signal,
//! and what is in flight is given a short grace. A failed request never stops the others: every
//! result is collected, so that whatever was done before a failure is reported.

use std::collections::{HashMap, HashSet};

use futures::StreamExt;

use crate::actions::Runtime;
use crate::cancel::{Cancellation, Signal};
use crate::github::{ApiError, Client, Scope, VersionState};
use crate::journal::{Entry, Journal, SentVersion};
use crate::listing::images;
use crate::model::{PackageType, PackageVersion, VersionId};
use crate::plan::restore::{self, RestorePlan};
use crate::plan::{Action, PackagePlan, Plan, Reason};
use crate::progress::Progress;
use crate::registry::{self, RegistryClient};

/// What the runner does to versions and packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Delete,
    Restore,
}

impl Op {
    /// What one request is called in messages: `deletion`, `restore`.
    pub fn noun(self) -> &'static str {
        match self {
            Op::Delete => "deletion",
            Op::Restore => "restore",
        }
    }

    /// What the progress lines count.
    fn progress_label(self) -> &'static str {
        match self {
            Op::Delete => "Deletions",
            Op::Restore => "Restores",
        }
    }
}

/// What happened to one version (or package) the runner deleted or restored. One type for both
/// operations: the runner treats them alike, and only the words differ ([`Status::word`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Dry run: it would have been deleted (restored).
    WouldDo,
    /// Deleted (restored).
    Done,
    /// Already as asked: a deletion found it gone, a restore found it active. GitHub answered
    /// 404 and a second look confirmed it.
    AlreadyDone,
    /// Not sent: the API budget ran low, or GitHub asked to wait longer than allowed; the next
    /// run will pick it up.
    Deferred,
    Failed(String),
}

impl Status {
    pub fn is_failure(&self) -> bool {
        matches!(self, Status::Failed(_))
    }

    /// Done, already as asked, or would be done in a dry run: neither failed nor left for later.
    pub fn is_done(&self) -> bool {
        matches!(self, Status::WouldDo | Status::Done | Status::AlreadyDone)
    }

    /// The word used in outputs and reports: `deleted`, `already-active`, `deferred`…
    pub fn word(&self, op: Op) -> &'static str {
        match (self, op) {
            (Status::WouldDo, Op::Delete) => "would-delete",
            (Status::WouldDo, Op::Restore) => "would-restore",
            (Status::Done, Op::Delete) => "deleted",
            (Status::Done, Op::Restore) => "restored",
            (Status::AlreadyDone, Op::Delete) => "already-gone",
            (Status::AlreadyDone, Op::Restore) => "already-active",
            (Status::Deferred, _) => "deferred",
            (Status::Failed(_), _) => "failed",
        }
    }
}

/// The status of one version: `package` and `version` index into the plan.
#[derive(Debug, Clone)]
pub struct Executed {
    pub package: usize,
    pub version: usize,
    pub status: Status,
}

/// A whole package deleted or restored (or not).
#[derive(Debug, Clone)]
pub struct PackageExecuted {
    pub name: String,
    pub package_type: PackageType,
    pub status: Status,
}

/// Everything a run did to versions, in plan order.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub results: Vec<Executed>,
    /// What went differently from the plan, for the warnings.
    pub notes: Vec<String>,
}

impl Outcome {
    /// A dry run: every planned deletion is reported as what would happen.
    pub fn dry_run(plan: &Plan) -> Outcome {
        Outcome::would_do(planned(plan))
    }

    /// A dry run of a restore: every planned restore is reported as what would happen.
    pub fn dry_run_restore(plan: &RestorePlan) -> Outcome {
        Outcome::would_do(restore_keys(plan))
    }

    /// A dry run of `jobs`: (package, version) indices into a plan.
    fn would_do(jobs: impl IntoIterator<Item = (usize, usize)>) -> Outcome {
        let results = jobs
            .into_iter()
            .map(|(package, version)| Executed {
                package,
                version,
                status: Status::WouldDo,
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

    /// Done, already as asked, or would be done in a dry run.
    pub fn done(&self) -> impl Iterator<Item = &Executed> {
        self.results.iter().filter(|r| r.status.is_done())
    }

    /// Left for the next run because the API budget ran low.
    pub fn deferred(&self) -> impl Iterator<Item = &Executed> {
        self.results.iter().filter(|r| r.status == Status::Deferred)
    }
}

/// One version for the runner: where it is, and what must be done before it.
#[derive(Debug, Clone)]
pub struct Job {
    /// Indices into the caller's plan, handed back with the status. Versions with the same
    /// `package` are one package for the permission stop.
    pub package: usize,
    pub version: usize,
    pub package_type: PackageType,
    pub package_name: String,
    pub id: VersionId,
    pub name: String,
    /// How a message names this version when it holds others back: its first tag, else its name.
    pub label: String,
    /// Jobs (package, version) that must be done before this one is sent; if one of them fails
    /// or is left for later, this one stays too. A part of an image waits for its image.
    pub after: Vec<(usize, usize)>,
}

impl Job {
    /// The job for version `v` of package `p`, named by its first tag, else its name.
    fn new(
        (p, v): (usize, usize),
        package_type: PackageType,
        package_name: &str,
        version: &PackageVersion,
        after: Vec<(usize, usize)>,
    ) -> Job {
        Job {
            package: p,
            version: v,
            package_type,
            package_name: package_name.to_string(),
            id: version.id,
            name: version.name.clone(),
            label: version
                .tags()
                .first()
                .cloned()
                .unwrap_or(version.name.clone()),
            after,
        }
    }

    fn key(&self) -> (usize, usize) {
        (self.package, self.version)
    }
}

/// Sends deletions or restores: the one place that decides how many go at once, when the budget
/// is too low to send, and which packages refused.
pub struct Runner<'a> {
    op: Op,
    client: &'a Client,
    scope: &'a Scope,
    runtime: &'a Runtime,
    cancellation: &'a Cancellation,
    /// Where each request that may delete something is written before it leaves (deletions).
    journal: Option<&'a Journal>,
    /// Whether [`Runner::run`] logs progress lines.
    logs_progress: bool,
    concurrency: usize,
    /// Packages whose first request has been sent.
    probed: HashSet<usize>,
    /// Packages whose first request was refused for lack of permission, with GitHub's answer.
    denied: HashMap<usize, String>,
}

impl<'a> Runner<'a> {
    /// A runner sending as many requests at once as the client's `concurrency`.
    pub fn new(
        op: Op,
        client: &'a Client,
        scope: &'a Scope,
        runtime: &'a Runtime,
        cancellation: &'a Cancellation,
    ) -> Runner<'a> {
        Runner {
            op,
            client,
            scope,
            runtime,
            cancellation,
            journal: None,
            logs_progress: false,
            concurrency: client.transport().settings().concurrency.max(1),
            probed: HashSet::new(),
            denied: HashMap::new(),
        }
    }

    /// Records every request in `journal` before it leaves, and its answer after.
    pub fn journaling(mut self, journal: &'a Journal) -> Runner<'a> {
        self.journal = Some(journal);
        self
    }

    /// Logs progress while [`Runner::run`] sends: a line every few seconds in Actions, a bar
    /// at a terminal, and where it ended. Meant for work whose size is known when it starts: a
    /// restore finds the parts of its images wave after wave, so its total is not.
    pub fn logging_progress(mut self) -> Runner<'a> {
        self.logs_progress = true;
        self
    }

    /// Sends `jobs`, wave after wave: each wave holds what no unsent job it waits for still holds
    /// back; a job whose forerunner failed, was deferred or was not sent stays, with that said.
    /// Returns a status for every job, in no particular order.
    pub async fn run(&mut self, jobs: Vec<Job>) -> Vec<Executed> {
        let op = self.op;
        // Counted by word, so that the log says "0 deleted, 3 failed", never "Deleted 3 of 3"
        // when all three failed.
        let progress = self.logs_progress.then(|| {
            Progress::new(self.runtime, op.progress_label(), jobs.len()).counting(&[
                Status::Done.word(op),
                Status::AlreadyDone.word(op),
                "failed",
                "deferred",
            ])
        });
        let progress = progress.as_ref();
        let labels: HashMap<(usize, usize), String> =
            jobs.iter().map(|j| (j.key(), j.label.clone())).collect();
        let mut statuses: HashMap<(usize, usize), Status> = HashMap::new();
        let mut waiting = jobs;
        while !waiting.is_empty() {
            if let Some(signal) = self.cancellation.signal() {
                for job in waiting.drain(..) {
                    let status = not_sent(signal);
                    record(progress, status.word(op));
                    statuses.insert(job.key(), status);
                }
                break;
            }
            let mut ready = Vec::new();
            let mut later = Vec::new();
            let mut settled = false;
            for job in waiting {
                match wave_state(op, &job.after, &statuses, &labels) {
                    WaveState::Pending => later.push(job),
                    WaveState::Ready => ready.push(job),
                    WaveState::Blocked(status) => {
                        record(progress, status.word(op));
                        statuses.insert(job.key(), status);
                        settled = true;
                    }
                }
            }
            if ready.is_empty() && !settled {
                // Only tags can make parts claim each other in a circle; the plan deletes them
                // all, so send them rather than wait forever.
                ready = std::mem::take(&mut later);
            }
            statuses.extend(self.send(ready, progress).await);
            waiting = later;
        }
        if let Some(progress) = progress {
            progress.finish();
        }
        statuses
            .into_iter()
            .map(|((package, version), status)| Executed {
                package,
                version,
                status,
            })
            .collect()
    }

    /// The first request of each package goes alone: a permission 403 there means the others
    /// would fail the same way, so they are not sent (they would spend the budget for nothing).
    async fn send(
        &mut self,
        jobs: Vec<Job>,
        progress: Option<&Progress<'_>>,
    ) -> Vec<((usize, usize), Status)> {
        let (probes, rest): (Vec<Job>, Vec<Job>) = jobs
            .into_iter()
            .partition(|job| self.probed.insert(job.package));
        let mut done = Vec::new();
        for (job, status, refused) in self.send_all(probes, progress).await {
            if let (true, Status::Failed(error)) = (refused, &status) {
                self.denied.insert(job.0, error.clone());
            }
            done.push((job, status));
        }
        let (blocked, sendable): (Vec<Job>, Vec<Job>) = rest
            .into_iter()
            .partition(|job| self.denied.contains_key(&job.package));
        for job in blocked {
            let status = Status::Failed(format!(
                "not sent: the first {} in this package was refused ({})",
                self.op.noun(),
                self.denied[&job.package]
            ));
            record(progress, status.word(self.op));
            done.push((job.key(), status));
        }
        done.extend(
            self.send_all(sendable, progress)
                .await
                .into_iter()
                .map(|(job, status, _)| (job, status)),
        );
        done
    }

    /// Sends `jobs`, `concurrency` at a time; the flag says whether GitHub refused one for lack
    /// of permission.
    async fn send_all(
        &self,
        jobs: Vec<Job>,
        progress: Option<&Progress<'_>>,
    ) -> Vec<((usize, usize), Status, bool)> {
        let op = self.op;
        futures::stream::iter(jobs)
            .map(|job| async move {
                let (status, refused) = self.send_one(&job).await;
                (job.key(), status, refused)
            })
            .buffer_unordered(self.concurrency)
            .inspect(|(_, status, _)| record(progress, status.word(op)))
            .collect()
            .await
    }

    async fn send_one(&self, job: &Job) -> (Status, bool) {
        if let Some(signal) = self.cancellation.signal() {
            return (not_sent(signal), false);
        }
        // A request costs one call, two when a 404 must be looked at again.
        if self.client.transport().budget_short_of(2) {
            return (Status::Deferred, false);
        }
        self.record(|| Entry::Sending {
            package: job.package_name.clone(),
            id: job.id,
            name: job.name.clone(),
        });
        let answer = tokio::select! {
            answer = self.request(job) => answer,
            () = self.cancellation.grace_over() => (in_flight(self.op), false),
        };
        self.record(|| outcome_entry(self.op, &job.package_name, job.id, &answer.0));
        answer
    }

    /// One DELETE or POST …/restore, and a second look at a 404.
    async fn request(&self, job: &Job) -> (Status, bool) {
        let (client, scope) = (self.client, self.scope);
        let (package_type, name, id) = (job.package_type, job.package_name.as_str(), job.id);
        let answer = match self.op {
            Op::Delete => client.delete_version(scope, package_type, name, id).await,
            Op::Restore => client.restore_version(scope, package_type, name, id).await,
        };
        match answer {
            Ok(()) => (Status::Done, false),
            Err(err) if err.status() == Some(404) => {
                let look = client.get_version(scope, package_type, name, id).await;
                (self.after_404(err, look.map(drop)), false)
            }
            Err(err) if err.is_left_for_next_run() => (Status::Deferred, false),
            Err(err) => (Status::Failed(err.to_string()), err.is_permission_denied()),
        }
    }

    /// What a 404 meant, from a second look (a GET) at the version or package.
    ///
    /// GitHub also answers 404 to a DELETE when the token may see the package but not delete
    /// from it: a 404 counts as "already gone" only once the GET shows it is no longer active.
    /// A 404 to a restore is "already active" when the GET finds it (another run, or a person,
    /// restored it in the meantime), else it is past restoring.
    fn after_404(&self, answer: ApiError, look: Result<(), ApiError>) -> Status {
        match (self.op, look) {
            (Op::Delete, Err(err)) if err.status() == Some(404) => Status::AlreadyDone,
            (Op::Delete, Ok(())) => Status::Failed(format!(
                "{answer}; the version is still there, so the token may see the package but not \
                 delete from it: give it `delete:packages` (PAT) or admin access to the package"
            )),
            (Op::Delete, Err(err)) => {
                Status::Failed(format!("{answer}; checking whether it is gone: {err}"))
            }
            (Op::Restore, Ok(())) => Status::AlreadyDone,
            (Op::Restore, Err(_)) => Status::Failed(format!("{answer}. {RESTORE_404}")),
        }
    }

    /// What [`Runner::package`] would do, for a dry run. A deletion would delete. A restore asks
    /// GitHub: a package it serves is active already (the real run's POST is answered 404 and
    /// the same GET finds it), one it does not serve would be restored.
    pub async fn preview_package(&self, package_type: PackageType, name: &str) -> Status {
        if self.op == Op::Delete {
            return Status::WouldDo;
        }
        match self
            .client
            .get_package(self.scope, package_type, name)
            .await
        {
            Ok(_) => Status::AlreadyDone,
            Err(err) if err.status() == Some(404) => Status::WouldDo,
            Err(err) => Status::Failed(err.to_string()),
        }
    }

    /// Deletes or restores a whole package. A deletion is journalled like its `versions`.
    pub async fn package(
        &self,
        package_type: PackageType,
        name: &str,
        versions: &[SentVersion],
    ) -> Status {
        if let Some(signal) = self.cancellation.signal() {
            return not_sent(signal);
        }
        // One request, two when a 404 must be looked at again.
        if self.client.transport().budget_short_of(2) {
            return Status::Deferred;
        }
        if self.op == Op::Restore {
            self.runtime.info(&format!("Restoring the package {name}"));
        }
        self.record(|| Entry::SendingPackage {
            package: name.to_string(),
            versions: versions.to_vec(),
        });
        let (client, scope) = (self.client, self.scope);
        let request = async {
            let answer = match self.op {
                Op::Delete => client.delete_package(scope, package_type, name).await,
                Op::Restore => {
                    client
                        .restore_package(scope, package_type, name, None)
                        .await
                }
            };
            match answer {
                Ok(()) => Status::Done,
                Err(err) if err.status() == Some(404) && self.op == Op::Restore => {
                    match client.get_package(scope, package_type, name).await {
                        Ok(_) => Status::AlreadyDone,
                        Err(_) => Status::Failed(format!("{err}. {RESTORE_404}")),
                    }
                }
                Err(err) if err.is_left_for_next_run() => Status::Deferred,
                Err(err) => Status::Failed(err.to_string()),
            }
        };
        let status = tokio::select! {
            status = request => status,
            () = self.cancellation.grace_over() => in_flight(self.op),
        };
        for version in versions {
            self.record(|| outcome_entry(self.op, name, version.id, &status));
        }
        status
    }

    fn record(&self, entry: impl FnOnce() -> Entry) {
        if let Some(journal) = self.journal {
            journal.record(&entry());
        }
    }
}

/// Counts one job that ended as `word` in the progress, if progress is logged.
fn record(progress: Option<&Progress<'_>>, word: &'static str) {
    if let Some(progress) = progress {
        progress.record(word);
    }
}

enum WaveState {
    /// A job it waits for has not been sent yet.
    Pending,
    /// Every job it waits for is done (or it waits for none): it may go.
    Ready,
    /// A job it waits for is not done: it stays, with this status.
    Blocked(Status),
}

fn wave_state(
    op: Op,
    after: &[(usize, usize)],
    statuses: &HashMap<(usize, usize), Status>,
    labels: &HashMap<(usize, usize), String>,
) -> WaveState {
    let mut blocked = None;
    for first in after {
        match statuses.get(first) {
            None => return WaveState::Pending,
            Some(Status::Done | Status::AlreadyDone) => {}
            Some(Status::Deferred) => {
                blocked.get_or_insert(Status::Deferred);
            }
            Some(Status::Failed(_) | Status::WouldDo) => {
                let name = labels.get(first).map_or("", String::as_str);
                blocked = Some(Status::Failed(match op {
                    Op::Delete => format!(
                        "kept: its image {name} could not be deleted, and an image keeps its parts"
                    ),
                    Op::Restore => format!("not sent: {name} could not be restored first"),
                }));
            }
        }
    }
    blocked.map_or(WaveState::Ready, WaveState::Blocked)
}

fn outcome_entry(op: Op, package: &str, id: VersionId, status: &Status) -> Entry {
    Entry::Outcome {
        package: package.to_string(),
        id,
        status: status.word(op).to_string(),
        error: match status {
            Status::Failed(error) => Some(error.clone()),
            _ => None,
        },
    }
}

/// The status of a request a cancelled run did not send.
fn not_sent(signal: Signal) -> Status {
    Status::Failed(signal.not_sent())
}

/// The status of a request whose answer a cancelled run did not wait for.
fn in_flight(op: Op) -> Status {
    Status::Failed(match op {
        Op::Delete => "cancelled while the request was in flight: it may have been deleted; \
                       `undo` with the journal restores it if so"
            .to_string(),
        Op::Restore => {
            "cancelled while the request was in flight: it may have been restored".to_string()
        }
    })
}

/// Why the run stopped sending before the end, when a server asked for a longer wait than
/// allowed: what was not done is left for the next run.
pub fn stopped_early(client: &Client) -> Option<String> {
    client.transport().refused_wait().map(|refused| {
        format!(
            "Stopped early: {refused}. What was not done is left for the next run \
             (`remaining-count`)"
        )
    })
}

// Deleting.

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
pub async fn delete(runner: &mut Runner<'_>, plan: &Plan) -> Outcome {
    let mut results = Vec::new();
    let mut notes = Vec::new();
    let mut one_by_one: Vec<(usize, usize)> = Vec::new();
    for (p, package) in plan.packages.iter().enumerate() {
        if package.delete_package {
            match still_as_listed(runner.client, runner.scope, package).await {
                Ok(()) => {
                    let versions: Vec<SentVersion> = package
                        .deletions()
                        .map(|v| SentVersion {
                            id: v.version.id,
                            name: v.version.name.clone(),
                        })
                        .collect();
                    let (package_type, name) =
                        (package.package.package_type, &package.package.name);
                    let status = runner.package(package_type, name, &versions).await;
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
    let jobs = one_by_one
        .iter()
        .map(|&(p, v)| {
            let package = &plan.packages[p];
            Job::new(
                (p, v),
                package.package.package_type,
                &package.package.name,
                &package.versions[v].version,
                parents[&(p, v)].clone(),
            )
        })
        .collect();
    let mut deleted = runner.run(jobs).await;
    // Report in plan order whatever order the requests finished in.
    deleted.sort_by_key(|e| (e.package, std::cmp::Reverse(e.version)));
    results.extend(deleted);
    Outcome { results, notes }
}

/// For each deletion, the deletions of the images it belongs to that this run deletes one by
/// one.
fn planned_parents(
    plan: &Plan,
    jobs: &[(usize, usize)],
) -> HashMap<(usize, usize), Vec<(usize, usize)>> {
    let planned: HashSet<(usize, usize)> = jobs.iter().copied().collect();
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

// Restoring.

/// GitHub's 404 to a restore, in words a user can act on.
const RESTORE_404: &str = "GitHub cannot restore it: versions and packages can be restored for 30 \
                           days after deletion, and only while no new package took the name";

/// Restores every version the plan restores; with `parts`, then the parts of each image
/// restored, wave after wave: an image's parts can only be found once the registry serves its
/// manifest again, that is once the image is back. Parts found are added to the plan.
pub async fn restore(
    runner: &mut Runner<'_>,
    plan: &mut RestorePlan,
    parts: Option<&ImageParts<'_>>,
) -> Outcome {
    let mut outcome = Outcome::default();
    let mut wave: Vec<(usize, usize)> = restore_keys(plan).collect();
    loop {
        let results = runner.run(restore_jobs(plan, &wave)).await;
        let restored: Vec<(usize, usize)> = results
            .iter()
            .filter(|r| r.status == Status::Done)
            .map(|r| (r.package, r.version))
            .collect();
        outcome.results.extend(results);
        let Some(parts) = parts else { break };
        if restored.is_empty() || runner.cancellation.is_cancelled() {
            break;
        }
        wave = parts.add_to(plan, &restored, &mut outcome.notes).await;
    }
    outcome.results.sort_by_key(|r| (r.package, r.version));
    outcome
}

/// The (package, version) indices of every version the plan restores.
fn restore_keys(plan: &RestorePlan) -> impl Iterator<Item = (usize, usize)> + '_ {
    plan.packages
        .iter()
        .enumerate()
        .flat_map(|(p, package)| (0..package.versions.len()).map(move |v| (p, v)))
}

fn restore_jobs(plan: &RestorePlan, keys: &[(usize, usize)]) -> Vec<Job> {
    keys.iter()
        .map(|&(p, v)| {
            let package = &plan.packages[p];
            Job::new(
                (p, v),
                package.package_type,
                &package.name,
                &package.versions[v].version,
                Vec::new(),
            )
        })
        .collect()
}

/// Where the parts of restored images are found: the registry, which serves an image's
/// manifest again once the image is restored, and each package's deleted versions.
pub struct ImageParts<'a> {
    pub registry: &'a RegistryClient,
    /// The owner's login: the registry's repositories are `<owner>/<package>`.
    pub owner: &'a str,
    /// The deleted versions of each package of the plan, by package index.
    pub deleted: Vec<Vec<PackageVersion>>,
}

impl ImageParts<'_> {
    /// Adds to the plan the deleted parts of the `restored` images, and returns where they are.
    async fn add_to(
        &self,
        plan: &mut RestorePlan,
        restored: &[(usize, usize)],
        notes: &mut Vec<String>,
    ) -> Vec<(usize, usize)> {
        let mut added = Vec::new();
        for &(p, v) in restored {
            let image = plan.packages[p].versions[v].version.clone();
            let repository = registry::repository_path(self.owner, &plan.packages[p].name);
            let children = match self.registry.manifest(&repository, &image.name).await {
                Ok(manifest) => images::facts_of(&manifest).children,
                Err(err) => {
                    notes.push(format!(
                        "Could not read the manifest of {} to restore its parts: {err}",
                        image.name
                    ));
                    Vec::new()
                }
            };
            let already: HashSet<VersionId> = plan.packages[p]
                .versions
                .iter()
                .map(|i| i.version.id)
                .collect();
            for part in restore::parts_of(&image, &children, &self.deleted[p], &already) {
                plan.packages[p].versions.push(part);
                added.push((p, plan.packages[p].versions.len() - 1));
            }
        }
        added
    }
}
