//! Cancellation: GitHub cancels a job by sending SIGINT, then SIGTERM 7.5 seconds later, then
//! killing it. A run that is deleting must stop sending at the first signal, let the requests
//! in flight finish for a few seconds, and leave a record of what it did.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::watch;

/// How long requests already sent may take to finish after the first signal: short enough to
/// write the outputs before GitHub's SIGTERM (7.5 s after SIGINT).
pub const GRACE: Duration = Duration::from_secs(4);

/// The signal that cancelled the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    /// The exit code a shell gives a process ended by this signal (128 + its number).
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

impl Signal {
    /// Why a request was not sent, in the words of the outputs.
    pub fn not_sent(self) -> String {
        format!("not sent: the run was cancelled ({self})")
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        })
    }
}

/// The signals received so far, shared by whoever must stop on them.
#[derive(Debug, Clone)]
pub struct Cancellation {
    /// `None` when nothing listens for signals.
    received: Option<watch::Receiver<Vec<Signal>>>,
    /// Set once a command handles signals itself (it is changing things, and must stop in good
    /// order rather than be dropped).
    taken_over: Arc<AtomicBool>,
}

impl Cancellation {
    /// A cancellation that never comes (library callers, tests).
    pub fn never() -> Cancellation {
        Cancellation {
            received: None,
            taken_over: Arc::default(),
        }
    }

    /// A cancellation sent by hand through the returned [`Canceller`] (a library caller's own
    /// stop button, tests).
    pub fn manual() -> (Cancellation, Canceller) {
        let (sender, received) = watch::channel(Vec::new());
        let cancellation = Cancellation {
            received: Some(received),
            taken_over: Arc::default(),
        };
        (cancellation, Canceller(sender))
    }

    /// Listens for SIGINT and SIGTERM from now on (on the current tokio runtime). Until this is
    /// called, a signal ends the process at once, which is right while nothing has changed.
    pub fn listen() -> std::io::Result<Cancellation> {
        let (sender, received) = watch::channel(Vec::new());
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut interrupt = signal(SignalKind::interrupt())?;
            let mut terminate = signal(SignalKind::terminate())?;
            tokio::spawn(async move {
                loop {
                    let signal = tokio::select! {
                        _ = interrupt.recv() => Signal::Interrupt,
                        _ = terminate.recv() => Signal::Terminate,
                    };
                    sender.send_modify(|received| received.push(signal));
                }
            });
        }
        #[cfg(not(unix))]
        {
            tokio::spawn(async move {
                while tokio::signal::ctrl_c().await.is_ok() {
                    sender.send_modify(|received| received.push(Signal::Interrupt));
                }
            });
        }
        Ok(Cancellation {
            received: Some(received),
            taken_over: Arc::default(),
        })
    }

    /// The first signal received, if any.
    pub fn signal(&self) -> Option<Signal> {
        self.received.as_ref()?.borrow().first().copied()
    }

    pub fn is_cancelled(&self) -> bool {
        self.signal().is_some()
    }

    /// Resolves once `count` signals have arrived (never, if they do not).
    async fn signals(&self, count: usize) {
        if let Some(mut received) = self.received.clone() {
            // An error means the listener is gone: no signal can come any more.
            if received.wait_for(|r| r.len() >= count).await.is_ok() {
                return;
            }
        }
        std::future::pending::<()>().await;
    }

    /// Resolves when the run is cancelled.
    pub async fn cancelled(&self) {
        self.signals(1).await;
    }

    /// From now on the caller stops in good order at a signal: [`Cancellation::ends_run`]
    /// no longer resolves. Call it before the first request that changes anything.
    pub fn take_over(&self) {
        self.taken_over.store(true, Ordering::SeqCst);
    }

    /// Resolves at a signal that should end the run where it stands: one that arrives while
    /// nothing has been changed (nobody has taken over).
    pub async fn ends_run(&self) -> Signal {
        self.cancelled().await;
        if self.taken_over.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        self.signal().unwrap_or(Signal::Interrupt)
    }

    /// Resolves when requests in flight must be abandoned: [`GRACE`] after the first signal, or
    /// at a second one.
    pub async fn grace_over(&self) {
        self.cancelled().await;
        tokio::select! {
            _ = tokio::time::sleep(GRACE) => {}
            _ = self.signals(2) => {}
        }
    }
}

/// Sends signals to a [`Cancellation::manual`].
#[derive(Debug)]
pub struct Canceller(watch::Sender<Vec<Signal>>);

impl Canceller {
    pub fn send(&self, signal: Signal) {
        self.0.send_modify(|received| received.push(signal));
    }
}

/// The error a cancelled run ends with; `main` maps it to the signal's exit code.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error(
    "cancelled by {0}: nothing more was sent; what was deleted before is in the outputs, the \
     summary and the journal (`undo` with the journal restores it)"
)]
pub struct Cancelled(pub Signal);
