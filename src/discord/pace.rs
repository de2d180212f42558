//! The bot's own pace for the per-channel buckets that serenity's rate limiter cannot see whole.
//!
//! Discord counts some requests per channel whatever message or emoji they name: editing any
//! message in a channel (5 per 4 s) and adding or removing any reaction in it (1 per 250 ms; the
//! stand-in enforces both at these figures, `discord-standin`'s `ratelimit`). serenity's rate
//! limiter keys its buckets by route, so it learns a bucket is spent only from the 429 Discord
//! sends once it is overrun: adding the bot's reaction, removing a member's ✅ and removing
//! their ❌ are three routes to one bucket, and an edit of the tally and one of the announcement
//! beside it share a bucket serenity sees as two. Repeated 429s count toward Cloudflare's ban of
//! a bot that sends invalid requests ("Invalid Request Limit", 10,000 per 10 minutes). And a
//! tally edit held back by serenity after it was rendered arrives showing an old count.
//!
//! So each such request first takes a slot from its channel's [`Pace`], which keeps the bucket's
//! figures (or a stricter, evenly spaced share of them) over a sliding window, stricter than
//! Discord's fixed one, so a request it lets through is never early, with a small margin for the
//! request's travel.

use crate::store::GroupId;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Added to each window, for the difference between when a request leaves and when Discord
/// counts it.
const MARGIN: Duration = Duration::from_millis(50);

/// The paces every task of the bot shares (the event handlers, the outbox, the tally), so that
/// together they keep to each bucket; and one turn per group for editing its vote message.
pub struct Paces {
    pub edits: Pace,
    pub reactions: Pace,
    vote_messages: Mutex<HashMap<GroupId, Arc<tokio::sync::Mutex<()>>>>,
}

impl Default for Paces {
    fn default() -> Self {
        Paces {
            edits: Pace::message_edits(),
            reactions: Pace::reactions(),
            vote_messages: Mutex::new(HashMap::new()),
        }
    }
}

impl Paces {
    /// The group's turn to edit its vote message, held from reading the group to the edit's
    /// answer: the live tally and the outbox's close never cross, so the last edit shows the
    /// latest state.
    pub async fn vote_message(&self, id: GroupId) -> tokio::sync::OwnedMutexGuard<()> {
        let lane = self
            .vote_messages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(id)
            .or_default()
            .clone();
        lane.lock_owned().await
    }
}

/// One per-channel bucket: `limit` requests per `per`, per channel.
pub struct Pace {
    limit: usize,
    per: Duration,
    /// Per channel: the instants of its last `limit` requests, given or promised.
    slots: Mutex<HashMap<u64, VecDeque<Instant>>>,
}

impl Pace {
    /// Editing messages in a channel: Discord allows 5 per 4 seconds, taken here as one every
    /// 0.8 s. Evenly spaced, edits never run the bucket dry: with 5 allowed at once, an edit of
    /// the announcement beside a running tally filled the window, and the tally's next edit
    /// waited for the window's end, 1.5 s after the one before.
    pub fn message_edits() -> Pace {
        Pace::new(1, Duration::from_millis(800))
    }

    /// Adding and removing reactions in a channel: 1 per 250 ms.
    pub fn reactions() -> Pace {
        Pace::new(1, Duration::from_millis(250))
    }

    fn new(limit: usize, per: Duration) -> Pace {
        Pace {
            limit,
            per,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Takes `channel`'s next slot and waits for it. Slots are given in the order asked for.
    pub async fn turn(&self, channel: u64) {
        let at = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            let q = slots.entry(channel).or_default();
            let at = self.free_in(q);
            q.push_back(at);
            if q.len() > self.limit {
                q.pop_front();
            }
            at
        };
        tokio::time::sleep_until(at).await;
    }

    /// When `channel`'s next slot is free, without taking it.
    pub fn next_free(&self, channel: u64) -> Instant {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots
            .get(&channel)
            .map_or_else(Instant::now, |q| self.free_in(q))
    }

    fn free_in(&self, q: &VecDeque<Instant>) -> Instant {
        let now = Instant::now();
        match q.len().checked_sub(self.limit).and_then(|i| q.get(i)) {
            Some(oldest) => (*oldest + self.per + MARGIN).max(now),
            None => now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn reactions_in_one_channel_are_a_period_apart_and_other_channels_do_not_wait() {
        let pace = Pace::reactions();
        let start = Instant::now();
        pace.turn(1).await;
        pace.turn(1).await;
        let step = Duration::from_millis(250) + MARGIN;
        assert_eq!(start.elapsed(), step);
        pace.turn(2).await;
        assert_eq!(start.elapsed(), step, "another channel waited");
        pace.turn(1).await;
        assert_eq!(start.elapsed(), 2 * step);
    }

    #[tokio::test(start_paused = true)]
    async fn edits_in_one_channel_never_put_more_than_5_in_4_seconds() {
        let pace = Pace::message_edits();
        let start = Instant::now();
        let mut sent = Vec::new();
        for _ in 0..12 {
            pace.turn(7).await;
            sent.push(start.elapsed());
        }
        for (i, t) in sent.iter().enumerate() {
            let in_window = sent[i..]
                .iter()
                .take_while(|u| **u < *t + Duration::from_secs(4))
                .count();
            assert!(in_window <= 5, "{in_window} edits from {t:?}: {sent:?}");
        }
        assert_eq!(sent[11], 11 * (Duration::from_millis(800) + MARGIN));
        tokio::time::advance(Duration::from_secs(10)).await;
        assert!(
            pace.next_free(7) <= Instant::now(),
            "an idle channel edits at once"
        );
    }
}
