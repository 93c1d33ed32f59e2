//! `list`: the owner's packages of one type and their active versions.

use anyhow::Context;

use super::Display;
use crate::actions::Runtime;
use crate::config::Config;
use crate::github::VersionState;
use crate::listing;
use crate::progress::Progress;
use crate::report::ListReport;

/// Lists, then writes the `packages` and `versions` outputs, the summary and the terminal table.
pub async fn run(config: &Config, runtime: &Runtime, display: &Display) -> anyhow::Result<()> {
    let client = super::api_client(config)?;
    let scope = listing::resolve_scope(&client, &config.owner).await?;
    let listed = async {
        let packages =
            listing::find_packages(&client, &scope, config.package_type, &config.packages).await?;
        if let Some(warning) = super::unmatched_packages(config, &scope, &packages) {
            runtime.warning(&warning);
        }
        runtime.info(&format!(
            "Listing the versions of {} {} package(s) of {scope}",
            packages.len(),
            config.package_type
        ));
        let progress = Progress::new(runtime, "Packages listed:", packages.len());
        let listings =
            listing::list_versions(&client, &scope, packages, VersionState::Active, &progress)
                .await?;
        anyhow::Ok(listings)
    }
    .await;
    // Reading changes nothing, so the scopes are checked once GitHub has reported them: a
    // refused listing is then explained by the scope it lacks.
    super::preflight(config, &client, &scope, runtime, false).await?;
    let listings = listed?;
    super::relay_warnings(&client, runtime);
    let report = ListReport {
        scope: &scope,
        package_type: config.package_type,
        listings: &listings,
    };
    runtime.set_outputs(
        vec![
            ("packages", report.packages_json()),
            ("versions", report.versions_json()),
        ],
        "the job summary lists what was found",
    );
    runtime
        .append_summary(&report.markdown())
        .context("could not write the job summary")?;
    runtime.print_with(|| report.terminal(display.versions_per_package));
    runtime.info(&format!(
        "Found {} package(s) with {} active version(s) in {} request(s)",
        listings.len(),
        report.version_count(),
        client.requests_sent()
    ));
    Ok(())
}
