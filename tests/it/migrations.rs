//! Upgrades: migrations are forward-only, and a database at every earlier schema version, with
//! data in it, migrates to the latest keeping that data.
//!
//! The data comes from the sandbox scenario (`govbot sandbox --keep`: groups, votes, ballots,
//! template messages, the bot's own messages, members, processed triggers, a draft) plus a few
//! rows for the tables the scenario leaves empty. For each schema version k the test applies the
//! migrations 1..=k from `migrations/` (read from the directory, so a migration added later is
//! covered without touching this file), copies in every row whose table exists at k (the columns
//! that exist at k), then runs `govbot migrate` as an operator would and checks that every group,
//! every history and every member name is the same as before, that the copy written before
//! migrating is there and holds schema k, and that rows reshaped by a migration (the given-up
//! effects of 0003, retried by 0006) come through.

use govbot::store::{backup, GroupFilter, Store};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

fn migrations_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations")
}

/// The sandbox scenario's database, with rows added to the tables it leaves empty.
async fn donor(dir: &Path) -> PathBuf {
    let mut transcript = Vec::new();
    govbot::scenario::play(dir, &mut transcript).await.unwrap();
    let db = dir.join("govbot.db");
    let store = Store::open_existing(&db).await.unwrap();
    let pool = store.pool();
    let group: i64 = sqlx::query_scalar("SELECT MIN(id) FROM groups")
        .fetch_one(pool)
        .await
        .unwrap();
    let last_event: i64 = sqlx::query_scalar("SELECT MAX(id) FROM audit_log")
        .fetch_one(pool)
        .await
        .unwrap();
    for sql in [
        format!(
            "INSERT INTO channel_activity (group_id, week_start, messages, last_message_at) \
             VALUES ({group}, '2026-11-02', 7, 1793000000000)"
        ),
        format!(
            "INSERT INTO channel_participants (group_id, week_start, user_id) \
             VALUES ({group}, '2026-11-02', 42)"
        ),
        "INSERT INTO counted_messages (message_id, counted_at) VALUES (9001, 1793000000000)"
            .to_owned(),
        format!(
            "INSERT INTO outbox_pending (event_id, group_id, attempts, next_at, last_error) \
             VALUES ({last_event}, {group}, 2, 0, 'HTTP 503: upstream')"
        ),
        "INSERT INTO github_sync (item, etag, last_attempt_at, last_read_at) \
         VALUES ('{\"sep\":1234}', 'W/\"abc\"', 1793000000000, 1793000000000)"
            .to_owned(),
    ] {
        sqlx::query(&sql).execute(pool).await.unwrap();
    }
    store.close().await;
    db
}

/// Everything the migrations must keep: groups, histories, votes and ballots, member names.
#[derive(Debug, PartialEq)]
struct Kept {
    groups: Vec<govbot::store::StoredGroup>,
    histories: Vec<Vec<govbot::store::StoredEvent>>,
    /// Each group's votes with their counts and ballots, as the store keeps them.
    votes: Vec<Vec<govbot::store::VoteRecord>>,
    members: std::collections::BTreeMap<govbot::governance::MemberId, String>,
}

async fn kept(db: &Path) -> Kept {
    let store = Store::open_existing(db).await.unwrap();
    let groups = store.list(&GroupFilter::default()).await.unwrap();
    let mut histories = Vec::new();
    let mut votes = Vec::new();
    for g in &groups {
        histories.push(store.history(g.id).await.unwrap());
        votes.push(store.record(g.id).await.unwrap().votes);
    }
    let members = store.member_names().await.unwrap();
    let verified = store.verify(&[]).await.unwrap();
    assert!(verified.is_ok(), "{}: {verified}", db.display());
    store.close().await;
    Kept {
        groups,
        histories,
        votes,
        members,
    }
}

async fn pool(db: &Path) -> SqlitePool {
    let options = SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(true)
        .foreign_keys(false);
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap()
}

async fn columns(pool: &SqlitePool, schema: &str, table: &str) -> Vec<String> {
    sqlx::query(&format!("PRAGMA {schema}.table_info(\"{table}\")"))
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("name"))
        .collect()
}

/// A database at the schema the first `k` migrations make, holding the donor's rows.
async fn database_at(db: &Path, k: usize, all: &Migrator, donor: &Path) -> Vec<String> {
    let pool = pool(db).await;
    let migrator = Migrator {
        migrations: Cow::Owned(all.migrations[..k].to_vec()),
        ..Migrator::DEFAULT
    };
    migrator.run(&pool).await.unwrap();
    sqlx::query("ATTACH DATABASE ? AS donor")
        .bind(donor.to_str().unwrap())
        .execute(&pool)
        .await
        .unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM main.sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    // The rows are the donor's as they are, not appends: the triggers that guard the audit log's
    // order and chain (0008) stand aside while they are copied, and are put back after.
    let triggers: Vec<(String, String)> =
        sqlx::query_as("SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger'")
            .fetch_all(&pool)
            .await
            .unwrap();
    for (name, _) in &triggers {
        sqlx::query(&format!("DROP TRIGGER main.\"{name}\""))
            .execute(&pool)
            .await
            .unwrap();
    }
    let mut filled = Vec::new();
    for table in &tables {
        let theirs = columns(&pool, "donor", table).await;
        if theirs.is_empty() {
            continue;
        }
        let common: Vec<String> = columns(&pool, "main", table)
            .await
            .into_iter()
            .filter(|c| theirs.contains(c))
            .map(|c| format!("\"{c}\""))
            .collect();
        let list = common.join(", ");
        // Rows a migration made itself (the outbox cursor of 0003) give way to the donor's.
        sqlx::query(&format!("DELETE FROM main.\"{table}\""))
            .execute(&pool)
            .await
            .unwrap();
        let copied = sqlx::query(&format!(
            "INSERT INTO main.\"{table}\" ({list}) SELECT {list} FROM donor.\"{table}\""
        ))
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("copying {table} into schema {k}: {e}"));
        if copied.rows_affected() > 0 {
            filled.push(table.clone());
        }
    }
    // 0003 to 0005 kept given-up effects in outbox_failures; 0006 retries them.
    if tables.iter().any(|t| t == "outbox_failures") {
        sqlx::query(
            "INSERT INTO outbox_failures (event_id, attempts, error, failed_at)
             SELECT MIN(id), 5, 'HTTP 403: Missing Permissions', 1793000000000 FROM audit_log",
        )
        .execute(&pool)
        .await
        .unwrap();
        filled.push("outbox_failures".to_owned());
    }
    for (_, sql) in &triggers {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    sqlx::query("DETACH DATABASE donor")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    filled
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_at_every_earlier_schema_with_data_migrates_to_the_latest_keeping_it() {
    let dir = tempfile::tempdir().unwrap();
    let donor_dir = dir.path().join("donor");
    std::fs::create_dir(&donor_dir).unwrap();
    let donor = donor(&donor_dir).await;
    let expected = kept(&donor).await;
    assert!(
        expected.groups.len() >= 2,
        "the scenario leaves groups behind"
    );
    assert!(
        expected
            .votes
            .iter()
            .flatten()
            .any(|v| !v.ballots.is_empty()),
        "the scenario leaves ballots behind"
    );

    let all = Migrator::new(migrations_dir()).await.unwrap();
    let files = std::fs::read_dir(migrations_dir())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sql")
        })
        .count();
    assert_eq!(all.migrations.len(), files, "every file is a migration");
    let latest = all.migrations.last().unwrap().version;
    assert_eq!(
        latest,
        backup::latest_schema_version(),
        "the binary embeds every migration in the directory"
    );

    for k in 1..all.migrations.len() {
        let version = all.migrations[k - 1].version;
        let db = dir.path().join(format!("schema-{version:04}.db"));
        let filled = database_at(&db, k, &all, &donor).await;
        assert!(
            filled.iter().any(|t| t == "audit_log") && filled.iter().any(|t| t == "groups"),
            "schema {version} holds data: {filled:?}"
        );

        let out = std::process::Command::new(env!("CARGO_BIN_EXE_govbot"))
            .arg("--database")
            .arg(&db)
            .arg("migrate")
            .env("GOVBOT_CONFIG", dir.path().join("none.toml"))
            .env_remove("GOVBOT_DATABASE")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "migrating schema {version}: {stdout}{stderr}"
        );
        let pending = all.migrations.len() - k;
        assert!(
            stdout.contains(&format!("({pending} migration")),
            "{pending} applied from schema {version}: {stdout}"
        );

        // The copy written before migrating holds schema k, checked.
        let line = stdout
            .lines()
            .find(|l| l.starts_with("Copied the database to "))
            .unwrap_or_else(|| panic!("the copy is named: {stdout}"));
        let copy = PathBuf::from(
            line.trim_start_matches("Copied the database to ")
                .trim_end_matches(" before migrating it."),
        );
        let checked = backup::check(&copy).await.unwrap();
        assert_eq!(checked.schema_version, version, "{copy:?}");
        assert_eq!(checked.groups as usize, expected.groups.len());

        // The migrated database keeps everything, and its file alone holds it.
        assert_eq!(kept(&db).await, expected, "data kept from schema {version}");
        assert_eq!(
            backup::check(&db).await.unwrap().schema_version,
            latest,
            "schema {version} reached the latest"
        );
        let store = Store::open_existing(&db).await.unwrap();
        let waiting = store.outbox_pending().await.unwrap();
        store.close().await;
        println!(
            "schema {version:04} -> {latest:04}: {pending} migrations applied; {} groups, {} \
             events and {} member names kept; copy before migrating: {} (schema {:04}, checked); \
             rows copied in: {}",
            expected.groups.len(),
            expected.histories.iter().map(Vec::len).sum::<usize>(),
            expected.members.len(),
            copy.file_name().unwrap().to_string_lossy(),
            checked.schema_version,
            filled.join(", ")
        );
        if filled.iter().any(|t| t == "outbox_failures") {
            assert!(
                waiting
                    .iter()
                    .any(|p| p.attempts == 5
                        && p.last_error.as_deref().unwrap_or("").contains("403")),
                "0006 retries what 0003 gave up (from schema {version}): {waiting:?}"
            );
        }
        if filled.iter().any(|t| t == "outbox_pending") {
            assert!(
                waiting.iter().any(|p| p.attempts == 2),
                "waiting effects kept from schema {version}: {waiting:?}"
            );
        }
    }
}

/// Forward-only: a database migrated by a newer govbot (a version this build does not know) is
/// refused, not silently used or "migrated back".
#[tokio::test]
async fn a_database_from_a_newer_govbot_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("govbot.db");
    let (store, _) = Store::open_migrated(&db).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (9999, 'from the future', 1, x'00', 0)",
    )
    .execute(store.pool())
    .await
    .unwrap();
    store.close().await;
    let err = Store::open(&db).await.unwrap_err().to_string();
    assert!(err.contains("9999") || err.contains("migration"), "{err}");
}
