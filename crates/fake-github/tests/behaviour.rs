//! How the fake behaves over HTTP: the GitHub rules package-warden relies on.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{Api, Reply};
use fake_github::{FakeGitHub, PackageSeed, PackageType, Seed, VersionSeed, Visibility};
use reqwest::Method;

const TOKEN: &str = "test-token";
const APP: &str = "/orgs/acme/packages/container/team%2Fapp";
const V1: u64 = 1;
const V2: u64 = 2;
const V3: u64 = 3;
const BIG: &str = "/orgs/acme/packages/npm/big";

fn seed() -> Seed {
    let start: DateTime<Utc> = "2024-01-01T00:00:00Z".parse().expect("a timestamp");
    Seed::default()
        .with_org("acme")
        .with_user("octocat")
        .with_user("hubot")
        .with_token(TOKEN, "octocat")
        .with_token("hubot-token", "hubot")
        .with_package(
            PackageSeed::new("acme", PackageType::Container, "team/app")
                .visibility(Visibility::Public)
                .repository("app")
                .version(
                    VersionSeed::new("sha256:aaaa")
                        .id(V1)
                        .tags(["v1", "latest"])
                        .created_at("2024-05-01T10:00:00Z"),
                )
                .version(
                    VersionSeed::new("sha256:bbbb")
                        .id(V2)
                        .created_at("2024-04-01T10:00:00Z"),
                )
                .version(
                    VersionSeed::new("sha256:cccc")
                        .id(V3)
                        .created_at("2024-03-01T10:00:00Z"),
                ),
        )
        .with_package(PackageSeed::new("acme", PackageType::Npm, "big").versions(
            (0..250).map(|i| {
                VersionSeed::new(format!("1.0.{i}")).created_at(start + TimeDelta::hours(i))
            }),
        ))
        .with_package(
            PackageSeed::new("acme", PackageType::Container, "solo")
                .version(VersionSeed::new("sha256:dddd")),
        )
        .with_package(
            PackageSeed::new("octocat", PackageType::Container, "dotfiles")
                .version(VersionSeed::new("sha256:eeee").tags(["latest"]))
                .version(VersionSeed::new("sha256:ffff")),
        )
}

async fn api() -> Api {
    Api::start(seed(), Some(TOKEN)).await
}

fn ids(reply: &Reply) -> Vec<u64> {
    reply
        .json
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["id"].as_u64())
        .collect()
}

#[tokio::test]
async fn requests_need_a_known_token() {
    let api = api().await;
    let anonymous = api.send_with(Method::GET, APP, None).await;
    assert_eq!(
        (anonymous.status, anonymous.message()),
        (401, "Requires authentication")
    );
    assert!(
        anonymous.json["documentation_url"]
            .as_str()
            .is_some_and(|url| url.starts_with("https://docs.github.com/"))
    );

    let unknown = api.send_with(Method::GET, APP, Some("Bearer nope")).await;
    assert_eq!(
        (unknown.status, unknown.message()),
        (401, "Bad credentials")
    );

    // GitHub still accepts the older `token` scheme.
    let classic = api
        .send_with(Method::GET, APP, Some(&format!("token {TOKEN}")))
        .await;
    assert_eq!(classic.status, 200);

    // Profiles need no token, but a bad one is still refused.
    assert_eq!(
        api.send_with(Method::GET, "/users/octocat", None)
            .await
            .status,
        200
    );
    assert_eq!(
        api.send_with(Method::GET, "/users/octocat", Some("Bearer nope"))
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn listings_are_paged_with_link_headers() {
    let api = api().await;
    let first = api.get(&format!("{BIG}/versions?per_page=100")).await;
    assert_eq!((first.status, first.len()), (200, 100));
    assert_eq!(first.link_rels(), ["next", "last"]);
    let base = api.github.base_url();
    assert_eq!(
        first.link("last").as_deref(),
        Some(format!("{base}{BIG}/versions?per_page=100&page=3").as_str())
    );

    let next = first.link("next").expect("a next page");
    let second = api.get(&next).await;
    assert_eq!(second.len(), 100);
    assert_eq!(second.link_rels(), ["prev", "next", "last", "first"]);

    let third = api.get(&second.link("next").expect("a next page")).await;
    assert_eq!(third.len(), 50);
    assert_eq!(third.link_rels(), ["prev", "first"]);

    let mut all: Vec<u64> = [&first, &second, &third]
        .into_iter()
        .flat_map(ids)
        .collect();
    assert_eq!(all.len(), 250);
    // Newest first, as GitHub lists versions.
    assert_eq!(first.json[0]["name"], "1.0.249");
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 250, "pages overlap");
}

#[tokio::test]
async fn page_sizes_default_to_30_and_cap_at_100() {
    let api = api().await;
    assert_eq!(api.get(&format!("{BIG}/versions")).await.len(), 30);
    assert_eq!(
        api.get(&format!("{BIG}/versions?per_page=500")).await.len(),
        100
    );
    assert_eq!(
        api.get(&format!("{BIG}/versions?per_page=100&page=4"))
            .await
            .len(),
        0
    );
}

#[tokio::test]
async fn package_listings_check_their_parameters() {
    let api = api().await;
    let containers = api.get("/orgs/acme/packages?package_type=container").await;
    let names: Vec<&str> = containers
        .json
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["solo", "team/app"]);

    let public = api
        .get("/orgs/acme/packages?package_type=container&visibility=public")
        .await;
    assert_eq!(public.len(), 1);

    let missing = api.get("/orgs/acme/packages").await;
    assert_eq!(missing.status, 400);
    assert!(
        missing.message().contains("package_type"),
        "{}",
        missing.message()
    );
    let invalid = api.get("/orgs/acme/packages?package_type=containers").await;
    assert_eq!(invalid.status, 400);
    assert!(
        invalid.message().contains("\"containers\""),
        "{}",
        invalid.message()
    );

    // GitHub refuses to page package listings past 10,000 items.
    let deep = api
        .get("/orgs/acme/packages?package_type=npm&per_page=100&page=101")
        .await;
    assert_eq!(deep.status, 400);
    assert_eq!(
        api.get("/orgs/acme/packages?package_type=npm&per_page=100&page=100")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn timestamps_are_written_as_github_writes_them() {
    let api = api().await;
    // RFC 3339 in UTC with `Z`, to the second: the text GitHub sends and clients parse.
    let version = api.get(&format!("{APP}/versions/{V1}")).await;
    assert_eq!(version.json["created_at"], "2024-05-01T10:00:00Z");
    assert_eq!(version.json["updated_at"], "2024-05-01T10:00:00Z");
    assert_eq!(
        api.get(APP).await.json["created_at"],
        "2024-03-01T10:00:00Z"
    );

    // The fake stamps deletions with its own clock, to the second as well.
    api.send(Method::DELETE, &format!("{APP}/versions/{V2}"))
        .await;
    let listed = api.get(&format!("{APP}/versions?state=deleted")).await;
    let deleted_at = listed.json[0]["deleted_at"].as_str().expect("deleted_at");
    assert_eq!(
        deleted_at.len(),
        "2024-05-01T10:00:00Z".len(),
        "{deleted_at}"
    );
    assert!(deleted_at.ends_with('Z'), "{deleted_at}");

    // A seeded fraction of a second comes back as given, without trailing zeros.
    let seed = Seed::default()
        .with_org("acme")
        .with_token(TOKEN, "acme")
        .with_package(
            PackageSeed::new("acme", PackageType::Npm, "lib").version(
                VersionSeed::new("1.0.0")
                    .id(7)
                    .created_at("2024-05-01T10:00:00.250Z"),
            ),
        );
    let fractional = Api::start(seed, Some(TOKEN)).await;
    let version = fractional
        .get("/orgs/acme/packages/npm/lib/versions/7")
        .await;
    assert_eq!(version.json["created_at"], "2024-05-01T10:00:00.25Z");
}

#[tokio::test]
async fn deleted_versions_move_to_the_deleted_listing_and_back() {
    let api = api().await;
    let before = api.github.state();

    let deleted = api
        .send(Method::DELETE, &format!("{APP}/versions/{V2}"))
        .await;
    assert_eq!((deleted.status, deleted.text.as_str()), (204, ""));
    assert_eq!(api.get(&format!("{APP}/versions/{V2}")).await.status, 404);
    assert_eq!(ids(&api.get(&format!("{APP}/versions")).await), [V1, V3]);
    let listed = api.get(&format!("{APP}/versions?state=deleted")).await;
    assert_eq!(ids(&listed), [V2]);
    let deleted_at: DateTime<Utc> = listed.json[0]["deleted_at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("deleted_at");
    let state = api.github.state();
    let package = state
        .package("acme", PackageType::Container, "team/app")
        .expect("seeded");
    assert_eq!(
        package.version(V2).and_then(|v| v.deleted_at),
        Some(deleted_at)
    );
    assert_eq!(api.get(APP).await.json["version_count"], 2);

    assert_eq!(
        api.send(Method::DELETE, &format!("{APP}/versions/{V2}"))
            .await
            .status,
        404
    );

    let restored = api
        .send(Method::POST, &format!("{APP}/versions/{V2}/restore"))
        .await;
    assert_eq!((restored.status, restored.text.as_str()), (204, ""));
    assert_eq!(api.get(&format!("{APP}/versions/{V2}")).await.status, 200);
    assert_eq!(
        api.send(Method::POST, &format!("{APP}/versions/{V2}/restore"))
            .await
            .status,
        404
    );
    assert_eq!(api.github.state(), before);
}

#[tokio::test]
async fn the_last_version_cannot_be_deleted() {
    let api = api().await;
    let solo = api.get("/orgs/acme/packages/container/solo/versions").await;
    let id = ids(&solo)[0];
    let refused = api
        .send(
            Method::DELETE,
            &format!("/orgs/acme/packages/container/solo/versions/{id}"),
        )
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.message(),
        "You cannot delete the last tagged version of a package. You must delete the package instead."
    );

    // The same holds once the others are gone.
    assert_eq!(
        api.send(Method::DELETE, &format!("{APP}/versions/{V1}"))
            .await
            .status,
        204
    );
    assert_eq!(
        api.send(Method::DELETE, &format!("{APP}/versions/{V2}"))
            .await
            .status,
        204
    );
    assert_eq!(
        api.send(Method::DELETE, &format!("{APP}/versions/{V3}"))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn deleted_packages_disappear_and_restore_as_they_were() {
    let api = api().await;
    assert_eq!(
        api.send(Method::DELETE, &format!("{APP}/versions/{V3}"))
            .await
            .status,
        204
    );
    let before = api.github.state();

    let deleted = api.send(Method::DELETE, APP).await;
    assert_eq!((deleted.status, deleted.text.as_str()), (204, ""));
    let gone = api.get(APP).await;
    assert_eq!((gone.status, gone.message()), (404, "Package not found."));
    assert_eq!(api.get(&format!("{APP}/versions")).await.status, 404);
    assert_eq!(
        api.get("/orgs/acme/packages?package_type=container")
            .await
            .len(),
        1
    );
    let state = api.github.state();
    assert!(
        state
            .package("acme", PackageType::Container, "team/app")
            .is_some_and(|p| p.is_deleted())
    );
    assert_eq!(api.send(Method::DELETE, APP).await.status, 404);

    let restored = api
        .send(Method::POST, &format!("{APP}/restore?token=abc"))
        .await;
    assert_eq!(restored.status, 204);
    assert_eq!(
        api.send(Method::POST, &format!("{APP}/restore"))
            .await
            .status,
        404
    );
    // The version deleted before the package stays deleted; the others come back.
    assert_eq!(ids(&api.get(&format!("{APP}/versions")).await), [V1, V2]);
    assert_eq!(api.github.state(), before);
}

#[tokio::test]
async fn encoded_slashes_name_one_package() {
    let api = api().await;
    let package = api.get(APP).await;
    assert_eq!(
        (package.status, package.json["name"].as_str()),
        (200, Some("team/app"))
    );
    assert_eq!(
        package.json["url"].as_str(),
        Some(format!("{}{APP}", api.github.base_url()).as_str())
    );
    let version = api.get(&format!("{APP}/versions/{V1}")).await;
    assert_eq!(
        version.json["metadata"]["container"]["tags"],
        serde_json::json!(["v1", "latest"])
    );

    // An unencoded slash splits the name into segments no route takes; nothing is touched.
    let before = api.github.state();
    let raw = "/orgs/acme/packages/container/team/app";
    assert_eq!(api.get(raw).await.status, 404);
    assert_eq!(api.send(Method::DELETE, raw).await.status, 404);
    assert_eq!(
        api.send(Method::DELETE, &format!("{raw}/versions/{V1}"))
            .await
            .status,
        404
    );
    assert_eq!(api.github.state(), before);
}

#[tokio::test]
async fn the_enterprise_prefix_serves_the_same_api_and_keeps_it_in_links() {
    let api = api().await;
    let base = api.github.base_url();
    let page = api
        .get(&format!("/api/v3{BIG}/versions?per_page=100&page=2"))
        .await;
    assert_eq!((page.status, page.len()), (200, 100));
    for rel in ["prev", "next", "last", "first"] {
        let link = page.link(rel).expect("all four relations");
        assert!(
            link.starts_with(&format!("{base}/api/v3{BIG}/versions?")),
            "{rel}: {link}"
        );
    }
    let package = api.get(&format!("/api/v3{APP}")).await;
    assert_eq!(
        package.json["url"].as_str(),
        Some(format!("{base}/api/v3{APP}").as_str())
    );
    assert_eq!(
        api.send(Method::DELETE, &format!("/api/v3{APP}/versions/{V2}"))
            .await
            .status,
        204
    );
    assert_eq!(api.get("/api/v3/user").await.json["login"], "octocat");
}

#[tokio::test]
async fn the_user_scope_is_the_tokens_account() {
    let api = api().await;
    let user = api.get("/user").await;
    assert_eq!(
        (user.status, user.json["login"].as_str()),
        (200, Some("octocat"))
    );
    let mine = api.get("/user/packages?package_type=container").await;
    assert_eq!(mine.json[0]["name"], "dotfiles");
    assert_eq!(mine.json[0]["owner"]["login"], "octocat");
    // Package URLs name the owner's own scope, whichever scope was asked.
    assert!(
        mine.json[0]["url"]
            .as_str()
            .is_some_and(|url| url.ends_with("/users/octocat/packages/container/dotfiles"))
    );

    let hubot = api
        .send_with(
            Method::GET,
            "/user/packages?package_type=container",
            Some("Bearer hubot-token"),
        )
        .await;
    assert_eq!((hubot.status, hubot.len()), (200, 0));
    assert_eq!(api.send_with(Method::GET, "/user", None).await.status, 401);
}

#[tokio::test]
async fn owners_must_be_addressed_through_their_own_scope() {
    let api = api().await;
    assert_eq!(
        api.get("/users/octocat/packages/container/dotfiles")
            .await
            .status,
        200
    );
    assert_eq!(
        api.get("/orgs/octocat/packages/container/dotfiles")
            .await
            .status,
        404
    );
    assert_eq!(
        api.get("/users/acme/packages?package_type=container")
            .await
            .status,
        404
    );
    assert_eq!(
        api.get("/orgs/nobody/packages?package_type=container")
            .await
            .status,
        404
    );
    // Logins match case-insensitively, as on GitHub.
    assert_eq!(
        api.get("/orgs/ACME/packages/container/solo").await.status,
        200
    );

    let org = api.get("/orgs/acme").await;
    assert_eq!(
        (org.json["login"].as_str(), org.json["type"].as_str()),
        (Some("acme"), Some("Organization"))
    );
    assert_eq!(api.get("/users/acme").await.json["type"], "Organization");
    assert_eq!(api.get("/users/octocat").await.json["type"], "User");
    assert_eq!(api.get("/orgs/octocat").await.status, 404);
    assert_eq!(api.get("/users/nobody").await.status, 404);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_404_json() {
    let api = api().await;
    for (method, path) in [
        (Method::GET, "/nothing/here"),
        (Method::PUT, APP),
        (Method::GET, "/orgs/acme/packages/cargo/x"),
        (Method::GET, &format!("{APP}/versions/not-a-number")),
    ] {
        let reply = api.send(method.clone(), path).await;
        assert_eq!(reply.status, 404, "{method} {path}");
        assert!(
            !reply.message().is_empty(),
            "{method} {path}: {}",
            reply.text
        );
    }
}

#[tokio::test]
async fn every_response_is_json_with_rate_limit_headers() {
    let api = Api::start(seed().with_rate_limit(100), Some(TOKEN)).await;
    let mut remaining = Vec::new();
    for path in [APP, "/nothing", &format!("{APP}/versions/{V2}")] {
        let reply = api.get(path).await;
        assert_eq!(
            reply.header("content-type"),
            Some("application/json; charset=utf-8"),
            "{path}"
        );
        assert_eq!(reply.header("x-ratelimit-limit"), Some("100"));
        assert_eq!(reply.header("x-ratelimit-resource"), Some("core"));
        assert!(
            reply
                .header("x-ratelimit-reset")
                .and_then(|r| r.parse::<i64>().ok())
                .is_some()
        );
        remaining.push(reply.header("x-ratelimit-remaining").map(str::to_owned));
        assert!(reply.header("x-ratelimit-used").is_some());
    }
    assert_eq!(
        remaining,
        [Some("99".into()), Some("98".into()), Some("97".into())]
    );
    let deleted = api
        .send(Method::DELETE, &format!("{APP}/versions/{V2}"))
        .await;
    assert_eq!(
        deleted.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    // Each token has its own budget.
    let other = api
        .send_with(Method::GET, "/user", Some("Bearer hubot-token"))
        .await;
    assert_eq!(other.header("x-ratelimit-used"), Some("1"));
}

#[tokio::test]
async fn the_request_log_records_what_was_sent() {
    let api = api().await;
    api.get(&format!("/api/v3{APP}/versions?per_page=2&state=active"))
        .await;
    api.send(Method::DELETE, &format!("{APP}/versions/{V2}"))
        .await;
    api.send_with(Method::GET, APP, None).await;
    let log: Vec<(String, String, String, u16)> = api
        .github
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path, r.query, r.status))
        .collect();
    assert_eq!(
        log,
        [
            (
                "GET".into(),
                format!("/api/v3{APP}/versions"),
                "per_page=2&state=active".into(),
                200
            ),
            (
                "DELETE".into(),
                format!("{APP}/versions/{V2}"),
                String::new(),
                204
            ),
            ("GET".into(), APP.into(), String::new(), 401),
        ]
    );
    api.github.clear_requests();
    assert!(api.github.requests().is_empty());
}

#[tokio::test]
async fn docker_conflicts_list_only_seeded_conflicts() {
    let seed = seed().with_package(
        PackageSeed::new("acme", PackageType::Docker, "legacy")
            .docker_conflict()
            .version(VersionSeed::new("1")),
    );
    let api = Api::start(seed, Some(TOKEN)).await;
    let conflicts = api.get("/orgs/acme/docker/conflicts").await;
    assert_eq!(
        (conflicts.status, conflicts.json[0]["name"].as_str()),
        (200, Some("legacy"))
    );
    assert_eq!(
        api.get("/user/docker/conflicts").await.json,
        serde_json::json!([])
    );
}

#[test]
fn spawned_fakes_serve_synchronous_callers_and_stop_when_dropped() {
    let github = FakeGitHub::spawn(seed()).expect("the fake starts");
    let url = format!("{}{APP}", github.base_url());
    let client = reqwest::blocking::Client::new();
    let reply = client
        .get(&url)
        .bearer_auth(TOKEN)
        .send()
        .expect("the fake answers");
    assert_eq!(reply.status().as_u16(), 200);
    drop(github);
    assert!(
        client.get(&url).bearer_auth(TOKEN).send().is_err(),
        "still serving after drop"
    );
}

#[tokio::test]
async fn inconsistent_seeds_are_refused_with_a_reason() {
    let seed = Seed::default().with_package(PackageSeed::new("ghost", PackageType::Npm, "x"));
    let error = FakeGitHub::start(seed).await.expect_err("refused");
    assert!(format!("{error:#}").contains("\"ghost\""), "{error:#}");
}
