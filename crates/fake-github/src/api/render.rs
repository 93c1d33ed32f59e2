//! Response bodies, field for field in the shapes of GitHub's OpenAPI description.
//!
//! URLs follow one rule: API URLs (`url`, `repos_url`, ...) name the fake itself, at the base the
//! request used (`http://host:port`, plus `/api/v3` when the request had it), the way GitHub
//! Enterprise Server names itself, so a client may follow them; web URLs (`html_url`,
//! `package_html_url`) name `https://github.com`, since the fake serves no web pages.

use serde_json::{Value, json};

use crate::model::{MetadataShape, OwnerKind, PackageType};
use crate::rfc3339;
use crate::store::{Owner, Package, Repository, Version};

/// Where the web pages of packages, accounts and repositories live.
const WEB: &str = "https://github.com";

/// When the seeded accounts were created (the seed does not say): 2019-01-01T00:00:00Z.
const ACCOUNT_CREATED_AT: &str = "2019-01-01T00:00:00Z";

/// Renders bodies for one request.
pub(crate) struct Renderer {
    /// The API base URL of the request, without a trailing slash.
    api: String,
}

impl Renderer {
    pub fn new(api_base: String) -> Renderer {
        Renderer { api: api_base }
    }

    /// A package (`#/components/schemas/package`).
    pub fn package(&self, package: &Package, owner: &Owner) -> Value {
        let name = encode_segment(&package.name);
        let kind = package.package_type;
        let scope = scope_path(owner);
        let mut body = json!({
            "id": package.id,
            "name": package.name,
            "package_type": kind.as_str(),
            "owner": self.simple_user(owner),
            "version_count": package.active_version_count(),
            "visibility": package.visibility.as_str(),
            "url": format!("{}/{scope}/packages/{kind}/{name}", self.api),
            "created_at": rfc3339::format(package.created_at),
            "updated_at": rfc3339::format(package.updated_at),
            "html_url": format!("{WEB}/{scope}/packages/{kind}/package/{name}"),
        });
        if let Some(repository) = &package.repository {
            body["repository"] = self.minimal_repository(repository, owner);
        }
        body
    }

    /// A package version (`#/components/schemas/package-version`).
    pub fn version(&self, package: &Package, owner: &Owner, version: &Version) -> Value {
        let name = encode_segment(&package.name);
        let kind = package.package_type;
        let scope = scope_path(owner);
        let mut metadata = json!({ "package_type": kind.as_str() });
        // GitHub reports tags only for containers; the description's `docker` metadata is
        // self-contradictory (it declares `tag` but requires `tags`), so none is sent for it.
        if kind == PackageType::Container {
            metadata["container"] = json!({ "tags": version.tags });
        }
        match version.metadata_shape {
            MetadataShape::Normal | MetadataShape::Absent => {}
            MetadataShape::Null => metadata = Value::Null,
            MetadataShape::NoContainer => metadata = json!({ "package_type": kind.as_str() }),
            MetadataShape::ContainerNull => metadata["container"] = Value::Null,
            MetadataShape::TagsNull => metadata["container"] = json!({ "tags": null }),
        }
        let mut body = json!({
            "id": version.id,
            "name": version.name,
            "url": format!("{}/{scope}/packages/{kind}/{name}/versions/{}", self.api, version.id),
            "package_html_url": format!("{WEB}/{scope}/packages/{kind}/package/{name}"),
            "html_url": format!("{WEB}/{scope}/packages/{kind}/{name}/{}", version.id),
            "created_at": rfc3339::format(version.created_at),
            "updated_at": rfc3339::format(version.updated_at),
            "metadata": metadata,
        });
        if let Some(deleted_at) = version.deleted_at {
            body["deleted_at"] = json!(rfc3339::format(deleted_at));
        }
        if version.metadata_shape == MetadataShape::Absent
            && let Some(fields) = body.as_object_mut()
        {
            fields.remove("metadata");
        }
        body
    }

    /// An account as it appears inside other objects (`#/components/schemas/simple-user`);
    /// GitHub uses this shape, with `/users/` URLs, for organisations too.
    pub fn simple_user(&self, owner: &Owner) -> Value {
        let login = &owner.login;
        let user = format!("{}/users/{login}", self.api);
        json!({
            "login": login,
            "id": owner.id,
            "node_id": node_id(owner),
            "avatar_url": format!("https://avatars.githubusercontent.com/u/{}?v=4", owner.id),
            "gravatar_id": "",
            "url": user,
            "html_url": format!("{WEB}/{login}"),
            "followers_url": format!("{user}/followers"),
            "following_url": format!("{user}/following{{/other_user}}"),
            "gists_url": format!("{user}/gists{{/gist_id}}"),
            "starred_url": format!("{user}/starred{{/owner}}{{/repo}}"),
            "subscriptions_url": format!("{user}/subscriptions"),
            "organizations_url": format!("{user}/orgs"),
            "repos_url": format!("{user}/repos"),
            "events_url": format!("{user}/events{{/privacy}}"),
            "received_events_url": format!("{user}/received_events"),
            "type": owner.kind.github_type(),
            "user_view_type": "public",
            "site_admin": false,
        })
    }

    /// `GET /users/{username}` for anyone but the caller (`#/components/schemas/public-user`).
    /// The description forbids any field beyond its own here, which is how a client tells this
    /// view from the private one.
    pub fn public_user(&self, owner: &Owner, public_repos: usize) -> Value {
        let mut body = self.simple_user(owner);
        let profile = json!({
            "name": owner.name,
            "company": null,
            "blog": "",
            "location": null,
            "email": null,
            "hireable": null,
            "bio": null,
            "twitter_username": null,
            "public_repos": public_repos,
            "public_gists": 0,
            "followers": 0,
            "following": 0,
            "created_at": ACCOUNT_CREATED_AT,
            "updated_at": ACCOUNT_CREATED_AT,
        });
        merge(&mut body, profile);
        body
    }

    /// `GET /user`: the caller's own profile (`#/components/schemas/private-user`).
    pub fn private_user(&self, owner: &Owner, public_repos: usize) -> Value {
        let mut body = self.public_user(owner, public_repos);
        let private = json!({
            "user_view_type": "private",
            "private_gists": 0,
            "total_private_repos": 0,
            "owned_private_repos": 0,
            "disk_usage": 0,
            "collaborators": 0,
            "two_factor_authentication": true,
            "plan": { "name": "free", "space": 976_562_499, "collaborators": 0, "private_repos": 10_000 },
        });
        merge(&mut body, private);
        body
    }

    /// `GET /orgs/{org}` (`#/components/schemas/organization-full`), as a non-member sees it.
    pub fn organization(&self, owner: &Owner, public_repos: usize) -> Value {
        let login = &owner.login;
        let org = format!("{}/orgs/{login}", self.api);
        let mut body = json!({
            "login": login,
            "id": owner.id,
            "node_id": node_id(owner),
            "url": org,
            "repos_url": format!("{org}/repos"),
            "events_url": format!("{org}/events"),
            "hooks_url": format!("{org}/hooks"),
            "issues_url": format!("{org}/issues"),
            "members_url": format!("{org}/members{{/member}}"),
            "public_members_url": format!("{org}/public_members{{/member}}"),
            "avatar_url": format!("https://avatars.githubusercontent.com/u/{}?v=4", owner.id),
            "description": null,
            "is_verified": false,
            "has_organization_projects": true,
            "has_repository_projects": true,
            "public_repos": public_repos,
            "public_gists": 0,
            "followers": 0,
            "following": 0,
            "html_url": format!("{WEB}/{login}"),
            "type": "Organization",
            "created_at": ACCOUNT_CREATED_AT,
            "updated_at": ACCOUNT_CREATED_AT,
            "archived_at": null,
        });
        // The description types `name` as a non-null string, so it is left out rather than null.
        if let Some(name) = &owner.name {
            body["name"] = json!(name);
        }
        body
    }

    /// The repository a package is linked to (`#/components/schemas/nullable-minimal-repository`).
    fn minimal_repository(&self, repository: &Repository, owner: &Owner) -> Value {
        let full_name = format!("{}/{}", owner.login, repository.name);
        let repo = format!("{}/repos/{full_name}", self.api);
        let mut body = json!({
            "id": repository.id,
            "node_id": format!("R_fake{:08}", repository.id),
            "name": repository.name,
            "full_name": full_name,
            "owner": self.simple_user(owner),
            "private": false,
            "visibility": "public",
            "html_url": format!("{WEB}/{full_name}"),
            "description": null,
            "fork": false,
            "url": repo,
        });
        for (field, suffix) in REPOSITORY_URLS {
            body[field] = json!(format!("{repo}{suffix}"));
        }
        body
    }
}

/// The hypermedia URLs every repository object carries, as suffixes of the repository's API URL
/// (with GitHub's URI-template placeholders).
const REPOSITORY_URLS: [(&str, &str); 36] = [
    ("archive_url", "/{archive_format}{/ref}"),
    ("assignees_url", "/assignees{/user}"),
    ("blobs_url", "/git/blobs{/sha}"),
    ("branches_url", "/branches{/branch}"),
    ("collaborators_url", "/collaborators{/collaborator}"),
    ("comments_url", "/comments{/number}"),
    ("commits_url", "/commits{/sha}"),
    ("compare_url", "/compare/{base}...{head}"),
    ("contents_url", "/contents/{+path}"),
    ("contributors_url", "/contributors"),
    ("deployments_url", "/deployments"),
    ("downloads_url", "/downloads"),
    ("events_url", "/events"),
    ("forks_url", "/forks"),
    ("git_commits_url", "/git/commits{/sha}"),
    ("git_refs_url", "/git/refs{/sha}"),
    ("git_tags_url", "/git/tags{/sha}"),
    ("hooks_url", "/hooks"),
    ("issue_comment_url", "/issues/comments{/number}"),
    ("issue_events_url", "/issues/events{/number}"),
    ("issues_url", "/issues{/number}"),
    ("keys_url", "/keys{/key_id}"),
    ("labels_url", "/labels{/name}"),
    ("languages_url", "/languages"),
    ("merges_url", "/merges"),
    ("milestones_url", "/milestones{/number}"),
    (
        "notifications_url",
        "/notifications{?since,all,participating}",
    ),
    ("pulls_url", "/pulls{/number}"),
    ("releases_url", "/releases{/id}"),
    ("stargazers_url", "/stargazers"),
    ("statuses_url", "/statuses/{sha}"),
    ("subscribers_url", "/subscribers"),
    ("subscription_url", "/subscription"),
    ("tags_url", "/tags"),
    ("teams_url", "/teams"),
    ("trees_url", "/git/trees{/sha}"),
];

/// The path segment of an account's own scope: `orgs/acme` or `users/octocat`. GitHub builds
/// package URLs from the owner's scope whichever scope the request used.
fn scope_path(owner: &Owner) -> String {
    match owner.kind {
        OwnerKind::Organization => format!("orgs/{}", owner.login),
        OwnerKind::User => format!("users/{}", owner.login),
    }
}

/// A GraphQL-style node id; GitHub's are opaque, so any stable string will do.
fn node_id(owner: &Owner) -> String {
    let prefix = match owner.kind {
        OwnerKind::Organization => "O",
        OwnerKind::User => "U",
    };
    format!("{prefix}_fake{:08}", owner.id)
}

/// Copies every field of `extra` into `body`, replacing fields of the same name.
fn merge(body: &mut Value, extra: Value) {
    if let (Value::Object(body), Value::Object(extra)) = (body, extra) {
        body.extend(extra);
    }
}

/// Percent-encodes a package name for use as one URL path segment, as GitHub does
/// (`team/app` becomes `team%2Fapp`).
pub(crate) fn encode_segment(name: &str) -> String {
    let mut encoded = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::encode_segment;

    #[test]
    fn names_encode_as_one_segment() {
        assert_eq!(encode_segment("team/app"), "team%2Fapp");
        assert_eq!(encode_segment("com.acme.billing"), "com.acme.billing");
        assert_eq!(encode_segment("a b"), "a%20b");
    }
}
