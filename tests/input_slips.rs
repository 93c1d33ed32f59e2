//! Slips a user makes in a workflow or at a shell, run through the built binary against the fake
//! GitHub: each is refused (or warned about) before anything is deleted, and the fake's state
//! shows that nothing was.

use fake_github::{FakeGitHub, ManifestSeed, PackageSeed, PackageType, Seed, VersionSeed};
use package_warden::config::{Command, INPUTS, env_name};
use yaml_rust2::YamlLoader;

mod common;
use common::{Run, TOKEN, acme, days_ago, run_action, run_binary};

fn image(id: u64, days: i64, tags: &[&str]) -> VersionSeed {
    VersionSeed::from_manifest(ManifestSeed::image(&format!("image {id}")).build())
        .id(id)
        .tags(tags.iter().copied())
        .created_at(days_ago(days))
}

/// acme's container `app`: `pr-1` (1), `pr-2` (2), `v1` (3) and an untagged build (4);
/// container `web`: `latest` (11) and an untagged build (12).
fn seed() -> Seed {
    acme()
        .with_package(
            PackageSeed::new("acme", PackageType::Container, "app")
                .version(image(1, 10, &["pr-1"]))
                .version(image(2, 9, &["pr-2"]))
                .version(image(3, 8, &["v1"]))
                .version(image(4, 7, &[])),
        )
        .with_package(
            PackageSeed::new("acme", PackageType::Container, "web")
                .version(image(11, 10, &["latest"]))
                .version(image(12, 9, &[])),
        )
}

fn action(fake: &FakeGitHub, inputs: &[(&str, &str)]) -> Run {
    let mut all = vec![("owner", "acme")];
    all.extend_from_slice(inputs);
    let run = run_action(fake, &all);
    run.assert_token_not_leaked(TOKEN);
    run
}

/// Asserts that the run failed with exactly one error, starting with `expected`, and that the
/// fake received no request at all.
fn refused_before_any_request(fake: &FakeGitHub, run: &Run, expected: &str) {
    assert_eq!(run.code, Some(1), "{run:?}");
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{run:?}");
    assert!(errors[0].starts_with(expected), "{errors:?}");
    assert_eq!(fake.requests(), Vec::new(), "no request may be sent");
}

/// The environment GitHub gives a container action, with `extra` variables added verbatim.
fn actions_env(fake: &FakeGitHub, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_REPOSITORY", "acme/app"),
        ("GITHUB_REPOSITORY_OWNER", "acme"),
        ("INPUT_TOKEN", TOKEN),
        ("INPUT_OWNER", "acme"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.push(("INPUT_API-URL".to_string(), fake.base_url()));
    env.push(("INPUT_REGISTRY-URL".to_string(), fake.base_url()));
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

#[test]
fn restore_inputs_under_prune_are_refused_and_nothing_is_deleted() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let before = fake.state();
    // The case: no `command` (prune by default) with restore's inputs deleted `pr-2`.
    let run = action(
        &fake,
        &[
            ("tags", "pr-2"),
            ("deleted-within", "1d"),
            ("restore-package", "true"),
        ],
    );
    refused_before_any_request(
        &fake,
        &run,
        "input `deleted-within` (`1d`) is for `restore`, not `prune`, which would ignore it; \
         nothing was sent",
    );
    let undo = action(
        &fake,
        &[("command", "prune"), ("untagged", "true"), ("undo", "[]")],
    );
    refused_before_any_request(
        &fake,
        &undo,
        "input `undo` (`[]`) is for `restore`, not `prune`",
    );
    assert_eq!(fake.state(), before);
}

#[test]
fn prune_inputs_under_restore_are_refused_and_nothing_is_restored() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let before = fake.state();
    for (input, value) in [
        ("older-than", "30d"),
        ("keep-n", "2"),
        ("max-deletions", "5"),
        ("untagged", "true"),
        ("exclude-tags", "v*"),
        ("timestamp", "created"),
        ("delete-package-when-empty", "true"),
    ] {
        let run = action(
            &fake,
            &[
                ("command", "restore"),
                ("packages", "app"),
                ("tags", "pr-*"),
                (input, value),
            ],
        );
        refused_before_any_request(
            &fake,
            &run,
            &format!("input `{input}` (`{value}`) is for `prune`, not `restore`"),
        );
    }
    let list = action(&fake, &[("command", "list"), ("tags", "pr-*")]);
    refused_before_any_request(
        &fake,
        &list,
        "input `tags` (`pr-*`) is for `prune`, `restore`, not `list`",
    );
    assert_eq!(fake.state(), before);
}

/// GitHub passes every input action.yml declares, with its default when the workflow leaves it
/// out: those defaults must not count as "given" to a command that does not read them.
#[test]
fn the_defaults_github_passes_for_every_input_are_accepted_by_every_command() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    for (command, selection) in [
        ("list", None),
        ("prune", Some(("INPUT_TAGS", "nothing-matches-this"))),
        ("restore", Some(("INPUT_TAGS", "nothing-matches-this"))),
    ] {
        let mut extra: Vec<(String, String)> = INPUTS
            .iter()
            .filter(|spec| !["token", "owner", "api-url", "registry-url"].contains(&spec.name))
            .map(|spec| {
                (
                    env_name(spec.name),
                    spec.action_default.unwrap_or_default().to_string(),
                )
            })
            .collect();
        extra.retain(|(name, _)| name != "INPUT_COMMAND");
        extra.push(("INPUT_COMMAND".to_string(), command.to_string()));
        extra.push(("INPUT_PACKAGES".to_string(), "app".to_string()));
        if let Some((name, value)) = selection {
            extra.retain(|(n, _)| n != name);
            extra.push((name.to_string(), value.to_string()));
        }
        let extra: Vec<(&str, &str)> = extra
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let run = run_binary(&[], &actions_env(&fake, &extra));
        assert!(run.success(), "{command}: {run:?}");
        assert!(!run.stdout.contains("::warning::`INPUT_"), "{run:?}");
    }
}

/// The table of which input belongs to which command is `INPUTS`; action.yml's descriptions
/// (checked equal to `INPUTS` by tests/metadata.rs) must open with those commands.
#[test]
fn every_input_of_some_commands_names_them_in_action_yml() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    let action = &YamlLoader::load_from_str(&text).unwrap()[0];
    let every = [Command::List, Command::Prune, Command::Restore];
    for spec in INPUTS {
        let description = action["inputs"][spec.name]["description"]
            .as_str()
            .unwrap_or_else(|| panic!("action.yml describes `{}`", spec.name));
        if spec.commands == every {
            for command in every {
                assert!(
                    !description.starts_with(&format!("`{}`", command.as_str())),
                    "`{}` is read by every command: {description}",
                    spec.name
                );
            }
        } else {
            let names: Vec<String> = spec
                .commands
                .iter()
                .map(|c| format!("`{}`", c.as_str()))
                .collect();
            let prefix = format!("{}: ", names.join(", "));
            assert!(
                description.starts_with(&prefix),
                "`{}` is for {prefix} only: {description}",
                spec.name
            );
        }
    }
}

#[test]
fn an_underscore_spelling_of_dry_run_is_refused_before_anything_is_deleted() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let before = fake.state();
    // What a shell can export: `INPUT_DRY-RUN` is not a valid shell name.
    let run = action(
        &fake,
        &[
            ("command", "prune"),
            ("packages", "app"),
            ("untagged", "true"),
            ("dry_run", "true"),
        ],
    );
    refused_before_any_request(
        &fake,
        &run,
        "`INPUT_DRY_RUN` is not an input of package-warden: input `dry-run` reaches it as \
         `INPUT_DRY-RUN` (upper case, hyphens kept); nothing was sent",
    );
    for variable in [
        "INPUT_dry-run",
        "INPUT_Dry_Run",
        "input_dry_run",
        "INPUT_DRY RUN",
    ] {
        for value in ["true", ""] {
            let env = actions_env(
                &fake,
                &[
                    ("INPUT_COMMAND", "prune"),
                    ("INPUT_PACKAGES", "app"),
                    ("INPUT_UNTAGGED", "true"),
                    (variable, value),
                ],
            );
            let run = run_binary(&[], &env);
            refused_before_any_request(
                &fake,
                &run,
                &format!("`{variable}` is not an input of package-warden: input `dry-run`"),
            );
        }
    }
    assert_eq!(fake.state(), before);
}

#[test]
fn an_unknown_input_variable_is_warned_about_and_the_run_goes_on() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let env = actions_env(
        &fake,
        &[
            ("INPUT_COMMAND", "list"),
            ("INPUT_PACKAGES", "app"),
            ("INPUT_COLOUR", "blue"),
            ("INPUT_NOTHING", ""),
        ],
    );
    let run = run_binary(&[], &env);
    assert!(run.success(), "{run:?}");
    for variable in ["INPUT_COLOUR", "INPUT_NOTHING"] {
        assert!(
            run.stdout.contains(&format!(
                "::warning::`{variable}` is not an input of package-warden and is ignored"
            )),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn a_lone_negation_in_packages_is_refused_instead_of_choosing_every_package() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let before = fake.state();
    for packages in ["!", "app, !", "! ,web"] {
        let run = action(
            &fake,
            &[
                ("command", "prune"),
                ("packages", packages),
                ("untagged", "true"),
            ],
        );
        refused_before_any_request(&fake, &run, "input `packages`: ");
        assert!(
            run.errors()[0].contains("`!` needs a pattern after it"),
            "{:?}",
            run.errors()
        );
    }
    assert_eq!(fake.state(), before);
}

#[test]
fn packages_patterns_that_match_nothing_are_named_in_a_warning() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let some = action(
        &fake,
        &[("command", "list"), ("packages", "app*, nope-*, /^zz/")],
    );
    assert!(some.success(), "{some:?}");
    assert!(
        some.stdout.contains(
            "::warning::`packages`: `nope-*`, `/^zz/` matched no container package of \
             organisation acme"
        ),
        "{}",
        some.stdout
    );

    let none = action(
        &fake,
        &[
            ("command", "prune"),
            ("packages", "nope-*"),
            ("untagged", "true"),
        ],
    );
    assert!(none.success(), "{none:?}");
    let warning = "No container package of organisation acme matches `packages` (nope-*): \
                   nothing to do";
    assert!(
        none.stdout.contains(&format!("::warning::{warning}")),
        "{}",
        none.stdout
    );
    assert!(none.summary.contains("nothing to do"), "{}", none.summary);
}

#[test]
fn a_token_with_a_line_break_is_refused_naming_token_without_showing_it() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    for (token, what) in [
        ("ghp_first\nghp_second", "a line break"),
        ("ghp_abc\r\nX-Injected: 1", "a line break"),
        ("ghp_abc\u{7}def", "a control character"),
        ("ghp_abcé", "a character that is not ASCII"),
    ] {
        let run = run_action(
            &fake,
            &[
                ("command", "list"),
                ("owner", "acme"),
                ("packages", "app"),
                ("token", token),
            ],
        );
        refused_before_any_request(
            &fake,
            &run,
            &format!(
                "input `token` holds {what}, which no token has (the value is not shown); \
                 nothing was sent"
            ),
        );
        for line in token.lines() {
            let shown = run
                .stdout
                .lines()
                .chain(run.stderr.lines())
                .any(|l| l.contains(line) && !l.starts_with("::add-mask::"));
            assert!(!shown, "the token leaked: {run:?}");
        }
    }
    // On the command line, from GITHUB_TOKEN.
    let env = vec![("GITHUB_TOKEN".to_string(), "ghp_a\rghp_b".to_string())];
    let run = run_binary(
        &["list", "--owner", "acme", "--api-url", &fake.base_url()],
        &env,
    );
    refused_before_any_request(
        &fake,
        &run_with_errors_on_stderr(run),
        "the GITHUB_TOKEN environment variable holds a line break",
    );
}

/// Outside Actions errors go to stderr as `error: …`; present them as `::error::` lines.
fn run_with_errors_on_stderr(mut run: Run) -> Run {
    let errors: Vec<String> = run
        .stderr
        .lines()
        .filter_map(|line| line.strip_prefix("error: "))
        .map(|line| format!("::error::{line}"))
        .collect();
    run.stdout = errors.join("\n");
    run
}

#[test]
fn demo_is_refused_in_actions_before_it_runs() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let run = action(&fake, &[("command", "demo")]);
    refused_before_any_request(
        &fake,
        &run,
        "input `command`: `demo` is not accepted; expected `list`, `prune` or `restore`: `demo` \
         runs the built-in sandbox on the command line only",
    );
    assert!(
        !run.stdout.contains("── 1."),
        "the demo ran: {}",
        run.stdout
    );
    assert!(run.summary.is_empty(), "{}", run.summary);
}
