//! Reading the action's inputs and turning them into a validated [`Config`].
//!
//! Inputs reach us two ways and share one definition, [`INPUTS`]:
//! - as a GitHub Action, through environment variables `INPUT_<NAME>` (upper-cased, hyphens kept:
//!   `INPUT_PACKAGE-TYPE`), where an input the workflow left out arrives as an empty string;
//! - as a CLI, through flags of the same names (`--package-type npm`) and the command as the first
//!   word (`package-warden list`).
//!
//! A flag given on the command line wins over the environment. Empty means "not set" everywhere.
//! Nothing here does I/O beyond reading the environment map it is handed, so tests pass their own
//! map instead of mutating the process environment.

use std::collections::BTreeMap;
use std::fmt;

use clap::{Arg, ArgAction, ArgMatches};
use url::Url;

use crate::github::{Operation, Token};

use crate::model::PackageType;
use crate::selector::NameSelector;
use crate::transport::{MAX_CONCURRENCY, MAX_POINTS_PER_MINUTE, TransportSettings};

mod prune;
mod restore;

pub use prune::{PruneSettings, SELECTION_INPUTS, parse_age};
pub use restore::{RESTORE_SELECTION_INPUTS, RestoreSettings, shorten};

// Re-exported because the environment map is part of this module's API (`RawInputs::read`,
// `Config::from_inputs`) and callers long imported it from here.
pub use crate::env::Env;

/// How an input is written on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// The first word of the command line (`package-warden list`); `INPUT_COMMAND` in the action.
    Positional,
    /// `--name VALUE`.
    Value,
    /// `--name` alone means `true`; `--name false` is accepted too.
    Boolean,
}

/// One input of the action, as `action.yml`, the CLI and the README describe it.
#[derive(Debug, Clone, Copy)]
pub struct InputSpec {
    /// Kebab-case name: the CLI flag and the key in `action.yml`.
    pub name: &'static str,
    pub kind: InputKind,
    /// What `action.yml` declares as the default (`None` when there is none).
    pub action_default: Option<&'static str>,
    /// Which commands read it. An input given to another command is refused: a selection that
    /// the command would silently ignore is the kind of slip that deletes the wrong thing.
    /// `description` opens with these names (`` `prune`: ``) unless every command reads it.
    pub commands: &'static [Command],
    /// One sentence for `--help`, `action.yml` and the README.
    pub description: &'static str,
}

/// The inputs every command reads (the sandbox of `demo` reads none but `command`).
const EVERY_COMMAND: &[Command] = &[Command::List, Command::Prune, Command::Restore];
const PRUNE_AND_RESTORE: &[Command] = &[Command::Prune, Command::Restore];
const PRUNE_ONLY: &[Command] = &[Command::Prune];
const RESTORE_ONLY: &[Command] = &[Command::Restore];

impl InputSpec {
    /// The input of this name.
    pub fn named(name: &str) -> Option<&'static InputSpec> {
        INPUTS.iter().find(|spec| spec.name == name)
    }

    /// True when `value` is what `action.yml` passes when the workflow leaves the input out:
    /// GitHub sets every declared input, so `untagged: false` reaches `restore` in every run and
    /// means nothing there.
    fn is_action_default(&self, value: &str) -> bool {
        let Some(default) = self.action_default else {
            return false;
        };
        match self.kind {
            InputKind::Boolean => {
                let parsed = |text| parse_bool(self.name, Some(text)).ok().flatten();
                parsed(value).is_some() && parsed(value) == parsed(default)
            }
            _ => value == default,
        }
    }
}

/// Every input the action accepts. `action.yml` and the README's input table follow this list.
pub const INPUTS: &[InputSpec] = &[
    InputSpec {
        name: "command",
        kind: InputKind::Positional,
        commands: EVERY_COMMAND,
        action_default: Some("prune"),
        description: "What to do: `list`, `prune` or `restore` (`demo` on the command line runs the built-in sandbox).",
    },
    InputSpec {
        name: "token",
        kind: InputKind::Value,
        commands: EVERY_COMMAND,
        action_default: Some("${{ github.token }}"),
        description: "Token for the GitHub API: `GITHUB_TOKEN` or a PAT. The CLI also reads the `GITHUB_TOKEN` environment variable.",
    },
    InputSpec {
        name: "owner",
        kind: InputKind::Value,
        commands: EVERY_COMMAND,
        action_default: Some("${{ github.repository_owner }}"),
        description: "User or organisation that owns the packages. Empty: the repository owner in Actions, the token's own account on the command line.",
    },
    InputSpec {
        name: "owner-type",
        kind: InputKind::Value,
        commands: EVERY_COMMAND,
        action_default: Some("auto"),
        description: "`auto` (ask GitHub whether `owner` is a user or an organisation), `org` or `user`.",
    },
    InputSpec {
        name: "package-type",
        kind: InputKind::Value,
        commands: EVERY_COMMAND,
        action_default: Some("container"),
        description: "`container`, `npm`, `maven`, `rubygems`, `nuget` or `docker`.",
    },
    InputSpec {
        name: "packages",
        kind: InputKind::Value,
        commands: EVERY_COMMAND,
        action_default: None,
        description: "Package names or glob patterns, separated by commas or newlines; `!pattern` excludes. Empty: the repository's name in Actions, every package on the command line.",
    },
    InputSpec {
        name: "api-url",
        kind: InputKind::Value,
        commands: EVERY_COMMAND,
        action_default: None,
        description: "Base URL of the REST API. Empty: `$GITHUB_API_URL`, else `https://api.github.com`. GitHub Enterprise Server: `https://HOST/api/v3`.",
    },
    InputSpec {
        name: "registry-url",
        kind: InputKind::Value,
        commands: EVERY_COMMAND,
        action_default: Some("https://ghcr.io"),
        description: "Base URL of the container registry that holds the images' manifests.",
    },
    InputSpec {
        name: "dry-run",
        kind: InputKind::Boolean,
        commands: EVERY_COMMAND,
        action_default: Some("false"),
        description: "`true`: show what would be deleted or restored and change nothing.",
    },
    InputSpec {
        name: "concurrency",
        kind: InputKind::Value,
        commands: EVERY_COMMAND,
        action_default: Some("16"),
        description: "How many requests may be in flight at once (1 to 100; GitHub allows 100).",
    },
    InputSpec {
        name: "points-per-minute",
        kind: InputKind::Value,
        commands: EVERY_COMMAND,
        action_default: Some("900"),
        description: "Budget for GitHub's secondary rate limit, in points per minute (a read costs 1, a delete or restore 5; at most 900). Lower it to leave room for other jobs.",
    },
    InputSpec {
        name: "max-wait",
        kind: InputKind::Value,
        commands: EVERY_COMMAND,
        action_default: Some("0s"),
        description: "How long the run may wait for the hourly API budget to reset instead of stopping and leaving the rest for the next run (`0s`, `30m`). It also bounds every other wait a server asks for (15 minutes when `0s`): past it, nothing more is sent and the rest is left for the next run.",
    },
    InputSpec {
        name: "manifest-aware",
        kind: InputKind::Boolean,
        commands: PRUNE_AND_RESTORE,
        action_default: Some("true"),
        description: "`prune`, `restore`: for container packages, read image manifests from `registry-url` so that platform manifests, attestations and signatures follow their image. `false` skips the registry and leaves multi-arch images unprotected.",
    },
    InputSpec {
        name: "validate",
        kind: InputKind::Boolean,
        commands: EVERY_COMMAND,
        action_default: Some("false"),
        description: "Container packages: after the run, check that every remaining tagged image still has all the manifests it lists; report broken images as errors.",
    },
    InputSpec {
        name: "tags",
        kind: InputKind::Value,
        commands: PRUNE_AND_RESTORE,
        action_default: None,
        description: "`prune`, `restore`: select versions with a tag matching one of these patterns (container and docker packages).",
    },
    InputSpec {
        name: "untagged",
        kind: InputKind::Boolean,
        commands: PRUNE_ONLY,
        action_default: Some("false"),
        description: "`prune`: `true` selects versions without tags (container and docker packages).",
    },
    InputSpec {
        name: "versions",
        kind: InputKind::Value,
        commands: PRUNE_AND_RESTORE,
        action_default: None,
        description: "`prune`, `restore`: select versions whose name matches one of these patterns (`1.2.*`; for containers the digest).",
    },
    InputSpec {
        name: "version-ids",
        kind: InputKind::Value,
        commands: PRUNE_AND_RESTORE,
        action_default: None,
        description: "`prune`, `restore`: select versions by id, separated by commas or newlines.",
    },
    InputSpec {
        name: "exclude-tags",
        kind: InputKind::Value,
        commands: PRUNE_ONLY,
        action_default: None,
        description: "`prune`: keep versions with a tag matching one of these patterns.",
    },
    InputSpec {
        name: "exclude-versions",
        kind: InputKind::Value,
        commands: PRUNE_ONLY,
        action_default: None,
        description: "`prune`: keep versions whose name matches one of these patterns.",
    },
    InputSpec {
        name: "keep-n-tagged",
        kind: InputKind::Value,
        commands: PRUNE_ONLY,
        action_default: None,
        description: "`prune`: keep the N newest tagged candidates. Without `tags`, implies `tags: *`.",
    },
    InputSpec {
        name: "keep-n-untagged",
        kind: InputKind::Value,
        commands: PRUNE_ONLY,
        action_default: None,
        description: "`prune`: keep the N newest untagged candidates. Without `untagged`, implies `untagged: true`.",
    },
    InputSpec {
        name: "keep-n",
        kind: InputKind::Value,
        commands: PRUNE_ONLY,
        action_default: None,
        description: "`prune`: keep the N newest candidates of any kind. Without any selection, implies `versions: *`.",
    },
    InputSpec {
        name: "older-than",
        kind: InputKind::Value,
        commands: PRUNE_ONLY,
        action_default: None,
        description: "`prune`: delete only candidates older than this (`30d`, `2w`, `12h`, `1d 12h`).",
    },
    InputSpec {
        name: "timestamp",
        kind: InputKind::Value,
        commands: PRUNE_ONLY,
        action_default: Some("updated"),
        description: "`prune`: which time `older-than` and the keep-n inputs read: `updated` or `created`.",
    },
    InputSpec {
        name: "pre-release-only",
        kind: InputKind::Boolean,
        commands: PRUNE_ONLY,
        action_default: Some("false"),
        description: "`prune`: `true` deletes only semver pre-releases (`1.4.0-rc.1`; for containers, by tag).",
    },
    InputSpec {
        name: "delete-package-when-empty",
        kind: InputKind::Boolean,
        commands: PRUNE_ONLY,
        action_default: Some("false"),
        description: "`prune`: `true` deletes a package whose every version is selected (GitHub refuses to delete its last version).",
    },
    InputSpec {
        name: "deleted-within",
        kind: InputKind::Value,
        commands: RESTORE_ONLY,
        action_default: None,
        description: "`restore`: versions deleted within this long (`12h`, `7d`); with another selection, only those.",
    },
    InputSpec {
        name: "undo",
        kind: InputKind::Value,
        commands: RESTORE_ONLY,
        action_default: None,
        description: "`restore`: exactly what an earlier prune of the same `owner` and `package-type` deleted: its `deleted` output (JSON), or the path of its `report` or `journal` file (the journal also covers a cancelled prune).",
    },
    InputSpec {
        name: "restore-package",
        kind: InputKind::Boolean,
        commands: RESTORE_ONLY,
        action_default: Some("false"),
        description: "`restore`: first restore the packages named in `packages` themselves (exact names: GitHub cannot list deleted packages).",
    },
    InputSpec {
        name: "max-deletions",
        kind: InputKind::Value,
        commands: PRUNE_ONLY,
        action_default: None,
        description: "`prune`: fail before deleting anything when the plan would delete more versions than this.",
    },
];

/// Flags of the command line only: they have no meaning inside a workflow.
const CLI_ONLY_SUMMARY_FILE: &str = "summary-file";

/// The inputs as given, before validation: input name to non-empty value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawInputs {
    values: BTreeMap<&'static str, String>,
    summary_file: Option<String>,
    /// `INPUT_*` variables that name no input.
    strays: Vec<StrayVariable>,
}

/// An `INPUT_*` variable of the environment that is not how GitHub passes any input.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StrayVariable {
    variable: String,
    /// The input it spells differently (`INPUT_DRY_RUN` for `dry-run`), if any.
    meant: Option<&'static str>,
}

impl StrayVariable {
    /// `None` when `variable` is not an `INPUT_*` variable, or is exactly an input's.
    fn of(variable: &str) -> Option<StrayVariable> {
        let rest = variable
            .get(..6)
            .filter(|prefix| prefix.eq_ignore_ascii_case("INPUT_"))
            .map(|_| &variable[6..])?;
        if INPUTS.iter().any(|spec| env_name(spec.name) == variable) {
            return None;
        }
        // A shell cannot export `INPUT_DRY-RUN`, so `INPUT_DRY_RUN` is the natural slip; any
        // case, `_`, `-` or space stands for the same input.
        let normalised = rest.to_ascii_lowercase().replace(['_', ' '], "-");
        Some(StrayVariable {
            variable: variable.to_string(),
            meant: InputSpec::named(&normalised).map(|spec| spec.name),
        })
    }
}

impl RawInputs {
    /// Reads `INPUT_*` from `env`, then lets the command line override it.
    ///
    /// `args` includes the program name, as `std::env::args()` does. `--help` and `--version`
    /// come back as a [`clap::Error`] whose `exit()` prints them.
    pub fn read<I, T>(args: I, env: &Env) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let matches = cli().try_get_matches_from(args)?;
        Ok(Self::from_matches(&matches, env))
    }

    fn from_matches(matches: &ArgMatches, env: &Env) -> Self {
        let mut values = BTreeMap::new();
        for spec in INPUTS {
            let from_cli = matches.get_one::<String>(spec.name).cloned();
            let from_env = env.get(&env_name(spec.name)).cloned();
            // GitHub passes an input the workflow omitted as an empty string: that is "not set".
            if let Some(value) = from_cli.or(from_env).filter(|v| !v.trim().is_empty()) {
                values.insert(spec.name, value);
            }
        }
        let summary_file = matches.get_one::<String>(CLI_ONLY_SUMMARY_FILE).cloned();
        // Empty ones too: a misspelled input is a slip whatever its value.
        let strays = env
            .keys()
            .filter_map(|name| StrayVariable::of(name))
            .collect();
        RawInputs {
            values,
            summary_file,
            strays,
        }
    }

    /// Builds raw inputs from name/value pairs, as a workflow would give them.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut raw = RawInputs::default();
        for (name, value) in pairs {
            let spec = InputSpec::named(name)
                .unwrap_or_else(|| panic!("`{name}` is not an input of package-warden"));
            if !value.trim().is_empty() {
                raw.values.insert(spec.name, value.to_string());
            }
        }
        raw
    }

    /// `--summary-file`, when given.
    pub fn summary_file(&self) -> Option<&str> {
        self.summary_file.as_deref()
    }

    /// The token as given, so that it can be masked before it is validated.
    pub fn token(&self) -> Option<&str> {
        self.get("token")
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|v| v.trim())
    }
}

/// The environment variable GitHub sets for an input: `INPUT_` + the name upper-cased, spaces
/// turned into `_`, hyphens kept.
pub fn env_name(input: &str) -> String {
    format!("INPUT_{}", input.to_uppercase().replace(' ', "_"))
}

/// The clap definition of the command line, built from [`INPUTS`].
pub fn cli() -> clap::Command {
    let mut command = clap::Command::new("package-warden")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Keep GitHub Packages tidy and recoverable: list, prune, restore.")
        .after_help(
            "Every flag can also be given as the environment variable INPUT_<NAME> \
             (for example INPUT_PACKAGE-TYPE), as GitHub passes inputs to container actions.",
        );
    for spec in INPUTS {
        let arg = Arg::new(spec.name).help(spec.description);
        let arg = match spec.kind {
            InputKind::Positional => arg.value_name("COMMAND").index(1),
            InputKind::Value => arg.long(spec.name).value_name("VALUE"),
            InputKind::Boolean => arg
                .long(spec.name)
                .value_name("BOOL")
                .num_args(0..=1)
                .default_missing_value("true"),
        };
        command = command.arg(arg.action(ArgAction::Set));
    }
    command.arg(
        Arg::new(CLI_ONLY_SUMMARY_FILE)
            .long(CLI_ONLY_SUMMARY_FILE)
            .value_name("PATH")
            .help("Also write the markdown summary to this file (in Actions it goes to $GITHUB_STEP_SUMMARY)."),
    )
}

/// What the run is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    List,
    Prune,
    Restore,
    /// Runs the other commands against the built-in sandbox.
    Demo,
}

impl Command {
    const ACCEPTED: &'static str = "`list`, `prune`, `restore` (or `demo` on the command line)";

    pub fn as_str(self) -> &'static str {
        match self {
            Command::List => "list",
            Command::Prune => "prune",
            Command::Restore => "restore",
            Command::Demo => "demo",
        }
    }

    /// What the command does to packages, for the token's access checks. The sandbox of `demo`
    /// runs its own steps, each with its own command.
    pub fn operation(self) -> Operation {
        match self {
            Command::List | Command::Demo => Operation::List,
            Command::Prune => Operation::Delete,
            Command::Restore => Operation::Restore,
        }
    }
}

/// Whether `owner` names an organisation or a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerType {
    /// Ask GitHub (`GET /users/{owner}` answers with `type`).
    Auto,
    Org,
    User,
}

/// Whose packages the run works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerInput {
    /// A named user or organisation.
    Named {
        login: String,
        owner_type: OwnerType,
    },
    /// The account the token belongs to (`/user/...`).
    TokenAccount,
}

/// A validated configuration: holding one means every input was checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub command: Command,
    pub token: Token,
    pub owner: OwnerInput,
    pub package_type: PackageType,
    pub packages: NameSelector,
    pub api_url: Url,
    pub registry_url: Url,
    pub dry_run: bool,
    /// Where to also save the markdown summary (command line only).
    pub summary_file: Option<String>,
    /// Concurrency, pacing and waiting for the rate limits.
    pub transport: TransportSettings,
    /// Read image manifests so that multi-arch images stay whole (container packages).
    pub manifest_aware: bool,
    /// Check every remaining tagged image after the run (container packages).
    pub validate: bool,
    /// The retention policy and its guards (`prune`).
    pub prune: PruneSettings,
    /// What to bring back (`restore`).
    pub restore: RestoreSettings,
    /// Said as warnings before the run starts (`INPUT_*` variables that name no input).
    pub warnings: Vec<String>,
}

/// An input that cannot be used, with what would be accepted instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("input `{input}`: `{value}` is not accepted; expected {accepted}")]
    Invalid {
        input: &'static str,
        value: String,
        accepted: String,
    },
    #[error("input `{input}` is required: {how}")]
    Missing { input: &'static str, how: String },
    #[error(
        "`{command}` needs a selection: set {inputs}; package-warden never picks every version \
         by default"
    )]
    NoSelection {
        command: &'static str,
        inputs: &'static str,
    },
    #[error(
        "`{variable}` is not an input of package-warden: input `{input}` reaches it as \
         `{expected}` (upper case, hyphens kept); nothing was sent. On the command line, pass \
         `--{input}` (or `env '{expected}=…' package-warden …`)"
    )]
    Misspelled {
        variable: String,
        input: &'static str,
        expected: String,
    },
    #[error(
        "input `{input}` (`{value}`) is for {used_by}, not `{command}`, which would ignore it; \
         nothing was sent. Remove it, or set `command` to the command it belongs to"
    )]
    NotForCommand {
        input: &'static str,
        value: String,
        command: &'static str,
        used_by: String,
    },
    #[error(
        "{origin} holds {what}, which no token has (the value is not shown); nothing was sent. \
         Give the token as one line of visible characters: check the secret for a pasted line \
         break"
    )]
    UnusableToken {
        origin: &'static str,
        what: &'static str,
    },
    #[error(
        "input `undo` records a prune of {recorded}, and input `{input}` is {given}: nothing was \
         sent. Set `{fix}` to undo that prune"
    )]
    UndoMismatch {
        recorded: String,
        input: &'static str,
        given: String,
        fix: String,
    },
}

impl Config {
    /// Validates every input. Runs before any request is sent.
    pub fn from_inputs(raw: &RawInputs, env: &Env) -> Result<Config, InputError> {
        let in_actions = env.get("GITHUB_ACTIONS").is_some_and(|v| v == "true");
        if let Some((variable, input)) = raw
            .strays
            .iter()
            .find_map(|stray| Some((&stray.variable, stray.meant?)))
        {
            return Err(InputError::Misspelled {
                variable: variable.clone(),
                input,
                expected: env_name(input),
            });
        }
        let warnings = raw
            .strays
            .iter()
            .map(|stray| {
                format!(
                    "`{}` is not an input of package-warden and is ignored (`package-warden \
                     --help` and action.yml list the inputs)",
                    stray.variable
                )
            })
            .collect();

        let command = match raw.get("command") {
            Some(value) => parse_command(value)?,
            // action.yml defaults `command` to prune; the CLI must be told what to do.
            None if in_actions => Command::Prune,
            None => {
                return Err(InputError::Missing {
                    input: "command",
                    how: format!("name one of {}", Command::ACCEPTED),
                });
            }
        };
        if command == Command::Demo && in_actions {
            return Err(InputError::Invalid {
                input: "command",
                value: "demo".to_string(),
                accepted: "`list`, `prune` or `restore`: `demo` runs the built-in sandbox on \
                           the command line only, outside GitHub Actions"
                    .to_string(),
            });
        }
        check_inputs_belong_to(command, raw)?;

        let token = match raw.get("token") {
            Some(token) => Some(("input `token`", token)),
            None => env
                .get("GITHUB_TOKEN")
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
                .map(|t| ("the GITHUB_TOKEN environment variable", t)),
        };
        if let Some((origin, token)) = token.filter(|_| command != Command::Demo) {
            check_token(origin, token)?;
        }
        let token = token.map(|(_, t)| Token::new(t.to_string()));
        let token = match (token, command) {
            (Some(token), _) => token,
            // The sandbox brings its own token.
            (None, Command::Demo) => Token::new(String::new()),
            (None, _) => {
                return Err(InputError::Missing {
                    input: "token",
                    how: "pass `--token`, set the GITHUB_TOKEN environment variable, or in a \
                          workflow give `token: ${{ github.token }}` or a PAT"
                        .to_string(),
                });
            }
        };

        let owner_type = match raw.get("owner-type") {
            None => OwnerType::Auto,
            Some(value) => parse_owner_type(value)?,
        };
        let owner_login = raw.get("owner").map(str::to_string).or_else(|| {
            env.get("GITHUB_REPOSITORY_OWNER")
                .filter(|o| !o.is_empty())
                .cloned()
        });
        let owner = match owner_login {
            Some(login) => {
                validate_login(&login)?;
                OwnerInput::Named { login, owner_type }
            }
            None => OwnerInput::TokenAccount,
        };

        let package_type = match raw.get("package-type") {
            None => PackageType::Container,
            Some(value) => value.parse().map_err(|_| InputError::Invalid {
                input: "package-type",
                value: value.to_string(),
                accepted: PackageType::ACCEPTED.to_string(),
            })?,
        };

        let packages = match raw.get("packages") {
            Some(list) => NameSelector::parse(list).map_err(|err| InputError::Invalid {
                input: "packages",
                value: list.to_string(),
                accepted: err.to_string(),
            })?,
            None => match repository_name(env) {
                Some(name) => NameSelector::exact(name),
                None => NameSelector::everything(),
            },
        };

        let api_url = match raw.get("api-url") {
            Some(value) => parse_base_url("api-url", value)?,
            None => match env.get("GITHUB_API_URL").filter(|v| !v.is_empty()) {
                Some(value) => parse_base_url("api-url", value)?,
                None => parse_base_url("api-url", "https://api.github.com")?,
            },
        };
        let registry_url = parse_base_url(
            "registry-url",
            raw.get("registry-url").unwrap_or("https://ghcr.io"),
        )?;
        let dry_run = parse_bool("dry-run", raw.get("dry-run"))?.unwrap_or(false);
        let manifest_aware =
            parse_bool("manifest-aware", raw.get("manifest-aware"))?.unwrap_or(true);
        let transport = parse_transport(raw)?;
        let validate = parse_bool("validate", raw.get("validate"))?.unwrap_or(false);
        let prune = prune::parse(raw, package_type)?;
        if command == Command::Prune && prune.policy.selection.is_empty() {
            return Err(InputError::NoSelection {
                command: "prune",
                inputs: SELECTION_INPUTS,
            });
        }
        let restore = restore::parse(raw)?;
        if command == Command::Restore && restore.selects_nothing() {
            return Err(InputError::NoSelection {
                command: "restore",
                inputs: RESTORE_SELECTION_INPUTS,
            });
        }

        Ok(Config {
            command,
            token,
            owner,
            package_type,
            packages,
            api_url,
            registry_url,
            dry_run,
            summary_file: raw.summary_file.clone(),
            transport,
            manifest_aware,
            validate,
            prune,
            restore,
            warnings,
        })
    }
}

/// Refuses an input that `command` does not read (`deleted-within` under `prune`), unless it
/// holds the value action.yml passes by default.
fn check_inputs_belong_to(command: Command, raw: &RawInputs) -> Result<(), InputError> {
    for spec in INPUTS {
        if spec.name == "command" || spec.commands.contains(&command) {
            continue;
        }
        let Some(value) = raw.get(spec.name) else {
            continue;
        };
        if spec.is_action_default(value) {
            continue;
        }
        let used_by: Vec<String> = spec
            .commands
            .iter()
            .map(|c| format!("`{}`", c.as_str()))
            .collect();
        return Err(InputError::NotForCommand {
            input: spec.name,
            value: if spec.name == "token" {
                "…".to_string()
            } else {
                restore::shorten(value)
            },
            command: command.as_str(),
            used_by: used_by.join(", "),
        });
    }
    Ok(())
}

/// An HTTP header cannot carry a line break or another control character, and GitHub's tokens
/// are ASCII: such a token would fail deep in the HTTP client with "failed to parse header
/// value", which names neither the input nor the fix.
fn check_token(origin: &'static str, token: &str) -> Result<(), InputError> {
    let what = token.chars().find_map(|c| match c {
        '\r' | '\n' => Some("a line break"),
        c if c.is_control() => Some("a control character"),
        c if !c.is_ascii() => Some("a character that is not ASCII"),
        _ => None,
    });
    match what {
        Some(what) => Err(InputError::UnusableToken { origin, what }),
        None => Ok(()),
    }
}

/// `concurrency`, `points-per-minute` and `max-wait`.
fn parse_transport(raw: &RawInputs) -> Result<TransportSettings, InputError> {
    let mut settings = TransportSettings::default();
    if let Some(value) = raw.get("concurrency") {
        settings.concurrency = value
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_CONCURRENCY).contains(n))
            .ok_or_else(|| InputError::Invalid {
                input: "concurrency",
                value: value.to_string(),
                accepted: format!("a whole number from 1 to {MAX_CONCURRENCY}"),
            })?;
    }
    if let Some(value) = raw.get("points-per-minute") {
        settings.points_per_minute = value
            .parse::<u32>()
            .ok()
            .filter(|n| (5..=MAX_POINTS_PER_MINUTE).contains(n))
            .ok_or_else(|| InputError::Invalid {
                input: "points-per-minute",
                value: value.to_string(),
                accepted: format!(
                    "a whole number from 5 (one delete) to {MAX_POINTS_PER_MINUTE} (GitHub's limit)"
                ),
            })?;
    }
    if let Some(value) = raw.get("max-wait") {
        settings.max_wait = parse_age("max-wait", value)?.duration;
    }
    Ok(settings)
}

fn parse_command(value: &str) -> Result<Command, InputError> {
    match value {
        "list" => Ok(Command::List),
        "prune" => Ok(Command::Prune),
        "restore" => Ok(Command::Restore),
        "demo" => Ok(Command::Demo),
        _ => Err(InputError::Invalid {
            input: "command",
            value: value.to_string(),
            accepted: Command::ACCEPTED.to_string(),
        }),
    }
}

fn parse_owner_type(value: &str) -> Result<OwnerType, InputError> {
    match value {
        "auto" => Ok(OwnerType::Auto),
        "org" => Ok(OwnerType::Org),
        "user" => Ok(OwnerType::User),
        _ => Err(InputError::Invalid {
            input: "owner-type",
            value: value.to_string(),
            accepted: "`auto`, `org` or `user`".to_string(),
        }),
    }
}

/// Booleans as GitHub's toolkit reads them (`core.getBooleanInput`): exactly these six spellings.
pub fn parse_bool(input: &'static str, value: Option<&str>) -> Result<Option<bool>, InputError> {
    match value {
        None => Ok(None),
        Some("true" | "True" | "TRUE") => Ok(Some(true)),
        Some("false" | "False" | "FALSE") => Ok(Some(false)),
        Some(other) => Err(InputError::Invalid {
            input,
            value: other.to_string(),
            accepted: "`true` or `false` (also `True`, `TRUE`, `False`, `FALSE`)".to_string(),
        }),
    }
}

/// GitHub logins are letters, digits and single hyphens; checking here keeps a typo such as
/// `acme/app` from turning into a request for a different path.
fn validate_login(login: &str) -> Result<(), InputError> {
    let valid = !login.is_empty()
        && login.len() <= 39
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !login.starts_with('-');
    if valid {
        Ok(())
    } else {
        Err(InputError::Invalid {
            input: "owner",
            value: login.to_string(),
            accepted: "a GitHub user or organisation login (letters, digits and hyphens)"
                .to_string(),
        })
    }
}

fn parse_base_url(input: &'static str, value: &str) -> Result<Url, InputError> {
    let invalid = || InputError::Invalid {
        input,
        value: value.to_string(),
        accepted: "an absolute http:// or https:// URL such as `https://api.github.com` or \
                   `https://ghe.example.com/api/v3`"
            .to_string(),
    };
    let mut url = Url::parse(value).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host().is_none()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(invalid());
    }
    // Paths are appended to the base, so `…/api/v3` and `…/api/v3/` must mean the same.
    let trimmed = url.path().trim_end_matches('/').to_string();
    url.set_path(&trimmed);
    Ok(url)
}

/// The repository's name (without the owner) from `GITHUB_REPOSITORY=owner/name`.
fn repository_name(env: &Env) -> Option<String> {
    let full = env.get("GITHUB_REPOSITORY")?;
    let name = full.split_once('/').map_or(full.as_str(), |(_, name)| name);
    (!name.is_empty()).then(|| name.to_string())
}

impl fmt::Display for OwnerInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OwnerInput::Named { login, .. } => f.write_str(login),
            OwnerInput::TokenAccount => f.write_str("the token's own account"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn prune_without_a_selection_is_refused() {
        let err = config(&["prune"], &[("GITHUB_TOKEN", "t")])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("`prune` needs a selection: set `tags`, `untagged`"),
            "{err}"
        );
        assert!(config(&["prune", "--untagged"], &[("GITHUB_TOKEN", "t")]).is_ok());
    }

    fn config(args: &[&str], pairs: &[(&str, &str)]) -> Result<Config, InputError> {
        let env = env(pairs);
        let raw = RawInputs::read(
            std::iter::once("package-warden").chain(args.iter().copied()),
            &env,
        )
        .expect("command line parses");
        Config::from_inputs(&raw, &env)
    }

    #[test]
    fn env_names_keep_hyphens() {
        assert_eq!(env_name("package-type"), "INPUT_PACKAGE-TYPE");
        assert_eq!(env_name("dry run"), "INPUT_DRY_RUN");
    }

    #[test]
    fn reads_inputs_from_the_environment_with_empty_meaning_unset() {
        let config = config(
            &[],
            &[
                ("GITHUB_ACTIONS", "true"),
                ("INPUT_COMMAND", "list"),
                ("INPUT_TOKEN", "t0ken"),
                ("INPUT_OWNER", "acme"),
                ("INPUT_OWNER-TYPE", ""),
                ("INPUT_PACKAGE-TYPE", "npm"),
                ("INPUT_PACKAGES", ""),
                ("INPUT_DRY-RUN", "TRUE"),
                ("GITHUB_REPOSITORY", "acme/widgets"),
            ],
        )
        .unwrap();
        assert_eq!(config.command, Command::List);
        assert_eq!(config.token.expose(), "t0ken");
        assert_eq!(
            config.owner,
            OwnerInput::Named {
                login: "acme".into(),
                owner_type: OwnerType::Auto
            }
        );
        assert_eq!(config.package_type, PackageType::Npm);
        assert!(config.packages.matches("widgets"));
        assert!(!config.packages.matches("gadgets"));
        assert!(config.dry_run);
        assert_eq!(config.api_url.as_str(), "https://api.github.com/");
    }

    #[test]
    fn command_line_flags_override_the_environment() {
        let config = config(
            &["list", "--owner", "octocat", "--dry-run"],
            &[("INPUT_OWNER", "acme"), ("GITHUB_TOKEN", "t")],
        )
        .unwrap();
        assert_eq!(config.command, Command::List);
        assert!(matches!(config.owner, OwnerInput::Named { ref login, .. } if login == "octocat"));
        assert!(config.dry_run);
    }

    #[test]
    fn action_defaults_to_prune_and_cli_requires_a_command() {
        let in_actions = config(
            &[],
            &[
                ("GITHUB_ACTIONS", "true"),
                ("INPUT_TOKEN", "t"),
                ("INPUT_UNTAGGED", "true"),
            ],
        )
        .unwrap();
        assert_eq!(in_actions.command, Command::Prune);
        let err = config(&[], &[("GITHUB_TOKEN", "t")]).unwrap_err();
        assert!(
            err.to_string().contains("input `command` is required"),
            "{err}"
        );
    }

    #[test]
    fn bad_values_name_the_input_the_value_and_what_is_accepted() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "INPUT_COMMAND",
                "purge",
                "input `command`: `purge` is not accepted; expected `list`, `prune`, `restore`",
            ),
            (
                "INPUT_PACKAGE-TYPE",
                "pypi",
                "input `package-type`: `pypi` is not accepted; expected `container`, `npm`",
            ),
            (
                "INPUT_OWNER-TYPE",
                "team",
                "input `owner-type`: `team` is not accepted; expected `auto`, `org` or `user`",
            ),
            (
                "INPUT_DRY-RUN",
                "yes",
                "input `dry-run`: `yes` is not accepted; expected `true` or `false`",
            ),
            (
                "INPUT_API-URL",
                "ftp://x",
                "input `api-url`: `ftp://x` is not accepted",
            ),
            (
                "INPUT_OWNER",
                "acme/app",
                "input `owner`: `acme/app` is not accepted",
            ),
        ];
        for (name, value, expected) in cases {
            let mut pairs = vec![("INPUT_COMMAND", "list"), ("INPUT_TOKEN", "t")];
            pairs.retain(|(n, _)| n != name);
            pairs.push((name, value));
            let err = config(&[], &pairs).unwrap_err();
            assert!(
                err.to_string().starts_with(expected),
                "{name}={value}: got {err}"
            );
        }
    }

    #[test]
    fn booleans_accept_exactly_the_toolkit_spellings() {
        for yes in ["true", "True", "TRUE"] {
            assert_eq!(parse_bool("dry-run", Some(yes)), Ok(Some(true)));
        }
        for no in ["false", "False", "FALSE"] {
            assert_eq!(parse_bool("dry-run", Some(no)), Ok(Some(false)));
        }
        for bad in ["1", "yes", "tRUE", "on"] {
            assert!(parse_bool("dry-run", Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_missing_token_is_an_error_that_says_how_to_give_one() {
        let err = config(&["list"], &[]).unwrap_err();
        assert!(
            err.to_string().starts_with("input `token` is required"),
            "{err}"
        );
        let from_env = config(&["list"], &[("GITHUB_TOKEN", "abc")]).unwrap();
        assert_eq!(from_env.token.expose(), "abc");
    }

    #[test]
    fn api_url_keeps_a_path_prefix_and_falls_back_to_github_api_url() {
        let config_with_prefix = config(
            &["list", "--api-url", "https://ghe.example.com/api/v3/"],
            &[("GITHUB_TOKEN", "t")],
        )
        .unwrap();
        assert_eq!(
            config_with_prefix.api_url.as_str(),
            "https://ghe.example.com/api/v3"
        );
        let from_env = config(
            &["list"],
            &[
                ("GITHUB_TOKEN", "t"),
                ("GITHUB_API_URL", "https://ghe.example.com/api/v3"),
            ],
        )
        .unwrap();
        assert_eq!(from_env.api_url.as_str(), "https://ghe.example.com/api/v3");
    }

    #[test]
    fn owner_defaults_to_the_repository_owner_then_the_token_account() {
        let from_repo = config(
            &["list"],
            &[("GITHUB_TOKEN", "t"), ("GITHUB_REPOSITORY_OWNER", "acme")],
        )
        .unwrap();
        assert!(matches!(from_repo.owner, OwnerInput::Named { ref login, .. } if login == "acme"));
        let own = config(&["list"], &[("GITHUB_TOKEN", "t")]).unwrap();
        assert_eq!(own.owner, OwnerInput::TokenAccount);
        assert!(
            own.packages.matches("anything"),
            "CLI default lists every package"
        );
    }
}
