//! The fake's sense of time.

use jiff::Timestamp;
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
    started_at: Timestamp,
    started: Instant,
}

impl Clock {
    /// A clock reading the wall-clock time now, measured on the current runtime's tokio clock.
    pub fn start() -> Clock {
        Clock {
            started_at: Timestamp::now(),
            started: Instant::now(),
        }
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        // Only a clock running for millennia could overflow.
        self.started_at
            .checked_add(self.started.elapsed())
            .unwrap_or(Timestamp::MAX)
    }

    /// The current time to the second, like GitHub's timestamps.
    pub fn now_to_second(&self) -> Timestamp {
        let now = self.now();
        Timestamp::from_second(now.as_second()).unwrap_or(now)
    }
}
