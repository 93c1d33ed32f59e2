//! The registry client against real servers on 127.0.0.1.
//!
//! `real_registry`: the CNCF distribution registry (Debian's `docker-registry`), started by each
//! test, with an image pushed by `skopeo` the way `docker buildx build --platform
//! linux/amd64,linux/arm64 --push` lays one out: an OCI index naming two platform images and a
//! provenance attestation, plus a cosign-style signature tag. `.ci/run` installs both tools.
//!
//! `token_flow`: the 401 → token service → bearer dance, against a small server in this file
//! that answers the way ghcr.io does. (The distribution registry's own token auth needs a
//! separate token server, so it is not used for this.)

use package_warden::github::Token;
use package_warden::registry::RegistryClient;
use url::Url;

/// The token the servers here accept. Never appears in an error message.
const TOKEN: &str = "ghp_TestToken0123456789abcdefABCDEF";
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

    use package_warden::registry::{
        ManifestKind, OCI_INDEX, OCI_MANIFEST, Platform, RegistryError,
    };
    use serde_json::{Value, json};
    use sha2::{Digest as _, Sha256};
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

    fn sha256(bytes: &[u8]) -> String {
        format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
    }

    /// An OCI image layout on disk (`oci-layout`, `index.json`, `blobs/sha256/…`), written by
    /// the test so that it knows every digest.
    struct Layout {
        dir: tempfile::TempDir,
        refs: Vec<Value>,
    }

    impl Layout {
        fn new() -> Layout {
            let dir = tempfile::tempdir().expect("a temporary directory");
            fs::create_dir_all(dir.path().join("blobs/sha256")).expect("the blobs directory");
            fs::write(
                dir.path().join("oci-layout"),
                r#"{"imageLayoutVersion":"1.0.0"}"#,
            )
            .expect("oci-layout is written");
            Layout {
                dir,
                refs: Vec::new(),
            }
        }

        /// Stores a blob; returns its descriptor.
        fn blob(&self, media_type: &str, bytes: &[u8]) -> Value {
            let digest = sha256(bytes);
            let hex = digest.trim_start_matches("sha256:");
            fs::write(self.dir.path().join("blobs/sha256").join(hex), bytes)
                .expect("the blob is written");
            json!({"mediaType": media_type, "digest": digest, "size": bytes.len()})
        }

        fn json_blob(&self, media_type: &str, document: &Value) -> Value {
            let bytes = serde_json::to_vec_pretty(document).expect("JSON");
            self.blob(media_type, &bytes)
        }

        /// Names a manifest in `index.json` under a tag.
        fn tag(&mut self, descriptor: &Value, tag: &str) {
            let mut descriptor = descriptor.clone();
            descriptor["annotations"] = json!({"org.opencontainers.image.ref.name": tag});
            self.refs.push(descriptor);
            let index = json!({"schemaVersion": 2, "manifests": self.refs});
            fs::write(
                self.dir.path().join("index.json"),
                serde_json::to_vec(&index).expect("JSON"),
            )
            .expect("index.json is written");
        }

        fn path(&self) -> &Path {
            self.dir.path()
        }
    }

    fn digest_of(descriptor: &Value) -> String {
        descriptor["digest"]
            .as_str()
            .expect("a descriptor has a digest")
            .to_string()
    }

    /// What the test built, to compare with what the registry serves.
    struct BuiltImage {
        layout: Layout,
        index: String,
        amd64: String,
        arm64: String,
        attestation: String,
        signature: String,
    }

    /// A platform image: an image config and one layer (arbitrary bytes: the registry stores
    /// layers without looking inside).
    fn platform_image(layout: &Layout, architecture: &str, variant: Option<&str>) -> Value {
        let layer = layout.blob(
            "application/vnd.oci.image.layer.v1.tar",
            format!("the {architecture} root filesystem").as_bytes(),
        );
        let mut config = json!({
            "architecture": architecture,
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]},
            "config": {"Entrypoint": ["/app"]},
        });
        if let Some(variant) = variant {
            config["variant"] = json!(variant);
        }
        let config = layout.json_blob("application/vnd.oci.image.config.v1+json", &config);
        layout.json_blob(
            OCI_MANIFEST,
            &json!({
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": config,
                "layers": [layer],
            }),
        )
    }

    /// Two platform images, buildx's provenance attestation of the amd64 one, the index naming
    /// all three (tag `v1`), and a cosign-style signature of the index (tag `sha256-<hex>.sig`).
    fn build_image() -> BuiltImage {
        let mut layout = Layout::new();
        let amd64 = platform_image(&layout, "amd64", None);
        let arm64 = platform_image(&layout, "arm64", Some("v8"));

        // buildx: an image manifest whose config says unknown/unknown and whose layer is an
        // in-toto statement.
        let statement = layout.json_blob(
            "application/vnd.in-toto+json",
            &json!({
                "_type": "https://in-toto.io/Statement/v0.1",
                "predicateType": "https://slsa.dev/provenance/v0.2",
                "subject": [{"name": "pkg:docker/acme/app@v1", "digest": {"sha256": digest_of(&amd64).trim_start_matches("sha256:")}}],
                "predicate": {"builder": {"id": ""}},
            }),
        );
        let mut statement_with_annotation = statement.clone();
        statement_with_annotation["annotations"] =
            json!({"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"});
        let attestation_config = layout.json_blob(
            "application/vnd.oci.image.config.v1+json",
            &json!({
                "architecture": "unknown",
                "os": "unknown",
                "config": {},
                "rootfs": {"type": "layers", "diff_ids": [statement["digest"]]},
            }),
        );
        let attestation = layout.json_blob(
            OCI_MANIFEST,
            &json!({
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": attestation_config,
                "layers": [statement_with_annotation],
            }),
        );

        let with = |descriptor: &Value, extra: Value| {
            let mut descriptor = descriptor.clone();
            for (key, value) in extra.as_object().expect("an object") {
                descriptor[key] = value.clone();
            }
            descriptor
        };
        let index = layout.json_blob(
            OCI_INDEX,
            &json!({
                "schemaVersion": 2,
                "mediaType": OCI_INDEX,
                "manifests": [
                    with(&amd64, json!({"platform": {"architecture": "amd64", "os": "linux"}})),
                    with(&arm64, json!({"platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}})),
                    with(&attestation, json!({
                        "platform": {"architecture": "unknown", "os": "unknown"},
                        "annotations": {
                            "vnd.docker.reference.digest": digest_of(&amd64),
                            "vnd.docker.reference.type": "attestation-manifest",
                        },
                    })),
                ],
            }),
        );
        layout.tag(&index, "v1");

        // cosign on ghcr.io (no referrers API): a tag named after the signed digest. This one
        // also carries OCI 1.1's `subject`, as `cosign --registry-referrers-mode=oci-1-1` does.
        let payload = layout.json_blob(
            "application/vnd.dev.cosign.simplesigning.v1+json",
            &json!({"critical": {"image": {"docker-manifest-digest": digest_of(&index)}}}),
        );
        let config = layout.blob("application/vnd.oci.empty.v1+json", b"{}");
        let signature = layout.json_blob(
            OCI_MANIFEST,
            &json!({
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "artifactType": "application/vnd.dev.cosign.artifact.sig.v1+json",
                "config": config,
                "layers": [payload],
                "subject": index,
            }),
        );
        let signature_tag = format!("{}.sig", digest_of(&index).replace(':', "-"));
        layout.tag(&signature, &signature_tag);

        BuiltImage {
            layout,
            index: digest_of(&index),
            amd64: digest_of(&amd64),
            arm64: digest_of(&arm64),
            attestation: digest_of(&attestation),
            signature: digest_of(&signature),
        }
    }

    /// A registry holding the built image as `acme/app:v1` and its signature tag.
    async fn registry_with_image() -> (Registry, BuiltImage) {
        let registry = Registry::start().await;
        let image = build_image();
        registry.push(image.layout.path(), "v1", "acme/app", "v1");
        let signature_tag = format!("{}.sig", image.index.replace(':', "-"));
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
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::extract::{RawQuery, State};
    use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use axum::routing::get;
    use package_warden::registry::{ManifestKind, RegistryError};
    use serde_json::json;
    use sha2::{Digest as _, Sha256};
    use url::Url;

    use super::{TOKEN, USERNAME, client};

    /// `Basic ` + base64 of `acme-bot:ghp_TestToken0123456789abcdefABCDEF` (`USERNAME:TOKEN`).
    const EXPECTED_BASIC: &str =
        "Basic YWNtZS1ib3Q6Z2hwX1Rlc3RUb2tlbjAxMjM0NTY3ODlhYmNkZWZBQkNERUY=";

    const MANIFEST: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#;

    fn sha256(bytes: &[u8]) -> String {
        format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
    }

    /// A registry in ghcr.io's manner: manifests need a bearer, which its token service gives for
    /// Basic credentials.
    #[derive(Default)]
    struct Ghcr {
        /// The bearer the registry currently accepts; `None` after it "expires".
        valid_bearer: Option<String>,
        bearers_issued: u32,
        /// The query strings the token service received.
        token_queries: Vec<String>,
        /// The `Authorization` headers the manifest endpoint received.
        manifest_authorizations: Vec<Option<String>>,
        /// Overrides the realm in the challenge.
        realm: String,
        digest_header: DigestHeader,
        /// Like the distribution registry with htpasswd: Basic auth on the registry itself.
        basic_only: bool,
    }

    /// What the registry says in `Docker-Content-Digest`.
    #[derive(Default)]
    enum DigestHeader {
        /// The sha256 of the bytes served, as registries do.
        #[default]
        Correct,
        /// Another digest (to test verification).
        Claim(String),
        Omitted,
    }

    type Shared = Arc<Mutex<Ghcr>>;

    async fn manifests(State(state): State<Shared>, headers: HeaderMap) -> Response {
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut state = state.lock().expect("the state lock");
        state.manifest_authorizations.push(authorization.clone());
        if state.basic_only {
            if authorization.as_deref() != Some(EXPECTED_BASIC) {
                return (
                    StatusCode::UNAUTHORIZED,
                    [(header::WWW_AUTHENTICATE, r#"Basic realm="Registry Realm""#)],
                )
                    .into_response();
            }
            return manifest_response(&state.digest_header);
        }
        let accepted = state
            .valid_bearer
            .as_ref()
            .is_some_and(|bearer| authorization == Some(format!("Bearer {bearer}")));
        if !accepted {
            // The scope deliberately holds a comma, which a naive parser would split.
            let challenge = format!(
                r#"Bearer realm="{}",service="ghcr.io",scope="repository:acme/app:pull,push""#,
                state.realm
            );
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, challenge)],
                r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
            )
                .into_response();
        }
        manifest_response(&state.digest_header)
    }

    fn manifest_response(digest_header: &DigestHeader) -> Response {
        let digest = match digest_header {
            DigestHeader::Correct => Some(sha256(MANIFEST.as_bytes())),
            DigestHeader::Claim(digest) => Some(digest.clone()),
            DigestHeader::Omitted => None,
        };
        let mut response = MANIFEST.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/vnd.oci.image.manifest.v1+json"),
        );
        if let Some(digest) = digest {
            headers.insert(
                "docker-content-digest",
                HeaderValue::from_str(&digest).expect("a header value"),
            );
        }
        response
    }

    async fn token(
        State(state): State<Shared>,
        RawQuery(query): RawQuery,
        headers: HeaderMap,
    ) -> Response {
        let mut state = state.lock().expect("the state lock");
        state.token_queries.push(query.unwrap_or_default());
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if authorization != Some(EXPECTED_BASIC) {
            return (
                StatusCode::UNAUTHORIZED,
                r#"{"errors":[{"code":"DENIED","message":"bad credentials"}]}"#,
            )
                .into_response();
        }
        state.bearers_issued += 1;
        let bearer = format!("registry-bearer-{}", state.bearers_issued);
        state.valid_bearer = Some(bearer.clone());
        axum::Json(json!({"token": bearer, "expires_in": 300})).into_response()
    }

    /// Starts the fake ghcr.io on 127.0.0.1; the server lives as long as the test's runtime.
    async fn start() -> (Url, Shared) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port on 127.0.0.1");
        let base = Url::parse(&format!(
            "http://{}",
            listener.local_addr().expect("an address")
        ))
        .expect("a URL");
        let state = Shared::default();
        state.lock().expect("the state lock").realm =
            base.join("/token").expect("a URL").to_string();
        let app = Router::new()
            .route("/v2/{*rest}", get(manifests))
            .route("/token", get(token))
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (base, state)
    }

    #[tokio::test]
    async fn a_challenge_is_answered_with_a_bearer_that_is_then_reused() {
        let (base, state) = start().await;
        let client = client(&base, TOKEN);

        let manifest = client
            .manifest("acme/app", "v1")
            .await
            .expect("the manifest");
        assert_eq!(manifest.digest, sha256(MANIFEST.as_bytes()));
        assert!(matches!(manifest.kind, ManifestKind::Image { .. }));
        // 401, token, manifest.
        assert_eq!(client.requests_sent(), 3);
        {
            let state = state.lock().expect("the state lock");
            // `service` and the whole scope, comma included, went to the token service.
            assert_eq!(
                state.token_queries,
                ["service=ghcr.io&scope=repository%3Aacme%2Fapp%3Apull%2Cpush"]
            );
            assert_eq!(
                state.manifest_authorizations,
                [None, Some("Bearer registry-bearer-1".to_string())]
            );
        }

        // The same repository again: the remembered bearer goes along at once.
        client
            .manifest("acme/app", "v1")
            .await
            .expect("the manifest again");
        assert_eq!(client.requests_sent(), 4);
        assert_eq!(state.lock().expect("the state lock").bearers_issued, 1);
    }

    #[tokio::test]
    async fn an_expired_bearer_is_replaced_once() {
        let (base, state) = start().await;
        let client = client(&base, TOKEN);
        client
            .manifest("acme/app", "v1")
            .await
            .expect("the manifest");

        state.lock().expect("the state lock").valid_bearer = None;
        client
            .manifest("acme/app", "v1")
            .await
            .expect("the manifest after a new bearer");

        // 3 for the first; then the stale bearer (401), a new token, the manifest.
        assert_eq!(client.requests_sent(), 6);
        let state = state.lock().expect("the state lock");
        assert_eq!(state.bearers_issued, 2);
        assert_eq!(
            state.manifest_authorizations[2..],
            [
                Some("Bearer registry-bearer-1".to_string()),
                Some("Bearer registry-bearer-2".to_string())
            ]
        );
    }

    #[tokio::test]
    async fn refused_credentials_name_the_fix_and_never_the_token() {
        let (base, _state) = start().await;
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
        assert!(text.contains("bad credentials"), "{text}");
        assert!(text.contains(USERNAME), "{text}");
        for shown in [text, format!("{err:?}")] {
            assert!(!shown.contains(wrong), "the token leaked: {shown}");
        }
        // The 401 and the token request; the manifest was not asked for again.
        assert_eq!(client.requests_sent(), 2);
    }

    #[tokio::test]
    async fn the_token_is_not_sent_over_plain_http_to_another_host() {
        let (base, state) = start().await;
        state.lock().expect("the state lock").realm = "http://token.example.com/token".into();
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
        let (base, state) = start().await;
        state.lock().expect("the state lock").basic_only = true;
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
        let state = state.lock().expect("the state lock");
        assert_eq!(
            state.manifest_authorizations,
            [
                None,
                Some(EXPECTED_BASIC.to_string()),
                Some(EXPECTED_BASIC.to_string())
            ]
        );
        assert!(state.token_queries.is_empty());
    }

    #[tokio::test]
    async fn a_wrong_content_digest_header_is_an_error_naming_both_digests() {
        let (base, state) = start().await;
        let claimed = format!("sha256:{}", "1".repeat(64));
        state.lock().expect("the state lock").digest_header = DigestHeader::Claim(claimed.clone());
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
        assert!(text.contains(&sha256(MANIFEST.as_bytes())), "{text}");
        assert!(text.contains("Docker-Content-Digest"), "{text}");
    }

    #[tokio::test]
    async fn bytes_that_are_not_the_requested_digest_are_refused() {
        let (base, state) = start().await;
        let requested = format!("sha256:{}", "2".repeat(64));
        // Without the header, only the requested digest can catch it.
        state.lock().expect("the state lock").digest_header = DigestHeader::Omitted;
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
        assert!(text.contains(&sha256(MANIFEST.as_bytes())), "{text}");
        assert!(text.contains("the requested digest"), "{text}");
    }
}
