//! The fake's data and the rules GitHub applies when it changes.
//!
//! Nothing here knows about HTTP or reads a clock: operations take `now` and answer with a
//! [`Refusal`] where GitHub would refuse, which the HTTP layer turns into GitHub's status and
//! message.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::manifest::ManifestSeed;
use crate::model::{
    DEFAULT_CREATED_AT, DEFAULT_RATE_LIMIT, MetadataShape, OwnerKind, PackageSeed, PackageType,
    PushTrigger, Seed, VersionSeed, Visibility,
};
use crate::snapshot::{OwnerState, PackageState, State, VersionState};
use crate::tokens::{TokenKind, TokenProfile};

/// A seed the fake cannot start from; each message names the offending entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeedError {
    /// Two owners share a login (logins are case-insensitive).
    #[error("the seed declares the owner {0:?} twice (logins are case-insensitive)")]
    DuplicateOwner(String),
    /// A package names an owner the seed does not declare.
    #[error(
        "package {package:?} belongs to {owner:?}, which the seed does not declare: add it with with_org or with_user"
    )]
    UnknownOwner { package: String, owner: String },
    /// A token authenticates as a login the seed does not declare.
    #[error(
        "token for {login:?} names an account the seed does not declare: add it with with_user"
    )]
    UnknownTokenLogin { login: String },
    /// A token profile is given for a token that `tokens` does not list. (The token is not
    /// named: tokens are secrets, even fake ones, and messages get printed.)
    #[error(
        "a token profile is given for a token the seed does not accept: add the token with with_token too"
    )]
    UnknownProfileToken,
    /// A token profile sets a field that its kind of token does not have, e.g. scopes on a
    /// `GITHUB_TOKEN`.
    #[error(
        "the {kind} token of {login:?} sets {field}, which {kind} tokens do not have (scopes and sso_authorized are for classic and oauth tokens, packages for the others, repository and actions_access for github_token)"
    )]
    MisfitTokenProfile {
        login: String,
        kind: TokenKind,
        field: &'static str,
    },
    /// A user is given a setting only organisations have (`saml_sso`, `members`).
    #[error("{login:?} is a user, but only organisations have {setting}")]
    NotAnOrganization {
        login: String,
        setting: &'static str,
    },
    /// An organisation lists a member the seed does not declare as a user.
    #[error(
        "organisation {org:?} lists the member {member:?}, which the seed does not declare as a user: add it with with_user"
    )]
    UnknownMember { org: String, member: String },
    /// Two packages share owner, type and name.
    #[error("the seed declares the {package_type} package {owner}/{name} twice")]
    DuplicatePackage {
        owner: String,
        package_type: PackageType,
        name: String,
    },
    /// Two versions of one package share a name (a digest or version string).
    #[error("package {package:?} has the version {version:?} twice")]
    DuplicateVersion { package: String, version: String },
    /// Two entries of one kind carry the same explicit id.
    #[error("the seed gives the id {id} to two {what}")]
    DuplicateId { what: &'static str, id: u64 },
    /// A container version's name is a digest that does not match its manifest.
    #[error(
        "version {version:?} of {package:?} carries a manifest whose digest is {actual}: name the version by that digest"
    )]
    DigestMismatch {
        package: String,
        version: String,
        actual: String,
    },
}

/// Why GitHub would refuse an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No active package of that type and name under the owner (or, for a restore, no deleted
    /// one).
    PackageNotFound,
    /// No such version in the state the operation needs (active for get and delete, deleted for
    /// restore).
    VersionNotFound,
    /// The version is the package's only active one; GitHub makes you delete the package.
    LastVersion,
    /// A version of a public package downloaded more than 5,000 times: only GitHub Support
    /// may delete it.
    TooPopular,
    /// The seed makes this version's deletion fail with this status.
    Injected(u16),
}

/// An account.
#[derive(Debug, Clone)]
pub(crate) struct Owner {
    pub id: u64,
    pub login: String,
    pub kind: OwnerKind,
    pub name: Option<String>,
    /// Organisations: whether SAML single sign-on is enforced.
    pub saml_sso: bool,
    /// Organisations: the members' logins (canonical spelling).
    pub members: Vec<String>,
}

/// A token the fake accepts.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    /// The login (canonical spelling) it authenticates as.
    pub login: String,
    pub profile: TokenProfile,
}

/// The repository a package is linked to; it always belongs to the package's owner.
#[derive(Debug, Clone)]
pub(crate) struct Repository {
    pub id: u64,
    pub name: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Package {
    pub id: u64,
    /// The owner's login as seeded (the canonical spelling).
    pub owner: String,
    pub package_type: PackageType,
    pub name: String,
    pub visibility: Visibility,
    pub repository: Option<Repository>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub docker_conflict: bool,
    pub versions: Vec<Version>,
    /// Versions still to be pushed, with what makes them arrive.
    pub late_pushes: Vec<(Version, PushTrigger)>,
}

impl Package {
    /// The versions in `state`, newest first, the order GitHub lists them in.
    pub fn versions_in(&self, filter: VersionFilter) -> Vec<&Version> {
        let mut versions: Vec<&Version> = self
            .versions
            .iter()
            .filter(|version| version.is_deleted() == (filter == VersionFilter::Deleted))
            .collect();
        versions.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        versions
    }

    /// How many versions are active: the package's `version_count`.
    pub fn active_version_count(&self) -> usize {
        self.versions
            .iter()
            .filter(|version| !version.is_deleted())
            .count()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Version {
    pub id: u64,
    pub name: String,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// What the registry serves for this version, if the seed gave it a manifest.
    pub manifest: Option<StoredManifest>,
    /// How often it was downloaded.
    pub downloads: u64,
    /// Every DELETE of it fails with this status.
    pub delete_fails: Option<u16>,
    /// How its `metadata` is served.
    pub metadata_shape: MetadataShape,
}

impl Version {
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

/// A manifest as the registry serves it, with its digest worked out once.
#[derive(Debug, Clone)]
pub(crate) struct StoredManifest {
    pub media_type: String,
    /// The exact bytes the digest covers.
    pub content: String,
    /// `sha256:<hex>` of `content`.
    pub digest: String,
}

impl From<ManifestSeed> for StoredManifest {
    fn from(manifest: ManifestSeed) -> Self {
        StoredManifest {
            digest: manifest.digest(),
            media_type: manifest.media_type,
            content: manifest.content,
        }
    }
}

/// What a registry request names after `/manifests/`: a digest or a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reference<'a> {
    /// `sha256:<hex>` (any `algorithm:encoded` form; only sha256 digests are ever stored).
    Digest(&'a str),
    /// Anything else, e.g. `v1.2.0` or `sha256-<hex>.sig`.
    Tag(&'a str),
}

impl<'a> Reference<'a> {
    /// Tags cannot contain `:`, digests always do, so that tells them apart as in the OCI
    /// distribution spec.
    pub fn parse(text: &'a str) -> Reference<'a> {
        if text.contains(':') {
            Reference::Digest(text)
        } else {
            Reference::Tag(text)
        }
    }
}

impl Package {
    /// The active version the registry serves for `reference`: the one named by that digest, or
    /// the one carrying that tag. A deleted version's manifest and tags are gone with it.
    pub fn active_version_for(&self, reference: Reference<'_>) -> Option<&Version> {
        let mut active = self.versions.iter().filter(|v| !v.is_deleted());
        match reference {
            Reference::Digest(digest) => active.find(|version| {
                version
                    .manifest
                    .as_ref()
                    .map_or(version.name == digest, |m| m.digest == digest)
            }),
            // Should two versions carry one tag, the newest wins, as the last push would have.
            Reference::Tag(tag) => active
                .filter(|version| version.tags.iter().any(|t| t == tag))
                .max_by_key(|version| (version.created_at, version.id)),
        }
    }
}

/// Which versions a listing asks for (`state=active|deleted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VersionFilter {
    Active,
    Deleted,
}

/// The fake's data.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    owners: Vec<Owner>,
    /// Every token, by its text.
    tokens: BTreeMap<String, Token>,
    rate_limit: u32,
    packages: Vec<Package>,
}

impl Store {
    /// Checks the seed and assigns the ids it leaves out.
    pub fn from_seed(seed: Seed) -> Result<Store, SeedError> {
        let mut owner_ids = IdAllocator::new(1, "owners", seed.owners.iter().map(|o| o.id))?;
        let mut package_ids =
            IdAllocator::new(100, "packages", seed.packages.iter().map(|p| p.id))?;
        let mut version_ids = IdAllocator::new(
            1000,
            "versions",
            seed.packages
                .iter()
                .flat_map(|p| p.versions.iter().map(|v| v.id)),
        )?;
        let mut repository_ids = IdAllocator::new(500, "repositories", std::iter::empty())?;

        let mut owners: Vec<Owner> = Vec::with_capacity(seed.owners.len());
        for owner in seed.owners {
            if owners
                .iter()
                .any(|known| known.login.eq_ignore_ascii_case(&owner.login))
            {
                return Err(SeedError::DuplicateOwner(owner.login));
            }
            let setting = if owner.saml_sso {
                Some("saml_sso")
            } else if !owner.members.is_empty() {
                Some("members")
            } else {
                None
            };
            if let (OwnerKind::User, Some(setting)) = (owner.kind, setting) {
                return Err(SeedError::NotAnOrganization {
                    login: owner.login,
                    setting,
                });
            }
            owners.push(Owner {
                id: owner_ids.claim(owner.id),
                login: owner.login,
                kind: owner.kind,
                name: owner.name,
                saml_sso: owner.saml_sso,
                members: owner.members,
            });
        }
        let canonical_user = |owners: &[Owner], login: &str| {
            owners
                .iter()
                .find(|owner| {
                    owner.kind == OwnerKind::User && owner.login.eq_ignore_ascii_case(login)
                })
                .map(|owner| owner.login.clone())
        };
        for index in 0..owners.len() {
            let members = std::mem::take(&mut owners[index].members);
            owners[index].members = members
                .into_iter()
                .map(|member| {
                    canonical_user(&owners, &member).ok_or_else(|| SeedError::UnknownMember {
                        org: owners[index].login.clone(),
                        member,
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        let canonical_login = |login: &str| {
            owners
                .iter()
                .find(|owner| owner.login.eq_ignore_ascii_case(login))
                .map(|owner| owner.login.clone())
        };

        let mut profiles = seed.token_profiles;
        if profiles
            .keys()
            .any(|token| !seed.tokens.contains_key(token))
        {
            return Err(SeedError::UnknownProfileToken);
        }
        let mut tokens = BTreeMap::new();
        for (token, login) in seed.tokens {
            let login = canonical_login(&login).ok_or(SeedError::UnknownTokenLogin { login })?;
            let profile = profiles
                .remove(&token)
                .unwrap_or_else(TokenProfile::unrestricted);
            if let Some(field) = profile.misfit_field() {
                return Err(SeedError::MisfitTokenProfile {
                    login,
                    kind: profile.kind,
                    field,
                });
            }
            tokens.insert(token, Token { login, profile });
        }

        let mut repositories: BTreeMap<(String, String), u64> = BTreeMap::new();
        let mut packages: Vec<Package> = Vec::with_capacity(seed.packages.len());
        for seeded in seed.packages {
            let owner = canonical_login(&seeded.owner).ok_or_else(|| SeedError::UnknownOwner {
                package: seeded.name.clone(),
                owner: seeded.owner.clone(),
            })?;
            if packages.iter().any(|known| {
                known.owner == owner
                    && known.package_type == seeded.package_type
                    && known.name == seeded.name
            }) {
                return Err(SeedError::DuplicatePackage {
                    owner,
                    package_type: seeded.package_type,
                    name: seeded.name,
                });
            }
            let repository = seeded.repository.clone().map(|name| Repository {
                id: *repositories
                    .entry((owner.clone(), name.clone()))
                    .or_insert_with(|| repository_ids.claim(None)),
                name,
            });
            let id = package_ids.claim(seeded.id);
            packages.push(build_package(
                seeded,
                id,
                owner,
                repository,
                &mut version_ids,
            )?);
        }

        Ok(Store {
            owners,
            tokens,
            rate_limit: seed.rate_limit.unwrap_or(DEFAULT_RATE_LIMIT),
            packages,
        })
    }

    /// The account a bearer token authenticates as, if the token is known.
    pub fn authenticate(&self, token: &str) -> Option<&Owner> {
        let token = self.tokens.get(token)?;
        self.owner(&token.login)
    }

    /// What a known token is and may do.
    pub fn token_profile(&self, token: &str) -> Option<&TokenProfile> {
        self.tokens.get(token).map(|token| &token.profile)
    }

    /// The organisations `login` is a member of, by id.
    pub fn organizations_of(&self, login: &str) -> Vec<&Owner> {
        let mut organizations: Vec<&Owner> = self
            .owners
            .iter()
            .filter(|owner| {
                owner
                    .members
                    .iter()
                    .any(|member| member.eq_ignore_ascii_case(login))
            })
            .collect();
        organizations.sort_by_key(|owner| owner.id);
        organizations
    }

    /// The repository (name, under the owner) a package of that owner, type and name is linked
    /// to, whatever its state: `None` when no such package exists at all, `Some(None)` when it
    /// is linked to none.
    pub fn linked_repository(
        &self,
        owner: &str,
        package_type: PackageType,
        name: &str,
    ) -> Option<Option<&str>> {
        self.packages
            .iter()
            .find(|package| package.is(owner, package_type, name))
            .map(|package| package.repository.as_ref().map(|r| r.name.as_str()))
    }

    /// Requests each token may make per hour.
    pub fn rate_limit(&self) -> u32 {
        self.rate_limit
    }

    /// The account with this login, compared case-insensitively as GitHub does.
    pub fn owner(&self, login: &str) -> Option<&Owner> {
        self.owners
            .iter()
            .find(|owner| owner.login.eq_ignore_ascii_case(login))
    }

    /// How many distinct repositories the owner's packages are linked to: the fake's idea of the
    /// owner's `public_repos`.
    pub fn repository_count(&self, owner: &str) -> usize {
        self.packages
            .iter()
            .filter(|package| package.owner == owner)
            .filter_map(|package| package.repository.as_ref().map(|r| r.id))
            .collect::<BTreeSet<u64>>()
            .len()
    }

    /// The owner's active packages of one type, by name, optionally only those of one visibility.
    pub fn packages(
        &self,
        owner: &str,
        package_type: PackageType,
        visibility: Option<Visibility>,
    ) -> Vec<&Package> {
        let mut packages: Vec<&Package> = self
            .packages
            .iter()
            .filter(|package| {
                package.owner == owner
                    && package.package_type == package_type
                    && package.deleted_at.is_none()
                    && visibility.is_none_or(|wanted| package.visibility == wanted)
            })
            .collect();
        packages.sort_by(|a, b| a.name.cmp(&b.name));
        packages
    }

    /// The owner's active packages that conflict with the Docker-to-Container migration.
    pub fn docker_conflicts(&self, owner: &str) -> Vec<&Package> {
        let mut packages: Vec<&Package> = self
            .packages
            .iter()
            .filter(|p| p.owner == owner && p.docker_conflict && p.deleted_at.is_none())
            .collect();
        packages.sort_by(|a, b| a.name.cmp(&b.name));
        packages
    }

    /// An active package.
    pub fn package(
        &self,
        owner: &str,
        package_type: PackageType,
        name: &str,
    ) -> Result<&Package, Refusal> {
        self.packages
            .iter()
            .find(|p| p.is(owner, package_type, name) && p.deleted_at.is_none())
            .ok_or(Refusal::PackageNotFound)
    }

    fn package_mut(
        &mut self,
        owner: &str,
        package_type: PackageType,
        name: &str,
        deleted: bool,
    ) -> Result<&mut Package, Refusal> {
        self.packages
            .iter_mut()
            .filter(|p| p.is(owner, package_type, name) && p.deleted_at.is_some() == deleted)
            // Should a name have been deleted more than once, the latest deletion is restored.
            .max_by_key(|p| p.deleted_at)
            .ok_or(Refusal::PackageNotFound)
    }

    /// An active version of an active package.
    pub fn version(
        &self,
        owner: &str,
        package_type: PackageType,
        name: &str,
        id: u64,
    ) -> Result<(&Package, &Version), Refusal> {
        let package = self.package(owner, package_type, name)?;
        let version = package
            .versions
            .iter()
            .find(|v| v.id == id && !v.is_deleted())
            .ok_or(Refusal::VersionNotFound)?;
        Ok((package, version))
    }

    /// Deletes an active package; its versions keep their own state and come back with it.
    pub fn delete_package(
        &mut self,
        owner: &str,
        package_type: PackageType,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        self.package_mut(owner, package_type, name, false)?
            .deleted_at = Some(now);
        Ok(())
    }

    /// Restores a deleted package. GitHub answers 404 when the package is not deleted, and when
    /// its name has been taken by a new package since.
    pub fn restore_package(
        &mut self,
        owner: &str,
        package_type: PackageType,
        name: &str,
    ) -> Result<(), Refusal> {
        if self.package(owner, package_type, name).is_ok() {
            return Err(Refusal::PackageNotFound);
        }
        self.package_mut(owner, package_type, name, true)?
            .deleted_at = None;
        Ok(())
    }

    /// Deletes an active version of an active package.
    pub fn delete_version(
        &mut self,
        owner: &str,
        package_type: PackageType,
        name: &str,
        id: u64,
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        let package = self.package_mut(owner, package_type, name, false)?;
        let active = package.active_version_count();
        let public = package.visibility == Visibility::Public;
        let version = package
            .versions
            .iter_mut()
            .find(|v| v.id == id && !v.is_deleted())
            .ok_or(Refusal::VersionNotFound)?;
        // GitHub refuses to delete a package's last version: the package must be deleted instead.
        if active <= 1 {
            return Err(Refusal::LastVersion);
        }
        // "If a public package has more than 5,000 downloads, contact GitHub Support."
        if public && version.downloads > 5_000 {
            return Err(Refusal::TooPopular);
        }
        if let Some(status) = version.delete_fails {
            return Err(Refusal::Injected(status));
        }
        version.deleted_at = Some(now);
        Ok(())
    }

    /// Restores a deleted version of an active package.
    pub fn restore_version(
        &mut self,
        owner: &str,
        package_type: PackageType,
        name: &str,
        id: u64,
    ) -> Result<(), Refusal> {
        let package = self.package_mut(owner, package_type, name, false)?;
        let version = package
            .versions
            .iter_mut()
            .find(|v| v.id == id && v.is_deleted())
            .ok_or(Refusal::VersionNotFound)?;
        version.deleted_at = None;
        Ok(())
    }

    /// Pushes the late versions whose trigger `fired` says has fired, stamped `now`. A push
    /// into a deleted package (or a package whose tag it carries is taken) still lands, as a
    /// registry push would recreate the package: the fake keeps it simple and only adds it.
    pub fn deliver_pushes(
        &mut self,
        now: DateTime<Utc>,
        mut fired: impl FnMut(&Package, PushTrigger) -> bool,
    ) {
        for index in 0..self.packages.len() {
            let pending = std::mem::take(&mut self.packages[index].late_pushes);
            let (due, later): (Vec<_>, Vec<_>) = pending
                .into_iter()
                .partition(|(_, trigger)| fired(&self.packages[index], *trigger));
            let package = &mut self.packages[index];
            package.late_pushes = later;
            for (mut version, _) in due {
                // A tag moves to the newest image that claims it, as on a registry.
                for tag in &version.tags {
                    for other in &mut package.versions {
                        other.tags.retain(|t| t != tag);
                    }
                }
                version.created_at = now;
                version.updated_at = now;
                package.deleted_at = None;
                package.updated_at = now;
                package.versions.push(version);
            }
        }
    }

    /// A snapshot in the deterministic order [`State`] promises.
    pub fn snapshot(&self) -> State {
        let mut owners: Vec<OwnerState> = self
            .owners
            .iter()
            .map(|owner| OwnerState {
                login: owner.login.clone(),
                kind: owner.kind,
                id: owner.id,
            })
            .collect();
        owners.sort_by(|a, b| a.login.cmp(&b.login));

        let mut packages: Vec<PackageState> = self
            .packages
            .iter()
            .map(|package| {
                let mut versions: Vec<_> = package
                    .versions
                    .iter()
                    .map(|version| VersionState {
                        id: version.id,
                        name: version.name.clone(),
                        tags: version.tags.clone(),
                        created_at: version.created_at,
                        updated_at: version.updated_at,
                        deleted_at: version.deleted_at,
                    })
                    .collect();
                versions.sort_by_key(|version| version.id);
                PackageState {
                    owner: package.owner.clone(),
                    package_type: package.package_type,
                    name: package.name.clone(),
                    id: package.id,
                    visibility: package.visibility,
                    repository: package.repository.as_ref().map(|r| r.name.clone()),
                    deleted_at: package.deleted_at,
                    versions,
                }
            })
            .collect();
        packages.sort_by(|a, b| {
            (&a.owner, a.package_type, &a.name, a.id).cmp(&(
                &b.owner,
                b.package_type,
                &b.name,
                b.id,
            ))
        });
        State { owners, packages }
    }
}

impl Package {
    fn is(&self, owner: &str, package_type: PackageType, name: &str) -> bool {
        self.owner == owner && self.package_type == package_type && self.name == name
    }
}

fn build_package(
    seeded: PackageSeed,
    id: u64,
    owner: String,
    repository: Option<Repository>,
    version_ids: &mut IdAllocator,
) -> Result<Package, SeedError> {
    let mut versions: Vec<Version> = Vec::with_capacity(seeded.versions.len());
    for version in seeded.versions {
        if versions.iter().any(|known| known.name == version.name) {
            return Err(SeedError::DuplicateVersion {
                package: seeded.name,
                version: version.name,
            });
        }
        versions.push(build_version(&seeded.name, version, version_ids)?);
    }
    let mut late_pushes = Vec::with_capacity(seeded.late_pushes.len());
    for push in seeded.late_pushes {
        let known = versions.iter().chain(late_pushes.iter().map(|(v, _)| v));
        if known
            .into_iter()
            .any(|known: &Version| known.name == push.version.name)
        {
            return Err(SeedError::DuplicateVersion {
                package: seeded.name,
                version: push.version.name,
            });
        }
        late_pushes.push((
            build_version(&seeded.name, push.version, version_ids)?,
            push.trigger,
        ));
    }
    let created_at = seeded
        .created_at
        .or_else(|| versions.iter().map(|v| v.created_at).min())
        .unwrap_or(DEFAULT_CREATED_AT);
    let updated_at = seeded
        .updated_at
        .or_else(|| versions.iter().map(|v| v.updated_at).max())
        .unwrap_or(created_at);
    Ok(Package {
        id,
        owner,
        package_type: seeded.package_type,
        name: seeded.name,
        visibility: seeded.visibility,
        repository,
        created_at,
        updated_at,
        deleted_at: seeded.deleted_at,
        docker_conflict: seeded.docker_conflict,
        versions,
        late_pushes,
    })
}

fn build_version(
    package: &str,
    version: VersionSeed,
    version_ids: &mut IdAllocator,
) -> Result<Version, SeedError> {
    let manifest = version.manifest.map(StoredManifest::from);
    if let Some(manifest) = &manifest
        && version.name.starts_with("sha256:")
        && version.name != manifest.digest
    {
        return Err(SeedError::DigestMismatch {
            package: package.to_string(),
            version: version.name,
            actual: manifest.digest.clone(),
        });
    }
    let created_at = version.created_at.unwrap_or(DEFAULT_CREATED_AT);
    Ok(Version {
        id: version_ids.claim(version.id),
        name: version.name,
        tags: version.tags,
        created_at,
        updated_at: version.updated_at.unwrap_or(created_at),
        deleted_at: version.deleted_at,
        manifest,
        downloads: version.downloads,
        delete_fails: version.delete_fails,
        metadata_shape: version.metadata_shape,
    })
}

/// Hands out ids in order from a starting point, skipping the ones the seed names explicitly.
struct IdAllocator {
    next: u64,
    explicit: BTreeSet<u64>,
}

impl IdAllocator {
    fn new(
        start: u64,
        what: &'static str,
        explicit: impl IntoIterator<Item = Option<u64>>,
    ) -> Result<IdAllocator, SeedError> {
        let mut taken = BTreeSet::new();
        for id in explicit.into_iter().flatten() {
            if !taken.insert(id) {
                return Err(SeedError::DuplicateId { what, id });
            }
        }
        Ok(IdAllocator {
            next: start,
            explicit: taken,
        })
    }

    fn claim(&mut self, explicit: Option<u64>) -> u64 {
        if let Some(id) = explicit {
            return id;
        }
        while self.explicit.contains(&self.next) {
            self.next += 1;
        }
        let id = self.next;
        self.next += 1;
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OwnerSeed, PackageSeed, VersionSeed};

    const NOW: DateTime<Utc> = DateTime::from_timestamp(1_800_000_000, 0).expect("in range");

    fn seed() -> Seed {
        Seed::default().with_org("acme").with_package(
            PackageSeed::new("acme", PackageType::Npm, "lib")
                .version(VersionSeed::new("1.0.0").created_at("2024-01-01T00:00:00Z"))
                .version(
                    VersionSeed::new("1.1.0")
                        .id(1000)
                        .created_at("2024-02-01T00:00:00Z"),
                )
                .version(VersionSeed::new("1.2.0").created_at("2024-03-01T00:00:00Z")),
        )
    }

    #[test]
    fn ids_skip_explicit_ones_and_follow_seed_order() {
        let store = Store::from_seed(seed()).expect("valid seed");
        let package = store
            .package("acme", PackageType::Npm, "lib")
            .expect("seeded");
        assert_eq!(package.id, 100);
        let ids: Vec<(u64, &str)> = package
            .versions
            .iter()
            .map(|v| (v.id, v.name.as_str()))
            .collect();
        assert_eq!(ids, [(1001, "1.0.0"), (1000, "1.1.0"), (1002, "1.2.0")]);
        assert_eq!(
            package.created_at,
            "2024-01-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            package.updated_at,
            "2024-03-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }

    #[test]
    fn versions_list_newest_first() {
        let store = Store::from_seed(seed()).expect("valid seed");
        let package = store
            .package("acme", PackageType::Npm, "lib")
            .expect("seeded");
        let names: Vec<&str> = package
            .versions_in(VersionFilter::Active)
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        assert_eq!(names, ["1.2.0", "1.1.0", "1.0.0"]);
    }

    #[test]
    fn the_last_active_version_cannot_be_deleted() {
        let mut store = Store::from_seed(seed()).expect("valid seed");
        let delete =
            |store: &mut Store, id| store.delete_version("acme", PackageType::Npm, "lib", id, NOW);
        assert_eq!(delete(&mut store, 1000), Ok(()));
        assert_eq!(delete(&mut store, 1000), Err(Refusal::VersionNotFound));
        assert_eq!(delete(&mut store, 1001), Ok(()));
        assert_eq!(delete(&mut store, 1002), Err(Refusal::LastVersion));
    }

    #[test]
    fn popular_public_versions_cannot_be_deleted() {
        let popular = |visibility| {
            Seed::default().with_org("acme").with_package(
                PackageSeed::new("acme", PackageType::Npm, "lib")
                    .visibility(visibility)
                    .version(VersionSeed::new("1.0.0").id(1).downloads(5_001))
                    .version(VersionSeed::new("1.1.0").id(2).downloads(5_000))
                    .version(VersionSeed::new("1.2.0").id(3)),
            )
        };
        let mut public = Store::from_seed(popular(Visibility::Public)).expect("valid seed");
        let delete =
            |store: &mut Store, id| store.delete_version("acme", PackageType::Npm, "lib", id, NOW);
        assert_eq!(delete(&mut public, 1), Err(Refusal::TooPopular));
        assert_eq!(delete(&mut public, 2), Ok(()));
        let mut private = Store::from_seed(popular(Visibility::Private)).expect("valid seed");
        assert_eq!(delete(&mut private, 1), Ok(()));
    }

    #[test]
    fn delete_then_restore_leaves_the_state_unchanged() {
        let mut store = Store::from_seed(seed()).expect("valid seed");
        let before = store.snapshot();
        store
            .delete_version("acme", PackageType::Npm, "lib", 1000, NOW)
            .expect("deletable");
        store
            .delete_package("acme", PackageType::Npm, "lib", NOW)
            .expect("deletable");
        assert_eq!(
            store.package("acme", PackageType::Npm, "lib").err(),
            Some(Refusal::PackageNotFound)
        );
        assert_eq!(
            store.restore_version("acme", PackageType::Npm, "lib", 1000),
            Err(Refusal::PackageNotFound)
        );
        store
            .restore_package("acme", PackageType::Npm, "lib")
            .expect("restorable");
        assert_eq!(
            store.restore_package("acme", PackageType::Npm, "lib"),
            Err(Refusal::PackageNotFound)
        );
        store
            .restore_version("acme", PackageType::Npm, "lib", 1000)
            .expect("restorable");
        assert_eq!(store.snapshot(), before);
    }

    #[test]
    fn seeds_naming_unknown_accounts_are_refused() {
        let orphan = Seed::default().with_package(PackageSeed::new("ghost", PackageType::Npm, "x"));
        assert!(matches!(
            Store::from_seed(orphan),
            Err(SeedError::UnknownOwner { .. })
        ));
        let token = Seed::default().with_token("t", "ghost");
        assert!(matches!(
            Store::from_seed(token),
            Err(SeedError::UnknownTokenLogin { .. })
        ));
        let twice = Seed::default().with_org("acme").with_user("ACME");
        assert!(matches!(
            Store::from_seed(twice),
            Err(SeedError::DuplicateOwner(_))
        ));
    }

    #[test]
    fn the_registry_finds_active_versions_by_digest_or_tag() {
        let image = |label: &str| ManifestSeed::image(label).build();
        let (old, new) = (image("old"), image("new"));
        let seed = Seed::default().with_org("acme").with_package(
            PackageSeed::new("acme", PackageType::Container, "app")
                .version(
                    VersionSeed::from_manifest(old.clone())
                        .tags(["stable"])
                        .created_at("2024-01-01T00:00:00Z"),
                )
                .version(
                    VersionSeed::from_manifest(new.clone())
                        .tags(["stable", "edge"])
                        .created_at("2024-02-01T00:00:00Z"),
                ),
        );
        let mut store = Store::from_seed(seed).expect("valid seed");
        let digest_for = |store: &Store, reference: &str| {
            let package = store
                .package("acme", PackageType::Container, "app")
                .expect("seeded");
            package
                .active_version_for(Reference::parse(reference))
                .and_then(|version| version.manifest.as_ref())
                .map(|manifest| manifest.digest.clone())
        };
        assert_eq!(digest_for(&store, &old.digest()), Some(old.digest()));
        // Two versions claim `stable`: the newer push wins.
        assert_eq!(digest_for(&store, "stable"), Some(new.digest()));
        assert_eq!(digest_for(&store, "nightly"), None);

        store
            .delete_version("acme", PackageType::Container, "app", 1001, NOW)
            .expect("deletable");
        assert_eq!(digest_for(&store, "stable"), Some(old.digest()));
        assert_eq!(digest_for(&store, "edge"), None);
        assert_eq!(digest_for(&store, &new.digest()), None);
    }

    #[test]
    fn token_profiles_and_organisations_are_checked() {
        use crate::tokens::{PackagePermission, TokenProfile};

        let base = || Seed::default().with_org("acme").with_user("octocat");
        let orphan = base().with_token_profile("t", TokenProfile::unrestricted());
        assert_eq!(
            Store::from_seed(orphan).err(),
            Some(SeedError::UnknownProfileToken)
        );
        let misfit = base().with_token("t", "octocat").with_token_profile(
            "t",
            TokenProfile::github_token(PackagePermission::Write).sso_authorized("acme"),
        );
        assert!(matches!(
            Store::from_seed(misfit),
            Err(SeedError::MisfitTokenProfile {
                field: "sso_authorized",
                ..
            })
        ));
        let user_sso =
            Seed::default().with_owner(OwnerSeed::new("octocat", OwnerKind::User).saml_sso());
        assert!(matches!(
            Store::from_seed(user_sso),
            Err(SeedError::NotAnOrganization {
                setting: "saml_sso",
                ..
            })
        ));
        let ghost = base().with_sso_org("corp", ["ghost"]);
        assert!(matches!(
            Store::from_seed(ghost),
            Err(SeedError::UnknownMember { .. })
        ));
        // An organisation is not a member of another one.
        let org_member = base().with_sso_org("corp", ["acme"]);
        assert!(matches!(
            Store::from_seed(org_member),
            Err(SeedError::UnknownMember { .. })
        ));

        let store = Store::from_seed(
            base()
                .with_sso_org("corp", ["OCTOCAT"])
                .with_token("t", "octocat"),
        )
        .expect("valid seed");
        let orgs: Vec<&str> = store
            .organizations_of("octocat")
            .iter()
            .map(|org| org.login.as_str())
            .collect();
        assert_eq!(orgs, ["corp"]);
        assert_eq!(
            store.token_profile("t"),
            Some(&TokenProfile::unrestricted())
        );
    }

    #[test]
    fn manifests_must_match_their_digest() {
        let seed = Seed::default().with_org("acme").with_package(
            PackageSeed::new("acme", PackageType::Container, "app").version(
                VersionSeed::new("sha256:0000").manifest(ManifestSeed::new(
                    "application/vnd.oci.image.manifest.v1+json",
                    "{}",
                )),
            ),
        );
        assert!(matches!(
            Store::from_seed(seed),
            Err(SeedError::DigestMismatch { .. })
        ));
    }
}
