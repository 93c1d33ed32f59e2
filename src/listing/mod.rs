//! Finding what the owner has: the owner's scope, the packages that match, their versions, and
//! (in [`images`]) what the registry says about their manifests: the facts the planner decides
//! on. This is the listing stage of every command; it reads and never changes anything.

pub mod images;

use futures::{StreamExt, TryStreamExt};

use crate::github::{ApiError, Client, Scope, VersionState};

use crate::config::{OwnerInput, OwnerType};
use crate::model::{Package, PackageListing, PackageType};
use crate::progress::Progress;
use crate::selector::NameSelector;

/// How many packages have their versions listed at the same time.
const PACKAGES_LISTED_AT_ONCE: usize = 4;

/// Turns the `owner` and `owner-type` inputs into the API scope to use.
pub async fn resolve_scope(client: &Client, owner: &OwnerInput) -> Result<Scope, ApiError> {
    Ok(match owner {
        OwnerInput::TokenAccount => Scope::TokenAccount,
        OwnerInput::Named {
            login,
            owner_type: OwnerType::Org,
        } => Scope::Org(login.clone()),
        OwnerInput::Named {
            login,
            owner_type: OwnerType::User,
        } => Scope::User(login.clone()),
        OwnerInput::Named {
            login,
            owner_type: OwnerType::Auto,
        } => {
            // `GET /users/{login}` answers for organisations too, with `type: Organization`.
            let account = client.get_account(login).await?;
            if account.is_organization() {
                Scope::Org(account.login)
            } else {
                Scope::User(account.login)
            }
        }
    })
}

/// The login of the account a scope names (asking GitHub for the token's own account).
pub async fn owner_login(client: &Client, scope: &Scope) -> Result<String, ApiError> {
    Ok(match scope {
        Scope::Org(login) | Scope::User(login) => login.clone(),
        Scope::TokenAccount => client.token_account().await?.login,
    })
}

/// Why the packages could not be found.
#[derive(Debug, thiserror::Error)]
pub enum PackagesError {
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The owner's packages cannot be listed with this token, and `packages` holds patterns.
    #[error(
        "input `packages` holds patterns, which need the owner's packages listed, and this \
         token may not list them (GITHUB_TOKEN cannot): name the packages exactly, or use a PAT \
         or GitHub App token with read:packages ({0})"
    )]
    CannotList(ApiError),
}

/// The packages of a type that the selector chooses, sorted by name.
///
/// Plain names are fetched one by one: that works with `GITHUB_TOKEN`, which may not list an
/// owner's packages. Patterns need the listing.
pub async fn find_packages(
    client: &Client,
    scope: &Scope,
    package_type: PackageType,
    selector: &NameSelector,
) -> Result<Vec<Package>, PackagesError> {
    let mut packages = match selector.exact_names() {
        Some(names) => {
            futures::stream::iter(names)
                .map(|name| client.get_package(scope, package_type, name))
                .buffered(PACKAGES_LISTED_AT_ONCE)
                .try_collect::<Vec<_>>()
                .await?
        }
        None => {
            let mut all = match client.list_packages(scope, package_type, None).await {
                Ok(all) => all,
                Err(err) if err.status() == Some(403) && !err.is_permission_denied_by_sso() => {
                    return Err(PackagesError::CannotList(err));
                }
                Err(err) => return Err(err.into()),
            };
            all.retain(|package| selector.matches(&package.name));
            all
        }
    };
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    packages.dedup_by(|a, b| a.id == b.id);
    Ok(packages)
}

/// Lists the versions of each package in `state`, a few packages at a time. The versions of a
/// package come newest first, as GitHub lists them, without duplicates: a listing read while
/// versions are pushed can show one version on two pages.
pub async fn list_versions(
    client: &Client,
    scope: &Scope,
    packages: Vec<Package>,
    state: VersionState,
    progress: &Progress<'_>,
) -> Result<Vec<PackageListing>, ApiError> {
    futures::stream::iter(packages)
        .map(|package| async move {
            let mut versions = client
                .list_versions(scope, package.package_type, &package.name, state)
                .await?;
            let mut seen = std::collections::HashSet::new();
            versions.retain(|v| seen.insert(v.id));
            progress.tick();
            Ok(PackageListing { package, versions })
        })
        .buffered(PACKAGES_LISTED_AT_ONCE)
        .try_collect()
        .await
}
