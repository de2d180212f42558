//! The Discord adapter: translates Discord input into governance commands and governance
//! outcomes into Discord messages. It decides nothing itself.
//!
//! - `commands/`: the slash commands, by what people do; `events`: everything else Discord
//!   sends (buttons, forms, reactions, messages), with `proposals`, `votes`, `activity`,
//!   `threads` and `candidacy` for what those events mean.
//! - `messages/`: every message people read, each rendered from its template.
//! - `outbox/`: shows what the audit log recorded, once, retrying through Discord's faults;
//!   `channels` creates and archives group channels, `reconcile` catches up after a reconnect.
//! - `runtime`, `data`, `permissions`, `server_check`: connecting, the state the handlers share,
//!   and checking that the server gives govbot what it needs.

pub(crate) mod activity;
pub(crate) mod candidacy;
pub(crate) mod channels;
pub(crate) mod commands;
pub mod component_id;
pub(crate) mod data;
pub(crate) mod events;
pub mod markdown;
pub mod messages;
pub mod outbox;
pub(crate) mod pace;
pub mod permissions;
pub(crate) mod proposals;
pub(crate) mod reconcile;
pub mod runtime;
pub mod server_check;
pub mod template_message;
pub(crate) mod threads;
pub mod votes;

pub use runtime::{run, start, start_checked, DiscordTransport, RunningBot};
