//! package-warden keeps GitHub Packages tidy and recoverable.
//!
//! Data flows one way: [`config`] turns `INPUT_*` variables or flags into a validated
//! [`config::Config`]; [`listing`] reads the owner's packages and versions through the
//! [`github`] client; a command in [`commands`] decides and acts; [`report`] renders what happened
//! and [`actions`] writes it where GitHub Actions (or a person at a terminal) reads it: step
//! outputs, the job summary, workflow commands. Nothing upstream reaches back downstream.

pub mod actions;
pub mod cancel;
pub mod commands;
pub mod config;
#[cfg(feature = "demo")]
pub mod demo;
pub mod env;
pub mod execute;
pub mod github;
pub mod journal;
pub mod listing;
pub mod model;
pub mod plan;
pub mod progress;
pub mod registry;
pub mod report;
pub mod selector;
pub mod transport;

pub use commands::run;
