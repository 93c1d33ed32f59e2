//! What a token needs, and what to tell the user when it lacks it: pure rules, from GitHub's
//! Packages documentation.
//!
//! - Classic PATs and OAuth tokens: `read:packages` to read, plus `delete:packages` to delete,
//!   plus `write:packages` to restore; npm, Maven, RubyGems and NuGet packages inherit a
//!   repository's permissions, so they also need `repo`. These tokens report their scopes in
//!   `X-OAuth-Scopes`, which makes a preflight possible.
//! - `GITHUB_TOKEN`, GitHub App installation tokens and fine-grained PATs report nothing; a
//!   missing permission shows as a 403 on the first change, explained by [`permission_hint`].
//!
//! The checks are about what a run does to packages, an [`Operation`], not about the command
//! that asked for it: the configuration maps its commands onto these.

use std::fmt;

use crate::model::PackageType;

/// What a run does to the owner's packages, as far as a token's permissions are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Reads packages and versions only.
    List,
    /// Deletes versions (and packages left empty).
    Delete,
    /// Brings deleted versions and packages back.
    Restore,
}

impl Operation {
    /// The classic scopes the operation needs on any package: `read:packages`, plus the one
    /// that allows its change.
    fn package_scopes(self) -> &'static [&'static str] {
        match self {
            Operation::List => &["read:packages"],
            Operation::Delete => &["read:packages", "delete:packages"],
            Operation::Restore => &["read:packages", "write:packages"],
        }
    }

    /// What the operation does to versions, as a verb.
    fn verb(self) -> &'static str {
        match self {
            Operation::List => "list",
            Operation::Delete => "delete",
            Operation::Restore => "restore",
        }
    }
}

/// What kind a token looks like. Only ever used to word messages: a token is passed as given
/// and never accepted or refused by its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    ClassicPat,
    FineGrainedPat,
    OAuth,
    /// `GITHUB_TOKEN` or a GitHub App installation token (both `ghs_`).
    Installation,
    /// A GitHub App acting for a user (`ghu_`).
    UserToServer,
    Unknown,
}

impl TokenKind {
    /// The kind a token looks like, by GitHub's documented prefixes.
    pub fn guess(token: &str) -> TokenKind {
        match token {
            t if t.starts_with("github_pat_") => TokenKind::FineGrainedPat,
            t if t.starts_with("ghp_") => TokenKind::ClassicPat,
            t if t.starts_with("gho_") => TokenKind::OAuth,
            t if t.starts_with("ghs_") => TokenKind::Installation,
            t if t.starts_with("ghu_") => TokenKind::UserToServer,
            _ => TokenKind::Unknown,
        }
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenKind::ClassicPat => "a classic personal access token",
            TokenKind::FineGrainedPat => "a fine-grained personal access token",
            TokenKind::OAuth => "an OAuth token",
            TokenKind::Installation => "GITHUB_TOKEN or a GitHub App installation token",
            TokenKind::UserToServer => "a GitHub App user token",
            TokenKind::Unknown => "a token of a kind it does not recognise",
        })
    }
}

/// The classic scopes an operation needs for a package type.
pub fn required_scopes(operation: Operation, package_type: PackageType) -> Vec<&'static str> {
    let mut scopes = operation.package_scopes().to_vec();
    if inherits_repository_permissions(package_type) {
        scopes.push("repo");
    }
    scopes
}

/// npm, Maven, RubyGems and NuGet packages take their permissions from a repository.
pub fn inherits_repository_permissions(package_type: PackageType) -> bool {
    matches!(
        package_type,
        PackageType::Npm | PackageType::Maven | PackageType::Rubygems | PackageType::Nuget
    )
}

/// The scopes in `X-OAuth-Scopes` (`"read:packages, repo"`) that `required` lacks.
pub fn missing_scopes<'a>(granted_header: &str, required: &[&'a str]) -> Vec<&'a str> {
    let granted: Vec<&str> = granted_header
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    required
        .iter()
        .filter(|scope| !granted.contains(scope))
        .copied()
        .collect()
}

/// The one line that stops a run whose token lacks scopes. `command` is what the user ran, as
/// they wrote it (`prune`), so that the message speaks their words.
pub fn missing_scopes_message(
    command: &str,
    package_type: PackageType,
    missing: &[&str],
) -> String {
    let why = if missing.contains(&"repo") && inherits_repository_permissions(package_type) {
        format!(" ({package_type} packages take their permissions from a repository, hence `repo`)")
    } else {
        String::new()
    };
    format!(
        "the token lacks the scope(s) {} that `{command}` needs for {package_type} packages{why}; add \
         them to the token (GitHub → Settings → Developer settings → Personal access tokens) \
         or use one that has them",
        missing.join(", "),
    )
}

/// What a 403 on a change (a delete or a restore) means for a token that does not report its
/// scopes: GITHUB_TOKEN, an App token or a fine-grained PAT (classic PATs and OAuth tokens always
/// report theirs, so a token that looks classic but reports none is taken for GITHUB_TOKEN).
pub fn permission_hint(kind: TokenKind, operation: Operation) -> String {
    let verb = operation.verb();
    let scopes = operation.package_scopes().join(" and ");
    match kind {
        TokenKind::FineGrainedPat => format!(
            "GitHub's Packages API does not accept fine-grained personal access tokens for every \
             package type; use a classic PAT with {scopes}"
        ),
        _ => format!(
            "With GITHUB_TOKEN the workflow needs `permissions: packages: write`, and the \
             repository needs the Admin role on the package in its \"Manage Actions access\" \
             settings to {verb} versions; a GitHub App needs the Packages permission (write) and \
             admin access to the package"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_need_their_scopes_and_repo_for_repository_packages() {
        assert_eq!(
            required_scopes(Operation::List, PackageType::Container),
            ["read:packages"]
        );
        assert_eq!(
            required_scopes(Operation::Delete, PackageType::Npm),
            ["read:packages", "delete:packages", "repo"]
        );
        assert_eq!(
            required_scopes(Operation::Restore, PackageType::Container),
            ["read:packages", "write:packages"]
        );
    }

    #[test]
    fn missing_scopes_are_read_from_the_header() {
        let required = required_scopes(Operation::Delete, PackageType::Maven);
        assert_eq!(
            missing_scopes("read:packages, repo", &required),
            ["delete:packages"]
        );
        assert_eq!(missing_scopes("", &required), required);
        assert!(missing_scopes("repo,read:packages, delete:packages", &required).is_empty());
    }

    #[test]
    fn permission_hints_name_the_change_and_its_scope() {
        let fine_grained = permission_hint(TokenKind::FineGrainedPat, Operation::Restore);
        assert!(fine_grained.ends_with("use a classic PAT with read:packages and write:packages"));
        let installation = permission_hint(TokenKind::Installation, Operation::Delete);
        assert!(installation.contains("settings to delete versions"));
    }

    #[test]
    fn kinds_are_guessed_for_messages_only() {
        assert_eq!(TokenKind::guess("ghp_abc"), TokenKind::ClassicPat);
        assert_eq!(
            TokenKind::guess("github_pat_11A"),
            TokenKind::FineGrainedPat
        );
        assert_eq!(TokenKind::guess("ghs_x"), TokenKind::Installation);
        assert_eq!(TokenKind::guess("v1.0123456789abcdef"), TokenKind::Unknown);
    }
}
