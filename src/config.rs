//! The operator's configuration file: which Discord server, channels and roles govbot works with,
//! the governance [`Policy`], where the database lives and which Discord API it talks to.
//! `config.example.toml` at the repository root documents every key.
//!
//! Why it is shaped this way:
//! - **The bot token is never in the file.** It comes only from the `DISCORD_TOKEN` environment
//!   variable ([`discord_token`]). Configuration files get copied, pasted into issues, committed
//!   and backed up; a token in one is a leaked token. A key named `token` anywhere is refused with
//!   that explanation, rather than with a bare "unknown key", so a token pasted in out of habit is
//!   noticed and can be reset.
//! - **Every table refuses unknown keys.** A misspelt `vote_windw` would otherwise leave the
//!   default in force and change the rules of a vote without anyone noticing. For the same reason
//!   a key that the policy would silently ignore (`quorum_percent` with the
//!   `majority-of-electorate` rule) is refused too.
//! - **Errors point at the place**: the file, the dotted key, the line and column, and what was
//!   expected, with every policy problem at once, so a moderator fixes the file in one pass. toml
//!   0.8 reports a byte span but not the key path, so the key is recovered from the positions of
//!   the document's own keys (see `Keys`).
//! - **Discord ids are integers or strings of digits.** Discord's "Copy ID" gives digits that
//!   people paste either way; both mean the same id, and zero is never one.
//! - **Relative paths are relative to the file**, so the database sits next to the configuration
//!   that names it whichever directory the bot was started from.

use crate::governance::{HumanDuration, Policy};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::Deserialize;
use std::fmt;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Discord's own API, used unless `discord.api_base` points elsewhere (a local stand-in).
pub const DEFAULT_API_BASE: &str = "https://discord.com";

/// The environment variable that holds the bot token.
pub const TOKEN_VAR: &str = "DISCORD_TOKEN";

/// A loaded and checked configuration. Built only by [`Config::parse`] and [`Config::load`], so
/// holding one means the policy has no problems and every id is plausible.
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
}

/// Channels and categories by id: moderators rename channels, ids never change.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channels {
    #[serde(deserialize_with = "snowflake")]
    pub creation: u64,
    #[serde(deserialize_with = "snowflake")]
    pub moderators: u64,
    #[serde(deserialize_with = "snowflake")]
    pub announcements: u64,
    #[serde(deserialize_with = "snowflake")]
    pub ig_category: u64,
    #[serde(deserialize_with = "snowflake")]
    pub wg_category: u64,
    #[serde(deserialize_with = "snowflake")]
    pub archive_category: u64,
}

/// Roles by id, for the same reason as [`Channels`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    #[serde(deserialize_with = "snowflake")]
    pub moderator: u64,
    #[serde(deserialize_with = "snowflake")]
    pub core_maintainer: u64,
    #[serde(deserialize_with = "snowflake")]
    pub lead_maintainer: u64,
    #[serde(deserialize_with = "snowflake")]
    pub steering_group: u64,
    /// Optional because facilitators are recorded per group; a role only mirrors that in Discord.
    #[serde(default, deserialize_with = "optional_snowflake")]
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
    /// anchors a relative database path.
    pub fn parse(text: &str, origin: &Path) -> Result<Config, ConfigError> {
        let invalid = |problems| ConfigError::Invalid {
            path: origin.to_owned(),
            problems,
        };
        let keys = Keys::scan(text);
        // Before deserialising, which would report a token only as an unknown key.
        let tokens = keys.tokens();
        if !tokens.is_empty() {
            return Err(invalid(tokens));
        }
        let file: File = toml::from_str(text).map_err(|e| invalid(vec![keys.problem(&e)]))?;
        let mut problems = keys.ignored_policy_keys(&file.policy);
        problems.extend(file.policy.problems().into_iter().map(|(key, message)| {
            let key = format!("policy.{key}");
            match keys.find(&key) {
                Some(span) => keys.at(key, span.start, message),
                None => Problem {
                    message: format!("{message}; that is the default, so set {key} explicitly"),
                    key: Some(key),
                    location: None,
                },
            }
        }));
        let github_problems = file
            .github
            .as_ref()
            .map(GitHub::problems)
            .unwrap_or_default();
        problems.extend(
            file.discord
                .vote_reactions
                .problems()
                .into_iter()
                .chain(github_problems)
                .map(|(key, message)| Problem {
                    location: keys.find(&key).map(|span| keys.location(span.start)),
                    key: Some(key),
                    message,
                }),
        );
        if !problems.is_empty() {
            return Err(invalid(problems));
        }
        let dir = origin.parent().unwrap_or(Path::new(""));
        Ok(Config {
            guild_id: file.guild_id,
            channels: file.channels,
            roles: file.roles,
            policy: file.policy,
            database_path: dir.join(file.database.path),
            api_base: file.discord.api_base,
            vote_reactions: file.discord.vote_reactions,
            github: file.github,
        })
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
    #[error("{}", describe(path, problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
    #[error(
        "{TOKEN_VAR} {problem}: export {TOKEN_VAR}=<your bot token> before starting govbot (the token is never read from the configuration file)"
    )]
    Token { problem: &'static str },
}

/// One thing wrong in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The dotted key, e.g. `policy.vote_window`; `None` when the file is not valid TOML there.
    pub key: Option<String>,
    /// `None` when the key is missing from the file, so no place in it is to blame.
    pub location: Option<Location>,
    /// What is wrong and what was expected.
    pub message: String,
}

/// A place in a file, counted from 1 as editors show it; the column counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(Location { line, column }) = self.location {
            write!(f, "{line}:{column}:")?;
        }
        if let Some(key) = &self.key {
            write!(f, " {key}:")?;
        }
        write!(f, " {}", self.message)
    }
}

/// `file:line:column: key: message`, the form editors and terminals turn into links.
fn describe(path: &Path, problems: &[Problem]) -> String {
    let path = path.display();
    match problems {
        [one] => format!("{path}:{one}"),
        many => {
            let mut out = format!("{path} has {} problems:", many.len());
            for p in many {
                out.push_str(&format!("\n  {path}:{p}"));
            }
            out
        }
    }
}

/// The bot token. It prints as `Token(***)` so that no log line or error report can leak it; the
/// secret is read only through [`Token::expose`], which is easy to find in review.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(secret: String) -> Token {
        Token(secret)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

/// Reads the bot token from `DISCORD_TOKEN`, the only place it may come from (see the module docs).
/// Surrounding whitespace is dropped: a token read from a file often ends in a newline, and
/// Discord would answer that with a puzzling 401.
pub fn discord_token() -> Result<Token, ConfigError> {
    match std::env::var(TOKEN_VAR) {
        Ok(value) if value.trim().is_empty() => Err(ConfigError::Token {
            problem: "is empty",
        }),
        Ok(value) => Ok(Token::new(value.trim().to_owned())),
        Err(std::env::VarError::NotPresent) => Err(ConfigError::Token {
            problem: "is not set",
        }),
        Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::Token {
            problem: "is not valid UTF-8",
        }),
    }
}

/// The file as written; [`Config`] is what it means once checked and resolved.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(deserialize_with = "snowflake")]
    guild_id: u64,
    channels: Channels,
    roles: Roles,
    #[serde(default)]
    policy: Policy,
    #[serde(default)]
    database: Database,
    #[serde(default)]
    discord: Discord,
    github: Option<GitHub>,
}

/// Optional GitHub sync of WG items: present in the file means on. The token (optional for public
/// repositories, with GitHub's lower anonymous rate limit) comes only from `GITHUB_TOKEN`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GitHub {
    #[serde(deserialize_with = "api_base")]
    pub api_base: String,
    /// Where `SEP-n` lives, as "owner/repo": SEP-n is issue or PR n there.
    pub sep_repository: String,
    /// How often every tracked item is read again.
    pub sync_interval: HumanDuration,
}

impl Default for GitHub {
    fn default() -> Self {
        GitHub {
            api_base: crate::github::DEFAULT_API_BASE.to_owned(),
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

    fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.sep_repo().is_none() {
            out.push((
                "github.sep_repository".to_owned(),
                format!("{:?} is not \"owner/repo\"", self.sep_repository),
            ));
        }
        if self.sync_interval.secs < 60 {
            out.push((
                "github.sync_interval".to_owned(),
                "must be at least a minute, to stay within GitHub's rate limits".to_owned(),
            ));
        }
        out
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Database {
    #[serde(deserialize_with = "database_file")]
    path: PathBuf,
}

impl Default for Database {
    fn default() -> Self {
        Database {
            path: PathBuf::from("govbot.db"),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Discord {
    #[serde(deserialize_with = "api_base")]
    api_base: String,
    vote_reactions: VoteReactions,
}

impl Default for Discord {
    fn default() -> Self {
        Discord {
            api_base: DEFAULT_API_BASE.to_owned(),
            vote_reactions: VoteReactions::default(),
        }
    }
}

/// The reactions that cast a ballot on a vote message, equivalent to its buttons.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
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

impl VoteReactions {
    /// What is wrong with the reactions: each must be one Unicode emoji, and all different.
    fn problems(&self) -> Vec<(String, String)> {
        let all = [&self.approve, &self.reject, &self.abstain];
        let mut out = Vec::new();
        for (key, e) in ["approve", "reject", "abstain"].iter().zip(all) {
            let chars = e.chars().count();
            if e.trim().is_empty() || chars > 8 || e.chars().any(|c| c.is_ascii()) {
                out.push((
                    format!("discord.vote_reactions.{key}"),
                    format!("{e:?} is not an emoji; use a single Unicode emoji such as \"✅\""),
                ));
            }
        }
        if all[0] == all[1] || all[0] == all[2] || all[1] == all[2] {
            out.push((
                "discord.vote_reactions".to_owned(),
                "the three reactions must differ".to_owned(),
            ));
        }
        out
    }
}

/// An empty path would make SQLite open a temporary database and lose every decision on exit.
fn database_file<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
    let path = String::deserialize(d)?;
    if path.trim().is_empty() {
        return Err(de::Error::invalid_value(
            Unexpected::Str(&path),
            &"a file path such as \"govbot.db\"",
        ));
    }
    Ok(PathBuf::from(path))
}

/// Only the scheme and a host are checked: anything subtler is better reported by the first
/// request. The trailing slash goes because API routes are appended as `/api/v10/...`.
fn api_base<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let url = String::deserialize(d)?;
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match host {
        Some(host)
            if !host.is_empty() && !host.starts_with('/') && !url.contains(char::is_whitespace) =>
        {
            Ok(url.trim_end_matches('/').to_owned())
        }
        _ => Err(de::Error::invalid_value(
            Unexpected::Str(&url),
            &"an http:// or https:// URL such as \"https://discord.com\" or \"http://127.0.0.1:8080\"",
        )),
    }
}

fn snowflake<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    d.deserialize_any(SnowflakeVisitor)
}

fn optional_snowflake<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    snowflake(d).map(Some)
}

struct SnowflakeVisitor;

impl Visitor<'_> for SnowflakeVisitor {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a Discord id (the digits from Copy ID, as 111111111111111111 or \"111111111111111111\")",
        )
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        let v = u64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))?;
        self.visit_u64(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        if v == 0 {
            return Err(E::invalid_value(
                Unexpected::Unsigned(0),
                &"a Discord id, which is never 0",
            ));
        }
        Ok(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        match v.parse::<u64>() {
            Ok(n) if v.bytes().all(|b| b.is_ascii_digit()) => self.visit_u64(n),
            _ => Err(E::invalid_value(Unexpected::Str(v), &self)),
        }
    }
}

/// Every key in a document, as its dotted path and the byte span of its name. toml 0.8's errors
/// carry a span but not the key path, so these positions turn a span back into a key, and a key
/// back into a line.
struct Keys<'a> {
    text: &'a str,
    entries: Vec<(String, Range<usize>)>,
}

impl<'a> Keys<'a> {
    /// Empty when the text is not TOML (that error is reported by the real parse, without a key)
    /// or holds a date-time, whose internal representation has no key spans.
    fn scan(text: &'a str) -> Keys<'a> {
        let entries = toml::from_str::<Entries>(text)
            .map(|e| e.0)
            .unwrap_or_default();
        Keys { text, entries }
    }

    fn find(&self, key: &str) -> Option<&Range<usize>> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, s)| s)
    }

    /// `offset` moved back to a character boundary, so that no span toml reports can make
    /// slicing panic.
    fn boundary(&self, offset: usize) -> usize {
        let mut at = offset.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    fn location(&self, offset: usize) -> Location {
        let before = &self.text[..self.boundary(offset)];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Location {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }

    fn at(&self, key: String, offset: usize, message: String) -> Problem {
        Problem {
            key: Some(key),
            location: Some(self.location(offset)),
            message,
        }
    }

    fn tokens(&self) -> Vec<Problem> {
        self.entries
            .iter()
            .filter(|(key, _)| {
                let name = key.rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
                name == "token" || name.ends_with("_token")
            })
            .map(|(key, span)| {
                let (what, var) = if key.starts_with("github.") {
                    ("a GitHub token", crate::github::TOKEN_VAR)
                } else {
                    ("the bot token", TOKEN_VAR)
                };
                self.at(
                    key.clone(),
                    span.start,
                    format!(
                        "{what} does not belong in the configuration file; remove it and export \
                         {var} instead (and reset the token if this file was ever shared or \
                         committed)"
                    ),
                )
            })
            .collect()
    }

    /// Keys under `[policy]` that deserialised without error but do not show up in the policy
    /// they produced, such as `quorum_percent` next to `rule = "majority-of-electorate"`: they
    /// would look like rules in force and be nothing of the kind.
    fn ignored_policy_keys(&self, policy: &Policy) -> Vec<Problem> {
        let used = toml::Value::try_from(policy).expect("a Policy always serialises to TOML");
        let mut problems = Vec::new();
        for (key, span) in &self.entries {
            let Some(rest) = key.strip_prefix("policy.") else {
                continue;
            };
            let mut table = &used;
            for part in rest.split('.') {
                match table.get(part) {
                    Some(inner) => table = inner,
                    None => {
                        let accepted: Vec<_> = table
                            .as_table()
                            .map(|t| t.keys().map(|k| format!("`{k}`")).collect())
                            .unwrap_or_default();
                        problems.push(self.at(
                            key.clone(),
                            span.start,
                            format!(
                                "has no effect with the other values of this table; the keys \
                                 that apply are {}",
                                accepted.join(", ")
                            ),
                        ));
                        break;
                    }
                }
            }
        }
        problems
    }

    /// Names the key a toml error is about, and says in the message what a missing key is.
    fn problem(&self, error: &toml::de::Error) -> Problem {
        // toml puts a syntax error's detail on a second line; one line reads better after
        // `file:line:column:`.
        let message = error.message().trim().replace('\n', ": ");
        let Some(span) = error.span() else {
            return Problem {
                key: None,
                location: None,
                message,
            };
        };
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|m| m.strip_suffix('`'));
        match (missing, self.key_at(&span)) {
            (Some(field), Some(table)) => self.at(
                format!("{table}.{field}"),
                span.start,
                "is required but missing from this table".to_owned(),
            ),
            (Some(field), None) => Problem {
                key: Some(field.to_owned()),
                location: None,
                message: "is required but missing from the file".to_owned(),
            },
            (None, key) => Problem {
                key: key.map(str::to_owned),
                location: Some(self.location(span.start)),
                message: message.replacen("unknown field", "unknown key", 1),
            },
        }
    }

    /// The key a toml error span points at, or `None` for the document root. toml 0.8 spans a
    /// key's name, a value (an array or inline table from its `[` or `{`), a `[table]` from its
    /// header to its last line, a dotted-key table by that key, and the root from its first line
    /// of keys (or not at all when it has none).
    fn key_at(&self, span: &Range<usize>) -> Option<&str> {
        if span.is_empty() {
            return None;
        }
        if let Some((key, _)) = self.entries.iter().find(|(_, s)| s == span) {
            return Some(key);
        }
        let start = self.boundary(span.start);
        let rest = &self.text[start..];
        let last_key_in = |range: Range<usize>| {
            self.entries
                .iter()
                .filter(|(_, s)| range.contains(&s.start))
                .max_by_key(|(_, s)| s.start)
                .map(|(key, _)| key.as_str())
        };
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let starts_line = self.text[line_start..start].trim().is_empty();
        if starts_line && rest.starts_with('[') {
            let header_end = start + rest.find('\n').unwrap_or(rest.len());
            return last_key_in(start..header_end);
        }
        if self.entries.iter().any(|(_, s)| s.start == span.start) {
            return None;
        }
        last_key_in(0..span.start + 1)
    }
}

/// The keys of a TOML document, built by a visitor so that each key arrives with its span.
struct Entries(Vec<(String, Range<usize>)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EntriesVisitor)
    }
}

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Entries;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any TOML value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Entries, E> {
        Ok(Entries(Vec::new()))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Entries, E> {
        Ok(Entries(Vec::new()))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Entries, E> {
        Ok(Entries(Vec::new()))
    }

    fn visit_str<E>(self, _: &str) -> Result<Entries, E> {
        Ok(Entries(Vec::new()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entries, A::Error> {
        let mut all = Vec::new();
        while let Some(Entries(inner)) = seq.next_element()? {
            all.extend(inner);
        }
        Ok(Entries(all))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
        let mut all = Vec::new();
        while let Some((key, Entries(inner))) = map.next_entry::<toml::Spanned<String>, _>()? {
            let span = key.span();
            let key = key.into_inner();
            let children = inner
                .into_iter()
                .map(|(path, span)| (format!("{key}.{path}"), span));
            all.push((key.clone(), span));
            all.extend(children);
        }
        Ok(Entries(all))
    }
}
