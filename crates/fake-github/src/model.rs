//! The seed: what the fake holds when it starts.
//!
//! See [`Seed`].

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::faults::{Faults, Limits};
use crate::manifest::{ManifestSeed, MultiArchImage};
use crate::tokens::TokenProfile;

/// The creation time of anything the seed leaves undated: 2024-01-01T00:00:00Z.
pub const DEFAULT_CREATED_AT: DateTime<Utc> =
    DateTime::from_timestamp(1_704_067_200, 0).expect("2024 is in range");

/// The hourly request budget of each token unless the seed says otherwise; GitHub grants a
/// personal access token 5,000 requests an hour.
pub const DEFAULT_RATE_LIMIT: u32 = 5000;

/// Everything the fake knows when it starts: accounts, the tokens that authenticate as them, and
/// their packages with every version.
///
/// Plain data: tests build one with the `with_*` helpers; the CLI and anyone else can
/// load one from JSON, where everything but names, kinds and types may be left out:
///
/// ```
/// let seed = fake_github::Seed::from_json(r#"{
///   "owners": [
///     { "login": "acme", "kind": "organization" },
///     { "login": "octocat", "kind": "user", "name": "The Octocat" }
///   ],
///   "tokens": { "test-token": "octocat", "read-only": "octocat" },
///   "token_profiles": { "read-only": { "kind": "classic", "scopes": ["read:packages"] } },
///   "rate_limit": 5000,
///   "faults": { "latency_ms": 50, "jitter_ms": 20, "fail_rate": 0.01, "rng_seed": 7 },
///   "limits": { "secondary_points_per_minute": 900, "max_concurrent": 100 },
///   "packages": [
///     {
///       "owner": "acme", "package_type": "container", "name": "team/app",
///       "visibility": "public", "repository": "app",
///       "versions": [
///         { "name": "sha256:aaaa", "tags": ["v1", "latest"], "created_at": "2024-05-01T10:00:00Z" },
///         { "name": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
///           "id": 7, "deleted_at": "2024-06-01T00:00:00Z",
///           "manifest": { "media_type": "application/vnd.oci.image.manifest.v1+json", "content": "{}" } }
///       ]
///     }
///   ]
/// }"#)?;
/// assert_eq!(seed.packages[0].versions.len(), 2);
/// assert_eq!(seed.limits.secondary_points_per_minute, Some(900));
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// Ids that the seed leaves out are assigned when the fake starts, in seed order: owners from 1,
/// packages from 100, repositories from 500 and versions from 1000, skipping any id the seed names
/// explicitly, so the same seed always yields the same ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Seed {
    /// Users and organisations. Every package's owner and every token's login must be here.
    pub owners: Vec<OwnerSeed>,
    /// Bearer tokens the fake accepts, each mapped to the login it authenticates as. Requests with
    /// any other token get `401 Bad credentials`.
    pub tokens: BTreeMap<String, String>,
    /// What some of those tokens are and may do, by token. A token without an entry is a classic
    /// personal access token with every packages scope and `repo`
    /// ([`TokenProfile::unrestricted`]). For App and `GITHUB_TOKEN` tokens, the login in
    /// [`tokens`](Self::tokens) is the account the installation belongs to.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub token_profiles: BTreeMap<String, TokenProfile>,
    /// Requests each token may make per hour, as reported in `x-ratelimit-limit`;
    /// [`DEFAULT_RATE_LIMIT`] when absent. Reported, not enforced: [`Limits::primary_per_hour`]
    /// enforces a budget (and then replaces this one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<u32>,
    /// Every package, with its versions.
    pub packages: Vec<PackageSeed>,
    /// What goes wrong in transit: latency, server errors, dropped connections. None by default;
    /// change them while the fake runs with `FakeGitHub::set_faults`.
    #[serde(skip_serializing_if = "is_default")]
    pub faults: Faults,
    /// Which of GitHub's rate limits the fake enforces. None by default; change them while the
    /// fake runs with `FakeGitHub::set_limits`.
    #[serde(skip_serializing_if = "is_default")]
    pub limits: Limits,
}

impl Seed {
    /// Adds an organisation (served under `/orgs/{login}`).
    #[must_use]
    pub fn with_org(self, login: impl Into<String>) -> Self {
        self.with_owner(OwnerSeed::new(login, OwnerKind::Organization))
    }

    /// Adds an organisation that enforces SAML single sign-on (see [`OwnerSeed::saml_sso`]),
    /// with these users as its members (see [`OwnerSeed::members`]).
    #[must_use]
    pub fn with_sso_org<M: Into<String>>(
        self,
        login: impl Into<String>,
        members: impl IntoIterator<Item = M>,
    ) -> Self {
        self.with_owner(
            OwnerSeed::new(login, OwnerKind::Organization)
                .saml_sso()
                .members(members),
        )
    }

    /// Adds a user (served under `/users/{login}`, and under `/user` to its tokens).
    #[must_use]
    pub fn with_user(self, login: impl Into<String>) -> Self {
        self.with_owner(OwnerSeed::new(login, OwnerKind::User))
    }

    /// Adds an account described in full.
    #[must_use]
    pub fn with_owner(mut self, owner: OwnerSeed) -> Self {
        self.owners.push(owner);
        self
    }

    /// Accepts `token` (as `Authorization: Bearer <token>` or `token <token>`) as `login`: a
    /// classic personal access token with every scope the Packages API asks for, unless
    /// [`with_token_profile`](Self::with_token_profile) says otherwise.
    #[must_use]
    pub fn with_token(mut self, token: impl Into<String>, login: impl Into<String>) -> Self {
        self.tokens.insert(token.into(), login.into());
        self
    }

    /// Says what `token` is and may do: its kind, scopes, permissions and SSO authorisations.
    /// The token itself must be added with [`with_token`](Self::with_token) (in any order).
    ///
    /// ```
    /// use fake_github::{Seed, TokenProfile, scope};
    ///
    /// let seed = Seed::default()
    ///     .with_user("octocat")
    ///     .with_token("read-only", "octocat")
    ///     .with_token_profile("read-only", TokenProfile::classic([scope::READ_PACKAGES]));
    /// assert!(seed.token_profiles["read-only"].has_scope("read:packages"));
    /// ```
    #[must_use]
    pub fn with_token_profile(mut self, token: impl Into<String>, profile: TokenProfile) -> Self {
        self.token_profiles.insert(token.into(), profile);
        self
    }

    /// Adds a package; its owner must be added too (in any order).
    #[must_use]
    pub fn with_package(mut self, package: PackageSeed) -> Self {
        self.packages.push(package);
        self
    }

    /// Sets every token's hourly request budget.
    #[must_use]
    pub fn with_rate_limit(mut self, requests_per_hour: u32) -> Self {
        self.rate_limit = Some(requests_per_hour);
        self
    }

    /// Injects `faults` from the first request on.
    #[must_use]
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Enforces `limits` from the first request on.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Reads a seed from JSON text (the shape shown in the [`Seed`] docs).
    pub fn from_json(json: &str) -> Result<Seed, serde_json::Error> {
        serde_json::from_str(json)
    }
}

/// Whether an account is a person or an organisation; it decides which owner scope serves its
/// packages (`/users/{login}` or `/orgs/{login}`) and the `type` GitHub reports for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OwnerKind {
    /// A personal account: `"type": "User"`.
    User,
    /// An organisation: `"type": "Organization"`.
    Organization,
}

impl OwnerKind {
    /// The `type` field GitHub gives this kind of account: `User` or `Organization`.
    pub fn github_type(self) -> &'static str {
        match self {
            OwnerKind::User => "User",
            OwnerKind::Organization => "Organization",
        }
    }
}

/// A user or organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerSeed {
    /// The account name, as in `/orgs/{login}`. GitHub matches logins case-insensitively, and so
    /// does the fake.
    pub login: String,
    /// Person or organisation.
    pub kind: OwnerKind,
    /// The account id; assigned when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// The display name (`name` in profiles); `null` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Organisations only: whether the organisation enforces SAML single sign-on. Classic and
    /// OAuth tokens not authorised for it
    /// ([`TokenProfile::sso_authorized`](crate::TokenProfile::sso_authorized)) are then refused
    /// on its endpoints with `403` and `X-GitHub-SSO: required; url=...`, and its packages are
    /// left out of their `/user/packages` listings (`X-GitHub-SSO: partial-results`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub saml_sso: bool,
    /// Organisations only: the users who are members. GitHub's `/user/packages` lists the
    /// user's own namespace; the fake also lists there the packages of the organisations the
    /// user is a member of, so that a client can meet a listing that spans organisations and
    /// the `partial-results` answer GitHub gives when SSO hides some of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

impl OwnerSeed {
    /// An account with an assigned id and no display name.
    pub fn new(login: impl Into<String>, kind: OwnerKind) -> Self {
        OwnerSeed {
            login: login.into(),
            kind,
            id: None,
            name: None,
            saml_sso: false,
            members: Vec::new(),
        }
    }

    /// Makes the organisation enforce SAML single sign-on.
    #[must_use]
    pub fn saml_sso(mut self) -> Self {
        self.saml_sso = true;
        self
    }

    /// Adds users as members of the organisation.
    #[must_use]
    pub fn members<M: Into<String>>(mut self, members: impl IntoIterator<Item = M>) -> Self {
        self.members.extend(members.into_iter().map(Into::into));
        self
    }

    /// Gives the account a fixed id.
    #[must_use]
    pub fn id(mut self, id: u64) -> Self {
        self.id = Some(id);
        self
    }

    /// Gives the account a display name.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// The registries GitHub Packages hosts, spelled as in URLs and `package_type` fields.
///
/// Declared in alphabetical order, so sorting by type sorts by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageType {
    /// Images in the Container registry (`ghcr.io`); version names are manifest digests.
    Container,
    /// Images in the retired Docker registry (`docker.pkg.github.com`).
    Docker,
    /// Maven and Gradle packages.
    Maven,
    /// npm packages.
    Npm,
    /// NuGet packages.
    Nuget,
    /// RubyGems.
    Rubygems,
}

impl PackageType {
    /// Every type, in the order GitHub's description lists them in error messages.
    pub const ALL: [PackageType; 6] = [
        PackageType::Npm,
        PackageType::Maven,
        PackageType::Rubygems,
        PackageType::Docker,
        PackageType::Nuget,
        PackageType::Container,
    ];

    /// Whether packages of this type inherit the permissions of the repository they belong to:
    /// npm, Maven, RubyGems and NuGet do, so GitHub asks classic and OAuth tokens for the `repo`
    /// scope on every operation on them. Container packages have granular permissions of their
    /// own (and the retired Docker registry's packages answer as GitHub's REST docs describe,
    /// without `repo`).
    pub fn inherits_repository_permissions(self) -> bool {
        matches!(
            self,
            PackageType::Npm | PackageType::Maven | PackageType::Rubygems | PackageType::Nuget
        )
    }

    /// The name used in URLs and JSON, e.g. `container`.
    pub fn as_str(self) -> &'static str {
        match self {
            PackageType::Container => "container",
            PackageType::Docker => "docker",
            PackageType::Maven => "maven",
            PackageType::Npm => "npm",
            PackageType::Nuget => "nuget",
            PackageType::Rubygems => "rubygems",
        }
    }
}

impl fmt::Display for PackageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not one of the six package types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown package type {0:?}: expected one of npm, maven, rubygems, docker, nuget, container"
)]
pub struct UnknownPackageType(pub String);

impl FromStr for PackageType {
    type Err = UnknownPackageType;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        PackageType::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| UnknownPackageType(text.to_owned()))
    }
}

/// Who may see a package.
///
/// GitHub's description allows only these two values in a package's `visibility`. Listings also
/// take the filter `visibility=internal`, which GitHub treats as `private` outside the registries
/// with granular permissions; so does the fake.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Anyone can pull it.
    Public,
    /// Only accounts granted access can pull it (GitHub's default for new packages).
    #[default]
    Private,
}

impl Visibility {
    /// The name used in JSON, e.g. `public`.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Private => "private",
        }
    }
}

/// A package and all its versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageSeed {
    /// The owning account's login.
    pub owner: String,
    /// The registry it lives in.
    pub package_type: PackageType,
    /// The package name; container names may contain `/` (clients send it as `%2F`).
    pub name: String,
    /// The package id; assigned when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Private unless set.
    #[serde(default)]
    pub visibility: Visibility,
    /// The name of the repository (under the same owner) the package is linked to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// When the package was created; the oldest version's `created_at` when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::rfc3339::serialize_option"
    )]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed; the newest version's `updated_at` when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::rfc3339::serialize_option"
    )]
    pub updated_at: Option<DateTime<Utc>>,
    /// Set to seed the package as already deleted (restorable).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::rfc3339::serialize_option"
    )]
    pub deleted_at: Option<DateTime<Utc>>,
    /// Whether the package is listed by `GET {scope}/docker/conflicts` (a Docker-registry package
    /// whose migration to the Container registry conflicts with an existing one).
    #[serde(default, skip_serializing_if = "is_false")]
    pub docker_conflict: bool,
    /// Every version, deleted ones included; order does not matter except for id assignment.
    #[serde(default)]
    pub versions: Vec<VersionSeed>,
    /// Versions pushed while a client works, each when its trigger fires (once): a push racing
    /// a cleanup run. Their ids are assigned with the others, after them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub late_pushes: Vec<LatePush>,
}

/// A version that arrives while the fake runs, as a CI build pushing during a cleanup would.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatePush {
    pub version: VersionSeed,
    pub trigger: PushTrigger,
}

/// When a [`LatePush`] happens. It is created at the fake's "now" at that moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushTrigger {
    /// Right after the fake has served its first listing of the package's active versions (a
    /// client's picture of the package is then out of date).
    AfterListing,
    /// Once the fake has served this many requests in all.
    AfterRequests(u64),
}

fn is_false(value: &bool) -> bool {
    !value
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

impl PackageSeed {
    /// A private package with no repository and no versions yet.
    pub fn new(
        owner: impl Into<String>,
        package_type: PackageType,
        name: impl Into<String>,
    ) -> Self {
        PackageSeed {
            owner: owner.into(),
            package_type,
            name: name.into(),
            id: None,
            visibility: Visibility::default(),
            repository: None,
            created_at: None,
            updated_at: None,
            deleted_at: None,
            docker_conflict: false,
            versions: Vec::new(),
            late_pushes: Vec::new(),
        }
    }

    /// Gives the package a fixed id.
    #[must_use]
    pub fn id(mut self, id: u64) -> Self {
        self.id = Some(id);
        self
    }

    /// Sets who may see it.
    #[must_use]
    pub fn visibility(mut self, visibility: Visibility) -> Self {
        self.visibility = visibility;
        self
    }

    /// Links it to the repository `name` under the same owner.
    #[must_use]
    pub fn repository(mut self, name: impl Into<String>) -> Self {
        self.repository = Some(name.into());
        self
    }

    /// Sets when the package was created.
    ///
    /// # Panics
    /// If `at` is text that is not an RFC 3339 timestamp.
    #[must_use]
    pub fn created_at(mut self, at: impl IntoTimestamp) -> Self {
        self.created_at = Some(at.into_timestamp());
        self
    }

    /// Sets when the package last changed.
    ///
    /// # Panics
    /// If `at` is text that is not an RFC 3339 timestamp.
    #[must_use]
    pub fn updated_at(mut self, at: impl IntoTimestamp) -> Self {
        self.updated_at = Some(at.into_timestamp());
        self
    }

    /// Seeds the package as deleted at `at`, so it can be restored.
    ///
    /// # Panics
    /// If `at` is text that is not an RFC 3339 timestamp.
    #[must_use]
    pub fn deleted_at(mut self, at: impl IntoTimestamp) -> Self {
        self.deleted_at = Some(at.into_timestamp());
        self
    }

    /// Lists the package among the Docker migration conflicts.
    #[must_use]
    pub fn docker_conflict(mut self) -> Self {
        self.docker_conflict = true;
        self
    }

    /// Adds one version.
    #[must_use]
    pub fn version(mut self, version: VersionSeed) -> Self {
        self.versions.push(version);
        self
    }

    /// Adds many versions.
    #[must_use]
    pub fn versions(mut self, versions: impl IntoIterator<Item = VersionSeed>) -> Self {
        self.versions.extend(versions);
        self
    }

    /// Pushes `version` into the package while the fake runs, when `trigger` fires.
    #[must_use]
    pub fn late_push(mut self, version: VersionSeed, trigger: PushTrigger) -> Self {
        self.late_pushes.push(LatePush { version, trigger });
        self
    }
}

/// One version of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionSeed {
    /// For containers the manifest digest (`sha256:<hex>`); for other types the version string.
    pub name: String,
    /// The version id; assigned when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Container tags (`metadata.container.tags`); GitHub reports tags only for containers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// When it was pushed; [`DEFAULT_CREATED_AT`] when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::rfc3339::serialize_option"
    )]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed; `created_at` when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::rfc3339::serialize_option"
    )]
    pub updated_at: Option<DateTime<Utc>>,
    /// Set to seed the version as already deleted: it is listed with `state=deleted` and can be
    /// restored.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::rfc3339::serialize_option"
    )]
    pub deleted_at: Option<DateTime<Utc>>,
    /// The manifest stored under this digest, for the registry endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<ManifestSeed>,
    /// How often it was downloaded: GitHub refuses to delete a version of a public package
    /// downloaded more than 5,000 times.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub downloads: u64,
    /// A DELETE of this version is answered with this status (`500`, `422`, `404`, ...) and
    /// changes nothing: a server error or refusal in the middle of a run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_fails: Option<u16>,
    /// How its `metadata` is served: whole, or with the tags left out in one of the ways an
    /// answer can leave them out.
    #[serde(default, skip_serializing_if = "is_default")]
    pub metadata_shape: MetadataShape,
}

/// How a version's `metadata` is served. GitHub's description makes `metadata` optional; a
/// client must not read a version whose tags were left out as untagged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetadataShape {
    /// `{"package_type": "container", "container": {"tags": [...]}}` (no `container` for other
    /// package types).
    #[default]
    Normal,
    /// No `metadata` field at all.
    Absent,
    /// `"metadata": null`.
    Null,
    /// `{"package_type": "container"}`: no `container`.
    NoContainer,
    /// `{"package_type": "container", "container": null}`.
    ContainerNull,
    /// `{"package_type": "container", "container": {"tags": null}}`.
    TagsNull,
}

impl MetadataShape {
    /// Every shape, `Normal` first.
    pub const ALL: [MetadataShape; 6] = [
        MetadataShape::Normal,
        MetadataShape::Absent,
        MetadataShape::Null,
        MetadataShape::NoContainer,
        MetadataShape::ContainerNull,
        MetadataShape::TagsNull,
    ];
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl VersionSeed {
    /// A version called `name`, untagged, created at [`DEFAULT_CREATED_AT`].
    pub fn new(name: impl Into<String>) -> Self {
        VersionSeed {
            name: name.into(),
            id: None,
            tags: Vec::new(),
            created_at: None,
            updated_at: None,
            deleted_at: None,
            manifest: None,
            downloads: 0,
            delete_fails: None,
            metadata_shape: MetadataShape::Normal,
        }
    }

    /// Serves the version's `metadata` in `shape` (its tags are still the seed's, for the
    /// fake's own bookkeeping and its registry).
    #[must_use]
    pub fn metadata_shape(mut self, shape: MetadataShape) -> Self {
        self.metadata_shape = shape;
        self
    }

    /// Makes every DELETE of this version fail with `status`, changing nothing.
    #[must_use]
    pub fn delete_fails(mut self, status: u16) -> Self {
        self.delete_fails = Some(status);
        self
    }

    /// Sets how often the version was downloaded.
    #[must_use]
    pub fn downloads(mut self, downloads: u64) -> Self {
        self.downloads = downloads;
        self
    }

    /// A container version holding `manifest`, named by the manifest's digest as a registry
    /// names it.
    pub fn from_manifest(manifest: ManifestSeed) -> Self {
        VersionSeed {
            manifest: Some(manifest.clone()),
            ..VersionSeed::new(manifest.digest())
        }
    }

    /// The versions one multi-arch build makes on ghcr.io, each pushed at `at`: every manifest
    /// the index names, untagged, in the order buildx pushes them, then the index tagged `tags`.
    ///
    /// # Panics
    /// If `at` is text that is not an RFC 3339 timestamp.
    pub fn multi_arch<T: Into<String>>(
        build: &MultiArchImage,
        tags: impl IntoIterator<Item = T>,
        at: impl IntoTimestamp,
    ) -> Vec<VersionSeed> {
        let at = at.into_timestamp();
        build
            .children()
            .map(|child| VersionSeed::from_manifest(child.clone()).created_at(at))
            .chain([VersionSeed::from_manifest(build.index.clone())
                .tags(tags)
                .created_at(at)])
            .collect()
    }

    /// Gives the version a fixed id.
    #[must_use]
    pub fn id(mut self, id: u64) -> Self {
        self.id = Some(id);
        self
    }

    /// Sets the container tags, replacing any set before.
    #[must_use]
    pub fn tags<T: Into<String>>(mut self, tags: impl IntoIterator<Item = T>) -> Self {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    /// Sets when the version was pushed.
    ///
    /// # Panics
    /// If `at` is text that is not an RFC 3339 timestamp.
    #[must_use]
    pub fn created_at(mut self, at: impl IntoTimestamp) -> Self {
        self.created_at = Some(at.into_timestamp());
        self
    }

    /// Sets when the version last changed.
    ///
    /// # Panics
    /// If `at` is text that is not an RFC 3339 timestamp.
    #[must_use]
    pub fn updated_at(mut self, at: impl IntoTimestamp) -> Self {
        self.updated_at = Some(at.into_timestamp());
        self
    }

    /// Seeds the version as deleted at `at`.
    ///
    /// # Panics
    /// If `at` is text that is not an RFC 3339 timestamp.
    #[must_use]
    pub fn deleted_at(mut self, at: impl IntoTimestamp) -> Self {
        self.deleted_at = Some(at.into_timestamp());
        self
    }

    /// Stores a manifest with this version (its digest should be the version's name).
    #[must_use]
    pub fn manifest(mut self, manifest: ManifestSeed) -> Self {
        self.manifest = Some(manifest);
        self
    }
}

/// Something a seed builder accepts as a point in time: a [`DateTime<Utc>`] or RFC 3339 text such
/// as `"2024-05-01T10:00:00Z"` (read as a seed's JSON is read).
pub trait IntoTimestamp {
    /// The point in time.
    ///
    /// # Panics
    /// If the value is text that is not an RFC 3339 timestamp; seeds are written by hand in tests,
    /// where a typo should stop the test at once.
    fn into_timestamp(self) -> DateTime<Utc>;
}

impl IntoTimestamp for DateTime<Utc> {
    fn into_timestamp(self) -> DateTime<Utc> {
        self
    }
}

impl IntoTimestamp for &str {
    fn into_timestamp(self) -> DateTime<Utc> {
        self.parse()
            .unwrap_or_else(|error| panic!("seed timestamp {self:?} is not RFC 3339: {error}"))
    }
}

impl IntoTimestamp for String {
    fn into_timestamp(self) -> DateTime<Utc> {
        self.as_str().into_timestamp()
    }
}

impl IntoTimestamp for &String {
    fn into_timestamp(self) -> DateTime<Utc> {
        self.as_str().into_timestamp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_types_round_trip_through_their_names() {
        for kind in PackageType::ALL {
            assert_eq!(kind.as_str().parse::<PackageType>(), Ok(kind));
        }
        assert!("containers".parse::<PackageType>().is_err());
    }

    #[test]
    fn seeds_load_from_minimal_json() {
        let seed = Seed::from_json(
            r#"{"owners": [{"login": "acme", "kind": "organization"}],
                "packages": [{"owner": "acme", "package_type": "npm", "name": "lib",
                              "versions": [{"name": "1.0.0", "created_at": "2024-05-01T10:00:00Z"}]}]}"#,
        )
        .expect("valid seed");
        let expected = Seed::default().with_org("acme").with_package(
            PackageSeed::new("acme", PackageType::Npm, "lib")
                .version(VersionSeed::new("1.0.0").created_at("2024-05-01T10:00:00Z")),
        );
        assert_eq!(seed, expected);
        let again = serde_json::to_string(&seed).expect("serialisable");
        assert_eq!(Seed::from_json(&again).expect("round trip"), seed);
    }

    #[test]
    fn manifest_versions_are_named_by_their_digest() {
        let manifest = ManifestSeed::new("application/vnd.oci.image.manifest.v1+json", "{}");
        // sha256 of the two bytes `{}`.
        assert_eq!(
            VersionSeed::from_manifest(manifest).name,
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }
}
