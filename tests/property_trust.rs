//! The promise, checked on random worlds: random packages (tags, multi-arch images, parts with
//! tags of their own, signatures), random policies and random faults (failed deletions, dropped
//! connections after GitHub applied the change, a push during the run, a cancellation at a
//! random moment), run end to end through the library against the fake GitHub. On the fake's
//! final state:
//!
//! - nothing the plan keeps is gone, and nothing tagged `keep-me` (an excluded tag) or pushed
//!   during the run;
//! - every version gone was sent a DELETE by this run, as the journal says, and is in the
//!   outputs (`deleted`, or `failed` when its answer was lost);
//! - no part is gone while an image that lists it stands;
//! - a dry run changes nothing.
//!
//! `PACKAGE_WARDEN_PROPTEST_CASES` sets the number of worlds (default 24, about a minute).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use fake_github::{
    FakeGitHub, Faults, ManifestSeed, MetadataShape, MultiArchImage, PackageSeed, PackageType,
    Platform, PushTrigger, Seed, VersionSeed, cosign_tag,
};
use package_warden::actions::Runtime;
use package_warden::cancel::{Cancellation, Signal};
use package_warden::commands::{self, Display};
use package_warden::config::{Config, Env, RawInputs};
use proptest::prelude::*;
use serde_json::Value;

mod common;
use common::{TOKEN, parse_github_output};

const TAGS: [&str; 7] = ["latest", "v1", "v2", "pr-1", "pr-2", "keep-me", "dev"];

/// One image of the random package.
#[derive(Debug, Clone)]
struct ImageSpec {
    /// 0: a single-platform image; n: an index of n platforms.
    /// (buildx's default attestations come with every index.)
    platforms: usize,
    tags: Vec<&'static str>,
    /// A tag carried by its first platform manifest (multi-arch only).
    part_tag: Option<&'static str>,
    signed: bool,
    age_days: i64,
    /// Its own DELETE fails with this status.
    fails: Option<u16>,
    /// Its first part's DELETE fails with this status.
    part_fails: Option<u16>,
    /// How GitHub serves its metadata: anything but `Normal` hides its tags.
    metadata: MetadataShape,
}

#[derive(Debug, Clone)]
struct Policy {
    tags: Option<&'static str>,
    untagged: bool,
    keep_n: Option<u8>,
    older_than: Option<&'static str>,
    dry_run: bool,
    delete_package_when_empty: bool,
}

#[derive(Debug, Clone)]
struct World {
    images: Vec<ImageSpec>,
    policy: Policy,
    /// Share of requests whose connection drops (after GitHub applied them, half the time).
    drop_rate: f64,
    /// A version is pushed right after the run listed the package. (A push that lands between
    /// the last check and a whole-package DELETE is still lost: GitHub has no conditional
    /// delete; the README says so.)
    push_after_listing: bool,
    /// The run is cancelled once this many DELETEs were answered.
    cancel_after: Option<usize>,
    rng_seed: u64,
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![Just(500), Just(422), Just(404)]
}

fn image_spec() -> impl Strategy<Value = ImageSpec> {
    (
        prop_oneof![Just(0usize), 1usize..=3],
        proptest::sample::subsequence(TAGS.to_vec(), 0..=2),
        proptest::option::weighted(0.25, proptest::sample::select(TAGS.to_vec())),
        proptest::bool::weighted(0.25),
        0i64..60,
        proptest::option::weighted(0.15, status()),
        proptest::option::weighted(0.1, status()),
        prop_oneof![
            8 => Just(MetadataShape::Normal),
            1 => Just(MetadataShape::Absent),
            1 => Just(MetadataShape::Null),
            1 => Just(MetadataShape::NoContainer),
            1 => Just(MetadataShape::ContainerNull),
            1 => Just(MetadataShape::TagsNull),
        ],
    )
        .prop_map(
            |(platforms, tags, part_tag, signed, age_days, fails, part_fails, metadata)| {
                ImageSpec {
                    metadata,
                    platforms,
                    tags,
                    part_tag,
                    signed,
                    age_days,
                    fails,
                    part_fails,
                }
            },
        )
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        proptest::option::of(prop_oneof![Just("pr-*"), Just("v*"), Just("*")]),
        any::<bool>(),
        proptest::option::of(0u8..3),
        proptest::option::of(prop_oneof![Just("1d"), Just("30d")]),
        proptest::bool::weighted(0.2),
        any::<bool>(),
    )
        .prop_map(
            |(tags, untagged, keep_n, older_than, dry_run, delete_package_when_empty)| Policy {
                untagged: untagged || tags.is_none(),
                tags,
                keep_n,
                older_than,
                dry_run,
                delete_package_when_empty,
            },
        )
}

fn world() -> impl Strategy<Value = World> {
    (
        proptest::collection::vec(image_spec(), 1..7),
        policy(),
        prop_oneof![Just(0.0), Just(0.1)],
        proptest::bool::weighted(0.3),
        proptest::option::weighted(0.3, 0usize..6),
        any::<u64>(),
    )
        .prop_map(
            |(images, policy, drop_rate, push_after_listing, cancel_after, rng_seed)| World {
                images,
                policy,
                drop_rate,
                push_after_listing,
                cancel_after,
                rng_seed,
            },
        )
}

/// What the oracle needs to know of the world beyond the fake's state.
#[derive(Default)]
struct Known {
    /// For each index digest, the digests it lists.
    children: HashMap<String, Vec<String>>,
    /// Digests of versions whose tags GitHub does not show.
    hidden_tags: BTreeSet<String>,
    /// Digests of single-platform images seeded without tags.
    untagged_images: BTreeSet<String>,
}

/// The seed, and what the oracle must know of it.
fn build(world: &World) -> (Seed, Known) {
    let mut known = Known::default();
    let mut used = BTreeSet::new();
    let mut claim = |tags: &[&'static str]| -> Vec<&'static str> {
        tags.iter().copied().filter(|t| used.insert(*t)).collect()
    };
    let mut package = PackageSeed::new("acme", PackageType::Container, "app");
    for (n, spec) in world.images.iter().enumerate() {
        let created = Utc::now() - TimeDelta::hours(24 * spec.age_days);
        let label = format!("image {n}");
        let tags = claim(&spec.tags);
        let with_faults = |version: VersionSeed, fails: Option<u16>| match fails {
            Some(status) => version.delete_fails(status),
            None => version,
        };
        let root = if spec.platforms == 0 {
            ManifestSeed::image(&label).build()
        } else {
            let platforms: Vec<Platform> = ["amd64", "arm64", "s390x"][..spec.platforms]
                .iter()
                .map(|arch| Platform::linux(arch))
                .collect();
            let image = MultiArchImage::new(&label, &platforms, 1);
            let all: Vec<ManifestSeed> = image.children().cloned().collect();
            known.children.insert(
                image.index.digest(),
                all.iter().map(ManifestSeed::digest).collect(),
            );
            let part_tag = spec.part_tag.map(|t| claim(&[t])).unwrap_or_default();
            for (i, part) in all.iter().enumerate() {
                let mut version = VersionSeed::from_manifest(part.clone()).created_at(created);
                if i == 0 {
                    version = with_faults(version.tags(part_tag.clone()), spec.part_fails);
                }
                package = package.version(version);
            }
            image.index
        };
        let digest = root.digest();
        if spec.metadata != MetadataShape::Normal {
            known.hidden_tags.insert(digest.clone());
        }
        if spec.platforms == 0 && tags.is_empty() {
            known.untagged_images.insert(digest.clone());
        }
        package = package.version(with_faults(
            VersionSeed::from_manifest(root)
                .tags(tags)
                .metadata_shape(spec.metadata)
                .created_at(created),
            spec.fails,
        ));
        if spec.signed {
            let signature = ManifestSeed::cosign_signature(&digest);
            package = package.version(
                VersionSeed::from_manifest(signature)
                    .tags([cosign_tag(&digest, "sig")])
                    .created_at(created),
            );
        }
    }
    if world.push_after_listing {
        package = package.late_push(
            VersionSeed::from_manifest(ManifestSeed::image("pushed during the run").build()),
            PushTrigger::AfterListing,
        );
    }
    let seed = Seed::default()
        .with_org("acme")
        .with_user("acme-bot")
        .with_token(TOKEN, "acme-bot")
        .with_package(package);
    (seed, known)
}

struct Outcome {
    outputs: BTreeMap<String, String>,
    report: Value,
    journal: Vec<Value>,
}

/// Runs prune through the library as `main` does, with a cancellation the test controls.
fn run(fake: &FakeGitHub, world: &World) -> Outcome {
    let temp = tempfile::tempdir().unwrap();
    let policy = &world.policy;
    let mut inputs: Vec<(&str, String)> = vec![
        ("command", "prune".into()),
        ("owner", "acme".into()),
        ("packages", "app".into()),
        ("api-url", fake.base_url()),
        ("registry-url", fake.base_url()),
        ("token", TOKEN.into()),
        ("exclude-tags", "keep-me".into()),
        ("untagged", policy.untagged.to_string()),
        ("dry-run", policy.dry_run.to_string()),
        (
            "delete-package-when-empty",
            policy.delete_package_when_empty.to_string(),
        ),
        ("concurrency", "3".into()),
    ];
    inputs.extend(policy.tags.map(|t| ("tags", t.to_string())));
    inputs.extend(policy.keep_n.map(|n| ("keep-n", n.to_string())));
    inputs.extend(policy.older_than.map(|age| ("older-than", age.to_string())));
    let mut env: Env = inputs
        .into_iter()
        .map(|(name, value)| (format!("INPUT_{}", name.to_uppercase()), value))
        .collect();
    let path = |name: &str| temp.path().join(name).display().to_string();
    env.insert("GITHUB_ACTIONS".into(), "true".into());
    env.insert("GITHUB_OUTPUT".into(), path("output"));
    env.insert("GITHUB_STEP_SUMMARY".into(), path("summary"));
    env.insert("RUNNER_TEMP".into(), temp.path().display().to_string());

    let raw = RawInputs::read(["package-warden"], &env).expect("inputs parse");
    let mut config = Config::from_inputs(&raw, &env).expect("inputs are valid");
    config.transport.backoff_base = Duration::from_millis(1);
    let runtime = Runtime::with_writers(
        &env,
        None,
        Box::new(std::io::sink()),
        Box::new(std::io::sink()),
    );
    let (cancellation, canceller) = Cancellation::manual();

    let tokio = tokio::runtime::Runtime::new().unwrap();
    tokio.block_on(async {
        let display = Display::default();
        let command = commands::run_with(&config, &runtime, &env, &display, &cancellation);
        let cancel = async {
            let Some(after) = world.cancel_after else {
                return std::future::pending().await;
            };
            loop {
                let answered = fake
                    .requests()
                    .iter()
                    .filter(|r| r.method == "DELETE")
                    .count();
                if answered >= after {
                    canceller.send(Signal::Interrupt);
                    return std::future::pending().await;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        };
        tokio::select! {
            _ = command => {}
            () = cancel => {}
        }
    });

    let outputs = parse_github_output(&std::fs::read_to_string(path("output")).unwrap_or_default());
    let report = outputs
        .get("report")
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .unwrap_or(Value::Null);
    let journal = outputs
        .get("journal")
        .filter(|p| !p.is_empty())
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        })
        .unwrap_or_default();
    Outcome {
        outputs,
        report,
        journal,
    }
}

fn ids_in(outputs: &BTreeMap<String, String>, name: &str) -> BTreeSet<u64> {
    outputs
        .get(name)
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v["id"].as_u64())
        .collect()
}

fn check(world: World) -> Result<(), TestCaseError> {
    let (seed, known) = build(&world);
    let fake = FakeGitHub::spawn(seed).unwrap();
    let before = fake.state();
    fake.set_faults(
        Faults::default()
            .drop_rate(world.drop_rate)
            .drop_applied_share(0.5)
            .rng_seed(world.rng_seed),
    );
    let outcome = run(&fake, &world);
    fake.set_faults(Faults::default());
    let after = fake.state();
    let package_after = &after.packages[0];
    let package_gone = package_after.is_deleted();
    let gone: BTreeSet<u64> = package_after
        .versions
        .iter()
        .filter(|v| v.deleted_at.is_some() || package_gone)
        .map(|v| v.id)
        .collect();

    if world.policy.dry_run {
        prop_assert!(gone.is_empty(), "a dry run deleted {gone:?}");
        prop_assert!(
            fake.requests()
                .iter()
                .all(|r| r.method == "GET" || r.method == "HEAD"),
            "a dry run sent a change"
        );
        return Ok(());
    }

    let planned_deletions: BTreeSet<u64> = outcome.report["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["versions"].as_array().cloned().unwrap_or_default())
        .filter(|v| v["action"] == "delete")
        .filter_map(|v| v["id"].as_u64())
        .collect();
    let sent: BTreeSet<u64> = outcome
        .journal
        .iter()
        .flat_map(|e| match e["event"].as_str() {
            Some("sending") => vec![e["id"].as_u64().unwrap()],
            Some("sending-package") => e["versions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["id"].as_u64().unwrap())
                .collect(),
            _ => vec![],
        })
        .collect();
    let reported: BTreeSet<u64> = ids_in(&outcome.outputs, "deleted")
        .union(&ids_in(&outcome.outputs, "failed"))
        .copied()
        .collect();
    // A version pushed during the run may be in the plan: a listing retried after a dropped
    // connection sees it. Then it was planned like any other; if not, it must stay.
    let by_id: HashMap<u64, _> = package_after.versions.iter().map(|v| (v.id, v)).collect();
    let listed_before: BTreeSet<u64> = before.packages[0].versions.iter().map(|v| v.id).collect();
    for id in &gone {
        let version = by_id[id];
        prop_assert!(
            listed_before.contains(id) || planned_deletions.contains(id),
            "version {id}, pushed during the run and not in the plan, is gone"
        );
        prop_assert!(
            planned_deletions.contains(id),
            "{id} {:?} is gone but the plan did not delete it",
            version.tags
        );
        prop_assert!(
            !version.tags.iter().any(|t| t == "keep-me"),
            "{id} tagged keep-me is gone"
        );
        prop_assert!(sent.contains(id), "{id} is gone but not in the journal");
        prop_assert!(
            !known.hidden_tags.contains(&version.name) || version.tags.is_empty(),
            "{id} {:?}, whose tags GitHub did not show, is gone",
            version.tags
        );
        prop_assert!(
            known.hidden_tags.is_empty() || !known.untagged_images.contains(&version.name),
            "{id} is gone as untagged although some tags in its package are unknown"
        );
        prop_assert!(reported.contains(id), "{id} is gone but in no output");
    }
    // An image that stands keeps every manifest it lists.
    let active: BTreeMap<&str, u64> = package_after
        .versions
        .iter()
        .filter(|v| v.deleted_at.is_none() && !package_gone)
        .map(|v| (v.name.as_str(), v.id))
        .collect();
    for (index, parts) in &known.children {
        if active.contains_key(index.as_str()) {
            for part in parts {
                prop_assert!(
                    active.contains_key(part.as_str()),
                    "index {index} stands but its part {part} is gone"
                );
            }
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PACKAGE_WARDEN_PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    })]

    #[test]
    fn nothing_the_plan_keeps_is_lost_whatever_the_server_does(world in world()) {
        check(world)?;
    }
}
