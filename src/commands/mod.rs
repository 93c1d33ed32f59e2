//! One module per command. Each takes a validated [`Config`] and the [`Runtime`] to report to.

pub mod list;
pub mod prune;

use anyhow::bail;

use crate::actions::Runtime;
use crate::inputs::{Command, Config, Env};

/// Runs the command the configuration names. `env` is the process environment (for
/// `RUNNER_TEMP`).
pub async fn run(config: &Config, runtime: &Runtime, env: &Env) -> anyhow::Result<()> {
    match config.command {
        Command::List => list::run(config, runtime, &list::Display::default()).await,
        Command::Prune => prune::run(config, runtime, env).await,
        Command::Restore => bail!(
            "`{}` is not available in this version yet; `list` is",
            config.command.as_str()
        ),
        #[cfg(feature = "demo")]
        Command::Demo => crate::demo::run(runtime).await,
        #[cfg(not(feature = "demo"))]
        Command::Demo => {
            bail!("this build of package-warden has no `demo` (built without the `demo` feature)")
        }
    }
}
