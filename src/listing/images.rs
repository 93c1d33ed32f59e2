//! Asking the registry which versions of a container package belong together (I/O), and
//! checking afterwards that every remaining image is whole.
//!
//! Only the manifests that can tell something are read, each at most once: the tagged versions
//! first (a multi-arch index lists its platform and attestation manifests, which then need no
//! reading), nested indexes they list, then the untagged versions no index accounted for (an
//! untagged index left behind when its tag moved still holds its platforms together).
//! Versions named by a cosign-style tag (`sha256-<hex>.sig`) are known from the tag alone.

use std::collections::{HashMap, HashSet};

use futures::StreamExt;

use crate::model::PackageListing;
use crate::model::PackageVersion;
use crate::plan::{ChildFacts, Images, ManifestFacts, tag_subject};
use crate::registry::{Digest, Manifest, RegistryClient, RegistryError};

/// How many manifests are read at once.
const MANIFESTS_AT_ONCE: usize = 8;

/// What the registry says about one package's versions, or why it could not say.
pub async fn read(registry: &RegistryClient, repository: &str, listing: &PackageListing) -> Images {
    match read_facts(registry, repository, &listing.versions).await {
        Ok(facts) => Images::Read(facts),
        Err(err) => Images::Unreadable(err.to_string()),
    }
}

async fn read_facts(
    registry: &RegistryClient,
    repository: &str,
    versions: &[PackageVersion],
) -> Result<HashMap<Digest, ManifestFacts>, RegistryError> {
    let mut facts: HashMap<Digest, ManifestFacts> = HashMap::new();
    let mut accounted: HashSet<String> = HashSet::new();

    let named_by_tag = |v: &PackageVersion| {
        v.tags().is_tagged() && v.tags().iter().all(|t| tag_subject(t).is_some())
    };
    // Tagged images (and versions whose tags GitHub did not give: they may be tagged indexes),
    // then whatever their indexes list that is itself an index.
    let mut wave: Vec<String> = versions
        .iter()
        .filter(|v| !v.tags().is_untagged() && !named_by_tag(v))
        .map(|v| v.name.clone())
        .collect();
    while !wave.is_empty() {
        let nested = read_wave(registry, repository, &wave, &mut facts, &mut accounted).await?;
        wave = nested;
    }
    // Untagged versions no index listed, newest first (GitHub lists newest first): an untagged
    // index found here accounts for its children before they are read.
    let untagged: Vec<String> = versions
        .iter()
        .filter(|v| v.tags().is_untagged())
        .map(|v| v.name.clone())
        .collect();
    for chunk in untagged.chunks(MANIFESTS_AT_ONCE) {
        let unread: Vec<String> = chunk
            .iter()
            .filter(|digest| !accounted.contains(*digest) && !facts.contains_key(digest.as_str()))
            .cloned()
            .collect();
        let mut wave = unread;
        while !wave.is_empty() {
            wave = read_wave(registry, repository, &wave, &mut facts, &mut accounted).await?;
        }
    }
    Ok(facts)
}

/// Reads the manifests of `digests` at once; returns the nested indexes they list that are not
/// read yet.
async fn read_wave(
    registry: &RegistryClient,
    repository: &str,
    digests: &[String],
    facts: &mut HashMap<Digest, ManifestFacts>,
    accounted: &mut HashSet<String>,
) -> Result<Vec<String>, RegistryError> {
    let manifests: Vec<Result<Manifest, RegistryError>> = futures::stream::iter(digests)
        .map(|digest| registry.manifest(repository, digest))
        .buffer_unordered(MANIFESTS_AT_ONCE)
        .collect()
        .await;
    let mut nested = Vec::new();
    for manifest in manifests {
        let manifest = manifest?;
        for child in manifest.children() {
            accounted.insert(child.digest.as_str().to_string());
            if child.media_type.contains("index") || child.media_type.contains("manifest.list") {
                nested.push(child.digest.as_str().to_string());
            }
        }
        facts.insert(manifest.digest.clone(), facts_of(&manifest));
    }
    nested.retain(|digest| !facts.contains_key(digest.as_str()));
    nested.sort();
    nested.dedup();
    Ok(nested)
}

/// The registry's manifest, reduced to what the policy needs.
pub fn facts_of(manifest: &Manifest) -> ManifestFacts {
    ManifestFacts {
        children: manifest
            .children()
            .iter()
            .map(|child| ChildFacts {
                digest: child.digest.clone(),
                platform: child.platform.as_ref().map(|p| p.to_string()),
                attestation: child.attestation_of.is_some(),
            })
            .collect(),
        subject: manifest.subject.clone(),
    }
}

/// A tagged image that lists a manifest the registry no longer has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenImage {
    pub package: String,
    /// Its tags as reports show them (`v1, latest`, or `(tags unknown)`).
    pub tags: String,
    pub digest: String,
    /// The missing children: digest and platform (if any).
    pub missing: Vec<(String, Option<String>)>,
}

/// Checks every tagged image of a package (and every version whose tags GitHub did not give):
/// each manifest an index lists must still be served.
pub async fn validate(
    registry: &RegistryClient,
    repository: &str,
    listing: &PackageListing,
) -> Result<Vec<BrokenImage>, RegistryError> {
    let mut broken = Vec::new();
    for version in listing.versions.iter().filter(|v| !v.tags().is_untagged()) {
        if version.tags().is_tagged() && version.tags().iter().all(|t| tag_subject(t).is_some()) {
            continue;
        }
        let manifest = registry.manifest(repository, &version.name).await?;
        let children: Vec<_> = manifest.children().to_vec();
        let checks: Vec<(String, Option<String>, Result<Manifest, RegistryError>)> =
            futures::stream::iter(children)
                .map(|child| async move {
                    let result = registry.manifest(repository, child.digest.as_str()).await;
                    (
                        child.digest.as_str().to_string(),
                        child.platform.as_ref().map(|p| p.to_string()),
                        result,
                    )
                })
                .buffer_unordered(MANIFESTS_AT_ONCE)
                .collect()
                .await;
        let mut missing = Vec::new();
        for (digest, platform, result) in checks {
            match result {
                Ok(_) => {}
                Err(err) if err.status() == Some(404) => missing.push((digest, platform)),
                Err(err) => return Err(err),
            }
        }
        if !missing.is_empty() {
            missing.sort();
            broken.push(BrokenImage {
                package: listing.package.name.clone(),
                tags: version.tags().render(),
                digest: version.name.clone(),
                missing,
            });
        }
    }
    Ok(broken)
}
