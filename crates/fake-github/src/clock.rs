//! The fake's sense of time.

use chrono::{DateTime, SubsecRound as _, TimeDelta, Utc};
use tokio::time::Instant;

/// The wall-clock time when the fake started, moved on by tokio's clock from then on.
///
/// Everything time-dependent in the fake reads this clock: deletion dates, the hourly primary
/// budget and its `x-ratelimit-reset`, the secondary limit's sliding window. On a normal runtime
/// it is the wall clock; on a paused one (`#[tokio::test(start_paused = true)]`,
/// `tokio::time::advance`) it moves only as tokio's clock does, so a test can let an hour pass
/// in an instant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    started_at: DateTime<Utc>,
    started: Instant,
}

impl Clock {
    /// A clock reading the wall-clock time now, measured on the current runtime's tokio clock.
    pub fn start() -> Clock {
        Clock {
            started_at: Utc::now(),
            started: Instant::now(),
        }
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        // Only a clock running for millennia could overflow.
        TimeDelta::from_std(self.started.elapsed())
            .ok()
            .and_then(|elapsed| self.started_at.checked_add_signed(elapsed))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// The current time to the second, like GitHub's timestamps.
    pub fn now_to_second(&self) -> DateTime<Utc> {
        self.now().trunc_subsecs(0)
    }
}
