//! Which deleted versions `restore` brings back, and why: a pure function like the prune
//! planner, from (deleted and active versions, what the user asked for, now) to a plan.

use std::collections::{BTreeSet, HashSet};

use crate::model::{PackageType, PackageVersion, Timestamp, VersionId, short_digest};

use super::{Age, ChildFacts, Reason, Relation, Selection, tag_subject};

/// The id of the rule that restores what was deleted within `deleted-within`; the versions
/// `tags`, `versions` and `version-ids` pick are the [`selection`](super::rules::selection)'s.
pub const DELETED_WITHIN: &str = "deleted-within";
/// The id of the rule that restores what an earlier prune deleted (`undo`).
pub const UNDO: &str = "undo";

/// What the user asked `restore` to bring back.
#[derive(Debug, Clone, Default)]
pub struct RestoreRequest {
    /// Deleted versions that `tags`, `versions` or `version-ids` pick (`untagged` is not a
    /// restore input and stays off).
    pub selection: Selection,
    /// Alone: every version deleted within this long. With a selection: only those.
    pub deleted_within: Option<Age>,
    /// Exactly what an earlier prune deleted.
    pub undo: Option<Vec<UndoEntry>>,
    /// Restore the named packages themselves first (`POST …/restore`).
    pub restore_package: bool,
}

impl RestoreRequest {
    /// True when nothing says what to restore.
    pub fn is_empty(&self) -> bool {
        self.selection.is_empty()
            && self.deleted_within.is_none()
            && self.undo.is_none()
            && !self.restore_package
    }
}

/// One version an earlier prune deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoEntry {
    /// The login of the packages' owner, as the prune recorded it.
    pub owner: String,
    pub package: String,
    pub package_type: PackageType,
    pub id: VersionId,
    pub name: String,
    /// The prune deleted the whole package (`delete-package-when-empty`).
    pub package_deleted: bool,
}

/// One package as `restore` sees it.
#[derive(Debug, Clone)]
pub struct RestoreFacts {
    pub name: String,
    pub package_type: PackageType,
    /// Versions listed with `state=deleted`.
    pub deleted: Vec<PackageVersion>,
    /// Versions listed as active.
    pub active: Vec<PackageVersion>,
}

/// A version to restore.
#[derive(Debug, Clone)]
pub struct RestoreItem {
    pub version: PackageVersion,
    pub reasons: Vec<Reason>,
}

impl RestoreItem {
    pub fn explanation(&self) -> String {
        let reasons: Vec<String> = self.reasons.iter().map(|r| r.to_string()).collect();
        reasons.join(", ")
    }
}

/// What `restore` does in one package.
#[derive(Debug, Clone)]
pub struct PackageRestore {
    pub name: String,
    pub package_type: PackageType,
    pub versions: Vec<RestoreItem>,
    /// Asked for, but active already: reported, not an error.
    pub already_active: Vec<PackageVersion>,
    /// Asked for by `undo` but in neither listing: GitHub no longer offers them (deleted more
    /// than 30 days ago, or the package name was reused).
    pub gone_for_good: Vec<UndoEntry>,
}

/// The restore plan for every package.
#[derive(Debug, Clone, Default)]
pub struct RestorePlan {
    pub packages: Vec<PackageRestore>,
}

impl RestorePlan {
    pub fn restore_count(&self) -> usize {
        self.packages.iter().map(|p| p.versions.len()).sum()
    }
}

/// Ids in `version-ids` that no selected package has, deleted or active.
pub fn unknown_ids(packages: &[RestoreFacts], request: &RestoreRequest) -> Vec<VersionId> {
    let known: HashSet<VersionId> = packages
        .iter()
        .flat_map(|p| p.deleted.iter().chain(&p.active))
        .map(|v| v.id)
        .collect();
    request
        .selection
        .version_ids
        .iter()
        .filter(|id| !known.contains(id))
        .copied()
        .collect()
}

/// Decides what to restore. With `undo`, exactly the versions the prune deleted; otherwise the
/// deleted versions that `tags`, `versions` or `version-ids` pick, narrowed to those deleted
/// within `deleted-within` when both are given (or all of those, when it is given alone).
pub fn plan(packages: Vec<RestoreFacts>, request: &RestoreRequest, now: Timestamp) -> RestorePlan {
    let since = request.deleted_within.as_ref().map(|age| age.before(now));
    let packages = packages
        .into_iter()
        .map(|facts| plan_package(facts, request, since))
        .collect();
    RestorePlan { packages }
}

fn plan_package(
    facts: RestoreFacts,
    request: &RestoreRequest,
    since: Option<Timestamp>,
) -> PackageRestore {
    let RestoreFacts {
        name,
        package_type,
        deleted,
        active,
    } = facts;
    let mut package = PackageRestore {
        name,
        package_type,
        versions: Vec::new(),
        already_active: Vec::new(),
        gone_for_good: Vec::new(),
    };

    if let Some(undo) = &request.undo {
        let wanted: Vec<&UndoEntry> = undo
            .iter()
            .filter(|e| e.package == package.name && e.package_type == package.package_type)
            .collect();
        let mut seen = BTreeSet::new();
        for entry in wanted {
            if !seen.insert(entry.id) {
                continue;
            }
            if let Some(version) = deleted.iter().find(|v| v.id == entry.id) {
                package.versions.push(RestoreItem {
                    version: version.clone(),
                    reasons: vec![Reason::Undo],
                });
            } else if let Some(version) = active.iter().find(|v| v.id == entry.id) {
                package.already_active.push(version.clone());
            } else {
                package.gone_for_good.push(entry.clone());
            }
        }
        return package;
    }

    // `untagged` is not a restore input: only a tag, a name or an id picks.
    let picks_by_name = !request.selection.is_empty();
    let mut seen = BTreeSet::new();
    for version in deleted {
        if !seen.insert(version.id) {
            continue;
        }
        let mut reasons = request.selection.reasons(&version);
        if picks_by_name && reasons.is_empty() {
            continue;
        }
        if let (Some(since), Some(age)) = (since, &request.deleted_within) {
            match version.deleted_at {
                Some(at) if at >= since => reasons.push(Reason::DeletedWithin {
                    age: age.text.clone(),
                    at,
                }),
                _ => continue,
            }
        }
        if !reasons.is_empty() {
            package.versions.push(RestoreItem { version, reasons });
        }
    }
    package.already_active = active
        .into_iter()
        .filter(|v| request.selection.version_ids.contains(&v.id))
        .collect();
    package
}

/// The deleted versions that belong to a restored image: the manifests its index lists
/// (`children`, digest and relation) and the cosign-style artifacts tagged after it. Pure: the
/// command reads the manifest and restores what this returns.
pub fn parts_of(
    image: &PackageVersion,
    children: &[ChildFacts],
    deleted: &[PackageVersion],
    already: &HashSet<VersionId>,
) -> Vec<RestoreItem> {
    let label = match image.tags().first() {
        Some(tag) => format!("{tag} ({})", short_digest(&image.name)),
        None => short_digest(&image.name),
    };
    let mut parts = Vec::new();
    for version in deleted {
        if already.contains(&version.id)
            || parts
                .iter()
                .any(|p: &RestoreItem| p.version.id == version.id)
        {
            continue;
        }
        let child = children.iter().find(|child| child.digest == version.name);
        let artifact = version.tags().iter().find_map(|tag| {
            let (subject, kind) = tag_subject(tag)?;
            (subject == image.name).then_some(Relation::TaggedArtifact(kind))
        });
        let relation = match (child, artifact) {
            (Some(child), _) => Relation::of_child(child),
            (None, Some(relation)) => relation,
            (None, None) => continue,
        };
        parts.push(RestoreItem {
            version: version.clone(),
            reasons: vec![Reason::PartOfRestored {
                relation,
                image: label.clone(),
            }],
        });
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selector::PatternList;
    use chrono::TimeDelta;
    use std::time::Duration;

    const NOW: &str = "2026-11-25T12:00:00Z";

    fn version(id: u64, tags: &[&str], deleted_hours_ago: Option<i64>) -> PackageVersion {
        let now: Timestamp = NOW.parse().unwrap();
        PackageVersion {
            deleted_at: deleted_hours_ago.map(|h| now - TimeDelta::hours(h)),
            ..PackageVersion::new(id, &format!("sha256:{id:064x}"), now - TimeDelta::days(90))
                .tagged(tags.iter().copied())
        }
    }

    fn facts() -> Vec<RestoreFacts> {
        vec![RestoreFacts {
            name: "app".to_string(),
            package_type: PackageType::Container,
            deleted: vec![
                version(1, &["v1.4.2"], Some(2)),
                version(2, &[], Some(3)),
                version(3, &["v1.4.1"], Some(72)),
                version(4, &[], Some(100)),
            ],
            active: vec![version(5, &["latest"], None)],
        }]
    }

    fn restored(plan: &RestorePlan) -> Vec<u64> {
        let mut ids: Vec<u64> = plan
            .packages
            .iter()
            .flat_map(|p| &p.versions)
            .map(|v| v.version.id.0)
            .collect();
        ids.sort_unstable();
        ids
    }

    fn within(text: &str, hours: u64) -> Option<Age> {
        Some(Age {
            text: text.to_string(),
            duration: Duration::from_secs(hours * 3600),
        })
    }

    #[test]
    fn by_tag_by_id_and_by_time() {
        let now = NOW.parse().unwrap();
        let by_tag = RestoreRequest {
            selection: Selection {
                tags: PatternList::parse("v1.4.*").unwrap(),
                ..Selection::default()
            },
            ..Default::default()
        };
        assert_eq!(restored(&plan(facts(), &by_tag, now)), [1, 3]);

        let by_tag_recent = RestoreRequest {
            deleted_within: within("1d", 24),
            ..by_tag
        };
        let plan_recent = plan(facts(), &by_tag_recent, now);
        assert_eq!(restored(&plan_recent), [1]);
        assert!(
            plan_recent.packages[0].versions[0]
                .explanation()
                .contains("deleted within 1d")
        );

        let recent = RestoreRequest {
            deleted_within: within("12h", 12),
            ..Default::default()
        };
        assert_eq!(restored(&plan(facts(), &recent, now)), [1, 2]);

        let by_id = RestoreRequest {
            selection: Selection {
                version_ids: [VersionId(4), VersionId(5)].into(),
                ..Selection::default()
            },
            ..Default::default()
        };
        let by_id_plan = plan(facts(), &by_id, now);
        assert_eq!(restored(&by_id_plan), [4]);
        assert_eq!(by_id_plan.packages[0].already_active[0].id, VersionId(5));
        assert_eq!(
            unknown_ids(
                &facts(),
                &RestoreRequest {
                    selection: Selection {
                        version_ids: [VersionId(4), VersionId(99)].into(),
                        ..Selection::default()
                    },
                    ..Default::default()
                }
            ),
            [VersionId(99)]
        );
    }

    #[test]
    fn undo_restores_exactly_what_was_deleted() {
        let entry = |id: u64| UndoEntry {
            owner: "acme".to_string(),
            package: "app".to_string(),
            package_type: PackageType::Container,
            id: VersionId(id),
            name: format!("sha256:{id:064x}"),
            package_deleted: false,
        };
        let undo = RestoreRequest {
            undo: Some(vec![entry(2), entry(4), entry(5), entry(77)]),
            ..Default::default()
        };
        let plan = plan(facts(), &undo, NOW.parse().unwrap());
        assert_eq!(restored(&plan), [2, 4]);
        assert_eq!(plan.packages[0].already_active.len(), 1);
        assert_eq!(plan.packages[0].gone_for_good[0].id, VersionId(77));
    }
}
