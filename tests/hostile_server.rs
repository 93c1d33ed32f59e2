//! A server that is not the GitHub it should be: the built binary, run as a workflow runs it,
//! against the fake in one of its hostile modes (see `fake_github::Hostile`). Whatever the
//! server does, the run ends, says what happened in words a user can act on, deletes nothing it
//! should not, and never shows the token.
//!
//! A run that never ends is what several of these modes used to cause: `common::run_binary`
//! kills a run past its hang guard, and the test fails.

use fake_github::{FakeGitHub, Hostile};

mod common;
use common::{Run, TOKEN, deleted_ids, npm_history, run_action, run_binary};

/// A fake of `npm_history(n)` that misbehaves as `hostile` says from the first request.
fn hostile_fake(n: u64, hostile: Hostile) -> FakeGitHub {
    let fake = FakeGitHub::spawn(npm_history(n)).expect("the fake starts");
    fake.set_hostile(Some(hostile));
    fake
}

/// `prune` of `web` keeping the newest version, with `extra` inputs.
fn prune(fake: &FakeGitHub, extra: &[(&str, &str)]) -> Run {
    let mut inputs = vec![
        ("command", "prune"),
        ("owner", "acme"),
        ("package-type", "npm"),
        ("packages", "web"),
        ("keep-n", "1"),
        ("delete-package-when-empty", "false"),
    ];
    inputs.extend_from_slice(extra);
    let run = run_action(fake, &inputs);
    run.assert_token_not_leaked(TOKEN);
    run
}

fn deletes_sent(fake: &FakeGitHub) -> u64 {
    fake.counters()
        .by_method
        .get("DELETE")
        .copied()
        .unwrap_or(0)
}

/// Everything a user reads: the log, the outputs, the summary.
fn everything(run: &Run) -> String {
    let outputs: Vec<&str> = run.outputs.values().map(String::as_str).collect();
    format!(
        "{}\n{}\n{}\n{}",
        run.stdout,
        run.stderr,
        outputs.join("\n"),
        run.summary
    )
}

#[test]
fn a_token_echoed_by_the_server_is_redacted_from_outputs_summary_report_and_log() {
    let fake = hostile_fake(5, Hostile::EchoToken);
    let run = prune(&fake, &[]);
    assert!(!run.success(), "every deletion failed: {run:?}");
    assert_eq!(run.outputs["failed-count"], "4", "{run:?}");
    assert!(deleted_ids(&fake).is_empty());
    // The server's message is kept, with the token taken out.
    let failed = run.json("failed").to_string();
    assert!(
        failed.contains("Validation Failed") && failed.contains("Bearer ***"),
        "{failed}"
    );
    assert!(run.summary.contains("Validation Failed"), "{}", run.summary);
    // `assert_token_not_leaked` (in `prune`) read every file in RUNNER_TEMP: the report is one.
    let report = std::fs::read_to_string(&run.outputs["report"]).expect("the report file");
    assert!(report.contains("Bearer ***"), "{report}");
}

#[test]
fn a_token_echoed_by_the_server_is_redacted_at_a_terminal() {
    let fake = hostile_fake(5, Hostile::EchoToken);
    let base_url = fake.base_url();
    let run = run_binary(
        &[
            "prune",
            "--owner",
            "acme",
            "--package-type",
            "npm",
            "--packages",
            "web",
            "--keep-n",
            "1",
            "--delete-package-when-empty",
            "false",
            "--api-url",
            &base_url,
            "--registry-url",
            &base_url,
        ],
        &[
            ("GITHUB_TOKEN".to_string(), TOKEN.to_string()),
            ("RUST_LOG".to_string(), "trace".to_string()),
        ],
    );
    assert!(!run.success(), "{run:?}");
    assert!(
        everything(&run).contains("Validation Failed"),
        "the failures are shown: {run:?}"
    );
    run.assert_token_not_leaked(TOKEN);
}

#[test]
fn a_link_that_loops_ends_the_run_with_a_clear_error_and_deletes_nothing() {
    // 150 versions: page 1, page 2, then `next` leads back to page 1.
    let fake = hostile_fake(150, Hostile::LoopingLink);
    let run = prune(&fake, &[]);
    assert!(!run.success(), "{run:?}");
    let errors = run.errors().join("\n");
    assert!(
        errors.contains("the listing did not finish") && errors.contains("the pages loop"),
        "{run:?}"
    );
    assert!(
        errors.contains("/orgs/acme/packages/npm/web/versions"),
        "{errors}"
    );
    assert_eq!(
        deletes_sent(&fake),
        0,
        "nothing is planned from half a listing"
    );
    assert!(deleted_ids(&fake).is_empty());
    assert!(
        fake.counters().requests < 10,
        "it stopped at the first page read twice: {} requests",
        fake.counters().requests
    );
}

#[test]
fn a_link_that_leads_to_pages_with_nothing_new_ends_the_run() {
    // 5 versions fit on page 1; `next` leads to an empty page 2, which links back to page 1.
    let fake = hostile_fake(5, Hostile::LoopingLink);
    let run = prune(&fake, &[]);
    assert!(!run.success(), "{run:?}");
    assert!(
        run.errors()
            .join("\n")
            .contains("brought nothing that earlier pages did not"),
        "{run:?}"
    );
    assert_eq!(deletes_sent(&fake), 0);
}

#[test]
fn a_link_naming_a_billion_pages_is_refused_before_they_are_read() {
    let fake = hostile_fake(5, Hostile::HugeLastPage);
    let run = prune(&fake, &[]);
    assert!(!run.success(), "{run:?}");
    assert!(
        run.errors()
            .join("\n")
            .contains("names page 1000000000 as the last one"),
        "{run:?}"
    );
    assert_eq!(deletes_sent(&fake), 0);
    assert!(fake.counters().requests < 10, "{:?}", fake.counters());
}

#[test]
fn a_retry_after_of_three_years_is_not_obeyed_and_the_rest_is_left_for_the_next_run() {
    for max_wait in ["0s", "10m"] {
        let fake = hostile_fake(5, Hostile::HugeRetryAfter);
        let run = prune(&fake, &[("max-wait", max_wait)]);
        assert!(
            run.success(),
            "max-wait {max_wait}: stopped cleanly: {run:?}"
        );
        assert_eq!(run.outputs["deleted-count"], "0", "{run:?}");
        assert_eq!(run.outputs["failed-count"], "0", "{run:?}");
        assert_eq!(run.outputs["remaining-count"], "4", "{run:?}");
        assert_eq!(
            deletes_sent(&fake),
            1,
            "max-wait {max_wait}: nothing more is sent once a server asks for that long a wait"
        );
        let warning = run
            .stdout
            .lines()
            .find(|l| l.starts_with("::warning::Stopped early"))
            .unwrap_or_else(|| panic!("a warning says why: {run:?}"));
        assert!(
            warning.contains("retry-after: 99999999") && warning.contains("1157 days"),
            "{warning}"
        );
        let bound = match max_wait {
            "0s" => "15 min package-warden waits at most when max-wait is not set",
            _ => "max-wait (10 min)",
        };
        assert!(warning.contains(bound), "{warning}");
        assert!(
            run.summary.contains("Left for the next run (4)"),
            "{}",
            run.summary
        );
    }
}

#[test]
fn a_redirect_says_where_it_points_and_that_it_is_not_followed() {
    let location = "https://api.example.invalid/orgs/acme-renamed";
    let fake = hostile_fake(
        5,
        Hostile::Redirect {
            location: location.into(),
        },
    );
    let run = prune(&fake, &[]);
    assert!(!run.success(), "{run:?}");
    let errors = run.errors().join("\n");
    assert!(
        errors.contains("answered 302")
            && errors.contains(&format!("redirecting to {location}"))
            && errors.contains("does not follow redirects")
            && errors.contains("renamed")
            && errors.contains("`api-url`"),
        "{errors}"
    );
    assert!(!errors.contains(": ."), "no empty message: {errors}");
    assert_eq!(fake.counters().requests, 1, "the redirect was not followed");
}

#[test]
fn a_403_from_a_server_that_is_not_github_is_not_blamed_on_the_token() {
    let fake = hostile_fake(5, Hostile::NotGitHub);
    let run = prune(&fake, &[]);
    assert!(!run.success(), "{run:?}");
    let errors = run.errors().join("\n");
    let host = fake.local_addr().to_string();
    assert!(
        errors.contains(&format!("the server at {host} refused the request (403)"))
            && errors.contains("does not look like GitHub's API")
            && errors.contains("text/html")
            && errors.contains("GITHUB_API_URL")
            && errors.contains("proxy"),
        "{errors}"
    );
    for blame in ["permission", "scope", "lacks"] {
        assert!(!errors.contains(blame), "{blame}: {errors}");
    }
}

#[test]
fn a_rate_limit_whose_reset_has_passed_is_not_called_spent() {
    let fake = hostile_fake(5, Hostile::RateLimitResetInPast);
    let run = prune(&fake, &[]);
    assert!(!run.success(), "the deletion failed: {run:?}");
    // A low budget with a reset that has passed does not hold the listing up.
    assert_eq!(run.outputs["failed-count"], "4", "{run:?}");
    let failed = run.json("failed").to_string();
    assert!(
        failed.contains("API rate limit exceeded") && failed.contains("has already passed"),
        "{failed}"
    );
    let all = everything(&run);
    assert!(!all.contains("spent"), "{all}");
    assert!(!all.contains("requests left"), "{all}");
    assert_eq!(run.outputs["remaining-count"], "0");
    assert_eq!(
        deletes_sent(&fake),
        1,
        "the same refusal is not asked for four times"
    );
    assert!(deleted_ids(&fake).is_empty());
}
