//! Proposals from Discord: template messages (posted, edited, deleted), the modal, withdrawal,
//! and the moderators' announcement. Each path checks the input, asks the store to carry out the
//! governance command, then shows the outcome; nothing here decides a rule.

use super::data::Data;
use super::messages::output;
use super::messages::views::{self, CardSource, Overlap};
use super::template_message::{self, Reading, MAX_MESSAGE_CHARS};
use crate::governance::{
    Acting, Actor, Command, Field, FieldProblem, Group, GroupState, MemberId, Template,
    TemplateDraft, TemplateErrors,
};
use crate::store::{GroupId, StoreError, Target, Trigger};
use anyhow::Result;
use serenity::all::{
    ButtonStyle, ChannelId, GuildId, Http, Message, MessageId, MessageUpdateEvent, RoleId, UserId,
};

/// The purpose under which the moderators' announcement of a proposal is remembered.
pub const ANNOUNCEMENT: &str = "announcement";
/// The purpose under which the card answering a modal proposal is remembered, so results can
/// reply to it.
pub const CARD: &str = "card";

pub fn call_vote_button(id: GroupId) -> String {
    super::component_id::ComponentId::CallVote(id).to_string()
}

/// Validates a draft, adding what only Discord knows: whether each maintainer is in the steering
/// group.
pub async fn validate(
    http: &Http,
    data: &Data,
    draft: &TemplateDraft,
) -> Result<Template, TemplateErrors> {
    let mut problems = match draft.validate() {
        Ok(_) => Vec::new(),
        Err(e) => e.problems,
    };
    let guild = GuildId::new(data.config.guild_id);
    let steering = RoleId::new(data.config.roles.steering_group);
    for m in &draft.maintainers {
        let ok = match guild.member(http, UserId::new(m.0)).await {
            Ok(member) => member.roles.contains(&steering),
            Err(_) => false,
        };
        if !ok {
            problems.push(FieldProblem {
                field: Field::Maintainers,
                problem: format!("{m} is not a member of the steering group; only steering group members can be maintainers"),
            });
        }
    }
    if problems.is_empty() {
        draft.validate()
    } else {
        Err(TemplateErrors {
            kind: draft.kind,
            problems,
        })
    }
}

/// The existing groups whose names resemble the proposal's, for its card and its announcement:
/// one indexed query ([`crate::store::Store::similar_names`]), made once per proposal by the
/// outbox, after the interaction that proposed it was answered.
pub async fn overlaps(data: &Data, id: GroupId, g: &Group) -> Result<Vec<Overlap>> {
    Ok(data
        .store
        .similar_names(&g.name)
        .await?
        .iter()
        .filter(|o| o.id != id)
        .map(Overlap::of)
        .collect())
}

/// Posts the proposal to the moderators with its "Call vote" button (while a vote can still be
/// called) and remembers the message; the outbox calls it once per proposal.
pub async fn announce(
    http: &Http,
    data: &Data,
    id: GroupId,
    g: &Group,
    source: Option<String>,
    overlaps: &[Overlap],
) -> Result<()> {
    let r = announcement(id, g, source, overlaps)?;
    let channel = ChannelId::new(data.config.channels.moderators);
    let mut message = output::create(&r);
    if g.state == GroupState::Proposed {
        message = message.components(output::buttons(&[(
            &call_vote_button(id),
            "Call vote",
            ButtonStyle::Primary,
        )]));
    }
    let msg = channel
        .send_message(
            http,
            output::exactly_once(message, &format!("{id}/{ANNOUNCEMENT}")),
        )
        .await?;
    data.store
        .set_group_message(id, ANNOUNCEMENT, channel.get(), msg.id.get())
        .await?;
    Ok(())
}

/// The moderators' announcement of a proposal; `source` links to its template message.
pub fn announcement(
    id: GroupId,
    g: &Group,
    source: Option<String>,
    overlaps: &[Overlap],
) -> Result<super::messages::render::Rendered> {
    Ok(views::announcement(
        id,
        g,
        overlaps.to_vec(),
        source,
        g.policy.vote_window.in_words(),
    )?)
}

pub fn card(
    id: GroupId,
    g: &Group,
    updated: bool,
    source: CardSource,
    overlaps: &[Overlap],
) -> Result<super::messages::render::Rendered> {
    Ok(views::card(id, g, overlaps.to_vec(), updated, source)?)
}

pub fn message_link(data: &Data, channel: u64, message: u64) -> String {
    format!(
        "https://discord.com/channels/{}/{channel}/{message}",
        data.config.guild_id
    )
}

/// A message in the creation channel: a template gets a card or the list of its problems;
/// anything else is chat and is left alone.
pub async fn on_message(http: &Http, data: &Data, msg: &Message) -> Result<()> {
    if msg.author.bot || msg.channel_id.get() != data.config.channels.creation {
        return Ok(());
    }
    // The length is checked before the message is parsed (see `template_message::read`).
    let draft = match template_message::read(&msg.content) {
        Reading::Chat => return Ok(()),
        Reading::TooLong(_) => None,
        Reading::Template(draft) => Some(draft),
    };
    if !data
        .store
        .record_template_message(
            msg.id.get(),
            msg.channel_id.get(),
            MemberId(msg.author.id.get()),
        )
        .await?
    {
        tracing::info!(
            message = msg.id.get(),
            "template message already handled; ignoring the repeat"
        );
        return Ok(());
    }
    data.remember(&msg.author).await;
    // The people the template names, so the directory and histories show them by name even
    // before they act themselves.
    for user in msg.mentions.iter().filter(|u| !u.bot) {
        data.remember(user).await;
    }
    let roles = msg
        .member
        .as_ref()
        .map(|m| m.roles.clone())
        .unwrap_or_default();
    let actor = data.actor(msg.author.id.get(), &roles);
    let rendered = match draft {
        None => too_long()?,
        Some(draft) => match propose(http, data, &actor, &draft, msg.id.get()).await? {
            // The outbox answers with the card, from the proposal's event.
            Ok(()) => return Ok(()),
            Err(r) => r,
        },
    };
    let reply = msg
        .channel_id
        .send_message(http, output::create(&rendered).reference_message(msg))
        .await?;
    data.store
        .update_template_message(msg.id.get(), None, Some(reply.id.get()))
        .await?;
    Ok(())
}

fn too_long() -> Result<super::messages::render::Rendered, super::messages::render::RenderError> {
    views::error(
        &format!("this template is longer than {MAX_MESSAGE_CHARS} characters"),
        Some("Shorten the answers (link to a document for details) and post it again."),
    )
}

/// Proposes from a template message: `Ok(())` when the proposal was made (the outbox shows its
/// card and announcement), `Err(answer)` with what the author must fix.
async fn propose(
    http: &Http,
    data: &Data,
    actor: &Actor,
    draft: &TemplateDraft,
    message: u64,
) -> Result<Result<(), super::messages::render::Rendered>> {
    let template = match validate(http, data, draft).await {
        Ok(t) => t,
        Err(e) => return Ok(Err(views::template_problems(&e, true)?)),
    };
    let now = data.now();
    let ctx = Acting::new(actor, now, data.policy());
    // The message's trigger, recorded in the proposal's transaction, tells the outbox where the
    // proposal was made as soon as it exists.
    let trigger = Trigger::Message(message);
    match data
        .store
        .execute(
            Target::New,
            &Command::Propose { template },
            &ctx,
            Some(&trigger),
        )
        .await
    {
        Ok(done) => {
            data.store
                .update_template_message(message, Some(done.id), None)
                .await?;
            Ok(Ok(()))
        }
        Err(e) if e.is_user_facing() => Ok(Err(views::error(&e.user_message(), None)?)),
        Err(e) => Err(e.into()),
    }
}

/// An edited template message: re-read it and update the proposal and govbot's reply.
pub async fn on_message_update(http: &Http, data: &Data, event: &MessageUpdateEvent) -> Result<()> {
    if event.channel_id.get() != data.config.channels.creation {
        return Ok(());
    }
    let Some(content) = event.content.as_deref() else {
        return Ok(());
    };
    let Some(known) = data.store.template_message(event.id.get()).await? else {
        // A chat message edited into a template is a new proposal.
        return match (&event.author, template_message::read(content)) {
            (Some(author), Reading::Template(_) | Reading::TooLong(_)) if !author.bot => {
                let msg = event.channel_id.message(http, event.id).await?;
                on_message(http, data, &msg).await
            }
            _ => Ok(()),
        };
    };
    let edited_ms = event
        .edited_timestamp
        .map(|t| t.timestamp_millis())
        .unwrap_or(0);
    if !data
        .store
        .claim_template_edit(event.id.get(), edited_ms)
        .await?
    {
        return Ok(());
    }
    let roles = event
        .member
        .as_ref()
        .and_then(|m| m.as_ref().map(|m| m.roles.clone()))
        .unwrap_or_default();
    for user in event.mentions.iter().flatten().filter(|u| !u.bot) {
        data.remember(user).await;
    }
    let actor = data.actor(known.author.0, &roles);
    let reading = template_message::read(content);
    let reply_to = |r: &super::messages::render::Rendered| {
        output::create(r).reference_message((event.channel_id, event.id))
    };
    match known.group {
        None => {
            let rendered = match reading {
                Reading::Chat => views::error(
                    "this message no longer starts with the group's kind and name",
                    Some("Start it with a line like `IG: Security in MCP` or `WG: Registry`."),
                )?,
                Reading::TooLong(_) => too_long()?,
                Reading::Template(draft) => {
                    match propose(http, data, &actor, &draft, event.id.get()).await? {
                        // The outbox turns the reply into the card.
                        Ok(()) => return Ok(()),
                        Err(r) => r,
                    }
                }
            };
            match known.reply_id {
                Some(reply) => {
                    data.paces.edits.turn(event.channel_id.get()).await;
                    event
                        .channel_id
                        .edit_message(http, MessageId::new(reply), output::edit(&rendered))
                        .await?;
                }
                None => {
                    let reply = event
                        .channel_id
                        .send_message(http, reply_to(&rendered))
                        .await?;
                    data.store
                        .update_template_message(event.id.get(), None, Some(reply.id.get()))
                        .await?;
                }
            }
        }
        Some(id) => {
            let current = data.store.group(id).await?;
            if current.group.state != GroupState::Proposed {
                let r = views::edit_too_late(id, &current.group)?;
                event.channel_id.send_message(http, reply_to(&r)).await?;
                return Ok(());
            }
            let problems = match &reading {
                Reading::Chat => vec!["the message no longer starts with the group's kind and name, like `WG: Registry`".to_string()],
                Reading::TooLong(_) => vec![format!("the message is longer than {MAX_MESSAGE_CHARS} characters; shorten the answers (link to a document for details)")],
                Reading::Template(d) => match validate(http, data, d).await {
                    Err(e) => e.problems.iter().map(|p| p.to_string()).collect(),
                    Ok(template) => {
                        let ctx = Acting::new(&actor, data.now(), data.policy());
                        match data
                            .store
                            .execute(Target::Group(id), &Command::Amend { template }, &ctx, None)
                            .await
                        {
                            // The outbox updates the card and the announcement.
                            Ok(_) => Vec::new(),
                            Err(e) if e.is_user_facing() => vec![e.user_message()],
                            Err(e) => return Err(e.into()),
                        }
                    }
                },
            };
            if !problems.is_empty() {
                let r = views::edit_problems(id, problems)?;
                event.channel_id.send_message(http, reply_to(&r)).await?;
            }
        }
    }
    Ok(())
}

/// A deleted template message leaves its proposal standing: Discord does not say who deleted it
/// (moderators and AutoMod can delete anyone's message), so it is not taken as its author
/// withdrawing. The history notes the deletion without naming anyone; the outbox then shows on
/// the card how the proposer can still withdraw. A problems reply to a template that never
/// became a proposal goes with it.
pub async fn on_message_delete(
    http: &Http,
    data: &Data,
    channel: ChannelId,
    message: MessageId,
) -> Result<()> {
    let Some(known) = data.store.template_message(message.get()).await? else {
        return Ok(());
    };
    match known.group {
        None => {
            if let Some(reply) = known.reply_id {
                channel.delete_message(http, MessageId::new(reply)).await?;
            }
        }
        Some(id) => {
            data.store.mark_template_deleted(message.get()).await?;
            let ctx = Acting::new(&Actor::System, data.now(), data.policy());
            let trigger = Trigger::MessageDeleted(message.get());
            match data
                .store
                .execute(
                    Target::Group(id),
                    &Command::NoteTemplateDeleted,
                    &ctx,
                    Some(&trigger),
                )
                .await
            {
                Ok(_) | Err(StoreError::Duplicate(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}
