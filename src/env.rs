//! The process environment as a map, handed down from `main`: nothing below it reads
//! `std::env`, so that tests pass their own map instead of mutating the process's.

use std::collections::BTreeMap;

/// The process environment, or a test's stand-in for it.
pub type Env = BTreeMap<String, String>;
