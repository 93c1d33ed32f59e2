//! `restore`: bring back deleted versions and packages, up to undoing a whole earlier prune.

mod undo;

use std::collections::BTreeSet;

use anyhow::{Context, bail};

use super::Display;
use crate::actions::Runtime;
use crate::cancel::{Cancellation, Cancelled};
use crate::config::{Config, Env};
use crate::execute::{self, ImageParts, Op, Outcome, PackageExecuted, Runner, Status};
use crate::github::{Client, Scope, VersionState};
use crate::listing;
use crate::model::{PackageType, PackageVersion};
use crate::plan::RestoreRequest;
use crate::plan::checks::{self, RestoreShape};
use crate::plan::restore::{self, RestoreFacts, UndoEntry};
use crate::report::RestoreReport;

/// A package by type and name: deleted packages have no listing to look them up in.
type PackageKey = (PackageType, String);

/// Reads what to restore, restores whole packages first (a package's versions cannot be listed
/// while it is deleted), then plans and restores versions; reports everything, and fails when
/// anything could not be restored.
pub async fn run(
    config: &Config,
    runtime: &Runtime,
    env: &Env,
    display: &Display,
    cancellation: &Cancellation,
) -> anyhow::Result<()> {
    // Before any request: the record of another owner's prune is refused with nothing sent.
    let request = &undo::request(config)?;
    let undo_entries = request.undo.as_deref();
    let client = super::api_client(config)?;
    let scope = listing::resolve_scope(&client, &config.owner).await?;
    if let Some(entries) = undo_entries
        && scope == Scope::TokenAccount
    {
        // `owner` left empty: the undo's owner is compared once the token's login is known, and
        // still before anything changes.
        let login = listing::owner_login(&client, &scope).await?;
        undo::check_owner(entries, &login, true)?;
    }
    super::preflight(config, &client, &scope, runtime, true).await?;

    let mut warnings = Vec::new();
    let (targets, whole) = targets(config, &client, &scope, undo_entries, &mut warnings).await?;
    let mut runner = Runner::new(Op::Restore, &client, &scope, runtime, cancellation);
    let packages = restore_packages(config, &runner, cancellation, &whole).await;
    let facts = list(
        &client,
        &scope,
        &targets,
        &packages,
        cancellation,
        &mut warnings,
    )
    .await?;
    warnings.extend(super::relay_warnings(&client, runtime));
    if let Some(error) = checks::restore_unknown_ids_error(&restore::unknown_ids(&facts, request)) {
        bail!(error);
    }
    let shape = shape(config, request);
    warnings.extend(shape.warning());
    let registry = match shape.follows_image_parts() {
        true => Some(super::registry_client(config, env, &client, &scope).await?),
        false => None,
    };

    // Where the parts of restored images are looked for: the packages' deleted versions.
    let deleted: Vec<Vec<PackageVersion>> = facts.iter().map(|f| f.deleted.clone()).collect();
    let mut plan = restore::plan(facts, request, chrono::Utc::now());
    let outcome = if config.dry_run {
        Outcome::dry_run_restore(&plan)
    } else {
        let parts = registry.as_ref().map(|(registry, owner)| ImageParts {
            registry,
            owner,
            deleted,
        });
        start_restoring(runtime, cancellation, plan.restore_count())?;
        execute::restore(&mut runner, &mut plan, parts.as_ref()).await
    };
    warnings.extend(outcome.notes.iter().cloned());
    warnings.extend(execute::stopped_early(&client));

    let report = RestoreReport {
        scope: &scope,
        plan: &plan,
        outcome: &outcome,
        packages: &packages,
        dry_run: config.dry_run,
        warnings: &warnings,
    };
    write_results(runtime, &report, display)?;
    runtime.info(&format!(
        "{} request(s) sent to the API",
        client.requests_sent()
    ));
    if let Some(signal) = cancellation.signal() {
        return Err(Cancelled(signal).into());
    }
    if let Some(failures) = report.failure_line() {
        bail!("{failures}; see the `failed` output and the job summary");
    }
    Ok(())
}

/// What the restore was asked, as far as images are concerned.
fn shape(config: &Config, request: &RestoreRequest) -> RestoreShape {
    RestoreShape {
        package_type: config.package_type,
        manifest_aware: config.manifest_aware,
        dry_run: config.dry_run,
        undo: request.undo.is_some(),
        by_tag_alone: request.selection.tags.is_some() && request.deleted_within.is_none(),
    }
}

/// Before the first version is restored: from here on a signal stops the run in good order,
/// with a report (one that came just before ends it here, with nothing restored).
fn start_restoring(
    runtime: &Runtime,
    cancellation: &Cancellation,
    count: usize,
) -> anyhow::Result<()> {
    if count > 0 {
        if let Some(signal) = cancellation.signal() {
            return Err(Cancelled(signal).into());
        }
        cancellation.take_over();
        runtime.info(&format!("Restoring {count} version(s)"));
    }
    Ok(())
}

/// The packages to look in, and those of them to restore whole first: the prune's own packages
/// with `undo` (whole where it deleted them whole); the exact names of `packages` with
/// `restore-package` (GitHub cannot list deleted packages); else the active packages that
/// `packages` matches.
async fn targets(
    config: &Config,
    client: &Client,
    scope: &Scope,
    undo: Option<&[UndoEntry]>,
    warnings: &mut Vec<String>,
) -> anyhow::Result<(Vec<PackageKey>, Vec<PackageKey>)> {
    if let Some(undo) = undo {
        let key = |e: &UndoEntry| (e.package_type, e.package.clone());
        let targets: BTreeSet<PackageKey> = undo.iter().map(key).collect();
        let whole: BTreeSet<PackageKey> =
            undo.iter().filter(|e| e.package_deleted).map(key).collect();
        return Ok((targets.into_iter().collect(), whole.into_iter().collect()));
    }
    if config.restore.request.restore_package {
        let Some(names) = config.packages.exact_names() else {
            bail!(
                "input `packages`: restore-package needs exact package names (GitHub cannot list \
                 deleted packages), not patterns"
            );
        };
        let targets: Vec<PackageKey> = names
            .into_iter()
            .map(|name| (config.package_type, name.to_string()))
            .collect();
        return Ok((targets.clone(), targets));
    }
    let packages =
        listing::find_packages(client, scope, config.package_type, &config.packages).await?;
    warnings.extend(super::unmatched_packages(config, scope, &packages));
    let targets = packages
        .into_iter()
        .map(|p| (p.package_type, p.name))
        .collect();
    Ok((targets, Vec::new()))
}

/// Restores the `whole` packages; a dry run asks whether each is active, as the real run finds
/// out, so that both go on to plan the versions of an active package alike.
async fn restore_packages(
    config: &Config,
    runner: &Runner<'_>,
    cancellation: &Cancellation,
    whole: &[PackageKey],
) -> Vec<PackageExecuted> {
    if !config.dry_run && !whole.is_empty() {
        // From the first restore on, a signal stops the run in good order, with a report.
        cancellation.take_over();
    }
    let mut restored = Vec::new();
    for (package_type, name) in whole {
        let status = match config.dry_run {
            true => runner.preview_package(*package_type, name).await,
            false => runner.package(*package_type, name, &[]).await,
        };
        restored.push(PackageExecuted {
            name: name.clone(),
            package_type: *package_type,
            status,
        });
    }
    restored
}

/// The deleted and active versions of each target package whose versions can be listed: not
/// one still deleted because its restore failed or was left for later.
async fn list(
    client: &Client,
    scope: &Scope,
    targets: &[PackageKey],
    restored_whole: &[PackageExecuted],
    cancellation: &Cancellation,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Vec<RestoreFacts>> {
    let mut facts = Vec::new();
    for (package_type, name) in targets {
        let whole = restored_whole
            .iter()
            .find(|p| p.package_type == *package_type && &p.name == name);
        match whole.map(|p| &p.status) {
            Some(Status::WouldDo) => {
                warnings.push(format!(
                    "Dry run: the package {name} is deleted, so its versions cannot be listed \
                     until it is restored"
                ));
                continue;
            }
            Some(Status::Failed(_) | Status::Deferred) => continue,
            _ => {}
        }
        if cancellation.is_cancelled() {
            break;
        }
        let (deleted, active) = (
            client
                .list_versions(scope, *package_type, name, VersionState::Deleted)
                .await?,
            client
                .list_versions(scope, *package_type, name, VersionState::Active)
                .await?,
        );
        facts.push(RestoreFacts {
            name: name.to_string(),
            package_type: *package_type,
            deleted,
            active,
        });
    }
    Ok(facts)
}

fn write_results(
    runtime: &Runtime,
    report: &RestoreReport,
    display: &Display,
) -> anyhow::Result<()> {
    for warning in report.warnings {
        runtime.warning(warning);
    }
    runtime.set_outputs(
        vec![
            ("restored", report.restored_json()),
            ("restored-count", Some(report.restored_count().to_string())),
            ("failed", report.failed_json()),
            ("failed-count", Some(report.failed_count().to_string())),
            (
                "remaining-count",
                Some(report.remaining_count().to_string()),
            ),
        ],
        "the job summary lists everything",
    );
    runtime
        .append_summary(&report.markdown())
        .context("could not write the job summary")?;
    runtime.print_with(|| report.terminal(display.versions_per_package));
    Ok(())
}
