//! Account profiles: `GET /users/{username}`, `GET /orgs/{org}` and `GET /user`.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::App;
use super::access::not_accessible;
use super::caller::{Authenticated, Caller};
use super::error::{ApiError, docs};
use super::extract::{Path, RequestUrl};
use super::render::Renderer;
use crate::model::OwnerKind;

#[derive(Deserialize)]
pub(crate) struct UserPath {
    username: String,
}

#[derive(Deserialize)]
pub(crate) struct OrgPath {
    org: String,
}

/// `GET /users/{username}`: the public profile of a user or an organisation (GitHub serves both
/// here). Needs no token, as on GitHub.
pub(crate) async fn get_user(
    _caller: Caller,
    State(app): State<App>,
    url: RequestUrl,
    Path(path): Path<UserPath>,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let owner = store
        .owner(&path.username)
        .ok_or_else(|| ApiError::not_found(docs::USERS))?;
    let repositories = store.repository_count(&owner.login);
    Ok(Json(
        Renderer::new(url.api_base()).public_user(owner, repositories),
    ))
}

/// `GET /orgs/{org}`: an organisation's profile; a user's login here is 404. Needs no token.
pub(crate) async fn get_org(
    _caller: Caller,
    State(app): State<App>,
    url: RequestUrl,
    Path(path): Path<OrgPath>,
) -> Result<Json<Value>, ApiError> {
    let store = app.store();
    let owner = store
        .owner(&path.org)
        .filter(|owner| owner.kind == OwnerKind::Organization)
        .ok_or_else(|| ApiError::not_found(docs::ORGS))?;
    let repositories = store.repository_count(&owner.login);
    Ok(Json(
        Renderer::new(url.api_base()).organization(owner, repositories),
    ))
}

/// `GET /user`: the profile of the account the token authenticates as, with its private fields.
/// An App installation or a `GITHUB_TOKEN` acts for no user, and GitHub refuses it here with
/// "Resource not accessible by integration".
pub(crate) async fn get_authenticated_user(
    Authenticated(login): Authenticated,
    caller: Caller,
    State(app): State<App>,
    url: RequestUrl,
) -> Result<Json<Value>, Response> {
    if let Some(profile) = caller.profile()
        && profile.kind.is_integration()
    {
        return Err(not_accessible(profile.kind, docs::USERS));
    }
    let store = app.store();
    let owner = store
        .owner(&login)
        .ok_or_else(|| ApiError::not_found(docs::USERS).into_response())?;
    let repositories = store.repository_count(&owner.login);
    Ok(Json(
        Renderer::new(url.api_base()).private_user(owner, repositories),
    ))
}
