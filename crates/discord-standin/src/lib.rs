//! A local stand-in for Discord, on 127.0.0.1, that speaks Discord's own v10 REST and gateway
//! payloads, so a real bot (serenity + poise, unmodified) can be driven in tests and demos
//! without a network or a token. It knows nothing of any particular bot: it serves the guild
//! ([`World`]) it is given.
//!
//! Why a stand-in rather than mocks of a bot's own adapter: a bot's riskiest code is where it
//! meets Discord (command registration, interaction replies, intents, permissions), and a mock
//! written to suit the bot proves nothing there. The stand-in instead follows Discord's documented
//! shapes and rules, and is checked against them twice: every dispatch it sends is deserialised
//! with serenity's own types in the fidelity test (`tests/sandbox.rs`), and every request a bot
//! sends is checked against Discord's official OpenAPI description ([`openapi`], vendored in
//! `discord-api-spec/`); with [`SandboxOptions::check_responses`] the stand-in's answers are
//! checked against it too.
//!
//! It also enforces Discord's REST rate limits ([`ratelimit`]): per-route buckets per channel,
//! guild or webhook with the `X-RateLimit-*` headers, 429 with `Retry-After` and Discord's body,
//! the global 50 requests per second per bot (interaction endpoints exempt), in wall-clock time
//! scaled by [`SandboxOptions::rate_limits`]. It records every request that arrives before a
//! `retry_after` it announced has passed ([`Sandbox::rate_limit_violations`]), and tests can
//! inject 429s and server errors ([`Sandbox::inject_rate_limit`],
//! [`Sandbox::inject_server_error`]). To be tested against those limits a client must run its
//! own limiter, which serenity cannot do through `HttpBuilder::proxy`; so the REST API is also
//! served over TLS as `https://discord.com` (see [`Sandbox::https_client`]), and a serenity client
//! built on that runs exactly as it does against Discord.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use discord_standin::permissions::bits;
//! use discord_standin::world::fixed_id;
//! use discord_standin::{ChannelKind, ChannelSpec, MemberSpec, RoleSpec, Sandbox, SandboxOptions, World};
//! use std::time::Duration;
//!
//! // A guild with one channel, the bot (with its managed role) and one person.
//! let world = World {
//!     guild_id: fixed_id(1),
//!     guild_name: "Example".into(),
//!     application_id: fixed_id(901),
//!     bot_user_id: fixed_id(300),
//!     channels: vec![ChannelSpec {
//!         id: fixed_id(101),
//!         name: "general".into(),
//!         kind: ChannelKind::Text,
//!         parent_id: None,
//!         overwrites: vec![],
//!     }],
//!     roles: vec![RoleSpec {
//!         id: fixed_id(201),
//!         name: "examplebot".into(),
//!         permissions: bits::VIEW_CHANNEL | bits::SEND_MESSAGES | bits::EMBED_LINKS,
//!         managed: true,
//!     }],
//!     everyone_permissions: bits::EVERYONE_DEFAULT,
//!     application_flags: 0,
//!     members: vec![
//!         MemberSpec { user_id: fixed_id(300), username: "examplebot".into(), roles: vec![fixed_id(201)] },
//!         MemberSpec { user_id: fixed_id(301), username: "alice".into(), roles: vec![] },
//!     ],
//!     command_permissions: vec![],
//! };
//! let sandbox = Sandbox::start(world, SandboxOptions::default()).await?;
//! // Point the bot at the stand-in: serenity's `HttpBuilder::new(sandbox.token())` with
//! // `.proxy(sandbox.api_base())` (rate limiter off), or with `.client(sandbox.https_client()?)`
//! // (Discord's own URLs, rate limiter on); start it, then:
//! sandbox.wait_identified(Duration::from_secs(5)).await?;
//! let world = sandbox.world();
//! let general = world.channel_id("general");
//! sandbox.post_message(general, world.user_id("alice"), "hello bot").await;
//! let reply = sandbox
//!     .wait_message(general, |m| m["author"]["bot"] == true, Duration::from_secs(5))
//!     .await?;
//! assert!(sandbox.openapi_problems().is_empty());
//! # Ok(()) }
//! ```
//!
//! # As strict as Discord where a bot can go wrong
//!
//! The guild has Discord's permission model, not an all-powerful bot: the bot holds what its
//! roles, `@everyone` and the channels' overwrites give it, as on a real server (govbot's
//! standard world, for instance, gives its role exactly what its invite asks for, no
//! ADMINISTRATOR, and makes a moderators' channel private). [`permissions`] computes what a
//! member holds in a channel from the documentation's algorithm (independently of serenity's,
//! which the bot uses; a test checks they agree), and the sandbox serves and enforces it:
//!
//! - roles' `permissions`, interactions' `member.permissions` and `app_permissions` are the
//!   computed values; the application's flags say which privileged intents it may use;
//! - every REST route the bot uses checks what Discord checks (see `rest`): a channel the bot
//!   cannot see is 403 code 50001 "Missing Access", any other missing permission 403 code 50013
//!   "Missing Permissions"; that includes the overwrite rule (an overwrite may carry only bits
//!   the bot holds, and MANAGE_ROLES only for an administrator) and the role hierarchy (a role at
//!   or above the bot's highest, or a managed one, is never given or taken);
//! - the gateway closes with 4014 on a privileged intent the application has not turned on;
//! - people (the `inject` methods) cannot act where they cannot see: posting needs
//!   SEND_MESSAGES, a new reaction ADD_REACTIONS (and READ_MESSAGE_HISTORY), a slash command
//!   USE_APPLICATION_COMMANDS, and all of them VIEW_CHANNEL;
//! - message bodies are held to Discord's limits, those of its OpenAPI description (embed
//!   fields, 10 embeds, button labels, custom ids, 5 buttons a row, modal titles, text input
//!   labels, placeholders and values) and those it does not express (2,000 characters of content,
//!   6,000 across a message's embeds, 5 action rows), answered with 400 code 50035 Invalid Form
//!   Body at the field's path.
//!
//! Tests change the world to play a misconfigured server: [`World::bot_role_mut`] (the bot's
//! role lacks a permission), [`World::deny_bot_in`] (an overwrite denies it one in a
//! channel), [`World::move_role_above`] (a role above the bot's), [`World::role_mut`],
//! [`World::channel_mut`]. `tests/sandbox_rules.rs` shows every rule refusing and allowing.
//!
//! Module map: [`world`] is the guild, [`permissions`] Discord's permission algorithm,
//! [`payloads`] builds every object and frame, `state` holds what changes, `gateway` and `rest`
//! serve the two protocols, `commands` checks application commands, [`openapi`] checks requests
//! against Discord's description, [`ratelimit`] applies the rate limits and injected faults,
//! `tls` serves the TLS endpoint. This file holds the [`Sandbox`] handle's start-up and
//! observation methods; `inject` holds the methods that play people (messages, reactions, slash
//! commands, buttons, modals) and the gateway's whims; `threads` lets people start threads in
//! text channels.

mod commands;
mod faults;
mod gateway;
mod inject;
pub mod openapi;
pub mod payloads;
pub mod permissions;
pub mod ratelimit;
mod rest;
mod state;
mod threads;
mod tls;
pub mod world;

// The unit tests' world, shared with the integration tests; it names this crate as they do.
#[cfg(test)]
extern crate self as discord_standin;
#[cfg(test)]
#[path = "../tests/common/world.rs"]
mod fixture;

pub use faults::{FaultGuard, Request};
pub use ratelimit::{Outcome, RateLimitEvent, RateLimitOptions, RouteMatch};
pub use state::{GatewayStats, RestCall, Undelivered};
pub use tls::DISCORD_HOST;
pub use world::{
    ChannelKind, ChannelSpec, CommandPermissionSpec, MemberSpec, OverwriteKind, OverwriteSpec,
    RoleSpec, World,
};

use anyhow::{bail, Context as _};
use axum::serve::ListenerExt as _;
use openapi::OpenApiSource;
use serde_json::Value;
use state::{Shared, State};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// A token for bots driven against the sandbox: plainly not a real one (those are long base64
/// strings), so it is never mistaken for a secret.
pub const DEFAULT_TOKEN: &str = "sandbox.bot.token";

/// How the sandbox behaves.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// HELLO's `heartbeat_interval`. Discord's is 41,250 ms; tests that exercise heartbeats use
    /// a few hundred.
    pub heartbeat_interval_ms: u64,
    /// Discord's OpenAPI description to check requests against; `None` checks nothing.
    /// Default: `$DISCORD_STANDIN_OPENAPI` if set, otherwise the copy vendored with this crate.
    pub openapi: Option<OpenApiSource>,
    /// The bot token the REST API and the gateway accept (`Bot ` prefix on the wire); `None`
    /// accepts any non-empty token. A missing or malformed `authorization` header is always
    /// refused with 401, as on Discord.
    pub token: Option<String>,
    /// How long the bot has to send an interaction's first callback; later ones get Discord's
    /// 404 Unknown interaction. Default 3 s, as on Discord; `None` waits forever.
    pub interaction_deadline: Option<Duration>,
    /// Also check the sandbox's own answers against the description (for the fidelity test).
    pub check_responses: bool,
    /// Discord's REST rate limits (see [`ratelimit`]); default on, with Discord's figures.
    pub rate_limits: RateLimitOptions,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            heartbeat_interval_ms: 41_250,
            openapi: Some(OpenApiSource::from_env()),
            token: None,
            interaction_deadline: Some(Duration::from_secs(3)),
            check_responses: false,
            rate_limits: RateLimitOptions::default(),
        }
    }
}

/// An interaction the sandbox sent to the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interaction {
    pub id: u64,
    pub token: String,
}

/// The bot's first answer to an interaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The callback type: 4 message, 5 deferred message, 6 deferred update, 7 update message,
    /// 9 modal.
    pub kind: u8,
    /// The callback's `data` (`null` when it had none).
    pub data: Value,
}

/// A running sandbox. Clones share it; it stops (closing the bot's connection) when the last
/// clone is dropped.
#[derive(Clone)]
pub struct Sandbox {
    shared: Arc<Shared>,
    /// The REST API over TLS as `https://discord.com` (see [`Sandbox::tls_addr`]).
    tls: Arc<TlsEndpoint>,
    /// Stops both endpoints (and closes the gateway's connections) when the last clone goes.
    _stop: loopback::Stop,
}

struct TlsEndpoint {
    addr: std::net::SocketAddr,
    root_der: Vec<u8>,
}

impl Sandbox {
    /// Starts the sandbox on a free port of 127.0.0.1: REST under `/api/v10`, the gateway at `/`.
    pub async fn start(world: World, options: SandboxOptions) -> anyhow::Result<Sandbox> {
        let openapi = options
            .openapi
            .as_ref()
            .map(OpenApiSource::load)
            .transpose()?;
        let listener = loopback::bind("the Discord stand-in").await?;
        let port = listener.local_addr()?.port();
        let (changed, _) = watch::channel(0);
        let (shutdown, _) = watch::channel(false);
        let ratelimits = ratelimit::Limiter::new(options.rate_limits, world.application_id);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(&world)),
            world,
            token: options.token,
            heartbeat_interval_ms: options.heartbeat_interval_ms,
            interaction_deadline: options.interaction_deadline,
            check_responses: options.check_responses,
            openapi,
            api_base: format!("http://127.0.0.1:{port}"),
            ws_url: format!("ws://127.0.0.1:{port}"),
            changed,
            shutdown,
            ratelimits,
            faults: Default::default(),
        });
        let app = axum::Router::new()
            .route("/", axum::routing::get(gateway::upgrade))
            .fallback(rest::handle)
            .with_state(shared.clone());
        // Without TCP_NODELAY a dispatch waits ~40 ms for Nagle and delayed ACKs.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let stop = loopback::Stop::new();
        let tls = Self::serve_tls(app.clone(), &stop).await?;
        stop.serve(listener, app, "the Discord stand-in");
        // The gateway's connections outlive the server's graceful shutdown (they are upgraded):
        // they close when the same Stop does.
        let stopped = stop.stopped();
        let closing = shared.clone();
        tokio::spawn(async move {
            stopped.await;
            let _ = closing.shutdown.send(true);
        });
        Ok(Sandbox {
            shared,
            tls: Arc::new(tls),
            _stop: stop,
        })
    }

    /// Serves the same routes over TLS on another port of 127.0.0.1, with a fresh certificate for
    /// `discord.com` (see `tls`), until `stop`'s last clone is dropped.
    async fn serve_tls(app: axum::Router, stop: &loopback::Stop) -> anyhow::Result<TlsEndpoint> {
        let identity = tls::identity()?;
        let tcp = loopback::bind("the Discord stand-in's TLS endpoint").await?;
        let addr = tcp.local_addr()?;
        let listener = tls::TlsListener::new(tcp, identity.server)?;
        stop.serve(listener, app, "the Discord stand-in's TLS endpoint");
        Ok(TlsEndpoint {
            addr,
            root_der: identity.root_der,
        })
    }

    /// The base URL to give serenity's `HttpBuilder::proxy` (a bot's custom API base).
    pub fn api_base(&self) -> String {
        self.shared.api_base.clone()
    }

    /// Where the REST API is also served over TLS, as `https://discord.com`: a client that
    /// resolves `discord.com` to this address and trusts [`Sandbox::tls_root_certificate`] reaches
    /// the sandbox through Discord's own URLs (how the bot runs with serenity's rate limiter on).
    pub fn tls_addr(&self) -> std::net::SocketAddr {
        self.tls.addr
    }

    /// The DER certificate of the authority that signed the sandbox's `discord.com` certificate,
    /// made fresh for each sandbox; trust it only in a client meant for the sandbox.
    pub fn tls_root_certificate(&self) -> &[u8] {
        &self.tls.root_der
    }

    /// An HTTP client for Discord's own URLs that reaches this sandbox: `discord.com` resolves to
    /// [`Sandbox::tls_addr`] and the sandbox's authority is trusted. Give it to serenity's
    /// `HttpBuilder::client`, without a proxy, to run serenity's rate limiter against the sandbox.
    pub fn https_client(&self) -> anyhow::Result<reqwest::Client> {
        let root = reqwest::Certificate::from_der(self.tls_root_certificate())
            .context("the sandbox's root certificate")?;
        reqwest::Client::builder()
            .use_rustls_tls()
            .resolve(DISCORD_HOST, self.tls_addr())
            .add_root_certificate(root)
            .build()
            .context("building an HTTP client for the sandbox")
    }

    /// The gateway URL that `GET /gateway` answers.
    pub fn gateway_url(&self) -> String {
        self.shared.ws_url.clone()
    }

    /// A bot token the sandbox accepts: the configured one, or [`DEFAULT_TOKEN`].
    pub fn token(&self) -> &str {
        self.shared.token.as_deref().unwrap_or(DEFAULT_TOKEN)
    }

    pub fn world(&self) -> &World {
        &self.shared.world
    }

    // -----------------------------------------------------------------------------------------
    // Gateway

    /// The gateway counters and whether a bot is connected.
    pub fn gateway_stats(&self) -> GatewayStats {
        self.shared.state().gateway.stats
    }

    /// How many times a bot identified (READY sent); a restarted bot identifies again.
    pub fn identify_count(&self) -> u64 {
        self.gateway_stats().identifies
    }

    /// Waits until a bot has identified and is connected (READY and GUILD_CREATE queued ahead
    /// of anything else). After a restart, wait for [`Sandbox::identify_count`] to grow instead:
    /// use [`Sandbox::wait_gateway`].
    pub async fn wait_identified(&self, timeout: Duration) -> anyhow::Result<()> {
        self.wait_gateway(|g| g.identifies > 0 && g.connected, timeout)
            .await
            .map(|_| ())
    }

    /// Waits until the gateway counters satisfy `pred`.
    pub async fn wait_gateway(
        &self,
        pred: impl Fn(&GatewayStats) -> bool,
        timeout: Duration,
    ) -> anyhow::Result<GatewayStats> {
        self.wait_for("the gateway state", timeout, |s| {
            let stats = s.gateway.stats;
            pred(&stats).then_some(stats)
        })
        .await
    }

    /// Every dispatch frame sent to the bot, READY and GUILD_CREATE included, in order.
    pub fn dispatch_log(&self) -> Vec<Value> {
        self.shared.state().dispatch_log.clone()
    }

    /// Dispatches that never reached the bot: none connected, or an intent it did not ask for.
    pub fn undelivered(&self) -> Vec<Undelivered> {
        self.shared.state().undelivered.clone()
    }

    // -----------------------------------------------------------------------------------------
    // Messages and the guild

    /// The live messages of a channel, oldest first, as Discord Message objects (reactions
    /// included; deleted and ephemeral ones left out).
    pub fn messages(&self, channel_id: u64) -> Vec<Value> {
        let state = self.shared.state();
        state
            .messages
            .iter()
            .filter(|m| m.channel_id == channel_id && !m.deleted && !m.ephemeral)
            .map(|m| m.render(&self.shared.world))
            .collect()
    }

    /// Any message by id, ephemeral ones included; `None` if unknown or deleted.
    pub fn message(&self, message_id: u64) -> Option<Value> {
        let state = self.shared.state();
        state
            .messages
            .iter()
            .find(|m| m.id == message_id && !m.deleted)
            .map(|m| m.render(&self.shared.world))
    }

    /// Waits for a live message in `channel_id` (already there, new, or edited) that satisfies
    /// `pred`, and returns it.
    pub async fn wait_message(
        &self,
        channel_id: u64,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> anyhow::Result<Value> {
        let world = self.shared.world.clone();
        self.wait_for(
            &format!("a matching message in channel {channel_id}"),
            timeout,
            |s| {
                s.messages
                    .iter()
                    .filter(|m| m.channel_id == channel_id && !m.deleted && !m.ephemeral)
                    .map(|m| m.render(&world))
                    .find(|m| pred(m))
            },
        )
        .await
    }

    /// The reactions on a message: `(emoji, users in order of reacting)`.
    pub fn reactions(&self, channel_id: u64, message_id: u64) -> Vec<(String, Vec<u64>)> {
        self.shared
            .state()
            .message(channel_id, message_id)
            .map(|m| m.reactions.clone())
            .unwrap_or_default()
    }

    /// The guild's channels as Discord Channel objects, those the bot created included.
    pub fn channels(&self) -> Vec<Value> {
        self.shared.state().channels.clone()
    }

    /// A member's permissions in a channel or category as the sandbox computes them now
    /// (overwrites and implicit rules included; [`permissions`]); `None` for an unknown member
    /// or channel.
    pub fn permissions_in(&self, user_id: u64, channel_id: u64) -> Option<u64> {
        self.shared
            .state()
            .permissions_in(&self.shared.world, user_id, channel_id)
    }

    /// A member's current roles (empty for an unknown user).
    pub fn member_roles(&self, user_id: u64) -> Vec<u64> {
        self.shared.state().roles_of(user_id).unwrap_or_default()
    }

    /// The commands the bot registered in the guild, then the global ones, as Discord echoed
    /// them.
    pub fn registered_commands(&self) -> Vec<Value> {
        let state = self.shared.state();
        state
            .guild_commands
            .iter()
            .chain(&state.global_commands)
            .cloned()
            .collect()
    }

    /// Waits until the bot has registered a command called `name` (guild or global).
    pub async fn wait_command(&self, name: &str, timeout: Duration) -> anyhow::Result<Value> {
        self.wait_for(&format!("the bot to register /{name}"), timeout, |s| {
            s.guild_commands
                .iter()
                .chain(&s.global_commands)
                .find(|c| c["name"] == name)
                .cloned()
        })
        .await
    }

    // -----------------------------------------------------------------------------------------
    // Interactions

    /// Waits for the bot's first callback to `interaction`.
    pub async fn wait_response(
        &self,
        interaction: &Interaction,
        timeout: Duration,
    ) -> anyhow::Result<Response> {
        self.wait_for(
            &format!("the bot to answer interaction {}", interaction.id),
            timeout,
            |s| {
                s.interaction(interaction.id)
                    .and_then(|i| i.callback.clone())
                    .map(|(kind, data)| Response { kind, data })
            },
        )
        .await
    }

    /// Everything the bot sent for `interaction`, in order: the callback body
    /// (`{"type": …, "data": …}`), then follow-up and `@original` edit bodies.
    pub fn responses(&self, interaction: &Interaction) -> Vec<Value> {
        self.shared
            .state()
            .interaction(interaction.id)
            .map(|i| i.responses.clone())
            .unwrap_or_default()
    }

    /// Waits for the `n`-th (from 0) follow-up or `@original` edit body the bot sent for
    /// `interaction` (how a deferred reply arrives).
    pub async fn wait_followup(
        &self,
        interaction: &Interaction,
        n: usize,
        timeout: Duration,
    ) -> anyhow::Result<Value> {
        self.wait_for(
            &format!("follow-up {n} to interaction {}", interaction.id),
            timeout,
            |s| {
                s.interaction(interaction.id)
                    .and_then(|i| i.later.get(n).cloned())
            },
        )
        .await
    }

    /// Waits for the bot's answer to `interaction` as its user sees it: the message of its
    /// first callback, or, when that callback was a deferral (type 5 or 6), the first follow-up
    /// or `@original` edit that came after it.
    pub async fn wait_answer(
        &self,
        interaction: &Interaction,
        timeout: Duration,
    ) -> anyhow::Result<Value> {
        self.wait_for(
            &format!("the bot's answer to interaction {}", interaction.id),
            timeout,
            |s| {
                let i = s.interaction(interaction.id)?;
                match i.callback.as_ref()? {
                    (5 | 6, _) => i.later.first().cloned(),
                    (_, data) => Some(data.clone()),
                }
            },
        )
        .await
    }

    /// The `@original` message of an interaction (its reply, possibly ephemeral), if any.
    pub fn original_message(&self, interaction: &Interaction) -> Option<Value> {
        let id = self.shared.state().interaction(interaction.id)?.original?;
        self.message(id)
    }

    // REST log

    // -----------------------------------------------------------------------------------------
    // REST log

    /// Every REST call so far, in order.
    pub fn rest_log(&self) -> Vec<RestCall> {
        self.shared.state().rest_log.clone()
    }

    /// Waits for a REST call (already made or to come) that satisfies `pred`.
    pub async fn wait_rest_call(
        &self,
        pred: impl Fn(&RestCall) -> bool,
        timeout: Duration,
    ) -> anyhow::Result<RestCall> {
        self.wait_for("a matching REST call", timeout, |s| {
            s.rest_log.iter().find(|c| pred(c)).cloned()
        })
        .await
    }

    /// Every problem Discord's OpenAPI description found in the bot's requests so far (unknown
    /// routes, undeclared query parameters, bodies not matching the request schema), each as
    /// `METHOD /path: problem`.
    pub fn openapi_problems(&self) -> Vec<String> {
        self.shared
            .state()
            .rest_log
            .iter()
            .flat_map(|c| {
                c.openapi_problems
                    .iter()
                    .map(move |p| format!("{} {}: {p}", c.method, c.path))
            })
            .collect()
    }

    // -----------------------------------------------------------------------------------------
    // Rate limits and faults

    /// Every request as the rate limiter saw it, in order: its route and bucket, whether it was
    /// admitted, limited (429) or failed by an injected server error, and whether it came before
    /// an announced `retry_after` had passed.
    pub fn rate_limit_log(&self) -> Vec<RateLimitEvent> {
        self.shared.ratelimits.log()
    }

    /// The requests that reached a bucket (or, for the global limit, the API) while a 429 the
    /// sandbox had announced was still in force: "a request before retry_after passed".
    pub fn rate_limit_violations(&self) -> Vec<RateLimitEvent> {
        self.rate_limit_log()
            .into_iter()
            .filter(RateLimitEvent::is_violation)
            .collect()
    }

    /// The next `times` requests matching `route` that find their bucket open are answered 429
    /// with `retry_after` (per-route scope), and each such answer closes the request's bucket
    /// (route and top-level resource) for `retry_after`: a request to it before then is a
    /// violation. Applies with rate limits off too.
    pub fn inject_rate_limit(&self, route: RouteMatch, retry_after: Duration, times: u32) {
        self.shared
            .ratelimits
            .inject_rate_limit(route, retry_after, times);
    }

    /// The next request bound by the global limit is answered with a global 429, and every such
    /// request before `retry_after` has passed is refused too, as a violation.
    pub fn inject_global_rate_limit(&self, retry_after: Duration) {
        self.shared.ratelimits.inject_global_rate_limit(retry_after);
    }

    /// Every request matching `route` in the next `lasting` is answered `status` (a 5xx) with
    /// Discord's JSON error shape, without reaching the route or counting in any bucket.
    pub fn inject_server_error(&self, route: RouteMatch, status: u16, lasting: Duration) {
        self.shared
            .ratelimits
            .inject_server_error(route, status, lasting);
    }

    /// Removes every injected fault not yet used up (announced 429 windows stay in force).
    pub fn clear_faults(&self) {
        self.shared.ratelimits.clear_faults();
    }

    /// Every REST call the sandbox refused with Discord's 403 (a permission the bot lacks, a
    /// channel it cannot see, a role above its own), each as `METHOD /path: code message`.
    pub fn refusals(&self) -> Vec<String> {
        self.shared
            .state()
            .rest_log
            .iter()
            .filter(|c| c.status == 403 && !c.injected)
            .map(|c| {
                let body = c.response.clone().unwrap_or_default();
                format!(
                    "{} {}: {} {}",
                    c.method,
                    c.path,
                    body["code"],
                    body["message"].as_str().unwrap_or_default()
                )
            })
            .collect()
    }

    /// Problems the description found in the sandbox's own answers (with
    /// [`SandboxOptions::check_responses`]).
    pub fn response_problems(&self) -> Vec<String> {
        self.shared
            .state()
            .rest_log
            .iter()
            .flat_map(|c| c.response_problems.iter().cloned())
            .collect()
    }

    /// Checks a Discord object against a schema of the description's `components/schemas`
    /// (e.g. `MessageResponse`); `None` when no description is loaded.
    pub fn check_schema(&self, schema: &str, value: &Value) -> Option<Vec<String>> {
        let api = self.shared.openapi.as_ref()?;
        Some(
            api.check_component(schema, value)
                .iter()
                .map(ToString::to_string)
                .collect(),
        )
    }

    // -----------------------------------------------------------------------------------------
    // Internals

    /// Waits until `check` finds something in the state: re-checked after every change, never
    /// on a timer.
    async fn wait_for<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut check: impl FnMut(&State) -> Option<T>,
    ) -> anyhow::Result<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changes = self.shared.changed.subscribe();
        loop {
            changes.borrow_and_update();
            if let Some(found) = check(&self.shared.state()) {
                return Ok(found);
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => bail!("the sandbox stopped while waiting for {what}"),
                Err(_) => bail!(
                    "timed out after {timeout:?} waiting for {what}\n{}",
                    self.diagnostics()
                ),
            }
        }
    }

    /// A summary for timeout messages: the connection, recent REST calls, lost dispatches.
    fn diagnostics(&self) -> String {
        let state = self.shared.state();
        let stats = state.gateway.stats;
        let mut out = format!(
            "sandbox: bot connected: {}, identifies: {}, resumes: {}\nlast REST calls:",
            stats.connected, stats.identifies, stats.resumes
        );
        let calls = &state.rest_log;
        for call in &calls[calls.len().saturating_sub(8)..] {
            out.push_str(&format!(
                "\n  {} {} -> {}",
                call.method, call.path, call.status
            ));
            if let Some(body) = call.response.as_ref().filter(|_| call.status >= 400) {
                out.push_str(&format!(" {body}"));
            }
        }
        if calls.is_empty() {
            out.push_str(" none");
        }
        for lost in state.undelivered.iter().rev().take(5) {
            out.push_str(&format!("\nundelivered {}: {}", lost.event, lost.reason));
        }
        out
    }
}
