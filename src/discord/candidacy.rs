//! A WG's retirement candidacy on Discord: the moderators' "Retire" and "Keep" buttons, each
//! asking for the reason in a form, and the candidacy message closed once it is decided.

use super::component_id::ComponentId;
use super::data::Data;
use super::markdown::{self, Markdown};
use super::messages::{notices, output, views};
use crate::governance::{Acting, Actor, Command, Role};
use crate::store::{GroupId, Target, Trigger};
use anyhow::Result;
use serenity::all::{
    ActionRowComponent, ButtonStyle, ChannelId, ComponentInteraction, Context, CreateActionRow,
    CreateButton, CreateInputText, CreateInteractionResponse, CreateModal, EditMessage, Http,
    InputTextStyle, MessageId, ModalInteraction,
};

/// The purpose under which the latest candidacy message in the moderators' channel is kept.
pub const CANDIDACY: &str = "candidacy";

/// Retire / Keep, disabled once the candidacy is decided.
pub fn buttons(id: GroupId, open: bool) -> Vec<CreateActionRow> {
    vec![CreateActionRow::Buttons(vec![
        CreateButton::new(ComponentId::Retire(id).to_string())
            .label("Retire")
            .style(ButtonStyle::Danger)
            .disabled(!open),
        CreateButton::new(ComponentId::Keep(id).to_string())
            .label("Keep")
            .style(ButtonStyle::Secondary)
            .disabled(!open),
    ])]
}

/// Whether `custom_id` is a candidacy button, and which.
pub fn parse_button(custom_id: &str) -> Option<(GroupId, bool)> {
    match ComponentId::parse(custom_id)? {
        ComponentId::Retire(id) => Some((id, true)),
        ComponentId::Keep(id) => Some((id, false)),
        _ => None,
    }
}

/// A click on Retire or Keep: who may gets the reason form (a form must be the first answer);
/// anyone else a private refusal.
pub async fn on_button(
    ctx: &Context,
    data: &Data,
    c: &ComponentInteraction,
    id: GroupId,
    retire: bool,
) -> Result<()> {
    let roles = c
        .member
        .as_ref()
        .map(|m| m.roles.clone())
        .unwrap_or_default();
    let actor = data.actor(c.user.id.get(), &roles);
    let allowed = if retire {
        actor.has_any(&[Role::Moderator, Role::CoreMaintainer, Role::LeadMaintainer])
    } else {
        actor.has(Role::Moderator)
    };
    if !allowed {
        let who = if retire {
            "community moderators, core or lead maintainers"
        } else {
            "community moderators"
        };
        let action = if retire { "retire" } else { "keep" };
        let r = views::error(&format!("only {who} can {action} a group"), None)?;
        c.create_response(
            ctx,
            CreateInteractionResponse::Message(output::reply(&r, true)),
        )
        .await?;
        return Ok(());
    }
    let (form, title, label) = if retire {
        (
            ComponentId::RetireReason(id),
            "Retire the group",
            "Why retire it?",
        )
    } else {
        (
            ComponentId::KeepReason(id),
            "Keep the group",
            "Why keep it?",
        )
    };
    let input = CreateInputText::new(InputTextStyle::Paragraph, label, "reason")
        .required(true)
        .max_length(1000);
    let modal = CreateModal::new(form.to_string(), title)
        .components(vec![CreateActionRow::InputText(input)]);
    c.create_response(ctx, CreateInteractionResponse::Modal(modal))
        .await?;
    Ok(())
}

/// Whether `custom_id` is a candidacy reason form, and which.
pub fn parse_form(custom_id: &str) -> Option<(GroupId, bool)> {
    match ComponentId::parse(custom_id)? {
        ComponentId::RetireReason(id) => Some((id, true)),
        ComponentId::KeepReason(id) => Some((id, false)),
        _ => None,
    }
}

/// The reason form submitted: retire or keep the group, as the person who submitted it.
pub async fn on_form(
    ctx: &Context,
    data: &Data,
    m: &ModalInteraction,
    id: GroupId,
    retire: bool,
) -> Result<()> {
    let reason = m
        .data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .find_map(|c| match c {
            ActionRowComponent::InputText(t) if t.custom_id == "reason" => t.value.clone(),
            _ => None,
        })
        .unwrap_or_default();
    let roles = m
        .member
        .as_ref()
        .map(|mm| mm.roles.clone())
        .unwrap_or_default();
    let actor: Actor = data.actor(m.user.id.get(), &roles);
    let command = if retire {
        Command::Retire { reason }
    } else {
        Command::Keep { reason }
    };
    // Acknowledge before writing: a database stall must not fail the interaction. A repeated
    // delivery is refused here, and the trigger keeps it from acting twice.
    if let Err(e) = m
        .create_response(
            ctx,
            CreateInteractionResponse::Defer(
                serenity::all::CreateInteractionResponseMessage::new().ephemeral(true),
            ),
        )
        .await
    {
        tracing::debug!(interaction = m.id.get(), "not answering a form twice: {e}");
        return Ok(());
    }
    let gov = Acting::new(&actor, data.now(), data.policy());
    let trigger = Trigger::Interaction(m.id.get());
    let r = match data
        .store
        .execute(Target::Group(id), &command, &gov, Some(&trigger))
        .await
    {
        Ok(done) => notices::done(Markdown::trusted(format!(
            "Done: {} #{id} '{}' is {}.",
            done.group.kind,
            markdown::escape(&done.group.name),
            if retire {
                "retired; its channel is archived"
            } else {
                "kept; it is no longer a retirement candidate"
            }
        )))?,
        Err(e) if e.is_user_facing() => views::error(&e.user_message(), None)?,
        Err(e) => return Err(e.into()),
    };
    m.edit_response(ctx, output::edit_reply(&r)).await?;
    Ok(())
}

/// Disables the buttons of the group's latest candidacy message, once it no longer applies.
pub async fn close(http: &Http, data: &Data, id: GroupId) -> Result<()> {
    let Some((channel, message)) = data.store.group_message(id, CANDIDACY).await? else {
        return Ok(());
    };
    data.paces.edits.turn(channel).await;
    ChannelId::new(channel)
        .edit_message(
            http,
            MessageId::new(message),
            EditMessage::new().components(buttons(id, false)),
        )
        .await?;
    Ok(())
}
