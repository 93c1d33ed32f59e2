//! Why a version is kept, deleted or restored: one variant per rule outcome, each with the id
//! of the rule that gave it, the input that caused it and a sentence a user can read.

use std::fmt;

use crate::model::Timestamp;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::rules::{
    age, exclusions, keep_newest, never_empty, parts_follow_images, pre_release,
    registry_unreadable, selection, tags_unknown,
};
use super::{ImageRef, Relation, TimestampField, restore};

/// One reason in a version's decision, by `prune` or by `restore`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Picked by `tags`.
    TagMatches { tag: String, pattern: String },
    /// Picked by `untagged`.
    Untagged,
    /// Picked by `versions`.
    NameMatches { pattern: String },
    /// Picked by `version-ids`.
    IdListed,
    /// Kept: no selection input picks it.
    NotSelected,
    /// Kept by `exclude-tags`.
    TagExcluded { tag: String, pattern: String },
    /// Kept by `exclude-versions`.
    NameExcluded { pattern: String },
    /// Kept by `keep-n-tagged`.
    AmongNewestTagged { n: usize },
    /// Kept by `keep-n-untagged`.
    AmongNewestUntagged { n: usize },
    /// Kept by `keep-n`.
    AmongNewest { n: usize },
    /// Kept by `older-than`.
    YoungerThan {
        age: String,
        field: TimestampField,
        at: Timestamp,
    },
    /// Deleted under `older-than`.
    OlderThan {
        age: String,
        field: TimestampField,
        at: Timestamp,
    },
    /// Kept by `pre-release-only`: not a semver pre-release.
    NotPreRelease,
    /// Kept by `pre-release-only`: one of its tags is a stable release.
    StableReleaseTag { tag: String },
    /// Deleted under `pre-release-only`.
    PreRelease { version: String },
    /// Kept: GitHub refuses to delete a package's last version.
    LastVersion,
    /// Deleted with the whole package (`delete-package-when-empty`).
    PackageEmptied,
    /// Kept: part of an image that is kept.
    PartOfKept { relation: Relation, image: ImageRef },
    /// Deleted with the image it belongs to.
    PartOfDeleted { relation: Relation, image: ImageRef },
    /// Kept: untagged, and the registry could not say whether it belongs to an image.
    RegistryUnreadable { error: String },
    /// Kept: its links to images could not be resolved.
    Unresolved,
    /// Kept: GitHub did not say which tags it carries, and `version-ids` does not list it.
    TagsUnknown,
    /// Kept: untagged, in a package where GitHub did not say which tags some versions carry.
    SomeTagsUnknown,
    /// Kept: a part of an image that carries a tag of its own the selection does not pick.
    OwnTag { tag: String },
    /// Restored: deleted within `deleted-within`.
    DeletedWithin { age: String, at: Timestamp },
    /// Restored: the prune being undone deleted it.
    Undo,
    /// Restored: a platform manifest, attestation or signature of an image restored in this
    /// run, found in the image's manifest (or the signature's tag) once the image was back.
    PartOfRestored { relation: Relation, image: String },
}

impl Reason {
    /// The id of the rule that gave this reason: one of [`super::rules::ORDER`] for `prune`,
    /// or of [`restore`]'s own.
    pub fn rule_id(&self) -> &'static str {
        match self {
            Reason::TagMatches { .. }
            | Reason::Untagged
            | Reason::NameMatches { .. }
            | Reason::IdListed
            | Reason::NotSelected
            | Reason::OwnTag { .. } => selection::ID,
            Reason::TagExcluded { .. } | Reason::NameExcluded { .. } => exclusions::ID,
            Reason::AmongNewestTagged { .. }
            | Reason::AmongNewestUntagged { .. }
            | Reason::AmongNewest { .. } => keep_newest::ID,
            Reason::YoungerThan { .. } | Reason::OlderThan { .. } => age::ID,
            Reason::NotPreRelease | Reason::StableReleaseTag { .. } | Reason::PreRelease { .. } => {
                pre_release::ID
            }
            Reason::LastVersion | Reason::PackageEmptied => never_empty::ID,
            Reason::PartOfKept { .. }
            | Reason::PartOfDeleted { .. }
            | Reason::Unresolved
            | Reason::PartOfRestored { .. } => parts_follow_images::ID,
            Reason::RegistryUnreadable { .. } => registry_unreadable::ID,
            Reason::TagsUnknown | Reason::SomeTagsUnknown => tags_unknown::ID,
            Reason::DeletedWithin { .. } => restore::DELETED_WITHIN,
            Reason::Undo => restore::UNDO,
        }
    }

    /// The input this reason comes from: the `rule` of the report file.
    pub fn input(&self) -> &'static str {
        match self {
            Reason::TagMatches { .. } => "tags",
            Reason::Untagged => "untagged",
            Reason::NameMatches { .. } => "versions",
            Reason::IdListed => "version-ids",
            Reason::NotSelected => "selection",
            Reason::TagExcluded { .. } => "exclude-tags",
            Reason::NameExcluded { .. } => "exclude-versions",
            Reason::AmongNewestTagged { .. } => "keep-n-tagged",
            Reason::AmongNewestUntagged { .. } => "keep-n-untagged",
            Reason::AmongNewest { .. } => "keep-n",
            Reason::YoungerThan { .. } | Reason::OlderThan { .. } => "older-than",
            Reason::NotPreRelease | Reason::StableReleaseTag { .. } | Reason::PreRelease { .. } => {
                "pre-release-only"
            }
            Reason::LastVersion => "last-version",
            Reason::PackageEmptied => "delete-package-when-empty",
            Reason::PartOfKept { .. }
            | Reason::PartOfDeleted { .. }
            | Reason::Unresolved
            | Reason::OwnTag { .. } => "multi-arch",
            Reason::TagsUnknown | Reason::SomeTagsUnknown => "tags-unknown",
            Reason::RegistryUnreadable { .. } => "manifest-aware",
            Reason::DeletedWithin { .. } => "deleted-within",
            Reason::Undo => "undo",
            Reason::PartOfRestored { .. } => "multi-arch",
        }
    }

    /// What the user can do when this reason keeps a version they expected to go; `None` when
    /// the reason is the user's own choice (a selection, an exclusion, a floor) or a deletion.
    pub fn tip(&self) -> Option<&'static str> {
        Some(match self {
            Reason::LastVersion => {
                "GitHub never deletes a package's last version: set `delete-package-when-empty: \
                 true` to delete the whole package"
            }
            Reason::RegistryUnreadable { .. } => {
                "give the token `read:packages` on the registry (see Tokens and permissions), or \
                 set `manifest-aware: false` to judge versions without their images"
            }
            Reason::Unresolved => "run `validate: true` to see which images are broken",
            Reason::TagsUnknown => "list the version in `version-ids` to delete it all the same",
            Reason::SomeTagsUnknown => {
                "untagged versions stay while GitHub hides some tags of the package: run again \
                 later, or list versions in `version-ids`"
            }
            Reason::OwnTag { .. } => {
                "add a pattern for its own tag to `tags` to let it go with its image"
            }
            Reason::PartOfKept { .. } => {
                "a part goes when no kept image lists it: delete or untag the image that keeps it"
            }
            _ => return None,
        })
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::TagMatches { tag, pattern } => {
                write!(f, "tag \"{tag}\" matches tags \"{pattern}\"")
            }
            Reason::Untagged => f.write_str("untagged"),
            Reason::NameMatches { pattern } => write!(f, "matches versions \"{pattern}\""),
            Reason::IdListed => f.write_str("listed in version-ids"),
            Reason::NotSelected => {
                f.write_str("not selected by tags, untagged, versions or version-ids")
            }
            Reason::TagExcluded { tag, pattern } => {
                write!(f, "tag \"{tag}\" matches exclude-tags \"{pattern}\"")
            }
            Reason::NameExcluded { pattern } => write!(f, "matches exclude-versions \"{pattern}\""),
            Reason::AmongNewestTagged { n } => {
                write!(f, "among the {n} newest tagged (keep-n-tagged)")
            }
            Reason::AmongNewestUntagged { n } => {
                write!(f, "among the {n} newest untagged (keep-n-untagged)")
            }
            Reason::AmongNewest { n } => write!(f, "among the {n} newest (keep-n)"),
            Reason::YoungerThan { age, field, at } => {
                write!(f, "younger than {age} ({field} {})", at.format("%Y-%m-%d"))
            }
            Reason::OlderThan { age, field, at } => {
                write!(f, "older than {age} ({field} {})", at.format("%Y-%m-%d"))
            }
            Reason::NotPreRelease => f.write_str("not a pre-release (pre-release-only)"),
            Reason::StableReleaseTag { tag } => {
                write!(f, "tag \"{tag}\" is a stable release (pre-release-only)")
            }
            Reason::PreRelease { version } => write!(f, "pre-release {version}"),
            Reason::LastVersion => f.write_str(
                "last version of the package: GitHub refuses to delete it (set \
                 delete-package-when-empty to delete the whole package)",
            ),
            Reason::PackageEmptied => f.write_str(
                "every version selected: the package is deleted (delete-package-when-empty)",
            ),
            Reason::PartOfKept { relation, image } => write!(f, "{relation} of kept {image}"),
            Reason::PartOfDeleted { relation, image } => {
                write!(f, "{relation} of deleted {image}")
            }
            Reason::RegistryUnreadable { error } => write!(
                f,
                "untagged, and the registry could not be read to tell whether it belongs to an \
                 image ({error})"
            ),
            Reason::Unresolved => f.write_str("its links to images could not be resolved"),
            Reason::TagsUnknown => f.write_str(
                "GitHub did not say which tags it carries (no metadata.container.tags); only \
                 version-ids can delete it",
            ),
            Reason::SomeTagsUnknown => f.write_str(
                "GitHub did not say which tags some versions of this package carry, so no \
                 untagged version of it is deleted",
            ),
            Reason::OwnTag { tag } => write!(
                f,
                "its own tag \"{tag}\" is not selected: a part keeps its own tags whatever \
                 happens to its image"
            ),
            Reason::DeletedWithin { age, at } => {
                write!(
                    f,
                    "deleted within {age} ({})",
                    at.format("%Y-%m-%d %H:%M UTC")
                )
            }
            Reason::Undo => f.write_str("deleted by the prune being undone"),
            // Restore has always named any artifact tagged after its image so.
            Reason::PartOfRestored {
                relation: Relation::TaggedArtifact(_),
                image,
            } => write!(f, "signature or attestation of restored image {image}"),
            Reason::PartOfRestored { relation, image } => {
                write!(f, "{relation} of restored image {image}")
            }
        }
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let tip = self.tip();
        let mut reason = serializer.serialize_struct("Reason", 3 + usize::from(tip.is_some()))?;
        reason.serialize_field("rule", self.input())?;
        reason.serialize_field("rule_id", self.rule_id())?;
        reason.serialize_field("text", &self.to_string())?;
        if let Some(tip) = tip {
            reason.serialize_field("tip", tip)?;
        }
        reason.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::ImageKind;
    use crate::plan::rules::ORDER;

    #[test]
    fn every_reason_names_a_rule_that_exists() {
        let at = "2026-11-25T12:00:00Z".parse().unwrap();
        let image = ImageRef {
            kind: ImageKind::Index,
            tag: None,
            tags_unknown: false,
            digest: format!("sha256:{:064x}", 1).parse().unwrap(),
        };
        let relation = Relation::Entry;
        let (tag, pattern, age) = (String::new(), String::new(), String::new());
        let field = TimestampField::Updated;
        let prune = [
            Reason::TagMatches {
                tag: tag.clone(),
                pattern: pattern.clone(),
            },
            Reason::Untagged,
            Reason::NameMatches {
                pattern: pattern.clone(),
            },
            Reason::IdListed,
            Reason::NotSelected,
            Reason::TagExcluded {
                tag: tag.clone(),
                pattern: pattern.clone(),
            },
            Reason::NameExcluded { pattern },
            Reason::AmongNewestTagged { n: 1 },
            Reason::AmongNewestUntagged { n: 1 },
            Reason::AmongNewest { n: 1 },
            Reason::YoungerThan {
                age: age.clone(),
                field,
                at,
            },
            Reason::OlderThan {
                age: age.clone(),
                field,
                at,
            },
            Reason::NotPreRelease,
            Reason::StableReleaseTag { tag: tag.clone() },
            Reason::PreRelease {
                version: tag.clone(),
            },
            Reason::LastVersion,
            Reason::PackageEmptied,
            Reason::PartOfKept {
                relation: relation.clone(),
                image: image.clone(),
            },
            Reason::PartOfDeleted { relation, image },
            Reason::RegistryUnreadable {
                error: String::new(),
            },
            Reason::Unresolved,
            Reason::TagsUnknown,
            Reason::SomeTagsUnknown,
            Reason::OwnTag { tag },
        ];
        for reason in &prune {
            assert!(
                ORDER.iter().any(|rule| rule.id == reason.rule_id()),
                "{reason:?} names {}, which is not in rules::ORDER",
                reason.rule_id()
            );
        }
        let restore = [
            (Reason::DeletedWithin { age, at }, restore::DELETED_WITHIN),
            (Reason::Undo, restore::UNDO),
            (
                Reason::PartOfRestored {
                    relation: Relation::Referrer,
                    image: String::new(),
                },
                parts_follow_images::ID,
            ),
        ];
        for (reason, id) in restore {
            assert_eq!(reason.rule_id(), id);
        }
    }

    #[test]
    fn a_reason_in_the_report_names_its_rule_and_what_to_do() {
        let kept = serde_json::to_value(Reason::LastVersion).unwrap();
        assert_eq!(kept["rule"], "last-version");
        assert_eq!(kept["rule_id"], never_empty::ID);
        assert!(
            kept["tip"]
                .as_str()
                .unwrap()
                .contains("delete-package-when-empty")
        );
        // A deletion or the user's own choice needs no tip.
        let picked = serde_json::to_value(Reason::Untagged).unwrap();
        assert_eq!(picked["rule_id"], selection::ID);
        assert!(picked.get("tip").is_none(), "{picked}");
        for safety in [
            Reason::TagsUnknown,
            Reason::SomeTagsUnknown,
            Reason::Unresolved,
        ] {
            assert!(
                safety.tip().is_some(),
                "{safety:?} keeps a version: say what to do"
            );
        }
    }
}
