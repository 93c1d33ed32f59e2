//! Registry manifests: what the fake stores under each container version, and builders that lay
//! them out the way `docker buildx` and `cosign` push them to ghcr.io.
//!
//! A manifest's digest is the sha256 of its exact bytes, so builders serialise typed structs (a
//! fixed field order) rather than JSON maps, whose key order would depend on serde_json's
//! features: the same builder calls must give the same digests in every build.
//!
//! Blobs (configs and layers) are not stored; descriptors name them by the digest of a label, so
//! every manifest is unique and deterministic.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// The media types the builders use, as registries spell them in `Content-Type` and `mediaType`.
pub mod media_type {
    /// An OCI image index: a list of manifests, one per platform (plus attestations).
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    /// An OCI image manifest: one platform's config and layers.
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    /// An OCI image config blob.
    pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    /// A gzipped OCI layer.
    pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
    /// A Docker manifest list, the Docker-format counterpart of an OCI index.
    pub const DOCKER_MANIFEST_LIST: &str =
        "application/vnd.docker.distribution.manifest.list.v2+json";
    /// A Docker image manifest (schema 2).
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    /// A Docker image config blob.
    pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
    /// A gzipped Docker layer.
    pub const DOCKER_LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    /// An in-toto statement: the layers of a buildx attestation manifest.
    pub const IN_TOTO: &str = "application/vnd.in-toto+json";
    /// The payload cosign signs, stored as the layer of a signature manifest.
    pub const COSIGN_SIGNATURE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
    /// The `artifactType` of a cosign signature pushed as an OCI 1.1 referrer.
    pub const COSIGN_SIGNATURE_ARTIFACT: &str = "application/vnd.dev.cosign.artifact.sig.v1+json";
}

use media_type::{
    COSIGN_SIGNATURE, DOCKER_CONFIG, DOCKER_LAYER, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, IN_TOTO,
    OCI_CONFIG, OCI_INDEX, OCI_LAYER, OCI_MANIFEST,
};

/// The annotation buildx puts on an index entry that is an attestation, not an image.
const REFERENCE_TYPE_ANNOTATION: &str = "vnd.docker.reference.type";
/// The annotation naming the image manifest an attestation describes.
const REFERENCE_DIGEST_ANNOTATION: &str = "vnd.docker.reference.digest";

/// A registry manifest exactly as a registry would serve it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestSeed {
    /// The `Content-Type` it is served with, e.g. `application/vnd.oci.image.index.v1+json`.
    pub media_type: String,
    /// The manifest's JSON text. Its bytes are what the digest covers, so it is kept verbatim.
    pub content: String,
}

impl ManifestSeed {
    /// A manifest of `media_type` with the JSON text `content`.
    pub fn new(media_type: impl Into<String>, content: impl Into<String>) -> Self {
        ManifestSeed {
            media_type: media_type.into(),
            content: content.into(),
        }
    }

    /// The content digest registries name this manifest by: `sha256:<lowercase hex>`.
    pub fn digest(&self) -> String {
        sha256_digest(self.content.as_bytes())
    }

    /// A descriptor pointing at this manifest, for an index entry or a `subject` field.
    pub fn descriptor(&self) -> Descriptor {
        Descriptor::new(&self.media_type, self.digest(), self.content.len())
    }

    /// Starts an OCI image manifest for one platform. Its config blob is named by `label`, which
    /// makes the manifest (and its digest) unique; add layers with [`ImageBuilder::layers`].
    pub fn image(label: &str) -> ImageBuilder {
        ImageBuilder::new(OCI_MANIFEST, OCI_CONFIG, OCI_LAYER, label)
    }

    /// Like [`ManifestSeed::image`], in Docker's schema 2 format (older pipelines push these).
    pub fn docker_image(label: &str) -> ImageBuilder {
        ImageBuilder::new(DOCKER_MANIFEST, DOCKER_CONFIG, DOCKER_LAYER, label)
    }

    /// Starts an empty OCI image index; add platform manifests and attestations to it.
    pub fn index() -> IndexBuilder {
        IndexBuilder::new(OCI_INDEX)
    }

    /// Starts an empty Docker manifest list, the Docker-format counterpart of an index.
    pub fn docker_manifest_list() -> IndexBuilder {
        IndexBuilder::new(DOCKER_MANIFEST_LIST)
    }

    /// The attestation manifest buildx pushes next to the image `label`: an OCI manifest whose
    /// two in-toto layers are SLSA provenance and an SPDX SBOM. Point an index entry at it with
    /// [`IndexBuilder::attestation`].
    pub fn attestation(label: &str) -> ManifestSeed {
        ManifestSeed::image(&format!("{label} attestation"))
            .config(Descriptor::blob(
                OCI_CONFIG,
                &format!("{label} attestation config"),
                167,
            ))
            .layer(
                Descriptor::blob(IN_TOTO, &format!("{label} provenance"), 6_842).annotation(
                    "in-toto.io/predicate-type",
                    "https://slsa.dev/provenance/v0.2",
                ),
            )
            .layer(
                Descriptor::blob(IN_TOTO, &format!("{label} sbom"), 48_211)
                    .annotation("in-toto.io/predicate-type", "https://spdx.dev/Document"),
            )
            .build()
    }

    /// A cosign signature of the manifest `subject_digest`, as `cosign sign` pushes it to a
    /// registry without a referrers API (ghcr.io): a manifest of its own, to be tagged
    /// [`cosign_tag`]`(subject_digest, "sig")`. For an OCI 1.1 referrer instead, build one with
    /// [`ImageBuilder::subject`].
    pub fn cosign_signature(subject_digest: &str) -> ManifestSeed {
        let hex = digest_hex(subject_digest);
        ManifestSeed::image(&format!("signature of {subject_digest}"))
            .config(Descriptor::blob(
                OCI_CONFIG,
                &format!("signature config of {hex}"),
                233,
            ))
            .layer(
                Descriptor::blob(COSIGN_SIGNATURE, &format!("signature of {hex}"), 250).annotation(
                    "dev.cosignproject.cosign/signature",
                    format!("MEUCIQ{}", hex.get(..40).unwrap_or(hex)),
                ),
            )
            .build()
    }
}

/// The tag cosign gives what it attaches to `subject_digest` on a registry without a referrers
/// API: `sha256-<hex>.<suffix>`, with `suffix` `sig` (signatures), `att` (attestations) or `sbom`.
pub fn cosign_tag(subject_digest: &str, suffix: &str) -> String {
    let (algorithm, hex) = subject_digest
        .split_once(':')
        .unwrap_or(("sha256", subject_digest));
    format!("{algorithm}-{hex}.{suffix}")
}

/// What a manifest says about another piece of content: its media type, digest and size, and,
/// in an index, the platform it is for and annotations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// The content's media type.
    pub media_type: String,
    /// The content's digest, `sha256:<hex>`.
    pub digest: String,
    /// The content's size in bytes.
    pub size: usize,
    /// Annotations, e.g. the ones that mark an attestation.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// The platform an index entry is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
}

impl Descriptor {
    /// A descriptor of content with this media type, digest and size.
    pub fn new(media_type: &str, digest: impl Into<String>, size: usize) -> Self {
        Descriptor {
            media_type: media_type.to_owned(),
            digest: digest.into(),
            size,
            annotations: BTreeMap::new(),
            platform: None,
        }
    }

    /// A blob the fake does not store, named by the digest of `label`.
    pub fn blob(media_type: &str, label: &str, size: usize) -> Self {
        Descriptor::new(media_type, sha256_digest(label.as_bytes()), size)
    }

    /// Adds an annotation.
    #[must_use]
    pub fn annotation(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.annotations.insert(key.into(), value.into());
        self
    }

    /// Says which platform the content is for (index entries).
    #[must_use]
    pub fn platform(mut self, platform: Platform) -> Self {
        self.platform = Some(platform);
        self
    }
}

/// The platform an index entry is for, e.g. `linux/amd64`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Platform {
    /// The CPU architecture, e.g. `amd64`, `arm64`; `unknown` for attestations.
    pub architecture: String,
    /// The operating system, e.g. `linux`; `unknown` for attestations.
    pub os: String,
    /// The CPU variant, e.g. `v8` for `linux/arm64/v8`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Platform {
    /// `linux/<architecture>`.
    pub fn linux(architecture: &str) -> Platform {
        Platform {
            architecture: architecture.to_owned(),
            os: "linux".to_owned(),
            variant: None,
        }
    }

    /// `unknown/unknown`: what buildx claims for attestation entries, so that no runtime ever
    /// pulls them as an image.
    pub fn unknown() -> Platform {
        Platform {
            architecture: "unknown".to_owned(),
            os: "unknown".to_owned(),
            variant: None,
        }
    }

    /// Adds a CPU variant, as in `linux/arm/v7`.
    #[must_use]
    pub fn variant(mut self, variant: &str) -> Platform {
        self.variant = Some(variant.to_owned());
        self
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        match &self.variant {
            Some(variant) => write!(f, "/{variant}"),
            None => Ok(()),
        }
    }
}

/// Builds a single-platform image manifest (see [`ManifestSeed::image`]).
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ImageBuilder {
    label: String,
    layer_type: &'static str,
    body: ImageManifest,
}

/// An image manifest's JSON, field for field in the order registries show them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ImageManifest {
    schema_version: u8,
    media_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    artifact_type: Option<String>,
    config: Descriptor,
    layers: Vec<Descriptor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<Descriptor>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: BTreeMap<String, String>,
}

impl ImageBuilder {
    fn new(
        media_type: &'static str,
        config_type: &'static str,
        layer_type: &'static str,
        label: &str,
    ) -> Self {
        ImageBuilder {
            label: label.to_owned(),
            layer_type,
            body: ImageManifest {
                schema_version: 2,
                media_type,
                artifact_type: None,
                config: Descriptor::blob(config_type, &format!("{label} config"), 1_470),
                layers: Vec::new(),
                subject: None,
                annotations: BTreeMap::new(),
            },
        }
    }

    /// Adds `count` gzipped layers of a few megabytes each, named after the label.
    pub fn layers(mut self, count: usize) -> Self {
        let first = self.body.layers.len();
        for n in first..first + count {
            let layer = Descriptor::blob(
                self.layer_type,
                &format!("{} layer {n}", self.label),
                3_000_000 + n * 1_234_567,
            );
            self.body.layers.push(layer);
        }
        self
    }

    /// Adds one layer described in full.
    pub fn layer(mut self, layer: Descriptor) -> Self {
        self.body.layers.push(layer);
        self
    }

    /// Replaces the config descriptor (by default an image config named after the label).
    pub fn config(mut self, config: Descriptor) -> Self {
        self.body.config = config;
        self
    }

    /// Makes the manifest a referrer of `subject` (OCI 1.1's `subject` field), as signatures and
    /// attestations are pushed to registries with a referrers API.
    pub fn subject(mut self, subject: &ManifestSeed) -> Self {
        self.body.subject = Some(subject.descriptor());
        self
    }

    /// Sets the `artifactType` that tells referrers apart, e.g.
    /// [`media_type::COSIGN_SIGNATURE_ARTIFACT`].
    pub fn artifact_type(mut self, artifact_type: &str) -> Self {
        self.body.artifact_type = Some(artifact_type.to_owned());
        self
    }

    /// Adds a manifest-level annotation.
    pub fn annotation(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.body.annotations.insert(key.into(), value.into());
        self
    }

    /// The manifest, serialised.
    #[must_use]
    pub fn build(self) -> ManifestSeed {
        serialise(self.body.media_type, &self.body)
    }
}

/// Builds an image index or manifest list (see [`ManifestSeed::index`]).
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct IndexBuilder {
    body: ImageIndex,
}

/// An index's JSON, field for field in the order registries show them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ImageIndex {
    schema_version: u8,
    media_type: &'static str,
    manifests: Vec<Descriptor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<Descriptor>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: BTreeMap<String, String>,
}

impl IndexBuilder {
    fn new(media_type: &'static str) -> Self {
        IndexBuilder {
            body: ImageIndex {
                schema_version: 2,
                media_type,
                manifests: Vec::new(),
                subject: None,
                annotations: BTreeMap::new(),
            },
        }
    }

    /// Adds `image` as the manifest for `platform`.
    pub fn platform(self, platform: Platform, image: &ManifestSeed) -> Self {
        self.entry(image.descriptor().platform(platform))
    }

    /// Adds `attestation` as buildx does: platform `unknown/unknown`, annotated as an
    /// `attestation-manifest` of the image manifest `of`.
    pub fn attestation(self, attestation: &ManifestSeed, of: &ManifestSeed) -> Self {
        self.entry(
            attestation
                .descriptor()
                .annotation(REFERENCE_DIGEST_ANNOTATION, of.digest())
                .annotation(REFERENCE_TYPE_ANNOTATION, "attestation-manifest")
                .platform(Platform::unknown()),
        )
    }

    /// Adds any entry, e.g. one naming a digest the package does not hold.
    pub fn entry(mut self, descriptor: Descriptor) -> Self {
        self.body.manifests.push(descriptor);
        self
    }

    /// Makes the index a referrer of `subject` (OCI 1.1).
    pub fn subject(mut self, subject: &ManifestSeed) -> Self {
        self.body.subject = Some(subject.descriptor());
        self
    }

    /// Adds an index-level annotation.
    pub fn annotation(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.body.annotations.insert(key.into(), value.into());
        self
    }

    /// The index, serialised.
    #[must_use]
    pub fn build(self) -> ManifestSeed {
        serialise(self.body.media_type, &self.body)
    }
}

/// Everything `docker buildx build --platform ... --push` puts in a registry for one multi-arch
/// build with its default attestations: per platform an image manifest and an attestation
/// manifest, and an index naming them all. On ghcr.io each becomes a version of the package; only
/// the index carries the tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiArchImage {
    /// The index, to be tagged.
    pub index: ManifestSeed,
    /// One image manifest per platform, in the order given.
    pub images: Vec<ManifestSeed>,
    /// One attestation manifest per image, in the same order.
    pub attestations: Vec<ManifestSeed>,
}

impl MultiArchImage {
    /// A build of `label` (anything that makes it unique, e.g. `"app v1.2.0"`) for `platforms`,
    /// with `layers` layers per image.
    pub fn new(label: &str, platforms: &[Platform], layers: usize) -> MultiArchImage {
        let images: Vec<ManifestSeed> = platforms
            .iter()
            .map(|platform| {
                ManifestSeed::image(&format!("{label} {platform}"))
                    .layers(layers)
                    .build()
            })
            .collect();
        let attestations: Vec<ManifestSeed> = platforms
            .iter()
            .map(|platform| ManifestSeed::attestation(&format!("{label} {platform}")))
            .collect();
        // buildx lists the images first, then the attestations that point at them.
        let mut index = ManifestSeed::index();
        for (platform, image) in platforms.iter().zip(&images) {
            index = index.platform(platform.clone(), image);
        }
        for (attestation, image) in attestations.iter().zip(&images) {
            index = index.attestation(attestation, image);
        }
        MultiArchImage {
            index: index.build(),
            images,
            attestations,
        }
    }

    /// The manifests the index names, in the order buildx pushes them (before the index):
    /// the images, then the attestations.
    pub fn children(&self) -> impl Iterator<Item = &ManifestSeed> {
        self.images.iter().chain(&self.attestations)
    }
}

/// Serialises a manifest body; the bytes produced here are the bytes its digest covers.
fn serialise(media_type: &str, body: &impl Serialize) -> ManifestSeed {
    let content = serde_json::to_string_pretty(body)
        // Plain structs of strings and numbers always serialise.
        .unwrap_or_else(|error| unreachable!("a manifest body cannot fail to serialise: {error}"));
    ManifestSeed::new(media_type, content)
}

/// `sha256:<hex>` of `bytes`.
pub(crate) fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// The hex part of a digest (`sha256:<hex>`), or the whole text when it has no algorithm.
fn digest_hex(digest: &str) -> &str {
    digest.split_once(':').map_or(digest, |(_, hex)| hex)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn json(manifest: &ManifestSeed) -> Value {
        serde_json::from_str(&manifest.content).expect("manifests are JSON")
    }

    #[test]
    fn images_are_deterministic_and_unique_per_label() {
        let amd64 = ManifestSeed::image("app linux/amd64").layers(2).build();
        assert_eq!(
            amd64,
            ManifestSeed::image("app linux/amd64").layers(2).build()
        );
        assert_ne!(
            amd64.digest(),
            ManifestSeed::image("app linux/arm64")
                .layers(2)
                .build()
                .digest()
        );
        let body = json(&amd64);
        assert_eq!(body["schemaVersion"], 2);
        assert_eq!(body["mediaType"], OCI_MANIFEST);
        assert_eq!(body["layers"].as_array().map(Vec::len), Some(2));
        assert_eq!(body["config"]["mediaType"], OCI_CONFIG);
        // Registries show `schemaVersion` and `mediaType` first; the struct order keeps them so.
        assert!(amd64.content.find("schemaVersion") < amd64.content.find("config"));
    }

    #[test]
    fn docker_images_use_docker_media_types_throughout() {
        let image = ManifestSeed::docker_image("legacy").layers(1).build();
        let body = json(&image);
        assert_eq!(image.media_type, DOCKER_MANIFEST);
        assert_eq!(body["config"]["mediaType"], DOCKER_CONFIG);
        assert_eq!(body["layers"][0]["mediaType"], DOCKER_LAYER);
    }

    #[test]
    fn multi_arch_indexes_name_images_and_their_attestations() {
        let build = MultiArchImage::new(
            "app v1",
            &[Platform::linux("amd64"), Platform::linux("arm64")],
            3,
        );
        let index = json(&build.index);
        let entries = index["manifests"].as_array().expect("entries");
        assert_eq!(entries.len(), 4);
        assert_eq!(entries[1]["platform"]["architecture"], "arm64");
        assert_eq!(entries[1]["digest"], build.images[1].digest().as_str());
        assert_eq!(entries[1]["size"], build.images[1].content.len());
        assert_eq!(entries[2]["platform"]["os"], "unknown");
        assert_eq!(
            entries[2]["digest"],
            build.attestations[0].digest().as_str()
        );
        assert_eq!(
            entries[2]["annotations"][REFERENCE_TYPE_ANNOTATION],
            "attestation-manifest"
        );
        assert_eq!(
            entries[2]["annotations"][REFERENCE_DIGEST_ANNOTATION],
            build.images[0].digest().as_str()
        );
        assert_eq!(build.children().count(), 4);
    }

    #[test]
    fn signatures_and_referrers_point_at_their_subject() {
        let image = ManifestSeed::image("app").build();
        let digest = image.digest();
        let tag = cosign_tag(&digest, "sig");
        assert_eq!(tag, format!("sha256-{}.sig", &digest["sha256:".len()..]));
        let signature = ManifestSeed::cosign_signature(&digest);
        assert_eq!(json(&signature)["layers"][0]["mediaType"], COSIGN_SIGNATURE);

        let referrer = ManifestSeed::image("app signature")
            .artifact_type(media_type::COSIGN_SIGNATURE_ARTIFACT)
            .subject(&image)
            .build();
        let body = json(&referrer);
        assert_eq!(body["subject"]["digest"], digest.as_str());
        assert_eq!(body["subject"]["mediaType"], OCI_MANIFEST);
        assert_eq!(body["artifactType"], media_type::COSIGN_SIGNATURE_ARTIFACT);
    }

    #[test]
    fn the_digest_covers_the_exact_bytes() {
        // sha256 of the two bytes `{}`.
        assert_eq!(
            ManifestSeed::new(OCI_MANIFEST, "{}").digest(),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }
}
