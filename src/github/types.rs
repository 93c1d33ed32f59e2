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
    /// The version's tags (container and docker images; empty for other package types).
    pub fn tags(&self) -> &[String] {
        let Some(metadata) = &self.metadata else {
            return &[];
        };
        if let Some(container) = &metadata.container {
            return &container.tags;
        }
        metadata.docker.as_ref().map_or(&[], |d| d.tag.as_slice())
    }

    /// `updated_at`, or `created_at` when GitHub left it out.
    pub fn updated_or_created(&self) -> Timestamp {
        self.updated_at.unwrap_or(self.created_at)
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
/// but requires `tags`; accept either.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DockerMetadata {
    #[serde(default, alias = "tags")]
    pub tag: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerMetadata {
    #[serde(default)]
    pub tags: Vec<String>,
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
