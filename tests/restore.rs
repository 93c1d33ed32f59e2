//! `restore` end to end: the built binary against the fake GitHub, asserting on the outputs,
//! the request log and the fake's full state.

use chrono::{TimeDelta, Utc};
use fake_github::{
    FakeGitHub, ManifestSeed, MultiArchImage, PackageSeed, PackageType, Platform, Seed,
    VersionSeed, cosign_tag,
};
use package_warden::model::Timestamp;

mod common;
use common::{acme, run_on_acme};

fn ago(hours: i64) -> Timestamp {
    Utc::now() - TimeDelta::hours(hours)
}

fn image(id: u64, tags: &[&str], deleted_hours_ago: Option<i64>) -> VersionSeed {
    let version = VersionSeed::new(format!("sha256:{id:064x}"))
        .id(id)
        .tags(tags.iter().copied())
        .created_at(ago(24 * 100 - id as i64));
    match deleted_hours_ago {
        Some(hours) => version.deleted_at(ago(hours)),
        None => version,
    }
}

/// acme's container `api`: active v2 (1) and untagged (2); deleted: v1.4.2 (3, 2h ago),
/// untagged (4, 3h ago), v1.4.1 (5, 3 days ago). npm `web`: 1.0.0 (11), 1.1.0 (12), 2.0.0 (13).
fn seed() -> Seed {
    acme()
        .with_package(
            PackageSeed::new("acme", PackageType::Container, "api")
                .version(image(1, &["v2"], None))
                .version(image(2, &[], None))
                .version(image(3, &["v1.4.2"], Some(2)))
                .version(image(4, &[], Some(3)))
                .version(image(5, &["v1.4.1"], Some(72))),
        )
        .with_package(
            PackageSeed::new("acme", PackageType::Npm, "web")
                .version(VersionSeed::new("1.0.0").id(11).created_at(ago(300)))
                .version(VersionSeed::new("1.1.0").id(12).created_at(ago(200)))
                .version(VersionSeed::new("2.0.0").id(13).created_at(ago(100))),
        )
}

fn active_ids(fake: &FakeGitHub, package_type: PackageType, name: &str) -> Vec<u64> {
    let state = fake.state();
    let package = state
        .package("acme", package_type, name)
        .expect("the package");
    let mut ids: Vec<u64> = package.active_versions().map(|v| v.id).collect();
    ids.sort_unstable();
    ids
}

fn posts(fake: &FakeGitHub) -> Vec<String> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "POST" || r.method == "DELETE")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn restores_by_tag_by_id_and_by_time() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let by_tag = run_on_acme(&fake, "restore", &[("packages", "api"), ("tags", "v1.4.2")]);
    assert!(by_tag.success(), "{by_tag:?}");
    assert_eq!(by_tag.ids("restored"), [3]);
    assert_eq!(by_tag.outputs["restored-count"], "1");
    assert_eq!(by_tag.outputs["failed-count"], "0");
    assert_eq!(active_ids(&fake, PackageType::Container, "api"), [1, 2, 3]);
    // These images have no manifest in the registry, so their parts cannot be looked up.
    assert!(
        by_tag
            .stdout
            .contains("::warning::Could not read the manifest of sha256:"),
        "{}",
        by_tag.stdout
    );

    let by_id = run_on_acme(
        &fake,
        "restore",
        &[("packages", "api"), ("version-ids", "5")],
    );
    assert!(by_id.success(), "{by_id:?}");
    assert_eq!(by_id.ids("restored"), [5]);

    let fake = FakeGitHub::spawn(seed()).unwrap();
    let recent = run_on_acme(
        &fake,
        "restore",
        &[("packages", "api"), ("deleted-within", "12h")],
    );
    assert!(recent.success(), "{recent:?}");
    assert_eq!(recent.ids("restored"), [3, 4]);
    assert!(
        recent.summary.contains("deleted within 12h"),
        "{}",
        recent.summary
    );
    assert_eq!(
        active_ids(&fake, PackageType::Container, "api"),
        [1, 2, 3, 4]
    );
}

#[test]
fn undo_of_a_prune_leaves_the_fake_exactly_as_it_was() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let before = fake.state();
    let prune = run_on_acme(
        &fake,
        "prune",
        &[
            ("package-type", "npm"),
            ("packages", "web"),
            ("keep-n", "1"),
        ],
    );
    assert!(prune.success(), "{prune:?}");
    assert_eq!(prune.ids("deleted"), [11, 12]);
    assert_ne!(fake.state(), before);

    let undo = run_on_acme(
        &fake,
        "restore",
        &[("package-type", "npm"), ("undo", &prune.outputs["deleted"])],
    );
    assert!(undo.success(), "{undo:?}");
    assert_eq!(undo.ids("restored"), [11, 12]);
    assert_eq!(
        fake.state(),
        before,
        "prune then undo restores the full state"
    );

    // The same undo again races with versions already restored: reported, not an error.
    let again = run_on_acme(
        &fake,
        "restore",
        &[("package-type", "npm"), ("undo", &prune.outputs["deleted"])],
    );
    assert!(again.success(), "{again:?}");
    let statuses: Vec<String> = again
        .json("restored")
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(statuses, ["already-active", "already-active"]);
}

#[test]
fn undo_from_the_report_file_restores_a_package_deleted_whole() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let before = fake.state();
    let prune = run_on_acme(
        &fake,
        "prune",
        &[
            ("package-type", "npm"),
            ("packages", "web"),
            ("versions", "*"),
            ("delete-package-when-empty", "true"),
        ],
    );
    assert!(prune.success(), "{prune:?}");
    assert!(
        fake.state()
            .package("acme", PackageType::Npm, "web")
            .unwrap()
            .is_deleted()
    );

    let report_path = prune.outputs["report"].clone();
    let undo = run_on_acme(
        &fake,
        "restore",
        &[("package-type", "npm"), ("undo", &report_path)],
    );
    assert!(undo.success(), "{undo:?}");
    assert!(posts(&fake).contains(&"POST /orgs/acme/packages/npm/web/restore".to_string()));
    assert_eq!(undo.ids("restored"), [11, 12, 13]);
    assert_eq!(fake.state(), before);
}

#[test]
fn restore_package_brings_back_a_named_package() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let before = fake.state();
    let prune = run_on_acme(
        &fake,
        "prune",
        &[
            ("package-type", "npm"),
            ("packages", "web"),
            ("versions", "*"),
            ("delete-package-when-empty", "true"),
        ],
    );
    assert!(prune.success(), "{prune:?}");
    let restore = run_on_acme(
        &fake,
        "restore",
        &[
            ("package-type", "npm"),
            ("packages", "web"),
            ("restore-package", "true"),
        ],
    );
    assert!(restore.success(), "{restore:?}");
    assert!(
        restore.summary.contains("| web | npm | restored |"),
        "{}",
        restore.summary
    );
    assert_eq!(fake.state(), before);
}

#[test]
fn a_dry_run_restores_nothing() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let before = fake.state();
    let dry = run_on_acme(
        &fake,
        "restore",
        &[
            ("packages", "api"),
            ("deleted-within", "1d"),
            ("dry-run", "true"),
        ],
    );
    assert!(dry.success(), "{dry:?}");
    assert_eq!(dry.ids("restored"), [3, 4]);
    assert!(dry.summary.contains("restore (dry run)"), "{}", dry.summary);
    assert_eq!(posts(&fake), Vec::<String>::new());
    assert_eq!(fake.state(), before);
}

#[test]
fn versions_past_restoring_are_said_in_plain_words() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    // An undo naming a version GitHub no longer lists as deleted (past 30 days).
    let undo = r#"[{"owner":"acme","package":"api","package_type":"container","id":999,"name":"sha256:9","tags":[],"reason":"x","status":"deleted","package_deleted":false}]"#;
    let run = run_on_acme(&fake, "restore", &[("undo", undo)]);
    assert_eq!(run.code, Some(1), "{run:?}");
    let failed = run.json("failed");
    assert_eq!(failed[0]["id"], 999);
    assert!(
        failed[0]["error"]
            .as_str()
            .unwrap()
            .contains("deleted more than 30 days ago"),
        "{failed}"
    );
    assert_eq!(posts(&fake), Vec::<String>::new());
}

#[test]
fn bad_input_changes_nothing() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let before = fake.state();
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("undo", "[{\"package\": ")],
            "input `undo`: `[{\"package\":` is not accepted; expected the `deleted` output",
        ),
        (
            &[("undo", "[]"), ("tags", "v1")],
            "input `undo`: `[]` is not accepted; expected alone",
        ),
        (
            &[("packages", "api")],
            "`restore` needs a selection: set `tags`, `versions`, `version-ids`, `deleted-within`, `undo` or `restore-package`",
        ),
        (
            &[("packages", "api"), ("deleted-within", "3 fortnights")],
            "input `deleted-within`: `3 fortnights` is not accepted",
        ),
        (
            &[("packages", "api"), ("version-ids", "3, 424242")],
            "input `version-ids`: 424242 is not a version of the selected packages",
        ),
    ];
    for (inputs, expected) in cases {
        let run = run_on_acme(&fake, "restore", inputs);
        assert_eq!(run.code, Some(1), "{inputs:?}: {run:?}");
        let errors = run.errors();
        assert_eq!(errors.len(), 1, "{inputs:?}: {run:?}");
        assert!(errors[0].starts_with(expected), "{inputs:?}: {errors:?}");
    }
    assert_eq!(posts(&fake), Vec::<String>::new());
    assert_eq!(fake.state(), before);
}

#[test]
fn restoring_an_image_by_tag_brings_back_its_platforms_attestations_and_signature() {
    let platforms = [Platform::linux("amd64"), Platform::linux("arm64")];
    let v2 = MultiArchImage::new("api v2", &platforms, 1);
    let v1 = MultiArchImage::new("api v1", &platforms, 1);
    let signature = ManifestSeed::cosign_signature(&v1.index.digest());
    let seed = acme().with_package(
        PackageSeed::new("acme", PackageType::Container, "api")
            .versions(VersionSeed::multi_arch(&v2, ["v2"], ago(1)))
            .versions(VersionSeed::multi_arch(&v1, ["v1"], ago(500)))
            .version(
                VersionSeed::from_manifest(signature)
                    .tags([cosign_tag(&v1.index.digest(), "sig")])
                    .created_at(ago(500)),
            ),
    );
    let fake = FakeGitHub::spawn(seed).unwrap();
    let before = fake.state();
    let prune = run_on_acme(&fake, "prune", &[("packages", "api"), ("tags", "v1")]);
    assert!(prune.success(), "{prune:?}");
    assert_eq!(
        prune.outputs["deleted-count"], "6",
        "the index, 2 platforms, 2 attestations, the signature"
    );

    let restore = run_on_acme(&fake, "restore", &[("packages", "api"), ("tags", "v1")]);
    assert!(restore.success(), "{restore:?}");
    assert_eq!(restore.outputs["restored-count"], "6");
    assert!(
        restore
            .summary
            .contains("platform linux/arm64 of restored image v1"),
        "{}",
        restore.summary
    );
    assert!(
        restore
            .summary
            .contains("signature or attestation of restored image v1"),
        "{}",
        restore.summary
    );
    assert_eq!(fake.state(), before, "v1 is whole again");
}
