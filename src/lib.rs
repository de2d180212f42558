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
pub mod harness;
pub mod report;
pub mod sandbox;
pub mod scenario;
pub mod scheduler;
pub mod secret;
pub mod store;
