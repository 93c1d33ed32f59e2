//! `older-than`: only candidates strictly older than the age may go. `restore`'s
//! `deleted-within` reads the same [`Age`].

use std::time::Duration;

use crate::model::Timestamp;
use crate::plan::Reason;
use crate::plan::draft::{Context, PackageDraft};

pub const ID: &str = "age";
pub const SUMMARY: &str =
    "with older-than, candidates younger than the age (or exactly as old) are kept";

/// An age as the user wrote it (`30d`) and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Age {
    pub text: String,
    pub duration: Duration,
}

impl Age {
    /// The moment this age before `now`: versions older than it are "older than" the age. An age
    /// longer than chrono can count reaches back to the beginning of time.
    pub fn before(&self, now: Timestamp) -> Timestamp {
        chrono::TimeDelta::from_std(self.duration)
            .ok()
            .and_then(|age| now.checked_sub_signed(age))
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
    }
}

/// Keeps the candidates from the cut-off on; the older ones are told why they may go.
pub(crate) fn apply(package: &mut PackageDraft, context: &Context<'_>) {
    let policy = context.policy;
    let (Some(age), Some(cutoff)) = (&policy.older_than, context.cutoff) else {
        return;
    };
    for draft in package.versions.iter_mut().filter(|d| d.is_candidate()) {
        let at = policy.timestamp.of(&draft.version);
        let (age, field) = (age.text.clone(), policy.timestamp);
        if at < cutoff {
            draft.reasons.push(Reason::OlderThan { age, field, at });
        } else {
            draft.keep(Reason::YoungerThan { age, field, at });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::rules::testing::{context, drafts, image};
    use crate::plan::{Action, Policy};

    #[test]
    fn keeps_what_is_not_strictly_older() {
        let mut package = drafts(vec![
            image(1, 29, &[]),
            image(2, 30, &[]),
            image(3, 31, &[]),
        ]);
        let policy = Policy {
            older_than: Some(Age {
                text: "30d".to_string(),
                duration: Duration::from_secs(30 * 86_400),
            }),
            ..Policy::default()
        };
        apply(&mut package, &context(&policy));
        assert_eq!(package.ids(Some(Action::Keep)), [1, 2]);
        assert_eq!(package.ids(None), [3]);
        assert_eq!(
            package.versions[2].reasons[0].to_string(),
            "older than 30d (updated 2026-10-25)"
        );
    }
}
