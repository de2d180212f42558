//! govbot: lifecycle governance of a community's Interest Groups and Working Groups.
//!
//! [`governance`] holds the rules and nothing else; [`store`] keeps them in SQLite; [`config`]
//! reads the operator's file; [`cli`] is the operator's shell.

pub mod cli;
pub mod clock;
pub mod config;
pub mod discord;
pub mod export;
pub mod github;
pub mod governance;
#[cfg(feature = "sandbox")]
pub mod harness;
pub mod report;
#[cfg(feature = "sandbox")]
pub mod scenario;
pub mod scheduler;
pub mod secret;
#[cfg(feature = "sandbox")]
pub mod standard_world;
pub mod store;
pub mod web;
