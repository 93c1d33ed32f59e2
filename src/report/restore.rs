//! What `restore` shows: the `restored` and `failed` outputs, the summary and the terminal table.

use serde::Serialize;

use super::{Summary, markdown_escape, summary_heading, terminal_safe, terminal_table};
use crate::execute::{Executed, Op, Outcome, PackageExecuted, Status};
use crate::github::Scope;
use crate::model::{PackageType, Tags, VersionId, short_digest};
use crate::plan::restore::{RestoreItem, RestorePlan};

/// Restore restores.
const OP: Op = Op::Restore;

/// What a restore decided and did.
pub struct RestoreReport<'a> {
    pub scope: &'a Scope,
    pub plan: &'a RestorePlan,
    pub outcome: &'a Outcome,
    /// Packages restored whole, first.
    pub packages: &'a [PackageExecuted],
    pub dry_run: bool,
    pub warnings: &'a [String],
}

/// One version in the `restored` and `failed` outputs.
#[derive(Debug, Serialize)]
pub struct RestoredEntry<'a> {
    pub package: &'a str,
    pub package_type: PackageType,
    pub id: VersionId,
    pub name: &'a str,
    pub tags: Tags<'a>,
    pub reason: String,
    /// `restored`, `already-active`, `would-restore` or `failed`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
}

impl<'a> RestoreReport<'a> {
    fn item(&self, executed: &Executed) -> &'a RestoreItem {
        &self.plan.packages[executed.package].versions[executed.version]
    }

    fn entry(&self, executed: &'a Executed) -> RestoredEntry<'a> {
        let package = &self.plan.packages[executed.package];
        let item = self.item(executed);
        RestoredEntry {
            package: &package.name,
            package_type: package.package_type,
            id: item.version.id,
            name: &item.version.name,
            tags: item.version.tags(),
            reason: item.explanation(),
            status: executed.status.word(OP),
            error: match &executed.status {
                Status::Failed(error) => Some(error),
                _ => None,
            },
        }
    }

    /// The versions restored (`failed` false) or that failed; those left for the next run are
    /// in neither.
    fn entries(&self, failed: bool) -> Vec<RestoredEntry<'a>> {
        let mut entries: Vec<RestoredEntry> = match failed {
            true => self.outcome.failures().map(|e| self.entry(e)).collect(),
            false => self.outcome.done().map(|e| self.entry(e)).collect(),
        };
        if !failed {
            // Versions asked for but active already are reported alongside, not as errors;
            // those of a package restored whole in this run came back with it.
            for package in &self.plan.packages {
                let with_package = self.packages.iter().any(|p| {
                    p.name == package.name
                        && p.package_type == package.package_type
                        && p.status == Status::Done
                });
                let (status, reason) = if with_package {
                    (Status::Done, "restored with its package")
                } else {
                    (Status::AlreadyDone, "asked for, and active already")
                };
                for version in &package.already_active {
                    entries.push(RestoredEntry {
                        package: &package.name,
                        package_type: package.package_type,
                        id: version.id,
                        name: &version.name,
                        tags: version.tags(),
                        reason: reason.to_string(),
                        status: status.word(OP),
                        error: None,
                    });
                }
            }
        } else {
            for package in &self.plan.packages {
                for entry in &package.gone_for_good {
                    entries.push(RestoredEntry {
                        package: &package.name,
                        package_type: package.package_type,
                        id: entry.id,
                        name: &entry.name,
                        tags: Tags::Known(&[]),
                        reason: "deleted by the prune being undone".to_string(),
                        status: "failed",
                        error: Some(
                            "no longer in GitHub's deleted versions: deleted more than 30 days \
                             ago, or the package name was reused",
                        ),
                    });
                }
            }
        }
        entries
    }

    /// The `restored` output.
    pub fn restored_json(&self) -> Option<String> {
        super::output_json(&self.entries(false))
    }

    /// The `failed` output.
    pub fn failed_json(&self) -> Option<String> {
        super::output_json(&self.entries(true))
    }

    pub fn restored_count(&self) -> usize {
        self.entries(false).len()
    }

    pub fn failed_count(&self) -> usize {
        self.entries(true).len()
            + self
                .packages
                .iter()
                .filter(|p| p.status.is_failure())
                .count()
    }

    /// Versions and packages left for the next run because the API budget ran low.
    pub fn remaining_count(&self) -> usize {
        self.outcome.deferred().count()
            + self
                .packages
                .iter()
                .filter(|p| p.status == Status::Deferred)
                .count()
    }

    /// The run's last line when something could not be restored, from what became of each
    /// version and package: `3 of 3 restore(s) failed; none was done`.
    pub fn failure_line(&self) -> Option<String> {
        let failed = self.failed_count();
        if failed == 0 {
            return None;
        }
        let done = self.entries(false);
        let count = |status: Status| {
            done.iter().filter(|e| e.status == status.word(OP)).count()
                + self.packages.iter().filter(|p| p.status == status).count()
        };
        let (restored, active) = (count(Status::Done), count(Status::AlreadyDone));
        let deferred = self.remaining_count();
        Some(format!(
            "{failed} of {} restore(s) failed; {}",
            failed + restored + active + deferred,
            super::tally(&[
                (restored, "restored"),
                (active, "active already"),
                (deferred, "left for the next run"),
            ])
        ))
    }

    fn headline(&self) -> String {
        let verb = if self.dry_run {
            "Would restore"
        } else {
            "Restored"
        };
        let mut line = format!("**{verb} {} version(s)**", self.restored_count());
        // A package active already was not restored: the package table says so.
        let packages = self
            .packages
            .iter()
            .filter(|p| matches!(p.status, Status::Done | Status::WouldDo))
            .count();
        if packages > 0 {
            line.push_str(&format!(" and {packages} package(s)"));
        }
        line.push_str(&format!(" of {}", self.scope));
        let failed = self.failed_count();
        if failed > 0 {
            line.push_str(&format!("; **{failed} could not be restored**"));
        }
        let remaining = self.remaining_count();
        if remaining > 0 {
            line.push_str(&format!(
                "; **{remaining} left for the next run**: the API budget ran low"
            ));
        }
        line
    }

    /// The job summary.
    pub fn markdown(&self) -> String {
        let mut md = Summary::new("the `restored` and `failed` outputs");
        md.text(&summary_heading("restore", self.dry_run, &self.headline()));
        if self.dry_run {
            md.text(
                "> [!NOTE]\n> Dry run: nothing was changed. The table shows what would happen.\n\n",
            );
        }
        for warning in self.warnings {
            md.text(&format!("- {}\n", markdown_escape(warning)));
        }
        if !self.warnings.is_empty() {
            md.text("\n");
        }
        if !self.packages.is_empty() {
            md.text("| Package | Type | Result |\n| --- | --- | --- |\n");
            for package in self.packages {
                let result = match &package.status {
                    Status::Failed(error) => format!("failed: {error}"),
                    status => status.word(OP).to_string(),
                };
                md.text(&format!(
                    "| {} | {} | {} |\n",
                    markdown_escape(&package.name),
                    package.package_type,
                    markdown_escape(&result)
                ));
            }
            md.text("\n");
        }
        let mut rows: Vec<RestoredEntry> = self.entries(true);
        rows.extend(self.entries(false));
        let deferred: Vec<&Executed> = self.outcome.deferred().collect();
        if rows.is_empty() && deferred.is_empty() {
            md.text("Nothing matched: no deleted version was selected.\n");
            return md.finish();
        }
        if !rows.is_empty() {
            md.text("| Package | ID | Version | Tags | Result | Why |\n| --- | ---: | --- | --- | --- | --- |\n");
            for entry in &rows {
                let result = match entry.error {
                    Some(error) => format!("failed: {error}"),
                    None => entry.status.to_string(),
                };
                md.row(&format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    markdown_escape(entry.package),
                    entry.id,
                    markdown_escape(&short_digest(entry.name)),
                    markdown_escape(&entry.tags.render()),
                    markdown_escape(&result),
                    markdown_escape(&entry.reason)
                ));
            }
            md.end_table(rows.len());
        }
        if !deferred.is_empty() {
            // As prune shows them: apart, with why they were not sent and what to do.
            md.text(&format!(
                "\n### Left for the next run ({})\n\nThe hourly API budget ran low, or GitHub \
                 asked to wait longer than `max-wait` allows, so these were not sent; run the \
                 restore again once the budget is back (or set `max-wait` to wait longer).\n\n",
                deferred.len()
            ));
            md.text("| Package | ID | Version | Tags | Why |\n| --- | ---: | --- | --- | --- |\n");
            for entry in deferred.iter().map(|e| self.entry(e)) {
                md.row(&format!(
                    "| {} | {} | {} | {} | {} |\n",
                    markdown_escape(entry.package),
                    entry.id,
                    markdown_escape(&short_digest(entry.name)),
                    markdown_escape(&entry.tags.render()),
                    markdown_escape(&entry.reason)
                ));
            }
            md.end_table(deferred.len());
        }
        md.finish()
    }

    /// A table for a person at a terminal, with at most `rows` rows (failures first).
    pub fn terminal(&self, rows: Option<usize>) -> String {
        let mut out = format!("{}\n", self.headline().replace("**", ""));
        for warning in self.warnings {
            out.push_str(&format!("warning: {warning}\n"));
        }
        let mut entries: Vec<RestoredEntry> = self.entries(true);
        entries.extend(self.outcome.deferred().map(|e| self.entry(e)));
        entries.extend(self.entries(false));
        if entries.is_empty() {
            return out;
        }
        let shown = rows.unwrap_or(usize::MAX);
        let hidden = entries.len().saturating_sub(shown);
        let mut table = terminal_table(["Package", "ID", "Version", "Tags", "Result", "Why"]);
        for entry in entries.into_iter().take(shown) {
            table.add_row([
                terminal_safe(entry.package),
                entry.id.to_string(),
                terminal_safe(&short_digest(entry.name)),
                terminal_safe(&entry.tags.render()),
                terminal_safe(&match entry.error {
                    Some(error) => format!("failed: {error}"),
                    None if entry.status == Status::Deferred.word(OP) => {
                        "left for the next run".to_string()
                    }
                    None => entry.status.to_string(),
                }),
                terminal_safe(&entry.reason),
            ]);
        }
        out.push_str(&table.to_string());
        out.push('\n');
        if hidden > 0 {
            out.push_str(&format!("… and {hidden} more, in the `restored` output\n"));
        }
        out
    }
}
