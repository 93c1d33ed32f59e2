//! A small HTTP client for talking to the fake the way package-warden will.

#![allow(dead_code)] // Each test file uses its own share of these helpers.

use fake_github::{FakeGitHub, Seed};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// A running fake and a client that sends `Authorization: Bearer <token>`.
pub struct Api {
    pub github: FakeGitHub,
    client: reqwest::Client,
    token: Option<String>,
}

/// A response, read in full.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    /// The raw body.
    pub text: String,
    /// The body as JSON; `Value::Null` when it is empty.
    pub json: Value,
}

impl Reply {
    /// The header's value as text, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The URL of the `Link` relation `rel` (`next`, `last`, `first`, `prev`).
    pub fn link(&self, rel: &str) -> Option<String> {
        let wanted = format!("rel=\"{rel}\"");
        self.header("link")?.split(", ").find_map(|part| {
            let (url, relation) = part.split_once("; ")?;
            (relation == wanted).then(|| url.trim_matches(['<', '>']).to_owned())
        })
    }

    /// The relations the `Link` header carries, in order.
    pub fn link_rels(&self) -> Vec<String> {
        self.header("link")
            .map(|link| {
                link.split(", ")
                    .filter_map(|part| {
                        part.split_once("rel=\"")
                            .map(|(_, rel)| rel.trim_end_matches('"').to_owned())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The length of a JSON array body.
    pub fn len(&self) -> usize {
        self.json.as_array().map_or(0, Vec::len)
    }

    /// The error message of an error body.
    pub fn message(&self) -> &str {
        self.json["message"].as_str().unwrap_or_default()
    }

    /// The code of the first error in a registry error body (`MANIFEST_UNKNOWN`, ...).
    pub fn registry_error(&self) -> &str {
        self.json["errors"][0]["code"].as_str().unwrap_or_default()
    }
}

impl Api {
    /// Starts the fake; requests authenticate with `token` when given.
    pub async fn start(seed: Seed, token: Option<&str>) -> Api {
        let client = reqwest::Client::builder()
            // No idle-connection timer: on a paused tokio clock the runtime would jump ahead to
            // it whenever it waits for the fake, and move the rate-limit windows with it.
            .pool_idle_timeout(None)
            .build()
            .expect("a client");
        Api {
            github: FakeGitHub::start(seed).await.expect("the fake starts"),
            client,
            token: token.map(str::to_owned),
        }
    }

    /// The client, for requests the helpers do not cover.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// An absolute URL for a path (with query) relative to the base URL.
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.github.base_url())
        }
    }

    /// `GET` a path (with query) relative to the base URL.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path).await
    }

    /// Sends a request with the client's token.
    pub async fn send(&self, method: Method, path: &str) -> Reply {
        let authorization = self.token.as_ref().map(|token| format!("Bearer {token}"));
        self.send_with(method, path, authorization.as_deref()).await
    }

    /// Sends a request with the given `Authorization` header, or none.
    pub async fn send_with(
        &self,
        method: Method,
        path: &str,
        authorization: Option<&str>,
    ) -> Reply {
        let mut request = self.client.request(method, self.url(path));
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        read(request).await
    }
}

/// Sends `request` and reads the response in full.
pub async fn read(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("the fake answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a readable body");
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {text}"))
    };
    Reply {
        status,
        headers,
        text,
        json,
    }
}
