//! Ballots as rows beside the groups' state (migrations/0009_ballots.sql): what a ballot writes,
//! that the rows and counts are a projection of the audit log (`Store::replay` rebuilds them from
//! it alone), and that a database from before holding an open vote moves its ballots into rows.

use crate::common::core::{moderator, wg};
use crate::common::t0;
use chrono::Duration;
use govbot::governance::*;
use govbot::store::{GroupId, Store, Target, Trigger};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const ELECTORATE: [u64; 3] = [101, 102, 103];

fn electorate() -> BTreeSet<MemberId> {
    ELECTORATE.map(MemberId).into()
}

async fn run(store: &Store, target: Target, cmd: Command, actor: &Actor, at: Timestamp) -> GroupId {
    run_with(store, target, cmd, actor, at, None).await
}

async fn run_with(
    store: &Store,
    target: Target,
    cmd: Command,
    actor: &Actor,
    at: Timestamp,
    trigger: Option<Trigger>,
) -> GroupId {
    let policy = Policy::default();
    store
        .execute(
            target,
            &cmd,
            &Acting::new(actor, at, &policy),
            trigger.as_ref(),
        )
        .await
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
        .id
}

fn cast(choice: Choice) -> Command {
    Command::Cast { choice }
}

/// A WG approved by a vote with changed and withdrawn ballots, then put to a reversal vote that
/// is still open with ballots of its own.
async fn two_votes(store: &Store) -> GroupId {
    let alice = Actor::member(MemberId(1), []);
    let id = run(
        store,
        Target::New,
        Command::Propose {
            template: wg("Registry"),
        },
        &alice,
        t0(),
    )
    .await;
    let g = Target::Group(id);
    let h = |n| t0() + Duration::hours(n);
    run(
        store,
        g,
        Command::CallVote {
            electorate: electorate(),
        },
        &moderator(101),
        h(1),
    )
    .await;
    let steps = [
        (101, Some(Choice::No)),
        (102, Some(Choice::Yes)),
        (101, Some(Choice::Yes)),
        (103, Some(Choice::Abstain)),
        (103, None),
        (103, Some(Choice::Yes)),
    ];
    for (k, (voter, choice)) in steps.into_iter().enumerate() {
        let cmd = choice.map_or(Command::WithdrawBallot, cast);
        let trigger = Trigger::Interaction(5000 + k as u64);
        run_with(
            store,
            g,
            cmd,
            &moderator(voter),
            h(2 + k as i64),
            Some(trigger),
        )
        .await;
    }
    run(store, g, Command::CloseVote, &Actor::System, h(80)).await;
    let reversal = Command::StartReversal {
        reason: "It duplicates another WG".into(),
        electorate: electorate(),
    };
    run(store, g, reversal, &moderator(102), h(90)).await;
    run(store, g, cast(Choice::No), &moderator(101), h(91)).await;
    run(store, g, cast(Choice::Yes), &moderator(102), h(92)).await;
    run(store, g, Command::WithdrawBallot, &moderator(102), h(93)).await;
    id
}

#[tokio::test]
async fn a_ballot_writes_rows_and_a_count_and_the_log_rebuilds_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("govbot.db")).await.unwrap();
    let id = two_votes(&store).await;

    let record = store.record(id).await.unwrap();
    assert_eq!(record.votes.len(), 2);
    let (creation, reversal) = (&record.votes[0], &record.votes[1]);
    assert_eq!(creation.ballots.len(), 6);
    assert_eq!(
        (
            creation.counts.yes,
            creation.counts.no,
            creation.counts.abstain
        ),
        (3, 0, 0)
    );
    assert_eq!(
        creation.ballots[0].trigger.as_deref(),
        Some("interaction:5000"),
        "each ballot keeps the trigger that cast it"
    );
    assert_eq!(reversal.ballots.len(), 3);
    assert_eq!((reversal.counts.yes, reversal.counts.no), (0, 1));
    // The state does not carry them: a ballot left the group's state as it was.
    let json: String = sqlx::query_scalar("SELECT state_json FROM groups WHERE id = ?")
        .bind(id.0)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert!(!json.contains("ballots"), "{json}");

    // The audit log alone rebuilds the state, every ballot row and every count.
    let replayed = store.replay(id).await.unwrap();
    assert_eq!(replayed, record);

    // What the adapters read agrees with the rows.
    let g = record.group;
    let vote = g.vote.as_ref().unwrap();
    let ballots = store.ballots(id, vote).await.unwrap();
    assert_eq!(ballots.len(), 3);
    assert_eq!(store.counts(id, vote).await.unwrap(), ballots.counts(vote));
    assert_eq!(
        store.standing(id, vote).await.unwrap(),
        ballots.standing(vote)
    );
    assert_eq!(
        store.standing_of(id, vote, MemberId(102)).await.unwrap(),
        None,
        "withdrawn"
    );
}

#[tokio::test]
async fn the_close_counts_every_voter_and_a_withdrawal_needs_a_ballot() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("govbot.db")).await.unwrap();
    let id = two_votes(&store).await;
    let policy = Policy::default();
    let err = store
        .execute(
            Target::Group(id),
            &Command::WithdrawBallot,
            &Acting::new(&moderator(103), t0() + Duration::hours(94), &policy),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "you have no ballot in this vote to withdraw"
    );
    let closes = store.group(id).await.unwrap().group.vote.unwrap().closes_at;
    let done = store
        .execute(
            Target::Group(id),
            &Command::CloseVote,
            &Acting::new(&Actor::System, closes, &policy),
            None,
        )
        .await
        .unwrap();
    let tally = done.group.vote.clone().unwrap().result.unwrap().tally;
    assert_eq!((tally.yes, tally.no, tally.abstain), (0, 1, 0));
    assert_eq!(tally.not_voted, vec![MemberId(102), MemberId(103)]);
    assert_eq!(
        store.replay(id).await.unwrap(),
        store.record(id).await.unwrap()
    );
}

// ---------------------------------------------------------------------------------------------
// A database from before ballots were rows

/// The migrations up to `last` (by number), applied to a new database at `path`.
async fn migrated_up_to(path: &Path, last: u32) -> sqlx::SqlitePool {
    let all = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let some = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(&all).unwrap() {
        let f = f.unwrap().path();
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let number: u32 = name[..4].parse().unwrap();
        if number <= last {
            std::fs::copy(&f, some.path().join(&name)).unwrap();
        }
    }
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let migrator = sqlx::migrate::Migrator::new(some.path()).await.unwrap();
    migrator.run(&pool).await.unwrap();
    pool
}

/// A group lived through the core, written as the store wrote it before migration 0009: its
/// state with its vote's ballots inside, and its events in the audit log.
async fn write_old(
    pool: &sqlx::SqlitePool,
    id: i64,
    events: &[Event],
    triggers: &[Option<String>],
) {
    let g = replay(events).unwrap();
    let mut state = serde_json::to_value(&g).unwrap();
    if let Some(vote) = state.get_mut("vote").and_then(Value::as_object_mut) {
        vote.insert(
            "ballots".into(),
            serde_json::to_value(Ballots::replay(events)).unwrap(),
        );
    }
    sqlx::query(
        "INSERT INTO groups (id, kind, name, name_key, state, proposer, proposed_at, updated_at,
                             version, next_due_at, state_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(g.kind.code())
    .bind(&g.name)
    .bind(govbot::governance::name_skeleton(&g.name))
    .bind(g.state.code())
    .bind(g.proposer.0 as i64)
    .bind(g.proposed_at.timestamp_millis())
    .bind(events.last().unwrap().at.timestamp_millis())
    .bind(events.len() as i64)
    .bind(next_deadline(&g).map(|t| t.timestamp_millis()))
    .bind(state.to_string())
    .execute(pool)
    .await
    .unwrap();
    for (k, e) in events.iter().enumerate() {
        sqlx::query(
            "INSERT INTO audit_log (group_id, seq, at, actor, kind, reason, trigger_key, event_json)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(k as i64 + 1)
        .bind(e.at.timestamp_millis())
        .bind(e.actor.id().map(|m| m.0 as i64))
        .bind(e.kind.name())
        .bind(&e.reason)
        .bind(&triggers[k])
        .bind(serde_json::to_string(e).unwrap())
        .execute(pool)
        .await
        .unwrap();
    }
}

/// Commands through the core, each with the trigger it came with.
fn lived(
    steps: &[(Actor, Timestamp, Command, Option<String>)],
) -> (Vec<Event>, Vec<Option<String>>) {
    let policy = Policy::default();
    let (mut events, mut triggers) = (Vec::new(), Vec::new());
    let mut group: Option<Group> = None;
    let mut ballots = Ballots::default();
    for (actor, at, cmd, trigger) in steps {
        let ctx = Acting::new(actor, *at, &policy);
        let new = match group.as_mut() {
            None => {
                let new = decide(None, &Ballots::NONE, cmd, &ctx).unwrap();
                group = Some(replay(&new).unwrap());
                new
            }
            Some(g) => g.decide_and_apply(&mut ballots, cmd, &ctx).unwrap(),
        };
        triggers.extend(new.iter().map(|_| trigger.clone()));
        events.extend(new);
    }
    (events, triggers)
}

#[tokio::test]
async fn a_database_with_an_open_vote_moves_its_ballots_into_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("govbot.db");
    let pool = migrated_up_to(&path, 7).await;
    let alice = Actor::member(MemberId(1), []);
    let h = |n| t0() + Duration::hours(n);
    let key = |n: u64| Some(format!("interaction:{n}"));
    // Group 1: under vote, with a changed and a withdrawn ballot.
    let (open, open_triggers) = lived(&[
        (
            alice.clone(),
            h(0),
            Command::Propose {
                template: wg("Security in MCP"),
            },
            key(1),
        ),
        (
            moderator(101),
            h(1),
            Command::CallVote {
                electorate: electorate(),
            },
            key(2),
        ),
        (moderator(101), h(2), cast(Choice::No), key(3)),
        (moderator(102), h(3), cast(Choice::Yes), key(4)),
        (moderator(101), h(4), cast(Choice::Yes), key(5)),
        (moderator(103), h(5), cast(Choice::Abstain), key(6)),
        (moderator(103), h(6), Command::WithdrawBallot, key(7)),
    ]);
    write_old(&pool, 1, &open, &open_triggers).await;
    // Group 2: approved and given its channel.
    let (active, active_triggers) = lived(&[
        (
            alice.clone(),
            h(0),
            Command::Propose {
                template: wg("Registry"),
            },
            None,
        ),
        (
            moderator(101),
            h(1),
            Command::CallVote {
                electorate: electorate(),
            },
            None,
        ),
        (moderator(101), h(2), cast(Choice::Yes), key(20)),
        (moderator(102), h(3), cast(Choice::Yes), key(21)),
        (Actor::System, h(73), Command::CloseVote, None),
        (
            Actor::System,
            h(74),
            Command::LinkChannel { channel: 777 },
            None,
        ),
    ]);
    write_old(&pool, 2, &active, &active_triggers).await;
    let old: String = sqlx::query_scalar("SELECT state_json FROM groups WHERE id = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        old.contains("\"ballots\""),
        "the fixture is in the old format"
    );
    pool.close().await;

    let store = Store::open(&path).await.unwrap();
    let (one, two) = (GroupId(1), GroupId(2));
    for id in [one, two] {
        let record = store.record(id).await.unwrap();
        assert_eq!(store.replay(id).await.unwrap(), record, "group {id}");
        let json: String = sqlx::query_scalar("SELECT state_json FROM groups WHERE id = ?")
            .bind(id.0)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert!(!json.contains("ballots"), "{json}");
    }
    let g = store.group(one).await.unwrap().group;
    let vote = g.vote.as_ref().unwrap();
    assert_eq!(store.ballots(one, vote).await.unwrap().len(), 5);
    let counts = store.counts(one, vote).await.unwrap();
    assert_eq!((counts.yes, counts.no, counts.abstain), (2, 0, 0));
    assert_eq!(
        store.record(one).await.unwrap().votes[0].ballots[0]
            .trigger
            .as_deref(),
        Some("interaction:3")
    );
    // The channel is a column now, and the names are indexed.
    assert_eq!(
        store.group_by_channel(777).await.unwrap(),
        Some((two, GroupState::Active))
    );
    let similar = store.similar_names("MCP security").await.unwrap();
    assert_eq!(similar.iter().map(|m| m.id).collect::<Vec<_>>(), [one]);

    // The vote goes on: 103 votes again, 102 withdraws, and it closes on the rows.
    let g1 = Target::Group(one);
    run(&store, g1, cast(Choice::No), &moderator(103), h(7)).await;
    run(&store, g1, Command::WithdrawBallot, &moderator(102), h(8)).await;
    let done = store
        .execute(
            g1,
            &Command::CloseVote,
            &Acting::new(&Actor::System, vote.closes_at, &Policy::default()),
            None,
        )
        .await
        .unwrap();
    let tally = done.group.vote.clone().unwrap().result.unwrap().tally;
    assert_eq!((tally.yes, tally.no, tally.abstain), (1, 1, 0));
    assert_eq!(tally.not_voted, vec![MemberId(102)]);
    assert_eq!(
        store.replay(one).await.unwrap(),
        store.record(one).await.unwrap()
    );
}

#[tokio::test]
async fn an_amended_name_is_indexed_anew_and_a_stale_index_is_rebuilt_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("govbot.db");
    let store = Store::open(&path).await.unwrap();
    let alice = Actor::member(MemberId(1), []);
    let id = run(
        &store,
        Target::New,
        Command::Propose {
            template: wg("Server Registry"),
        },
        &alice,
        t0(),
    )
    .await;
    let ids = |v: Vec<govbot::store::NameMatch>| v.into_iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.similar_names("registry server").await.unwrap()),
        [id]
    );
    run(
        &store,
        Target::Group(id),
        Command::Amend {
            template: wg("Tool Filtering"),
        },
        &alice,
        t0() + Duration::hours(1),
    )
    .await;
    assert!(store
        .similar_names("registry server")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        ids(store.similar_names("filtering tool").await.unwrap()),
        [id]
    );
    // Taken names are refused under the amended name, not the old one.
    assert!(store
        .name_taken(GroupKind::Wg, "tool  filtering!", None)
        .await
        .unwrap()
        .is_some());
    assert!(store
        .name_taken(GroupKind::Wg, "Server Registry", None)
        .await
        .unwrap()
        .is_none());

    // An index built by another version of the words is rebuilt when the store opens.
    sqlx::query("DELETE FROM group_name_words")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE derived_indexes SET version = version - 1")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    let store = Store::open(&path).await.unwrap();
    assert_eq!(
        ids(store.similar_names("filtering tool").await.unwrap()),
        [id]
    );
}
