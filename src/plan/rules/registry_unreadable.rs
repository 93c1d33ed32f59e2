//! Without the registry's word on which untagged versions belong to an image, none is deleted.

use crate::plan::Images;
use crate::plan::Reason;
use crate::plan::draft::{Context, PackageDraft};

pub const ID: &str = "registry-unreadable";
pub const SUMMARY: &str = "when the registry could not be read, every untagged version is kept";

/// Keeps every untagged version when reading the package's manifests failed.
pub(crate) fn apply(package: &mut PackageDraft, context: &Context<'_>) {
    let Images::Unreadable(error) = context.images else {
        return;
    };
    for draft in package
        .versions
        .iter_mut()
        .filter(|d| d.version.tags().is_untagged())
    {
        draft.keep(Reason::RegistryUnreadable {
            error: error.to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PackageType;
    use crate::plan::rules::testing::{drafts, image, now};
    use crate::plan::{Action, Policy};

    #[test]
    fn keeps_the_untagged_versions_when_the_registry_failed() {
        let mut package = drafts(vec![image(1, 1, &["v1"]), image(2, 2, &[])]);
        let policy = Policy::default();
        let images = Images::Unreadable("401 Unauthorized".to_string());
        apply(
            &mut package,
            &Context::new(&policy, now(), PackageType::Container, &images),
        );
        assert_eq!(package.ids(Some(Action::Keep)), [2]);
        assert_eq!(package.ids(None), [1]);
        assert_eq!(
            package.versions[1].reasons[0].rule_id(),
            ID,
            "the reason names this rule"
        );
    }
}
