//! Which versions of a container package belong together.
//!
//! GitHub lists every manifest of an image as its own version: a multi-arch push by buildx makes
//! one tagged index plus an untagged version per platform manifest and per attestation manifest,
//! and cosign stores a signature as a version tagged `sha256-<subject hex>.sig`. Only the registry
//! knows how they relate. This module turns what the registry said ([`ManifestFacts`]) and the
//! versions' tags into links from each dependent version to the images it belongs to, and
//! names the images in reasons; `rules::parts_follow_images` is the pass by which parts follow.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::model::{Digest, PackageVersion};

/// What a manifest says about other manifests: the registry reader's findings, reduced to what
/// the policy needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestFacts {
    /// For an index (OCI image index, Docker manifest list): the manifests it lists.
    pub children: Vec<ChildFacts>,
    /// For a manifest with an OCI `subject`: the digest of the manifest it refers to.
    pub subject: Option<Digest>,
}

/// One entry of an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildFacts {
    pub digest: Digest,
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

impl Relation {
    /// How an entry of an index belongs to the index.
    pub fn of_child(child: &ChildFacts) -> Relation {
        match (&child.platform, child.attestation) {
            (_, true) => Relation::Attestation,
            (Some(platform), false) => Relation::Platform(platform.clone()),
            (None, false) => Relation::Entry,
        }
    }
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
    pub parent: Digest,
    pub relation: Relation,
}

/// The subject digest a tag-schema artifact tag names: `sha256-<hex>[.suffix]` → `sha256:<hex>`.
pub fn tag_subject(tag: &str) -> Option<(Digest, ArtifactKind)> {
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
    let subject = Digest::parse(&format!("sha256:{}", hex.to_ascii_lowercase())).ok()?;
    Some((subject, kind))
}

/// The tags a version carries for itself: all but the cosign-style tags that name another
/// image (`sha256-<hex>.sig`), which make it a part of that image.
pub fn own_tags(version: &PackageVersion) -> impl Iterator<Item = &String> {
    version
        .tags()
        .into_iter()
        .filter(|tag| tag_subject(tag).is_none())
}

/// Links every version of a package to the images it belongs to. Only links to versions that
/// are present count: a child whose index is already gone is an ordinary version.
pub fn links(
    versions: &[PackageVersion],
    manifests: &HashMap<Digest, ManifestFacts>,
) -> HashMap<String, Vec<Link>> {
    let present: HashSet<&str> = versions.iter().map(|v| v.name.as_str()).collect();
    let mut links: HashMap<String, Vec<Link>> = HashMap::new();
    let mut add = |child: &str, parent: &Digest, relation: Relation| {
        if *parent != child && present.contains(child) && present.contains(parent.as_str()) {
            let entry = links.entry(child.to_string()).or_default();
            let link = Link {
                parent: parent.clone(),
                relation,
            };
            if !entry.contains(&link) {
                entry.push(link);
            }
        }
    };
    for version in versions {
        // Found by the version's name, the manifest's digest is that name, checked.
        if let Some((digest, facts)) = manifests.get_key_value(version.name.as_str()) {
            for child in &facts.children {
                add(child.digest.as_str(), digest, Relation::of_child(child));
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

/// What a reason calls the image a part belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// The index that lists platform and attestation manifests.
    Index,
    /// The subject of a signature, an attestation or a referrer.
    Image,
}

impl ImageKind {
    /// What the parent of a part linked by `relation` is.
    pub fn of(relation: &Relation) -> ImageKind {
        match relation {
            Relation::Platform(_) | Relation::Entry | Relation::Attestation => ImageKind::Index,
            Relation::TaggedArtifact(_) | Relation::Referrer => ImageKind::Image,
        }
    }
}

impl fmt::Display for ImageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ImageKind::Index => "index",
            ImageKind::Image => "image",
        })
    }
}

/// How a reason names the image a part belongs to: `index v2 (sha256:1a2b3c4d5e6f…)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub kind: ImageKind,
    /// The image's first tag, if it has one.
    pub tag: Option<String>,
    /// GitHub did not say which tags the image carries.
    pub tags_unknown: bool,
    pub digest: Digest,
}

impl ImageRef {
    /// The image `link` points to, which is `parent`.
    pub(crate) fn new(parent: &PackageVersion, link: &Link) -> ImageRef {
        let tags = parent.tags();
        ImageRef {
            kind: ImageKind::of(&link.relation),
            tag: tags.first().cloned(),
            tags_unknown: tags.is_unknown(),
            digest: link.parent.clone(),
        }
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digest = self.digest.short();
        match &self.tag {
            Some(tag) => write!(f, "{} {tag} ({digest})", self.kind),
            None if self.tags_unknown => write!(f, "{} with unknown tags ({digest})", self.kind),
            None => write!(f, "untagged {} ({digest})", self.kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_schema_names_the_subject() {
        let hex = "ab".repeat(32);
        let subject: Digest = format!("sha256:{hex}").parse().unwrap();
        assert_eq!(
            tag_subject(&format!("sha256-{hex}.sig")),
            Some((subject.clone(), ArtifactKind::Signature))
        );
        assert_eq!(
            tag_subject(&format!("sha256-{hex}")),
            Some((subject, ArtifactKind::Other))
        );
        assert_eq!(tag_subject("sha256-abc.sig"), None);
        assert_eq!(tag_subject("v1.0.0"), None);
    }
}
