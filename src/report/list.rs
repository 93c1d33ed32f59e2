//! What `list` shows: the `packages` and `versions` outputs, the summary, the terminal table.

use serde::Serialize;

use super::{Summary, html_escape, markdown_escape, terminal_safe, terminal_table};

use crate::github::Scope;

use crate::model::{PackageListing, rfc3339, short_digest};
use crate::model::{PackageType, Tags, VersionId};

/// At most this many versions of one package are shown in the summary, and fewer when they would
/// take it past [`super::SUMMARY_BYTES`]; the outputs hold all.
pub const SUMMARY_VERSIONS_PER_PACKAGE: usize = 50;

/// What `list` found.
pub struct ListReport<'a> {
    pub scope: &'a Scope,
    pub package_type: PackageType,
    pub listings: &'a [PackageListing],
}

/// One object of the `packages` output.
#[derive(Debug, Serialize)]
pub struct PackageOutput<'a> {
    pub name: &'a str,
    pub package_type: PackageType,
    pub visibility: &'a str,
    pub version_count: usize,
}

/// One object of the `versions` output.
#[derive(Debug, Serialize)]
pub struct VersionOutput<'a> {
    pub package: &'a str,
    pub id: VersionId,
    pub name: &'a str,
    pub tags: Tags<'a>,
    pub created_at: String,
    pub updated_at: String,
}

impl ListReport<'_> {
    pub fn version_count(&self) -> usize {
        self.listings.iter().map(|l| l.versions.len()).sum()
    }

    /// The `packages` output: one object per package.
    pub fn packages_json(&self) -> Option<String> {
        let packages: Vec<PackageOutput> = self
            .listings
            .iter()
            .map(|listing| PackageOutput {
                name: &listing.package.name,
                package_type: listing.package.package_type,
                visibility: listing.package.visibility.as_str(),
                version_count: listing.versions.len(),
            })
            .collect();
        super::output_json(&packages)
    }

    /// The `versions` output: one object per version, packages in name order.
    pub fn versions_json(&self) -> Option<String> {
        let versions: Vec<VersionOutput> = self
            .listings
            .iter()
            .flat_map(|listing| {
                listing.versions.iter().map(|version| VersionOutput {
                    package: &listing.package.name,
                    id: version.id,
                    name: &version.name,
                    tags: version.tags(),
                    created_at: rfc3339(version.created_at),
                    updated_at: rfc3339(version.updated_or_created()),
                })
            })
            .collect();
        super::output_json(&versions)
    }

    /// The job summary.
    pub fn markdown(&self) -> String {
        let mut md = Summary::new("the `packages` and `versions` outputs");
        md.text(&format!(
            "## package-warden · list\n\n{} {} package(s) of {} with {} active version(s).\n\n",
            self.listings.len(),
            self.package_type,
            markdown_escape(&self.scope.to_string()),
            self.version_count(),
        ));
        if self.listings.is_empty() {
            md.text("No package matched `packages`.\n");
            return md.finish();
        }
        md.text("| Package | Visibility | Versions |\n| --- | --- | ---: |\n");
        for listing in self.listings {
            md.row(&format!(
                "| {} | {} | {} |\n",
                markdown_escape(&listing.package.name),
                markdown_escape(listing.package.visibility.as_str()),
                listing.versions.len()
            ));
        }
        md.end_table(self.listings.len());
        for (shown, listing) in self.listings.iter().enumerate() {
            if md.is_full() {
                md.text(&format!(
                    "\n… and {} more package(s), in the `versions` output.\n",
                    self.listings.len() - shown
                ));
                break;
            }
            md.text(&format!(
                "\n<details><summary>{} ({} versions)</summary>\n\n",
                html_escape(&listing.package.name),
                listing.versions.len()
            ));
            md.text("| ID | Name | Tags | Created | Updated |\n| ---: | --- | --- | --- | --- |\n");
            for version in listing.versions.iter().take(SUMMARY_VERSIONS_PER_PACKAGE) {
                let tags = markdown_escape(&version.tags().render());
                md.row(&format!(
                    "| {} | {} | {} | {} | {} |\n",
                    version.id,
                    markdown_escape(&version.name),
                    tags,
                    rfc3339(version.created_at),
                    rfc3339(version.updated_or_created())
                ));
            }
            // Past the rows shown per package, the older versions are in the output.
            md.end_table(listing.versions.len().min(SUMMARY_VERSIONS_PER_PACKAGE));
            let older = listing
                .versions
                .len()
                .saturating_sub(SUMMARY_VERSIONS_PER_PACKAGE);
            if older > 0 {
                md.text(&format!(
                    "\n… and {older} older version(s), listed in the `versions` output.\n"
                ));
            }
            md.text("\n</details>\n");
        }
        md.finish()
    }

    /// A table for a person at a terminal, with at most `versions_per_package` rows per package.
    pub fn terminal(&self, versions_per_package: Option<usize>) -> String {
        let mut out = format!(
            "{} {} package(s) of {}, {} active version(s)\n",
            self.listings.len(),
            self.package_type,
            self.scope,
            self.version_count()
        );
        for listing in self.listings {
            out.push_str(&format!(
                "\n{} ({}, {} versions)\n",
                terminal_safe(&listing.package.name),
                listing.package.visibility,
                listing.versions.len()
            ));
            let mut table = terminal_table(["ID", "Name", "Tags", "Created", "Updated"]);
            let shown = versions_per_package.unwrap_or(usize::MAX);
            for version in listing.versions.iter().take(shown) {
                table.add_row([
                    version.id.to_string(),
                    terminal_safe(&short_digest(&version.name)),
                    terminal_safe(&version.tags().render()),
                    rfc3339(version.created_at),
                    rfc3339(version.updated_or_created()),
                ]);
            }
            out.push_str(&table.to_string());
            out.push('\n');
            let hidden = listing.versions.len().saturating_sub(shown);
            if hidden > 0 {
                out.push_str(&format!("… and {hidden} older version(s)\n"));
            }
        }
        out
    }
}
