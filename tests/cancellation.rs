//! A cancelled run: GitHub cancels a job with SIGINT, then SIGTERM 7.5 s later. The run stops
//! sending, reports what it did (outputs, summary, journal) and exits 130 or 143; `undo` with
//! the journal brings back exactly what it deleted.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use fake_github::{FakeGitHub, Faults, PackageSeed, PackageType, Seed, VersionSeed};
use serde_json::Value;

mod common;
use common::{Run, Spawned, TOKEN, action_env, deleted_ids, run_action, spawn_binary};

/// `app`: 80 old untagged builds (ids 1–80) to prune, `latest` (id 100) to keep, and two builds
/// someone else deleted before the run (ids 201–202).
fn seed() -> Seed {
    let old = Utc::now() - TimeDelta::hours(24 * 40);
    let mut package = PackageSeed::new("acme", PackageType::Npm, "app")
        .version(VersionSeed::new("9.0.0").id(100).created_at(Utc::now()));
    for id in 1..=80 {
        package = package.version(VersionSeed::new(format!("0.0.{id}")).id(id).created_at(old));
    }
    for id in [201, 202] {
        package = package.version(
            VersionSeed::new(format!("0.1.{id}"))
                .id(id)
                .created_at(old)
                .deleted_at(old),
        );
    }
    Seed::default()
        .with_org("acme")
        .with_user("acme-bot")
        .with_token(TOKEN, "acme-bot")
        .with_package(package)
}

fn start_prune(fake: &FakeGitHub) -> Spawned {
    let env = action_env(
        fake,
        &[
            ("command", "prune"),
            ("owner", "acme"),
            ("package-type", "npm"),
            ("packages", "app"),
            ("keep-n", "1"),
            ("concurrency", "2"),
        ],
    );
    spawn_binary(&[], &env)
}

/// Waits (without a deadline on the run itself) until the fake has answered `count` DELETEs.
fn wait_for_deletions(fake: &FakeGitHub, count: usize) {
    for _ in 0..6000 {
        let sent = fake
            .requests()
            .iter()
            .filter(|r| r.method == "DELETE")
            .count();
        if sent >= count {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("the run never sent {count} deletions");
}

/// The entries of the run's journal written so far (a line being written is skipped).
fn journal_entries(run: &Spawned) -> Vec<Value> {
    std::fs::read_dir(run.temp_path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|f| f.file_name().to_string_lossy().ends_with(".journal.jsonl"))
        .map(|f| std::fs::read_to_string(f.path()).unwrap_or_default())
        .flat_map(|text| {
            text.lines()
                .filter_map(|line| serde_json::from_str(line).ok())
                .collect::<Vec<Value>>()
        })
        .collect()
}

/// The ids the journal says were sent and has no outcome for yet.
fn unanswered(run: &Spawned) -> BTreeSet<u64> {
    let mut sent = BTreeSet::new();
    for entry in journal_entries(run) {
        let id = entry["id"].as_u64();
        match (entry["event"].as_str(), id) {
            (Some("sending"), Some(id)) => {
                sent.insert(id);
            }
            (Some("outcome"), Some(id)) => {
                sent.remove(&id);
            }
            _ => {}
        }
    }
    sent
}

/// Waits until some DELETE has stayed unanswered for `window`.
fn wait_for_hung_request(run: &Spawned, window: Duration) {
    let mut since: Option<(std::time::Instant, BTreeSet<u64>)> = None;
    for _ in 0..12_000 {
        let now = unanswered(run);
        since = match since {
            Some((at, before)) if before.intersection(&now).next().is_some() => {
                if at.elapsed() >= window {
                    return;
                }
                Some((at, before.intersection(&now).copied().collect()))
            }
            _ if now.is_empty() => None,
            _ => Some((std::time::Instant::now(), now)),
        };
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("no DELETE stayed unanswered for {window:?}");
}

fn journal_lines(run: &Run) -> Vec<Value> {
    let path = run.outputs.get("journal").expect("a `journal` output");
    std::fs::read_to_string(path)
        .expect("the journal exists")
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

/// What a cancelled run must leave: deleted some, not all; every version it deleted in the
/// `deleted` output and the journal; the rest reported as not sent; the exit code of the signal.
fn assert_cancelled_cleanly(fake: &FakeGitHub, run: &Run, exit_code: i32) {
    assert_eq!(run.code, Some(exit_code), "{run:?}");
    let gone: Vec<u64> = deleted_ids(fake)
        .into_iter()
        .filter(|id| *id < 200)
        .collect();
    assert!(
        !gone.is_empty() && gone.len() < 80,
        "stopped midway: {gone:?}"
    );
    assert!(!gone.contains(&100), "`latest` is kept");
    // Every deletion that happened is in the `deleted` output: the run waited for the requests
    // in flight (the fake answers fast).
    assert_eq!(run.ids("deleted"), gone, "{run:?}");
    assert_eq!(run.outputs["deleted-count"], gone.len().to_string());
    let failed = run.json("failed");
    let failed = failed.as_array().unwrap();
    assert_eq!(failed.len(), 80 - gone.len(), "the others are reported");
    assert!(
        failed.iter().all(|f| f["error"]
            .as_str()
            .unwrap()
            .contains("the run was cancelled")),
        "{failed:?}"
    );
    assert!(
        run.summary.contains("not sent: the run was cancelled"),
        "{}",
        run.summary
    );
    assert!(
        run.stdout.contains("::error::cancelled by SIG"),
        "{}",
        run.stdout
    );
    // The journal: a start line, then `sending` before each DELETE and its outcome after.
    let journal = journal_lines(run);
    assert_eq!(journal[0]["event"], "start");
    assert_eq!(journal[0]["owner"], "acme");
    let sent: Vec<u64> = journal
        .iter()
        .filter(|e| e["event"] == "sending")
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    let mut sent_sorted = sent.clone();
    sent_sorted.sort_unstable();
    assert_eq!(sent_sorted, gone, "exactly what was sent is in the journal");
    assert!(journal.last().unwrap()["cancelled_by"].is_string());
}

/// Restores with the journal, and checks the package is as it was before the prune.
fn undo_restores_exactly(fake: &FakeGitHub, run: &Run) {
    let journal = run.outputs["journal"].clone();
    let undo = run_action(
        fake,
        &[
            ("command", "restore"),
            ("owner", "acme"),
            ("package-type", "npm"),
            ("undo", &journal),
        ],
    );
    assert!(undo.success(), "{undo:?}");
    assert_eq!(
        deleted_ids(fake),
        [201, 202],
        "only what someone else deleted stays deleted"
    );
}

#[test]
fn sigint_stops_sending_reports_everything_and_undo_restores_it() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    fake.set_faults(Faults::default().latency(Duration::from_millis(30)));
    let run = start_prune(&fake);
    wait_for_deletions(&fake, 10);
    run.signal("INT");
    let run = run.wait();
    run.assert_token_not_leaked(TOKEN);
    assert_cancelled_cleanly(&fake, &run, 130);
    fake.set_faults(Faults::default());
    undo_restores_exactly(&fake, &run);
}

#[test]
fn sigterm_exits_143_with_the_same_record() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    fake.set_faults(Faults::default().latency(Duration::from_millis(30)));
    let run = start_prune(&fake);
    wait_for_deletions(&fake, 5);
    run.signal("TERM");
    let run = run.wait();
    assert_cancelled_cleanly(&fake, &run, 143);
}

#[test]
fn a_second_signal_abandons_requests_in_flight_and_the_journal_still_has_them() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    // Answers slower than any test waits: the requests in flight at the signals never finish.
    let run = start_prune(&fake);
    wait_for_deletions(&fake, 4);
    fake.set_faults(Faults::default().latency(Duration::from_secs(60)));
    // Requests sent before the latency was set are answered within milliseconds, even on a
    // loaded machine; one still unanswered after two seconds is hung.
    wait_for_hung_request(&run, Duration::from_secs(2));
    run.signal("INT");
    // GitHub sends SIGTERM 7.5 s after SIGINT; a moment apart is enough to keep their order.
    std::thread::sleep(Duration::from_millis(300));
    run.signal("TERM");
    let run = run.wait();
    assert_eq!(run.code, Some(130), "the first signal decides: {run:?}");
    let failed = run.json("failed");
    let in_flight: Vec<u64> = failed
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["error"].as_str().unwrap().contains("in flight"))
        .map(|f| f["id"].as_u64().unwrap())
        .collect();
    assert!(!in_flight.is_empty(), "{failed:?}");
    let journal = journal_lines(&run);
    for id in &in_flight {
        assert!(
            journal
                .iter()
                .any(|e| e["event"] == "sending" && e["id"] == *id),
            "{id} is in the journal as sent"
        );
    }
    // The slow answers land after the run ended: the fake applied those deletions.
    fake.set_faults(Faults::default());
    undo_restores_exactly(&fake, &run);
}

#[test]
fn a_cancelled_restore_reports_what_it_restored_and_stops() {
    // A prune deleted the 80 builds; now a restore of them is cancelled midway.
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let pruned = run_action(
        &fake,
        &[
            ("command", "prune"),
            ("owner", "acme"),
            ("package-type", "npm"),
            ("packages", "app"),
            ("keep-n", "1"),
        ],
    );
    assert!(pruned.success(), "{pruned:?}");
    let deleted_by_prune = deleted_ids(&fake).len();
    fake.set_faults(Faults::default().latency(Duration::from_millis(30)));
    let env = action_env(
        &fake,
        &[
            ("command", "restore"),
            ("owner", "acme"),
            ("package-type", "npm"),
            ("undo", &pruned.outputs["deleted"]),
            ("concurrency", "2"),
        ],
    );
    let run = spawn_binary(&[], &env);
    let restores = |fake: &FakeGitHub| {
        fake.requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count()
    };
    for _ in 0..6000 {
        if restores(&fake) >= 10 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    run.signal("INT");
    let run = run.wait();
    assert_eq!(run.code, Some(130), "{run:?}");
    let back = deleted_by_prune - deleted_ids(&fake).len();
    assert!((10..80).contains(&back), "stopped midway: {back} restored");
    assert_eq!(run.outputs["restored-count"], back.to_string(), "{run:?}");
    let failed = run.json("failed");
    assert_eq!(failed.as_array().unwrap().len(), 80 - back);
    assert!(
        run.summary
            .contains("not sent: the run was cancelled (SIGINT)")
    );
}
