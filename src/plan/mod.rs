//! The retention policy: a pure function from (versions, policy, now) to a [`Plan`] in which
//! every version carries its fate and the reasons for it.
//!
//! ```
//! use package_warden::plan::{Policy, Selection};
//! # use package_warden::model::{Package, PackageListing, PackageType, PackageVersion};
//! # let day = |day| format!("2026-11-{day:02}T00:00:00Z").parse().unwrap();
//! # let version = |id, name: &str, d| PackageVersion::new(id, name, day(d));
//! # let package = Package::new(1, "web", PackageType::Npm, day(1));
//! let listing = PackageListing { package, versions: vec![version(1, "1.0.0", 1), version(2, "1.1.0", 2), version(3, "1.2.0", 3)] };
//! let policy = Policy { keep_newest: Some(2), ..Policy::new(Selection::everything()) };
//! let plan = package_warden::plan::plan(vec![listing.into()], &policy, "2026-11-25T00:00:00Z".parse().unwrap());
//! let deleted: Vec<&str> = plan.deletions().map(|(_, v)| v.version.name.as_str()).collect();
//! assert_eq!(deleted, ["1.0.0"]);
//! ```
//!
//! The rules run in a fixed order, [`rules::ORDER`], one file each under [`rules`]; the first
//! that keeps a version decides it:
//! 1. `selection` (`tags`, `untagged`, `versions`, `version-ids`): the others are kept;
//! 2. `exclusions` (`exclude-tags`, `exclude-versions`);
//! 3. `keep-newest` (`keep-n-tagged`, `keep-n-untagged`, `keep-n`), counted among the
//!    candidates left by 1 and 2, before the age filter: a floor, "keep at least the N newest";
//! 4. `age` (`older-than`);
//! 5. `pre-release` (`pre-release-only`);
//! 6. `never-empty`: what is left is deleted, except that a package is never emptied: its
//!    newest version is kept, unless `delete-package-when-empty` deletes the whole package.
//!
//! With the registry's manifests ([`Images::Read`]), versions that belong to an image (platform
//! and attestation manifests of an index, signatures, referrers) are not judged on their own:
//! rules 1 to 6 judge the images, and each dependent follows them (the `images` pass, last),
//! kept while any image that references it is kept and deleted with the last of them.
//! Exclusions still protect a dependent, and one that carries tags of its own is judged as
//! well: it goes with its image only when the selection picks each of those tags and rules 2,
//! 4 and 5 would let it go. Before rule 1, what cannot be judged is kept. When the registry
//! could not be read ([`Images::Unreadable`]) the plan fails closed (`registry-unreadable`): no
//! untagged version of the package is deleted. So it does when GitHub did not say which tags
//! some container versions carry ([`Tags::Unknown`](crate::model::Tags), `tags-unknown`):
//! those are kept unless `version-ids` lists them.
//!
//! Every [`Reason`] names the rule that gave it ([`Reason::rule_id`]). `restore` plans with the
//! same selection and reasons ([`restore`]).

pub mod checks;
mod draft;
mod images;
mod reason;
pub mod restore;
pub mod rules;

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::model::{Digest, Package, PackageListing, PackageVersion, Timestamp};
use crate::selector::PatternList;

use draft::{Context, PackageDraft};

pub use images::{
    ArtifactKind, ChildFacts, ImageKind, ImageRef, Link, ManifestFacts, Relation, tag_subject,
};
pub use reason::Reason;
pub use restore::{RestoreRequest, UndoEntry};
pub use rules::age::Age;
pub use rules::pre_release::{Release, classify as classify_release};
pub use rules::selection::Selection;

/// What the registry said about a package's manifests.
#[derive(Debug, Clone, Default)]
pub enum Images {
    /// Not read: not a container package, or `manifest-aware: false`.
    #[default]
    NotRead,
    /// Reading failed: the plan keeps every untagged version of the package.
    Unreadable(String),
    /// The facts of the manifests read, by digest.
    Read(HashMap<Digest, ManifestFacts>),
}

/// One package as the planner sees it: its versions and what the registry said about them.
#[derive(Debug, Clone)]
pub struct PackageFacts {
    pub listing: PackageListing,
    pub images: Images,
}

impl From<PackageListing> for PackageFacts {
    fn from(listing: PackageListing) -> PackageFacts {
        PackageFacts {
            listing,
            images: Images::NotRead,
        }
    }
}

/// Which timestamp "newest" and "older than" read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimestampField {
    /// `updated_at`, falling back to `created_at`.
    #[default]
    Updated,
    Created,
}

impl TimestampField {
    pub fn of(self, version: &PackageVersion) -> Timestamp {
        match self {
            TimestampField::Updated => version.updated_or_created(),
            TimestampField::Created => version.created_at,
        }
    }
}

impl fmt::Display for TimestampField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimestampField::Updated => "updated",
            TimestampField::Created => "created",
        })
    }
}

/// A validated retention policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub selection: Selection,
    pub exclude_tags: Option<PatternList>,
    pub exclude_versions: Option<PatternList>,
    pub keep_newest_tagged: Option<usize>,
    pub keep_newest_untagged: Option<usize>,
    pub keep_newest: Option<usize>,
    pub older_than: Option<Age>,
    pub timestamp: TimestampField,
    pub pre_release_only: bool,
    pub delete_package_when_empty: bool,
}

impl Default for Policy {
    /// Selects nothing, so deletes nothing.
    fn default() -> Policy {
        Policy::new(Selection::default())
    }
}

impl Policy {
    /// A policy that deletes what `selection` picks, with no protection beyond the last-version rule.
    pub fn new(selection: Selection) -> Policy {
        Policy {
            selection,
            exclude_tags: None,
            exclude_versions: None,
            keep_newest_tagged: None,
            keep_newest_untagged: None,
            keep_newest: None,
            older_than: None,
            timestamp: TimestampField::Updated,
            pre_release_only: false,
            delete_package_when_empty: false,
        }
    }
}

/// What happens to a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Keep,
    Delete,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Keep => "keep",
            Action::Delete => "delete",
        })
    }
}

/// One version's fate and why.
#[derive(Debug, Clone)]
pub struct VersionPlan {
    pub version: PackageVersion,
    pub action: Action,
    /// For a deletion: what selected it, then what let it go; for a keep: the rule that kept it
    /// (after what selected it, if anything did).
    pub reasons: Vec<Reason>,
    /// The digests of the images this version is a part of (platform manifest, attestation,
    /// signature, referrer); empty for an image of its own. Execution deletes a part only once
    /// these images are gone.
    pub belongs_to: Vec<Digest>,
}

impl VersionPlan {
    /// `delete: untagged, older than 30d (updated 2026-10-01)`, or for a keep the rule that
    /// kept it: `keep: among the 3 newest tagged (keep-n-tagged)`.
    pub fn explanation(&self) -> String {
        let reasons: Vec<String> = match self.action {
            Action::Delete => self.reasons.iter().map(Reason::to_string).collect(),
            Action::Keep => self
                .deciding_reason()
                .map(Reason::to_string)
                .into_iter()
                .collect(),
        };
        format!("{}: {}", self.action, reasons.join(", "))
    }

    /// The reason that decided the fate (the last one).
    pub fn deciding_reason(&self) -> Option<&Reason> {
        self.reasons.last()
    }
}

/// One package's plan.
#[derive(Debug, Clone)]
pub struct PackagePlan {
    pub package: Package,
    /// Newest first.
    pub versions: Vec<VersionPlan>,
    /// Every version is selected and `delete-package-when-empty` is on: the package itself is
    /// deleted (which takes its versions with it).
    pub delete_package: bool,
}

impl PackagePlan {
    pub fn deletions(&self) -> impl Iterator<Item = &VersionPlan> {
        self.versions.iter().filter(|v| v.action == Action::Delete)
    }

    pub fn kept(&self) -> impl Iterator<Item = &VersionPlan> {
        self.versions.iter().filter(|v| v.action == Action::Keep)
    }
}

/// The decision for every version of every package.
#[derive(Debug, Clone)]
pub struct Plan {
    pub packages: Vec<PackagePlan>,
}

impl Plan {
    /// Every version to delete, with its package.
    pub fn deletions(&self) -> impl Iterator<Item = (&PackagePlan, &VersionPlan)> {
        self.packages
            .iter()
            .flat_map(|p| p.deletions().map(move |v| (p, v)))
    }

    pub fn deletion_count(&self) -> usize {
        self.deletions().count()
    }

    pub fn kept_count(&self) -> usize {
        self.packages.iter().map(|p| p.kept().count()).sum()
    }
}

/// One warning for each package of the plan in which GitHub did not say which tags some
/// versions carry: those versions, and every untagged version of the package, were kept.
pub fn versions_without_tags(plan: &Plan) -> Vec<String> {
    plan.packages
        .iter()
        .filter(|p| p.package.package_type.has_tags())
        .filter_map(|package| {
            let unknown = package
                .versions
                .iter()
                .filter(|v| v.version.tags().is_unknown())
                .count();
            (unknown > 0).then(|| {
                format!(
                    "GitHub did not say which tags {unknown} version(s) of {} carry (their \
                     metadata has no container tags): they are kept unless version-ids lists \
                     them, and no untagged version of {} is deleted",
                    package.package.name, package.package.name
                )
            })
        })
        .collect()
}

/// Decides the fate of every version. Pure: the same arguments give the same plan.
pub fn plan(packages: Vec<PackageFacts>, policy: &Policy, now: Timestamp) -> Plan {
    Plan {
        packages: packages
            .into_iter()
            .map(|package| plan_package(package, policy, now))
            .collect(),
    }
}

/// Runs the rules over one package, in [`rules::ORDER`].
fn plan_package(package: PackageFacts, policy: &Policy, now: Timestamp) -> PackagePlan {
    let PackageFacts { listing, images } = package;
    let context = Context::new(policy, now, listing.package.package_type, &images);
    let mut draft = PackageDraft::new(listing.versions, &images, policy);
    for rule in rules::ORDER {
        (rule.apply)(&mut draft, &context);
    }
    let PackageDraft {
        versions,
        delete_package,
    } = draft;
    PackagePlan {
        package: listing.package,
        versions: versions
            .into_iter()
            .map(|mut draft| {
                // Last, once the parts have followed their images: every version goes with
                // the package.
                if delete_package {
                    draft.reasons.push(Reason::PackageEmptied);
                }
                VersionPlan {
                    action: draft.decided.unwrap_or(Action::Delete),
                    version: draft.version,
                    reasons: draft.reasons,
                    belongs_to: draft.links.into_iter().map(|link| link.parent).collect(),
                }
            })
            .collect(),
        delete_package,
    }
}

#[cfg(test)]
mod tests;
