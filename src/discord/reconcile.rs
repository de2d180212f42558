//! Catching up after events may have been missed. Discord replays what a session missed only
//! when it is resumed; a session that is lost and identified anew (close code 4009, an invalid
//! session, a restart) starts from now, so reactions added and templates posted in the gap would
//! never be seen. At start-up and after every new session (each READY after the first), govbot
//! compares the open votes' reactions with what it recorded and reads the creation channel from
//! the newest message it saw. A RESUMED session needs neither.

use super::data::Data;
use super::{proposals, votes};
use anyhow::Result;
use serenity::all::{ChannelId, GetMessages, Http, MessageId};
use std::sync::atomic::Ordering;

/// The most messages read from the creation channel in one catch-up (Discord's page size).
const PAGE: u8 = 100;

/// A READY: the first is the session start-up already caught up for; any later one follows a
/// gap, so everything that may have been missed is read again.
pub async fn on_ready(http: &Http, data: &Data) {
    if data.sessions.fetch_add(1, Ordering::SeqCst) == 0 {
        return;
    }
    tracing::info!("a new gateway session: catching up on what the gap may have lost");
    match votes::reconcile(http, data).await {
        Ok(n) => tracing::info!(n, "vote reactions reconciled after a new session"),
        Err(e) => tracing::error!("reconciling vote reactions failed: {e:#}"),
    }
    if let Err(e) = creation_channel(http, data).await {
        tracing::error!("reading the creation channel after a new session failed: {e:#}");
    }
}

/// Remembers the newest message seen in the creation channel.
pub fn seen(data: &Data, channel: u64, message: u64) {
    if channel == data.config.channels.creation {
        data.creation_seen.fetch_max(message, Ordering::SeqCst);
    }
}

/// Handles the creation channel's messages posted after the newest one seen, as if they had
/// just arrived (a template already handled is recognised and not proposed twice).
async fn creation_channel(http: &Http, data: &Data) -> Result<usize> {
    let mut after = data.creation_seen.load(Ordering::SeqCst);
    if after == 0 {
        match data.store.latest_template_message().await? {
            Some(m) => after = m,
            // Nothing was ever proposed: there is no point to resume from.
            None => return Ok(0),
        }
    }
    let channel = ChannelId::new(data.config.channels.creation);
    let mut handled = 0;
    loop {
        let mut page = channel
            .messages(
                http,
                GetMessages::new().after(MessageId::new(after)).limit(PAGE),
            )
            .await?;
        // Oldest first, as they were posted.
        page.sort_by_key(|m| m.id);
        let full = page.len() == usize::from(PAGE);
        for m in &page {
            after = after.max(m.id.get());
            let _one_at_a_time = data.templates.lock().await;
            proposals::on_message(http, data, m).await?;
            handled += 1;
        }
        seen(data, channel.get(), after);
        if !full {
            return Ok(handled);
        }
    }
}
