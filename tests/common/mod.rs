//! What the integration tests share: running the built binary the way a workflow does, and
//! GitHub's OpenAPI description.
#![allow(dead_code)] // each test file uses a different part of this module

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fake_github::FakeGitHub;
use serde_json::Value;

/// The token every test seed accepts.
pub const TOKEN: &str = "ghp_TestToken0123456789abcdefABCDEF";

/// The path of GitHub's description, installed by `.ci/run` (`npm ci --prefix .tools`).
pub fn openapi_path() -> PathBuf {
    std::env::var_os("OCTOKIT_OPENAPI_JSON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(".tools/node_modules/@octokit/openapi/generated/api.github.com.json")
        })
}

/// GitHub's OpenAPI description, parsed once per test binary.
pub fn openapi_description() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = openapi_path();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
            panic!(
                "GitHub's OpenAPI description is missing at {} ({err}): run .ci/run, which \
                 installs it with `npm ci --prefix .tools`",
                path.display()
            )
        });
        serde_json::from_str(&text).expect("the description is JSON")
    })
}

/// Follows a local `$ref` such as `#/components/parameters/org`.
pub fn resolve_ref<'a>(spec: &'a Value, reference: &str) -> &'a Value {
    let pointer = reference.strip_prefix('#').expect("a local reference");
    spec.pointer(pointer)
        .unwrap_or_else(|| panic!("{reference} does not resolve"))
}

/// `days` ago by the real clock: the binary plans against the time it runs at.
pub fn days_ago(days: i64) -> package_warden::model::Timestamp {
    chrono::Utc::now() - chrono::TimeDelta::days(days)
}

/// Organisation `acme` and user `octocat`, whom [`TOKEN`] authenticates (a member-less
/// organisation: the token may do everything): the owner most tests run on.
pub fn acme() -> fake_github::Seed {
    fake_github::Seed::default()
        .with_org("acme")
        .with_user("octocat")
        .with_token(TOKEN, "octocat")
}

/// An npm package `web` of `n` versions, version `i` being `i` days old (`keep-n: 1` keeps
/// version 1 and deletes the others), owned by `acme`; [`TOKEN`] belongs to `octocat`.
pub fn npm_history(n: u64) -> fake_github::Seed {
    let versions = (1..=n).map(|i| {
        fake_github::VersionSeed::new(format!("1.0.{i}"))
            .id(i)
            .created_at(days_ago(i as i64))
    });
    acme().with_package(
        fake_github::PackageSeed::new("acme", fake_github::PackageType::Npm, "web")
            .versions(versions),
    )
}

/// The versions the fake holds as deleted, across every package, sorted by id.
fn deleted_versions(fake: &FakeGitHub) -> Vec<fake_github::VersionState> {
    let mut versions: Vec<fake_github::VersionState> = fake
        .state()
        .packages
        .into_iter()
        .flat_map(|p| p.versions)
        .filter(|v| v.deleted_at.is_some())
        .collect();
    versions.sort_by_key(|v| v.id);
    versions
}

/// Ids of the versions the fake holds as deleted, across every package, sorted.
pub fn deleted_ids(fake: &FakeGitHub) -> Vec<u64> {
    deleted_versions(fake).into_iter().map(|v| v.id).collect()
}

/// Names (digests for containers) of the versions the fake holds as deleted, sorted.
pub fn deleted_names(fake: &FakeGitHub) -> Vec<String> {
    let mut names: Vec<String> = deleted_versions(fake).into_iter().map(|v| v.name).collect();
    names.sort();
    names
}

/// What one run of the binary left behind.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// `$GITHUB_OUTPUT`, read the way the runner reads it.
    pub outputs: BTreeMap<String, String>,
    /// `$GITHUB_STEP_SUMMARY`.
    pub summary: String,
    /// `$RUNNER_TEMP` (and the file commands), kept until the run is dropped.
    pub temp: tempfile::TempDir,
}

impl Run {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// An output parsed as JSON.
    pub fn json(&self, name: &str) -> Value {
        let text = self
            .outputs
            .get(name)
            .unwrap_or_else(|| panic!("no output `{name}`; outputs: {:?}\n{self:?}", self.outputs));
        serde_json::from_str(text).unwrap_or_else(|err| panic!("output `{name}`: {err}: {text}"))
    }

    /// Ids from an output that is a JSON array of versions, sorted.
    pub fn ids(&self, name: &str) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .json(name)
            .as_array()
            .unwrap_or_else(|| panic!("output `{name}` is an array"))
            .iter()
            .map(|v| v["id"].as_u64().expect("an id"))
            .collect();
        ids.sort_unstable();
        ids
    }

    /// The lines of `::error::` workflow commands.
    pub fn errors(&self) -> Vec<&str> {
        self.stdout
            .lines()
            .filter_map(|line| line.strip_prefix("::error::"))
            .collect()
    }

    /// Asserts that the token appears nowhere but in the `::add-mask::` command that hides it:
    /// not as sent, and not escaped for markdown (`ghp\_…`, which the runner's masking does not
    /// recognise), in stdout, stderr, the outputs, the summary, or any file the run left in
    /// `RUNNER_TEMP` (the report).
    pub fn assert_token_not_leaked(&self, token: &str) {
        let escaped: String = token
            .chars()
            .flat_map(|c| match c.is_ascii_punctuation() {
                true => vec!['\\', c],
                false => vec![c],
            })
            .collect();
        let mask = format!("::add-mask::{token}");
        let mut texts = vec![
            ("stdout".to_string(), self.stdout.clone()),
            ("stderr".to_string(), self.stderr.clone()),
            ("summary".to_string(), self.summary.clone()),
        ];
        texts.extend(
            self.outputs
                .iter()
                .map(|(k, v)| (format!("output {k}"), v.clone())),
        );
        for entry in std::fs::read_dir(self.temp.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if entry.path().is_file() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                texts.push((entry.path().display().to_string(), text));
            }
        }
        let shown: Vec<String> = texts
            .iter()
            .flat_map(|(what, text)| text.lines().map(move |line| (what, line)))
            .filter(|(_, line)| {
                (line.contains(token) && *line != mask)
                    || (escaped != token && line.contains(&escaped))
            })
            .map(|(what, line)| format!("{what}: {line}"))
            .collect();
        assert!(shown.is_empty(), "the token leaked: {shown:?}");
    }
}

/// Runs the built binary as GitHub runs a container action: `GITHUB_ACTIONS=true`, the inputs
/// as `INPUT_<NAME>` (hyphens kept), the file commands in a temporary directory. `api-url`
/// and `registry-url` default to the fake's address and `token` to [`TOKEN`]; give an input as "" to pass it
/// empty, as GitHub does for an input the workflow left out.
pub fn run_action(fake: &FakeGitHub, inputs: &[(&str, &str)]) -> Run {
    run_binary(&[], &action_env(fake, inputs))
}

/// Runs `command` on owner `acme` with these inputs, as [`run_action`] does, and asserts that
/// the token leaked nowhere.
pub fn run_on_acme(fake: &FakeGitHub, command: &str, inputs: &[(&str, &str)]) -> Run {
    let mut all = vec![("command", command), ("owner", "acme")];
    all.extend_from_slice(inputs);
    let run = run_action(fake, &all);
    run.assert_token_not_leaked(TOKEN);
    run
}

/// The environment [`run_action`] runs the binary with.
pub fn action_env(fake: &FakeGitHub, inputs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut all: BTreeMap<&str, String> = BTreeMap::new();
    all.insert("api-url", fake.base_url());
    all.insert("registry-url", fake.base_url());
    all.insert("token", TOKEN.to_string());
    for (name, value) in inputs {
        all.insert(name, value.to_string());
    }
    all.into_iter()
        .map(|(name, value)| (format!("INPUT_{}", name.to_uppercase()), value))
        .chain([
            ("GITHUB_ACTIONS".to_string(), "true".to_string()),
            ("GITHUB_REPOSITORY".to_string(), "acme/app".to_string()),
            ("GITHUB_REPOSITORY_OWNER".to_string(), "acme".to_string()),
        ])
        .collect()
}

/// Standard base64 with padding (RFC 4648 §4): what HTTP Basic authentication sends.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| (n << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// How long a run may take before it is taken for hung: the binary is killed and the test fails
/// (a run that never ends is a bug some tests look for). Not a timing assertion: runs take
/// seconds.
pub const HANG_GUARD: Duration = Duration::from_secs(300);

/// Runs the built binary with these arguments and exactly this environment (plus the file
/// command paths); killed, and the test failed, past [`HANG_GUARD`].
pub fn run_binary(args: &[&str], env: &[(String, String)]) -> Run {
    spawn_binary(args, env).wait()
}

/// A run of the binary still going.
pub struct Spawned {
    pub child: std::process::Child,
    dir: tempfile::TempDir,
}

/// Starts the binary as [`run_binary`] does, without waiting for it.
pub fn spawn_binary(args: &[&str], env: &[(String, String)]) -> Spawned {
    let dir = tempfile::tempdir().expect("a temporary directory");
    // Files rather than pipes: nobody reads a pipe while the test waits, and a full one would
    // block the binary.
    let file = |name: &str| std::fs::File::create(dir.path().join(name)).expect("a log file");
    let child = Command::new(env!("CARGO_BIN_EXE_package-warden"))
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("GITHUB_OUTPUT", dir.path().join("output"))
        .env("GITHUB_STEP_SUMMARY", dir.path().join("summary"))
        .env("RUNNER_TEMP", dir.path())
        .stdout(file("stdout.log"))
        .stderr(file("stderr.log"))
        .spawn()
        .expect("the binary runs");
    Spawned { child, dir }
}

impl Spawned {
    /// Its `$RUNNER_TEMP`.
    pub fn temp_path(&self) -> &Path {
        self.dir.path()
    }

    /// Sends the process a signal (`"INT"`, `"TERM"`), as the runner does to cancel a job.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits for the process to end and collects what it left.
    pub fn wait(mut self) -> Run {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("the child can be waited for") {
                break status;
            }
            if started.elapsed() > HANG_GUARD {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("the run did not end within {HANG_GUARD:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let read = |name: &str| std::fs::read_to_string(self.dir.path().join(name));
        Run {
            code: status.code(),
            stdout: read("stdout.log").unwrap_or_default(),
            stderr: read("stderr.log").unwrap_or_default(),
            outputs: parse_github_output(&read("output").unwrap_or_default()),
            summary: read("summary").unwrap_or_default(),
            temp: self.dir,
        }
    }
}

/// Reads `$GITHUB_OUTPUT` as the runner does: `name=value` lines and `name<<DELIMITER` blocks.
pub fn parse_github_output(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for line in lines.by_ref() {
                if line == delimiter {
                    break;
                }
                value.push(line);
            }
            outputs.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            outputs.insert(name.to_string(), value.to_string());
        }
    }
    outputs
}
