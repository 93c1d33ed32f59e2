//! `fake-github`: serve the fake GitHub Packages API until Ctrl-C.
//!
//! ```text
//! cargo run -p fake-github -- --port 8080 --seed demo
//! cargo run -p fake-github -- --seed path/to/seed.json
//! ```

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use fake_github::{DEMO_TOKEN, FakeGitHub, Seed, demo_seed};
use tracing_subscriber::EnvFilter;

/// A stateful fake of GitHub's Packages REST API, for trying clients against.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// The port to listen on; 0 lets the OS choose.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// What to serve: `demo` for the built-in demo data set, or the path of a seed JSON file.
    #[arg(long, default_value = "demo")]
    seed: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    match serve(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("fake-github: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Serves the seed `args` name until Ctrl-C.
async fn serve(args: Args) -> anyhow::Result<()> {
    let (seed, demo) = if args.seed == "demo" {
        (demo_seed(), true)
    } else {
        let path = PathBuf::from(&args.seed);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the seed file {}", path.display()))?;
        let seed = Seed::from_json(&text).with_context(|| {
            format!(
                "{} is not a valid seed (see the fake_github::Seed docs)",
                path.display()
            )
        })?;
        (seed, false)
    };

    let github = FakeGitHub::start_on(SocketAddr::new(args.host, args.port), seed).await?;
    println!("fake-github listening on {}", github.base_url());
    if demo {
        println!("token: {DEMO_TOKEN} (authenticates as octo-dev)");
    }
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    Ok(())
}
