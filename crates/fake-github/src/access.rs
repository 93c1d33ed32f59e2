//! Who may do what on the Packages API: the rules GitHub applies to a token before it looks at
//! the package, as a pure function of the token, the operation and what it addresses.
//!
//! The HTTP layer ([`crate::api`]) calls [`decide`] before a Packages handler runs and turns a
//! [`Denial`] into GitHub's `403`, so a refused request changes nothing.

use crate::model::{OwnerKind, PackageType};
use crate::tokens::{ActionsRole, PackagePermission, TokenKind, TokenProfile, scope};

/// The Packages operations, as GitHub tells them apart in its scope messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    ListPackages,
    GetPackage,
    DeletePackage,
    RestorePackage,
    ListVersions,
    GetVersion,
    DeleteVersion,
    RestoreVersion,
    DockerConflicts,
}

impl Operation {
    /// What the operation does to data: only deletes and restores change anything.
    fn effect(self) -> Effect {
        match self {
            Operation::DeletePackage | Operation::DeleteVersion => Effect::Delete,
            Operation::RestorePackage | Operation::RestoreVersion => Effect::Restore,
            Operation::ListPackages
            | Operation::GetPackage
            | Operation::ListVersions
            | Operation::GetVersion
            | Operation::DockerConflicts => Effect::Read,
        }
    }

    /// How GitHub's scope messages name the operation ("You need at least read:packages scope
    /// to list packages.").
    fn purpose(self) -> &'static str {
        match self {
            // GitHub has no message of its own for the conflicts listing; it lists packages.
            Operation::ListPackages | Operation::DockerConflicts => "list packages",
            Operation::GetPackage => "get a package",
            Operation::DeletePackage => "delete a package",
            Operation::RestorePackage => "restore a package",
            Operation::ListVersions => "get a package's versions",
            Operation::GetVersion => "view a package's versions",
            Operation::DeleteVersion => "delete a package version",
            Operation::RestoreVersion => "restore a package version",
        }
    }

    /// The scopes a classic or OAuth token needs, in the order GitHub's messages name them:
    /// `read:packages` for everything, after `delete:packages` to delete and `write:packages` to
    /// restore, and `repo` last for the registries that inherit a repository's permissions.
    /// Listings name their type in the query; without one only the packages scopes count.
    pub fn required_scopes(self, package_type: Option<PackageType>) -> Vec<&'static str> {
        let mut scopes = match self.effect() {
            Effect::Read => vec![scope::READ_PACKAGES],
            Effect::Delete => vec![scope::DELETE_PACKAGES, scope::READ_PACKAGES],
            Effect::Restore => vec![scope::WRITE_PACKAGES, scope::READ_PACKAGES],
        };
        if package_type.is_some_and(PackageType::inherits_repository_permissions) {
            scopes.push(scope::REPO);
        }
        scopes
    }

    /// The `packages` permission fine-grained, App and `GITHUB_TOKEN` tokens need.
    pub fn required_permission(self) -> PackagePermission {
        match self.effect() {
            Effect::Read => PackagePermission::Read,
            Effect::Delete | Effect::Restore => PackagePermission::Write,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Read,
    Delete,
    Restore,
}

/// The account a request addresses, as far as access is concerned.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub login: &'a str,
    pub kind: OwnerKind,
    /// Whether the organisation enforces SAML single sign-on.
    pub saml_sso: bool,
    /// Whether it was addressed as `/user` (the token's own account).
    pub via_user: bool,
    /// The package type the request names, in its path or (for listings) its query.
    pub package_type: Option<PackageType>,
    /// The package the request names, when it names one that exists in any state: its name
    /// and the repository it is linked to.
    pub package: Option<(&'a str, Option<&'a str>)>,
}

/// Why GitHub refuses a request, before it looks any further.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Denial {
    /// A classic or OAuth token lacks scopes; the message is GitHub's for the operation.
    MissingScopes { message: String },
    /// A fine-grained, App or `GITHUB_TOKEN` token lacks the permission (or the operation is
    /// closed to its kind).
    NotAccessible { kind: TokenKind },
    /// The organisation enforces SAML SSO and the token is not authorised for it.
    SsoRequired { org: String },
}

/// Applies GitHub's rules, in the order GitHub applies them: the account first (integrations
/// have no `/user`; SAML SSO guards an organisation's resources), then the token's scopes or
/// permission, then package-level access for a `GITHUB_TOKEN`.
pub(crate) fn decide(
    profile: &TokenProfile,
    operation: Operation,
    target: &Target<'_>,
) -> Result<(), Denial> {
    let kind = profile.kind;
    let not_accessible = Err(Denial::NotAccessible { kind });
    // An installation token acts for no user: GitHub answers every `/user` endpoint with
    // "Resource not accessible by integration".
    if kind.is_integration() && target.via_user {
        return not_accessible;
    }
    if target.kind == OwnerKind::Organization
        && sso_shuts_out(profile, target.login, target.saml_sso)
    {
        return Err(Denial::SsoRequired {
            org: target.login.to_owned(),
        });
    }
    if kind.has_scopes() {
        let required = operation.required_scopes(target.package_type);
        if required.iter().all(|scope| profile.has_scope(scope)) {
            return Ok(());
        }
        return Err(Denial::MissingScopes {
            message: scope_message(&required, operation),
        });
    }
    // GitHub's docs: "GITHUB_TOKEN cannot list an owner's packages"; getting one by its name
    // works.
    if kind == TokenKind::GithubToken && operation == Operation::ListPackages {
        return not_accessible;
    }
    if profile.packages_permission() < operation.required_permission() {
        return not_accessible;
    }
    // Deleting or restoring with a GITHUB_TOKEN also needs the admin role in the package's
    // "Manage Actions access" settings. A package that does not exist is left to the handler,
    // which answers 404 as GitHub does.
    if kind == TokenKind::GithubToken
        && operation.effect() != Effect::Read
        && let (Some(package_type), Some((name, repository))) =
            (target.package_type, target.package)
    {
        let role = profile.actions_role(target.login, package_type, name, repository);
        if role < Some(ActionsRole::Admin) {
            return not_accessible;
        }
    }
    Ok(())
}

/// Whether an organisation's SAML single sign-on keeps the token out of its resources. SSO
/// applies to the tokens a person authorises (classic PATs, OAuth tokens); an installation is
/// approved by the organisation itself, and a fine-grained PAT when it is created.
pub(crate) fn sso_shuts_out(profile: &TokenProfile, org: &str, saml_sso: bool) -> bool {
    saml_sso && profile.kind.has_scopes() && !profile.is_sso_authorized_for(org)
}

/// GitHub's wording: "You need at least delete:packages and read:packages scopes to delete a
/// package version." The fake words the `repo` case the same way, naming `repo` last.
fn scope_message(scopes: &[&str], operation: Operation) -> String {
    let (listed, noun) = match scopes {
        [one] => ((*one).to_owned(), "scope"),
        [init @ .., last] => (format!("{} and {last}", init.join(", ")), "scopes"),
        [] => (String::new(), "scopes"),
    };
    format!(
        "You need at least {listed} {noun} to {}.",
        operation.purpose()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org<'a>(package: Option<(&'a str, Option<&'a str>)>) -> Target<'a> {
        Target {
            login: "acme",
            kind: OwnerKind::Organization,
            saml_sso: false,
            via_user: false,
            package_type: Some(PackageType::Container),
            package,
        }
    }

    fn message(denial: Result<(), Denial>) -> String {
        match denial {
            Err(Denial::MissingScopes { message }) => message,
            other => panic!("expected missing scopes, got {other:?}"),
        }
    }

    #[test]
    fn scope_messages_read_as_githubs() {
        let none = TokenProfile::classic(Vec::<String>::new());
        let target = org(None);
        let said = |operation| message(decide(&none, operation, &target));
        assert_eq!(
            said(Operation::ListPackages),
            "You need at least read:packages scope to list packages."
        );
        assert_eq!(
            said(Operation::GetPackage),
            "You need at least read:packages scope to get a package."
        );
        assert_eq!(
            said(Operation::ListVersions),
            "You need at least read:packages scope to get a package's versions."
        );
        assert_eq!(
            said(Operation::GetVersion),
            "You need at least read:packages scope to view a package's versions."
        );
        assert_eq!(
            said(Operation::DeleteVersion),
            "You need at least delete:packages and read:packages scopes to delete a package version."
        );
        assert_eq!(
            said(Operation::RestorePackage),
            "You need at least write:packages and read:packages scopes to restore a package."
        );
        let npm = Target {
            package_type: Some(PackageType::Npm),
            ..target
        };
        assert_eq!(
            message(decide(&none, Operation::DeletePackage, &npm)),
            "You need at least delete:packages, read:packages and repo scopes to delete a package."
        );
    }

    #[test]
    fn each_operation_needs_its_own_scopes() {
        let reader = TokenProfile::classic([scope::READ_PACKAGES]);
        let deleter = TokenProfile::classic([scope::READ_PACKAGES, scope::DELETE_PACKAGES]);
        let target = org(None);
        assert_eq!(decide(&reader, Operation::GetVersion, &target), Ok(()));
        assert!(decide(&reader, Operation::DeleteVersion, &target).is_err());
        assert_eq!(decide(&deleter, Operation::DeleteVersion, &target), Ok(()));
        assert!(decide(&deleter, Operation::RestoreVersion, &target).is_err());
        // Delete without read is still refused.
        let blind = TokenProfile::oauth([scope::DELETE_PACKAGES]);
        assert!(decide(&blind, Operation::DeleteVersion, &target).is_err());
        // `repo` matters for npm, not for containers.
        let npm = Target {
            package_type: Some(PackageType::Npm),
            ..target
        };
        assert!(decide(&reader, Operation::ListVersions, &npm).is_err());
        let with_repo = TokenProfile::classic([scope::READ_PACKAGES, scope::REPO]);
        assert_eq!(decide(&with_repo, Operation::ListVersions, &npm), Ok(()));
    }

    #[test]
    fn sso_guards_organisations_from_unauthorised_personal_tokens() {
        let target = Target {
            saml_sso: true,
            ..org(None)
        };
        let classic = TokenProfile::unrestricted();
        assert_eq!(
            decide(&classic, Operation::ListPackages, &target),
            Err(Denial::SsoRequired { org: "acme".into() })
        );
        let authorised = TokenProfile::unrestricted().sso_authorized("ACME");
        assert_eq!(
            decide(&authorised, Operation::ListPackages, &target),
            Ok(())
        );
        // SSO comes before scopes: a token lacking both learns about SSO first.
        let bare = TokenProfile::classic(Vec::<String>::new());
        assert!(matches!(
            decide(&bare, Operation::GetPackage, &target),
            Err(Denial::SsoRequired { .. })
        ));
        let installation = TokenProfile::app(PackagePermission::Read);
        assert_eq!(
            decide(&installation, Operation::ListPackages, &target),
            Ok(())
        );
    }

    #[test]
    fn permissions_guard_the_other_kinds() {
        let target = org(Some(("team/app", Some("app"))));
        let reader = TokenProfile::fine_grained(PackagePermission::Read);
        assert_eq!(decide(&reader, Operation::ListPackages, &target), Ok(()));
        assert_eq!(
            decide(&reader, Operation::DeleteVersion, &target),
            Err(Denial::NotAccessible {
                kind: TokenKind::FineGrained
            })
        );
        let nothing = TokenProfile::app(PackagePermission::None);
        assert!(decide(&nothing, Operation::GetPackage, &target).is_err());
        let writer = TokenProfile::app(PackagePermission::Write);
        assert_eq!(decide(&writer, Operation::RestoreVersion, &target), Ok(()));
        // No `/user` for installations.
        let mine = Target {
            via_user: true,
            kind: OwnerKind::User,
            ..target
        };
        assert!(decide(&writer, Operation::GetPackage, &mine).is_err());
        assert_eq!(
            decide(
                &TokenProfile::fine_grained(PackagePermission::Read),
                Operation::GetPackage,
                &mine
            ),
            Ok(())
        );
    }

    #[test]
    fn a_github_token_gets_packages_by_name_and_deletes_only_with_admin_access() {
        let target = org(Some(("team/app", Some("app"))));
        let bare = TokenProfile::github_token(PackagePermission::Write);
        assert!(decide(&bare, Operation::ListPackages, &target).is_err());
        assert_eq!(decide(&bare, Operation::GetPackage, &target), Ok(()));
        assert_eq!(decide(&bare, Operation::ListVersions, &target), Ok(()));
        assert!(decide(&bare, Operation::DeleteVersion, &target).is_err());
        assert!(decide(&bare, Operation::RestorePackage, &target).is_err());
        // A package that does not exist: the handler answers 404.
        assert_eq!(decide(&bare, Operation::DeleteVersion, &org(None)), Ok(()));

        let writer = bare.clone().actions_access(
            "acme",
            PackageType::Container,
            "team/app",
            ActionsRole::Write,
        );
        assert!(decide(&writer, Operation::DeleteVersion, &target).is_err());
        let admin = bare.clone().actions_access(
            "acme",
            PackageType::Container,
            "team/app",
            ActionsRole::Admin,
        );
        assert_eq!(decide(&admin, Operation::DeleteVersion, &target), Ok(()));
        let publisher = bare.repository("acme/app");
        assert_eq!(
            decide(&publisher, Operation::RestoreVersion, &target),
            Ok(())
        );
        // Admin access does not make up for a read-only workflow permission.
        let read_only = TokenProfile::github_token(PackagePermission::Read).repository("acme/app");
        assert!(decide(&read_only, Operation::DeleteVersion, &target).is_err());
    }
}
