//! Which versions of a container package belong together.
//!
//! GitHub lists every manifest of an image as its own version: a multi-arch push by buildx makes
//! one tagged index plus an untagged version per platform manifest and per attestation manifest,
//! and cosign stores a signature as a version tagged `sha256-<subject hex>.sig`. Only the registry
//! knows how they relate. This module turns what the registry said ([`ManifestFacts`]) and the
//! versions' tags into links from each dependent version to the images it belongs to.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::model::PackageVersion;

/// What a manifest says about other manifests: the registry reader's findings, reduced to what
/// the policy needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestFacts {
    /// For an index (OCI image index, Docker manifest list): the manifests it lists.
    pub children: Vec<ChildFacts>,
    /// For a manifest with an OCI `subject`: the digest of the manifest it refers to.
    pub subject: Option<String>,
}

/// One entry of an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildFacts {
    pub digest: String,
    /// `linux/arm64/v8`; `None` for entries without a platform.
    pub platform: Option<String>,
    /// A buildx attestation manifest (`vnd.docker.reference.type: attestation-manifest`).
    pub attestation: bool,
}

/// How a dependent version belongs to its image.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Relation {
    /// A platform manifest listed by an index.
    Platform(String),
    /// An entry of an index without a platform (a nested index, an artifact).
    Entry,
    /// A buildx attestation manifest listed by an index.
    Attestation,
    /// A cosign-style artifact tagged after its subject: `.sig`, `.att`, `.sbom`, or none.
    TaggedArtifact(ArtifactKind),
    /// A manifest whose OCI `subject` names the image.
    Referrer,
}

/// The kind of a tag-schema artifact, from its tag's suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArtifactKind {
    Signature,
    Attestation,
    Sbom,
    Other,
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Relation::Platform(platform) => write!(f, "platform {platform}"),
            Relation::Entry => f.write_str("manifest"),
            Relation::Attestation => f.write_str("attestation"),
            Relation::TaggedArtifact(ArtifactKind::Signature) => f.write_str("signature"),
            Relation::TaggedArtifact(ArtifactKind::Attestation) => f.write_str("attestation"),
            Relation::TaggedArtifact(ArtifactKind::Sbom) => f.write_str("SBOM"),
            Relation::TaggedArtifact(ArtifactKind::Other) => f.write_str("artifact"),
            Relation::Referrer => f.write_str("referrer"),
        }
    }
}

/// A link from a dependent version to an image it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Link {
    /// The parent's digest.
    pub parent: String,
    pub relation: Relation,
}

/// The subject digest a tag-schema artifact tag names: `sha256-<hex>[.suffix]` → `sha256:<hex>`.
pub fn tag_subject(tag: &str) -> Option<(String, ArtifactKind)> {
    let rest = tag.strip_prefix("sha256-")?;
    let (hex, suffix) = rest.split_once('.').unwrap_or((rest, ""));
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let kind = match suffix {
        "sig" => ArtifactKind::Signature,
        "att" => ArtifactKind::Attestation,
        "sbom" => ArtifactKind::Sbom,
        _ => ArtifactKind::Other,
    };
    Some((format!("sha256:{}", hex.to_ascii_lowercase()), kind))
}

/// Links every version of a package to the images it belongs to. Only links to versions that
/// are present count: a child whose index is already gone is an ordinary version.
pub fn links(
    versions: &[PackageVersion],
    manifests: &HashMap<String, ManifestFacts>,
) -> HashMap<String, Vec<Link>> {
    let present: HashSet<&str> = versions.iter().map(|v| v.name.as_str()).collect();
    let mut links: HashMap<String, Vec<Link>> = HashMap::new();
    let mut add = |child: &str, parent: &str, relation: Relation| {
        if child != parent && present.contains(child) && present.contains(parent) {
            let entry = links.entry(child.to_string()).or_default();
            let link = Link {
                parent: parent.to_string(),
                relation,
            };
            if !entry.contains(&link) {
                entry.push(link);
            }
        }
    };
    for version in versions {
        if let Some(facts) = manifests.get(&version.name) {
            for child in &facts.children {
                let relation = match (&child.platform, child.attestation) {
                    (_, true) => Relation::Attestation,
                    (Some(platform), false) => Relation::Platform(platform.clone()),
                    (None, false) => Relation::Entry,
                };
                add(&child.digest, &version.name, relation);
            }
            if let Some(subject) = &facts.subject {
                add(&version.name, subject, Relation::Referrer);
            }
        }
        for tag in version.tags() {
            if let Some((subject, kind)) = tag_subject(tag) {
                add(&version.name, &subject, Relation::TaggedArtifact(kind));
            }
        }
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_schema_names_the_subject() {
        let hex = "ab".repeat(32);
        assert_eq!(
            tag_subject(&format!("sha256-{hex}.sig")),
            Some((format!("sha256:{hex}"), ArtifactKind::Signature))
        );
        assert_eq!(
            tag_subject(&format!("sha256-{hex}")),
            Some((format!("sha256:{hex}"), ArtifactKind::Other))
        );
        assert_eq!(tag_subject("sha256-abc.sig"), None);
        assert_eq!(tag_subject("v1.0.0"), None);
    }
}
