//! What users read, pinned: for fixed histories, the job summary, the terminal output of the same
//! run outside Actions, and the JSON step outputs, each a snapshot (insta) in `tests/snapshots/`.
//! A change in what a user sees is then a reviewed diff, not a substring that still matches.
//!
//! Each history runs twice, on two fakes seeded alike: once as a workflow runs the action
//! (`GITHUB_ACTIONS=true`: the summary and the outputs), once as a person runs the binary at a
//! terminal (`GITHUB_ACTIONS` unset: stdout and stderr). Ages are days before now, so what depends
//! on the clock is redacted: dates and times (to placeholders of the same width, which keeps
//! the terminal tables aligned), the temporary directory, durations.

use std::sync::LazyLock;

use chrono::{TimeDelta, Utc};
use fake_github::{
    FakeGitHub, Limits, ManifestSeed, MultiArchImage, PackageSeed, PackageType, Platform, Seed,
    VersionSeed, cosign_tag,
};
use regex::Regex;
use serde_json::Value;

mod common;
use common::{Run, TOKEN, acme, action_env, days_ago, run_action, run_binary};

/// npm `web`: 1.0.0 (id 11, 40 days old), 1.1.0 (12, 30 days), 1.2.0 (13, 20 days), 1.3.0 (14,
/// 10 days) and 2.0.0 (15, a day). Each id in `fails` answers a DELETE with that status.
fn web(fails: &[(u64, u16)]) -> PackageSeed {
    let versions = [
        (11, "1.0.0", 40),
        (12, "1.1.0", 30),
        (13, "1.2.0", 20),
        (14, "1.3.0", 10),
        (15, "2.0.0", 1),
    ]
    .into_iter()
    .map(|(id, name, days)| {
        let version = VersionSeed::new(name).id(id).created_at(days_ago(days));
        match fails.iter().find(|(failing, _)| *failing == id) {
            Some((_, status)) => version.delete_fails(*status),
            None => version,
        }
    });
    PackageSeed::new("acme", PackageType::Npm, "web").versions(versions)
}

/// The inputs of `prune` keeping web's newest version.
const PRUNE_WEB: &[(&str, &str)] = &[
    ("command", "prune"),
    ("package-type", "npm"),
    ("packages", "web"),
    ("keep-n", "1"),
];

/// A multi-arch history of container `app`: v2 (today) and v1 (60 days old), each an index with
/// linux/amd64 and linux/arm64 images and an attestation per image, v1 signed with cosign, and
/// an untagged image of 90 days that belongs to no index.
fn multi_arch() -> Seed {
    let platforms = [Platform::linux("amd64"), Platform::linux("arm64")];
    let v2 = MultiArchImage::new("app v2", &platforms, 2);
    let v1 = MultiArchImage::new("app v1", &platforms, 2);
    let v1_index = v1.index.digest();
    acme().with_package(
        PackageSeed::new("acme", PackageType::Container, "app")
            .versions(VersionSeed::multi_arch(&v2, ["v2"], days_ago(0)))
            .versions(VersionSeed::multi_arch(&v1, ["v1"], days_ago(60)))
            .version(
                VersionSeed::from_manifest(ManifestSeed::cosign_signature(&v1_index))
                    .tags([cosign_tag(&v1_index, "sig")])
                    .created_at(days_ago(60)),
            )
            .version(
                VersionSeed::from_manifest(ManifestSeed::image("orphan").build())
                    .created_at(days_ago(90)),
            ),
    )
}

/// What one history shows a user, redacted.
struct Rendered {
    /// The run as a workflow step.
    action: Run,
    /// The run at a terminal.
    terminal: Run,
}

impl Rendered {
    /// Snapshots `<name>__summary` (the job summary), `<name>__terminal` (exit code, stdout and
    /// stderr at a terminal) and `<name>__outputs` (exit code and step outputs in Actions).
    fn assert_snapshots(&self, name: &str) {
        let action = &self.action;
        let terminal = &self.terminal;
        insta::assert_snapshot!(format!("{name}__summary"), redact(&action.summary, action));
        insta::assert_snapshot!(
            format!("{name}__terminal"),
            redact(
                &format!(
                    "exit code: {:?}\n--- stdout\n{}--- stderr\n{}",
                    terminal.code, terminal.stdout, terminal.stderr
                ),
                terminal
            )
        );
        insta::assert_snapshot!(format!("{name}__outputs"), redact(&outputs(action), action));
    }
}

/// Runs `inputs` (with `owner: acme`) against a fake seeded with `seed()`, as a workflow step and
/// then at a terminal, each on a fake of its own. `before` runs first on each fake, and gives
/// inputs to add (the `undo` of a prune it ran).
fn render(
    seed: impl Fn() -> Seed,
    before: impl Fn(&FakeGitHub) -> Vec<(&'static str, String)>,
    inputs: &[(&str, &str)],
) -> Rendered {
    let env = |fake: &FakeGitHub| {
        let added = before(fake);
        let mut all = vec![("owner", "acme")];
        all.extend_from_slice(inputs);
        all.extend(added.iter().map(|(name, value)| (*name, value.as_str())));
        action_env(fake, &all)
    };

    let fake = FakeGitHub::spawn(seed()).unwrap();
    let action = run_binary(&[], &env(&fake));
    action.assert_token_not_leaked(TOKEN);

    let fake = FakeGitHub::spawn(seed()).unwrap();
    let outside_actions: Vec<(String, String)> = env(&fake)
        .into_iter()
        .filter(|(name, _)| name != "GITHUB_ACTIONS")
        .collect();
    let terminal = run_binary(&[], &outside_actions);
    terminal.assert_token_not_leaked(TOKEN);
    Rendered { action, terminal }
}

/// The exit code and the outputs by name, JSON pretty-printed (keys sorted).
fn outputs(run: &Run) -> String {
    let mut text = format!("exit code: {:?}\n", run.code);
    for (name, value) in &run.outputs {
        let shown = match serde_json::from_str::<Value>(value) {
            Ok(json @ (Value::Array(_) | Value::Object(_))) => {
                serde_json::to_string_pretty(&json).expect("JSON prints")
            }
            _ => value.clone(),
        };
        text.push_str(&format!("--- {name}\n{shown}\n"));
    }
    text
}

/// Replaces what changes from run to run: the temporary directory, dates and times (by
/// placeholders as wide), durations, and the count of registry requests (reads that start
/// together may each meet the registry's 401 before one of them has fetched the token).
fn redact(text: &str, run: &Run) -> String {
    static COMPACT_TIME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\d{8}T\d{6}(\.\d+)?Z").unwrap());
    static DATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d{4}-\d\d-\d\d").unwrap());
    static TIME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b\d\d:\d\d:\d\d(\.\d+)?").unwrap());
    static SECONDS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d+\.\d s\b").unwrap());
    // The footer's total (`requests: 17 · registry requests: 7`) counts the registry's too.
    static REGISTRY_COUNTS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"requests: \d+ · registry requests: \d+|, \d+ to the registry").unwrap()
    });
    let text = text.replace(&run.temp.path().display().to_string(), "[RUNNER_TEMP]");
    let text = COMPACT_TIME.replace_all(&text, "[time]");
    let text = DATE.replace_all(&text, "YYYY-MM-DD");
    let text = TIME.replace_all(&text, "hh:mm:ss");
    let text = SECONDS.replace_all(&text, "[d] s");
    let text = REGISTRY_COUNTS.replace_all(&text, |found: &regex::Captures| {
        match found[0].starts_with(',') {
            true => ", [n] to the registry",
            false => "requests: [n] · registry requests: [n]",
        }
    });
    text.into_owned()
}

fn nothing_before(_: &FakeGitHub) -> Vec<(&'static str, String)> {
    Vec::new()
}

#[test]
fn dry_run() {
    let rendered = render(
        || acme().with_package(web(&[])),
        nothing_before,
        &[
            ("command", "prune"),
            ("package-type", "npm"),
            ("packages", "web"),
            ("versions", "*"),
            ("older-than", "15d"),
            ("dry-run", "true"),
        ],
    );
    assert!(rendered.action.success(), "{:?}", rendered.action);
    assert!(rendered.terminal.success(), "{:?}", rendered.terminal);
    rendered.assert_snapshots("dry_run");
}

#[test]
fn refused_input() {
    let rendered = render(
        || acme().with_package(web(&[])),
        nothing_before,
        &[
            ("command", "prune"),
            ("package-type", "npm"),
            ("packages", "web"),
            ("older-than", "3 fortnights"),
        ],
    );
    assert_eq!(rendered.action.code, Some(1), "{:?}", rendered.action);
    rendered.assert_snapshots("refused_input");
}

#[test]
fn deferred_by_the_api_budget() {
    // 13 requests left this hour: listing takes 3, then the margin of 10 stops the deletions.
    let rendered = render(
        || {
            acme()
                .with_package(web(&[]))
                .with_limits(Limits::default().primary_per_hour(5_000))
        },
        |fake| {
            fake.set_primary_budget(TOKEN, 13, Utc::now() + TimeDelta::hours(1));
            Vec::new()
        },
        PRUNE_WEB,
    );
    assert!(rendered.action.success(), "{:?}", rendered.action);
    assert_eq!(rendered.action.outputs["remaining-count"], "4");
    rendered.assert_snapshots("deferred");
}

#[test]
fn failed_deletion() {
    // 422: GitHub refuses, and the refusal is not worth a retry.
    let rendered = render(
        || acme().with_package(web(&[(12, 422)])),
        nothing_before,
        PRUNE_WEB,
    );
    assert_eq!(rendered.action.code, Some(1), "{:?}", rendered.action);
    assert_eq!(rendered.action.ids("deleted"), [11, 13, 14]);
    rendered.assert_snapshots("failed");
}

#[test]
fn whole_package_deleted_when_empty() {
    let rendered = render(
        || {
            acme().with_package(
                PackageSeed::new("acme", PackageType::Npm, "tiny")
                    .version(VersionSeed::new("0.1.0").id(51).created_at(days_ago(100)))
                    .version(VersionSeed::new("0.2.0").id(52).created_at(days_ago(90))),
            )
        },
        nothing_before,
        &[
            ("command", "prune"),
            ("package-type", "npm"),
            ("packages", "tiny"),
            ("versions", "*"),
            ("delete-package-when-empty", "true"),
        ],
    );
    assert!(rendered.action.success(), "{:?}", rendered.action);
    assert_eq!(rendered.action.json("deleted")[1]["package_deleted"], true);
    rendered.assert_snapshots("whole_package");
}

#[test]
fn undo_of_a_prune() {
    let rendered = render(
        || acme().with_package(web(&[])),
        |fake| {
            let mut inputs = vec![("owner", "acme")];
            inputs.extend_from_slice(PRUNE_WEB);
            let prune = run_action(fake, &inputs);
            assert!(prune.success(), "{prune:?}");
            vec![("undo", prune.outputs["deleted"].clone())]
        },
        &[("command", "restore"), ("package-type", "npm")],
    );
    assert!(rendered.action.success(), "{:?}", rendered.action);
    assert_eq!(rendered.action.ids("restored"), [11, 12, 13, 14]);
    rendered.assert_snapshots("undo");
}

#[test]
fn gone_for_good() {
    // GitHub lists a deleted version for 30 days, and restores it only as long as it lists it.
    // The undo names 12, deleted yesterday, and 11, which the fake no longer holds: deleted
    // long ago.
    let entry = |id: u64, name: &str| {
        format!(
            r#"{{"owner":"acme","package":"web","package_type":"npm","id":{id},"name":"{name}","tags":[],"reason":"delete: among the older versions","status":"deleted","package_deleted":false}}"#
        )
    };
    let undo = format!("[{},{}]", entry(11, "1.0.0"), entry(12, "1.1.0"));
    let rendered = render(
        || {
            acme().with_package(
                PackageSeed::new("acme", PackageType::Npm, "web")
                    .version(
                        VersionSeed::new("1.1.0")
                            .id(12)
                            .created_at(days_ago(60))
                            .deleted_at(days_ago(1)),
                    )
                    .version(VersionSeed::new("2.0.0").id(15).created_at(days_ago(5))),
            )
        },
        nothing_before,
        &[
            ("command", "restore"),
            ("package-type", "npm"),
            ("undo", &undo),
        ],
    );
    assert_eq!(rendered.action.code, Some(1), "{:?}", rendered.action);
    assert_eq!(rendered.action.ids("restored"), [12]);
    assert_eq!(rendered.action.ids("failed"), [11]);
    rendered.assert_snapshots("gone_for_good");
}

#[test]
fn multi_arch_image_with_its_parts() {
    let rendered = render(
        multi_arch,
        nothing_before,
        &[
            ("command", "prune"),
            ("packages", "app"),
            ("tags", "v1"),
            ("untagged", "true"),
        ],
    );
    assert!(rendered.action.success(), "{:?}", rendered.action);
    rendered.assert_snapshots("multi_arch");
}
