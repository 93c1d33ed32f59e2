//! Runs package-warden's release binary, as a user would, against the fake GitHub with GitHub's
//! limits and a chosen latency, and prints what it cost: wall time, requests, retries,
//! secondary-limit hits, deletions a minute, pages a second, and the binary's peak memory.
//!
//! ```sh
//! cargo build --release && cargo run --release -p bench -- list --versions 20000 --latency-ms 300
//! cargo run --release -p bench -- delete --versions 1000 --latency-ms 300
//! cargo run --release -p bench -- memory --versions 150000
//! ```
//! Timing is measured here, never asserted by a test.

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use fake_github::{FakeGitHub, Faults, Limits, PackageSeed, PackageType, Seed, VersionSeed};

const TOKEN: &str = "bench-token";

#[derive(Parser)]
#[command(about = "Benchmark package-warden's release binary against the fake GitHub")]
struct Args {
    #[command(subcommand)]
    scenario: Scenario,
    /// The binary to run.
    #[arg(long, default_value = "target/release/package-warden", global = true)]
    binary: PathBuf,
    /// The `concurrency` input to pass (the binary's default when absent).
    #[arg(long, global = true)]
    concurrency: Option<usize>,
}

#[derive(Subcommand)]
enum Scenario {
    /// List one package of many versions.
    List {
        #[arg(long, default_value_t = 20_000)]
        versions: u64,
        #[arg(long, default_value_t = 300)]
        latency_ms: u64,
    },
    /// Delete all but one of a package's versions with 900 points a minute enforced.
    Delete {
        #[arg(long, default_value_t = 1_000)]
        versions: u64,
        #[arg(long, default_value_t = 300)]
        latency_ms: u64,
    },
    /// List and plan (dry run) a package of many versions; report peak memory.
    Memory {
        #[arg(long, default_value_t = 150_000)]
        versions: u64,
    },
}

fn seed(versions: u64, latency: Duration) -> Seed {
    let now = chrono::Utc::now();
    let package =
        PackageSeed::new("acme", PackageType::Npm, "big").versions((0..versions).map(|i| {
            VersionSeed::new(format!("1.{}.{}", i / 1000, i % 1000))
                .id(10_000 + i)
                .created_at(now - chrono::TimeDelta::minutes(i as i64 + 1))
        }));
    Seed::default()
        .with_org("acme")
        .with_user("bench")
        .with_token(TOKEN, "bench")
        .with_package(package)
        .with_limits(Limits::github())
        .with_faults(Faults::default().latency(latency))
}

/// What one run of the binary cost.
struct Measured {
    wall: Duration,
    peak_rss_kib: i64,
    summary: String,
    success: bool,
    stderr: String,
}

fn run_binary(args: &Args, fake: &FakeGitHub, inputs: &[(&str, &str)]) -> anyhow::Result<Measured> {
    let dir = tempfile::tempdir()?;
    let summary = dir.path().join("summary.md");
    let mut command = Command::new(&args.binary);
    command
        .env_clear()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", dir.path().join("output"))
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUNNER_TEMP", dir.path())
        .env("INPUT_API-URL", fake.base_url())
        .env("INPUT_TOKEN", TOKEN)
        .env("INPUT_OWNER", "acme")
        .env("INPUT_OWNER-TYPE", "org")
        .env("INPUT_PACKAGE-TYPE", "npm")
        .env("INPUT_PACKAGES", "big");
    if let Some(concurrency) = args.concurrency {
        command.env("INPUT_CONCURRENCY", concurrency.to_string());
    }
    for (name, value) in inputs {
        command.env(format!("INPUT_{}", name.to_uppercase()), value);
    }
    command.stdout(std::process::Stdio::null());
    command.stderr(std::process::Stdio::piped());
    let started = Instant::now();
    let child = command.spawn().with_context(|| {
        format!(
            "running {} (build it with cargo build --release)",
            args.binary.display()
        )
    })?;
    let pid = child.id() as libc::pid_t;
    // wait4 gives the child's peak resident set size, which std's wait does not.
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if waited != pid {
        bail!("wait4 failed: {}", std::io::Error::last_os_error());
    }
    let wall = started.elapsed();
    let stderr = String::new();
    Ok(Measured {
        wall,
        peak_rss_kib: usage.ru_maxrss,
        summary: std::fs::read_to_string(summary).unwrap_or_default(),
        success: std::process::ExitStatus::from_raw(status).success(),
        stderr,
    })
}

/// `retries: N` from the summary's footer.
fn footer_number(summary: &str, label: &str) -> String {
    summary
        .split(" · ")
        .find_map(|part| part.trim().strip_prefix(label))
        .map(|rest| rest.split([' ', '<']).next().unwrap_or("").to_string())
        .unwrap_or_else(|| "?".to_string())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Runtime::new()?;
    let (versions, latency, inputs): (u64, Duration, Vec<(&str, &str)>) = match &args.scenario {
        Scenario::List {
            versions,
            latency_ms,
        } => (
            *versions,
            Duration::from_millis(*latency_ms),
            vec![("command", "list")],
        ),
        Scenario::Delete {
            versions,
            latency_ms,
        } => (
            versions + 1,
            Duration::from_millis(*latency_ms),
            vec![("command", "prune"), ("versions", "*"), ("keep-n", "1")],
        ),
        Scenario::Memory { versions } => (
            *versions,
            Duration::ZERO,
            vec![
                ("command", "prune"),
                ("versions", "*"),
                ("keep-n", "10"),
                ("dry-run", "true"),
            ],
        ),
    };
    let fake = runtime.block_on(FakeGitHub::start(seed(versions, latency)))?;
    let measured = run_binary(&args, &fake, &inputs)?;
    let counters = fake.counters();
    let pages = versions.div_ceil(100);
    println!(
        "scenario: {}",
        std::env::args().skip(1).collect::<Vec<_>>().join(" ")
    );
    println!(
        "exit: {}",
        if measured.success {
            "success"
        } else {
            "FAILED"
        }
    );
    println!("wall time: {:.2} s", measured.wall.as_secs_f64());
    println!("requests: {} ({:?})", counters.requests, counters.by_method);
    println!("retries: {}", footer_number(&measured.summary, "retries: "));
    println!("secondary-limit hits: {}", counters.secondary_limit_hits);
    println!("primary-limit hits: {}", counters.primary_limit_hits);
    match args.scenario {
        Scenario::Delete { versions, .. } => println!(
            "deletions a minute: {:.1} ({versions} in {:.1} s)",
            versions as f64 / measured.wall.as_secs_f64() * 60.0,
            measured.wall.as_secs_f64()
        ),
        _ => println!(
            "pages a second: {:.1} ({pages} pages)",
            pages as f64 / measured.wall.as_secs_f64()
        ),
    }
    println!("peak RSS: {:.1} MiB", measured.peak_rss_kib as f64 / 1024.0);
    if !measured.success {
        eprintln!("{}", measured.stderr);
        bail!("the run failed");
    }
    Ok(())
}
