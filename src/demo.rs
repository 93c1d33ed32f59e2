//! `package-warden demo`: the real commands against a fake GitHub started in-process, seeded with
//! a realistic organisation, so that a newcomer sees what the action does without a token.
//!
//! Each step is a command line, parsed and validated exactly as a user's would be.

use anyhow::Context;
use fake_github::{DEMO_TOKEN, FakeGitHub};

use crate::actions::Runtime;
use crate::commands::{self, Display};
use crate::inputs::{Config, Env, RawInputs};

/// The steps: what the text says, then the command line a user would type.
const STEPS: &[(&str, &[&str])] = &[
    (
        "What does acme-corp publish?",
        &["list", "--owner", "acme-corp", "--packages", "*"],
    ),
    (
        "The build cache has piled up: what would keeping the 20 newest untagged layers and \
         anything younger than two weeks remove?",
        &[
            "prune",
            "--owner",
            "acme-corp",
            "--packages",
            "api/build-cache",
            "--untagged",
            "--keep-n-untagged",
            "20",
            "--older-than",
            "14d",
            "--dry-run",
        ],
    ),
    (
        "Looks right: do it.",
        &[
            "prune",
            "--owner",
            "acme-corp",
            "--packages",
            "api/build-cache",
            "--untagged",
            "--keep-n-untagged",
            "20",
            "--older-than",
            "14d",
        ],
    ),
    (
        "Old npm pre-releases can go too; releases stay.",
        &[
            "prune",
            "--owner",
            "acme-corp",
            "--package-type",
            "npm",
            "--packages",
            "web-sdk",
            "--versions",
            "*",
            "--pre-release-only",
            "--older-than",
            "30d",
        ],
    ),
    (
        "What is left of the build cache?",
        &[
            "list",
            "--owner",
            "acme-corp",
            "--packages",
            "api/build-cache",
        ],
    ),
];

pub async fn run(runtime: &Runtime, env: &Env) -> anyhow::Result<()> {
    let fake = FakeGitHub::start(fake_github::demo_seed())
        .await
        .context("could not start the sandbox")?;
    runtime.print(&format!(
        "package-warden demo: a fake GitHub runs at {} with an organisation `acme-corp` and a \
         user `octo-dev`.\nEach step is the command you would run against GitHub (with \
         GITHUB_TOKEN set).\n",
        fake.base_url()
    ));
    let display = Display {
        versions_per_package: Some(8),
    };
    let base_url = fake.base_url();
    for (step, (text, args)) in STEPS.iter().enumerate() {
        runtime.print(&format!(
            "\n── {}. {text}\n$ package-warden {}\n",
            step + 1,
            shell_words(args)
        ));
        let argv = ["package-warden"]
            .iter()
            .chain(args.iter())
            .copied()
            .chain(["--api-url", base_url.as_str(), "--token", DEMO_TOKEN]);
        let sandbox_env = Env::new();
        let raw = RawInputs::read(argv, &sandbox_env).context("a demo step's command line")?;
        let config = Config::from_inputs(&raw, &sandbox_env).context("a demo step's inputs")?;
        commands::run_with(&config, runtime, env, &display).await?;
    }
    runtime.print("\nThe same commands run in a workflow as `uses: package-warden/package-warden@v1` with the inputs as `with:`.\n");
    Ok(())
}

/// Quotes the arguments that a shell would expand.
fn shell_words(args: &[&str]) -> String {
    args.iter()
        .map(|arg| {
            if arg.contains(['*', '?', ' ', '[', '!']) {
                format!("'{arg}'")
            } else {
                arg.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
