//! `fake-github`: serve the fake GitHub Packages API and registry until Ctrl-C, then print what
//! it served.
//!
//! ```text
//! cargo run -p fake-github -- --port 8080 --seed demo
//! cargo run -p fake-github -- --seed path/to/seed.json
//! cargo run -p fake-github -- --latency-ms 80 --jitter-ms 40 --fail-rate 0.02 --seed-rng 7 \
//!     --secondary-points-per-minute 900 --max-concurrent 100 --primary-limit 5000
//! cargo run -p fake-github -- --scopes demo-token=read:packages,delete:packages \
//!     --sso acme-corp --member acme-corp=octo-dev --github-token ci-token
//! cargo run -p fake-github -- --hostile looping-link
//! ```

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use fake_github::{
    FakeGitHub, Faults, Hostile, Limits, OwnerKind, OwnerSeed, PackagePermission, Probability,
    Seed, TokenProfile, demo,
};
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

    /// Delay every answer by this many milliseconds.
    #[arg(long, value_name = "MS", help_heading = "Faults")]
    latency_ms: Option<u64>,
    /// Delay every answer by up to this many milliseconds more, drawn per request.
    #[arg(long, value_name = "MS", help_heading = "Faults")]
    jitter_ms: Option<u64>,
    /// Answer this share of requests (0 to 1) with 502 or 503, without carrying them out.
    #[arg(long, value_name = "P", value_parser = probability, help_heading = "Faults")]
    fail_rate: Option<Probability>,
    /// Close the connection of this share of requests (0 to 1) without an answer.
    #[arg(long, value_name = "P", value_parser = probability, help_heading = "Faults")]
    drop_rate: Option<Probability>,
    /// Of the dropped requests, carry out this share (0 to 1) before dropping them [default: 0.5].
    #[arg(long, value_name = "P", value_parser = probability, help_heading = "Faults")]
    drop_applied_share: Option<Probability>,
    /// Seed the generator behind latency jitter, failures and drops, for a repeatable run.
    #[arg(long, value_name = "N", help_heading = "Faults")]
    seed_rng: Option<u64>,

    /// Enforce GitHub's secondary limit: points per token per sliding minute (GET 1, writes 5;
    /// github.com allows 900).
    #[arg(long, value_name = "POINTS", help_heading = "Rate limits")]
    secondary_points_per_minute: Option<u32>,
    /// Enforce at most this many requests in flight per token (github.com allows 100).
    #[arg(long, value_name = "N", help_heading = "Rate limits")]
    max_concurrent: Option<u32>,
    /// Enforce a primary budget of this many requests per token per hour (5,000 for a PAT).
    #[arg(long, value_name = "N", help_heading = "Rate limits")]
    primary_limit: Option<u32>,

    /// Make a seeded token a classic PAT with exactly these comma-separated scopes (e.g.
    /// `read:packages,delete:packages`; nothing after `=` for none). Repeatable.
    #[arg(long, value_name = "TOKEN=SCOPES", value_parser = assignment, help_heading = "Tokens and SSO")]
    scopes: Vec<(String, String)>,
    /// Make a seeded token a workflow's GITHUB_TOKEN with `packages: write`: it gets packages by
    /// name but cannot list them, and cannot delete or restore without "Manage Actions access"
    /// (give that in a seed file). Repeatable.
    #[arg(long, value_name = "TOKEN", help_heading = "Tokens and SSO")]
    github_token: Vec<String>,
    /// Make a seeded organisation enforce SAML single sign-on. Repeatable.
    #[arg(long, value_name = "ORG", help_heading = "Tokens and SSO")]
    sso: Vec<String>,
    /// Authorise a seeded classic or OAuth token for SSO in an organisation. Repeatable.
    #[arg(long, value_name = "TOKEN=ORG", value_parser = assignment, help_heading = "Tokens and SSO")]
    sso_authorize: Vec<(String, String)>,
    /// Make a seeded user a member of a seeded organisation, so that `/user/packages` lists the
    /// organisation's packages too (or, under SSO, says they were left out). Repeatable.
    #[arg(long, value_name = "ORG=USER", value_parser = assignment, help_heading = "Tokens and SSO")]
    member: Vec<(String, String)>,

    /// Answer as GitHub never would: echo-token, looping-link, huge-last-page,
    /// huge-retry-after, redirect=URL, not-github or rate-limit-reset-in-past (see
    /// `fake_github::Hostile`).
    #[arg(long, value_name = "MODE", help_heading = "Faults")]
    hostile: Option<Hostile>,
}

impl Args {
    /// The seed's faults, with each one given on the command line replacing the seed's.
    fn faults(&self, seeded: Faults) -> Faults {
        Faults {
            latency: self
                .latency_ms
                .map_or(seeded.latency, Duration::from_millis),
            jitter: self.jitter_ms.map_or(seeded.jitter, Duration::from_millis),
            fail_rate: self.fail_rate.unwrap_or(seeded.fail_rate),
            drop_rate: self.drop_rate.unwrap_or(seeded.drop_rate),
            drop_applied_share: self.drop_applied_share.unwrap_or(seeded.drop_applied_share),
            rng_seed: self.seed_rng.unwrap_or(seeded.rng_seed),
        }
    }

    /// The seed's limits, with each one given on the command line replacing the seed's.
    fn limits(&self, seeded: Limits) -> Limits {
        Limits {
            secondary_points_per_minute: self
                .secondary_points_per_minute
                .or(seeded.secondary_points_per_minute),
            max_concurrent: self.max_concurrent.or(seeded.max_concurrent),
            primary_per_hour: self.primary_limit.or(seeded.primary_per_hour),
        }
    }

    /// The seed with the token kinds, scopes, SSO settings and memberships the command line
    /// gives. Tokens are checked when the fake starts; organisations here.
    fn access(&self, mut seed: Seed) -> anyhow::Result<Seed> {
        for (token, scopes) in &self.scopes {
            let scopes = scopes.split(',').map(str::trim).filter(|s| !s.is_empty());
            seed = seed.with_token_profile(token.clone(), TokenProfile::classic(scopes));
        }
        for token in &self.github_token {
            let profile = TokenProfile::github_token(PackagePermission::Write);
            seed = seed.with_token_profile(token.clone(), profile);
        }
        for (token, org) in &self.sso_authorize {
            let profile = seed
                .token_profiles
                .remove(token)
                .unwrap_or_else(TokenProfile::unrestricted);
            seed = seed.with_token_profile(token.clone(), profile.sso_authorized(org.clone()));
        }
        for org in &self.sso {
            organization(&mut seed, org, "--sso")?.saml_sso = true;
        }
        for (org, user) in &self.member {
            organization(&mut seed, org, "--member")?
                .members
                .push(user.clone());
        }
        Ok(seed)
    }
}

/// The seeded organisation `login`, for a flag to change.
fn organization<'a>(
    seed: &'a mut Seed,
    login: &str,
    flag: &str,
) -> anyhow::Result<&'a mut OwnerSeed> {
    seed.owners
        .iter_mut()
        .find(|owner| {
            owner.kind == OwnerKind::Organization && owner.login.eq_ignore_ascii_case(login)
        })
        .with_context(|| format!("{flag} {login}: the seed has no organisation {login:?}"))
}

/// `NAME=VALUE`, split at the last `=` (values such as scopes and logins never contain one).
fn assignment(text: &str) -> Result<(String, String), String> {
    text.rsplit_once('=')
        .filter(|(name, _)| !name.is_empty())
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .ok_or_else(|| format!("{text:?} is not NAME=VALUE"))
}

fn probability(text: &str) -> Result<Probability, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    Probability::new(value).map_err(|error| error.to_string())
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

/// Serves the seed `args` name, with its faults and limits, until Ctrl-C.
async fn serve(args: Args) -> anyhow::Result<()> {
    let (seed, demo) = if args.seed == "demo" {
        (demo::seed(), true)
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

    let faults = args.faults(seed.faults.clone());
    let limits = args.limits(seed.limits);
    let seed = args.access(seed.with_faults(faults).with_limits(limits))?;

    let github = FakeGitHub::start_on(SocketAddr::new(args.host, args.port), seed).await?;
    github.set_hostile(args.hostile.clone());
    println!("fake-github listening on {}", github.base_url());
    if demo {
        println!("token: {} (authenticates as octo-dev)", demo::TOKEN);
    }
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    println!("{}", github.counters());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_replace_the_seeds_faults_and_limits_one_by_one() {
        let args = Args::try_parse_from([
            "fake-github",
            "--latency-ms",
            "80",
            "--fail-rate",
            "0.25",
            "--seed-rng",
            "7",
            "--secondary-points-per-minute",
            "900",
        ])
        .expect("valid flags");
        let seeded = Faults::default()
            .jitter(Duration::from_millis(20))
            .drop_rate(0.1);
        assert_eq!(
            args.faults(seeded),
            Faults::default()
                .latency(Duration::from_millis(80))
                .jitter(Duration::from_millis(20))
                .fail_rate(0.25)
                .drop_rate(0.1)
                .rng_seed(7)
        );
        assert_eq!(
            args.limits(Limits::default().max_concurrent(10)),
            Limits::default()
                .secondary_points_per_minute(900)
                .max_concurrent(10)
        );
    }

    #[test]
    fn flags_set_token_kinds_scopes_and_sso() {
        use fake_github::scope;

        let args = Args::try_parse_from([
            "fake-github",
            "--scopes",
            "reader=read:packages, delete:packages",
            "--scopes",
            "empty=",
            "--github-token",
            "ci",
            "--sso",
            "ACME",
            "--sso-authorize",
            "reader=acme",
            "--member",
            "acme=octocat",
        ])
        .expect("valid flags");
        let seed = Seed::default().with_org("acme").with_user("octocat");
        let seed = args.access(seed).expect("known organisations");
        assert_eq!(
            seed.token_profiles["reader"],
            TokenProfile::classic([scope::READ_PACKAGES, scope::DELETE_PACKAGES])
                .sso_authorized("acme")
        );
        assert_eq!(
            seed.token_profiles["empty"],
            TokenProfile::classic(Vec::<String>::new())
        );
        assert_eq!(
            seed.token_profiles["ci"],
            TokenProfile::github_token(PackagePermission::Write)
        );
        assert!(seed.owners[0].saml_sso);
        assert_eq!(seed.owners[0].members, ["octocat"]);

        let unknown = Args::try_parse_from(["fake-github", "--sso", "octocat"]).expect("parses");
        let error = unknown
            .access(Seed::default().with_user("octocat"))
            .expect_err("octocat is no organisation")
            .to_string();
        assert!(error.contains("no organisation \"octocat\""), "{error}");
        assert!(Args::try_parse_from(["fake-github", "--member", "acme"]).is_err());
    }

    #[test]
    fn rates_outside_zero_to_one_are_refused() {
        let error = Args::try_parse_from(["fake-github", "--drop-rate", "1.5"])
            .expect_err("refused")
            .to_string();
        assert!(error.contains("1.5 is not a probability"), "{error}");
    }
}
