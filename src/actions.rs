//! The GitHub Actions runtime: step outputs, the job summary, workflow commands and masking.
//!
//! Outside Actions (`GITHUB_ACTIONS` unset) the same calls print for a person instead: messages
//! go to stderr as `warning: …`, and outputs and the summary are written only where a file is
//! named (`$GITHUB_OUTPUT`, `$GITHUB_STEP_SUMMARY`, `--summary-file`).

use std::borrow::Cow;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use rand::Rng;

use crate::env::Env;

/// GitHub's limit on one step output.
pub const MAX_OUTPUT_BYTES: usize = 1024 * 1024;

/// GitHub's limit on a step's job summary: past it, the whole summary is dropped.
pub const MAX_SUMMARY_BYTES: usize = 1024 * 1024;

/// Where the run's results and messages go.
pub struct Runtime {
    in_actions: bool,
    debug: bool,
    output_file: Option<PathBuf>,
    summary_files: Vec<PathBuf>,
    stdout: Mutex<Box<dyn Write + Send>>,
    stderr: Mutex<Box<dyn Write + Send>>,
}

impl Runtime {
    /// The runtime the environment describes, writing to the process's stdout and stderr.
    pub fn from_env(env: &Env, extra_summary_file: Option<PathBuf>) -> Runtime {
        Runtime::with_writers(
            env,
            extra_summary_file,
            Box::new(io::stdout()),
            Box::new(io::stderr()),
        )
    }

    /// The same with other writers, for tests.
    pub fn with_writers(
        env: &Env,
        extra_summary_file: Option<PathBuf>,
        stdout: Box<dyn Write + Send>,
        stderr: Box<dyn Write + Send>,
    ) -> Runtime {
        let file = |name: &str| env.get(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let summary_files = file("GITHUB_STEP_SUMMARY")
            .into_iter()
            .chain(extra_summary_file)
            .collect();
        Runtime {
            in_actions: env.get("GITHUB_ACTIONS").is_some_and(|v| v == "true"),
            debug: env.get("RUNNER_DEBUG").is_some_and(|v| v == "1"),
            output_file: file("GITHUB_OUTPUT"),
            summary_files,
            stdout: Mutex::new(stdout),
            stderr: Mutex::new(stderr),
        }
    }

    /// True inside a GitHub Actions job.
    pub fn in_actions(&self) -> bool {
        self.in_actions
    }

    /// True when the user asked for debug output (`RUNNER_DEBUG=1`, "Enable debug logging").
    pub fn debug_enabled(&self) -> bool {
        self.debug
    }

    /// Asks the runner to hide `secret` wherever it would appear in the log.
    pub fn mask(&self, secret: &str) {
        if self.in_actions && !secret.is_empty() {
            // A multi-line secret must be masked line by line: the runner matches single lines.
            for line in secret.lines().filter(|l| !l.trim().is_empty()) {
                self.stdout_line(&format!("::add-mask::{}", escape_data(line)));
            }
        }
    }

    /// Sets a step output. Values may hold anything, newlines included: they are written in the
    /// `name<<DELIMITER` form with a random delimiter that does not occur in the value.
    pub fn set_output(&self, name: &str, value: &str) -> io::Result<()> {
        if value.len() > MAX_OUTPUT_BYTES {
            return Err(io::Error::other(format!(
                "output `{name}` is {} bytes, over GitHub's limit of {MAX_OUTPUT_BYTES}",
                value.len()
            )));
        }
        let Some(path) = &self.output_file else {
            return Ok(());
        };
        let delimiter = loop {
            let candidate = format!("ghadelimiter_{:032x}", rand::rng().random::<u128>());
            if !value.contains(&candidate) && !name.contains(&candidate) {
                break candidate;
            }
        };
        append(
            path,
            &format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"),
        )
    }

    /// Sets several outputs. A value that is `None` (too large for GitHub's 1 MiB limit on one
    /// output) or that cannot be written becomes a warning ending with `elsewhere`, which says
    /// where the user finds the same data; the other outputs are still written.
    pub fn set_outputs<'a>(
        &self,
        outputs: impl IntoIterator<Item = (&'a str, Option<String>)>,
        elsewhere: &str,
    ) {
        for (name, value) in outputs {
            let written = match value {
                Some(value) => self.set_output(name, &value),
                None => Err(io::Error::other(format!(
                    "output `{name}` would be over GitHub's limit of 1 MiB and is left empty"
                ))),
            };
            if let Err(err) = written {
                self.warning(&format!("{err}; {elsewhere}"));
            }
        }
    }

    /// Appends markdown to the job summary (and to `--summary-file`, when given).
    pub fn append_summary(&self, markdown: &str) -> io::Result<()> {
        for path in &self.summary_files {
            append(path, markdown)?;
        }
        Ok(())
    }

    /// How many bytes the job summary holds already (the largest of its files).
    pub fn summary_bytes(&self) -> usize {
        self.summary_files
            .iter()
            .filter_map(|path| std::fs::metadata(path).ok())
            .map(|meta| meta.len() as usize)
            .max()
            .unwrap_or(0)
    }

    /// Starts a collapsible group of log lines; [`Runtime::end_group`] closes it.
    pub fn group(&self, title: &str) {
        let title = escape_invisible(title);
        if self.in_actions {
            self.stdout_line(&format!("::group::{}", escape_data(&title)));
        } else {
            self.stderr_line(&title);
        }
    }

    pub fn end_group(&self) {
        if self.in_actions {
            self.stdout_line("::endgroup::");
        }
    }

    /// A plain log line.
    pub fn info(&self, message: &str) {
        let message = escape_invisible(message);
        if self.in_actions {
            self.stdout_line(&escape_data_lines(&message));
        } else {
            self.stderr_line(&message);
        }
    }

    pub fn notice(&self, message: &str) {
        self.annotate("notice", message);
    }

    pub fn warning(&self, message: &str) {
        self.annotate("warning", message);
    }

    pub fn error(&self, message: &str) {
        self.annotate("error", message);
    }

    /// A line shown only when debug logging is on.
    pub fn debug(&self, message: &str) {
        let message = escape_invisible(message);
        if self.in_actions {
            self.stdout_line(&format!("::debug::{}", escape_data(&message)));
        } else if self.debug {
            self.stderr_line(&format!("debug: {message}"));
        }
    }

    /// Text for a person at a terminal (tables); nothing inside Actions, where the summary
    /// carries the same.
    pub fn print(&self, text: &str) {
        if !self.in_actions {
            let mut out = self.stdout.lock().unwrap_or_else(|e| e.into_inner());
            // A closed pipe (`| head`) is not worth failing the run over.
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        }
    }

    /// Like [`Runtime::print`], but renders only when the text will be shown: a table of
    /// 150,000 versions is not built for a workflow log that does not print it.
    pub fn print_with(&self, render: impl FnOnce() -> String) {
        if !self.in_actions {
            self.print(&render());
        }
    }

    fn annotate(&self, level: &str, message: &str) {
        let message = escape_invisible(message);
        if self.in_actions {
            self.stdout_line(&format!("::{level}::{}", escape_data(&message)));
        } else {
            self.stderr_line(&format!("{level}: {message}"));
        }
    }

    fn stdout_line(&self, line: &str) {
        let mut out = self.stdout.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(out, "{line}").and_then(|()| out.flush());
    }

    fn stderr_line(&self, line: &str) {
        let mut err = self.stderr.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(err, "{line}").and_then(|()| err.flush());
    }
}

fn append(path: &PathBuf, text: &str) -> io::Result<()> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(text.as_bytes())
}

/// True for a character that changes how the text around it is shown without being seen
/// itself: a control character (ESC recolours a log line or a terminal) or a bidirectional
/// override, embedding, isolate or mark (a tag `v1\u{202E}gpj.exe` reads as `v1exe.jpg`).
pub fn is_invisible_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
}

/// Shows each [invisible control](is_invisible_control) of untrusted text as its code point,
/// `\u{202E}`, so that a reader sees it instead of being misled by it. Line breaks and tabs are
/// kept: every format deals with those its own way.
pub fn escape_invisible(text: &str) -> Cow<'_, str> {
    escape_code_points(text, |c| {
        is_invisible_control(c) && !matches!(c, '\r' | '\n' | '\t')
    })
}

/// Shows each character of `text` that `hidden` picks as its code point, `\u{202E}`.
pub fn escape_code_points(text: &str, hidden: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.contains(&hidden) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hidden(c) {
            escaped.push_str(&format!("\\u{{{:X}}}", c as u32));
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// Escapes the message of a workflow command, as GitHub's toolkit does.
pub fn escape_data(value: &str) -> String {
    value
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command (`title=…`): also `:` and `,`.
pub fn escape_property(value: &str) -> String {
    escape_data(value).replace(':', "%3A").replace(',', "%2C")
}

/// A plain log line must not start a workflow command: a package or tag name that begins with
/// `::` would otherwise be run by the runner, which trims leading spaces before it looks for
/// `::`. Such a line is prefixed with `| ` so that it cannot.
fn escape_data_lines(message: &str) -> String {
    // The runner breaks lines at CR as well as LF: split at both, or `x\r::error::` would start
    // a command.
    message
        .split(['\r', '\n'])
        .filter(|line| !line.is_empty())
        .map(|line| {
            if line.trim_start().starts_with("::") {
                format!("| {line}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    fn actions_runtime(dir: &tempfile::TempDir) -> (Runtime, Captured) {
        let env: Env = [
            ("GITHUB_ACTIONS", "true".to_string()),
            (
                "GITHUB_OUTPUT",
                dir.path().join("out").display().to_string(),
            ),
            (
                "GITHUB_STEP_SUMMARY",
                dir.path().join("summary").display().to_string(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let stdout = Captured::default();
        let runtime =
            Runtime::with_writers(&env, None, Box::new(stdout.clone()), Box::new(io::sink()));
        (runtime, stdout)
    }

    #[test]
    fn escapes_like_the_toolkit() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn outputs_use_a_random_delimiter_absent_from_the_value() {
        let dir = tempfile::tempdir().unwrap();
        let (runtime, _) = actions_runtime(&dir);
        let tricky = "line one\nEOF\nghadelimiter_\n";
        runtime.set_output("versions", tricky).unwrap();
        runtime.set_output("count", "3").unwrap();
        let written = std::fs::read_to_string(dir.path().join("out")).unwrap();
        let outputs = parse_github_output(&written);
        assert_eq!(
            outputs,
            vec![
                ("versions".into(), tricky.to_string()),
                ("count".into(), "3".into())
            ]
        );
    }

    #[test]
    fn oversized_outputs_are_refused_not_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let (runtime, _) = actions_runtime(&dir);
        let err = runtime
            .set_output("big", &"x".repeat(MAX_OUTPUT_BYTES + 1))
            .unwrap_err();
        assert!(err.to_string().contains("over GitHub's limit"), "{err}");
        assert!(!dir.path().join("out").exists());
    }

    #[test]
    fn workflow_commands_escape_untrusted_text() {
        let dir = tempfile::tempdir().unwrap();
        let (runtime, stdout) = actions_runtime(&dir);
        runtime.warning("tag v1\n::error::injected");
        runtime.info("::add-mask::x");
        runtime.mask("s3cret");
        runtime.group("package a%b");
        runtime.end_group();
        assert_eq!(
            stdout.text(),
            "::warning::tag v1%0A::error::injected\n| ::add-mask::x\n\
             ::add-mask::s3cret\n::group::package a%25b\n::endgroup::\n"
        );
    }

    #[test]
    fn summary_is_appended() {
        let dir = tempfile::tempdir().unwrap();
        let (runtime, _) = actions_runtime(&dir);
        runtime.append_summary("# one\n").unwrap();
        runtime.append_summary("two\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("summary")).unwrap(),
            "# one\ntwo\n"
        );
    }

    /// Reads `$GITHUB_OUTPUT` the way the runner does (only the heredoc form, which is all we write).
    fn parse_github_output(text: &str) -> Vec<(String, String)> {
        let mut lines = text.split('\n');
        let mut outputs = Vec::new();
        while let Some(line) = lines.next() {
            let Some((name, delimiter)) = line.split_once("<<") else {
                continue;
            };
            let mut value = Vec::new();
            for line in lines.by_ref() {
                if line == delimiter {
                    break;
                }
                value.push(line);
            }
            outputs.push((name.to_string(), value.join("\n")));
        }
        outputs
    }
}
