//! `GET`/`HEAD /v2/{owner}/{name...}/manifests/{reference}`: a stored manifest, byte for byte.

use axum::extract::State;
use axum::http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, ETAG};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::RegistryError;
use super::auth::authorize;
use crate::api::App;
use crate::hostile::HostileRegistry;
use crate::model::{PackageType, Visibility};
use crate::store::{Reference, StoredManifest};

/// What a path under `/v2/` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ManifestPath<'a> {
    /// `owner/name`, where the package name may itself contain `/`.
    repository: &'a str,
    owner: &'a str,
    package: &'a str,
    reference: &'a str,
}

impl<'a> ManifestPath<'a> {
    /// Splits `/v2/acme/api/build-cache/manifests/v1` into repository `acme/api/build-cache` and
    /// reference `v1`. References cannot contain `/`, so the last `/manifests/` separates them.
    fn parse(path: &'a str) -> Option<ManifestPath<'a>> {
        let rest = path.strip_prefix("/v2/")?;
        let (repository, reference) = rest.rsplit_once("/manifests/")?;
        let (owner, package) = repository.split_once('/')?;
        let parts = [owner, package, reference];
        (!parts.iter().any(|part| part.is_empty()) && !reference.contains('/')).then_some(
            ManifestPath {
                repository,
                owner,
                package,
                reference,
            },
        )
    }
}

/// Serves the manifest of the active version of container package `{name...}` of `{owner}` that
/// has the digest `{reference}` or carries it as a tag, exactly as stored, with its media type as
/// `Content-Type` and its digest as `Docker-Content-Digest`. A deleted version's manifest is
/// `404 MANIFEST_UNKNOWN` until the version is restored. (`HEAD` is answered from the same
/// handler; axum leaves out the body.) [`HostileRegistry::DigestHeader`] and
/// [`HostileRegistry::WrongManifest`] change what is served once the client is authorised.
pub(crate) async fn get_manifest(
    State(app): State<App>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, RegistryError> {
    let path = ManifestPath::parse(uri.path());
    // Registries authenticate before they look anything up.
    let grant = authorize(&app, &headers, path.map(|path| path.repository))?;
    let Some(path) = path else {
        return Err(RegistryError::new(
            StatusCode::NOT_FOUND,
            "UNSUPPORTED",
            "The operation is unsupported.",
        )
        .detail("the fake registry serves only /v2/<owner>/<name>/manifests/<reference>"));
    };

    let hostile = app.hostile_registry().clone();
    if let Some(HostileRegistry::WrongManifest(manifest)) = &hostile {
        return Ok(manifest_response(
            &StoredManifest::from(manifest.clone()),
            None,
        ));
    }
    let store = app.store();
    // GHCR lower-cases owners in repository paths; logins compare case-insensitively anyway.
    let package = store
        .owner(path.owner)
        .and_then(|owner| {
            store
                .package(&owner.login, PackageType::Container, path.package)
                .ok()
        })
        .ok_or_else(|| RegistryError::name_unknown(path.repository))?;
    if grant.login.is_none() && package.visibility != Visibility::Public {
        return Err(RegistryError::denied());
    }
    let manifest = package
        .active_version_for(Reference::parse(path.reference))
        .and_then(|version| version.manifest.as_ref())
        .ok_or_else(|| {
            RegistryError::manifest_unknown(format!(
                "{} has no manifest {}",
                path.repository, path.reference
            ))
        })?;
    // GHCR answers an index requested with only single-image types accepted as if it did not
    // exist, rather than with 406.
    if !acceptable(&headers, &manifest.media_type) {
        return Err(RegistryError::manifest_unknown(format!(
            "{}@{} is a {}, which the Accept header does not allow",
            path.repository, path.reference, manifest.media_type
        )));
    }

    let digest = match &hostile {
        Some(HostileRegistry::DigestHeader(claimed)) => claimed,
        _ => &manifest.digest,
    };
    Ok(manifest_response(manifest, Some(digest)))
}

/// `manifest`'s bytes with its media type, and `Docker-Content-Digest: digest` when given.
fn manifest_response(manifest: &StoredManifest, digest: Option<&str>) -> Response {
    let mut response = (StatusCode::OK, manifest.content.clone()).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (CONTENT_TYPE, manifest.media_type.clone()),
        (CONTENT_LENGTH, manifest.content.len().to_string()),
        (ETAG, format!("\"{}\"", manifest.digest)),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    if let Some(digest) = digest.and_then(|digest| HeaderValue::from_str(digest).ok()) {
        headers.insert("docker-content-digest", digest);
    }
    response
}

/// Whether a manifest of `media_type` may be served to a client that sent these `Accept`
/// headers: yes when it sent none or allows `*/*`; otherwise only when a range it lists (not
/// with `q=0`) matches. Clients such as docker send one `Accept` header per type, so all count.
fn acceptable(headers: &HeaderMap, media_type: &str) -> bool {
    let ranges: Vec<(&str, bool)> = headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|range| {
            let mut parts = range.split(';').map(str::trim);
            let range = parts.next().filter(|range| !range.is_empty())?;
            let refused = parts.any(|parameter| {
                parameter
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            Some((range, !refused))
        })
        .collect();
    if ranges.is_empty() {
        return true;
    }
    ranges.iter().any(|&(range, allowed)| {
        allowed
            && (range == "*/*"
                || range.eq_ignore_ascii_case(media_type)
                || range.strip_suffix("/*").is_some_and(|kind| {
                    media_type
                        .split_once('/')
                        .is_some_and(|(media_kind, _)| media_kind.eq_ignore_ascii_case(kind))
                }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::media_type::{DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST};

    #[test]
    fn repository_names_may_contain_slashes() {
        assert_eq!(
            ManifestPath::parse("/v2/acme-corp/api/build-cache/manifests/sha256:abc"),
            Some(ManifestPath {
                repository: "acme-corp/api/build-cache",
                owner: "acme-corp",
                package: "api/build-cache",
                reference: "sha256:abc",
            })
        );
        assert_eq!(ManifestPath::parse("/v2/acme/manifests/v1"), None);
        assert_eq!(ManifestPath::parse("/v2/acme/api/manifests/"), None);
        assert_eq!(ManifestPath::parse("/v2/acme/api/tags/list"), None);
    }

    #[test]
    fn accept_lists_select_media_types() {
        let accept = |values: &[&str]| {
            let mut headers = HeaderMap::new();
            for value in values {
                headers.append(ACCEPT, HeaderValue::from_str(value).expect("ascii"));
            }
            headers
        };
        assert!(acceptable(&accept(&[]), OCI_INDEX));
        assert!(acceptable(&accept(&["*/*"]), OCI_INDEX));
        assert!(acceptable(&accept(&["application/*"]), OCI_INDEX));
        let single = accept(&[&format!("{OCI_MANIFEST}, {DOCKER_MANIFEST};q=0.9")]);
        assert!(acceptable(&single, DOCKER_MANIFEST));
        assert!(!acceptable(&single, OCI_INDEX));
        assert!(acceptable(&accept(&[OCI_MANIFEST, OCI_INDEX]), OCI_INDEX));
        assert!(!acceptable(
            &accept(&[&format!("{OCI_INDEX};q=0")]),
            OCI_INDEX
        ));
    }
}
