//! govbot: lifecycle governance of a community's Interest Groups and Working Groups.
//!
//! [`governance`] holds the rules and nothing else; [`store`] keeps them in SQLite; [`config`]
//! reads the operator's file; [`cli`] is the operator's shell.

/// The commit this binary was built from (`git rev-parse --short HEAD` at build time, "unknown"
/// outside a git checkout); `govbot --version` shows it.
pub const COMMIT: &str = env!("GOVBOT_COMMIT");

/// `govbot --version`: the version and the commit.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("GOVBOT_COMMIT"),
    ")"
);

pub mod audit;
pub mod cli;
pub mod clock;
pub mod config;
pub mod counters;
pub mod discord;
pub mod export;
pub mod github;
pub mod governance;
#[cfg(feature = "sandbox")]
pub mod harness;
pub mod lock;
pub mod logging;
pub mod observability;
pub mod report;
#[cfg(feature = "sandbox")]
pub mod scenario;
pub mod scheduler;
pub mod secret;
#[cfg(feature = "sandbox")]
pub mod standard_world;
pub mod store;
pub mod web;
