//! External triggers and their idempotency keys.
//!
//! Discord may deliver the same gateway event twice (a resumed session replays dispatches), and
//! people double-click. Each trigger is recorded in the same transaction as the decision it caused,
//! so the second delivery finds it and changes nothing.

use sqlx::SqliteConnection;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Trigger {
    /// An interaction (slash command, button, modal submit), by its id.
    Interaction(u64),
    /// A message, by its id.
    Message(u64),
    /// The proposal a modal submission made, by the interaction's id: links the interaction to
    /// its new group in the proposal's own transaction.
    ModalProposal(u64),
    /// An edit of a message, by the message id and the edit time Discord reports (milliseconds).
    MessageEdit { message: u64, edited_at: i64 },
    /// The deletion of a message, by its id.
    MessageDeleted(u64),
    /// A reaction added or removed.
    Reaction {
        message: u64,
        user: u64,
        emoji: String,
        added: bool,
    },
}

impl Trigger {
    pub fn key(&self) -> String {
        match self {
            Trigger::Interaction(id) => format!("interaction:{id}"),
            Trigger::Message(id) => format!("message:{id}"),
            Trigger::MessageDeleted(id) => format!("message-deleted:{id}"),
            Trigger::ModalProposal(id) => format!("proposal:{id}"),
            Trigger::MessageEdit { message, edited_at } => format!("edit:{message}:{edited_at}"),
            Trigger::Reaction {
                message,
                user,
                emoji,
                added,
            } => format!(
                "reaction:{message}:{user}:{emoji}:{}",
                if *added { "add" } else { "remove" }
            ),
        }
    }

    /// What the trigger is, in words, for the "already processed" answer.
    pub fn describe(&self) -> &'static str {
        match self {
            Trigger::Interaction(_) => "interaction",
            Trigger::Message(_) => "message",
            Trigger::ModalProposal(_) => "proposal form",
            Trigger::MessageEdit { .. } => "message edit",
            Trigger::MessageDeleted(_) => "message deletion",
            Trigger::Reaction { added: true, .. } => "reaction",
            Trigger::Reaction { added: false, .. } => "reaction removal",
        }
    }

    /// The trigger that this one makes new again: removing a reaction means the same reaction may
    /// be added again later and must then count.
    fn opposite(&self) -> Option<Trigger> {
        match self {
            Trigger::Reaction {
                message,
                user,
                emoji,
                added,
            } => Some(Trigger::Reaction {
                message: *message,
                user: *user,
                emoji: emoji.clone(),
                added: !added,
            }),
            _ => None,
        }
    }
}

pub(super) async fn seen(conn: &mut SqliteConnection, trigger: &Trigger) -> sqlx::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM processed_triggers WHERE key = ?")
        .bind(trigger.key())
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

pub(super) async fn record(
    conn: &mut SqliteConnection,
    trigger: &Trigger,
    group_id: Option<i64>,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO processed_triggers (key, group_id, processed_at) VALUES (?, ?, ?)")
        .bind(trigger.key())
        .bind(group_id)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    if let Some(opposite) = trigger.opposite() {
        sqlx::query("DELETE FROM processed_triggers WHERE key = ?")
            .bind(opposite.key())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The users whose `emoji` reaction on `message` was handled as added and not removed since: the
/// reactions govbot believes are on the message (a removal deletes its addition's key, see
/// [`Trigger::opposite`]). One range of the `processed_triggers` key index.
pub(super) async fn reaction_adds(
    conn: &mut SqliteConnection,
    message: u64,
    emoji: &str,
) -> sqlx::Result<std::collections::BTreeSet<u64>> {
    let prefix = format!("reaction:{message}:");
    // ';' is the character after ':', so this is every key that starts with the prefix.
    let end = format!("reaction:{message};");
    let keys: Vec<String> =
        sqlx::query_scalar("SELECT key FROM processed_triggers WHERE key >= ? AND key < ?")
            .bind(&prefix)
            .bind(&end)
            .fetch_all(conn)
            .await?;
    let suffix = format!(":{emoji}:add");
    Ok(keys
        .iter()
        .filter_map(|k| k.strip_prefix(&prefix)?.strip_suffix(&suffix)?.parse().ok())
        .collect())
}
