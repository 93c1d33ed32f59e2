//! A job summary that fits: GitHub refuses a step's whole summary when it passes 1 MiB
//! ("$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k"), so a
//! summary that grows with the number of versions is built through [`Summary`], which stops
//! adding rows before that, keeps the headings and counts, and says where the rest is.
//!
//! ```
//! use package_warden::report::Summary;
//!
//! let mut summary = Summary::with_cap(300, "the `report` file");
//! summary.text("## Deleted (1000)\n\n| ID |\n| --- |\n");
//! for id in 0..1000 {
//!     summary.row(&format!("| {id} |\n"));
//! }
//! summary.end_table(1000);
//! let markdown = summary.finish();
//! assert!(markdown.len() <= 300);
//! assert!(markdown.contains("## Deleted (1000)"));
//! assert!(markdown.ends_with("everything is in the `report` file.\n"));
//! ```

use crate::actions::MAX_SUMMARY_BYTES;

/// The largest summary a command writes: below GitHub's 1 MiB, leaving room for the section
/// `validate` appends in the same step.
pub const SUMMARY_BYTES: usize = 1_000_000;

/// Room kept after the rows stop, for the headings, counts and closing line that follow.
const ROOM_AFTER_ROWS: usize = 16 * 1024;

/// Markdown for the job summary, capped in bytes.
#[derive(Debug)]
pub struct Summary {
    markdown: String,
    /// The summary never grows past this many bytes.
    cap: usize,
    /// Rows stop once the summary reaches this many bytes.
    rows_until: usize,
    /// Where what is left out can be found, for the reader: "the `report` file".
    rest: &'static str,
    /// Rows added to the table being written.
    rows_in_table: usize,
    /// Whether anything was left out because of the cap.
    cut: bool,
}

impl Summary {
    /// A summary of at most [`SUMMARY_BYTES`]; `rest` names where the rows it leaves out are.
    pub fn new(rest: &'static str) -> Summary {
        Summary::with_cap(SUMMARY_BYTES, rest)
    }

    /// A summary of at most `cap` bytes.
    pub fn with_cap(cap: usize, rest: &'static str) -> Summary {
        Summary {
            markdown: String::new(),
            cap,
            rows_until: cap.saturating_sub(ROOM_AFTER_ROWS.min(cap / 4)),
            rest,
            rows_in_table: 0,
            cut: false,
        }
    }

    /// A summary to append to `written` bytes of this step's summary (see
    /// [`Runtime::summary_bytes`](crate::actions::Runtime::summary_bytes)) that keeps the whole
    /// within GitHub's limit.
    pub fn appended(written: usize, rest: &'static str) -> Summary {
        Summary::with_cap(
            MAX_SUMMARY_BYTES.saturating_sub(written).min(SUMMARY_BYTES),
            rest,
        )
    }

    /// Headings, counts, notes: always written while there is room for them and the closing
    /// line.
    pub fn text(&mut self, text: &str) {
        if self.markdown.len() + text.len() + self.closing().len() <= self.cap {
            self.markdown.push_str(text);
        } else {
            self.cut = true;
        }
    }

    /// A row of a table or an item of a list, written unless the rows have used their share;
    /// false when it was left out.
    pub fn row(&mut self, row: &str) -> bool {
        let after = self.markdown.len() + row.len();
        if after <= self.rows_until && after + self.closing().len() <= self.cap {
            self.markdown.push_str(row);
            self.rows_in_table += 1;
            true
        } else {
            self.cut = true;
            false
        }
    }

    /// True once a row was left out: what follows would show headings without rows.
    pub fn is_full(&self) -> bool {
        self.cut
    }

    /// Ends a table of `total` rows: says how many of them are not shown.
    pub fn end_table(&mut self, total: usize) {
        let hidden = total.saturating_sub(self.rows_in_table);
        self.rows_in_table = 0;
        if hidden > 0 {
            let line = format!("\n… and {hidden} more, in {}.\n", self.rest);
            self.text(&line);
        }
    }

    /// The markdown, closed by a line saying where the rest is when anything was left out.
    pub fn finish(mut self) -> String {
        if self.cut {
            let closing = self.closing();
            self.markdown.push_str(&closing);
        }
        self.markdown
    }

    fn closing(&self) -> String {
        format!(
            "\n\n> [!NOTE]\n> GitHub keeps at most 1 MiB of a job summary, so this one stops \
             short: everything is in {}.\n",
            self.rest
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_stop_before_the_cap_and_headings_and_the_closing_line_fit() {
        let mut summary = Summary::with_cap(2_000, "the outputs");
        summary.text("## Heading\n\n");
        let shown = (0..100)
            .filter(|i| summary.row(&format!("| {i:040} |\n")))
            .count();
        assert!(shown > 0 && shown < 100, "{shown}");
        summary.end_table(100);
        summary.text("footer\n");
        let markdown = summary.finish();
        assert!(markdown.len() <= 2_000, "{}", markdown.len());
        assert!(markdown.starts_with("## Heading\n\n| 0"));
        assert!(markdown.contains(&format!("… and {} more, in the outputs.", 100 - shown)));
        assert!(markdown.contains("footer\n"));
        assert!(markdown.ends_with("everything is in the outputs.\n"));
    }

    #[test]
    fn a_summary_that_fits_is_left_as_it_is() {
        let mut summary = Summary::new("the outputs");
        summary.text("## Heading\n");
        assert!(summary.row("| 1 |\n"));
        summary.end_table(1);
        assert!(!summary.is_full());
        assert_eq!(summary.finish(), "## Heading\n| 1 |\n");
    }

    #[test]
    fn an_appended_summary_keeps_the_whole_step_within_githubs_limit() {
        let written = MAX_SUMMARY_BYTES - 3_000;
        let mut summary = Summary::appended(written, "the log");
        for i in 0..1_000 {
            summary.row(&format!("| {i} | broken |\n"));
        }
        summary.end_table(1_000);
        assert!(written + summary.finish().len() <= MAX_SUMMARY_BYTES);
    }
}
