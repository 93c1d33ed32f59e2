//! An OCI image layout on disk, for pushing manifests built with [`ManifestSeed`]'s builders to a
//! real registry (`skopeo copy oci:<dir>:<tag> docker://…`).
//!
//! The fake serves manifests without their blobs: a builder's descriptors name configs and layers
//! by the digest of a label. A real registry accepts a manifest only when every blob it names is
//! there, so a layout stores real bytes and gives their descriptors to the builders:
//!
//! ```
//! use fake_github::{ManifestSeed, OciLayout, Platform, media_type};
//!
//! # fn main() -> std::io::Result<()> {
//! # let dir = std::env::temp_dir().join(format!("oci-layout-doc-{}", std::process::id()));
//! let mut layout = OciLayout::create(&dir)?;
//! let config = layout.blob(media_type::OCI_CONFIG, br#"{"architecture":"amd64","os":"linux"}"#)?;
//! let layer = layout.blob("application/vnd.oci.image.layer.v1.tar", b"a root filesystem")?;
//! let image = ManifestSeed::image("app").config(config).layer(layer).build();
//! let index = ManifestSeed::index().platform(Platform::linux("amd64"), &image).build();
//! layout.manifest(&image)?;
//! layout.tag(&index, "v1")?;
//! assert!(dir.join("blobs/sha256").join(&index.digest()["sha256:".len()..]).is_file());
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::manifest::{Descriptor, ManifestSeed, sha256_digest};

/// The annotation that names a manifest in a layout's `index.json`: the tag `oci:<dir>:<tag>`
/// refers to.
const REF_NAME_ANNOTATION: &str = "org.opencontainers.image.ref.name";

/// An OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`) being written.
#[derive(Debug)]
pub struct OciLayout {
    dir: PathBuf,
    /// The tagged manifests `index.json` lists.
    refs: Vec<Descriptor>,
}

impl OciLayout {
    /// Starts an empty layout in `dir` (created if missing).
    ///
    /// # Errors
    /// If the directory or its first files cannot be written.
    pub fn create(dir: impl Into<PathBuf>) -> io::Result<OciLayout> {
        let dir = dir.into();
        fs::create_dir_all(dir.join("blobs/sha256"))?;
        fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#)?;
        let layout = OciLayout {
            dir,
            refs: Vec::new(),
        };
        layout.write_index()?;
        Ok(layout)
    }

    /// Stores `bytes` as a blob and returns its descriptor, for a builder's `config` or `layer`.
    ///
    /// # Errors
    /// If the blob cannot be written.
    pub fn blob(&self, media_type: &str, bytes: &[u8]) -> io::Result<Descriptor> {
        let digest = sha256_digest(bytes);
        let hex = digest.trim_start_matches("sha256:");
        fs::write(self.dir.join("blobs/sha256").join(hex), bytes)?;
        Ok(Descriptor::new(media_type, digest, bytes.len()))
    }

    /// Stores a manifest (registries keep manifests as blobs too), e.g. each one an index names.
    ///
    /// # Errors
    /// If the blob cannot be written.
    pub fn manifest(&self, manifest: &ManifestSeed) -> io::Result<Descriptor> {
        self.blob(&manifest.media_type, manifest.content.as_bytes())
    }

    /// Stores a manifest and names it `tag` in `index.json`. The manifests it names must be
    /// stored with [`OciLayout::manifest`] as well.
    ///
    /// # Errors
    /// If the blob or `index.json` cannot be written.
    pub fn tag(&mut self, manifest: &ManifestSeed, tag: &str) -> io::Result<()> {
        let descriptor = self
            .manifest(manifest)?
            .annotation(REF_NAME_ANNOTATION, tag);
        self.refs.push(descriptor);
        self.write_index()
    }

    /// The layout's directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn write_index(&self) -> io::Result<()> {
        let index = serde_json::json!({ "schemaVersion": 2, "manifests": self.refs });
        fs::write(self.dir.join("index.json"), index.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::media_type::OCI_CONFIG;

    #[test]
    fn blobs_are_named_by_their_digest_and_tags_listed_in_the_index() {
        let dir = std::env::temp_dir().join(format!("oci-layout-test-{}", std::process::id()));
        let mut layout = OciLayout::create(&dir).expect("a layout");
        let config = layout.blob(OCI_CONFIG, b"{}").expect("a blob");
        assert_eq!(config.size, 2);
        let image = ManifestSeed::image("x").config(config.clone()).build();
        layout.tag(&image, "v1").expect("tagged");

        let stored = fs::read(dir.join("blobs/sha256").join(&config.digest[7..])).expect("stored");
        assert_eq!(stored, b"{}");
        let index: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join("index.json")).expect("an index"))
                .expect("JSON");
        assert_eq!(index["manifests"][0]["digest"], image.digest());
        assert_eq!(
            index["manifests"][0]["annotations"][REF_NAME_ANNOTATION],
            "v1"
        );
        fs::remove_dir_all(&dir).expect("cleaned up");
    }
}
