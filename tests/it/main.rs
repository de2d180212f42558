//! govbot's integration tests, in one binary so the product is linked once: the spec's rules, the
//! store on real SQLite files, the configuration, the binary as an operator runs it, every message
//! template as a snapshot, the stand-ins' fidelity, and the real bot end to end against them.

mod common;

mod audit_chain;
mod cli;
mod config;
mod crash;
mod e2e_github;
mod e2e_group_life;
mod e2e_outbox;
mod e2e_proposals;
mod e2e_votes;
mod escaping;
mod github;
mod github_sync;
mod governance_props;
mod governance_rules;
mod layout;
mod migrations;
mod observability;
mod operating;
mod process;
mod ratelimits;
mod server_check;
mod standard_world;
mod store;
mod store_ballots;
mod templates;
mod web;
