use proptest::prelude::*;

use super::*;
use chrono::TimeDelta;
use std::collections::BTreeSet;
use std::time::Duration;

use crate::model::{PackageType, VersionId};

const NOW: &str = "2026-11-25T12:00:00Z";

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

/// A container version `days` old with these tags.
fn image(id: u64, days: i64, tags: &[&str]) -> PackageVersion {
    let created = now() - TimeDelta::days(days);
    PackageVersion {
        updated_at: Some(created),
        ..PackageVersion::new(id, &format!("sha256:{id:064x}"), created)
            .tagged(tags.iter().copied())
    }
}

/// An npm version `days` old.
fn release(id: u64, days: i64, name: &str) -> PackageVersion {
    PackageVersion::new(id, name, now() - TimeDelta::days(days))
}

fn listing(name: &str, versions: Vec<PackageVersion>) -> PackageListing {
    PackageListing {
        package: Package {
            version_count: Some(versions.len() as u64),
            ..Package::new(1, name, PackageType::Container, now())
        },
        versions,
    }
}

fn patterns(list: &str) -> Option<PatternList> {
    PatternList::parse(list).unwrap()
}

fn age(text: &str) -> Option<Age> {
    Some(Age {
        text: text.to_string(),
        duration: humantime::parse_duration(text).unwrap(),
    })
}

fn deleted_ids(plan: &Plan) -> Vec<u64> {
    let mut ids: Vec<u64> = plan.deletions().map(|(_, v)| v.version.id.0).collect();
    ids.sort();
    ids
}

fn explanation_of(plan: &Plan, id: u64) -> String {
    plan.packages
        .iter()
        .flat_map(|p| &p.versions)
        .find(|v| v.version.id.0 == id)
        .unwrap_or_else(|| panic!("version {id} is in the plan"))
        .explanation()
}

/// A history: 1 tagged `latest` + `v1.3.0` (today), tagged releases, untagged builds.
fn history() -> Vec<PackageVersion> {
    vec![
        image(1, 0, &["latest", "v1.3.0"]),
        image(2, 1, &[]),
        image(3, 10, &["v1.2.0"]),
        image(4, 11, &[]),
        image(5, 40, &["v1.1.0"]),
        image(6, 41, &[]),
        image(7, 90, &["v1.0.0"]),
        image(8, 91, &[]),
        image(9, 92, &["v1.4.0-rc.1"]),
    ]
}

#[test]
fn table_of_policies() {
    struct Case {
        name: &'static str,
        policy: Policy,
        deleted: Vec<u64>,
    }
    let untagged = Selection {
        untagged: true,
        ..Selection::default()
    };
    let tagged = Selection {
        tags: patterns("*"),
        ..Selection::default()
    };
    let cases = vec![
        Case {
            name: "untagged alone deletes every untagged version",
            policy: Policy::new(untagged.clone()),
            deleted: vec![2, 4, 6, 8],
        },
        Case {
            name: "untagged older than 30 days",
            policy: Policy {
                older_than: age("30d"),
                ..Policy::new(untagged.clone())
            },
            deleted: vec![6, 8],
        },
        Case {
            name: "keep-n-untagged is a floor before the age filter",
            policy: Policy {
                keep_newest_untagged: Some(3),
                older_than: age("5d"),
                ..Policy::new(untagged.clone())
            },
            deleted: vec![8],
        },
        Case {
            name: "tag patterns with an exclusion",
            policy: Policy {
                exclude_tags: patterns("latest, v1.0.*"),
                ..Policy::new(Selection {
                    tags: patterns("v1.*"),
                    ..Selection::default()
                })
            },
            deleted: vec![3, 5, 9],
        },
        Case {
            name: "keep-n-tagged keeps the newest tagged",
            policy: Policy {
                keep_newest_tagged: Some(2),
                ..Policy::new(tagged.clone())
            },
            deleted: vec![5, 7, 9],
        },
        Case {
            name: "a regex on tags",
            policy: Policy::new(Selection {
                tags: patterns(r"/^v1\.[01]\./"),
                ..Selection::default()
            }),
            deleted: vec![5, 7],
        },
        Case {
            name: "pre-release-only deletes only pre-releases",
            policy: Policy {
                pre_release_only: true,
                ..Policy::new(tagged.clone())
            },
            deleted: vec![9],
        },
        Case {
            name: "version ids",
            policy: Policy::new(Selection {
                version_ids: [VersionId(4), VersionId(7), VersionId(999)].into(),
                ..Selection::default()
            }),
            deleted: vec![4, 7],
        },
        Case {
            name: "keep-n over everything",
            policy: Policy {
                keep_newest: Some(7),
                ..Policy::new(Selection::everything())
            },
            deleted: vec![8, 9],
        },
        Case {
            name: "exclude-versions protects by digest",
            policy: Policy {
                exclude_versions: patterns(&format!("sha256:{:064x}", 2)),
                ..Policy::new(untagged.clone())
            },
            deleted: vec![4, 6, 8],
        },
    ];
    for case in cases {
        let plan = plan(vec![listing("app", history()).into()], &case.policy, now());
        assert_eq!(deleted_ids(&plan), case.deleted, "{}", case.name);
        assert_eq!(
            plan.deletion_count() + plan.kept_count(),
            9,
            "{}",
            case.name
        );
    }
}

#[test]
fn every_decision_says_why() {
    let policy = Policy {
        keep_newest_tagged: Some(1),
        exclude_tags: patterns("v1.0.0"),
        older_than: age("30d"),
        ..Policy::new(Selection {
            tags: patterns("v*"),
            untagged: true,
            ..Selection::default()
        })
    };
    let plan = plan(vec![listing("app", history()).into()], &policy, now());
    assert_eq!(
        explanation_of(&plan, 1),
        "keep: among the 1 newest tagged (keep-n-tagged)"
    );
    assert_eq!(
        explanation_of(&plan, 2),
        "keep: younger than 30d (updated 2026-11-24)"
    );
    assert_eq!(
        explanation_of(&plan, 3),
        "keep: younger than 30d (updated 2026-11-15)"
    );
    assert_eq!(
        explanation_of(&plan, 5),
        "delete: tag \"v1.1.0\" matches tags \"v*\", older than 30d (updated 2026-10-16)"
    );
    assert_eq!(
        explanation_of(&plan, 6),
        "delete: untagged, older than 30d (updated 2026-10-15)"
    );
    assert_eq!(
        explanation_of(&plan, 7),
        "keep: tag \"v1.0.0\" matches exclude-tags \"v1.0.0\""
    );
    let not_selected = Policy::new(Selection {
        tags: patterns("nothing"),
        ..Selection::default()
    });
    let plan = super::plan(vec![listing("app", history()).into()], &not_selected, now());
    assert_eq!(
        explanation_of(&plan, 2),
        "keep: not selected by tags, untagged, versions or version-ids"
    );
}

#[test]
fn the_last_version_is_kept_unless_the_package_may_go() {
    let versions = vec![release(1, 50, "1.0.0"), release(2, 40, "1.1.0")];
    let policy = Policy::new(Selection::everything());
    let plan = plan(
        vec![listing("web", versions.clone()).into()],
        &policy,
        now(),
    );
    assert_eq!(deleted_ids(&plan), [1]);
    assert!(!plan.packages[0].delete_package);
    assert!(explanation_of(&plan, 2).starts_with("keep: last version of the package"));

    let emptying = Policy {
        delete_package_when_empty: true,
        ..policy
    };
    let plan = super::plan(vec![listing("web", versions).into()], &emptying, now());
    assert_eq!(deleted_ids(&plan), [1, 2]);
    assert!(plan.packages[0].delete_package);
    assert!(
        explanation_of(&plan, 2).ends_with("the package is deleted (delete-package-when-empty)")
    );
}

#[test]
fn npm_pre_releases_and_the_created_timestamp() {
    let versions = vec![
        release(1, 100, "2.0.0"),
        release(2, 90, "2.1.0-beta.1"),
        release(3, 80, "2.1.0"),
        release(4, 5, "3.0.0-alpha.1"),
    ];
    let policy = Policy {
        pre_release_only: true,
        timestamp: TimestampField::Created,
        older_than: age("30d"),
        ..Policy::new(Selection::everything())
    };
    let plan = plan(vec![listing("web", versions).into()], &policy, now());
    assert_eq!(deleted_ids(&plan), [2]);
    assert_eq!(
        explanation_of(&plan, 1),
        "keep: not a pre-release (pre-release-only)"
    );
    assert!(explanation_of(&plan, 2).contains("pre-release 2.1.0-beta.1"));
}

#[test]
fn age_is_strictly_older_than_the_cutoff() {
    let exactly = image(1, 30, &[]);
    let policy = Policy {
        older_than: age("30d"),
        ..Policy::new(Selection {
            untagged: true,
            ..Selection::default()
        })
    };
    let plan = plan(
        vec![listing("app", vec![exactly, image(2, 31, &[]), image(3, 0, &["x"])]).into()],
        &policy,
        now(),
    );
    assert_eq!(
        deleted_ids(&plan),
        [2],
        "a version exactly 30d old is not older than 30d"
    );
}

fn arbitrary_version() -> impl Strategy<Value = (u64, i64, Vec<&'static str>)> {
    (
        0u64..1000,
        0i64..400,
        prop::collection::vec(
            prop::sample::select(vec!["latest", "v1.0.0", "v1.1.0-rc.1", "edge", "main"]),
            0..3,
        ),
    )
}

proptest! {
    #[test]
    fn invariants_hold_for_any_history(
        specs in prop::collection::vec(arbitrary_version(), 0..60),
        keep_n in prop::option::of(0usize..10),
        keep_tagged in prop::option::of(0usize..5),
        older_days in prop::option::of(0u64..200),
        untagged in any::<bool>(),
        with_tags in any::<bool>(),
        pre_release_only in any::<bool>(),
    ) {
        let mut seen = BTreeSet::new();
        let versions: Vec<PackageVersion> = specs
            .into_iter()
            .filter(|(id, _, _)| seen.insert(*id))
            .map(|(id, days, tags)| image(id, days, &tags))
            .collect();
        let total = versions.len();
        let selection = Selection { untagged, tags: if with_tags { patterns("*") } else { None }, ..Selection::default() };
        let policy = Policy {
            exclude_tags: patterns("latest"),
            keep_newest: keep_n,
            keep_newest_tagged: keep_tagged,
            older_than: older_days.map(|d| Age { text: format!("{d}d"), duration: Duration::from_secs(d * 86_400) }),
            pre_release_only,
            ..Policy::new(selection.clone())
        };
        let plan = plan(vec![listing("app", versions).into()], &policy, now());
        let package = &plan.packages[0];
        prop_assert_eq!(package.versions.len(), total);

        let candidates = package.versions.iter().filter(|v| !selection.reasons(&v.version).is_empty()).count();
        let excluded = package.versions.iter().filter(|v| v.version.tags().iter().any(|t| t == "latest") && !selection.reasons(&v.version).is_empty()).count();
        for version in &package.versions {
            // Never delete what the policy does not select, nor what an exclusion protects.
            if version.action == Action::Delete {
                prop_assert!(!selection.reasons(&version.version).is_empty());
                prop_assert!(!version.version.tags().iter().any(|t| t == "latest"));
                if let Some(age) = &policy.older_than {
                    prop_assert!(version.version.created_at < age.before(now()));
                }
            }
            prop_assert!(!version.reasons.is_empty(), "every version says why");
        }
        if let Some(n) = keep_n {
            let kept_by_keep_n = package.versions.iter().filter(|v| matches!(v.deciding_reason(), Some(Reason::AmongNewest { .. }))).count();
            let kept_by_other_floor = package.versions.iter().filter(|v| matches!(v.deciding_reason(), Some(Reason::AmongNewestTagged { .. }))).count();
            // keep-n keeps exactly min(N, candidates): some may be credited to keep-n-tagged first.
            let floor = n.min(candidates - excluded);
            prop_assert!(kept_by_keep_n <= floor);
            prop_assert!(kept_by_keep_n + kept_by_other_floor >= floor);
            let newest_candidates: Vec<_> = package.versions.iter().filter(|v| !selection.reasons(&v.version).is_empty() && !v.version.tags().iter().any(|t| t == "latest")).take(n).collect();
            prop_assert!(newest_candidates.iter().all(|v| v.action == Action::Keep));
        }
        // A package is never emptied.
        if total > 0 {
            prop_assert!(package.kept().count() >= 1);
        }
    }
}

/// A container package `app` and what the registry said about its manifests, by version id.
fn multi_arch_facts(
    versions: Vec<PackageVersion>,
    manifests: Vec<(u64, ManifestFacts)>,
) -> PackageFacts {
    PackageFacts {
        listing: listing("app", versions),
        images: Images::Read(
            manifests
                .into_iter()
                .map(|(id, m)| (format!("sha256:{id:064x}").parse().unwrap(), m))
                .collect(),
        ),
    }
}

mod multi_arch {
    use super::*;

    fn digest(id: u64) -> Digest {
        format!("sha256:{id:064x}").parse().unwrap()
    }

    fn platform(id: u64, platform: &str) -> ChildFacts {
        ChildFacts {
            digest: digest(id),
            platform: Some(platform.to_string()),
            attestation: false,
        }
    }

    fn attestation(id: u64) -> ChildFacts {
        ChildFacts {
            digest: digest(id),
            platform: Some("unknown/unknown".to_string()),
            attestation: true,
        }
    }

    fn index(children: Vec<ChildFacts>) -> ManifestFacts {
        ManifestFacts {
            children,
            subject: None,
        }
    }

    use super::multi_arch_facts as facts;

    fn plan_of(facts: PackageFacts, policy: &Policy) -> Plan {
        plan(vec![facts], policy, now())
    }

    fn untagged_only() -> Policy {
        Policy::new(Selection {
            untagged: true,
            ..Selection::default()
        })
    }

    /// v2 (index 10: amd64 11, arm64 12, attestation 13) today; v1 (index 20: 21, 22, 23) 60 days
    /// ago; an orphan untagged build 30 from 90 days ago.
    fn two_releases() -> (Vec<PackageVersion>, Vec<(u64, ManifestFacts)>) {
        let versions = vec![
            image(10, 0, &["v2", "latest"]),
            image(11, 0, &[]),
            image(12, 0, &[]),
            image(13, 0, &[]),
            image(20, 60, &["v1"]),
            image(21, 60, &[]),
            image(22, 60, &[]),
            image(23, 60, &[]),
            image(30, 90, &[]),
        ];
        let manifests = vec![
            (
                10,
                index(vec![
                    platform(11, "linux/amd64"),
                    platform(12, "linux/arm64"),
                    attestation(13),
                ]),
            ),
            (
                20,
                index(vec![
                    platform(21, "linux/amd64"),
                    platform(22, "linux/arm64"),
                    attestation(23),
                ]),
            ),
        ];
        (versions, manifests)
    }

    #[test]
    fn pruning_untagged_never_breaks_a_kept_image() {
        let (versions, manifests) = two_releases();
        let plan = plan_of(facts(versions, manifests), &untagged_only());
        assert_eq!(deleted_ids(&plan), [30], "only the orphan goes");
        assert_eq!(
            explanation_of(&plan, 12),
            "keep: platform linux/arm64 of kept index v2 (sha256:000000000000…)"
        );
        assert_eq!(
            explanation_of(&plan, 23),
            "keep: attestation of kept index v1 (sha256:000000000000…)"
        );
    }

    #[test]
    fn an_image_takes_its_platforms_and_attestations_with_it() {
        let (versions, manifests) = two_releases();
        let policy = Policy::new(Selection {
            tags: patterns("v1"),
            ..Selection::default()
        });
        let plan = plan_of(facts(versions, manifests), &policy);
        assert_eq!(deleted_ids(&plan), [20, 21, 22, 23]);
        assert_eq!(
            explanation_of(&plan, 21),
            "delete: platform linux/amd64 of deleted index v1 (sha256:000000000000…)"
        );
    }

    #[test]
    fn a_child_shared_by_two_indexes_stays_while_either_is_kept() {
        let versions = vec![
            image(10, 0, &["latest"]),
            image(20, 60, &["v1"]),
            image(11, 60, &[]),
            image(21, 60, &[]),
        ];
        let manifests = vec![
            (10, index(vec![platform(11, "linux/amd64")])),
            (
                20,
                index(vec![
                    platform(11, "linux/amd64"),
                    platform(21, "linux/arm64"),
                ]),
            ),
        ];
        let policy = Policy::new(Selection {
            tags: patterns("v1"),
            ..Selection::default()
        });
        let plan = plan_of(facts(versions, manifests), &policy);
        assert_eq!(deleted_ids(&plan), [20, 21]);
        assert!(
            explanation_of(&plan, 11)
                .starts_with("keep: platform linux/amd64 of kept index latest")
        );
    }

    #[test]
    fn nested_indexes_follow_the_top() {
        let versions = vec![image(10, 0, &["v2"]), image(11, 5, &[]), image(12, 5, &[])];
        let manifests = vec![
            (
                10,
                index(vec![ChildFacts {
                    digest: digest(11),
                    platform: None,
                    attestation: false,
                }]),
            ),
            (11, index(vec![platform(12, "linux/riscv64")])),
        ];
        let plan = plan_of(facts(versions, manifests), &untagged_only());
        assert_eq!(deleted_ids(&plan), Vec::<u64>::new());
        assert!(
            explanation_of(&plan, 12).contains("platform linux/riscv64 of kept untagged index")
        );
    }

    #[test]
    fn signatures_follow_their_subject_both_ways() {
        let subject_kept = digest(10).encoded().to_string();
        let subject_deleted = digest(20).encoded().to_string();
        let versions = vec![
            image(10, 0, &["v2"]),
            image(20, 60, &["v1"]),
            image(15, 0, &[&format!("sha256-{subject_kept}.sig")]),
            image(25, 60, &[&format!("sha256-{subject_deleted}.sig")]),
            image(26, 60, &[&format!("sha256-{subject_deleted}.att")]),
        ];
        // Every tag is selected: the signatures are not judged on their tags but on their subject.
        let policy = Policy {
            exclude_tags: patterns("v2"),
            ..Policy::new(Selection {
                tags: patterns("*"),
                ..Selection::default()
            })
        };
        let plan = plan_of(facts(versions, vec![]), &policy);
        assert_eq!(deleted_ids(&plan), [20, 25, 26]);
        assert_eq!(
            explanation_of(&plan, 15),
            "keep: signature of kept image v2 (sha256:000000000000…)"
        );
        assert_eq!(
            explanation_of(&plan, 26),
            "delete: attestation of deleted image v1 (sha256:000000000000…)"
        );
    }

    #[test]
    fn referrers_by_subject_follow_it() {
        let versions = vec![image(10, 0, &["v2"]), image(11, 50, &[])];
        let manifests = vec![(
            11,
            ManifestFacts {
                children: vec![],
                subject: Some(digest(10)),
            },
        )];
        let plan = plan_of(facts(versions, manifests), &untagged_only());
        assert_eq!(deleted_ids(&plan), Vec::<u64>::new());
        assert!(explanation_of(&plan, 11).starts_with("keep: referrer of kept image v2"));
    }

    #[test]
    fn a_ghost_whose_index_is_gone_is_an_ordinary_untagged_version() {
        // 21 was a platform of index 20, which is no longer listed.
        let versions = vec![image(10, 0, &["v2"]), image(21, 60, &[])];
        let manifests = vec![
            (10, index(vec![])),
            (20, index(vec![platform(21, "linux/amd64")])),
        ];
        let plan = plan_of(facts(versions, manifests), &untagged_only());
        assert_eq!(deleted_ids(&plan), [21]);
        assert_eq!(explanation_of(&plan, 21), "delete: untagged");
    }

    #[test]
    fn keep_n_untagged_counts_images_not_their_parts() {
        let (mut versions, manifests) = two_releases();
        versions.push(image(31, 91, &[]));
        let policy = Policy {
            keep_newest_untagged: Some(1),
            ..untagged_only()
        };
        let plan = plan_of(facts(versions, manifests), &policy);
        // The platform manifests are not untagged images: the floor keeps orphan 30, not 11.
        assert_eq!(deleted_ids(&plan), [31]);
        assert_eq!(
            explanation_of(&plan, 30),
            "keep: among the 1 newest untagged (keep-n-untagged)"
        );
    }

    #[test]
    fn an_unreadable_registry_keeps_every_untagged_version() {
        let (versions, _) = two_releases();
        let facts = PackageFacts {
            listing: listing("app", versions),
            images: Images::Unreadable("401 Unauthorized".to_string()),
        };
        let policy = Policy::new(Selection {
            untagged: true,
            tags: patterns("v1"),
            ..Selection::default()
        });
        let plan = plan_of(facts, &policy);
        assert_eq!(deleted_ids(&plan), [20], "tagged versions can still go");
        assert!(explanation_of(&plan, 30).contains("registry could not be read"));
        assert!(explanation_of(&plan, 30).contains("401 Unauthorized"));
    }

    #[test]
    fn the_last_image_is_kept_with_its_parts() {
        let versions = vec![
            image(20, 60, &["v1"]),
            image(21, 60, &[]),
            image(22, 60, &[]),
        ];
        let manifests = vec![(
            20,
            index(vec![
                platform(21, "linux/amd64"),
                platform(22, "linux/arm64"),
            ]),
        )];
        let policy = Policy::new(Selection {
            tags: patterns("*"),
            ..Selection::default()
        });
        let plan = plan_of(facts(versions.clone(), manifests.clone()), &policy);
        assert_eq!(deleted_ids(&plan), Vec::<u64>::new());
        assert!(explanation_of(&plan, 20).starts_with("keep: last version of the package"));
        assert!(
            explanation_of(&plan, 22).starts_with("keep: platform linux/arm64 of kept index v1")
        );

        let emptying = Policy {
            delete_package_when_empty: true,
            ..policy
        };
        let plan = plan_of(facts(versions, manifests), &emptying);
        assert!(plan.packages[0].delete_package);
        assert_eq!(deleted_ids(&plan), [20, 21, 22]);
    }
}

/// What the planner cannot judge it keeps: versions whose tags GitHub left out, and parts of
/// images that carry tags of their own.
mod trust {
    use super::multi_arch_facts as facts;
    use super::*;

    /// A container version whose answer had `container: {"tags": null}`.
    fn tags_unknown(id: u64, days: i64) -> PackageVersion {
        image(id, days, &[]).tags_unknown()
    }

    fn index_of(children: &[(u64, &str)]) -> ManifestFacts {
        ManifestFacts {
            children: children
                .iter()
                .map(|(id, platform)| ChildFacts {
                    digest: format!("sha256:{id:064x}").parse().unwrap(),
                    platform: Some(platform.to_string()),
                    attestation: false,
                })
                .collect(),
            subject: None,
        }
    }

    fn selecting(selection: Selection) -> Policy {
        Policy::new(selection)
    }

    #[test]
    fn unknown_tags_are_not_untagged_and_keep_the_package_untagged_versions() {
        let versions = vec![tags_unknown(1, 5), image(2, 6, &[]), image(3, 7, &["v1"])];
        let policy = selecting(Selection {
            untagged: true,
            tags: patterns("v*"),
            ..Selection::default()
        });
        let plan = plan(vec![listing("app", versions).into()], &policy, now());
        assert_eq!(deleted_ids(&plan), [3], "known tags are still judged");
        assert!(
            explanation_of(&plan, 1).starts_with("keep: GitHub did not say which tags it carries")
        );
        assert!(explanation_of(&plan, 2).starts_with(
            "keep: GitHub did not say which tags some versions of this package carry"
        ));
        let warnings = versions_without_tags(&plan);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("1 version(s) of app"), "{warnings:?}");
    }

    #[test]
    fn only_version_ids_delete_a_version_whose_tags_are_unknown() {
        let versions = || vec![tags_unknown(1, 5), image(3, 0, &["latest"])];
        let everything = Policy {
            exclude_tags: patterns("latest"),
            ..selecting(Selection::everything())
        };
        let plan1 = plan(vec![listing("app", versions()).into()], &everything, now());
        assert_eq!(deleted_ids(&plan1), Vec::<u64>::new());
        let by_id = selecting(Selection {
            version_ids: [VersionId(1)].into(),
            ..Selection::default()
        });
        let plan2 = plan(vec![listing("app", versions()).into()], &by_id, now());
        assert_eq!(deleted_ids(&plan2), [1]);
    }

    #[test]
    fn npm_versions_without_metadata_are_judged_by_name() {
        // GitHub sent no `metadata` at all: the tags are unknown, which does not matter for npm.
        let old = release(1, 90, "1.0.0").tags_unknown();
        let versions = vec![old, release(2, 1, "1.1.0")];
        let mut package = listing("web", versions);
        package.package.package_type = PackageType::Npm;
        let policy = Policy {
            keep_newest: Some(1),
            ..selecting(Selection::everything())
        };
        let plan = plan(vec![package.into()], &policy, now());
        assert_eq!(deleted_ids(&plan), [1]);
        assert!(versions_without_tags(&plan).is_empty());
    }

    #[test]
    fn a_part_with_its_own_unselected_tag_stays_when_its_index_goes() {
        // Index 20 `pr-9`: amd64 21 (also tagged `keep-me`), arm64 22.
        let versions = vec![
            image(10, 0, &["main"]),
            image(20, 5, &["pr-9"]),
            image(21, 5, &["keep-me"]),
            image(22, 5, &[]),
        ];
        let manifests = vec![(20, index_of(&[(21, "linux/amd64"), (22, "linux/arm64")]))];
        for selection in [
            Selection {
                tags: patterns("pr-*"),
                ..Selection::default()
            },
            Selection {
                untagged: true,
                tags: patterns("pr-*"),
                ..Selection::default()
            },
        ] {
            let plan = plan(
                vec![facts(versions.clone(), manifests.clone())],
                &selecting(selection),
                now(),
            );
            assert_eq!(deleted_ids(&plan), [20, 22]);
            assert_eq!(
                explanation_of(&plan, 21),
                "keep: its own tag \"keep-me\" is not selected: a part keeps its own tags \
                 whatever happens to its image"
            );
        }
        // Selected by its own tag too, it goes with its index.
        let both = selecting(Selection {
            tags: patterns("pr-*, keep-*"),
            ..Selection::default()
        });
        let plan = plan(vec![facts(versions, manifests)], &both, now());
        assert_eq!(deleted_ids(&plan), [20, 21, 22]);
        assert_eq!(
            explanation_of(&plan, 21),
            "delete: tag \"keep-me\" matches tags \"keep-*\", platform linux/amd64 of deleted \
             index pr-9 (sha256:000000000000…)"
        );
    }

    #[test]
    fn a_part_with_a_stable_tag_of_its_own_survives_pre_release_only() {
        let versions = vec![
            image(10, 0, &["v2.0.0"]),
            image(20, 5, &["v1.1.0-rc.1"]),
            image(21, 5, &["v1.0.0"]),
        ];
        let manifests = vec![(20, index_of(&[(21, "linux/amd64")]))];
        let policy = Policy {
            pre_release_only: true,
            ..selecting(Selection {
                tags: patterns("v*"),
                ..Selection::default()
            })
        };
        let plan = plan(vec![facts(versions, manifests)], &policy, now());
        assert_eq!(deleted_ids(&plan), [20]);
        assert!(explanation_of(&plan, 21).contains("\"v1.0.0\" is a stable release"));
    }

    #[test]
    fn keep_n_tagged_counts_images_not_their_tagged_parts() {
        // v2's platform carries a tag and is the newest version: it takes no place among the N.
        let versions = vec![
            image(11, 0, &["v2-amd64"]),
            image(10, 1, &["v2"]),
            image(20, 30, &["v1"]),
            image(30, 60, &["v0"]),
        ];
        let manifests = vec![(10, index_of(&[(11, "linux/amd64")]))];
        let policy = Policy {
            keep_newest_tagged: Some(2),
            ..selecting(Selection {
                tags: patterns("*"),
                ..Selection::default()
            })
        };
        let plan = plan(vec![facts(versions, manifests)], &policy, now());
        assert_eq!(deleted_ids(&plan), [30]);
        assert_eq!(
            explanation_of(&plan, 20),
            "keep: among the 2 newest tagged (keep-n-tagged)"
        );
    }

    #[test]
    fn an_image_whose_tags_are_unknown_is_named_so() {
        let image = ImageRef {
            kind: ImageKind::Index,
            tag: None,
            tags_unknown: true,
            digest: format!("sha256:{:064x}", 7).parse().unwrap(),
        };
        assert_eq!(
            image.to_string(),
            "index with unknown tags (sha256:000000000000…)"
        );
    }
}

proptest! {
    /// Whatever the history and the policy: a version whose tags GitHub left out goes only when
    /// `version-ids` lists it, and then no untagged version goes; a part of an image goes only
    /// when each tag of its own is selected (or `version-ids` lists it).
    #[test]
    fn what_cannot_be_judged_is_kept(
        // Each image: id 10*k, its tags (None: unknown), days old, and its platforms' own tags.
        images in prop::collection::vec(
            (
                prop::option::weighted(0.8, prop::collection::vec(
                    prop::sample::select(vec!["latest", "v1", "pr-1", "pr-2"]), 0..2)),
                0i64..100,
                prop::collection::vec(prop::collection::vec(
                    prop::sample::select(vec!["pr-1-amd64", "keep-me", "v1-arm64"]), 0..2), 0..3),
            ),
            1..8,
        ),
        untagged in any::<bool>(),
        tag_patterns in prop::option::of(prop::sample::select(vec!["pr-*", "*", "v1*", "keep-*"])),
        listed in prop::collection::btree_set(0u64..80, 0..3),
        keep_n in prop::option::of(0usize..3),
    ) {
        let mut versions = Vec::new();
        let mut manifests = Vec::new();
        for (k, (tags, days, platforms)) in images.iter().enumerate() {
            let id = 10 * k as u64;
            let mut index = image(id, *days, tags.as_deref().unwrap_or_default());
            if tags.is_none() {
                index = index.tags_unknown();
            }
            versions.push(index);
            let mut children = Vec::new();
            for (p, own) in platforms.iter().enumerate() {
                let child = id + 1 + p as u64;
                versions.push(image(child, *days, own));
                children.push(ChildFacts { digest: format!("sha256:{child:064x}").parse().unwrap(), platform: Some(format!("linux/{p}")), attestation: false });
            }
            manifests.push((id, ManifestFacts { children, subject: None }));
        }
        let selection = Selection {
            untagged,
            tags: tag_patterns.and_then(patterns),
            version_ids: listed.iter().map(|id| VersionId(*id)).collect(),
            ..Selection::default()
        };
        let policy = Policy { keep_newest: keep_n, ..Policy::new(selection.clone()) };
        let plan = plan(vec![multi_arch_facts(versions, manifests)], &policy, now());
        let package = &plan.packages[0];
        let any_unknown = package.versions.iter().any(|v| v.version.tags().is_unknown());
        for version in package.deletions() {
            let tags = version.version.tags();
            let by_id = selection.version_ids.contains(&version.version.id);
            prop_assert!(!tags.is_unknown() || by_id, "{}", version.explanation());
            prop_assert!(!(any_unknown && tags.is_untagged()), "{}", version.explanation());
            // Parts have ids that are not multiples of 10; an image goes when any tag matches.
            let part = version.version.id.0 % 10 != 0;
            if part && !by_id {
                for tag in tags {
                    prop_assert!(
                        selection.tags.as_ref().is_some_and(|p| p.first_match(tag).is_some()),
                        "{tag}: {}", version.explanation()
                    );
                }
            }
        }
    }
}
