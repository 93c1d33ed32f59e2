//! `package-warden demo`: the real commands against a fake GitHub started in-process, seeded with
//! a realistic organisation, so that a newcomer sees what the action does without a token.

use anyhow::Context;
use fake_github::FakeGitHub;

use crate::actions::Runtime;
use crate::commands::list;
use crate::github::{PackageType, Token};
use crate::inputs::{Command, Config, OwnerInput, OwnerType, PruneSettings};
use crate::selector::NameSelector;

/// The token the demo data set accepts.
const DEMO_TOKEN: &str = "demo-token";

pub async fn run(runtime: &Runtime) -> anyhow::Result<()> {
    let fake = FakeGitHub::start(fake_github::demo_seed())
        .await
        .context("could not start the sandbox")?;
    let api_url = url::Url::parse(&fake.base_url()).context("the sandbox's address")?;
    runtime.print(&format!(
        "package-warden demo: a fake GitHub runs at {api_url} with an organisation `acme-corp` \
         and a user `octo-dev`.\nEach step below is the command you would run against GitHub.\n"
    ));
    let steps = [
        ("acme-corp", PackageType::Container),
        ("acme-corp", PackageType::Npm),
        ("acme-corp", PackageType::Maven),
        ("octo-dev", PackageType::Container),
    ];
    for (owner, package_type) in steps {
        runtime.print(&format!(
            "\n$ package-warden list --owner {owner} --package-type {package_type} --packages '*'\n"
        ));
        let config = Config {
            command: Command::List,
            token: Token::new(DEMO_TOKEN.to_string()),
            owner: OwnerInput::Named {
                login: owner.to_string(),
                owner_type: OwnerType::Auto,
            },
            package_type,
            packages: NameSelector::everything(),
            api_url: api_url.clone(),
            registry_url: api_url.clone(),
            dry_run: false,
            summary_file: None,
            prune: PruneSettings::default(),
        };
        let display = list::Display {
            versions_per_package: Some(8),
        };
        list::run(&config, runtime, &display).await?;
    }
    Ok(())
}
