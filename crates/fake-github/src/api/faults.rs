//! Fault injection: latency, `502`/`503` answers and dropped connections, as [`Faults`] configures
//! them, for the REST API and the registry alike.

use std::time::Duration;

use axum::Json;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Request, State};
use axum::http::header::CONNECTION;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::App;
use super::connection::Connection;
use super::envelope::{Fault, RequestKind};
use super::registry::RegistryError;
use crate::faults::Faults;

/// GitHub's body for a `503`, as its API sends it when no backend takes the request.
const UNAVAILABLE_MESSAGE: &str = "No server is currently available to service your request. \
     Sorry about that. Please try resubmitting your request and contact us if the problem persists.";

/// The configured faults and the generator their draws come from.
pub(crate) struct FaultSchedule {
    faults: Faults,
    rng: SplitMix64,
}

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Serve,
    Fail(StatusCode),
    /// Close the connection without answering; `applied` carries the request out first.
    Drop {
        applied: bool,
    },
}

impl FaultSchedule {
    pub fn new(faults: Faults) -> FaultSchedule {
        FaultSchedule {
            rng: SplitMix64(faults.rng_seed),
            faults,
        }
    }

    /// The delay and fate of the next request. Every request makes the same five draws, in the
    /// same order, whatever the settings, so changing one rate leaves the other decisions of a
    /// seeded run where they were.
    fn next(&mut self) -> (Duration, Fate) {
        let [jitter, fail, status, drop, applied] = [(); 5].map(|()| self.rng.next_unit());
        let faults = &self.faults;
        let delay = faults.latency + faults.jitter.mul_f64(jitter);
        let fate = if faults.fail_rate.happens(fail) {
            Fate::Fail(if status < 0.5 {
                StatusCode::BAD_GATEWAY
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            })
        } else if faults.drop_rate.happens(drop) {
            Fate::Drop {
                applied: faults.drop_applied_share.happens(applied),
            }
        } else {
            Fate::Serve
        };
        (delay, fate)
    }
}

/// Middleware: delays the request, then serves it, fails it or drops its connection, as the
/// fault schedule draws. The decision is drawn when the request arrives, so sequential requests
/// meet the schedule in order.
pub(crate) async fn inject_faults(
    State(app): State<App>,
    request: Request,
    next: Next,
) -> Response {
    let (delay, fate) = app.fault_schedule().next();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match fate {
        Fate::Serve => next.run(request).await,
        Fate::Fail(status) => {
            let mut response = failure(status, RequestKind::of(request.uri().path()));
            response.extensions_mut().insert(Fault::ServerError);
            response
        }
        Fate::Drop { applied } => {
            let connection = request
                .extensions()
                .get::<ConnectInfo<Connection>>()
                .map(|ConnectInfo(connection)| connection.clone());
            // Either way the response is never written: the cut connection fails the write.
            let mut response = if applied {
                next.run(request).await
            } else {
                StatusCode::NO_CONTENT.into_response()
            };
            match connection {
                Some(connection) => connection.cut(),
                // Only a router served without the fake's listener has no connection to cut.
                None => tracing::warn!("cannot drop a connection the fake did not accept"),
            }
            response.extensions_mut().insert(if applied {
                Fault::DroppedAfterApplying
            } else {
                Fault::Dropped
            });
            response
        }
    }
}

/// A `502` or `503` as each service sends it. GitHub's edge closes the connection after one.
fn failure(status: StatusCode, kind: RequestKind) -> Response {
    let mut response = match kind {
        RequestKind::Api => {
            let message = if status == StatusCode::BAD_GATEWAY {
                "Server Error"
            } else {
                UNAVAILABLE_MESSAGE
            };
            (status, Json(json!({ "message": message }))).into_response()
        }
        RequestKind::Registry => RegistryError::server_error(status).into_response(),
    };
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny generator whose sequence for a given seed is
/// fixed for good. `rand`'s `StdRng` documents that its algorithm may change between releases,
/// and a seeded fault schedule must replay the same way next year.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform draw from `[0, 1)`: the top 53 bits, which an `f64` holds exactly.
    fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_its_reference_sequence() {
        // The first outputs for seed 1234567 in the reference implementation.
        let mut rng = SplitMix64(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn schedules_replay_for_a_seed() {
        let faults = Faults::default()
            .fail_rate(0.3)
            .drop_rate(0.2)
            .jitter(Duration::from_millis(100))
            .rng_seed(42);
        let run = |faults: &Faults| {
            let mut schedule = FaultSchedule::new(faults.clone());
            (0..200).map(|_| schedule.next()).collect::<Vec<_>>()
        };
        let first = run(&faults);
        assert_eq!(first, run(&faults));
        assert_ne!(first, run(&faults.clone().rng_seed(43)));
        let failures = first
            .iter()
            .filter(|(_, fate)| matches!(fate, Fate::Fail(_)))
            .count();
        assert!((30..90).contains(&failures), "{failures} of 200 failed");
        assert!(
            first
                .iter()
                .all(|(delay, _)| *delay < Duration::from_millis(100))
        );
    }

    #[test]
    fn changing_one_rate_keeps_the_other_draws() {
        let base = Faults::default().drop_rate(0.5).rng_seed(5);
        let fates = |faults: Faults| {
            let mut schedule = FaultSchedule::new(faults);
            (0..100).map(|_| schedule.next().1).collect::<Vec<_>>()
        };
        let without_failures = fates(base.clone());
        let with_failures = fates(base.fail_rate(0.1));
        assert!(
            with_failures
                .iter()
                .any(|fate| matches!(fate, Fate::Fail(_)))
        );
        // Requests that do not fail meet exactly the fate they met before.
        for (before, after) in without_failures.iter().zip(&with_failures) {
            if !matches!(after, Fate::Fail(_)) {
                assert_eq!(before, after);
            }
        }
    }
}
