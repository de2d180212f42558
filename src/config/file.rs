//! The file's tables and keys, read into a [`Config`] with every problem on the way.
//!
//! `config.example.toml` documents each key; this is the same list as code. Values that are
//! wrong on their own are refused where they are read; rules between values (ids that must be
//! apart, reminders shorter than their window) once everything is read.

use super::ids::{self, Named, Names};
use super::reader::{string, Reader, Section, Spanned};
use super::report::{hint, ConfigProblem, Location};
use super::urls;
use super::{
    Audit, Channels, Config, GitHub, Logging, Observability, Roles, VoteReactions, Web,
    DEFAULT_API_BASE,
};
use crate::governance::{
    Approval, BallotVisibility, HumanDuration, Policy, Sponsorship, Threshold,
};
use std::path::{Path, PathBuf};
use toml_edit::Value;

/// The configuration in `text` (the file at `origin`, which anchors a relative database path)
/// when it has no errors, and every problem found, warnings included.
pub(super) fn read(text: &str, origin: &Path) -> (Option<Config>, Vec<ConfigProblem>) {
    let doc = match toml_edit::ImDocument::parse(text) {
        Ok(doc) => doc,
        Err(e) => return (None, vec![syntax(text, &e)]),
    };
    let mut r = Reader::new(text);
    let root = r.root(doc.as_table());
    r.only(
        &root,
        &[
            "guild_id",
            "channels",
            "roles",
            "policy",
            "database",
            "discord",
            "github",
            "logging",
            "observability",
            "audit",
            "web",
        ],
    );
    let guild = r.required(
        &root,
        "guild_id",
        &format!("add guild_id = <id>: {}", Names::Server.copy_id()),
        ids::id(Names::Server),
    );
    let channels = read_ids(&mut r, &root, "channels", &CHANNELS);
    let roles = read_ids(&mut r, &root, "roles", &ROLES);
    if let (Some(channels), Some(roles)) = (&channels, &roles) {
        ids::check_apart(&mut r, guild.map(|g| g.value), channels, roles);
    }
    let policy = read_policy(&mut r, &root);
    let database = read_database(&mut r, &root);
    let (api_base, vote_reactions) = read_discord(&mut r, &root);
    let github = read_github(&mut r, &root);
    let audit = read_audit(&mut r, &root);
    let logging = read_logging(&mut r, &root);
    let observability = read_observability(&mut r, &root);
    let web = read_web(&mut r, &root);

    let has_errors = r
        .problems
        .iter()
        .any(|p| p.severity == super::Severity::Error);
    let config = match (guild, channels, roles) {
        (Some(guild), Some(channels), Some(roles)) if !has_errors => {
            let id = |list: &[Named], name: &str| {
                list.iter()
                    .find(|(k, _)| k.rsplit('.').next() == Some(name))
                    .map(|(_, v)| v.value)
            };
            let must = |list: &[Named], name: &str| {
                id(list, name).expect("a required id without an error was read")
            };
            let dir = origin.parent().unwrap_or(Path::new(""));
            Some(Config {
                guild_id: guild.value,
                channels: Channels {
                    creation: must(&channels, "creation"),
                    moderators: must(&channels, "moderators"),
                    announcements: must(&channels, "announcements"),
                    ig_category: must(&channels, "ig_category"),
                    wg_category: must(&channels, "wg_category"),
                    archive_category: must(&channels, "archive_category"),
                },
                roles: Roles {
                    moderator: must(&roles, "moderator"),
                    core_maintainer: must(&roles, "core_maintainer"),
                    lead_maintainer: must(&roles, "lead_maintainer"),
                    steering_group: must(&roles, "steering_group"),
                    facilitator: id(&roles, "facilitator"),
                },
                policy,
                database_path: dir.join(database),
                api_base,
                vote_reactions,
                github,
                audit,
                logging,
                observability,
                web,
                warnings: Vec::new(),
            })
        }
        _ => None,
    };
    (config, r.problems)
}

/// A file that is not TOML: one problem at the parser's position (nothing after it can be read).
fn syntax(text: &str, e: &toml_edit::TomlError) -> ConfigProblem {
    // The parser puts its expectation on a second line; one line reads better after `file:line:`.
    let message = e.message().trim().replace('\n', ": ");
    ConfigProblem {
        severity: super::Severity::Error,
        key: None,
        location: e.span().map(|s| Location::of(text, s.start)),
        message: format!("{message} (this is not valid TOML; see config.example.toml)"),
    }
}

/// `(key, what it names, required)` for each id of a table.
type IdKeys = [(&'static str, Names, bool)];

const CHANNELS: [(&str, Names, bool); 6] = [
    ("creation", Names::Channel, true),
    ("moderators", Names::Channel, true),
    ("announcements", Names::Channel, true),
    ("ig_category", Names::Category, true),
    ("wg_category", Names::Category, true),
    ("archive_category", Names::Category, true),
];

/// The facilitator role is optional: facilitators are recorded per group, and a role only
/// mirrors that on Discord.
const ROLES: [(&str, Names, bool); 5] = [
    ("moderator", Names::Role, true),
    ("core_maintainer", Names::Role, true),
    ("lead_maintainer", Names::Role, true),
    ("steering_group", Names::Role, true),
    ("facilitator", Names::Role, false),
];

/// The ids of table `name`, those that could be read; `None` when the table itself is missing.
fn read_ids(r: &mut Reader, root: &Section, name: &str, keys: &IdKeys) -> Option<Vec<Named>> {
    let listed: Vec<_> = keys.iter().filter(|k| k.2).map(|k| k.0).collect();
    let how = format!(
        "add a [{name}] table with the ids of {} (see config.example.toml)",
        listed.join(", ")
    );
    let section = r.required_table(root, name, &how)?;
    r.only(&section, &keys.iter().map(|k| k.0).collect::<Vec<_>>());
    let mut found = Vec::new();
    for &(key, names, required) in keys {
        let parse = ids::id(names);
        let value = if required {
            let how = format!("add {key} = <id>: {}", names.copy_id());
            r.required(&section, key, &how, parse)
        } else {
            r.optional(&section, key, parse)
        };
        if let Some(value) = value {
            found.push((section.key(key), value));
        }
    }
    Some(found)
}

const POLICY_KEYS: [&str; 10] = [
    "approval",
    "sponsorship",
    "vote_window",
    "threshold",
    "vote_reminders",
    "wg_inactivity",
    "wg_inactivity_reminders",
    "wg_retirement_grace",
    "ig_quiet_after",
    "ballot_visibility",
];

/// The policy, each key defaulting to [`Policy::default`]; a bad value is reported and its
/// default used, so that the rest is still checked.
fn read_policy(r: &mut Reader, root: &Section) -> Policy {
    let d = Policy::default();
    let Some(s) = r.table(root, "policy") else {
        return d;
    };
    r.only(&s, &POLICY_KEYS);
    let policy = Policy {
        approval: r
            .optional(&s, "approval", approval)
            .map_or(d.approval, |v| v.value),
        sponsorship: read_sponsorship(r, &s).unwrap_or(d.sponsorship),
        vote_window: duration(r, &s, "vote_window").unwrap_or(d.vote_window),
        threshold: read_threshold(r, &s).unwrap_or(d.threshold),
        vote_reminders: durations(r, &s, "vote_reminders").unwrap_or(d.vote_reminders),
        wg_inactivity: duration(r, &s, "wg_inactivity").unwrap_or(d.wg_inactivity),
        wg_inactivity_reminders: durations(r, &s, "wg_inactivity_reminders")
            .unwrap_or(d.wg_inactivity_reminders),
        wg_retirement_grace: duration(r, &s, "wg_retirement_grace")
            .unwrap_or(d.wg_retirement_grace),
        ig_quiet_after: duration(r, &s, "ig_quiet_after").unwrap_or(d.ig_quiet_after),
        ballot_visibility: r
            .optional(&s, "ballot_visibility", ballot_visibility)
            .map_or(d.ballot_visibility, |v| v.value),
    };
    for (key, message) in policy.problems() {
        // `threshold.quorum_percent` is under `threshold`; the others are keys of [policy].
        let (table, name) = match key.split_once('.') {
            Some((table, name)) => (r.table(&s, table), name),
            None => (None, key),
        };
        let at = match &table {
            Some(t) => r.offset_of(t, name),
            None => r.offset_of(&s, name),
        };
        let key = format!("policy.{key}");
        match at {
            Some(at) => r.error(&key, Some(at), message),
            None => r.error(
                &key,
                None,
                format!("{message}; that is the default, so set {key} explicitly"),
            ),
        }
    }
    policy
}

fn approval(value: &Value) -> Result<Approval, String> {
    match value.as_str() {
        Some("moderator-vote") => Ok(Approval::ModeratorVote),
        Some("sponsorship") => Ok(Approval::Sponsorship),
        _ => Err(format!(
            "{} is not an approval process; write \"moderator-vote\" or \"sponsorship\"",
            hint(value)
        )),
    }
}

fn ballot_visibility(value: &Value) -> Result<BallotVisibility, String> {
    match value.as_str() {
        Some("moderators") => Ok(BallotVisibility::Moderators),
        Some("public") => Ok(BallotVisibility::Public),
        _ => Err(format!(
            "{} is not a ballot visibility; write \"moderators\" (who voted what only in the \
             moderators' channel and to moderators, core and lead maintainers) or \"public\"",
            hint(value)
        )),
    }
}

fn read_sponsorship(r: &mut Reader, policy: &Section) -> Option<Sponsorship> {
    let s = r.table(policy, "sponsorship")?;
    r.only(&s, &["core_maintainers", "lead_maintainers"]);
    let how =
        |who: &str| format!("add {who} = <a number>: how many {who} sponsors approve a group");
    let core = r.required(&s, "core_maintainers", &how("core_maintainers"), count);
    let lead = r.required(&s, "lead_maintainers", &how("lead_maintainers"), count);
    Some(Sponsorship {
        core_maintainers: core?.value,
        lead_maintainers: lead?.value,
    })
}

fn count(value: &Value) -> Result<u8, String> {
    value
        .as_integer()
        .and_then(|n| u8::try_from(n).ok())
        .ok_or_else(|| format!("{} is not a whole number from 0 to 255", hint(value)))
}

fn read_threshold(r: &mut Reader, policy: &Section) -> Option<Threshold> {
    let s = r.table(policy, "threshold")?;
    r.only(&s, &["rule", "quorum_percent"]);
    let rule = r.required(
        &s,
        "rule",
        "add rule = \"majority-of-electorate\" (the spec's) or rule = \"majority-of-cast\"",
        |value| match value.as_str() {
            Some("majority-of-electorate") => Ok(false),
            Some("majority-of-cast") => Ok(true),
            _ => Err(format!(
                "{} is not a rule; write \"majority-of-electorate\" or \"majority-of-cast\"",
                hint(value)
            )),
        },
    )?;
    if !rule.value {
        if let Some(at) = r.offset_of(&s, "quorum_percent") {
            r.error(
                &s.key("quorum_percent"),
                Some(at),
                "has no effect with rule = \"majority-of-electorate\"; remove it, or set `rule` \
                 to \"majority-of-cast\" to count a quorum"
                    .to_owned(),
            );
        }
        return Some(Threshold::MajorityOfElectorate);
    }
    let quorum = r.required(
        &s,
        "quorum_percent",
        "add quorum_percent = <1 to 100>: the share of the electorate that must vote",
        |value| {
            value
                .as_integer()
                .and_then(|n| u8::try_from(n).ok())
                .ok_or_else(|| format!("{} is not a percentage from 1 to 100", hint(value)))
        },
    )?;
    Some(Threshold::MajorityOfCast {
        quorum_percent: quorum.value,
    })
}

/// A duration written for people, such as "72h"; one under a minute gets a warning.
fn duration(r: &mut Reader, s: &Section, name: &str) -> Option<HumanDuration> {
    let d = r.optional(s, name, parse_duration)?;
    warn_if_short(r, s, name, &d);
    Some(d.value)
}

fn durations(r: &mut Reader, s: &Section, name: &str) -> Option<Vec<HumanDuration>> {
    let list = r.optional(s, name, |value| {
        let Some(array) = value.as_array() else {
            return Err(format!(
                "must be a list of durations such as [\"24h\"], not {}",
                hint(value)
            ));
        };
        array
            .iter()
            .map(parse_duration)
            .collect::<Result<Vec<_>, _>>()
    })?;
    for d in &list.value {
        warn_if_short(
            r,
            s,
            name,
            &Spanned {
                value: *d,
                at: list.at,
            },
        );
    }
    Some(list.value)
}

fn parse_duration(value: &Value) -> Result<HumanDuration, String> {
    string(value)?.parse().map_err(|_| {
        format!(
            "{} is not a duration; write it like \"72h\", \"30d\" or \"1h 30m\" (whole seconds, at \
             most ten years)",
            hint(value)
        )
    })
}

/// Zero is refused by the policy's own rules; under a minute is allowed, for trying govbot out.
fn warn_if_short(r: &mut Reader, s: &Section, name: &str, d: &Spanned<HumanDuration>) {
    if (1..60).contains(&d.value.secs) {
        r.warn(
            &s.key(name),
            Some(d.at),
            format!(
                "{} is under a minute: fine for a trial, not for a community",
                d.value
            ),
        );
    }
}

/// An empty path would make SQLite open a temporary database and lose every decision on exit.
fn read_database(r: &mut Reader, root: &Section) -> PathBuf {
    let default = PathBuf::from("govbot.db");
    let Some(s) = r.table(root, "database") else {
        return default;
    };
    r.only(&s, &["path"]);
    r.optional(&s, "path", |value| match string(value)? {
        path if path.trim().is_empty() => Err("must name a file, such as \"govbot.db\"".to_owned()),
        path => Ok(PathBuf::from(path)),
    })
    .map_or(default, |p| p.value)
}

fn read_discord(r: &mut Reader, root: &Section) -> (String, VoteReactions) {
    let defaults = (DEFAULT_API_BASE.to_owned(), VoteReactions::default());
    let Some(s) = r.table(root, "discord") else {
        return defaults;
    };
    r.only(&s, &["api_base", "vote_reactions"]);
    let api_base = r
        .optional(&s, "api_base", urls::api_base(DEFAULT_API_BASE))
        .map_or(defaults.0, |v| v.value);
    let reactions = read_reactions(r, &s).unwrap_or(defaults.1);
    (api_base, reactions)
}

fn read_reactions(r: &mut Reader, discord: &Section) -> Option<VoteReactions> {
    let s = r.table(discord, "vote_reactions")?;
    let d = VoteReactions::default();
    r.only(&s, &["approve", "reject", "abstain"]);
    let mut emoji = |name, default: String| {
        r.optional(&s, name, |value| {
            let e = string(value)?;
            let chars = e.chars().count();
            if e.trim().is_empty() || chars > 8 || e.chars().any(|c| c.is_ascii()) {
                return Err(format!(
                    "{} is not an emoji; use a single Unicode emoji such as \"✅\"",
                    hint(value)
                ));
            }
            Ok(e.to_owned())
        })
        .map_or(default, |v| v.value)
    };
    let reactions = VoteReactions {
        approve: emoji("approve", d.approve),
        reject: emoji("reject", d.reject),
        abstain: emoji("abstain", d.abstain),
    };
    let all = [&reactions.approve, &reactions.reject, &reactions.abstain];
    if all[0] == all[1] || all[0] == all[2] || all[1] == all[2] {
        let at = r.offset_of(discord, "vote_reactions");
        r.error(
            &s.path,
            at,
            "the three reactions must differ, or a reaction could not say which ballot it casts"
                .to_owned(),
        );
    }
    Some(reactions)
}

/// Present means on; a missing key takes [`GitHub::default`]'s value.
fn read_github(r: &mut Reader, root: &Section) -> Option<GitHub> {
    let s = r.table(root, "github")?;
    let d = GitHub::default();
    r.only(&s, &["api_base", "sep_repository", "sync_interval"]);
    let api_base = r
        .optional(&s, "api_base", urls::api_base(super::GITHUB_API_BASE))
        .map_or(d.api_base, |v| v.value);
    let sep_repository = r
        .optional(&s, "sep_repository", |value| {
            let repo = GitHub {
                sep_repository: string(value)?.to_owned(),
                ..GitHub::default()
            };
            match repo.sep_repo() {
                Some(_) => Ok(repo.sep_repository),
                None => Err(format!(
                    "{} is not \"owner/repo\"; write it like \
                     \"modelcontextprotocol/modelcontextprotocol\"",
                    hint(value)
                )),
            }
        })
        .map_or(d.sep_repository, |v| v.value);
    let sync_interval = r
        .optional(&s, "sync_interval", |value| match parse_duration(value)? {
            d if d.secs < 60 => Err(
                "must be at least a minute, to stay within GitHub's rate limits; write it like \
                 \"1h\""
                    .to_owned(),
            ),
            d => Ok(d),
        })
        .map_or(d.sync_interval, |v| v.value);
    Some(GitHub {
        api_base,
        sep_repository,
        sync_interval,
    })
}

/// Present means on: `listen` is required, `public_url` optional. Listening beyond this machine
/// is allowed (the site is public by design) with a warning: govbot serves plain HTTP, so a
/// public site belongs behind a TLS reverse proxy, or is published as a static export.
fn read_web(r: &mut Reader, root: &Section) -> Option<Web> {
    let s = r.table(root, "web")?;
    r.only(&s, &["listen", "public_url"]);
    let listen = r.required(
        &s,
        "listen",
        "add listen = \"127.0.0.1:8080\": the address and port the public site is served on \
         (or remove [web] to serve nothing)",
        |value| {
            string(value)?
                .trim()
                .parse::<std::net::SocketAddr>()
                .map_err(|_| {
                    format!(
                        "{} is not an address and port; write it like \"127.0.0.1:8080\"",
                        hint(value)
                    )
                })
        },
    );
    if let Some(l) = &listen {
        if !l.value.ip().is_loopback() {
            r.warn(
                &s.key("listen"),
                Some(l.at),
                format!(
                    "{} is reachable from other machines over plain HTTP; put a TLS reverse proxy \
                     in front of it, or listen on 127.0.0.1 behind one",
                    l.value
                ),
            );
        }
    }
    let public_url = r
        .optional(&s, "public_url", |value| {
            let text = string(value)?.trim();
            match reqwest::Url::parse(text) {
                Ok(url)
                    if matches!(url.scheme(), "https" | "http")
                        && url.host().is_some()
                        && url.query().is_none()
                        && url.fragment().is_none()
                        && url.username().is_empty()
                        && url.password().is_none() =>
                {
                    let mut text = url.to_string();
                    if !text.ends_with('/') {
                        text.push('/');
                    }
                    Ok(text)
                }
                _ => Err(format!(
                    "{} is not the address of a site; write it like \"https://groups.example.org/\"",
                    hint(value)
                )),
            }
        })
        .map(|v| v.value);
    Some(Web {
        listen: listen?.value,
        public_url,
    })
}

/// Off unless `post_head_every` is set.
fn read_audit(r: &mut Reader, root: &Section) -> Audit {
    let Some(s) = r.table(root, "audit") else {
        return Audit::default();
    };
    r.only(&s, &["post_head_every"]);
    let post_head_every = r
        .optional(&s, "post_head_every", |value| {
            match parse_duration(value)? {
                d if d.secs < 60 => Err(
                    "must be at least a minute; the head is for people to keep, once a day is \
                 plenty: write it like \"24h\""
                        .to_owned(),
                ),
                d => Ok(d),
            }
        })
        .map(|v| v.value);
    Audit { post_head_every }
}

fn read_logging(r: &mut Reader, root: &Section) -> Logging {
    let Some(s) = r.table(root, "logging") else {
        return Logging::default();
    };
    r.only(&s, &["format"]);
    let format = r
        .optional(&s, "format", |value| match string(value)? {
            "text" => Ok(crate::logging::LogFormat::Text),
            "json" => Ok(crate::logging::LogFormat::Json),
            _ => Err(format!(
                "{} is not a log format; write \"text\" or \"json\"",
                hint(value)
            )),
        })
        .map_or_else(Default::default, |v| v.value);
    Logging { format }
}

/// Present with `listen` means on. A non-loopback address must be allowed in so many words: the
/// endpoint has no authentication.
fn read_observability(r: &mut Reader, root: &Section) -> Option<Observability> {
    let s = r.table(root, "observability")?;
    r.only(&s, &["listen", "allow_non_loopback"]);
    let allow = r
        .optional(&s, "allow_non_loopback", |value| {
            value
                .as_bool()
                .ok_or_else(|| format!("{} is not true or false", hint(value)))
        })
        .is_some_and(|v| v.value);
    let listen = r.optional(&s, "listen", |value| {
        let text = string(value)?;
        let addr: std::net::SocketAddr = text.parse().map_err(|_| {
            format!(
                "{} is not an address and port; write it like \"127.0.0.1:9464\"",
                hint(value)
            )
        })?;
        if !addr.ip().is_loopback() && !allow {
            return Err(format!(
                "{} is not a loopback address: the endpoint has no authentication, so it listens \
                 on 127.0.0.1 or [::1] unless you also set allow_non_loopback = true (and keep \
                 it behind a firewall)",
                hint(value)
            ));
        }
        Ok(addr)
    })?;
    Some(Observability {
        listen: listen.value,
    })
}
