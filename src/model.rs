//! The domain: what package-warden knows about packages and their versions, whoever told it.
//!
//! These types are the ground floor. The planner reads them, the GitHub client fills them from
//! GitHub's wire format (see `github::wire`), the fake and the tests build them directly.
//! Nothing here knows about HTTP, inputs or the Actions runtime.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A point in time, in UTC: every timestamp GitHub gives and every `now` the planner is handed.
pub type Timestamp = DateTime<Utc>;

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

    /// Container and docker versions are images, named by digest and carrying tags.
    pub fn has_tags(self) -> bool {
        matches!(self, PackageType::Container | PackageType::Docker)
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

/// Who may see a package. GitHub reports `internal` packages as `private` in most answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Visibility {
    Public,
    Private,
    Internal,
    /// A value GitHub did not document: shown as such, never guessed.
    Unknown,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Private => "private",
            Visibility::Internal => "internal",
            Visibility::Unknown => "unknown",
        }
    }

    /// GitHub's word for it; anything else is [`Visibility::Unknown`].
    pub fn parse(value: &str) -> Visibility {
        match value {
            "public" => Visibility::Public,
            "private" => Visibility::Private,
            "internal" => Visibility::Internal,
            _ => Visibility::Unknown,
        }
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A package of an owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub id: u64,
    pub name: String,
    pub package_type: PackageType,
    pub visibility: Visibility,
    /// How many versions GitHub counts, when it says.
    pub version_count: Option<u64>,
    pub html_url: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The linked repository's `owner/name`, when there is one.
    pub repository: Option<String>,
}

impl Package {
    /// A package with what the planner needs; the rest empty. For tests and fixtures.
    pub fn new(id: u64, name: &str, package_type: PackageType, created_at: Timestamp) -> Package {
        Package {
            id,
            name: name.to_string(),
            package_type,
            visibility: Visibility::Private,
            version_count: None,
            html_url: None,
            created_at,
            updated_at: created_at,
            repository: None,
        }
    }
}

/// One version of a package. For images, `name` is the manifest digest (`sha256:…`); for other
/// types, the version string (`1.2.3`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageVersion {
    pub id: VersionId,
    pub name: String,
    pub created_at: Timestamp,
    /// Absent in some answers: read [`PackageVersion::updated_or_created`].
    pub updated_at: Option<Timestamp>,
    /// Set on versions that are deleted (and so still restorable).
    pub deleted_at: Option<Timestamp>,
    /// The version's tags, or `None` when GitHub did not say which: read [`PackageVersion::tags`].
    pub tag_list: Option<Vec<String>>,
}

impl PackageVersion {
    /// A version with no tags (as npm, maven, rubygems and nuget versions always are).
    pub fn new(id: u64, name: &str, created_at: Timestamp) -> PackageVersion {
        PackageVersion {
            id: VersionId(id),
            name: name.to_string(),
            created_at,
            updated_at: None,
            deleted_at: None,
            tag_list: Some(Vec::new()),
        }
    }

    /// The same version, carrying `tags`.
    pub fn tagged<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> PackageVersion {
        self.tag_list = Some(tags.into_iter().map(Into::into).collect());
        self
    }

    /// The same version, with tags GitHub did not give.
    pub fn tags_unknown(mut self) -> PackageVersion {
        self.tag_list = None;
        self
    }

    /// The version's tags, as far as GitHub said. An image whose tags GitHub left out is
    /// [`Tags::Unknown`], never "no tags": it may well be `latest`.
    pub fn tags(&self) -> Tags<'_> {
        Tags::from(self.tag_list.as_deref())
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

/// A package and its versions, as listed.
#[derive(Debug, Clone)]
pub struct PackageListing {
    pub package: Package,
    pub versions: Vec<PackageVersion>,
}

/// A timestamp as GitHub writes it and as our reports show it: `2026-01-01T00:00:00Z`.
pub fn rfc3339(at: Timestamp) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Digests are long: `sha256:1a2b3c4d5e6f…` is enough to recognise one in a table or a sentence.
/// Anything else (a version name such as `1.2.3`) is shown whole.
pub fn short_digest(name: &str) -> String {
    match name.strip_prefix("sha256:") {
        Some(hex) if hex.len() > 12 => format!("sha256:{}…", &hex[..12]),
        _ => name.to_string(),
    }
}
