//! The domain: what package-warden knows about packages and their versions, whoever told it.
//!
//! These types are the ground floor. The planner reads them, the GitHub client fills them from
//! GitHub's wire format (see `github::wire`), the fake and the tests build them directly.
//! Nothing here knows about HTTP, inputs or the Actions runtime.

use std::borrow::Borrow;
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

/// A content digest as registries write it, `<algorithm>:<encoded>`: for example
/// `sha256:1a2b…` (64 lower-case hex digits). A container version's `name` in the Packages API is
/// the digest of its manifest; an index names its platform manifests by digest.
///
/// Parsing checks the grammar of the OCI image spec, and for `sha256` and `sha512` (the
/// algorithms the registry reader can verify) the exact length and lower-case hex, so two
/// `Digest`s of the same content always compare equal.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Digest(String);

/// A string that is not a digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a digest: {reason} (expected `sha256:` and 64 lower-case hex digits)")]
pub struct DigestError {
    pub value: String,
    pub reason: &'static str,
}

impl Digest {
    /// Checks and wraps `text`, e.g. `sha256:` followed by 64 lower-case hex digits.
    pub fn parse(text: &str) -> Result<Digest, DigestError> {
        let fail = |reason| DigestError {
            value: text.chars().take(100).collect(),
            reason,
        };
        let (algorithm, encoded) = text.split_once(':').ok_or_else(|| fail("no `:`"))?;
        // OCI: algorithm-component ([a-z0-9]+) joined by one of `+._-`.
        let algorithm_ok = !algorithm.is_empty()
            && algorithm
                .split(['+', '.', '_', '-'])
                .all(|part| !part.is_empty() && part.bytes().all(is_lower_alnum));
        if !algorithm_ok {
            return Err(fail("the algorithm must be lower-case letters and digits"));
        }
        let hex_len = match algorithm {
            "sha256" => Some(64),
            "sha512" => Some(128),
            _ => None,
        };
        match hex_len {
            Some(len) if encoded.len() != len => {
                return Err(fail("the hex part has the wrong length"));
            }
            Some(_) if !encoded.bytes().all(is_lower_hex) => {
                return Err(fail("the hex part must be lower-case hex digits"));
            }
            Some(_) => {}
            None if encoded.is_empty()
                || !encoded
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-')) =>
            {
                return Err(fail("the encoded part has characters a digest cannot have"));
            }
            None => {}
        }
        Ok(Digest(text.to_string()))
    }

    /// `sha256`, `sha512`, …
    pub fn algorithm(&self) -> &str {
        self.0
            .split_once(':')
            .map_or("", |(algorithm, _)| algorithm)
    }

    /// The part after the `:`, e.g. the 64 hex digits of a sha256 digest.
    pub fn encoded(&self) -> &str {
        self.0.split_once(':').map_or("", |(_, encoded)| encoded)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `sha256:1a2b3c4d5e6f…`: see [`short_digest`].
    pub fn short(&self) -> String {
        short_digest(&self.0)
    }
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

fn is_lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Digest {
    type Err = DigestError;

    fn from_str(text: &str) -> Result<Digest, DigestError> {
        Digest::parse(text)
    }
}

impl TryFrom<String> for Digest {
    type Error = DigestError;

    fn try_from(text: String) -> Result<Digest, DigestError> {
        Digest::parse(&text)
    }
}

impl From<Digest> for String {
    fn from(digest: Digest) -> String {
        digest.0
    }
}

impl AsRef<str> for Digest {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// So that a map keyed by digest is looked up with a version's name.
impl Borrow<str> for Digest {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// So that a digest compares directly with a version name from the Packages API.
impl PartialEq<str> for Digest {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Digest {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Digest {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<Digest> for String {
    fn eq(&self, other: &Digest) -> bool {
        *self == other.0
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

#[cfg(test)]
mod tests {
    use super::*;

    /// sha256 of the empty string.
    const EMPTY: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn malformed_digests_are_refused_with_the_reason() {
        for (text, reason) in [
            ("v1.2.3", "no `:`"),
            ("sha256:abc", "wrong length"),
            (
                &EMPTY.to_uppercase().replace("SHA256", "sha256"),
                "lower-case hex",
            ),
            ("SHA256:abc", "algorithm"),
            ("sha256--abc:x", "algorithm"),
            ("md5:", "characters"),
        ] {
            let err = Digest::parse(text).unwrap_err();
            assert!(err.to_string().contains(reason), "{text}: {err}");
        }
        let digest: Digest = EMPTY.parse().unwrap();
        assert_eq!(digest.algorithm(), "sha256");
        assert_eq!(digest.to_string(), EMPTY);
        assert_eq!(digest.short(), "sha256:e3b0c44298fc…");
        assert_eq!(short_digest("1.2.3"), "1.2.3");
    }

    #[test]
    fn serde_round_trips_and_checks() {
        let digest: Digest = serde_json::from_str(&format!("\"{EMPTY}\"")).unwrap();
        assert_eq!(
            serde_json::to_string(&digest).unwrap(),
            format!("\"{EMPTY}\"")
        );
        assert!(serde_json::from_str::<Digest>("\"latest\"").is_err());
    }
}
