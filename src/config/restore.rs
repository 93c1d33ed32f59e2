//! The inputs of `restore`, validated: what to bring back, and an earlier prune to undo.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use crate::journal;
use crate::model::{PackageType, VersionId};
use crate::plan::{RestoreRequest, Selection, UndoEntry};

use super::prune::{patterns, version_ids};
use super::{InputError, OwnerInput, RawInputs, parse_age, parse_bool};

/// The inputs that say what `restore` brings back.
pub const RESTORE_SELECTION_INPUTS: &str =
    "`tags`, `versions`, `version-ids`, `deleted-within`, `undo` or `restore-package`";

/// What `restore` brings back: the planner's request, read from the inputs.
#[derive(Debug, Clone, Default)]
pub struct RestoreSettings {
    pub request: RestoreRequest,
}

impl RestoreSettings {
    /// True when nothing says what to restore.
    pub fn selects_nothing(&self) -> bool {
        self.request.is_empty()
    }
}

/// How much of an `undo` file is read. A prune's report takes about 550 bytes a version, kept
/// ones included, so this holds a prune of some 100,000 versions; a path such as `/dev/zero`
/// stops here instead of filling the runner's memory.
pub const UNDO_FILE_LIMIT: u64 = 64 * 1024 * 1024;

/// The `deleted` output of a prune:
/// `[{owner, package, package_type, id, name, status, package_deleted, …}]`.
#[derive(Deserialize)]
struct DeletedOutputEntry {
    /// Absent from the outputs of package-warden before it recorded the owner.
    #[serde(default)]
    owner: Option<String>,
    package: String,
    package_type: PackageType,
    id: VersionId,
    name: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    package_deleted: bool,
}

/// A prune's `report` file.
#[derive(Deserialize)]
struct ReportFile {
    command: String,
    dry_run: bool,
    /// The owner's login; older reports wrote `organisation acme`, `user octocat` or `the
    /// token's own account`.
    #[serde(default)]
    owner: Option<String>,
    packages: Vec<ReportPackage>,
}

#[derive(Deserialize)]
struct ReportPackage {
    name: String,
    package_type: PackageType,
    #[serde(default)]
    delete_package: bool,
    versions: Vec<ReportVersion>,
}

#[derive(Deserialize)]
struct ReportVersion {
    id: VersionId,
    name: String,
    #[serde(default)]
    result: Option<String>,
}

/// Results that mean "the prune deleted it".
fn was_deleted(status: Option<&str>) -> bool {
    matches!(status, Some("deleted" | "already-gone"))
}

/// The login a report's `owner` names, in today's form (`acme`) or the older one
/// (`organisation acme`, `user octocat`); `None` for the token's own account, which older
/// reports did not name.
fn report_owner(owner: &str) -> Option<String> {
    let login = owner
        .strip_prefix("organisation ")
        .or_else(|| owner.strip_prefix("user "))
        .unwrap_or(owner);
    (!login.is_empty() && !login.contains(char::is_whitespace)).then(|| login.to_string())
}

/// Reads the restore inputs; the selection inputs are the same as prune's. An `undo` of another
/// owner's prune, or of another package type, is refused here, before any request, when
/// `owner` names the owner; for the token's own account, [`RestoreSettings::check_undo_owner`]
/// is called once its login is known.
pub fn parse(
    raw: &RawInputs,
    owner: &OwnerInput,
    package_type: PackageType,
) -> Result<RestoreSettings, InputError> {
    let deleted_within = raw
        .get("deleted-within")
        .map(|text| parse_age("deleted-within", text))
        .transpose()?;
    let undo = raw.get("undo").map(parse_undo).transpose()?;
    let (tags, versions, version_ids) = (
        patterns(raw, "tags")?,
        patterns(raw, "versions")?,
        version_ids(raw)?,
    );
    // `packages` too: undo restores the prune's own packages, and a narrower `packages` would
    // otherwise be ignored without a word.
    if let Some(undo_value) = raw.get("undo").filter(|_| {
        tags.is_some()
            || versions.is_some()
            || !version_ids.is_empty()
            || deleted_within.is_some()
            || raw.get("packages").is_some()
    }) {
        return Err(InputError::Invalid {
            input: "undo",
            value: shorten(undo_value),
            accepted: "alone: undo restores exactly what the prune deleted, in the packages it \
                       deleted from, so leave `packages`, `tags`, `versions`, `version-ids` and \
                       `deleted-within` empty"
                .to_string(),
        });
    }
    let settings = RestoreSettings {
        request: RestoreRequest {
            selection: Selection {
                tags,
                versions,
                version_ids,
                ..Selection::default()
            },
            deleted_within,
            undo,
            restore_package: parse_bool("restore-package", raw.get("restore-package"))?
                .unwrap_or(false),
        },
    };
    if let Some(entry) = settings
        .request
        .undo
        .iter()
        .flatten()
        .find(|entry| entry.package_type != package_type)
    {
        return Err(InputError::UndoMismatch {
            recorded: format!("packages of type `{}`", entry.package_type),
            input: "package-type",
            given: format!("`{package_type}`"),
            fix: format!("package-type: {}", entry.package_type),
        });
    }
    if let OwnerInput::Named { login, .. } = owner {
        settings.check_undo_owner(login, false)?;
    }
    Ok(settings)
}

impl RestoreSettings {
    /// Refuses an `undo` that records a prune of another owner than `login` (GitHub logins
    /// are case-insensitive). `token_account`: `owner` was empty and `login` is the token's.
    pub fn check_undo_owner(&self, login: &str, token_account: bool) -> Result<(), InputError> {
        let Some(entry) = self
            .request
            .undo
            .iter()
            .flatten()
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
}

/// Reads `undo`: the `deleted` output of a prune (JSON), or the path of its `report` file.
/// The file is read here, while inputs are validated, so that a wrong path or a broken file
/// stops the run before any request.
fn parse_undo(value: &str) -> Result<Vec<UndoEntry>, InputError> {
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
    let is_array = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let unowned = || {
        invalid(
            "it does not say whose packages it lists (package-warden records the owner since \
             this release); check that they are `owner`'s, then restore them by `packages` and \
             `version-ids`"
                .to_string(),
        )
    };
    let entries = if is_array {
        let deleted: Vec<DeletedOutputEntry> =
            serde_json::from_slice(&bytes).map_err(|err| not_json(err, "a `deleted` output"))?;
        if deleted
            .iter()
            .any(|e| e.status.as_deref() == Some("would-delete"))
        {
            return Err(invalid(
                "this is the output of a dry run, which deleted nothing".to_string(),
            ));
        }
        deleted
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
            .collect::<Result<Vec<_>, InputError>>()?
    } else {
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
        let owner = report.owner.as_deref().and_then(report_owner);
        let mut entries = Vec::new();
        for package in report.packages {
            for version in package.versions {
                if !was_deleted(version.result.as_deref()) {
                    continue;
                }
                entries.push(UndoEntry {
                    owner: owner.clone().ok_or_else(unowned)?,
                    package: package.name.clone(),
                    package_type: package.package_type,
                    id: version.id,
                    name: version.name,
                    package_deleted: package.delete_package,
                });
            }
        }
        entries
    };
    Ok(entries)
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

/// A long JSON value would drown the error line; its start is enough to recognise it.
pub(super) fn shorten(value: &str) -> String {
    let mut short: String = value.chars().take(80).collect();
    if short.len() < value.len() {
        short.push('…');
    }
    short.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_reads_a_deleted_output() {
        let entries = parse_undo(
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
        let entries = parse_undo(path.to_str().unwrap()).unwrap();
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
            let err = parse_undo(value).unwrap_err().to_string();
            assert!(err.starts_with("input `undo`: "), "{err}");
            assert!(err.contains(why), "{value}: {err}");
        }
    }
}
