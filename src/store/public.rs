//! The reads behind the public record (`src/web`): pages of groups in a state, the names of the
//! members a page mentions, a page's channel activity and the newest decisions. Each reads only
//! what one page shows, so a page of a directory of any size costs a page's worth of rows (see
//! `benches/web.rs`); none of them writes.

use super::activity::ActivitySummary;
use super::error::StoreError;
use super::groups::{GroupId, StoredGroup};
use super::{from_millis, Store};
use crate::governance::{Event, GroupState, MemberId, Timestamp};
use sqlx::Row;
use std::collections::BTreeMap;

/// The order of a page of groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOrder {
    /// IGs before WGs, each kind by name (the `groups_by_name` index).
    KindThenName,
    /// Groups still waiting for a decision (proposed, under vote) first, then the newest.
    OpenThenNewest,
    /// The newest first.
    Newest,
    /// By id, oldest first.
    Id,
}

/// An event of the audit log with its place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedEvent {
    pub group_id: GroupId,
    pub seq: i64,
    pub event: Event,
}

/// The query behind [`Store::page_in`]: `?1` the states (a JSON list of codes), `?2` the limit,
/// `?3` the offset. Public for the benchmark's baseline.
///
/// The page's ids are chosen from indexes alone (`groups_by_state` holds each group's state,
/// `groups_by_name` its kind and name in order), so no row is read but the page's own.
pub fn page_query(order: ListOrder) -> String {
    let in_states = "SELECT id FROM groups WHERE state IN (SELECT value FROM json_each(?1))";
    let (chosen, order) = match order {
        // Walks the names in order and keeps the ids in the states: no sort, no row read.
        ListOrder::KindThenName => (
            format!(
                "SELECT id FROM groups INDEXED BY groups_by_name WHERE id IN ({in_states})
                 ORDER BY kind, name_key, id LIMIT ?2 OFFSET ?3"
            ),
            "kind, name_key, id",
        ),
        ListOrder::OpenThenNewest => (
            format!(
                "{in_states} ORDER BY state NOT IN ('proposed', 'under_vote'), id DESC
                 LIMIT ?2 OFFSET ?3"
            ),
            "state NOT IN ('proposed', 'under_vote'), id DESC",
        ),
        ListOrder::Newest => (
            format!("{in_states} ORDER BY id DESC LIMIT ?2 OFFSET ?3"),
            "id DESC",
        ),
        ListOrder::Id => (format!("{in_states} ORDER BY id LIMIT ?2 OFFSET ?3"), "id"),
    };
    format!("SELECT id, version, state_json FROM groups WHERE id IN ({chosen}) ORDER BY {order}")
}

fn codes(states: &[GroupState]) -> Result<String, StoreError> {
    let codes: Vec<&str> = states.iter().map(|s| s.code()).collect();
    Ok(serde_json::to_string(&codes)?)
}

fn row_to_group(row: &sqlx::sqlite::SqliteRow) -> Result<StoredGroup, StoreError> {
    let json: String = row.get("state_json");
    Ok(StoredGroup {
        id: GroupId(row.get("id")),
        version: row.get("version"),
        group: serde_json::from_str(&json)?,
    })
}

impl Store {
    /// How many groups are in any of `states`.
    pub async fn count_in(&self, states: &[GroupState]) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM groups WHERE state IN (SELECT value FROM json_each(?))",
        )
        .bind(codes(states)?)
        .fetch_one(&self.pool)
        .await?)
    }

    /// At most `limit` groups in any of `states`, in `order`, after skipping `offset`.
    ///
    /// The page is chosen from indexes first and only its own rows are read: sorting whole rows
    /// would read every group's state (megabytes of JSON for a large directory) to keep a
    /// hundred of them.
    pub async fn page_in(
        &self,
        states: &[GroupState],
        order: ListOrder,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<StoredGroup>, StoreError> {
        let rows = sqlx::query(&page_query(order))
            .bind(codes(states)?)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(row_to_group).collect()
    }

    /// The groups among `ids` that exist, by id.
    pub async fn groups_by_id(&self, ids: &[GroupId]) -> Result<Vec<StoredGroup>, StoreError> {
        let ids: Vec<i64> = ids.iter().map(|g| g.0).collect();
        let rows = sqlx::query(
            "SELECT id, version, state_json FROM groups
             WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
        )
        .bind(serde_json::to_string(&ids)?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row_to_group).collect()
    }

    /// The display names of those among `ids` govbot has seen.
    pub async fn names_of(
        &self,
        ids: impl IntoIterator<Item = MemberId>,
    ) -> Result<BTreeMap<MemberId, String>, StoreError> {
        let mut ids: Vec<i64> = ids.into_iter().map(|m| m.0 as i64).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let rows = sqlx::query(
            "SELECT id, display_name FROM members WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(serde_json::to_string(&ids)?)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    MemberId(r.get::<i64, _>("id") as u64),
                    r.get("display_name"),
                )
            })
            .collect())
    }

    /// [`Store::activity_since`] for `groups` only.
    pub async fn activity_of(
        &self,
        groups: &[GroupId],
        from: Timestamp,
    ) -> Result<BTreeMap<GroupId, ActivitySummary>, StoreError> {
        if groups.is_empty() {
            return Ok(BTreeMap::new());
        }
        let ids: Vec<i64> = groups.iter().map(|g| g.0).collect();
        let first = super::week_start(from).format("%Y-%m-%d").to_string();
        let rows = sqlx::query(
            "SELECT a.group_id, SUM(a.messages) AS messages, MAX(a.last_message_at) AS last,
                    (SELECT COUNT(DISTINCT p.user_id) FROM channel_participants p
                     WHERE p.group_id = a.group_id AND p.week_start >= ?1) AS participants
             FROM channel_activity a
             WHERE a.group_id IN (SELECT value FROM json_each(?2)) AND a.week_start >= ?1
             GROUP BY a.group_id",
        )
        .bind(&first)
        .bind(serde_json::to_string(&ids)?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    GroupId(r.get("group_id")),
                    ActivitySummary {
                        messages: r.get("messages"),
                        participants: r.get("participants"),
                        last_message_at: Some(from_millis(r.get("last"))?),
                    },
                ))
            })
            .collect()
    }

    /// The newest `limit` events whose kind (the audit log's `kind` column, see
    /// `EventKind::name`) is one of `kinds`, newest first.
    pub async fn newest_events_of(
        &self,
        kinds: &[&str],
        limit: i64,
    ) -> Result<Vec<PublishedEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT group_id, seq, event_json FROM audit_log
             WHERE kind IN (SELECT value FROM json_each(?)) ORDER BY id DESC LIMIT ?",
        )
        .bind(serde_json::to_string(kinds)?)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PublishedEvent {
                    group_id: GroupId(r.get("group_id")),
                    seq: r.get("seq"),
                    event: serde_json::from_str(r.get("event_json"))?,
                })
            })
            .collect()
    }

    /// Every group's id, in order.
    pub async fn group_ids(&self) -> Result<Vec<GroupId>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM groups ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        Ok(ids.into_iter().map(GroupId).collect())
    }
}
