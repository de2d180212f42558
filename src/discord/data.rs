//! What every handler shares: the store, the configuration and the governance clock; and how a
//! Discord member becomes a governance actor.

use crate::clock::Clock;
use crate::config::Config;
use crate::governance::{Actor, MemberId, Policy, Role, Timestamp};
use crate::store::Store;
use serenity::all::RoleId;
use std::sync::Arc;

pub type Error = anyhow::Error;
pub type Context<'a> = poise::Context<'a, Data, Error>;

pub struct Data {
    pub store: Store,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    /// Held while a template message event is handled, so an edit or a deletion that follows a
    /// post closely sees the proposal and reply the post recorded.
    pub templates: tokio::sync::Mutex<()>,
    /// govbot's own user id, so its own reactions on vote messages are not taken as ballots.
    pub bot_user: u64,
    /// The channels threads were started in, for counting a thread's messages for its group.
    pub threads: super::threads::ThreadParents,
    /// Display names already stored, so acting again costs no write on the interaction's path.
    names: std::sync::Mutex<std::collections::HashMap<u64, String>>,
    /// Names seen but not stored yet, and the one writer that stores them: a burst of new voters
    /// costs a few writes, not one each.
    unsaved_names: std::sync::Mutex<std::collections::BTreeMap<u64, String>>,
    names_writer: tokio::sync::Mutex<()>,
    /// READY dispatches seen: each after the first is a new session whose gap may have lost
    /// events (see [`super::reconcile`]).
    pub sessions: std::sync::atomic::AtomicU64,
    /// The newest message seen in the creation channel, where reading resumes after a gap.
    pub creation_seen: std::sync::atomic::AtomicU64,
    /// How many times the open votes were reconciled (once per READY, see
    /// [`super::reconcile`]); a start-up has caught up once it is at least 1.
    pub reconciled: Arc<tokio::sync::watch::Sender<u64>>,
    /// What start-up learnt, for the line logged when a session is ready.
    pub startup: Arc<Startup>,
    /// Reactions added or removed, and messages edited, at Discord's pace per channel: one for
    /// every task of the bot.
    pub paces: Arc<super::pace::Paces>,
}

/// What start-up learnt: who the bot is, where, and how many commands it registered.
#[derive(Debug, Clone, Default)]
pub struct Startup {
    pub bot_name: String,
    /// The guild's name and id, as logged.
    pub guild: String,
    pub commands_registered: usize,
}

impl Data {
    pub fn new(store: Store, config: Arc<Config>, clock: Arc<dyn Clock>, bot_user: u64) -> Self {
        Data {
            store,
            config,
            clock,
            templates: tokio::sync::Mutex::new(()),
            bot_user,
            threads: Default::default(),
            names: Default::default(),
            unsaved_names: Default::default(),
            names_writer: Default::default(),
            sessions: Default::default(),
            creation_seen: Default::default(),
            reconciled: Arc::new(tokio::sync::watch::Sender::new(0)),
            startup: Default::default(),
            paces: Default::default(),
        }
    }

    pub fn with_startup(self, startup: Arc<Startup>) -> Self {
        Data { startup, ..self }
    }

    pub fn with_paces(self, paces: Arc<super::pace::Paces>) -> Self {
        Data { paces, ..self }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn policy(&self) -> &Policy {
        &self.config.policy
    }

    /// The governance roles a member holds, read from the role ids Discord sends with the
    /// interaction or message (no privileged intent or cache needed).
    pub fn roles_of(&self, roles: &[RoleId]) -> Vec<Role> {
        let r = &self.config.roles;
        let has = |id: u64| roles.iter().any(|x| x.get() == id);
        [
            (r.moderator, Role::Moderator),
            (r.core_maintainer, Role::CoreMaintainer),
            (r.lead_maintainer, Role::LeadMaintainer),
            (r.steering_group, Role::SteeringGroup),
        ]
        .into_iter()
        .filter(|(id, _)| has(*id))
        .map(|(_, role)| role)
        .collect()
    }

    /// Keeps the display name of someone who acted, so histories and exports show names; a
    /// failure only costs a name, so it is logged. A name already stored by this process is not
    /// written again, and names arriving while others are being written are written together
    /// next, in one transaction.
    pub async fn remember(&self, user: &serenity::all::User) {
        let name = user
            .global_name
            .clone()
            .unwrap_or_else(|| user.name.clone());
        let known = self
            .names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&user.id.get())
            .is_some_and(|n| *n == name);
        if known {
            return;
        }
        self.unsaved().insert(user.id.get(), name);
        // The writer in progress (if any) takes this name in its next round.
        loop {
            let Ok(writing) = self.names_writer.try_lock() else {
                return;
            };
            let batch = std::mem::take(&mut *self.unsaved());
            if batch.is_empty() {
                drop(writing);
                // A name added while the writer was finding none is taken again.
                if self.unsaved().is_empty() {
                    return;
                }
                continue;
            }
            let members: Vec<(MemberId, &str)> = batch
                .iter()
                .map(|(id, name)| (MemberId(*id), name.as_str()))
                .collect();
            if let Err(e) = self.store.remember_members(&members, self.now()).await {
                tracing::warn!("could not remember {} member name(s): {e}", members.len());
                return;
            }
            self.names
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(batch);
        }
    }

    fn unsaved(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<u64, String>> {
        self.unsaved_names.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn actor(&self, user: u64, roles: &[RoleId]) -> Actor {
        Actor::member(MemberId(user), self.roles_of(roles))
    }
}
