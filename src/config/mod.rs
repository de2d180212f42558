//! The operator's configuration file: which Discord server, channels and roles govbot works with,
//! the governance [`Policy`], where the database lives and which Discord API it talks to.
//! `config.example.toml` at the repository root documents every key.
//!
//! Why it is shaped this way:
//! - **Every problem at once.** Checking stops at nothing: every missing key, bad value, unknown
//!   key and broken rule of the file is in one [`Report`], each with its key, line and column and
//!   how to fix it, so a moderator fixes the file in one pass (`reader.rs` explains how).
//! - **The bot token is never in the file.** It comes only from the `DISCORD_TOKEN` environment
//!   variable ([`discord_token`]). Configuration files get copied, pasted into issues, committed
//!   and backed up; a token in one is a leaked token. A key named `token` anywhere is refused with
//!   that explanation, rather than with a bare "unknown key", so a token pasted in out of habit is
//!   noticed and can be reset. For the same reason a refused value is never printed in full.
//! - **Every table refuses unknown keys.** A misspelt `vote_windw` would otherwise leave the
//!   default in force and change the rules of a vote without anyone noticing. For the same reason
//!   a key that the policy would silently ignore (`quorum_percent` with the
//!   `majority-of-electorate` rule) is refused too.
//! - **Ids are checked as far as possible offline** (`ids.rs`): each must be a Discord snowflake,
//!   not a placeholder from the example, and the ids the rules need apart must be apart.
//!   Whether the server really has them is checked when `govbot run` starts.
//! - **Warnings do not stop govbot.** A duration under a minute is fine for a trial; it is
//!   reported, and the configuration is used.
//! - **Relative paths are relative to the file**, so the database sits next to the configuration
//!   that names it whichever directory the bot was started from.

mod file;
mod ids;
mod reader;
mod report;
mod urls;

pub use report::{ConfigProblem, Location, Report, Severity};

use crate::governance::{HumanDuration, Policy};
use std::io;
use std::path::{Path, PathBuf};

/// Discord's own API, used unless `discord.api_base` points elsewhere (a local stand-in).
pub const DEFAULT_API_BASE: &str = "https://discord.com";

/// The environment variable that holds the bot token.
pub const TOKEN_VAR: &str = "DISCORD_TOKEN";

/// GitHub's REST API, used unless `github.api_base` points elsewhere.
pub const GITHUB_API_BASE: &str = "https://api.github.com";

/// The environment variable that holds the GitHub token.
pub const GITHUB_TOKEN_VAR: &str = "GITHUB_TOKEN";

/// A loaded and checked configuration. Built only by [`Config::parse`] and [`Config::load`], so
/// holding one means the file had no errors (it may have had warnings: [`Config::warnings`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The one Discord server (guild) govbot governs.
    pub guild_id: u64,
    pub channels: Channels,
    pub roles: Roles,
    pub policy: Policy,
    database_path: PathBuf,
    api_base: String,
    pub vote_reactions: VoteReactions,
    /// GitHub sync of WG items, when the `[github]` section is present.
    pub github: Option<GitHub>,
    pub audit: Audit,
    pub logging: Logging,
    /// The health and metrics endpoint, when `[observability] listen` is set.
    pub observability: Option<Observability>,
    /// The public record's web server, when the `[web]` section is present (see `src/web`).
    pub web: Option<Web>,
    warnings: Vec<ConfigProblem>,
}

/// The audit log's head in `#community-moderators` (docs/audit.md).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audit {
    /// How often the head is posted; `None` (the default) posts nothing.
    pub post_head_every: Option<HumanDuration>,
}

/// Channels and categories by id: moderators rename channels, ids never change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channels {
    pub creation: u64,
    pub moderators: u64,
    pub announcements: u64,
    pub ig_category: u64,
    pub wg_category: u64,
    pub archive_category: u64,
}

/// Roles by id, for the same reason as [`Channels`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roles {
    pub moderator: u64,
    pub core_maintainer: u64,
    pub lead_maintainer: u64,
    pub steering_group: u64,
    /// Optional because facilitators are recorded per group; a role only mirrors that in Discord.
    pub facilitator: Option<u64>,
}

impl Config {
    /// Reads and checks the file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => ConfigError::NotFound {
                path: path.to_owned(),
            },
            _ => ConfigError::Unreadable {
                path: path.to_owned(),
                source,
            },
        })?;
        Config::parse(&text, path)
    }

    /// Checks `text` as the contents of the file at `origin`, which names the file in errors and
    /// anchors a relative database path. Any error refuses the whole file, with every problem
    /// found (warnings included) in the [`Report`].
    pub fn parse(text: &str, origin: &Path) -> Result<Config, ConfigError> {
        let (config, problems) = file::read(text, origin);
        let report = Report::new(origin.to_owned(), problems);
        match config {
            Some(config) if !report.has_errors() => Ok(Config {
                warnings: report.problems,
                ..config
            }),
            _ => Err(ConfigError::Invalid(report)),
        }
    }

    /// What the file sets that works but is doubtful, such as a vote window under a minute.
    pub fn warnings(&self) -> &[ConfigProblem] {
        &self.warnings
    }

    /// The SQLite database file, resolved against the configuration file's directory.
    pub fn database_path(&self) -> &Path {
        &self.database_path
    }

    /// The base URL of the Discord API, without a trailing slash.
    pub fn api_base(&self) -> &str {
        &self.api_base
    }
}

/// Why a configuration (or the token) could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "configuration file {} not found; start from the example: cp config.example.toml {} and fill in the ids",
        path.display(),
        path.display()
    )]
    NotFound { path: PathBuf },
    #[error("cannot read configuration file {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: io::Error },
    /// Every problem found, so they can all be fixed at once.
    #[error("{0}")]
    Invalid(Report),
    #[error(
        "{TOKEN_VAR} {problem}: export {TOKEN_VAR}=<your bot token> before starting govbot (the token is never read from the configuration file)"
    )]
    Token { problem: &'static str },
}

/// The bot token: a [`Secret`](crate::secret::Secret), printed as `Token(***)`.
pub use crate::secret::Secret as Token;

/// Reads the bot token from `DISCORD_TOKEN`, the only place it may come from (see the module docs).
/// Surrounding whitespace is dropped: a token read from a file often ends in a newline, and
/// Discord would answer that with a puzzling 401.
pub fn discord_token() -> Result<Token, ConfigError> {
    Token::from_env(TOKEN_VAR).map_err(|missing| ConfigError::Token {
        problem: missing.problem(),
    })
}

/// Optional GitHub sync of WG items: present in the file means on. The token (optional for public
/// repositories, with GitHub's lower anonymous rate limit) comes only from `GITHUB_TOKEN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHub {
    pub api_base: String,
    /// Where `SEP-n` lives, as "owner/repo": SEP-n is issue or PR n there.
    pub sep_repository: String,
    /// How often every tracked item is read again.
    pub sync_interval: HumanDuration,
}

impl Default for GitHub {
    fn default() -> Self {
        GitHub {
            api_base: GITHUB_API_BASE.to_owned(),
            sep_repository: "modelcontextprotocol/modelcontextprotocol".to_owned(),
            sync_interval: HumanDuration::hours(1),
        }
    }
}

impl GitHub {
    /// `(owner, repo)` of the SEP repository.
    pub fn sep_repo(&self) -> Option<(&str, &str)> {
        let name = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        self.sep_repository
            .split_once('/')
            .filter(|(o, r)| name(o) && name(r))
    }
}

/// The public record served over HTTP (`[web]`): present in the file means on. The site is
/// read-only and shows only what `docs/web.md` lists as public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Web {
    /// Where `govbot run` (and `govbot web`) listen, e.g. `127.0.0.1:8080`.
    pub listen: std::net::SocketAddr,
    /// The address readers reach the site at (behind a reverse proxy, or where the static export
    /// is published), ending in `/`: the Atom feed's links are made absolute with it.
    pub public_url: Option<String>,
}

/// `[logging]`: how log lines are written (`--log-format` overrides it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Logging {
    pub format: crate::logging::LogFormat,
}

/// `[observability]`: where `/healthz`, `/readyz` and `/metrics` are served. Loopback only unless
/// `allow_non_loopback = true`: the endpoint has no authentication, and the metrics tell anyone
/// who can reach them how active the community is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observability {
    pub listen: std::net::SocketAddr,
}

/// The reactions that cast a ballot on a vote message, equivalent to its buttons.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VoteReactions {
    pub approve: String,
    pub reject: String,
    pub abstain: String,
}

impl Default for VoteReactions {
    fn default() -> Self {
        VoteReactions {
            approve: "✅".to_owned(),
            reject: "❌".to_owned(),
            abstain: "➖".to_owned(),
        }
    }
}
