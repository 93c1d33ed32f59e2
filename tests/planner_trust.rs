//! The planner keeps what it cannot judge: versions whose tags GitHub left out, and parts of
//! images that carry tags of their own. The built binary, run as a workflow runs it, against the
//! fake GitHub; each test asserts on the fake's final state, the outputs and the summary.

use fake_github::{
    FakeGitHub, ManifestSeed, MetadataShape, MultiArchImage, PackageSeed, PackageType, Platform,
    Seed, VersionSeed,
};

mod common;
use common::{Run, TOKEN, days_ago, deleted_names, run_on_acme};

fn seed(package: PackageSeed) -> Seed {
    Seed::default()
        .with_org("acme")
        .with_user("acme-bot")
        .with_token(TOKEN, "acme-bot")
        .with_package(package)
}

fn prune(fake: &FakeGitHub, inputs: &[(&str, &str)]) -> Run {
    let mut all = vec![("packages", "app")];
    all.extend_from_slice(inputs);
    run_on_acme(fake, "prune", &all)
}

/// The versions of a multi-arch build (its platforms and attestations, then the index), `days`
/// old, the index tagged `tags` (none: untagged).
fn build(image: &MultiArchImage, tags: &[&str], days: i64) -> Vec<VersionSeed> {
    VersionSeed::multi_arch(image, tags.iter().copied(), days_ago(days))
}

/// A version's entry in the run's report file.
fn in_report(run: &Run, digest: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(&run.outputs["report"]).expect("the report file");
    let report: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    report["packages"][0]["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .find(|v| v["name"] == digest)
        .unwrap_or_else(|| panic!("{digest} in the report"))
        .clone()
}

/// The action and the deciding reason of a version, from the report file.
fn decision(run: &Run, digest: &str) -> (String, String) {
    let version = in_report(run, digest);
    let reasons = version["reasons"].as_array().expect("reasons");
    let last = reasons.last().expect("a reason");
    (
        version["action"].as_str().unwrap().to_string(),
        last["text"].as_str().unwrap().to_string(),
    )
}

fn short(digest: &str) -> String {
    format!("{}…", &digest[..19])
}

const SHAPES_WITHOUT_TAGS: [MetadataShape; 5] = [
    MetadataShape::Absent,
    MetadataShape::Null,
    MetadataShape::NoContainer,
    MetadataShape::ContainerNull,
    MetadataShape::TagsNull,
];

#[test]
fn untagged_never_deletes_an_image_whose_tags_github_left_out() {
    let platforms = [Platform::linux("amd64"), Platform::linux("arm64")];
    let v1 = MultiArchImage::new("app v1", &platforms, 2);
    let orphan = ManifestSeed::image("orphan").build();
    for shape in SHAPES_WITHOUT_TAGS {
        // `v1, latest` with its platforms, but GitHub's answer leaves the index's tags out.
        let mut versions: Vec<VersionSeed> = build(&v1, &["v1", "latest"], 30)
            .into_iter()
            .map(|v| match v.name == v1.index.digest() {
                true => v.metadata_shape(shape),
                false => v,
            })
            .collect();
        versions.push(VersionSeed::from_manifest(orphan.clone()).created_at(days_ago(90)));
        let package = PackageSeed::new("acme", PackageType::Container, "app").versions(versions);
        let fake = FakeGitHub::spawn(seed(package)).unwrap();

        let run = prune(&fake, &[("untagged", "true")]);

        assert!(run.success(), "{shape:?}: {run:?}");
        assert_eq!(deleted_names(&fake), Vec::<String>::new(), "{shape:?}");
        assert_eq!(run.outputs["deleted-count"], "0", "{shape:?}");
        assert!(
            run.stdout.lines().any(|line| line
                .starts_with("::warning::GitHub did not say which tags 1 version(s) of app carry")),
            "{shape:?}: {}",
            run.stdout
        );
        assert!(
            run.summary
                .contains("GitHub did not say which tags 1 version(s) of app carry"),
            "{shape:?}: {}",
            run.summary
        );
        assert!(
            run.summary.contains("(tags unknown)"),
            "{shape:?}: {}",
            run.summary
        );
        // The orphan is untagged, but so, as far as we were told, was v1.
        assert!(
            run.summary
                .contains("GitHub did not say which tags some versions of this package carry"),
            "{shape:?}: {}",
            run.summary
        );
        let index = in_report(&run, &v1.index.digest());
        assert_eq!(index["tags"], serde_json::Value::Null, "{shape:?}");
        assert_eq!(index["action"], "keep", "{shape:?}");
        assert_eq!(index["reasons"][0]["rule"], "tags-unknown", "{shape:?}");
    }
}

#[test]
fn only_version_ids_delete_a_version_whose_tags_are_unknown() {
    let image = ManifestSeed::image("mystery").build();
    let package = PackageSeed::new("acme", PackageType::Container, "app")
        .version(
            VersionSeed::from_manifest(image.clone())
                .id(7)
                .metadata_shape(MetadataShape::TagsNull)
                .created_at(days_ago(40)),
        )
        .version(
            VersionSeed::from_manifest(ManifestSeed::image("current").build())
                .tags(["latest"])
                .created_at(days_ago(1)),
        );
    let fake = FakeGitHub::spawn(seed(package)).unwrap();

    // `versions: *` picks every version by name, but "keep what `exclude-tags` matches" cannot
    // be judged without the tags: the version stays.
    let run = prune(
        &fake,
        &[
            ("versions", "*"),
            ("exclude-tags", "latest"),
            ("dry-run", "true"),
        ],
    );
    assert!(run.success(), "{run:?}");
    assert_eq!(run.outputs["deleted-count"], "0", "{}", run.summary);

    let run = prune(&fake, &[("version-ids", "7")]);
    assert!(run.success(), "{run:?}");
    assert_eq!(deleted_names(&fake), [image.digest()]);
}

/// app: index `pr-9` (amd64 and arm64 with their attestations); its amd64 platform manifest
/// also tagged `keep-me`.
fn pr_with_a_tagged_platform(index_tags: &[&str]) -> (Seed, MultiArchImage) {
    let platforms = [Platform::linux("amd64"), Platform::linux("arm64")];
    let pr = MultiArchImage::new("app pr-9", &platforms, 1);
    let amd64 = pr.images[0].digest();
    let versions = build(&pr, index_tags, 10).into_iter().map(|v| {
        if v.name == amd64 {
            v.tags(["keep-me"])
        } else {
            v
        }
    });
    let current = MultiArchImage::new("app main", &platforms, 1);
    let package = PackageSeed::new("acme", PackageType::Container, "app")
        .versions(versions)
        .versions(build(&current, &["main"], 0));
    (seed(package), pr)
}

#[test]
fn a_platform_with_its_own_tag_stays_when_its_index_is_deleted() {
    let (seed, pr) = pr_with_a_tagged_platform(&["pr-9"]);
    let fake = FakeGitHub::spawn(seed).unwrap();

    let run = prune(&fake, &[("tags", "pr-*")]);

    assert!(run.success(), "{run:?}");
    // The index, the arm64 platform and both attestations go; `app:keep-me` stays.
    let mut expected = vec![
        pr.index.digest(),
        pr.images[1].digest(),
        pr.attestations[0].digest(),
        pr.attestations[1].digest(),
    ];
    expected.sort();
    assert_eq!(deleted_names(&fake), expected);
    assert_eq!(
        decision(&run, &pr.images[0].digest()),
        (
            "keep".to_string(),
            "its own tag \"keep-me\" is not selected: a part keeps its own tags whatever \
             happens to its image"
                .to_string()
        )
    );
    assert!(
        run.summary.contains(&format!(
            "platform linux/arm64 of deleted index pr-9 ({})",
            short(&pr.index.digest())
        )),
        "{}",
        run.summary
    );
    // `app:keep-me` still resolves: its version is active, with its tag.
    let state = fake.state();
    let keep_me = state.packages[0]
        .versions
        .iter()
        .find(|v| v.tags.iter().any(|t| t == "keep-me"))
        .unwrap();
    assert_eq!(keep_me.deleted_at, None);
    let validate = prune(
        &fake,
        &[
            ("untagged", "true"),
            ("dry-run", "true"),
            ("validate", "true"),
        ],
    );
    assert!(validate.success(), "{validate:?}");
}

#[test]
fn a_platform_whose_own_tags_are_selected_goes_with_its_index() {
    let (seed, pr) = pr_with_a_tagged_platform(&["pr-9"]);
    let fake = FakeGitHub::spawn(seed).unwrap();

    let run = prune(&fake, &[("tags", "pr-*, keep-*")]);

    assert!(run.success(), "{run:?}");
    let mut expected: Vec<String> = pr.children().map(ManifestSeed::digest).collect();
    expected.push(pr.index.digest());
    expected.sort();
    assert_eq!(deleted_names(&fake), expected);
}

#[test]
fn untagged_never_deletes_a_tagged_platform_of_an_untagged_index() {
    // The index lost its tag (pushed again elsewhere); its amd64 platform is still `keep-me`.
    let (seed, pr) = pr_with_a_tagged_platform(&[]);
    let fake = FakeGitHub::spawn(seed).unwrap();

    let run = prune(&fake, &[("untagged", "true")]);

    assert!(run.success(), "{run:?}");
    assert!(
        !deleted_names(&fake).contains(&pr.images[0].digest()),
        "{}",
        run.summary
    );
    assert!(
        deleted_names(&fake).contains(&pr.index.digest()),
        "{}",
        run.summary
    );
    let (action, why) = decision(&run, &pr.images[0].digest());
    assert_eq!(action, "keep");
    assert!(why.starts_with("its own tag \"keep-me\""), "{why}");
}

#[test]
fn a_tagged_platform_younger_than_older_than_stays_with_a_deleted_index() {
    // The platform's own tag is selected, but `older-than` would keep it as an image: it
    // takes its own verdict, not its index's.
    let platforms = [Platform::linux("amd64")];
    let pr = MultiArchImage::new("app pr-3", &platforms, 1);
    let amd64 = pr.images[0].digest();
    let versions = build(&pr, &["pr-3"], 40).into_iter().map(|v| {
        if v.name == amd64 {
            v.tags(["pr-3-amd64"]).created_at(days_ago(2))
        } else {
            v
        }
    });
    let package = PackageSeed::new("acme", PackageType::Container, "app")
        .versions(versions)
        .version(
            VersionSeed::from_manifest(ManifestSeed::image("current").build())
                .tags(["main"])
                .created_at(days_ago(0)),
        );
    let fake = FakeGitHub::spawn(seed(package)).unwrap();

    let run = prune(&fake, &[("tags", "pr-*"), ("older-than", "30d")]);

    assert!(run.success(), "{run:?}");
    let gone = deleted_names(&fake);
    assert!(gone.contains(&pr.index.digest()), "{}", run.summary);
    assert!(!gone.contains(&amd64), "{}", run.summary);
}
