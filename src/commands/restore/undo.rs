//! `undo`: what an earlier prune deleted, read from its record (its `deleted` output, its report
//! file or its journal) and checked against `owner` and `package-type` before any request: the
//! record of one owner's prune must never be replayed on another owner's packages.

use std::io::Read;
use std::path::Path;

use crate::config::{Config, InputError, OwnerInput, shorten};
use crate::journal;
use crate::model::PackageType;
use crate::plan::RestoreRequest;
use crate::plan::restore::UndoEntry;
use crate::report::file::was_deleted;
use crate::report::{DeletedEntry, ReportFile};

/// How much of an `undo` file is read. A prune's report takes about 550 bytes a version, kept
/// ones included, so this holds a prune of some 100,000 versions; a path such as `/dev/zero`
/// stops here instead of filling the runner's memory.
pub const UNDO_FILE_LIMIT: u64 = 64 * 1024 * 1024;

/// The planner's request: the restore inputs, with what the prune being undone deleted, read
/// from the record `undo` names.
pub fn request(config: &Config) -> Result<RestoreRequest, InputError> {
    let undo = (config.restore.undo.as_deref())
        .map(|value| read_checked(value, &config.owner, config.package_type))
        .transpose()?;
    Ok(RestoreRequest {
        undo,
        ..config.restore.request.clone()
    })
}

/// Reads the record `undo` names and refuses one of another package type, or of another owner
/// when `owner` names the owner. For the token's own account, whose login is known only once
/// GitHub was asked, [`check_owner`] follows.
fn read_checked(
    value: &str,
    owner: &OwnerInput,
    package_type: PackageType,
) -> Result<Vec<UndoEntry>, InputError> {
    let entries = read(value)?;
    check_package_type(&entries, package_type)?;
    if let OwnerInput::Named { login, .. } = owner {
        check_owner(&entries, login, false)?;
    }
    Ok(entries)
}

/// Refuses a record that names packages of another type than `package_type`.
fn check_package_type(entries: &[UndoEntry], package_type: PackageType) -> Result<(), InputError> {
    match entries.iter().find(|e| e.package_type != package_type) {
        None => Ok(()),
        Some(entry) => Err(InputError::UndoMismatch {
            recorded: format!("packages of type `{}`", entry.package_type),
            input: "package-type",
            given: format!("`{package_type}`"),
            fix: format!("package-type: {}", entry.package_type),
        }),
    }
}

/// Refuses a record of a prune of another owner than `login` (GitHub logins are
/// case-insensitive). `token_account`: `owner` was empty and `login` is the token's.
pub fn check_owner(
    entries: &[UndoEntry],
    login: &str,
    token_account: bool,
) -> Result<(), InputError> {
    let Some(entry) = entries
        .iter()
        .find(|entry| !entry.owner.eq_ignore_ascii_case(login))
    else {
        return Ok(());
    };
    Err(InputError::UndoMismatch {
        recorded: format!("the packages of `{}`", entry.owner),
        input: "owner",
        given: if token_account {
            format!("empty, so the token's own account `{login}`")
        } else {
            format!("`{login}`")
        },
        fix: format!("owner: {}", entry.owner),
    })
}

/// Reads `undo`: the `deleted` output of a prune (JSON), or the path of its `report` or
/// `journal` file.
fn read(value: &str) -> Result<Vec<UndoEntry>, InputError> {
    let invalid = |why: String| InputError::Invalid {
        input: "undo",
        value: shorten(value),
        accepted: format!(
            "the `deleted` output of an earlier prune (a JSON array), or the path of its `report` \
             or `journal` file; {why}"
        ),
    };
    let inline = value.starts_with(['[', '{']);
    let bytes = if inline {
        value.as_bytes().to_vec()
    } else {
        read_capped(value).map_err(invalid)?
    };
    if let Some(journal) = std::str::from_utf8(&bytes).ok().and_then(journal::read) {
        let journal = journal.map_err(|why| invalid(format!("a broken journal: {why}")))?;
        return Ok(journal
            .versions
            .into_iter()
            .map(|(package, version, package_deleted)| UndoEntry {
                owner: journal.owner.clone(),
                package,
                package_type: journal.package_type,
                id: version.id,
                name: version.name,
                package_deleted,
            })
            .collect());
    }
    // Straight into the types, without a `serde_json::Value` of the whole file first: a large
    // report then costs its deleted versions, not several times its size.
    let not_json = |err: serde_json::Error, what: &str| match err.classify() {
        serde_json::error::Category::Data => invalid(format!("not {what}: {err}")),
        _ => invalid(format!("not JSON: {err}")),
    };
    let unowned = || {
        invalid(
            "it does not say whose packages it lists (package-warden records the owner since \
             this release); check that they are `owner`'s, then restore them by `packages` and \
             `version-ids`"
                .to_string(),
        )
    };
    let is_array = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    if is_array {
        let deleted: Vec<DeletedEntry> =
            serde_json::from_slice(&bytes).map_err(|err| not_json(err, "a `deleted` output"))?;
        if deleted
            .iter()
            .any(|e| e.status.as_deref() == Some("would-delete"))
        {
            return Err(invalid(
                "this is the output of a dry run, which deleted nothing".to_string(),
            ));
        }
        return deleted
            .into_iter()
            .filter(|e| e.status.is_none() || was_deleted(e.status.as_deref()))
            .map(|e| {
                Ok(UndoEntry {
                    owner: e.owner.ok_or_else(unowned)?,
                    package: e.package,
                    package_type: e.package_type,
                    id: e.id,
                    name: e.name,
                    package_deleted: e.package_deleted,
                })
            })
            .collect();
    }
    let report: ReportFile =
        serde_json::from_slice(&bytes).map_err(|err| not_json(err, "a prune report"))?;
    if report.command != "prune" {
        return Err(invalid(format!(
            "this is the report of a `{}`",
            report.command
        )));
    }
    if report.dry_run {
        return Err(invalid(
            "this is the report of a dry run, which deleted nothing".to_string(),
        ));
    }
    let owner = report.owner_login();
    report
        .deleted()
        .map(|(package, version)| {
            Ok(UndoEntry {
                owner: owner.clone().ok_or_else(unowned)?,
                package: package.name.to_string(),
                package_type: package.package_type,
                id: version.id,
                name: version.name.to_string(),
                package_deleted: package.delete_package,
            })
        })
        .collect()
}

/// Reads at most [`UNDO_FILE_LIMIT`] bytes of the file at `path`.
fn read_capped(path: &str) -> Result<Vec<u8>, String> {
    let could_not = |err: std::io::Error| format!("could not read `{path}`: {err}");
    let file = std::fs::File::open(Path::new(path)).map_err(could_not)?;
    let mut bytes = Vec::new();
    file.take(UNDO_FILE_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(could_not)?;
    if bytes.len() as u64 > UNDO_FILE_LIMIT {
        return Err(format!(
            "`{path}` is larger than {} MiB, the most `undo` reads (a report of about 100,000 \
             versions); give the prune's `deleted` output instead, which lists only what it \
             deleted",
            UNDO_FILE_LIMIT >> 20
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_reads_a_deleted_output() {
        let entries = read(
            r#"[{"owner":"acme","package":"app","package_type":"container","id":7,"name":"sha256:1","tags":[],"reason":"delete: untagged","status":"deleted","package_deleted":false},
                {"owner":"acme","package":"app","package_type":"container","id":8,"name":"sha256:2","tags":[],"reason":"x","status":"already-gone","package_deleted":false}]"#,
        )
        .unwrap();
        assert_eq!(entries.iter().map(|e| e.id.0).collect::<Vec<_>>(), [7, 8]);
    }

    #[test]
    fn undo_reads_a_report_file_and_takes_only_what_was_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(
            &path,
            r#"{"command":"prune","generated_at":"x","dry_run":false,"owner":"acme","package_type":"npm","refused":null,
                "packages":[{"name":"web","package_type":"npm","delete_package":false,"versions":[
                  {"id":1,"name":"1.0.0","tags":[],"action":"delete","reasons":[],"result":"deleted"},
                  {"id":2,"name":"1.1.0","tags":[],"action":"delete","reasons":[],"result":"failed","error":"x"},
                  {"id":3,"name":"2.0.0","tags":[],"action":"keep","reasons":[]}]}]}"#,
        )
        .unwrap();
        let entries = read(path.to_str().unwrap()).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name, "1.0.0");
    }

    #[test]
    fn undo_refuses_broken_json_dry_runs_and_missing_files() {
        for (value, why) in [
            ("[{\"package\": ", "not JSON"),
            ("[{\"id\": 1}]", "not a `deleted` output"),
            (
                r#"[{"package":"a","package_type":"npm","id":1,"name":"1","status":"would-delete"}]"#,
                "dry run",
            ),
            ("/nonexistent/report.json", "could not read"),
        ] {
            let err = read(value).unwrap_err().to_string();
            assert!(err.starts_with("input `undo`: "), "{err}");
            assert!(err.contains(why), "{value}: {err}");
        }
    }

    #[test]
    fn another_owner_or_package_type_is_refused() {
        let entry = UndoEntry {
            owner: "acme".to_string(),
            package: "web".to_string(),
            package_type: PackageType::Npm,
            id: crate::model::VersionId(1),
            name: "1.0.0".to_string(),
            package_deleted: false,
        };
        let entries = [entry];
        assert!(check_owner(&entries, "ACME", false).is_ok());
        assert!(
            check_owner(&entries, "beta", false)
                .unwrap_err()
                .to_string()
                .starts_with("input `undo` records a prune of the packages of `acme`")
        );
        assert!(check_package_type(&entries, PackageType::Npm).is_ok());
        assert!(
            check_package_type(&entries, PackageType::Container)
                .unwrap_err()
                .to_string()
                .contains("Set `package-type: npm`")
        );
    }
}
