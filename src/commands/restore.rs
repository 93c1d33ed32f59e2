//! `restore`: bring back deleted versions and packages, up to undoing a whole earlier prune.

use std::collections::BTreeSet;

use anyhow::{Context, bail};
use futures::StreamExt;

use super::Display;
use crate::actions::Runtime;
use crate::cancel::{Cancellation, Cancelled};
use crate::config::Config;
use crate::execute::{self, RestoreStatus};
use crate::github::{Client, Scope, VersionState};
use crate::images;
use crate::inventory;
use crate::model::PackageType;
use crate::plan::restore::{self, RestoreFacts};
use crate::registry;
use crate::report::{PackageRestored, RestoreReport, Restored};

/// A package by type and name: deleted packages have no listing to look them up in.
type PackageKey = (PackageType, String);

/// How many restores are in flight at once.
const RESTORES_AT_ONCE: usize = 4;

/// Restores packages first (a package's versions cannot be listed while it is deleted), then
/// versions; reports everything, and fails when anything could not be restored.
pub async fn run(
    config: &Config,
    runtime: &Runtime,
    env: &crate::config::Env,
    display: &Display,
    cancellation: &Cancellation,
) -> anyhow::Result<()> {
    let settings = &config.restore.request;
    let client = super::api_client(config)?;
    let scope = inventory::resolve_scope(&client, &config.owner).await?;
    if settings.undo.is_some() && scope == Scope::TokenAccount {
        // `owner` left empty: the undo's owner is compared once the token's login is known, and
        // still before anything changes.
        let login = inventory::owner_login(&client, &scope).await?;
        config.restore.check_undo_owner(&login, true)?;
    }
    super::preflight(config, &client, &scope, runtime, true).await?;
    let mut warnings = Vec::new();

    // Which packages, and which of them to restore whole.
    let exact_names = config.packages.exact_names();
    let (targets, whole): (Vec<PackageKey>, Vec<PackageKey>) = match &settings.undo {
        Some(undo) => {
            let targets: BTreeSet<PackageKey> = undo
                .iter()
                .map(|e| (e.package_type, e.package.clone()))
                .collect();
            let whole: BTreeSet<PackageKey> = undo
                .iter()
                .filter(|e| e.package_deleted)
                .map(|e| (e.package_type, e.package.clone()))
                .collect();
            (targets.into_iter().collect(), whole.into_iter().collect())
        }
        None if settings.restore_package => {
            let Some(names) = exact_names else {
                bail!(
                    "input `packages`: restore-package needs exact package names (GitHub \
                         cannot list deleted packages), not patterns"
                );
            };
            let targets: Vec<PackageKey> = names
                .into_iter()
                .map(|name| (config.package_type, name.to_string()))
                .collect();
            (targets.clone(), targets)
        }
        None => {
            let packages =
                inventory::find_packages(&client, &scope, config.package_type, &config.packages)
                    .await?;
            warnings.extend(super::unmatched_packages(config, &scope, &packages));
            let targets = packages
                .into_iter()
                .map(|p| (p.package_type, p.name))
                .collect();
            (targets, Vec::new())
        }
    };

    let mut packages_restored = Vec::new();
    if !config.dry_run && !whole.is_empty() {
        // From the first restore on, a signal stops the run in good order, with a report.
        cancellation.take_over();
    }
    for (package_type, name) in &whole {
        // A dry run asks whether the package is active, as the real run finds out, so that both
        // go on to plan the versions of an active package alike.
        let status = if config.dry_run {
            execute::preview_restore_package(&client, &scope, *package_type, name).await
        } else if let Some(signal) = cancellation.signal() {
            RestoreStatus::Failed(signal.not_sent())
        } else {
            runtime.info(&format!("Restoring the package {name}"));
            execute::restore_package(&client, &scope, *package_type, name).await
        };
        packages_restored.push(PackageRestored {
            name: name.clone(),
            package_type: *package_type,
            status,
        });
    }

    let mut facts = Vec::new();
    for (package_type, name) in &targets {
        let restored_whole = packages_restored
            .iter()
            .find(|p| p.package_type == *package_type && &p.name == name);
        if restored_whole.is_some_and(|p| p.status == RestoreStatus::WouldRestore) {
            warnings.push(format!(
                "Dry run: the package {name} is deleted, so its versions cannot be listed until \
                 it is restored"
            ));
            continue;
        }
        if restored_whole.is_some_and(|p| p.status.is_failure()) {
            continue;
        }
        if cancellation.is_cancelled() {
            break;
        }
        facts.push(list_package(&client, &scope, *package_type, name).await?);
    }

    warnings.extend(super::relay_warnings(&client, runtime));
    let unknown = restore::unknown_ids(&facts, settings);
    if !unknown.is_empty() {
        let ids: Vec<String> = unknown.iter().map(|id| id.to_string()).collect();
        bail!(
            "input `version-ids`: {} not a version of the selected packages, deleted or active; \
             nothing was restored. Check the ids and `packages`",
            if ids.len() == 1 {
                format!("{} is", ids[0])
            } else {
                format!("{} are", ids.join(", "))
            }
        );
    }
    let restoring_images_by_tag = config.package_type == PackageType::Container
        && !config.manifest_aware
        && settings.undo.is_none()
        && settings.selection.tags.is_some()
        && settings.deleted_within.is_none();
    if restoring_images_by_tag {
        warnings.push(
            "Restoring images by tag brings back the tagged manifests only: if their platform \
             manifests were deleted with them, add `deleted-within` (or use `undo` with the \
             prune's output) to bring those back too"
                .to_string(),
        );
    }

    let deleted_by_package: Vec<Vec<crate::model::PackageVersion>> =
        facts.iter().map(|f| f.deleted.clone()).collect();
    let now = chrono::Utc::now();
    let mut plan = restore::plan(facts, settings, now);
    let jobs: Vec<(usize, usize)> = plan
        .packages
        .iter()
        .enumerate()
        .flat_map(|(p, package)| (0..package.versions.len()).map(move |v| (p, v)))
        .collect();
    if !config.dry_run && !jobs.is_empty() {
        if let Some(signal) = cancellation.signal() {
            return Err(Cancelled(signal).into());
        }
        cancellation.take_over();
        runtime.info(&format!("Restoring {} version(s)", jobs.len()));
    }
    let mut results = restore_all(config, &client, &scope, &plan, jobs, cancellation).await;
    // Restoring an image brings back its parts: once the index is back, the registry serves its
    // manifest again, which names the platform and attestation manifests to restore with it.
    let follows_images = !config.dry_run
        && config.package_type == PackageType::Container
        && config.manifest_aware
        && settings.undo.is_none();
    if follows_images {
        let (registry, owner) = super::registry_client(config, env, &client, &scope).await?;
        let mut wave: Vec<(usize, usize)> = results
            .iter()
            .filter(|r| r.status == RestoreStatus::Restored)
            .map(|r| (r.package, r.version))
            .collect();
        while !wave.is_empty() && !cancellation.is_cancelled() {
            let mut jobs = Vec::new();
            for (p, v) in wave {
                let image = plan.packages[p].versions[v].version.clone();
                let repository = registry::repository_path(&owner, &plan.packages[p].name);
                let children = match registry.manifest(&repository, &image.name).await {
                    Ok(manifest) => images::facts_of(&manifest).children,
                    Err(err) => {
                        warnings.push(format!(
                            "Could not read the manifest of {} to restore its parts: {err}",
                            image.name
                        ));
                        Vec::new()
                    }
                };
                let already: std::collections::HashSet<_> = plan.packages[p]
                    .versions
                    .iter()
                    .map(|i| i.version.id)
                    .collect();
                for part in restore::parts_of(&image, &children, &deleted_by_package[p], &already) {
                    plan.packages[p].versions.push(part);
                    jobs.push((p, plan.packages[p].versions.len() - 1));
                }
            }
            let restored = restore_all(config, &client, &scope, &plan, jobs, cancellation).await;
            wave = restored
                .iter()
                .filter(|r| r.status == RestoreStatus::Restored)
                .map(|r| (r.package, r.version))
                .collect();
            results.extend(restored);
        }
    }
    results.sort_by_key(|r| (r.package, r.version));

    let report = RestoreReport {
        scope: &scope,
        plan: &plan,
        results: &results,
        packages: &packages_restored,
        dry_run: config.dry_run,
        warnings: &warnings,
    };
    for warning in &warnings {
        runtime.warning(warning);
    }
    runtime.set_outputs(
        vec![
            ("restored", report.restored_json()),
            ("restored-count", Some(report.restored_count().to_string())),
            ("failed", report.failed_json()),
            ("failed-count", Some(report.failed_count().to_string())),
        ],
        "the job summary lists everything",
    );
    runtime
        .append_summary(&report.markdown())
        .context("could not write the job summary")?;
    runtime.print_with(|| report.terminal(display.versions_per_package));
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

/// Restores the versions `jobs` names (package and version indices into the plan).
async fn restore_all(
    config: &Config,
    client: &Client,
    scope: &Scope,
    plan: &restore::RestorePlan,
    jobs: Vec<(usize, usize)>,
    cancellation: &Cancellation,
) -> Vec<Restored> {
    futures::stream::iter(jobs)
        .map(|(p, v)| async move {
            let package = &plan.packages[p];
            let status = if config.dry_run {
                RestoreStatus::WouldRestore
            } else if let Some(signal) = cancellation.signal() {
                RestoreStatus::Failed(signal.not_sent())
            } else {
                let id = package.versions[v].version.id;
                execute::restore_version(client, scope, package.package_type, &package.name, id)
                    .await
            };
            Restored {
                package: p,
                version: v,
                status,
            }
        })
        .buffer_unordered(RESTORES_AT_ONCE)
        .collect()
        .await
}

/// A package's deleted and active versions.
async fn list_package(
    client: &Client,
    scope: &Scope,
    package_type: PackageType,
    name: &str,
) -> anyhow::Result<RestoreFacts> {
    let deleted = client
        .list_versions(scope, package_type, name, VersionState::Deleted)
        .await?;
    let active = client
        .list_versions(scope, package_type, name, VersionState::Active)
        .await?;
    Ok(RestoreFacts {
        name: name.to_string(),
        package_type,
        deleted,
        active,
    })
}
