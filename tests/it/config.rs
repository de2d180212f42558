//! The configuration file as a moderator meets it: the example, once filled in, parses to the
//! documented defaults, and every mistake in a file is reported at once with its key and line.

use crate::common::example;

use example::{example, example_ids, example_path, example_with_real_ids, real_id};
use govbot::config::{discord_token, Config, ConfigError, ConfigProblem, Severity, Token};
use govbot::governance::{
    Approval, BallotVisibility, HumanDuration, Policy, Sponsorship, Threshold,
};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Every required key and nothing else, one id per line so that tests can break one. The ids
/// are 18-digit snowflakes, all different.
const IDS: &str = r#"guild_id = 700000000000000001

[channels]
creation = 700000000000000101
moderators = 700000000000000102
announcements = 700000000000000103
ig_category = 700000000000000111
wg_category = 700000000000000112
archive_category = 700000000000000113

[roles]
moderator = 700000000000000201
core_maintainer = 700000000000000202
lead_maintainer = 700000000000000203
steering_group = 700000000000000204
"#;

const GUILD: &str = "700000000000000001";
const MODERATOR_ROLE: &str = "700000000000000201";

/// A value that must never appear in an error: a bot token pasted into the wrong key.
const SECRET: &str = "MTIzNDU2Nzg5.secret-token-value";

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("conf/govbot.toml"))
}

fn problems(text: &str) -> (Vec<ConfigProblem>, String) {
    match parse(text) {
        Err(ConfigError::Invalid(report)) => {
            let shown = report.to_string();
            (report.problems, shown)
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

/// Exactly one problem, an error about `key`, on the line of `needle`; the message is returned
/// for more checks. The displayed error must carry the file, line, and key, since that is what
/// people read.
fn one_problem(text: &str, key: &str, needle: &str) -> String {
    let (problems, shown) = problems(text);
    assert_eq!(problems.len(), 1, "{shown}");
    let p = &problems[0];
    assert_eq!(p.severity, Severity::Error, "{shown}");
    assert_eq!(p.key.as_deref(), Some(key), "{shown}");
    let line = line_of(text, needle);
    assert_eq!(p.location.map(|l| l.line), Some(line), "{shown}");
    assert!(
        shown.starts_with(&format!("conf/govbot.toml:{line}:")),
        "{shown}"
    );
    assert!(shown.contains(&format!(": error: {key}: ")), "{shown}");
    p.message.clone()
}

/// The keys of the problems, in the order reported.
fn keys(problems: &[ConfigProblem]) -> Vec<&str> {
    problems.iter().map(|p| p.key.as_deref().unwrap()).collect()
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_example_once_filled_in_parses_to_the_documented_defaults() {
    let config =
        Config::parse(&example_with_real_ids(), &example_path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.policy, Policy::default());
    assert_eq!(config.policy.approval, Approval::ModeratorVote);
    assert_eq!(config.policy.vote_window, HumanDuration::hours(72));
    assert_eq!(config.policy.threshold, Threshold::MajorityOfElectorate);
    assert_eq!(config.policy.vote_reminders, [HumanDuration::hours(24)]);
    assert_eq!(config.policy.wg_inactivity, HumanDuration::days(30));
    assert_eq!(config.guild_id, real_id(0));
    assert!(config.roles.facilitator.is_some());
    assert_eq!(config.database_path(), manifest_dir().join("govbot.db"));
    assert_eq!(config.api_base(), "https://discord.com");
    assert!(config.warnings().is_empty(), "{:?}", config.warnings());
}

#[test]
fn the_example_as_shipped_is_refused_for_each_placeholder_id_and_nothing_else() {
    let text = example();
    let (problems, shown) = problems(&text);
    let ids = example_ids();
    assert_eq!(ids.len(), 12, "guild, 6 channels, 5 roles");
    let mut expected: Vec<_> = ids.iter().map(|(k, _)| k.as_str()).collect();
    let mut found = keys(&problems);
    expected.sort();
    found.sort();
    assert_eq!(found, expected, "{shown}");
    for p in &problems {
        assert!(
            p.message.contains("placeholder from config.example.toml")
                && p.message.contains("Developer Mode")
                && p.message.contains("Copy ID"),
            "{shown}"
        );
        assert!(p.location.is_some(), "{shown}");
    }
}

#[test]
fn the_example_states_every_policy_key_with_its_default() {
    let file: toml::Table = toml::from_str(&example()).unwrap();
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

/// The file is read key by key while a frozen policy is written by serde: the names must agree.
#[test]
fn a_policy_as_govbot_writes_it_reads_back_the_same() {
    let policies = [
        Policy::default(),
        Policy {
            approval: Approval::Sponsorship,
            sponsorship: Sponsorship {
                core_maintainers: 3,
                lead_maintainers: 0,
            },
            vote_window: HumanDuration::hours(48),
            threshold: Threshold::MajorityOfCast { quorum_percent: 40 },
            vote_reminders: vec![HumanDuration::hours(12), HumanDuration::hours(1)],
            wg_inactivity: HumanDuration::days(60),
            wg_inactivity_reminders: vec![],
            wg_retirement_grace: HumanDuration::days(14),
            ig_quiet_after: HumanDuration::days(45),
            ballot_visibility: BallotVisibility::Public,
        },
    ];
    for policy in policies {
        let mut file = toml::Table::new();
        file.insert("policy".into(), toml::Value::try_from(&policy).unwrap());
        let text = format!("{IDS}\n{}", toml::to_string(&file).unwrap());
        let config = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(config.policy, policy, "{text}");
    }
}

#[test]
fn a_file_with_only_the_ids_gets_every_default() {
    let config = parse(IDS).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.policy, Policy::default());
    assert_eq!(config.roles.facilitator, None);
    assert_eq!(config.channels.archive_category, 700_000_000_000_000_113);
    assert_eq!(config.database_path(), Path::new("conf/govbot.db"));
    assert_eq!(config.api_base(), "https://discord.com");
}

#[test]
fn ids_may_be_written_as_strings_of_digits() {
    let text = IDS
        .replace(
            &format!("guild_id = {GUILD}"),
            &format!("guild_id = \"{GUILD}\""),
        )
        .replace(
            "steering_group = 700000000000000204",
            "steering_group = \"700000000000000204\"\nfacilitator = \"700000000000000205\"",
        );
    let config = parse(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.guild_id, 700_000_000_000_000_001);
    assert_eq!(config.roles.steering_group, 700_000_000_000_000_204);
    assert_eq!(config.roles.facilitator, Some(700_000_000_000_000_205));
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
fn every_problem_in_the_file_is_reported_at_once() {
    // A missing id, a short id, an unknown key, a bad duration, a bad approval, an unknown table,
    // two channels with one id, a policy rule broken by a default, and a warning: one report.
    let text = IDS
        .replace("guild_id = 700000000000000001", "guild_id = 12345")
        .replace("moderators = 700000000000000102\n", "")
        .replace(
            "wg_category = 700000000000000112",
            "wg_category = 700000000000000111",
        )
        .replace("[roles]", "colour = \"blue\"\n\n[roles]")
        + "\n[policy]\napproval = \"by-acclamation\"\nvote_window = \"soon\"\n\
           wg_inactivity = \"1h\"\nig_quiet_after = \"30s\"\n\n[telemetry]\nlevel = 3\n";
    let (problems, shown) = problems(&text);
    assert_eq!(
        keys(&problems),
        [
            "guild_id",
            "channels.moderators",
            "channels.wg_category",
            "channels.colour",
            "policy.approval",
            "policy.vote_window",
            "policy.ig_quiet_after",
            "telemetry",
            // The default reminders (7d, 2d) no longer fit the shorter wg_inactivity.
            "policy.wg_inactivity_reminders",
            "policy.wg_inactivity_reminders",
        ],
        "{shown}"
    );
    let warnings: Vec<_> = problems
        .iter()
        .filter(|p| p.severity == Severity::Warning)
        .collect();
    assert_eq!(warnings.len(), 1, "{shown}");
    assert_eq!(warnings[0].key.as_deref(), Some("policy.ig_quiet_after"));
    assert!(
        shown.starts_with("conf/govbot.toml: 9 errors, 1 warning\n"),
        "{shown}"
    );
    assert_eq!(shown.lines().count(), 11, "{shown}");
    // The missing key points at its table; the duplicate names the channel it repeats.
    assert_eq!(
        problems[1].location.map(|l| l.line),
        Some(line_of(&text, "[channels]"))
    );
    assert!(
        problems[2].message.contains("channels.ig_category"),
        "{shown}"
    );
    // The file's values are never shown in full.
    assert!(
        !shown.contains("soon") && !shown.contains("acclamation"),
        "{shown}"
    );
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
    assert!(message.contains("[policy]"), "{message}");
    assert!(message.contains("`vote_window`"), "{message}");
}

#[test]
fn a_bad_duration_names_its_key_line_and_column_and_shows_the_form() {
    let text = format!("{IDS}\n[policy]\nvote_window = \"soon\"\n");
    let message = one_problem(&text, "policy.vote_window", "soon");
    assert!(
        message.contains("a 4-character string starting \"soo\"") && message.contains("\"72h\""),
        "{message}"
    );
    let shown = parse(&text).unwrap_err().to_string();
    let line = line_of(&text, "soon");
    assert!(
        shown.starts_with(&format!(
            "conf/govbot.toml:{line}:15: error: policy.vote_window: "
        )),
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
fn a_quorum_out_of_range_in_an_inline_table_is_named_exactly() {
    let text = format!(
        "{IDS}\n[policy]\nthreshold = {{ rule = \"majority-of-cast\", quorum_percent = 300 }}\n"
    );
    let message = one_problem(&text, "policy.threshold.quorum_percent", "threshold =");
    assert!(message.contains("1 to 100"), "{message}");
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
    assert_eq!(
        keys(&problems),
        [
            "policy.ig_quiet_after",
            "policy.threshold.quorum_percent",
            "policy.vote_reminders",
        ],
        "{shown}"
    );
    assert!(
        shown.starts_with("conf/govbot.toml: 3 errors, 0 warnings"),
        "{shown}"
    );
    assert_eq!(
        problems[0].location.map(|l| l.line),
        Some(line_of(&text, "ig_quiet_after"))
    );
    // vote_reminders is not in the file: its default no longer fits the shorter window.
    assert_eq!(problems[2].location, None);
    assert!(problems[2].message.contains("default"), "{shown}");
}

#[test]
fn durations_under_a_minute_are_warnings_that_do_not_refuse_the_file() {
    let text = format!(
        "{IDS}\n[policy]\nvote_window = \"2m\"\nvote_reminders = [\"30s\"]\n\
         wg_retirement_grace = \"59s\"\nig_quiet_after = \"1m\"\n"
    );
    let config = parse(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.policy.vote_reminders, [HumanDuration::seconds(30)]);
    let warnings = config.warnings();
    assert_eq!(
        keys(warnings),
        ["policy.vote_reminders", "policy.wg_retirement_grace"],
        "{warnings:?}"
    );
    for w in warnings {
        assert_eq!(w.severity, Severity::Warning);
        assert!(
            w.message
                .contains("under a minute: fine for a trial, not for a community"),
            "{w}"
        );
    }
    assert_eq!(
        warnings[1].location.map(|l| l.line),
        Some(line_of(&text, "wg_retirement_grace"))
    );
}

#[test]
fn an_id_shorter_than_a_snowflake_is_refused_saying_why() {
    for short in ["0", "12345", "\"9999999999999999\"", "1"] {
        let text = IDS.replace(
            "moderators = 700000000000000102",
            &format!("moderators = {short}"),
        );
        let message = one_problem(&text, "channels.moderators", "moderators =");
        assert!(
            message.contains("too short to be a Discord id")
                && message.contains("17 to 20 digits")
                && message.contains("Copy ID"),
            "{short}: {message}"
        );
        let digits = short.trim_matches('"');
        if digits.len() > 3 {
            assert!(!message.contains(digits), "{message}");
        }
    }
}

#[test]
fn the_shortest_and_the_longest_snowflakes_are_ids() {
    let text = IDS
        .replace(
            "creation = 700000000000000101",
            "creation = 10000000000000000",
        )
        .replace(
            "moderators = 700000000000000102",
            &format!("moderators = \"{}\"", u64::MAX),
        );
    let config = parse(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.channels.creation, 10_000_000_000_000_000);
    assert_eq!(config.channels.moderators, u64::MAX);

    let too_large = IDS.replace(
        "moderators = 700000000000000102",
        "moderators = \"18446744073709551616\"",
    );
    let message = one_problem(&too_large, "channels.moderators", "moderators =");
    assert!(message.contains("too large"), "{message}");
}

#[test]
fn an_id_that_is_not_digits_is_refused() {
    for bad in [
        r##""#wg-ig-group-creation""##,
        r#""700000000000000101a""#,
        r#""""#,
        r#""-700000000000000101""#,
        "-700000000000000101",
        "2.5",
        "[700000000000000101]",
    ] {
        let text = IDS.replace(
            "creation = 700000000000000101",
            &format!("creation = {bad}"),
        );
        let message = one_problem(&text, "channels.creation", "creation =");
        assert!(message.contains("not a Discord id"), "{bad}: {message}");
        assert!(message.contains("Copy ID"), "{bad}: {message}");
    }
}

#[test]
fn the_six_channels_are_six_places_and_none_is_the_server() {
    let twice = IDS.replace(
        "archive_category = 700000000000000113",
        "archive_category = 700000000000000102",
    );
    let message = one_problem(&twice, "channels.archive_category", "archive_category");
    assert!(message.contains("channels.moderators"), "{message}");

    let server = IDS.replace(
        "announcements = 700000000000000103",
        &format!("announcements = {GUILD}"),
    );
    let message = one_problem(&server, "channels.announcements", "announcements =");
    assert!(message.contains("server's own id"), "{message}");

    let role = IDS.replace(
        "creation = 700000000000000101",
        &format!("creation = {MODERATOR_ROLE}"),
    );
    let message = one_problem(&role, "roles.moderator", "moderator =");
    assert!(message.contains("channels.creation"), "{message}");
}

#[test]
fn no_role_is_the_server_which_is_everyone() {
    for key in [
        "moderator",
        "core_maintainer",
        "lead_maintainer",
        "steering_group",
    ] {
        let text = IDS.replacen(
            &format!("\n{key} = "),
            &format!("\n{key} = {GUILD}\n# was "),
            1,
        );
        let message = one_problem(&text, &format!("roles.{key}"), &format!("{key} = {GUILD}"));
        assert!(message.contains("@everyone"), "{key}: {message}");
    }
}

#[test]
fn the_facilitator_role_is_none_of_the_governance_roles() {
    for (other, id) in [
        ("moderator", "700000000000000201"),
        ("core_maintainer", "700000000000000202"),
        ("lead_maintainer", "700000000000000203"),
        ("steering_group", "700000000000000204"),
    ] {
        let text = format!("{IDS}facilitator = {id}\n");
        let message = one_problem(&text, "roles.facilitator", "facilitator =");
        assert!(
            message.contains(&format!("roles.{other}")) && message.contains("separate role"),
            "{other}: {message}"
        );
    }
    let text = format!("{IDS}facilitator = {GUILD}\n");
    let message = one_problem(&text, "roles.facilitator", "facilitator =");
    assert!(message.contains("@everyone"), "{message}");
}

#[test]
fn the_moderator_role_is_neither_maintainer_role() {
    for key in ["core_maintainer", "lead_maintainer"] {
        let text = IDS.replacen(
            &format!("\n{key} = "),
            &format!("\n{key} = {MODERATOR_ROLE}\n# was "),
            1,
        );
        let message = one_problem(
            &text,
            &format!("roles.{key}"),
            &format!("{key} = {MODERATOR_ROLE}"),
        );
        assert!(
            message.contains("roles.moderator") && message.contains("veto"),
            "{key}: {message}"
        );
    }
}

#[test]
fn the_maintainer_roles_and_the_steering_group_may_coincide() {
    let text = IDS
        .replace(
            "lead_maintainer = 700000000000000203",
            "lead_maintainer = 700000000000000202",
        )
        .replace(
            "steering_group = 700000000000000204",
            "steering_group = 700000000000000202",
        );
    let config = parse(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.roles.core_maintainer, config.roles.lead_maintainer);
    assert_eq!(config.roles.core_maintainer, config.roles.steering_group);
}

#[test]
fn a_misplaced_value_is_never_shown_in_full() {
    let secret = format!("\"{SECRET}\"");
    let cases = [
        (
            IDS.replace(
                &format!("guild_id = {GUILD}"),
                &format!("guild_id = {secret}"),
            ),
            "guild_id",
        ),
        (
            IDS.replace(
                "creation = 700000000000000101",
                &format!("creation = {secret}"),
            ),
            "channels.creation",
        ),
        (
            format!("{IDS}\n[policy]\nvote_window = {secret}\n"),
            "policy.vote_window",
        ),
        (
            format!("{IDS}\n[policy]\napproval = {secret}\n"),
            "policy.approval",
        ),
        (
            format!("{IDS}\n[policy]\nvote_reminders = [{secret}]\n"),
            "policy.vote_reminders",
        ),
        (
            format!("{IDS}\n[discord]\napi_base = {secret}\n"),
            "discord.api_base",
        ),
        (
            format!("{IDS}\n[discord.vote_reactions]\napprove = {secret}\n"),
            "discord.vote_reactions.approve",
        ),
        (
            format!("{IDS}\n[github]\nsep_repository = {secret}\n"),
            "github.sep_repository",
        ),
        (
            format!("{IDS}\n[github]\nsync_interval = {secret}\n"),
            "github.sync_interval",
        ),
    ];
    for (text, key) in cases {
        let message = one_problem(&text, key, SECRET);
        let shown = parse(&text).unwrap_err().to_string();
        assert!(
            !shown.contains("secret") && !shown.contains("Nzg5"),
            "{key}: {shown}"
        );
        assert!(
            message.contains("31-character string starting \"MTI\""),
            "{key}: {message}"
        );
    }
}

#[test]
fn plain_http_is_only_for_a_stand_in_on_this_machine() {
    for local in [
        "http://127.0.0.1:8080",
        "http://[::1]:8080",
        "http://localhost:3000",
    ] {
        let text =
            format!("{IDS}\n[discord]\napi_base = \"{local}\"\n[github]\napi_base = \"{local}\"\n");
        let config = parse(&text).unwrap_or_else(|e| panic!("{local}: {e}"));
        assert_eq!(config.api_base(), local);
        assert_eq!(config.github.unwrap().api_base, local);
    }
    for (table, remote) in [
        ("discord", "http://discord.com"),
        ("discord", "http://192.168.1.20:8080"),
        ("github", "http://api.github.com"),
    ] {
        let text = format!("{IDS}\n[{table}]\napi_base = \"{remote}\"\n");
        let message = one_problem(&text, &format!("{table}.api_base"), "api_base");
        assert!(
            message.contains("unencrypted") && message.contains("use https://"),
            "{remote}: {message}"
        );
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
fn the_same_reaction_twice_is_refused() {
    let text = format!("{IDS}\n[discord.vote_reactions]\napprove = \"👍\"\nreject = \"👍\"\n");
    let message = one_problem(&text, "discord.vote_reactions", "[discord.vote_reactions]");
    assert!(message.contains("must differ"), "{message}");
}

#[test]
fn a_bad_sep_repository_and_a_fast_sync_are_refused() {
    let text = format!("{IDS}\n[github]\nsep_repository = \"nowhere\"\nsync_interval = \"10s\"\n");
    let (problems, shown) = problems(&text);
    assert_eq!(
        keys(&problems),
        ["github.sep_repository", "github.sync_interval"],
        "{shown}"
    );
    assert!(problems[0].message.contains("owner/repo"), "{shown}");
    assert!(problems[1].message.contains("rate limits"), "{shown}");
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

    // Inside a table govbot does not know, the token is named as such too.
    let text = format!("{IDS}\n[bot]\nbot_token = \"MTIz.secret-value\"\n");
    let (problems, shown) = problems(&text);
    assert_eq!(keys(&problems), ["bot", "bot.bot_token"], "{shown}");
    assert!(problems[1].message.contains("DISCORD_TOKEN"), "{shown}");
    assert!(!shown.contains("secret-value"), "{shown}");
}

#[test]
fn a_missing_required_key_is_named_at_its_table_with_how_to_add_it() {
    let text = IDS.replace("moderators = 700000000000000102\n", "");
    let message = one_problem(&text, "channels.moderators", "[channels]");
    assert!(
        message.contains("missing") && message.contains("add moderators = <id>"),
        "{message}"
    );
}

#[test]
fn every_missing_key_is_named() {
    let text = "guild_id = 700000000000000001\n[channels]\ncreation = 700000000000000101\n";
    let (problems, shown) = problems(text);
    assert_eq!(
        keys(&problems),
        [
            "channels.moderators",
            "channels.announcements",
            "channels.ig_category",
            "channels.wg_category",
            "channels.archive_category",
            "roles",
        ],
        "{shown}"
    );
}

#[test]
fn a_missing_table_is_named() {
    let text = &IDS[..IDS.find("[roles]").unwrap()];
    let (problems, shown) = problems(text);
    assert_eq!(problems.len(), 1, "{shown}");
    assert_eq!(problems[0].key.as_deref(), Some("roles"), "{shown}");
    assert!(
        shown.starts_with(
            "conf/govbot.toml: error: roles: is required but missing from the file; add a \
             [roles] table"
        ),
        "{shown}"
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
    assert!(shown.contains("not valid TOML"), "{shown}");
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
                // The test's name as the harness lists it: its module path without the crate.
                &format!(
                    "{}::the_token_comes_from_discord_token_in_the_environment",
                    module_path!().split_once("::").map_or("", |(_, m)| m)
                ),
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
