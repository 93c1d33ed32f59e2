//! `prune` end to end: the built binary, run as a workflow runs it, against the fake GitHub.
//! Each test asserts on the outputs, the summary, the fake's request log and its final state.

use fake_github::{
    FakeGitHub, ManifestSeed, MultiArchImage, PackageSeed, PackageType, Platform, Seed,
    VersionSeed, Visibility, cosign_tag,
};
use serde_json::Value;

mod common;
use common::{Run, TOKEN, acme, days_ago, deleted_ids, deleted_names, run_on_acme};

/// A single-platform image with a real manifest, so the registry can serve it.
fn image(id: u64, days: i64, tags: &[&str]) -> VersionSeed {
    VersionSeed::from_manifest(ManifestSeed::image(&format!("image {id}")).build())
        .id(id)
        .tags(tags.iter().copied())
        .created_at(days_ago(days))
}

fn release(id: u64, days: i64, name: &str) -> VersionSeed {
    VersionSeed::new(name).id(id).created_at(days_ago(days))
}

/// acme's packages:
/// - container `app`: tagged releases and untagged builds of various ages (ids 1–9);
/// - container `app-cache`: untagged cache layers (ids 21–24);
/// - container `legacy`: two old images (ids 31–32);
/// - npm `web`: releases and pre-releases (ids 41–46);
/// - npm `tiny`: two versions (ids 51–52).
fn seed() -> Seed {
    acme()
        .with_package(
            PackageSeed::new("acme", PackageType::Container, "app")
                .visibility(Visibility::Public)
                .version(image(1, 0, &["latest", "v1.3.0"]))
                .version(image(2, 1, &[]))
                .version(image(3, 10, &["v1.2.0"]))
                .version(image(4, 11, &[]))
                .version(image(5, 40, &["v1.1.0", "rc-7"]))
                .version(image(6, 41, &[]))
                .version(image(7, 90, &["v1.0.0"]))
                .version(image(8, 91, &[]))
                .version(image(9, 92, &["v1.4.0-rc.1"])),
        )
        .with_package(
            PackageSeed::new("acme", PackageType::Container, "app-cache")
                .version(image(21, 1, &["buildcache"]))
                .version(image(22, 50, &[]))
                .version(image(23, 60, &[]))
                .version(image(24, 70, &[])),
        )
        .with_package(
            PackageSeed::new("acme", PackageType::Container, "legacy")
                .version(image(31, 300, &["old"]))
                .version(image(32, 301, &[])),
        )
        .with_package(
            PackageSeed::new("acme", PackageType::Npm, "web")
                .version(release(41, 200, "2.0.0"))
                .version(release(42, 150, "2.1.0-beta.1"))
                .version(release(43, 120, "2.1.0"))
                .version(release(44, 60, "2.2.0-rc.1"))
                .version(release(45, 30, "2.2.0"))
                .version(release(46, 2, "3.0.0-alpha.1")),
        )
        .with_package(
            PackageSeed::new("acme", PackageType::Npm, "tiny")
                .version(release(51, 100, "0.1.0"))
                .version(release(52, 90, "0.2.0")),
        )
}

fn prune(fake: &FakeGitHub, inputs: &[(&str, &str)]) -> Run {
    run_on_acme(fake, "prune", inputs)
}

fn mutating_requests(fake: &FakeGitHub) -> Vec<String> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method != "GET" && r.method != "HEAD")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn reason_of(run: &Run, output: &str, id: u64) -> String {
    run.json(output)
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("version {id} in `{output}`"))["reason"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn untagged_older_than_a_month_keeping_the_two_newest_untagged() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = prune(
        &fake,
        &[
            ("packages", "app"),
            ("untagged", "true"),
            ("keep-n-untagged", "1"),
            ("older-than", "30d"),
        ],
    );
    assert!(run.success(), "{run:?}");
    // Untagged: 2 (1d), 4 (11d), 6 (41d), 8 (91d). keep-n-untagged keeps 2; older-than keeps 4.
    assert_eq!(run.ids("deleted"), [6, 8]);
    assert_eq!(deleted_ids(&fake), [6, 8]);
    assert_eq!(run.outputs["deleted-count"], "2");
    assert_eq!(run.outputs["failed-count"], "0");
    assert_eq!(run.outputs["kept-count"], "7");
    assert_eq!(run.json("failed"), Value::Array(vec![]));
    assert!(
        reason_of(&run, "deleted", 6).starts_with("delete: untagged, older than 30d (updated ")
    );
    assert!(
        run.summary.contains("**Deleted 2 version(s)**"),
        "{}",
        run.summary
    );
    assert!(
        run.summary
            .contains("among the 1 newest untagged (keep-n-untagged)"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("younger than 30d"), "{}", run.summary);
    assert!(
        run.summary.contains("<details><summary>Kept (7)</summary>"),
        "{}",
        run.summary
    );
}

#[test]
fn tag_globs_and_a_regex_with_exclusions() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = prune(
        &fake,
        &[
            ("packages", "app"),
            ("tags", "v1.*\n/^rc-[0-9]+$/"),
            ("exclude-tags", "latest, v1.0.*"),
        ],
    );
    assert!(run.success(), "{run:?}");
    // v1.* picks 1, 3, 5, 7, 9; latest protects 1, v1.0.* protects 7.
    assert_eq!(run.ids("deleted"), [3, 5, 9]);
    assert_eq!(deleted_ids(&fake), [3, 5, 9]);
    assert!(
        run.summary
            .contains("tag &quot;latest&quot; matches exclude-tags &quot;latest&quot;"),
        "{}",
        run.summary
    );
}

#[test]
fn keep_n_tagged_implies_every_tag_and_keeps_the_newest() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = prune(&fake, &[("packages", "app"), ("keep-n-tagged", "2")]);
    assert!(run.success(), "{run:?}");
    assert_eq!(run.ids("deleted"), [5, 7, 9]);
    assert!(
        run.summary
            .contains("without \\`tags\\` selects every tagged version"),
        "{}",
        run.summary
    );
}

#[test]
fn a_glob_prunes_many_packages_at_once() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = prune(
        &fake,
        &[
            ("packages", "app*, legacy, !app"),
            ("untagged", "true"),
            ("older-than", "30d"),
        ],
    );
    assert!(run.success(), "{run:?}");
    // app-cache: 22, 23, 24 untagged and old; legacy: 32. `app` is excluded.
    assert_eq!(run.ids("deleted"), [22, 23, 24, 32]);
    assert_eq!(deleted_ids(&fake), [22, 23, 24, 32]);
    let deleted = run.json("deleted");
    let packages: Vec<&str> = deleted
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["package"].as_str().unwrap())
        .collect();
    assert_eq!(packages, ["app-cache", "app-cache", "app-cache", "legacy"]);
    assert!(
        run.summary.contains("| app-cache | 3 | 1 | 0 |"),
        "{}",
        run.summary
    );
}

#[test]
fn npm_pre_releases_only() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = prune(
        &fake,
        &[
            ("package-type", "npm"),
            ("packages", "web"),
            ("versions", "*"),
            ("pre-release-only", "true"),
            ("older-than", "1w"),
        ],
    );
    assert!(run.success(), "{run:?}");
    // 42 and 44 are pre-releases older than a week; 46 is too young.
    assert_eq!(run.ids("deleted"), [42, 44]);
    assert!(reason_of(&run, "deleted", 44).contains("pre-release 2.2.0-rc.1"));
    assert!(run.summary.contains("not a pre-release"), "{}", run.summary);
}

#[test]
fn keep_n_alone_selects_every_version_of_npm_packages() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = prune(
        &fake,
        &[
            ("package-type", "npm"),
            ("packages", "web"),
            ("keep-n", "4"),
            ("older-than", "90d"),
        ],
    );
    assert!(run.success(), "{run:?}");
    // keep-n keeps 46, 45, 44, 43; of 42 and 41 both are older than 90 days.
    assert_eq!(run.ids("deleted"), [41, 42]);
}

#[test]
fn version_ids_delete_exactly_those() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = prune(
        &fake,
        &[("packages", "app, legacy"), ("version-ids", "4\n31, 999")],
    );
    assert!(run.success(), "{run:?}");
    assert_eq!(run.ids("deleted"), [4, 31]);
    assert_eq!(deleted_ids(&fake), [4, 31]);
    assert!(
        run.stdout
            .contains("::warning::version-ids 999 are not active versions"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_last_version_is_kept_unless_the_package_may_be_deleted() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = prune(
        &fake,
        &[
            ("package-type", "npm"),
            ("packages", "tiny"),
            ("versions", "*"),
        ],
    );
    assert!(run.success(), "{run:?}");
    assert_eq!(run.ids("deleted"), [51]);
    assert!(
        run.summary.contains("last version of the package"),
        "{}",
        run.summary
    );
    let tiny = fake
        .state()
        .package("acme", PackageType::Npm, "tiny")
        .unwrap()
        .clone();
    assert!(!tiny.is_deleted());
    assert_eq!(
        tiny.active_versions().map(|v| v.id).collect::<Vec<_>>(),
        [52]
    );

    let whole = prune(
        &fake,
        &[
            ("package-type", "npm"),
            ("packages", "tiny"),
            ("versions", "*"),
            ("delete-package-when-empty", "true"),
        ],
    );
    assert!(whole.success(), "{whole:?}");
    assert_eq!(whole.ids("deleted"), [52]);
    assert_eq!(whole.json("deleted")[0]["package_deleted"], true);
    assert!(
        fake.state()
            .package("acme", PackageType::Npm, "tiny")
            .unwrap()
            .is_deleted()
    );
    assert!(mutating_requests(&fake).contains(&"DELETE /orgs/acme/packages/npm/tiny".to_string()));
}

#[test]
fn a_dry_run_sends_no_delete_and_says_what_would_go() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let before = fake.state();
    let run = prune(
        &fake,
        &[
            ("packages", "app*"),
            ("untagged", "true"),
            ("dry-run", "true"),
        ],
    );
    assert!(run.success(), "{run:?}");
    assert_eq!(run.ids("deleted"), [2, 4, 6, 8, 22, 23, 24]);
    assert!(
        run.json("deleted")
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["status"] == "would-delete")
    );
    assert_eq!(mutating_requests(&fake), Vec::<String>::new());
    assert_eq!(fake.state(), before);
    assert!(run.summary.contains("prune (dry run)"), "{}", run.summary);
    assert!(
        run.summary.contains("**Would delete 7 version(s)**"),
        "{}",
        run.summary
    );
}

#[test]
fn max_deletions_refuses_a_larger_plan_before_deleting_anything() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = prune(
        &fake,
        &[
            ("packages", "app"),
            ("untagged", "true"),
            ("max-deletions", "3"),
        ],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(mutating_requests(&fake), Vec::<String>::new());
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{run:?}");
    assert!(
        errors[0].starts_with("The plan deletes 4 version(s), more than max-deletions (3)"),
        "{errors:?}"
    );
    assert_eq!(run.outputs["deleted-count"], "0");
    assert!(
        run.summary
            .contains("**Deleted nothing**: the plan deletes 4 version(s)"),
        "{}",
        run.summary
    );
    // The plan is still shown.
    assert!(
        run.summary.contains("<details><summary>Kept"),
        "{}",
        run.summary
    );

    let within = prune(
        &fake,
        &[
            ("packages", "app"),
            ("untagged", "true"),
            ("max-deletions", "4"),
        ],
    );
    assert!(within.success(), "{within:?}");
    assert_eq!(within.ids("deleted"), [2, 4, 6, 8]);
}

#[test]
fn the_report_file_explains_every_version() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = prune(
        &fake,
        &[
            ("packages", "app"),
            ("untagged", "true"),
            ("keep-n-untagged", "1"),
        ],
    );
    assert!(run.success(), "{run:?}");
    let path = &run.outputs["report"];
    assert!(
        path.starts_with(&run.temp.path().display().to_string()),
        "under RUNNER_TEMP: {path}"
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(report["command"], "prune");
    assert_eq!(report["dry_run"], false);
    let versions = report["packages"][0]["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 9);
    for version in versions {
        assert!(
            !version["reasons"].as_array().unwrap().is_empty(),
            "{version}"
        );
        match version["action"].as_str().unwrap() {
            "delete" => assert_eq!(version["result"], "deleted", "{version}"),
            "keep" => assert!(version.get("result").is_none(), "{version}"),
            other => panic!("action {other}"),
        }
    }
    let kept_newest = versions.iter().find(|v| v["id"] == 2).unwrap();
    assert_eq!(kept_newest["reasons"][1]["rule"], "keep-n-untagged");
}

#[test]
fn bad_policy_inputs_fail_before_any_request() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("untagged", "true"), ("older-than", "30 parsecs")],
            "input `older-than`: `30 parsecs` is not accepted",
        ),
        (
            &[("untagged", "true"), ("older-than", "6M")],
            "input `older-than`: `6M` is not accepted",
        ),
        (
            &[("keep-n", "-1")],
            "input `keep-n`: `-1` is not accepted; expected a whole number, 0 or more",
        ),
        (
            &[("keep-n-untagged", "two")],
            "input `keep-n-untagged`: `two` is not accepted",
        ),
        (
            &[("tags", "/v(1/")],
            "input `tags`: `/v(1/` is not accepted",
        ),
        (
            &[("untagged", "true"), ("package-type", "pip")],
            "input `package-type`: `pip` is not accepted",
        ),
        (
            &[],
            "`prune` needs a selection: set `tags`, `untagged`, `versions`, `version-ids`",
        ),
        (
            &[("package-type", "npm"), ("untagged", "true")],
            "input `untagged`: `true` is not accepted; expected nothing for npm packages",
        ),
    ];
    for (inputs, expected) in cases {
        let run = prune(&fake, inputs);
        assert_eq!(run.code, Some(1), "{inputs:?}: {run:?}");
        let errors = run.errors();
        assert_eq!(errors.len(), 1, "{inputs:?}: {run:?}");
        assert!(errors[0].starts_with(expected), "{inputs:?}: {errors:?}");
    }
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
}

#[test]
fn a_failed_deletion_does_not_stop_the_others_and_is_reported() {
    // GitHub refuses to delete a version of a public package downloaded more than 5,000 times.
    let seed = acme().with_package(
        PackageSeed::new("acme", PackageType::Npm, "popular")
            .visibility(Visibility::Public)
            .version(release(61, 50, "1.0.0"))
            .version(release(62, 40, "1.1.0").downloads(9_000))
            .version(release(63, 30, "1.2.0"))
            .version(release(64, 1, "2.0.0")),
    );
    let fake = FakeGitHub::spawn(seed).unwrap();
    let run = prune(
        &fake,
        &[
            ("package-type", "npm"),
            ("packages", "popular"),
            ("keep-n", "1"),
        ],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        run.ids("deleted"),
        [61, 63],
        "the deletions around the failure happened"
    );
    assert_eq!(deleted_ids(&fake), [61, 63]);
    assert_eq!(run.ids("failed"), [62]);
    assert_eq!(run.outputs["failed-count"], "1");
    let error = run.json("failed")[0]["error"].as_str().unwrap().to_string();
    assert!(error.contains("more than 5000 downloads"), "{error}");
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{run:?}");
    assert!(
        errors[0].starts_with("1 of 3 deletion(s) failed; 2 were deleted"),
        "{errors:?}"
    );
    assert!(run.summary.contains("### Failed (1)"), "{}", run.summary);
    assert!(
        run.summary.contains("**Deleted 2 version(s)**"),
        "{}",
        run.summary
    );
}

/// A multi-arch history: v2 (today) and v1 (60 days), each an index with amd64 and arm64 images
/// and their attestations, v1 signed with cosign; an orphan untagged image from 90 days ago.
fn multi_arch_seed() -> (Seed, MultiArchImage, MultiArchImage) {
    let platforms = [Platform::linux("amd64"), Platform::linux("arm64")];
    let v2 = MultiArchImage::new("app v2", &platforms, 2);
    let v1 = MultiArchImage::new("app v1", &platforms, 2);
    let signature = ManifestSeed::cosign_signature(&v1.index.digest());
    let package = PackageSeed::new("acme", PackageType::Container, "app")
        .versions(VersionSeed::multi_arch(&v2, ["v2"], days_ago(0)))
        .versions(VersionSeed::multi_arch(&v1, ["v1"], days_ago(60)))
        .version(
            VersionSeed::from_manifest(signature)
                .tags([cosign_tag(&v1.index.digest(), "sig")])
                .created_at(days_ago(60)),
        )
        .version(
            VersionSeed::from_manifest(ManifestSeed::image("orphan").build())
                .created_at(days_ago(90)),
        );
    let seed = Seed::default()
        .with_org("acme")
        .with_token(TOKEN, "acme-bot")
        .with_user("acme-bot")
        .with_package(package);
    (seed, v2, v1)
}

#[test]
fn pruning_untagged_keeps_every_part_of_a_multi_arch_image() {
    let (seed, v2, v1) = multi_arch_seed();
    let fake = FakeGitHub::spawn(seed).unwrap();
    let run = prune(&fake, &[("packages", "app"), ("untagged", "true")]);
    assert!(run.success(), "{run:?}");
    // Only the orphan goes: 8 platform and attestation manifests are untagged but belong to v1/v2.
    assert_eq!(
        deleted_names(&fake),
        [ManifestSeed::image("orphan").build().digest()]
    );
    assert_eq!(run.outputs["kept-count"], "11");
    let expected = format!(
        "keep: platform linux/arm64 of kept index v2 ({}…)",
        &v2.index.digest()[..19]
    );
    assert!(
        run.summary.contains(&expected),
        "{expected}\n{}",
        run.summary
    );
    assert!(
        run.summary.contains("attestation of kept index v1"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("registry requests: "),
        "{}",
        run.summary
    );
    // The registry was asked for the two tagged indexes and the orphan only, each once: the
    // platforms are known from their index, the signature from its tag.
    let registry_reads: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/manifests/") && r.status == 200)
        .map(|r| r.path)
        .collect();
    let unique: std::collections::BTreeSet<_> = registry_reads.iter().collect();
    assert_eq!(
        registry_reads.len(),
        unique.len(),
        "no manifest read twice: {registry_reads:?}"
    );
    assert_eq!(
        registry_reads.len(),
        3,
        "v2, v1 and the orphan: {registry_reads:?}"
    );
    let _ = v1;
}

#[test]
fn deleting_an_image_takes_its_platforms_attestations_and_signature() {
    let (seed, v2, v1) = multi_arch_seed();
    let fake = FakeGitHub::spawn(seed).unwrap();
    let run = prune(&fake, &[("packages", "app"), ("tags", "v1")]);
    assert!(run.success(), "{run:?}");
    let mut expected: Vec<String> = v1.children().map(|m| m.digest()).collect();
    expected.push(v1.index.digest());
    expected.push(ManifestSeed::cosign_signature(&v1.index.digest()).digest());
    expected.sort();
    assert_eq!(deleted_names(&fake), expected);
    assert!(
        run.summary
            .contains("platform linux/amd64 of deleted index v1"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("signature of deleted image v1"),
        "{}",
        run.summary
    );
    // v2 is whole: the registry still serves every manifest it lists.
    let validate = prune(
        &fake,
        &[
            ("packages", "app"),
            ("untagged", "true"),
            ("dry-run", "true"),
            ("validate", "true"),
        ],
    );
    assert!(validate.success(), "{validate:?}");
    let _ = v2;
}

#[test]
fn an_unreadable_registry_deletes_nothing_untagged() {
    let (seed, _, _) = multi_arch_seed();
    let fake = FakeGitHub::spawn(seed).unwrap();
    // A registry URL where no registry answers (the fake serves none under this path).
    let nowhere = format!("{}/no-registry-here", fake.base_url());
    let run = prune(
        &fake,
        &[
            ("packages", "app"),
            ("untagged", "true"),
            ("registry-url", &nowhere),
        ],
    );
    assert!(run.success(), "{run:?}");
    assert_eq!(run.outputs["deleted-count"], "0");
    assert!(
        run.stdout
            .contains("::warning::Could not read the image manifests of app"),
        "{}",
        run.stdout
    );
    assert!(
        run.summary.contains("registry could not be read"),
        "{}",
        run.summary
    );
}

#[test]
fn manifest_aware_off_warns_that_images_are_unprotected() {
    let (seed, _, _) = multi_arch_seed();
    let fake = FakeGitHub::spawn(seed).unwrap();
    let run = prune(
        &fake,
        &[
            ("packages", "app"),
            ("untagged", "true"),
            ("manifest-aware", "false"),
            ("dry-run", "true"),
        ],
    );
    assert!(run.success(), "{run:?}");
    assert_eq!(
        run.outputs["deleted-count"], "9",
        "the parts of both images and the orphan"
    );
    assert!(
        run.stdout.contains("::warning::manifest-aware is off"),
        "{}",
        run.stdout
    );
    assert!(
        !fake.requests().iter().any(|r| r.path.starts_with("/v2/")),
        "no registry request"
    );
}

#[test]
fn validate_reports_images_broken_by_a_careless_prune() {
    let (seed, v2, _) = multi_arch_seed();
    let fake = FakeGitHub::spawn(seed).unwrap();
    // What the peers do: delete untagged versions without reading manifests.
    let run = prune(
        &fake,
        &[
            ("packages", "app"),
            ("untagged", "true"),
            ("manifest-aware", "false"),
            ("validate", "true"),
        ],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(run.outputs["deleted-count"], "9");
    let errors = run.errors();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("broken image app:v2 (") && e.contains("linux/arm64")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("broken image app:v1 (")),
        "{errors:?}"
    );
    assert!(
        errors
            .last()
            .unwrap()
            .starts_with("validate: 2 image(s) lost manifests"),
        "{errors:?}"
    );
    assert!(run.summary.contains("### Validation"), "{}", run.summary);
    assert!(
        run.summary.contains(&v2.images[1].digest()[..19]),
        "{}",
        run.summary
    );
}
