//! The `package-warden` binary: read inputs, run the command, map the result to an exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use package_warden::actions::Runtime;
use package_warden::cancel::{Cancellation, Cancelled};
use package_warden::config::{Config, RawInputs};
use package_warden::env::Env;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let env: Env = std::env::vars().collect();
    let raw = match RawInputs::read(std::env::args_os(), &env) {
        Ok(raw) => raw,
        // `--help`, `--version`, or a malformed command line: clap prints and exits (2 for errors).
        Err(err) => err.exit(),
    };
    let runtime = Runtime::from_env(&env, raw.summary_file().map(PathBuf::from));
    // Masked before anything else is printed, so that no later line can show it.
    for secret in [raw.token(), env.get("GITHUB_TOKEN").map(String::as_str)]
        .into_iter()
        .flatten()
    {
        runtime.mask(secret);
    }
    init_tracing(&env, &runtime);

    let config = match Config::from_inputs(&raw, &env) {
        Ok(config) => config,
        Err(err) => {
            runtime.error(&err.to_string());
            return ExitCode::FAILURE;
        }
    };
    let tokio = match tokio::runtime::Runtime::new() {
        Ok(tokio) => tokio,
        Err(err) => {
            runtime.error(&format!("could not start the async runtime: {err}"));
            return ExitCode::FAILURE;
        }
    };
    let result = tokio.block_on(async {
        let cancellation = Cancellation::listen()
            .map_err(|err| anyhow::anyhow!("could not listen for SIGINT and SIGTERM: {err}"))?;
        // `demo` runs the commands against a sandbox, so it sits above them: the choice is made here.
        match config.command {
            #[cfg(feature = "demo")]
            package_warden::config::Command::Demo => {
                package_warden::demo::run(&config, &runtime, &cancellation).await
            }
            _ => package_warden::commands::run(&config, &runtime, &env, &cancellation).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            runtime.error(&format!("{err:#}"));
            match err.downcast_ref::<Cancelled>() {
                Some(Cancelled(signal)) => ExitCode::from(signal.exit_code()),
                None => ExitCode::FAILURE,
            }
        }
    }
}

/// Diagnostics go to stderr: `RUST_LOG` if set, else debug when the workflow asked for debug logs.
fn init_tracing(env: &Env, runtime: &Runtime) {
    let directives = match env.get("RUST_LOG") {
        Some(directives) => directives.clone(),
        None if runtime.debug_enabled() => "package_warden=debug".to_string(),
        None => "warn".to_string(),
    };
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(directives))
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
