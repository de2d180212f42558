//! What the benches share: timing and memory figures, and the scheduler's database built by bulk
//! inserts with its due-query plan checked. Included with `#[path]` by each bench that needs it.

#![allow(dead_code)]

use anyhow::Result;
use govbot::governance::{name_skeleton, next_deadline, Group, Timestamp};
use govbot::store::{name_words, Store};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use std::time::{Duration, Instant};

/// The bot's warnings and errors on stderr (a refused or failed action shows there); `RUST_LOG`
/// for more.
pub fn log_warnings() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The process's peak resident memory (VmHWM), in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    status_kib("VmHWM:")
}

/// The process's resident memory now (VmRSS), in KiB.
pub fn rss_kib() -> Option<u64> {
    status_kib("VmRSS:")
}

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub fn millis(t: Timestamp) -> i64 {
    t.timestamp_millis()
}

/// The mean time of `reps` runs of `f`.
pub async fn mean<F, Fut, T>(reps: u32, mut f: F) -> Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let start = Instant::now();
    for _ in 0..reps {
        f().await?;
    }
    Ok(start.elapsed() / reps)
}

/// One integer from `sql`, with `now` bound if the query takes a parameter.
pub async fn count(store: &Store, sql: &str, now: Timestamp) -> Result<i64> {
    let mut q = sqlx::query_scalar(sql);
    if sql.contains('?') {
        q = q.bind(millis(now));
    }
    Ok(q.fetch_one(store.pool()).await?)
}

/// A `groups` row to bulk-insert: the group, as the store would write it.
pub struct Row {
    pub id: i64,
    pub group: Group,
    pub version: i64,
    pub updated_at: Timestamp,
}

/// Ids of the `votes` rows made for bulk-inserted groups, above any audit log id a bench makes.
pub const BULK_VOTE_IDS: i64 = 1 << 40;

/// Multi-row INSERTs of `rows`, inside the caller's transaction, as the store would write them:
/// `next_due_at` and `channel_id` computed as the store computes them, the name's words in
/// `group_name_words`, and a `votes` row (no ballots) for a group's vote unless its history,
/// chained before with `append_history`, made it already.
pub async fn insert(conn: &mut SqliteConnection, rows: &[Row]) -> Result<()> {
    let json = rows
        .iter()
        .map(|r| serde_json::to_string(&r.group))
        .collect::<Result<Vec<_>, _>>()?;
    let mut q = QueryBuilder::<Sqlite>::new(
        "INSERT INTO groups (id, kind, name, name_key, state, proposer, proposed_at, \
         updated_at, version, next_due_at, state_json, channel_id) ",
    );
    q.push_values(rows.iter().zip(json), |mut b, (r, json)| {
        let g = &r.group;
        b.push_bind(r.id)
            .push_bind(g.kind.code())
            .push_bind(g.name.clone())
            .push_bind(name_skeleton(&g.name))
            .push_bind(g.state.code())
            .push_bind(g.proposer.0 as i64)
            .push_bind(millis(g.proposed_at))
            .push_bind(millis(r.updated_at))
            .push_bind(r.version)
            .push_bind(next_deadline(g).map(millis))
            .push_bind(json)
            .push_bind(g.channel.map(|c| c as i64));
    });
    q.build().execute(&mut *conn).await?;
    let words: Vec<(String, i64)> = rows
        .iter()
        .flat_map(|r| {
            let mut w = name_words(&r.group.name);
            w.sort();
            w.dedup();
            w.into_iter().map(move |w| (w, r.id))
        })
        .collect();
    // Two parameters a row: well under SQLite's limit per statement.
    for chunk in words.chunks(10_000) {
        let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO group_name_words (word, group_id) ");
        q.push_values(chunk, |mut b, (w, id)| {
            b.push_bind(w.clone()).push_bind(*id);
        });
        q.build().execute(&mut *conn).await?;
    }
    let votes: Vec<(i64, i64)> = rows
        .iter()
        .filter_map(|r| Some((r.id, millis(r.group.vote.as_ref()?.opened_at))))
        .collect();
    if !votes.is_empty() {
        let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO votes (id, group_id, opened_at) ");
        q.push_values(&votes, |mut b, (id, opened_at)| {
            b.push_bind(BULK_VOTE_IDS + *id)
                .push_bind(*id)
                .push_bind(*opened_at);
        });
        q.push(" ON CONFLICT (group_id, opened_at) DO NOTHING");
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Lets a bulk fill chain a group's history (`append_history`, which writes its `votes` and
/// `ballots` rows) before its `groups` row is inserted: foreign keys are checked at the commit of
/// the caller's transaction instead of at each statement.
pub async fn defer_foreign_keys(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query("PRAGMA defer_foreign_keys = ON")
        .execute(conn)
        .await?;
    Ok(())
}

/// The scheduler's query for due groups (as `Store::due_groups` runs it).
pub const DUE_QUERY: &str =
    "SELECT id FROM groups WHERE next_due_at IS NOT NULL AND next_due_at <= ? \
                             ORDER BY next_due_at LIMIT ?";

/// Prints the due query's plan and asserts it is a range of the `groups_by_due` index, not a
/// scan of the table; then prints its time beside the same query forced to scan.
pub async fn check_due_query(store: &Store, now: Timestamp) -> Result<()> {
    let plan: Vec<(i64, i64, i64, String)> =
        sqlx::query_as(&format!("EXPLAIN QUERY PLAN {DUE_QUERY}"))
            .bind(millis(now))
            .bind(200)
            .fetch_all(store.pool())
            .await?;
    println!("  EXPLAIN QUERY PLAN {DUE_QUERY}");
    for (id, parent, _, detail) in &plan {
        println!("    id={id} parent={parent}  {detail}");
    }
    let uses_index = plan.iter().any(|r| r.3.contains("groups_by_due"));
    let scans_table = plan
        .iter()
        .any(|r| r.3.starts_with("SCAN groups") && !r.3.contains("USING"));
    assert!(
        uses_index && !scans_table,
        "the due query does not use groups_by_due: {plan:?}"
    );
    println!("  plan check: uses groups_by_due, no full scan of groups: ok");
    let scan_query = DUE_QUERY.replace("FROM groups", "FROM groups NOT INDEXED");
    let indexed = mean(20, || async { Ok(store.due_groups(now, 200).await?.len()) }).await?;
    let scanned = mean(5, || async {
        let ids: Vec<i64> = sqlx::query_scalar(&scan_query)
            .bind(millis(now))
            .bind(200)
            .fetch_all(store.pool())
            .await?;
        Ok(ids.len())
    })
    .await?;
    println!(
        "  due_groups(now, 200): {:.3} ms via the index, {:.3} ms forced to scan ({:.0}x)",
        ms(indexed),
        ms(scanned),
        scanned.as_secs_f64() / indexed.as_secs_f64()
    );
    Ok(())
}
