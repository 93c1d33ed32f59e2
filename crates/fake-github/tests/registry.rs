//! The registry side: GHCR's token flow and manifests served from the same data as the REST API.

mod common;

use common::{Api, Reply, read};
use fake_github::{
    Fault, Faults, HostileRegistry, ManifestSeed, MultiArchImage, PackageSeed, PackageType,
    Platform, RequestKind, Seed, VersionSeed, Visibility, cosign_tag, media_type,
};
use reqwest::Method;
use sha2::{Digest as _, Sha256};

const TOKEN: &str = "api-token";
/// The public multi-arch image, owned by an organisation whose login has capitals.
const API: &str = "acme-corp/api";
/// A private package whose name contains `/`.
const CACHE: &str = "acme-corp/api/build-cache";
/// The REST path of the `api` package.
const API_PACKAGE: &str = "/orgs/Acme-Corp/packages/container/api";

/// Everything the seed holds, for the tests to name.
struct Fixture {
    build: MultiArchImage,
    signature: ManifestSeed,
    legacy: ManifestSeed,
    cache: ManifestSeed,
}

fn fixture() -> Fixture {
    let build = MultiArchImage::new(
        "api v1",
        &[Platform::linux("amd64"), Platform::linux("arm64")],
        2,
    );
    let signature = ManifestSeed::cosign_signature(&build.index.digest());
    Fixture {
        build,
        signature,
        legacy: ManifestSeed::docker_image("api legacy").layers(1).build(),
        cache: ManifestSeed::image("cache").layers(3).build(),
    }
}

fn seed(fixture: &Fixture) -> Seed {
    let index = fixture.build.index.digest();
    let api = PackageSeed::new("Acme-Corp", PackageType::Container, "api")
        .visibility(Visibility::Public)
        .version(
            VersionSeed::from_manifest(fixture.legacy.clone()).created_at("2024-01-01T00:00:00Z"),
        )
        .versions(fixture.build.children().map(|child| {
            VersionSeed::from_manifest(child.clone()).created_at("2024-02-01T00:00:00Z")
        }))
        .version(
            VersionSeed::from_manifest(fixture.build.index.clone())
                .tags(["v1", "latest"])
                .created_at("2024-02-01T00:00:10Z"),
        )
        .version(
            VersionSeed::from_manifest(fixture.signature.clone())
                .tags([cosign_tag(&index, "sig")])
                .created_at("2024-02-01T00:02:00Z"),
        );
    let cache = PackageSeed::new("Acme-Corp", PackageType::Container, "api/build-cache")
        .version(VersionSeed::from_manifest(fixture.cache.clone()).tags(["buildcache"]))
        .version(VersionSeed::new("sha256:0000"));
    Seed::default()
        .with_org("Acme-Corp")
        .with_user("octocat")
        .with_token(TOKEN, "octocat")
        .with_package(api)
        .with_package(cache)
        .with_package(
            PackageSeed::new("Acme-Corp", PackageType::Npm, "web")
                .version(VersionSeed::new("1.0.0")),
        )
}

async fn start() -> (Api, Fixture) {
    let fixture = fixture();
    (Api::start(seed(&fixture), Some(TOKEN)).await, fixture)
}

/// Asks the token endpoint for pull access to `repository`, with Basic credentials if given.
async fn token_reply(api: &Api, repository: &str, credentials: Option<(&str, &str)>) -> Reply {
    let url = api.url(&format!(
        "/token?service=fake&scope=repository:{repository}:pull"
    ));
    let mut request = api.client().get(url);
    if let Some((user, password)) = credentials {
        request = request.basic_auth(user, Some(password));
    }
    read(request).await
}

/// A registry token for pulling `repository`, bought with the API token.
async fn pull_token(api: &Api, repository: &str) -> String {
    let reply = token_reply(api, repository, Some(("octocat", TOKEN))).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json["token"].as_str().expect("a token").to_owned()
}

/// `method /v2/{repository}/manifests/{reference}` with a bearer token and `Accept` headers.
async fn manifest(
    api: &Api,
    method: Method,
    repository: &str,
    reference: &str,
    bearer: Option<&str>,
    accept: &[&str],
) -> Reply {
    let url = api.url(&format!("/v2/{repository}/manifests/{reference}"));
    let mut request = api.client().request(method, url);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    for media_type in accept {
        request = request.header("accept", *media_type);
    }
    read(request).await
}

/// `GET` a manifest with a fresh pull token and no `Accept` header.
async fn pull(api: &Api, repository: &str, reference: &str) -> Reply {
    let token = pull_token(api, repository).await;
    manifest(api, Method::GET, repository, reference, Some(&token), &[]).await
}

fn sha256(text: &str) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes())))
}

/// Reads `key="value"` out of a `WWW-Authenticate` challenge.
fn challenge_param<'a>(challenge: &'a str, key: &str) -> Option<&'a str> {
    let start = challenge.find(&format!("{key}=\""))? + key.len() + 2;
    let length = challenge[start..].find('"')?;
    Some(&challenge[start..start + length])
}

#[tokio::test]
async fn the_token_flow_leads_from_a_challenge_to_the_manifest() {
    let (api, fixture) = start().await;
    let host = api.github.local_addr().to_string();

    // Clients ping /v2/ first to learn where to authenticate.
    let ping = api.send_with(Method::GET, "/v2/", None).await;
    assert_eq!((ping.status, ping.registry_error()), (401, "UNAUTHORIZED"));
    assert_eq!(
        ping.header("docker-distribution-api-version"),
        Some("registry/2.0")
    );

    let index = fixture.build.index.digest();
    let refused = manifest(&api, Method::GET, API, &index, None, &[]).await;
    assert_eq!(refused.status, 401);
    let challenge = refused.header("www-authenticate").expect("a challenge");
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    let realm = challenge_param(challenge, "realm").expect("a realm");
    assert_eq!(realm, format!("http://{host}/token"));
    assert_eq!(challenge_param(challenge, "service"), Some(host.as_str()));
    let scope = challenge_param(challenge, "scope").expect("a scope");
    assert_eq!(scope, format!("repository:{API}:pull"));

    // Follow the challenge as a client would.
    let issued = read(
        api.client()
            .get(realm)
            .query(&[("service", host.as_str()), ("scope", scope)])
            .basic_auth("any-user-name", Some(TOKEN)),
    )
    .await;
    assert_eq!(issued.status, 200, "{}", issued.text);
    let token = issued.json["token"].as_str().expect("a token");
    assert_eq!(issued.json["access_token"].as_str(), Some(token));
    assert_ne!(token, TOKEN);

    let ping = api
        .send_with(Method::GET, "/v2/", Some(&format!("Bearer {token}")))
        .await;
    assert_eq!((ping.status, &ping.json), (200, &serde_json::json!({})));

    let reply = manifest(&api, Method::GET, API, &index, Some(token), &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some(media_type::OCI_INDEX));
    assert_eq!(reply.header("docker-content-digest"), Some(index.as_str()));
    assert_eq!(
        reply.header("content-length"),
        Some(reply.text.len().to_string().as_str())
    );
    assert_eq!(sha256(&reply.text), index);
    assert_eq!(reply.text, fixture.build.index.content);

    // A Docker-format image keeps its own media type.
    let legacy = manifest(
        &api,
        Method::GET,
        API,
        &fixture.legacy.digest(),
        Some(token),
        &[],
    )
    .await;
    assert_eq!(
        legacy.header("content-type"),
        Some(media_type::DOCKER_MANIFEST)
    );
    assert_eq!(sha256(&legacy.text), fixture.legacy.digest());
}

#[tokio::test]
async fn tags_select_the_active_version_that_carries_them() {
    let (api, fixture) = start().await;
    let token = pull_token(&api, API).await;
    let index = fixture.build.index.digest();
    for tag in ["v1", "latest"] {
        let reply = manifest(&api, Method::GET, API, tag, Some(&token), &[]).await;
        assert_eq!(
            reply.header("docker-content-digest"),
            Some(index.as_str()),
            "{tag}"
        );
    }
    let signature = manifest(
        &api,
        Method::GET,
        API,
        &cosign_tag(&index, "sig"),
        Some(&token),
        &[],
    )
    .await;
    assert_eq!(signature.text, fixture.signature.content);

    // HEAD answers the same headers without the body.
    let head = manifest(&api, Method::HEAD, API, "v1", Some(&token), &[]).await;
    assert_eq!((head.status, head.text.as_str()), (200, ""));
    assert_eq!(head.header("docker-content-digest"), Some(index.as_str()));
    assert_eq!(
        head.header("content-length"),
        Some(fixture.build.index.content.len().to_string().as_str())
    );

    let unknown = manifest(&api, Method::GET, API, "v9", Some(&token), &[]).await;
    assert_eq!(
        (unknown.status, unknown.registry_error()),
        (404, "MANIFEST_UNKNOWN")
    );
    assert_eq!(unknown.json["errors"][0]["message"], "manifest unknown");
}

#[tokio::test]
async fn a_deleted_versions_manifest_is_gone_until_it_is_restored() {
    let (api, fixture) = start().await;
    let index = fixture.build.index.digest();
    let versions = api
        .get(&format!("{API_PACKAGE}/versions?per_page=100"))
        .await;
    let id = versions
        .json
        .as_array()
        .into_iter()
        .flatten()
        .find(|version| version["name"] == index.as_str())
        .and_then(|version| version["id"].as_u64())
        .expect("the index is a version");

    let deleted = api
        .send(Method::DELETE, &format!("{API_PACKAGE}/versions/{id}"))
        .await;
    assert_eq!(deleted.status, 204);
    for reference in [index.as_str(), "v1"] {
        let gone = pull(&api, API, reference).await;
        assert_eq!(
            (gone.status, gone.registry_error()),
            (404, "MANIFEST_UNKNOWN"),
            "{reference}"
        );
    }
    // Its children are versions of their own and stay.
    assert_eq!(
        pull(&api, API, &fixture.build.images[0].digest())
            .await
            .status,
        200
    );

    let restored = api
        .send(
            Method::POST,
            &format!("{API_PACKAGE}/versions/{id}/restore"),
        )
        .await;
    assert_eq!(restored.status, 204);
    let back = pull(&api, API, "v1").await;
    assert_eq!(back.status, 200);
    assert_eq!(back.header("docker-content-digest"), Some(index.as_str()));
}

#[tokio::test]
async fn repositories_are_owner_and_package_name_slashes_included() {
    let (api, fixture) = start().await;
    let cache = pull(&api, CACHE, "buildcache").await;
    assert_eq!(cache.status, 200, "{}", cache.text);
    assert_eq!(
        cache.header("docker-content-digest"),
        Some(fixture.cache.digest().as_str())
    );

    // GHCR lower-cases owners in repository paths; the fake takes any case, and so do scopes.
    let token = pull_token(&api, API).await;
    let upper = manifest(&api, Method::GET, "ACME-CORP/api", "v1", Some(&token), &[]).await;
    assert_eq!(upper.status, 200);

    for repository in ["acme-corp/nothing", "nobody/api", "acme-corp/web"] {
        let unknown = pull(&api, repository, "latest").await;
        assert_eq!(
            (unknown.status, unknown.registry_error()),
            (404, "NAME_UNKNOWN"),
            "{repository}"
        );
    }
    // A version without a stored manifest has nothing to serve.
    let bare = pull(&api, CACHE, "sha256:0000").await;
    assert_eq!(bare.registry_error(), "MANIFEST_UNKNOWN");
}

#[tokio::test]
async fn accept_headers_choose_what_may_be_served() {
    let (api, fixture) = start().await;
    let token = pull_token(&api, API).await;
    let single = [media_type::OCI_MANIFEST, media_type::DOCKER_MANIFEST];

    // GHCR answers an index asked for with only single-image types as if it did not exist.
    let index = manifest(&api, Method::GET, API, "v1", Some(&token), &single).await;
    assert_eq!(
        (index.status, index.registry_error()),
        (404, "MANIFEST_UNKNOWN")
    );
    let listed = [media_type::OCI_MANIFEST, media_type::OCI_INDEX];
    assert_eq!(
        manifest(&api, Method::GET, API, "v1", Some(&token), &listed)
            .await
            .status,
        200
    );
    let joined = format!("{}, */*;q=0.1", media_type::OCI_MANIFEST);
    assert_eq!(
        manifest(&api, Method::GET, API, "v1", Some(&token), &[&joined])
            .await
            .status,
        200
    );

    let image = fixture.build.images[1].digest();
    assert_eq!(
        manifest(&api, Method::GET, API, &image, Some(&token), &single)
            .await
            .status,
        200
    );
    let only_docker = [media_type::DOCKER_MANIFEST];
    assert_eq!(
        manifest(&api, Method::GET, API, &image, Some(&token), &only_docker)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn api_tokens_are_not_registry_tokens() {
    let (api, _) = start().await;
    for path in ["/v2/", &format!("/v2/{API}/manifests/v1")] {
        let refused = api.send(Method::GET, path).await;
        assert_eq!(
            (refused.status, refused.registry_error()),
            (401, "UNAUTHORIZED"),
            "{path}"
        );
        assert!(
            refused
                .header("www-authenticate")
                .is_some_and(|c| c.starts_with("Bearer realm="))
        );
    }
}

#[tokio::test]
async fn token_requests_need_good_credentials_and_tokens_their_scope() {
    let (api, _) = start().await;
    let bad = token_reply(&api, API, Some(("octocat", "wrong"))).await;
    assert_eq!((bad.status, bad.registry_error()), (401, "UNAUTHORIZED"));
    let bearer = read(
        api.client()
            .get(api.url("/token?scope=repository:acme-corp/api:pull"))
            .bearer_auth(TOKEN),
    )
    .await;
    assert_eq!(bearer.status, 401);

    // Without credentials, GHCR hands out tokens that pull public packages only. (`scope` may
    // repeat.)
    let anonymous = read(api.client().get(api.url("/token")).query(&[
        ("scope", format!("repository:{API}:pull")),
        ("scope", format!("repository:{CACHE}:pull")),
    ]))
    .await;
    let anonymous = anonymous.json["token"]
        .as_str()
        .expect("an anonymous token")
        .to_owned();
    let public = manifest(&api, Method::GET, API, "v1", Some(&anonymous), &[]).await;
    assert_eq!(public.status, 200);
    let private = manifest(
        &api,
        Method::GET,
        CACHE,
        "buildcache",
        Some(&anonymous),
        &[],
    )
    .await;
    assert_eq!((private.status, private.registry_error()), (403, "DENIED"));

    // A token pulls only the repositories it was asked for.
    let for_api = pull_token(&api, API).await;
    let other = manifest(&api, Method::GET, CACHE, "buildcache", Some(&for_api), &[]).await;
    assert_eq!(other.status, 401);
    let challenge = other.header("www-authenticate").expect("a challenge");
    assert!(
        challenge.contains(r#"error="insufficient_scope""#),
        "{challenge}"
    );
    assert_eq!(
        challenge_param(challenge, "scope"),
        Some(format!("repository:{CACHE}:pull").as_str())
    );
}

#[tokio::test]
async fn the_registry_lives_at_the_root_and_only_reads() {
    let (api, _) = start().await;
    let token = pull_token(&api, API).await;
    let before = api.github.state();
    let delete = manifest(&api, Method::DELETE, API, "v1", Some(&token), &[]).await;
    assert_eq!(
        (delete.status, delete.registry_error()),
        (405, "UNSUPPORTED")
    );
    assert_eq!(api.github.state(), before);

    let other = api
        .send_with(
            Method::GET,
            &format!("/v2/{API}/tags/list"),
            Some(&format!("Bearer {token}")),
        )
        .await;
    assert_eq!(other.status, 404);
    // The Enterprise prefix is the REST API's alone.
    let prefixed = api.get("/api/v3/v2/").await;
    assert_eq!((prefixed.status, prefixed.message()), (404, "Not Found"));
}

#[tokio::test]
async fn registry_requests_are_logged_and_counted_apart() {
    let (api, _) = start().await;
    pull(&api, API, "v1").await;
    api.get(API_PACKAGE).await;
    let kinds: Vec<(String, RequestKind, u16)> = api
        .github
        .requests()
        .into_iter()
        .map(|r| (r.path, r.kind, r.status))
        .collect();
    assert_eq!(
        kinds,
        [
            ("/token".to_owned(), RequestKind::Registry, 200),
            (
                format!("/v2/{API}/manifests/v1"),
                RequestKind::Registry,
                200
            ),
            (API_PACKAGE.to_owned(), RequestKind::Api, 200),
        ]
    );
    let counters = api.github.counters();
    assert_eq!((counters.requests, counters.registry_requests), (3, 2));
    assert_eq!(counters.by_method.get("GET"), Some(&3));
}

#[tokio::test]
async fn faults_reach_the_registry_too() {
    let (api, _) = start().await;
    let token = pull_token(&api, API).await;
    api.github.set_faults(Faults::default().fail_rate(1.0));
    let failed = manifest(&api, Method::GET, API, "v1", Some(&token), &[]).await;
    assert!([502, 503].contains(&failed.status), "{}", failed.status);
    assert!(
        ["UNKNOWN", "UNAVAILABLE"].contains(&failed.registry_error()),
        "{}",
        failed.text
    );
    let log = api.github.requests();
    assert_eq!(log.last().and_then(|r| r.fault), Some(Fault::ServerError));
    assert_eq!(api.github.counters().injected_failures, 1);
}

#[tokio::test]
async fn expired_tokens_meet_the_challenge_again() {
    let (api, _) = start().await;
    let token = pull_token(&api, API).await;
    api.github.expire_registry_tokens();
    let stale = manifest(&api, Method::GET, API, "v1", Some(&token), &[]).await;
    assert_eq!(stale.status, 401);
    assert!(stale.header("www-authenticate").is_some());
    let fresh = pull_token(&api, API).await;
    assert_ne!(fresh, token, "a token is never given out twice");
    assert_eq!(pull(&api, API, "v1").await.status, 200);
    // The log keeps the credentials each request carried.
    let log = api.github.requests();
    let stale_request = log
        .iter()
        .find(|r| r.status == 401)
        .expect("the stale request");
    assert_eq!(stale_request.authorization, Some(format!("Bearer {token}")));
}

#[tokio::test]
async fn a_hostile_registry_claims_the_wrong_digest_or_serves_the_wrong_manifest() {
    let (api, fixture) = start().await;
    let claimed = format!("sha256:{}", "1".repeat(64));
    api.github
        .set_hostile_registry(Some(HostileRegistry::DigestHeader(claimed.clone())));
    let reply = pull(&api, API, "v1").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("docker-content-digest"),
        Some(claimed.as_str())
    );
    assert_eq!(reply.text, fixture.build.index.content);

    api.github
        .set_hostile_registry(Some(HostileRegistry::WrongManifest(fixture.cache.clone())));
    let reply = pull(&api, API, &fixture.signature.digest()).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("docker-content-digest"), None);
    assert_eq!(sha256(&reply.text), fixture.cache.digest());

    api.github.set_hostile_registry(None);
    let reply = pull(&api, API, "v1").await;
    assert_eq!(
        reply.header("docker-content-digest"),
        Some(fixture.build.index.digest().as_str())
    );
}

#[tokio::test]
async fn a_hostile_registry_names_another_realm_or_asks_for_basic_credentials() {
    let (api, _) = start().await;
    let elsewhere = "https://token.example.invalid/token";
    api.github
        .set_hostile_registry(Some(HostileRegistry::Realm(elsewhere.into())));
    let challenged = manifest(&api, Method::GET, API, "v1", None, &[]).await;
    let challenge = challenged.header("www-authenticate").expect("a challenge");
    assert_eq!(challenge_param(challenge, "realm"), Some(elsewhere));

    api.github
        .set_hostile_registry(Some(HostileRegistry::BasicAuth));
    let challenged = manifest(&api, Method::GET, API, "v1", None, &[]).await;
    assert_eq!(
        challenged.header("www-authenticate"),
        Some(r#"Basic realm="Registry Realm""#)
    );
    let url = api.url(&format!("/v2/{API}/manifests/v1"));
    let basic = read(api.client().get(url).basic_auth("anyone", Some(TOKEN))).await;
    assert_eq!(basic.status, 200, "{}", basic.text);
}
