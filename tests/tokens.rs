//! Know the token: missing scopes stop the run before any change, permission refusals are
//! explained for the token's kind, SSO is named, and GITHUB_TOKEN's limits are worked around
//! or explained. The built binary against the fake's permission emulation.

use chrono::{TimeDelta, Utc};
use fake_github::{
    ActionsRole, FakeGitHub, PackagePermission, PackageSeed, PackageType, Seed, TokenProfile,
    VersionSeed, scope,
};

mod common;
use common::{Run, TOKEN, acme, run_action};

fn old(id: u64, name: &str) -> VersionSeed {
    VersionSeed::new(name)
        .id(id)
        .created_at(Utc::now() - TimeDelta::hours(24 * (100 - id as i64)))
}

/// acme's npm `web` (1–4) and `cli` (11–13), and container `app` (21–23, untagged but one).
fn seed(profile: TokenProfile) -> Seed {
    acme()
        .with_token_profile(TOKEN, profile)
        .with_package(
            PackageSeed::new("acme", PackageType::Npm, "web")
                .repository("web")
                .versions((1..=4).map(|i| old(i, &format!("1.0.{i}")))),
        )
        .with_package(
            PackageSeed::new("acme", PackageType::Npm, "cli")
                .repository("cli")
                .versions((11..=13).map(|i| old(i, &format!("2.0.{i}")))),
        )
        .with_package(
            PackageSeed::new("acme", PackageType::Container, "app")
                .version(old(21, "sha256:21").tags(["latest"]))
                .version(old(22, "sha256:22"))
                .version(old(23, "sha256:23")),
        )
}

fn run(fake: &FakeGitHub, inputs: &[(&str, &str)]) -> Run {
    let mut all = vec![("owner", "acme"), ("owner-type", "org")];
    // `list` reads no manifests, and refuses the input.
    if !inputs.contains(&("command", "list")) {
        all.push(("manifest-aware", "false"));
    }
    all.extend_from_slice(inputs);
    let run = run_action(fake, &all);
    run.assert_token_not_leaked(TOKEN);
    run
}

fn changes(fake: &FakeGitHub) -> Vec<String> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "DELETE" || r.method == "POST")
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect()
}

fn one_error(run: &Run) -> String {
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{run:?}");
    errors[0].to_string()
}

#[test]
fn each_missing_scope_stops_its_command_before_any_change() {
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        (
            &[scope::READ_PACKAGES, scope::REPO],
            &[
                ("command", "prune"),
                ("package-type", "npm"),
                ("packages", "web"),
                ("keep-n", "1"),
            ],
            "the token lacks the scope(s) delete:packages that `prune` needs for npm packages",
        ),
        (
            &[scope::READ_PACKAGES, scope::DELETE_PACKAGES],
            &[
                ("command", "prune"),
                ("package-type", "npm"),
                ("packages", "web"),
                ("keep-n", "1"),
            ],
            "the token lacks the scope(s) repo that `prune` needs for npm packages (npm packages take their permissions from a repository, hence `repo`)",
        ),
        (
            &[scope::READ_PACKAGES, scope::DELETE_PACKAGES],
            &[
                ("command", "restore"),
                ("packages", "app"),
                ("deleted-within", "1d"),
            ],
            "the token lacks the scope(s) write:packages that `restore` needs for container packages",
        ),
        (
            &[scope::DELETE_PACKAGES],
            &[
                ("command", "prune"),
                ("packages", "app"),
                ("untagged", "true"),
            ],
            "the token lacks the scope(s) read:packages that `prune` needs for container packages",
        ),
    ];
    for (scopes, inputs, expected) in cases {
        let fake = FakeGitHub::spawn(seed(TokenProfile::classic(scopes.iter().copied()))).unwrap();
        let run = run(&fake, inputs);
        assert_eq!(run.code, Some(1), "{scopes:?}: {run:?}");
        let error = one_error(&run);
        assert!(error.starts_with(expected), "{scopes:?}: {error}");
        assert_eq!(
            changes(&fake),
            Vec::<String>::new(),
            "{scopes:?}: nothing changed"
        );
    }
}

#[test]
fn a_dry_run_reports_a_missing_scope_as_its_finding() {
    let fake = FakeGitHub::spawn(seed(TokenProfile::classic([scope::READ_PACKAGES]))).unwrap();
    let run = run(
        &fake,
        &[
            ("command", "prune"),
            ("packages", "app"),
            ("untagged", "true"),
            ("dry-run", "true"),
        ],
    );
    assert!(run.success(), "{run:?}");
    assert!(
        run.stdout.contains(
            "::warning::Finding of this dry run: the token lacks the scope(s) delete:packages"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(changes(&fake), Vec::<String>::new());
}

#[test]
fn a_token_with_every_scope_works_unchanged() {
    let every = TokenProfile::classic([
        scope::READ_PACKAGES,
        scope::WRITE_PACKAGES,
        scope::DELETE_PACKAGES,
        scope::REPO,
    ]);
    let fake = FakeGitHub::spawn(seed(every)).unwrap();
    let run = run(
        &fake,
        &[
            ("command", "prune"),
            ("package-type", "npm"),
            ("packages", "web"),
            ("keep-n", "1"),
        ],
    );
    assert!(run.success(), "{run:?}");
    assert_eq!(run.ids("deleted"), [1, 2, 3]);
}

#[test]
fn github_token_names_exact_packages_and_explains_why_globs_cannot_work() {
    let token = TokenProfile::github_token(PackagePermission::Write).actions_access(
        "acme",
        PackageType::Container,
        "app",
        ActionsRole::Admin,
    );
    let fake = FakeGitHub::spawn(seed(token)).unwrap();
    // Exact names: fetched one by one, no listing needed.
    let exact = run(
        &fake,
        &[
            ("command", "prune"),
            ("packages", "app"),
            ("untagged", "true"),
        ],
    );
    assert!(exact.success(), "{exact:?}");
    assert_eq!(exact.ids("deleted"), [22, 23]);
    // A glob needs the listing, which GITHUB_TOKEN may not do.
    let glob = run(&fake, &[("command", "list"), ("packages", "ap*")]);
    assert_eq!(glob.code, Some(1), "{glob:?}");
    let error = one_error(&glob);
    assert!(
        error.starts_with("input `packages` holds patterns, which need the owner's packages listed, and this token may not list them (GITHUB_TOKEN cannot)"),
        "{error}"
    );
}

#[test]
fn after_a_permission_refusal_the_rest_of_that_package_is_not_sent() {
    // Admin on `web` only: deleting in `cli` is refused.
    let token = TokenProfile::github_token(PackagePermission::Write).actions_access(
        "acme",
        PackageType::Npm,
        "web",
        ActionsRole::Admin,
    );
    let fake = FakeGitHub::spawn(seed(token)).unwrap();
    let run = run(
        &fake,
        &[
            ("command", "prune"),
            ("package-type", "npm"),
            ("packages", "web, cli"),
            ("keep-n", "1"),
        ],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(run.ids("deleted"), [1, 2, 3], "the other package went on");
    assert_eq!(run.ids("failed"), [11, 12]);
    let cli_deletes: Vec<String> = changes(&fake)
        .into_iter()
        .filter(|c| c.contains("/npm/cli/"))
        .collect();
    assert_eq!(
        cli_deletes.len(),
        1,
        "one refusal, then nothing more sent: {cli_deletes:?}"
    );
    let failed = run.json("failed");
    let first = failed[0]["error"].as_str().unwrap();
    assert!(
        first.contains("permissions: packages: write") && first.contains("Manage Actions access"),
        "{first}"
    );
    let second = failed[1]["error"].as_str().unwrap();
    assert!(
        second.starts_with("not sent: the first deletion in this package was refused"),
        "{second}"
    );
}

#[test]
fn sso_required_ends_the_run_with_the_url_and_partial_results_warn() {
    let seed_with_sso = |profile: TokenProfile| {
        seed(profile)
            .with_sso_org("sso-corp", ["octocat"])
            .with_package(
                PackageSeed::new("sso-corp", PackageType::Container, "secret")
                    .version(old(31, "sha256:31")),
            )
            .with_package(
                PackageSeed::new("octocat", PackageType::Container, "mine")
                    .version(old(41, "sha256:41")),
            )
    };
    let every = || {
        TokenProfile::classic([
            scope::READ_PACKAGES,
            scope::WRITE_PACKAGES,
            scope::DELETE_PACKAGES,
            scope::REPO,
        ])
    };
    let fake = FakeGitHub::spawn(seed_with_sso(every())).unwrap();
    let required = run_action(
        &fake,
        &[
            ("command", "list"),
            ("owner", "sso-corp"),
            ("owner-type", "org"),
            ("packages", "*"),
        ],
    );
    assert_eq!(required.code, Some(1), "{required:?}");
    let error = one_error(&required);
    assert!(
        error.starts_with("authorise this token for SSO in sso-corp: https://github.com/orgs/sso-corp/sso?authorization_request="),
        "{error}"
    );
    required.assert_token_not_leaked(TOKEN);

    // The token's own account lists what it may, and says what is missing.
    let partial = run_binary_cli(&fake);
    assert!(partial.success(), "{partial:?}");
    assert!(
        partial.stderr.contains(
            "warning: Some results are missing: the token is not authorised for SAML SSO"
        ),
        "{}",
        partial.stderr
    );
}

fn run_binary_cli(fake: &FakeGitHub) -> Run {
    let env = [
        ("GITHUB_TOKEN".to_string(), TOKEN.to_string()),
        ("INPUT_API-URL".to_string(), fake.base_url()),
    ];
    let run = common::run_binary(&["list", "--packages", "*"], &env);
    run.assert_token_not_leaked(TOKEN);
    run
}
