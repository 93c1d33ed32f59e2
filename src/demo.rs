//! `package-warden demo`: the real commands against a fake GitHub started in-process, seeded with
//! a realistic organisation, so that a newcomer sees what the action does without a token.
//!
//! Each step is a command line, parsed and validated exactly as a user's would be.

use anyhow::Context;
use fake_github::{FakeGitHub, demo};

use crate::actions::Runtime;
use crate::cancel::{Cancellation, Cancelled};
use crate::commands::{self, Display};
use crate::config::{Config, RawInputs};
use crate::env::Env;

/// The steps: what the text says, then the command line a user would type.
const STEPS: &[(&str, &[&str])] = &[
    (
        "What does acme-corp publish?",
        &["list", "--owner", "acme-corp", "--packages", "*"],
    ),
    (
        "`api` is a multi-arch image: its platform and attestation manifests are untagged \
         versions. Pruning untagged versions keeps them with their image and removes only true \
         orphans; validate checks every image afterwards.",
        &[
            "prune",
            "--owner",
            "acme-corp",
            "--packages",
            "api",
            "--untagged",
            "--validate",
        ],
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

/// The last step undoes the build-cache prune (step 4) from its report file.
const UNDO_STEP: &str = "Changed your mind? Undo that prune exactly, from its report file.";

/// Runs the sandbox for `package-warden demo`, the way [`commands::run`] runs a command.
pub async fn run(
    config: &Config,
    runtime: &Runtime,
    cancellation: &Cancellation,
) -> anyhow::Result<()> {
    for warning in &config.warnings {
        runtime.warning(warning);
    }
    // The sandbox's steps hold nothing to lose: a signal drops the demo where it stands.
    tokio::select! {
        result = Box::pin(sandbox(runtime)) => result,
        signal = cancellation.ends_run() => Err(Cancelled(signal).into()),
    }
}

/// The steps, one after the other, against a fake GitHub started for them.
async fn sandbox(runtime: &Runtime) -> anyhow::Result<()> {
    let fake = FakeGitHub::start(demo::seed())
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
    // Each prune's report lands here, one directory per step, so the undo can find step 4's.
    let reports = std::env::temp_dir().join(format!("package-warden-demo-{}", std::process::id()));
    for (step, (text, args)) in STEPS.iter().enumerate() {
        let step_reports = reports.join(format!("step-{}", step + 1));
        run_step(
            runtime,
            &base_url,
            &step_reports,
            step + 1,
            text,
            args,
            &display,
        )
        .await?;
    }
    let undo_report = std::fs::read_dir(reports.join("step-4"))
        .context("the report of step 4")?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .next()
        .context("step 4 wrote no report")?;
    let undo_report = undo_report.display().to_string();
    let undo_args = [
        "restore",
        "--owner",
        "acme-corp",
        "--undo",
        undo_report.as_str(),
    ];
    let undo_reports = reports.join("undo");
    run_step(
        runtime,
        &base_url,
        &undo_reports,
        STEPS.len() + 1,
        UNDO_STEP,
        &undo_args,
        &display,
    )
    .await?;
    let _ = std::fs::remove_dir_all(&reports);
    runtime.print("\nThe same commands run in a workflow as `uses: package-warden/package-warden@v1` with the inputs as `with:`.\n");
    Ok(())
}

/// Prints a step and runs its command line against the sandbox, parsed as a user's would be.
async fn run_step(
    runtime: &Runtime,
    base_url: &str,
    reports: &std::path::Path,
    number: usize,
    text: &str,
    args: &[&str],
    display: &Display,
) -> anyhow::Result<()> {
    runtime.print(&format!(
        "\n── {number}. {text}\n$ package-warden {}\n",
        shell_words(args)
    ));
    std::fs::create_dir_all(reports).context("a directory for the demo's reports")?;
    let argv = ["package-warden"]
        .iter()
        .chain(args.iter())
        .copied()
        .chain([
            "--api-url",
            base_url,
            "--registry-url",
            base_url,
            "--token",
            demo::TOKEN,
        ]);
    let sandbox_env: Env = [("RUNNER_TEMP".to_string(), reports.display().to_string())].into();
    let raw = RawInputs::read(argv, &sandbox_env).context("a demo step's command line")?;
    let config = Config::from_inputs(&raw, &sandbox_env).context("a demo step's inputs")?;
    commands::run_with(
        &config,
        runtime,
        &sandbox_env,
        display,
        &Cancellation::never(),
    )
    .await
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
