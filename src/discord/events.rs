//! Gateway events that are not slash commands: template messages in the creation channel, and
//! buttons and modals, whose `custom_id` carries their state so they keep working after a restart.

use super::component_id::ComponentId;
use super::data::{Data, Error};
use super::messages::{output, views};
use super::{candidacy, proposals, votes};
use crate::governance::{Acting, Command, Field, Role, TemplateDraft};
use crate::store::{StoreError, Target, Trigger};
use serenity::all::{
    ActionRowComponent, ComponentInteraction, Context, CreateInteractionResponse,
    CreateInteractionResponseMessage, FullEvent, Interaction, ModalInteraction, ReactionType,
};

/// The line an operator looks for: the bot is connected, where, and with what.
async fn log_ready(data: &Data) {
    use crate::governance::GroupState;
    let open = data
        .store
        .list_in(
            None,
            &[GroupState::UnderVote, GroupState::UnderReversalVote],
        )
        .await
        .map_or_else(|e| format!("? (cannot read: {e})"), |v| v.len().to_string());
    let s = &data.startup;
    tracing::info!(
        "connected as {} to {}; {} commands registered; {open} open votes",
        s.bot_name,
        s.guild,
        s.commands_registered
    );
}

pub async fn handle(ctx: &Context, event: &FullEvent, data: &Data) -> Result<(), Error> {
    match event {
        FullEvent::Ready { .. } => {
            crate::counters::gateway(crate::counters::names::SESSIONS);
            log_ready(data).await;
            super::reconcile::on_ready(&ctx.http, data).await;
            Ok(())
        }
        FullEvent::Resume { .. } => {
            crate::counters::gateway(crate::counters::names::RESUMES);
            tracing::info!("gateway session resumed");
            Ok(())
        }
        FullEvent::ShardStageUpdate { event } => {
            use serenity::all::ConnectionStage;
            if matches!(event.old, ConnectionStage::Connected)
                && !matches!(event.new, ConnectionStage::Connected)
            {
                crate::counters::gateway(crate::counters::names::DISCONNECTS);
                tracing::warn!("gateway connection lost ({}); reconnecting", event.new);
            }
            Ok(())
        }
        FullEvent::Message { new_message } => {
            super::reconcile::seen(data, new_message.channel_id.get(), new_message.id.get());
            super::activity::on_message(ctx, data, new_message).await;
            let _one_at_a_time = data.templates.lock().await;
            proposals::on_message(&ctx.http, data, new_message).await
        }
        FullEvent::MessageUpdate { event, .. } => {
            let _one_at_a_time = data.templates.lock().await;
            proposals::on_message_update(&ctx.http, data, event).await
        }
        FullEvent::MessageDelete {
            channel_id,
            deleted_message_id,
            ..
        } => {
            let _one_at_a_time = data.templates.lock().await;
            proposals::on_message_delete(&ctx.http, data, *channel_id, *deleted_message_id).await
        }
        FullEvent::InteractionCreate {
            interaction: Interaction::Component(c),
        } => {
            // A ballot records its interaction in its own transaction (see votes.rs), after
            // acknowledging it: nothing may wait on the database before that.
            if let Some(button) = votes::parse_ballot_button(&c.data.custom_id) {
                let answered = votes::on_ballot_button(ctx, data, c, button).await;
                data.remember(&c.user).await;
                return answered;
            }
            data.remember(&c.user).await;
            // Nothing below writes before its first answer, and Discord takes one first answer
            // per interaction: a repeated delivery is refused there and stops.
            if let Some((id, retire)) = candidacy::parse_button(&c.data.custom_id) {
                return candidacy::on_button(ctx, data, c, id, retire).await;
            }
            on_component(ctx, data, c).await
        }
        FullEvent::ReactionAdd { add_reaction: r }
        | FullEvent::ReactionRemove {
            removed_reaction: r,
        } => {
            let added = matches!(event, FullEvent::ReactionAdd { .. });
            if let Some(member) = r.member.as_ref().filter(|m| !m.user.bot) {
                data.remember(&member.user).await;
            }
            let (Some(user), ReactionType::Unicode(emoji)) = (r.user_id, &r.emoji) else {
                return Ok(());
            };
            votes::on_reaction(
                &ctx.http,
                data,
                r.channel_id.get(),
                r.message_id.get(),
                user.get(),
                emoji,
                added,
            )
            .await
        }
        FullEvent::InteractionCreate {
            interaction: Interaction::Modal(m),
        } => {
            // Each form acknowledges before it writes (a proposal's is linked to its
            // interaction in its own transaction, a Retire or Keep records it as its trigger).
            match candidacy::parse_form(&m.data.custom_id) {
                Some((id, retire)) => candidacy::on_form(ctx, data, m, id, retire).await?,
                None => on_modal(ctx, data, m).await?,
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

async fn private(ctx: &Context, c: &ComponentInteraction, text: &str) -> Result<(), Error> {
    let r = views::error(text, None)?;
    c.create_response(
        ctx,
        CreateInteractionResponse::Message(output::reply(&r, true)),
    )
    .await?;
    Ok(())
}

async fn on_component(ctx: &Context, data: &Data, c: &ComponentInteraction) -> Result<(), Error> {
    let roles = c
        .member
        .as_ref()
        .map(|m| m.roles.clone())
        .unwrap_or_default();
    let actor = data.actor(c.user.id.get(), &roles);
    let call = match ComponentId::parse(&c.data.custom_id) {
        Some(ComponentId::CallVote(id)) => Some(id),
        _ => None,
    };
    match call {
        Some(_) if !actor.has(Role::Moderator) => {
            private(ctx, c, "only community moderators can call a vote").await
        }
        Some(id) => {
            // Reading the moderators and writing the vote may be slow: acknowledge first. A
            // repeated delivery is refused here, and the trigger keeps it from counting twice.
            if let Err(e) = c
                .create_response(
                    ctx,
                    CreateInteractionResponse::Defer(
                        CreateInteractionResponseMessage::new().ephemeral(true),
                    ),
                )
                .await
            {
                tracing::debug!(interaction = c.id.get(), "not answering twice: {e}");
                return Ok(());
            }
            let trigger = Trigger::Interaction(c.id.get());
            let answer = votes::call(&ctx.http, data, &actor, id, None, Some(&trigger)).await?;
            c.edit_response(ctx, output::edit_reply(&answer)).await?;
            Ok(())
        }
        None => private(ctx, c, "this button is no longer in use").await,
    }
}

async fn on_modal(ctx: &Context, data: &Data, m: &ModalInteraction) -> Result<(), Error> {
    let reply = |r: super::messages::render::Rendered, ephemeral: bool| {
        CreateInteractionResponse::Message(output::reply(&r, ephemeral))
    };
    let Some(ComponentId::Propose { draft: draft_id }) = ComponentId::parse(&m.data.custom_id)
    else {
        let r = views::error("this form is no longer in use", None)?;
        m.create_response(ctx, reply(r, true)).await?;
        return Ok(());
    };
    let Some(saved) = data.store.draft(draft_id).await? else {
        let r = views::error(
            "this proposal form has expired",
            Some("Run `/group propose` again."),
        )?;
        m.create_response(ctx, reply(r, true)).await?;
        return Ok(());
    };
    if saved.proposer.0 != m.user.id.get() {
        let r = views::error("this proposal form belongs to someone else", None)?;
        m.create_response(ctx, reply(r, true)).await?;
        return Ok(());
    }
    let mut draft = TemplateDraft::new(saved.kind).name(saved.name.clone());
    draft.facilitators = saved.facilitators.clone();
    draft.maintainers = saved.maintainers.clone();
    for row in &m.data.components {
        for component in &row.components {
            if let ActionRowComponent::InputText(input) = component {
                if let (Some(field), Some(value)) =
                    (Field::from_key(&input.custom_id), &input.value)
                {
                    draft.texts.insert(field, value.clone());
                }
            }
        }
    }
    let template = match proposals::validate(&ctx.http, data, &draft).await {
        Ok(t) => t,
        Err(e) => {
            let r = views::template_problems(&e, false)?;
            m.create_response(ctx, reply(r, true)).await?;
            return Ok(());
        }
    };
    // A name already taken is refused privately before the answer: one indexed lookup. The
    // names that only resemble it are looked up once, by the outbox, for the card.
    if let Some(taken) = data
        .store
        .name_taken(saved.kind, &template.name, None)
        .await?
    {
        let r = views::error(
            &format!(
                "{} '{}' already exists (id {}, {}); choose another name or join that group",
                taken.kind, taken.name, taken.id, taken.state
            ),
            None,
        )?;
        m.create_response(ctx, reply(r, true)).await?;
        return Ok(());
    }
    // The proposal, its overlap check and the moderators' announcement take several writes and
    // calls: acknowledge within Discord's three seconds first.
    m.create_response(
        ctx,
        CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new()),
    )
    .await?;
    let roles = m
        .member
        .as_ref()
        .map(|mm| mm.roles.clone())
        .unwrap_or_default();
    let actor = data.actor(m.user.id.get(), &roles);
    let gov = Acting::new(&actor, data.now(), data.policy());
    data.remember(&m.user).await;
    // The outbox answers with the card by editing this deferred reply, which needs the token;
    // the trigger, recorded with the proposal, links the two.
    let received = super::outbox::wall_ms();
    data.store
        .save_proposal_interaction(m.id.get(), &m.token, m.channel_id.get(), received)
        .await?;
    let trigger = Trigger::ModalProposal(m.id.get());
    match data
        .store
        .execute(
            Target::New,
            &Command::Propose { template },
            &gov,
            Some(&trigger),
        )
        .await
    {
        Ok(_) => {}
        Err(e @ (StoreError::DuplicateName { .. } | StoreError::Governance(_))) => {
            let r = views::error(&e.user_message(), None)?;
            m.edit_response(ctx, output::edit_reply(&r)).await?;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
