//! Starting the bot: check the token, the guild, its channels and roles, register the slash
//! commands, then connect to the gateway. Any failure before connecting stops the process with a
//! message saying what to fix: a bot that cannot answer must not sit deaf in the server.

use super::data::{Data, Error};
use super::messages::output::{self, brief};
use super::messages::views;
use super::permissions::Severity;
use super::server_check::{self, Finding};
use super::{commands, events, outbox};
use crate::audit::OnBroken;
use crate::clock::Clock;
use crate::config::{Config, Token, DEFAULT_API_BASE};
use crate::lock::InstanceLock;
use crate::scheduler;
use crate::store::{Store, StoreError};
use anyhow::{anyhow, bail, Context as _, Result};
use serenity::all::{
    ClientBuilder, CurrentUser, GatewayIntents, GuildId, Http, HttpBuilder, ShardManager,
};
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running bot, for `govbot run`, the sandbox and tests.
pub struct RunningBot {
    shards: Arc<ShardManager>,
    task: JoinHandle<Result<()>>,
    stop: watch::Sender<bool>,
    workers: Vec<JoinHandle<()>>,
    reconciled: watch::Receiver<u64>,
    store: Store,
    endpoint: Option<crate::observability::Endpoint>,
    /// Held until the bot is dropped: one bot per database.
    _lock: InstanceLock,
    web: Option<std::net::SocketAddr>,
}

impl RunningBot {
    /// Stops the scheduler and the outbox between two steps, disconnects cleanly and waits for
    /// the client to stop.
    pub async fn stop(self) -> Result<()> {
        self.stop.send_replace(true);
        for w in self.workers {
            if let Err(e) = w.await {
                tracing::error!("a background task failed: {e}");
            }
        }
        self.shards.shutdown_all().await;
        let result = self
            .task
            .await
            .map_err(|e| anyhow!("the bot task failed: {e}"))?;
        if let Some(endpoint) = self.endpoint {
            let _ = endpoint.task.await;
        }
        // Everything recorded is in the database file itself once this returns.
        self.store.close().await;
        result
    }

    /// Where the observability endpoint listens, when configured.
    pub fn observability_addr(&self) -> Option<std::net::SocketAddr> {
        self.endpoint.as_ref().map(|e| e.addr)
    }

    /// Waits until the client stops by itself (a fatal gateway error).
    pub async fn wait(self) -> Result<()> {
        self.task
            .await
            .map_err(|e| anyhow!("the bot task failed: {e}"))?
    }

    pub fn shard_manager(&self) -> Arc<ShardManager> {
        self.shards.clone()
    }

    /// Waits until the open votes were reconciled after the gateway connected (see
    /// [`super::reconcile`]): the bot has caught up with what happened while it was down.
    pub async fn caught_up(&self, timeout: std::time::Duration) -> Result<()> {
        let mut r = self.reconciled.clone();
        tokio::time::timeout(timeout, r.wait_for(|n| *n > 0))
            .await
            .map_err(|_| anyhow!("the open votes were not reconciled within {timeout:?}"))?
            .map_err(|_| anyhow!("the bot stopped before reconciling the open votes"))?;
        Ok(())
    }

    /// Where the public record is served, when `[web]` is configured.
    pub fn web_addr(&self) -> Option<std::net::SocketAddr> {
        self.web
    }
}

pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILDS
        | GatewayIntents::GUILD_MESSAGES
        | GatewayIntents::MESSAGE_CONTENT
        | GatewayIntents::GUILD_MESSAGE_REACTIONS
        | GatewayIntents::GUILD_MEMBERS
}

/// How long a REST call to Discord may take before it fails: a server that accepts connections
/// but never answers must not leave `govbot run` waiting forever at start-up.
/// The host of Discord's own URLs, which serenity's routes use: what [`DiscordTransport::Resolved`]
/// resolves (the Discord stand-in's TLS certificate is for the same name).
const DISCORD_HOST: &str = "discord.com";

const REST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How the bot reaches Discord's REST API: a choice for code that embeds the bot (the sandbox
/// harness), never a configuration key, so a deployment cannot be talked into trusting another
/// certificate.
#[derive(Clone, Debug, Default)]
pub enum DiscordTransport {
    /// What the configuration says: Discord itself with serenity's rate limiter, or a custom
    /// `discord.api_base` through serenity's proxy option, where the limiter must be off
    /// (serenity's `Ratelimiter::perform` builds its requests without the proxy and would send
    /// them to discord.com).
    #[default]
    Configured,
    /// Discord's own URLs (`https://discord.com/api/v10/...`) with `discord.com` resolved to
    /// `addr`, trusting `root_certificate` (DER) besides the usual roots: the production path,
    /// serenity's rate limiter on and no proxy, pointed at a stand-in that serves TLS for
    /// `discord.com` (the Discord stand-in's `Sandbox::tls_addr`, crates/discord-standin).
    Resolved {
        addr: std::net::SocketAddr,
        root_certificate: Vec<u8>,
    },
}

fn http_for(config: &Config, token: &Token, transport: &DiscordTransport) -> Result<Http> {
    let base = config.api_base();
    let mut client = reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REST_TIMEOUT);
    if let DiscordTransport::Resolved {
        addr,
        root_certificate,
    } = transport
    {
        let root = reqwest::Certificate::from_der(root_certificate)
            .context("the stand-in's root certificate")?;
        client = client
            .resolve(DISCORD_HOST, *addr)
            .add_root_certificate(root);
    }
    // Retries nothing (as before) and counts every answer by status class for /metrics.
    let client = client
        .retry(crate::observability::counting_retry_policy())
        .build()
        .context("building the HTTP client")?;
    // serenity's rate limiter sends with this same client (`HttpBuilder::build` clones it).
    let builder = HttpBuilder::new(token.expose()).client(client);
    Ok(match transport {
        DiscordTransport::Resolved { .. } => builder.build(),
        DiscordTransport::Configured if base == DEFAULT_API_BASE => builder.build(),
        // serenity's rate limiter ignores the proxy and would send every call to discord.com, so
        // a custom base (a local stand-in) runs without it.
        DiscordTransport::Configured => builder.proxy(base).ratelimiter_disabled(true).build(),
    })
}

/// Checks the token by reading the bot's application and user (and tells serenity the
/// application id, which command registration needs).
async fn identify(http: &Http, config: &Config) -> Result<CurrentUser> {
    let app = http
        .get_current_application_info()
        .await
        .map_err(|e| match status(&e) {
            Some(401) => anyhow!(
                "Discord refused the bot token ({}): check DISCORD_TOKEN; it is the token of the \
                 bot user on the Bot page of your application in the developer portal",
                brief(&e)
            ),
            _ => anyhow!(
                "cannot reach Discord's API at {} ({}); check the network and discord.api_base",
                config.api_base(),
                brief(&e)
            ),
        })?;
    http.set_application_id(app.id);
    http.get_current_user()
        .await
        .map_err(|e| anyhow!("cannot read the bot's own user ({})", brief(&e)))
}

/// The setup check against the live server, over REST only (no gateway session): what
/// `govbot check-config --online` prints.
pub async fn check_online(
    config: &Config,
    token: &Token,
    transport: &DiscordTransport,
) -> Result<Vec<Finding>> {
    let http = http_for(config, token, transport)?;
    let me = identify(&http, config).await?;
    server_check::run(&http, config, me.id.get()).await
}

/// The application id behind the token, for `govbot invite-url`.
pub async fn application_id(config: &Config, token: &Token) -> Result<u64> {
    let http = http_for(config, token, &DiscordTransport::Configured)?;
    identify(&http, config).await?;
    Ok(http
        .application_id()
        .ok_or_else(|| anyhow!("Discord did not say the bot's application id"))?
        .get())
}

/// Opens the database, verifies the audit log (refusing a broken one), checks everything,
/// registers commands and connects.
pub async fn start(
    config: Config,
    token: Token,
    clock: Arc<dyn Clock>,
    transport: DiscordTransport,
) -> Result<RunningBot> {
    start_checked(config, token, clock, transport, OnBroken::Refuse).await
}

/// [`start`], saying what to do if the audit log does not verify.
pub async fn start_checked(
    config: Config,
    token: Token,
    clock: Arc<dyn Clock>,
    transport: DiscordTransport,
    on_broken: OnBroken,
) -> Result<RunningBot> {
    let lock = InstanceLock::acquire(config.database_path(), "govbot run")?;
    let (store, migrated) = Store::open_migrated(config.database_path())
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                config.database_path().display()
            )
        })?;
    if migrated.applied > 0 {
        tracing::info!(
            applied = migrated.applied,
            backup = migrated.backup.as_ref().map(|p| p.display().to_string()),
            "the database was migrated"
        );
    }
    crate::audit::check_at_startup(&store, on_broken).await?;
    // The public record binds its address before anything connects, so a port in use stops
    // start-up with a message instead of leaving a bot without its site.
    let web = match &config.web {
        Some(w) => {
            let listener = crate::web::server::bind(w.listen).await?;
            let site = crate::web::Site::new(
                Store::open_read_only(config.database_path()).await?,
                crate::web::Settings::from_config(&config),
                clock.clone(),
            );
            Some((listener, site))
        }
        None => None,
    };
    let http = http_for(&config, &token, &transport)?;
    let me = identify(&http, &config).await?;
    let findings = server_check::run(&http, &config, me.id.get()).await?;
    for f in findings.iter().filter(|f| f.severity == Severity::Degrades) {
        tracing::warn!("{f}");
    }
    if server_check::breaks(&findings) {
        bail!(
            "the server is not set up for govbot; fix these, then check again with \
             `govbot check-config --online`:\n{}",
            findings
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    let cmds = commands::all();
    let guild = GuildId::new(config.guild_id);
    guild
        .set_commands(&http, poise::builtins::create_application_commands(&cmds))
        .await
        .map_err(|e| {
            anyhow!(
                "registering the slash commands in guild {} failed ({}); the bot needs the \
                 applications.commands scope: invite it again with that scope",
                config.guild_id,
                brief(&e)
            )
        })?;
    let registered = cmds.len();
    tracing::debug!(
        guild = config.guild_id,
        registered,
        "slash commands registered"
    );
    let guild_name = match http.get_guild(guild).await {
        Ok(g) => format!("{} ({})", g.name, config.guild_id),
        Err(_) => format!("guild {}", config.guild_id),
    };

    let config = Arc::new(config);
    let startup = Arc::new(super::data::Startup {
        bot_name: me.name.clone(),
        guild: guild_name,
        commands_registered: registered,
    });
    let paces = Arc::new(super::pace::Paces::default());
    let data = Data::new(store.clone(), config.clone(), clock.clone(), me.id.get())
        .with_startup(startup.clone())
        .with_paces(paces.clone());
    let reconciled = data.reconciled.subscribe();
    let worker_data = || {
        Data::new(store.clone(), config.clone(), clock.clone(), me.id.get())
            .with_startup(startup.clone())
            .with_paces(paces.clone())
    };
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: cmds,
            event_handler: |fw, event| {
                Box::pin(events::handle(fw.serenity_context, event, fw.user_data))
            },
            on_error: |error| Box::pin(on_error(error)),
            pre_command: |ctx| {
                Box::pin(async move {
                    crate::counters::command(&ctx.command().qualified_name);
                })
            },
            // After the command answered: remembering a name is a write, and nothing may wait
            // on the database before the answer.
            post_command: |ctx| Box::pin(async move { ctx.data().remember(ctx.author()).await }),
            ..Default::default()
        })
        .initialize_owners(false)
        .setup(move |_ctx, _ready, _framework| Box::pin(async move { Ok(data) }))
        .build();
    let mut client = ClientBuilder::new_with_http(http, intents())
        .framework(framework)
        .await
        .context("building the Discord client")?;
    let shards = client.shard_manager.clone();
    let (stop, stopped) = watch::channel(false);
    let endpoint = match &config.observability {
        Some(o) => Some(
            crate::observability::serve(
                o.listen,
                crate::observability::Probe {
                    store: store.clone(),
                    shards: shards.clone(),
                    clock: clock.clone(),
                },
                stopped.clone(),
            )
            .await?,
        ),
        None => None,
    };
    let http = client.http.clone();
    // Reactions changed while govbot was down are read once the gateway is up (its first READY,
    // see `reconcile`), so live events are not held back behind them.
    let mut workers = vec![
        tokio::spawn(scheduler::run(
            store.clone(),
            clock.clone(),
            config.policy.clone(),
            config.audit.post_head_every,
            stopped.clone(),
        )),
        tokio::spawn(outbox::tally::run(
            http.clone(),
            worker_data(),
            stopped.clone(),
        )),
        tokio::spawn(outbox::run(http, worker_data(), stopped.clone())),
    ];
    let web_addr = match web {
        Some((listener, site)) => {
            let addr = listener.local_addr().ok();
            workers.push(tokio::spawn(crate::web::server::serve(
                listener,
                site,
                stopped.clone(),
            )));
            addr
        }
        None => None,
    };
    if let Some(settings) = config.github.clone() {
        let client =
            crate::github::GitHubClient::new(&settings.api_base, crate::github::github_token())
                .context("setting up the GitHub client (github.api_base)")?;
        let coverage = crate::github::sync::Coverage::of(
            crate::github::sync::tracked_items(&store).await?,
            client.has_token(),
            settings.sync_interval.to_chrono(),
        );
        if coverage.is_complete() {
            tracing::info!(
                authenticated = client.has_token(),
                "GitHub sync every {}: {coverage}",
                settings.sync_interval
            );
        } else {
            tracing::warn!(
                authenticated = client.has_token(),
                "GitHub sync every {}: {coverage}",
                settings.sync_interval
            );
        }
        workers.push(tokio::spawn(crate::github::sync::run(
            store.clone(),
            client,
            settings,
            config.policy.clone(),
            clock.clone(),
            stopped,
        )));
    }
    let task = tokio::spawn(async move {
        client.start().await.map_err(|e| {
            anyhow!(
                "the gateway connection ended: {} (an invalid token or intents not enabled: turn on \
                 the Message Content and Server Members intents on the Bot page)",
                brief(&e)
            )
        })
    });
    Ok(RunningBot {
        shards,
        task,
        stop,
        workers,
        reconciled,
        store,
        endpoint,
        _lock: lock,
        web: web_addr,
    })
}

/// Runs until SIGINT or SIGTERM, then disconnects cleanly. The signal handlers are installed
/// before anything else, so a signal during start-up is a clean stop too, never a kill.
pub async fn run(
    config: Config,
    token: Token,
    clock: Arc<dyn Clock>,
    on_broken: OnBroken,
) -> Result<()> {
    let mut shutdown = Shutdown::install()?;
    let start = start_checked(
        config,
        token,
        clock,
        DiscordTransport::Configured,
        on_broken,
    );
    let mut bot = tokio::select! {
        bot = start => bot?,
        _ = shutdown.recv() => {
            tracing::info!("shutting down before the bot was connected");
            return Ok(());
        }
    };
    tokio::select! {
        result = &mut bot.task => {
            // The client stopped by itself: the database is still closed cleanly.
            bot.store.close().await;
            return result.map_err(|e| anyhow!("{e}"))?;
        }
        _ = shutdown.recv() => tracing::info!("shutting down"),
    }
    bot.stop().await
}

/// SIGINT and SIGTERM, listened to from the moment this is made.
pub(crate) struct Shutdown {
    #[cfg(unix)]
    signals: (tokio::signal::unix::Signal, tokio::signal::unix::Signal),
}

impl Shutdown {
    pub(crate) fn install() -> Result<Shutdown> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let interrupt =
                signal(SignalKind::interrupt()).context("installing a SIGINT handler")?;
            let terminate =
                signal(SignalKind::terminate()).context("installing a SIGTERM handler")?;
            Ok(Shutdown {
                signals: (interrupt, terminate),
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Shutdown {})
        }
    }

    pub(crate) async fn recv(&mut self) {
        #[cfg(unix)]
        {
            let (interrupt, terminate) = &mut self.signals;
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn status(e: &serenity::Error) -> Option<u16> {
    match e {
        serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(r)) => {
            Some(r.status_code.as_u16())
        }
        _ => None,
    }
}

/// One place turns errors into answers: what a person caused is told to them privately; anything
/// else is logged and they get an apology that says nothing was changed.
async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            let message = match error.downcast_ref::<StoreError>() {
                Some(e) if e.is_user_facing() => e.user_message(),
                Some(e) => {
                    crate::counters::command_error(&ctx.command().qualified_name);
                    tracing::error!("command /{} failed: {e:#}", ctx.command().qualified_name);
                    e.user_message()
                }
                None => {
                    crate::counters::command_error(&ctx.command().qualified_name);
                    tracing::error!(
                        "command /{} failed: {error:#}",
                        ctx.command().qualified_name
                    );
                    StoreError::Corrupt(String::new()).user_message()
                }
            };
            // The command was acknowledged before it failed: the error replaces that answer.
            if let Ok(r) = views::error(&message, None) {
                if let Err(e) = ctx.send(output::poise_reply(&r)).await {
                    tracing::warn!("could not tell the user about an error: {e}");
                }
            }
        }
        poise::FrameworkError::CommandCheckFailed { .. } => {}
        poise::FrameworkError::EventHandler { error, event, .. } => {
            tracing::error!("handling {} failed: {error:#}", event.snake_case_name());
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!("error while handling an error: {e}");
            }
        }
    }
}

#[cfg(all(test, feature = "sandbox"))]
mod tests {
    #[test]
    fn the_resolved_host_is_the_one_the_stand_in_serves_tls_for() {
        assert_eq!(super::DISCORD_HOST, discord_standin::DISCORD_HOST);
    }
}
