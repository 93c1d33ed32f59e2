//! `prune`: plan with the retention policy, then delete what the plan deletes.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::Display;
use crate::actions::Runtime;
use crate::cancel::{Cancellation, Cancelled};
use crate::config::{Config, Env};
use crate::execute::{self, Op, Outcome, Runner};
use crate::github::{Client, Scope, VersionState};
use crate::journal::{self, Journal};
use crate::listing;
use crate::listing::images;
use crate::model::{PackageType, Timestamp};
use crate::plan::{self, Images, PackageFacts, Plan, checks};
use crate::progress::Progress;
use crate::registry::{self, RegistryClient};
use crate::report::{PruneReport, RequestCounts};

/// Lists, plans, deletes (unless a dry run or a guard says no), then reports. Every output is
/// written before an error is returned, so a failed run still says what it deleted.
pub async fn run(
    config: &Config,
    runtime: &Runtime,
    env: &Env,
    display: &Display,
    cancellation: &Cancellation,
) -> anyhow::Result<()> {
    let settings = &config.prune;
    let started = Instant::now();
    let client = super::api_client(config)?;
    let scope = listing::resolve_scope(&client, &config.owner).await?;
    super::preflight(config, &client, &scope, runtime, true).await?;
    let Gathered {
        facts,
        owner,
        registry,
        mut warnings,
        mut phases,
    } = gather(config, runtime, env, &client, &scope, started).await?;

    let now = chrono::Utc::now();
    let planning = Instant::now();
    let plan = plan::plan(facts, &settings.policy, now);
    phases.push(("planning", planning.elapsed()));
    warnings.extend(plan::versions_without_tags(&plan));
    let refused = checks::max_deletions_refusal(plan.deletion_count(), settings.max_deletions);

    let report_path = report_file(env, now);
    let (outcome, journal) = if config.dry_run {
        (Outcome::dry_run(&plan), Journal::none())
    } else if refused.is_some() || plan.deletion_count() == 0 {
        (Outcome::default(), Journal::none())
    } else {
        // Until now a signal simply ended the run (nothing had changed); from here on it stops
        // the run in good order. One that came just before is still honoured here.
        cancellation.take_over();
        if let Some(signal) = cancellation.signal() {
            return Err(Cancelled(signal).into());
        }
        let path = journal_file(&report_path);
        let deletions = plan.deletion_count();
        let journal = open_journal(runtime, &path, &owner, config.package_type, now, deletions)?;
        let deleting = Instant::now();
        let outcome = delete(&client, &scope, runtime, cancellation, &plan, &journal).await;
        phases.push(("deleting", deleting.elapsed()));
        (outcome, journal)
    };
    warnings.extend(journal.error());
    warnings.extend(outcome.notes.iter().cloned());
    warnings.extend(execute::stopped_early(&client));

    let report = PruneReport {
        scope: &scope,
        owner: &owner,
        package_type: config.package_type,
        plan: &plan,
        outcome: &outcome,
        dry_run: config.dry_run,
        implied: &settings.implied,
        refused: refused.clone(),
        warnings: &warnings,
        requests: request_counts(&client, registry.as_ref().map(|(r, _)| r), phases),
    };
    for warning in &warnings {
        runtime.warning(warning);
    }
    write_results(runtime, &report, &report_path, journal.path(), now, display)?;
    runtime.info(&requests_sent(&client, registry.as_ref().map(|(r, _)| r)));

    if let Some(signal) = cancellation.signal() {
        return Err(Cancelled(signal).into());
    }
    if let Some(refused) = refused {
        bail!(refused);
    }
    if let Some(failures) = report.failure_line() {
        bail!("{failures}; see the `failed` output and the job summary");
    }
    Ok(())
}

/// What the run cost, for the summary's footer.
fn request_counts(
    client: &Client,
    registry: Option<&RegistryClient>,
    phases: Vec<(&'static str, Duration)>,
) -> RequestCounts {
    let stats = client.transport().stats();
    RequestCounts {
        requests: stats.requests,
        registry: registry.map(RegistryClient::requests_sent),
        retries: stats.retries,
        rate_limit_waits: stats.rate_limit_waits,
        waited: stats.waited,
        phases,
    }
}

/// The log's last line: `12 request(s) sent to the API, 3 to the registry`.
fn requests_sent(client: &Client, registry: Option<&RegistryClient>) -> String {
    match registry {
        Some(registry) => format!(
            "{} request(s) sent to the API, {} to the registry",
            client.requests_sent(),
            registry.requests_sent()
        ),
        None => format!("{} request(s) sent to the API", client.requests_sent()),
    }
}

/// Creates the journal at `path`, beside the report, before the first deletion.
fn open_journal(
    runtime: &Runtime,
    path: &Path,
    owner: &str,
    package_type: PackageType,
    now: Timestamp,
    deletions: usize,
) -> anyhow::Result<Journal> {
    let journal = Journal::create(path, "prune", owner, package_type, now)
        .with_context(|| format!("could not create the journal {}", path.display()))?;
    runtime.info(&format!(
        "Deleting {deletions} version(s); each deletion is recorded as it happens in {}",
        path.display()
    ));
    Ok(journal)
}

/// Deletes what the plan deletes, each deletion in `journal` as it happens, and closes the
/// journal with how the run ended.
async fn delete(
    client: &Client,
    scope: &Scope,
    runtime: &Runtime,
    cancellation: &Cancellation,
    plan: &Plan,
    journal: &Journal,
) -> Outcome {
    let mut runner = Runner::new(Op::Delete, client, scope, runtime, cancellation)
        .journaling(journal)
        .logging_progress();
    let outcome = execute::delete(&mut runner, plan).await;
    journal.record(&journal::Entry::End {
        cancelled_by: cancellation.signal().map(|s| s.to_string()),
    });
    outcome
}

/// What a prune plans from.
struct Gathered {
    facts: Vec<PackageFacts>,
    /// The owner's login: the report and the `deleted` output name it, so that `undo` can
    /// refuse to replay them on another owner's packages.
    owner: String,
    /// The registry client and the owner's login, when image manifests are read.
    registry: Option<(RegistryClient, String)>,
    warnings: Vec<String>,
    /// Wall time of each phase so far.
    phases: Vec<(&'static str, Duration)>,
}

/// Finds the packages, lists their versions and reads their image manifests; the phases are
/// timed from `started`.
async fn gather(
    config: &Config,
    runtime: &Runtime,
    env: &Env,
    client: &Client,
    scope: &Scope,
    started: Instant,
) -> anyhow::Result<Gathered> {
    let mut phases = Vec::new();
    let packages =
        listing::find_packages(client, scope, config.package_type, &config.packages).await?;
    let unmatched = super::unmatched_packages(config, scope, &packages);
    runtime.info(&format!(
        "Listing the versions of {} {} package(s) of {scope}",
        packages.len(),
        config.package_type
    ));
    let listings = {
        let progress = Progress::new(runtime, "Packages listed:", packages.len());
        listing::list_versions(client, scope, packages, VersionState::Active, &progress).await?
    };
    phases.push(("listing", started.elapsed()));

    let mut warnings = super::relay_warnings(client, runtime);
    warnings.extend(unmatched);
    let reads_manifests = config.package_type == PackageType::Container && config.manifest_aware;
    let registry = match reads_manifests {
        true => Some(super::registry_client(config, env, client, scope).await?),
        false => None,
    };
    let owner = match &registry {
        Some((_, owner)) => owner.clone(),
        None => listing::owner_login(client, scope).await?,
    };
    let mut facts = Vec::with_capacity(listings.len());
    for listing in listings {
        let images = match &registry {
            Some((registry, owner)) => {
                let repository = registry::repository_path(owner, &listing.package.name);
                let images = images::read(registry, &repository, &listing).await;
                if let Images::Unreadable(error) = &images {
                    warnings.push(format!(
                        "Could not read the image manifests of {}: no untagged version of it is \
                         deleted ({error})",
                        listing.package.name
                    ));
                }
                images
            }
            None => Images::NotRead,
        };
        facts.push(PackageFacts { listing, images });
    }
    if config.package_type == PackageType::Container && !config.manifest_aware {
        warnings.push(
            "manifest-aware is off: platform manifests, attestations and signatures of \
             multi-arch images are judged like any other version, and an image can lose them"
                .to_string(),
        );
    }
    let listed = facts
        .iter()
        .flat_map(|f| f.listing.versions.iter().map(|v| v.id));
    let unknown = checks::unknown_ids(&config.prune.policy.selection.version_ids, listed);
    warnings.extend(checks::prune_unknown_ids_warning(&unknown));
    if registry.is_some() {
        phases.push(("manifests", started.elapsed() - phases_total(&phases)));
    }
    Ok(Gathered {
        facts,
        owner,
        registry,
        warnings,
        phases,
    })
}

fn write_results(
    runtime: &Runtime,
    report: &PruneReport,
    report_path: &Path,
    journal_path: Option<&Path>,
    now: Timestamp,
    display: &Display,
) -> anyhow::Result<()> {
    report
        .write_report(report_path, now)
        .with_context(|| format!("could not write the report to {}", report_path.display()))?;
    let outputs = [
        ("deleted", report.deleted_json()),
        ("deleted-count", Some(report.deleted_count().to_string())),
        ("failed", report.failed_json()),
        ("failed-count", Some(report.failed_count().to_string())),
        ("kept-count", Some(report.plan.kept_count().to_string())),
        (
            "remaining-count",
            Some(report.remaining_count().to_string()),
        ),
        ("report", Some(report_path.display().to_string())),
        // No journal when nothing was sent (a dry run, a refusal, an empty plan): an empty
        // output, not `None`, which `set_outputs` reads as "too large to write".
        (
            "journal",
            Some(journal_path.map_or_else(String::new, |p| p.display().to_string())),
        ),
    ];
    runtime.set_outputs(outputs, "the `report` file holds everything");
    runtime
        .append_summary(&report.markdown())
        .context("could not write the job summary")?;
    runtime.print_with(|| report.terminal(display.versions_per_package));
    runtime.info(&format!("The full plan is in {}", report_path.display()));
    Ok(())
}

/// `$RUNNER_TEMP/package-warden-prune-<time>.json`, or the system's temporary directory outside
/// Actions. The time keeps two prunes in one job from overwriting each other's report.
fn report_file(env: &Env, now: Timestamp) -> PathBuf {
    let dir = env
        .get("RUNNER_TEMP")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    dir.join(format!(
        "package-warden-prune-{}.json",
        now.format("%Y%m%dT%H%M%S%.fZ")
    ))
}

/// The journal sits beside the report: `…/package-warden-prune-<time>.journal.jsonl`.
fn journal_file(report: &Path) -> PathBuf {
    report.with_extension("journal.jsonl")
}

fn phases_total(phases: &[(&str, Duration)]) -> Duration {
    phases.iter().map(|(_, took)| *took).sum()
}
