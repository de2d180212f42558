//! The configuration file as a moderator meets it: the example parses to the documented defaults,
//! and every mistake is reported with its key and line.

use govbot::config::{discord_token, Config, ConfigError, Problem, Token};
use govbot::governance::{Approval, HumanDuration, Policy, Threshold};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Every required key and nothing else, one id per line so that tests can break one.
const IDS: &str = r#"guild_id = 1

[channels]
creation = 2
moderators = 3
announcements = 4
ig_category = 5
wg_category = 6
archive_category = 7

[roles]
moderator = 8
core_maintainer = 9
lead_maintainer = 10
steering_group = 11
"#;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("conf/govbot.toml"))
}

fn problems(text: &str) -> (Vec<Problem>, String) {
    match parse(text) {
        Err(e @ ConfigError::Invalid { .. }) => {
            let shown = e.to_string();
            let ConfigError::Invalid { problems, .. } = e else {
                unreachable!()
            };
            (problems, shown)
        }
        other => panic!("expected an invalid configuration, got {other:?}\n{text}"),
    }
}

/// The line (from 1) on which `needle` first appears in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {text}"));
    text[..at].matches('\n').count() + 1
}

/// Exactly one problem, about `key`, on the line of `needle`; the message is returned for more
/// checks. The displayed error must carry the file, line, and key, since that is what people read.
fn one_problem(text: &str, key: &str, needle: &str) -> String {
    let (problems, shown) = problems(text);
    assert_eq!(problems.len(), 1, "{shown}");
    let p = &problems[0];
    assert_eq!(p.key.as_deref(), Some(key), "{shown}");
    let line = line_of(text, needle);
    assert_eq!(p.location.map(|l| l.line), Some(line), "{shown}");
    assert!(
        shown.starts_with(&format!("conf/govbot.toml:{line}:")),
        "{shown}"
    );
    assert!(shown.contains(&format!(": {key}: ")), "{shown}");
    p.message.clone()
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_example_parses_to_the_documented_defaults() {
    let path = manifest_dir().join("config.example.toml");
    let config = Config::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.policy, Policy::default());
    assert_eq!(config.policy.approval, Approval::ModeratorVote);
    assert_eq!(config.policy.vote_window, HumanDuration::hours(72));
    assert_eq!(config.policy.threshold, Threshold::MajorityOfElectorate);
    assert_eq!(config.policy.vote_reminders, [HumanDuration::hours(24)]);
    assert_eq!(config.policy.wg_inactivity, HumanDuration::days(30));
    assert_eq!(config.guild_id, 111_111_111_111_111_111);
    assert_eq!(config.channels.moderators, 333_333_333_333_333_333);
    assert_eq!(config.roles.facilitator, Some(141_414_141_414_141_414));
    assert_eq!(config.database_path(), manifest_dir().join("govbot.db"));
    assert_eq!(config.api_base(), "https://discord.com");
}

#[test]
fn the_example_states_every_policy_key_with_its_default() {
    let text = std::fs::read_to_string(manifest_dir().join("config.example.toml")).unwrap();
    let file: toml::Table = toml::from_str(&text).unwrap();
    let defaults = toml::Value::try_from(Policy::default()).unwrap();
    assert_eq!(key_paths(&file["policy"]), key_paths(&defaults));
}

fn key_paths(value: &toml::Value) -> Vec<String> {
    let Some(table) = value.as_table() else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    for (key, inner) in table {
        paths.push(key.clone());
        paths.extend(key_paths(inner).into_iter().map(|p| format!("{key}.{p}")));
    }
    paths.sort();
    paths
}

#[test]
fn a_file_with_only_the_ids_gets_every_default() {
    let config = parse(IDS).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.policy, Policy::default());
    assert_eq!(config.roles.facilitator, None);
    assert_eq!(config.channels.archive_category, 7);
    assert_eq!(config.database_path(), Path::new("conf/govbot.db"));
    assert_eq!(config.api_base(), "https://discord.com");
}

#[test]
fn ids_may_be_written_as_strings_of_digits() {
    let text = IDS
        .replace("guild_id = 1", r#"guild_id = "111111111111111111""#)
        .replace(
            "steering_group = 11",
            "steering_group = \"11\"\nfacilitator = \"12\"",
        );
    let config = parse(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.guild_id, 111_111_111_111_111_111);
    assert_eq!(config.roles.steering_group, 11);
    assert_eq!(config.roles.facilitator, Some(12));
}

#[test]
fn policy_values_are_read_from_the_file() {
    let text = format!(
        "{IDS}\n[policy]\napproval = \"sponsorship\"\nvote_window = \"1h 30m\"\nvote_reminders = []\n\
         [policy.threshold]\nrule = \"majority-of-cast\"\nquorum_percent = 60\n\
         [discord]\napi_base = \"http://127.0.0.1:8080/\"\n"
    );
    let config = parse(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.policy.approval, Approval::Sponsorship);
    assert_eq!(config.policy.vote_window, HumanDuration::seconds(5400));
    assert!(config.policy.vote_reminders.is_empty());
    assert_eq!(
        config.policy.threshold,
        Threshold::MajorityOfCast { quorum_percent: 60 }
    );
    assert_eq!(config.api_base(), "http://127.0.0.1:8080");
}

#[test]
fn an_unknown_top_level_key_is_named_with_the_accepted_ones() {
    let text = format!("colour = \"blue\"\n{IDS}");
    let message = one_problem(&text, "colour", "colour");
    assert!(message.contains("unknown key"), "{message}");
    assert!(message.contains("`guild_id`"), "{message}");
}

#[test]
fn an_unknown_key_inside_policy_is_named_with_its_table() {
    let text = format!("{IDS}\n[policy]\nvote_window = \"72h\"\nvote_windw = \"24h\"\n");
    let message = one_problem(&text, "policy.vote_windw", "vote_windw");
    assert!(message.contains("`vote_window`"), "{message}");
}

#[test]
fn a_bad_duration_names_its_key_line_and_column_and_shows_the_form() {
    let text = format!("{IDS}\n[policy]\nvote_window = \"soon\"\n");
    let message = one_problem(&text, "policy.vote_window", "soon");
    assert!(
        message.contains("\"soon\"") && message.contains("\"72h\""),
        "{message}"
    );
    let shown = parse(&text).unwrap_err().to_string();
    let line = line_of(&text, "soon");
    assert!(
        shown.starts_with(&format!("conf/govbot.toml:{line}:15: policy.vote_window: ")),
        "{shown}"
    );
}

#[test]
fn a_bad_duration_inside_a_list_names_the_list() {
    let text = format!("{IDS}\n[policy]\nwg_inactivity_reminders = [\"7d\", \"later\"]\n");
    one_problem(&text, "policy.wg_inactivity_reminders", "later");
}

#[test]
fn a_zero_quorum_is_refused_at_its_line() {
    let text =
        format!("{IDS}\n[policy.threshold]\nrule = \"majority-of-cast\"\nquorum_percent = 0\n");
    let message = one_problem(&text, "policy.threshold.quorum_percent", "quorum_percent");
    assert!(message.contains("1 to 100"), "{message}");
}

#[test]
fn a_quorum_without_the_rule_that_uses_it_is_refused() {
    let text = format!(
        "{IDS}\n[policy.threshold]\nrule = \"majority-of-electorate\"\nquorum_percent = 60\n"
    );
    let message = one_problem(&text, "policy.threshold.quorum_percent", "quorum_percent");
    assert!(message.contains("`rule`"), "{message}");
}

#[test]
fn a_quorum_rule_without_its_quorum_names_the_missing_key() {
    let text = format!("{IDS}\n[policy.threshold]\nrule = \"majority-of-cast\"\n");
    let message = one_problem(
        &text,
        "policy.threshold.quorum_percent",
        "[policy.threshold]",
    );
    assert!(message.contains("missing"), "{message}");
}

#[test]
fn a_quorum_out_of_range_in_an_inline_table_names_the_table() {
    let text = format!(
        "{IDS}\n[policy]\nthreshold = {{ rule = \"majority-of-cast\", quorum_percent = 300 }}\n"
    );
    one_problem(&text, "policy.threshold", "threshold =");
}

#[test]
fn a_reminder_longer_than_the_window_is_refused_at_its_line() {
    let text = format!("{IDS}\n[policy]\nvote_window = \"48h\"\nvote_reminders = [\"72h\"]\n");
    let message = one_problem(&text, "policy.vote_reminders", "vote_reminders");
    let (reminder, window) = (HumanDuration::hours(72), HumanDuration::hours(48));
    assert!(
        message.contains(&reminder.to_string()) && message.contains(&window.to_string()),
        "{message}"
    );
}

#[test]
fn every_policy_problem_is_reported_at_once() {
    let text = format!(
        "{IDS}\n[policy]\nvote_window = \"12h\"\nig_quiet_after = \"0s\"\n\
         [policy.threshold]\nrule = \"majority-of-cast\"\nquorum_percent = 0\n"
    );
    let (problems, shown) = problems(&text);
    let keys: Vec<_> = problems.iter().map(|p| p.key.as_deref().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "policy.vote_reminders",
            "policy.ig_quiet_after",
            "policy.threshold.quorum_percent"
        ],
        "{shown}"
    );
    assert!(
        shown.starts_with("conf/govbot.toml has 3 problems:"),
        "{shown}"
    );
    // vote_reminders is not in the file: its default no longer fits the shorter window.
    assert_eq!(problems[0].location, None);
    assert!(problems[0].message.contains("default"), "{shown}");
    assert_eq!(
        problems[1].location.map(|l| l.line),
        Some(line_of(&text, "ig_quiet_after"))
    );
}

#[test]
fn a_zero_id_is_refused() {
    let text = IDS.replace("moderators = 3", "moderators = 0");
    let message = one_problem(&text, "channels.moderators", "moderators = 0");
    assert!(message.contains("never 0"), "{message}");
}

#[test]
fn an_id_that_is_not_digits_is_refused() {
    for bad in [
        r##""#wg-ig-group-creation""##,
        r#""12a""#,
        r#""""#,
        r#""-2""#,
        "-2",
        "2.5",
    ] {
        let text = IDS.replace("creation = 2", &format!("creation = {bad}"));
        let message = one_problem(&text, "channels.creation", "creation =");
        assert!(message.contains("Discord id"), "{bad}: {message}");
    }
}

#[test]
fn an_api_base_that_is_not_http_is_refused() {
    for bad in ["ftp://x", "discord.com", "https://", "http:// x"] {
        let text = format!("{IDS}\n[discord]\napi_base = \"{bad}\"\n");
        let message = one_problem(&text, "discord.api_base", "api_base");
        assert!(message.contains("http:// or https://"), "{bad}: {message}");
    }
}

#[test]
fn an_empty_database_path_is_refused() {
    let text = format!("{IDS}\n[database]\npath = \"\"\n");
    one_problem(&text, "database.path", "path =");
}

#[test]
fn a_token_in_the_file_points_to_the_environment_and_is_not_echoed() {
    for (table, key) in [("[discord]\n", "discord.token"), ("", "token")] {
        let text = if table.is_empty() {
            format!("token = \"MTIz.secret-value\"\n{IDS}")
        } else {
            format!("{IDS}\n{table}token = \"MTIz.secret-value\"\n")
        };
        let message = one_problem(&text, key, "token =");
        assert!(message.contains("DISCORD_TOKEN"), "{message}");
        let shown = parse(&text).unwrap_err().to_string();
        assert!(!shown.contains("secret-value"), "{shown}");
    }
    let text = format!("{IDS}\n[github]\ntoken = \"ghp_secret-value\"\n");
    let message = one_problem(&text, "github.token", "token =");
    assert!(message.contains("GITHUB_TOKEN"), "{message}");
    assert!(!message.contains("DISCORD_TOKEN"), "{message}");
}

#[test]
fn a_missing_required_key_is_named_at_its_table() {
    let text = IDS.replace("moderators = 3\n", "");
    let message = one_problem(&text, "channels.moderators", "[channels]");
    assert!(message.contains("missing"), "{message}");
}

#[test]
fn a_missing_table_is_named() {
    let text = &IDS[..IDS.find("[roles]").unwrap()];
    let (problems, shown) = problems(text);
    assert_eq!(problems.len(), 1, "{shown}");
    assert_eq!(problems[0].key.as_deref(), Some("roles"), "{shown}");
    assert_eq!(
        shown,
        "conf/govbot.toml: roles: is required but missing from the file"
    );
}

#[test]
fn a_syntax_error_gives_its_line() {
    let text = format!("{IDS}\n[policy]\nvote_window = \"72h\n");
    let (problems, shown) = problems(&text);
    assert_eq!(
        problems[0].location.map(|l| l.line),
        Some(line_of(&text, "vote_window")),
        "{shown}"
    );
}

#[test]
fn a_relative_database_path_is_resolved_against_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("govbot.toml");
    std::fs::write(
        &path,
        format!("{IDS}\n[database]\npath = \"data/govbot.db\"\n"),
    )
    .unwrap();
    let config = Config::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.database_path(), dir.path().join("data/govbot.db"));

    let absolute = dir.path().join("elsewhere.db");
    let text = format!(
        "{IDS}\n[database]\npath = {:?}\n",
        absolute.to_str().unwrap()
    );
    std::fs::write(&path, text).unwrap();
    let config = Config::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.database_path(), absolute);
}

#[test]
fn a_missing_file_is_named_with_the_way_to_create_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("govbot.toml");
    let err = Config::load(&path).unwrap_err();
    assert!(matches!(err, ConfigError::NotFound { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains(&path.display().to_string()), "{shown}");
    assert!(shown.contains("cp config.example.toml"), "{shown}");
}

#[test]
fn a_token_never_prints_its_secret() {
    let token = Token::new("MTIz.secret-value".to_owned());
    assert_eq!(token.to_string(), "Token(***)");
    assert_eq!(format!("{token:?}"), "Token(***)");
    assert!(!format!("{:?}", Some(&token)).contains("secret"));
    assert_eq!(token.expose(), "MTIz.secret-value");
}

/// Runs itself in a child process for each case, so the environment is set there and never
/// mutated in this process, where other tests run in parallel.
#[test]
fn the_token_comes_from_discord_token_in_the_environment() {
    const CASE: &str = "GOVBOT_TOKEN_TEST_CASE";
    match std::env::var(CASE).as_deref() {
        Ok("set") => {
            let token = discord_token().unwrap();
            assert_eq!(token.expose(), "MTIz.secret-value");
            assert!(!format!("{token:?} {token}").contains("secret"));
            return;
        }
        Ok(case) => {
            let shown = discord_token().unwrap_err().to_string();
            assert!(
                shown.contains(&format!("DISCORD_TOKEN is {case}")),
                "{shown}"
            );
            assert!(shown.contains("export DISCORD_TOKEN="), "{shown}");
            return;
        }
        Err(_) => {}
    }
    for (case, value) in [
        ("set", Some(" MTIz.secret-value\n")),
        ("empty", Some("  ")),
        ("not set", None),
    ] {
        let mut child = Command::new(std::env::current_exe().unwrap());
        child
            .args([
                "--exact",
                "the_token_comes_from_discord_token_in_the_environment",
            ])
            .env(CASE, case);
        match value {
            Some(v) => child.env("DISCORD_TOKEN", v),
            None => child.env_remove("DISCORD_TOKEN"),
        };
        let out = child.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "case {case}:\n{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
