//! How fast the planner decides: `cargo bench --bench planner`.
//!
//! Builds one package of 100,000 container versions (a mix of tagged releases and untagged
//! builds over two years) and plans it with a policy that uses every rule, several times,
//! printing the fastest and the median run. Target: under 0.2 s for 100,000 versions.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use package_warden::model::{Package, PackageListing, PackageType, PackageVersion, Timestamp};
use package_warden::plan::{self, Age, Policy, Selection, TimestampField};
use package_warden::selector::PatternList;

const VERSIONS: u64 = 100_000;
const RUNS: usize = 9;

fn listing(now: Timestamp) -> PackageListing {
    let versions = (0..VERSIONS)
        .map(|i| {
            let created = now - TimeDelta::minutes(10 * i as i64);
            let tags = match i % 10 {
                0 => vec![format!("v1.{}.{}", i / 1000, i % 1000)],
                5 => vec![format!("v2.0.0-rc.{i}"), "edge".to_string()],
                _ => Vec::new(),
            };
            PackageVersion {
                updated_at: Some(created),
                ..PackageVersion::new(1_000_000 + i, &format!("sha256:{i:064x}"), created)
                    .tagged(tags)
            }
        })
        .collect();
    PackageListing {
        package: Package {
            version_count: Some(VERSIONS),
            ..Package::new(1, "app", PackageType::Container, now)
        },
        versions,
    }
}

fn main() {
    let now: Timestamp = "2026-11-25T00:00:00Z".parse().unwrap();
    let policy = Policy {
        exclude_tags: PatternList::parse("latest, /^v1\\.0\\./").unwrap(),
        keep_newest_tagged: Some(10),
        keep_newest_untagged: Some(50),
        older_than: Some(Age {
            text: "30d".to_string(),
            duration: Duration::from_secs(30 * 86_400),
        }),
        timestamp: TimestampField::Updated,
        pre_release_only: false,
        ..Policy::new(Selection {
            tags: PatternList::parse("v*, edge").unwrap(),
            untagged: true,
            ..Selection::default()
        })
    };
    let input = listing(now);
    let mut times = Vec::new();
    let mut deletions = 0;
    for _ in 0..RUNS {
        let listings = vec![input.clone().into()];
        let start = Instant::now();
        let plan = black_box(plan::plan(listings, &policy, now));
        times.push(start.elapsed());
        deletions = plan.deletion_count();
    }
    times.sort();
    println!(
        "planner: {VERSIONS} versions, {deletions} deletions; fastest {:.1} ms, median {:.1} ms over {RUNS} runs",
        times[0].as_secs_f64() * 1000.0,
        times[RUNS / 2].as_secs_f64() * 1000.0
    );
}
