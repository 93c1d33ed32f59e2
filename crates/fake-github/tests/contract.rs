//! The fake's answers, checked against GitHub's own OpenAPI description.
//!
//! For every operation tagged `packages` (27) and the three profile operations, a real request
//! goes to the fake; its status must be one the description declares for the operation, and its
//! body must validate against the schema declared for that status. Operations that declare
//! `401`, `403` or `404` are also asked without a token, with a token that lacks every scope
//! (and, for organisations, one shut out by SAML SSO or a `GITHUB_TOKEN` where it is refused),
//! and for a missing package, and those error bodies are validated too.
//!
//! The description declares no `403` for getting a package or a version, nor for the `/user`
//! listings, although GitHub refuses tokens without `read:packages` there too (and so does the
//! fake); those refusals are checked in `tests/permissions.rs` instead.
//!
//! The description comes from the npm package `@octokit/openapi`, installed by `.ci/run` under
//! `.tools/` at the workspace root (or found at `$OCTOKIT_OPENAPI_JSON`).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use common::{Api, Reply};
use fake_github::{
    PackagePermission, PackageSeed, PackageType, Seed, TokenProfile, VersionSeed, Visibility,
};
use jsonschema::Validator;
use reqwest::Method;
use serde_json::{Map, Value, json};

const TOKEN: &str = "contract-token";
/// A classic token without a single scope.
const SCOPELESS: &str = "scopeless-token";
/// A workflow's `GITHUB_TOKEN` with `packages: write` and no "Manage Actions access" grants.
const WORKFLOW: &str = "workflow-token";
/// The container package every operation addresses, in each owner's scope.
const PACKAGE: &str = "team/app";
/// An active version of it that may be deleted (it is not the last).
const VERSION: u64 = 2001;

/// The seed: the same package under an organisation and under the token's user, so every scope
/// has something to list, get, delete and restore, plus a Docker migration conflict for each.
fn seed() -> Seed {
    let package = |owner: &str, first_id: u64| {
        PackageSeed::new(owner, PackageType::Container, PACKAGE)
            .visibility(Visibility::Public)
            .repository("app")
            .version(
                VersionSeed::new("sha256:1111")
                    .id(first_id)
                    .tags(["v1", "latest"])
                    .created_at("2024-05-01T10:00:00Z"),
            )
            .version(
                VersionSeed::new("sha256:2222")
                    .id(first_id + 1)
                    .created_at("2024-04-01T10:00:00Z"),
            )
            .version(
                VersionSeed::new("sha256:3333")
                    .id(first_id + 2)
                    .deleted_at("2024-06-01T10:00:00Z"),
            )
    };
    let conflict = |owner: &str| {
        PackageSeed::new(owner, PackageType::Docker, "legacy")
            .docker_conflict()
            .version(VersionSeed::new("1.0"))
    };
    Seed::default()
        .with_org("acme")
        .with_user("octocat")
        .with_token(TOKEN, "octocat")
        .with_token(SCOPELESS, "octocat")
        .with_token_profile(SCOPELESS, TokenProfile::classic(Vec::<String>::new()))
        .with_token(WORKFLOW, "octocat")
        .with_token_profile(
            WORKFLOW,
            TokenProfile::github_token(PackagePermission::Write),
        )
        .with_package(package("acme", 2000))
        .with_package(package("octocat", 3000))
        .with_package(conflict("acme"))
        .with_package(conflict("octocat"))
}

/// GitHub's description, loaded once.
fn description() -> &'static Value {
    static DESCRIPTION: OnceLock<Value> = OnceLock::new();
    DESCRIPTION.get_or_init(|| {
        let path = std::env::var_os("OCTOKIT_OPENAPI_JSON").map_or_else(
            || {
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../../.tools/node_modules/@octokit/openapi/generated/api.github.com.json")
            },
            PathBuf::from,
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!(
                "cannot read GitHub's OpenAPI description at {} ({error}). Run `.ci/run`, which installs it \
                 with `npm install --prefix .tools @octokit/openapi@23.0.2`, or point OCTOKIT_OPENAPI_JSON at \
                 api.github.com.json",
                path.display()
            )
        });
        serde_json::from_str(&text).expect("the description is JSON")
    })
}

/// One operation of the description.
struct Operation {
    method: Method,
    /// The path template, e.g. `/orgs/{org}/packages/{package_type}/{package_name}`.
    template: String,
    id: String,
    /// Declared responses by status code, with `$ref`s to shared responses resolved.
    responses: BTreeMap<String, Value>,
    /// Names of required query parameters.
    required_query: Vec<String>,
}

impl Operation {
    /// The concrete path for this operation, addressing [`PACKAGE`] and [`VERSION`] (offset
    /// into the owner's id range), with required query parameters filled in. With `missing`,
    /// it names an account and a package that do not exist instead.
    fn path(&self, missing: bool) -> String {
        let owner_ids = if self.template.starts_with("/orgs/") {
            0
        } else {
            1000
        };
        let (org, user, package) = if missing {
            ("nobody", "nobody", "missing")
        } else {
            ("acme", "octocat", PACKAGE)
        };
        let mut path = self
            .template
            .replace("{org}", org)
            .replace("{username}", user)
            .replace("{package_type}", "container")
            .replace("{package_name}", &package.replace('/', "%2F"))
            .replace("{package_version_id}", &(VERSION + owner_ids).to_string());
        if !self.required_query.is_empty() {
            let query: Vec<String> = self
                .required_query
                .iter()
                .map(|name| match name.as_str() {
                    "package_type" => "package_type=container".to_owned(),
                    other => panic!("{}: no value for the required parameter {other}", self.id),
                })
                .collect();
            path = format!("{path}?{}", query.join("&"));
        }
        path
    }

    /// For a restore operation, the path of what it brings back (to be deleted first).
    fn deleted_first(&self) -> Option<String> {
        let path = self.path(false);
        path.strip_suffix("/restore").map(str::to_owned)
    }
}

/// The operations under test: every one tagged `packages`, plus the three account profiles.
fn operations() -> Vec<Operation> {
    let document = description();
    let profiles = [
        ("get", "/users/{username}"),
        ("get", "/orgs/{org}"),
        ("get", "/user"),
    ];
    let mut operations = Vec::new();
    for (template, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let tagged = operation["tags"]
                .as_array()
                .is_some_and(|tags| tags.iter().any(|t| t == "packages"));
            if !tagged && !profiles.contains(&(method.as_str(), template.as_str())) {
                continue;
            }
            let responses = operation["responses"]
                .as_object()
                .expect("responses")
                .iter()
                .map(|(status, response)| (status.clone(), resolve(document, response).clone()))
                .collect();
            let required_query = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|parameter| resolve(document, parameter))
                .filter(|parameter| parameter["in"] == "query" && parameter["required"] == true)
                .filter_map(|parameter| parameter["name"].as_str().map(str::to_owned))
                .collect();
            operations.push(Operation {
                method: method.to_uppercase().parse().expect("an HTTP method"),
                template: template.clone(),
                id: operation["operationId"]
                    .as_str()
                    .unwrap_or(template)
                    .to_owned(),
                responses,
                required_query,
            });
        }
    }
    operations
}

/// Follows a local `$ref` (`#/components/...`), or returns the value itself.
fn resolve<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => document
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling $ref {pointer}")),
        None => value,
    }
}

/// Turns an OpenAPI 3.0 schema into JSON Schema: `nullable: true` becomes `null` among the
/// allowed types (and values, for enums), or an `anyOf` with `null` around a composed schema.
fn to_json_schema(schema: &Value) -> Value {
    let Value::Object(object) = schema else {
        return schema.clone(); // `true`, `false`
    };
    let mut converted = Map::new();
    for (keyword, value) in object {
        let value = match (keyword.as_str(), value) {
            ("nullable", _) => continue,
            ("properties" | "patternProperties", Value::Object(properties)) => Value::Object(
                properties
                    .iter()
                    .map(|(name, schema)| (name.clone(), to_json_schema(schema)))
                    .collect(),
            ),
            ("allOf" | "anyOf" | "oneOf", Value::Array(schemas)) => {
                Value::Array(schemas.iter().map(to_json_schema).collect())
            }
            ("items" | "additionalProperties" | "not", schema) => to_json_schema(schema),
            (_, value) => value.clone(),
        };
        converted.insert(keyword.clone(), value);
    }
    if object.get("nullable") != Some(&Value::Bool(true)) {
        return Value::Object(converted);
    }
    match converted
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_owned)
    {
        Some(kind) => {
            converted.insert("type".into(), json!([kind, "null"]));
            if let Some(Value::Array(values)) = converted.get_mut("enum") {
                values.push(Value::Null);
            }
            Value::Object(converted)
        }
        None if ["allOf", "anyOf", "oneOf", "$ref"]
            .iter()
            .any(|k| converted.contains_key(*k)) =>
        {
            json!({ "anyOf": [{ "type": "null" }, converted] })
        }
        // Without a type, null is allowed already.
        None => Value::Object(converted),
    }
}

/// Compiles `schema` (a schema from the description, which may `$ref` its components) into a
/// validator: the schema becomes the root of a document that carries every component schema it
/// reaches, so `#/components/schemas/...` references resolve inside it.
fn validator(schema: &Value) -> Validator {
    let document = description();
    let mut reachable = BTreeMap::new();
    collect_refs(document, schema, &mut reachable);
    let mut root = match to_json_schema(schema) {
        Value::Object(object) => object,
        other => panic!("not a schema: {other}"),
    };
    let components: Map<String, Value> = reachable
        .into_iter()
        .map(|(name, schema)| (name, to_json_schema(&schema)))
        .collect();
    root.insert("components".into(), json!({ "schemas": components }));
    jsonschema::validator_for(&Value::Object(root))
        .unwrap_or_else(|error| panic!("the schema does not compile: {error}"))
}

/// Every component schema that `schema` reaches through `$ref`s, by name.
fn collect_refs(document: &Value, schema: &Value, found: &mut BTreeMap<String, Value>) {
    match schema {
        Value::Object(object) => {
            if let Some(name) = object
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                && !found.contains_key(name)
            {
                let target = document["components"]["schemas"][name].clone();
                found.insert(name.to_owned(), target.clone());
                collect_refs(document, &target, found);
            }
            object
                .values()
                .for_each(|value| collect_refs(document, value, found));
        }
        Value::Array(items) => items
            .iter()
            .for_each(|value| collect_refs(document, value, found)),
        _ => {}
    }
}

/// Checks one reply against the operation's declaration; describes each disagreement.
fn check(operation: &Operation, what: &str, reply: &Reply) -> Vec<String> {
    let context = format!(
        "{} {} ({what}) answered {}",
        operation.method, operation.template, reply.status
    );
    let Some(declared) = operation
        .responses
        .get(&reply.status.to_string())
        .or_else(|| operation.responses.get("default"))
    else {
        let declared: Vec<&String> = operation.responses.keys().collect();
        return vec![format!(
            "{context}, which is not declared (declared: {declared:?}): {}",
            reply.text
        )];
    };
    let Some(schema) = declared.pointer("/content/application~1json/schema") else {
        // Bodiless answers (204) must be empty; a 200 without a schema would mean this test
        // checked nothing.
        return match reply.status {
            200 => vec![format!("{context}, for which no JSON schema is declared")],
            204 if !reply.text.is_empty() => vec![format!(
                "{context} with a body where none is declared: {}",
                reply.text
            )],
            _ => Vec::new(),
        };
    };
    validator(schema)
        .iter_errors(&reply.json)
        .map(|error| format!("{context}: {error} at {}", error.instance_path()))
        .take(5)
        .collect()
}

#[tokio::test]
async fn every_operation_answers_as_githubs_description_declares() {
    let operations = operations();
    let packages = operations
        .iter()
        .filter(|op| op.id.starts_with("packages/"))
        .count();
    assert_eq!(
        packages, 27,
        "the description should have 27 packages operations"
    );
    assert_eq!(operations.len(), 30);

    let mut failures = Vec::new();
    for operation in &operations {
        // A fresh fake per operation keeps deletes from affecting the others.
        let api = Api::start(seed(), Some(TOKEN)).await;
        if let Some(deleted) = operation.deleted_first() {
            let prepared = api.send(Method::DELETE, &deleted).await;
            assert_eq!(
                prepared.status, 204,
                "deleting {deleted} before {}: {}",
                operation.id, prepared.text
            );
        }
        let path = operation.path(false);
        let reply = api.send(operation.method.clone(), &path).await;
        if !(200..300).contains(&reply.status) {
            failures.push(format!(
                "{} {path} failed: {} {}",
                operation.method, reply.status, reply.text
            ));
        }
        failures.extend(check(operation, "success", &reply));

        if operation.responses.contains_key("401") {
            let anonymous = api.send_with(operation.method.clone(), &path, None).await;
            assert_eq!(
                anonymous.status, 401,
                "{} {path} without a token",
                operation.method
            );
            failures.extend(check(operation, "no token", &anonymous));
        }
        // Profiles need no scope; every Packages operation needs one.
        if operation.responses.contains_key("403") && operation.id.starts_with("packages/") {
            let scopeless = format!("Bearer {SCOPELESS}");
            let refused = api
                .send_with(operation.method.clone(), &path, Some(&scopeless))
                .await;
            assert_eq!(
                refused.status, 403,
                "{} {path} with a token without scopes",
                operation.method
            );
            failures.extend(check(operation, "missing scopes", &refused));
        }
        if operation.responses.contains_key("404") {
            let missing = api
                .send(operation.method.clone(), &operation.path(true))
                .await;
            assert_eq!(
                missing.status, 404,
                "{} {} for a missing package",
                operation.method, operation.template
            );
            failures.extend(check(operation, "missing", &missing));
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn sso_and_integration_refusals_answer_as_declared() {
    let mut failures = Vec::new();
    for operation in operations()
        .iter()
        .filter(|op| op.template.starts_with("/orgs/{org}/") && op.responses.contains_key("403"))
    {
        let path = operation.path(false);

        let mut sso_seed = seed();
        let acme = sso_seed
            .owners
            .iter_mut()
            .find(|owner| owner.login == "acme")
            .expect("seeded");
        acme.saml_sso = true;
        let api = Api::start(sso_seed, Some(TOKEN)).await;
        let reply = api.send(operation.method.clone(), &path).await;
        assert_eq!(reply.status, 403, "{} {path} under SSO", operation.method);
        assert!(reply.header("x-github-sso").is_some());
        failures.extend(check(operation, "SSO required", &reply));

        // A GITHUB_TOKEN may not list an owner's packages, nor delete or restore without admin
        // access to the package; it may read the rest.
        let listing = operation.template.ends_with("/packages");
        let changes = operation.method != Method::GET;
        let api = Api::start(seed(), Some(WORKFLOW)).await;
        let reply = api.send(operation.method.clone(), &path).await;
        let expected = if listing || changes { 403 } else { 200 };
        assert_eq!(
            reply.status, expected,
            "{} {path} with a GITHUB_TOKEN: {}",
            operation.method, reply.text
        );
        failures.extend(check(operation, "GITHUB_TOKEN", &reply));
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn deleted_versions_validate_too() {
    let api = Api::start(seed(), Some(TOKEN)).await;
    let reply = api
        .get("/orgs/acme/packages/container/team%2Fapp/versions?state=deleted")
        .await;
    assert_eq!(reply.len(), 1);
    assert!(reply.json[0]["deleted_at"].is_string());
    let schema =
        json!({ "type": "array", "items": { "$ref": "#/components/schemas/package-version" } });
    let validator = validator(&schema);
    assert!(validator.is_valid(&reply.json), "{}", reply.text);
}

#[tokio::test]
async fn profiles_match_exactly_one_branch_of_the_user_schemas() {
    let api = Api::start(seed(), Some(TOKEN)).await;
    let public_user = validator(&json!({ "$ref": "#/components/schemas/public-user" }));
    let private_user = validator(&json!({ "$ref": "#/components/schemas/private-user" }));
    for path in ["/users/octocat", "/users/acme"] {
        let profile = api.get(path).await.json;
        assert!(
            public_user.is_valid(&profile),
            "{path} is not a public-user"
        );
        assert!(
            !private_user.is_valid(&profile),
            "{path} is also a private-user"
        );
    }
    let me = api.get("/user").await.json;
    assert!(private_user.is_valid(&me), "/user is not a private-user");
    assert!(!public_user.is_valid(&me), "/user is also a public-user");
}

#[tokio::test]
async fn the_validator_rejects_broken_bodies() {
    let api = Api::start(seed(), Some(TOKEN)).await;
    let version_schema = validator(&json!({ "$ref": "#/components/schemas/package-version" }));
    let package_schema = validator(&json!({ "$ref": "#/components/schemas/package" }));

    let mut version = api
        .get(&format!(
            "/orgs/acme/packages/container/team%2Fapp/versions/{VERSION}"
        ))
        .await
        .json;
    assert!(version_schema.is_valid(&version));
    version.as_object_mut().expect("an object").remove("id");
    assert!(
        !version_schema.is_valid(&version),
        "a version without id passed"
    );

    let mut package = api
        .get("/orgs/acme/packages/container/team%2Fapp")
        .await
        .json;
    assert!(package_schema.is_valid(&package));
    package["visibility"] = json!("internal");
    assert!(
        !package_schema.is_valid(&package),
        "a visibility outside the enum passed"
    );
    package["visibility"] = json!("public");
    package["owner"]["login"] = json!(null);
    assert!(
        !package_schema.is_valid(&package),
        "a null owner login passed"
    );
    package["owner"] = json!(null);
    assert!(
        package_schema.is_valid(&package),
        "nullable owner should accept null"
    );
}
