//! The report file a prune writes beside its outputs (the `report` output names it): the whole
//! plan, every version with its decision, reasons and result. One type both ways: `prune`
//! writes it and `restore` reads it back for `undo`, so the two cannot drift apart.
//!
//! The reader is as lenient as a record from an older release needs: what `undo` does not use
//! (timestamps, tags, decisions, reasons) may be missing.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::execute::{Op, Status};
use crate::model::{PackageType, VersionId};
use crate::plan::{Action, Reason};

/// The report file. `V` is how each package's versions are held: read back, a `Vec` of
/// [`ReportVersion`]; written, a list serialised one version at a time, so that a plan of
/// 150,000 versions is never built twice in memory.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReportFile<'a, V = Vec<ReportVersion<'a>>> {
    /// `prune`: `undo` refuses the report of anything else.
    pub command: Cow<'a, str>,
    #[serde(default)]
    pub generated_at: Cow<'a, str>,
    /// `undo` refuses a dry run's report: it deleted nothing.
    pub dry_run: bool,
    /// The owner's login (`undo` refuses a report of another owner). Older reports wrote
    /// `organisation acme`, `user octocat` or `the token's own account`: see
    /// [`ReportFile::owner_login`].
    #[serde(default)]
    pub owner: Option<Cow<'a, str>>,
    #[serde(default)]
    pub package_type: Option<PackageType>,
    /// Why nothing was deleted although the plan deletes something (`max-deletions`).
    #[serde(default)]
    pub refused: Option<Cow<'a, str>>,
    pub packages: Vec<ReportPackage<'a, V>>,
}

/// One package of the plan.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReportPackage<'a, V = Vec<ReportVersion<'a>>> {
    pub name: Cow<'a, str>,
    pub package_type: PackageType,
    /// Deleted as a whole package (`delete-package-when-empty`).
    #[serde(default)]
    pub delete_package: bool,
    pub versions: V,
}

/// One version of a package, kept or deleted, and what became of a deletion.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReportVersion<'a> {
    pub id: VersionId,
    pub name: Cow<'a, str>,
    /// `null` when GitHub did not say.
    #[serde(default)]
    pub tags: Option<Cow<'a, [String]>>,
    #[serde(default)]
    pub created_at: Cow<'a, str>,
    #[serde(default)]
    pub updated_at: Cow<'a, str>,
    #[serde(default)]
    pub action: Option<ReportAction>,
    #[serde(default)]
    pub reasons: Reasons<'a>,
    /// What happened to a planned deletion (a [`Status::word`]); absent for kept versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Cow<'a, str>>,
}

/// The plan's decision, as the report writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportAction {
    Delete,
    Keep,
}

impl From<Action> for ReportAction {
    fn from(action: Action) -> ReportAction {
        match action {
            Action::Delete => ReportAction::Delete,
            Action::Keep => ReportAction::Keep,
        }
    }
}

/// A version's reasons: written from the plan for people to read; read back as plain JSON,
/// since `undo` needs none of them and older releases wrote them differently.
#[derive(Debug)]
pub enum Reasons<'a> {
    Written(&'a [Reason]),
    Read(Vec<serde_json::Value>),
}

impl Default for Reasons<'_> {
    fn default() -> Self {
        Reasons::Read(Vec::new())
    }
}

impl Serialize for Reasons<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Reasons::Written(reasons) => reasons.serialize(serializer),
            Reasons::Read(values) => values.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Reasons<'_> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::deserialize(deserializer).map(Reasons::Read)
    }
}

/// Whether a deletion's result means the version is gone: deleted, or found gone already.
pub fn was_deleted(result: Option<&str>) -> bool {
    result.is_some_and(|result| {
        [Status::Done, Status::AlreadyDone]
            .iter()
            .any(|status| status.word(Op::Delete) == result)
    })
}

impl<'a> ReportFile<'a> {
    /// The login the report's `owner` names, in today's form (`acme`) or the older one
    /// (`organisation acme`, `user octocat`); `None` when it names none (older reports of the
    /// token's own account, and older still, none at all).
    pub fn owner_login(&self) -> Option<String> {
        let owner = self.owner.as_deref()?;
        let login = owner
            .strip_prefix("organisation ")
            .or_else(|| owner.strip_prefix("user "))
            .unwrap_or(owner);
        (!login.is_empty() && !login.contains(char::is_whitespace)).then(|| login.to_string())
    }

    /// Every version the prune deleted (or found gone), with its package.
    pub fn deleted(&self) -> impl Iterator<Item = (&ReportPackage<'a>, &ReportVersion<'a>)> {
        self.packages.iter().flat_map(|package| {
            package
                .versions
                .iter()
                .filter(|version| was_deleted(version.result.as_deref()))
                .map(move |version| (package, version))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_reads_back_what_it_deleted_and_whose_it_is() {
        let text = r#"{"command":"prune","generated_at":"x","dry_run":false,"owner":"organisation acme","package_type":"npm","refused":null,
            "packages":[{"name":"web","package_type":"npm","delete_package":false,"versions":[
              {"id":1,"name":"1.0.0","tags":[],"action":"delete","reasons":[{"rule":"versions"}],"result":"deleted"},
              {"id":2,"name":"1.1.0","tags":null,"action":"delete","reasons":[],"result":"failed","error":"x"},
              {"id":4,"name":"1.2.0","action":"delete","result":"already-gone"},
              {"id":3,"name":"2.0.0","tags":[],"action":"keep","reasons":[]}]}]}"#;
        let report: ReportFile = serde_json::from_str(text).unwrap();
        assert_eq!(report.owner_login().as_deref(), Some("acme"));
        let deleted: Vec<u64> = report.deleted().map(|(_, v)| v.id.0).collect();
        assert_eq!(deleted, [1, 4]);
        // Read back, it writes the same again.
        let again: serde_json::Value = serde_json::to_value(&report).unwrap();
        assert_eq!(
            again["packages"][0]["versions"][0]["reasons"][0]["rule"],
            "versions"
        );
        assert_eq!(again["packages"][0]["versions"][1]["error"], "x");
    }

    #[test]
    fn older_owners_name_a_login_or_nobody() {
        let owner = |owner: Option<&str>| {
            ReportFile {
                command: "prune".into(),
                generated_at: "".into(),
                dry_run: false,
                owner: owner.map(Cow::Borrowed),
                package_type: None,
                refused: None,
                packages: Vec::new(),
            }
            .owner_login()
        };
        assert_eq!(owner(Some("acme")).as_deref(), Some("acme"));
        assert_eq!(owner(Some("user octocat")).as_deref(), Some("octocat"));
        assert_eq!(owner(Some("the token's own account")), None);
        assert_eq!(owner(None), None);
    }
}
