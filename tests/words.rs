//! Wrong words: what the progress lines, the final line and the job summary say must match
//! what happened, fit in the summary GitHub keeps, and show untrusted text as it is.

use chrono::{TimeDelta, Utc};
use fake_github::{FakeGitHub, Limits, PackageSeed, PackageType, Seed, VersionSeed};
use package_warden::model::Timestamp;

mod common;
use common::{Run, TOKEN, acme, run_action, run_on_acme};

fn ago(hours: i64) -> Timestamp {
    Utc::now() - TimeDelta::hours(hours)
}

/// A container version without a manifest (the tests that use it turn `manifest-aware` off).
fn container(id: u64, hours: i64, tags: &[&str]) -> VersionSeed {
    VersionSeed::new(format!("sha256:{id:064x}"))
        .id(id)
        .tags(tags.iter().copied())
        .created_at(ago(hours))
}

/// The summary without its `<sub>` footer, whose timings change from run to run: what a
/// snapshot pins.
fn without_footer(summary: &str) -> String {
    summary
        .lines()
        .filter(|line| !line.starts_with("<sub>"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The characters that change how text is shown without being seen: control characters
/// (but the line breaks that end lines) and bidi overrides, embeddings, isolates and marks.
fn invisible(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(
                    c,
                    '\u{202A}'..='\u{202E}'
                        | '\u{2066}'..='\u{2069}'
                        | '\u{200E}'
                        | '\u{200F}'
                        | '\u{061C}'
                )
        })
        .collect()
}

// ---- 13: counts that say what happened --------------------------------------------------------

/// npm `web`: 1.0.0 (11), 1.1.0 (12), 1.2.0 (13), each answered `fails` to a DELETE when
/// given, and 2.0.0 (14), the newest, which `keep-n: 1` keeps.
fn web(fails: [Option<u16>; 3]) -> Seed {
    let version = |id: u64, name: &str, fails: Option<u16>| {
        let version = VersionSeed::new(name)
            .id(id)
            .created_at(ago(400 - id as i64));
        match fails {
            Some(status) => version.delete_fails(status),
            None => version,
        }
    };
    acme().with_package(
        PackageSeed::new("acme", PackageType::Npm, "web")
            .version(version(11, "1.0.0", fails[0]))
            .version(version(12, "1.1.0", fails[1]))
            .version(version(13, "1.2.0", fails[2]))
            .version(version(14, "2.0.0", None)),
    )
}

fn prune_web(fake: &FakeGitHub) -> Run {
    run_on_acme(
        fake,
        "prune",
        &[
            ("package-type", "npm"),
            ("packages", "web"),
            ("keep-n", "1"),
        ],
    )
}

#[test]
fn when_every_deletion_fails_no_line_says_anything_was_deleted() {
    // 422: GitHub refuses, and the refusal is not worth a retry.
    let fake = FakeGitHub::spawn(web([Some(422); 3])).unwrap();
    let run = prune_web(&fake);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(run.outputs["failed-count"], "3");
    assert!(
        run.stdout
            .contains("\nDeletions 3 of 3: 0 deleted, 3 failed\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("Deleted "), "{}", run.stdout);
    assert_eq!(
        run.errors(),
        ["3 of 3 deletion(s) failed; none was done; see the `failed` output and the job summary"]
    );
    assert!(
        run.summary
            .contains("| Package | Deleted | Kept | Failed |\n| --- | ---: | ---: | ---: |\n| web | 0 | 1 | 3 |\n"),
        "{}",
        run.summary
    );
    insta::assert_snapshot!("every_deletion_failed", without_footer(&run.summary));
}

#[test]
fn when_some_deletions_fail_the_last_line_counts_those_done() {
    let fake = FakeGitHub::spawn(web([None, Some(422), None])).unwrap();
    let run = prune_web(&fake);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(run.ids("deleted"), [11, 13]);
    assert!(
        run.stdout
            .contains("\nDeletions 3 of 3: 2 deleted, 1 failed\n"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.errors(),
        ["1 of 3 deletion(s) failed; 2 were deleted; see the `failed` output and the job summary"]
    );
    assert!(
        run.summary.contains("| web | 2 | 1 | 1 |\n"),
        "{}",
        run.summary
    );
}

#[test]
fn deletions_left_for_the_next_run_are_not_counted_as_deleted_in_the_package_table() {
    let fake =
        FakeGitHub::spawn(web([None; 3]).with_limits(Limits::default().primary_per_hour(5_000)))
            .unwrap();
    // 13 requests left this hour: listing takes 3, then the margin of 10 stops the deletions.
    fake.set_primary_budget(TOKEN, 13, Utc::now() + TimeDelta::hours(1));
    let run = prune_web(&fake);
    assert!(run.success(), "{run:?}");
    assert_eq!(run.outputs["deleted-count"], "0");
    assert_eq!(run.outputs["remaining-count"], "3");
    assert!(
        run.summary.contains("**Deleted 0 version(s)**"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains(
            "| Package | Deleted | Kept | Failed | Left for the next run |\n\
             | --- | ---: | ---: | ---: | ---: |\n\
             | web | 0 | 1 | 0 | 3 |\n"
        ),
        "{}",
        run.summary
    );
    assert!(
        run.stdout
            .contains("\nDeletions 3 of 3: 0 deleted, 3 deferred\n"),
        "{}",
        run.stdout
    );
    insta::assert_snapshot!("every_deletion_deferred", without_footer(&run.summary));
}

#[test]
fn when_a_restore_fails_the_last_line_counts_those_done() {
    let fake = FakeGitHub::spawn(
        acme().with_package(
            PackageSeed::new("acme", PackageType::Npm, "web")
                .version(VersionSeed::new("1.0.0").id(11).deleted_at(ago(2)))
                .version(VersionSeed::new("2.0.0").id(14)),
        ),
    )
    .unwrap();
    let entry = |id: u64| {
        format!(
            r#"{{"owner":"acme","package":"web","package_type":"npm","id":{id},"name":"v{id}","tags":[],"reason":"x","status":"deleted","package_deleted":false}}"#
        )
    };
    // 11 comes back, 999 is past restoring.
    let undo = format!("[{},{}]", entry(11), entry(999));
    let run = run_on_acme(
        &fake,
        "restore",
        &[("undo", &undo), ("package-type", "npm")],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(run.ids("restored"), [11]);
    assert_eq!(
        run.errors(),
        ["1 of 2 restore(s) failed; 1 was restored; see the `failed` output and the job summary"]
    );

    let all_failed = run_action(
        &fake,
        &[
            ("command", "restore"),
            ("owner", "acme"),
            ("package-type", "npm"),
            ("undo", &format!("[{}]", entry(999))),
        ],
    );
    assert_eq!(
        all_failed.errors(),
        ["1 of 1 restore(s) failed; none was done; see the `failed` output and the job summary"]
    );
}

// ---- 14: a dry run says what the real run does ------------------------------------------------

/// npm `web`, active (2.0.0, id 14), with three versions deleted in the last hours (11–13).
fn active_web_with_deleted_versions() -> Seed {
    acme().with_package(
        PackageSeed::new("acme", PackageType::Npm, "web")
            .version(VersionSeed::new("1.0.0").id(11).deleted_at(ago(5)))
            .version(VersionSeed::new("1.1.0").id(12).deleted_at(ago(4)))
            .version(VersionSeed::new("1.2.0").id(13).deleted_at(ago(3)))
            .version(VersionSeed::new("2.0.0").id(14).created_at(ago(2))),
    )
}

/// The lines of the summary's package table (`| web | npm | already-active |`).
fn package_rows(summary: &str) -> Vec<&str> {
    summary
        .lines()
        .filter(|line| line.starts_with("| web | npm |"))
        .collect()
}

#[test]
fn a_dry_run_of_restore_package_on_an_active_package_plans_what_the_real_run_restores() {
    for selection in [&[][..], &[("deleted-within", "1d")][..]] {
        let fake = FakeGitHub::spawn(active_web_with_deleted_versions()).unwrap();
        let mut inputs = vec![
            ("package-type", "npm"),
            ("packages", "web"),
            ("restore-package", "true"),
        ];
        inputs.extend_from_slice(selection);
        let mut dry_inputs = inputs.clone();
        dry_inputs.push(("dry-run", "true"));

        let dry = run_on_acme(&fake, "restore", &dry_inputs);
        assert!(dry.success(), "{dry:?}");
        assert!(
            !dry.stdout.contains("is deleted") && !dry.summary.contains("is deleted"),
            "{dry:?}"
        );
        let real = run_on_acme(&fake, "restore", &inputs);
        assert!(real.success(), "{real:?}");

        assert_eq!(dry.ids("restored"), real.ids("restored"), "{selection:?}");
        assert_eq!(
            dry.outputs["restored-count"],
            real.outputs["restored-count"]
        );
        assert_eq!(
            package_rows(&dry.summary),
            ["| web | npm | already-active |"]
        );
        assert_eq!(
            package_rows(&real.summary),
            ["| web | npm | already-active |"]
        );
        assert!(
            !dry.summary.contains("package(s) of") && !real.summary.contains("package(s) of"),
            "an active package is not counted as restored: {}\n{}",
            dry.summary,
            real.summary
        );
    }
    let fake = FakeGitHub::spawn(active_web_with_deleted_versions()).unwrap();
    let dry = run_on_acme(
        &fake,
        "restore",
        &[
            ("package-type", "npm"),
            ("packages", "web"),
            ("restore-package", "true"),
            ("deleted-within", "1d"),
            ("dry-run", "true"),
        ],
    );
    assert_eq!(dry.ids("restored"), [11, 12, 13]);
    assert!(
        dry.summary
            .contains("**Would restore 3 version(s)** of organisation acme"),
        "{}",
        dry.summary
    );
}

// ---- 15: a summary GitHub keeps ---------------------------------------------------------------

/// GitHub drops a step's whole summary when it is over 1 MiB.
const GITHUB_SUMMARY_LIMIT: usize = 1024 * 1024;

/// 40 container packages `app-00`…`app-39` of 60 versions each, every version with 8 tags of
/// 127 characters (half of them `_`, which markdown escapes): 30 active, 30 deleted an hour ago.
fn crowded() -> Seed {
    let tag = |id: u64, k: usize| {
        let mut tag = format!("{id}-{k}-");
        while tag.len() < 127 {
            tag.push_str(if tag.len() % 2 == 0 { "_" } else { "a" });
        }
        tag
    };
    (0..40u64).fold(acme(), |seed, p| {
        let versions = (0..60u64).map(|i| {
            let id = 1_000 + p * 100 + i;
            let version = container(id, 1_000 - i as i64, &[]).tags((0..8).map(|k| tag(id, k)));
            match i < 30 {
                true => version,
                false => version.deleted_at(ago(1)),
            }
        });
        seed.with_package(
            PackageSeed::new("acme", PackageType::Container, format!("app-{p:02}"))
                .versions(versions),
        )
    })
}

/// Asserts that the summary fits and says where the rest is.
fn assert_capped(run: &Run, rest: &str) {
    assert!(
        run.summary.len() <= 1_000_000,
        "{} bytes: over GitHub's limit of {GITHUB_SUMMARY_LIMIT} the whole summary is dropped",
        run.summary.len()
    );
    assert!(
        run.summary.ends_with(&format!(
            "GitHub keeps at most 1 MiB of a job summary, so this one stops short: everything is \
             in {rest}.\n"
        )),
        "{}",
        &run.summary[run.summary.len().saturating_sub(500)..]
    );
    assert_eq!(invisible(&run.summary), Vec::<char>::new());
}

#[test]
fn summaries_of_thousands_of_long_tagged_versions_stay_under_githubs_limit() {
    let fake = FakeGitHub::spawn(crowded()).unwrap();

    let prune = run_on_acme(
        &fake,
        "prune",
        &[
            ("packages", "app-*"),
            ("manifest-aware", "false"),
            ("tags", "*"),
            ("keep-n", "10"),
            ("dry-run", "true"),
        ],
    );
    assert!(prune.success(), "{}", prune.stdout);
    assert_eq!(prune.outputs["deleted-count"], "800");
    assert!(
        prune
            .summary
            .contains("**Would delete 800 version(s)**, kept 400"),
        "{}",
        &prune.summary[..500]
    );
    assert!(prune.summary.contains("\n### Would delete (800)\n"));
    assert!(
        prune
            .summary
            .contains("\n<details><summary>Kept (400)</summary>")
    );
    assert!(
        prune
            .summary
            .contains("in the outputs and the `report` file.\n")
    );
    assert!(prune.summary.contains("requests: "), "the footer is kept");
    assert_capped(&prune, "the outputs and the `report` file");

    let list = run_on_acme(&fake, "list", &[("packages", "app-*")]);
    assert!(list.success(), "{}", list.stdout);
    assert!(
        list.summary
            .contains("40 container package(s) of organisation acme with 1200 active version(s)"),
        "{}",
        &list.summary[..500]
    );
    assert!(
        list.summary.contains("| app-39 | private | 30 |\n"),
        "the package table is whole"
    );
    assert!(
        list.summary
            .contains("more package(s), in the `versions` output.\n")
    );
    assert_capped(&list, "the `packages` and `versions` outputs");

    let restore = run_on_acme(
        &fake,
        "restore",
        &[
            ("packages", "app-*"),
            ("deleted-within", "1d"),
            ("dry-run", "true"),
        ],
    );
    assert!(restore.success(), "{}", restore.stdout);
    assert_eq!(restore.outputs["restored-count"], "1200");
    assert!(
        restore
            .summary
            .contains("**Would restore 1200 version(s)**"),
        "{}",
        &restore.summary[..500]
    );
    assert_capped(&restore, "the `restored` and `failed` outputs");
}

// ---- 16: bidi overrides and control characters ------------------------------------------------

/// A tag that reads `v1exe.jpg` in red where it is shown raw.
const HOSTILE_TAG: &str = "v1\u{202E}gpj.exe\u{1b}[31m\u{2066}\u{200F}\u{061C}\u{7}";

#[test]
fn bidi_overrides_and_control_characters_in_tags_are_shown_as_code_points_in_the_summary() {
    let fake = FakeGitHub::spawn(
        acme().with_package(
            PackageSeed::new("acme", PackageType::Container, "app")
                .version(container(1, 1, &["latest"]))
                .version(container(2, 48, &[HOSTILE_TAG, "v1"])),
        ),
    )
    .unwrap();
    let inputs = [
        ("packages", "app"),
        ("manifest-aware", "false"),
        ("tags", "v1*"),
        ("dry-run", "true"),
    ];
    let prune = run_on_acme(&fake, "prune", &inputs);
    assert!(prune.success(), "{prune:?}");
    assert_eq!(prune.ids("deleted"), [2]);
    assert_eq!(
        invisible(&prune.summary),
        Vec::<char>::new(),
        "{}",
        prune.summary
    );
    assert!(
        prune
            .summary
            .contains(r"v1\\u{202E}gpj.exe\\u{1B}\[31m\\u{2066}\\u{200F}\\u{61C}\\u{7}, v1"),
        "{}",
        prune.summary
    );
    insta::assert_snapshot!("hostile_tags", without_footer(&prune.summary));
    // The outputs are data for programs: they keep the tag as it is.
    assert_eq!(prune.json("deleted")[0]["tags"][0], HOSTILE_TAG);

    let list = run_on_acme(&fake, "list", &[("packages", "app")]);
    assert!(list.success(), "{list:?}");
    assert_eq!(
        invisible(&list.summary),
        Vec::<char>::new(),
        "{}",
        list.summary
    );
    assert!(
        list.summary.contains(r"v1\\u{202E}gpj.exe"),
        "{}",
        list.summary
    );
}

#[test]
fn bidi_overrides_and_control_characters_are_shown_as_code_points_in_log_lines() {
    let fake = FakeGitHub::spawn(acme()).unwrap();
    // An input error quotes the value it refuses: the value reaches the log.
    let run = run_on_acme(
        &fake,
        "prune",
        &[("packages", "app"), ("keep-n", "3\u{202E}1\u{1b}[2J")],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(invisible(&run.stdout), Vec::<char>::new(), "{}", run.stdout);
    let errors = run.errors();
    assert!(
        errors.iter().any(|e| e.contains(r"3\u{202E}1\u{1B}[2J")),
        "{errors:?}"
    );
}
