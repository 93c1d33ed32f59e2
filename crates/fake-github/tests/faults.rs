//! Fault and rate-limit emulation: latency, 5xx answers, dropped connections, GitHub's secondary
//! and primary limits. Time-dependent tests run on a paused tokio clock, with the fake on the
//! test's runtime (`FakeGitHub::start`), so minutes pass in an instant and nothing depends on how
//! fast the machine is.

mod common;

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use common::{Api, Reply};
use fake_github::{Fault, Faults, Limits, PackageSeed, PackageType, Seed, VersionSeed};
use reqwest::Method;
use tokio::time::Instant;

const TOKEN: &str = "test-token";
const LIB: &str = "/orgs/acme/packages/npm/lib";
/// The first of the package's version ids (they are numbered from 1000 in seed order).
const FIRST_ID: u64 = 1000;
const VERSIONS: u64 = 200;

const SECONDARY_MESSAGE: &str = "You have exceeded a secondary rate limit. Please wait a few \
    minutes before you try again. If you reach out to GitHub Support for help, please include the \
    request ID";
const SECONDARY_DOCS: &str = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";

/// An npm package with [`VERSIONS`] versions, so there is always one more to delete.
fn seed() -> Seed {
    let start: DateTime<Utc> = "2024-01-01T00:00:00Z".parse().expect("a timestamp");
    Seed::default()
        .with_org("acme")
        .with_user("octocat")
        .with_token(TOKEN, "octocat")
        .with_package(PackageSeed::new("acme", PackageType::Npm, "lib").versions(
            (0..VERSIONS).map(|i| {
                VersionSeed::new(format!("1.0.{i}"))
                    .created_at(start + TimeDelta::hours(i64::try_from(i).unwrap_or(0)))
            }),
        ))
}

async fn api(faults: Faults, limits: Limits) -> Api {
    Api::start(seed().with_faults(faults).with_limits(limits), Some(TOKEN)).await
}

fn version(id: u64) -> String {
    format!("{LIB}/versions/{id}")
}

/// Deletes version `id`, returning the reply.
async fn delete(api: &Api, id: u64) -> Reply {
    api.send(Method::DELETE, &version(id)).await
}

/// The ids of the package's deleted versions.
fn deleted_ids(api: &Api) -> Vec<u64> {
    let state = api.github.state();
    let package = state
        .package("acme", PackageType::Npm, "lib")
        .expect("seeded");
    package
        .versions
        .iter()
        .filter(|version| version.deleted_at.is_some())
        .map(|version| version.id)
        .collect()
}

/// Sends a DELETE the fake is expected to drop, returning the client's error.
async fn dropped_delete(api: &Api, id: u64) -> reqwest::Error {
    let request = api
        .client()
        .delete(api.url(&version(id)))
        .bearer_auth(TOKEN)
        .send();
    // A bound on a hang, should the fake forget to close the connection; not a timing check.
    let result = tokio::time::timeout(Duration::from_secs(30), request)
        .await
        .expect("the fake closes the connection instead of leaving the client waiting");
    result.expect_err("the connection was dropped, so there is no response")
}

#[tokio::test(start_paused = true)]
async fn latency_and_jitter_delay_every_answer_on_tokios_clock() {
    let latency = Duration::from_millis(250);
    let jitter = Duration::from_millis(100);
    let api = api(
        Faults::default()
            .latency(latency)
            .jitter(jitter)
            .rng_seed(3),
        Limits::default(),
    )
    .await;
    for path in [LIB, "/v2/"] {
        let start = Instant::now();
        let reply = api.get(path).await;
        let elapsed = start.elapsed();
        assert!(
            [200, 401].contains(&reply.status),
            "{path}: {}",
            reply.status
        );
        assert!(
            elapsed >= latency && elapsed < latency + jitter,
            "{path}: {elapsed:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_counters_keep_the_most_requests_of_each_method_in_flight_at_once() {
    let api = api(
        Faults::default().latency(Duration::from_millis(200)),
        Limits::default(),
    )
    .await;
    // Three deletions sent together overlap in the latency; the GETs after them go one by one.
    let together = tokio::join!(
        delete(&api, FIRST_ID),
        delete(&api, FIRST_ID + 1),
        delete(&api, FIRST_ID + 2)
    );
    for reply in [together.0, together.1, together.2] {
        assert_eq!(reply.status, 204);
    }
    for _ in 0..2 {
        assert_eq!(api.get(LIB).await.status, 200);
    }
    let peaks = api.github.counters().peak_in_flight;
    assert_eq!(peaks.get("DELETE"), Some(&3), "{peaks:?}");
    assert_eq!(peaks.get("GET"), Some(&1), "{peaks:?}");
}

#[tokio::test]
async fn failures_follow_the_seed_and_change_nothing() {
    let faults = Faults::default().fail_rate(0.3).rng_seed(11);
    let statuses = |api: Api| async move {
        let mut statuses = Vec::new();
        for id in FIRST_ID..FIRST_ID + 40 {
            let reply = delete(&api, id).await;
            if reply.status >= 500 {
                let expected = match reply.status {
                    502 => "Server Error",
                    503 => {
                        "No server is currently available to service your request. Sorry about \
                         that. Please try resubmitting your request and contact us if the problem \
                         persists."
                    }
                    other => panic!("unexpected status {other}"),
                };
                assert_eq!(reply.message(), expected);
            }
            statuses.push(reply.status);
        }
        // Exactly the versions whose DELETE was answered 204 are gone.
        let succeeded: Vec<u64> = (FIRST_ID..)
            .zip(&statuses)
            .filter(|&(_, &status)| status == 204)
            .map(|(id, _)| id)
            .collect();
        assert_eq!(deleted_ids(&api), succeeded);
        let failed = statuses.iter().filter(|&&status| status >= 500).count();
        assert_eq!(api.github.counters().injected_failures, failed as u64);
        let logged = api
            .github
            .requests()
            .iter()
            .filter(|r| r.fault == Some(Fault::ServerError))
            .count();
        assert_eq!(logged, failed);
        statuses
    };

    let first = statuses(api(faults.clone(), Limits::default()).await).await;
    let again = statuses(api(faults.clone(), Limits::default()).await).await;
    assert_eq!(first, again, "the same seed replays the same failures");
    assert!(first.contains(&502) && first.contains(&503) && first.contains(&204));
    let failed = first.iter().filter(|&&status| status >= 500).count();
    assert!(
        (4..=24).contains(&failed),
        "{failed} of 40 failed at a rate of 0.3"
    );

    let other_seed = statuses(api(faults.rng_seed(12), Limits::default()).await).await;
    assert_ne!(first, other_seed);
}

#[tokio::test]
async fn dropped_connections_reach_the_client_as_errors_and_change_nothing() {
    let api = api(
        Faults::default().drop_rate(1.0).drop_applied_share(0.0),
        Limits::default(),
    )
    .await;
    let error = dropped_delete(&api, FIRST_ID).await;
    assert!(error.status().is_none() && !error.is_timeout(), "{error:?}");
    assert!(deleted_ids(&api).is_empty());
    // Reads are dropped the same way.
    assert!(
        api.client()
            .get(api.url(LIB))
            .bearer_auth(TOKEN)
            .send()
            .await
            .is_err()
    );

    let log = api.github.requests();
    assert_eq!(log[0].status, 0);
    assert_eq!(log[0].fault, Some(Fault::Dropped));
    let counters = api.github.counters();
    assert_eq!(
        (
            counters.dropped_connections,
            counters.dropped_after_applying
        ),
        (2, 0)
    );

    // Without faults the same request goes through, on a new connection.
    api.github.set_faults(Faults::default());
    assert_eq!(delete(&api, FIRST_ID).await.status, 204);
}

#[tokio::test]
async fn a_dropped_delete_may_have_happened_and_its_retry_meets_404() {
    let api = api(
        Faults::default().drop_rate(1.0).drop_applied_share(1.0),
        Limits::default(),
    )
    .await;
    dropped_delete(&api, FIRST_ID).await;
    // GitHub carried the delete out; only the answer was lost.
    assert_eq!(deleted_ids(&api), [FIRST_ID]);
    assert_eq!(
        api.github.requests()[0].fault,
        Some(Fault::DroppedAfterApplying)
    );

    api.github.set_faults(Faults::default());
    let retry = delete(&api, FIRST_ID).await;
    assert_eq!(retry.status, 404);
    let counters = api.github.counters();
    assert_eq!(
        (
            counters.dropped_connections,
            counters.dropped_after_applying
        ),
        (1, 1)
    );
}

#[tokio::test]
async fn drops_follow_the_seed() {
    let faults = Faults::default().drop_rate(0.5).rng_seed(99);
    let outcomes = |api: Api| async move {
        let mut outcomes = Vec::new();
        for _ in 0..20 {
            let sent = api
                .client()
                .get(api.url(LIB))
                .bearer_auth(TOKEN)
                .send()
                .await;
            outcomes.push(sent.is_ok());
        }
        let dropped = outcomes.iter().filter(|&&ok| !ok).count();
        assert_eq!(api.github.counters().dropped_connections, dropped as u64);
        outcomes
    };
    let first = outcomes(api(faults.clone(), Limits::default()).await).await;
    assert_eq!(first, outcomes(api(faults, Limits::default()).await).await);
    assert!(first.contains(&true) && first.contains(&false), "{first:?}");
}

#[tokio::test(start_paused = true)]
async fn the_secondary_limit_counts_points_over_a_sliding_minute() {
    let api = api(
        Faults::default(),
        Limits::default().secondary_points_per_minute(900),
    )
    .await;
    let mut next_id = FIRST_ID;
    let mut delete_next = async || {
        let reply = delete(&api, next_id).await;
        if reply.status == 204 {
            next_id += 1;
        }
        reply
    };

    // 90 deletes now and 90 half a minute later: 900 points, all within one minute.
    for _ in 0..90 {
        assert_eq!(delete_next().await.status, 204);
    }
    tokio::time::advance(Duration::from_secs(30)).await;
    for _ in 0..90 {
        assert_eq!(delete_next().await.status, 204);
    }

    // The 181st would make 905: it waits until the first 90 leave the window, 30 s from now.
    let refused = delete_next().await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.header("retry-after"), Some("30"));
    assert!(
        refused.message().starts_with(SECONDARY_MESSAGE),
        "{}",
        refused.message()
    );
    let request_id = refused.header("x-github-request-id").expect("a request id");
    assert!(refused.message().ends_with(&format!("{request_id}.")));
    assert_eq!(refused.json["documentation_url"], SECONDARY_DOCS);
    assert_eq!(
        deleted_ids(&api).len(),
        180,
        "a refused request changes nothing"
    );

    tokio::time::advance(Duration::from_secs(29)).await;
    let still = delete_next().await;
    assert_eq!(
        (still.status, still.header("retry-after")),
        (403, Some("1"))
    );
    // Even a GET (1 point) does not fit in a full window.
    assert_eq!(api.get(LIB).await.status, 403);

    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(delete_next().await.status, 204);
    assert_eq!(deleted_ids(&api).len(), 181);
    assert_eq!(api.github.counters().secondary_limit_hits, 3);
    assert_eq!(
        api.github
            .requests()
            .iter()
            .filter(|r| r.fault == Some(Fault::SecondaryRateLimit))
            .count(),
        3
    );
}

#[tokio::test(start_paused = true)]
async fn requests_over_the_concurrency_cap_are_refused() {
    // Latency keeps requests in flight long enough to overlap.
    let api = api(
        Faults::default().latency(Duration::from_secs(1)),
        Limits::default().max_concurrent(2),
    )
    .await;
    let (a, b, c) = tokio::join!(api.get(LIB), api.get(LIB), api.get(LIB));
    let mut statuses = [a.status, b.status, c.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 403]);
    let refused = [a, b, c]
        .into_iter()
        .find(|reply| reply.status == 403)
        .expect("one refusal");
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert!(refused.message().starts_with(SECONDARY_MESSAGE));

    // Once the others have finished there is room again.
    assert_eq!(api.get(LIB).await.status, 200);
    assert_eq!(api.github.counters().secondary_limit_hits, 1);
}

#[tokio::test(start_paused = true)]
async fn the_primary_budget_runs_out_and_resets_after_the_hour() {
    let api = api(Faults::default(), Limits::default().primary_per_hour(3)).await;
    let mut remaining = Vec::new();
    let mut resets = Vec::new();
    for _ in 0..3 {
        let reply = api.get(LIB).await;
        assert_eq!(reply.status, 200);
        remaining.push(reply.header("x-ratelimit-remaining").map(str::to_owned));
        resets.push(reply.header("x-ratelimit-reset").map(str::to_owned));
    }
    assert_eq!(
        remaining,
        [Some("2".into()), Some("1".into()), Some("0".into())]
    );

    let user_id = api.get("/user").await;
    assert_eq!(user_id.status, 403);
    let octocat = api
        .github
        .state()
        .owners
        .iter()
        .find(|owner| owner.login == "octocat")
        .map(|owner| owner.id)
        .expect("seeded");
    assert_eq!(
        user_id.message(),
        format!("API rate limit exceeded for user ID {octocat}.")
    );
    assert_eq!(user_id.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(user_id.header("x-ratelimit-used"), Some("3"));
    assert_eq!(user_id.header("x-ratelimit-reset"), resets[0].as_deref());
    assert!(user_id.header("retry-after").is_none());
    let refused_delete = delete(&api, FIRST_ID).await;
    assert_eq!(refused_delete.status, 403);
    assert!(deleted_ids(&api).is_empty());

    // The fake's clock follows tokio's: an hour later the budget is whole again.
    tokio::time::advance(Duration::from_secs(3600)).await;
    let fresh = api.get(LIB).await;
    assert_eq!(
        (fresh.status, fresh.header("x-ratelimit-remaining")),
        (200, Some("2"))
    );
    assert_eq!(api.github.counters().primary_limit_hits, 2);
}

#[tokio::test]
async fn tests_can_set_the_budget_directly() {
    let api = api(Faults::default(), Limits::default().primary_per_hour(5000)).await;
    let reset = DateTime::from_timestamp(1_900_000_000, 0).expect("in range");
    api.github.set_primary_budget(TOKEN, 0, reset);
    let spent = api.get(LIB).await;
    assert_eq!(spent.status, 403);
    assert_eq!(spent.header("x-ratelimit-reset"), Some("1900000000"));

    api.github.set_primary_budget(TOKEN, 10, reset);
    let allowed = api.get(LIB).await;
    assert_eq!(
        (allowed.status, allowed.header("x-ratelimit-remaining")),
        (200, Some("9"))
    );

    // Anonymous callers share one budget and are told so by address.
    api.github.set_primary_budget("", 0, reset);
    let anonymous = api.send_with(Method::GET, "/users/octocat", None).await;
    assert_eq!(anonymous.status, 403);
    assert!(
        anonymous
            .message()
            .starts_with("API rate limit exceeded for 127.0.0.1."),
        "{}",
        anonymous.message()
    );

    // Unenforced, the budget is only reported.
    api.github.set_limits(Limits::default());
    api.github.set_primary_budget(TOKEN, 0, reset);
    let reported = api.get(LIB).await;
    assert_eq!(
        (reported.status, reported.header("x-ratelimit-remaining")),
        (200, Some("0"))
    );
}

#[tokio::test]
async fn counters_add_up_requests_by_method() {
    let api = api(Faults::default(), Limits::default()).await;
    api.get(LIB).await;
    api.get(&version(FIRST_ID)).await;
    delete(&api, FIRST_ID).await;
    api.send(Method::POST, &format!("{}/restore", version(FIRST_ID)))
        .await;
    api.github.clear_requests();
    let counters = api.github.counters();
    assert_eq!(counters.requests, 4);
    let by_method: Vec<(&str, u64)> = counters
        .by_method
        .iter()
        .map(|(method, count)| (method.as_str(), *count))
        .collect();
    assert_eq!(by_method, [("DELETE", 1), ("GET", 2), ("POST", 1)]);
    assert_eq!(
        (
            counters.secondary_limit_hits,
            counters.primary_limit_hits,
            counters.injected_failures,
            counters.dropped_connections
        ),
        (0, 0, 0, 0)
    );
    let summary = counters.to_string();
    assert!(
        summary.starts_with("requests: 4 (0 to the registry)"),
        "{summary}"
    );
}
