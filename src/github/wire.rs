//! The Packages API's data as GitHub sends it, and how it maps onto the [`model`](crate::model).
//!
//! Only this module knows GitHub's field names and their quirks (`metadata.container.tags` that may
//! be missing or `null`, `updated_at` that may be absent); everything past the client sees the model.

use serde::{Deserialize, Serialize};

use crate::model::{Package, PackageType, PackageVersion, Timestamp, VersionId, Visibility};

/// A package, as `GET …/packages` lists it.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct WirePackage {
    pub id: u64,
    pub name: String,
    pub package_type: PackageType,
    /// `public`, `private` or `internal` (GitHub mostly reports `internal` as `private`).
    pub visibility: String,
    #[serde(default)]
    pub version_count: Option<u64>,
    #[serde(default)]
    pub html_url: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(default)]
    pub repository: Option<RepositoryRef>,
}

impl From<WirePackage> for Package {
    fn from(wire: WirePackage) -> Package {
        Package {
            id: wire.id,
            name: wire.name,
            package_type: wire.package_type,
            visibility: Visibility::parse(&wire.visibility),
            version_count: wire.version_count,
            html_url: wire.html_url,
            created_at: wire.created_at,
            updated_at: wire.updated_at,
            repository: wire.repository.map(|r| r.full_name),
        }
    }
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
#[derive(Debug, Clone, Deserialize)]
pub(super) struct WireVersion {
    pub id: VersionId,
    pub name: String,
    pub created_at: Timestamp,
    /// Absent in some answers.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Set on versions listed with `state=deleted`.
    #[serde(default)]
    pub deleted_at: Option<Timestamp>,
    #[serde(default)]
    pub metadata: Option<VersionMetadata>,
}

impl WireVersion {
    /// The version's tags, as far as GitHub said. Container and docker versions carry them in
    /// `metadata.container.tags` (or `metadata.docker.tag`); when that is missing or `null`,
    /// or `metadata` itself is, they are unknown (`None`), never "no tags": an image whose tags
    /// GitHub left out may well be `latest`. Other package types have no tags: their metadata
    /// names the type and nothing else, which is known and empty.
    fn tag_list(&self) -> Option<Vec<String>> {
        let metadata = self.metadata.as_ref()?;
        if let Some(container) = &metadata.container {
            return container.tags.clone();
        }
        if let Some(docker) = &metadata.docker {
            return docker.tag.clone();
        }
        if metadata.package_type.has_tags() {
            None
        } else {
            Some(Vec::new())
        }
    }
}

impl From<WireVersion> for PackageVersion {
    fn from(wire: WireVersion) -> PackageVersion {
        PackageVersion {
            tag_list: wire.tag_list(),
            id: wire.id,
            name: wire.name,
            created_at: wire.created_at,
            updated_at: wire.updated_at,
            deleted_at: wire.deleted_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct VersionMetadata {
    pub package_type: PackageType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<ContainerMetadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker: Option<DockerMetadata>,
}

/// Tags of an image in the old Docker registry. GitHub's description names the field `tag`
/// but requires `tags`; accept either. `None`: absent or `null`, so unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct DockerMetadata {
    #[serde(default, alias = "tags")]
    pub tag: Option<Vec<String>>,
}

/// `metadata.container`. `tags` is `None` when GitHub sent it as `null` or left it out: the
/// tags are then unknown, not empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct ContainerMetadata {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn version(metadata: &str) -> PackageVersion {
        let json = format!(
            r#"{{"id": 1, "name": "sha256:aa", "created_at": "2026-01-01T00:00:00Z"{metadata}}}"#
        );
        serde_json::from_str::<WireVersion>(&json)
            .unwrap_or_else(|err| panic!("{json}: {err}"))
            .into()
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
