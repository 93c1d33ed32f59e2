//! The floors: `keep-n-tagged`, `keep-n-untagged` and `keep-n` keep the N newest candidates of
//! their kind. They count before the age filter: "keep at least the N newest".

use crate::plan::Reason;
use crate::plan::draft::{Context, PackageDraft};

pub const ID: &str = "keep-newest";
pub const SUMMARY: &str =
    "keep-n-tagged, keep-n-untagged and keep-n keep the N newest candidates, whatever their age";

/// Keeps the N newest candidates of each kind. Each count runs over the candidates left by the
/// exclusions, independently of the others, so `keep-n: 3` keeps the 3 newest candidates even
/// when `keep-n-tagged` already kept some of them. Only images count: a part judged alone for
/// its own tags takes no place among the N.
pub(crate) fn apply(package: &mut PackageDraft, context: &Context<'_>) {
    let policy = context.policy;
    let drafts = &mut package.versions;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::rules::testing::{context, drafts, image};
    use crate::plan::{Action, Policy};

    #[test]
    fn each_floor_counts_the_newest_of_its_kind() {
        let mut package = drafts(vec![
            image(1, 1, &["v3"]),
            image(2, 2, &[]),
            image(3, 3, &["v2"]),
            image(4, 4, &[]),
            image(5, 5, &["v1"]),
        ]);
        let policy = Policy {
            keep_newest_tagged: Some(2),
            keep_newest_untagged: Some(1),
            ..Policy::default()
        };
        apply(&mut package, &context(&policy));
        assert_eq!(package.ids(Some(Action::Keep)), [1, 2, 3]);
        assert_eq!(
            package.versions[1].reasons,
            [Reason::AmongNewestUntagged { n: 1 }]
        );
        assert_eq!(package.ids(None), [4, 5]);
    }
}
