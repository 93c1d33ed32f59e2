//! One module per command. Each takes a validated [`Config`] and the [`Runtime`] to report to.

pub mod list;
pub mod prune;
pub mod restore;

use crate::actions::Runtime;
use crate::inputs::{Command, Config, Env};

/// How the terminal tables are shown.
#[derive(Debug, Clone, Default)]
pub struct Display {
    /// Show at most this many versions per package at the terminal (the outputs hold all).
    pub versions_per_package: Option<usize>,
}

/// Runs the command the configuration names. `env` is the process environment (for
/// `RUNNER_TEMP`).
pub async fn run(config: &Config, runtime: &Runtime, env: &Env) -> anyhow::Result<()> {
    run_with(config, runtime, env, &Display::default()).await
}

/// [`run`] with a choice of how much the terminal tables show.
pub async fn run_with(
    config: &Config,
    runtime: &Runtime,
    env: &Env,
    display: &Display,
) -> anyhow::Result<()> {
    match config.command {
        Command::List => list::run(config, runtime, display).await,
        Command::Prune => prune::run(config, runtime, env, display).await,
        Command::Restore => restore::run(config, runtime, display).await,
        #[cfg(feature = "demo")]
        Command::Demo => Box::pin(crate::demo::run(runtime)).await,
        #[cfg(not(feature = "demo"))]
        Command::Demo => {
            anyhow::bail!(
                "this build of package-warden has no `demo` (built without the `demo` feature)"
            )
        }
    }
}
