//! What a new proposal shows: the moderators' announcement with its "Call vote" button, and the
//! proposer's card where they proposed it (a reply to their template message, or the answer to
//! their form). Both come from the `Proposed` event like any effect, so a failed call or a crash
//! right after the proposal is retried instead of leaving it unannounced.

use super::super::data::Data;
use super::super::proposals::{self, CARD};
use super::retry;
use crate::discord::messages::views::{CardSource, Overlap};
use crate::discord::messages::{output, views};
use crate::governance::{Group, GroupState};
use crate::store::{GroupId, LoggedEvent, ProposalSource, TemplateMessage};
use anyhow::Result;
use serenity::all::{ChannelId, Http, MessageId, MessageReference};

/// How long a form's interaction token lets its reply be edited (Discord: 15 minutes), with a
/// margin for the call itself.
const FORM_TOKEN_WORKS_MS: i64 = 14 * 60 * 1000;

pub async fn show(http: &Http, data: &Data, id: GroupId, g: &Group) -> Result<()> {
    let source = data.store.proposal_source(id).await?;
    // Names close to existing groups', for both the announcement and the card: one query.
    let overlaps = proposals::overlaps(data, id, g).await?;
    if data
        .store
        .group_message(id, proposals::ANNOUNCEMENT)
        .await?
        .is_none()
    {
        let link = match &source {
            Some(ProposalSource::Message(t)) => {
                Some(proposals::message_link(data, t.channel_id, t.message_id))
            }
            _ => None,
        };
        proposals::announce(http, data, id, g, link, &overlaps).await?;
    }
    match source {
        Some(ProposalSource::Message(t)) => reply_card(http, data, id, g, &t, &overlaps).await,
        Some(ProposalSource::Form {
            interaction_id,
            token,
            channel_id,
            received_at,
        }) => {
            if data.store.group_message(id, CARD).await?.is_none() {
                let r = proposals::card(id, g, false, CardSource::Form, &overlaps)?;
                let sent = if super::wall_ms() - received_at < FORM_TOKEN_WORKS_MS {
                    http.edit_original_interaction_response(
                        &token,
                        &output::edit_reply(&r),
                        Vec::new(),
                    )
                    .await?
                } else {
                    // The form's reply can no longer be edited: the card goes to its channel.
                    let key = format!("{id}/{CARD}");
                    ChannelId::new(channel_id)
                        .send_message(http, output::exactly_once(output::create(&r), &key))
                        .await?
                };
                data.store
                    .set_group_message(id, CARD, sent.channel_id.get(), sent.id.get())
                    .await?;
            }
            Ok(data
                .store
                .forget_proposal_interaction(interaction_id)
                .await?)
        }
        None => Ok(()),
    }
}

/// The card as govbot's reply to the template message: the reply it already has (the problems
/// an edit fixed) becomes the card, or a new reply is posted.
async fn reply_card(
    http: &Http,
    data: &Data,
    id: GroupId,
    g: &Group,
    t: &TemplateMessage,
    overlaps: &[Overlap],
) -> Result<()> {
    let r = proposals::card(id, g, false, CardSource::Message, overlaps)?;
    let channel = ChannelId::new(t.channel_id);
    if let Some(reply) = t.reply_id {
        data.paces.edits.turn(t.channel_id).await;
        match channel
            .edit_message(http, MessageId::new(reply), output::edit(&r))
            .await
        {
            Ok(_) => return Ok(()),
            Err(e) => {
                let e = anyhow::Error::from(e);
                if !retry::is_unknown_message(&e) {
                    return Err(e);
                }
            }
        }
    } else if g.state == GroupState::Withdrawn {
        // Withdrawn (its message deleted) before the card could be shown: nothing to answer.
        return Ok(());
    }
    let mut reference = MessageReference::from((channel, MessageId::new(t.message_id)));
    reference.fail_if_not_exists = Some(false);
    let key = format!("{id}/card-reply");
    let reply = output::exactly_once(output::create(&r).reference_message(reference), &key);
    let sent = channel.send_message(http, reply).await?;
    data.store
        .update_template_message(t.message_id, Some(id), Some(sent.id.get()))
        .await?;
    Ok(())
}

/// A withdrawn proposal: its card and the moderators' announcement say so (the announcement
/// loses its button).
pub async fn withdrawn(
    http: &Http,
    data: &Data,
    id: GroupId,
    g: &Group,
    e: &LoggedEvent,
) -> Result<()> {
    let source = data.store.template_message_of(id).await?;
    let actor = e.event.actor.id().unwrap_or(g.proposer);
    let (card, moderators) = views::withdrawn(id, g, actor)?;
    if let Some((channel, reply)) = source.and_then(|t| Some((t.channel_id, t.reply_id?))) {
        data.paces.edits.turn(channel).await;
        let edit =
            ChannelId::new(channel).edit_message(http, MessageId::new(reply), output::edit(&card));
        super::show::tidy("the proposal's card", async { Ok(edit.await?) }).await?;
    }
    if let Some((channel, message)) = data
        .store
        .group_message(id, proposals::ANNOUNCEMENT)
        .await?
    {
        data.paces.edits.turn(channel).await;
        let edit = ChannelId::new(channel).edit_message(
            http,
            MessageId::new(message),
            output::edit(&moderators).components(Vec::new()),
        );
        super::show::tidy("the announcement", async { Ok(edit.await?) }).await?;
    }
    Ok(())
}

/// A proposal whose template message was deleted: while it is still a proposal, its card says
/// so and how the proposer can withdraw it.
pub async fn template_deleted(http: &Http, data: &Data, id: GroupId, g: &Group) -> Result<()> {
    if g.state != GroupState::Proposed {
        return Ok(());
    }
    let Some((channel, reply)) = data
        .store
        .template_message_of(id)
        .await?
        .and_then(|t| Some((t.channel_id, t.reply_id?)))
    else {
        return Ok(());
    };
    let overlaps = proposals::overlaps(data, id, g).await?;
    let r = proposals::card(id, g, false, CardSource::Deleted, &overlaps)?;
    data.paces.edits.turn(channel).await;
    let edit = ChannelId::new(channel).edit_message(http, MessageId::new(reply), output::edit(&r));
    super::show::tidy("the proposal's card", async { Ok(edit.await?) }).await
}

/// An amended proposal: the card under the template and the moderators' announcement show the
/// new template.
pub async fn amended(http: &Http, data: &Data, id: GroupId, g: &Group) -> Result<()> {
    let source = data.store.template_message_of(id).await?;
    let overlaps = proposals::overlaps(data, id, g).await?;
    if let Some((channel, reply)) = source
        .as_ref()
        .and_then(|t| Some((t.channel_id, t.reply_id?)))
    {
        let r = proposals::card(id, g, true, CardSource::Message, &overlaps)?;
        data.paces.edits.turn(channel).await;
        let edit =
            ChannelId::new(channel).edit_message(http, MessageId::new(reply), output::edit(&r));
        super::show::tidy("the proposal's card", async { Ok(edit.await?) }).await?;
    }
    if let Some((channel, message)) = data
        .store
        .group_message(id, proposals::ANNOUNCEMENT)
        .await?
    {
        let link = source.map(|t| proposals::message_link(data, t.channel_id, t.message_id));
        let r = proposals::announcement(id, g, link, &overlaps)?;
        data.paces.edits.turn(channel).await;
        let edit =
            ChannelId::new(channel).edit_message(http, MessageId::new(message), output::edit(&r));
        super::show::tidy("the announcement", async { Ok(edit.await?) }).await?;
    }
    Ok(())
}
