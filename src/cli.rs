//! The operator's shell: `govbot run`, `migrate`, `check-config`, read-only inspection of groups
//! and their histories, and the directory export. Each command translates arguments, calls the
//! store or the core, and prints; none of them decides anything.

use crate::audit::OnBroken;
use crate::clock::SystemClock;
use crate::config::{self, Config};
use crate::export::Directory;
use crate::governance::{
    Acting, Actor, Approval, BallotVisibility, Command, GroupKind, GroupState, Policy, Threshold,
};
use crate::lock::InstanceLock;
pub use crate::logging::LogFormat;
use crate::report;
use crate::store::{backup, GroupFilter, GroupId, Store, Target};
use anyhow::{bail, Context as _, Result};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(
    name = "govbot",
    version = crate::VERSION,
    about = "Lifecycle governance of Interest Groups and Working Groups on Discord"
)]
pub struct Cli {
    /// The configuration file (see config.example.toml).
    #[arg(
        long,
        short,
        global = true,
        env = "GOVBOT_CONFIG",
        default_value = "govbot.toml"
    )]
    pub config: PathBuf,
    /// The SQLite database; overrides `database.path` from the configuration.
    #[arg(long, visible_alias = "db", global = true, env = "GOVBOT_DATABASE")]
    pub database: Option<PathBuf>,
    /// How log lines are written to standard error: `text` for people, `json` (one object a line)
    /// for a log collector; overrides `logging.format` from the configuration. RUST_LOG chooses
    /// which lines (default `govbot=info,warn`).
    #[arg(long, global = true, value_enum, env = "GOVBOT_LOG_FORMAT")]
    pub log_format: Option<LogFormat>,
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Connect to Discord and serve the community (needs DISCORD_TOKEN). The audit log is
    /// verified first; govbot refuses to start on one that does not verify.
    Run {
        /// Start even if the audit log does not verify (logged as a warning and recorded in the
        /// database; `govbot audit verify` shows what is wrong).
        #[arg(long)]
        accept_broken_audit: bool,
    },
    /// Play a scripted scenario against a local Discord stand-in and print the transcript
    /// (no token, no network).
    #[cfg(feature = "sandbox")]
    Sandbox {
        /// Keep the scenario's database in this directory instead of a temporary one.
        #[arg(long)]
        keep: Option<PathBuf>,
    },
    /// Create the database or bring it up to date. A database that already holds data is first
    /// copied beside itself (the name is printed); refused while a bot runs on it.
    Migrate,
    /// Write a consistent copy of the database to FILE, even while the bot runs, and check it.
    Backup {
        /// The copy to write; it must not exist yet.
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Replace the database with the copy in FILE (made by `govbot backup` or before a
    /// migration), after checking it; the database it replaces is kept beside it. Refused while a
    /// bot runs on the database: stop it first.
    Restore {
        /// The copy to put in place.
        file: PathBuf,
    },
    /// Check the configuration file and say what it sets; with --online, also check the live
    /// server (needs DISCORD_TOKEN; REST only, no gateway session).
    CheckConfig {
        /// Also check the server: the bot's permissions in every configured place, its role
        /// above the facilitator role, the privileged intents, every channel and role.
        #[arg(long)]
        online: bool,
    },
    /// Print the URL that invites the bot with exactly the permissions it needs.
    InviteUrl {
        /// The application id (developer portal, General Information); without it, it is read
        /// from Discord with DISCORD_TOKEN.
        #[arg(long)]
        application_id: Option<u64>,
    },
    /// Inspect groups (read-only).
    Groups {
        #[command(subcommand)]
        command: GroupsCmd,
    },
    /// What Discord has not been shown yet: effects waiting to be retried.
    Outbox {
        #[command(subcommand)]
        command: OutboxCmd,
    },
    /// The audit log's hash chain: verify it, or print its head (docs/audit.md).
    Audit {
        #[command(subcommand)]
        command: AuditCmd,
    },
    /// Print the directory of active groups, for a community website; with --format html, write
    /// the whole public record (every page, the feed, the JSON) as static files.
    Export {
        /// What to write: Markdown for a page, JSON for a program (ids as strings), or the whole
        /// public record as HTML.
        #[arg(long, value_enum, default_value_t = Format::Markdown)]
        format: Format,
        /// Write to this file instead of standard output (with --format html: this directory,
        /// which must be new, empty or an earlier export).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Serve the public record (the site `govbot run` serves with [web] listen) without the
    /// bot, read-only, until SIGINT or SIGTERM.
    Web {
        /// Where to listen; defaults to [web] listen from the configuration.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
}

#[derive(Debug, Subcommand)]
pub enum GroupsCmd {
    /// List groups, optionally of one kind or state.
    List {
        /// IG or WG.
        #[arg(long, value_parser = parse_kind)]
        kind: Option<GroupKind>,
        /// proposed, under_vote, active, under_reversal_vote, rejected, vetoed, withdrawn, reversed, retired.
        #[arg(long, value_parser = parse_state)]
        state: Option<GroupState>,
        /// As JSON, ids as strings.
        #[arg(long)]
        json: bool,
    },
    /// Show one group.
    Show {
        /// The group's number, as `groups list` shows it.
        #[arg(value_parser = parse_id)]
        id: GroupId,
        /// As JSON, ids as strings.
        #[arg(long)]
        json: bool,
    },
    /// Show one group's audit trail: who, when, what, why.
    History {
        /// The group's number, as `groups list` shows it.
        #[arg(value_parser = parse_id)]
        id: GroupId,
        /// As JSON, ids as strings.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxCmd {
    /// List the events whose effects wait, with their attempts, last error and what to fix.
    List,
    /// Retry an event's effects at once (a running govbot picks it up within seconds), e.g.
    /// after fixing a permission.
    Retry {
        /// The audit event whose effects to retry, as `outbox list` shows it.
        event: i64,
    },
    /// Give up an event's effects for good; recorded in the group's history with the reason.
    Drop {
        /// The audit event whose effects to give up, as `outbox list` shows it.
        event: i64,
        /// Why, for the group's history (e.g. "the channel was deleted on purpose").
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Recompute the hash chain and replay every group against its stored state. Prints "N
    /// events, head HASH, all groups match" and exits 0, or names the first divergence (event id
    /// and what differs) and exits 1.
    Verify {
        /// A head seen earlier (posted in #community-moderators or printed by `audit head`):
        /// also check that the chain still passes through it. May be repeated.
        #[arg(long = "head", value_name = "HASH", value_parser = parse_hash)]
        heads: Vec<String>,
    },
    /// Print the latest hash of the chain and how many events it holds.
    Head {
        /// As JSON (`events` a number, `last_event` an id as a string).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The directory as a Markdown page.
    Markdown,
    /// The directory as JSON, ids as strings.
    Json,
    /// The public record as a static site (needs --output DIR).
    Html,
}

fn parse_kind(s: &str) -> Result<GroupKind, String> {
    s.parse()
}
fn parse_state(s: &str) -> Result<GroupState, String> {
    s.parse()
}
fn parse_id(s: &str) -> Result<GroupId, String> {
    s.parse()
}
fn parse_hash(s: &str) -> Result<String, String> {
    let h = s.trim().trim_matches('`').to_ascii_lowercase();
    if crate::store::chain::is_hash(&h) {
        Ok(h)
    } else {
        Err(format!(
            "{s:?} is not a head: heads are 64 hexadecimal digits"
        ))
    }
}

/// The command line as `govbot` parses it: the derived [`Cli`], with the options `govbot sandbox`
/// does not read (the configuration and the database: it makes its own) hidden from its help. They
/// are global so that `govbot --database X groups list` and `govbot groups list --database X`
/// both work, which is also why clap offers them on every subcommand.
pub fn command() -> clap::Command {
    let cmd = <Cli as clap::CommandFactory>::command();
    #[cfg(feature = "sandbox")]
    let cmd = {
        // clap copies a global option into a subcommand only when the subcommand has none of that
        // id: a hidden copy keeps it accepted there but out of the help.
        let hidden: Vec<clap::Arg> = cmd
            .get_arguments()
            .filter(|a| ["config", "database"].contains(&a.get_id().as_str()))
            .map(|a| a.clone().hide(true))
            .collect();
        cmd.mut_subcommand("sandbox", |sandbox| sandbox.args(hidden))
    };
    cmd
}

impl Cli {
    /// Parses the process's arguments with [`command`]; exits with clap's message on a mistake.
    pub fn parse_args() -> Cli {
        let matches = command().get_matches();
        <Cli as clap::FromArgMatches>::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }

    /// The log format: `--log-format` (or GOVBOT_LOG_FORMAT), else the configuration's
    /// `logging.format` when the file reads, else text.
    pub fn log_format(&self) -> LogFormat {
        self.log_format
            .or_else(|| {
                self.config
                    .exists()
                    .then(|| Config::load(&self.config).ok())
                    .flatten()
                    .map(|c| c.logging.format)
            })
            .unwrap_or_default()
    }

    pub async fn run(self, out: &mut dyn Write) -> Result<()> {
        match &self.command {
            Cmd::Run {
                accept_broken_audit,
            } => {
                let cfg = Config::load(&self.config)?;
                for warning in cfg.warnings() {
                    tracing::warn!("{}:{warning}", self.config.display());
                }
                let token = config::discord_token()?;
                let on_broken = if *accept_broken_audit {
                    OnBroken::Accept
                } else {
                    OnBroken::Refuse
                };
                crate::discord::run(cfg, token, Arc::new(SystemClock), on_broken).await?;
            }
            #[cfg(feature = "sandbox")]
            Cmd::Sandbox { keep } => match keep {
                Some(dir) => {
                    if dir.exists() && !dir.is_dir() {
                        bail!("--keep {}: that is a file; name a directory", dir.display());
                    }
                    let db = dir.join("govbot.db");
                    if db.exists() {
                        bail!(
                            "--keep {}: it already holds {} from an earlier run, and the scenario \
                             starts from an empty database; name a new directory or remove it",
                            dir.display(),
                            db.display()
                        );
                    }
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                    crate::scenario::play(dir, out).await?;
                    writeln!(
                        out,
                        "\nThe bot's database is kept in {}: try `govbot --database {} groups list`.",
                        db.display(),
                        db.display()
                    )?;
                }
                None => {
                    let dir = tempfile::tempdir().context("creating a temporary directory")?;
                    crate::scenario::play(dir.path(), out).await?;
                }
            },
            Cmd::Migrate => {
                let path = self.database_path()?;
                let _lock = InstanceLock::acquire(&path, "govbot migrate")?;
                let (store, migrated) = Store::open_migrated(&path).await.with_context(|| {
                    format!("cannot migrate the database at {}", path.display())
                })?;
                store.close().await;
                if let Some(backup) = &migrated.backup {
                    writeln!(
                        out,
                        "Copied the database to {} before migrating it.",
                        backup.display()
                    )?;
                }
                let applied = migrated.applied;
                writeln!(
                    out,
                    "Database {} is up to date ({applied} migration{} applied now).",
                    path.display(),
                    if applied == 1 { "" } else { "s" }
                )?;
            }
            Cmd::Backup { output } => {
                // Any govbot database, migrated or not: a backup before an upgrade is made with
                // the new binary as well as the old.
                let path = self.database_path()?;
                if !path.exists() {
                    return Err(crate::store::StoreError::Missing(path).into());
                }
                let checked = backup::copy_database(&path, output)
                    .await
                    .with_context(|| {
                        format!("cannot back the database up to {}", output.display())
                    })?;
                writeln!(out, "Backed up {} to {checked}.", path.display())?;
                verify_copy(&checked, out).await?;
            }
            Cmd::Restore { file } => {
                let path = self.database_path()?;
                restore(&path, file, out).await?;
            }
            Cmd::CheckConfig { online } => {
                let cfg = Config::load(&self.config)?;
                write!(out, "{}", describe(&self.config, &cfg))?;
                if !cfg.warnings().is_empty() {
                    let report = config::Report::new(self.config.clone(), cfg.warnings().to_vec());
                    writeln!(out, "\n{report}")?;
                }
                if let Some(github) = &cfg.github {
                    writeln!(out, "\n{}", github_coverage(&cfg, github).await)?;
                }
                if *online {
                    check_online(&cfg, out).await?;
                }
            }
            Cmd::InviteUrl { application_id } => {
                let cfg = self.optional_config()?;
                let app = match (application_id, &cfg) {
                    (Some(id), _) => *id,
                    (None, Some(cfg)) => {
                        let token = config::discord_token().context(
                            "pass --application-id (General Information page of the \
                             application), or set DISCORD_TOKEN to read it from Discord",
                        )?;
                        crate::discord::runtime::application_id(cfg, &token).await?
                    }
                    (None, None) => bail!(
                        "pass --application-id (General Information page of the application); \
                         reading it from Discord needs a configuration at {} and DISCORD_TOKEN",
                        self.config.display()
                    ),
                };
                let names = crate::discord::permissions::invite_permission_names().join(", ");
                writeln!(
                    out,
                    "{}\n\nScopes: bot, applications.commands. Permissions: {names}.",
                    crate::discord::permissions::invite_url(app, cfg.map(|c| c.guild_id))
                )?;
            }
            Cmd::Groups { command } => {
                let store = self.store().await?;
                let result = groups(&store, command, out).await;
                store.close().await;
                result?;
            }
            Cmd::Outbox { command } => {
                let store = self.store().await?;
                let result = outbox(&store, command, out).await;
                store.close().await;
                result?;
            }
            Cmd::Export {
                format: Format::Html,
                output,
            } => {
                let Some(dir) = output else {
                    bail!("--format html writes a directory of files: add --output DIR");
                };
                let site = self.site().await?;
                let done = crate::web::export::write(&site, dir).await;
                site.store().close().await;
                let done = done?;
                writeln!(
                    out,
                    "Wrote the public record to {}: {} files, {} group pages{}.",
                    dir.display(),
                    done.files,
                    done.groups,
                    match done.removed {
                        0 => String::new(),
                        1 => "; removed 1 stale file of the previous export".to_string(),
                        n => format!("; removed {n} stale files of the previous export"),
                    }
                )?;
            }
            Cmd::Web { listen } => {
                let configured = self
                    .optional_config()?
                    .and_then(|c| c.web)
                    .map(|w| w.listen);
                let Some(addr) = listen.or(configured) else {
                    bail!(
                        "say where to serve the site: --listen 127.0.0.1:8080, or [web] listen in \
                         the configuration"
                    );
                };
                let site = self.site().await?;
                let site_store = site.store().clone();
                let listener = crate::web::server::bind(addr).await?;
                let bound = listener.local_addr()?;
                writeln!(
                    out,
                    "Serving the public record of {} on http://{bound}/ (read-only; Ctrl-C stops).",
                    self.database_path()?.display()
                )?;
                out.flush()?;
                let (stop, stopped) = tokio::sync::watch::channel(false);
                let server = tokio::spawn(crate::web::server::serve(listener, site, stopped));
                let mut shutdown = crate::discord::runtime::Shutdown::install()?;
                shutdown.recv().await;
                stop.send_replace(true);
                server.await.context("the web server task failed")?;
                site_store.close().await;
            }
            Cmd::Audit { command } => {
                let store = self.store().await?;
                audit(&store, command, out).await?;
            }
            Cmd::Export { format, output } => {
                let guild = self.optional_config()?.map(|c| c.guild_id);
                let store = self.store().await?;
                let dir = Directory::load(&store, guild, chrono::Utc::now()).await;
                store.close().await;
                let dir = dir?;
                let text = match format {
                    Format::Markdown => dir.to_markdown(),
                    Format::Json | Format::Html => {
                        let mut value = serde_json::to_value(&dir)?;
                        ids_as_strings(&mut value);
                        serde_json::to_string_pretty(&value)? + "\n"
                    }
                };
                match output {
                    Some(path) => std::fs::write(path, text)
                        .with_context(|| format!("cannot write {}", path.display()))?,
                    None => write!(out, "{text}")?,
                }
            }
        }
        Ok(())
    }

    /// `--database` when given, otherwise the configuration's `database.path`.
    fn database_path(&self) -> Result<PathBuf> {
        if let Some(p) = &self.database {
            return Ok(p.clone());
        }
        match self.optional_config()? {
            Some(cfg) => Ok(cfg.database_path().to_path_buf()),
            None => bail!(
                "no configuration at {} and no --database given; pass --database PATH, or \
                 `cp config.example.toml govbot.toml` and fill it in",
                self.config.display()
            ),
        }
    }

    /// The configuration if its file exists; a file that exists but is wrong is an error.
    fn optional_config(&self) -> Result<Option<Config>> {
        if !self.config.exists() {
            return Ok(None);
        }
        Ok(Some(Config::load(&self.config)?))
    }

    async fn store(&self) -> Result<Store> {
        Ok(Store::open_existing(&self.database_path()?).await?)
    }

    /// The public record over the database, read-only; links into the guild when a
    /// configuration names it.
    async fn site(&self) -> Result<crate::web::Site> {
        let store = Store::open_read_only(&self.database_path()?).await?;
        let settings = match self.optional_config()? {
            Some(cfg) => crate::web::Settings::from_config(&cfg),
            None => crate::web::Settings::standalone(),
        };
        Ok(crate::web::Site::new(
            store,
            settings,
            Arc::new(SystemClock),
        ))
    }
}

fn describe(path: &Path, cfg: &Config) -> String {
    let p = &cfg.policy;
    let threshold = match p.threshold {
        Threshold::MajorityOfElectorate => {
            "yes ballots more than half of the electorate".to_string()
        }
        Threshold::MajorityOfCast { quorum_percent } => {
            format!("more yes than no among ballots cast, with a {quorum_percent}% quorum")
        }
    };
    let token = if config::discord_token().is_ok() {
        "set"
    } else {
        "NOT set (export DISCORD_TOKEN before `govbot run`)"
    };
    let github = match &cfg.github {
        None => "off (add a [github] section to sync WG items)".to_string(),
        Some(g) => format!(
            "every {} from {} (SEP-n in {}); {} {}",
            g.sync_interval,
            g.api_base,
            g.sep_repository,
            crate::github::TOKEN_VAR,
            if crate::github::github_token().is_some() {
                "set"
            } else {
                "not set: anonymous, 60 requests an hour"
            }
        ),
    };
    let web = match &cfg.web {
        None => "off (add a [web] section to serve the public record)".to_string(),
        Some(w) => format!(
            "served on http://{}/{}",
            w.listen,
            w.public_url
                .as_ref()
                .map(|u| format!(", published at {u}"))
                .unwrap_or_default()
        ),
    };
    let audit = match cfg.audit.post_head_every {
        None => "not posted (add [audit] post_head_every = \"24h\" to post it daily)".to_string(),
        Some(every) => format!("verified and posted every {every} in the moderators' channel"),
    };
    format!(
        "Configuration {} is valid{}.\n\
         Guild:            {}\n\
         Database:         {}\n\
         Discord API:      {}\n\
         DISCORD_TOKEN:    {token}\n\
         Approval:         {}\n\
         Vote window:      {}\n\
         Threshold:        {threshold}\n\
         Ballots shown:    {}\n\
         WG inactivity:    {} (grace {})\n\
         Vote reactions:   {} approve, {} reject, {} abstain\n\
         GitHub sync:      {github}\n\
         Public site:      {web}\n\
         Audit head:       {audit}\n",
        path.display(),
        match cfg.warnings().len() {
            0 => String::new(),
            1 => ", with 1 warning (below)".to_owned(),
            n => format!(", with {n} warnings (below)"),
        },
        cfg.guild_id,
        cfg.database_path().display(),
        cfg.api_base(),
        match p.approval {
            Approval::ModeratorVote => "moderator-vote (moderators vote on each proposal)",
            Approval::Sponsorship => "sponsorship (core or lead maintainers sponsor proposals)",
        },
        p.vote_window,
        match p.ballot_visibility {
            BallotVisibility::Moderators => {
                "moderators (who voted what: the moderators' channel, moderators, core and lead maintainers)"
            }
            BallotVisibility::Public => "public (everyone sees who voted what)",
        },
        p.wg_inactivity,
        p.wg_retirement_grace,
        cfg.vote_reactions.approve,
        cfg.vote_reactions.reject,
        cfg.vote_reactions.abstain,
    )
}

/// How much of the WGs' tracked items GitHub's budget lets the sync read each interval, counted in
/// the database when it exists.
async fn github_coverage(cfg: &Config, github: &config::GitHub) -> String {
    let has_token = crate::github::github_token().is_some();
    let interval = github.sync_interval.to_chrono();
    let counted = match Store::open_existing(cfg.database_path()).await {
        Ok(store) => {
            let n = crate::github::sync::tracked_items(&store).await;
            store.close().await;
            n.ok()
        }
        Err(_) => None,
    };
    match counted {
        Some(items) => {
            let coverage = crate::github::sync::Coverage::of(items, has_token, interval);
            let verdict = if coverage.is_complete() {
                "every item is read every interval"
            } else {
                "warning: not every item is read every interval"
            };
            format!("GitHub coverage: {coverage}: {verdict}.")
        }
        None => format!(
            "GitHub coverage: the budget reads up to {} items per interval (no database yet to count them).",
            crate::github::sync::Coverage::of(0, has_token, interval).per_interval()
        ),
    }
}

/// The live check: every finding, then a verdict; an error when a flow would break.
async fn check_online(cfg: &Config, out: &mut dyn Write) -> Result<()> {
    let token = config::discord_token()?;
    let findings = crate::discord::runtime::check_online(cfg, &token, &Default::default()).await?;
    writeln!(out)?;
    if findings.is_empty() {
        writeln!(
            out,
            "Server check: the bot has everything it needs in guild {}.",
            cfg.guild_id
        )?;
        return Ok(());
    }
    for f in &findings {
        writeln!(out, "{f}")?;
    }
    if crate::discord::server_check::breaks(&findings) {
        bail!(
            "the server is not set up for govbot: {} problem{} above would break a flow",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" }
        );
    }
    writeln!(
        out,
        "Server check: govbot can run; the warnings above only take something away."
    )?;
    Ok(())
}

/// `govbot groups`: read-only views of groups and their histories.
async fn groups(store: &Store, command: &GroupsCmd, out: &mut dyn Write) -> Result<()> {
    let names = store.member_names().await?;
    match command {
        GroupsCmd::List { kind, state, json } => {
            let groups = store
                .list(&GroupFilter {
                    kind: *kind,
                    state: *state,
                })
                .await?;
            if *json {
                write_json(out, &groups)?;
            } else {
                write!(out, "{}", report::list(&groups, &names))?;
            }
        }
        GroupsCmd::Show { id, json } => {
            let g = store.group(*id).await?;
            let ballots = match g.group.vote.as_ref() {
                Some(v) => store.ballots(g.id, v).await?,
                None => Default::default(),
            };
            if *json {
                // The vote's ballots are kept beside the group's state: shown beside it.
                let shown = serde_json::json!({
                    "id": g.id,
                    "version": g.version,
                    "group": g.group,
                    "ballots": ballots,
                });
                write_json(out, &shown)?;
            } else {
                write!(out, "{}", report::show(&g, &ballots, &names))?;
            }
        }
        GroupsCmd::History { id, json } => {
            let g = store.group(*id).await?;
            let events = store.history(*id).await?;
            if *json {
                write_json(out, &events)?;
            } else {
                write!(out, "{}", report::history(&g, &events, &names))?;
            }
        }
    }
    Ok(())
}

/// `govbot restore FILE`: puts a checked copy in place of the database, holding the bot's lock so
/// no bot can be running on it, and keeps the database it replaces beside it.
async fn restore(database: &Path, file: &Path, out: &mut dyn Write) -> Result<()> {
    let _lock = InstanceLock::acquire(database, "govbot restore")
        .context("govbot restore refuses to replace the database of a running bot")?;
    let copy = backup::check(file)
        .await
        .with_context(|| format!("{} cannot be restored", file.display()))?;
    let latest = backup::latest_schema_version();
    if copy.schema_version > latest {
        bail!(
            "{} has schema version {}, newer than this govbot knows ({latest}): it was made by a              newer govbot; restore it with that version",
            file.display(),
            copy.schema_version
        );
    }
    if copy.schema_version == 0 {
        bail!(
            "{} is not a govbot database (it has no migrations applied)",
            file.display()
        );
    }
    // The database being replaced is kept, checked, beside it: a restore can be undone too.
    if database.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let name = database
            .file_name()
            .map_or_else(|| "govbot.db".into(), |n| n.to_string_lossy().into_owned());
        let kept = database.with_file_name(format!("{name}.before-restore-{stamp}.bak"));
        let checked = backup::copy_database(database, &kept)
            .await
            .with_context(|| {
                format!(
                    "cannot keep a copy of {} before replacing it; nothing was changed",
                    database.display()
                )
            })?;
        writeln!(out, "Kept the database being replaced as {checked}.")?;
    }
    backup::put_in_place(file, database).with_context(|| {
        format!(
            "cannot put {} in place of {}",
            file.display(),
            database.display()
        )
    })?;
    let restored = backup::check(database).await?;
    writeln!(out, "Restored {} into {restored}.", file.display())?;
    if restored.schema_version < latest {
        writeln!(
            out,
            "It has an older schema ({} < {latest}): `govbot migrate` or `govbot run` brings it \
             up to date.",
            restored.schema_version
        )?;
    }
    Ok(())
}

/// `govbot outbox`: the operator's view of, and say over, effects Discord has not shown yet.
async fn outbox(store: &Store, command: &OutboxCmd, out: &mut dyn Write) -> Result<()> {
    match command {
        OutboxCmd::List => {
            let waiting = store.outbox_pending().await?;
            if waiting.is_empty() {
                writeln!(out, "Nothing waits: Discord shows everything recorded.")?;
            }
            for p in waiting {
                let state = match (&p.needs_person, p.attempts) {
                    (Some(fix), _) => format!("needs a person: {fix}"),
                    (None, 0) => "waits behind an earlier event of its group".to_string(),
                    (None, _) => p.last_error.clone().unwrap_or_default(),
                };
                let next = chrono::DateTime::from_timestamp_millis(p.next_at)
                    .filter(|_| p.attempts > 0)
                    .map(|t| format!(", next try {}", t.format("%Y-%m-%d %H:%M:%S UTC")))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "event {} (group #{}, {}): {} failed attempt(s){next}; {state}",
                    p.event_id, p.group_id, p.kind, p.attempts
                )?;
            }
        }
        OutboxCmd::Retry { event } => {
            if !store.outbox_retry_now(*event).await? {
                bail!("event {event} is not waiting in the outbox (see `govbot outbox list`)");
            }
            writeln!(out, "Event {event} will be retried at once.")?;
        }
        OutboxCmd::Drop { event, reason } => {
            let Some(p) = store.outbox_get(*event).await? else {
                bail!("event {event} is not waiting in the outbox (see `govbot outbox list`)");
            };
            // Recorded first: a drop that is not in the history never happened.
            let policy = Policy::default();
            let gov = Acting::new(&Actor::System, chrono::Utc::now(), &policy);
            let command = Command::DropEffect {
                event: *event,
                reason: reason.clone(),
            };
            store
                .execute(Target::Group(p.group_id), &command, &gov, None)
                .await?;
            store.outbox_done(*event).await?;
            writeln!(
                out,
                "Event {event} ({}) of group #{} is dropped; the group's history records it.",
                p.kind, p.group_id
            )?;
        }
    }
    Ok(())
}

/// The schema version from which a database holds the audit log's hash chain
/// (`migrations/0008_audit_chain.sql`).
const AUDIT_CHAIN_SCHEMA: i64 = 8;

/// Verifies the audit log of a checked copy, when its schema has the chain, so that a backup is
/// known to hold a record that verifies before anyone relies on it. A copy whose log does not
/// verify is kept (it is what the database holds) but the command fails, saying so.
async fn verify_copy(checked: &backup::Checked, out: &mut dyn Write) -> Result<()> {
    if checked.schema_version < AUDIT_CHAIN_SCHEMA {
        writeln!(
            out,
            "Its schema predates the audit log's hash chain: there is no chain to verify."
        )?;
        return Ok(());
    }
    let copy = Store::open_read_only(&checked.path).await?;
    let verified = copy.verify(&[]).await;
    copy.close().await;
    let v = verified?;
    if !v.is_ok() {
        bail!(
            "the copy {} is written, but {v} (the database's own log is the same: `govbot audit \
             verify`)",
            checked.path.display()
        );
    }
    writeln!(out, "Its audit log verifies: {v}")?;
    Ok(())
}

/// `govbot audit`: the chain verified, or its head.
async fn audit(store: &Store, command: &AuditCmd, out: &mut dyn Write) -> Result<()> {
    match command {
        AuditCmd::Verify { heads } => {
            let started = std::time::Instant::now();
            let v = store.verify(heads).await?;
            let took = started.elapsed();
            let accepted = store.audit_acceptances().await?;
            if let Some(last) = accepted.last() {
                let at = chrono::DateTime::from_timestamp_millis(last.accepted_at)
                    .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M UTC").to_string());
                writeln!(
                    out,
                    "Note: govbot was started {} time{} with --accept-broken-audit, last on {at} \
                     ({} events, head {}): {}",
                    accepted.len(),
                    if accepted.len() == 1 { "" } else { "s" },
                    last.events,
                    last.head,
                    last.problem
                )?;
            }
            if !v.is_ok() {
                bail!("{v}");
            }
            writeln!(out, "{v}")?;
            if !heads.is_empty() {
                writeln!(
                    out,
                    "The chain passes through the earlier head{} given: the log was not rewritten \
                     before {}.",
                    if heads.len() == 1 { "" } else { "s" },
                    if heads.len() == 1 { "it" } else { "them" }
                )?;
            }
            writeln!(out, "Verified in {:.2} s.", took.as_secs_f64())?;
        }
        AuditCmd::Head { json } => {
            let head = store.audit_head().await?;
            if *json {
                let value = serde_json::json!({
                    "head": head.hash,
                    "events": head.events,
                    "last_event": head.last_event.to_string(),
                });
                writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
            } else {
                writeln!(
                    out,
                    "{}\n{} event{} (last event {}); not verified here: `govbot audit verify` \
                     checks it",
                    head.hash,
                    head.events,
                    if head.events == 1 { "" } else { "s" },
                    head.last_event
                )?;
            }
        }
    }
    Ok(())
}

/// Keys whose numbers are ids: group, member, channel, guild and audit event ids. Discord's ids
/// exceed what a JavaScript number holds exactly (2^53), so `--json` writes every id as a string,
/// the group's small numbers too so that a program reads all ids the same way. The stored events
/// keep numbers: their serialisation is hashed into the audit chain.
const ID_KEYS: &[&str] = &[
    "id",
    "group_id",
    "proposer",
    "by",
    "facilitators",
    "maintainers",
    "sponsors",
    "channel",
    "attendees",
    "electorate",
    "voter",
    "not_voted",
    "sponsor",
    "member",
    "event",
    "last_event",
];

/// Objects that hold only counts (a tally's `electorate` is its size, not its members).
const COUNTS: &[&str] = &["tally", "sponsorship"];

/// Writes `value` as pretty JSON with [`ids_as_strings`].
fn write_json(out: &mut dyn Write, value: &impl serde::Serialize) -> Result<()> {
    let mut value = serde_json::to_value(value)?;
    ids_as_strings(&mut value);
    writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
    Ok(())
}

/// Turns every number under an [`ID_KEYS`] key (in arrays under it too) into a string, outside
/// the [`COUNTS`] objects.
pub fn ids_as_strings(value: &mut Value) {
    fn stringify(v: &mut Value) {
        match v {
            Value::Number(n) => *v = Value::String(n.to_string()),
            Value::Array(items) => items.iter_mut().for_each(stringify),
            other => ids_as_strings(other),
        }
    }
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if COUNTS.contains(&key.as_str()) {
                    continue;
                }
                if ID_KEYS.contains(&key.as_str()) {
                    stringify(v);
                } else {
                    ids_as_strings(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(ids_as_strings),
        _ => {}
    }
}
