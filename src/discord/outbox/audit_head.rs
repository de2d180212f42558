//! The audit log's head in #community-moderators: recorded once per period by the scheduler
//! (`crate::audit::record_due_head`), shown here exactly once, retried with the outbox's backoff
//! while Discord fails.

use super::super::data::Data;
use super::{retry, wall_ms};
use crate::discord::messages::{notices, output};
use crate::store::PendingHead;
use anyhow::Result;
use serenity::all::{ChannelId, Http};

/// Posts every recorded head whose attempt is due; a failure waits for its next attempt.
pub async fn post_due(http: &Http, data: &Data) -> Result<()> {
    for h in data.store.audit_heads_due(wall_ms()).await? {
        if let Err(e) = post(http, data, &h).await {
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
    Ok(())
}

async fn post(http: &Http, data: &Data, h: &PendingHead) -> Result<()> {
    let channel = data.config.channels.moderators;
    let r = notices::audit_head(h)?;
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
