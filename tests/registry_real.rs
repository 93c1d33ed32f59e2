//! The registry client against real servers on 127.0.0.1.
//!
//! `real_registry`: the CNCF distribution registry (Debian's `docker-registry`), started by each
//! test, with an image pushed by `skopeo` the way `docker buildx build --platform
//! linux/amd64,linux/arm64 --push` lays one out: an OCI index naming two platform images and a
//! provenance attestation, plus a cosign-style signature tag. `.ci/run` installs both tools.
//!
//! `token_flow`: the 401 → token service → bearer dance, against the fake GitHub's registry,
//! which answers the way ghcr.io does (and, told to, the way other registries or broken ones
//! do). (The distribution registry's own token auth needs a separate token server, so it is not
//! used for this.)

use package_warden::github::Token;
use package_warden::registry::RegistryClient;
use url::Url;

mod common;
/// The token the servers here accept. Never appears in an error message.
use common::TOKEN;

const USERNAME: &str = "acme-bot";

fn client(base: &Url, token: &str) -> RegistryClient {
    RegistryClient::new(
        base.clone(),
        USERNAME.to_string(),
        Token::new(token.to_string()),
    )
    .expect("a client for a local registry")
}

mod real_registry {
    use std::fs;
    use std::net::TcpListener;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::time::Duration;

    use fake_github::{
        Descriptor, ManifestSeed as FakeManifest, OciLayout, Platform as FakePlatform, cosign_tag,
        media_type,
    };
    use package_warden::registry::{
        ManifestKind, OCI_INDEX, OCI_MANIFEST, Platform, RegistryError,
    };
    use serde_json::{Value, json};
    use url::Url;

    use super::{TOKEN, client};

    /// Where Debian's `docker-registry` package puts the registry.
    const DOCKER_REGISTRY: &str = "/usr/bin/docker-registry";

    /// A program the tests need, or a failure that says how to get it. Never a skip: a test that
    /// skips on a machine without the tools would pass without having checked anything.
    fn require_program(name: &str, usual_path: &str) -> PathBuf {
        if Path::new(usual_path).is_file() {
            return PathBuf::from(usual_path);
        }
        std::env::var_os("PATH")
            .into_iter()
            .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
            .unwrap_or_else(|| {
                panic!(
                    "`{name}` is not installed (looked for {usual_path} and on PATH): run .ci/run, \
                     which installs `docker-registry` and `skopeo` with apt-get"
                )
            })
    }

    /// A distribution registry on 127.0.0.1, storing into a temporary directory; stopped on drop.
    struct Registry {
        child: Child,
        base: Url,
        temp: tempfile::TempDir,
    }

    impl Drop for Registry {
        fn drop(&mut self) {
            // Errors here mean it has already exited, which is what we want.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    impl Registry {
        async fn start() -> Registry {
            let program = require_program("docker-registry", DOCKER_REGISTRY);
            // A free port can be taken by someone else between our probe and the registry's
            // bind: try a few.
            let mut last_log = String::new();
            for _ in 0..3 {
                let temp = tempfile::tempdir().expect("a temporary directory");
                let port = free_port();
                let config = temp.path().join("config.yml");
                fs::write(
                    &config,
                    format!(
                        "version: 0.1\n\
                         log:\n  level: warn\n\
                         storage:\n  filesystem:\n    rootdirectory: {root}\n  delete:\n    enabled: true\n\
                         http:\n  addr: 127.0.0.1:{port}\n",
                        root = temp.path().join("storage").display()
                    ),
                )
                .expect("the registry's config is written");
                let log = temp.path().join("registry.log");
                let log_file = fs::File::create(&log).expect("the registry's log file");
                let child = Command::new(&program)
                    .arg("serve")
                    .arg(&config)
                    .stdin(Stdio::null())
                    .stdout(log_file.try_clone().expect("a second handle on the log"))
                    .stderr(log_file)
                    .spawn()
                    .unwrap_or_else(|err| panic!("could not start {}: {err}", program.display()));
                let base = Url::parse(&format!("http://127.0.0.1:{port}")).expect("a URL");
                let mut registry = Registry { child, base, temp };
                if registry.wait_until_ready().await {
                    return registry;
                }
                last_log = fs::read_to_string(&log).unwrap_or_default();
            }
            panic!("the registry did not start; its log:\n{last_log}");
        }

        /// Polls `GET /v2/` until the registry answers; false if it exits or never answers.
        async fn wait_until_ready(&mut self) -> bool {
            let probe = reqwest::Client::new();
            let url = self.base.join("/v2/").expect("a URL");
            for _ in 0..200 {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return false;
                }
                if let Ok(response) = probe.get(url.clone()).send().await
                    && response.status().is_success()
                {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            false
        }

        /// `host:port`, as image references name the registry.
        fn authority(&self) -> String {
            format!(
                "{}:{}",
                self.base.host_str().expect("a host"),
                self.base.port().expect("a port")
            )
        }

        /// Pushes the image `layout` names `source_tag` to `repository:dest_tag`, byte for byte.
        fn push(&self, layout: &Path, source_tag: &str, repository: &str, dest_tag: &str) {
            let skopeo = require_program("skopeo", "/usr/bin/skopeo");
            let output = Command::new(&skopeo)
                .args([
                    // Our own layout to our own registry: no signature policy to check.
                    "--insecure-policy",
                    "copy",
                    "--all",
                    "--preserve-digests",
                    "--dest-tls-verify=false",
                    "--quiet",
                ])
                .arg(format!("oci:{}:{source_tag}", layout.display()))
                .arg(format!(
                    "docker://{}/{repository}:{dest_tag}",
                    self.authority()
                ))
                // skopeo reads registries.conf and auth files from HOME; keep it in our temp dir.
                .env("HOME", self.temp.path())
                .env_remove("REGISTRY_AUTH_FILE")
                .output()
                .expect("skopeo runs");
            assert!(
                output.status.success(),
                "skopeo copy failed ({}):\n{}\n{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }

    fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port on 127.0.0.1")
            .port()
    }

    /// What the test built, to compare with what the registry serves.
    struct BuiltImage {
        layout: OciLayout,
        /// Keeps the layout's directory until the test ends.
        _dir: tempfile::TempDir,
        index: String,
        amd64: String,
        arm64: String,
        attestation: String,
        signature: String,
    }

    /// A platform image: an image config and one layer (arbitrary bytes: the registry stores
    /// layers without looking inside).
    fn platform_image(
        layout: &OciLayout,
        architecture: &str,
        variant: Option<&str>,
    ) -> FakeManifest {
        let layer = layout
            .blob(
                "application/vnd.oci.image.layer.v1.tar",
                format!("the {architecture} root filesystem").as_bytes(),
            )
            .expect("the layer is written");
        let mut config = json!({
            "architecture": architecture,
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [layer.digest]},
            "config": {"Entrypoint": ["/app"]},
        });
        if let Some(variant) = variant {
            config["variant"] = json!(variant);
        }
        let config = json_blob(layout, media_type::OCI_CONFIG, &config);
        let image = FakeManifest::image(architecture)
            .config(config)
            .layer(layer)
            .build();
        layout.manifest(&image).expect("the image is written");
        image
    }

    fn json_blob(layout: &OciLayout, media_type: &str, document: &Value) -> Descriptor {
        let bytes = serde_json::to_vec_pretty(document).expect("JSON");
        layout
            .blob(media_type, &bytes)
            .expect("the blob is written")
    }

    /// Two platform images, buildx's provenance attestation of the amd64 one, the index naming
    /// all three (tag `v1`), and a cosign-style signature of the index (tag `sha256-<hex>.sig`).
    fn build_image() -> BuiltImage {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut layout = OciLayout::create(dir.path()).expect("an OCI layout");
        let amd64 = platform_image(&layout, "amd64", None);
        let arm64 = platform_image(&layout, "arm64", Some("v8"));

        // buildx: an image manifest whose config says unknown/unknown and whose layer is an
        // in-toto statement.
        let statement = json_blob(
            &layout,
            media_type::IN_TOTO,
            &json!({
                "_type": "https://in-toto.io/Statement/v0.1",
                "predicateType": "https://slsa.dev/provenance/v0.2",
                "subject": [{"name": "pkg:docker/acme/app@v1", "digest": {"sha256": amd64.digest().trim_start_matches("sha256:")}}],
                "predicate": {"builder": {"id": ""}},
            }),
        );
        let attestation_config = json_blob(
            &layout,
            media_type::OCI_CONFIG,
            &json!({
                "architecture": "unknown",
                "os": "unknown",
                "config": {},
                "rootfs": {"type": "layers", "diff_ids": [statement.digest]},
            }),
        );
        let attestation = FakeManifest::image("attestation")
            .config(attestation_config)
            .layer(statement.annotation(
                "in-toto.io/predicate-type",
                "https://slsa.dev/provenance/v0.2",
            ))
            .build();
        layout
            .manifest(&attestation)
            .expect("the attestation is written");

        let index = FakeManifest::index()
            .platform(FakePlatform::linux("amd64"), &amd64)
            .platform(FakePlatform::linux("arm64").variant("v8"), &arm64)
            .attestation(&attestation, &amd64)
            .build();
        layout.tag(&index, "v1").expect("v1 is written");

        // cosign on ghcr.io (no referrers API): a tag named after the signed digest. This one
        // also carries OCI 1.1's `subject`, as `cosign --registry-referrers-mode=oci-1-1` does.
        let payload = json_blob(
            &layout,
            media_type::COSIGN_SIGNATURE,
            &json!({"critical": {"image": {"docker-manifest-digest": index.digest()}}}),
        );
        let config = layout
            .blob("application/vnd.oci.empty.v1+json", b"{}")
            .expect("the empty config is written");
        let signature = FakeManifest::image("signature")
            .artifact_type(media_type::COSIGN_SIGNATURE_ARTIFACT)
            .config(config)
            .layer(payload)
            .subject(&index)
            .build();
        layout
            .tag(&signature, &cosign_tag(&index.digest(), "sig"))
            .expect("the signature is written");

        BuiltImage {
            layout,
            _dir: dir,
            index: index.digest(),
            amd64: amd64.digest(),
            arm64: arm64.digest(),
            attestation: attestation.digest(),
            signature: signature.digest(),
        }
    }

    /// A registry holding the built image as `acme/app:v1` and its signature tag.
    async fn registry_with_image() -> (Registry, BuiltImage) {
        let registry = Registry::start().await;
        let image = build_image();
        registry.push(image.layout.path(), "v1", "acme/app", "v1");
        let signature_tag = cosign_tag(&image.index, "sig");
        registry.push(
            image.layout.path(),
            &signature_tag,
            "acme/app",
            &signature_tag,
        );
        (registry, image)
    }

    fn platform(os: &str, architecture: &str, variant: Option<&str>) -> Option<Platform> {
        Some(Platform {
            os: os.into(),
            architecture: architecture.into(),
            variant: variant.map(str::to_string),
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_tag_is_the_index_with_its_platforms_and_attestation() {
        let (registry, image) = registry_with_image().await;
        let client = client(&registry.base, TOKEN);

        let index = client
            .manifest("acme/app", "v1")
            .await
            .expect("v1 is served");

        assert_eq!(index.digest, image.index);
        assert_eq!(index.media_type, OCI_INDEX);
        assert_eq!(index.subject, None);
        let children = index.children();
        let digests: Vec<&str> = children.iter().map(|c| c.digest.as_str()).collect();
        assert_eq!(
            digests,
            [
                image.amd64.as_str(),
                image.arm64.as_str(),
                image.attestation.as_str()
            ]
        );
        assert_eq!(children[0].platform, platform("linux", "amd64", None));
        assert_eq!(children[1].platform, platform("linux", "arm64", Some("v8")));
        assert_eq!(children[2].platform, platform("unknown", "unknown", None));
        assert_eq!(children[0].attestation_of, None);
        assert_eq!(children[1].attestation_of, None);
        assert_eq!(
            children[2].attestation_of.as_ref().map(|d| d.as_str()),
            Some(image.amd64.as_str())
        );
        assert!(children.iter().all(|c| c.media_type == OCI_MANIFEST));
        // No auth on this registry: one request, no token dance.
        assert_eq!(client.requests_sent(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn each_child_by_digest_is_the_image_manifest_that_was_pushed() {
        let (registry, image) = registry_with_image().await;
        let client = client(&registry.base, TOKEN);

        for (digest, expected_artifact) in [
            (&image.amd64, None),
            (&image.arm64, None),
            (&image.attestation, None),
        ] {
            let manifest = client
                .manifest("acme/app", digest)
                .await
                .unwrap_or_else(|err| panic!("{digest} is served: {err}"));
            assert_eq!(&manifest.digest, digest);
            assert_eq!(manifest.media_type, OCI_MANIFEST);
            let ManifestKind::Image {
                config_media_type,
                artifact_type,
                layers,
            } = &manifest.kind
            else {
                panic!("{digest} is an image manifest: {manifest:?}");
            };
            assert_eq!(
                config_media_type,
                "application/vnd.oci.image.config.v1+json"
            );
            assert_eq!(artifact_type.as_deref(), expected_artifact);
            assert_eq!(layers.len(), 1);
        }
        assert_eq!(client.requests_sent(), 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_signature_tag_is_an_artifact_whose_subject_is_the_index() {
        let (registry, image) = registry_with_image().await;
        let client = client(&registry.base, TOKEN);
        let tag = format!("{}.sig", image.index.replace(':', "-"));

        let signature = client
            .manifest("acme/app", &tag)
            .await
            .expect("the signature tag");

        assert_eq!(signature.digest, image.signature);
        assert_eq!(
            signature.subject.as_ref().map(|d| d.as_str()),
            Some(image.index.as_str())
        );
        let ManifestKind::Image { artifact_type, .. } = &signature.kind else {
            panic!("an image manifest: {signature:?}");
        };
        assert_eq!(
            artifact_type.as_deref(),
            Some("application/vnd.dev.cosign.artifact.sig.v1+json")
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn missing_manifests_and_repositories_are_clear_errors() {
        let (registry, _image) = registry_with_image().await;
        let client = client(&registry.base, TOKEN);
        let unknown = format!("sha256:{}", "0".repeat(64));

        let err = client
            .manifest("acme/app", &unknown)
            .await
            .expect_err("nothing has that digest");
        assert_eq!(err.status(), Some(404));
        assert_eq!(err.registry_code(), Some("MANIFEST_UNKNOWN"));
        let text = err.to_string();
        assert!(
            text.starts_with(&format!(
                "{}/acme/app@{unknown}: the registry answered 404 MANIFEST_UNKNOWN",
                registry.authority()
            )),
            "{text}"
        );
        assert!(text.contains("`registry-url`"), "{text}");

        let err = client
            .manifest("acme/nothing-here", "v1")
            .await
            .expect_err("no such repository");
        // The distribution registry says MANIFEST_UNKNOWN here; others say NAME_UNKNOWN. Either
        // way the user is pointed at `registry-url`.
        assert_eq!(err.status(), Some(404));
        assert!(
            matches!(
                err.registry_code(),
                Some("MANIFEST_UNKNOWN" | "NAME_UNKNOWN")
            ),
            "{err}"
        );
        assert!(err.to_string().contains("acme/nothing-here"), "{err}");
        assert!(err.to_string().contains("`registry-url`"), "{err}");

        // Checked before anything is sent.
        let err = client
            .manifest("Acme/App", "v1")
            .await
            .expect_err("upper case is not a repository name");
        assert!(matches!(err, RegistryError::BadName { .. }), "{err}");
        assert_eq!(client.requests_sent(), 2);
    }
}

mod token_flow {
    use fake_github::{
        FakeGitHub, HostileRegistry, ManifestSeed, PackageSeed, PackageType, RequestRecord, Seed,
        VersionSeed,
    };
    use package_warden::registry::{ManifestKind, RegistryError};
    use url::Url;

    use super::{TOKEN, USERNAME, client};
    use crate::common::base64;

    /// What the client sends as Basic credentials: `USERNAME:TOKEN`.
    fn expected_basic() -> String {
        format!("Basic {}", base64(format!("{USERNAME}:{TOKEN}").as_bytes()))
    }

    /// The one manifest the registry holds, as `acme/app:v1`.
    fn manifest() -> ManifestSeed {
        ManifestSeed::image("app v1").build()
    }

    /// The fake GitHub, whose registry authenticates as ghcr.io does: manifests need a bearer,
    /// which its token service gives for Basic credentials. It lives as long as the test's
    /// runtime.
    async fn start() -> (Url, FakeGitHub) {
        let seed = Seed::default()
            .with_org("acme")
            .with_user(USERNAME)
            .with_token(TOKEN, USERNAME)
            .with_package(
                PackageSeed::new("acme", PackageType::Container, "app")
                    .version(VersionSeed::from_manifest(manifest()).tags(["v1"])),
            );
        let fake = FakeGitHub::start(seed).await.expect("the fake starts");
        let base = Url::parse(&fake.base_url()).expect("a URL");
        (base, fake)
    }

    fn is_manifest(request: &&RequestRecord) -> bool {
        request.path.contains("/manifests/")
    }

    fn is_token(request: &&RequestRecord) -> bool {
        request.path == "/token"
    }

    /// The query strings the token service received.
    fn token_queries(fake: &FakeGitHub) -> Vec<String> {
        let requests = fake.requests();
        requests
            .iter()
            .filter(is_token)
            .map(|r| r.query.clone())
            .collect()
    }

    /// The registry tokens the token service gave out.
    fn bearers_issued(fake: &FakeGitHub) -> usize {
        let requests = fake.requests();
        requests
            .iter()
            .filter(is_token)
            .filter(|r| r.status == 200)
            .count()
    }

    /// The `Authorization` headers the manifest endpoint received.
    fn manifest_authorizations(fake: &FakeGitHub) -> Vec<Option<String>> {
        let requests = fake.requests();
        requests
            .iter()
            .filter(is_manifest)
            .map(|r| r.authorization.clone())
            .collect()
    }

    #[tokio::test]
    async fn a_challenge_is_answered_with_a_bearer_that_is_then_reused() {
        let (base, fake) = start().await;
        // The scope holds a comma, which a naive parser would split.
        fake.set_hostile_registry(Some(HostileRegistry::ScopeActions("pull,push".into())));
        let client = client(&base, TOKEN);

        let manifest = client
            .manifest("acme/app", "v1")
            .await
            .expect("the manifest");
        assert_eq!(manifest.digest, self::manifest().digest());
        assert!(matches!(manifest.kind, ManifestKind::Image { .. }));
        // 401, token, manifest.
        assert_eq!(client.requests_sent(), 3);
        // `service` and the whole scope, comma included, went to the token service.
        let service = base.authority().replace(':', "%3A");
        assert_eq!(
            token_queries(&fake),
            [format!(
                "service={service}&scope=repository%3Aacme%2Fapp%3Apull%2Cpush"
            )]
        );
        assert_eq!(
            manifest_authorizations(&fake),
            [None, Some("Bearer fake-registry-token-1".to_string())]
        );

        // The same repository again: the remembered bearer goes along at once.
        client
            .manifest("acme/app", "v1")
            .await
            .expect("the manifest again");
        assert_eq!(client.requests_sent(), 4);
        assert_eq!(bearers_issued(&fake), 1);
    }

    #[tokio::test]
    async fn an_expired_bearer_is_replaced_once() {
        let (base, fake) = start().await;
        let client = client(&base, TOKEN);
        client
            .manifest("acme/app", "v1")
            .await
            .expect("the manifest");

        fake.expire_registry_tokens();
        client
            .manifest("acme/app", "v1")
            .await
            .expect("the manifest after a new bearer");

        // 3 for the first; then the stale bearer (401), a new token, the manifest.
        assert_eq!(client.requests_sent(), 6);
        assert_eq!(bearers_issued(&fake), 2);
        assert_eq!(
            manifest_authorizations(&fake)[2..],
            [
                Some("Bearer fake-registry-token-1".to_string()),
                Some("Bearer fake-registry-token-2".to_string())
            ]
        );
    }

    #[tokio::test]
    async fn refused_credentials_name_the_fix_and_never_the_token() {
        let (base, _fake) = start().await;
        let wrong = "ghp_WrongToken9876543210";
        let client = client(&base, wrong);

        let err = client
            .manifest("acme/app", "v1")
            .await
            .expect_err("the token service refuses");

        assert!(
            matches!(err, RegistryError::AuthRefused { status: 401, .. }),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(text.contains("read:packages"), "{text}");
        assert!(text.contains("`registry-url`"), "{text}");
        // The token service's own words.
        assert!(text.contains("authentication required"), "{text}");
        assert!(text.contains(USERNAME), "{text}");
        for shown in [text, format!("{err:?}")] {
            assert!(!shown.contains(wrong), "the token leaked: {shown}");
        }
        // The 401 and the token request; the manifest was not asked for again.
        assert_eq!(client.requests_sent(), 2);
    }

    #[tokio::test]
    async fn the_token_is_not_sent_over_plain_http_to_another_host() {
        let (base, fake) = start().await;
        fake.set_hostile_registry(Some(HostileRegistry::Realm(
            "http://token.example.com/token".into(),
        )));
        let client = client(&base, TOKEN);

        let err = client
            .manifest("acme/app", "v1")
            .await
            .expect_err("an insecure realm is refused");

        assert!(
            matches!(err, RegistryError::InsecureCredentials { .. }),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(text.contains("http://token.example.com/token"), "{text}");
        assert!(text.contains("`registry-url`"), "{text}");
        // Only the 401: nothing went to the other host.
        assert_eq!(client.requests_sent(), 1);
    }

    #[tokio::test]
    async fn a_basic_challenge_is_answered_with_the_token_and_remembered() {
        let (base, fake) = start().await;
        // Like the distribution registry with htpasswd: Basic auth on the registry itself.
        fake.set_hostile_registry(Some(HostileRegistry::BasicAuth));
        let client = client(&base, TOKEN);

        client
            .manifest("acme/app", "v1")
            .await
            .expect("the manifest");
        client
            .manifest("acme/app", "v1")
            .await
            .expect("the manifest again");

        // 401 and the retry with Basic; then Basic at once.
        assert_eq!(client.requests_sent(), 3);
        assert_eq!(
            manifest_authorizations(&fake),
            [None, Some(expected_basic()), Some(expected_basic())]
        );
        assert!(token_queries(&fake).is_empty());
    }

    #[tokio::test]
    async fn a_wrong_content_digest_header_is_an_error_naming_both_digests() {
        let (base, fake) = start().await;
        let claimed = format!("sha256:{}", "1".repeat(64));
        fake.set_hostile_registry(Some(HostileRegistry::DigestHeader(claimed.clone())));
        let client = client(&base, TOKEN);

        let err = client
            .manifest("acme/app", "v1")
            .await
            .expect_err("the header does not match the bytes");

        assert!(
            matches!(err, RegistryError::DigestMismatch { .. }),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(text.contains(&claimed), "{text}");
        assert!(text.contains(&manifest().digest()), "{text}");
        assert!(text.contains("Docker-Content-Digest"), "{text}");
    }

    #[tokio::test]
    async fn bytes_that_are_not_the_requested_digest_are_refused() {
        let (base, fake) = start().await;
        let requested = format!("sha256:{}", "2".repeat(64));
        // Without the header, only the requested digest can catch it.
        fake.set_hostile_registry(Some(HostileRegistry::WrongManifest(manifest())));
        let client = client(&base, TOKEN);

        let err = client
            .manifest("acme/app", &requested)
            .await
            .expect_err("the bytes are not what was asked for");

        let text = err.to_string();
        assert!(
            matches!(err, RegistryError::DigestMismatch { .. }),
            "{err:?}"
        );
        assert!(text.contains(&requested), "{text}");
        assert!(text.contains(&manifest().digest()), "{text}");
        assert!(text.contains("the requested digest"), "{text}");
    }
}
