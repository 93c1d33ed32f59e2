//! Our client against GitHub's official OpenAPI description (npm `@octokit/openapi`, installed
//! by `.ci/run`): every operation tagged `packages` must be one our client can send, with the
//! same method, path template and only declared query parameters.

use std::collections::BTreeSet;

use package_warden::github::{Endpoint, Scope};
use serde_json::Value;

mod common;

/// Where GitHub's description says less than GitHub does. Each entry is (method, path,
/// parameter): a parameter we send that the description does not declare for that operation.
/// The test fails when an entry stops being a deviation, so the list cannot go stale.
const KNOWN_DEVIATIONS: &[(&str, &str, &str, &str)] = &[
    // The user-scoped version listing pages and filters like the other two scopes (peers rely
    // on it), but its description declares none of these parameters.
    (
        "get",
        "/users/{username}/packages/{package_type}/{package_name}/versions",
        "page",
        "paged like the org and /user listings",
    ),
    (
        "get",
        "/users/{username}/packages/{package_type}/{package_name}/versions",
        "per_page",
        "paged like the org and /user listings",
    ),
    (
        "get",
        "/users/{username}/packages/{package_type}/{package_name}/versions",
        "state",
        "deleted versions of a user's package are listed the same way",
    ),
];

fn packages_operations(spec: &Value) -> Vec<(String, String, &Value)> {
    let mut operations = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let tagged = operation["tags"]
                .as_array()
                .is_some_and(|tags| tags.iter().any(|t| t == "packages"));
            if tagged {
                operations.push((method.clone(), path.clone(), operation));
            }
        }
    }
    operations
}

fn declared_query_parameters(spec: &Value, operation: &Value) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        let parameter = match parameter["$ref"].as_str() {
            Some(reference) => common::resolve_ref(spec, reference),
            None => parameter,
        };
        if parameter["in"] == "query" {
            names.insert(parameter["name"].as_str().expect("name").to_string());
        }
    }
    names
}

#[test]
fn every_packages_operation_is_one_our_client_sends() {
    let spec = common::openapi_description();
    let theirs: BTreeSet<(String, String)> = packages_operations(spec)
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect();
    let ours: BTreeSet<(String, String)> = Scope::examples()
        .iter()
        .flat_map(|scope| {
            Endpoint::ALL.map(|endpoint| {
                (
                    endpoint.method().as_str().to_lowercase(),
                    endpoint.template(scope),
                )
            })
        })
        .collect();
    assert_eq!(
        theirs.len(),
        27,
        "GitHub's description has {} packages operations",
        theirs.len()
    );
    assert_eq!(ours, theirs, "our client and GitHub's description disagree");
}

#[test]
fn we_send_only_declared_query_parameters() {
    let spec = common::openapi_description();
    let operations = packages_operations(spec);
    let mut deviations_seen = BTreeSet::new();
    for scope in Scope::examples() {
        for endpoint in Endpoint::ALL {
            let method = endpoint.method().as_str().to_lowercase();
            let template = endpoint.template(&scope);
            let (_, _, operation) = operations
                .iter()
                .find(|(m, p, _)| *m == method && *p == template)
                .unwrap_or_else(|| panic!("{method} {template} is not in the description"));
            let declared = declared_query_parameters(spec, operation);
            for parameter in endpoint.query_parameters() {
                if declared.contains(*parameter) {
                    continue;
                }
                let known = KNOWN_DEVIATIONS
                    .iter()
                    .any(|(m, p, q, _)| *m == method && *p == template && q == parameter);
                assert!(
                    known,
                    "we send `{parameter}` to {method} {template}, which declares only {declared:?}"
                );
                deviations_seen.insert((method.clone(), template.clone(), parameter.to_string()));
            }
        }
    }
    for (method, path, parameter, _) in KNOWN_DEVIATIONS {
        assert!(
            deviations_seen.contains(&(
                method.to_string(),
                path.to_string(),
                parameter.to_string()
            )),
            "{method} {path} now declares `{parameter}`: remove it from KNOWN_DEVIATIONS"
        );
    }
}

#[test]
fn restore_package_sends_the_declared_token_parameter() {
    // `token` is sent only when a restore needs it; it must still be a declared parameter.
    let spec = common::openapi_description();
    for (method, path, operation) in packages_operations(spec) {
        if path.ends_with("/{package_name}/restore") {
            assert_eq!(method, "post");
            assert!(
                declared_query_parameters(spec, operation).contains("token"),
                "{path}"
            );
        }
    }
}

/// Turns `/orgs/{org}/packages/{package_type}` into a matcher of concrete paths.
fn template_matches(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    template.len() == path.len()
        && template
            .iter()
            .zip(&path)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p)
}

#[test]
fn requests_the_binary_sends_are_operations_of_the_description() {
    use fake_github::{FakeGitHub, PackageSeed, PackageType, VersionSeed};

    let spec = common::openapi_description();
    let seed = common::acme()
        .with_package(
            PackageSeed::new("acme", PackageType::Container, "team/app")
                .version(VersionSeed::new("sha256:aa").tags(["v1"])),
        )
        .with_package(
            PackageSeed::new("octocat", PackageType::Npm, "cli").version(VersionSeed::new("1.0.0")),
        );
    let fake = FakeGitHub::spawn(seed).unwrap();
    for inputs in [
        &[
            ("command", "list"),
            ("owner", "acme"),
            ("packages", "team/*"),
        ][..],
        &[
            ("command", "list"),
            ("owner", "acme"),
            ("packages", "team/app"),
        ],
        &[
            ("command", "list"),
            ("owner", "octocat"),
            ("package-type", "npm"),
            ("packages", "*"),
        ],
    ] {
        let run = common::run_action(&fake, inputs);
        assert!(run.success(), "{run:?}");
    }
    let requests = fake.requests();
    assert!(requests.len() >= 8, "{requests:?}");
    for request in requests {
        let method = request.method.to_lowercase();
        let (template, operation) = spec["paths"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(template, _)| template_matches(template, &request.path))
            .find_map(|(template, item)| Some((template, item.get(&method)?)))
            .unwrap_or_else(|| {
                panic!(
                    "{} {} is not an operation of GitHub's API",
                    request.method, request.path
                )
            });
        let declared = declared_query_parameters(spec, operation);
        for pair in request.query.split('&').filter(|p| !p.is_empty()) {
            let name = pair.split('=').next().unwrap();
            let known = KNOWN_DEVIATIONS
                .iter()
                .any(|(m, p, q, _)| *m == method && p == template && *q == name);
            assert!(
                declared.contains(name) || known,
                "{} {}?{}: `{name}` is not a parameter of {template}",
                request.method,
                request.path,
                request.query
            );
        }
    }
}
