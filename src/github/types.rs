//! The Packages API's data, as GitHub sends it.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The kind of registry a package lives in; the `{package_type}` path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageType {
    Container,
    Npm,
    Maven,
    Rubygems,
    Nuget,
    /// Images of the old Docker registry (`docker.pkg.github.com`), even once migrated.
    Docker,
}

impl PackageType {
    pub const ALL: [PackageType; 6] = [
        PackageType::Container,
        PackageType::Npm,
        PackageType::Maven,
        PackageType::Rubygems,
        PackageType::Nuget,
        PackageType::Docker,
    ];
    pub const ACCEPTED: &'static str =
        "`container`, `npm`, `maven`, `rubygems`, `nuget` or `docker`";

    pub fn as_str(self) -> &'static str {
        match self {
            PackageType::Container => "container",
            PackageType::Npm => "npm",
            PackageType::Maven => "maven",
            PackageType::Rubygems => "rubygems",
            PackageType::Nuget => "nuget",
            PackageType::Docker => "docker",
        }
    }
}

impl fmt::Display for PackageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PackageType {
    type Err = ();

    fn from_str(value: &str) -> Result<Self, ()> {
        PackageType::ALL
            .into_iter()
            .find(|t| t.as_str() == value)
            .ok_or(())
    }
}

/// A package version's id: unique across GitHub, stable across delete and restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VersionId(pub u64);

impl fmt::Display for VersionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A package, as `GET …/packages` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub id: u64,
    pub name: String,
    pub package_type: PackageType,
    /// `public` or `private` (`internal` is reported as `private` by GitHub).
    pub visibility: String,
    #[serde(default)]
    pub version_count: Option<u64>,
    #[serde(default)]
    pub html_url: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(default)]
    pub owner: Option<Account>,
    #[serde(default)]
    pub repository: Option<RepositoryRef>,
}

/// A user or organisation, as embedded in other objects or from `GET /users/{login}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub login: String,
    pub id: u64,
    /// `User` or `Organization`.
    #[serde(rename = "type")]
    pub account_type: String,
}

impl Account {
    pub fn is_organization(&self) -> bool {
        self.account_type == "Organization"
    }
}

/// The repository a package is linked to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryRef {
    pub name: String,
    pub full_name: String,
}

/// One version of a package. For containers, `name` is the manifest digest (`sha256:…`) and the
/// tags are in `metadata.container.tags`; for other types, `name` is the version string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageVersion {
    pub id: VersionId,
    pub name: String,
    pub created_at: Timestamp,
    /// Absent in some answers: treat as `created_at`.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Set on versions listed with `state=deleted`.
    #[serde(default)]
    pub deleted_at: Option<Timestamp>,
    #[serde(default)]
    pub metadata: Option<VersionMetadata>,
}

impl PackageVersion {
    /// The version's tags, as far as GitHub said. Container and docker versions carry them in
    /// `metadata.container.tags` (or `metadata.docker.tag`); when that is missing or `null`,
    /// or `metadata` itself is, they are [`Tags::Unknown`], never "no tags": an image whose tags
    /// GitHub left out may well be `latest`. Other package types have no tags: their metadata
    /// names the type and nothing else, which is [`Tags::Known`] and empty.
    pub fn tags(&self) -> Tags<'_> {
        let Some(metadata) = &self.metadata else {
            return Tags::Unknown;
        };
        if let Some(container) = &metadata.container {
            return Tags::from(container.tags.as_deref());
        }
        if let Some(docker) = &metadata.docker {
            return Tags::from(docker.tag.as_deref());
        }
        match metadata.package_type {
            PackageType::Container | PackageType::Docker => Tags::Unknown,
            _ => Tags::Known(&[]),
        }
    }

    /// `updated_at`, or `created_at` when GitHub left it out.
    pub fn updated_or_created(&self) -> Timestamp {
        self.updated_at.unwrap_or(self.created_at)
    }
}

/// A version's tags: the list GitHub gave, or `Unknown` when its answer did not say. Only
/// [`Tags::is_untagged`] means "no tags"; an unknown list matches no pattern and is never judged
/// untagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tags<'a> {
    Known(&'a [String]),
    Unknown,
}

impl<'a> Tags<'a> {
    /// GitHub said the version has no tags.
    pub fn is_untagged(self) -> bool {
        matches!(self, Tags::Known([]))
    }

    /// GitHub said the version has at least one tag.
    pub fn is_tagged(self) -> bool {
        matches!(self, Tags::Known([_, ..]))
    }

    /// GitHub did not say which tags the version has.
    pub fn is_unknown(self) -> bool {
        self == Tags::Unknown
    }

    /// The tags known to be on the version, for matching: none when unknown.
    pub fn known(self) -> &'a [String] {
        match self {
            Tags::Known(tags) => tags,
            Tags::Unknown => &[],
        }
    }

    /// The tags known to be on the version, one by one.
    pub fn iter(self) -> std::slice::Iter<'a, String> {
        self.known().iter()
    }

    /// The first known tag.
    pub fn first(self) -> Option<&'a String> {
        self.known().first()
    }

    /// The tags as a report shows them: `v1, latest`, nothing when untagged, and
    /// `(tags unknown)` when GitHub did not say. Raw text: escape it for where it goes.
    pub fn render(self) -> String {
        match self {
            Tags::Known(tags) => tags.join(", "),
            Tags::Unknown => Tags::UNKNOWN.to_string(),
        }
    }

    /// How reports show tags GitHub did not give.
    pub const UNKNOWN: &'static str = "(tags unknown)";
}

impl<'a> From<Option<&'a [String]>> for Tags<'a> {
    fn from(tags: Option<&'a [String]>) -> Tags<'a> {
        tags.map_or(Tags::Unknown, Tags::Known)
    }
}

impl<'a> IntoIterator for Tags<'a> {
    type Item = &'a String;
    type IntoIter = std::slice::Iter<'a, String>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// In JSON outputs and the report: the list, or `null` when GitHub did not say.
impl Serialize for Tags<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Tags::Known(tags) => tags.serialize(serializer),
            Tags::Unknown => serializer.serialize_none(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionMetadata {
    pub package_type: PackageType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<ContainerMetadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker: Option<DockerMetadata>,
}

/// Tags of an image in the old Docker registry. GitHub's description names the field `tag`
/// but requires `tags`; accept either. `None`: absent or `null`, so unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DockerMetadata {
    #[serde(default, alias = "tags")]
    pub tag: Option<Vec<String>>,
}

/// `metadata.container`. `tags` is `None` when GitHub sent it as `null` or left it out: the
/// tags are then unknown, not empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerMetadata {
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// Which versions a listing returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionState {
    Active,
    /// Deleted within the last 30 days, so still restorable.
    Deleted,
}

impl VersionState {
    pub fn as_str(self) -> &'static str {
        match self {
            VersionState::Active => "active",
            VersionState::Deleted => "deleted",
        }
    }
}

/// Visibility filter of a package listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Public,
    Private,
    Internal,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Private => "private",
            Visibility::Internal => "internal",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(metadata: &str) -> PackageVersion {
        let json = format!(
            r#"{{"id": 1, "name": "sha256:aa", "created_at": "2026-01-01T00:00:00Z"{metadata}}}"#
        );
        serde_json::from_str(&json).unwrap_or_else(|err| panic!("{json}: {err}"))
    }

    #[test]
    fn missing_container_metadata_means_unknown_tags_not_untagged() {
        for metadata in [
            "",
            r#", "metadata": null"#,
            r#", "metadata": {"package_type": "container"}"#,
            r#", "metadata": {"package_type": "container", "container": null}"#,
            r#", "metadata": {"package_type": "container", "container": {}}"#,
            r#", "metadata": {"package_type": "container", "container": {"tags": null}}"#,
            r#", "metadata": {"package_type": "docker"}"#,
            r#", "metadata": {"package_type": "docker", "docker": {"tag": null}}"#,
        ] {
            let version = version(metadata);
            let tags = version.tags();
            assert!(tags.is_unknown(), "{metadata}: {tags:?}");
            assert!(!tags.is_untagged() && !tags.is_tagged(), "{metadata}");
            assert_eq!(tags.render(), "(tags unknown)");
            assert_eq!(serde_json::to_string(&tags).unwrap(), "null");
        }
    }

    #[test]
    fn tags_that_github_gave_are_known() {
        let empty =
            version(r#", "metadata": {"package_type": "container", "container": {"tags": []}}"#);
        assert!(empty.tags().is_untagged());
        let tagged = version(
            r#", "metadata": {"package_type": "container", "container": {"tags": ["v1", "latest"]}}"#,
        );
        assert!(tagged.tags().is_tagged());
        assert_eq!(tagged.tags().render(), "v1, latest");
        let docker =
            version(r#", "metadata": {"package_type": "docker", "docker": {"tags": ["v1"]}}"#);
        assert_eq!(docker.tags().known(), ["v1"]);
        // npm and the others have no tags at all.
        let npm = version(r#", "metadata": {"package_type": "npm"}"#);
        assert!(npm.tags().is_untagged());
    }
}
