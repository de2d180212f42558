//! One lane per channel for adding and removing reactions.
//!
//! Discord counts every reaction added or removed in a channel against one bucket of one request
//! per 250 ms (its `X-RateLimit-Bucket` is shared by the bot's own reactions and the removal of
//! anyone's; the stand-in enforces it, `discord-standin`'s `ratelimit`). serenity's rate limiter
//! keys its buckets by route, and adding the bot's reaction, removing a member's ✅ and removing
//! their ❌ are three routes: sent at once, as when several voters change their ballot together,
//! they overrun the shared bucket and Discord answers 429, and repeated 429s count toward
//! Cloudflare's ban of a bot that sends invalid requests ("Invalid Request Limit", 10,000 per 10
//! minutes). Each reaction change takes its channel's lane, which lets one request through at a
//! time, a bucket period after the previous one was answered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Discord's reaction bucket: one change per 250 ms per channel.
const PERIOD: Duration = Duration::from_millis(250);

#[derive(Default)]
pub struct ReactionLanes {
    /// Per channel: when its last reaction change was answered.
    lanes: Mutex<HashMap<u64, Arc<tokio::sync::Mutex<Option<Instant>>>>>,
}

/// A channel's lane, held while one reaction change is sent; dropped once it was answered.
pub struct Turn {
    last: tokio::sync::OwnedMutexGuard<Option<Instant>>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        *self.last = Some(Instant::now());
    }
}

impl ReactionLanes {
    /// Waits for `channel`'s lane and for the bucket's period since its last change.
    pub async fn turn(&self, channel: u64) -> Turn {
        let lane = self
            .lanes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(channel)
            .or_default()
            .clone();
        let last = lane.lock_owned().await;
        if let Some(at) = *last {
            tokio::time::sleep_until(at + PERIOD).await;
        }
        Turn { last }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn changes_in_one_channel_are_a_period_apart_and_other_channels_do_not_wait() {
        let lanes = ReactionLanes::default();
        let start = Instant::now();
        drop(lanes.turn(1).await);
        drop(lanes.turn(1).await);
        assert_eq!(start.elapsed(), PERIOD);
        drop(lanes.turn(2).await);
        assert_eq!(start.elapsed(), PERIOD, "another channel waited");
        drop(lanes.turn(1).await);
        assert_eq!(start.elapsed(), 2 * PERIOD);
    }
}
