//! Defence in depth, end to end: the built binary, run as a workflow runs it, against the fake.
//!
//! - The token never reaches stdout, stderr, the outputs, the summary or the report file: not on
//!   success, not in errors (401, 404, a bad input), not with debug logging on.
//! - Tags and package names are data from the network. GitHub refuses the hostile ones used here
//!   (`%`, `::`, CR/LF, `<script>`, `|`, `@mention`, backticks), but a future API, an Enterprise
//!   Server or a proxy might not: they must not inject workflow commands into the log, break
//!   `$GITHUB_OUTPUT`, or add markup to the job summary.
//!
//! Every hostile string carries `INJECTED`, placed where a successful injection would put it at
//! the start of a workflow command's message.

use std::collections::{BTreeMap, BTreeSet};

use fake_github::{
    FakeGitHub, ManifestSeed, PackageSeed, PackageType, Seed, VersionSeed, Visibility,
};
use serde_json::Value;
use yaml_rust2::YamlLoader;

mod common;
use common::{Run, TOKEN, acme, action_env, base64, run_action, run_binary};

/// Tags no registry should hold, each aimed at one of the runner's parsers.
const HOSTILE_TAGS: [&str; 14] = [
    // A message is percent-decoded by the runner: `%0A` must arrive as the text `%0A`.
    "v1%0A::error::INJECTED-percent",
    // A workflow command at the start of a line.
    "::warning::INJECTED-leading",
    // Line breaks the runner splits on: LF, CRLF and a lone CR (its line reader breaks on all three).
    "v2\n::error::INJECTED-lf",
    "v3\r\n::error::INJECTED-crlf",
    "v4\r::error::INJECTED-cr",
    // Leading spaces are trimmed before the runner looks for `::`.
    "v5\n   ::stop-commands::INJECTED-stop",
    "v6\n::add-mask::INJECTED-mask",
    // The runner's older syntax, which it finds anywhere in a line.
    "v7 ##[error]INJECTED-legacy",
    // A look-alike of our `$GITHUB_OUTPUT` delimiters, and a `name=value` line.
    "v8\nghadelimiter_0\nINJECTED-output=1",
    // Markup for the summary.
    "<script>alert('INJECTED')</script>",
    "cell|INJECTED|cell",
    "@octocat-INJECTED",
    "`INJECTED-code`",
    "[INJECTED-link](https://example.invalid)",
];

/// A package name with the same intent. Package names travel in URL paths, so no line breaks.
const HOSTILE_PACKAGE: &str =
    "team/<img src=x onerror=alert(1)>|@acme/INJECTED`x`::warning::INJECTED-name";

/// The workflow commands package-warden itself writes.
const OUR_COMMANDS: [&str; 7] = [
    "add-mask", "debug", "notice", "warning", "error", "group", "endgroup",
];

fn hostile_seed() -> Seed {
    let day = |d: u32| format!("2026-10-{d:02}T12:00:00Z");
    let mut app = PackageSeed::new("acme", PackageType::Container, "app");
    for (i, tag) in (0u32..).zip(HOSTILE_TAGS) {
        // The first one is also tagged `keep`, so that prune keeps one version of `app`.
        let tags = if i == 0 { vec![tag, "keep"] } else { vec![tag] };
        app = app.version(
            VersionSeed::new(format!("sha256:{:064x}", i + 1))
                .id(u64::from(100 + i))
                .tags(tags)
                .created_at(day(1 + i)),
        );
    }
    acme().with_package(app).with_package(
        PackageSeed::new("acme", PackageType::Container, HOSTILE_PACKAGE)
            .version(
                VersionSeed::new(format!("sha256:{:064x}", 50))
                    .id(200)
                    .tags(["v1"])
                    .created_at(day(20)),
            )
            .version(
                VersionSeed::new(format!("sha256:{:064x}", 51))
                    .id(201)
                    .created_at(day(21)),
            ),
    )
}

/// The lines the runner sees in a stream: its reader breaks lines at LF, CRLF and a lone CR.
fn runner_lines(stream: &str) -> impl Iterator<Item = &str> {
    stream.split(['\n', '\r']).filter(|line| !line.is_empty())
}

/// True when every `%` in a command's message starts one of the toolkit's escapes.
fn percent_escaped(message: &str) -> bool {
    message.match_indices('%').all(|(at, _)| {
        ["%25", "%0D", "%0A"]
            .iter()
            .any(|e| message[at..].starts_with(e))
    })
}

/// Asserts that a stream, read line by line as the runner reads it, holds no workflow command
/// but ours, none whose message starts with an injected payload, no unescaped `%`, and no
/// command in the runner's older `##[command]` syntax.
fn assert_no_injected_commands(stream: &str, what: &str) {
    for line in runner_lines(stream) {
        let trimmed = line.trim();
        assert!(
            !trimmed.contains("##["),
            "{what}: a line holds the runner's legacy command syntax `##[`: {line:?}"
        );
        let Some(command) = trimmed.strip_prefix("::") else {
            continue;
        };
        let Some((name_and_properties, message)) = command.split_once("::") else {
            continue; // not a command: the runner needs the second `::`
        };
        let name = name_and_properties.split(' ').next().unwrap_or_default();
        assert!(
            OUR_COMMANDS.contains(&name),
            "{what}: a workflow command we never write: {line:?}"
        );
        assert!(
            !message.starts_with("INJECTED"),
            "{what}: an injected workflow command: {line:?}"
        );
        assert!(
            percent_escaped(message),
            "{what}: `%` not escaped in a workflow command: {line:?}"
        );
    }
}

/// Asserts that markdown cannot render what the hostile names carry.
fn assert_summary_inert(summary: &str) {
    let lower = summary.to_lowercase();
    for raw in ["<script", "<img"] {
        assert!(
            !lower.contains(raw),
            "raw HTML `{raw}` in the summary:\n{summary}"
        );
    }
    // A mention links (or notifies) its target, a code span or a link renders: each must be
    // escaped. Lines of HTML (`<details><summary>…`) are not markdown, but GitHub links the
    // mentions in their text too, where `\@` does not help.
    for line in summary.lines() {
        let html = line.starts_with('<');
        let unescaped = line
            .replace("\\@", "")
            .replace("\\`", "")
            .replace("\\[", "")
            .replace("\\]", "");
        let mut payloads = vec!["@octocat-INJECTED", "@acme/INJECTED"];
        if !html {
            payloads.extend(["`INJECTED", "[INJECTED-link]("]);
        }
        for payload in payloads {
            assert!(
                !unescaped.contains(payload),
                "`{payload}` is not escaped in the summary line {line:?}:\n{summary}"
            );
        }
    }
    // Every row of a table has as many cells as its header: an unescaped `|` adds one.
    let mut table: Vec<&str> = Vec::new();
    for line in summary.lines().chain([""]) {
        if line.starts_with('|') {
            table.push(line);
            continue;
        }
        if let Some(header) = table.first() {
            let columns = cell_separators(header);
            for row in &table {
                assert_eq!(
                    cell_separators(row),
                    columns,
                    "a table row with another column count than its header:\n{header}\n{row}\n\n{summary}"
                );
            }
        }
        table.clear();
    }
}

/// The `|` that separate cells in a markdown table row (`\|` is a literal bar).
fn cell_separators(row: &str) -> usize {
    let mut count = 0;
    let mut chars = row.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '|' => count += 1,
            _ => {}
        }
    }
    count
}

/// Asserts that the outputs file, parsed as the runner parses it, holds these outputs and no
/// output that action.yml does not declare (an injected `name=value` line would be one).
fn assert_outputs(run: &Run, expected: &[&str]) {
    let action = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml"))
        .expect("action.yml");
    let action = &YamlLoader::load_from_str(&action).expect("action.yml is YAML")[0];
    let declared: BTreeSet<&str> = action["outputs"]
        .as_hash()
        .expect("action.yml declares outputs")
        .keys()
        .map(|name| name.as_str().expect("an output name"))
        .collect();
    for name in run.outputs.keys() {
        assert!(
            declared.contains(name.as_str()),
            "an output action.yml does not declare: {name:?}\n{run:?}"
        );
    }
    for name in expected {
        assert!(
            run.outputs.contains_key(*name),
            "no output `{name}`\n{run:?}"
        );
    }
}

/// The tags of each version id in an output that is a JSON array of versions.
fn tags_by_id(output: &Value) -> BTreeMap<u64, Vec<String>> {
    output
        .as_array()
        .expect("an array of versions")
        .iter()
        .map(|v| {
            let tags = v["tags"]
                .as_array()
                .expect("tags")
                .iter()
                .map(|t| t.as_str().expect("a tag").to_string())
                .collect();
            (v["id"].as_u64().expect("an id"), tags)
        })
        .collect()
}

/// Runs the action with extra environment variables (`RUNNER_DEBUG`, `RUST_LOG`) besides the
/// inputs, the way [`run_action`] does, as actor `octocat`.
fn run_action_with_env(fake: &FakeGitHub, inputs: &[(&str, &str)], extra: &[(&str, &str)]) -> Run {
    let mut env = action_env(fake, inputs);
    env.extend(
        [("GITHUB_ACTOR", "octocat")]
            .iter()
            .chain(extra)
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    run_binary(&[], &env)
}

/// Asserts that no form of `secret` shows anywhere the run wrote, the `::add-mask::` that hides
/// it aside: not the token, not the Basic credentials built from it, not a registry bearer the
/// fake issued, and not in the report file either.
fn assert_secret_hidden(run: &Run, secret: &str) {
    run.assert_token_not_leaked(secret);
    let basic = base64(format!("octocat:{secret}").as_bytes());
    let mut files = vec![
        ("stdout", run.stdout.clone()),
        ("stderr", run.stderr.clone()),
        ("summary", run.summary.clone()),
    ];
    files.extend(
        run.outputs
            .iter()
            .map(|(name, value)| (name.as_str(), value.clone())),
    );
    for entry in std::fs::read_dir(run.temp.path()).expect("RUNNER_TEMP") {
        let path = entry.expect("an entry").path();
        if path.is_file() {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let shown = text
                .lines()
                .any(|l| l.contains(secret) && l != format!("::add-mask::{secret}"));
            assert!(!shown, "the token is in {}", path.display());
        }
    }
    for (what, text) in files {
        assert!(
            !text.contains(&basic),
            "the Basic credentials are in {what}"
        );
        assert!(
            !text.contains("fake-registry-token-"),
            "a registry bearer token is in {what}:\n{text}"
        );
    }
}

#[test]
fn hostile_tags_and_names_stay_data_when_listed() {
    let fake = FakeGitHub::spawn(hostile_seed()).unwrap();
    let run = run_action_with_env(
        &fake,
        &[("command", "list"), ("owner", "acme"), ("packages", "*")],
        &[("RUNNER_DEBUG", "1")],
    );
    assert!(run.success(), "{run:?}");
    assert_no_injected_commands(&run.stdout, "stdout");
    assert_no_injected_commands(&run.stderr, "stderr");
    assert_summary_inert(&run.summary);

    // The outputs parse back to exactly what GitHub sent, hostile bytes and all.
    assert_outputs(&run, &["packages", "versions"]);
    let packages = run.json("packages");
    let names: Vec<&str> = packages
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["app", HOSTILE_PACKAGE]);
    let mut expected: BTreeMap<u64, Vec<String>> = HOSTILE_TAGS
        .iter()
        .enumerate()
        .map(|(i, tag)| {
            let mut tags = vec![tag.to_string()];
            if i == 0 {
                tags.push("keep".to_string());
            }
            (100 + i as u64, tags)
        })
        .collect();
    expected.insert(200, vec!["v1".to_string()]);
    expected.insert(201, vec![]);
    assert_eq!(tags_by_id(&run.json("versions")), expected);

    // The summary does show them, escaped.
    assert!(run.summary.contains("&lt;script&gt;"), "{}", run.summary);
    assert!(
        run.summary.contains("cell\\|INJECTED\\|cell"),
        "{}",
        run.summary
    );
    assert_secret_hidden(&run, TOKEN);
}

#[test]
fn hostile_tags_and_names_stay_data_when_pruned_and_when_a_deletion_fails() {
    let mut seed = hostile_seed();
    // A public version downloaded more than 5,000 times cannot be deleted: its failure is
    // reported with its hostile tag in an error annotation and in the `failed` output.
    seed = seed.with_package(
        PackageSeed::new("acme", PackageType::Container, "popular")
            .visibility(Visibility::Public)
            .version(
                VersionSeed::new(format!("sha256:{:064x}", 60))
                    .id(300)
                    .tags(["v9\n::error::INJECTED-failure"])
                    .downloads(9_000)
                    .created_at("2026-10-01T12:00:00Z"),
            )
            .version(
                VersionSeed::new(format!("sha256:{:064x}", 61))
                    .id(301)
                    .tags(["latest"])
                    .created_at("2026-10-02T12:00:00Z"),
            ),
    );
    let fake = FakeGitHub::spawn(seed).unwrap();
    let run = run_action_with_env(
        &fake,
        &[
            ("command", "prune"),
            ("owner", "acme"),
            ("packages", "*"),
            ("tags", "*"),
            ("exclude-tags", "keep,latest"),
            ("manifest-aware", "false"),
        ],
        &[("RUNNER_DEBUG", "1")],
    );
    assert!(
        !run.success(),
        "the undeletable version fails the run: {run:?}"
    );
    assert_no_injected_commands(&run.stdout, "stdout");
    assert_no_injected_commands(&run.stderr, "stderr");
    assert_summary_inert(&run.summary);

    assert_outputs(
        &run,
        &[
            "deleted",
            "deleted-count",
            "failed",
            "failed-count",
            "kept-count",
            "report",
        ],
    );
    // Every hostile tag but the kept one (id 100 also has `keep`) was deleted, with its tags
    // intact in the output; the last version of the hostile package is kept (GitHub refuses
    // to delete it).
    let deleted = tags_by_id(&run.json("deleted"));
    for (i, tag) in HOSTILE_TAGS.iter().enumerate().skip(1) {
        assert_eq!(
            deleted.get(&(100 + i as u64)),
            Some(&vec![tag.to_string()]),
            "{deleted:?}"
        );
    }
    assert!(!deleted.contains_key(&100));
    assert_eq!(run.outputs["deleted-count"], deleted.len().to_string());
    let failed = tags_by_id(&run.json("failed"));
    assert_eq!(
        failed,
        BTreeMap::from([(300, vec!["v9\n::error::INJECTED-failure".to_string()])])
    );
    assert_eq!(run.outputs["failed-count"], "1");
    assert!(
        !run.errors().is_empty(),
        "the failure is an error annotation: {run:?}"
    );
    assert_secret_hidden(&run, TOKEN);
}

#[test]
fn hostile_tags_stay_data_when_restored() {
    let fake = FakeGitHub::spawn(hostile_seed()).unwrap();
    let prune = run_action(
        &fake,
        &[
            ("command", "prune"),
            ("owner", "acme"),
            ("packages", "app"),
            ("tags", "*"),
            ("exclude-tags", "keep"),
            ("manifest-aware", "false"),
        ],
    );
    assert!(prune.success(), "{prune:?}");
    let run = run_action_with_env(
        &fake,
        &[
            ("command", "restore"),
            ("owner", "acme"),
            ("packages", "app"),
            ("deleted-within", "1h"),
        ],
        &[("RUNNER_DEBUG", "1")],
    );
    assert!(run.success(), "{run:?}");
    assert_no_injected_commands(&run.stdout, "stdout");
    assert_no_injected_commands(&run.stderr, "stderr");
    assert_summary_inert(&run.summary);
    assert_outputs(
        &run,
        &["restored", "restored-count", "failed", "failed-count"],
    );
    let restored = tags_by_id(&run.json("restored"));
    assert_eq!(restored.len(), HOSTILE_TAGS.len() - 1, "{restored:?}");
    for (i, tag) in HOSTILE_TAGS.iter().enumerate().skip(1) {
        assert_eq!(
            restored.get(&(100 + i as u64)),
            Some(&vec![tag.to_string()])
        );
    }
    assert_secret_hidden(&run, TOKEN);
}

/// Package names reach workflow commands when the registry cannot be read for them: the
/// warning names the package. Line breaks travel percent-encoded in the URL path.
#[test]
fn hostile_package_names_in_warnings_stay_data() {
    let name = "evil\r::error::INJECTED-pkg-cr\n::warning::INJECTED-pkg-lf%0A";
    let fake = FakeGitHub::spawn(
        acme().with_package(
            PackageSeed::new("acme", PackageType::Container, name)
                .version(VersionSeed::new(format!("sha256:{:064x}", 1)).id(1))
                .version(VersionSeed::new(format!("sha256:{:064x}", 2)).id(2)),
        ),
    )
    .unwrap();
    let run = run_action_with_env(
        &fake,
        &[
            ("command", "prune"),
            ("owner", "acme"),
            ("packages", "*"),
            ("untagged", "true"),
        ],
        &[("RUNNER_DEBUG", "1")],
    );
    assert!(run.success(), "{run:?}");
    let warnings: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::warning::"))
        .collect();
    assert!(
        warnings.iter().any(|w| w.contains("INJECTED-pkg-cr")),
        "the registry warning names the package: {run:?}"
    );
    assert_no_injected_commands(&run.stdout, "stdout");
    assert_no_injected_commands(&run.stderr, "stderr");
    assert_summary_inert(&run.summary);
    assert_eq!(
        run.json("deleted"),
        serde_json::json!([]),
        "nothing untagged is deleted"
    );
    assert_secret_hidden(&run, TOKEN);
}

/// `packages` is an input, but workflows fill it from people (examples/restore.yml takes it from
/// a `workflow_dispatch` form). Plain log lines that repeat it must not start a command either,
/// after a lone CR as after a LF: the runner breaks lines at both.
fn assert_input_in_plain_log_lines_stays_data(name: &str) {
    let fake = FakeGitHub::spawn(hostile_seed()).unwrap();
    let run = run_action_with_env(
        &fake,
        &[
            ("command", "restore"),
            ("owner", "acme"),
            ("packages", name),
            ("restore-package", "true"),
        ],
        &[("RUNNER_DEBUG", "1")],
    );
    assert!(
        run.stdout.contains("INJECTED-input"),
        "the name is logged: {run:?}"
    );
    assert_no_injected_commands(&run.stdout, "stdout");
    assert_no_injected_commands(&run.stderr, "stderr");
    assert_summary_inert(&run.summary);
    assert_secret_hidden(&run, TOKEN);
}

#[test]
fn an_input_with_a_line_feed_in_plain_log_lines_stays_data() {
    assert_input_in_plain_log_lines_stays_data("gone\n::error::INJECTED-input-lf");
}

/// The runner breaks lines at a lone CR too: after one, `::error::…` must not start a line.
#[test]
fn an_input_with_a_lone_carriage_return_in_plain_log_lines_stays_data() {
    assert_input_in_plain_log_lines_stays_data("gone\r::error::INJECTED-input-cr");
}

/// A small seed with a real image, so that the registry's token flow runs too.
fn image_seed() -> Seed {
    acme().with_package(
        PackageSeed::new("acme", PackageType::Container, "app")
            .version(
                VersionSeed::from_manifest(ManifestSeed::image("old").build())
                    .id(1)
                    .created_at("2026-01-01T00:00:00Z"),
            )
            .version(
                VersionSeed::from_manifest(ManifestSeed::image("new").build())
                    .id(2)
                    .tags(["v1"])
                    .created_at("2026-02-01T00:00:00Z"),
            ),
    )
}

#[test]
fn the_token_stays_hidden_on_success_with_every_debug_log_on() {
    let fake = FakeGitHub::spawn(image_seed()).unwrap();
    // RUST_LOG=trace turns on every crate's logs, the HTTP stack's included.
    let run = run_action_with_env(
        &fake,
        &[
            ("command", "prune"),
            ("owner", "acme"),
            ("packages", "app"),
            ("untagged", "true"),
            ("validate", "true"),
        ],
        &[("RUNNER_DEBUG", "1"), ("RUST_LOG", "trace")],
    );
    assert!(run.success(), "{run:?}");
    assert_eq!(run.ids("deleted"), [1]);
    assert!(
        fake.requests().iter().any(|r| r.path.starts_with("/v2/")),
        "the registry was read"
    );
    assert!(!run.stderr.is_empty(), "debug logs were written");
    assert_secret_hidden(&run, TOKEN);
}

#[test]
fn the_token_stays_hidden_when_github_refuses_it() {
    let fake = FakeGitHub::spawn(image_seed()).unwrap();
    let unknown = "ghp_UnknownToken0000000000000000000000";
    for extra in [&[][..], &[("RUNNER_DEBUG", "1"), ("RUST_LOG", "trace")][..]] {
        let run = run_action_with_env(
            &fake,
            &[("command", "list"), ("owner", "acme"), ("token", unknown)],
            extra,
        );
        assert!(!run.success(), "{run:?}");
        assert!(!run.errors().is_empty(), "the 401 is reported: {run:?}");
        assert_secret_hidden(&run, unknown);
        assert_no_injected_commands(&run.stdout, "stdout");
    }
}

#[test]
fn the_token_stays_hidden_when_the_owner_or_package_is_not_found() {
    let fake = FakeGitHub::spawn(image_seed()).unwrap();
    for inputs in [
        &[("command", "list"), ("owner", "no-such-owner")][..],
        &[
            ("command", "list"),
            ("owner", "acme"),
            ("packages", "no-such-package"),
        ][..],
        &[
            ("command", "prune"),
            ("owner", "acme"),
            ("packages", "no-such-package"),
            ("untagged", "true"),
        ][..],
    ] {
        let run = run_action_with_env(&fake, inputs, &[("RUNNER_DEBUG", "1")]);
        assert!(!run.success(), "{inputs:?}: {run:?}");
        assert!(
            !run.errors().is_empty(),
            "{inputs:?}: the 404 is reported: {run:?}"
        );
        assert_secret_hidden(&run, TOKEN);
    }
}

#[test]
fn the_token_stays_hidden_when_an_input_is_bad() {
    let fake = FakeGitHub::spawn(image_seed()).unwrap();
    for inputs in [
        &[
            ("command", "prune"),
            ("owner", "acme"),
            ("untagged", "true"),
            ("older-than", "banana"),
        ][..],
        &[
            ("command", "prune"),
            ("owner", "acme"),
            ("dry-run", "maybe"),
        ][..],
        &[("command", "list"), ("owner", "not an owner")][..],
        &[("command", "list"), ("api-url", "not a url")][..],
    ] {
        let run = run_action_with_env(&fake, inputs, &[("RUNNER_DEBUG", "1")]);
        assert!(!run.success(), "{inputs:?}: {run:?}");
        assert_eq!(run.errors().len(), 1, "{inputs:?}: one error line: {run:?}");
        assert_secret_hidden(&run, TOKEN);
    }
    assert!(
        fake.requests().is_empty(),
        "a bad input stops the run before any request"
    );
}

#[test]
fn a_token_with_a_line_break_is_masked_line_by_line_and_never_shown() {
    let fake = FakeGitHub::spawn(image_seed()).unwrap();
    let run = run_action_with_env(
        &fake,
        &[
            ("command", "list"),
            ("owner", "acme"),
            ("token", "ghp_PartOne\nghp_PartTwo"),
        ],
        &[("RUNNER_DEBUG", "1"), ("RUST_LOG", "trace")],
    );
    assert!(!run.success(), "{run:?}");
    for part in ["ghp_PartOne", "ghp_PartTwo"] {
        assert!(
            run.stdout
                .lines()
                .any(|l| l == format!("::add-mask::{part}")),
            "{part} is masked: {run:?}"
        );
        assert_secret_hidden(&run, part);
    }
}

#[test]
fn the_token_from_the_environment_stays_hidden_at_a_terminal() {
    // The CLI outside Actions, with GITHUB_TOKEN in the environment and every log on.
    let fake = FakeGitHub::spawn(image_seed()).unwrap();
    let base_url = fake.base_url();
    let run = run_binary(
        &[
            "list",
            "--owner",
            "acme",
            "--api-url",
            &base_url,
            "--registry-url",
            &base_url,
        ],
        &[
            ("GITHUB_TOKEN".to_string(), TOKEN.to_string()),
            ("RUST_LOG".to_string(), "trace".to_string()),
        ],
    );
    assert!(run.success(), "{run:?}");
    assert!(
        !run.stdout.contains("::add-mask::"),
        "no workflow commands outside Actions"
    );
    assert_secret_hidden(&run, TOKEN);
}

/// A one-route HTTP server on `ip`: answers every request with `response` and keeps each
/// request's head. It stops with the test process.
fn tiny_server(
    ip: &str,
    response: impl Fn(u16) -> String + Send + 'static,
) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind((ip, 0)).expect("a loopback port");
    let port = listener.local_addr().unwrap().port();
    let heads = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = heads.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut head = String::new();
            while reader.read_line(&mut head).is_ok_and(|n| n > 2) {}
            seen.lock().unwrap().push(head);
            let _ = (&stream).write_all(response(port).as_bytes());
        }
    });
    (port, heads)
}

/// The registry names the token service that trades the GitHub token for a registry token. A
/// registry that names another host (a compromised or misconfigured `registry-url`, a proxy)
/// must not receive the GitHub token for it: ghcr.io's service is ghcr.io itself.
#[test]
fn the_token_is_not_sent_to_a_token_service_on_another_host() {
    let (token_port, token_requests) = tiny_server("127.0.0.2", |_| {
        "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
    });
    let (registry_port, _) = tiny_server("127.0.0.1", move |_| {
        format!(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer \
             realm=\"http://127.0.0.2:{token_port}/token\",service=\"elsewhere\",\
             scope=\"repository:acme/app:pull\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    });
    let fake = FakeGitHub::spawn(image_seed()).unwrap();
    let registry_url = format!("http://127.0.0.1:{registry_port}");
    let run = run_action_with_env(
        &fake,
        &[
            ("command", "prune"),
            ("owner", "acme"),
            ("packages", "app"),
            ("untagged", "true"),
            ("dry-run", "true"),
            ("registry-url", &registry_url),
        ],
        &[],
    );
    let basic = base64(format!("octocat:{TOKEN}").as_bytes());
    let heads = token_requests.lock().unwrap().clone();
    assert!(
        heads.iter().all(|head| !head.contains(&basic)),
        "the GitHub token went to the token service on another host:\n{heads:#?}\n{run:?}"
    );
    assert_secret_hidden(&run, TOKEN);
}

#[test]
fn base64_matches_rfc_4648() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
}
