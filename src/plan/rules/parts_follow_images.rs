//! The last rule: the parts of images follow the images the earlier rules decided.

use std::collections::HashMap;

use crate::plan::draft::{Context, PackageDraft};
use crate::plan::images::{ImageRef, Link};
use crate::plan::{Action, Reason};

pub const ID: &str = "images";
pub const SUMMARY: &str =
    "a part of an image is kept while any image it belongs to is kept, and goes with the last";

/// The parts of images (platform manifests, attestations, signatures, referrers) follow the
/// images they belong to: kept while any of them is kept, deleted with the last of them.
/// Nested indexes are parts too, so this repeats until nothing changes.
pub(crate) fn apply(package: &mut PackageDraft, _context: &Context<'_>) {
    let drafts = &mut package.versions;
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
                .filter_map(|link| {
                    let parent = index_of.get(link.parent.as_str())?;
                    Some((link, drafts[*parent].decided))
                })
                .collect();
            let describe = |link: &Link| {
                let parent = &drafts[index_of[link.parent.as_str()]].version;
                ImageRef::new(parent, link)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Policy;
    use crate::plan::draft::Draft;
    use crate::plan::images::Relation;
    use crate::plan::rules::testing::{context, drafts, image};

    #[test]
    fn parts_follow_their_images_both_ways() {
        let part_of = |id: u64| Link {
            parent: format!("sha256:{id:064x}").parse().unwrap(),
            relation: Relation::Platform("linux/amd64".to_string()),
        };
        let mut package = drafts(vec![image(1, 1, &["v2"]), image(2, 2, &["v1"])]);
        package.versions[0].keep(Reason::NotSelected);
        package.versions[1].delete(None);
        package
            .versions
            .push(Draft::new(image(11, 1, &[]), vec![part_of(1)]));
        package
            .versions
            .push(Draft::new(image(21, 2, &[]), vec![part_of(2)]));
        apply(&mut package, &context(&Policy::default()));
        assert_eq!(package.ids(Some(Action::Keep)), [1, 11]);
        assert_eq!(package.ids(Some(Action::Delete)), [2, 21]);
        assert_eq!(
            package.versions[3].reasons[0].to_string(),
            "platform linux/amd64 of deleted index v1 (sha256:000000000000…)"
        );
    }
}
