//! The audit log as a hash chain (docs/audit.md): each way of tampering with the record tried in
//! issue 11 and what catches it (the database itself, `govbot audit verify`, or only a head seen
//! earlier); databases from before the chain sealed on their first open; `govbot run` refusing a
//! broken log unless told to accept it; the head posted once a day in the moderators' channel.

use crate::common::bot_process::{BotProcess, Signal};
use crate::common::core::{member, moderator, wg};
use crate::common::{self, t0, text};
use chrono::Duration;
use discord_standin::{RouteMatch, Sandbox, SandboxOptions, World};
use govbot::clock::Clock as _;
use govbot::governance::*;
use govbot::harness::WAIT;
use govbot::standard_world::StandardWorld as _;
use govbot::store::chain::ChainedEvent;
use govbot::store::{append_history, Divergence, GroupId, Store, Target};
use serde_json::Value;
use sqlx::Row;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Output};

async fn run(
    store: &Store,
    target: Target,
    command: Command,
    actor: &Actor,
    at: Timestamp,
) -> GroupId {
    store
        .execute(
            target,
            &command,
            &Acting::new(actor, at, &Policy::default()),
            None,
        )
        .await
        .unwrap()
        .id
}

/// A WG voted in by two yes against one no (events 1 to 6: proposed, vote opened, three ballots,
/// closed), then a WG under vote (events 7 and 8).
async fn seeded(dir: &Path) -> (PathBuf, Store) {
    let path = dir.join("govbot.db");
    let store = Store::open(&path).await.unwrap();
    let w = run(
        &store,
        Target::New,
        Command::Propose {
            template: wg("Registry"),
        },
        &member(1),
        t0(),
    )
    .await;
    let electorate = [100, 101, 102].map(MemberId).into();
    run(
        &store,
        Target::Group(w),
        Command::CallVote { electorate },
        &moderator(100),
        t0(),
    )
    .await;
    for (voter, choice, hours) in [
        (100, Choice::Yes, 1),
        (101, Choice::Yes, 2),
        (102, Choice::No, 3),
    ] {
        let cast = Command::Cast { choice };
        run(
            &store,
            Target::Group(w),
            cast,
            &moderator(voter),
            t0() + Duration::hours(hours),
        )
        .await;
    }
    let closed = t0() + Duration::hours(80);
    run(
        &store,
        Target::Group(w),
        Command::CloseVote,
        &Actor::System,
        closed,
    )
    .await;
    let i = run(
        &store,
        Target::New,
        Command::Propose {
            template: wg("Inspector"),
        },
        &member(1),
        t0(),
    )
    .await;
    let electorate = [100].map(MemberId).into();
    run(
        &store,
        Target::Group(i),
        Command::CallVote { electorate },
        &moderator(100),
        t0(),
    )
    .await;
    assert!(store.verify(&[]).await.unwrap().is_ok());
    (path, store)
}

/// The id of the audit event of `voter`'s ballot.
async fn ballot_of(store: &Store, voter: i64) -> i64 {
    sqlx::query_scalar("SELECT id FROM audit_log WHERE kind = 'ballot_cast' AND actor = ?")
        .bind(voter)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

async fn sql(store: &Store, statement: &str) -> Result<(), String> {
    sqlx::raw_sql(statement)
        .execute(store.pool())
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

async fn problem(store: &Store, heads: &[String]) -> Option<Divergence> {
    store.verify(heads).await.unwrap().problem
}

/// What an attacker with the file does after rewriting an event: the hashes of events `from` to
/// `to` (the end when `None`) computed again, in order, exactly as govbot computes them.
async fn rehash(store: &Store, from: i64, to: Option<i64>) {
    let mut prev: String = sqlx::query_scalar(
        "SELECT COALESCE((SELECT hash FROM audit_log WHERE id = ?1 - 1),
                         (SELECT genesis FROM audit_genesis))",
    )
    .bind(from)
    .fetch_one(store.pool())
    .await
    .unwrap();
    let rows = sqlx::query(
        "SELECT id, group_id, seq, at, actor, kind, reason, trigger_key, event_json
         FROM audit_log WHERE id >= ? AND id <= ? ORDER BY id",
    )
    .bind(from)
    .bind(to.unwrap_or(i64::MAX))
    .fetch_all(store.pool())
    .await
    .unwrap();
    for row in rows {
        let event: Value = serde_json::from_str(row.get("event_json")).unwrap();
        let id: i64 = row.get("id");
        let hash = ChainedEvent {
            id,
            group: row.get("group_id"),
            seq: row.get("seq"),
            at: row.get("at"),
            actor: row.get("actor"),
            kind: row.get("kind"),
            reason: row.get("reason"),
            trigger: row.get("trigger_key"),
            event: &event,
            prev: &prev,
        }
        .hash();
        sqlx::query("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?")
            .bind(&prev)
            .bind(&hash)
            .bind(id)
            .execute(store.pool())
            .await
            .unwrap();
        prev = hash;
    }
}

/// What an attacker does to make a group's stored state, votes and ballots agree with its
/// (rewritten) events.
async fn restate(store: &Store, id: GroupId) {
    let record = store.replay(id).await.unwrap();
    let pool = store.pool();
    for sql in [
        "DELETE FROM ballots WHERE vote_id IN (SELECT id FROM votes WHERE group_id = ?)",
        "DELETE FROM votes WHERE group_id = ?",
    ] {
        sqlx::query(sql).bind(id.0).execute(pool).await.unwrap();
    }
    for v in &record.votes {
        sqlx::query(
            "INSERT INTO votes (id, group_id, opened_at, yes_count, no_count, abstain_count)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(v.id)
        .bind(id.0)
        .bind(v.opened_at.timestamp_millis())
        .bind(v.counts.yes)
        .bind(v.counts.no)
        .bind(v.counts.abstain)
        .execute(pool)
        .await
        .unwrap();
        for b in &v.ballots {
            let choice = b.ballot.choice.map(|c| match c {
                Choice::Yes => "yes",
                Choice::No => "no",
                Choice::Abstain => "abstain",
            });
            sqlx::query(
                "INSERT INTO ballots (id, vote_id, voter, choice, at, trigger_key)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(b.id)
            .bind(v.id)
            .bind(b.ballot.voter.0 as i64)
            .bind(choice)
            .bind(b.ballot.at.timestamp_millis())
            .bind(&b.trigger)
            .execute(pool)
            .await
            .unwrap();
        }
    }
    let group = record.group;
    let version: i64 = sqlx::query_scalar("SELECT MAX(seq) FROM audit_log WHERE group_id = ?")
        .bind(id.0)
        .fetch_one(store.pool())
        .await
        .unwrap();
    sqlx::query(
        "UPDATE groups SET state = ?, version = ?, next_due_at = ?, state_json = ? WHERE id = ?",
    )
    .bind(group.state.code())
    .bind(version)
    .bind(next_deadline(&group).map(|t| t.timestamp_millis()))
    .bind(serde_json::to_string(&group).unwrap())
    .bind(id.0)
    .execute(store.pool())
    .await
    .unwrap();
}

fn govbot(dir: &Path, args: &[&str]) -> Output {
    Process::new(env!("CARGO_BIN_EXE_govbot"))
        .args(args)
        .current_dir(dir)
        .env_remove("DISCORD_TOKEN")
        .env_remove("GOVBOT_CONFIG")
        .env_remove("GOVBOT_DATABASE")
        .output()
        .unwrap()
}

fn verify_cli(db: &Path, heads: &[&str]) -> Output {
    let mut args = vec!["--db", db.to_str().unwrap(), "audit", "verify"];
    for h in heads {
        args.extend(["--head", h]);
    }
    govbot(db.parent().unwrap(), &args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn insert_or_replace_cannot_rewrite_a_ballot() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, store) = seeded(dir.path()).await;
    let ballot = ballot_of(&store, 101).await;
    let before: String = sqlx::query_scalar("SELECT event_json FROM audit_log WHERE id = ?")
        .bind(ballot)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert!(before.contains("\"choice\":\"yes\""), "{before}");

    // REPLACE deletes the old row without firing the DELETE trigger (recursive triggers are off):
    // the insert is refused before that, because the event does not take the next id.
    let forged = format!(
        "INSERT OR REPLACE INTO audit_log
             (id, group_id, seq, at, actor, kind, reason, trigger_key, event_json, prev_hash, hash)
         SELECT id, group_id, seq, at, actor, kind, reason, trigger_key,
                replace(event_json, '\"choice\":\"yes\"', '\"choice\":\"no\"'), prev_hash, hash
         FROM audit_log WHERE id = {ballot}"
    );
    let refused = sql(&store, &forged).await.unwrap_err();
    assert!(
        refused.contains("a new event takes the next id"),
        "{refused}"
    );
    // With recursive triggers on (so REPLACE would fire the DELETE trigger) it is the same.
    let recursive = format!("PRAGMA recursive_triggers = ON; {forged}");
    assert!(sql(&store, &recursive).await.is_err());
    // The next id with the ballot's (group, seq): REPLACE would resolve the UNIQUE conflict by
    // deleting the ballot; the insert is refused for taking a seq its group already has.
    let next = forged.replace("SELECT id,", "SELECT (SELECT MAX(id) + 1 FROM audit_log),");
    let refused = sql(&store, &next).await.unwrap_err();
    assert!(refused.contains("its group's next seq"), "{refused}");
    let after: String = sqlx::query_scalar("SELECT event_json FROM audit_log WHERE id = ?")
        .bind(ballot)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(after, before);
    assert!(store.verify(&[]).await.unwrap().is_ok());
}

#[tokio::test]
async fn an_event_dated_before_its_group_s_last_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, store) = seeded(dir.path()).await;
    let head = store.audit_head().await.unwrap();
    let w = GroupId(1);
    // A ballot for moderator 102, flipping the result, dated an hour into the vote (long before
    // the close), with every hash right: only its time is wrong.
    let ballot = ballot_of(&store, 102).await;
    let json: String = sqlx::query_scalar("SELECT event_json FROM audit_log WHERE id = ?")
        .bind(ballot)
        .fetch_one(store.pool())
        .await
        .unwrap();
    let json = json.replace("\"choice\":\"no\"", "\"choice\":\"yes\"");
    let insert = |at: i64| {
        let mut event: Value = serde_json::from_str(&json).unwrap();
        event["at"] = serde_json::to_value(chrono::DateTime::from_timestamp_millis(at)).unwrap();
        let json = event.to_string();
        let id = head.last_event + 1;
        let hash = ChainedEvent {
            id,
            group: w.0,
            seq: 7,
            at,
            actor: Some(102),
            kind: "ballot_cast",
            reason: None,
            trigger: None,
            event: &event,
            prev: &head.hash,
        }
        .hash();
        format!(
            "INSERT INTO audit_log (id, group_id, seq, at, actor, kind, reason, trigger_key,
                                    event_json, prev_hash, hash)
             VALUES ({id}, 1, 7, {at}, 102, 'ballot_cast', NULL, NULL, '{json}', '{}', '{hash}')",
            head.hash
        )
    };
    let old = (t0() + Duration::hours(1)).timestamp_millis();
    let refused = sql(&store, &insert(old)).await.unwrap_err();
    assert!(
        refused.contains("cannot be earlier than its group's previous event"),
        "{refused}"
    );

    // Without its id, or linked to anything but the last event, it is refused as well.
    let without_id = insert(old)
        .replace("(id, group_id", "(group_id")
        .replace(&format!("VALUES ({}, ", head.last_event + 1), "VALUES (");
    assert!(sql(&store, &without_id)
        .await
        .unwrap_err()
        .contains("next id"));
    let unlinked = insert((t0() + Duration::hours(90)).timestamp_millis()).replace(
        &format!("'{}'", head.hash),
        &format!("'{}'", "0".repeat(64)),
    );
    assert!(sql(&store, &unlinked)
        .await
        .unwrap_err()
        .contains("prev_hash"));

    // Dated after the group's last event, the forged ballot gets in: the database only keeps
    // order. Verification then finds the group's stored state is not what its events give.
    sql(
        &store,
        &insert((t0() + Duration::hours(90)).timestamp_millis()),
    )
    .await
    .unwrap();
    match problem(&store, &[]).await {
        Some(Divergence::GroupDiffers { group, what }) => {
            assert_eq!(group, w);
            assert!(
                what.contains("version column is 6, the log gives 7"),
                "{what}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_group_state_edited_in_place_is_reported_with_its_group() {
    let dir = tempfile::tempdir().unwrap();
    let (path, store) = seeded(dir.path()).await;
    // The close said "2 yes"; the stored tally now says 3.
    sql(
        &store,
        "UPDATE groups SET state_json = json_set(state_json, '$.vote.result.tally.yes', 3)
         WHERE id = 1",
    )
    .await
    .unwrap();
    match problem(&store, &[]).await {
        Some(Divergence::GroupDiffers { group, what }) => {
            assert_eq!(group, GroupId(1));
            assert_eq!(
                what,
                "state_json.vote.result.tally.yes is 3, the log gives 2"
            );
        }
        other => panic!("{other:?}"),
    }
    let out = verify_cli(&path, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "the state of group #1 differs from the replay of its events: \
             state_json.vote.result.tally.yes is 3, the log gives 2"
        ),
        "{}",
        stderr(&out)
    );

    // A column the workers read directly: a vote's group made active again.
    sql(&store, "UPDATE groups SET state = 'active', state_json = (SELECT state_json FROM groups WHERE id = 1) WHERE id = 2")
        .await
        .unwrap();
    sql(&store, "UPDATE groups SET state_json = json_set(state_json, '$.vote.result.tally.yes', 2) WHERE id = 1")
        .await
        .unwrap();
    match problem(&store, &[]).await {
        Some(Divergence::GroupDiffers { group, what }) => {
            assert_eq!(group, GroupId(2));
            assert!(
                what.contains("its state column is active, the log gives under_vote"),
                "{what}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// Verification reads the chain, then the groups' replays, in two passes (so that it holds one
/// chunk of groups at a time, not the whole community), and still names the divergence that a
/// reading of the log in id order meets first, whichever pass finds it.
#[tokio::test]
async fn the_first_divergence_in_the_log_is_named_whichever_pass_finds_it() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, store) = seeded(dir.path()).await;
    sql(&store, "DROP TRIGGER audit_log_refuses_update")
        .await
        .unwrap();
    // Event 4's actor column changed and the chain rehashed up to event 7: the chain breaks at
    // event 8 (the links' pass), but event 4 is not what its event_json says (the groups').
    sql(&store, "UPDATE audit_log SET actor = 999 WHERE id = 4")
        .await
        .unwrap();
    rehash(&store, 4, Some(7)).await;
    let v = store.verify(&[]).await.unwrap();
    match v.problem {
        Some(Divergence::Unreadable { event: 4, what }) => assert!(
            what.contains("its actor column (Some(999)) disagrees with its event_json"),
            "{what}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(v.groups, 1, "group #1 was replayed up to event 4");

    // A link broken before event 4 comes first, and before what else is wrong with its event
    // (its content no longer hashes to its hash either).
    sql(
        &store,
        &format!(
            "UPDATE audit_log SET prev_hash = '{}' WHERE id = 2",
            "0".repeat(64)
        ),
    )
    .await
    .unwrap();
    assert!(matches!(
        problem(&store, &[]).await,
        Some(Divergence::BrokenLink { event: 2, .. })
    ));
}

/// The groups' pass reads a group's events in seq order, and checks them in id order, as they
/// were appended: two events whose seqs were swapped (and the chain rehashed) are out of order
/// at the first of them.
#[tokio::test]
async fn events_whose_seqs_were_swapped_are_out_of_order_at_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, store) = seeded(dir.path()).await;
    sql(
        &store,
        "DROP TRIGGER audit_log_refuses_update;
         UPDATE audit_log SET seq = 99 WHERE id = 3;
         UPDATE audit_log SET seq = 3 WHERE id = 4;
         UPDATE audit_log SET seq = 4 WHERE id = 3;",
    )
    .await
    .unwrap();
    rehash(&store, 3, None).await;
    assert_eq!(
        problem(&store, &[]).await,
        Some(Divergence::OutOfOrder {
            event: 3,
            what: "it is seq 4 of group #1, whose previous event is seq 2".into()
        })
    );
}

/// The groups are replayed and compared a chunk of ids at a time (1,000 groups at most): every
/// chunk is read, and a group that differs in a later one is named.
#[tokio::test]
async fn groups_beyond_the_first_chunk_are_replayed_and_compared() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("govbot.db")).await.unwrap();
    let groups = 1_100;
    let mut tx = store.pool().begin().await.unwrap();
    for id in 1..=groups {
        let events = decide(
            None,
            &Ballots::NONE,
            &Command::Propose {
                template: wg(&format!("Group {id}")),
            },
            &Acting::new(&member(1), t0(), &Policy::default()),
        )
        .unwrap();
        append_history(&mut tx, GroupId(id), 0, &events)
            .await
            .unwrap();
        let g = replay(&events).unwrap();
        sqlx::query(
            "INSERT INTO groups (id, kind, name, name_key, state, proposer, proposed_at, updated_at,
                                 version, next_due_at, state_json)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
        )
        .bind(id)
        .bind(g.kind.code())
        .bind(&g.name)
        .bind(name_skeleton(&g.name))
        .bind(g.state.code())
        .bind(g.proposer.0 as i64)
        .bind(g.proposed_at.timestamp_millis())
        .bind(g.proposed_at.timestamp_millis())
        .bind(next_deadline(&g).map(|t| t.timestamp_millis()))
        .bind(serde_json::to_string(&g).unwrap())
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let v = store.verify(&[]).await.unwrap();
    assert!(v.is_ok(), "{v}");
    assert_eq!(v.groups, groups as usize);

    sql(
        &store,
        "UPDATE groups SET state_json = json_set(state_json, '$.name', 'Forged') WHERE id = 1050",
    )
    .await
    .unwrap();
    match problem(&store, &[]).await {
        Some(Divergence::GroupDiffers { group, what }) => {
            assert_eq!(group, GroupId(1050));
            assert_eq!(
                what,
                "state_json.name is \"Forged\", the log gives \"Group 1050\""
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_event_rewritten_after_dropping_the_trigger_is_found_and_a_rewritten_chain_needs_an_earlier_head(
) {
    let dir = tempfile::tempdir().unwrap();
    let (path, store) = seeded(dir.path()).await;
    let seen = store.audit_head().await.unwrap().hash;
    let ballot = ballot_of(&store, 101).await;
    sql(
        &store,
        &format!(
            "DROP TRIGGER audit_log_refuses_update;
             UPDATE audit_log SET event_json = replace(event_json, '\"choice\":\"yes\"', '\"choice\":\"no\"')
             WHERE id = {ballot}"
        ),
    )
    .await
    .unwrap();
    // `govbot groups history` would show the forged ballot; verification names the event.
    assert!(
        matches!(problem(&store, &[]).await, Some(Divergence::HashMismatch { event, .. }) if event == ballot)
    );
    let out = verify_cli(&path, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("event {ballot}: hash mismatch")),
        "{}",
        stderr(&out)
    );

    // The event's own hash recomputed: the next event no longer links to it.
    rehash(&store, ballot, Some(ballot)).await;
    assert!(
        matches!(problem(&store, &[]).await, Some(Divergence::BrokenLink { event, .. }) if event == ballot + 1)
    );

    // Every hash from the ballot on recomputed: the chain holds, but the close still counted
    // two yes, so the replay of the group differs from its stored state.
    rehash(&store, ballot, None).await;
    match problem(&store, &[]).await {
        Some(Divergence::GroupDiffers { group, what }) => {
            assert_eq!(group, GroupId(1));
            assert!(what.contains("ballots"), "{what}");
        }
        other => panic!("{other:?}"),
    }

    // The stored state forged to match as well: nothing in the file contradicts the forgery any
    // more. Only a head seen before it shows the log was rewritten.
    restate(&store, GroupId(1)).await;
    assert_eq!(problem(&store, &[]).await, None);
    assert_eq!(
        problem(&store, std::slice::from_ref(&seen)).await,
        Some(Divergence::HeadNotFound { head: seen.clone() })
    );
    assert_ne!(store.audit_head().await.unwrap().hash, seen);
    let out = verify_cli(&path, &[&seen]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("the earlier head {seen} is not in the chain")),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn removing_the_last_event_is_found_until_the_counter_and_state_are_forged_too() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, store) = seeded(dir.path()).await;
    let seen = store.audit_head().await.unwrap();
    assert_eq!(seen.events, 8);
    sql(
        &store,
        "DROP TRIGGER audit_log_refuses_delete; DELETE FROM audit_log WHERE id = 8",
    )
    .await
    .unwrap();
    // The log's own counter (sqlite_sequence) remembers event 8.
    assert_eq!(
        problem(&store, &[]).await,
        Some(Divergence::Truncated {
            last: 7,
            counter: 8
        })
    );
    // And the database refuses to give id 8 again, so the bot cannot write past the cut.
    let err = store
        .execute(
            Target::Group(GroupId(2)),
            &Command::Cast {
                choice: Choice::Yes,
            },
            &Acting::new(
                &moderator(100),
                t0() + Duration::hours(1),
                &Policy::default(),
            ),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("this event id was used before"),
        "{err}"
    );

    // The counter forged: the group's stored state still has the removed vote.
    sql(
        &store,
        "UPDATE sqlite_sequence SET seq = 7 WHERE name = 'audit_log'",
    )
    .await
    .unwrap();
    match problem(&store, &[]).await {
        Some(Divergence::GroupDiffers { group, what }) => {
            assert_eq!(group, GroupId(2));
            assert!(
                what.contains("version column is 2, the log gives 1"),
                "{what}"
            );
        }
        other => panic!("{other:?}"),
    }

    // The state forged too: the file is consistent again, and only the head tells. Its count
    // went down and the earlier head is no longer in the chain.
    restate(&store, GroupId(2)).await;
    assert_eq!(problem(&store, &[]).await, None);
    let now = store.audit_head().await.unwrap();
    assert_eq!(now.events, 7);
    assert_ne!(now.hash, seen.hash);
    assert_eq!(
        problem(&store, std::slice::from_ref(&seen.hash)).await,
        Some(Divergence::HeadNotFound { head: seen.hash })
    );
}

/// The migrations before the chain, applied to a new database at `path`.
async fn migrate_before_the_chain(path: &Path) -> sqlx::SqlitePool {
    let migrations = tempfile::tempdir().unwrap();
    let all = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(all).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.as_str() < "0008" {
            std::fs::copy(entry.path(), migrations.path().join(&name)).unwrap();
        }
    }
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(migrations.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    pool
}

#[tokio::test]
async fn a_database_from_before_the_chain_is_sealed_in_order_on_its_first_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("govbot.db");
    let pool = migrate_before_the_chain(&path).await;
    // Two groups as the store wrote them before the chain: events without ids or hashes.
    let policy = Policy::default();
    for (id, name) in [(1i64, "Registry"), (2, "Inspector")] {
        let mut events = decide(
            None,
            &Ballots::NONE,
            &Command::Propose { template: wg(name) },
            &Acting::new(&member(1), t0(), &policy),
        )
        .unwrap();
        let mut group = replay(&events).unwrap();
        let call = Command::CallVote {
            electorate: [MemberId(100)].into(),
        };
        events.extend(
            group
                .decide_and_apply(
                    &mut Ballots::default(),
                    &call,
                    &Acting::new(&moderator(100), t0(), &policy),
                )
                .unwrap(),
        );
        sqlx::query(
            "INSERT INTO groups (id, kind, name, name_key, state, proposer, proposed_at, updated_at,
                                 version, next_due_at, state_json)
             VALUES (?, 'WG', ?, ?, ?, 1, ?, ?, 2, ?, ?)",
        )
        .bind(id)
        .bind(name)
        .bind(govbot::governance::name_skeleton(name))
        .bind(group.state.code())
        .bind(t0().timestamp_millis())
        .bind(t0().timestamp_millis())
        .bind(next_deadline(&group).map(|t| t.timestamp_millis()))
        .bind(serde_json::to_string(&group).unwrap())
        .execute(&pool)
        .await
        .unwrap();
        for (seq, e) in events.iter().enumerate() {
            sqlx::query(
                "INSERT INTO audit_log (group_id, seq, at, actor, kind, reason, trigger_key, event_json)
                 VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
            )
            .bind(id)
            .bind(seq as i64 + 1)
            .bind(e.at.timestamp_millis())
            .bind(e.actor.id().map(|m| m.0 as i64))
            .bind(e.kind.name())
            .bind(&e.reason)
            .bind(serde_json::to_string(e).unwrap())
            .execute(&pool)
            .await
            .unwrap();
        }
    }
    pool.close().await;

    let (store, applied) = Store::open_migrated(&path).await.unwrap();
    assert!(applied.applied >= 1);
    let v = store.verify(&[]).await.unwrap();
    assert!(v.is_ok(), "{v}");
    assert_eq!((v.head.events, v.groups), (4, 2));
    let (genesis, sealed_through): (String, i64) =
        sqlx::query_as("SELECT genesis, sealed_through FROM audit_genesis")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert!(govbot::store::chain::is_hash(&genesis));
    assert_eq!(sealed_through, 4);
    let first: String = sqlx::query_scalar("SELECT prev_hash FROM audit_log WHERE id = 1")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(first, genesis, "the first event chains from the genesis");
    // Sealed once: the exception that let sealing set the hashes is closed for sealed events.
    let again = sql(
        &store,
        &format!(
            "UPDATE audit_log SET hash = '{}' WHERE id = 1",
            "0".repeat(64)
        ),
    )
    .await
    .unwrap_err();
    assert!(again.contains("append-only"), "{again}");
    // The genesis is written once.
    assert!(sql(&store, "UPDATE audit_genesis SET genesis = genesis")
        .await
        .is_err());
    assert!(sql(
        &store,
        &format!(
            "INSERT OR REPLACE INTO audit_genesis VALUES (1, '{}', 0, 0)",
            "0".repeat(64)
        )
    )
    .await
    .is_err());

    // New events chain on; a second open seals nothing and the log still verifies.
    run(
        &store,
        Target::Group(GroupId(1)),
        Command::Cast {
            choice: Choice::Yes,
        },
        &moderator(100),
        t0() + Duration::hours(1),
    )
    .await;
    store.close().await;
    let store = Store::open(&path).await.unwrap();
    let v = store.verify(&[]).await.unwrap();
    assert!(v.is_ok(), "{v}");
    assert_eq!(v.head.events, 5);
}

#[tokio::test]
async fn a_command_whose_clock_is_behind_its_group_is_recorded_at_the_group_s_last_event() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, store) = seeded(dir.path()).await;
    // Group 2's vote was opened at t0; a ballot read its clock a second earlier, then waited for
    // the write lock (another command on the group took it first).
    let done = store
        .execute(
            Target::Group(GroupId(2)),
            &Command::Cast {
                choice: Choice::Yes,
            },
            &Acting::new(
                &moderator(100),
                t0() - Duration::seconds(1),
                &Policy::default(),
            ),
            None,
        )
        .await
        .unwrap();
    assert_eq!(done.events[0].at, t0());
    assert!(store.verify(&[]).await.unwrap().is_ok());
}

#[tokio::test]
async fn audit_verify_and_head_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (path, store) = seeded(dir.path()).await;
    let head = store.audit_head().await.unwrap();
    store.close().await;
    let db = path.to_str().unwrap();

    let out = verify_cli(&path, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!(
            "8 events, head {}, all groups match (2 groups)",
            head.hash
        )),
        "{}",
        stdout(&out)
    );
    let out = verify_cli(&path, &[&head.hash]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("passes through the earlier head"),
        "{}",
        stdout(&out)
    );
    let out = verify_cli(&path, &["not-a-hash"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(
        stderr(&out).contains("64 hexadecimal digits"),
        "{}",
        stderr(&out)
    );

    let out = govbot(dir.path(), &["--database", db, "audit", "head"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with(&format!("{}\n8 events (last event 8)", head.hash)),
        "{}",
        stdout(&out)
    );
    let out = govbot(dir.path(), &["--db", db, "audit", "head", "--json"]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["head"], head.hash.as_str());
    assert_eq!(json["events"], 8);
    assert_eq!(json["last_event"], "8", "ids are strings");

    let missing = govbot(dir.path(), &["--db", "nowhere.db", "audit", "verify"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("no database at nowhere.db"),
        "{}",
        stderr(&missing)
    );
}

#[tokio::test]
async fn govbot_run_refuses_a_broken_log_unless_told_to_accept_it_which_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (path, store) = seeded(dir.path()).await;
    sql(
        &store,
        "UPDATE groups SET state_json = json_set(state_json, '$.name', 'Forged') WHERE id = 1",
    )
    .await
    .unwrap();
    store.close().await;
    let sandbox = Sandbox::start(World::standard(), SandboxOptions::default())
        .await
        .unwrap();

    let before = sandbox.identify_count();
    let mut refused = BotProcess::launch(&sandbox, &BotProcess::config_toml(&sandbox, &path));
    let status = refused.wait_exit(WAIT).await;
    assert_eq!(status.code(), Some(1), "{}", refused.output());
    let err = refused.stderr();
    assert!(
        err.contains("the state of group #1 differs from the replay of its events: state_json.name is \"Forged\", the log gives \"Registry\""),
        "{err}"
    );
    assert!(
        err.contains("--accept-broken-audit"),
        "it says how to run anyway: {err}"
    );
    assert_eq!(sandbox.identify_count(), before, "it never connected");

    let mut accepted = BotProcess::spawn_with(&sandbox, &path, &["--accept-broken-audit"]).await;
    accepted.wait_handler(Signal::SIGTERM).await;
    accepted.signal(Signal::SIGTERM);
    assert_eq!(
        accepted.wait_exit(WAIT).await.code(),
        Some(0),
        "{}",
        accepted.output()
    );
    let log = accepted.stderr();
    assert!(
        log.contains("WARN") && log.contains("starting on an audit log that does not verify"),
        "{log}"
    );
    let store = Store::open(&path).await.unwrap();
    let accepted = store.audit_acceptances().await.unwrap();
    assert_eq!(accepted.len(), 1);
    assert!(
        accepted[0].problem.contains("group #1"),
        "{:?}",
        accepted[0]
    );
    assert_eq!(accepted[0].events, 8);
    let out = verify_cli(&path, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("started 1 time with --accept-broken-audit"),
        "{}",
        stdout(&out)
    );
}

/// The head messages in the moderators' channel, oldest first.
fn heads_posted(env: &common::Env) -> Vec<String> {
    env.h
        .sandbox
        .messages(env.moderators())
        .iter()
        .map(text)
        .filter(|t| t.contains("Audit log head"))
        .collect()
}

async fn wait_head(env: &common::Env, day: &str) -> String {
    let m = env
        .h
        .sandbox
        .wait_message(
            env.moderators(),
            |m| text(m).contains("Audit log head") && text(m).contains(day),
            WAIT,
        )
        .await
        .unwrap_or_else(|e| panic!("no head for {day}: {e:#}\n{:#?}", heads_posted(env)));
    text(&m)
}

#[tokio::test]
async fn the_head_is_posted_once_a_day_in_the_moderators_channel() {
    let mut env = common::start().await;
    let store = env.h.store().await.unwrap();
    run(
        &store,
        Target::New,
        Command::Propose {
            template: wg("Registry"),
        },
        &member(1),
        env.h.clock.now(),
    )
    .await;
    assert!(heads_posted(&env).is_empty(), "off by default");

    env.h.stop_bot().await.unwrap();
    env.h.config.audit.post_head_every = Some(HumanDuration::hours(24));
    env.h.start_bot().await.unwrap();
    let first = wait_head(&env, "2026-11-02 00:00 UTC").await;
    let head = store.audit_head().await.unwrap();
    assert!(
        first.contains(&format!("1 event, head `{}`", head.hash)),
        "{first}"
    );
    assert!(first.contains("The whole log verifies"), "{first}");
    assert!(
        first.contains(&format!("govbot audit verify --head {}", head.hash)),
        "{first}"
    );

    // Later the same day: nothing new.
    env.h.clock.advance(Duration::hours(2));
    run(
        &store,
        Target::New,
        Command::Propose {
            template: wg("Inspector"),
        },
        &member(1),
        env.h.clock.now(),
    )
    .await;

    // The next day's post fails twice on Discord's side first; it is shown once all the same.
    env.h.sandbox.inject_server_error(
        RouteMatch::route("POST", &format!("/channels/{}/messages", env.moderators())),
        500,
        std::time::Duration::from_millis(600),
    );
    env.h.clock.advance(Duration::days(1));
    let second = wait_head(&env, "2026-11-03 00:00 UTC").await;
    let head = store.audit_head().await.unwrap();
    assert!(
        second.contains(&format!("2 events, head `{}`", head.hash)),
        "{second}"
    );

    // A restart the same day posts nothing again; the day after, the next head.
    env.h.restart_bot().await.unwrap();
    env.h.clock.advance(Duration::days(1));
    wait_head(&env, "2026-11-04 00:00 UTC").await;
    let posted = heads_posted(&env);
    assert_eq!(posted.len(), 3, "one head a day: {posted:#?}");
    let days: Vec<i64> =
        sqlx::query_scalar("SELECT period_start FROM audit_heads ORDER BY period_start")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(days.len(), 3);
    env.h.shutdown().await.unwrap();
}

/// The votes and ballots rows are projections of the log like the groups' states: a ballot row
/// changed, a count changed, a ballot row removed or added are each found, naming the row.
#[tokio::test]
async fn a_ballot_or_count_changed_beside_the_log_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let (_, store) = seeded(dir.path()).await;
    let ballot = ballot_of(&store, 101).await;
    let what = |p: Option<Divergence>| match p {
        Some(Divergence::GroupDiffers { group, what }) => {
            assert_eq!(group, GroupId(1));
            what
        }
        other => panic!("expected the group to differ, got {other:?}"),
    };
    let pool = store.pool();
    let exec = |sql: String| async move {
        sqlx::query(&sql).execute(pool).await.unwrap();
    };

    exec(format!(
        "UPDATE ballots SET choice = 'no' WHERE id = {ballot}"
    ))
    .await;
    let found = what(problem(&store, &[]).await);
    assert!(found.contains(&format!("ballot row {ballot}")), "{found}");
    exec(format!(
        "UPDATE ballots SET choice = 'yes' WHERE id = {ballot}"
    ))
    .await;
    assert_eq!(problem(&store, &[]).await, None);

    exec("UPDATE votes SET yes_count = 1, no_count = 2 WHERE group_id = 1".into()).await;
    let found = what(problem(&store, &[]).await);
    assert!(found.contains("counts are"), "{found}");
    exec("UPDATE votes SET yes_count = 2, no_count = 1 WHERE group_id = 1".into()).await;
    assert_eq!(problem(&store, &[]).await, None);

    exec(format!("DELETE FROM ballots WHERE id = {ballot}")).await;
    let found = what(problem(&store, &[]).await);
    assert!(
        found.contains(&format!("the ballot of event {ballot} has no row")),
        "{found}"
    );

    exec(format!(
        "INSERT INTO ballots (id, vote_id, voter, choice, at) SELECT {ballot}, id, 101, 'yes', \
         {} FROM votes WHERE group_id = 1",
        (t0() + Duration::hours(2)).timestamp_millis()
    ))
    .await;
    assert_eq!(problem(&store, &[]).await, None);
    exec(format!(
        "INSERT INTO ballots (id, vote_id, voter, choice, at) SELECT 9999, id, 101, 'no', \
         {} FROM votes WHERE group_id = 1",
        (t0() + Duration::hours(4)).timestamp_millis()
    ))
    .await;
    let found = what(problem(&store, &[]).await);
    assert!(
        found.contains("ballot row 9999") && found.contains("no event in the log"),
        "{found}"
    );
}
