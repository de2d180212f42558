//! What the sandbox remembers: the guild as it changes, every message and interaction, the
//! gateway session, and the logs tests read.
//!
//! One `std::sync::Mutex` guards it all, and it is never held across an `.await`: handlers take
//! what they need, release it, then write to the gateway. Waiting is done on a `watch` channel
//! whose value is bumped after every change ([`Shared::touch`]), so a waiter re-checks exactly
//! when something happened and never polls on a timer.

use super::openapi::OpenApi;
use super::payloads::{self, DISCORD_EPOCH_MS};
use super::permissions;
use super::world::World;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, watch};

/// Everything the HTTP handlers, the gateway and the [`Sandbox`](super::Sandbox) handle share.
pub(crate) struct Shared {
    pub world: World,
    /// The accepted token; `None` accepts any.
    pub token: Option<String>,
    pub heartbeat_interval_ms: u64,
    pub interaction_deadline: Option<Duration>,
    pub check_responses: bool,
    pub openapi: Option<Arc<OpenApi>>,
    pub api_base: String,
    pub ws_url: String,
    pub state: Mutex<State>,
    pub changed: watch::Sender<u64>,
    pub shutdown: watch::Sender<bool>,
    /// Discord's rate limits and injected faults (see `ratelimit`).
    pub ratelimits: super::ratelimit::Limiter,
    pub faults: super::faults::Faults,
}

impl Shared {
    pub fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `token` (without `Bot `) is the bot's.
    pub fn accepts(&self, token: &str) -> bool {
        match &self.token {
            Some(expected) => token == expected,
            None => !token.trim().is_empty(),
        }
    }

    /// Wakes every waiter: something changed.
    pub fn touch(&self) {
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
    }
}

/// The mutable part of the sandbox.
pub(crate) struct State {
    /// Guild channels (Discord Channel objects) in creation order.
    pub channels: Vec<Value>,
    /// Threads (channels of type 11 whose `parent_id` is a text channel), apart from `channels`
    /// because Discord lists them apart: GUILD_CREATE's `threads`, never its `channels`.
    pub threads: Vec<Value>,
    /// Every message ever created, in creation order; deleted ones stay, marked.
    pub messages: Vec<StoredMessage>,
    /// Each member's current roles.
    pub member_roles: BTreeMap<u64, Vec<u64>>,
    pub guild_commands: Vec<Value>,
    pub global_commands: Vec<Value>,
    pub interactions: Vec<InteractionRecord>,
    /// Modals the bot opened (callback type 9), until submitted.
    pub modals: Vec<ShownModal>,
    pub rest_log: Vec<RestCall>,
    pub dispatch_log: Vec<Value>,
    pub undelivered: Vec<Undelivered>,
    pub gateway: GatewayState,
    /// The last dispatch injected through the [`Sandbox`](super::Sandbox) API and delivered.
    pub last_injected: Option<(String, Value)>,
    last_id: u64,
}

impl State {
    pub fn new(world: &World) -> State {
        State {
            channels: payloads::initial_channels(world),
            threads: Vec::new(),
            messages: Vec::new(),
            member_roles: world
                .members
                .iter()
                .map(|m| (m.user_id, m.roles.clone()))
                .collect(),
            guild_commands: Vec::new(),
            global_commands: Vec::new(),
            interactions: Vec::new(),
            modals: Vec::new(),
            rest_log: Vec::new(),
            dispatch_log: Vec::new(),
            undelivered: Vec::new(),
            gateway: GatewayState::default(),
            last_injected: None,
            last_id: 0,
        }
    }

    /// A new snowflake: the current time in Discord's layout, strictly increasing.
    pub fn next_id(&mut self) -> u64 {
        let now_ms = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
        let candidate = now_ms.saturating_sub(DISCORD_EPOCH_MS) << 22;
        self.last_id = candidate.max(self.last_id + 1);
        self.last_id
    }

    /// A guild channel or a thread: both are channels to post in or to read by id.
    pub fn channel(&self, id: u64) -> Option<&Value> {
        self.channels
            .iter()
            .chain(&self.threads)
            .find(|c| payloads::id_of(c) == Some(id))
    }

    pub fn channel_mut(&mut self, id: u64) -> Option<&mut Value> {
        self.channels
            .iter_mut()
            .chain(&mut self.threads)
            .find(|c| payloads::id_of(c) == Some(id))
    }

    /// A live (not deleted) message in `channel_id`, ephemeral ones included.
    pub fn message(&self, channel_id: u64, id: u64) -> Option<&StoredMessage> {
        self.messages
            .iter()
            .find(|m| m.id == id && m.channel_id == channel_id && !m.deleted)
    }

    pub fn message_mut(&mut self, channel_id: u64, id: u64) -> Option<&mut StoredMessage> {
        self.messages
            .iter_mut()
            .find(|m| m.id == id && m.channel_id == channel_id && !m.deleted)
    }

    pub fn message_by_id_mut(&mut self, id: u64) -> Option<&mut StoredMessage> {
        self.messages.iter_mut().find(|m| m.id == id && !m.deleted)
    }

    pub fn roles_of(&self, user_id: u64) -> Option<Vec<u64>> {
        self.member_roles.get(&user_id).cloned()
    }

    /// A member's guild-wide permissions (`None` for someone not in the guild).
    pub fn base_permissions(&self, world: &World, user_id: u64) -> Option<u64> {
        let roles = self.member_roles.get(&user_id)?;
        Some(permissions::base(world, user_id, roles))
    }

    /// A member's permissions in a channel or category as it is now, overwrites and implicit
    /// rules included (`None` for an unknown member or channel).
    pub fn permissions_in(&self, world: &World, user_id: u64, channel_id: u64) -> Option<u64> {
        let roles = self.member_roles.get(&user_id)?;
        let channel = self.channel(channel_id)?;
        let base = permissions::base(world, user_id, roles);
        let kind = channel["type"].as_u64().unwrap_or(0) as u8;
        let overwrites = payloads::overwrites_of(channel);
        Some(permissions::in_channel(
            world,
            base,
            user_id,
            roles,
            kind,
            &overwrites,
        ))
    }

    pub fn interaction(&self, id: u64) -> Option<&InteractionRecord> {
        self.interactions.iter().find(|i| i.id == id)
    }

    pub fn interaction_by_token_mut(&mut self, token: &str) -> Option<&mut InteractionRecord> {
        self.interactions.iter_mut().find(|i| i.token == token)
    }
}

/// A message and what happened to it since.
#[derive(Debug, Clone)]
pub(crate) struct StoredMessage {
    pub id: u64,
    pub channel_id: u64,
    pub author_id: u64,
    /// The Discord Message object, without `reactions` (see [`StoredMessage::render`]).
    pub value: Value,
    /// `(emoji, users)` in order of first reaction.
    pub reactions: Vec<(String, Vec<u64>)>,
    pub deleted: bool,
    /// Seen only by the user of an interaction: never listed in the channel nor dispatched.
    pub ephemeral: bool,
}

impl StoredMessage {
    /// The Message object as Discord answers it, reactions included.
    pub fn render(&self, world: &World) -> Value {
        let mut value = self.value.clone();
        let reactions = payloads::reactions(world, &self.reactions);
        if !reactions.is_empty() {
            value["reactions"] = Value::Array(reactions);
        }
        value
    }
}

/// An interaction the sandbox dispatched and what the bot did with it.
#[derive(Debug, Clone)]
pub(crate) struct InteractionRecord {
    pub id: u64,
    pub token: String,
    /// 2 application command, 3 component, 4 autocomplete, 5 modal submit.
    pub kind: u8,
    /// For an autocomplete: the type of the option being typed, which its choices' values must
    /// have.
    pub focused_type: Option<u64>,
    pub user_id: u64,
    pub channel_id: u64,
    pub created: Instant,
    /// For components: the message the component is on. For modal submits: the message of the
    /// component that opened the modal, if a component did.
    pub message_id: Option<u64>,
    /// `interaction_metadata` for messages sent in answer.
    pub metadata: Value,
    /// The command name, for the deprecated `interaction` field of command responses.
    pub command_name: Option<String>,
    /// The first callback the bot sent.
    pub callback: Option<(u8, Value)>,
    /// The `@original` message: the reply, the loading message of a deferral, or the message a
    /// component update changed. `None` after a modal, as on Discord.
    pub original: Option<u64>,
    /// A deferred reply still showing "thinking": the first follow-up replaces it.
    pub original_loading: bool,
    pub followups: Vec<u64>,
    /// The callback, follow-up and edit bodies in the order they arrived.
    pub responses: Vec<Value>,
    /// Follow-up and `@original` edit bodies only, for `wait_followup`.
    pub later: Vec<Value>,
}

/// A modal the bot opened, waiting for [`Sandbox::submit_modal`](super::Sandbox::submit_modal).
#[derive(Debug, Clone)]
pub(crate) struct ShownModal {
    pub custom_id: String,
    pub user_id: u64,
    pub channel_id: u64,
    /// The interaction the modal answered.
    pub source: u64,
    /// The modal's `components` as the bot sent them.
    pub components: Value,
    pub submitted: bool,
}

/// One REST call the bot made, with the sandbox's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct RestCall {
    pub method: String,
    /// Without `/api/v10` and the query.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    /// The JSON body, or a multipart body's `payload_json`.
    pub body: Option<Value>,
    pub status: u16,
    /// The answer was an injected fault, not Discord's rules at work.
    pub injected: bool,
    /// What Discord's OpenAPI description says is wrong with the request.
    pub openapi_problems: Vec<String>,
    /// The sandbox's answer body.
    pub response: Option<Value>,
    /// What the description says is wrong with the answer (checked only with
    /// [`SandboxOptions::check_responses`](super::SandboxOptions::check_responses)).
    pub response_problems: Vec<String>,
    /// When the request arrived.
    pub arrived: std::time::Instant,
    /// How many IDENTIFYs had been answered with READY when it arrived: 0 for a call a bot made
    /// before it first connected to the gateway; compare with
    /// [`GatewayStats::identifies`] before a restart to tell a restarted bot's calls before and
    /// after it connected.
    pub identified: u64,
}

/// A dispatch that never reached the bot.
#[derive(Debug, Clone, PartialEq)]
pub struct Undelivered {
    pub event: String,
    pub data: Value,
    /// "no bot connected", or the intent the bot did not ask for.
    pub reason: String,
}

/// Counters and the state of the bot's gateway connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GatewayStats {
    /// IDENTIFYs answered with READY.
    pub identifies: u64,
    /// RESUMEs answered with RESUMED.
    pub resumes: u64,
    /// Heartbeats answered with an ACK.
    pub heartbeats: u64,
    /// A connection is identified or resumed and receives dispatches.
    pub connected: bool,
}

/// The gateway session and the connection dispatches go to.
#[derive(Default)]
pub(crate) struct GatewayState {
    pub conn: Option<ConnHandle>,
    pub session: Option<Session>,
    pub next_conn_id: u64,
    pub stats: GatewayStats,
    /// While set, an IDENTIFY waits unanswered (in `held`) instead of starting a session: a gap
    /// in which nothing is delivered, for as long as a test needs.
    pub hold_sessions: bool,
    pub held: Option<(ConnHandle, serde_json::Value)>,
}

/// A way to write to one connection's socket: frames are written in the order they are queued.
#[derive(Clone)]
pub(crate) struct ConnHandle {
    pub id: u64,
    pub tx: mpsc::UnboundedSender<Outgoing>,
}

pub(crate) enum Outgoing {
    /// A text frame; `written` learns whether the write succeeded.
    Frame {
        text: String,
        written: Option<oneshot::Sender<bool>>,
    },
    /// Close the connection with this close code.
    Close(u16),
}

pub(crate) struct Session {
    pub id: String,
    pub seq: u64,
    pub intents: u64,
}
