//! How the fake writes a point in time, in its JSON bodies and in the seed and state it serialises.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serializer;

/// `at` as GitHub writes its timestamps: RFC 3339 in UTC with a `Z`, to the second
/// (`2024-01-01T00:00:00Z`). A time seeded with a fraction of a second keeps it, without trailing
/// zeros (`2024-01-01T00:00:00.25Z`), so a seed's time comes back exactly as given.
///
/// Chrono's own `Serialize` would write fractions as 3, 6 or 9 digits; this is the one place the
/// fake decides the text, so every body, seed and state agrees.
pub(crate) fn format(at: DateTime<Utc>) -> String {
    if at.timestamp_subsec_nanos() == 0 {
        return at.to_rfc3339_opts(SecondsFormat::Secs, true);
    }
    let nanos = at.to_rfc3339_opts(SecondsFormat::Nanos, true);
    let fraction = nanos.trim_end_matches('Z').trim_end_matches('0');
    format!("{fraction}Z")
}

/// `serialize_with` for a `DateTime<Utc>` field: writes [`format`].
pub(crate) fn serialize<S: Serializer>(
    at: &DateTime<Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(*at))
}

/// `serialize_with` for an `Option<DateTime<Utc>>` field: writes [`format`], or `null`.
pub(crate) fn serialize_option<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serialize(at, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64, nanos: u32) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, nanos).expect("in range")
    }

    #[test]
    fn whole_seconds_are_written_as_github_does() {
        assert_eq!(format(at(1_767_225_600, 0)), "2026-01-01T00:00:00Z");
    }

    #[test]
    fn fractions_keep_only_their_significant_digits() {
        assert_eq!(
            format(at(1_704_067_200, 250_000_000)),
            "2024-01-01T00:00:00.25Z"
        );
        assert_eq!(
            format(at(1_704_067_200, 1)),
            "2024-01-01T00:00:00.000000001Z"
        );
        assert_eq!(
            format(at(1_704_067_200, 123_456_780)),
            "2024-01-01T00:00:00.12345678Z"
        );
    }
}
