//! Votes and ballots as rows (see `migrations/0009_ballots.sql`): a row per ballot, the count of
//! standing ballots per vote, both written by the decision that cast the ballot, in its
//! transaction. A ballot therefore costs a few small rows whatever the size of its vote; the
//! group's state does not change and is not rewritten.
//!
//! A vote row's id is the audit log id of its `vote_opened` event and a ballot row's id that of
//! its `ballot_cast` event, so both are projections of the log: [`Store::replay`] rebuilds them
//! from it alone, and tests check the two agree.

use super::error::StoreError;
use super::groups::GroupId;
use super::{from_millis, millis, Store};
use crate::governance::{Ballot, Ballots, Choice, Counts, Event, EventKind, MemberId, Vote};
use sqlx::{Row, SqliteConnection};
use std::collections::BTreeMap;

fn choice_code(c: Option<Choice>) -> Option<&'static str> {
    c.map(|c| match c {
        Choice::Yes => "yes",
        Choice::No => "no",
        Choice::Abstain => "abstain",
    })
}

fn choice_of_code(code: Option<String>) -> Result<Option<Choice>, StoreError> {
    code.map(|c| match c.as_str() {
        "yes" => Ok(Choice::Yes),
        "no" => Ok(Choice::No),
        "abstain" => Ok(Choice::Abstain),
        other => Err(StoreError::Corrupt(format!(
            "unknown ballot choice {other:?}"
        ))),
    })
    .transpose()
}

pub(super) fn ballot(row: &sqlx::sqlite::SqliteRow) -> Result<Ballot, StoreError> {
    Ok(Ballot {
        voter: MemberId(row.get::<i64, _>("voter") as u64),
        choice: choice_of_code(row.get("choice"))?,
        at: from_millis(row.get("at"))?,
    })
}

/// The id of `group`'s vote opened at `opened_at`, if it was recorded.
pub(super) async fn vote_id(
    conn: &mut SqliteConnection,
    group: GroupId,
    opened_at: crate::governance::Timestamp,
) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM votes WHERE group_id = ? AND opened_at = ?")
            .bind(group.0)
            .bind(millis(opened_at))
            .fetch_optional(conn)
            .await?,
    )
}

/// `voter`'s last ballot in a vote, if any.
async fn last_of(
    conn: &mut SqliteConnection,
    vote: i64,
    voter: MemberId,
) -> Result<Option<Ballot>, StoreError> {
    let row = sqlx::query(
        "SELECT voter, choice, at FROM ballots WHERE vote_id = ? AND voter = ?
         ORDER BY id DESC LIMIT 1",
    )
    .bind(vote)
    .bind(voter.0 as i64)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(ballot).transpose()
}

/// Each voter's last ballot in a vote (withdrawals included), by voter.
async fn last_of_each(conn: &mut SqliteConnection, vote: i64) -> Result<Ballots, StoreError> {
    let rows = sqlx::query(
        "SELECT b.voter, b.choice, b.at FROM ballots b WHERE b.vote_id = ?1
           AND b.id = (SELECT MAX(c.id) FROM ballots c WHERE c.vote_id = ?1 AND c.voter = b.voter)
         ORDER BY b.voter",
    )
    .bind(vote)
    .fetch_all(conn)
    .await?;
    rows.iter().map(ballot).collect()
}

/// What a decision's transaction already read of the votes and ballots, so recording its events
/// does not read it again: the vote row of the running vote, and voters' last choices.
#[derive(Debug, Default)]
pub(super) struct Known {
    /// The running vote's opening instant (ms) and row id.
    vote: Option<(i64, i64)>,
    /// Voters' standing choices in that vote, as far as read or written.
    last: std::collections::BTreeMap<MemberId, Option<Choice>>,
}

/// What a command reads of the running vote's ballots ([`crate::governance::BallotsRead`]).
pub(super) async fn read_for(
    conn: &mut SqliteConnection,
    group: GroupId,
    vote: &Vote,
    read: crate::governance::BallotsRead,
    actor: Option<MemberId>,
    known: &mut Known,
) -> Result<Ballots, StoreError> {
    use crate::governance::BallotsRead;
    if read == BallotsRead::Nothing {
        return Ok(Ballots::NONE);
    }
    let Some(id) = vote_id(&mut *conn, group, vote.opened_at).await? else {
        return Err(StoreError::Corrupt(format!(
            "group {group}'s running vote has no row in votes"
        )));
    };
    known.vote = Some((millis(vote.opened_at), id));
    match (read, actor) {
        (BallotsRead::Every, _) => last_of_each(conn, id).await,
        (BallotsRead::Actor, Some(voter)) => {
            let last = last_of(conn, id, voter).await?;
            known
                .last
                .insert(voter, last.as_ref().and_then(|b| b.choice));
            Ok(last.into_iter().collect())
        }
        _ => Ok(Ballots::NONE),
    }
}

/// Records what an event adds to the votes and ballots: a vote opened gets its row, a ballot its
/// row and its move in the vote's count. `event_id` is the event's audit log id; `vote` is the
/// opening instant of the group's vote once the event is applied.
pub(super) async fn project(
    conn: &mut SqliteConnection,
    group: GroupId,
    event_id: i64,
    event: &Event,
    trigger: Option<&str>,
    vote: Option<crate::governance::Timestamp>,
    known: &mut Known,
) -> Result<(), StoreError> {
    match &event.kind {
        EventKind::VoteOpened { .. } => {
            sqlx::query("INSERT INTO votes (id, group_id, opened_at) VALUES (?, ?, ?)")
                .bind(event_id)
                .bind(group.0)
                .bind(millis(event.at))
                .execute(&mut *conn)
                .await?;
            known.vote = Some((millis(event.at), event_id));
            known.last.clear();
        }
        EventKind::BallotCast { voter, choice } => {
            let opened = vote.ok_or_else(|| {
                StoreError::Corrupt(format!("a ballot in group {group} without a vote"))
            })?;
            let vote = match known.vote {
                Some((at, id)) if at == millis(opened) => id,
                _ => {
                    let id = vote_id(&mut *conn, group, opened).await?.ok_or_else(|| {
                        StoreError::Corrupt(format!("group {group}'s vote has no row in votes"))
                    })?;
                    known.vote = Some((millis(opened), id));
                    known.last.clear();
                    id
                }
            };
            let before = match known.last.get(voter) {
                Some(c) => *c,
                None => last_of(&mut *conn, vote, *voter)
                    .await?
                    .and_then(|b| b.choice),
            };
            known.last.insert(*voter, *choice);
            sqlx::query(
                "INSERT INTO ballots (id, vote_id, voter, choice, at, trigger_key)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(event_id)
            .bind(vote)
            .bind(voter.0 as i64)
            .bind(choice_code(*choice))
            .bind(millis(event.at))
            .bind(trigger)
            .execute(&mut *conn)
            .await?;
            if before != *choice {
                let delta =
                    |c: Choice| i64::from(*choice == Some(c)) - i64::from(before == Some(c));
                sqlx::query(
                    "UPDATE votes SET yes_count = yes_count + ?, no_count = no_count + ?,
                                      abstain_count = abstain_count + ?
                     WHERE id = ?",
                )
                .bind(delta(Choice::Yes))
                .bind(delta(Choice::No))
                .bind(delta(Choice::Abstain))
                .bind(vote)
                .execute(&mut *conn)
                .await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A vote as the store keeps it: its count and every ballot with the trigger that cast it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteRecord {
    /// The audit log id of the vote's opening.
    pub id: i64,
    pub opened_at: crate::governance::Timestamp,
    pub counts: Counts,
    pub ballots: Vec<BallotRecord>,
}

/// One ballot as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotRecord {
    /// The audit log id of its event.
    pub id: i64,
    pub ballot: Ballot,
    pub trigger: Option<String>,
}

fn counts(row: &sqlx::sqlite::SqliteRow) -> Counts {
    let n = |c: &str| row.get::<i64, _>(c).try_into().unwrap_or(0);
    Counts {
        yes: n("yes_count"),
        no: n("no_count"),
        abstain: n("abstain_count"),
    }
}

impl Store {
    /// Every ballot of `group`'s vote `vote`, in the order cast.
    pub async fn ballots(&self, group: GroupId, vote: &Vote) -> Result<Ballots, StoreError> {
        let rows = sqlx::query(
            "SELECT b.voter, b.choice, b.at FROM ballots b JOIN votes v ON v.id = b.vote_id
             WHERE v.group_id = ? AND v.opened_at = ? ORDER BY b.id",
        )
        .bind(group.0)
        .bind(millis(vote.opened_at))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(ballot).collect()
    }

    /// Each voter's standing choice in `group`'s vote `vote`.
    pub async fn standing(
        &self,
        group: GroupId,
        vote: &Vote,
    ) -> Result<BTreeMap<MemberId, Choice>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let Some(id) = vote_id(&mut conn, group, vote.opened_at).await? else {
            return Ok(BTreeMap::new());
        };
        Ok(last_of_each(&mut conn, id).await?.standing(vote))
    }

    /// `voter`'s standing choice in `group`'s vote `vote`.
    pub async fn standing_of(
        &self,
        group: GroupId,
        vote: &Vote,
        voter: MemberId,
    ) -> Result<Option<Choice>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let Some(id) = vote_id(&mut conn, group, vote.opened_at).await? else {
            return Ok(None);
        };
        let last: Ballots = last_of(&mut conn, id, voter).await?.into_iter().collect();
        Ok(last.choice_of(vote, voter))
    }

    /// The count of standing ballots in `group`'s vote `vote` (one row).
    pub async fn counts(&self, group: GroupId, vote: &Vote) -> Result<Counts, StoreError> {
        let row = sqlx::query(
            "SELECT yes_count, no_count, abstain_count FROM votes
             WHERE group_id = ? AND opened_at = ?",
        )
        .bind(group.0)
        .bind(millis(vote.opened_at))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(counts).unwrap_or_default())
    }

    /// `group`'s votes as the tables keep them, oldest first (see [`Store::record`]).
    pub(super) async fn vote_records(&self, group: GroupId) -> Result<Vec<VoteRecord>, StoreError> {
        let votes = sqlx::query(
            "SELECT id, opened_at, yes_count, no_count, abstain_count FROM votes
             WHERE group_id = ? ORDER BY id",
        )
        .bind(group.0)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(votes.len());
        for v in &votes {
            let id: i64 = v.get("id");
            let rows = sqlx::query(
                "SELECT id, voter, choice, at, trigger_key FROM ballots WHERE vote_id = ?
                 ORDER BY id",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            let ballots = rows
                .iter()
                .map(|r| {
                    Ok(BallotRecord {
                        id: r.get("id"),
                        ballot: ballot(r)?,
                        trigger: r.get("trigger_key"),
                    })
                })
                .collect::<Result<_, StoreError>>()?;
            out.push(VoteRecord {
                id,
                opened_at: from_millis(v.get("opened_at"))?,
                counts: counts(v),
                ballots,
            });
        }
        Ok(out)
    }
}
