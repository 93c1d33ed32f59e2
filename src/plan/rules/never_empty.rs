//! What the rules before left of the images goes, but GitHub refuses to delete a package's last
//! version: when every version would go, the newest image is kept, or with
//! `delete-package-when-empty` the package is deleted whole.

use crate::plan::draft::{Context, PackageDraft};
use crate::plan::{Action, Reason};

pub const ID: &str = "never-empty";
pub const SUMMARY: &str =
    "what is left is deleted, but the newest image stays unless delete-package-when-empty";

/// Deletes the undecided images (the parts judged alone follow their images later), then keeps
/// the newest image if nothing else is kept, or marks the package for deletion. Runs before the
/// parts of images follow their images, so that the image kept here keeps its parts.
pub(crate) fn apply(package: &mut PackageDraft, context: &Context<'_>) {
    let drafts = &mut package.versions;
    for draft in drafts
        .iter_mut()
        .filter(|d| d.is_candidate() && d.is_image())
    {
        draft.delete(None);
    }
    if drafts.is_empty() || drafts.iter().any(|d| d.decided == Some(Action::Keep)) {
        return;
    }
    if context.policy.delete_package_when_empty {
        // Every version gets `Reason::PackageEmptied` once the parts have followed their images.
        package.delete_package = true;
        return;
    }
    // Drafts are sorted newest first; every version has a link-free root above it somewhere,
    // but keep the newest version at all if none is (links could only form a cycle).
    let newest_image = drafts.iter().position(|d| d.links.is_empty()).unwrap_or(0);
    let draft = &mut drafts[newest_image];
    draft.reasons.clear();
    draft.keep(Reason::LastVersion);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Policy;
    use crate::plan::rules::testing::{context, drafts, image};

    #[test]
    fn deletes_what_is_left_but_the_newest_unless_the_package_may_go() {
        let versions = || vec![image(1, 1, &["v2"]), image(2, 2, &["v1"])];
        let mut package = drafts(versions());
        apply(&mut package, &context(&Policy::default()));
        assert_eq!(package.ids(Some(Action::Keep)), [1]);
        assert_eq!(package.versions[0].reasons, [Reason::LastVersion]);
        assert_eq!(package.ids(Some(Action::Delete)), [2]);
        assert!(!package.delete_package);

        let emptying = Policy {
            delete_package_when_empty: true,
            ..Policy::default()
        };
        let mut package = drafts(versions());
        apply(&mut package, &context(&emptying));
        assert_eq!(package.ids(Some(Action::Delete)), [1, 2]);
        assert!(package.delete_package);
    }
}
