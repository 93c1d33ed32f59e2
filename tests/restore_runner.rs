//! `restore` sends its requests the way `prune` does, through the same runner: as many at once as
//! `concurrency` allows, none once the hourly budget runs low (they are left for the next run),
//! and no more in a package after GitHub refused the first for lack of permission. The built
//! binary against the fake GitHub, asserting on the outputs and on what the fake saw.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use fake_github::{
    ActionsRole, FakeGitHub, Faults, Limits, PackagePermission, PackageSeed, PackageType, Seed,
    TokenProfile, VersionSeed,
};

mod common;
use common::{Run, TOKEN, days_ago, run_action};

/// An npm package of acme with one active version (`id`) and `deleted` versions deleted a day ago
/// (`id + 1` on).
fn package(name: &str, id: u64, deleted: u64) -> PackageSeed {
    let active = VersionSeed::new("9.0.0").id(id).created_at(days_ago(1));
    let deleted = (1..=deleted).map(|i| {
        VersionSeed::new(format!("1.0.{i}"))
            .id(id + i)
            .created_at(days_ago(30 + i as i64))
            .deleted_at(days_ago(1))
    });
    PackageSeed::new("acme", PackageType::Npm, name)
        .version(active)
        .versions(deleted)
}

fn seed() -> Seed {
    Seed::default()
        .with_org("acme")
        .with_user("octocat")
        .with_token(TOKEN, "octocat")
}

/// Restores every deleted version of `packages`, with these inputs on top.
fn restore(fake: &FakeGitHub, packages: &str, inputs: &[(&str, &str)]) -> Run {
    let mut all = vec![
        ("command", "restore"),
        ("owner", "acme"),
        ("owner-type", "org"),
        ("package-type", "npm"),
        ("packages", packages),
        ("versions", "*"),
    ];
    all.extend_from_slice(inputs);
    let run = run_action(fake, &all);
    run.assert_token_not_leaked(TOKEN);
    run
}

fn restores_sent(fake: &FakeGitHub) -> Vec<String> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.path)
        .collect()
}

fn deleted_count(fake: &FakeGitHub) -> usize {
    fake.state()
        .packages
        .iter()
        .flat_map(|p| &p.versions)
        .filter(|v| v.deleted_at.is_some())
        .count()
}

#[test]
fn restores_go_as_many_at_once_as_concurrency_allows() {
    // Each answer takes a while, so that requests sent together are seen together.
    let latency = Faults::default().latency(Duration::from_millis(300));
    for (concurrency, at_most) in [("1", 1), ("8", 8)] {
        let fake = FakeGitHub::spawn(
            seed()
                .with_package(package("web", 100, 12))
                .with_faults(latency.clone()),
        )
        .unwrap();
        let run = restore(&fake, "web", &[("concurrency", concurrency)]);
        assert!(run.success(), "{run:?}");
        assert_eq!(run.outputs["restored-count"], "12");
        assert_eq!(deleted_count(&fake), 0);
        let peak = fake.counters().peak_in_flight["POST"];
        assert!(
            peak <= at_most,
            "concurrency {concurrency}: {peak} restores in flight at once"
        );
        if at_most > 4 {
            // Restores used to go 4 at a time whatever `concurrency` said.
            assert!(
                peak > 4,
                "concurrency {concurrency}: only {peak} restores in flight at once"
            );
        }
    }
}

#[test]
fn restores_are_left_for_the_next_run_when_the_hourly_budget_runs_low() {
    let fake = FakeGitHub::spawn(
        seed()
            .with_package(package("web", 100, 3))
            .with_limits(Limits::default().primary_per_hour(5_000)),
    )
    .unwrap();
    // A dry run counts what finding and listing costs; the real run then has exactly that, plus
    // the reserve of 10 package-warden keeps, plus one: not enough for a restore and its check.
    let dry = restore(&fake, "web", &[("dry-run", "true")]);
    assert!(dry.success(), "{dry:?}");
    assert_eq!(dry.outputs["restored-count"], "3");
    let listing = fake.requests().len() as u32;
    fake.clear_requests();
    fake.set_primary_budget(TOKEN, listing + 11, Utc::now() + TimeDelta::hours(1));

    let run = restore(&fake, "web", &[]);
    assert!(run.success(), "deferring is not failing: {run:?}");
    assert_eq!(restores_sent(&fake), Vec::<String>::new());
    assert_eq!(deleted_count(&fake), 3);
    assert_eq!(run.outputs["restored-count"], "0");
    assert_eq!(run.outputs["failed-count"], "0");
    assert_eq!(run.outputs["remaining-count"], "3");
    assert!(
        run.summary.contains("**3 left for the next run**"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("### Left for the next run (3)"),
        "{}",
        run.summary
    );
}

#[test]
fn after_a_permission_refusal_the_rest_of_that_package_is_not_restored() {
    // A workflow's GITHUB_TOKEN whose repository is admin of `web` only: restoring in `cli` is
    // refused.
    let token = TokenProfile::github_token(PackagePermission::Write).actions_access(
        "acme",
        PackageType::Npm,
        "web",
        ActionsRole::Admin,
    );
    let fake = FakeGitHub::spawn(
        seed()
            .with_token_profile(TOKEN, token)
            .with_package(package("web", 100, 3))
            .with_package(package("cli", 200, 3)),
    )
    .unwrap();
    let run = restore(&fake, "web, cli", &[]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        run.ids("restored"),
        [101, 102, 103],
        "the other package went on"
    );
    assert_eq!(run.ids("failed"), [201, 202, 203]);
    let cli: Vec<String> = restores_sent(&fake)
        .into_iter()
        .filter(|path| path.contains("/npm/cli/"))
        .collect();
    assert_eq!(cli.len(), 1, "one refusal, then nothing more sent: {cli:?}");
    let errors: Vec<String> = run
        .json("failed")
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["error"].as_str().unwrap().to_string())
        .collect();
    let not_sent = errors
        .iter()
        .filter(|e| e.starts_with("not sent: the first restore in this package was refused"))
        .count();
    assert_eq!(not_sent, 2, "{errors:?}");
}
