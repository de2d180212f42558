//! The `govbot` binary as an operator runs it, against real SQLite files.

use crate::common::example;

use chrono::{Duration, TimeZone, Utc};
use example::{example, example_ids, example_with_real_ids};
use govbot::governance::*;
use govbot::store::{Store, Target};
use std::path::Path;
use std::process::{Command as Process, Output};

fn govbot(dir: &Path, args: &[&str]) -> Output {
    Process::new(env!("CARGO_BIN_EXE_govbot"))
        .args(args)
        .current_dir(dir)
        .env_remove("DISCORD_TOKEN")
        .env_remove("GOVBOT_CONFIG")
        .env_remove("GOVBOT_DATABASE")
        .env_remove("GITHUB_TOKEN")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A database with an active WG (voted in), an IG under vote and a withdrawn IG.
async fn seeded(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("govbot.db");
    let store = Store::open(&path).await.unwrap();
    let policy = Policy::default();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let alice = Actor::member(MemberId(1), []);
    let moderator = Actor::member(MemberId(100), [Role::Moderator]);
    store
        .remember_member(MemberId(1), "alice", t0)
        .await
        .unwrap();
    store
        .remember_member(MemberId(100), "mo", t0)
        .await
        .unwrap();
    let wg = TemplateDraft::new(GroupKind::Wg)
        .name("Registry | Servers")
        .facilitator(MemberId(1))
        .field(Field::UseCases, "Find servers")
        .field(Field::FirstItem, "SEP-1234")
        .validate()
        .unwrap();
    let ig = |name: &str| {
        TemplateDraft::new(GroupKind::Ig)
            .name(name)
            .facilitator(MemberId(1))
            .field(Field::SimilarGroups, "none")
            .field(Field::Differentiation, "n/a")
            .field(Field::FirstTopic, "threat models")
            .validate()
            .unwrap()
    };
    let run = |target, cmd: Command, actor: Actor, at| {
        let store = store.clone();
        let policy = policy.clone();
        async move {
            store
                .execute(target, &cmd, &Acting::new(&actor, at, &policy), None)
                .await
                .unwrap()
                .id
        }
    };
    let w = run(
        Target::New,
        Command::Propose { template: wg },
        alice.clone(),
        t0,
    )
    .await;
    run(
        Target::Group(w),
        Command::CallVote {
            electorate: [MemberId(100)].into(),
        },
        moderator.clone(),
        t0,
    )
    .await;
    run(
        Target::Group(w),
        Command::Cast {
            choice: Choice::Yes,
        },
        moderator.clone(),
        t0 + Duration::hours(1),
    )
    .await;
    run(
        Target::Group(w),
        Command::CloseVote,
        Actor::System,
        t0 + Duration::hours(72),
    )
    .await;
    run(
        Target::Group(w),
        Command::LinkChannel { channel: 555 },
        Actor::System,
        t0 + Duration::hours(72),
    )
    .await;
    let i = run(
        Target::New,
        Command::Propose {
            template: ig("Security in MCP"),
        },
        alice.clone(),
        t0,
    )
    .await;
    run(
        Target::Group(i),
        Command::CallVote {
            electorate: [MemberId(100)].into(),
        },
        moderator.clone(),
        t0,
    )
    .await;
    let gone = run(
        Target::New,
        Command::Propose {
            template: ig("Old idea"),
        },
        alice.clone(),
        t0,
    )
    .await;
    run(Target::Group(gone), Command::Withdraw, alice, t0).await;
    store.close().await;
    path
}

#[tokio::test]
async fn migrate_creates_the_database_and_reading_commands_work_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = govbot(dir.path(), &["--database", "fresh.db", "migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter(|f| {
            f.as_ref()
                .is_ok_and(|f| f.path().extension().is_some_and(|e| e == "sql"))
        })
        .count();
    assert!(
        stdout(&out).contains(&format!("{migrations} migrations applied")),
        "{}",
        stdout(&out)
    );
    let again = govbot(dir.path(), &["--database", "fresh.db", "migrate"]);
    assert!(
        stdout(&again).contains("0 migrations applied"),
        "{}",
        stdout(&again)
    );
    let list = govbot(dir.path(), &["--database", "fresh.db", "groups", "list"]);
    assert!(list.status.success());
    assert_eq!(stdout(&list), "No groups match.\n");
}

#[tokio::test]
async fn groups_list_show_and_history_read_the_store() {
    let dir = tempfile::tempdir().unwrap();
    seeded(dir.path()).await;
    let list = govbot(dir.path(), &["--database", "govbot.db", "groups", "list"]);
    assert!(list.status.success(), "{}", stderr(&list));
    let text = stdout(&list);
    assert!(text.contains("  ID  KIND STATE"), "{text}");
    assert!(text.contains("1  WG   active"), "{text}");
    assert!(text.contains("2  IG   under vote"), "{text}");
    assert!(text.contains("alice (1)"), "{text}");

    let active = govbot(
        dir.path(),
        &[
            "--database",
            "govbot.db",
            "groups",
            "list",
            "--state",
            "active",
            "--json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&active.stdout).unwrap();
    let names: Vec<_> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Registry | Servers"]);

    let show = govbot(
        dir.path(),
        &["--database", "govbot.db", "groups", "show", "1"],
    );
    let text = stdout(&show);
    assert!(
        text.contains("Working Group 'Registry | Servers' (id 1)"),
        "{text}"
    );
    assert!(text.contains("Tracked item:  SEP-1234"), "{text}");

    let history = govbot(
        dir.path(),
        &["--database", "govbot.db", "groups", "history", "1"],
    );
    let text = stdout(&history);
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines[0], "History of WG 'Registry | Servers' (id 1)");
    assert!(
        lines[1].contains("2026-11-02 09:00:00 UTC  alice (1): proposed WG"),
        "{text}"
    );
    assert!(
        lines[3].contains("mo (100) [community moderator]: voted yes"),
        "{text}"
    );
    assert!(
        lines[4].contains("govbot: closed the vote: approved"),
        "{text}"
    );

    let json = govbot(
        dir.path(),
        &[
            "--database",
            "govbot.db",
            "groups",
            "history",
            "1",
            "--json",
        ],
    );
    let events: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(events.as_array().unwrap().len(), 5);
    assert_eq!(events[0]["event"]["kind"]["type"], "proposed");
}

#[tokio::test]
async fn export_publishes_only_active_groups() {
    let dir = tempfile::tempdir().unwrap();
    seeded(dir.path()).await;
    let md = govbot(
        dir.path(),
        &["--database", "govbot.db", "export", "--format", "markdown"],
    );
    assert!(md.status.success(), "{}", stderr(&md));
    let text = stdout(&md);
    // The table has the state and an activity column: a WG's tracked items (here the template's
    // first item, tracked since the group became active).
    assert!(
        text.contains(
            "| Registry \\| Servers | active | alice | — | channel 555 | 1 tracked item (1 open, \
             0 completed); last item activity 2026-11-05 | 2026-11-05 |"
        ),
        "{text}"
    );
    assert!(text.contains("No active Interest Groups."), "{text}");
    assert!(!text.contains("Old idea"));

    let json = govbot(
        dir.path(),
        &["--database", "govbot.db", "export", "--format", "json"],
    );
    let dir_json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let groups = dir_json["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["facilitators"][0]["name"], "alice");
    assert_eq!(groups[0]["channel_id"], "555");
    assert_eq!(groups[0]["state"], "active");
    assert_eq!(groups[0]["activity"]["open_items"], 1);
    assert_eq!(groups[0]["activity"]["completed_items"], 0);
}

#[tokio::test]
async fn errors_say_what_to_do_and_exit_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    seeded(dir.path()).await;
    let unknown = govbot(
        dir.path(),
        &["--database", "govbot.db", "groups", "show", "99"],
    );
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("there is no group with id 99"),
        "{}",
        stderr(&unknown)
    );

    let bad_id = govbot(
        dir.path(),
        &["--database", "govbot.db", "groups", "show", "abc"],
    );
    assert!(!bad_id.status.success());
    assert!(
        stderr(&bad_id).contains("is not a group id"),
        "{}",
        stderr(&bad_id)
    );

    let missing = govbot(dir.path(), &["--database", "nope.db", "groups", "list"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("govbot migrate"),
        "{}",
        stderr(&missing)
    );
    assert!(!dir.path().join("nope.db").exists());

    let no_config = govbot(dir.path(), &["groups", "list"]);
    assert!(!no_config.status.success());
    assert!(
        stderr(&no_config).contains("cp config.example.toml govbot.toml"),
        "{}",
        stderr(&no_config)
    );

    let bad_state = govbot(
        dir.path(),
        &[
            "--database",
            "govbot.db",
            "groups",
            "list",
            "--state",
            "sleeping",
        ],
    );
    assert!(!bad_state.status.success());
    assert!(
        stderr(&bad_state).contains("unknown state"),
        "{}",
        stderr(&bad_state)
    );
}

#[test]
fn check_config_accepts_the_filled_in_example_and_names_the_bad_key() {
    let dir = tempfile::tempdir().unwrap();
    let text = example_with_real_ids();
    std::fs::write(dir.path().join("govbot.toml"), &text).unwrap();
    let ok = govbot(dir.path(), &["check-config"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let shown = stdout(&ok);
    assert!(
        shown.contains("Configuration govbot.toml is valid.\n"),
        "{shown}"
    );
    assert!(shown.contains("Vote window:      72h"), "{shown}");
    assert!(
        shown.contains("Vote reactions:   ✅ approve, ❌ reject, ➖ abstain"),
        "{shown}"
    );
    assert!(shown.contains("GitHub sync:      off"), "{shown}");
    assert!(
        shown.contains("DISCORD_TOKEN:    NOT set"),
        "the token comes from the environment only: {shown}"
    );

    // Turning the GitHub section on is shown, and a bad repository is refused by its key.
    let github = text.replace("# [github]", "[github]").replace(
        "# sep_repository = \"modelcontextprotocol/modelcontextprotocol\"",
        "sep_repository = \"modelcontextprotocol/modelcontextprotocol\"",
    );
    std::fs::write(dir.path().join("github.toml"), &github).unwrap();
    let on = govbot(dir.path(), &["--config", "github.toml", "check-config"]);
    assert!(on.status.success(), "{}", stderr(&on));
    assert!(
        stdout(&on).contains("GitHub sync:      every 1h from https://api.github.com"),
        "{}",
        stdout(&on)
    );
    let bad_repo = github.replace(
        "sep_repository = \"modelcontextprotocol/modelcontextprotocol\"",
        "sep_repository = \"nowhere\"",
    );
    std::fs::write(dir.path().join("bad-github.toml"), bad_repo).unwrap();
    let refused = govbot(dir.path(), &["--config", "bad-github.toml", "check-config"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("github.sep_repository"),
        "{}",
        stderr(&refused)
    );

    let broken = text.replacen("vote_window = \"72h\"", "vote_window = \"soon\"", 1);
    assert_ne!(broken, text, "the example sets vote_window = \"72h\"");
    std::fs::write(dir.path().join("bad.toml"), broken).unwrap();
    let bad = govbot(dir.path(), &["--config", "bad.toml", "check-config"]);
    assert!(!bad.status.success());
    let err = stderr(&bad);
    assert!(
        err.contains("policy.vote_window") && err.contains("\"soo\""),
        "{err}"
    );
    assert!(
        !err.contains("soon"),
        "a refused value is not shown in full: {err}"
    );
}

#[test]
fn check_config_refuses_the_example_as_shipped_naming_every_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("govbot.toml"), example()).unwrap();
    let out = govbot(dir.path(), &["check-config"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(
        err.starts_with("error: govbot.toml: 12 errors, 0 warnings\n"),
        "{err}"
    );
    for (key, _) in example_ids() {
        let line = err
            .lines()
            .find(|l| l.contains(&format!(": error: {key}: ")))
            .unwrap_or_else(|| panic!("{key} not reported:\n{err}"));
        assert!(
            line.contains("placeholder") && line.contains("Copy ID"),
            "{line}"
        );
    }
}

#[test]
fn check_config_reports_every_problem_at_once_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let text = example_with_real_ids()
        .replacen("\nannouncements = ", "\n# announcements = ", 1)
        .replacen("vote_window = \"72h\"", "vote_window = \"soon\"", 1)
        .replacen(
            "approval = \"moderator-vote\"",
            "aproval = \"moderator-vote\"",
            1,
        )
        .replacen("ig_quiet_after = \"30d\"", "ig_quiet_after = \"20s\"", 1)
        .replacen(
            "# api_base = \"https://discord.com\"",
            "api_base = \"http://discord.com\"",
            1,
        );
    std::fs::write(dir.path().join("govbot.toml"), &text).unwrap();
    let out = govbot(dir.path(), &["check-config"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "", "no summary for a file with errors");
    let err = stderr(&out);
    assert!(
        err.starts_with("error: govbot.toml: 4 errors, 1 warning\n"),
        "{err}"
    );
    for expected in [
        "error: channels.announcements: is required but missing",
        "error: policy.aproval: unknown key",
        "error: policy.vote_window: a 4-character string",
        "warning: policy.ig_quiet_after: 20s is under a minute",
        "error: discord.api_base: plain http://",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    // Each line points at its place: `file:line:column:` (the missing key at its table).
    let line = text
        .lines()
        .position(|l| l.starts_with("[channels]"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!(
            "govbot.toml:{line}:1: error: channels.announcements"
        )),
        "{err}"
    );
}

#[test]
fn check_config_shows_warnings_and_still_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let text = example_with_real_ids()
        .replacen("vote_window = \"72h\"", "vote_window = \"10m\"", 1)
        .replacen(
            "vote_reminders = [\"24h\"]",
            "vote_reminders = [\"30s\"]",
            1,
        )
        .replacen("ig_quiet_after = \"30d\"", "ig_quiet_after = \"45s\"", 1);
    std::fs::write(dir.path().join("govbot.toml"), &text).unwrap();
    let out = govbot(dir.path(), &["check-config"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = stdout(&out);
    assert!(
        shown.starts_with("Configuration govbot.toml is valid, with 2 warnings (below).\n"),
        "{shown}"
    );
    assert!(shown.contains("Vote window:      10m"), "{shown}");
    assert!(
        shown.contains("govbot.toml: 0 errors, 2 warnings\n"),
        "{shown}"
    );
    assert_eq!(
        shown
            .matches("is under a minute: fine for a trial, not for a community")
            .count(),
        2,
        "{shown}"
    );
}

#[tokio::test]
async fn check_config_says_how_much_of_the_wgs_work_githubs_budget_reads() {
    let dir = tempfile::tempdir().unwrap();
    let text = example_with_real_ids()
        .replacen("# [github]", "[github]", 1)
        .replacen("# sync_interval = \"1h\"", "sync_interval = \"1m\"", 1);
    std::fs::write(dir.path().join("govbot.toml"), &text).unwrap();
    let out = govbot(dir.path(), &["check-config"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "GitHub coverage: the budget reads up to 0 items per interval (no database yet"
        ),
        "{}",
        stdout(&out)
    );
    // One active WG tracking SEP-1234; 60 anonymous requests an hour is less than one a minute.
    seeded(dir.path()).await;
    let out = govbot(dir.path(), &["check-config"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "GitHub coverage: 1 tracked item; the budget reads up to 0 per interval, so each item \
             is read only every 2 intervals (set GITHUB_TOKEN or lengthen sync_interval): warning"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn run_needs_the_token_from_the_environment_and_never_prints_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = example_with_real_ids();
    std::fs::write(dir.path().join("example.toml"), &text).unwrap();
    let no_token = govbot(dir.path(), &["--config", "example.toml", "run"]);
    assert!(!no_token.status.success());
    assert!(
        stderr(&no_token).contains("DISCORD_TOKEN"),
        "{}",
        stderr(&no_token)
    );

    // Discord's API is unreachable here: port 9 on loopback refuses connections.
    let unreachable = text.replace("[discord]", "[discord]\napi_base = \"http://127.0.0.1:9\"");
    assert_ne!(unreachable, text, "the example has a [discord] table");
    std::fs::write(dir.path().join("govbot.toml"), unreachable).unwrap();
    let secret = "MTIz.secret-token-value.xyz";
    let with_token = Process::new(env!("CARGO_BIN_EXE_govbot"))
        .args(["run"])
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", secret)
        .output()
        .unwrap();
    assert!(!with_token.status.success());
    let all = format!("{}{}", stdout(&with_token), stderr(&with_token));
    assert!(
        all.contains("cannot reach Discord's API at http://127.0.0.1:9"),
        "{all}"
    );
    assert!(!all.contains(secret));
}

#[test]
fn sandbox_plays_the_scenario_and_prints_the_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let out = govbot(dir.path(), &["sandbox", "--keep", "demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for expected in [
        "**First Issue/PR/SEP that the WG will work on** is missing",
        "# WG proposal #1: Registry",
        "# New WG proposal #1: Registry",
        "# IG proposal #2: Auth in MCP",
        "[only carol sees this] govbot:",
        "only the proposer",
        "proposed WG 'Registry'",
        "Vote closed: WG #1 Registry approved",
        "**Result:** approved",
        "[only core-kim sees this] govbot:",
        "govbot creates the channel #wg-registry in the category Working Groups",
        "[#wg-registry] govbot:",
        "# New Working Group: Registry",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(dir.path().join("demo/govbot.db").exists());
    assert!(text.contains("The bot's database is kept in"), "{text}");

    // The scenario ends with a live group, so the directory right after it is not empty.
    let export = govbot(dir.path(), &["--database", "demo/govbot.db", "export"]);
    assert!(export.status.success(), "{}", stderr(&export));
    let directory = stdout(&export);
    assert!(directory.contains("Auth in MCP"), "{directory}");
    assert!(
        !directory.contains("No active Interest Groups"),
        "{directory}"
    );
    // Its database has every kind of event the scenario plays: reminders, a retirement.
    assert_json_ids_are_strings(dir.path(), "demo/govbot.db", 2);

    // A second run into the same directory is refused before anything is written.
    let again = govbot(dir.path(), &["sandbox", "--keep", "demo"]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already holds"),
        "{}",
        stderr(&again)
    );
}

/// `govbot outbox`: an operator lists what waits, retries it at once, or drops it with a reason
/// that the group's history keeps.
#[tokio::test]
async fn the_outbox_commands_list_retry_and_drop_what_waits() {
    let dir = tempfile::tempdir().unwrap();
    let path = seeded(dir.path()).await;
    let db = path.to_str().unwrap();
    let out = govbot(dir.path(), &["--database", db, "outbox", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Nothing waits"), "{}", stdout(&out));

    let store = Store::open(&path).await.unwrap();
    let retired = store.events_after(0, 1000).await.unwrap();
    let last = retired.last().unwrap();
    let fix = "HTTP 403 (Missing Permissions): give the bot's role Manage Channels";
    let failure = govbot::store::FailedAttempt {
        attempts: 3,
        next_at: i64::MAX / 2,
        error: "Missing Permissions",
        needs_person: Some(fix),
    };
    store
        .outbox_failed(last.id, last.group_id, &failure, true)
        .await
        .unwrap();
    store.close().await;
    let event = last.id.to_string();

    let out = govbot(dir.path(), &["--database", db, "outbox", "list"]);
    let listed = stdout(&out);
    assert!(listed.contains(&format!("event {event} ")), "{listed}");
    assert!(
        listed.contains("3 failed attempt(s)") && listed.contains(fix),
        "{listed}"
    );

    let out = govbot(dir.path(), &["--database", db, "outbox", "retry", &event]);
    assert!(out.status.success(), "{}", stderr(&out));
    let store = Store::open(&path).await.unwrap();
    assert_eq!(store.outbox_get(last.id).await.unwrap().unwrap().next_at, 0);
    store.close().await;

    let out = govbot(
        dir.path(),
        &[
            "--database",
            db,
            "outbox",
            "drop",
            &event,
            "--reason",
            "channel removed on purpose",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = govbot(dir.path(), &["--database", db, "outbox", "list"]);
    assert!(stdout(&out).contains("Nothing waits"), "{}", stdout(&out));
    let group = last.group_id.to_string();
    let out = govbot(dir.path(), &["--database", db, "groups", "history", &group]);
    let history = stdout(&out);
    assert!(
        history.contains(&format!(
            "dropped what Discord was still to show for event {event}"
        )) && history.contains("channel removed on purpose"),
        "{history}"
    );

    let out = govbot(dir.path(), &["--database", db, "outbox", "retry", &event]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not waiting"), "{}", stderr(&out));
}

/// Every argument of every subcommand says what it is for in `--help`.
#[test]
fn every_flag_and_argument_has_help() {
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if ["help", "version"].contains(&id) {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                missing.push(format!("{path} {id}"));
            }
        }
        for sub in cmd.get_subcommands() {
            let path = format!("{path} {}", sub.get_name());
            if sub.get_name() != "help" && sub.get_about().is_none() {
                missing.push(format!("{path} (the subcommand)"));
            }
            walk(sub, &path, missing);
        }
    }
    let mut missing = Vec::new();
    walk(&govbot::cli::command(), "govbot", &mut missing);
    assert!(missing.is_empty(), "no help for: {missing:#?}");
}

/// `sandbox --help` shows what the sandbox reads, not the database and configuration it never
/// opens; the other commands still offer them.
#[test]
fn sandbox_help_lists_only_what_the_sandbox_uses() {
    let dir = tempfile::tempdir().unwrap();
    let help = stdout(&govbot(dir.path(), &["sandbox", "--help"]));
    assert!(help.contains("--keep"), "{help}");
    assert!(help.contains("--log-format"), "{help}");
    for hidden in ["--database", "--config"] {
        assert!(!help.contains(hidden), "{hidden} in:\n{help}");
    }
    let groups = stdout(&govbot(dir.path(), &["groups", "list", "--help"]));
    assert!(groups.contains("--database"), "{groups}");
}

/// Keys whose numbers are counts or numbers of things other than ids; any other number in the
/// JSON output is an id written as a number, which JavaScript cannot read exactly.
const NOT_IDS: &[&str] = &[
    "version",
    "seq",
    "events",
    "value",
    "number",
    "quorum_percent",
    "messages_last_4_weeks",
    "participants_last_4_weeks",
    "meetings",
    "open_items",
    "completed_items",
];

fn numbers_outside(value: &serde_json::Value, key: &str, found: &mut Vec<String>) {
    match value {
        serde_json::Value::Number(n) if !NOT_IDS.contains(&key) => {
            found.push(format!("{key}: {n}"));
        }
        serde_json::Value::Array(items) => {
            for v in items {
                numbers_outside(v, key, found);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                // A tally and a sponsorship rule hold counts only.
                if !["tally", "sponsorship"].contains(&k.as_str()) {
                    numbers_outside(v, k, found);
                }
            }
        }
        _ => {}
    }
}

/// Runs every `--json` command against `db` (groups 1..=`groups`) and fails on an id written as a
/// number; returns how many ids it saw as strings.
fn assert_json_ids_are_strings(dir: &Path, db: &str, groups: u32) -> usize {
    let mut runs: Vec<Vec<String>> = vec![
        vec!["groups".into(), "list".into(), "--json".into()],
        vec!["audit".into(), "head".into(), "--json".into()],
        vec!["export".into(), "--format".into(), "json".into()],
    ];
    for id in 1..=groups {
        for what in ["show", "history"] {
            runs.push(vec![
                "groups".into(),
                what.into(),
                id.to_string(),
                "--json".into(),
            ]);
        }
    }
    let mut strings = 0;
    for run in runs {
        let mut args = vec!["--database", db];
        args.extend(run.iter().map(String::as_str));
        let out = govbot(dir, &args);
        assert!(out.status.success(), "{run:?}: {}", stderr(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut found = Vec::new();
        numbers_outside(&json, "", &mut found);
        assert!(found.is_empty(), "{run:?} writes ids as numbers: {found:?}");
        strings += stdout(&out).matches("\"id\": \"").count();
    }
    strings
}

#[tokio::test]
async fn json_output_writes_every_id_as_a_string() {
    let dir = tempfile::tempdir().unwrap();
    seeded(dir.path()).await;
    let ids = assert_json_ids_are_strings(dir.path(), "govbot.db", 3);
    assert!(ids > 0);
    let show = govbot(
        dir.path(),
        &["--database", "govbot.db", "groups", "show", "1", "--json"],
    );
    let json: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(json["id"], "1");
    assert_eq!(json["group"]["facilitators"], serde_json::json!(["1"]));
    assert_eq!(json["group"]["channel"], "555");
}
