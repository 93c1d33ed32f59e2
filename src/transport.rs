//! The one request path: every API and registry request goes through [`Transport::execute`],
//! which caps concurrency, paces requests within GitHub's secondary limits, retries what is
//! worth retrying, and keeps an eye on the primary budget.
//!
//! GitHub's rules (REST API docs, "Rate limits for the REST API"):
//! - secondary limits: at most 100 concurrent requests, and 900 points a minute, where GET, HEAD
//!   and OPTIONS cost 1 point and POST, PATCH, PUT and DELETE cost 5;
//! - when limited (403 or 429): wait `retry-after` seconds if given; else, if
//!   `x-ratelimit-remaining` is 0, until `x-ratelimit-reset`; else at least a minute, backing off
//!   exponentially if it keeps happening. Continuing to send while limited can get a client
//!   banned, so a limited request is never retried early.
//!
//! Every wait is bounded: by `max-wait` when it is set, else by [`WAIT_CEILING`]. A server that
//! asks for more (`retry-after: 99999999`) gets no more requests from this run: the request fails
//! with [`TransportError::WaitTooLong`], and so does every later one, without being sent, so that
//! the caller leaves the rest for the next run.
//!
//! Every text a server sends is passed through the transport's [`Redactor`] by the clients, so
//! that no secret of the run is stored or shown.
//!
//! Time is tokio's, so tests can run with a paused clock.

pub mod redact;

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::Rng;
use reqwest::header::HeaderMap;
use reqwest::{Method, Response, StatusCode};
use tokio::sync::Semaphore;
use tokio::time::Instant;

use redact::Redactor;

/// GitHub's secondary limit on concurrent requests.
pub const MAX_CONCURRENCY: usize = 100;
/// GitHub's secondary limit on points per minute for REST endpoints.
pub const MAX_POINTS_PER_MINUTE: u32 = 900;
/// Requests kept in reserve when the primary budget runs low: enough to confirm a deletion or
/// two and to report.
pub const BUDGET_MARGIN: u64 = 10;
/// The longest wait for a rate limit when `max-wait` is not set (`0s`): GitHub's secondary limits
/// ask for a minute or a few; a server that asks for longer is broken or hostile, and a job that
/// sleeps for hours helps nobody.
pub const WAIT_CEILING: Duration = Duration::from_secs(15 * 60);
/// How far in the past an `x-ratelimit-reset` may be and still be taken for clocks a little
/// apart rather than a reset that has long passed.
const CLOCK_SKEW: u64 = 60;

/// How the transport behaves; from the `concurrency`, `points-per-minute` and `max-wait` inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportSettings {
    pub concurrency: usize,
    pub points_per_minute: u32,
    /// How long the run may wait for the primary budget to reset instead of stopping, and the
    /// longest any one wait may be (when zero, waits for the secondary limits are bounded by
    /// [`WAIT_CEILING`] instead).
    pub max_wait: Duration,
    /// Attempts after the first for server errors and lost connections.
    pub retries: u32,
    /// Waits for a secondary or primary limit before giving up on one request.
    pub rate_limit_waits: u32,
    /// The first backoff after a server error or a lost connection; it doubles after each.
    pub backoff_base: Duration,
}

impl Default for TransportSettings {
    fn default() -> Self {
        TransportSettings {
            concurrency: DEFAULT_CONCURRENCY,
            points_per_minute: MAX_POINTS_PER_MINUTE,
            max_wait: Duration::ZERO,
            retries: 5,
            rate_limit_waits: 8,
            backoff_base: Duration::from_secs(1),
        }
    }
}

/// Enough requests in flight to keep the points budget busy at GitHub's usual latency
/// (measured with the benchmark in `crates/bench`; see the README), far below the limit of 100.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// Why a request was not answered.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// No answer after every retry: connection refused, reset, timed out.
    #[error("{0}")]
    Request(#[source] reqwest::Error),
    /// The primary budget is spent and resets later than `max-wait` allows waiting.
    #[error("{}", budget_message(*.remaining, .reset, *.max_wait))]
    BudgetExhausted {
        remaining: u64,
        reset: String,
        max_wait: Duration,
    },
    /// The server asked to wait longer than the run may: `max-wait`, or [`WAIT_CEILING`] when
    /// it is not set. Nothing more is sent.
    #[error(
        "the server asked to wait {} before the next request ({asked_by}), longer than {bound}; \
         not waiting, and not sending more requests in this run",
        human(*.wait)
    )]
    WaitTooLong {
        wait: Duration,
        /// What asked, e.g. `429 with retry-after: 99999999`.
        asked_by: String,
        /// What bounds the wait, e.g. `max-wait (10m)`.
        bound: String,
    },
}

fn budget_message(remaining: u64, reset: &str, max_wait: Duration) -> String {
    let left = if remaining == 0 {
        "the hourly API rate limit is spent".to_string()
    } else {
        format!(
            "only {remaining} requests of the hourly API rate limit are left (package-warden \
             keeps {BUDGET_MARGIN} in reserve)"
        )
    };
    format!(
        "{left} until {reset}; not waiting that long (max-wait is {})",
        human(max_wait)
    )
}

/// A duration for people: `3 s`, `14 min`, `2 h 5 min`, `1157 days 9 h`.
pub fn human(duration: Duration) -> String {
    let seconds = duration.as_secs();
    let (days, hours, minutes) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
    );
    if days > 0 {
        format!("{days} days {hours} h")
    } else if hours > 0 {
        format!("{hours} h {minutes} min")
    } else if minutes > 0 && seconds.is_multiple_of(60) {
        format!("{minutes} min")
    } else if minutes > 0 {
        format!("{minutes} min {} s", seconds % 60)
    } else {
        format!("{seconds} s")
    }
}

/// What the transport did, for the summary's footer.
#[derive(Debug, Default)]
pub struct Stats {
    requests: AtomicU64,
    retries: AtomicU64,
    rate_limit_waits: AtomicU64,
    waited_millis: AtomicU64,
}

/// A snapshot of [`Stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    pub requests: u64,
    pub retries: u64,
    pub rate_limit_waits: u64,
    pub waited: Duration,
}

/// The primary budget as GitHub last reported it.
#[derive(Debug, Clone, Copy)]
struct PrimaryBudget {
    remaining: u64,
    /// Epoch seconds.
    reset: u64,
}

/// Points spent in the last minute, oldest first.
struct PointsWindow {
    spent: VecDeque<(Instant, u32)>,
    total: u32,
}

/// The window GitHub counts points in, plus a second for requests that arrive later than they
/// were sent: two requests sent 60 s apart must not land 59.9 s apart.
const WINDOW: Duration = Duration::from_secs(61);

pub struct Transport {
    settings: TransportSettings,
    in_flight: Semaphore,
    window: Mutex<PointsWindow>,
    budget: Mutex<Option<PrimaryBudget>>,
    /// Set once a server asked for a wait longer than allowed: nothing more is sent.
    refused_wait: Mutex<Option<RefusedWait>>,
    redactor: Redactor,
    stats: Stats,
}

/// A wait the run would not make, kept so that every later request fails the same way.
#[derive(Debug, Clone)]
struct RefusedWait {
    wait: Duration,
    asked_by: String,
    bound: String,
}

impl RefusedWait {
    fn error(&self) -> TransportError {
        TransportError::WaitTooLong {
            wait: self.wait,
            asked_by: self.asked_by.clone(),
            bound: self.bound.clone(),
        }
    }
}

impl Transport {
    pub fn new(settings: TransportSettings) -> Transport {
        let concurrency = settings.concurrency.clamp(1, MAX_CONCURRENCY);
        Transport {
            in_flight: Semaphore::new(concurrency),
            window: Mutex::new(PointsWindow {
                spent: VecDeque::new(),
                total: 0,
            }),
            budget: Mutex::new(None),
            refused_wait: Mutex::new(None),
            redactor: Redactor::default(),
            stats: Stats::default(),
            settings,
        }
    }

    pub fn settings(&self) -> &TransportSettings {
        &self.settings
    }

    /// The run's secrets, to be kept out of every text a server sends.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// Why the transport stopped sending, when a server asked for a longer wait than allowed.
    pub fn refused_wait(&self) -> Option<String> {
        lock(&self.refused_wait)
            .as_ref()
            .map(|refused| refused.error().to_string())
    }

    /// The longest a single wait may be: `max-wait`, or [`WAIT_CEILING`] when it is not set.
    fn longest_wait(&self) -> (Duration, String) {
        if self.settings.max_wait.is_zero() {
            (
                WAIT_CEILING,
                format!(
                    "the {} package-warden waits at most when max-wait is not set",
                    human(WAIT_CEILING)
                ),
            )
        } else {
            let max_wait = self.settings.max_wait;
            (max_wait, format!("max-wait ({})", human(max_wait)))
        }
    }

    pub fn stats(&self) -> StatsSnapshot {
        StatsSnapshot {
            requests: self.stats.requests.load(Ordering::Relaxed),
            retries: self.stats.retries.load(Ordering::Relaxed),
            rate_limit_waits: self.stats.rate_limit_waits.load(Ordering::Relaxed),
            waited: Duration::from_millis(self.stats.waited_millis.load(Ordering::Relaxed)),
        }
    }

    /// The primary budget left, as GitHub last reported it.
    pub fn budget_remaining(&self) -> Option<u64> {
        self.budget
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map(|b| b.remaining)
    }

    /// Sends `request` with `http`, retrying as GitHub asks. Returns the last response when it
    /// is final (success, a client error, or a server error after every retry).
    pub async fn execute(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
    ) -> Result<Response, TransportError> {
        let cost = points(request.method());
        let mut failures = 0;
        let mut limited = 0;
        loop {
            self.wait_for_budget().await?;
            let attempt = request
                .try_clone()
                .expect("requests without a streaming body can be cloned");
            let outcome = {
                let _permit = self
                    .in_flight
                    .acquire()
                    .await
                    .expect("the semaphore is never closed");
                self.spend_points(cost).await;
                self.stats.requests.fetch_add(1, Ordering::Relaxed);
                http.execute(attempt).await
            };
            let response = match outcome {
                Ok(response) => response,
                Err(err) if failures < self.settings.retries && is_transient(&err) => {
                    failures += 1;
                    self.retry_after(self.backoff(failures)).await;
                    continue;
                }
                Err(err) => return Err(TransportError::Request(err)),
            };
            self.note_budget(response.headers());
            let status = response.status();
            if status == StatusCode::FORBIDDEN || status == StatusCode::TOO_MANY_REQUESTS {
                let (response, limit) = rate_limit(response, limited).await;
                let wait = match limit {
                    None | Some(Limit::ResetPassed) => return Ok(response),
                    Some(Limit::Primary { wait, reset }) if wait > self.settings.max_wait => {
                        return Err(TransportError::BudgetExhausted {
                            remaining: 0,
                            reset: format_reset(reset),
                            max_wait: self.settings.max_wait,
                        });
                    }
                    Some(Limit::Primary { wait, .. }) => wait,
                    Some(Limit::Secondary { wait, retry_after }) => {
                        let (longest, bound) = self.longest_wait();
                        if wait > longest {
                            let asked_by = match retry_after {
                                Some(seconds) => {
                                    format!("{} with retry-after: {seconds}", status.as_u16())
                                }
                                None => format!("{} for a secondary rate limit", status.as_u16()),
                            };
                            let refused = RefusedWait {
                                wait,
                                asked_by,
                                bound,
                            };
                            tracing::warn!(?wait, "a rate limit asks for too long a wait");
                            let error = refused.error();
                            lock(&self.refused_wait).get_or_insert(refused);
                            return Err(error);
                        }
                        wait
                    }
                };
                if limited >= self.settings.rate_limit_waits {
                    return Ok(response);
                }
                limited += 1;
                self.stats.rate_limit_waits.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(?wait, "rate limited; waiting as GitHub asks");
                self.retry_after(wait).await;
                continue;
            }
            if status.is_server_error() && failures < self.settings.retries {
                failures += 1;
                self.retry_after(self.backoff(failures)).await;
                continue;
            }
            return Ok(response);
        }
    }

    async fn retry_after(&self, wait: Duration) {
        self.stats.retries.fetch_add(1, Ordering::Relaxed);
        self.stats
            .waited_millis
            .fetch_add(wait.as_millis() as u64, Ordering::Relaxed);
        tokio::time::sleep(wait).await;
    }

    /// Waits until `cost` points fit in the last minute's budget, then spends them.
    async fn spend_points(&self, cost: u32) {
        let budget = self
            .settings
            .points_per_minute
            .clamp(1, MAX_POINTS_PER_MINUTE);
        loop {
            let wait = {
                let mut window = self.window.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                while let Some(&(at, points)) = window.spent.front() {
                    if now.duration_since(at) < WINDOW {
                        break;
                    }
                    window.spent.pop_front();
                    window.total -= points;
                }
                if window.total + cost <= budget {
                    window.spent.push_back((now, cost));
                    window.total += cost;
                    return;
                }
                // Wait until enough of the oldest points leave the window.
                let mut freed = 0;
                let mut until = now;
                for &(at, points) in &window.spent {
                    freed += points;
                    until = at + WINDOW;
                    if window.total - freed + cost <= budget {
                        break;
                    }
                }
                until.saturating_duration_since(now)
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Records what GitHub says is left of the primary budget.
    fn note_budget(&self, headers: &HeaderMap) {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
        };
        if let (Some(remaining), Some(reset)) =
            (number("x-ratelimit-remaining"), number("x-ratelimit-reset"))
        {
            let mut budget = self.budget.lock().unwrap_or_else(|e| e.into_inner());
            // Answers arrive out of order, and requests in flight were already counted when
            // sent: within one window the lowest count is the truest.
            let remaining = match *budget {
                Some(known) if known.reset == reset => known.remaining.min(remaining),
                _ => remaining,
            };
            *budget = Some(PrimaryBudget { remaining, reset });
        }
    }

    /// Before a request: when the primary budget is down to the margin, wait for its reset if
    /// `max-wait` allows, else refuse.
    async fn wait_for_budget(&self) -> Result<(), TransportError> {
        if let Some(refused) = lock(&self.refused_wait).as_ref() {
            return Err(refused.error());
        }
        let budget = {
            let mut known = self.budget.lock().unwrap_or_else(|e| e.into_inner());
            match known.as_mut() {
                None => return Ok(()),
                Some(budget) if budget.remaining > BUDGET_MARGIN => {
                    // Count this request now, so that requests sent together cannot overdraw.
                    budget.remaining -= 1;
                    return Ok(());
                }
                Some(budget) => *budget,
            }
        };
        let now = epoch_seconds();
        let until_reset = Duration::from_secs(budget.reset.saturating_sub(now) + 1);
        if budget.reset <= now {
            return Ok(());
        }
        if until_reset <= self.settings.max_wait {
            self.stats.rate_limit_waits.fetch_add(1, Ordering::Relaxed);
            self.stats
                .waited_millis
                .fetch_add(until_reset.as_millis() as u64, Ordering::Relaxed);
            tokio::time::sleep(until_reset).await;
            // Until a response says otherwise, assume the budget is back.
            *self.budget.lock().unwrap_or_else(|e| e.into_inner()) = None;
            return Ok(());
        }
        Err(TransportError::BudgetExhausted {
            remaining: budget.remaining,
            reset: format_reset(Some(budget.reset)),
            max_wait: self.settings.max_wait,
        })
    }

    /// Exponential backoff with jitter for server errors and lost connections: about 1, 2, 4,
    /// 8, 16 s (times `backoff_base` seconds), each between half and all of that, capped at 30.
    fn backoff(&self, failures: u32) -> Duration {
        let full = self
            .settings
            .backoff_base
            .saturating_mul(2u32.pow(failures.saturating_sub(1).min(5)))
            .min(Duration::from_secs(30));
        let jitter = rand::rng().random_range(0.5..=1.0);
        full.mul_f64(jitter)
    }

    /// True when the primary budget, as last reported, leaves fewer than `requests` requests
    /// above the margin: the caller should stop starting work it cannot finish.
    /// Also true once a server asked for a longer wait than allowed: nothing more is sent.
    pub fn budget_short_of(&self, requests: u64) -> bool {
        if lock(&self.refused_wait).is_some() {
            return true;
        }
        match *self.budget.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(budget) if budget.reset > epoch_seconds() => {
                let until_reset = Duration::from_secs(budget.reset - epoch_seconds());
                budget.remaining < BUDGET_MARGIN + requests && until_reset > self.settings.max_wait
            }
            _ => false,
        }
    }
}

/// The HTTP client both the API and the registry clients send with: our `User-Agent` beside
/// `headers`, explicit connect and request timeouts (a hung connection must end in a retry, not
/// a stuck run), and no redirects, which would carry credentials wherever they point (GitHub's
/// API needs none; registries serve manifests directly and redirect only blobs, which we never
/// read).
pub fn http_client(mut headers: HeaderMap) -> Result<reqwest::Client, reqwest::Error> {
    headers.insert(
        reqwest::header::USER_AGENT,
        reqwest::header::HeaderValue::from_static(concat!(
            "package-warden/",
            env!("CARGO_PKG_VERSION")
        )),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// GitHub's points: 1 for reads, 5 for writes.
pub fn points(method: &Method) -> u32 {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        1
    } else {
        5
    }
}

fn is_transient(err: &reqwest::Error) -> bool {
    err.is_connect() || err.is_timeout() || err.is_request() || err.is_body()
}

/// An `x-ratelimit-reset` (epoch seconds) for people.
fn format_reset(reset: Option<u64>) -> String {
    let Some(reset) = reset else {
        return "a time the server did not give".to_string();
    };
    i64::try_from(reset)
        .ok()
        .and_then(|reset| chrono::DateTime::from_timestamp(reset, 0))
        .map_or_else(|| reset.to_string(), crate::model::rfc3339)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// A rate limit GitHub answered with, and how long it asks to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// The hourly budget is spent: wait until it resets, at `reset` (epoch seconds; `None` when
    /// the server did not say, and then `wait` is forever).
    Primary { wait: Duration, reset: Option<u64> },
    /// Too many requests or points in a short time; `retry_after` as the server gave it.
    Secondary {
        wait: Duration,
        retry_after: Option<u64>,
    },
    /// The hourly budget is spent, says the server, but the reset time it gives has passed by our
    /// clock: one of the two clocks is wrong, or the server is not GitHub. There is no wait to
    /// compute, and retrying at once would hammer it: the answer is final, and the client
    /// explains it.
    ResetPassed,
}

/// For a 403 or 429: the rate limit it reports, or `None` when it is not one (a permission
/// 403 must not be retried). The body is read to tell; the response is rebuilt from it so that
/// the caller can still read it.
pub async fn rate_limit(response: Response, limited_before: u32) -> (Response, Option<Limit>) {
    let status = response.status();
    let headers = response.headers().clone();
    let version = response.version();
    let body = response.bytes().await.unwrap_or_default();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let secondary = String::from_utf8_lossy(&body)
        .to_ascii_lowercase()
        .contains("secondary rate limit");
    let retry_after = header("retry-after");
    let exhausted = header("x-ratelimit-remaining") == Some(0);
    let limit = if let Some(seconds) = retry_after {
        Some(Limit::Secondary {
            wait: Duration::from_secs(seconds),
            retry_after: Some(seconds),
        })
    } else if exhausted {
        let now = epoch_seconds();
        match header("x-ratelimit-reset") {
            Some(reset) if reset.saturating_add(CLOCK_SKEW) < now => Some(Limit::ResetPassed),
            Some(reset) => Some(Limit::Primary {
                wait: Duration::from_secs(reset.saturating_sub(now) + 1),
                reset: Some(reset),
            }),
            // No reset time: nothing says when waiting would help.
            None => Some(Limit::Primary {
                wait: Duration::MAX,
                reset: None,
            }),
        }
    } else if secondary || status == StatusCode::TOO_MANY_REQUESTS {
        // At least a minute, doubling while it keeps happening, within the ceiling on waits.
        Some(Limit::Secondary {
            wait: Duration::from_secs(60 * 2u64.pow(limited_before.min(4))).min(WAIT_CEILING),
            retry_after: None,
        })
    } else {
        None
    };
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.headers_mut() = headers;
    *rebuilt.version_mut() = version;
    (Response::from(rebuilt), limit)
}

fn epoch_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests;
