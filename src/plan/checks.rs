//! What `prune` and `restore` decide around their plans before they change anything: whether a
//! plan is too large to carry out, what to say about ids that match nothing, and how a restore
//! of images goes. Pure, so that each decision is tested here rather than through a run.

use std::collections::BTreeSet;

use crate::model::{PackageType, VersionId};

/// Why a prune deletes nothing although its plan deletes `planned` versions: more than
/// `max-deletions` allows. `None` when the plan may go ahead.
pub fn max_deletions_refusal(planned: usize, max_deletions: Option<usize>) -> Option<String> {
    let max = max_deletions.filter(|&max| planned > max)?;
    Some(format!(
        "The plan deletes {planned} version(s), more than max-deletions ({max}): nothing was \
         deleted. Review the plan, then raise max-deletions or narrow the policy."
    ))
}

/// The ids of `version-ids` that are not among `listed`, in order.
pub fn unknown_ids(
    version_ids: &BTreeSet<VersionId>,
    listed: impl IntoIterator<Item = VersionId>,
) -> Vec<VersionId> {
    let listed: BTreeSet<VersionId> = listed.into_iter().collect();
    version_ids.difference(&listed).copied().collect()
}

/// What `prune` says of `version-ids` that name no active version: a warning, since the
/// versions may have been deleted already (by a person, or an earlier run).
pub fn prune_unknown_ids_warning(unknown: &[VersionId]) -> Option<String> {
    (!unknown.is_empty()).then(|| {
        format!(
            "version-ids {} are not active versions of the selected packages: nothing to delete \
             for them",
            joined(unknown, ", ")
        )
    })
}

/// Why `restore` stops when `version-ids` name no version, deleted or active: an error, since a
/// mistyped id would otherwise end in success with the version still gone.
pub fn restore_unknown_ids_error(unknown: &[VersionId]) -> Option<String> {
    let subject = match unknown {
        [] => return None,
        [one] => format!("{one} is"),
        many => format!("{} are", joined(many, ", ")),
    };
    Some(format!(
        "input `version-ids`: {subject} not a version of the selected packages, deleted or \
         active; nothing was restored. Check the ids and `packages`"
    ))
}

/// What a restore was asked, as far as images are concerned.
#[derive(Debug, Clone, Copy)]
pub struct RestoreShape {
    pub package_type: PackageType,
    pub manifest_aware: bool,
    pub dry_run: bool,
    /// `undo`: exactly what a prune deleted, parts included.
    pub undo: bool,
    /// `tags` selects, without `deleted-within`.
    pub by_tag_alone: bool,
}

impl RestoreShape {
    /// Whether the restore follows each restored image to its parts (platform manifests,
    /// attestations, signatures), in waves after the images: the parts can only be found in
    /// the image's manifest, which the registry serves again once the image is back. `undo`
    /// needs no such search (it lists the parts it deleted), and a dry run restores no image
    /// whose manifest it could read.
    pub fn follows_image_parts(self) -> bool {
        self.package_type == PackageType::Container
            && self.manifest_aware
            && !self.dry_run
            && !self.undo
    }

    /// The warning for a restore of images by tag that cannot find their parts.
    pub fn warning(self) -> Option<String> {
        let by_tag_blind = self.package_type == PackageType::Container
            && !self.manifest_aware
            && !self.undo
            && self.by_tag_alone;
        by_tag_blind.then(|| {
            "Restoring images by tag brings back the tagged manifests only: if their platform \
             manifests were deleted with them, add `deleted-within` (or use `undo` with the \
             prune's output) to bring those back too"
                .to_string()
        })
    }
}

fn joined(ids: &[VersionId], separator: &str) -> String {
    let ids: Vec<String> = ids.iter().map(VersionId::to_string).collect();
    ids.join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_deletions_refuses_only_a_larger_plan() {
        assert_eq!(max_deletions_refusal(5, None), None);
        assert_eq!(max_deletions_refusal(5, Some(5)), None);
        assert_eq!(
            max_deletions_refusal(6, Some(5)).unwrap(),
            "The plan deletes 6 version(s), more than max-deletions (5): nothing was deleted. \
             Review the plan, then raise max-deletions or narrow the policy."
        );
        assert!(max_deletions_refusal(1, Some(0)).is_some());
    }

    #[test]
    fn unknown_ids_warn_in_prune_and_stop_a_restore() {
        let asked: BTreeSet<VersionId> = [VersionId(3), VersionId(1), VersionId(9)].into();
        let unknown = unknown_ids(&asked, [VersionId(1), VersionId(2)]);
        assert_eq!(unknown, [VersionId(3), VersionId(9)]);
        assert_eq!(
            prune_unknown_ids_warning(&unknown).unwrap(),
            "version-ids 3, 9 are not active versions of the selected packages: nothing to \
             delete for them"
        );
        assert_eq!(
            restore_unknown_ids_error(&unknown).unwrap(),
            "input `version-ids`: 3, 9 are not a version of the selected packages, deleted or \
             active; nothing was restored. Check the ids and `packages`"
        );
        assert!(
            restore_unknown_ids_error(&[VersionId(3)])
                .unwrap()
                .starts_with("input `version-ids`: 3 is not a version")
        );
        assert_eq!(prune_unknown_ids_warning(&[]), None);
        assert_eq!(restore_unknown_ids_error(&[]), None);
    }

    #[test]
    fn only_a_real_manifest_aware_restore_of_images_follows_their_parts() {
        let shape = RestoreShape {
            package_type: PackageType::Container,
            manifest_aware: true,
            dry_run: false,
            undo: false,
            by_tag_alone: true,
        };
        assert!(shape.follows_image_parts());
        assert_eq!(shape.warning(), None);
        for other in [
            RestoreShape {
                package_type: PackageType::Npm,
                ..shape
            },
            RestoreShape {
                dry_run: true,
                ..shape
            },
            RestoreShape {
                undo: true,
                ..shape
            },
        ] {
            assert!(!other.follows_image_parts(), "{other:?}");
        }
        let blind = RestoreShape {
            manifest_aware: false,
            ..shape
        };
        assert!(!blind.follows_image_parts());
        assert!(
            blind
                .warning()
                .unwrap()
                .starts_with("Restoring images by tag")
        );
        assert_eq!(
            RestoreShape {
                by_tag_alone: false,
                ..blind
            }
            .warning(),
            None
        );
    }
}
