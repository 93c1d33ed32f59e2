//! Which versions the policy looks at: a version picked by `tags`, `untagged`, `versions` or
//! `version-ids` is a candidate; the others are kept. `restore` picks deleted versions with
//! the same [`Selection`].

use std::collections::BTreeSet;

use crate::model::{PackageVersion, VersionId};
use crate::plan::Reason;
use crate::plan::draft::{Context, PackageDraft};
use crate::plan::images::own_tags;
use crate::selector::PatternList;

pub const ID: &str = "selection";
pub const SUMMARY: &str =
    "versions that tags, untagged, versions and version-ids do not pick are kept";

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
    pub fn reasons(&self, version: &PackageVersion) -> Vec<Reason> {
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

/// Keeps the versions no selection input picks, and records why the others are candidates. A
/// part of an image that carries a tag of its own the selection does not pick is kept for that
/// tag, whatever its image's fate.
pub(crate) fn apply(package: &mut PackageDraft, context: &Context<'_>) {
    let selection = &context.policy.selection;
    for draft in package.versions.iter_mut().filter(|d| d.is_candidate()) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::rules::testing::{context, drafts, image};
    use crate::plan::{Action, Policy};

    #[test]
    fn keeps_what_is_not_picked_and_says_why_the_rest_is() {
        let mut package = drafts(vec![
            image(1, 1, &["v1"]),
            image(2, 2, &[]),
            image(3, 3, &["latest"]),
        ]);
        let policy = Policy::new(Selection {
            tags: PatternList::parse("v*").unwrap(),
            untagged: true,
            ..Selection::default()
        });
        apply(&mut package, &context(&policy));
        assert_eq!(package.ids(Some(Action::Keep)), [3]);
        assert_eq!(package.ids(None), [1, 2]);
        assert_eq!(
            package.versions[0].reasons[0].to_string(),
            "tag \"v1\" matches tags \"v*\""
        );
        assert_eq!(package.versions[1].reasons, [Reason::Untagged]);
        assert_eq!(package.versions[2].reasons, [Reason::NotSelected]);
    }
}
