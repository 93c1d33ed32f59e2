//! One module per command. Each takes a validated [`Config`] and the [`Runtime`] to report to.

pub mod list;

use anyhow::bail;

use crate::actions::Runtime;
use crate::inputs::{Command, Config};

/// Runs the command the configuration names.
pub async fn run(config: &Config, runtime: &Runtime) -> anyhow::Result<()> {
    match config.command {
        Command::List => list::run(config, runtime, &list::Display::default()).await,
        Command::Prune | Command::Restore => bail!(
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
