//! The retention policy's inputs, validated into a [`Policy`].

use std::collections::BTreeSet;

use crate::model::{PackageType, VersionId};
use crate::plan::{Age, Policy, Selection, TimestampField};
use crate::selector::{PatternList, split_list};

use super::{InputError, RawInputs, parse_bool};

/// The inputs that select versions: one of them is needed to prune or restore.
pub const SELECTION_INPUTS: &str =
    "`tags`, `untagged`, `versions`, `version-ids` (or a keep-n input)";

/// Inputs that read tags, which only container and docker packages have.
const TAG_INPUTS: [&str; 5] = [
    "tags",
    "untagged",
    "exclude-tags",
    "keep-n-tagged",
    "keep-n-untagged",
];

/// The prune settings: the policy and the guards around it.
#[derive(Debug, Clone, Default)]
pub struct PruneSettings {
    pub policy: Policy,
    /// Fail before deleting anything when the plan deletes more versions than this.
    pub max_deletions: Option<usize>,
    /// Selections the policy implies (`keep-n-tagged` without `tags` means `tags: *`), to show.
    pub implied: Vec<String>,
}

/// Reads the policy inputs. Every value is checked whatever the command; whether a selection is
/// required is the caller's business.
pub fn parse(raw: &RawInputs, package_type: PackageType) -> Result<PruneSettings, InputError> {
    let has_tags = matches!(package_type, PackageType::Container | PackageType::Docker);
    let tag_input_set = TAG_INPUTS.iter().find(|name| {
        raw.get(name)
            .is_some_and(|value| !matches!(value, "false" | "False" | "FALSE"))
    });
    if let (false, Some(input)) = (has_tags, tag_input_set) {
        return Err(InputError::Invalid {
            input,
            value: raw.get(input).unwrap_or_default().to_string(),
            accepted: format!(
                "nothing for {package_type} packages: their versions have no tags; select by \
                 `versions` (names such as `1.2.*`), `version-ids` or `keep-n`"
            ),
        });
    }

    let mut selection = Selection {
        tags: patterns(raw, "tags")?,
        untagged: parse_bool("untagged", raw.get("untagged"))?.unwrap_or(false),
        versions: patterns(raw, "versions")?,
        version_ids: version_ids(raw)?,
    };
    let keep_newest_tagged = count(raw, "keep-n-tagged")?;
    let keep_newest_untagged = count(raw, "keep-n-untagged")?;
    let keep_newest = count(raw, "keep-n")?;

    let mut implied = Vec::new();
    if keep_newest_tagged.is_some() && selection.tags.is_none() {
        selection.tags = Some(PatternList::everything());
        implied.push(
            "`keep-n-tagged` without `tags` selects every tagged version (`tags: *`)".to_string(),
        );
    }
    if keep_newest_untagged.is_some() && !selection.untagged {
        selection.untagged = true;
        implied.push(
            "`keep-n-untagged` without `untagged` selects untagged versions (`untagged: true`)"
                .to_string(),
        );
    }
    if keep_newest.is_some() && selection.is_empty() {
        selection = Selection::everything();
        implied.push(
            "`keep-n` without another selection selects every version (`versions: *`)".to_string(),
        );
    }

    let timestamp = match raw.get("timestamp") {
        None | Some("updated") => TimestampField::Updated,
        Some("created") => TimestampField::Created,
        Some(other) => {
            return Err(InputError::Invalid {
                input: "timestamp",
                value: other.to_string(),
                accepted: "`updated` or `created`".to_string(),
            });
        }
    };

    let policy = Policy {
        selection,
        exclude_tags: patterns(raw, "exclude-tags")?,
        exclude_versions: patterns(raw, "exclude-versions")?,
        keep_newest_tagged,
        keep_newest_untagged,
        keep_newest,
        older_than: raw
            .get("older-than")
            .map(|text| parse_age("older-than", text))
            .transpose()?,
        timestamp,
        pre_release_only: parse_bool("pre-release-only", raw.get("pre-release-only"))?
            .unwrap_or(false),
        delete_package_when_empty: parse_bool(
            "delete-package-when-empty",
            raw.get("delete-package-when-empty"),
        )?
        .unwrap_or(false),
    };
    Ok(PruneSettings {
        policy,
        max_deletions: count(raw, "max-deletions")?,
        implied,
    })
}

pub(super) fn patterns(
    raw: &RawInputs,
    input: &'static str,
) -> Result<Option<PatternList>, InputError> {
    let Some(list) = raw.get(input) else {
        return Ok(None);
    };
    PatternList::parse(list).map_err(|err| InputError::Invalid {
        input,
        value: list.to_string(),
        accepted: err.to_string(),
    })
}

fn count(raw: &RawInputs, input: &'static str) -> Result<Option<usize>, InputError> {
    let Some(value) = raw.get(input) else {
        return Ok(None);
    };
    value
        .parse::<usize>()
        .map(Some)
        .map_err(|_| InputError::Invalid {
            input,
            value: value.to_string(),
            accepted: "a whole number, 0 or more".to_string(),
        })
}

pub(super) fn version_ids(raw: &RawInputs) -> Result<BTreeSet<VersionId>, InputError> {
    let Some(list) = raw.get("version-ids") else {
        return Ok(BTreeSet::new());
    };
    split_list(list)
        .map(|id| {
            id.parse::<u64>()
                .map(VersionId)
                .map_err(|_| InputError::Invalid {
                    input: "version-ids",
                    value: id.to_string(),
                    accepted: "version ids (whole numbers) separated by commas or newlines"
                        .to_string(),
                })
        })
        .collect()
}

/// Parses a duration in humantime's syntax (`30d`, `2w`, `1d 12h`). `M` is refused: humantime
/// reads it as months, and people write it for minutes as often as for months.
pub fn parse_age(input: &'static str, text: &str) -> Result<Age, InputError> {
    let invalid = || InputError::Invalid {
        input,
        value: text.to_string(),
        accepted: "a duration such as `30d`, `2w`, `12h` or `1d 12h` (units: s, m, h, d, w, \
                   months, y; `M` is ambiguous: write `30d` or `1month`)"
            .to_string(),
    };
    let ambiguous = text
        .split(|c: char| c.is_ascii_digit() || c.is_whitespace())
        .any(|unit| unit == "M");
    if ambiguous {
        return Err(invalid());
    }
    let duration = humantime::parse_duration(text).map_err(|_| invalid())?;
    Ok(Age {
        text: text.to_string(),
        duration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn settings(
        pairs: &[(&str, &str)],
        package_type: PackageType,
    ) -> Result<PruneSettings, InputError> {
        parse(&RawInputs::from_pairs(pairs.iter().copied()), package_type)
    }

    #[test]
    fn durations_in_humantime_syntax_without_an_ambiguous_m() {
        assert_eq!(
            parse_age("older-than", "30d").unwrap().duration,
            Duration::from_secs(30 * 86_400)
        );
        assert_eq!(
            parse_age("older-than", "1d 12h").unwrap().duration,
            Duration::from_secs(36 * 3_600)
        );
        assert_eq!(
            parse_age("older-than", "2w").unwrap().duration,
            Duration::from_secs(14 * 86_400)
        );
        for bad in ["30 parsecs", "6M", "3 M", "-1d", "soon"] {
            let err = parse_age("older-than", bad).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("input `older-than`: `{bad}` is not accepted")),
                "{err}"
            );
        }
    }

    #[test]
    fn keep_n_inputs_imply_their_selection() {
        let tagged = settings(&[("keep-n-tagged", "3")], PackageType::Container).unwrap();
        assert!(tagged.policy.selection.tags.is_some());
        assert!(!tagged.policy.selection.untagged);
        let untagged = settings(&[("keep-n-untagged", "2")], PackageType::Container).unwrap();
        assert!(untagged.policy.selection.untagged);
        let any = settings(&[("keep-n", "5")], PackageType::Npm).unwrap();
        assert!(any.policy.selection.versions.is_some());
        assert_eq!(any.implied.len(), 1);
        let explicit = settings(
            &[("keep-n", "5"), ("untagged", "true")],
            PackageType::Container,
        )
        .unwrap();
        assert!(
            explicit.policy.selection.versions.is_none(),
            "keep-n only widens an empty selection"
        );
        assert!(
            settings(&[], PackageType::Container)
                .unwrap()
                .policy
                .selection
                .is_empty()
        );
    }

    #[test]
    fn bad_values_are_named() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[("keep-n", "-1")],
                "input `keep-n`: `-1` is not accepted; expected a whole number",
            ),
            (
                &[("keep-n-tagged", "three")],
                "input `keep-n-tagged`: `three` is not accepted",
            ),
            (
                &[("tags", "/v(1/")],
                "input `tags`: `/v(1/` is not accepted",
            ),
            (
                &[("version-ids", "12, x3")],
                "input `version-ids`: `x3` is not accepted",
            ),
            (
                &[("timestamp", "pushed")],
                "input `timestamp`: `pushed` is not accepted; expected `updated` or `created`",
            ),
            (
                &[("untagged", "yes")],
                "input `untagged`: `yes` is not accepted",
            ),
            (
                &[("max-deletions", "1e3")],
                "input `max-deletions`: `1e3` is not accepted",
            ),
        ];
        for (pairs, expected) in cases {
            let err = settings(pairs, PackageType::Container)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(expected), "{pairs:?}: {err}");
        }
    }

    #[test]
    fn tag_inputs_are_refused_for_packages_without_tags() {
        let err = settings(&[("untagged", "true")], PackageType::Npm)
            .unwrap_err()
            .to_string();
        assert!(err.contains("nothing for npm packages"), "{err}");
        assert!(
            settings(
                &[("untagged", "false"), ("versions", "1.*")],
                PackageType::Npm
            )
            .is_ok()
        );
    }
}
