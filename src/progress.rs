//! Progress while listing and deleting: a bar on a terminal (indicatif), a log line every few
//! seconds in Actions, where a bar would only fill the log with redraws.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::actions::Runtime;

/// How often a progress line is logged in Actions.
const EVERY: Duration = Duration::from_secs(5);

pub struct Progress<'a> {
    runtime: &'a Runtime,
    /// "Deleted", "Listed": the verb of the log line.
    done: &'static str,
    total: usize,
    started: Instant,
    bar: Option<ProgressBar>,
    /// Items done, and when the last line was logged.
    state: Mutex<(usize, Instant)>,
}

impl<'a> Progress<'a> {
    /// Progress over `total` items; `done` is the past tense that counts them ("Deleted").
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
            state: Mutex::new((0, now)),
        }
    }

    /// One more item done.
    pub fn tick(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.0 += 1;
        let now = Instant::now();
        if self.runtime.in_actions() && now.duration_since(state.1) >= EVERY && state.0 < self.total
        {
            state.1 = now;
            let minutes = now.duration_since(self.started).as_secs_f64() / 60.0;
            self.runtime.info(&format!(
                "{} {} of {} ({:.0} a minute)",
                self.done,
                state.0,
                self.total,
                state.0 as f64 / minutes.max(f64::EPSILON)
            ));
        }
    }
}

impl Drop for Progress<'_> {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
