//! The retention rules, one file each: an [`ID`](selection::ID), a one-line
//! [`SUMMARY`](selection::SUMMARY) and an `apply` that decides what it can of a package. The
//! planner runs them in [`ORDER`]; the first rule that keeps a version decides it. Adding a
//! rule is its file and its place in [`ORDER`].

pub mod age;
pub mod exclusions;
pub mod keep_newest;
pub mod never_empty;
pub mod parts_follow_images;
pub mod pre_release;
pub mod registry_unreadable;
pub mod selection;
pub mod tags_unknown;

use super::draft::{Context, PackageDraft};

/// One rule, as the planner runs it.
#[derive(Clone, Copy)]
pub struct Rule {
    /// A short name for the rule; every [`Reason`](super::Reason) names the rule that gave it.
    pub id: &'static str,
    /// What the rule does, in one line.
    pub summary: &'static str,
    pub(crate) apply: fn(&mut PackageDraft, &Context<'_>),
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("id", &self.id).finish()
    }
}

macro_rules! rule {
    ($module:ident) => {
        Rule {
            id: $module::ID,
            summary: $module::SUMMARY,
            apply: $module::apply,
        }
    };
}

/// The rules in the order the planner runs them. What cannot be judged is kept first (an
/// unreadable registry, tags GitHub left out); then the selection, the exclusions and the
/// floors, which protect versions before the age and pre-release filters may let them go;
/// then what is left is deleted, short of emptying the package; last, the parts of images
/// follow the images that were decided.
pub const ORDER: &[Rule] = &[
    rule!(registry_unreadable),
    rule!(tags_unknown),
    rule!(selection),
    rule!(exclusions),
    rule!(keep_newest),
    rule!(age),
    rule!(pre_release),
    rule!(never_empty),
    rule!(parts_follow_images),
];

/// Builders for the rules' unit tests: drafts of versions, and a context for a policy.
#[cfg(test)]
pub(crate) mod testing {
    use chrono::TimeDelta;

    use crate::model::{PackageType, PackageVersion, Timestamp};
    use crate::plan::draft::{Context, PackageDraft};
    use crate::plan::{Images, Policy};

    pub const NOW: &str = "2026-11-25T12:00:00Z";

    pub fn now() -> Timestamp {
        NOW.parse().unwrap()
    }

    /// A container version `days` old with these tags, named `sha256:<id as 64 hex digits>`.
    pub fn image(id: u64, days: i64, tags: &[&str]) -> PackageVersion {
        let created = now() - TimeDelta::days(days);
        PackageVersion {
            updated_at: Some(created),
            ..PackageVersion::new(id, &format!("sha256:{id:064x}"), created)
                .tagged(tags.iter().copied())
        }
    }

    /// Drafts of `versions` in a package whose manifests were not read, newest first.
    pub fn drafts(versions: Vec<PackageVersion>) -> PackageDraft {
        PackageDraft::new(versions, &Images::NotRead, &Policy::default())
    }

    /// The context of a container package whose manifests were not read, at [`NOW`].
    pub fn context(policy: &Policy) -> Context<'_> {
        Context::new(policy, now(), PackageType::Container, &Images::NotRead)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_holds_every_rule_once_each_summed_up_in_one_line() {
        let every_rule = [
            registry_unreadable::ID,
            tags_unknown::ID,
            selection::ID,
            exclusions::ID,
            keep_newest::ID,
            age::ID,
            pre_release::ID,
            never_empty::ID,
            parts_follow_images::ID,
        ];
        for id in every_rule {
            let places = ORDER.iter().filter(|rule| rule.id == id).count();
            assert_eq!(places, 1, "{id} is in the order {places} time(s)");
        }
        assert_eq!(ORDER.len(), every_rule.len(), "{ORDER:?}");
        for rule in ORDER {
            assert!(
                !rule.summary.is_empty() && !rule.summary.contains('\n'),
                "{}: {:?} is not one line",
                rule.id,
                rule.summary
            );
        }
    }
}
