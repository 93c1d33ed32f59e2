//! When GitHub did not say which tags a version carries (`metadata`, its `container` or their
//! `tags` missing or `null`), nothing that depends on tags can be judged: the version is kept
//! unless `version-ids` lists it (an id names it whatever its tags), and no untagged version
//! of the package is deleted, since "untagged" may be what the same broken answer told us.

use crate::plan::Reason;
use crate::plan::draft::{Context, PackageDraft};

pub const ID: &str = "tags-unknown";
pub const SUMMARY: &str =
    "versions whose tags GitHub left out are kept unless version-ids lists them; so are untagged";

/// Keeps the versions of a container package whose tags are unknown, and its untagged versions.
pub(crate) fn apply(package: &mut PackageDraft, context: &Context<'_>) {
    if !context.package_type.has_tags()
        || !package
            .versions
            .iter()
            .any(|d| d.version.tags().is_unknown())
    {
        return;
    }
    let listed = &context.policy.selection.version_ids;
    for draft in package.versions.iter_mut().filter(|d| d.decided.is_none()) {
        let tags = draft.version.tags();
        if tags.is_unknown() && !listed.contains(&draft.version.id) {
            draft.keep(Reason::TagsUnknown);
        } else if tags.is_untagged() {
            draft.keep(Reason::SomeTagsUnknown);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::VersionId;
    use crate::plan::rules::testing::{context, drafts, image};
    use crate::plan::{Action, Policy, Selection};

    #[test]
    fn unknown_tags_keep_the_version_and_every_untagged_one() {
        let versions = || {
            vec![
                image(1, 1, &[]).tags_unknown(),
                image(2, 2, &[]),
                image(3, 3, &["v1"]),
                image(4, 4, &[]).tags_unknown(),
            ]
        };
        let mut package = drafts(versions());
        apply(&mut package, &context(&Policy::default()));
        assert_eq!(package.ids(Some(Action::Keep)), [1, 2, 4]);
        assert_eq!(package.ids(None), [3]);

        let by_id = Policy::new(Selection {
            version_ids: [VersionId(4)].into(),
            ..Selection::default()
        });
        let mut package = drafts(versions());
        apply(&mut package, &context(&by_id));
        assert_eq!(package.ids(None), [3, 4], "version-ids can still name it");
    }
}
