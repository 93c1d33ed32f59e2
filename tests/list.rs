//! `list` end to end: the built binary, run as a workflow runs it, against the fake GitHub.

use fake_github::{FakeGitHub, PackageSeed, PackageType, Seed, VersionSeed, Visibility};
use serde_json::{Value, json};

mod common;
use common::{TOKEN, acme, run_action, run_binary};

fn seed() -> Seed {
    let day = |d: u32| format!("2026-10-{d:02}T12:00:00Z");
    acme()
        .with_package(
            PackageSeed::new("acme", PackageType::Container, "app")
                .visibility(Visibility::Public)
                .repository("app")
                .version(
                    VersionSeed::new("sha256:0a")
                        .tags(["v0.9"])
                        .created_at(day(1)),
                )
                .version(VersionSeed::new("sha256:0b").created_at(day(2)))
                .version(
                    VersionSeed::new("sha256:0c")
                        .tags(["v1", "latest"])
                        .created_at(day(3)),
                ),
        )
        .with_package(
            PackageSeed::new("acme", PackageType::Container, "team/app")
                .version(
                    VersionSeed::new("sha256:1a")
                        .tags(["main"])
                        .created_at(day(4)),
                )
                .version(VersionSeed::new("sha256:1b").created_at(day(5))),
        )
        .with_package(
            PackageSeed::new("acme", PackageType::Container, "app-cache").versions((0..260).map(
                |i| {
                    VersionSeed::new(format!("sha256:{i:064x}")).created_at(format!(
                        "2026-09-01T00:{:02}:{:02}Z",
                        i / 60,
                        i % 60
                    ))
                },
            )),
        )
        .with_package(
            PackageSeed::new("acme", PackageType::Container, "legacy").version(
                VersionSeed::new("sha256:2a")
                    .tags(["old"])
                    .created_at(day(6)),
            ),
        )
        .with_package(
            PackageSeed::new("acme", PackageType::Npm, "web")
                .version(VersionSeed::new("1.0.0").created_at(day(7)))
                .version(VersionSeed::new("1.1.0-beta.1").created_at(day(8))),
        )
        .with_package(
            PackageSeed::new("octocat", PackageType::Container, "dotfiles").version(
                VersionSeed::new("sha256:3a")
                    .tags(["latest"])
                    .created_at(day(9)),
            ),
        )
}

fn names(packages: &Value) -> Vec<&str> {
    packages
        .as_array()
        .expect("an array")
        .iter()
        .map(|p| p["name"].as_str().expect("a name"))
        .collect()
}

fn requested_paths(fake: &FakeGitHub) -> Vec<String> {
    fake.requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn lists_an_organisations_packages_found_by_name() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = run_action(
        &fake,
        &[
            ("command", "list"),
            ("owner", "acme"),
            ("owner-type", ""),
            ("packages", "app\nteam/app"),
            ("dry-run", ""),
        ],
    );
    assert!(run.success(), "{run:?}");
    assert_eq!(
        run.json("packages"),
        json!([
            {"name": "app", "package_type": "container", "visibility": "public", "version_count": 3},
            {"name": "team/app", "package_type": "container", "visibility": "private", "version_count": 2},
        ])
    );
    let versions = run.json("versions");
    assert_eq!(versions.as_array().unwrap().len(), 5);
    let v1 = versions
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "sha256:0c")
        .expect("the v1 version");
    assert_eq!(v1["package"], "app");
    assert_eq!(v1["tags"], json!(["v1", "latest"]));
    assert_eq!(v1["created_at"], "2026-10-03T12:00:00Z");
    assert!(v1["id"].as_u64().is_some());

    // owner-type was left empty: auto asks GitHub what acme is, then uses the org endpoints,
    // fetching plain names one by one and encoding the `/` in `team/app`.
    let paths = requested_paths(&fake);
    assert_eq!(paths[0], "GET /users/acme");
    assert!(
        paths.contains(&"GET /orgs/acme/packages/container/team%2Fapp".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"GET /orgs/acme/packages/container/team%2Fapp/versions".to_string()),
        "{paths:?}"
    );
    assert!(
        !paths
            .iter()
            .any(|p| p.starts_with("GET /orgs/acme/packages ")),
        "no listing needed: {paths:?}"
    );

    assert!(
        run.summary.contains("| app | public | 3 |"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("| team/app | private | 2 |"),
        "{}",
        run.summary
    );
    run.assert_token_not_leaked(TOKEN);
}

#[test]
fn globs_and_exclusions_choose_packages_from_the_listing() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = run_action(
        &fake,
        &[
            ("command", "list"),
            ("owner", "acme"),
            ("packages", "app*, team/*, !app-cache"),
        ],
    );
    assert!(run.success(), "{run:?}");
    assert_eq!(names(&run.json("packages")), ["app", "team/app"]);
    let listing = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/orgs/acme/packages")
        .expect("the packages were listed");
    assert!(
        listing.query.contains("package_type=container"),
        "{listing:?}"
    );
}

#[test]
fn a_package_of_260_versions_is_read_in_three_pages() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = run_action(
        &fake,
        &[
            ("command", "list"),
            ("owner", "acme"),
            ("packages", "app-cache"),
        ],
    );
    assert!(run.success(), "{run:?}");
    let versions = run.json("versions");
    let ids: std::collections::BTreeSet<u64> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids.len(), 260);
    let pages: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/app-cache/versions"))
        .collect();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(
        pages.iter().all(|r| r.query.contains("per_page=100")),
        "{pages:?}"
    );
    assert_eq!(run.json("packages")[0]["version_count"], 260);
}

#[test]
fn lists_a_users_packages_and_other_package_types() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = run_action(
        &fake,
        &[("command", "list"), ("owner", "octocat"), ("packages", "*")],
    );
    assert!(run.success(), "{run:?}");
    assert_eq!(names(&run.json("packages")), ["dotfiles"]);
    assert!(requested_paths(&fake).contains(&"GET /users/octocat/packages".to_string()));

    let npm = run_action(
        &fake,
        &[
            ("command", "list"),
            ("owner", "acme"),
            ("owner-type", "org"),
            ("package-type", "npm"),
            ("packages", "*"),
        ],
    );
    assert!(npm.success(), "{npm:?}");
    assert_eq!(names(&npm.json("packages")), ["web"]);
    let npm_versions: Vec<String> = npm
        .json("versions")
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(npm_versions.len(), 2);
    assert!(npm_versions.iter().any(|name| name == "1.1.0-beta.1"));
}

#[test]
fn owner_type_org_needs_no_lookup() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = run_action(
        &fake,
        &[
            ("command", "list"),
            ("owner", "acme"),
            ("owner-type", "org"),
            ("packages", "legacy"),
        ],
    );
    assert!(run.success(), "{run:?}");
    assert!(
        !requested_paths(&fake)
            .iter()
            .any(|p| p.starts_with("GET /users/"))
    );
}

#[test]
fn api_url_with_a_path_prefix_is_kept_on_every_request_and_page() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let api_url = format!("{}/api/v3/", fake.base_url());
    let run = run_action(
        &fake,
        &[
            ("command", "list"),
            ("owner", "acme"),
            ("packages", "app-cache"),
            ("api-url", &api_url),
        ],
    );
    assert!(run.success(), "{run:?}");
    assert_eq!(run.json("versions").as_array().unwrap().len(), 260);
    let requests = fake.requests();
    assert!(requests.len() >= 5);
    assert!(
        requests.iter().all(|r| r.path.starts_with("/api/v3/")),
        "{requests:?}"
    );
}

#[test]
fn the_cli_lists_the_token_account_and_prints_a_table() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let env = [
        ("GITHUB_TOKEN".to_string(), TOKEN.to_string()),
        ("INPUT_API-URL".to_string(), fake.base_url()),
    ];
    let run = run_binary(&["list", "--packages", "*"], &env);
    assert!(run.success(), "{run:?}");
    assert!(run.stdout.contains("dotfiles"), "{}", run.stdout);
    assert!(run.stdout.contains("sha256:3a"), "{}", run.stdout);
    assert!(run.stdout.contains("latest"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("::"),
        "no workflow commands outside Actions: {}",
        run.stdout
    );
    assert!(requested_paths(&fake).contains(&"GET /user/packages".to_string()));
    run.assert_token_not_leaked(TOKEN);
}

#[test]
fn a_rejected_token_says_so() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = run_action(
        &fake,
        &[
            ("command", "list"),
            ("owner", "acme"),
            ("token", "ghp_revoked"),
        ],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{run:?}");
    assert!(errors[0].contains("401"), "{errors:?}");
    assert!(
        errors[0].contains("The token was not accepted"),
        "{errors:?}"
    );
    run.assert_token_not_leaked("ghp_revoked");
}

#[test]
fn an_unknown_package_says_what_to_check() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = run_action(
        &fake,
        &[("command", "list"), ("owner", "acme"), ("packages", "nope")],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{run:?}");
    assert!(errors[0].contains("404"), "{errors:?}");
    assert!(
        errors[0].contains("/orgs/acme/packages/container/nope"),
        "{errors:?}"
    );
    assert!(errors[0].contains("Check `owner`"), "{errors:?}");
}

#[test]
fn bad_inputs_fail_with_one_clear_line_before_any_request() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("command", "purge")],
            "input `command`: `purge` is not accepted; expected `list`, `prune`, `restore`",
        ),
        (
            &[("command", "list"), ("package-type", "pypi")],
            "input `package-type`: `pypi` is not accepted; expected `container`, `npm`, `maven`, `rubygems`, `nuget` or `docker`",
        ),
        (
            &[("command", "list"), ("owner-type", "team")],
            "input `owner-type`: `team` is not accepted; expected `auto`, `org` or `user`",
        ),
        (
            &[("command", "list"), ("dry-run", "yes")],
            "input `dry-run`: `yes` is not accepted; expected `true` or `false`",
        ),
        (
            &[("command", "list"), ("token", "")],
            "input `token` is required",
        ),
        (
            &[("command", "list"), ("packages", "[oops")],
            "input `packages`: `[oops` is not accepted",
        ),
    ];
    for (inputs, expected) in cases {
        let run = run_action(&fake, inputs);
        assert_eq!(run.code, Some(1), "{inputs:?}: {run:?}");
        assert_eq!(run.errors().len(), 1, "{inputs:?}: {run:?}");
        assert!(
            run.errors()[0].starts_with(expected),
            "{inputs:?}: {:?}",
            run.errors()
        );
    }
    assert!(
        fake.requests().is_empty(),
        "no request may be sent: {:?}",
        fake.requests()
    );
}
