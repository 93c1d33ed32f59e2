//! What a run does when the world does not go as planned: a deletion that fails halfway through
//! an image, a push that lands between the listing and the deletion. The promise: nothing the
//! plan keeps is lost, and no image is left resolving while its parts are gone.

use fake_github::{
    FakeGitHub, ManifestSeed, MultiArchImage, PackageSeed, PackageType, Platform, PushTrigger,
    Seed, VersionSeed,
};

mod common;
use common::{Run, TOKEN, days_ago, run_on_acme};

fn prune(fake: &FakeGitHub, inputs: &[(&str, &str)]) -> Run {
    run_on_acme(fake, "prune", inputs)
}

fn seed(package: PackageSeed) -> Seed {
    Seed::default()
        .with_org("acme")
        .with_user("acme-bot")
        .with_token(TOKEN, "acme-bot")
        .with_package(package)
}

/// `app`: `pr-0`, a multi-arch index (two platforms, two attestations) whose own DELETE fails
/// with `status`, and `main`, a multi-arch image that stays.
fn failing_index(status: u16) -> (Seed, MultiArchImage) {
    let platforms = [Platform::linux("amd64"), Platform::linux("arm64")];
    let pr = MultiArchImage::new("app pr-0", &platforms, 1);
    let main = MultiArchImage::new("app main", &platforms, 1);
    let mut package = PackageSeed::new("acme", PackageType::Container, "app");
    for (image, tag, days, fails) in [(&main, "main", 0, None), (&pr, "pr-0", 3, Some(status))] {
        package = package.versions(
            image
                .children()
                .cloned()
                .map(|m| VersionSeed::from_manifest(m).created_at(days_ago(days))),
        );
        let mut index = VersionSeed::from_manifest(image.index.clone())
            .tags([tag])
            .created_at(days_ago(days));
        if let Some(status) = fails {
            index = index.delete_fails(status);
        }
        package = package.version(index);
    }
    (seed(package), pr)
}

fn active_names(fake: &FakeGitHub) -> Vec<String> {
    let mut names: Vec<String> = fake
        .state()
        .packages
        .iter()
        .flat_map(|p| p.active_versions())
        .map(|v| v.name.clone())
        .collect();
    names.sort();
    names
}

#[test]
fn an_image_whose_deletion_fails_keeps_all_its_parts() {
    for status in [500, 422, 404] {
        let (seed, _) = failing_index(status);
        let fake = FakeGitHub::spawn(seed).unwrap();
        let before = active_names(&fake);
        let run = prune(&fake, &[("packages", "app"), ("tags", "pr-*")]);
        assert!(
            !run.success(),
            "{status}: the run reports the failure: {run:?}"
        );
        // Not one manifest of pr-0 went: it still resolves, and still pulls.
        assert_eq!(active_names(&fake), before, "{status}: {run:?}");
        // Its parts were never sent.
        let sent: std::collections::BTreeSet<String> = fake
            .requests()
            .into_iter()
            .filter(|r| r.method == "DELETE")
            .map(|r| r.path)
            .collect();
        assert_eq!(sent.len(), 1, "{status}: only the index was sent: {sent:?}");
        let failed = run.json("failed");
        let failed = failed.as_array().unwrap();
        assert_eq!(
            failed.len(),
            5,
            "{status}: the index and its 4 parts: {failed:?}"
        );
        let kept_parts: Vec<_> = failed
            .iter()
            .filter(|v| {
                v["error"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("kept: its image pr-0 could not be deleted")
            })
            .collect();
        assert_eq!(kept_parts.len(), 4, "{status}: {failed:?}");
        assert_eq!(run.outputs["deleted-count"], "0", "{status}");
    }
}

#[test]
fn a_part_goes_only_after_its_image() {
    let (seed, pr) = failing_index(500);
    // The same image, but now the index deletes and one platform's deletion fails.
    let mut seed = seed;
    for package in &mut seed.packages {
        for version in &mut package.versions {
            if version.name == pr.index.digest() {
                version.delete_fails = None;
            } else if version.name == pr.images[0].digest() {
                version.delete_fails = Some(500);
            }
        }
    }
    let fake = FakeGitHub::spawn(seed).unwrap();
    let run = prune(&fake, &[("packages", "app"), ("tags", "pr-*")]);
    assert!(!run.success(), "{run:?}");
    let mut deletions: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.path)
        .collect();
    // A 500 is retried: keep each path's first request.
    let mut seen = std::collections::HashSet::new();
    deletions.retain(|path| seen.insert(path.clone()));
    assert_eq!(deletions.len(), 5, "{deletions:?}");
    let index_id = fake
        .state()
        .packages
        .iter()
        .flat_map(|p| &p.versions)
        .find(|v| v.name == pr.index.digest())
        .map(|v| v.id)
        .unwrap();
    assert!(
        deletions[0].ends_with(&format!("/versions/{index_id}")),
        "the index goes first: {deletions:?}"
    );
    // A part that failed on its own is an ordinary failure: the index is gone, 3 parts too.
    assert_eq!(run.outputs["deleted-count"], "4", "{run:?}");
    assert_eq!(run.outputs["failed-count"], "1", "{run:?}");
}

#[test]
fn a_version_pushed_after_the_listing_survives_delete_package_when_empty() {
    let package = PackageSeed::new("acme", PackageType::Container, "app")
        .version(
            VersionSeed::from_manifest(ManifestSeed::image("old build").build())
                .id(1)
                .created_at(days_ago(40)),
        )
        .version(
            VersionSeed::from_manifest(ManifestSeed::image("older build").build())
                .id(2)
                .created_at(days_ago(50)),
        )
        .late_push(
            VersionSeed::from_manifest(ManifestSeed::image("fresh build").build())
                .id(3)
                .tags(["latest"]),
            PushTrigger::AfterListing,
        );
    let fake = FakeGitHub::spawn(seed(package)).unwrap();
    let run = prune(
        &fake,
        &[
            ("packages", "app"),
            ("untagged", "true"),
            ("delete-package-when-empty", "true"),
        ],
    );
    assert!(run.success(), "{run:?}");
    let state = fake.state();
    let app = &state.packages[0];
    assert!(!app.is_deleted(), "the package with the new push stays");
    assert!(
        app.version(3).unwrap().deleted_at.is_none(),
        "the push stays"
    );
    assert!(app.version(1).unwrap().deleted_at.is_some());
    assert!(app.version(2).unwrap().deleted_at.is_some());
    assert_eq!(run.ids("deleted"), [1, 2]);
    assert!(
        fake.requests()
            .iter()
            .all(|r| !(r.method == "DELETE" && r.path.ends_with("/packages/container/app"))),
        "no DELETE of the whole package"
    );
    let warning = "was not deleted as a whole package: 1 version(s) arrived after it was listed";
    assert!(run.stdout.contains(warning), "{}", run.stdout);
    assert!(run.summary.contains(warning), "{}", run.summary);
}

#[test]
fn a_package_unchanged_since_its_listing_is_deleted_whole() {
    let package = PackageSeed::new("acme", PackageType::Container, "app").version(
        VersionSeed::from_manifest(ManifestSeed::image("old build").build())
            .id(1)
            .created_at(days_ago(40)),
    );
    let fake = FakeGitHub::spawn(seed(package)).unwrap();
    let run = prune(
        &fake,
        &[
            ("packages", "app"),
            ("untagged", "true"),
            ("delete-package-when-empty", "true"),
        ],
    );
    assert!(run.success(), "{run:?}");
    assert!(fake.state().packages[0].is_deleted());
    assert_eq!(run.ids("deleted"), [1]);
}
