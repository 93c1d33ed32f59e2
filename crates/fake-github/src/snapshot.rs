//! [`State`]: a comparable picture of everything the fake holds, for tests to assert on.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::{OwnerKind, PackageType, Visibility};

/// Everything the fake holds at one moment, in a fixed order (owners by login; packages by owner,
/// type and name; versions by id), so two snapshots compare equal exactly when the fake's data
/// is the same. Delete and restore only touch `deleted_at`, so a prune followed by its undo
/// leaves an equal snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct State {
    /// Every account.
    pub owners: Vec<OwnerState>,
    /// Every package, deleted ones included.
    pub packages: Vec<PackageState>,
}

impl State {
    /// The package `owner/name` of `package_type`, deleted or not.
    pub fn package(
        &self,
        owner: &str,
        package_type: PackageType,
        name: &str,
    ) -> Option<&PackageState> {
        self.packages.iter().find(|package| {
            package.owner.eq_ignore_ascii_case(owner)
                && package.package_type == package_type
                && package.name == name
        })
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerState {
    /// The login as seeded.
    pub login: String,
    /// Person or organisation.
    pub kind: OwnerKind,
    /// The account id.
    pub id: u64,
}

/// A package and all its versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageState {
    /// The owner's login.
    pub owner: String,
    /// The registry.
    pub package_type: PackageType,
    /// The package name (decoded: `team/app`, not `team%2Fapp`).
    pub name: String,
    /// The package id.
    pub id: u64,
    /// Who may see it.
    pub visibility: Visibility,
    /// The linked repository's name, if any.
    pub repository: Option<String>,
    /// When the package was deleted; `None` while it is active.
    #[serde(serialize_with = "crate::rfc3339::serialize_option")]
    pub deleted_at: Option<DateTime<Utc>>,
    /// Every version, deleted ones included, by id.
    pub versions: Vec<VersionState>,
}

impl PackageState {
    /// Whether the package itself is deleted (its versions keep their own `deleted_at`).
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// The versions that are not deleted.
    pub fn active_versions(&self) -> impl Iterator<Item = &VersionState> {
        self.versions
            .iter()
            .filter(|version| version.deleted_at.is_none())
    }

    /// The version with this id, deleted or not.
    pub fn version(&self, id: u64) -> Option<&VersionState> {
        self.versions.iter().find(|version| version.id == id)
    }
}

/// One version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionState {
    /// The version id.
    pub id: u64,
    /// The digest (containers) or version string.
    pub name: String,
    /// Container tags.
    pub tags: Vec<String>,
    /// When it was pushed.
    #[serde(serialize_with = "crate::rfc3339::serialize")]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(serialize_with = "crate::rfc3339::serialize")]
    pub updated_at: DateTime<Utc>,
    /// When it was deleted; `None` while it is active.
    #[serde(serialize_with = "crate::rfc3339::serialize_option")]
    pub deleted_at: Option<DateTime<Utc>>,
}
