//! The real bot and the sandbox in one process, sharing a manual governance clock: what the
//! end-to-end tests, `govbot sandbox` and the benchmarks drive.

use crate::clock::ManualClock;
use crate::config::{Config, Token};
use crate::discord::{self, DiscordTransport, RunningBot};
use crate::standard_world::StandardWorld as _;
use crate::store::Store;
use anyhow::{Context as _, Result};
use chrono::TimeZone;
use discord_standin::{RateLimitOptions, Sandbox, SandboxOptions, World};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How long any single wait for the bot may take before a test or the demo gives up.
pub const WAIT: Duration = Duration::from_secs(15);

/// The sandbox's rate-limit windows in the harness: Discord's figures times this (a 4-second
/// bucket resets after 200 ms), so the limits bite in every test without slowing it much.
pub const RATE_LIMIT_SCALE: f64 = 0.05;

/// The token the sandbox accepts; it is not a real Discord token.
pub const SANDBOX_TOKEN: &str = "sandbox.bot.token";

pub struct Harness {
    pub sandbox: Sandbox,
    pub clock: ManualClock,
    pub config: Config,
    bot: Option<RunningBot>,
}

impl Harness {
    /// Starts the sandbox with the standard world and the bot against it, with its database at
    /// `database`; the governance clock starts at 2026-11-02 09:00 UTC. The sandbox enforces
    /// Discord's rate limits with windows scaled by [`RATE_LIMIT_SCALE`].
    pub async fn start(database: &Path) -> Result<Harness> {
        Self::start_with(database, World::standard(), Self::options()).await
    }

    /// The sandbox options [`Harness::start`] uses.
    pub fn options() -> SandboxOptions {
        SandboxOptions {
            rate_limits: RateLimitOptions::scaled(RATE_LIMIT_SCALE),
            ..SandboxOptions::default()
        }
    }

    pub async fn start_with(
        database: &Path,
        world: World,
        options: SandboxOptions,
    ) -> Result<Harness> {
        let sandbox = Sandbox::start(world, options).await?;
        // Discord's own API base, as in production: the transport resolves discord.com to the
        // sandbox's TLS endpoint (see `transport`).
        let toml = sandbox
            .world()
            .config_toml(database, crate::config::DEFAULT_API_BASE);
        let config = Config::parse(&toml, Path::new("sandbox.toml"))?;
        let clock = ManualClock::new(chrono::Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap());
        let mut h = Harness {
            sandbox,
            clock,
            config,
            bot: None,
        };
        h.start_bot().await?;
        Ok(h)
    }

    /// Starts (or starts again) the bot, and waits until the sandbox has identified it.
    pub async fn start_bot(&mut self) -> Result<()> {
        let before = self.sandbox.identify_count();
        let bot = discord::start(
            self.config.clone(),
            Token::new(SANDBOX_TOKEN.to_string()),
            Arc::new(self.clock.clone()),
            self.transport(),
        )
        .await?;
        self.bot = Some(bot);
        self.sandbox
            .wait_gateway(|g| g.identifies > before && g.connected, WAIT)
            .await?;
        Ok(())
    }

    /// How the bot reaches the sandbox: through `https://discord.com` resolved to the sandbox's
    /// TLS endpoint, with serenity's rate limiter on and no proxy, exactly as in production; the
    /// sandbox enforces Discord's rate limits and the limiter has to honour them.
    pub fn transport(&self) -> DiscordTransport {
        DiscordTransport::Resolved {
            addr: self.sandbox.tls_addr(),
            root_certificate: self.sandbox.tls_root_certificate().to_vec(),
        }
    }

    /// Stops the bot cleanly, keeping the sandbox and the database.
    pub async fn stop_bot(&mut self) -> Result<()> {
        if let Some(bot) = self.bot.take() {
            bot.stop().await?;
        }
        Ok(())
    }

    /// Waits until the running bot has reconciled the open votes after connecting (its start-up
    /// catch-up, see `discord::reconcile`).
    pub async fn caught_up(&self) -> Result<()> {
        self.caught_up_within(WAIT).await
    }

    /// [`Harness::caught_up`], waiting at most `timeout`.
    pub async fn caught_up_within(&self, timeout: Duration) -> Result<()> {
        match &self.bot {
            Some(bot) => bot.caught_up(timeout).await,
            None => anyhow::bail!("no bot is running"),
        }
    }

    pub async fn restart_bot(&mut self) -> Result<()> {
        self.stop_bot().await?;
        self.start_bot().await
    }

    /// Where the running bot serves `/healthz`, `/readyz` and `/metrics`, when its configuration
    /// has `[observability]`.
    pub fn observability_addr(&self) -> Option<std::net::SocketAddr> {
        self.bot.as_ref().and_then(RunningBot::observability_addr)
    }

    /// A second handle on the bot's database, for checking what it recorded.
    pub async fn store(&self) -> Result<Store> {
        Store::open(self.config.database_path())
            .await
            .context("opening the bot's database")
    }

    pub fn database(&self) -> PathBuf {
        self.config.database_path().to_path_buf()
    }

    /// Where the bot serves the public record, when `config.web` was set before it started.
    pub fn web_addr(&self) -> Option<std::net::SocketAddr> {
        self.bot.as_ref().and_then(RunningBot::web_addr)
    }

    pub fn user(&self, name: &str) -> u64 {
        self.sandbox.world().user_id(name)
    }

    pub fn channel(&self, name: &str) -> u64 {
        self.sandbox.world().channel_id(name)
    }

    /// Stops the bot, then fails if it ever sent a request before a `retry_after` the sandbox
    /// had announced had passed.
    pub async fn shutdown(mut self) -> Result<()> {
        self.stop_bot().await?;
        let early = self.sandbox.rate_limit_violations();
        if !early.is_empty() {
            let list: Vec<String> = early
                .iter()
                .map(|e| {
                    format!(
                        "{} {} ({:?} early)",
                        e.method,
                        e.path,
                        e.early.unwrap_or_default()
                    )
                })
                .collect();
            anyhow::bail!(
                "the bot sent {} request(s) before retry_after had passed:\n  {}",
                early.len(),
                list.join("\n  ")
            );
        }
        Ok(())
    }
}
