//! The [`Hostile`] modes: answers GitHub would never give, for the REST API.

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, LINK, LOCATION, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::App;
use super::envelope::Fault;
use super::error::{ApiError, docs};
use super::extract::request_host;
use crate::hostile::{HUGE_LAST_PAGE, HUGE_RETRY_AFTER, Hostile};

/// Marks an answer that must not look like GitHub's: the envelope adds no `x-github-request-id`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NotFromGitHub;

/// What a proxy's refusal looks like.
const PROXY_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>403 Forbidden</title></head>\
     <body><h1>Access denied</h1><p>The proxy refused this request.</p></body></html>\n";

/// Middleware (outermost of the REST stack, inside the request log): answers as the current
/// [`Hostile`] mode says, or passes the request on.
pub(crate) async fn misbehave(State(app): State<App>, request: Request, next: Next) -> Response {
    let Some(hostile) = app.hostile().clone() else {
        return next.run(request).await;
    };
    let changes = !matches!(*request.method(), Method::GET | Method::HEAD);
    let mut response = match hostile {
        Hostile::EchoToken if changes => {
            let authorization = request
                .headers()
                .get(AUTHORIZATION)
                .and_then(|value| value.to_str().ok())
                .unwrap_or("(none)");
            let message = format!(
                "Validation Failed: the request was sent with `Authorization: {authorization}`, \
                 which cannot be used here"
            );
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message, docs::PACKAGES).into_response()
        }
        Hostile::HugeRetryAfter if changes => {
            let mut response = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you \
                 try again.",
                docs::SECONDARY_RATE_LIMITS,
            )
            .into_response();
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(HUGE_RETRY_AFTER));
            response
        }
        Hostile::Redirect { location } => {
            let mut response = StatusCode::FOUND.into_response();
            if let Ok(location) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(LOCATION, location);
            }
            response
        }
        Hostile::NotGitHub => {
            let mut response = (StatusCode::FORBIDDEN, PROXY_PAGE).into_response();
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response.extensions_mut().insert(NotFromGitHub);
            response
        }
        Hostile::RateLimitResetInPast => {
            let reset = app.clock.now().timestamp() - 3600;
            let (mut response, remaining) = if changes {
                let response = ApiError::new(
                    StatusCode::FORBIDDEN,
                    "API rate limit exceeded for user ID 1.",
                    docs::PRIMARY_RATE_LIMITS,
                )
                .into_response();
                (response, 0)
            } else {
                (next.run(request).await, 3)
            };
            let headers = response.headers_mut();
            headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
            headers.insert("x-ratelimit-reset", HeaderValue::from(reset));
            response
        }
        Hostile::LoopingLink | Hostile::HugeLastPage
            if *request.method() == Method::GET && request.uri().path().ends_with("/versions") =>
        {
            let page = page_of(request.uri().query());
            let url = page_url_base(&request, &app);
            let link = match hostile {
                Hostile::LoopingLink => {
                    let next = if page == 1 { 2 } else { 1 };
                    format!("<{url}page={next}>; rel=\"next\"")
                }
                _ => format!(
                    "<{url}page={}>; rel=\"next\", <{url}page={HUGE_LAST_PAGE}>; rel=\"last\"",
                    page + 1
                ),
            };
            let mut response = next.run(request).await;
            if let Ok(link) = HeaderValue::from_str(&link) {
                response.headers_mut().insert(LINK, link);
            }
            response
        }
        _ => return next.run(request).await,
    };
    response.extensions_mut().insert(Fault::Hostile);
    response
}

/// The `page` a listing asks for; 1 when it does not say.
fn page_of(query: Option<&str>) -> u64 {
    query
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("page="))
        .and_then(|page| page.parse().ok())
        .unwrap_or(1)
}

/// The request's URL with its `page` parameter taken out, ending in `?` or `&` so that
/// `page=N` can follow.
fn page_url_base(request: &Request, app: &App) -> String {
    let headers: &HeaderMap = request.headers();
    let uri = request.uri();
    let mut url = format!("http://{}{}?", request_host(headers, app), uri.path());
    for pair in uri.query().unwrap_or_default().split('&') {
        if !pair.is_empty() && !pair.starts_with("page=") {
            url.push_str(pair);
            url.push('&');
        }
    }
    url
}
