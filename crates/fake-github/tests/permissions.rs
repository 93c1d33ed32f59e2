//! Who may do what: token kinds and scopes, fine-grained permissions, `GITHUB_TOKEN` and its
//! "Manage Actions access", and SAML single sign-on, over HTTP.

mod common;

use common::{Api, Reply};
use fake_github::{
    ActionsRole, FakeGitHub, OwnerKind, OwnerSeed, PackagePermission, PackageSeed, PackageType,
    Seed, TokenProfile, VersionSeed, scope,
};
use reqwest::Method;

const TOKEN: &str = "ghp_fake_token_under_test";

const APP: &str = "/orgs/acme/packages/container/team%2Fapp";
/// Active versions of `acme/team/app`, and a deleted one.
const APP_V1: u64 = 1;
const APP_V2: u64 = 2;
const APP_DELETED: u64 = 3;
const LIB: &str = "/orgs/acme/packages/npm/lib";
const LIB_V2: u64 = 12;
const LIB_DELETED: u64 = 13;

fn seed() -> Seed {
    Seed::default()
        .with_org("acme")
        .with_user("octocat")
        .with_package(
            PackageSeed::new("acme", PackageType::Container, "team/app")
                .repository("app")
                .version(VersionSeed::new("sha256:aaaa").id(APP_V1).tags(["v1"]))
                .version(VersionSeed::new("sha256:bbbb").id(APP_V2))
                .version(
                    VersionSeed::new("sha256:cccc")
                        .id(APP_DELETED)
                        .deleted_at("2024-06-01T00:00:00Z"),
                ),
        )
        .with_package(
            PackageSeed::new("acme", PackageType::Npm, "lib")
                .repository("lib")
                .version(VersionSeed::new("1.0.0").id(11))
                .version(VersionSeed::new("1.1.0").id(LIB_V2))
                .version(
                    VersionSeed::new("0.9.0")
                        .id(LIB_DELETED)
                        .deleted_at("2024-06-01T00:00:00Z"),
                ),
        )
        .with_package(
            PackageSeed::new("octocat", PackageType::Container, "dotfiles")
                .version(VersionSeed::new("sha256:dddd").id(21))
                .version(VersionSeed::new("sha256:eeee").id(22)),
        )
}

/// The fake with [`TOKEN`] authenticating as octocat with `profile`.
async fn as_token(profile: TokenProfile) -> Api {
    as_token_in(seed(), profile).await
}

/// The fake with [`TOKEN`] a classic PAT with exactly these scopes.
async fn with_scopes(scopes: &[&str]) -> Api {
    as_token(TokenProfile::classic(scopes.iter().copied())).await
}

async fn as_token_in(seed: Seed, profile: TokenProfile) -> Api {
    let seed = seed
        .with_token(TOKEN, "octocat")
        .with_token_profile(TOKEN, profile);
    Api::start(seed, Some(TOKEN)).await
}

fn version(package: &str, id: u64) -> String {
    format!("{package}/versions/{id}")
}

fn restore(package: &str, id: u64) -> String {
    format!("{package}/versions/{id}/restore")
}

async fn delete(api: &Api, path: &str) -> Reply {
    api.send(Method::DELETE, path).await
}

async fn post(api: &Api, path: &str) -> Reply {
    api.send(Method::POST, path).await
}

/// Asserts a `403` with exactly this message.
#[track_caller]
fn refused(reply: &Reply, message: &str) {
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert_eq!(reply.message(), message);
}

const LIST_MESSAGE: &str = "You need at least read:packages scope to list packages.";
const DELETE_VERSION_MESSAGE: &str =
    "You need at least delete:packages and read:packages scopes to delete a package version.";
const RESTORE_VERSION_MESSAGE: &str =
    "You need at least write:packages and read:packages scopes to restore a package version.";
const INTEGRATION: &str = "Resource not accessible by integration";
const FINE_GRAINED: &str = "Resource not accessible by personal access token";

#[tokio::test]
async fn reading_needs_read_packages() {
    let api = with_scopes(&[scope::DELETE_PACKAGES, scope::WRITE_PACKAGES]).await;
    refused(
        &api.get("/orgs/acme/packages?package_type=container").await,
        LIST_MESSAGE,
    );
    refused(
        &api.get("/user/packages?package_type=container").await,
        LIST_MESSAGE,
    );
    refused(
        &api.get(APP).await,
        "You need at least read:packages scope to get a package.",
    );
    refused(
        &api.get(&format!("{APP}/versions")).await,
        "You need at least read:packages scope to get a package's versions.",
    );
    refused(
        &api.get(&version(APP, APP_V1)).await,
        "You need at least read:packages scope to view a package's versions.",
    );
    refused(&api.get("/orgs/acme/docker/conflicts").await, LIST_MESSAGE);
    // Delete and restore need read:packages as well as their own scope.
    refused(
        &delete(&api, &version(APP, APP_V2)).await,
        DELETE_VERSION_MESSAGE,
    );
    refused(
        &post(&api, &restore(APP, APP_DELETED)).await,
        RESTORE_VERSION_MESSAGE,
    );
    // Reading works once the scope is there.
    let reader = with_scopes(&[scope::READ_PACKAGES]).await;
    assert_eq!(reader.get(APP).await.status, 200);
    assert_eq!(reader.get(&version(APP, APP_V1)).await.status, 200);
    assert_eq!(
        reader
            .get("/orgs/acme/packages?package_type=container")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn deleting_needs_delete_packages() {
    let reader = with_scopes(&[scope::READ_PACKAGES, scope::WRITE_PACKAGES]).await;
    refused(
        &delete(&reader, &version(APP, APP_V2)).await,
        DELETE_VERSION_MESSAGE,
    );
    refused(
        &delete(&reader, APP).await,
        "You need at least delete:packages and read:packages scopes to delete a package.",
    );

    let deleter = with_scopes(&[scope::READ_PACKAGES, scope::DELETE_PACKAGES]).await;
    assert_eq!(delete(&deleter, &version(APP, APP_V2)).await.status, 204);
    assert_eq!(delete(&deleter, APP).await.status, 204);
}

#[tokio::test]
async fn restoring_needs_write_packages() {
    let deleter = with_scopes(&[scope::READ_PACKAGES, scope::DELETE_PACKAGES]).await;
    refused(
        &post(&deleter, &restore(APP, APP_DELETED)).await,
        RESTORE_VERSION_MESSAGE,
    );
    assert_eq!(delete(&deleter, APP).await.status, 204);
    refused(
        &post(&deleter, &format!("{APP}/restore")).await,
        "You need at least write:packages and read:packages scopes to restore a package.",
    );

    let restorer = with_scopes(&[scope::READ_PACKAGES, scope::WRITE_PACKAGES]).await;
    assert_eq!(
        post(&restorer, &restore(APP, APP_DELETED)).await.status,
        204
    );
}

#[tokio::test]
async fn npm_packages_need_repo_for_every_operation() {
    let api = with_scopes(&[
        scope::READ_PACKAGES,
        scope::DELETE_PACKAGES,
        scope::WRITE_PACKAGES,
    ])
    .await;
    refused(
        &api.get("/orgs/acme/packages?package_type=npm").await,
        "You need at least read:packages and repo scopes to list packages.",
    );
    refused(
        &api.get(LIB).await,
        "You need at least read:packages and repo scopes to get a package.",
    );
    refused(
        &delete(&api, &version(LIB, LIB_V2)).await,
        "You need at least delete:packages, read:packages and repo scopes to delete a package version.",
    );
    refused(
        &post(&api, &restore(LIB, LIB_DELETED)).await,
        "You need at least write:packages, read:packages and repo scopes to restore a package version.",
    );
    // The endpoint says what it accepts.
    let reply = api.get(LIB).await;
    assert_eq!(
        reply.header("x-accepted-oauth-scopes"),
        Some("read:packages, repo")
    );
    // Containers have permissions of their own: no `repo` needed.
    assert_eq!(delete(&api, &version(APP, APP_V2)).await.status, 204);

    let with_repo = with_scopes(&[scope::READ_PACKAGES, scope::DELETE_PACKAGES, scope::REPO]).await;
    assert_eq!(with_repo.get(LIB).await.status, 200);
    assert_eq!(delete(&with_repo, &version(LIB, LIB_V2)).await.status, 204);
}

#[tokio::test]
async fn refusals_change_nothing_and_are_logged_and_counted() {
    let api = with_scopes(&[scope::READ_PACKAGES]).await;
    let before = api.github.state();
    let attempts = [
        (Method::DELETE, version(APP, APP_V2)),
        (Method::DELETE, APP.to_owned()),
        (Method::POST, restore(APP, APP_DELETED)),
        (Method::DELETE, version(LIB, LIB_V2)),
    ];
    for (method, path) in &attempts {
        assert_eq!(
            api.send(method.clone(), path).await.status,
            403,
            "{method} {path}"
        );
    }
    assert_eq!(api.github.state(), before);
    let log: Vec<(String, String, u16)> = api
        .github
        .requests()
        .into_iter()
        .map(|record| (record.method, record.path, record.status))
        .collect();
    let expected: Vec<(String, String, u16)> = attempts
        .iter()
        .map(|(method, path)| (method.to_string(), path.clone(), 403))
        .collect();
    assert_eq!(log, expected);
    assert_eq!(api.github.counters().permission_refusals, 4);
    // A 404 is not a permission refusal.
    assert_eq!(api.get(&version(APP, 999)).await.status, 404);
    assert_eq!(api.github.counters().permission_refusals, 4);
}

#[tokio::test]
async fn scopes_are_reported_to_classic_and_oauth_tokens_only() {
    let classic = with_scopes(&[scope::READ_PACKAGES, scope::DELETE_PACKAGES]).await;
    let reply = classic.get(APP).await;
    assert_eq!(
        reply.header("x-oauth-scopes"),
        Some("delete:packages, read:packages")
    );
    assert_eq!(
        reply.header("x-accepted-oauth-scopes"),
        Some("read:packages")
    );
    let refusal = post(&classic, &restore(APP, APP_DELETED)).await;
    assert_eq!(
        refusal.header("x-oauth-scopes"),
        Some("delete:packages, read:packages")
    );
    assert_eq!(
        refusal.header("x-accepted-oauth-scopes"),
        Some("write:packages, read:packages")
    );
    // Every API response carries them, not only the Packages endpoints'.
    let profile = classic.get("/users/octocat").await;
    assert_eq!(
        profile.header("x-oauth-scopes"),
        Some("delete:packages, read:packages")
    );
    assert_eq!(profile.header("x-accepted-oauth-scopes"), Some(""));

    let oauth = as_token(TokenProfile::oauth(Vec::<String>::new())).await;
    let reply = oauth.get(APP).await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.header("x-oauth-scopes"), Some(""));

    // A token seeded without a profile may do everything, and says so.
    let unrestricted = Api::start(seed().with_token(TOKEN, "octocat"), Some(TOKEN)).await;
    assert_eq!(
        unrestricted.get(APP).await.header("x-oauth-scopes"),
        Some("delete:packages, read:packages, repo, write:packages")
    );

    for profile in [
        TokenProfile::fine_grained(PackagePermission::Read),
        TokenProfile::app(PackagePermission::Read),
        TokenProfile::github_token(PackagePermission::Read),
    ] {
        let kind = profile.kind;
        let api = as_token(profile).await;
        let reply = api.get(APP).await;
        assert_eq!(reply.status, 200, "{kind}: {}", reply.text);
        assert_eq!(reply.header("x-oauth-scopes"), None, "{kind}");
        assert_eq!(reply.header("x-accepted-oauth-scopes"), None, "{kind}");
        assert_eq!(
            reply.header("x-accepted-github-permissions"),
            Some("packages=read"),
            "{kind}"
        );
        assert_eq!(
            api.get("/users/octocat").await.header("x-oauth-scopes"),
            None
        );
    }
}

#[tokio::test]
async fn fine_grained_tokens_need_the_packages_permission() {
    let reader = as_token(TokenProfile::fine_grained(PackagePermission::Read)).await;
    assert_eq!(
        reader
            .get("/orgs/acme/packages?package_type=container")
            .await
            .status,
        200
    );
    let refusal = delete(&reader, &version(APP, APP_V2)).await;
    refused(&refusal, FINE_GRAINED);
    assert_eq!(
        refusal.header("x-accepted-github-permissions"),
        Some("packages=write")
    );
    refused(
        &post(&reader, &restore(APP, APP_DELETED)).await,
        FINE_GRAINED,
    );

    let none = as_token(TokenProfile::fine_grained(PackagePermission::None)).await;
    refused(&none.get(APP).await, FINE_GRAINED);
    refused(
        &none.get("/user/packages?package_type=container").await,
        FINE_GRAINED,
    );

    let writer = as_token(TokenProfile::fine_grained(PackagePermission::Write)).await;
    assert_eq!(delete(&writer, &version(APP, APP_V2)).await.status, 204);
    assert_eq!(post(&writer, &restore(APP, APP_DELETED)).await.status, 204);
}

#[tokio::test]
async fn app_tokens_need_the_packages_permission_and_have_no_user() {
    let reader = as_token(TokenProfile::app(PackagePermission::Read)).await;
    assert_eq!(
        reader
            .get("/orgs/acme/packages?package_type=container")
            .await
            .status,
        200
    );
    refused(&delete(&reader, &version(APP, APP_V2)).await, INTEGRATION);
    refused(&reader.get("/user").await, INTEGRATION);
    refused(
        &reader.get("/user/packages/container/dotfiles").await,
        INTEGRATION,
    );
    // The account is reachable by its name instead.
    assert_eq!(
        reader
            .get("/users/octocat/packages/container/dotfiles")
            .await
            .status,
        200
    );

    let writer = as_token(TokenProfile::app(PackagePermission::Write)).await;
    assert_eq!(delete(&writer, &version(APP, APP_V2)).await.status, 204);
}

#[tokio::test]
async fn a_github_token_cannot_list_an_owners_packages_but_gets_them_by_name() {
    let api = as_token(TokenProfile::github_token(PackagePermission::Write)).await;
    refused(
        &api.get("/orgs/acme/packages?package_type=container").await,
        INTEGRATION,
    );
    refused(
        &api.get("/users/octocat/packages?package_type=container")
            .await,
        INTEGRATION,
    );
    refused(
        &api.get("/user/packages?package_type=container").await,
        INTEGRATION,
    );
    assert_eq!(api.get(APP).await.status, 200);
    let versions = api.get(&format!("{APP}/versions")).await;
    assert_eq!(versions.status, 200);
    assert_eq!(versions.len(), 2);
    assert_eq!(api.get(&version(APP, APP_V1)).await.status, 200);
    assert_eq!(
        api.get(&format!("{APP}/versions?state=deleted"))
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn a_github_token_deletes_and_restores_only_with_admin_access_to_the_package() {
    // No "Manage Actions access" grant, and the workflow runs in another repository.
    let outsider =
        as_token(TokenProfile::github_token(PackagePermission::Write).repository("acme/site"))
            .await;
    let state = outsider.github.state();
    refused(&delete(&outsider, &version(APP, APP_V2)).await, INTEGRATION);
    refused(&delete(&outsider, APP).await, INTEGRATION);
    refused(
        &post(&outsider, &restore(APP, APP_DELETED)).await,
        INTEGRATION,
    );
    assert_eq!(outsider.github.state(), state);
    // A missing package is still 404, as GitHub answers.
    assert_eq!(
        delete(&outsider, "/orgs/acme/packages/container/missing")
            .await
            .status,
        404
    );

    let granted = |role| {
        TokenProfile::github_token(PackagePermission::Write).actions_access(
            "acme",
            PackageType::Container,
            "team/app",
            role,
        )
    };
    // The write role is not enough.
    let writer = as_token(granted(ActionsRole::Write)).await;
    refused(&delete(&writer, &version(APP, APP_V2)).await, INTEGRATION);

    let admin = as_token(granted(ActionsRole::Admin)).await;
    assert_eq!(delete(&admin, &version(APP, APP_V2)).await.status, 204);
    assert_eq!(post(&admin, &restore(APP, APP_DELETED)).await.status, 204);
    // The grant is for one package only.
    refused(&delete(&admin, &version(LIB, LIB_V2)).await, INTEGRATION);

    // The repository a package is linked to is its publisher, and admin without a grant.
    let publisher =
        as_token(TokenProfile::github_token(PackagePermission::Write).repository("acme/app")).await;
    assert_eq!(delete(&publisher, &version(APP, APP_V2)).await.status, 204);

    // `permissions: packages: read` stops it even so.
    let read_only =
        as_token(TokenProfile::github_token(PackagePermission::Read).repository("acme/app")).await;
    refused(
        &delete(&read_only, &version(APP, APP_V2)).await,
        INTEGRATION,
    );
}

/// acme enforces SAML SSO; octocat is a member of it and of `corp`, which does not.
fn sso_seed() -> Seed {
    seed()
        .with_owner(
            OwnerSeed::new("corp", OwnerKind::Organization)
                .id(900)
                .members(["octocat"]),
        )
        .with_package(
            PackageSeed::new("corp", PackageType::Container, "base")
                .version(VersionSeed::new("sha256:ffff").id(31)),
        )
}

/// Makes acme enforce SSO with octocat as a member.
fn enforce_sso(mut seed: Seed) -> Seed {
    let acme = seed
        .owners
        .iter_mut()
        .find(|owner| owner.login == "acme")
        .expect("seeded");
    acme.saml_sso = true;
    acme.members.push("octocat".into());
    seed
}

#[tokio::test]
async fn sso_organisations_refuse_tokens_not_authorised_for_them() {
    let api = as_token_in(enforce_sso(seed()), TokenProfile::unrestricted()).await;
    let before = api.github.state();
    for (method, path) in [
        (
            Method::GET,
            "/orgs/acme/packages?package_type=container".to_owned(),
        ),
        (Method::GET, APP.to_owned()),
        (Method::GET, format!("{APP}/versions")),
        (Method::DELETE, version(APP, APP_V2)),
        (Method::POST, restore(APP, APP_DELETED)),
    ] {
        let reply = api.send(method.clone(), &path).await;
        refused(
            &reply,
            "Resource protected by organization SAML enforcement. You must grant your Personal \
             Access token access to this organization.",
        );
        let sso = reply.header("x-github-sso").unwrap_or_default();
        let url = sso
            .strip_prefix("required; url=https://github.com/orgs/acme/sso?authorization_request=")
            .unwrap_or_else(|| panic!("{method} {path}: X-GitHub-SSO is {sso:?}"));
        assert!(!url.is_empty() && !url.contains(TOKEN), "{sso}");
    }
    assert_eq!(api.github.state(), before);
    assert_eq!(api.github.counters().permission_refusals, 5);
    // The organisation's profile and the user's own packages are not SSO-protected.
    assert_eq!(api.get("/orgs/acme").await.status, 200);
    assert_eq!(
        api.get("/users/octocat/packages/container/dotfiles")
            .await
            .status,
        200
    );

    let oauth = as_token_in(
        enforce_sso(seed()),
        TokenProfile::oauth([scope::READ_PACKAGES]),
    )
    .await;
    refused(
        &oauth.get(APP).await,
        "Resource protected by organization SAML enforcement. You must grant your OAuth token \
         access to this organization.",
    );

    let authorised = as_token_in(
        enforce_sso(seed()),
        TokenProfile::unrestricted().sso_authorized("acme"),
    )
    .await;
    let reply = authorised.get(APP).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-github-sso"), None);
    assert_eq!(delete(&authorised, &version(APP, APP_V2)).await.status, 204);

    // Installation tokens are not subject to SSO.
    let installation = as_token_in(
        enforce_sso(seed()),
        TokenProfile::github_token(PackagePermission::Read),
    )
    .await;
    assert_eq!(installation.get(APP).await.status, 200);
}

#[tokio::test]
async fn user_listings_leave_out_the_packages_of_sso_organisations_and_say_so() {
    let names = |reply: &Reply| -> Vec<String> {
        reply
            .json
            .as_array()
            .into_iter()
            .flatten()
            .map(|package| {
                format!(
                    "{}/{}",
                    package["owner"]["login"].as_str().unwrap_or_default(),
                    package["name"].as_str().unwrap_or_default()
                )
            })
            .collect()
    };
    let unauthorised = as_token_in(enforce_sso(sso_seed()), TokenProfile::unrestricted()).await;
    let acme_id = unauthorised
        .github
        .state()
        .owners
        .iter()
        .find(|owner| owner.login == "acme")
        .map(|owner| owner.id)
        .expect("seeded");
    let reply = unauthorised
        .get("/user/packages?package_type=container")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(names(&reply), ["corp/base", "octocat/dotfiles"]);
    assert_eq!(
        reply.header("x-github-sso"),
        Some(format!("partial-results; organizations={acme_id}").as_str())
    );

    let authorised = as_token_in(
        enforce_sso(sso_seed()),
        TokenProfile::unrestricted().sso_authorized("acme"),
    )
    .await;
    let reply = authorised
        .get("/user/packages?package_type=container")
        .await;
    assert_eq!(
        names(&reply),
        ["corp/base", "octocat/dotfiles", "acme/team/app"]
    );
    assert_eq!(reply.header("x-github-sso"), None);

    // A listing of one account spans no organisations.
    let own = unauthorised
        .get("/users/octocat/packages?package_type=container")
        .await;
    assert_eq!(names(&own), ["octocat/dotfiles"]);
    assert_eq!(own.header("x-github-sso"), None);
}

#[tokio::test]
async fn profiles_sso_and_membership_load_from_seed_json() {
    let seed = Seed::from_json(
        r#"{
          "owners": [
            { "login": "acme", "kind": "organization", "saml_sso": true, "members": ["octocat"] },
            { "login": "octocat", "kind": "user" }
          ],
          "tokens": { "reader": "octocat", "ci": "octocat" },
          "token_profiles": {
            "reader": { "kind": "classic", "scopes": ["read:packages"], "sso_authorized": ["acme"] },
            "ci": { "kind": "github_token", "packages": "write",
                    "actions_access": [{ "owner": "acme", "package_type": "container",
                                         "name": "team/app", "role": "admin" }] }
          },
          "packages": [
            { "owner": "acme", "package_type": "container", "name": "team/app",
              "versions": [{ "name": "sha256:aaaa", "id": 1 }, { "name": "sha256:bbbb", "id": 2 }] }
          ]
        }"#,
    )
    .expect("a valid seed");
    let again =
        Seed::from_json(&serde_json::to_string(&seed).expect("serialisable")).expect("round trip");
    assert_eq!(again, seed);

    let api = Api::start(seed, Some("reader")).await;
    assert_eq!(api.get(APP).await.status, 200);
    assert_eq!(
        api.get("/user/packages?package_type=container").await.len(),
        1
    );
    refused(
        &delete(&api, &version(APP, 2)).await,
        DELETE_VERSION_MESSAGE,
    );
    let ci = Some("Bearer ci");
    let listing = api
        .send_with(
            Method::GET,
            "/orgs/acme/packages?package_type=container",
            ci,
        )
        .await;
    refused(&listing, INTEGRATION);
    let deletion = api.send_with(Method::DELETE, &version(APP, 2), ci).await;
    assert_eq!(deletion.status, 204);
}

#[tokio::test]
async fn inconsistent_profiles_are_refused_without_naming_the_token() {
    let orphan = seed().with_token_profile(TOKEN, TokenProfile::unrestricted());
    let error = FakeGitHub::start(orphan).await.expect_err("refused");
    let message = format!("{error:#}");
    assert!(message.contains("with_token"), "{message}");
    assert!(!message.contains(TOKEN), "{message}");

    let misfit = seed().with_token(TOKEN, "octocat").with_token_profile(
        TOKEN,
        TokenProfile::fine_grained(PackagePermission::Read).sso_authorized("acme"),
    );
    let message = format!(
        "{:#}",
        FakeGitHub::start(misfit).await.expect_err("refused")
    );
    assert!(message.contains("sso_authorized"), "{message}");
    assert!(!message.contains(TOKEN), "{message}");
}
