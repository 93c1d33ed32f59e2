//! Unbreakable under faults: the built binary against a fake GitHub that fails, drops
//! connections and rate-limits, as GitHub does on a bad day. These tests use real time, kept
//! short: the waits GitHub asks for here are a second or two.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use fake_github::{FakeGitHub, Faults, Limits};

mod common;
use common::{Run, TOKEN, deleted_ids, npm_history, run_action};

fn prune_keeping(fake: &FakeGitHub, keep: &str, extra: &[(&str, &str)]) -> Run {
    let mut inputs = vec![
        ("command", "prune"),
        ("owner", "acme"),
        ("package-type", "npm"),
        ("packages", "web"),
        ("keep-n", keep),
    ];
    inputs.extend_from_slice(extra);
    let run = run_action(fake, &inputs);
    run.assert_token_not_leaked(TOKEN);
    run
}

#[test]
fn with_fifteen_percent_failures_exactly_the_planned_set_is_deleted() {
    let faults = Faults::default()
        .fail_rate(0.15)
        .drop_rate(0.05)
        .drop_applied_share(0.5)
        .rng_seed(7);
    let fake = FakeGitHub::spawn(npm_history(60).with_faults(faults)).unwrap();
    let run = prune_keeping(&fake, "10", &[]);
    assert!(run.success(), "{run:?}");
    let planned: Vec<u64> = (11..=60).collect();
    assert_eq!(deleted_ids(&fake), planned, "nothing more, nothing less");
    assert_eq!(run.ids("deleted"), planned);
    assert_eq!(run.outputs["failed-count"], "0");
    let counters = fake.counters();
    assert!(
        counters.injected_failures > 0,
        "the faults happened: {counters:?}"
    );
    assert!(
        counters.dropped_connections > 0,
        "connections were dropped: {counters:?}"
    );
    assert!(run.summary.contains("retries: "), "{}", run.summary);
}

#[test]
fn a_secondary_limit_storm_ends_in_success_without_hammering() {
    // At most 2 requests at once, each taking 100 ms: our 16 in flight meet 403s with
    // `retry-after: 1`, wait as asked, and finish.
    let fake = FakeGitHub::spawn(
        npm_history(30)
            .with_faults(Faults::default().latency(Duration::from_millis(100)))
            .with_limits(Limits::default().max_concurrent(2)),
    )
    .unwrap();
    let run = prune_keeping(&fake, "5", &[]);
    assert!(run.success(), "{run:?}");
    assert_eq!(deleted_ids(&fake), (6..=30).collect::<Vec<_>>());
    let counters = fake.counters();
    assert!(
        counters.secondary_limit_hits > 0,
        "the storm happened: {counters:?}"
    );
    assert!(
        run.summary.contains("rate-limit waits: "),
        "{}",
        run.summary
    );
}

#[test]
fn a_lower_points_budget_is_never_exceeded() {
    // The fake enforces 60 points a minute; we are told the same and must never be refused.
    let fake = FakeGitHub::spawn(
        npm_history(12).with_limits(Limits::default().secondary_points_per_minute(60)),
    )
    .unwrap();
    let run = prune_keeping(&fake, "2", &[("points-per-minute", "60")]);
    assert!(run.success(), "{run:?}");
    assert_eq!(deleted_ids(&fake), (3..=12).collect::<Vec<_>>());
    assert_eq!(
        fake.counters().secondary_limit_hits,
        0,
        "paced within the budget"
    );
}

#[test]
fn a_spent_primary_budget_stops_cleanly_and_says_what_is_left() {
    let fake =
        FakeGitHub::spawn(npm_history(40).with_limits(Limits::default().primary_per_hour(5_000)))
            .unwrap();
    // 30 requests left this hour, reset in an hour: listing takes a few, the margin is kept.
    fake.set_primary_budget(TOKEN, 30, Utc::now() + TimeDelta::hours(1));
    let run = prune_keeping(&fake, "0", &[("delete-package-when-empty", "false")]);
    assert!(
        run.success(),
        "exit 0: the rest is for the next run: {run:?}"
    );
    let deleted: usize = run.outputs["deleted-count"].parse().unwrap();
    let remaining: usize = run.outputs["remaining-count"].parse().unwrap();
    assert!(
        deleted > 0 && remaining > 0,
        "{deleted} deleted, {remaining} left"
    );
    assert_eq!(
        deleted + remaining,
        39,
        "every planned deletion is done or left"
    );
    assert_eq!(deleted_ids(&fake).len(), deleted);
    assert_eq!(
        fake.counters().primary_limit_hits,
        0,
        "stopped before the limit"
    );
    assert!(
        run.summary.contains("left for the next run"),
        "{}",
        run.summary
    );
    // Oldest first: what was deleted is older than what is left.
    let oldest_left = run.json("deleted").as_array().unwrap().len();
    assert!(oldest_left > 0);
    assert_eq!(
        deleted_ids(&fake),
        (41 - deleted as u64..=40).collect::<Vec<_>>()
    );
}

#[test]
fn max_wait_waits_for_the_reset_instead() {
    let fake =
        FakeGitHub::spawn(npm_history(8).with_limits(Limits::default().primary_per_hour(5_000)))
            .unwrap();
    fake.set_primary_budget(TOKEN, 12, Utc::now() + TimeDelta::seconds(2));
    let run = prune_keeping(&fake, "0", &[("max-wait", "1m")]);
    assert!(run.success(), "{run:?}");
    assert_eq!(run.outputs["remaining-count"], "0");
    assert_eq!(deleted_ids(&fake).len(), 7);
}
