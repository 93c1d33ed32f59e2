//! What `prune` shows: the `deleted` and `failed` outputs, the full report file, the summary and
//! the terminal table.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::file::{Reasons, ReportFile, ReportPackage, ReportVersion};
use super::{Summary, markdown_escape, summary_heading, terminal_safe, terminal_table};
use crate::execute::{Executed, Op, Outcome, Status};
use crate::github::Scope;
use crate::model::{PackageType, Tags, Timestamp, VersionId, rfc3339, short_digest};
use crate::plan::{Action, PackagePlan, Plan, VersionPlan};

/// At most this many rows per table in the summary, and fewer when they would take it past
/// [`super::SUMMARY_BYTES`]; the outputs and the report file hold everything.
const SUMMARY_ROWS: usize = 500;

/// What a prune decided and did.
pub struct PruneReport<'a> {
    pub scope: &'a Scope,
    /// The login of the packages' owner, recorded for `undo`.
    pub owner: &'a str,
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
    /// The login of the package's owner.
    pub owner: &'a str,
    pub package: &'a str,
    pub package_type: PackageType,
    pub id: VersionId,
    pub name: &'a str,
    pub tags: Tags<'a>,
    pub reason: String,
    /// `deleted`, `already-gone`, `would-delete` or `failed`.
    pub status: &'static str,
    /// Deleted together with its whole package (`delete-package-when-empty`).
    pub package_deleted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
}

/// A package's versions in the report, serialised one at a time as they are written.
struct StreamedVersions<'a> {
    index: usize,
    package: &'a PackagePlan,
    statuses: &'a HashMap<(usize, usize), &'a Status>,
}

impl Serialize for StreamedVersions<'_> {
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
                        name: Cow::Borrowed(&version.version.name),
                        tags: version.version.tag_list.as_deref().map(Cow::Borrowed),
                        created_at: Cow::Owned(rfc3339(version.version.created_at)),
                        updated_at: Cow::Owned(rfc3339(version.version.updated_or_created())),
                        action: Some(version.action.into()),
                        reasons: Reasons::Written(&version.reasons),
                        result: status.map(|status| Cow::Borrowed(status.word(OP))),
                        error: match status {
                            Some(Status::Failed(error)) => Some(Cow::Borrowed(error)),
                            _ => None,
                        },
                    }
                }),
        )
    }
}

/// Prune deletes.
const OP: Op = Op::Delete;

/// One version of a prune's `deleted` output as `undo` reads it back: the fields of
/// [`VersionEntry`] it needs, owned.
#[derive(Debug, Deserialize)]
pub struct DeletedEntry {
    /// Absent from the outputs of package-warden before it recorded the owner.
    #[serde(default)]
    pub owner: Option<String>,
    pub package: String,
    pub package_type: PackageType,
    pub id: VersionId,
    pub name: String,
    /// A [`Status::word`]; absent from the oldest outputs, which listed deleted versions only.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub package_deleted: bool,
}

impl<'a> PruneReport<'a> {
    fn version(&self, executed: &Executed) -> (&'a PackagePlan, &'a VersionPlan) {
        let package = &self.plan.packages[executed.package];
        (package, &package.versions[executed.version])
    }

    fn entry(&self, executed: &'a Executed) -> VersionEntry<'a> {
        let (package, version) = self.version(executed);
        VersionEntry {
            owner: self.owner,
            package: &package.package.name,
            package_type: package.package.package_type,
            id: version.version.id,
            name: &version.version.name,
            tags: version.version.tags(),
            reason: version.explanation(),
            status: executed.status.word(OP),
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
    ) -> ReportFile<'s, StreamedVersions<'s>> {
        let packages = self
            .plan
            .packages
            .iter()
            .enumerate()
            .map(|(index, package)| ReportPackage {
                name: Cow::Borrowed(&package.package.name),
                package_type: package.package.package_type,
                delete_package: package.delete_package,
                versions: StreamedVersions {
                    index,
                    package,
                    statuses,
                },
            })
            .collect();
        ReportFile {
            command: Cow::Borrowed("prune"),
            generated_at: Cow::Owned(rfc3339(generated_at)),
            dry_run: self.dry_run,
            owner: Some(Cow::Borrowed(self.owner)),
            package_type: Some(self.package_type),
            refused: self.refused.as_deref().map(Cow::Borrowed),
            packages,
        }
    }

    /// The run's last line when deletions failed, from what became of each planned deletion:
    /// `3 of 3 deletion(s) failed; none was done`, `1 of 3 deletion(s) failed; 2 were deleted`.
    pub fn failure_line(&self) -> Option<String> {
        let failed = self.failed_count();
        if failed == 0 {
            return None;
        }
        let count = |status: &Status| {
            self.outcome
                .results
                .iter()
                .filter(|e| e.status == *status)
                .count()
        };
        let others = super::tally(&[
            (count(&Status::Done), "deleted"),
            (count(&Status::AlreadyDone), "already gone"),
            (self.remaining_count(), "left for the next run"),
        ]);
        Some(format!(
            "{failed} of {} deletion(s) failed; {others}",
            self.outcome.results.len()
        ))
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
        let mut md = Summary::new("the outputs and the `report` file");
        md.text(&summary_heading("prune", self.dry_run, &self.headline()));
        if let Some(refused) = &self.refused {
            md.text(&format!("> [!CAUTION]\n> {}\n\n", markdown_escape(refused)));
        }
        if self.dry_run {
            md.text(
                "> [!NOTE]\n> Dry run: nothing was changed. The tables show what would happen.\n\n",
            );
        }
        for note in self.implied.iter().chain(self.warnings) {
            md.text(&format!("- {}\n", markdown_escape(note)));
        }
        if !self.implied.is_empty() || !self.warnings.is_empty() {
            md.text("\n");
        }

        // Each column counts one status, so that the columns add up to the headline's counts.
        let deferred = self.remaining_count() > 0;
        let deleted = if self.dry_run {
            "Would delete"
        } else {
            "Deleted"
        };
        let (left, rule) = match deferred {
            true => (" Left for the next run |", " ---: |"),
            false => ("", ""),
        };
        md.text(&format!(
            "| Package | {deleted} | Kept | Failed |{left}\n| --- | ---: | ---: | ---: |{rule}\n"
        ));
        for (p, package) in self.plan.packages.iter().enumerate() {
            let name = markdown_escape(&package.package.name);
            let whole = if package.delete_package {
                " (whole package)"
            } else {
                ""
            };
            let mut line = format!(
                "| {name}{whole} | {} | {} | {} |",
                in_package(p, self.outcome.done()),
                package.kept().count(),
                in_package(p, self.outcome.failures())
            );
            if deferred {
                line.push_str(&format!(" {} |", in_package(p, self.outcome.deferred())));
            }
            line.push('\n');
            md.row(&line);
        }
        md.end_table(self.plan.packages.len());

        let failed: Vec<&Executed> = self.outcome.failures().collect();
        if !failed.is_empty() {
            md.text(&format!("\n### Failed ({})\n\n", failed.len()));
            md.text(
                "| Package | ID | Version | Tags | Error |\n| --- | ---: | --- | --- | --- |\n",
            );
            for executed in failed.iter().take(SUMMARY_ROWS) {
                let (package, version) = self.version(executed);
                let Status::Failed(error) = &executed.status else {
                    continue;
                };
                md.row(&row(package, version, error));
            }
            md.end_table(failed.len());
        }

        let deferred: Vec<&Executed> = self.outcome.deferred().collect();
        if !deferred.is_empty() {
            md.text(&format!(
                "\n### Left for the next run ({})\n\nThe hourly API budget ran low, or GitHub \
                 asked to wait longer than `max-wait` allows, so these were not sent; the next run \
                 will delete them (or set `max-wait` to wait longer).\n\n",
                deferred.len()
            ));
            md.text("| Package | ID | Version | Tags | Why |\n| --- | ---: | --- | --- | --- |\n");
            for executed in deferred.iter().take(SUMMARY_ROWS) {
                let (package, version) = self.version(executed);
                md.row(&row(package, version, &version.explanation()));
            }
            md.end_table(deferred.len());
        }

        let done: Vec<&Executed> = self.outcome.done().collect();
        if !done.is_empty() {
            let heading = if self.dry_run {
                "Would delete"
            } else {
                "Deleted"
            };
            md.text(&format!("\n### {heading} ({})\n\n", done.len()));
            md.text("| Package | ID | Version | Tags | Why |\n| --- | ---: | --- | --- | --- |\n");
            for executed in done.iter().take(SUMMARY_ROWS) {
                let (package, version) = self.version(executed);
                let mut why = version.explanation();
                if executed.status == Status::AlreadyDone {
                    why.push_str(" (already gone)");
                }
                md.row(&row(package, version, &why));
            }
            md.end_table(done.len());
        }

        let kept: Vec<(&PackagePlan, &VersionPlan)> = self
            .plan
            .packages
            .iter()
            .flat_map(|p| p.kept().map(move |v| (p, v)))
            .collect();
        if !kept.is_empty() {
            md.text(&format!(
                "\n<details><summary>Kept ({})</summary>\n\n",
                kept.len()
            ));
            md.text("| Package | ID | Version | Tags | Why |\n| --- | ---: | --- | --- | --- |\n");
            for (package, version) in kept.iter().take(SUMMARY_ROWS) {
                md.row(&row(package, version, &version.explanation()));
            }
            md.end_table(kept.len());
            md.text("\n</details>\n");
        }
        md.text(&self.requests.footer());
        md.finish()
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
                        Status::AlreadyDone => decision.push_str(" (already gone)"),
                        Status::Deferred => decision.push_str(" (left for the next run)"),
                        Status::WouldDo | Status::Done => {}
                    }
                }
                table.add_row([
                    terminal_safe(&package.package.name),
                    version.version.id.to_string(),
                    terminal_safe(&short_digest(&version.version.name)),
                    terminal_safe(&version.version.tags().render()),
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

/// How many of `results` are in the package at index `p`.
fn in_package<'e>(p: usize, results: impl Iterator<Item = &'e Executed>) -> usize {
    results.filter(|e| e.package == p).count()
}

fn row(package: &PackagePlan, version: &VersionPlan, why: &str) -> String {
    format!(
        "| {} | {} | {} | {} | {} |\n",
        markdown_escape(&package.package.name),
        version.version.id,
        markdown_escape(&short_digest(&version.version.name)),
        markdown_escape(&version.version.tags().render()),
        markdown_escape(why)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `undo` reads the `deleted` output back with [`DeletedEntry`]: what one writes, the other
    /// reads.
    #[test]
    fn the_deleted_output_reads_back() {
        let tags = ["v1".to_string()];
        let written = VersionEntry {
            owner: "acme",
            package: "app",
            package_type: PackageType::Container,
            id: VersionId(7),
            name: "sha256:1",
            tags: Tags::Known(&tags),
            reason: "delete: untagged".to_string(),
            status: Status::Done.word(OP),
            package_deleted: true,
            error: None,
        };
        let text = serde_json::to_string(&[written]).unwrap();
        let read: Vec<DeletedEntry> = serde_json::from_str(&text).unwrap();
        let [entry] = &read[..] else {
            panic!("{read:?}")
        };
        assert_eq!(entry.owner.as_deref(), Some("acme"));
        assert_eq!(
            (entry.package.as_str(), entry.package_type, entry.id),
            ("app", PackageType::Container, VersionId(7))
        );
        assert_eq!(entry.name, "sha256:1");
        assert_eq!(entry.status.as_deref(), Some("deleted"));
        assert!(entry.package_deleted);
    }
}
