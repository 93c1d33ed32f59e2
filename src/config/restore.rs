//! The inputs of `restore`, validated: what to bring back, and an earlier prune to undo.

use crate::plan::{RestoreRequest, Selection};

use super::prune::{patterns, version_ids};
use super::{InputError, RawInputs, parse_age, parse_bool};

/// The inputs that say what `restore` brings back.
pub const RESTORE_SELECTION_INPUTS: &str =
    "`tags`, `versions`, `version-ids`, `deleted-within`, `undo` or `restore-package`";

/// What `restore` brings back: the planner's request, read from the inputs, and the record of
/// an earlier prune to undo.
#[derive(Debug, Clone, Default)]
pub struct RestoreSettings {
    /// The planner's request. Its `undo` is left empty here: the restore command fills it from
    /// the record [`RestoreSettings::undo`] names.
    pub request: RestoreRequest,
    /// The `undo` input as given: a prune's `deleted` output (JSON), or the path of its report
    /// or journal. The restore command reads it, and checks its owner and package type, before
    /// any request.
    pub undo: Option<String>,
}

impl RestoreSettings {
    /// True when nothing says what to restore.
    pub fn selects_nothing(&self) -> bool {
        self.request.is_empty() && self.undo.is_none()
    }
}

/// Reads the restore inputs; the selection inputs are the same as prune's. `undo` is kept as
/// given: reading a file is I/O, which the restore command does.
pub fn parse(raw: &RawInputs) -> Result<RestoreSettings, InputError> {
    let deleted_within = raw
        .get("deleted-within")
        .map(|text| parse_age("deleted-within", text))
        .transpose()?;
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
    Ok(RestoreSettings {
        request: RestoreRequest {
            selection: Selection {
                tags,
                versions,
                version_ids,
                ..Selection::default()
            },
            deleted_within,
            undo: None,
            restore_package: parse_bool("restore-package", raw.get("restore-package"))?
                .unwrap_or(false),
        },
        undo: raw.get("undo").map(str::to_string),
    })
}

/// A long JSON value would drown the error line; its start is enough to recognise it.
pub fn shorten(value: &str) -> String {
    let mut short: String = value.chars().take(80).collect();
    if short.len() < value.len() {
        short.push('…');
    }
    short.replace('\n', " ")
}
