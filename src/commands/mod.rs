//! One module per command. Each takes a validated [`Config`] and the [`Runtime`] to report to.
//!
//! `demo` is not here: it runs these commands against a sandbox, so it sits above them
//! (`crate::demo`), and `main` chooses between the two.

pub mod list;
pub mod prune;
pub mod restore;
pub mod validate;

use crate::actions::Runtime;
use crate::cancel::{Cancellation, Cancelled};
use crate::config::{Command, Config};
use crate::env::Env;
use crate::github::{Client, Scope, access};
use crate::listing;
use crate::registry::RegistryClient;
use crate::transport::Transport;

use std::sync::Arc;

use anyhow::Context;

/// How the terminal tables are shown.
#[derive(Debug, Clone, Default)]
pub struct Display {
    /// Show at most this many versions per package at the terminal (the outputs hold all).
    pub versions_per_package: Option<usize>,
}

/// Runs the command the configuration names. `env` is the process environment (for
/// `RUNNER_TEMP`). `demo` runs through `crate::demo::run` instead.
pub async fn run(
    config: &Config,
    runtime: &Runtime,
    env: &Env,
    cancellation: &Cancellation,
) -> anyhow::Result<()> {
    run_with(config, runtime, env, &Display::default(), cancellation).await
}

/// [`run`] with a choice of how much the terminal tables show.
pub async fn run_with(
    config: &Config,
    runtime: &Runtime,
    env: &Env,
    display: &Display,
    cancellation: &Cancellation,
) -> anyhow::Result<()> {
    for warning in &config.warnings {
        runtime.warning(warning);
    }
    let command = async {
        match config.command {
            Command::List => list::run(config, runtime, display).await,
            Command::Prune => prune::run(config, runtime, env, display, cancellation).await,
            Command::Restore => restore::run(config, runtime, env, display, cancellation).await,
            // `main` hands `demo` to `crate::demo::run` when the build has it, so only a build
            // without the sandbox (or a caller of the library) gets here with it.
            Command::Demo if cfg!(feature = "demo") => {
                anyhow::bail!(
                    "`demo` runs through `package_warden::demo::run`, not `commands::run`"
                )
            }
            Command::Demo => {
                anyhow::bail!(
                    "this build of package-warden has no `demo` (built without the `demo` feature)"
                )
            }
        }
    };
    // A signal ends a command at once while it has changed nothing; one that deletes takes
    // over before its first change, to stop in good order and report.
    let result = tokio::select! {
        result = command => result,
        signal = cancellation.ends_run() => Err(Cancelled(signal).into()),
    };
    if config.validate && config.command != Command::Demo && !cancellation.is_cancelled() {
        // Checked even after a failed run: that is when a broken image matters most.
        let validation = validate::run(config, runtime, env).await;
        result?;
        validation
    } else {
        result
    }
}

/// Checks, before anything changes, that the token has the scopes the command needs, when
/// GitHub reports them (`X-OAuth-Scopes`, classic PATs and OAuth tokens). With `probe`, asks
/// GitHub once if nothing was asked yet (commands that change things must know before they
/// start). In a dry run a missing scope is reported as a finding instead.
pub(crate) async fn preflight(
    config: &Config,
    client: &Client,
    scope: &Scope,
    runtime: &Runtime,
    probe: bool,
) -> anyhow::Result<()> {
    runtime.debug(&format!("The token looks like {}", client.token_kind()));
    if probe && client.requests_sent() == 0 {
        // Any answer carries the scopes; an error here shows up again on the real requests.
        let _ = match scope {
            Scope::Org(login) | Scope::User(login) => client.get_account(login).await.map(drop),
            Scope::TokenAccount => client.token_account().await.map(drop),
        };
    }
    let Some(scopes) = client.oauth_scopes() else {
        runtime
            .debug("GitHub reports no scopes for this token: permissions show on the first change");
        return Ok(());
    };
    let required = access::required_scopes(config.command.operation(), config.package_type);
    let missing = access::missing_scopes(&scopes, &required);
    if missing.is_empty() {
        return Ok(());
    }
    let message =
        access::missing_scopes_message(config.command.as_str(), config.package_type, &missing);
    if config.dry_run {
        runtime.warning(&format!("Finding of this dry run: {message}"));
        return Ok(());
    }
    anyhow::bail!(message)
}

/// Says which `packages` patterns chose no package: a typo there would otherwise end the run
/// in success with nothing done.
pub(crate) fn unmatched_packages(
    config: &Config,
    scope: &Scope,
    packages: &[crate::model::Package],
) -> Option<String> {
    let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    if names.is_empty() {
        return Some(format!(
            "No {} package of {scope} matches `packages` ({}): nothing to do",
            config.package_type, config.packages
        ));
    }
    let unmatched = config.packages.includes_matching_none(&names);
    (!unmatched.is_empty()).then(|| {
        let quoted: Vec<String> = unmatched.iter().map(|p| format!("`{p}`")).collect();
        format!(
            "`packages`: {} matched no {} package of {scope}",
            quoted.join(", "),
            config.package_type
        )
    })
}

/// Repeats the warnings GitHub sent along with answers (SSO partial results) in the log.
pub(crate) fn relay_warnings(client: &Client, runtime: &Runtime) -> Vec<String> {
    let warnings = client.take_warnings();
    for warning in &warnings {
        runtime.warning(warning);
    }
    warnings
}

/// The API client for a run, with a transport set up from the `concurrency`,
/// `points-per-minute` and `max-wait` inputs.
pub(crate) fn api_client(config: &Config) -> anyhow::Result<Client> {
    let transport = Arc::new(Transport::new(config.transport.clone()));
    Client::with_transport(config.api_url.clone(), config.token.clone(), transport)
        .context("could not set up the HTTP client")
}

/// A client for the registry that holds the owner's images, and the owner's login (the
/// registry's repositories are named `<owner>/<package>`).
pub(crate) async fn registry_client(
    config: &Config,
    env: &Env,
    client: &Client,
    scope: &Scope,
) -> anyhow::Result<(RegistryClient, String)> {
    let owner = listing::owner_login(client, scope).await?;
    // ghcr.io takes any user name with a token; GITHUB_ACTOR is what the runner would log in as.
    let username = env
        .get("GITHUB_ACTOR")
        .filter(|actor| !actor.is_empty())
        .cloned()
        .unwrap_or_else(|| owner.clone());
    // One transport for both: the same concurrency cap, pacing and retries.
    let registry = RegistryClient::with_transport(
        config.registry_url.clone(),
        username,
        config.token.clone(),
        client.transport().clone(),
    )?;
    Ok((registry, owner))
}
