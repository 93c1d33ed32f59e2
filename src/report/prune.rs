//! What `prune` shows: the `deleted` and `failed` outputs, the full report file, the summary and
//! the terminal table.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Serialize;

use super::{markdown_escape, short_name, summary_heading, terminal_safe, terminal_table};
use crate::execute::{Executed, Outcome, Status};
use crate::github::{PackageType, Scope, VersionId};
use crate::policy::{Action, PackagePlan, Plan, Reason, VersionPlan};

/// At most this many rows per table in the summary (GitHub caps a step's summary at 1 MiB); the
/// outputs and the report file hold everything.
const SUMMARY_ROWS: usize = 500;

/// What a prune decided and did.
pub struct PruneReport<'a> {
    pub scope: &'a Scope,
    pub package_type: PackageType,
    pub plan: &'a Plan,
    pub outcome: &'a Outcome,
    pub dry_run: bool,
    /// Selections the policy implied, shown under the headline.
    pub implied: &'a [String],
    /// Why nothing was deleted although the plan deletes something (`max-deletions`).
    pub refused: Option<String>,
    /// Warnings to repeat in the summary.
    pub warnings: &'a [String],
    /// For the summary's footer.
    pub requests: RequestCounts,
}

/// What a run cost, for the summary's footer.
#[derive(Debug, Clone, Default)]
pub struct RequestCounts {
    /// Requests sent to the API and the registry, retries included.
    pub requests: u64,
    /// Of those, to the registry; `None` when the registry was not asked.
    pub registry: Option<u64>,
    pub retries: u64,
    pub rate_limit_waits: u64,
    /// Time spent waiting for retries and rate limits.
    pub waited: std::time::Duration,
    /// Wall time of each phase, in order.
    pub phases: Vec<(&'static str, std::time::Duration)>,
}

impl RequestCounts {
    /// `<sub>` line closing a summary.
    pub fn footer(&self) -> String {
        let mut parts = vec![format!("requests: {}", self.requests)];
        if let Some(registry) = self.registry {
            parts.push(format!("registry requests: {registry}"));
        }
        parts.push(format!("retries: {}", self.retries));
        parts.push(format!(
            "rate-limit waits: {} ({:.1} s waited)",
            self.rate_limit_waits,
            self.waited.as_secs_f64()
        ));
        for (phase, took) in &self.phases {
            parts.push(format!("{phase}: {:.1} s", took.as_secs_f64()));
        }
        format!("\n<sub>{}</sub>\n", parts.join(" · "))
    }
}

/// One version in the `deleted` and `failed` outputs.
#[derive(Debug, Serialize)]
pub struct VersionEntry<'a> {
    pub package: &'a str,
    pub package_type: PackageType,
    pub id: VersionId,
    pub name: &'a str,
    pub tags: &'a [String],
    pub reason: String,
    /// `deleted`, `already-gone`, `would-delete` or `failed`.
    pub status: &'static str,
    /// Deleted together with its whole package (`delete-package-when-empty`).
    pub package_deleted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
}

/// The report file: the whole plan, every version with its decision, reasons and result.
#[derive(Serialize)]
struct ReportFile<'a> {
    command: &'static str,
    generated_at: String,
    dry_run: bool,
    owner: String,
    package_type: PackageType,
    refused: Option<&'a str>,
    packages: Vec<ReportPackage<'a>>,
}

#[derive(Serialize)]
struct ReportPackage<'a> {
    name: &'a str,
    package_type: PackageType,
    delete_package: bool,
    versions: ReportVersions<'a>,
}

/// A package's versions in the report, serialised one at a time as they are written.
struct ReportVersions<'a> {
    index: usize,
    package: &'a PackagePlan,
    statuses: &'a HashMap<(usize, usize), &'a Status>,
}

impl Serialize for ReportVersions<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.package
                .versions
                .iter()
                .enumerate()
                .map(|(v, version)| {
                    let status = self.statuses.get(&(self.index, v)).copied();
                    ReportVersion {
                        id: version.version.id,
                        name: &version.version.name,
                        tags: version.version.tags(),
                        created_at: version.version.created_at.to_string(),
                        updated_at: version.version.updated_or_created().to_string(),
                        action: version.action,
                        reasons: &version.reasons,
                        result: status.map(Status::as_str),
                        error: match status {
                            Some(Status::Failed(error)) => Some(error),
                            _ => None,
                        },
                    }
                }),
        )
    }
}

#[derive(Serialize)]
struct ReportVersion<'a> {
    id: VersionId,
    name: &'a str,
    tags: &'a [String],
    created_at: String,
    updated_at: String,
    action: Action,
    reasons: &'a [Reason],
    /// What happened to a planned deletion; absent for kept versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

impl<'a> PruneReport<'a> {
    fn version(&self, executed: &Executed) -> (&'a PackagePlan, &'a VersionPlan) {
        let package = &self.plan.packages[executed.package];
        (package, &package.versions[executed.version])
    }

    fn entry(&self, executed: &'a Executed) -> VersionEntry<'a> {
        let (package, version) = self.version(executed);
        VersionEntry {
            package: &package.package.name,
            package_type: package.package.package_type,
            id: version.version.id,
            name: &version.version.name,
            tags: version.version.tags(),
            reason: version.explanation(),
            status: executed.status.as_str(),
            package_deleted: package.delete_package,
            error: match &executed.status {
                Status::Failed(error) => Some(error),
                _ => None,
            },
        }
    }

    /// The `deleted` output: what was deleted (or would be, in a dry run).
    pub fn deleted_json(&self) -> Option<String> {
        let entries: Vec<VersionEntry> = self.outcome.done().map(|e| self.entry(e)).collect();
        super::output_json(&entries)
    }

    /// The `failed` output: the same shape, plus `error`.
    pub fn failed_json(&self) -> Option<String> {
        let entries: Vec<VersionEntry> = self.outcome.failures().map(|e| self.entry(e)).collect();
        super::output_json(&entries)
    }

    pub fn deleted_count(&self) -> usize {
        self.outcome.done().count()
    }

    pub fn failed_count(&self) -> usize {
        self.outcome.failures().count()
    }

    /// Deletions left for the next run because the API budget ran low.
    pub fn remaining_count(&self) -> usize {
        self.outcome.deferred().count()
    }

    /// The full report, for the `report` output's file (and for a later undo).
    /// Writes the report to `path`, streaming: a plan of 150,000 versions is written without
    /// building it as one string first.
    pub fn write_report(
        &self,
        path: &std::path::Path,
        generated_at: Timestamp,
    ) -> std::io::Result<()> {
        let file = std::io::BufWriter::new(std::fs::File::create(path)?);
        let statuses = self.statuses();
        serde_json::to_writer_pretty(file, &self.report_file(generated_at, &statuses))?;
        Ok(())
    }

    /// The status of each planned deletion, by (package, version) index.
    fn statuses(&self) -> HashMap<(usize, usize), &Status> {
        self.outcome
            .results
            .iter()
            .map(|e| ((e.package, e.version), &e.status))
            .collect()
    }

    fn report_file<'s>(
        &'s self,
        generated_at: Timestamp,
        statuses: &'s HashMap<(usize, usize), &'s Status>,
    ) -> ReportFile<'s> {
        let packages = self
            .plan
            .packages
            .iter()
            .enumerate()
            .map(|(index, package)| ReportPackage {
                name: &package.package.name,
                package_type: package.package.package_type,
                delete_package: package.delete_package,
                versions: ReportVersions {
                    index,
                    package,
                    statuses,
                },
            })
            .collect();
        ReportFile {
            command: "prune",
            generated_at: generated_at.to_string(),
            dry_run: self.dry_run,
            owner: self.scope.to_string(),
            package_type: self.package_type,
            refused: self.refused.as_deref(),
            packages,
        }
    }

    fn headline(&self) -> String {
        let planned = self.plan.deletion_count();
        let verb = if self.dry_run {
            "Would delete"
        } else {
            "Deleted"
        };
        let mut line = match &self.refused {
            Some(_) => format!("**Deleted nothing**: the plan deletes {planned} version(s)"),
            None => format!("**{verb} {} version(s)**", self.deleted_count()),
        };
        line.push_str(&format!(
            ", kept {}, in {} {} package(s) of {}",
            self.plan.kept_count(),
            self.plan.packages.len(),
            self.package_type,
            self.scope
        ));
        if self.failed_count() > 0 {
            line.push_str(&format!("; **{} deletion(s) failed**", self.failed_count()));
        }
        if self.remaining_count() > 0 {
            line.push_str(&format!(
                "; **{} left for the next run**: the API budget ran low",
                self.remaining_count()
            ));
        }
        line
    }

    /// The job summary.
    pub fn markdown(&self) -> String {
        let mut md = summary_heading("prune", self.dry_run, &self.headline());
        if let Some(refused) = &self.refused {
            md.push_str(&format!("> [!CAUTION]\n> {}\n\n", markdown_escape(refused)));
        }
        if self.dry_run {
            md.push_str(
                "> [!NOTE]\n> Dry run: nothing was changed. The tables show what would happen.\n\n",
            );
        }
        for note in self.implied.iter().chain(self.warnings) {
            md.push_str(&format!("- {}\n", markdown_escape(note)));
        }
        if !self.implied.is_empty() || !self.warnings.is_empty() {
            md.push('\n');
        }

        md.push_str("| Package | Deleted | Kept | Failed |\n| --- | ---: | ---: | ---: |\n");
        for (p, package) in self.plan.packages.iter().enumerate() {
            let of_package = |failed: bool| {
                self.outcome
                    .results
                    .iter()
                    .filter(|e| e.package == p && e.status.is_failure() == failed)
                    .count()
            };
            let name = markdown_escape(&package.package.name);
            let whole = if package.delete_package {
                " (whole package)"
            } else {
                ""
            };
            md.push_str(&format!(
                "| {name}{whole} | {} | {} | {} |\n",
                of_package(false),
                package.kept().count(),
                of_package(true)
            ));
        }

        let failed: Vec<&Executed> = self.outcome.failures().collect();
        if !failed.is_empty() {
            md.push_str(&format!("\n### Failed ({})\n\n", failed.len()));
            md.push_str(
                "| Package | ID | Version | Tags | Error |\n| --- | ---: | --- | --- | --- |\n",
            );
            for executed in failed.iter().take(SUMMARY_ROWS) {
                let (package, version) = self.version(executed);
                let Status::Failed(error) = &executed.status else {
                    continue;
                };
                md.push_str(&row(package, version, error));
            }
            md.push_str(&more(failed.len()));
        }

        let deferred: Vec<&Executed> = self.outcome.deferred().collect();
        if !deferred.is_empty() {
            md.push_str(&format!(
                "\n### Left for the next run ({})\n\nThe hourly API budget ran low, or GitHub \
                 asked to wait longer than `max-wait` allows, so these were not sent; the next run \
                 will delete them (or set `max-wait` to wait longer).\n\n",
                deferred.len()
            ));
            md.push_str(
                "| Package | ID | Version | Tags | Why |\n| --- | ---: | --- | --- | --- |\n",
            );
            for executed in deferred.iter().take(SUMMARY_ROWS) {
                let (package, version) = self.version(executed);
                md.push_str(&row(package, version, &version.explanation()));
            }
            md.push_str(&more(deferred.len()));
        }

        let done: Vec<&Executed> = self.outcome.done().collect();
        if !done.is_empty() {
            let heading = if self.dry_run {
                "Would delete"
            } else {
                "Deleted"
            };
            md.push_str(&format!("\n### {heading} ({})\n\n", done.len()));
            md.push_str(
                "| Package | ID | Version | Tags | Why |\n| --- | ---: | --- | --- | --- |\n",
            );
            for executed in done.iter().take(SUMMARY_ROWS) {
                let (package, version) = self.version(executed);
                let mut why = version.explanation();
                if executed.status == Status::AlreadyGone {
                    why.push_str(" (already gone)");
                }
                md.push_str(&row(package, version, &why));
            }
            md.push_str(&more(done.len()));
        }

        let kept: Vec<(&PackagePlan, &VersionPlan)> = self
            .plan
            .packages
            .iter()
            .flat_map(|p| p.kept().map(move |v| (p, v)))
            .collect();
        if !kept.is_empty() {
            md.push_str(&format!(
                "\n<details><summary>Kept ({})</summary>\n\n",
                kept.len()
            ));
            md.push_str(
                "| Package | ID | Version | Tags | Why |\n| --- | ---: | --- | --- | --- |\n",
            );
            for (package, version) in kept.iter().take(SUMMARY_ROWS) {
                md.push_str(&row(package, version, &version.explanation()));
            }
            md.push_str(&more(kept.len()));
            md.push_str("\n</details>\n");
        }
        md.push_str(&self.requests.footer());
        md
    }

    /// The plan and its results for a person at a terminal, with at most `versions_per_package`
    /// rows per package (deletions first).
    pub fn terminal(&self, versions_per_package: Option<usize>) -> String {
        let mut out = format!("{}\n", self.headline().replace("**", ""));
        if let Some(refused) = &self.refused {
            out.push_str(&format!("{refused}\n"));
        }
        for note in self.implied {
            out.push_str(&format!("note: {note}\n"));
        }
        let mut table = terminal_table(["Package", "ID", "Version", "Tags", "Decision"]);
        let limit = versions_per_package.unwrap_or(usize::MAX);
        let statuses = self.statuses();
        let mut hidden = 0;
        for (p, package) in self.plan.packages.iter().enumerate() {
            // Deletions first, then what is kept, each newest first.
            let mut order: Vec<usize> = (0..package.versions.len()).collect();
            order.sort_by_key(|&v| package.versions[v].action == Action::Keep);
            hidden += order.len().saturating_sub(limit);
            for v in order.into_iter().take(limit) {
                let version = &package.versions[v];
                let mut decision = version.explanation();
                if let Some(status) = statuses.get(&(p, v)) {
                    match status {
                        Status::Failed(error) => decision = format!("FAILED: {error}"),
                        Status::AlreadyGone => decision.push_str(" (already gone)"),
                        Status::Deferred => decision.push_str(" (left for the next run)"),
                        Status::WouldDelete | Status::Deleted => {}
                    }
                }
                table.add_row([
                    terminal_safe(&package.package.name),
                    version.version.id.to_string(),
                    terminal_safe(&short_name(&version.version.name)),
                    terminal_safe(&version.version.tags().join(", ")),
                    terminal_safe(&decision),
                ]);
            }
        }
        out.push_str(&table.to_string());
        out.push('\n');
        if hidden > 0 {
            out.push_str(&format!(
                "… and {hidden} more version(s), in the report file\n"
            ));
        }
        out
    }
}

fn row(package: &PackagePlan, version: &VersionPlan, why: &str) -> String {
    let tags: Vec<String> = version
        .version
        .tags()
        .iter()
        .map(|t| markdown_escape(t))
        .collect();
    format!(
        "| {} | {} | {} | {} | {} |\n",
        markdown_escape(&package.package.name),
        version.version.id,
        markdown_escape(&short_name(&version.version.name)),
        tags.join(", "),
        markdown_escape(why)
    )
}

fn more(total: usize) -> String {
    match total.checked_sub(SUMMARY_ROWS) {
        Some(hidden) if hidden > 0 => {
            format!("\n… and {hidden} more, in the outputs and the `report` file.\n")
        }
        _ => String::new(),
    }
}
