//! Progress while listing and deleting: a bar on a terminal (indicatif), a log line every few
//! seconds in Actions, where a bar would only fill the log with redraws.
//!
//! Work whose items can fail counts what became of each ([`Progress::record`]), so that a line
//! never says "Deleted 3 of 3" when the three deletions failed: it says
//! "Deletions 3 of 3: 0 deleted, 3 failed".

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::actions::Runtime;

/// How often a progress line is logged in Actions.
const EVERY: Duration = Duration::from_secs(5);

pub struct Progress<'a> {
    runtime: &'a Runtime,
    /// What is counted: "Packages listed:", "Deletions".
    done: &'static str,
    total: usize,
    started: Instant,
    bar: Option<ProgressBar>,
    state: Mutex<State>,
}

struct State {
    /// Items done, whatever became of them.
    count: usize,
    /// When the last line was logged.
    logged: Instant,
    /// How many items ended each way ("deleted", "failed"), in the order the kinds were
    /// announced by [`Progress::counting`] or first seen.
    kinds: Vec<(&'static str, usize)>,
}

impl<'a> Progress<'a> {
    /// Progress over `total` items; `done` names what is counted ("Packages listed:").
    pub fn new(runtime: &'a Runtime, done: &'static str, total: usize) -> Progress<'a> {
        let bar =
            (!runtime.in_actions() && std::io::stderr().is_terminal() && total > 1).then(|| {
                let bar = ProgressBar::new(total as u64);
                bar.set_style(
                    ProgressStyle::with_template(
                        "{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)",
                    )
                    .expect("a valid template")
                    .progress_chars("=> "),
                );
                bar.set_message(done);
                bar
            });
        let now = Instant::now();
        Progress {
            runtime,
            done,
            total,
            started: now,
            bar,
            state: Mutex::new(State {
                count: 0,
                logged: now,
                kinds: Vec::new(),
            }),
        }
    }

    /// Names the ways an item can end, in the order lines show them. The first is always
    /// shown, even at 0 ("0 deleted, 3 failed"); the others once they happen.
    pub fn counting(self, kinds: &[&'static str]) -> Progress<'a> {
        self.lock().kinds = kinds.iter().map(|&kind| (kind, 0)).collect();
        self
    }

    /// One more item done.
    pub fn tick(&self) {
        self.advance(None);
    }

    /// One more item done, ended as `kind` ("deleted", "failed").
    pub fn record(&self, kind: &'static str) {
        self.advance(Some(kind));
    }

    /// Logs where the work ended, kind by kind: `Deletions 3 of 3: 0 deleted, 3 failed`.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let state = self.lock();
        if self.total > 0 {
            self.runtime.info(&self.line(&state, None));
        }
    }

    fn advance(&self, kind: Option<&'static str>) {
        let mut state = self.lock();
        state.count += 1;
        if let Some(kind) = kind {
            match state.kinds.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => state.kinds.push((kind, 1)),
            }
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
            if kind.is_some() {
                bar.set_message(format!("{}: {}", self.done, breakdown(&state.kinds)));
            }
            return;
        }
        let now = Instant::now();
        if self.runtime.in_actions()
            && now.duration_since(state.logged) >= EVERY
            && state.count < self.total
        {
            state.logged = now;
            let minutes = now.duration_since(self.started).as_secs_f64() / 60.0;
            let rate = state.count as f64 / minutes.max(f64::EPSILON);
            self.runtime.info(&self.line(&state, Some(rate)));
        }
    }

    /// `Packages listed: 3 of 10 (12 a minute)`, or with kinds
    /// `Deletions 3 of 10: 2 deleted, 1 failed (12 a minute)`.
    fn line(&self, state: &State, per_minute: Option<f64>) -> String {
        let mut line = format!("{} {} of {}", self.done, state.count, self.total);
        if !state.kinds.is_empty() {
            line.push_str(": ");
            line.push_str(&breakdown(&state.kinds));
        }
        if let Some(rate) = per_minute {
            line.push_str(&format!(" ({rate:.0} a minute)"));
        }
        line
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `0 deleted, 3 failed`: the first kind always, the others when they happened.
fn breakdown(kinds: &[(&'static str, usize)]) -> String {
    kinds
        .iter()
        .enumerate()
        .filter(|&(i, &(_, n))| i == 0 || n > 0)
        .map(|(_, (kind, n))| format!("{n} {kind}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Drop for Progress<'_> {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
