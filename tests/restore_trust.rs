//! `undo` replays only the record of the owner (and package type) it is pointed at, and reads a
//! bounded amount of it: the built binary against the fake GitHub, asserting that a refused undo
//! sends nothing and changes nothing.

use std::path::Path;

use fake_github::{FakeGitHub, PackageSeed, PackageType, Seed, VersionSeed};
use serde_json::Value;

mod common;
use common::{Run, TOKEN, days_ago, run_action, run_binary};

fn release(id: u64, days: i64, name: &str) -> VersionSeed {
    VersionSeed::new(name).id(id).created_at(days_ago(days))
}

/// acme's npm `web` (11, 12, 13); beta's npm `web` (21, 22), which beta deleted on purpose a day
/// ago. The token is octocat's, who has no packages of their own.
fn seed() -> Seed {
    Seed::default()
        .with_org("acme")
        .with_org("beta")
        .with_user("octocat")
        .with_token(TOKEN, "octocat")
        .with_package(
            PackageSeed::new("acme", PackageType::Npm, "web")
                .version(release(11, 30, "1.0.0"))
                .version(release(12, 20, "1.1.0"))
                .version(release(13, 10, "2.0.0")),
        )
        .with_package(
            PackageSeed::new("beta", PackageType::Npm, "web")
                .version(release(21, 30, "0.1.0").deleted_at(days_ago(1)))
                .version(release(22, 20, "0.2.0").deleted_at(days_ago(1)))
                .deleted_at(days_ago(1)),
        )
}

fn action(fake: &FakeGitHub, inputs: &[(&str, &str)]) -> Run {
    let run = run_action(fake, inputs);
    run.assert_token_not_leaked(TOKEN);
    run
}

/// acme's `web` pruned whole: every version and then the package.
fn prune_acme_web(fake: &FakeGitHub) -> Run {
    let prune = action(
        fake,
        &[
            ("command", "prune"),
            ("owner", "acme"),
            ("package-type", "npm"),
            ("packages", "web"),
            ("versions", "*"),
            ("delete-package-when-empty", "true"),
        ],
    );
    assert!(prune.success(), "{prune:?}");
    prune
}

fn report_of(run: &Run) -> Value {
    serde_json::from_str(&std::fs::read_to_string(&run.outputs["report"]).unwrap()).unwrap()
}

fn changes(fake: &FakeGitHub) -> Vec<String> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method != "GET" && r.method != "HEAD")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn assert_refused(run: &Run, expected: &str) {
    assert_eq!(run.code, Some(1), "{run:?}");
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{run:?}");
    assert!(errors[0].starts_with(expected), "{errors:?}");
    assert!(run.outputs.is_empty(), "{:?}", run.outputs);
}

#[test]
fn the_deleted_output_and_the_report_name_the_owner_and_package_type() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let prune = prune_acme_web(&fake);
    for entry in prune.json("deleted").as_array().unwrap() {
        assert_eq!(entry["owner"], "acme", "{entry}");
        assert_eq!(entry["package_type"], "npm", "{entry}");
    }
    let report = report_of(&prune);
    assert_eq!(report["owner"], "acme");
    assert_eq!(report["package_type"], "npm");
}

#[test]
fn undo_of_another_owners_prune_is_refused_before_any_request() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let prune = prune_acme_web(&fake);
    let after_prune = fake.state();
    fake.clear_requests();
    let deleted = prune.outputs["deleted"].clone();
    let report = prune.outputs["report"].clone();
    // The case: acme's record replayed on beta restored beta's deleted package.
    for undo in [deleted.as_str(), report.as_str()] {
        let run = action(
            &fake,
            &[
                ("command", "restore"),
                ("owner", "beta"),
                ("package-type", "npm"),
                ("undo", undo),
            ],
        );
        assert_refused(
            &run,
            "input `undo` records a prune of the packages of `acme`, and input `owner` is \
             `beta`: nothing was sent. Set `owner: acme` to undo that prune",
        );
    }
    assert_eq!(fake.requests(), Vec::new(), "no request may be sent");
    assert_eq!(fake.state(), after_prune);
    assert!(
        fake.state()
            .package("beta", PackageType::Npm, "web")
            .unwrap()
            .is_deleted()
    );

    // Logins are case-insensitive: `ACME` is acme, and its undo goes through.
    let undo = action(
        &fake,
        &[
            ("command", "restore"),
            ("owner", "ACME"),
            ("package-type", "npm"),
            ("undo", &report),
        ],
    );
    assert!(undo.success(), "{undo:?}");
    assert_eq!(undo.ids("restored"), [11, 12, 13]);
}

#[test]
fn undo_on_the_tokens_own_account_checks_its_login_before_changing_anything() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let prune = prune_acme_web(&fake);
    let after_prune = fake.state();
    fake.clear_requests();
    // On the command line without `owner`, the packages are the token's own account's.
    let env = vec![("GITHUB_TOKEN".to_string(), TOKEN.to_string())];
    let run = run_binary(
        &[
            "restore",
            "--api-url",
            &fake.base_url(),
            "--package-type",
            "npm",
            "--undo",
            &prune.outputs["deleted"],
        ],
        &env,
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains(
            "error: input `undo` records a prune of the packages of `acme`, and input `owner` \
             is empty, so the token's own account `octocat`: nothing was sent"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(changes(&fake), Vec::<String>::new());
    assert_eq!(fake.state(), after_prune);
}

#[test]
fn undo_of_another_package_type_is_refused_before_any_request() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let prune = prune_acme_web(&fake);
    let after_prune = fake.state();
    fake.clear_requests();
    // `package-type` left at action.yml's default, `container`.
    let run = action(
        &fake,
        &[
            ("command", "restore"),
            ("owner", "acme"),
            ("undo", &prune.outputs["deleted"]),
        ],
    );
    assert_refused(
        &run,
        "input `undo` records a prune of packages of type `npm`, and input `package-type` is \
         `container`: nothing was sent. Set `package-type: npm` to undo that prune",
    );
    assert_eq!(fake.requests(), Vec::new());
    assert_eq!(fake.state(), after_prune);
}

/// `packages` with `undo` would be ignored: undo restores the prune's own packages.
#[test]
fn packages_with_undo_is_refused_rather_than_ignored() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let prune = prune_acme_web(&fake);
    let after_prune = fake.state();
    fake.clear_requests();
    let run = action(
        &fake,
        &[
            ("command", "restore"),
            ("owner", "acme"),
            ("package-type", "npm"),
            ("packages", "other"),
            ("undo", &prune.outputs["deleted"]),
        ],
    );
    assert!(!run.success(), "{run:?}");
    let errors = run.errors().join("\n");
    assert!(
        errors.contains("input `undo`") && errors.contains("leave `packages`"),
        "{errors}"
    );
    assert_eq!(fake.requests(), Vec::new());
    assert_eq!(fake.state(), after_prune);
}

/// Records written before the owner was recorded: a `deleted` output cannot say whose it is and
/// is refused; an older report said `organisation acme`, which is read.
#[test]
fn an_undo_that_does_not_say_whose_it_is_is_refused_and_older_reports_are_read() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let prune = prune_acme_web(&fake);
    let after_prune = fake.state();
    fake.clear_requests();

    let mut unowned = prune.json("deleted");
    for entry in unowned.as_array_mut().unwrap() {
        entry.as_object_mut().unwrap().remove("owner");
    }
    let run = action(
        &fake,
        &[
            ("command", "restore"),
            ("owner", "acme"),
            ("package-type", "npm"),
            ("undo", &unowned.to_string()),
        ],
    );
    assert_refused(&run, "input `undo`: ");
    assert!(
        run.errors()[0].contains("it does not say whose packages it lists"),
        "{:?}",
        run.errors()
    );
    assert_eq!(fake.requests(), Vec::new());
    assert_eq!(fake.state(), after_prune);

    let mut older = report_of(&prune);
    older["owner"] = Value::from("organisation beta");
    let older_path = prune.temp.path().join("older-report.json");
    std::fs::write(&older_path, older.to_string()).unwrap();
    let refused = action(
        &fake,
        &[
            ("command", "restore"),
            ("owner", "acme"),
            ("package-type", "npm"),
            ("undo", older_path.to_str().unwrap()),
        ],
    );
    assert_refused(
        &refused,
        "input `undo` records a prune of the packages of `beta`, and input `owner` is `acme`",
    );
    older["owner"] = Value::from("organisation acme");
    std::fs::write(&older_path, older.to_string()).unwrap();
    let undo = action(
        &fake,
        &[
            ("command", "restore"),
            ("owner", "acme"),
            ("package-type", "npm"),
            ("undo", older_path.to_str().unwrap()),
        ],
    );
    assert!(undo.success(), "{undo:?}");
    assert_eq!(undo.ids("restored"), [11, 12, 13]);
}

#[test]
fn an_undo_file_larger_than_64_mib_is_refused_without_reading_it_all() {
    let fake = FakeGitHub::spawn(seed()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.json");
    // Sparse: 65 MiB on paper, nothing on disk.
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    let mut paths = vec![huge.to_str().unwrap().to_string()];
    // The case: a file that never ends.
    if Path::new("/dev/zero").exists() {
        paths.push("/dev/zero".to_string());
    }
    for path in paths {
        let run = action(
            &fake,
            &[
                ("command", "restore"),
                ("owner", "acme"),
                ("package-type", "npm"),
                ("undo", &path),
            ],
        );
        assert_refused(&run, &format!("input `undo`: `{path}` is not accepted"));
        assert!(
            run.errors()[0].contains(&format!("`{path}` is larger than 64 MiB")),
            "{:?}",
            run.errors()
        );
    }
    assert_eq!(fake.requests(), Vec::new());
}
