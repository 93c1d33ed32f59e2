//! Rendering results for people and for workflows: markdown for the job summary, a table for
//! the terminal, JSON for step outputs. Package names and tags are untrusted: every renderer
//! escapes them for its format.

mod list;
mod prune;
mod restore;

use comfy_table::{ContentArrangement, Table, presets};

pub use list::{ListReport, PackageOutput, SUMMARY_VERSIONS_PER_PACKAGE, VersionOutput};
pub use prune::{PruneReport, RequestCounts, VersionEntry};
pub use restore::{PackageRestored, RestoreReport, Restored, RestoredEntry};

/// A table for the terminal with these column headers.
fn terminal_table<const N: usize>(header: [&str; N]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    table
}

/// Digests are long: `sha256:1a2b3c4d5e6f…` is enough to recognise one in a table.
pub fn short_name(name: &str) -> String {
    match name.strip_prefix("sha256:") {
        Some(hex) if hex.len() > 12 => format!("sha256:{}…", &hex[..12]),
        _ => name.to_string(),
    }
}

/// Escapes untrusted text for markdown (a table cell or a list item): the characters that
/// could start emphasis, code, a link, an image, a mention (`@user` notifies them), an issue
/// reference or a table column are backslash-escaped; HTML's special characters become entities;
/// line breaks, which would end the row, become spaces.
pub fn markdown_escape(text: &str) -> String {
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

/// Escapes text for HTML (inside `<summary>`, where markdown is not rendered).
pub fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace(['\r', '\n'], " ")
}

/// Replaces control characters, so that a name cannot move the cursor or recolour a terminal.
pub fn terminal_safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '�' } else { c })
        .collect()
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
        assert_eq!(html_escape("<b>&</b>"), "&lt;b&gt;&amp;&lt;/b&gt;");
        assert_eq!(terminal_safe("v1\u{1b}[31m"), "v1�[31m");
    }
}
