//! What can go wrong between a client and GitHub, and which of GitHub's rate limits the fake
//! enforces: [`Faults`] and [`Limits`], plain data set in the [`Seed`](crate::Seed) or while the
//! fake runs.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Trouble in transit, applied to every request (REST API and registry alike) in the order
/// requests arrive:
///
/// 1. the answer is delayed by [`latency`](Faults::latency) plus up to
///    [`jitter`](Faults::jitter), drawn uniformly;
/// 2. with probability [`fail_rate`](Faults::fail_rate) the request is answered `502` or `503`
///    (evenly) with GitHub's bodies, *without being carried out*: a failed request changes
///    nothing;
/// 3. otherwise, with probability [`drop_rate`](Faults::drop_rate), the connection is closed
///    without an answer (the client sees a connection error, not a status). Of the dropped
///    requests, the share [`drop_applied_share`](Faults::drop_applied_share) is carried out
///    first, as when GitHub deletes a version and the response is lost on the way back; a
///    client that retries such a DELETE meets a `404` and must treat it as "already gone".
///
/// The draws come from a generator seeded with [`rng_seed`](Faults::rng_seed), and every request
/// makes the same draws whatever the settings, so a sequential client meets the same faults on
/// every run (concurrent requests arrive in an order the OS decides). Latency is slept with
/// `tokio::time::sleep`, so tests on a paused tokio clock run it instantly.
///
/// ```
/// use std::time::Duration;
/// use fake_github::Faults;
///
/// let faults = Faults::default()
///     .latency(Duration::from_millis(40))
///     .jitter(Duration::from_millis(20))
///     .fail_rate(0.05)
///     .drop_rate(0.01)
///     .rng_seed(7);
/// assert_eq!(faults.fail_rate.value(), 0.05);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Added to every answer. JSON: `latency_ms`.
    #[serde(rename = "latency_ms", with = "millis")]
    pub latency: Duration,
    /// Up to this much more, drawn uniformly per request. JSON: `jitter_ms`.
    #[serde(rename = "jitter_ms", with = "millis")]
    pub jitter: Duration,
    /// The share of requests answered `502`/`503` without being carried out.
    pub fail_rate: Probability,
    /// The share of requests whose connection is closed without an answer.
    pub drop_rate: Probability,
    /// Of the dropped requests, the share carried out before the connection drops (the rest are
    /// dropped before anything happens). Half unless set.
    pub drop_applied_share: Probability,
    /// Seeds the generator behind every draw.
    pub rng_seed: u64,
}

impl Default for Faults {
    /// No faults at all; should drops be switched on, half of them are carried out.
    fn default() -> Self {
        Faults {
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            fail_rate: Probability::NEVER,
            drop_rate: Probability::NEVER,
            drop_applied_share: Probability(0.5),
            rng_seed: 0,
        }
    }
}

impl Faults {
    /// Delays every answer by `latency`.
    #[must_use]
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Delays every answer by up to `jitter` more.
    #[must_use]
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// Answers this share of requests `502`/`503`.
    ///
    /// # Panics
    /// If `rate` is not between 0 and 1.
    #[must_use]
    pub fn fail_rate(mut self, rate: f64) -> Self {
        self.fail_rate = Probability::expect(rate);
        self
    }

    /// Drops the connection of this share of requests.
    ///
    /// # Panics
    /// If `rate` is not between 0 and 1.
    #[must_use]
    pub fn drop_rate(mut self, rate: f64) -> Self {
        self.drop_rate = Probability::expect(rate);
        self
    }

    /// Carries out this share of the dropped requests before dropping them.
    ///
    /// # Panics
    /// If `share` is not between 0 and 1.
    #[must_use]
    pub fn drop_applied_share(mut self, share: f64) -> Self {
        self.drop_applied_share = Probability::expect(share);
        self
    }

    /// Seeds the generator behind every draw.
    #[must_use]
    pub fn rng_seed(mut self, seed: u64) -> Self {
        self.rng_seed = seed;
        self
    }
}

/// Which of GitHub's rate limits the fake enforces; each is off unless set. [`Limits::github`]
/// sets all three to github.com's values.
///
/// They apply to the REST API only: ghcr.io has limits of its own that GitHub does not document,
/// and the fake does not emulate them. Each token has its own allowance (anonymous callers share
/// one), as on GitHub.
///
/// - **Secondary, points** ([`secondary_points_per_minute`](Limits::secondary_points_per_minute)):
///   `GET`, `HEAD` and `OPTIONS` cost 1 point, every other method 5, over a sliding 60-second
///   window. A request that would go over is answered `403` with `retry-after` set to the seconds
///   until enough points leave the window, and GitHub's "secondary rate limit" message; it costs
///   nothing and changes nothing.
/// - **Secondary, concurrency** ([`max_concurrent`](Limits::max_concurrent)): a request arriving
///   while that many of the same token's are in flight (latency included) is answered the same
///   way, with `retry-after: 1`.
/// - **Primary** ([`primary_per_hour`](Limits::primary_per_hour)): requests per hour; once spent,
///   requests are answered `403` with `x-ratelimit-remaining: 0` and "API rate limit exceeded"
///   until `x-ratelimit-reset`. It replaces the reported-only
///   [`Seed::rate_limit`](crate::Seed::rate_limit).
///
/// Windows are measured on tokio's clock: see [`FakeGitHub`](crate::FakeGitHub) for tests on a
/// paused clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Points a token may spend in any 60 seconds; github.com allows 900.
    pub secondary_points_per_minute: Option<u32>,
    /// Requests a token may have in flight at once; github.com allows 100.
    pub max_concurrent: Option<u32>,
    /// Requests a token may make per hour; a personal access token gets 5,000 on github.com.
    pub primary_per_hour: Option<u32>,
}

impl Limits {
    /// github.com's limits for a personal access token: 900 points a minute, 100 concurrent
    /// requests, 5,000 requests an hour.
    pub fn github() -> Limits {
        Limits {
            secondary_points_per_minute: Some(900),
            max_concurrent: Some(100),
            primary_per_hour: Some(5000),
        }
    }

    /// Enforces the secondary limit of `points` per minute.
    #[must_use]
    pub fn secondary_points_per_minute(mut self, points: u32) -> Self {
        self.secondary_points_per_minute = Some(points);
        self
    }

    /// Enforces at most `requests` in flight per token.
    #[must_use]
    pub fn max_concurrent(mut self, requests: u32) -> Self {
        self.max_concurrent = Some(requests);
        self
    }

    /// Enforces a primary budget of `requests` per hour per token.
    #[must_use]
    pub fn primary_per_hour(mut self, requests: u32) -> Self {
        self.primary_per_hour = Some(requests);
        self
    }
}

/// A probability: a number from 0 (never) to 1 (always). Written as a plain number in JSON.
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Probability(f64);

// `Probability::new` refuses NaN, the one float that is not equal to itself.
impl Eq for Probability {}

impl Probability {
    /// Never.
    pub const NEVER: Probability = Probability(0.0);
    /// Always.
    pub const ALWAYS: Probability = Probability(1.0);

    /// `value` as a probability.
    ///
    /// # Errors
    /// If `value` is not a number from 0 to 1.
    pub fn new(value: f64) -> Result<Probability, NotAProbability> {
        if (0.0..=1.0).contains(&value) {
            Ok(Probability(value))
        } else {
            Err(NotAProbability(value))
        }
    }

    /// The number, from 0 to 1.
    pub fn value(self) -> f64 {
        self.0
    }

    /// Whether an event of this probability happens, given a uniform draw from `[0, 1)`.
    pub(crate) fn happens(self, draw: f64) -> bool {
        draw < self.0
    }

    /// For builders, where a bad value is a typo in a test.
    fn expect(value: f64) -> Probability {
        Probability::new(value).unwrap_or_else(|error| panic!("{error}"))
    }
}

impl TryFrom<f64> for Probability {
    type Error = NotAProbability;

    fn try_from(value: f64) -> Result<Self, Self::Error> {
        Probability::new(value)
    }
}

impl From<Probability> for f64 {
    fn from(probability: Probability) -> f64 {
        probability.0
    }
}

impl fmt::Display for Probability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A number given as a probability was not between 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("{0} is not a probability: expected a number from 0 (never) to 1 (always)")]
pub struct NotAProbability(pub f64);

/// Serialises a [`Duration`] as whole milliseconds.
mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_must_lie_between_zero_and_one() {
        assert_eq!(Probability::new(0.25).map(Probability::value), Ok(0.25));
        assert!(Probability::new(1.5).is_err());
        assert!(Probability::new(-0.1).is_err());
        assert!(Probability::new(f64::NAN).is_err());
        let error = Probability::new(2.0).expect_err("refused").to_string();
        assert!(error.starts_with("2 is not a probability"), "{error}");
        assert!(Probability::ALWAYS.happens(0.999_999));
        assert!(!Probability::NEVER.happens(0.0));
    }

    #[test]
    fn faults_and_limits_read_from_json() {
        let faults: Faults =
            serde_json::from_str(r#"{"latency_ms": 250, "fail_rate": 0.5, "rng_seed": 9}"#)
                .expect("valid faults");
        assert_eq!(
            faults,
            Faults::default()
                .latency(Duration::from_millis(250))
                .fail_rate(0.5)
                .rng_seed(9)
        );
        assert!(serde_json::from_str::<Faults>(r#"{"drop_rate": 3}"#).is_err());
        let limits: Limits =
            serde_json::from_str(r#"{"secondary_points_per_minute": 900}"#).expect("valid");
        assert_eq!(limits, Limits::default().secondary_points_per_minute(900));
    }
}
