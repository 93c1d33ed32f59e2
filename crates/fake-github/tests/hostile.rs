//! The hostile modes: answers GitHub would never give, each as documented on [`Hostile`].

mod common;

use common::Api;
use fake_github::{
    Fault, HUGE_LAST_PAGE, HUGE_RETRY_AFTER, Hostile, PackageSeed, PackageType, Seed, VersionSeed,
};
use reqwest::Method;

const TOKEN: &str = "ghp_hostileToken0123";
const VERSIONS: &str = "/orgs/acme/packages/npm/web/versions";
const VERSION: &str = "/orgs/acme/packages/npm/web/versions/3";

fn seed() -> Seed {
    Seed::default()
        .with_org("acme")
        .with_user("octocat")
        .with_token(TOKEN, "octocat")
        .with_package(
            PackageSeed::new("acme", PackageType::Npm, "web")
                .versions((1..=5).map(|i| VersionSeed::new(format!("1.0.{i}")).id(i))),
        )
}

async fn hostile(mode: Hostile) -> Api {
    let api = Api::start(seed(), Some(TOKEN)).await;
    api.github.set_hostile(Some(mode));
    api
}

fn version_3_active(api: &Api) -> bool {
    let state = api.github.state();
    let package = state
        .package("acme", PackageType::Npm, "web")
        .expect("seeded");
    package.version(3).expect("seeded").deleted_at.is_none()
}

#[tokio::test]
async fn echo_token_quotes_the_authorization_header_and_changes_nothing() {
    let api = hostile(Hostile::EchoToken).await;
    let reply = api.send(Method::DELETE, VERSION).await;
    assert_eq!(reply.status, 422);
    assert!(reply.message().contains(TOKEN), "{}", reply.message());
    assert!(version_3_active(&api));
    // Reads are served as usual.
    assert_eq!(api.get(VERSIONS).await.status, 200);
    let counters = api.github.counters();
    assert_eq!(counters.hostile_answers, 1);
    assert_eq!(api.github.requests()[0].fault, Some(Fault::Hostile));
}

#[tokio::test]
async fn looping_link_points_back_to_the_first_page() {
    let api = hostile(Hostile::LoopingLink).await;
    let first = api.get(&format!("{VERSIONS}?per_page=2")).await;
    assert_eq!(first.len(), 2);
    assert_eq!(first.link("last"), None);
    let second_url = first.link("next").expect("a next link");
    assert!(second_url.ends_with("per_page=2&page=2"), "{second_url}");
    let second = api.get(&second_url).await;
    let back = second.link("next").expect("a next link");
    assert!(back.ends_with("per_page=2&page=1"), "{back}");
}

#[tokio::test]
async fn huge_last_page_names_a_billion_pages() {
    let api = hostile(Hostile::HugeLastPage).await;
    let first = api.get(&format!("{VERSIONS}?per_page=2")).await;
    let last = first.link("last").expect("a last link");
    assert!(last.ends_with(&format!("page={HUGE_LAST_PAGE}")), "{last}");
    assert_eq!(api.get(&last).await.len(), 0);
}

#[tokio::test]
async fn huge_retry_after_refuses_changes_for_three_years() {
    let api = hostile(Hostile::HugeRetryAfter).await;
    let reply = api.send(Method::DELETE, VERSION).await;
    assert_eq!(reply.status, 429);
    assert_eq!(
        reply.header("retry-after"),
        Some(HUGE_RETRY_AFTER.to_string().as_str())
    );
    assert!(version_3_active(&api));
}

#[tokio::test]
async fn redirect_answers_302_with_its_location() {
    let api = hostile(Hostile::Redirect {
        location: "https://example.invalid/moved".into(),
    })
    .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let response = client
        .get(api.url(VERSIONS))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 302);
    assert_eq!(
        response.headers()["location"],
        "https://example.invalid/moved"
    );
}

#[tokio::test]
async fn not_github_answers_like_a_proxy() {
    let api = hostile(Hostile::NotGitHub).await;
    // Not JSON, so read without the helpers, which expect GitHub's bodies.
    let response = api
        .client()
        .get(api.url(VERSIONS))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 403);
    let headers = response.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/html"))
    );
    for github_header in ["x-github-request-id", "x-ratelimit-remaining"] {
        assert!(!headers.contains_key(github_header), "{github_header}");
    }
    assert!(response.text().await.expect("a body").contains("<html>"));
}

#[tokio::test]
async fn rate_limit_reset_in_the_past_refuses_changes() {
    let api = hostile(Hostile::RateLimitResetInPast).await;
    let now = chrono::Utc::now().timestamp();
    let read = api.get(VERSIONS).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header("x-ratelimit-remaining"), Some("3"));
    let reset: i64 = read
        .header("x-ratelimit-reset")
        .and_then(|r| r.parse().ok())
        .expect("a reset");
    assert!(reset < now - 3000, "{reset} vs {now}");
    let refused = api.send(Method::DELETE, VERSION).await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.header("x-ratelimit-remaining"), Some("0"));
    assert!(version_3_active(&api));

    api.github.set_hostile(None);
    assert_eq!(api.send(Method::DELETE, VERSION).await.status, 204);
}
