//! What each audit event shows on Discord. A vote opened gets its message (with the bot's
//! reactions), a reminder pings who has not voted, a close shows the result and opens or archives
//! a channel, a veto or retirement tells everyone affected, a proposal is announced with its card.
//!
//! Every step may be repeated (a retry, a restart): posts are made once per event and purpose
//! ([`channels::once`]), edits and channel moves set a state rather than change it.

use super::super::data::Data;
use super::super::votes::{ballot_buttons, vote_purpose};
use super::super::{candidacy, channels};
use super::retry;
use super::tally::refresh_vote_message;
use crate::discord::messages::notices::{self, emoji_of, VetoFacts};
use crate::discord::messages::output;
use crate::governance::{
    Choice, EventKind, Group, GroupState, MemberId, Outcome, VetoOutcome, Vote, VotePurpose,
};
use crate::store::{GroupId, LoggedEvent};
use anyhow::Result;
use serenity::all::{
    ButtonStyle, ChannelId, CreateActionRow, CreateButton, EditMessage, Http, MessageId,
    MessageReference, ReactionType,
};

/// The vote as the event saw it: the group's current vote if it is the same one.
fn vote_at(g: &Group, opened_or_closing: impl Fn(&Vote) -> bool) -> Option<&Vote> {
    g.vote.as_ref().filter(|v| opened_or_closing(v))
}

/// Shows one event on Discord.
pub async fn apply(http: &Http, data: &Data, e: &LoggedEvent) -> Result<()> {
    let id = e.group_id;
    let stored = data.store.group(id).await?;
    let (g, version) = (stored.group, stored.version);
    match &e.event.kind {
        EventKind::Proposed { .. } => super::proposal::show(http, data, id, &g).await?,
        EventKind::Withdrawn => super::proposal::withdrawn(http, data, id, &g, e).await?,
        EventKind::TemplateMessageDeleted => {
            super::proposal::template_deleted(http, data, id, &g).await?;
        }
        EventKind::Amended { .. } => super::proposal::amended(http, data, id, &g).await?,
        EventKind::VoteOpened { .. } => {
            let Some(v) = vote_at(&g, |v| v.opened_at == e.event.at) else {
                return Ok(());
            };
            let reason = e
                .event
                .reason
                .clone()
                .filter(|_| v.purpose == VotePurpose::Reversal);
            // The announcement's edit first: it takes the channel's edit slot before the ballots
            // start, rather than one the tally needs once they do.
            if v.purpose == VotePurpose::Creation {
                tidy(
                    "the announcement's button",
                    close_announcement(http, data, id),
                )
                .await?;
            }
            post_vote_message(http, data, id, (&g, version), v, reason).await?;
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
            tidy("the vote message", refresh_vote_message(http, data, id)).await?;
            let r = notices::vote_result(id, &g, v, &data.store.ballots(id, v).await?)?;
            to_moderators(http, data, id, &format!("result:{}", e.id), &r).await?;
            if *purpose == VotePurpose::Creation {
                reply_to_proposal(http, data, id, &format!("result-reply:{}", e.id), &r).await?;
            }
            match (purpose, outcome) {
                (VotePurpose::Creation, Outcome::Approved) => {
                    channels::open_group(http, data, id).await?;
                }
                (VotePurpose::Reversal, Outcome::Approved) => {
                    channels::archive(http, data, id, e.id, &e.event, "was dissolved by vote")
                        .await?;
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
            .await?;
            channels::open_group(http, data, id).await?;
        }
        EventKind::Vetoed { outcome } => {
            let reversed = *outcome == VetoOutcome::GroupReversed;
            let cancelled = g
                .vote
                .as_ref()
                .is_some_and(|v| v.cancelled_at == Some(e.event.at));
            if cancelled {
                tidy("the vote message", refresh_vote_message(http, data, id)).await?;
            }
            if !reversed {
                tidy(
                    "the announcement's button",
                    close_announcement(http, data, id),
                )
                .await?;
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
                tidy("the vote message", refresh_vote_message(http, data, id)).await?;
            }
            tidy("the candidacy's buttons", candidacy::close(http, data, id)).await?;
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
                let message = output::create(&r).components(candidacy::buttons(id, open));
                let msg = ChannelId::new(channel)
                    .send_message(
                        http,
                        output::exactly_once(message, &format!("{id}/{purpose}")),
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
            tidy("the candidacy's buttons", candidacy::close(http, data, id)).await?;
            let r = notices::candidacy_decided(&g, &e.event, "kept")?;
            let purpose = format!("kept:{}", e.id);
            to_moderators(http, data, id, &purpose, &r).await?;
            if let Some(channel) = g.channel {
                let purpose = format!("kept-channel:{}", e.id);
                channels::once(http, data, id, &purpose, channel, &r, &[]).await?;
            }
        }
        EventKind::ItemUnreadable { item, reason } => {
            let r = notices::item_unreadable(id, &g, item, reason)?;
            let purpose = format!("unreadable:{}", e.id);
            to_moderators(http, data, id, &purpose, &r).await?;
        }
        EventKind::ItemActivity { .. }
        | EventKind::ItemTracked { .. }
        | EventKind::ItemReopened { .. }
        | EventKind::MaintenanceSet { .. }
            if g.candidacy.is_none() =>
        {
            tidy("the candidacy's buttons", candidacy::close(http, data, id)).await?;
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

/// Updates an earlier message (a vote's tally and buttons, a button that no longer applies). It
/// is retried like any effect, but a message someone deleted must not stop what follows (a
/// result, a new channel): there is nothing left to update.
pub(super) async fn tidy<T>(
    what: &str,
    update: impl std::future::Future<Output = Result<T>>,
) -> Result<()> {
    match update.await {
        Ok(_) => Ok(()),
        Err(e) if retry::is_unknown_message(&e) => {
            tracing::info!("{what} was deleted; nothing to update");
            Ok(())
        }
        Err(e) => Err(e.context(format!("updating {what}"))),
    }
}

/// Posts `r` in the moderators' channel once for `purpose`, notifying nobody.
async fn to_moderators(
    http: &Http,
    data: &Data,
    id: GroupId,
    purpose: &str,
    r: &crate::discord::messages::render::Rendered,
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
    r: &crate::discord::messages::render::Rendered,
) -> Result<()> {
    to_moderators(http, data, id, &format!("veto:{event_id}"), r).await?;
    reply_to_proposal(http, data, id, &format!("veto-reply:{event_id}"), r).await
}

/// Posts the vote message once (showing the group at `version`), then adds the voting reactions.
async fn post_vote_message(
    http: &Http,
    data: &Data,
    id: GroupId,
    (g, version): (&Group, i64),
    v: &Vote,
    reason: Option<String>,
) -> Result<()> {
    let purpose = vote_purpose(v);
    let channel = ChannelId::new(data.config.channels.moderators);
    let (channel, message) = match data.store.group_message(id, &purpose).await? {
        Some(found) => found,
        None => {
            let ballots = data.store.ballots(id, v).await?;
            let r = notices::vote_message(id, g, v, &ballots, reason, &data.config.vote_reactions)?;
            let message =
                output::create(&r).components(ballot_buttons(id, v, v.is_open_at(data.now())));
            let msg = channel
                .send_message(
                    http,
                    output::exactly_once(message, &format!("{id}/{purpose}")),
                )
                .await?;
            data.store
                .set_group_message(id, &purpose, channel.get(), msg.id.get())
                .await?;
            data.store.set_shown_version(id, &purpose, version).await?;
            (channel.get(), msg.id.get())
        }
    };
    let react = async {
        for c in [Choice::Yes, Choice::No, Choice::Abstain] {
            let emoji = ReactionType::Unicode(emoji_of(&data.config.vote_reactions, c).to_owned());
            data.paces.reactions.turn(channel).await;
            ChannelId::new(channel)
                .create_reaction(http, MessageId::new(message), emoji)
                .await?;
        }
        super::super::votes::reconcile_vote(http, data, id, g).await
    };
    tidy("the vote message's reactions", react).await
}

/// The moderators' announcement of a proposal keeps its text but its "Call vote" button no
/// longer applies once a vote, a sponsorship approval or a veto has decided the next step.
async fn close_announcement(http: &Http, data: &Data, id: GroupId) -> Result<()> {
    let Some((channel, message)) = data
        .store
        .group_message(id, super::super::proposals::ANNOUNCEMENT)
        .await?
    else {
        return Ok(());
    };
    let done = CreateActionRow::Buttons(vec![CreateButton::new(
        super::super::proposals::call_vote_button(id),
    )
    .label("Vote called or decided")
    .style(ButtonStyle::Secondary)
    .disabled(true)]);
    data.paces.edits.turn(channel).await;
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
    Ok(data
        .store
        .group_message(id, super::super::proposals::CARD)
        .await?)
}

/// Replies to the proposal, so its author sees the outcome where they proposed.
async fn reply_to_proposal(
    http: &Http,
    data: &Data,
    id: GroupId,
    purpose: &str,
    r: &crate::discord::messages::render::Rendered,
) -> Result<()> {
    if data.store.group_message(id, purpose).await?.is_some() {
        return Ok(());
    }
    let Some((channel, message)) = proposal_anchor(data, id).await? else {
        return Ok(());
    };
    let key = format!("{id}/{purpose}");
    let reply = output::create(r).reference_message(MessageReference::from((
        ChannelId::new(channel),
        MessageId::new(message),
    )));
    let sent = match ChannelId::new(channel)
        .send_message(http, output::exactly_once(reply, &key))
        .await
    {
        Ok(m) => m,
        // The proposal's message was deleted: say it in the channel without a reply.
        Err(e) => {
            tracing::info!(group = %id, "replying to the proposal failed ({e}); posting plainly");
            ChannelId::new(channel)
                .send_message(http, output::exactly_once(output::create(r), &key))
                .await?
        }
    };
    data.store
        .set_group_message(id, purpose, channel, sent.id.get())
        .await?;
    Ok(())
}
