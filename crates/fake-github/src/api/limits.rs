//! GitHub's secondary rate limits on the REST API: points per sliding minute and requests in
//! flight, per token, as [`Limits`] configures them.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

use super::App;
use super::caller::Caller;
use super::envelope::{Fault, RequestId};
use super::error::{ApiError, docs};
use crate::faults::Limits;

/// The window GitHub counts points over.
const WINDOW: Duration = Duration::from_secs(60);

/// How long a request refused for concurrency is asked to wait: one request finishing is enough.
const CONCURRENCY_RETRY_AFTER: Duration = Duration::from_secs(1);

/// What each token has spent: the points in the current window and the requests in flight.
#[derive(Debug, Default)]
pub(crate) struct SecondaryLimits {
    /// Per token: when each request in the window arrived and what it cost, oldest first.
    windows: HashMap<String, VecDeque<(Instant, u32)>>,
    in_flight: HashMap<String, u32>,
}

impl SecondaryLimits {
    /// Admits a request costing `cost` points by `key` at `now`, or says how long to wait.
    /// A refused request costs nothing.
    fn admit(
        &mut self,
        key: &str,
        cost: u32,
        limits: &Limits,
        now: Instant,
    ) -> Result<(), Duration> {
        let in_flight = self.in_flight.get(key).copied().unwrap_or(0);
        if limits.max_concurrent.is_some_and(|max| in_flight >= max) {
            return Err(CONCURRENCY_RETRY_AFTER);
        }
        let window = self.windows.entry(key.to_owned()).or_default();
        while window
            .front()
            .is_some_and(|&(at, _)| now.duration_since(at) >= WINDOW)
        {
            window.pop_front();
        }
        if let Some(limit) = limits.secondary_points_per_minute {
            let spent: u32 = window.iter().map(|&(_, points)| points).sum();
            if spent + cost > limit {
                return Err(wait_for_room(window, spent + cost - limit, now));
            }
        }
        window.push_back((now, cost));
        *self.in_flight.entry(key.to_owned()).or_default() += 1;
        Ok(())
    }

    fn finish(&mut self, key: &str) {
        if let Some(count) = self.in_flight.get_mut(key) {
            *count = count.saturating_sub(1);
        }
    }
}

/// How long until at least `excess` points have left `window`.
fn wait_for_room(window: &VecDeque<(Instant, u32)>, excess: u32, now: Instant) -> Duration {
    let mut freed = 0;
    for &(at, points) in window {
        freed += points;
        if freed >= excess {
            return (at + WINDOW).saturating_duration_since(now);
        }
    }
    // The request alone costs more than the limit allows: it can never pass.
    WINDOW
}

/// What a request costs: GitHub counts 1 point for `GET`, `HEAD` and `OPTIONS`, and 5 for the
/// methods that change something.
fn points(method: &Method) -> u32 {
    if [Method::GET, Method::HEAD, Method::OPTIONS].contains(method) {
        1
    } else {
        5
    }
}

/// Middleware (inside [`super::caller::identify_and_charge`], which identifies the caller):
/// refuses requests over the secondary limits with `403`, `retry-after` and GitHub's message, and
/// counts the others as in flight until their answer is ready.
pub(crate) async fn enforce_secondary_limits(
    State(app): State<App>,
    request: Request,
    next: Next,
) -> Response {
    let key = request
        .extensions()
        .get::<Caller>()
        .map_or_else(String::new, |caller| caller.budget_key().to_owned());
    let limits = *app.limits();
    let admitted =
        app.secondary_limits()
            .admit(&key, points(request.method()), &limits, Instant::now());
    if let Err(wait) = admitted {
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map_or("", |id| id.0.as_str());
        return secondary_limit_response(wait, request_id);
    }
    // Released however the request ends, a client hanging up included.
    let _in_flight = InFlight { app: &app, key };
    next.run(request).await
}

/// Counts a request as in flight while it lives.
struct InFlight<'a> {
    app: &'a App,
    key: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.app.secondary_limits().finish(&self.key);
    }
}

/// GitHub's answer to a request over a secondary limit.
fn secondary_limit_response(wait: Duration, request_id: &str) -> Response {
    let message = format!(
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. \
         If you reach out to GitHub Support for help, please include the request ID {request_id}."
    );
    let mut response =
        ApiError::new(StatusCode::FORBIDDEN, message, docs::SECONDARY_RATE_LIMITS).into_response();
    // Whole seconds, rounded up, and at least one: waiting exactly that long must be enough.
    let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds));
    response.extensions_mut().insert(Fault::SecondaryRateLimit);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_leave_the_window_a_minute_after_they_were_spent() {
        let limits = Limits::default().secondary_points_per_minute(12);
        let mut spent = SecondaryLimits::default();
        let start = Instant::now();
        let at = |seconds| start + Duration::from_secs(seconds);
        assert_eq!(spent.admit("t", 5, &limits, at(0)), Ok(()));
        spent.finish("t");
        assert_eq!(spent.admit("t", 5, &limits, at(20)), Ok(()));
        spent.finish("t");
        // 10 spent; another 5 would make 15: wait until the first 5 leave, 40 s from now.
        assert_eq!(
            spent.admit("t", 5, &limits, at(20)),
            Err(Duration::from_secs(40))
        );
        assert_eq!(spent.admit("t", 1, &limits, at(20)), Ok(()));
        assert_eq!(spent.admit("t", 5, &limits, at(60)), Ok(()));
        // Tokens do not share a window.
        assert_eq!(spent.admit("other", 5, &limits, at(60)), Ok(()));
        // A request dearer than the whole allowance can never pass.
        assert_eq!(
            SecondaryLimits::default().admit(
                "t",
                5,
                &Limits::default().secondary_points_per_minute(3),
                at(0)
            ),
            Err(WINDOW)
        );
    }

    #[test]
    fn requests_in_flight_are_capped_per_token() {
        let limits = Limits::default().max_concurrent(2);
        let mut spent = SecondaryLimits::default();
        let now = Instant::now();
        assert_eq!(spent.admit("t", 1, &limits, now), Ok(()));
        assert_eq!(spent.admit("t", 1, &limits, now), Ok(()));
        assert_eq!(
            spent.admit("t", 1, &limits, now),
            Err(CONCURRENCY_RETRY_AFTER)
        );
        assert_eq!(spent.admit("u", 1, &limits, now), Ok(()));
        spent.finish("t");
        assert_eq!(spent.admit("t", 1, &limits, now), Ok(()));
    }

    #[test]
    fn writes_cost_five_points() {
        assert_eq!(points(&Method::GET), 1);
        assert_eq!(points(&Method::HEAD), 1);
        assert_eq!(points(&Method::DELETE), 5);
        assert_eq!(points(&Method::POST), 5);
    }
}
