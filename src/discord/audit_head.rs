//! The audit log's head in #community-moderators: recorded once per period by the scheduler
//! (`audit::record_due_head`), shown here by the outbox, exactly once, retried with the outbox's
//! backoff while Discord fails.

use super::data::Data;
use super::outbox::{retry, wall_ms};
use super::output;
use super::render::{render, RenderError, Rendered};
use crate::store::PendingHead;
use anyhow::Result;
use serde::Serialize;
use serenity::all::{ChannelId, Http};

#[derive(Serialize)]
struct HeadView<'a> {
    period: String,
    events: i64,
    head: &'a str,
    problem: Option<&'a str>,
}

/// The message for a recorded head.
pub fn message(h: &PendingHead) -> Result<Rendered, RenderError> {
    let period = chrono::DateTime::from_timestamp_millis(h.period_start).map_or_else(
        || h.period_start.to_string(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    );
    render(
        "audit_head",
        HeadView {
            period,
            events: h.events,
            head: &h.head,
            problem: h.problem.as_deref(),
        },
    )
}

/// Posts every recorded head whose attempt is due; a failure waits for its next attempt.
/// Returns whether any was tried.
pub async fn post_due(http: &Http, data: &Data) -> Result<bool> {
    let due = data.store.audit_heads_due(wall_ms()).await?;
    for h in &due {
        if let Err(e) = post(http, data, h).await {
            let attempts = h.attempts + 1;
            let wait = retry::backoff(attempts, h.period_start);
            tracing::warn!(
                period = h.period_start,
                attempts,
                "posting the audit log's head failed, retrying in {wait:?}: {e:#}"
            );
            data.store
                .audit_head_failed(
                    h.period_start,
                    attempts,
                    wall_ms() + wait.as_millis() as i64,
                    &format!("{e:#}"),
                )
                .await?;
        }
    }
    Ok(!due.is_empty())
}

async fn post(http: &Http, data: &Data, h: &PendingHead) -> Result<()> {
    let channel = data.config.channels.moderators;
    let r = message(h)?;
    let m = output::exactly_once(
        output::create(&r),
        &format!("audit-head/{}", h.period_start),
    );
    let msg = ChannelId::new(channel).send_message(http, m).await?;
    data.store
        .audit_head_posted(h.period_start, channel, msg.id.get())
        .await?;
    tracing::info!(period = h.period_start, head = %h.head, "audit log head posted");
    Ok(())
}
