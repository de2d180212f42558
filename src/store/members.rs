//! Display names of members, as last seen, so histories and exports read as names.

use super::error::StoreError;
use super::{millis, Store};
use crate::governance::{MemberId, Timestamp};
use sqlx::Row;
use std::collections::BTreeMap;

impl Store {
    /// Keeps members' display names, in one transaction. Not durable on its own (see
    /// `Store::relaxed_write`): names lost in a crash are written again when their members act.
    pub async fn remember_members(
        &self,
        members: &[(MemberId, &str)],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let (_turn, relaxed) = self.relaxed_write().await;
        let mut tx = relaxed.begin().await?;
        for (id, name) in members {
            upsert(&mut tx, *id, name, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Keeps a member's display name. Not durable on its own (see `Store::relaxed_write`): a name
    /// lost in a crash is written again the next time the member acts.
    pub async fn remember_member(
        &self,
        id: MemberId,
        display_name: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let (_turn, relaxed) = self.relaxed_write().await;
        let mut conn = relaxed.acquire().await?;
        upsert(&mut conn, id, display_name, now).await
    }

    /// Every known display name; members never seen are absent.
    pub async fn member_names(&self) -> Result<BTreeMap<MemberId, String>, StoreError> {
        let rows = sqlx::query("SELECT id, display_name FROM members")
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
}

async fn upsert(
    conn: &mut sqlx::SqliteConnection,
    id: MemberId,
    display_name: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO members (id, display_name, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name,
                                        updated_at = excluded.updated_at",
    )
    .bind(id.0 as i64)
    .bind(display_name)
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(())
}
