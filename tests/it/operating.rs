//! Running govbot for a community, as an operator does with the binary: one bot per database,
//! backups of a running bot, restore refused under a bot and done after it stopped, JSON logs with
//! the line that says it is ready and a line per decision, and a database file that holds
//! everything once a command is done with it (no data left behind in the `-wal` file).

use crate::common::bot_process::{BotProcess, Signal};
use crate::common::{replied_to, wg_template};
use discord_standin::{Sandbox, SandboxOptions, World};
use govbot::harness::WAIT;
use govbot::standard_world::StandardWorld as _;
use govbot::store::{backup, GroupFilter, Store};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// Runs the govbot binary with `args` (no configuration file) and returns what it did.
fn govbot(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_govbot"))
        .args(args)
        .current_dir(dir)
        .env("GOVBOT_CONFIG", dir.join("no-such-config.toml"))
        .env_remove("GOVBOT_DATABASE")
        .env_remove("GOVBOT_LOG_FORMAT")
        .env("RUST_LOG", "govbot=info,warn")
        .output()
        .unwrap()
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A copy of the database file alone, without its `-wal` or `-shm`: what a careless `cp` takes.
fn copy_file_alone(db: &Path, to: &Path) {
    std::fs::copy(db, to).unwrap();
}

#[test]
fn migrate_leaves_everything_in_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = govbot(dir.path(), &["--database", "govbot.db", "migrate"]);
    assert!(out.status.success(), "{}", said(&out));
    let wal = dir.path().join("govbot.db-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "the write-ahead log was folded into the database"
    );
    copy_file_alone(&dir.path().join("govbot.db"), &dir.path().join("copy.db"));
    // The copy alone is a migrated database: listing its groups works.
    let out = govbot(dir.path(), &["--database", "copy.db", "groups", "list"]);
    assert!(out.status.success(), "{}", said(&out));
    let out = govbot(dir.path(), &["--database", "copy.db", "migrate"]);
    assert!(
        said(&out).contains("(0 migrations applied now)"),
        "{}",
        said(&out)
    );
    assert!(
        !said(&out).contains("Copied"),
        "nothing to migrate, no copy"
    );
}

#[test]
fn version_names_the_commit() {
    let dir = tempfile::tempdir().unwrap();
    let out = govbot(dir.path(), &["--version"]);
    let text = said(&out);
    assert!(
        text.starts_with(&format!("govbot {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
}

/// One JSON object a line, each with a level and a message.
fn json_lines(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("error:"))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_bot_per_database_backups_while_it_runs_and_restore_after_it_stopped() {
    let sandbox = Sandbox::start(World::standard(), SandboxOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("govbot.db");
    let toml = BotProcess::config_toml(&sandbox, &db);
    let before = sandbox.identify_count();
    let mut bot = BotProcess::launch_with_env(&sandbox, &toml, &[("GOVBOT_LOG_FORMAT", "json")]);
    bot.wait_connected(before).await;

    // A proposal through the bot, so the database holds a decision.
    let world = sandbox.world().clone();
    let creation = world.channel_id("wg-ig-group-creation");
    let alice = world.user_id("alice");
    let posted = sandbox
        .post_message(creation, alice, &wg_template("Registry", alice))
        .await;
    sandbox
        .wait_message(creation, |m| replied_to(m) == Some(posted), WAIT)
        .await
        .unwrap();

    // A second bot on the same database stops at once, saying why.
    let mut second = BotProcess::launch(&sandbox, &toml);
    let status = second.wait_exit(WAIT).await;
    assert_eq!(status.code(), Some(1), "{}", second.output());
    let err = second.stderr();
    assert!(err.contains("holds the database"), "{err}");
    assert!(err.contains(&format!("pid {}", bot.pid())), "{err}");
    assert!(err.contains("govbot.db.lock"), "{err}");

    // A backup of the running bot's database, checked.
    let db_arg = db.to_str().unwrap();
    let out = govbot(
        dir.path(),
        &["--database", db_arg, "backup", "--output", "backup.db"],
    );
    assert!(out.status.success(), "{}", said(&out));
    println!("--- govbot backup while the bot runs ---\n{}", said(&out));
    assert!(said(&out).contains("1 group,"), "{}", said(&out));
    assert!(said(&out).contains("integrity check ok"), "{}", said(&out));
    assert!(
        said(&out).contains("Its audit log verifies: 1 event, head "),
        "{}",
        said(&out)
    );
    let copy = dir.path().join("backup.db");
    let checked = backup::check(&copy).await.unwrap();
    assert_eq!(checked.groups, 1);
    assert_eq!(checked.schema_version, backup::latest_schema_version());
    // A backup never overwrites a file.
    let again = govbot(
        dir.path(),
        &["--database", db_arg, "backup", "--output", "backup.db"],
    );
    assert!(!again.status.success() && said(&again).contains("already exists"));

    // Restore is refused while the bot holds the database.
    let out = govbot(dir.path(), &["--database", db_arg, "restore", "backup.db"]);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(
        said(&out).contains("refuses to replace the database of a running bot"),
        "{}",
        said(&out)
    );

    // Stopped with SIGTERM, the bot leaves everything in the database file itself.
    bot.wait_handler(Signal::SIGTERM).await;
    bot.signal(Signal::SIGTERM);
    let status = bot.wait_exit(WAIT).await;
    assert_eq!(status.code(), Some(0), "{}", bot.output());
    copy_file_alone(&db, &dir.path().join("alone.db"));
    assert_eq!(
        backup::check(&dir.path().join("alone.db"))
            .await
            .unwrap()
            .groups,
        1
    );

    // The JSON log: one object a line; the ready line; a line per decision; no token.
    let stderr = bot.stderr();
    assert!(
        !stderr.contains(sandbox.token()),
        "the token is never logged"
    );
    let lines = json_lines(&stderr);
    let ready = lines
        .iter()
        .find(|l| {
            l["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("connected as "))
        })
        .unwrap_or_else(|| panic!("a ready line in\n{stderr}"));
    assert_eq!(ready["level"], "INFO");
    let message = ready["message"].as_str().unwrap();
    assert!(
        message.contains("commands registered; 0 open votes"),
        "{message}"
    );
    let decision = lines
        .iter()
        .find(|l| l["message"] == "decision recorded")
        .unwrap_or_else(|| panic!("a decision line in\n{stderr}"));
    assert_eq!(decision["kind"], "propose");
    assert_eq!(decision["group"], 1);
    assert_eq!(decision["actor"], alice.to_string());
    println!("--- JSON log lines ---");
    for l in lines.iter().take(8) {
        println!("{l}");
    }

    // Now the restore goes through, keeping the database it replaced.
    let out = govbot(dir.path(), &["--database", db_arg, "restore", "backup.db"]);
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("Kept the database being replaced as "));
    let store = Store::open_existing(&db).await.unwrap();
    assert_eq!(store.list(&GroupFilter::default()).await.unwrap().len(), 1);
    store.close().await;

    // And a bot starts on the restored database.
    let mut bot = BotProcess::spawn(&sandbox, &db).await;
    bot.wait_handler(Signal::SIGTERM).await;
    bot.signal(Signal::SIGTERM);
    assert_eq!(bot.wait_exit(WAIT).await.code(), Some(0));
}

/// A backup whose audit log does not verify is kept (it is what the database holds) but the
/// command fails and says why: the record it would restore could have been rewritten.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_whose_audit_log_does_not_verify_fails_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("kept");
    let played = govbot(dir.path(), &["sandbox", "--keep", kept.to_str().unwrap()]);
    assert!(played.status.success(), "{}", said(&played));
    let db = kept.join("govbot.db");
    let db_arg = db.to_str().unwrap();

    let good = govbot(
        dir.path(),
        &["--database", db_arg, "backup", "--output", "good.db"],
    );
    assert!(good.status.success(), "{}", said(&good));
    assert!(
        said(&good).contains("Its audit log verifies:"),
        "{}",
        said(&good)
    );

    // Someone with the database file drops the guard and rewrites a ballot.
    let store = Store::open(&db).await.unwrap();
    sqlx::raw_sql(
        "DROP TRIGGER audit_log_refuses_update;
         UPDATE audit_log SET event_json = replace(event_json, '\"choice\":\"yes\"', '\"choice\":\"no\"')
         WHERE id = (SELECT MIN(id) FROM audit_log WHERE kind = 'ballot_cast');",
    )
    .execute(store.pool())
    .await
    .unwrap();
    store.close().await;

    let bad = govbot(
        dir.path(),
        &["--database", db_arg, "backup", "--output", "bad.db"],
    );
    assert_eq!(bad.status.code(), Some(1), "{}", said(&bad));
    assert!(
        said(&bad).contains("bad.db is written, but the audit log does not verify"),
        "{}",
        said(&bad)
    );
    assert!(said(&bad).contains("hash mismatch"), "{}", said(&bad));
    assert!(dir.path().join("bad.db").exists());
}

#[test]
fn restore_refuses_what_is_not_a_govbot_database() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("junk.db"), b"not a database at all").unwrap();
    let out = govbot(
        dir.path(),
        &["--database", "govbot.db", "restore", "junk.db"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(
        said(&out).contains("junk.db cannot be restored"),
        "{}",
        said(&out)
    );
    assert!(
        !dir.path().join("govbot.db").exists(),
        "nothing was put in place"
    );
}
