//! `pre-release-only`: only pre-releases may go. Pre-releases (`1.4.0-rc.1`, `v2.0.0-beta`)
//! are told from releases by semver.

use semver::Version;

use crate::model::PackageVersion;
use crate::plan::Reason;
use crate::plan::draft::{Context, PackageDraft};

pub const ID: &str = "pre-release";
pub const SUMMARY: &str =
    "with pre-release-only, candidates that are not semver pre-releases are kept";

/// What `pre-release-only` sees in a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Release {
    /// A semver pre-release, and no tag of it is a stable release.
    PreRelease { version: String },
    /// One of its tags is a stable semver release (an image tagged both `v1.4.0-rc.1` and
    /// `v1.4.0` is the release).
    StableTag { tag: String },
    /// Nothing about it is a semver pre-release.
    NotPreRelease,
}

/// Parses a semver version, allowing a leading `v` as tags often have.
fn parse(text: &str) -> Option<Version> {
    Version::parse(text.strip_prefix('v').unwrap_or(text)).ok()
}

/// Classifies a version: by its tags when it has any (containers), else by its name (also when
/// its tags are unknown; the planner keeps such container versions before asking).
pub fn classify(version: &PackageVersion) -> Release {
    let tags = version.tags();
    if !tags.is_tagged() {
        return match parse(&version.name) {
            Some(v) if !v.pre.is_empty() => Release::PreRelease {
                version: version.name.clone(),
            },
            _ => Release::NotPreRelease,
        };
    }
    let mut pre_release = None;
    for tag in tags {
        match parse(tag) {
            Some(v) if v.pre.is_empty() => return Release::StableTag { tag: tag.clone() },
            Some(_) if pre_release.is_none() => pre_release = Some(tag.clone()),
            _ => {}
        }
    }
    match pre_release {
        Some(version) => Release::PreRelease { version },
        None => Release::NotPreRelease,
    }
}

/// Keeps the candidates that are not pre-releases, when `pre-release-only` is on.
pub(crate) fn apply(package: &mut PackageDraft, context: &Context<'_>) {
    if !context.policy.pre_release_only {
        return;
    }
    for draft in package.versions.iter_mut().filter(|d| d.is_candidate()) {
        match classify(&draft.version) {
            Release::PreRelease { version } => draft.reasons.push(Reason::PreRelease { version }),
            Release::StableTag { tag } => draft.keep(Reason::StableReleaseTag { tag }),
            Release::NotPreRelease => draft.keep(Reason::NotPreRelease),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::rules::testing::{self, context, drafts};
    use crate::plan::{Action, Policy};

    #[test]
    fn keeps_what_is_not_a_pre_release() {
        let mut package = drafts(vec![
            testing::image(1, 1, &["v2.0.0-rc.1"]),
            testing::image(2, 2, &["v1.0.0-rc.1", "v1.0.0"]),
            testing::image(3, 3, &["latest"]),
        ]);
        let policy = Policy {
            pre_release_only: true,
            ..Policy::default()
        };
        apply(&mut package, &context(&policy));
        assert_eq!(package.ids(Some(Action::Keep)), [2, 3]);
        assert_eq!(package.ids(None), [1]);
        assert_eq!(
            package.versions[0].reasons[0].to_string(),
            "pre-release v2.0.0-rc.1"
        );
    }

    fn version(name: &str, tags: &[&str]) -> PackageVersion {
        PackageVersion::new(1, name, "2026-01-01T00:00:00Z".parse().unwrap())
            .tagged(tags.iter().copied())
    }

    #[test]
    fn names_and_tags_are_read_as_semver() {
        let pre = |version: &str| Release::PreRelease {
            version: version.to_string(),
        };
        assert_eq!(classify(&version("2.4.0-beta.1", &[])), pre("2.4.0-beta.1"));
        assert_eq!(classify(&version("v3.0.0-alpha", &[])), pre("v3.0.0-alpha"));
        assert_eq!(classify(&version("2.3.1", &[])), Release::NotPreRelease);
        assert_eq!(classify(&version("nightly", &[])), Release::NotPreRelease);
        assert_eq!(
            classify(&version("sha256:1", &["v1.4.0-rc.1", "edge"])),
            pre("v1.4.0-rc.1")
        );
        assert_eq!(
            classify(&version("sha256:1", &["v1.4.0-rc.2", "v1.4.0"])),
            Release::StableTag {
                tag: "v1.4.0".to_string()
            }
        );
        assert_eq!(
            classify(&version("sha256:1", &["latest"])),
            Release::NotPreRelease
        );
    }
}
