//! The inputs of `restore`, validated: what to bring back, and an earlier prune to undo.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::github::{PackageType, VersionId};
use crate::journal;
use crate::policy::Age;
use crate::selector::PatternList;

use super::policy::{patterns, version_ids};
use super::{InputError, RawInputs, parse_age, parse_bool};

/// The inputs that say what `restore` brings back.
pub const RESTORE_SELECTION_INPUTS: &str =
    "`tags`, `versions`, `version-ids`, `deleted-within`, `undo` or `restore-package`";

/// What `restore` brings back.
#[derive(Debug, Clone, Default)]
pub struct RestoreSettings {
    /// Deleted versions with a matching tag.
    pub tags: Option<PatternList>,
    /// Deleted versions whose name matches.
    pub versions: Option<PatternList>,
    /// Deleted versions by id.
    pub version_ids: BTreeSet<VersionId>,
    /// Alone: every version deleted within this long. With another selection: only those.
    pub deleted_within: Option<Age>,
    /// Exactly what an earlier prune deleted.
    pub undo: Option<Vec<UndoEntry>>,
    /// Restore the named packages themselves first (`POST …/restore`).
    pub restore_package: bool,
}

impl RestoreSettings {
    /// True when nothing says what to restore.
    pub fn selects_nothing(&self) -> bool {
        self.tags.is_none()
            && self.versions.is_none()
            && self.version_ids.is_empty()
            && self.deleted_within.is_none()
            && self.undo.is_none()
            && !self.restore_package
    }
}

/// One version an earlier prune deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoEntry {
    pub package: String,
    pub package_type: PackageType,
    pub id: VersionId,
    pub name: String,
    /// The prune deleted the whole package (`delete-package-when-empty`).
    pub package_deleted: bool,
}

/// The `deleted` output of a prune: `[{package, package_type, id, name, status, package_deleted, …}]`.
#[derive(Deserialize)]
struct DeletedOutputEntry {
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

/// Reads the restore inputs; the selection inputs are the same as prune's.
pub fn parse(raw: &RawInputs) -> Result<RestoreSettings, InputError> {
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
    if let Some(undo_value) = raw.get("undo").filter(|_| {
        tags.is_some() || versions.is_some() || !version_ids.is_empty() || deleted_within.is_some()
    }) {
        return Err(InputError::Invalid {
            input: "undo",
            value: shorten(undo_value),
            accepted: "alone: undo restores exactly what the prune deleted, so leave `tags`, \
                       `versions`, `version-ids` and `deleted-within` empty"
                .to_string(),
        });
    }
    Ok(RestoreSettings {
        tags,
        versions,
        version_ids,
        deleted_within,
        undo,
        restore_package: parse_bool("restore-package", raw.get("restore-package"))?
            .unwrap_or(false),
    })
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
    let text = if value.starts_with(['[', '{']) {
        value.to_string()
    } else {
        std::fs::read_to_string(Path::new(value))
            .map_err(|err| invalid(format!("could not read `{value}`: {err}")))?
    };
    if let Some(journal) = journal::read(&text) {
        let journal = journal.map_err(|why| invalid(format!("a broken journal: {why}")))?;
        return Ok(journal
            .versions
            .into_iter()
            .map(|(package, version, package_deleted)| UndoEntry {
                package,
                package_type: journal.package_type,
                id: version.id,
                name: version.name,
                package_deleted,
            })
            .collect());
    }
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|err| invalid(format!("not JSON: {err}")))?;
    let entries = if json.is_array() {
        let deleted: Vec<DeletedOutputEntry> = serde_json::from_value(json)
            .map_err(|err| invalid(format!("not a `deleted` output: {err}")))?;
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
            .map(|e| UndoEntry {
                package: e.package,
                package_type: e.package_type,
                id: e.id,
                name: e.name,
                package_deleted: e.package_deleted,
            })
            .collect()
    } else {
        let report: ReportFile = serde_json::from_value(json)
            .map_err(|err| invalid(format!("not a prune report: {err}")))?;
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
        report
            .packages
            .into_iter()
            .flat_map(|package| {
                let ReportPackage {
                    name,
                    package_type,
                    delete_package,
                    versions,
                } = package;
                versions
                    .into_iter()
                    .filter(|v| was_deleted(v.result.as_deref()))
                    .map(move |v| UndoEntry {
                        package: name.clone(),
                        package_type,
                        id: v.id,
                        name: v.name,
                        package_deleted: delete_package,
                    })
            })
            .collect()
    };
    Ok(entries)
}

/// A long JSON value would drown the error line; its start is enough to recognise it.
fn shorten(value: &str) -> String {
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
            r#"[{"package":"app","package_type":"container","id":7,"name":"sha256:1","tags":[],"reason":"delete: untagged","status":"deleted","package_deleted":false},
                {"package":"app","package_type":"container","id":8,"name":"sha256:2","tags":[],"reason":"x","status":"already-gone","package_deleted":false}]"#,
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
            r#"{"command":"prune","generated_at":"x","dry_run":false,"owner":"o","package_type":"npm","refused":null,
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
