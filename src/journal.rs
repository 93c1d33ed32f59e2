//! The journal: one JSON line per change, written and flushed as it happens, so that a run that
//! is cancelled or killed halfway still leaves a record of every request that may have deleted
//! something, and `undo` can restore exactly that.
//!
//! A version is written as `sending` before its DELETE leaves and as its outcome after the
//! answer; a version with `sending` and no outcome may or may not be gone.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::model::Timestamp;
use serde::{Deserialize, Serialize};

use crate::model::{PackageType, VersionId};

/// What the first line says, so that a journal is recognised and never mistaken for another's.
const TOOL: &str = "package-warden";

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Entry {
    /// The first line.
    Start {
        journal: String,
        command: String,
        owner: String,
        package_type: PackageType,
        started_at: Timestamp,
    },
    /// A DELETE of one version is about to leave.
    Sending {
        package: String,
        id: VersionId,
        name: String,
    },
    /// A DELETE of a whole package is about to leave: these versions go with it.
    SendingPackage {
        package: String,
        versions: Vec<SentVersion>,
    },
    /// The answer to a deletion (of a whole package: one line per version).
    Outcome {
        package: String,
        id: VersionId,
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// The last line of a run that ended by itself or by a signal.
    End {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cancelled_by: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentVersion {
    pub id: VersionId,
    pub name: String,
}

/// Appends entries to a journal file. Writing never stops a run: the first failure is kept and
/// reported, and the report file still records every outcome.
pub struct Journal {
    path: Option<PathBuf>,
    file: Mutex<Option<File>>,
    error: Mutex<Option<String>>,
}

impl Journal {
    /// A journal that records nothing (dry runs).
    pub fn none() -> Journal {
        Journal {
            path: None,
            file: Mutex::new(None),
            error: Mutex::new(None),
        }
    }

    /// Creates the journal at `path` (which must not exist) and writes its first line.
    pub fn create(
        path: &Path,
        command: &str,
        owner: &str,
        package_type: PackageType,
        started_at: Timestamp,
    ) -> std::io::Result<Journal> {
        let file = OpenOptions::new().write(true).create_new(true).open(path)?;
        let journal = Journal {
            path: Some(path.to_path_buf()),
            file: Mutex::new(Some(file)),
            error: Mutex::new(None),
        };
        journal.record(&Entry::Start {
            journal: TOOL.to_string(),
            command: command.to_string(),
            owner: owner.to_string(),
            package_type,
            started_at,
        });
        match journal.error() {
            Some(error) => Err(std::io::Error::other(error)),
            None => Ok(journal),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Writes one line with a single write, so that a kill leaves whole lines (and at worst a
    /// truncated last one, which the reader skips).
    pub fn record(&self, entry: &Entry) {
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let Some(open) = file.as_mut() else {
            return;
        };
        let mut line = serde_json::to_vec(entry).expect("journal entries serialise");
        line.push(b'\n');
        if let Err(err) = open.write_all(&line).and_then(|()| open.flush()) {
            *self.error.lock().unwrap_or_else(|e| e.into_inner()) = Some(format!(
                "could not write the journal {}: {err}",
                self.path.as_deref().unwrap_or(Path::new("")).display()
            ));
            *file = None;
        }
    }

    /// Why the journal stopped being written, if it did.
    pub fn error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// What `undo` takes from a journal: every version a DELETE was sent for. A failed, unanswered
/// or "already gone" request is included: it may have been applied (a connection dropped after
/// GitHub deleted, then a retry found it gone), and restoring an active version changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalUndo {
    pub owner: String,
    pub package_type: PackageType,
    /// `(package, version, deleted with its whole package)`.
    pub versions: Vec<(String, SentVersion, bool)>,
}

/// Reads a journal; `None` when `text` is not one (its first line is not a journal's start).
pub fn read(text: &str) -> Option<Result<JournalUndo, String>> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, first) = lines.next()?;
    let Ok(Entry::Start {
        journal,
        command,
        owner,
        package_type,
        ..
    }) = serde_json::from_str::<Entry>(first)
    else {
        return None;
    };
    if journal != TOOL {
        return None;
    }
    if command != "prune" {
        return Some(Err(format!("this is the journal of a `{command}`")));
    }
    let lines: Vec<(usize, &str)> = lines.collect();
    let mut sent: Vec<(String, SentVersion, bool)> = Vec::new();
    for (position, (number, line)) in lines.iter().enumerate() {
        let entry = match serde_json::from_str::<Entry>(line) {
            Ok(entry) => entry,
            // A run killed mid-write leaves its last line cut short.
            Err(_) if position + 1 == lines.len() => break,
            Err(err) => return Some(Err(format!("line {}: {err}", number + 1))),
        };
        match entry {
            Entry::Sending { package, id, name } => {
                sent.push((package, SentVersion { id, name }, false));
            }
            Entry::SendingPackage { package, versions } => {
                sent.extend(versions.into_iter().map(|v| (package.clone(), v, true)));
            }
            Entry::Start { .. } => {
                return Some(Err(format!("line {}: a second start", number + 1)));
            }
            Entry::Outcome { .. } | Entry::End { .. } => {}
        }
    }
    Some(Ok(JournalUndo {
        owner,
        package_type,
        versions: sent,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(entry: &Entry) -> String {
        serde_json::to_string(entry).unwrap()
    }

    fn start() -> Entry {
        Entry::Start {
            journal: TOOL.to_string(),
            command: "prune".to_string(),
            owner: "acme".to_string(),
            package_type: PackageType::Container,
            started_at: Timestamp::UNIX_EPOCH,
        }
    }

    fn sending(id: u64) -> Entry {
        Entry::Sending {
            package: "app".to_string(),
            id: VersionId(id),
            name: format!("sha256:{id}"),
        }
    }

    fn outcome(id: u64, status: &str) -> Entry {
        Entry::Outcome {
            package: "app".to_string(),
            id: VersionId(id),
            status: status.to_string(),
            error: None,
        }
    }

    #[test]
    fn undo_takes_everything_sent() {
        let text = [
            line(&start()),
            line(&sending(1)),
            line(&outcome(1, "deleted")),
            line(&sending(2)),
            line(&outcome(2, "already-gone")),
            line(&sending(3)),
            line(&outcome(3, "failed")),
            line(&sending(4)),
            "{\"event\":\"outco".to_string(),
        ]
        .join("\n");
        let undo = read(&text).unwrap().unwrap();
        assert_eq!(undo.owner, "acme");
        let ids: Vec<u64> = undo.versions.iter().map(|(_, v, _)| v.id.0).collect();
        assert_eq!(ids, [1, 2, 3, 4], "4 was in flight when the run was killed");
    }

    #[test]
    fn other_text_is_not_a_journal_and_a_broken_middle_line_is_an_error() {
        assert!(read("[]").is_none());
        assert!(read("{\"report_version\": 1}").is_none());
        let broken = [line(&start()), "nonsense".to_string(), line(&sending(1))].join("\n");
        assert!(read(&broken).unwrap().unwrap_err().starts_with("line 2"));
    }

    #[test]
    fn the_journal_is_written_line_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let journal = Journal::create(
            &path,
            "prune",
            "acme",
            PackageType::Npm,
            Timestamp::UNIX_EPOCH,
        )
        .unwrap();
        journal.record(&sending(7));
        // Read while the journal is still open: every line is on disk already.
        let undo = read(&std::fs::read_to_string(&path).unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(undo.package_type, PackageType::Npm);
        assert_eq!(undo.versions.len(), 1);
        assert!(
            Journal::create(
                &path,
                "prune",
                "acme",
                PackageType::Npm,
                Timestamp::UNIX_EPOCH
            )
            .is_err()
        );
    }
}
