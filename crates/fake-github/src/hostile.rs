//! Answers GitHub would never give, for testing how a client copes with a server that is broken,
//! misconfigured or not GitHub at all: [`Hostile`] for the REST API and [`HostileRegistry`] for
//! the registry, switched on while the fake runs with
//! [`FakeGitHub::set_hostile`](crate::FakeGitHub::set_hostile) and
//! [`FakeGitHub::set_hostile_registry`](crate::FakeGitHub::set_hostile_registry).

use serde::{Deserialize, Serialize};

use crate::manifest::ManifestSeed;

/// `retry-after` of [`Hostile::HugeRetryAfter`]: a little over three years, in seconds.
pub const HUGE_RETRY_AFTER: u64 = 99_999_999;

/// `rel="last"` of [`Hostile::HugeLastPage`].
pub const HUGE_LAST_PAGE: u64 = 1_000_000_000;

/// One way for the REST API to misbehave. Each applies to the REST API only (the registry is left
/// alone), from the next request on, until it is switched off; a request it answers in its own
/// way changes nothing in the fake's data. Such requests are logged with
/// [`Fault::Hostile`](crate::Fault::Hostile) and counted in
/// [`Counters::hostile_answers`](crate::Counters::hostile_answers).
///
/// ```
/// use fake_github::{FakeGitHub, Hostile, Seed};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> anyhow::Result<()> {
/// let github = FakeGitHub::start(Seed::default().with_org("acme")).await?;
/// github.set_hostile(Some(Hostile::Redirect { location: "https://example.invalid/".into() }));
/// let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
/// let response = client.get(format!("{}/orgs/acme", github.base_url())).send().await?;
/// assert_eq!(response.status(), 302);
/// assert_eq!(response.headers()["location"], "https://example.invalid/");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hostile {
    /// Every `DELETE` and `POST` is answered `422` with a message that quotes the request's
    /// `Authorization` header, token and all, as an API echoing its input back might.
    EchoToken,
    /// Version listings link `rel="next"` in a circle (page 1 to page 2, every later page back to
    /// page 1) and never name `rel="last"`: a client that follows `next` blindly never stops.
    LoopingLink,
    /// Version listings name page [`HUGE_LAST_PAGE`] as `rel="last"`; the pages themselves are
    /// served as usual (empty past the end).
    HugeLastPage,
    /// Every `DELETE` and `POST` is answered `429` with GitHub's secondary-limit message and
    /// `retry-after: 99999999` ([`HUGE_RETRY_AFTER`]).
    HugeRetryAfter,
    /// Every request is answered `302 Found` with this `Location` and an empty body.
    Redirect { location: String },
    /// Every request is answered `403` with an HTML page and none of GitHub's headers (no
    /// `x-github-request-id`, no `x-ratelimit-*`), as a proxy or a login wall in front of the
    /// API might.
    NotGitHub,
    /// Every answer reports `x-ratelimit-remaining: 3` and an `x-ratelimit-reset` an hour in the
    /// past; every `DELETE` and `POST` is answered `403 API rate limit exceeded` with
    /// `x-ratelimit-remaining: 0` and that same past reset, as a server with a wrong clock would.
    RateLimitResetInPast,
}

/// One way for the registry to answer as ghcr.io would not: as another registry, a proxy or a
/// broken server might. Each applies from the next registry request on, until it is switched off;
/// the REST API is left alone.
///
/// ```
/// use fake_github::{FakeGitHub, HostileRegistry, Seed};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> anyhow::Result<()> {
/// let github = FakeGitHub::start(Seed::default().with_org("acme")).await?;
/// github.set_hostile_registry(Some(HostileRegistry::BasicAuth));
/// let response = reqwest::get(format!("{}/v2/", github.base_url())).await?;
/// assert_eq!(response.status(), 401);
/// assert_eq!(response.headers()["www-authenticate"], r#"Basic realm="Registry Realm""#);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostileRegistry {
    /// The challenge's scope asks for these actions instead of `pull`, e.g. `pull,push`: a comma
    /// inside a quoted parameter, which a naive parser of `WWW-Authenticate` splits.
    ScopeActions(String),
    /// The challenge names this realm instead of the fake's own `/token`, e.g. a token service
    /// on another host. The fake's `/token` still answers.
    Realm(String),
    /// The registry asks for HTTP Basic credentials itself
    /// (`WWW-Authenticate: Basic realm="Registry Realm"`), as the distribution registry with
    /// htpasswd does, instead of sending clients to a token service; any user name with a seeded
    /// token as the password may pull anything.
    BasicAuth,
    /// `Docker-Content-Digest` names this digest, whatever the bytes served.
    DigestHeader(String),
    /// Every manifest request is answered with this manifest, whatever it names, and without
    /// `Docker-Content-Digest`: a cache or proxy serving the wrong object.
    WrongManifest(ManifestSeed),
}

impl std::str::FromStr for Hostile {
    type Err = String;

    /// The names the `fake-github` command takes: `echo-token`, `looping-link`,
    /// `huge-last-page`, `huge-retry-after`, `redirect=URL`, `not-github`,
    /// `rate-limit-reset-in-past`.
    fn from_str(text: &str) -> Result<Hostile, String> {
        Ok(match text {
            "echo-token" => Hostile::EchoToken,
            "looping-link" => Hostile::LoopingLink,
            "huge-last-page" => Hostile::HugeLastPage,
            "huge-retry-after" => Hostile::HugeRetryAfter,
            "not-github" => Hostile::NotGitHub,
            "rate-limit-reset-in-past" => Hostile::RateLimitResetInPast,
            _ => match text.strip_prefix("redirect=") {
                Some(location) if !location.is_empty() => Hostile::Redirect {
                    location: location.to_owned(),
                },
                _ => {
                    return Err(format!(
                        "{text:?} is not a hostile mode: expected echo-token, looping-link, \
                         huge-last-page, huge-retry-after, redirect=URL, not-github or \
                         rate-limit-reset-in-past"
                    ));
                }
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_named_on_the_command_line() {
        assert_eq!("looping-link".parse(), Ok(Hostile::LoopingLink));
        assert_eq!(
            "redirect=https://example.invalid/x".parse(),
            Ok(Hostile::Redirect {
                location: "https://example.invalid/x".into()
            })
        );
        assert!("redirect=".parse::<Hostile>().is_err());
        assert!("evil".parse::<Hostile>().is_err());
    }
}
