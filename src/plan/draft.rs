//! A package's versions while the rules run over them: each version's fate so far and the
//! reasons for it. The rules in [`super::rules::ORDER`] take turns deciding; the first that
//! keeps a version decides it.

use std::collections::HashMap;

use crate::model::{PackageType, PackageVersion, Timestamp};

use super::images::{self, Link};
use super::{Action, Images, Policy, Reason};

/// A version while the rules run over it.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub version: PackageVersion,
    pub reasons: Vec<Reason>,
    pub decided: Option<Action>,
    /// The images this version belongs to; empty for an image of its own.
    pub links: Vec<Link>,
    /// A part of an image that carries tags of its own: the rules judge it like an image too,
    /// and it goes with its image only if they would delete it.
    pub judged_alone: bool,
}

impl Draft {
    /// A version no rule has looked at yet, belonging to the images `links` name.
    pub fn new(version: PackageVersion, links: Vec<Link>) -> Draft {
        Draft {
            judged_alone: !links.is_empty() && images::own_tags(&version).next().is_some(),
            links,
            version,
            reasons: Vec::new(),
            decided: None,
        }
    }

    pub fn keep(&mut self, reason: Reason) {
        self.reasons.push(reason);
        self.decided = Some(Action::Keep);
    }

    pub fn delete(&mut self, reason: Option<Reason>) {
        self.reasons.extend(reason);
        self.decided = Some(Action::Delete);
    }

    /// A version the rules judge (an image, or a part with tags of its own), not yet decided.
    pub fn is_candidate(&self) -> bool {
        self.decided.is_none() && (self.is_image() || self.judged_alone)
    }

    /// Not a part of another image.
    pub fn is_image(&self) -> bool {
        self.links.is_empty()
    }
}

/// One package while the rules run over it.
#[derive(Debug, Clone)]
pub(crate) struct PackageDraft {
    /// Newest first (by the policy's timestamp); ids break ties so that the plan does not
    /// depend on the listing's order.
    pub versions: Vec<Draft>,
    /// Set by the never-empty rule: every version goes and `delete-package-when-empty` is on.
    pub delete_package: bool,
}

impl PackageDraft {
    /// The versions of a package, each linked to the images it belongs to, newest first.
    pub fn new(versions: Vec<PackageVersion>, images: &Images, policy: &Policy) -> PackageDraft {
        let mut links = match images {
            Images::Read(manifests) => images::links(&versions, manifests),
            Images::NotRead | Images::Unreadable(_) => HashMap::new(),
        };
        let mut versions: Vec<Draft> = versions
            .into_iter()
            .map(|version| {
                let links = links.remove(&version.name).unwrap_or_default();
                Draft::new(version, links)
            })
            .collect();
        let when = |v: &PackageVersion| policy.timestamp.of(v);
        versions.sort_by_key(|d| std::cmp::Reverse((when(&d.version), d.version.id)));
        PackageDraft {
            versions,
            delete_package: false,
        }
    }

    /// The ids of the versions decided `action` so far (`None`: undecided), newest first.
    #[cfg(test)]
    pub fn ids(&self, action: Option<Action>) -> Vec<u64> {
        self.versions
            .iter()
            .filter(|d| d.decided == action)
            .map(|d| d.version.id.0)
            .collect()
    }
}

/// What every rule may read besides the drafts: the policy, and what is known of the package.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub policy: &'a Policy,
    /// `older-than` as a moment: versions from before it are older.
    pub cutoff: Option<Timestamp>,
    pub package_type: PackageType,
    pub images: &'a Images,
}

impl<'a> Context<'a> {
    pub fn new(
        policy: &'a Policy,
        now: Timestamp,
        package_type: PackageType,
        images: &'a Images,
    ) -> Context<'a> {
        Context {
            policy,
            cutoff: policy.older_than.as_ref().map(|age| age.before(now)),
            package_type,
            images,
        }
    }
}
