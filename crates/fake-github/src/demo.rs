//! The demo data set behind `package-warden demo` and `fake-github --seed demo`: an organisation
//! and a user with the kinds of package history a retention policy meets in practice ([`seed`]),
//! and the [`TOKEN`] that opens it. Everything is derived from fixed dates, so every run (and
//! every digest) is the same.
//!
//! ```
//! use fake_github::{FakeGitHub, demo};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> anyhow::Result<()> {
//! let github = FakeGitHub::start(demo::seed()).await?;
//! let url = format!("{}/orgs/acme-corp/packages?package_type=container", github.base_url());
//! let response = reqwest::Client::new()
//!     .get(&url)
//!     .bearer_auth(demo::TOKEN)
//!     .header("user-agent", "doc-test")
//!     .send()
//!     .await?;
//! assert_eq!(response.status(), 200);
//! # Ok(())
//! # }
//! ```
//!
//! Container versions carry real manifests, named by the sha256 of their bytes, laid out the way
//! `docker buildx` and `cosign` push them to ghcr.io: for each multi-arch release a tagged OCI
//! index whose children (one manifest per platform, one attestation manifest per platform) are
//! untagged versions of their own, and cosign signatures as tags `sha256-<index hex>.sig`.

use chrono::{DateTime, TimeDelta, Utc};

use crate::manifest::{Descriptor, ManifestSeed, MultiArchImage, Platform, cosign_tag, media_type};
use crate::model::{OwnerKind, OwnerSeed, PackageSeed, PackageType, Seed, VersionSeed, Visibility};

/// The token the demo accepts, authenticating as `octo-dev`.
pub const TOKEN: &str = "demo-token";

/// "Today" in the demo: 2026-11-01T12:00:00Z. Every timestamp is some time before it.
const DEMO_NOW: DateTime<Utc> =
    DateTime::from_timestamp(1_793_534_400, 0).expect("2026 is in range");

const ORG: &str = "acme-corp";
const USER: &str = "octo-dev";

/// The config media type of a BuildKit cache export.
const BUILDKIT_CACHE_CONFIG: &str = "application/vnd.buildkit.cacheconfig.v0";

/// A release of `acme-corp/api`: a multi-arch image pushed by buildx.
struct Release {
    tag: &'static str,
    days_ago: i64,
    /// Whether cosign signed it (a `sha256-<hex>.sig` tag on its own version).
    signed: bool,
}

const API_RELEASES: [Release; 6] = [
    Release {
        tag: "v1.0.0",
        days_ago: 290,
        signed: true,
    },
    Release {
        tag: "v1.1.0",
        days_ago: 210,
        signed: true,
    },
    Release {
        tag: "v1.1.1",
        days_ago: 180,
        signed: false,
    },
    Release {
        tag: "v1.2.0",
        days_ago: 120,
        signed: true,
    },
    Release {
        tag: "v1.3.0",
        days_ago: 40,
        signed: true,
    },
    Release {
        tag: "v1.4.0-rc.1",
        days_ago: 5,
        signed: false,
    },
];

/// Single-arch images pushed by an old pipeline, untagged since: (days ago, build number).
const API_ORPHANS: [(i64, u32); 4] = [(340, 101), (331, 117), (322, 124), (250, 163)];

/// The architectures every `acme-corp/api` release is built for (on Linux).
const ARCHITECTURES: [&str; 2] = ["amd64", "arm64"];

/// `acme-corp/api/build-cache`: one cache export every 14 hours. Enough to have piled up, and few
/// enough that the demo's prune of it (and the undo) stays within one minute's 900 points of
/// requests (180 deletions or restores at 5 points each): at GitHub's real pacing the demo then
/// runs in seconds, where 300 versions made it wait two minutes for the points to come back.
const BUILD_CACHE_VERSIONS: i64 = 100;
const BUILD_CACHE_EVERY_HOURS: i64 = 14;

/// `acme-corp` npm package `web-sdk`: (version, days ago).
const WEB_SDK_RELEASES: [(&str, i64); 10] = [
    ("2.0.0", 400),
    ("2.0.1", 381),
    ("2.1.0", 302),
    ("2.1.1", 287),
    ("2.2.0", 203),
    ("2.3.0", 118),
    ("2.3.1", 92),
    ("2.4.0-beta.1", 30),
    ("2.4.0-beta.2", 14),
    ("3.0.0-alpha.1", 3),
];

/// `acme-corp` maven package `com.acme.billing`: (version, days ago, deleted days ago).
const BILLING_RELEASES: [(&str, i64, Option<i64>); 5] = [
    ("1.0.0", 500, None),
    ("1.1.0", 402, None),
    ("1.2.0", 251, None),
    // A broken release, deleted ten days after it shipped.
    ("1.2.1", 240, Some(230)),
    ("1.3.0", 61, None),
];

/// `octo-dev` container package `dotfiles`: (tags, days ago).
const DOTFILES_BUILDS: [(&[&str], i64); 5] = [
    (&[], 100),
    (&["2026.08"], 90),
    (&[], 60),
    (&[], 25),
    (&["2026.10", "latest"], 20),
];

/// The demo data set:
///
/// - organisation `acme-corp` with the container `api` (multi-arch releases `v1.0.0` to
///   `v1.3.0` with `latest`, a `v1.4.0-rc.1` pre-release, cosign signatures and orphaned
///   untagged images), the container `api/build-cache` (100 untagged cache versions, `buildcache`
///   on the newest), the npm package `web-sdk` (2.0.0 to 2.3.1 plus pre-releases) and the maven
///   package `com.acme.billing` (one version already deleted);
/// - user `octo-dev` with the container `dotfiles`, and the token [`TOKEN`] for it.
pub fn seed() -> Seed {
    Seed::default()
        .with_owner(OwnerSeed::new(ORG, OwnerKind::Organization).name("Acme Corp"))
        .with_owner(OwnerSeed::new(USER, OwnerKind::User).name("Octo Dev"))
        .with_token(TOKEN, USER)
        .with_package(api())
        .with_package(build_cache())
        .with_package(web_sdk())
        .with_package(billing())
        .with_package(dotfiles())
}

fn api() -> PackageSeed {
    let mut package = PackageSeed::new(ORG, PackageType::Container, "api")
        .visibility(Visibility::Public)
        .repository("api");
    for (days_ago, build) in API_ORPHANS {
        let image = ManifestSeed::docker_image(&format!("api build {build}"))
            .layers(3)
            .build();
        package = package.version(VersionSeed::from_manifest(image).created_at(days(days_ago)));
    }

    let newest_stable = API_RELEASES
        .iter()
        .rev()
        .find(|release| !release.tag.contains('-'))
        .map(|release| release.tag);
    let platforms = ARCHITECTURES.map(Platform::linux);
    for release in &API_RELEASES {
        let pushed = days(release.days_ago);
        let build = MultiArchImage::new(&format!("api {}", release.tag), &platforms, 4);
        // buildx pushes the children first and the index that names them last.
        for (offset, child) in (0..).zip(build.children()) {
            package = package.version(
                VersionSeed::from_manifest(child.clone()).created_at(pushed + seconds(offset)),
            );
        }
        let mut tags = vec![release.tag];
        if Some(release.tag) == newest_stable {
            tags.push("latest");
        }
        let index_digest = build.index.digest();
        package = package.version(
            VersionSeed::from_manifest(build.index)
                .tags(tags)
                .created_at(pushed + seconds(10)),
        );
        if release.signed {
            package = package.version(
                VersionSeed::from_manifest(ManifestSeed::cosign_signature(&index_digest))
                    .tags([cosign_tag(&index_digest, "sig")])
                    .created_at(pushed + seconds(120)),
            );
        }
    }
    package
}

fn build_cache() -> PackageSeed {
    let versions = (0..BUILD_CACHE_VERSIONS).map(|n| {
        let hours_ago = (BUILD_CACHE_VERSIONS - n) * BUILD_CACHE_EVERY_HOURS;
        let cache = cache_export(n);
        let version =
            VersionSeed::from_manifest(cache).created_at(DEMO_NOW - TimeDelta::hours(hours_ago));
        if n == BUILD_CACHE_VERSIONS - 1 {
            version.tags(["buildcache"])
        } else {
            version
        }
    });
    PackageSeed::new(ORG, PackageType::Container, "api/build-cache")
        .repository("api")
        .versions(versions)
}

fn web_sdk() -> PackageSeed {
    PackageSeed::new(ORG, PackageType::Npm, "web-sdk")
        .visibility(Visibility::Public)
        .repository("web-sdk")
        .versions(
            WEB_SDK_RELEASES
                .iter()
                .map(|&(version, days_ago)| VersionSeed::new(version).created_at(days(days_ago))),
        )
}

fn billing() -> PackageSeed {
    PackageSeed::new(ORG, PackageType::Maven, "com.acme.billing")
        .repository("billing-service")
        .versions(
            BILLING_RELEASES
                .iter()
                .map(|&(version, days_ago, deleted)| {
                    let seeded = VersionSeed::new(version).created_at(days(days_ago));
                    match deleted {
                        Some(deleted_days_ago) => seeded.deleted_at(days(deleted_days_ago)),
                        None => seeded,
                    }
                }),
        )
}

fn dotfiles() -> PackageSeed {
    PackageSeed::new(USER, PackageType::Container, "dotfiles")
        .visibility(Visibility::Public)
        .repository("dotfiles")
        .versions(DOTFILES_BUILDS.iter().map(|&(tags, days_ago)| {
            let image = ManifestSeed::image(&format!("dotfiles {days_ago}"))
                .layers(2)
                .build();
            VersionSeed::from_manifest(image)
                .tags(tags.iter().copied())
                .created_at(days(days_ago))
        }))
}

/// The `n`th build-cache export (`type=registry,mode=max`): a manifest whose config is BuildKit's
/// cache description.
fn cache_export(n: i64) -> ManifestSeed {
    let label = format!("cache {n}");
    let config = Descriptor::blob(BUILDKIT_CACHE_CONFIG, &format!("{label} config"), 2_190);
    let mut export = ManifestSeed::image(&label).config(config);
    for layer in 0..3 {
        let blob = format!("{label} layer {layer}");
        export = export.layer(Descriptor::blob(media_type::OCI_LAYER, &blob, 12_000_000));
    }
    export.build()
}

fn days(days_ago: i64) -> DateTime<Utc> {
    DEMO_NOW - TimeDelta::hours(24 * days_ago)
}

fn seconds(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn the_demo_seed_is_valid_and_deterministic() {
        assert_eq!(seed(), seed());
        let state = Store::from_seed(seed()).expect("valid seed").snapshot();
        let api = state
            .package(ORG, PackageType::Container, "api")
            .expect("seeded");
        // 4 orphans, then 6 releases of 5 manifests each, 4 of them signed.
        assert_eq!(api.versions.len(), 4 + 6 * 5 + 4);
        let tagged: Vec<&str> = api
            .versions
            .iter()
            .flat_map(|v| v.tags.iter().map(String::as_str))
            .filter(|tag| !tag.starts_with("sha256-"))
            .collect();
        assert_eq!(
            tagged,
            [
                "v1.0.0",
                "v1.1.0",
                "v1.1.1",
                "v1.2.0",
                "v1.3.0",
                "latest",
                "v1.4.0-rc.1"
            ]
        );
        let cache = state
            .package(ORG, PackageType::Container, "api/build-cache")
            .expect("seeded");
        assert_eq!(cache.versions.len(), 100);
        let billing = state
            .package(ORG, PackageType::Maven, "com.acme.billing")
            .expect("seeded");
        assert_eq!(billing.active_versions().count(), 4);
    }

    #[test]
    fn the_demo_seed_survives_a_json_round_trip() {
        let json = serde_json::to_string(&seed()).expect("serialisable");
        assert_eq!(Seed::from_json(&json).expect("loadable"), seed());
    }

    #[test]
    fn signatures_name_the_index_they_sign() {
        let api = api();
        let index = api
            .versions
            .iter()
            .find(|v| v.tags.iter().any(|t| t == "v1.0.0"))
            .expect("v1.0.0 is tagged");
        let signature_tag = cosign_tag(&index.name, "sig");
        assert!(api.versions.iter().any(|v| v.tags.contains(&signature_tag)));
        let manifest = index.manifest.as_ref().expect("a manifest");
        assert_eq!(manifest.media_type, media_type::OCI_INDEX);
        let body: serde_json::Value = serde_json::from_str(&manifest.content).expect("JSON");
        let children = body["manifests"]
            .as_array()
            .expect("an index lists manifests");
        assert_eq!(children.len(), 4);
        assert_eq!(children[2]["platform"]["os"], "unknown");
        assert_eq!(
            children[2]["annotations"]["vnd.docker.reference.digest"],
            children[0]["digest"]
        );
    }
}
