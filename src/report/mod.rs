//! Rendering results for people and for workflows: markdown for the job summary, a table for
//! the terminal, JSON for step outputs. Package names and tags are untrusted: every renderer
//! escapes them for its format.

pub mod file;
mod list;
mod prune;
mod restore;
mod summary;

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use crate::actions::{
    MAX_OUTPUT_BYTES, escape_code_points, escape_invisible, is_invisible_control,
};

pub use file::ReportFile;
pub use list::{ListReport, PackageOutput, SUMMARY_VERSIONS_PER_PACKAGE, VersionOutput};
pub use prune::{DeletedEntry, PruneReport, RequestCounts, VersionEntry};
pub use restore::{RestoreReport, RestoredEntry};
pub use summary::{SUMMARY_BYTES, Summary};

/// Serialises a step output, or `None` when it would pass GitHub's 1 MiB limit on one output.
/// Serialising stops at the limit, so a huge listing never builds a huge string just to be
/// refused.
pub fn output_json<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    struct Capped(Vec<u8>);
    impl std::io::Write for Capped {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0.len() + buf.len() > MAX_OUTPUT_BYTES {
                return Err(std::io::Error::other("over the output limit"));
            }
            self.0.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut capped = Capped(Vec::new());
    serde_json::to_writer(&mut capped, value).ok()?;
    Some(String::from_utf8(capped.0).expect("serde_json writes UTF-8"))
}

/// How a command's job summary opens: `## package-warden · prune (dry run)`, then the headline.
/// The headline is our prose around the owner's login, which input validation limits to
/// letters, digits and hyphens, so HTML escaping is enough.
fn summary_heading(command: &str, dry_run: bool, headline: &str) -> String {
    let dry_run = if dry_run { " (dry run)" } else { "" };
    format!(
        "## package-warden · {command}{dry_run}\n\n{}.\n\n",
        html_escape(headline)
    )
}

/// What became of the rest, for a run's last line: `2 were deleted, 1 was already gone`
/// (counts of 0 left out), or `none was done`.
fn tally(counts: &[(usize, &str)]) -> String {
    let parts: Vec<String> = counts
        .iter()
        .filter(|&&(n, _)| n > 0)
        .map(|&(n, what)| format!("{n} {} {what}", if n == 1 { "was" } else { "were" }))
        .collect();
    match parts.is_empty() {
        true => "none was done".to_string(),
        false => parts.join(", "),
    }
}

/// A table for the terminal with these column headers.
fn terminal_table<const N: usize>(header: [&str; N]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    table
}

/// Escapes untrusted text for markdown (a table cell or a list item): the characters that
/// could start emphasis, code, a link, an image, a mention (`@user` notifies them), an issue
/// reference or a table column are backslash-escaped; HTML's special characters become entities;
/// line breaks, which would end the row, become spaces; bidi overrides and control characters
/// are shown as `\u{202E}` (see [`escape_invisible`]).
pub fn markdown_escape(text: &str) -> String {
    let text = escape_invisible(text);
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\r' | '\n' => escaped.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '@' | '#' | '!' => {
                escaped.push('\\');
                escaped.push(c);
            }
            c => escaped.push(c),
        }
    }
    escaped
}

/// Escapes text for HTML (inside `<summary>`, where markdown is not rendered). GitHub still
/// links an `@mention` in HTML text, so `@` becomes an entity too.
pub fn html_escape(text: &str) -> String {
    escape_invisible(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('@', "&#64;")
        .replace(['\r', '\n'], " ")
}

/// Shows control characters and bidi overrides as `\u{1B}`, so that a name cannot move the
/// cursor, recolour a terminal or reorder what is shown around it.
pub fn terminal_safe(text: &str) -> String {
    // Line breaks and tabs too: they would break the table's cell.
    escape_code_points(text, is_invisible_control).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escape_neutralises_tables_links_and_html() {
        assert_eq!(
            markdown_escape("a|b <img src=x> [l](u)\n*x* @team #12"),
            "a\\|b &lt;img src=x&gt; \\[l\\](u) \\*x\\* \\@team \\#12"
        );
        assert_eq!(
            html_escape("<b>&</b> @team"),
            "&lt;b&gt;&amp;&lt;/b&gt; &#64;team"
        );
        assert_eq!(terminal_safe("v1\u{1b}[31m\n"), "v1\\u{1B}[31m\\u{A}");
    }
}
