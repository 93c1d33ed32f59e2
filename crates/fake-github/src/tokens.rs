//! Who a token is and what it may do: its kind, the scopes of a classic or OAuth token, the
//! `packages` permission of the other kinds, the "Manage Actions access" grants a `GITHUB_TOKEN`
//! relies on, and the organisations a token is authorised for under SAML single sign-on.
//!
//! See [`TokenProfile`]; the rules the fake enforces with them are listed in the crate docs.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::PackageType;

/// The OAuth scopes that matter to the Packages API, as GitHub spells them in `X-OAuth-Scopes`.
pub mod scope {
    /// Read package metadata: every Packages operation needs it.
    pub const READ_PACKAGES: &str = "read:packages";
    /// Publish packages; restoring a package or version needs it too.
    pub const WRITE_PACKAGES: &str = "write:packages";
    /// Delete packages and versions.
    pub const DELETE_PACKAGES: &str = "delete:packages";
    /// Full control of repositories; packages in the registries that inherit a repository's
    /// permissions (npm, Maven, RubyGems, NuGet) need it for every operation.
    pub const REPO: &str = "repo";
}

/// Every scope the Packages API looks at: what a token seeded without a profile has.
const EVERY_PACKAGES_SCOPE: [&str; 4] = [
    scope::DELETE_PACKAGES,
    scope::READ_PACKAGES,
    scope::REPO,
    scope::WRITE_PACKAGES,
];

/// The kinds of token GitHub tells apart. The fake never looks at a token's text: its kind comes
/// from the seed alone, whatever its prefix (`ghp_`, `gho_`, `github_pat_`, `ghs_`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A personal access token (classic): has OAuth scopes, reported in `X-OAuth-Scopes`.
    Classic,
    /// An OAuth app's user token: scopes like a classic token.
    #[serde(rename = "oauth")]
    OAuth,
    /// A fine-grained personal access token: a `packages` permission instead of scopes.
    FineGrained,
    /// A GitHub App installation token: a `packages` permission; GitHub calls its refusals
    /// "Resource not accessible by integration".
    App,
    /// The `GITHUB_TOKEN` of a workflow run: an installation token too, with the permissions of
    /// the workflow's `permissions:` block, and access to packages through their "Manage Actions
    /// access" settings.
    GithubToken,
}

impl TokenKind {
    /// Every kind, in declaration order.
    pub const ALL: [TokenKind; 5] = [
        TokenKind::Classic,
        TokenKind::OAuth,
        TokenKind::FineGrained,
        TokenKind::App,
        TokenKind::GithubToken,
    ];

    /// The name used in seed JSON and on the command line, e.g. `github_token`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Classic => "classic",
            TokenKind::OAuth => "oauth",
            TokenKind::FineGrained => "fine_grained",
            TokenKind::App => "app",
            TokenKind::GithubToken => "github_token",
        }
    }

    /// Whether tokens of this kind carry OAuth scopes. GitHub reports them in `X-OAuth-Scopes`
    /// on every response, and sends that header to no other kind.
    pub fn has_scopes(self) -> bool {
        matches!(self, TokenKind::Classic | TokenKind::OAuth)
    }

    /// Whether GitHub sees the token as an integration (an App installation or a workflow's
    /// `GITHUB_TOKEN`) rather than a user: it has no `/user`, is never subject to SAML SSO, and
    /// its refusals read "Resource not accessible by integration".
    pub fn is_integration(self) -> bool {
        matches!(self, TokenKind::App | TokenKind::GithubToken)
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not one of the token kinds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown token kind {0:?}: expected one of classic, oauth, fine_grained, app, github_token"
)]
pub struct UnknownTokenKind(pub String);

impl FromStr for TokenKind {
    type Err = UnknownTokenKind;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        TokenKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| UnknownTokenKind(text.to_owned()))
    }
}

/// The `packages` permission of a fine-grained token, an App installation or a `GITHUB_TOKEN`
/// (`permissions: packages: write` in a workflow). Ordered: `None < Read < Write`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum PackagePermission {
    /// No access: every Packages request is refused.
    None,
    /// Get packages and versions, and list them. What a `GITHUB_TOKEN` has by default since
    /// GitHub made the default workflow permissions read-only.
    #[default]
    Read,
    /// Also delete and restore.
    Write,
}

impl PackagePermission {
    /// The name GitHub uses, e.g. in `X-Accepted-GitHub-Permissions: packages=write`.
    pub fn as_str(self) -> &'static str {
        match self {
            PackagePermission::None => "none",
            PackagePermission::Read => "read",
            PackagePermission::Write => "write",
        }
    }
}

/// The role a repository holds on a package in the package's "Manage Actions access" settings,
/// which decides what that repository's `GITHUB_TOKEN` may do with it. Ordered:
/// `Read < Write < Admin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionsRole {
    /// Pull the package.
    Read,
    /// Also publish to it.
    Write,
    /// Also delete and restore it and its versions: GitHub requires the admin role for both.
    Admin,
}

/// One package a `GITHUB_TOKEN`'s repository was granted in the package's "Manage Actions
/// access" settings. A package linked to the token's own
/// [`repository`](TokenProfile::repository) needs no grant: GitHub gives the repository that
/// publishes a package the admin role on it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ActionsAccess {
    /// The package's owner.
    pub owner: String,
    /// The package's registry.
    pub package_type: PackageType,
    /// The package's name.
    pub name: String,
    /// What the grant allows.
    pub role: ActionsRole,
}

impl ActionsAccess {
    /// Whether the grant is for this package (owners compare case-insensitively, as logins do).
    pub(crate) fn covers(&self, owner: &str, package_type: PackageType, name: &str) -> bool {
        self.owner.eq_ignore_ascii_case(owner)
            && self.package_type == package_type
            && self.name == name
    }
}

/// What one token is and may do. A token seeded with only [`Seed::with_token`](crate::Seed::with_token)
/// is a classic personal access token with every scope the Packages API looks at
/// ([`TokenProfile::unrestricted`]); [`Seed::with_token_profile`](crate::Seed::with_token_profile)
/// gives it another.
///
/// Each field applies to some kinds only, and the fake refuses to start from a profile that sets
/// a field its kind does not have ([`SeedError::MisfitTokenProfile`](crate::SeedError)).
///
/// ```
/// use fake_github::{ActionsRole, PackagePermission, PackageType, TokenProfile, scope};
///
/// // A classic PAT that may read and delete, authorised for SAML SSO in `acme`.
/// let pruner = TokenProfile::classic([scope::READ_PACKAGES, scope::DELETE_PACKAGES])
///     .sso_authorized("acme");
/// // A workflow's GITHUB_TOKEN with `packages: write`, whose repository `acme/app` was given the
/// // admin role on `acme/team/app` in that package's "Manage Actions access" settings.
/// let ci = TokenProfile::github_token(PackagePermission::Write)
///     .repository("acme/app")
///     .actions_access("acme", PackageType::Container, "team/app", ActionsRole::Admin);
/// assert!(pruner.has_scope("delete:packages"));
/// assert!(!ci.kind.has_scopes());
/// ```
///
/// In seed JSON, under `token_profiles`, keyed by token (`kind` is required, the rest optional):
///
/// ```json
/// { "kind": "classic", "scopes": ["read:packages", "delete:packages"], "sso_authorized": ["acme"] }
/// { "kind": "github_token", "packages": "write", "repository": "acme/app",
///   "actions_access": [{ "owner": "acme", "package_type": "container", "name": "team/app", "role": "admin" }] }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenProfile {
    /// Which kind of token it is.
    pub kind: TokenKind,
    /// Classic and OAuth tokens: the OAuth scopes granted, e.g. `read:packages`. Taken
    /// literally: no scope implies another. Sent back sorted in `X-OAuth-Scopes`.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub scopes: BTreeSet<String>,
    /// Fine-grained, App and `GITHUB_TOKEN` tokens: the `packages` permission;
    /// [`PackagePermission::Read`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packages: Option<PackagePermission>,
    /// `GITHUB_TOKEN`: the workflow's repository as `owner/name`. Packages linked to it (a
    /// package's [`repository`](crate::PackageSeed::repository) under the same owner) may be
    /// deleted and restored without an [`actions_access`](Self::actions_access) grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// `GITHUB_TOKEN`: the packages whose "Manage Actions access" settings grant the workflow's
    /// repository a role. Deleting or restoring needs [`ActionsRole::Admin`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions_access: Vec<ActionsAccess>,
    /// Classic and OAuth tokens: the organisations whose SAML single sign-on the token was
    /// authorised for. Other kinds are never subject to SSO.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub sso_authorized: BTreeSet<String>,
}

impl TokenProfile {
    fn new(kind: TokenKind) -> TokenProfile {
        TokenProfile {
            kind,
            scopes: BTreeSet::new(),
            packages: None,
            repository: None,
            actions_access: Vec::new(),
            sso_authorized: BTreeSet::new(),
        }
    }

    /// A personal access token (classic) with exactly these scopes (see [`scope`]).
    pub fn classic<S: Into<String>>(scopes: impl IntoIterator<Item = S>) -> TokenProfile {
        TokenProfile {
            scopes: scopes.into_iter().map(Into::into).collect(),
            ..TokenProfile::new(TokenKind::Classic)
        }
    }

    /// An OAuth app token with exactly these scopes.
    pub fn oauth<S: Into<String>>(scopes: impl IntoIterator<Item = S>) -> TokenProfile {
        TokenProfile {
            kind: TokenKind::OAuth,
            ..TokenProfile::classic(scopes)
        }
    }

    /// What a token seeded without a profile is: a classic PAT with `read:packages`,
    /// `write:packages`, `delete:packages` and `repo`, so it may do everything the Packages API
    /// offers (outside SSO-enforcing organisations).
    pub fn unrestricted() -> TokenProfile {
        TokenProfile::classic(EVERY_PACKAGES_SCOPE)
    }

    /// A fine-grained personal access token with this `packages` permission.
    pub fn fine_grained(packages: PackagePermission) -> TokenProfile {
        TokenProfile {
            packages: Some(packages),
            ..TokenProfile::new(TokenKind::FineGrained)
        }
    }

    /// A GitHub App installation token with this `packages` permission.
    pub fn app(packages: PackagePermission) -> TokenProfile {
        TokenProfile {
            packages: Some(packages),
            ..TokenProfile::new(TokenKind::App)
        }
    }

    /// A workflow's `GITHUB_TOKEN` with this `packages` permission, with no repository and no
    /// "Manage Actions access" grants yet.
    pub fn github_token(packages: PackagePermission) -> TokenProfile {
        TokenProfile {
            packages: Some(packages),
            ..TokenProfile::new(TokenKind::GithubToken)
        }
    }

    /// Authorises the token for SAML SSO in the organisation `org`.
    #[must_use]
    pub fn sso_authorized(mut self, org: impl Into<String>) -> Self {
        self.sso_authorized.insert(org.into());
        self
    }

    /// Sets the workflow's repository (`owner/name`) of a `GITHUB_TOKEN`.
    #[must_use]
    pub fn repository(mut self, repository: impl Into<String>) -> Self {
        self.repository = Some(repository.into());
        self
    }

    /// Grants a `GITHUB_TOKEN`'s repository `role` on a package, as its "Manage Actions access"
    /// settings would.
    #[must_use]
    pub fn actions_access(
        mut self,
        owner: impl Into<String>,
        package_type: PackageType,
        name: impl Into<String>,
        role: ActionsRole,
    ) -> Self {
        self.actions_access.push(ActionsAccess {
            owner: owner.into(),
            package_type,
            name: name.into(),
            role,
        });
        self
    }

    /// Whether a classic or OAuth token has `scope` (always false for other kinds).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }

    /// The `packages` permission of a fine-grained, App or `GITHUB_TOKEN` token (read unless
    /// set). Classic and OAuth tokens answer by their scopes instead, and get `None` here.
    pub(crate) fn packages_permission(&self) -> PackagePermission {
        if self.kind.has_scopes() {
            PackagePermission::None
        } else {
            self.packages.unwrap_or_default()
        }
    }

    /// Whether the token was authorised for SSO in `org` (compared case-insensitively).
    pub(crate) fn is_sso_authorized_for(&self, org: &str) -> bool {
        self.sso_authorized
            .iter()
            .any(|authorized| authorized.eq_ignore_ascii_case(org))
    }

    /// The value of `X-OAuth-Scopes` GitHub sends to this token: its scopes, sorted and
    /// separated by `", "`; `None` for kinds without scopes, which never get the header.
    pub(crate) fn oauth_scopes_header(&self) -> Option<String> {
        self.kind.has_scopes().then(|| {
            self.scopes
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
    }

    /// The best role the token's repository holds on a package, by grant or because the package
    /// is linked to that very repository (`linked_repository` is the package's repository name
    /// under `owner`). Only `GITHUB_TOKEN`s have roles.
    pub(crate) fn actions_role(
        &self,
        owner: &str,
        package_type: PackageType,
        name: &str,
        linked_repository: Option<&str>,
    ) -> Option<ActionsRole> {
        if self.kind != TokenKind::GithubToken {
            return None;
        }
        let publisher = linked_repository.is_some_and(|repository| {
            self.repository.as_deref().is_some_and(|own| {
                own.split_once('/').is_some_and(|(own_owner, own_name)| {
                    own_owner.eq_ignore_ascii_case(owner) && own_name == repository
                })
            })
        });
        let granted = self
            .actions_access
            .iter()
            .filter(|grant| grant.covers(owner, package_type, name))
            .map(|grant| grant.role)
            .max();
        if publisher {
            Some(ActionsRole::Admin)
        } else {
            granted
        }
    }

    /// The first field set that this kind of token does not have, if any.
    pub(crate) fn misfit_field(&self) -> Option<&'static str> {
        let kind = self.kind;
        if !kind.has_scopes() && !self.scopes.is_empty() {
            Some("scopes")
        } else if !kind.has_scopes() && !self.sso_authorized.is_empty() {
            Some("sso_authorized")
        } else if kind.has_scopes() && self.packages.is_some() {
            Some("packages")
        } else if kind != TokenKind::GithubToken && self.repository.is_some() {
            Some("repository")
        } else if kind != TokenKind::GithubToken && !self.actions_access.is_empty() {
            Some("actions_access")
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in TokenKind::ALL {
            assert_eq!(kind.as_str().parse::<TokenKind>(), Ok(kind));
            let json = serde_json::to_string(&kind).expect("serialisable");
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert!("pat".parse::<TokenKind>().is_err());
    }

    #[test]
    fn only_classic_and_oauth_tokens_report_scopes() {
        let classic = TokenProfile::classic([scope::READ_PACKAGES, scope::DELETE_PACKAGES]);
        // Sorted, comma and space, as GitHub sends them.
        assert_eq!(
            classic.oauth_scopes_header().as_deref(),
            Some("delete:packages, read:packages")
        );
        assert_eq!(
            TokenProfile::oauth(Vec::<String>::new())
                .oauth_scopes_header()
                .as_deref(),
            Some("")
        );
        assert_eq!(
            TokenProfile::unrestricted()
                .oauth_scopes_header()
                .as_deref(),
            Some("delete:packages, read:packages, repo, write:packages")
        );
        for profile in [
            TokenProfile::fine_grained(PackagePermission::Write),
            TokenProfile::app(PackagePermission::Write),
            TokenProfile::github_token(PackagePermission::Write),
        ] {
            assert_eq!(profile.oauth_scopes_header(), None);
        }
    }

    #[test]
    fn a_github_token_is_admin_of_what_its_repository_published_and_what_it_was_granted() {
        let token = TokenProfile::github_token(PackagePermission::Write)
            .repository("acme/app")
            .actions_access("ACME", PackageType::Npm, "lib", ActionsRole::Write)
            .actions_access("acme", PackageType::Npm, "lib", ActionsRole::Admin);
        let role = |name, linked| token.actions_role("acme", PackageType::Npm, name, linked);
        assert_eq!(role("lib", None), Some(ActionsRole::Admin));
        assert_eq!(role("other", Some("app")), Some(ActionsRole::Admin));
        assert_eq!(role("other", Some("site")), None);
        assert_eq!(
            token.actions_role("octocat", PackageType::Npm, "other", Some("app")),
            None
        );
        let classic = TokenProfile::unrestricted();
        assert_eq!(
            classic.actions_role("acme", PackageType::Npm, "lib", Some("app")),
            None
        );
    }

    #[test]
    fn profiles_that_set_fields_their_kind_lacks_are_misfits() {
        assert_eq!(TokenProfile::unrestricted().misfit_field(), None);
        let mut fine_grained = TokenProfile::fine_grained(PackagePermission::Read);
        assert_eq!(fine_grained.misfit_field(), None);
        fine_grained.scopes.insert(scope::REPO.into());
        assert_eq!(fine_grained.misfit_field(), Some("scopes"));
        let mut classic = TokenProfile::classic([scope::REPO]);
        classic.packages = Some(PackagePermission::Write);
        assert_eq!(classic.misfit_field(), Some("packages"));
        let app = TokenProfile::app(PackagePermission::Write).repository("acme/app");
        assert_eq!(app.misfit_field(), Some("repository"));
    }

    #[test]
    fn profiles_read_from_json() {
        let profile: TokenProfile = serde_json::from_str(
            r#"{"kind": "github_token", "packages": "write", "repository": "acme/app",
                "actions_access": [{"owner": "acme", "package_type": "container",
                                    "name": "team/app", "role": "admin"}]}"#,
        )
        .expect("a valid profile");
        assert_eq!(
            profile,
            TokenProfile::github_token(PackagePermission::Write)
                .repository("acme/app")
                .actions_access(
                    "acme",
                    PackageType::Container,
                    "team/app",
                    ActionsRole::Admin
                )
        );
        assert!(serde_json::from_str::<TokenProfile>(r#"{"scopes": []}"#).is_err());
    }
}
