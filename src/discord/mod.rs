//! The Discord adapter: translates Discord input into governance commands and governance
//! outcomes into Discord messages. It decides nothing itself.

pub mod activity;
pub mod audit_head;
pub mod candidacy;
pub mod channels;
pub mod commands;
pub mod component_id;
pub mod data;
pub mod decisions;
pub mod events;
pub mod group_life;
pub mod health;
pub mod notices;
pub mod outbox;
pub mod output;
pub mod permissions;
pub mod proposals;
pub mod reconcile;
pub mod render;
pub mod runtime;
pub mod server_check;
pub mod template_message;
pub mod threads;
pub mod views;
pub mod votes;

pub use runtime::{run, start, start_checked, DiscordTransport, RunningBot};
