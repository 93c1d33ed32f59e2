//! Wrong words: what the progress lines, the final line and the job summary say must match
//! what happened, fit in the summary GitHub keeps, and show untrusted text as it is.

use fake_github::{FakeGitHub, PackageSeed, PackageType, Seed, VersionSeed};
use jiff::{SignedDuration, Timestamp};

mod common;
use common::{Run, TOKEN, run_action};

fn ago(hours: i64) -> Timestamp {
    Timestamp::now() - SignedDuration::from_hours(hours)
}

fn run(fake: &FakeGitHub, command: &str, inputs: &[(&str, &str)]) -> Run {
    let mut all = vec![("command", command), ("owner", "acme")];
    all.extend_from_slice(inputs);
    let run = run_action(fake, &all);
    run.assert_token_not_leaked(TOKEN);
    run
}

fn acme() -> Seed {
    Seed::default()
        .with_org("acme")
        .with_user("octocat")
        .with_token(TOKEN, "octocat")
}

/// A container version without a manifest (the tests that use it turn `manifest-aware` off).
fn container(id: u64, hours: i64, tags: &[&str]) -> VersionSeed {
    VersionSeed::new(format!("sha256:{id:064x}"))
        .id(id)
        .tags(tags.iter().copied())
        .created_at(ago(hours))
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
    let prune = run(&fake, "prune", &inputs);
    assert!(prune.success(), "{prune:?}");
    assert_eq!(prune.ids("deleted"), [2]);
    assert_eq!(invisible(&prune.summary), [], "{}", prune.summary);
    assert!(
        prune
            .summary
            .contains(r"v1\\u{202E}gpj.exe\\u{1B}\[31m\\u{2066}\\u{200F}\\u{61C}\\u{7}, v1"),
        "{}",
        prune.summary
    );
    // The outputs are data for programs: they keep the tag as it is.
    assert_eq!(prune.json("deleted")[0]["tags"][0], HOSTILE_TAG);

    let list = run(&fake, "list", &[("packages", "app")]);
    assert!(list.success(), "{list:?}");
    assert_eq!(invisible(&list.summary), [], "{}", list.summary);
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
    let run = run(
        &fake,
        "prune",
        &[("packages", "app"), ("keep-n", "3\u{202E}1\u{1b}[2J")],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(invisible(&run.stdout), [], "{}", run.stdout);
    let errors = run.errors();
    assert!(
        errors.iter().any(|e| e.contains(r"3\u{202E}1\u{1B}[2J")),
        "{errors:?}"
    );
}
