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
//! The rules run in a fixed order; the first that keeps a version decides it:
//! 1. selection (`tags`, `untagged`, `versions`, `version-ids`): the others are kept;
//! 2. exclusions (`exclude-tags`, `exclude-versions`);
//! 3. keep the newest (`keep-n-tagged`, `keep-n-untagged`, `keep-n`), counted among the
//!    candidates left by 1 and 2, before the age filter: a floor, "keep at least the N newest";
//! 4. age (`older-than`);
//! 5. `pre-release-only`;
//! 6. what is left is deleted, except that a package is never emptied: its newest version is
//!    kept, unless `delete-package-when-empty` deletes the whole package.
//!
//! With the registry's manifests ([`Images::Read`]), versions that belong to an image (platform
//! and attestation manifests of an index, signatures, referrers) are not judged on their own:
//! rules 1 to 6 judge the images, and each dependent follows them, kept while any image that
//! references it is kept and deleted with the last of them. Exclusions still protect a
//! dependent, and one that carries tags of its own is judged as well: it goes with its image
//! only when the selection picks each of those tags and rules 2, 4 and 5 would let it go. When
//! the registry could not be read ([`Images::Unreadable`]) the plan fails closed: no untagged
//! version of the package is deleted. So it does when GitHub did not say which tags some
//! container versions carry ([`Tags::Unknown`](crate::model::Tags)): those are kept unless
//! `version-ids` lists them.

mod graph;
mod prerelease;
mod reason;
pub mod restore;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::model::{Package, PackageListing, PackageType, PackageVersion, Timestamp, VersionId};
use crate::selector::PatternList;

pub use graph::{ArtifactKind, ChildFacts, Link, ManifestFacts, Relation, tag_subject};
pub use prerelease::{Release, classify as classify_release};
pub use reason::Reason;
pub use restore::{RestoreRequest, UndoEntry};

/// What the registry said about a package's manifests.
#[derive(Debug, Clone, Default)]
pub enum Images {
    /// Not read: not a container package, or `manifest-aware: false`.
    #[default]
    NotRead,
    /// Reading failed: the plan keeps every untagged version of the package.
    Unreadable(String),
    /// The facts of the manifests read, by digest.
    Read(HashMap<String, ManifestFacts>),
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

/// Which versions the policy looks at: a version picked by any of these is a candidate.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Versions with at least one tag matching.
    pub tags: Option<PatternList>,
    /// Versions without tags.
    pub untagged: bool,
    /// Versions whose name matches (`1.2.3`; for containers the digest).
    pub versions: Option<PatternList>,
    /// Versions by id.
    pub version_ids: BTreeSet<VersionId>,
}

impl Selection {
    /// Every version (`versions: *`).
    pub fn everything() -> Selection {
        Selection {
            versions: Some(PatternList::everything()),
            ..Selection::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.tags.is_none()
            && !self.untagged
            && self.versions.is_none()
            && self.version_ids.is_empty()
    }

    /// Why the selection picks `version`; empty when it does not.
    fn reasons(&self, version: &PackageVersion) -> Vec<Reason> {
        let mut reasons = Vec::new();
        let tags = version.tags();
        let matched = self
            .tags
            .as_ref()
            .and_then(|p| p.first_match_among(tags.known()));
        if let Some((tag, pattern)) = matched {
            reasons.push(Reason::TagMatches {
                tag: tag.to_string(),
                pattern: pattern.as_str().to_string(),
            });
        }
        if self.untagged && tags.is_untagged() {
            reasons.push(Reason::Untagged);
        }
        if let Some(pattern) = self
            .versions
            .as_ref()
            .and_then(|p| p.first_match(&version.name))
        {
            reasons.push(Reason::NameMatches {
                pattern: pattern.as_str().to_string(),
            });
        }
        if self.version_ids.contains(&version.id) {
            reasons.push(Reason::IdListed);
        }
        reasons
    }

    /// For a part of an image that carries tags of its own: the first of them that the selection
    /// does not pick. `versions` and `version-ids` pick the version whole, with every tag.
    fn unselected_own_tag<'v>(&self, version: &'v PackageVersion) -> Option<&'v String> {
        let picked_whole = self.version_ids.contains(&version.id)
            || self
                .versions
                .as_ref()
                .is_some_and(|p| p.first_match(&version.name).is_some());
        if picked_whole {
            return None;
        }
        own_tags(version).find(|tag| {
            self.tags
                .as_ref()
                .is_none_or(|p| p.first_match(tag).is_none())
        })
    }
}

/// The tags a version carries for itself: all but the cosign-style tags that name another
/// image (`sha256-<hex>.sig`), which make it a part of that image.
fn own_tags(version: &PackageVersion) -> impl Iterator<Item = &String> {
    version
        .tags()
        .into_iter()
        .filter(|tag| tag_subject(tag).is_none())
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

/// An age as the user wrote it (`30d`) and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Age {
    pub text: String,
    pub duration: Duration,
}

impl Age {
    /// The moment this age before `now`: versions older than it are "older than" the age. An age
    /// longer than chrono can count reaches back to the beginning of time.
    pub fn before(&self, now: Timestamp) -> Timestamp {
        chrono::TimeDelta::from_std(self.duration)
            .ok()
            .and_then(|age| now.checked_sub_signed(age))
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
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
    pub belongs_to: Vec<String>,
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
        .filter(|p| has_tags(p.package.package_type))
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
    let cutoff = policy.older_than.as_ref().map(|age| age.before(now));
    Plan {
        packages: packages
            .into_iter()
            .map(|package| plan_package(package, policy, cutoff))
            .collect(),
    }
}

/// A version while the rules run over it.
struct Draft {
    version: PackageVersion,
    reasons: Vec<Reason>,
    decided: Option<Action>,
    /// The images this version belongs to; empty for an image of its own.
    links: Vec<Link>,
    /// A part of an image that carries tags of its own: the rules judge it like an image too,
    /// and it goes with its image only if they would delete it.
    judged_alone: bool,
}

impl Draft {
    fn keep(&mut self, reason: Reason) {
        self.reasons.push(reason);
        self.decided = Some(Action::Keep);
    }

    fn delete(&mut self, reason: Option<Reason>) {
        self.reasons.extend(reason);
        self.decided = Some(Action::Delete);
    }

    /// A version the rules judge (an image, or a part with tags of its own), not yet decided.
    fn is_candidate(&self) -> bool {
        self.decided.is_none() && (self.is_image() || self.judged_alone)
    }

    /// Not a part of another image.
    fn is_image(&self) -> bool {
        self.links.is_empty()
    }
}

fn plan_package(package: PackageFacts, policy: &Policy, cutoff: Option<Timestamp>) -> PackagePlan {
    let PackageFacts { listing, images } = package;
    let when = |v: &PackageVersion| policy.timestamp.of(v);
    let mut links = match &images {
        Images::Read(manifests) => graph::links(&listing.versions, manifests),
        Images::NotRead | Images::Unreadable(_) => HashMap::new(),
    };
    let mut drafts: Vec<Draft> = listing
        .versions
        .into_iter()
        .map(|version| {
            let links = links.remove(&version.name).unwrap_or_default();
            Draft {
                judged_alone: !links.is_empty() && own_tags(&version).next().is_some(),
                links,
                version,
                reasons: Vec::new(),
                decided: None,
            }
        })
        .collect();
    // Newest first; ids break ties so that the plan does not depend on the listing's order.
    drafts.sort_by_key(|d| std::cmp::Reverse((when(&d.version), d.version.id)));

    if let Images::Unreadable(error) = &images {
        fail_closed(&mut drafts, error);
    }
    if has_tags(listing.package.package_type) {
        keep_when_tags_unknown(&mut drafts, &policy.selection);
    }
    select(&mut drafts, &policy.selection);
    exclude(&mut drafts, policy);
    keep_newest(&mut drafts, policy);
    keep_younger(&mut drafts, policy, cutoff);
    keep_releases(&mut drafts, policy);
    // What the rules left of the images goes; the parts judged alone follow their images.
    for draft in drafts
        .iter_mut()
        .filter(|d| d.is_candidate() && d.is_image())
    {
        draft.delete(None);
    }
    let delete_package = never_empty(&mut drafts, policy);
    follow_images(&mut drafts);
    if delete_package {
        for draft in &mut drafts {
            draft.reasons.push(Reason::PackageEmptied);
        }
    }

    PackagePlan {
        package: listing.package,
        versions: drafts
            .into_iter()
            .map(|draft| VersionPlan {
                action: draft.decided.unwrap_or(Action::Delete),
                version: draft.version,
                reasons: draft.reasons,
                belongs_to: draft.links.into_iter().map(|link| link.parent).collect(),
            })
            .collect(),
        delete_package,
    }
}

/// Whether versions of this package type carry tags.
fn has_tags(package_type: PackageType) -> bool {
    matches!(package_type, PackageType::Container | PackageType::Docker)
}

/// Without the registry's word on which untagged versions belong to an image, none is deleted.
fn fail_closed(drafts: &mut [Draft], error: &str) {
    for draft in drafts.iter_mut().filter(|d| d.version.tags().is_untagged()) {
        draft.keep(Reason::RegistryUnreadable {
            error: error.to_string(),
        });
    }
}

/// When GitHub did not say which tags a version carries (`metadata`, its `container` or their
/// `tags` missing or `null`), nothing that depends on tags can be judged: the version is kept
/// unless `version-ids` lists it (an id names it whatever its tags), and no untagged version
/// of the package is deleted, since "untagged" may be what the same broken answer told us.
fn keep_when_tags_unknown(drafts: &mut [Draft], selection: &Selection) {
    if !drafts.iter().any(|d| d.version.tags().is_unknown()) {
        return;
    }
    for draft in drafts.iter_mut().filter(|d| d.decided.is_none()) {
        let tags = draft.version.tags();
        if tags.is_unknown() && !selection.version_ids.contains(&draft.version.id) {
            draft.keep(Reason::TagsUnknown);
        } else if tags.is_untagged() {
            draft.keep(Reason::SomeTagsUnknown);
        }
    }
}

/// Rule 1: versions no selection input picks are kept. A part of an image that carries a tag
/// of its own the selection does not pick is kept for that tag, whatever its image's fate.
fn select(drafts: &mut [Draft], selection: &Selection) {
    for draft in drafts.iter_mut().filter(|d| d.is_candidate()) {
        if draft.judged_alone
            && let Some(tag) = selection.unselected_own_tag(&draft.version)
        {
            let tag = tag.clone();
            draft.keep(Reason::OwnTag { tag });
            continue;
        }
        let reasons = selection.reasons(&draft.version);
        if reasons.is_empty() {
            draft.keep(Reason::NotSelected);
        } else {
            draft.reasons = reasons;
        }
    }
}

/// Rule 2: `exclude-tags` and `exclude-versions` protect what they match, parts of images too.
fn exclude(drafts: &mut [Draft], policy: &Policy) {
    for draft in drafts.iter_mut().filter(|d| d.decided.is_none()) {
        let excluded_tag = policy
            .exclude_tags
            .as_ref()
            .and_then(|p| p.first_match_among(draft.version.tags().known()));
        if let Some((tag, pattern)) = excluded_tag {
            let reason = Reason::TagExcluded {
                tag: tag.to_string(),
                pattern: pattern.as_str().to_string(),
            };
            draft.keep(reason);
            continue;
        }
        let excluded_name = policy
            .exclude_versions
            .as_ref()
            .and_then(|p| p.first_match(&draft.version.name));
        if let Some(pattern) = excluded_name {
            let reason = Reason::NameExcluded {
                pattern: pattern.as_str().to_string(),
            };
            draft.keep(reason);
        }
    }
}

/// Rule 3: the N newest candidates of each kind are kept. Each count runs over the candidates
/// left by the exclusions, independently of the others, so `keep-n: 3` keeps the 3 newest
/// candidates even when `keep-n-tagged` already kept some of them. Only images count: a part
/// judged alone for its own tags takes no place among the N.
fn keep_newest(drafts: &mut [Draft], policy: &Policy) {
    let candidates: Vec<usize> = (0..drafts.len())
        .filter(|&i| drafts[i].is_candidate() && drafts[i].is_image())
        .collect();
    let tagged = |i: &usize| drafts[*i].version.tags().is_tagged();
    let untagged = |i: &usize| drafts[*i].version.tags().is_untagged();
    let mut kept: Vec<(usize, Reason)> = Vec::new();
    if let Some(n) = policy.keep_newest_tagged {
        kept.extend(
            candidates
                .iter()
                .filter(|i| tagged(i))
                .take(n)
                .map(|&i| (i, Reason::AmongNewestTagged { n })),
        );
    }
    if let Some(n) = policy.keep_newest_untagged {
        kept.extend(
            candidates
                .iter()
                .filter(|i| untagged(i))
                .take(n)
                .map(|&i| (i, Reason::AmongNewestUntagged { n })),
        );
    }
    if let Some(n) = policy.keep_newest {
        kept.extend(
            candidates
                .iter()
                .take(n)
                .map(|&i| (i, Reason::AmongNewest { n })),
        );
    }
    for (i, reason) in kept {
        if drafts[i].is_candidate() {
            drafts[i].keep(reason);
        }
    }
}

/// Rule 4: only candidates strictly older than the cut-off may go.
fn keep_younger(drafts: &mut [Draft], policy: &Policy, cutoff: Option<Timestamp>) {
    let (Some(age), Some(cutoff)) = (&policy.older_than, cutoff) else {
        return;
    };
    for draft in drafts.iter_mut().filter(|d| d.is_candidate()) {
        let at = policy.timestamp.of(&draft.version);
        let (age, field) = (age.text.clone(), policy.timestamp);
        if at < cutoff {
            draft.reasons.push(Reason::OlderThan { age, field, at });
        } else {
            draft.keep(Reason::YoungerThan { age, field, at });
        }
    }
}

/// Rule 5: with `pre-release-only`, only pre-releases may go.
fn keep_releases(drafts: &mut [Draft], policy: &Policy) {
    if !policy.pre_release_only {
        return;
    }
    for draft in drafts.iter_mut().filter(|d| d.is_candidate()) {
        match prerelease::classify(&draft.version) {
            Release::PreRelease { version } => draft.reasons.push(Reason::PreRelease { version }),
            Release::StableTag { tag } => draft.keep(Reason::StableReleaseTag { tag }),
            Release::NotPreRelease => draft.keep(Reason::NotPreRelease),
        }
    }
}

/// Rule 6: GitHub refuses to delete a package's last version. When every version would go, the
/// newest image is kept, or with `delete-package-when-empty` the package is deleted whole.
/// Returns whether the package is deleted. Runs before the parts of images follow their images,
/// so that the image kept here keeps its parts.
fn never_empty(drafts: &mut [Draft], policy: &Policy) -> bool {
    if drafts.is_empty() || drafts.iter().any(|d| d.decided == Some(Action::Keep)) {
        return false;
    }
    if policy.delete_package_when_empty {
        return true;
    }
    // Drafts are sorted newest first; every version has a link-free root above it somewhere,
    // but keep the newest version at all if none is (links could only form a cycle).
    let newest_image = drafts.iter().position(|d| d.links.is_empty()).unwrap_or(0);
    let draft = &mut drafts[newest_image];
    draft.reasons.clear();
    draft.keep(Reason::LastVersion);
    false
}

/// The parts of images (platform manifests, attestations, signatures, referrers) follow the
/// images they belong to: kept while any of them is kept, deleted with the last of them.
/// Nested indexes are parts too, so this repeats until nothing changes.
fn follow_images(drafts: &mut [Draft]) {
    let index_of: HashMap<String, usize> = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| (d.version.name.clone(), i))
        .collect();
    loop {
        let mut changed = false;
        for i in 0..drafts.len() {
            if drafts[i].decided.is_some() || drafts[i].links.is_empty() {
                continue;
            }
            let parents: Vec<(&Link, Option<Action>)> = drafts[i]
                .links
                .iter()
                .filter_map(|link| Some((link, drafts[*index_of.get(&link.parent)?].decided)))
                .collect();
            let describe = |link: &Link| {
                let parent = &drafts[index_of[&link.parent]].version;
                ImageRef::new(parent, &link.relation)
            };
            let decision =
                if let Some((link, _)) = parents.iter().find(|(_, a)| *a == Some(Action::Keep)) {
                    Some((
                        Action::Keep,
                        Reason::PartOfKept {
                            relation: link.relation.clone(),
                            image: describe(link),
                        },
                    ))
                } else if parents.iter().all(|(_, a)| *a == Some(Action::Delete)) {
                    let (link, _) = parents[0];
                    Some((
                        Action::Delete,
                        Reason::PartOfDeleted {
                            relation: link.relation.clone(),
                            image: describe(link),
                        },
                    ))
                } else {
                    None
                };
            if let Some((action, reason)) = decision {
                match action {
                    Action::Keep => drafts[i].keep(reason),
                    Action::Delete => drafts[i].delete(Some(reason)),
                }
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // Content-addressed manifests cannot form a cycle, but tags can claim anything: keep
    // whatever is still undecided rather than guess.
    for draft in drafts.iter_mut().filter(|d| d.decided.is_none()) {
        draft.keep(Reason::Unresolved);
    }
}

/// How a reason names the image a part belongs to: `index v2 (sha256:1a2b3c4d5e6f…)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// `index` for the parent of platform and attestation manifests, else `image`.
    pub kind: &'static str,
    /// The image's first tag, if it has one.
    pub tag: Option<String>,
    /// GitHub did not say which tags the image carries.
    pub tags_unknown: bool,
    pub digest: String,
}

impl ImageRef {
    fn new(parent: &PackageVersion, relation: &Relation) -> ImageRef {
        let kind = match relation {
            Relation::Platform(_) | Relation::Entry | Relation::Attestation => "index",
            Relation::TaggedArtifact(_) | Relation::Referrer => "image",
        };
        let tags = parent.tags();
        ImageRef {
            kind,
            tag: tags.first().cloned(),
            tags_unknown: tags.is_unknown(),
            digest: parent.name.clone(),
        }
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digest = match self.digest.strip_prefix("sha256:") {
            Some(hex) if hex.len() > 12 => format!("sha256:{}…", &hex[..12]),
            _ => self.digest.clone(),
        };
        match &self.tag {
            Some(tag) => write!(f, "{} {tag} ({digest})", self.kind),
            None if self.tags_unknown => write!(f, "{} with unknown tags ({digest})", self.kind),
            None => write!(f, "untagged {} ({digest})", self.kind),
        }
    }
}

#[cfg(test)]
mod tests;
