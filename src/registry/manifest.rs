//! Image manifests and indexes, read into our own small types.
//!
//! We read the JSON with our own serde types rather than the `oci-spec` crate. We need a dozen
//! fields of two documents, read-only, and we must accept what registries actually serve: Docker's
//! media types next to OCI's, descriptors without optional fields, fields added by newer specs
//! (`subject`, `artifactType`), and Docker's attestation annotations. `oci-spec` models the
//! OCI spec strictly (builders, getters, its own media-type enum) for programs that also write
//! manifests; its extra strictness would turn a registry's small deviation into a failed run,
//! and our own types let an error name the field that was wrong.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use super::digest::Digest;

/// OCI image index: a list of manifests, usually one per platform.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image manifest: one config and its layers.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// Docker's manifest list, the predecessor of the OCI index.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker's image manifest (schema 2), the predecessor of the OCI image manifest.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// The `Accept` header for a manifest request: every kind we can read.
pub(crate) const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.docker.distribution.manifest.v2+json";

/// Config media types of runnable images; any other config type marks an artifact.
const IMAGE_CONFIG_TYPES: [&str; 2] = [
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
];
/// OCI 1.1's empty config, used by artifacts that carry their type in `artifactType`.
const EMPTY_CONFIG_TYPE: &str = "application/vnd.oci.empty.v1+json";

/// Docker (buildx) marks attestation manifests in an index with these annotations: the type says
/// what the entry is, the digest names the platform manifest it attests.
const REFERENCE_TYPE: &str = "vnd.docker.reference.type";
const REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";
const ATTESTATION_MANIFEST: &str = "attestation-manifest";

/// One manifest as the registry served it, verified against its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The digest of the bytes served: the name of this version in the Packages API.
    pub digest: Digest,
    /// The registry's `Content-Type`, or the body's `mediaType` when the header is missing or
    /// generic (`application/json`), or, when neither says, the OCI type its shape implies.
    pub media_type: String,
    pub kind: ManifestKind,
    /// The manifest this one refers to (OCI 1.1 `subject`), e.g. what a signature signs.
    pub subject: Option<Digest>,
    /// The manifest's own annotations (empty when it has none).
    pub annotations: BTreeMap<String, String>,
}

/// What a manifest is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestKind {
    /// An OCI image index or Docker manifest list: it names other manifests. A multi-platform
    /// image is an index whose children are one image per platform, plus (with buildx) one
    /// attestation manifest per platform.
    Index { children: Vec<ChildRef> },
    /// An OCI image manifest or Docker image manifest: a config and layers. This is a runnable
    /// image, or an artifact (a signature, an SBOM, an attestation) when `artifact_type` is set.
    Image {
        /// The config blob's media type, e.g. `application/vnd.oci.image.config.v1+json`.
        config_media_type: String,
        /// What the manifest carries when it is not a runnable image: its `artifactType`, or
        /// else, as OCI 1.1 says to infer it, the config's media type when that is not an image
        /// config. `None` for an ordinary image.
        artifact_type: Option<String>,
        layers: Vec<BlobRef>,
    },
}

/// One entry of an index: a manifest the index refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildRef {
    pub digest: Digest,
    pub media_type: String,
    /// The platform the entry is for. Attestation manifests say `unknown/unknown`.
    pub platform: Option<Platform>,
    /// For a buildx attestation manifest, the digest of the platform manifest it attests.
    pub attestation_of: Option<Digest>,
}

/// A blob an image manifest refers to: a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    pub digest: Digest,
    pub media_type: String,
    /// Bytes; `None` when the registry left it out.
    pub size: Option<u64>,
}

/// The platform an image runs on. Displays as `os/architecture[/variant]`, as `docker` writes it:
/// `linux/arm64/v8`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        match &self.variant {
            Some(variant) if !variant.is_empty() => write!(f, "/{variant}"),
            _ => Ok(()),
        }
    }
}

impl Manifest {
    /// The manifests an index names; empty for an image manifest.
    pub fn children(&self) -> &[ChildRef] {
        match &self.kind {
            ManifestKind::Index { children } => children,
            ManifestKind::Image { .. } => &[],
        }
    }

    pub fn is_index(&self) -> bool {
        matches!(self.kind, ManifestKind::Index { .. })
    }
}

/// Reads a manifest body. `content_type` is the response's header (parameters allowed),
/// `digest` the verified digest of `body`. The error says what is wrong with the document.
pub(crate) fn parse(
    body: &[u8],
    content_type: Option<&str>,
    digest: Digest,
) -> Result<Manifest, String> {
    let raw: RawManifest =
        serde_json::from_slice(body).map_err(|err| format!("it is not a manifest: {err}"))?;
    if let Some(version) = raw.schema_version
        && version != 2
    {
        return Err(format!(
            "it has schemaVersion {version}; only schema 2 (Docker v2, OCI) manifests can be read. \
             Push the image again with a current docker or buildx"
        ));
    }
    let header_type = content_type
        .map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|value| !is_generic(value));
    let media_type = header_type
        .or_else(|| raw.media_type.clone())
        .unwrap_or_else(|| {
            if raw.manifests.is_some() {
                OCI_INDEX.to_string()
            } else {
                OCI_MANIFEST.to_string()
            }
        });

    let is_index = match media_type.as_str() {
        OCI_INDEX | DOCKER_MANIFEST_LIST => true,
        OCI_MANIFEST | DOCKER_MANIFEST => false,
        // Another type (an artifact manifest, a registry's own): go by the shape.
        _ => raw.manifests.is_some(),
    };
    let kind = if is_index {
        let manifests = raw
            .manifests
            .ok_or_else(|| format!("it is a {media_type} without `manifests`"))?;
        let children = manifests
            .into_iter()
            .enumerate()
            .map(|(i, entry)| child_ref(entry).map_err(|err| format!("manifests[{i}]: {err}")))
            .collect::<Result<_, _>>()?;
        ManifestKind::Index { children }
    } else {
        let config = raw.config.ok_or_else(|| {
            format!("it is neither an index (`manifests`) nor an image (`config`): {media_type}")
        })?;
        let config_media_type = config.media_type.unwrap_or_default();
        let artifact_type = raw.artifact_type.or_else(|| {
            let is_image_config = config_media_type.is_empty()
                || config_media_type == EMPTY_CONFIG_TYPE
                || IMAGE_CONFIG_TYPES.contains(&config_media_type.as_str());
            (!is_image_config).then(|| config_media_type.clone())
        });
        let layers = raw
            .layers
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, layer)| {
                Ok(BlobRef {
                    digest: descriptor_digest(layer.digest)
                        .map_err(|err| format!("layers[{i}]: {err}"))?,
                    media_type: layer.media_type.unwrap_or_default(),
                    size: layer.size,
                })
            })
            .collect::<Result<_, String>>()?;
        ManifestKind::Image {
            config_media_type,
            artifact_type,
            layers,
        }
    };
    let subject = raw
        .subject
        .map(|subject| descriptor_digest(subject.digest).map_err(|err| format!("subject: {err}")))
        .transpose()?;
    Ok(Manifest {
        digest,
        media_type,
        kind,
        subject,
        annotations: raw.annotations.unwrap_or_default(),
    })
}

/// Content types that say nothing about which manifest this is.
fn is_generic(content_type: &str) -> bool {
    matches!(
        content_type,
        "" | "application/json" | "text/plain" | "application/octet-stream"
    )
}

fn child_ref(entry: RawDescriptor) -> Result<ChildRef, String> {
    let digest = descriptor_digest(entry.digest)?;
    let annotations = entry.annotations.unwrap_or_default();
    let attestation_of = match annotations.get(REFERENCE_TYPE).map(String::as_str) {
        Some(ATTESTATION_MANIFEST) => match annotations.get(REFERENCE_DIGEST) {
            Some(target) => Some(
                Digest::parse(target)
                    .map_err(|err| format!("annotation {REFERENCE_DIGEST}: {err}"))?,
            ),
            None => None,
        },
        _ => None,
    };
    Ok(ChildRef {
        digest,
        media_type: entry.media_type.unwrap_or_default(),
        platform: entry.platform,
        attestation_of,
    })
}

fn descriptor_digest(digest: Option<String>) -> Result<Digest, String> {
    let digest = digest.ok_or("no `digest`")?;
    Digest::parse(&digest).map_err(|err| err.to_string())
}

/// Both documents in one type: every field optional, unknown fields ignored, so that the shape
/// decides and the error can say which field is missing.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    schema_version: Option<u32>,
    media_type: Option<String>,
    artifact_type: Option<String>,
    /// Index.
    manifests: Option<Vec<RawDescriptor>>,
    /// Image.
    config: Option<RawDescriptor>,
    layers: Option<Vec<RawDescriptor>>,
    subject: Option<RawDescriptor>,
    annotations: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDescriptor {
    media_type: Option<String>,
    digest: Option<String>,
    size: Option<u64>,
    platform: Option<Platform>,
    annotations: Option<BTreeMap<String, String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(n: u8) -> String {
        format!("sha256:{}", format!("{n:02x}").repeat(32))
    }

    fn parse_str(body: &str, content_type: Option<&str>) -> Manifest {
        parse(
            body.as_bytes(),
            content_type,
            Digest::sha256(body.as_bytes()),
        )
        .unwrap()
    }

    #[test]
    fn platform_displays_like_docker() {
        let mut platform = Platform {
            os: "linux".into(),
            architecture: "arm64".into(),
            variant: Some("v8".into()),
        };
        assert_eq!(platform.to_string(), "linux/arm64/v8");
        platform.variant = None;
        assert_eq!(platform.to_string(), "linux/arm64");
        platform.variant = Some(String::new());
        assert_eq!(platform.to_string(), "linux/arm64");
    }

    /// What `docker buildx build --platform linux/amd64,linux/arm64 --push` makes (with the
    /// default provenance attestation), as ghcr.io serves it.
    #[test]
    fn oci_index_with_an_attestation() {
        let body = format!(
            r#"{{
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.index.v1+json",
  "manifests": [
    {{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "{amd}", "size": 673,
      "platform": {{"architecture": "amd64", "os": "linux"}}}},
    {{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "{arm}", "size": 673,
      "platform": {{"architecture": "arm64", "os": "linux", "variant": "v8"}}}},
    {{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "{att}", "size": 566,
      "annotations": {{"vnd.docker.reference.digest": "{amd}",
                       "vnd.docker.reference.type": "attestation-manifest"}},
      "platform": {{"architecture": "unknown", "os": "unknown"}}}}
  ],
  "annotations": {{"org.opencontainers.image.created": "2024-05-01T10:00:00Z"}}
}}"#,
            amd = digest(1),
            arm = digest(2),
            att = digest(3)
        );
        let manifest = parse_str(&body, Some("application/vnd.oci.image.index.v1+json"));
        assert_eq!(manifest.media_type, OCI_INDEX);
        assert!(manifest.is_index());
        assert_eq!(manifest.subject, None);
        assert_eq!(
            manifest.annotations["org.opencontainers.image.created"],
            "2024-05-01T10:00:00Z"
        );
        let children = manifest.children();
        assert_eq!(children.len(), 3);
        let shown: Vec<String> = children
            .iter()
            .map(|child| child.platform.as_ref().unwrap().to_string())
            .collect();
        assert_eq!(shown, ["linux/amd64", "linux/arm64/v8", "unknown/unknown"]);
        assert_eq!(children[0].digest, digest(1));
        assert_eq!(children[0].media_type, OCI_MANIFEST);
        assert_eq!(children[0].attestation_of, None);
        assert_eq!(children[1].attestation_of, None);
        assert_eq!(children[2].digest, digest(3));
        assert_eq!(children[2].attestation_of.as_ref().unwrap(), &digest(1));
    }

    #[test]
    fn docker_manifest_list() {
        let body = format!(
            r#"{{
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
   "manifests": [
      {{"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 528,
        "digest": "{amd}", "platform": {{"architecture": "amd64", "os": "linux"}}}},
      {{"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 528,
        "digest": "{arm}",
        "platform": {{"architecture": "arm", "os": "linux", "variant": "v7", "features": ["x"]}}}}
   ]
}}"#,
            amd = digest(4),
            arm = digest(5)
        );
        // Header with a parameter; the body agrees.
        let manifest = parse_str(
            &body,
            Some("application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8"),
        );
        assert_eq!(manifest.media_type, DOCKER_MANIFEST_LIST);
        let children = manifest.children();
        assert_eq!(children.len(), 2);
        assert_eq!(children[1].digest, digest(5));
        assert_eq!(children[1].media_type, DOCKER_MANIFEST);
        assert_eq!(
            children[1].platform.as_ref().unwrap().to_string(),
            "linux/arm/v7"
        );
        assert!(children.iter().all(|child| child.attestation_of.is_none()));

        // A registry that says only `application/json`: the body's mediaType decides.
        let manifest = parse_str(&body, Some("application/json"));
        assert_eq!(manifest.media_type, DOCKER_MANIFEST_LIST);
    }

    /// A cosign-style signature pushed with OCI 1.1 `subject` and `artifactType`.
    #[test]
    fn image_manifest_with_a_subject() {
        let body = format!(
            r#"{{
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.manifest.v1+json",
  "artifactType": "application/vnd.dev.cosign.artifact.sig.v1+json",
  "config": {{"mediaType": "application/vnd.oci.empty.v1+json", "size": 2,
              "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"}},
  "layers": [{{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json",
               "size": 241, "digest": "{layer}"}}],
  "subject": {{"mediaType": "application/vnd.oci.image.index.v1+json", "size": 1609,
               "digest": "{subject}"}},
  "annotations": {{"dev.cosignproject.cosign/signature": "MEUCIQ"}}
}}"#,
            layer = digest(6),
            subject = digest(7)
        );
        // No Content-Type at all: the body's mediaType decides.
        let manifest = parse_str(&body, None);
        assert_eq!(manifest.media_type, OCI_MANIFEST);
        assert!(!manifest.is_index());
        assert!(manifest.children().is_empty());
        assert_eq!(manifest.subject.as_ref().unwrap(), &digest(7));
        let ManifestKind::Image {
            config_media_type,
            artifact_type,
            layers,
        } = &manifest.kind
        else {
            panic!("an image manifest: {manifest:?}");
        };
        assert_eq!(config_media_type, EMPTY_CONFIG_TYPE);
        assert_eq!(
            artifact_type.as_deref(),
            Some("application/vnd.dev.cosign.artifact.sig.v1+json")
        );
        assert_eq!(layers.len(), 1);
        assert_eq!(layers[0].size, Some(241));
        assert_eq!(layers[0].digest, digest(6));
    }

    #[test]
    fn docker_image_manifest_is_an_image_without_artifact_type() {
        let body = format!(
            r#"{{"schemaVersion": 2,
  "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
  "config": {{"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1469,
              "digest": "{config}"}},
  "layers": [{{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
               "size": 3623807, "digest": "{layer}"}}]}}"#,
            config = digest(8),
            layer = digest(9)
        );
        let manifest = parse_str(&body, Some(DOCKER_MANIFEST));
        let ManifestKind::Image { artifact_type, .. } = &manifest.kind else {
            panic!("an image manifest: {manifest:?}");
        };
        assert_eq!(artifact_type, &None);
    }

    #[test]
    fn an_artifact_is_recognised_by_its_config_type() {
        // Before OCI 1.1, artifacts (helm charts, SBOMs) said what they are in the config type.
        let body = format!(
            r#"{{"schemaVersion": 2, "config": {{"mediaType": "application/vnd.cncf.helm.config.v1+json",
               "digest": "{config}", "size": 10}}, "layers": []}}"#,
            config = digest(10)
        );
        let manifest = parse_str(&body, Some(OCI_MANIFEST));
        let ManifestKind::Image { artifact_type, .. } = &manifest.kind else {
            panic!("an image manifest: {manifest:?}");
        };
        assert_eq!(
            artifact_type.as_deref(),
            Some("application/vnd.cncf.helm.config.v1+json")
        );
    }

    #[test]
    fn unreadable_manifests_say_what_is_wrong() {
        let sha = Digest::sha256(b"");
        let err = parse(b"<html>", Some(OCI_INDEX), sha.clone()).unwrap_err();
        assert!(err.contains("not a manifest"), "{err}");
        let err = parse(
            br#"{"schemaVersion": 1, "fsLayers": []}"#,
            None,
            sha.clone(),
        )
        .unwrap_err();
        assert!(err.contains("schemaVersion 1"), "{err}");
        let err = parse(br#"{"schemaVersion": 2}"#, Some(OCI_INDEX), sha.clone()).unwrap_err();
        assert!(err.contains("without `manifests`"), "{err}");
        let err = parse(br#"{"schemaVersion": 2}"#, Some(OCI_MANIFEST), sha.clone()).unwrap_err();
        assert!(err.contains("neither an index"), "{err}");
        let err = parse(
            br#"{"manifests": [{"digest": "sha256:nothex"}]}"#,
            Some(OCI_INDEX),
            sha,
        )
        .unwrap_err();
        assert!(
            err.starts_with("manifests[0]: `sha256:nothex` is not a digest"),
            "{err}"
        );
    }
}
