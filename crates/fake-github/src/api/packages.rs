//! The Packages endpoints, identical under each owner scope (`/orgs/{org}`, `/users/{username}`,
//! `/user`); the [`OwnerScope`] extractor has already settled authentication and the owner.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::LINK;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::App;
use super::access::{GITHUB_SSO, partial_results};
use super::caller::{Caller, OwnerScope};
use super::error::{ApiError, docs};
use super::extract::{Path, Query, RequestUrl};
use super::pagination::PageRequest;
use super::render::Renderer;
use crate::access::sso_shuts_out;
use crate::model::{PackageType, PushTrigger, Visibility};
use crate::store::{Package, Store, VersionFilter};
use crate::tokens::TokenProfile;

/// GitHub refuses package listings that reach past this many items.
const MAX_LISTING_REACH: usize = 10_000;

#[derive(Deserialize)]
pub(crate) struct PackagePath {
    package_type: String,
    package_name: String,
}

#[derive(Deserialize)]
pub(crate) struct VersionPath {
    package_type: String,
    package_name: String,
    package_version_id: String,
}

/// The package type from the URL; an unknown one names nothing, hence 404.
fn parse_type(text: &str) -> Result<PackageType, ApiError> {
    text.parse()
        .map_err(|_| ApiError::not_found(docs::PACKAGES))
}

/// The version id from the URL; one that is not a number names nothing, hence 404.
fn parse_id(text: &str) -> Result<u64, ApiError> {
    text.parse()
        .map_err(|_| ApiError::not_found(docs::PACKAGES))
}

#[derive(Deserialize)]
pub(crate) struct ListPackagesQuery {
    package_type: Option<String>,
    visibility: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct ListVersionsQuery {
    state: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// `GET {scope}/packages?package_type=T[&visibility=V]`: the owner's active packages of one type.
/// Under `/user`, also those of the organisations the user is a member of, except where SAML
/// SSO shuts the token out: those are left out and named in
/// `X-GitHub-SSO: partial-results; organizations=<ids>`, as GitHub answers listings that span
/// organisations.
pub(crate) async fn list_packages(
    scope: OwnerScope,
    caller: Caller,
    State(app): State<App>,
    url: RequestUrl,
    Query(query): Query<ListPackagesQuery>,
) -> Result<Response, ApiError> {
    let package_type = match query.package_type.as_deref() {
        None | Some("") => {
            return Err(ApiError::bad_request(
                "package_type is required: one of npm, maven, rubygems, docker, nuget, container",
            ));
        }
        Some(text) => text
            .parse::<PackageType>()
            .map_err(|error| ApiError::bad_request(error.to_string()))?,
    };
    let visibility = match query.visibility.as_deref() {
        None | Some("") => None,
        Some("public") => Some(Visibility::Public),
        // GitHub's description: `internal` is synonymous with `private` outside the registries
        // with granular permissions, and the fake has no internal packages.
        Some("private" | "internal") => Some(Visibility::Private),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "unknown visibility {other:?}: expected public, private or internal"
            )));
        }
    };
    let page = PageRequest::new(query.page.as_deref(), query.per_page.as_deref());
    if page.reach() > MAX_LISTING_REACH {
        return Err(ApiError::bad_request(
            "The value of `per_page` multiplied by `page` cannot be greater than 10000.",
        ));
    }

    let store = app.store();
    let renderer = Renderer::new(url.api_base());
    let Some(owner) = store.owner(&scope.login) else {
        return Err(ApiError::not_found(docs::PACKAGES));
    };
    let (packages, withheld) = match caller.profile() {
        Some(profile) if scope.via_user => {
            packages_of_user(&store, &owner.login, profile, package_type, visibility)
        }
        _ => (
            store.packages(&owner.login, package_type, visibility),
            Vec::new(),
        ),
    };
    let (packages, link) = page.apply(packages, &url);
    let body: Vec<Value> = packages
        .into_iter()
        .filter_map(|package| {
            let owner = store.owner(&package.owner)?;
            Some(renderer.package(package, owner))
        })
        .collect();
    let mut response = paged(body, link);
    if let Some(header) = partial_results(&withheld) {
        response.headers_mut().insert(GITHUB_SSO, header);
    }
    Ok(response)
}

/// What `/user/packages` lists: the user's packages and those of their organisations, by name
/// (then owner), with the ids of the organisations whose SSO withheld theirs.
fn packages_of_user<'a>(
    store: &'a Store,
    login: &str,
    profile: &TokenProfile,
    package_type: PackageType,
    visibility: Option<Visibility>,
) -> (Vec<&'a Package>, Vec<u64>) {
    let mut packages = store.packages(login, package_type, visibility);
    let mut withheld = Vec::new();
    for org in store.organizations_of(login) {
        if sso_shuts_out(profile, &org.login, org.saml_sso) {
            withheld.push(org.id);
        } else {
            packages.extend(store.packages(&org.login, package_type, visibility));
        }
    }
    packages.sort_by(|a, b| (&a.name, &a.owner).cmp(&(&b.name, &b.owner)));
    (packages, withheld)
}

/// `GET {scope}/packages/{type}/{name}`: one active package.
pub(crate) async fn get_package(
    scope: OwnerScope,
    State(app): State<App>,
    url: RequestUrl,
    Path(path): Path<PackagePath>,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let package = store.package(
        &scope.login,
        parse_type(&path.package_type)?,
        &path.package_name,
    )?;
    let owner = store
        .owner(&package.owner)
        .ok_or_else(|| ApiError::not_found(docs::PACKAGES))?;
    Ok(Json(Renderer::new(url.api_base()).package(package, owner)))
}

/// `DELETE {scope}/packages/{type}/{name}`: deletes the package with all its versions.
pub(crate) async fn delete_package(
    scope: OwnerScope,
    State(app): State<App>,
    Path(path): Path<PackagePath>,
) -> Result<StatusCode, ApiError> {
    let package_type = parse_type(&path.package_type)?;
    let now = app.clock.now_to_second();
    app.store()
        .delete_package(&scope.login, package_type, &path.package_name, now)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST {scope}/packages/{type}/{name}/restore[?token=]`: brings a deleted package back with its
/// versions as they were. The `token` parameter (for restoring under a reused namespace) is
/// accepted and ignored.
pub(crate) async fn restore_package(
    scope: OwnerScope,
    State(app): State<App>,
    Path(path): Path<PackagePath>,
) -> Result<StatusCode, ApiError> {
    let package_type = parse_type(&path.package_type)?;
    app.store()
        .restore_package(&scope.login, package_type, &path.package_name)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET {scope}/packages/{type}/{name}/versions[?state=active|deleted]`: the package's versions
/// in one state, newest first.
pub(crate) async fn list_versions(
    scope: OwnerScope,
    State(app): State<App>,
    url: RequestUrl,
    Path(path): Path<PackagePath>,
    Query(query): Query<ListVersionsQuery>,
) -> Result<Response, ApiError> {
    let filter = match query.state.as_deref() {
        None | Some("") | Some("active") => VersionFilter::Active,
        Some("deleted") => VersionFilter::Deleted,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "unknown state {other:?}: expected active or deleted"
            )));
        }
    };
    let page = PageRequest::new(query.page.as_deref(), query.per_page.as_deref());

    let package_type = parse_type(&path.package_type)?;
    let mut store = app.store();
    let package = store.package(&scope.login, package_type, &path.package_name)?;
    let owner = store
        .owner(&package.owner)
        .ok_or_else(|| ApiError::not_found(docs::PACKAGES))?;
    let renderer = Renderer::new(url.api_base());
    let (versions, link) = page.apply(package.versions_in(filter), &url);
    let body: Vec<Value> = versions
        .into_iter()
        .map(|version| renderer.version(package, owner, version))
        .collect();
    if filter == VersionFilter::Active {
        let (login, name) = (scope.login.as_str(), path.package_name.as_str());
        store.deliver_pushes(app.clock.now_to_second(), |package, trigger| {
            trigger == PushTrigger::AfterListing
                && package.owner.eq_ignore_ascii_case(login)
                && package.package_type == package_type
                && package.name == name
        });
    }
    Ok(paged(body, link))
}

/// `GET {scope}/packages/{type}/{name}/versions/{id}`: one active version; a deleted one is 404.
pub(crate) async fn get_version(
    scope: OwnerScope,
    State(app): State<App>,
    url: RequestUrl,
    Path(path): Path<VersionPath>,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let package_type = parse_type(&path.package_type)?;
    let (package, version) = store.version(
        &scope.login,
        package_type,
        &path.package_name,
        parse_id(&path.package_version_id)?,
    )?;
    let owner = store
        .owner(&package.owner)
        .ok_or_else(|| ApiError::not_found(docs::PACKAGES))?;
    Ok(Json(
        Renderer::new(url.api_base()).version(package, owner, version),
    ))
}

/// `DELETE {scope}/packages/{type}/{name}/versions/{id}`: deletes an active version, unless it is
/// the package's last one.
pub(crate) async fn delete_version(
    scope: OwnerScope,
    State(app): State<App>,
    Path(path): Path<VersionPath>,
) -> Result<StatusCode, ApiError> {
    let (package_type, id) = (
        parse_type(&path.package_type)?,
        parse_id(&path.package_version_id)?,
    );
    let now = app.clock.now_to_second();
    app.store()
        .delete_version(&scope.login, package_type, &path.package_name, id, now)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST {scope}/packages/{type}/{name}/versions/{id}/restore`: restores a deleted version.
pub(crate) async fn restore_version(
    scope: OwnerScope,
    State(app): State<App>,
    Path(path): Path<VersionPath>,
) -> Result<StatusCode, ApiError> {
    let (package_type, id) = (
        parse_type(&path.package_type)?,
        parse_id(&path.package_version_id)?,
    );
    app.store()
        .restore_version(&scope.login, package_type, &path.package_name, id)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET {scope}/docker/conflicts`: Docker-registry packages whose migration conflicts (only those
/// seeded with `docker_conflict`). Not paginated, as on GitHub.
pub(crate) async fn docker_conflicts(
    scope: OwnerScope,
    State(app): State<App>,
    url: RequestUrl,
) -> Result<Json<Vec<Value>>, ApiError> {
    let store = app.store();
    let owner = store
        .owner(&scope.login)
        .ok_or_else(|| ApiError::not_found(docs::PACKAGES))?;
    let renderer = Renderer::new(url.api_base());
    let body = store
        .docker_conflicts(&owner.login)
        .into_iter()
        .map(|package| renderer.package(package, owner))
        .collect();
    Ok(Json(body))
}

/// A page of a listing with its `Link` header.
fn paged(body: Vec<Value>, link: Option<axum::http::HeaderValue>) -> Response {
    let mut response = Json(body).into_response();
    if let Some(link) = link {
        response.headers_mut().insert(LINK, link);
    }
    response
}
