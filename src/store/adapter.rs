//! What the Discord adapter remembers across restarts: template messages and govbot's replies to
//! them, proposal drafts waiting for their modal, and the messages govbot posted about a group.
//! None of this is governance state; the audit log stays the record of decisions.

use super::error::StoreError;
use super::groups::GroupId;
use super::triggers::{self, Trigger};
use super::{millis, Store};
use crate::governance::{GroupKind, MemberId, Timestamp};
use serde::{Deserialize, Serialize};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateMessage {
    pub message_id: u64,
    pub channel_id: u64,
    pub author: MemberId,
    pub group: Option<GroupId>,
    pub reply_id: Option<u64>,
    pub last_edit: i64,
    /// The author deleted it (which withdraws a proposal that is still open).
    pub deleted: bool,
}

/// The part of a slash-command proposal given before its modal opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub proposer: MemberId,
    pub kind: GroupKind,
    pub name: String,
    pub facilitators: Vec<MemberId>,
    pub maintainers: Vec<MemberId>,
}

#[derive(Serialize, Deserialize)]
struct People {
    facilitators: Vec<MemberId>,
    maintainers: Vec<MemberId>,
}

fn id(v: u64) -> i64 {
    v as i64
}

impl Store {
    /// Marks a trigger as handled outside any governance decision (a read-only command, a
    /// refused input); `false` when it was already handled, so the caller does nothing twice.
    pub async fn claim(&self, trigger: &Trigger, now: Timestamp) -> Result<bool, StoreError> {
        let _turn = self.writing().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if triggers::seen(&mut tx, trigger).await? {
            return Ok(false);
        }
        triggers::record(&mut tx, trigger, None, millis(now)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Whether `trigger` was already handled (and not re-armed since).
    pub async fn processed(&self, trigger: &Trigger) -> Result<bool, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(triggers::seen(&mut conn, trigger).await?)
    }

    /// The users whose `emoji` reaction on `message` govbot handled as added and not since
    /// removed: what it believes the message shows.
    pub async fn reaction_adds(
        &self,
        message: u64,
        emoji: &str,
    ) -> Result<std::collections::BTreeSet<u64>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(triggers::reaction_adds(&mut conn, message, emoji).await?)
    }

    /// Records a template message seen for the first time; `false` if it was already known
    /// (a replayed MESSAGE_CREATE).
    pub async fn record_template_message(
        &self,
        message_id: u64,
        channel_id: u64,
        author: MemberId,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO template_messages (message_id, channel_id, author_id) VALUES (?, ?, ?)
             ON CONFLICT (message_id) DO NOTHING",
        )
        .bind(id(message_id))
        .bind(id(channel_id))
        .bind(id(author.0))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The newest template message recorded: where reading the creation channel resumes after a
    /// gap in the gateway session.
    pub async fn latest_template_message(&self) -> Result<Option<u64>, StoreError> {
        let latest: Option<i64> =
            sqlx::query_scalar("SELECT MAX(message_id) FROM template_messages")
                .fetch_one(&self.pool)
                .await?;
        Ok(latest.map(|m| m as u64))
    }

    pub async fn template_message(
        &self,
        message_id: u64,
    ) -> Result<Option<TemplateMessage>, StoreError> {
        let row = sqlx::query(
            "SELECT message_id, channel_id, author_id, group_id, reply_id, last_edit, deleted
             FROM template_messages WHERE message_id = ?",
        )
        .bind(id(message_id))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| TemplateMessage {
            message_id: r.get::<i64, _>("message_id") as u64,
            channel_id: r.get::<i64, _>("channel_id") as u64,
            author: MemberId(r.get::<i64, _>("author_id") as u64),
            group: r.get::<Option<i64>, _>("group_id").map(GroupId),
            reply_id: r.get::<Option<i64>, _>("reply_id").map(|v| v as u64),
            last_edit: r.get("last_edit"),
            deleted: r.get("deleted"),
        }))
    }

    /// The template message a group was proposed from, if it came from one.
    pub async fn template_message_of(
        &self,
        group: GroupId,
    ) -> Result<Option<TemplateMessage>, StoreError> {
        let mid: Option<i64> =
            sqlx::query_scalar("SELECT message_id FROM template_messages WHERE group_id = ?")
                .bind(group.0)
                .fetch_optional(&self.pool)
                .await?;
        match mid {
            Some(m) => self.template_message(m as u64).await,
            None => Ok(None),
        }
    }

    /// Records that the template message was deleted, before its proposal is withdrawn.
    pub async fn mark_template_deleted(&self, message_id: u64) -> Result<(), StoreError> {
        sqlx::query("UPDATE template_messages SET deleted = 1 WHERE message_id = ?")
            .bind(id(message_id))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn update_template_message(
        &self,
        message_id: u64,
        group: Option<GroupId>,
        reply_id: Option<u64>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE template_messages SET group_id = COALESCE(?, group_id), reply_id = COALESCE(?, reply_id)
             WHERE message_id = ?",
        )
        .bind(group.map(|g| g.0))
        .bind(reply_id.map(id))
        .bind(id(message_id))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records that the edit made at `edited_at` (ms) is handled; `false` if it, or a later one,
    /// already was.
    pub async fn claim_template_edit(
        &self,
        message_id: u64,
        edited_at: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE template_messages SET last_edit = ?1 WHERE message_id = ?2 AND last_edit < ?1",
        )
        .bind(edited_at)
        .bind(id(message_id))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn save_draft(&self, draft: &Draft, now: Timestamp) -> Result<i64, StoreError> {
        let people = serde_json::to_string(&People {
            facilitators: draft.facilitators.clone(),
            maintainers: draft.maintainers.clone(),
        })?;
        let row = sqlx::query(
            "INSERT INTO drafts (proposer_id, kind, name, people_json, created_at)
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(id(draft.proposer.0))
        .bind(draft.kind.code())
        .bind(&draft.name)
        .bind(people)
        .bind(millis(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(row.get(0))
    }

    pub async fn draft(&self, draft_id: i64) -> Result<Option<Draft>, StoreError> {
        let row =
            sqlx::query("SELECT proposer_id, kind, name, people_json FROM drafts WHERE id = ?")
                .bind(draft_id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| {
            let people: People = serde_json::from_str(r.get("people_json"))?;
            let kind: String = r.get("kind");
            Ok(Draft {
                proposer: MemberId(r.get::<i64, _>("proposer_id") as u64),
                kind: kind.parse().map_err(StoreError::Corrupt)?,
                name: r.get("name"),
                facilitators: people.facilitators,
                maintainers: people.maintainers,
            })
        })
        .transpose()
    }

    pub async fn set_group_message(
        &self,
        group: GroupId,
        purpose: &str,
        channel_id: u64,
        message_id: u64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO group_messages (group_id, purpose, channel_id, message_id) VALUES (?, ?, ?, ?)
             ON CONFLICT (group_id, purpose) DO UPDATE SET channel_id = excluded.channel_id,
                                                           message_id = excluded.message_id",
        )
        .bind(group.0)
        .bind(purpose)
        .bind(id(channel_id))
        .bind(id(message_id))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The group and purpose of a message govbot posted, found by the message.
    pub async fn group_of_message(
        &self,
        message_id: u64,
    ) -> Result<Option<(GroupId, String)>, StoreError> {
        let row = sqlx::query("SELECT group_id, purpose FROM group_messages WHERE message_id = ?")
            .bind(id(message_id))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| (GroupId(r.get(0)), r.get(1))))
    }

    /// `(channel_id, message_id)` of the message govbot posted about `group` for `purpose`.
    pub async fn group_message(
        &self,
        group: GroupId,
        purpose: &str,
    ) -> Result<Option<(u64, u64)>, StoreError> {
        let row = sqlx::query(
            "SELECT channel_id, message_id FROM group_messages WHERE group_id = ? AND purpose = ?",
        )
        .bind(group.0)
        .bind(purpose)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| (r.get::<i64, _>(0) as u64, r.get::<i64, _>(1) as u64)))
    }
}

/// Where a proposal was made, so the outbox can answer it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProposalSource {
    /// A template message in the creation channel: the card is a reply to it.
    Message(TemplateMessage),
    /// The form: the card is the interaction's deferred reply while its token works.
    Form {
        interaction_id: u64,
        token: String,
        channel_id: u64,
        /// Wall-clock milliseconds.
        received_at: i64,
    },
}

/// How long a form's token is kept when no proposal came of it (a refused name, a crash).
const FORM_TOKEN_KEPT_MS: i64 = 60 * 60 * 1000;

impl Store {
    /// Keeps a form submission's token until its proposal's card is shown; forgets tokens older
    /// than an hour (they no longer work).
    pub async fn save_proposal_interaction(
        &self,
        interaction_id: u64,
        token: &str,
        channel_id: u64,
        received_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM proposal_interactions WHERE received_at < ?")
            .bind(received_at - FORM_TOKEN_KEPT_MS)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO proposal_interactions (interaction_id, token, channel_id, received_at)
             VALUES (?, ?, ?, ?) ON CONFLICT (interaction_id) DO NOTHING",
        )
        .bind(id(interaction_id))
        .bind(token)
        .bind(id(channel_id))
        .bind(received_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn forget_proposal_interaction(&self, interaction_id: u64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM proposal_interactions WHERE interaction_id = ?")
            .bind(id(interaction_id))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Where `group` was proposed, found through the trigger its proposal recorded in the same
    /// transaction (so it is known as soon as the proposal is), or through the template
    /// message's link for proposals made before that trigger existed. Indexed lookups only.
    pub async fn proposal_source(
        &self,
        group: GroupId,
    ) -> Result<Option<ProposalSource>, StoreError> {
        let linked: Option<i64> = sqlx::query_scalar(
            "SELECT message_id FROM template_messages WHERE group_id = ? ORDER BY message_id LIMIT 1",
        )
        .bind(group.0)
        .fetch_optional(&self.pool)
        .await?;
        // The proposal is the group's first event; its trigger is the message or the form.
        let trigger: Option<Option<String>> =
            sqlx::query_scalar("SELECT trigger_key FROM audit_log WHERE group_id = ? AND seq = 1")
                .bind(group.0)
                .fetch_optional(&self.pool)
                .await?;
        let trigger = trigger.flatten().unwrap_or_default();
        let from_trigger =
            |prefix: &str| -> Option<i64> { trigger.strip_prefix(prefix)?.parse().ok() };
        if let Some(m) = linked.or_else(|| from_trigger("message:")) {
            return Ok(self
                .template_message(m as u64)
                .await?
                .map(ProposalSource::Message));
        }
        let Some(interaction) = from_trigger("proposal:") else {
            return Ok(None);
        };
        let form = sqlx::query(
            "SELECT interaction_id, token, channel_id, received_at FROM proposal_interactions
             WHERE interaction_id = ?",
        )
        .bind(interaction)
        .fetch_optional(&self.pool)
        .await?;
        Ok(form.map(|r| ProposalSource::Form {
            interaction_id: r.get::<i64, _>(0) as u64,
            token: r.get(1),
            channel_id: r.get::<i64, _>(2) as u64,
            received_at: r.get(3),
        }))
    }
}
