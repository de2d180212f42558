//! Activity in groups' Discord channels: messages and distinct participants per group and week.
//! Only counts and member ids are kept, never what was said. These tables sit beside the audit
//! log, not in it: a message is not a governance decision, and the log would otherwise grow by a
//! row per message. The scheduler reads the last message from here before it reminds an IG that
//! it is quiet (see `discord/activity.rs`).

use super::error::StoreError;
use super::groups::GroupId;
use super::{from_millis, millis, Store};
use crate::governance::{GroupState, MemberId, Timestamp};
use chrono::{Datelike, NaiveDate};
use sqlx::Row;
use std::collections::BTreeMap;

/// How long a counted message id is remembered to recognise a redelivery, in real time: the
/// gateway replays events within minutes of a reconnection, whatever the governance clock says.
const DEDUP_WINDOW: chrono::Duration = chrono::Duration::days(2);

/// The Monday (UTC) of the week `t` falls in.
pub fn week_start(t: Timestamp) -> NaiveDate {
    let day = t.date_naive();
    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

fn day_key(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_day(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt(format!("week {s:?} is not a date: {e}")))
}

/// One week of a group's channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekActivity {
    /// The Monday the week starts on (UTC).
    pub week_start: NaiveDate,
    pub messages: i64,
    /// Distinct people who posted that week.
    pub participants: i64,
    pub last_message_at: Option<Timestamp>,
}

impl WeekActivity {
    pub fn empty(week_start: NaiveDate) -> Self {
        WeekActivity {
            week_start,
            messages: 0,
            participants: 0,
            last_message_at: None,
        }
    }
}

/// A group's channel over several weeks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivitySummary {
    pub messages: i64,
    /// Distinct people who posted at all in the period.
    pub participants: i64,
    pub last_message_at: Option<Timestamp>,
}

fn id(v: u64) -> i64 {
    v as i64
}

impl Store {
    /// The group whose channel is `channel` and its state; a live group wins over an ended one.
    pub async fn group_by_channel(
        &self,
        channel: u64,
    ) -> Result<Option<(GroupId, GroupState)>, StoreError> {
        let rows =
            sqlx::query("SELECT id, state FROM groups WHERE channel_id = ? ORDER BY id DESC")
                .bind(id(channel))
                .fetch_all(&self.pool)
                .await?;
        let mut found = Vec::new();
        for r in rows {
            let state: String = r.get("state");
            let state: GroupState = state.parse().map_err(StoreError::Corrupt)?;
            found.push((GroupId(r.get("id")), state));
        }
        Ok(found
            .iter()
            .find(|(_, s)| s.is_live_group())
            .or(found.first())
            .copied())
    }

    /// Counts a message by `author` in `group`'s channel at `at` (governance time), once per
    /// message id: `false` for a message already counted (a redelivered event). `received` is
    /// the real time it arrived, which dates the id kept to recognise a redelivery.
    pub async fn record_message(
        &self,
        group: GroupId,
        message: u64,
        author: MemberId,
        at: Timestamp,
        received: Timestamp,
    ) -> Result<bool, StoreError> {
        let week = day_key(week_start(at));
        let _turn = self.writing().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let new = sqlx::query(
            "INSERT INTO counted_messages (message_id, counted_at) VALUES (?, ?)
             ON CONFLICT (message_id) DO NOTHING",
        )
        .bind(id(message))
        .bind(millis(received))
        .execute(&mut *tx)
        .await?;
        if new.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM counted_messages WHERE counted_at < ?")
            .bind(millis(received - DEDUP_WINDOW))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO channel_activity (group_id, week_start, messages, last_message_at)
             VALUES (?1, ?2, 1, ?3)
             ON CONFLICT (group_id, week_start) DO UPDATE SET
                 messages = messages + 1,
                 last_message_at = MAX(last_message_at, excluded.last_message_at)",
        )
        .bind(group.0)
        .bind(&week)
        .bind(millis(at))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO channel_participants (group_id, week_start, user_id) VALUES (?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(group.0)
        .bind(&week)
        .bind(id(author.0))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// `group`'s weeks from the week of `from` to the week of `to`, oldest first, every week
    /// present (weeks without messages are zero).
    pub async fn weekly_activity(
        &self,
        group: GroupId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<WeekActivity>, StoreError> {
        let (first, last) = (week_start(from), week_start(to));
        let rows = sqlx::query(
            "SELECT a.week_start, a.messages, a.last_message_at,
                    (SELECT COUNT(*) FROM channel_participants p
                     WHERE p.group_id = a.group_id AND p.week_start = a.week_start) AS participants
             FROM channel_activity a
             WHERE a.group_id = ? AND a.week_start >= ? AND a.week_start <= ?",
        )
        .bind(group.0)
        .bind(day_key(first))
        .bind(day_key(last))
        .fetch_all(&self.pool)
        .await?;
        let mut stored = BTreeMap::new();
        for r in rows {
            let week = parse_day(r.get("week_start"))?;
            stored.insert(
                week,
                WeekActivity {
                    week_start: week,
                    messages: r.get("messages"),
                    participants: r.get("participants"),
                    last_message_at: Some(from_millis(r.get("last_message_at"))?),
                },
            );
        }
        let mut weeks = Vec::new();
        let mut week = first;
        while week <= last {
            weeks.push(
                stored
                    .remove(&week)
                    .unwrap_or_else(|| WeekActivity::empty(week)),
            );
            week += chrono::Duration::days(7);
        }
        Ok(weeks)
    }

    /// Every group's channel from the week of `from` on: messages, distinct participants and
    /// the last message. Groups with no message in the period are absent.
    pub async fn activity_since(
        &self,
        from: Timestamp,
    ) -> Result<BTreeMap<GroupId, ActivitySummary>, StoreError> {
        let first = day_key(week_start(from));
        let rows = sqlx::query(
            "SELECT a.group_id, SUM(a.messages) AS messages, MAX(a.last_message_at) AS last,
                    (SELECT COUNT(DISTINCT p.user_id) FROM channel_participants p
                     WHERE p.group_id = a.group_id AND p.week_start >= ?1) AS participants
             FROM channel_activity a
             WHERE a.week_start >= ?1
             GROUP BY a.group_id",
        )
        .bind(&first)
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

    /// When someone last posted in `group`'s channel (or its threads), as far as govbot counted.
    pub async fn last_message_at(&self, group: GroupId) -> Result<Option<Timestamp>, StoreError> {
        let last: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(last_message_at) FROM channel_activity WHERE group_id = ?",
        )
        .bind(group.0)
        .fetch_one(&self.pool)
        .await?;
        last.map(from_millis).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn weeks_start_on_monday_utc() {
        let sunday = chrono::Utc
            .with_ymd_and_hms(2026, 11, 8, 23, 59, 0)
            .unwrap();
        let monday = chrono::Utc.with_ymd_and_hms(2026, 11, 9, 0, 0, 0).unwrap();
        assert_eq!(
            week_start(sunday),
            NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
        );
        assert_eq!(
            week_start(monday),
            NaiveDate::from_ymd_opt(2026, 11, 9).unwrap()
        );
    }
}
