//! One source of truth for inputs: `action.yml` and the README's input table must say what
//! `INPUTS` (which also builds the CLI's flags) says.

use std::path::Path;

use package_warden::config::{INPUTS, InputKind};
use yaml_rust2::{Yaml, YamlLoader};

fn read(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap()
}

fn action() -> Yaml {
    YamlLoader::load_from_str(&read("action.yml"))
        .unwrap()
        .remove(0)
}

#[test]
fn action_yml_declares_every_input_as_the_cli_does() {
    let action = action();
    let inputs = action["inputs"].as_hash().expect("action.yml has inputs");
    let declared: Vec<&str> = inputs.keys().map(|k| k.as_str().unwrap()).collect();
    let ours: Vec<&str> = INPUTS.iter().map(|spec| spec.name).collect();
    assert_eq!(declared, ours, "action.yml's inputs, in order");
    for spec in INPUTS {
        let input = &action["inputs"][spec.name];
        assert_eq!(
            input["description"].as_str(),
            Some(spec.description),
            "description of `{}`",
            spec.name
        );
        let default = match &input["default"] {
            Yaml::BadValue => None,
            value => Some(
                value
                    .as_str()
                    .unwrap_or_else(|| panic!("default of `{}` must be a string", spec.name)),
            ),
        };
        assert_eq!(default, spec.action_default, "default of `{}`", spec.name);
        if spec.kind == InputKind::Boolean {
            assert!(
                matches!(default, Some("true" | "false")),
                "`{}` defaults to a boolean",
                spec.name
            );
        }
    }
    assert_eq!(action["runs"]["using"].as_str(), Some("docker"));
}

#[test]
fn the_readme_table_lists_every_input_as_the_cli_does() {
    let readme = read("README.md");
    let rows: Vec<&str> = readme
        .lines()
        .skip_while(|line| *line != "## Inputs")
        .skip_while(|line| !line.starts_with("| `"))
        .take_while(|line| line.starts_with("| `"))
        .collect();
    let expected: Vec<String> = INPUTS
        .iter()
        .map(|spec| {
            let default = spec
                .action_default
                .map(|d| format!("`{d}`"))
                .unwrap_or_default();
            format!("| `{}` | {} | {} |", spec.name, default, spec.description)
        })
        .collect();
    assert_eq!(rows, expected);
}

#[test]
fn action_yml_and_the_readme_describe_the_same_outputs() {
    let action = action();
    let declared: Vec<(String, String)> = action["outputs"]
        .as_hash()
        .expect("action.yml has outputs")
        .iter()
        .map(|(name, output)| {
            (
                name.as_str().unwrap().to_string(),
                output["description"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let readme = read("README.md");
    let documented: Vec<(String, String)> = readme
        .lines()
        .skip_while(|line| *line != "## Outputs")
        .skip_while(|line| !line.starts_with("| `"))
        .take_while(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
            (cells[0].trim_matches('`').to_string(), cells[1].to_string())
        })
        .collect();
    assert_eq!(declared, documented);
}
