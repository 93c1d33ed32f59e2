use super::*;

fn transport(points_per_minute: u32) -> Transport {
    Transport::new(TransportSettings {
        points_per_minute,
        ..TransportSettings::default()
    })
}

/// What was spent in every 60-second window starting at each spend, from the recorded times.
fn max_points_in_any_minute(spent: &[(Duration, u32)]) -> u32 {
    spent
        .iter()
        .map(|&(start, _)| {
            spent
                .iter()
                .filter(|&&(at, _)| at >= start && at < start + Duration::from_secs(60))
                .map(|&(_, points)| points)
                .sum()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test(start_paused = true)]
async fn the_pacer_never_exceeds_its_budget_in_any_minute() {
    let transport = transport(900);
    let start = Instant::now();
    let mut spent = Vec::new();
    // 400 DELETEs (2,000 points) and 300 GETs, interleaved.
    for i in 0..700 {
        let cost = if i % 7 < 4 { 5 } else { 1 };
        transport.spend_points(cost).await;
        spent.push((start.elapsed(), cost));
    }
    assert!(max_points_in_any_minute(&spent) <= 900);
    // 180 DELETEs fit in the first minute at once; the 181st waits for the window to slide.
    let deletes_in_first_minute: u32 = spent
        .iter()
        .filter(|&&(at, cost)| at < Duration::from_secs(60) && cost == 5)
        .count() as u32;
    assert!(deletes_in_first_minute <= 180);
    // And it does not wait longer than it must: 2,300 points at 900 per 61 s take under 3 windows.
    assert!(
        start.elapsed() < Duration::from_secs(3 * 61),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn a_lower_budget_paces_slower() {
    let transport = transport(100);
    let start = Instant::now();
    for _ in 0..40 {
        transport.spend_points(5).await;
    }
    // 200 points at 100 per window: the last 20 deletions wait a full window.
    assert!(start.elapsed() >= WINDOW, "{:?}", start.elapsed());
    assert!(start.elapsed() < 2 * WINDOW, "{:?}", start.elapsed());
}

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
    let mut response = http::Response::new(body.to_string());
    *response.status_mut() = StatusCode::from_u16(status).unwrap();
    for (name, value) in headers {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap();
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    Response::from(response)
}

#[tokio::test]
async fn rate_limits_are_read_as_github_describes() {
    let secondary = "You have exceeded a secondary rate limit. Please wait a few minutes.";
    // retry-after wins, exactly.
    let (_, limit) = rate_limit(response(403, &[("retry-after", "37")], secondary), 0).await;
    assert_eq!(
        limit,
        Some(Limit::Secondary {
            wait: Duration::from_secs(37),
            retry_after: Some(37),
        })
    );
    // The message alone: at least a minute, growing.
    let (_, limit) = rate_limit(response(403, &[], secondary), 0).await;
    assert_eq!(
        limit,
        Some(Limit::Secondary {
            wait: Duration::from_secs(60),
            retry_after: None,
        })
    );
    let (_, limit) = rate_limit(response(403, &[], secondary), 2).await;
    assert_eq!(
        limit,
        Some(Limit::Secondary {
            wait: Duration::from_secs(240),
            retry_after: None,
        })
    );
    // A spent primary budget: until the reset.
    let reset = (epoch_seconds() + 100).to_string();
    let (_, limit) = rate_limit(
        response(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", &reset),
            ],
            "API rate limit exceeded",
        ),
        0,
    )
    .await;
    let Some(Limit::Primary { wait, .. }) = limit else {
        panic!("{limit:?}")
    };
    assert!(
        wait > Duration::from_secs(95) && wait <= Duration::from_secs(101),
        "{wait:?}"
    );
    // A permission 403 is not a rate limit, and its body survives for the caller.
    let (response, limit) = rate_limit(
        response(
            403,
            &[("x-ratelimit-remaining", "4000")],
            r#"{"message":"Must have admin rights"}"#,
        ),
        0,
    )
    .await;
    assert_eq!(limit, None);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"message":"Must have admin rights"}"#
    );
}

#[test]
fn backoff_grows_with_jitter_and_a_cap() {
    let transport = transport(900);
    for failures in 1..=8 {
        let full =
            Duration::from_secs(2u64.pow((failures - 1).min(5))).min(Duration::from_secs(30));
        for _ in 0..20 {
            let wait = transport.backoff(failures);
            assert!(wait >= full / 2 && wait <= full, "{failures}: {wait:?}");
        }
    }
}

#[test]
fn writes_cost_five_points() {
    assert_eq!(points(&Method::GET), 1);
    assert_eq!(points(&Method::HEAD), 1);
    assert_eq!(points(&Method::DELETE), 5);
    assert_eq!(points(&Method::POST), 5);
}

#[tokio::test]
async fn a_spent_budget_whose_reset_has_passed_is_not_waited_for() {
    let past = (epoch_seconds() - 3600).to_string();
    let spent = [("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", &past)];
    let (_, limit) = rate_limit(response(403, &spent, "API rate limit exceeded"), 0).await;
    assert_eq!(limit, Some(Limit::ResetPassed));
    // Without a reset time, waiting is no use: the run stops instead.
    let (_, limit) = rate_limit(
        response(
            403,
            &[("x-ratelimit-remaining", "0")],
            "API rate limit exceeded",
        ),
        0,
    )
    .await;
    assert_eq!(
        limit,
        Some(Limit::Primary {
            wait: Duration::MAX,
            reset: None
        })
    );
    // A growing secondary wait stays within the ceiling.
    let (_, limit) = rate_limit(response(429, &[], ""), 7).await;
    assert_eq!(
        limit,
        Some(Limit::Secondary {
            wait: WAIT_CEILING,
            retry_after: None
        })
    );
}

#[test]
fn durations_read_like_a_person_would_say_them() {
    assert_eq!(human(Duration::from_secs(99_999_999)), "1157 days 9 h");
    assert_eq!(human(Duration::from_secs(2 * 3600 + 5 * 60)), "2 h 5 min");
    assert_eq!(human(WAIT_CEILING), "15 min");
    assert_eq!(human(Duration::from_secs(61)), "1 min 1 s");
    assert_eq!(human(Duration::ZERO), "0 s");
}
