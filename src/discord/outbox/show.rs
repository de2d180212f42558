//! The outbox: what Discord is shown after each governance event, read from the audit log in
//! order. A vote opened gets its message (with the bot's reactions), ballots refresh its tally, a
//! reminder pings who has not voted, a close shows the result and opens or archives a channel,
//! a veto or retirement tells everyone affected.
//!
//! The cursor moves after an event's effects are done, so a crash repeats an effect rather than
//! losing it; effects that post remember their message per event (see [`channels::once`]), so a
//! repeat posts nothing twice. Tally edits are coalesced: at most one edit per vote message per
//! [`EDIT_INTERVAL`], however many ballots arrive, which keeps a burst within Discord's limits.

use super::data::Data;
use super::notices::{self, emoji_of, VetoFacts};
use super::votes::{ballot_buttons, vote_purpose};
use super::{candidacy, channels, output};
use crate::governance::{
    Choice, EventKind, Group, GroupState, MemberId, Outcome, VetoOutcome, Vote, VotePurpose,
};
use crate::store::{GroupId, LoggedEvent};
use anyhow::Result;
use serenity::all::{
    ButtonStyle, ChannelId, CreateActionRow, CreateButton, EditMessage, Http, MessageId,
    MessageReference, ReactionType,
};
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The cursor's name in `outbox_cursor`.
pub const CONSUMER: &str = "discord";
/// The least time between two edits of the same vote message.
pub const EDIT_INTERVAL: Duration = Duration::from_millis(1000);
/// Attempts at an event's effects before it is recorded in `outbox_failures` and skipped.
const MAX_ATTEMPTS: u32 = 4;
/// The longest the outbox waits without a change before looking again.
const POLL: Duration = Duration::from_secs(5);
const BATCH: u32 = 200;

/// Vote messages whose tally changed, and when each was last edited.
#[derive(Default)]
struct Tallies {
    dirty: BTreeSet<GroupId>,
    edited: HashMap<GroupId, Instant>,
    /// Consecutive failed edits per vote message; a message that cannot be edited (deleted by
    /// someone) is given up after [`MAX_ATTEMPTS`] rather than retried forever.
    failures: HashMap<GroupId, u32>,
}

/// Runs the outbox until `stop` turns true.
pub async fn run(http: std::sync::Arc<Http>, data: Data, mut stop: watch::Receiver<bool>) {
    let mut changes = data.store.changes();
    let mut tallies = Tallies::default();
    // After downtime every open vote's message is refreshed once.
    match open_votes(&data).await {
        Ok(ids) => tallies.dirty.extend(ids),
        Err(e) => tracing::error!("cannot list the open votes: {e:#}"),
    }
    open_missing_channels(&http, &data).await;
    while !*stop.borrow() {
        changes.borrow_and_update();
        if let Err(e) = drain(&http, &data, &mut tallies, &stop).await {
            tracing::error!("the outbox cannot read the audit log: {e:#}");
        }
        let wait = flush(&http, &data, &mut tallies).await.unwrap_or(POLL);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = changes.changed() => {}
            _ = stop.changed() => {}
        }
    }
}

/// At start-up, an active group without a channel (its creation failed before, e.g. for a missing
/// permission since fixed) gets one now.
async fn open_missing_channels(http: &Http, data: &Data) {
    let groups = match data.store.list_in(None, &[GroupState::Active]).await {
        Ok(g) => g,
        Err(e) => return tracing::error!("cannot list the active groups: {e:#}"),
    };
    for g in groups.into_iter().filter(|g| g.group.channel.is_none()) {
        if let Err(e) = channels::open_group(http, data, g.id).await {
            tracing::error!(group = %g.id, "still cannot open the group's channel: {e:#}");
        }
    }
}

async fn open_votes(data: &Data) -> Result<Vec<GroupId>> {
    let groups = data.store.list_in(None, &GroupState::VOTING).await?;
    Ok(groups.into_iter().map(|g| g.id).collect())
}

/// Handles every event after the cursor.
async fn drain(
    http: &Http,
    data: &Data,
    tallies: &mut Tallies,
    stop: &watch::Receiver<bool>,
) -> Result<()> {
    loop {
        let cursor = data.store.outbox_cursor(CONSUMER).await?;
        let batch = data.store.events_after(cursor, BATCH).await?;
        let Some(last) = batch.last().map(|e| e.id) else {
            return Ok(());
        };
        for e in &batch {
            if *stop.borrow() {
                return Ok(());
            }
            if matches!(e.event.kind, EventKind::BallotCast { .. }) {
                tracing::debug!(event = e.id, group = %e.group_id, "ballot: the tally will be refreshed");
                tallies.dirty.insert(e.group_id);
                continue;
            }
            let mut attempt = 0;
            while let Err(err) = apply(http, data, e).await {
                attempt += 1;
                if attempt >= MAX_ATTEMPTS {
                    tracing::error!(
                        event = e.id,
                        group = %e.group_id,
                        "giving up on showing {} on Discord: {err:#}",
                        e.event.kind.name()
                    );
                    data.store
                        .record_outbox_failure(e.id, attempt, &format!("{err:#}"), data.now())
                        .await?;
                    break;
                }
                tracing::warn!(
                    event = e.id,
                    attempt,
                    "showing an event failed, retrying: {err:#}"
                );
                tokio::time::sleep(Duration::from_millis(250 << attempt)).await;
            }
            data.store.set_outbox_cursor(CONSUMER, e.id).await?;
        }
        data.store.set_outbox_cursor(CONSUMER, last).await?;
    }
}

/// Edits the tally of every dirty vote message not edited within [`EDIT_INTERVAL`]; returns how
/// long until the next one may be edited, if any is waiting.
async fn flush(http: &Http, data: &Data, tallies: &mut Tallies) -> Option<Duration> {
    let mut wait: Option<Duration> = None;
    for id in tallies.dirty.clone() {
        if let Some(since) = tallies.edited.get(&id).map(Instant::elapsed) {
            if since < EDIT_INTERVAL {
                let left = EDIT_INTERVAL - since;
                wait = Some(wait.map_or(left, |w| w.min(left)));
                continue;
            }
        }
        tallies.dirty.remove(&id);
        tallies.edited.insert(id, Instant::now());
        match refresh_vote_message(http, data, id).await {
            Ok(shown) => {
                tallies.failures.remove(&id);
                // A ballot committed while the message was being shown is not on it: show the
                // vote once more after the interval, so the last edit always follows the last
                // ballot.
                let now_at = data.store.group(id).await.map(|g| g.version);
                if now_at.is_ok_and(|v| v != shown) {
                    tallies.dirty.insert(id);
                    wait = Some(wait.map_or(EDIT_INTERVAL, |w| w.min(EDIT_INTERVAL)));
                }
            }
            Err(e) => {
                let failures = tallies.failures.entry(id).or_default();
                *failures += 1;
                if *failures >= MAX_ATTEMPTS {
                    tracing::error!(group = %id, "giving up on updating the vote message: {e:#}");
                    tallies.failures.remove(&id);
                } else {
                    // Kept dirty: the next flush, one interval later, tries again.
                    tracing::warn!(group = %id, "could not update the vote message: {e:#}");
                    tallies.dirty.insert(id);
                    wait = Some(EDIT_INTERVAL);
                }
            }
        }
    }
    tallies.edited.retain(|_, t| t.elapsed() < EDIT_INTERVAL);
    wait
}

/// The vote as the event saw it: the group's current vote if it is the same one.
fn vote_at(g: &Group, opened_or_closing: impl Fn(&Vote) -> bool) -> Option<&Vote> {
    g.vote.as_ref().filter(|v| opened_or_closing(v))
}

/// Shows one event on Discord.
async fn apply(http: &Http, data: &Data, e: &LoggedEvent) -> Result<()> {
    let id = e.group_id;
    let g = data.store.group(id).await?.group;
    match &e.event.kind {
        EventKind::VoteOpened { .. } => {
            let Some(v) = vote_at(&g, |v| v.opened_at == e.event.at) else {
                return Ok(());
            };
            let reason = e
                .event
                .reason
                .clone()
                .filter(|_| v.purpose == VotePurpose::Reversal);
            post_vote_message(http, data, id, &g, v, reason).await?;
            if v.purpose == VotePurpose::Creation {
                tidy(
                    "the announcement's button",
                    close_announcement(http, data, id),
                )
                .await;
            }
        }
        EventKind::VoteReminder { not_voted, .. } => {
            let Some(v) = vote_at(&g, |v| v.is_open_at(e.event.at)) else {
                return Ok(());
            };
            let r = notices::vote_reminder(id, &g, v, not_voted)?;
            channels::once(
                http,
                data,
                id,
                &format!("reminder:{}", e.id),
                data.config.channels.moderators,
                &r,
                not_voted,
            )
            .await?;
        }
        EventKind::VoteClosed {
            purpose,
            outcome,
            as_of,
            ..
        } => {
            let Some(v) = vote_at(&g, |v| v.closes_at == *as_of) else {
                return Ok(());
            };
            tidy("the vote message", refresh_vote_message(http, data, id)).await;
            let r = notices::vote_result(id, &g, v)?;
            to_moderators(http, data, id, &format!("result:{}", e.id), &r).await?;
            if *purpose == VotePurpose::Creation {
                reply_to_proposal(http, data, id, &format!("result-reply:{}", e.id), &r).await?;
            }
            match (purpose, outcome) {
                (VotePurpose::Creation, Outcome::Approved) => {
                    channels::open_group(http, data, id).await?
                }
                (VotePurpose::Reversal, Outcome::Approved) => {
                    channels::archive(http, data, id, e.id, &e.event, "was dissolved by vote")
                        .await?
                }
                _ => {}
            }
        }
        EventKind::Sponsored { sponsor, role } => {
            let r = notices::sponsored(id, &g, *sponsor, *role)?;
            let purpose = format!("sponsored:{}", e.id);
            to_moderators(http, data, id, &purpose, &r).await?;
        }
        EventKind::Approved => {
            tidy(
                "the announcement's button",
                close_announcement(http, data, id),
            )
            .await;
            channels::open_group(http, data, id).await?;
        }
        EventKind::Vetoed { outcome } => {
            let reversed = *outcome == VetoOutcome::GroupReversed;
            let cancelled = g
                .vote
                .as_ref()
                .is_some_and(|v| v.cancelled_at == Some(e.event.at));
            if cancelled {
                tidy("the vote message", refresh_vote_message(http, data, id)).await;
            }
            if !reversed {
                tidy(
                    "the announcement's button",
                    close_announcement(http, data, id),
                )
                .await;
            }
            let r = notices::veto_notice(
                id,
                &g,
                VetoFacts {
                    actor: e.event.actor.id().unwrap_or(MemberId(0)),
                    reason: e.event.reason.as_deref().unwrap_or(""),
                    lifted: false,
                    reversed,
                    restored: false,
                    vote_cancelled: cancelled,
                },
            )?;
            tell_everyone(http, data, id, e.id, &r).await?;
            if reversed {
                channels::archive(http, data, id, e.id, &e.event, "was dissolved by veto").await?;
            }
        }
        EventKind::VetoLifted => {
            let restored = g.state == GroupState::Active;
            let r = notices::veto_notice(
                id,
                &g,
                VetoFacts {
                    actor: e.event.actor.id().unwrap_or(MemberId(0)),
                    reason: e.event.reason.as_deref().unwrap_or(""),
                    lifted: true,
                    reversed: false,
                    restored,
                    vote_cancelled: false,
                },
            )?;
            tell_everyone(http, data, id, e.id, &r).await?;
            if restored {
                channels::restore(http, data, id).await?;
            }
        }
        EventKind::Retired { .. } => {
            if g.vote
                .as_ref()
                .is_some_and(|v| v.cancelled_at == Some(e.event.at))
            {
                tidy("the vote message", refresh_vote_message(http, data, id)).await;
            }
            tidy("the candidacy's buttons", candidacy::close(http, data, id)).await;
            channels::archive(http, data, id, e.id, &e.event, "was retired").await?;
        }
        EventKind::InactivityReminder { deadline, .. } => {
            if let Some(channel) = g.channel {
                let r = notices::inactivity_reminder(&g, *deadline)?;
                let purpose = format!("inactivity:{}", e.id);
                channels::once(http, data, id, &purpose, channel, &r, &g.facilitators).await?;
            }
        }
        EventKind::RetirementCandidate { cause } => {
            let r = notices::retirement_candidate(&g, e.event.at, *cause)?;
            if let Some(channel) = g.channel {
                let purpose = format!("candidacy-channel:{}", e.id);
                channels::once(http, data, id, &purpose, channel, &r, &g.facilitators).await?;
            }
            let purpose = format!("candidacy:{}", e.id);
            if data.store.group_message(id, &purpose).await?.is_none() {
                let channel = data.config.channels.moderators;
                let open = g.candidacy.is_some() && g.state == GroupState::Active;
                let msg = ChannelId::new(channel)
                    .send_message(
                        http,
                        output::create(&r).components(candidacy::buttons(id, open)),
                    )
                    .await?;
                data.store
                    .set_group_message(id, &purpose, channel, msg.id.get())
                    .await?;
                data.store
                    .set_group_message(id, candidacy::CANDIDACY, channel, msg.id.get())
                    .await?;
            }
        }
        EventKind::Kept => {
            tidy("the candidacy's buttons", candidacy::close(http, data, id)).await;
            let r = notices::candidacy_decided(&g, &e.event, "kept")?;
            let purpose = format!("kept:{}", e.id);
            to_moderators(http, data, id, &purpose, &r).await?;
            if let Some(channel) = g.channel {
                let purpose = format!("kept-channel:{}", e.id);
                channels::once(http, data, id, &purpose, channel, &r, &[]).await?;
            }
        }
        EventKind::ItemActivity { .. }
        | EventKind::ItemTracked { .. }
        | EventKind::ItemReopened { .. }
        | EventKind::MaintenanceSet { .. }
            if g.candidacy.is_none() =>
        {
            tidy("the candidacy's buttons", candidacy::close(http, data, id)).await;
        }
        EventKind::QuietReminder { .. } => {
            if let Some(channel) = g.channel {
                let r = notices::quiet_reminder(id, &g, false)?;
                let purpose = format!("quiet:{}", e.id);
                channels::once(http, data, id, &purpose, channel, &r, &g.facilitators).await?;
            }
            let r = notices::quiet_reminder(id, &g, true)?;
            let purpose = format!("quiet-note:{}", e.id);
            to_moderators(http, data, id, &purpose, &r).await?;
        }
        EventKind::StatusPosted { text } => {
            if let Some(channel) = g.channel {
                let r = notices::status_posted(&g, &e.event, text)?;
                let purpose = format!("status:{}", e.id);
                channels::once(http, data, id, &purpose, channel, &r, &[]).await?;
            }
        }
        EventKind::FacilitatorAdded { member } if g.state.is_live_group() => {
            if let Some(channel) = g.channel {
                channels::grant_facilitators(http, data, channel, &[*member]).await?;
            }
        }
        EventKind::FacilitatorRemoved { member } if g.state.is_live_group() => {
            if let Some(channel) = g.channel {
                channels::revoke_facilitator(http, data, id, channel, *member).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Updates an earlier message (a vote's tally, a button that no longer applies). A message
/// someone deleted must not stop what follows (a result, a new channel), so a failure is logged.
async fn tidy<T>(what: &str, update: impl std::future::Future<Output = Result<T>>) {
    if let Err(e) = update.await {
        tracing::warn!("could not update {what}: {e:#}");
    }
}

/// Posts `r` in the moderators' channel once for `purpose`, notifying nobody.
async fn to_moderators(
    http: &Http,
    data: &Data,
    id: GroupId,
    purpose: &str,
    r: &super::render::Rendered,
) -> Result<()> {
    let channel = data.config.channels.moderators;
    channels::once(http, data, id, purpose, channel, r, &[]).await
}

/// A veto or its lifting is told in the moderators' channel and as a reply to the proposal.
async fn tell_everyone(
    http: &Http,
    data: &Data,
    id: GroupId,
    event_id: i64,
    r: &super::render::Rendered,
) -> Result<()> {
    to_moderators(http, data, id, &format!("veto:{event_id}"), r).await?;
    reply_to_proposal(http, data, id, &format!("veto-reply:{event_id}"), r).await
}

/// Posts the vote message once, then adds the voting reactions.
async fn post_vote_message(
    http: &Http,
    data: &Data,
    id: GroupId,
    g: &Group,
    v: &Vote,
    reason: Option<String>,
) -> Result<()> {
    let purpose = vote_purpose(v);
    let channel = ChannelId::new(data.config.channels.moderators);
    let (channel, message) = match data.store.group_message(id, &purpose).await? {
        Some(found) => found,
        None => {
            let r = notices::vote_message(id, g, v, reason, &data.config.vote_reactions)?;
            let msg = channel
                .send_message(
                    http,
                    output::create(&r).components(ballot_buttons(id, v.is_open_at(data.now()))),
                )
                .await?;
            data.store
                .set_group_message(id, &purpose, channel.get(), msg.id.get())
                .await?;
            (channel.get(), msg.id.get())
        }
    };
    for c in [Choice::Yes, Choice::No, Choice::Abstain] {
        let emoji = ReactionType::Unicode(emoji_of(&data.config.vote_reactions, c).to_owned());
        ChannelId::new(channel)
            .create_reaction(http, MessageId::new(message), emoji)
            .await?;
    }
    super::votes::reconcile_vote(http, data, id, g).await?;
    Ok(())
}

/// Shows the group's vote as it stands: live tally, final result, or ended early. Returns the
/// version of the group it showed.
async fn refresh_vote_message(http: &Http, data: &Data, id: GroupId) -> Result<i64> {
    let stored = data.store.group(id).await?;
    let (g, version) = (stored.group, stored.version);
    let Some(v) = g.vote.as_ref() else {
        return Ok(version);
    };
    let Some((channel, message)) = data.store.group_message(id, &vote_purpose(v)).await? else {
        return Ok(version);
    };
    let reason = if v.purpose == VotePurpose::Reversal {
        opening_reason(data, id, v).await?
    } else {
        None
    };
    let r = notices::vote_message(id, &g, v, reason, &data.config.vote_reactions)?;
    tracing::debug!(group = %id, tally = %v.tally(), "refreshing the vote message");
    ChannelId::new(channel)
        .edit_message(
            http,
            MessageId::new(message),
            output::edit(&r).components(ballot_buttons(id, v.is_open_at(data.now()))),
        )
        .await?;
    Ok(version)
}

/// The reason a reversal vote was opened with, from the history.
async fn opening_reason(data: &Data, id: GroupId, v: &Vote) -> Result<Option<String>> {
    Ok(data
        .store
        .history(id)
        .await?
        .into_iter()
        .rev()
        .find(|e| matches!(e.event.kind, EventKind::VoteOpened { .. }) && e.event.at == v.opened_at)
        .and_then(|e| e.event.reason))
}

/// The moderators' announcement of a proposal keeps its text but its "Call vote" button no
/// longer applies once a vote, a sponsorship approval or a veto has decided the next step.
async fn close_announcement(http: &Http, data: &Data, id: GroupId) -> Result<()> {
    let Some((channel, message)) = data
        .store
        .group_message(id, super::proposals::ANNOUNCEMENT)
        .await?
    else {
        return Ok(());
    };
    let done = CreateActionRow::Buttons(vec![CreateButton::new(
        super::proposals::call_vote_button(id),
    )
    .label("Vote called or decided")
    .style(ButtonStyle::Secondary)
    .disabled(true)]);
    ChannelId::new(channel)
        .edit_message(
            http,
            MessageId::new(message),
            EditMessage::new().components(vec![done]),
        )
        .await?;
    Ok(())
}

/// Where the proposal was made: the member's template message, or the card a modal proposal got.
async fn proposal_anchor(data: &Data, id: GroupId) -> Result<Option<(u64, u64)>> {
    if let Some(t) = data.store.template_message_of(id).await? {
        return Ok(Some((t.channel_id, t.message_id)));
    }
    Ok(data.store.group_message(id, super::proposals::CARD).await?)
}

/// Replies to the proposal, so its author sees the outcome where they proposed.
async fn reply_to_proposal(
    http: &Http,
    data: &Data,
    id: GroupId,
    purpose: &str,
    r: &super::render::Rendered,
) -> Result<()> {
    if data.store.group_message(id, purpose).await?.is_some() {
        return Ok(());
    }
    let Some((channel, message)) = proposal_anchor(data, id).await? else {
        return Ok(());
    };
    let reply = output::create(r).reference_message(MessageReference::from((
        ChannelId::new(channel),
        MessageId::new(message),
    )));
    let sent = match ChannelId::new(channel).send_message(http, reply).await {
        Ok(m) => m,
        // The proposal's message was deleted: say it in the channel without a reply.
        Err(e) => {
            tracing::info!(group = %id, "replying to the proposal failed ({e}); posting plainly");
            ChannelId::new(channel)
                .send_message(http, output::create(r))
                .await?
        }
    };
    data.store
        .set_group_message(id, purpose, channel, sent.id.get())
        .await?;
    Ok(())
}
