//! The Packages REST API's operations: one table that both builds our request paths and lets the
//! contract test compare them with GitHub's OpenAPI description.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;

use super::{PackageType, VersionId};

/// Whose packages a request is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `/orgs/{org}`
    Org(String),
    /// `/users/{username}`
    User(String),
    /// `/user`: the account the token belongs to.
    TokenAccount,
}

impl Scope {
    /// The path the scope's operations start with, with the login percent-encoded.
    fn path_prefix(&self) -> String {
        match self {
            Scope::Org(org) => format!("/orgs/{}", encode_segment(org)),
            Scope::User(user) => format!("/users/{}", encode_segment(user)),
            Scope::TokenAccount => "/user".to_string(),
        }
    }

    /// The prefix as GitHub's description writes it.
    fn template_prefix(&self) -> &'static str {
        match self {
            Scope::Org(_) => "/orgs/{org}",
            Scope::User(_) => "/users/{username}",
            Scope::TokenAccount => "/user",
        }
    }

    /// The three scopes with placeholder logins, for tests that enumerate operations.
    pub fn examples() -> [Scope; 3] {
        [
            Scope::Org("org".into()),
            Scope::User("user".into()),
            Scope::TokenAccount,
        ]
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Org(org) => write!(f, "organisation {org}"),
            Scope::User(user) => write!(f, "user {user}"),
            Scope::TokenAccount => f.write_str("the token's own account"),
        }
    }
}

/// The nine operations, each available in the three scopes: 27 in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    ListPackages,
    GetPackage,
    DeletePackage,
    RestorePackage,
    ListVersions,
    GetVersion,
    DeleteVersion,
    RestoreVersion,
    ListDockerConflicts,
}

impl Endpoint {
    pub const ALL: [Endpoint; 9] = [
        Endpoint::ListPackages,
        Endpoint::GetPackage,
        Endpoint::DeletePackage,
        Endpoint::RestorePackage,
        Endpoint::ListVersions,
        Endpoint::GetVersion,
        Endpoint::DeleteVersion,
        Endpoint::RestoreVersion,
        Endpoint::ListDockerConflicts,
    ];

    pub fn method(self) -> Method {
        match self {
            Endpoint::DeletePackage | Endpoint::DeleteVersion => Method::DELETE,
            Endpoint::RestorePackage | Endpoint::RestoreVersion => Method::POST,
            _ => Method::GET,
        }
    }

    /// The path after the scope, with `{placeholders}` as in GitHub's description.
    fn suffix_template(self) -> &'static str {
        match self {
            Endpoint::ListPackages => "/packages",
            Endpoint::GetPackage | Endpoint::DeletePackage => {
                "/packages/{package_type}/{package_name}"
            }
            Endpoint::RestorePackage => "/packages/{package_type}/{package_name}/restore",
            Endpoint::ListVersions => "/packages/{package_type}/{package_name}/versions",
            Endpoint::GetVersion | Endpoint::DeleteVersion => {
                "/packages/{package_type}/{package_name}/versions/{package_version_id}"
            }
            Endpoint::RestoreVersion => {
                "/packages/{package_type}/{package_name}/versions/{package_version_id}/restore"
            }
            Endpoint::ListDockerConflicts => "/docker/conflicts",
        }
    }

    /// The query parameters we send to this operation.
    pub fn query_parameters(self) -> &'static [&'static str] {
        match self {
            Endpoint::ListPackages => &["package_type", "page", "per_page", "visibility"],
            Endpoint::ListVersions => &["page", "per_page", "state"],
            _ => &[],
        }
    }

    /// The path template of the operation in a scope, as GitHub's description writes it.
    pub fn template(self, scope: &Scope) -> String {
        format!("{}{}", scope.template_prefix(), self.suffix_template())
    }

    /// The concrete path, placeholders filled and percent-encoded (container names may hold `/`).
    pub fn path(
        self,
        scope: &Scope,
        package: Option<(PackageType, &str)>,
        version: Option<VersionId>,
    ) -> String {
        let mut path = format!("{}{}", scope.path_prefix(), self.suffix_template());
        if let Some((package_type, name)) = package {
            path = path
                .replace("{package_type}", package_type.as_str())
                .replace("{package_name}", &encode_segment(name));
        }
        if let Some(version) = version {
            path = path.replace("{package_version_id}", &version.to_string());
        }
        debug_assert!(!path.contains('{'), "unfilled placeholder in {path}");
        path
    }
}

/// Characters left as they are in a path segment: RFC 3986's unreserved set.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment, so that `team/app` travels as `team%2Fapp`.
pub fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_encode_names_and_fill_every_placeholder() {
        let path = Endpoint::RestoreVersion.path(
            &Scope::Org("acme".into()),
            Some((PackageType::Container, "team/app")),
            Some(VersionId(42)),
        );
        assert_eq!(
            path,
            "/orgs/acme/packages/container/team%2Fapp/versions/42/restore"
        );
        assert_eq!(
            Endpoint::ListPackages.path(&Scope::TokenAccount, None, None),
            "/user/packages"
        );
    }

    #[test]
    fn twenty_seven_distinct_operations() {
        let mut all: Vec<(Method, String)> = Scope::examples()
            .iter()
            .flat_map(|scope| Endpoint::ALL.map(|e| (e.method(), e.template(scope))))
            .collect();
        all.sort_by(|a, b| (a.0.as_str(), &a.1).cmp(&(b.0.as_str(), &b.1)));
        all.dedup();
        assert_eq!(all.len(), 27);
    }
}
