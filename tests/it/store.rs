//! The store on real SQLite files in temporary directories.

use crate::common::core::{member, moderator, wg};
use crate::common::t0;
use chrono::Duration;
use govbot::governance::*;
use govbot::store::{GroupFilter, GroupId, Store, StoreError, Target, Trigger};
use std::collections::BTreeSet;
use tempfile::TempDir;

async fn store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("govbot.db")).await.unwrap();
    (dir, store)
}

async fn propose(store: &Store, name: &str) -> GroupId {
    let policy = Policy::default();
    store
        .execute(
            Target::New,
            &Command::Propose { template: wg(name) },
            &Acting::new(&member(1), t0(), &policy),
            None,
        )
        .await
        .unwrap()
        .id
}

async fn open_vote(store: &Store, id: GroupId, electorate: &[u64]) {
    let policy = Policy::default();
    let electorate: BTreeSet<_> = electorate.iter().map(|m| MemberId(*m)).collect();
    store
        .execute(
            Target::Group(id),
            &Command::CallVote { electorate },
            &Acting::new(&moderator(100), t0(), &policy),
            None,
        )
        .await
        .unwrap();
}

async fn audit_rows(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_database_runs_in_wal_mode_with_foreign_keys_on() {
    let (_dir, store) = store().await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(fk, 1);
    assert!(busy >= 1000, "busy timeout {busy} ms");
}

#[tokio::test]
async fn the_audit_log_refuses_update_and_delete() {
    let (_dir, store) = store().await;
    let id = propose(&store, "Registry").await;
    let update = sqlx::query("UPDATE audit_log SET reason = 'rewritten' WHERE group_id = ?")
        .bind(id.0)
        .execute(store.pool())
        .await
        .unwrap_err();
    assert!(update.to_string().contains("append-only"), "{update}");
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(store.pool())
        .await
        .unwrap_err();
    assert!(delete.to_string().contains("append-only"), "{delete}");
    assert_eq!(audit_rows(&store).await, 1);
    assert_eq!(store.history(id).await.unwrap()[0].event.reason, None);
}

#[tokio::test]
async fn a_duplicate_trigger_is_refused_and_changes_nothing() {
    let (_dir, store) = store().await;
    let id = propose(&store, "Registry").await;
    open_vote(&store, id, &[100, 101]).await;
    let policy = Policy::default();
    let voter = moderator(101);
    let ctx = Acting::new(&voter, t0() + Duration::hours(1), &policy);
    let cast = Command::Cast {
        choice: Choice::Yes,
    };
    let trigger = Trigger::Interaction(42);
    store
        .execute(Target::Group(id), &cast, &ctx, Some(&trigger))
        .await
        .unwrap();
    let before = store.group(id).await.unwrap();
    let rows = audit_rows(&store).await;

    let again = store
        .execute(Target::Group(id), &cast, &ctx, Some(&trigger))
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Duplicate(_)), "{again:?}");
    assert_eq!(
        again.to_string(),
        "this interaction was already processed; nothing was changed"
    );
    assert_eq!(store.group(id).await.unwrap(), before);
    assert_eq!(audit_rows(&store).await, rows);
    let vote = before.group.vote.unwrap();
    let tally = store.ballots(id, &vote).await.unwrap().tally(&vote);
    assert_eq!(tally.yes, 1);
}

#[tokio::test]
async fn a_reaction_removed_and_added_again_counts_but_a_replayed_one_does_not() {
    let (_dir, store) = store().await;
    let id = propose(&store, "Registry").await;
    open_vote(&store, id, &[100, 101]).await;
    let policy = Policy::default();
    let voter = moderator(101);
    let reaction = |added| Trigger::Reaction {
        message: 9,
        user: 101,
        emoji: "✅".into(),
        added,
    };
    let mut now = t0();
    let mut step = |cmd: Command, trigger: Trigger| {
        now += Duration::minutes(1);
        let store = store.clone();
        let voter = voter.clone();
        let policy = policy.clone();
        let at = now;
        async move {
            store
                .execute(
                    Target::Group(id),
                    &cmd,
                    &Acting::new(&voter, at, &policy),
                    Some(&trigger),
                )
                .await
        }
    };
    let yes = || Command::Cast {
        choice: Choice::Yes,
    };
    step(yes(), reaction(true)).await.unwrap();
    assert!(matches!(
        step(yes(), reaction(true)).await,
        Err(StoreError::Duplicate(_))
    ));
    step(Command::WithdrawBallot, reaction(false))
        .await
        .unwrap();
    assert!(matches!(
        step(Command::WithdrawBallot, reaction(false)).await,
        Err(StoreError::Duplicate(_))
    ));
    step(yes(), reaction(true)).await.unwrap();
    let vote = store.group(id).await.unwrap().group.vote.unwrap();
    let ballots = store.ballots(id, &vote).await.unwrap();
    assert_eq!(ballots.len(), 3);
    assert_eq!(ballots.tally(&vote).yes, 1);
}

#[tokio::test]
async fn state_and_events_cannot_diverge_when_the_state_write_fails() {
    let (_dir, store) = store().await;
    let id = propose(&store, "Registry").await;
    let before = store.group(id).await.unwrap();
    let rows = audit_rows(&store).await;

    // The events are appended first; make the state write that follows them fail.
    sqlx::query(
        "CREATE TRIGGER injected_failure BEFORE UPDATE ON groups
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let policy = Policy::default();
    let err = store
        .execute(
            Target::Group(id),
            &Command::CallVote {
                electorate: [MemberId(100)].into(),
            },
            &Acting::new(&moderator(100), t0(), &policy),
            Some(&Trigger::Interaction(7)),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("injected failure"), "{err}");
    assert!(!err.is_user_facing());
    assert_eq!(
        audit_rows(&store).await,
        rows,
        "no event may outlive the failed state write"
    );
    assert_eq!(store.group(id).await.unwrap(), before);
    let processed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM processed_triggers")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(
        processed, 0,
        "a failed decision must not mark its trigger as processed"
    );

    // The same holds for a new group: its proposal event is written before its first state row.
    sqlx::query(
        "CREATE TRIGGER injected_insert_failure BEFORE INSERT ON groups
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let err = store
        .execute(
            Target::New,
            &Command::Propose {
                template: wg("Inspector"),
            },
            &Acting::new(&member(1), t0(), &policy),
            None,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("injected failure"), "{err}");
    assert_eq!(audit_rows(&store).await, rows);
}

#[tokio::test]
async fn replaying_the_audit_log_rebuilds_the_stored_state() {
    let (_dir, store) = store().await;
    let id = propose(&store, "Registry").await;
    open_vote(&store, id, &[100, 101, 102]).await;
    let policy = Policy::default();
    for (voter, choice, minutes) in [
        (100, Choice::Yes, 5),
        (101, Choice::No, 6),
        (101, Choice::Yes, 7),
    ] {
        store
            .execute(
                Target::Group(id),
                &Command::Cast { choice },
                &Acting::new(
                    &moderator(voter),
                    t0() + Duration::minutes(minutes),
                    &policy,
                ),
                None,
            )
            .await
            .unwrap();
    }
    let close = store
        .execute(
            Target::Group(id),
            &Command::CloseVote,
            &Acting::new(&Actor::System, t0() + Duration::hours(80), &policy),
            None,
        )
        .await
        .unwrap();
    assert_eq!(close.group.state, GroupState::Active);
    let stored = store.group(id).await.unwrap();
    assert_eq!(stored.version, 6);
    assert_eq!(store.replay(id).await.unwrap().group, stored.group);
    let history = store.history(id).await.unwrap();
    let seqs: Vec<_> = history.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6]);
}

#[tokio::test]
async fn groups_survive_closing_and_reopening_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("govbot.db");
    let id = {
        let store = Store::open(&path).await.unwrap();
        let id = propose(&store, "Registry").await;
        open_vote(&store, id, &[100]).await;
        store.close().await;
        id
    };
    let store = Store::open_existing(&path).await.unwrap();
    let g = store.group(id).await.unwrap().group;
    assert_eq!(g.state, GroupState::UnderVote);
    assert_eq!(g.name, "Registry");
}

#[tokio::test]
async fn an_unknown_group_id_is_a_clear_error() {
    let (_dir, store) = store().await;
    let err = store.group(GroupId(99)).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no group with id 99; `/group list` or `govbot groups list` shows the ids"
    );
    assert!(matches!(
        store.history(GroupId(99)).await,
        Err(StoreError::UnknownGroup(_))
    ));
    let policy = Policy::default();
    let err = store
        .execute(
            Target::Group(GroupId(99)),
            &Command::Withdraw,
            &Acting::new(&member(1), t0(), &policy),
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownGroup(GroupId(99))));
}

#[tokio::test]
async fn a_name_already_taken_by_a_live_group_of_the_same_kind_is_refused() {
    let (_dir, store) = store().await;
    let first = propose(&store, "Server Identity").await;
    let policy = Policy::default();
    let err = store
        .execute(
            Target::New,
            &Command::Propose {
                template: wg("server-identity!"),
            },
            &Acting::new(&member(2), t0(), &policy),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("WG 'server-identity!' already exists (id {first}, proposed); choose another name or join that group")
    );
    // Once withdrawn, the name is free again.
    store
        .execute(
            Target::Group(first),
            &Command::Withdraw,
            &Acting::new(&member(1), t0(), &policy),
            None,
        )
        .await
        .unwrap();
    propose(&store, "Server Identity").await;
}

#[tokio::test]
async fn similar_names_are_found_for_the_overlap_warning() {
    let (_dir, store) = store().await;
    propose(&store, "Security in MCP").await;
    propose(&store, "Registry").await;
    let similar = store.similar_names("MCP Security").await.unwrap();
    let names: Vec<_> = similar.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["Security in MCP"]);
    assert!(store
        .similar_names("Tool Filtering")
        .await
        .unwrap()
        .is_empty());
    // A lookalike in another script is the same name to the overlap warning.
    let similar = store.similar_names("Regіstry").await.unwrap();
    let names: Vec<_> = similar.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["Registry"]);
}

async fn propose_as(store: &Store, who: u64, name: &str) -> Result<GroupId, StoreError> {
    store
        .execute(
            Target::New,
            &Command::Propose { template: wg(name) },
            &Acting::new(&member(who), t0(), &Policy::default()),
            None,
        )
        .await
        .map(|e| e.id)
}

#[tokio::test]
async fn a_name_in_lookalike_letters_of_another_script_is_the_same_name() {
    let (_dir, store) = store().await;
    let copy = propose(&store, "Copy Tools").await;
    // Cyrillic С, о, р, у: a valid name (each word has one script) with the skeleton of "Copy".
    let err = propose_as(&store, 2, "\u{421}\u{43E}\u{440}\u{443} tools")
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::DuplicateName { existing, .. } if existing == copy),
        "{err}"
    );
    // Full-width letters are stored in NFKC, and so are the same name too.
    let err = propose_as(&store, 2, "ＣＯＰＹ ＴＯＯＬＳ")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::DuplicateName { .. }), "{err}");
}

#[tokio::test]
async fn an_amended_name_is_the_one_the_duplicate_check_sees() {
    let (_dir, store) = store().await;
    let id = propose(&store, "Registry").await;
    store
        .execute(
            Target::Group(id),
            &Command::Amend {
                template: wg("Inspector"),
            },
            &Acting::new(&member(1), t0(), &Policy::default()),
            None,
        )
        .await
        .unwrap();
    // "Registry" is free again; "Inspector" is taken.
    propose_as(&store, 2, "Registry").await.unwrap();
    let err = propose_as(&store, 3, "inspector").await.unwrap_err();
    assert!(
        matches!(err, StoreError::DuplicateName { existing, .. } if existing == id),
        "{err}"
    );
}

#[tokio::test]
async fn keys_written_by_an_earlier_govbot_are_rewritten_as_skeletons_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("govbot.db");
    let store = Store::open(&path).await.unwrap();
    let id = propose(&store, "Copy Maps").await;
    // The key as the earlier fold wrote it: lower case, letters and digits; and no record of
    // the definition, as an earlier govbot kept none.
    sqlx::query("UPDATE groups SET name_key = 'copy maps' WHERE id = ?")
        .bind(id.0)
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM derived_indexes WHERE name = 'groups.name_key'")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    let store = Store::open(&path).await.unwrap();
    let key: String = sqlx::query_scalar("SELECT name_key FROM groups WHERE id = ?")
        .bind(id.0)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(key, name_skeleton("Copy Maps"));
    assert_eq!(key, "copy rnaps", "TR39 takes an m for rn");
    let err = propose_as(&store, 2, "\u{421}\u{43E}\u{440}\u{443} maps")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::DuplicateName { .. }), "{err}");
}

/// Rewriting the keys reads every group, so a start does it only when the definition that wrote
/// them is not the running one: a key that is not its name's skeleton stays until then.
#[tokio::test]
async fn the_name_keys_are_rewritten_only_when_their_definition_changed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("govbot.db");
    let store = Store::open(&path).await.unwrap();
    let id = propose(&store, "Copy Maps").await;
    let key = |store: Store| async move {
        let key: String = sqlx::query_scalar("SELECT name_key FROM groups WHERE id = ?")
            .bind(id.0)
            .fetch_one(store.pool())
            .await
            .unwrap();
        let written: i64 = sqlx::query_scalar(
            "SELECT version FROM derived_indexes WHERE name = 'groups.name_key'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        store.close().await;
        (key, written)
    };
    sqlx::query("UPDATE groups SET name_key = 'stale' WHERE id = ?")
        .bind(id.0)
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    let again = Store::open(&path).await.unwrap();
    assert_eq!(
        key(again).await,
        ("stale".to_string(), govbot::store::NAME_KEY_VERSION)
    );

    let store = Store::open(&path).await.unwrap();
    sqlx::query("UPDATE derived_indexes SET version = ? WHERE name = 'groups.name_key'")
        .bind(govbot::store::NAME_KEY_VERSION - 1)
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    let changed = Store::open(&path).await.unwrap();
    assert_eq!(
        key(changed).await,
        (name_skeleton("Copy Maps"), govbot::store::NAME_KEY_VERSION)
    );
}

#[tokio::test]
async fn listing_filters_by_kind_and_state() {
    let (_dir, store) = store().await;
    let a = propose(&store, "Registry").await;
    propose(&store, "Inspector").await;
    open_vote(&store, a, &[100]).await;
    let under_vote = store
        .list(&GroupFilter {
            kind: Some(GroupKind::Wg),
            state: Some(GroupState::UnderVote),
        })
        .await
        .unwrap();
    assert_eq!(under_vote.len(), 1);
    assert_eq!(under_vote[0].id, a);
    let igs = store
        .list(&GroupFilter {
            kind: Some(GroupKind::Ig),
            state: None,
        })
        .await
        .unwrap();
    assert!(igs.is_empty());
    assert_eq!(store.list(&GroupFilter::default()).await.unwrap().len(), 2);
}

#[tokio::test]
async fn ballots_from_the_whole_electorate_at_the_same_instant_all_count() {
    let (_dir, store) = store().await;
    let id = propose(&store, "Registry").await;
    let electorate: Vec<u64> = (100..140).collect();
    open_vote(&store, id, &electorate).await;
    let policy = Policy::default();
    let at = t0() + Duration::hours(2);
    let tasks: Vec<_> = electorate
        .iter()
        .map(|voter| {
            let store = store.clone();
            let policy = policy.clone();
            let voter = moderator(*voter);
            tokio::spawn(async move {
                store
                    .execute(
                        Target::Group(id),
                        &Command::Cast {
                            choice: Choice::Yes,
                        },
                        &Acting::new(&voter, at, &policy),
                        None,
                    )
                    .await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let vote = store.group(id).await.unwrap().group.vote.unwrap();
    assert_eq!(store.ballots(id, &vote).await.unwrap().tally(&vote).yes, 40);
    assert_eq!(store.counts(id, &vote).await.unwrap().yes, 40);
    assert_eq!(audit_rows(&store).await, 2 + 40);
}

#[tokio::test]
async fn opening_a_missing_database_for_reading_does_not_create_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.db");
    let err = Store::open_existing(&path).await.unwrap_err();
    assert!(err.to_string().contains("govbot migrate"), "{err}");
    assert!(!path.exists());
}

/// The outbox's waiting events: only a group's oldest is ever due, so its later effects never
/// overtake it, while another group's flow; a failure keeps it waiting with its retry time.
#[tokio::test]
async fn only_the_oldest_waiting_event_of_a_group_is_due() {
    let (_dir, store) = store().await;
    let a = propose(&store, "Registry").await;
    let b = propose(&store, "Inspector").await;
    open_vote(&store, a, &[100]).await;
    let events = store.events_after(0, 10).await.unwrap();
    let [a1, b1, a2] = [0, 1, 2].map(|i| events[i].id);
    let failure = |attempts, next_at| govbot::store::FailedAttempt {
        attempts,
        next_at,
        error: "HTTP 503",
        needs_person: None,
    };
    store
        .outbox_failed(a1, a, &failure(1, 500), true)
        .await
        .unwrap();
    store.outbox_wait_behind(a2, a).await.unwrap();
    store.outbox_wait_behind(a2, a).await.unwrap();
    store
        .outbox_failed(b1, b, &failure(1, 100), true)
        .await
        .unwrap();
    let due = |now| {
        let store = store.clone();
        async move {
            let due = store.outbox_due(now, 10).await.unwrap();
            due.into_iter().map(|p| p.event_id).collect::<Vec<_>>()
        }
    };
    assert_eq!(due(0).await, Vec::<i64>::new());
    assert_eq!(due(100).await, [b1]);
    assert_eq!(due(1000).await, [a1, b1], "a2 waits behind a1");
    assert_eq!(store.outbox_next_at().await.unwrap(), Some(100));
    store.outbox_done(a1).await.unwrap();
    assert_eq!(due(1000).await, [b1, a2]);
    // A retry that fails after an operator dropped the event does not bring it back.
    store.outbox_done(b1).await.unwrap();
    store
        .outbox_failed(b1, b, &failure(2, 0), false)
        .await
        .unwrap();
    assert_eq!(due(1000).await, [a2]);
}

/// Dropping an effect is an audit event that changes nothing in the group, and replay agrees.
#[tokio::test]
async fn a_dropped_effect_is_recorded_and_replay_still_rebuilds_the_group() {
    let (_dir, store) = store().await;
    let id = propose(&store, "Registry").await;
    let before = store.group(id).await.unwrap().group;
    let policy = Policy::default();
    let drop = Command::DropEffect {
        event: 1,
        reason: "the channel was deleted on purpose".into(),
    };
    let refused = store
        .execute(
            Target::Group(id),
            &drop,
            &Acting::new(&moderator(100), t0(), &policy),
            None,
        )
        .await;
    assert!(refused.is_err(), "only the operator's shell drops effects");
    store
        .execute(
            Target::Group(id),
            &drop,
            &Acting::new(&Actor::System, t0(), &policy),
            None,
        )
        .await
        .unwrap();
    let after = store.group(id).await.unwrap();
    assert_eq!(after.group, before);
    assert_eq!(store.replay(id).await.unwrap().group, after.group);
    let last = store.history(id).await.unwrap().pop().unwrap();
    assert_eq!(last.event.kind, EventKind::EffectDropped { event: 1 });
    assert_eq!(
        last.event.reason.as_deref(),
        Some("the channel was deleted on purpose")
    );
}

/// What a member typing into a group id option is offered: words of names, or the number.
#[tokio::test]
async fn groups_are_found_by_the_start_of_their_names_words_live_ones_first() {
    let (dir, store) = store().await;
    let policy = Policy::default();
    let withdrawn = propose(&store, "Registry Tools").await;
    store
        .execute(
            Target::Group(withdrawn),
            &Command::Withdraw,
            &Acting::new(&member(1), t0(), &policy),
            None,
        )
        .await
        .unwrap();
    let proposed = propose(&store, "Registry Mirrors").await;
    let active = propose(&store, "Server Registry").await;
    open_vote(&store, active, &[100]).await;
    for (cmd, actor, at) in [
        (
            Command::Cast {
                choice: Choice::Yes,
            },
            moderator(100),
            t0(),
        ),
        (
            Command::CloseVote,
            Actor::System,
            t0() + Duration::hours(72),
        ),
    ] {
        store
            .execute(
                Target::Group(active),
                &cmd,
                &Acting::new(&actor, at, &policy),
                None,
            )
            .await
            .unwrap();
    }
    let security = propose(&store, "Security in MCP").await;

    let ids =
        |found: Vec<govbot::store::GroupChoice>| found.iter().map(|g| g.id).collect::<Vec<_>>();
    // A word's start anywhere in the name, in any case: active, then proposals, then the rest.
    assert_eq!(
        ids(store.groups_named_like("REG", 25).await.unwrap()),
        [active, proposed, withdrawn]
    );
    assert_eq!(
        ids(store.groups_named_like("regi mir", 25).await.unwrap()),
        [proposed]
    );
    // Not inside a word.
    assert!(store
        .groups_named_like("istry", 25)
        .await
        .unwrap()
        .is_empty());
    // The number, first, whatever its name.
    assert_eq!(
        ids(store.groups_named_like("#4", 25).await.unwrap())[0],
        security
    );
    // Nothing typed yet: everything, live first, within the limit.
    let all = store.groups_named_like("", 2).await.unwrap();
    assert_eq!(ids(all.clone()), [active, proposed]);
    assert_eq!(all[0].name, "Server Registry");
    assert_eq!(all[0].kind, GroupKind::Wg);
    assert_eq!(all[0].state, GroupState::Active);
    store.close().await;

    // One query, which reads names from the index rather than every group's row.
    use sqlx::{Connection as _, Row as _};
    let mut conn = sqlx::SqliteConnection::connect(&format!(
        "sqlite://{}",
        dir.path().join("govbot.db").display()
    ))
    .await
    .unwrap();
    let plan: Vec<String> = sqlx::query(&format!(
        "EXPLAIN QUERY PLAN {}",
        govbot::store::GROUPS_NAMED_LIKE
    ))
    .bind(Option::<i64>::None)
    .bind("[\"reg\"]")
    .bind(25)
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|row| row.get::<String, _>("detail"))
    .collect();
    assert!(
        plan.iter()
            .any(|d| d.contains("USING COVERING INDEX groups_by_name")),
        "{plan:#?}"
    );
    assert!(
        !plan.iter().any(|d| d == "SCAN g" || d == "SCAN n"),
        "reads every group's row: {plan:#?}"
    );
}
