//! `validate: true`: after any command, check that every remaining tagged image of the selected
//! container packages still has every manifest it lists.

use anyhow::{Context, bail};

use crate::actions::Runtime;
use crate::config::{Config, Env};
use crate::github::VersionState;
use crate::listing;
use crate::listing::images::{self, BrokenImage};
use crate::model::{PackageType, short_digest};
use crate::progress::Progress;
use crate::registry;
use crate::report::{Summary, markdown_escape};

pub async fn run(config: &Config, runtime: &Runtime, env: &Env) -> anyhow::Result<()> {
    if config.package_type != PackageType::Container {
        runtime.warning(
            "validate checks container images; there is nothing to check for this package type",
        );
        return Ok(());
    }
    let client = super::api_client(config)?;
    let scope = listing::resolve_scope(&client, &config.owner).await?;
    let packages =
        listing::find_packages(&client, &scope, config.package_type, &config.packages).await?;
    let listings = {
        let progress = Progress::new(runtime, "Packages listed:", packages.len());
        listing::list_versions(&client, &scope, packages, VersionState::Active, &progress).await?
    };
    let (registry, owner) = super::registry_client(config, env, &client, &scope).await?;

    let mut broken: Vec<BrokenImage> = Vec::new();
    let mut checked = 0;
    for listing in &listings {
        let repository = registry::repository_path(&owner, &listing.package.name);
        broken.extend(images::validate(&registry, &repository, listing).await?);
        checked += listing
            .versions
            .iter()
            .filter(|v| !v.tags().is_untagged())
            .count();
    }

    // Appended to the summary of the command before it, within the same limit.
    let mut md = Summary::appended(runtime.summary_bytes(), "the errors of the log");
    md.text("\n### Validation\n\n");
    if broken.is_empty() {
        md.text(&format!(
            "Every remaining tagged version ({checked}) has all the manifests it lists.\n"
        ));
        runtime.info(&format!(
            "validate: {checked} tagged version(s) checked, none broken"
        ));
    } else {
        md.text("| Package | Image | Missing manifests |\n| --- | --- | --- |\n");
        for image in &broken {
            let missing: Vec<String> = image
                .missing
                .iter()
                .map(|(digest, platform)| match platform {
                    Some(platform) => format!("{platform} {}", short_digest(digest)),
                    None => short_digest(digest),
                })
                .collect();
            let tags = image.tags.as_str();
            md.row(&format!(
                "| {} | {} ({}) | {} |\n",
                markdown_escape(&image.package),
                markdown_escape(tags),
                short_digest(&image.digest),
                markdown_escape(&missing.join("; "))
            ));
            runtime.error(&format!(
                "broken image {}:{} ({}): the registry no longer has {}",
                image.package,
                tags,
                short_digest(&image.digest),
                missing.join("; ")
            ));
        }
    }
    if !broken.is_empty() {
        md.end_table(broken.len());
    }
    runtime
        .append_summary(&md.finish())
        .context("could not write the job summary")?;
    if !broken.is_empty() {
        bail!(
            "validate: {} image(s) lost manifests they list; they cannot be pulled on the \
             platforms named above",
            broken.len()
        );
    }
    Ok(())
}
