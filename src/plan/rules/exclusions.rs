//! `exclude-tags` and `exclude-versions` protect what they match, parts of images too.

use crate::plan::Reason;
use crate::plan::draft::{Context, PackageDraft};

pub const ID: &str = "exclusions";
pub const SUMMARY: &str =
    "versions that exclude-tags or exclude-versions match are kept, parts of images too";

/// Keeps every undecided version an exclusion matches.
pub(crate) fn apply(package: &mut PackageDraft, context: &Context<'_>) {
    let policy = context.policy;
    for draft in package.versions.iter_mut().filter(|d| d.decided.is_none()) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::rules::testing::{context, drafts, image};
    use crate::plan::{Action, Policy};
    use crate::selector::PatternList;

    #[test]
    fn keeps_what_an_exclusion_matches() {
        let mut package = drafts(vec![
            image(1, 1, &["latest", "v2"]),
            image(2, 2, &["v1"]),
            image(3, 3, &[]),
        ]);
        let policy = Policy {
            exclude_tags: PatternList::parse("latest").unwrap(),
            exclude_versions: PatternList::parse(&format!("sha256:{:064x}", 3)).unwrap(),
            ..Policy::default()
        };
        apply(&mut package, &context(&policy));
        assert_eq!(package.ids(Some(Action::Keep)), [1, 3]);
        assert_eq!(
            package.versions[0].reasons[0].to_string(),
            "tag \"latest\" matches exclude-tags \"latest\""
        );
        assert_eq!(package.ids(None), [2]);
    }
}
