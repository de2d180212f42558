//! Interaction routes: the first callback, follow-ups, and the `@original` message.
//!
//! What Discord enforces here and the sandbox enforces too: one first answer per interaction
//! (40060 after that), within the deadline (else 404 Unknown interaction), with a callback type
//! that suits the interaction; follow-ups only after the first answer (else Unknown Webhook);
//! no `@original` after a modal (Unknown Message). The first follow-up after a deferral replaces
//! the "thinking" message, as on Discord.

use super::messages::{check_message_body, message_parts, store_and_announce, update_and_announce};
use super::*;

/// Callback types each interaction type may be answered with.
pub(super) fn allowed_callbacks(interaction: &InteractionRecord) -> &'static [u8] {
    match (interaction.kind, interaction.message_id.is_some()) {
        // Application command: message, deferred message, modal.
        (2, _) => &[4, 5, 9],
        // Component: also deferred update and update.
        (3, _) => &[4, 5, 6, 7, 9],
        // Autocomplete: only its result.
        (4, _) => &[8],
        // Modal submit: no modal; updating a message only if a component opened the modal.
        (5, true) => &[4, 5, 6, 7],
        (5, false) => &[4, 5, 6],
        _ => &[],
    }
}

pub(super) async fn callback(
    shared: &Shared,
    id_segment: &str,
    token: &str,
    body: &Value,
) -> Handled {
    let world = &shared.world;
    let interaction_id = id("interaction_id", id_segment)?;
    let kind = body["type"].as_u64().unwrap_or(0) as u8;
    let data = &body["data"];
    let unknown = || Reply::error(404, code::UNKNOWN_INTERACTION, "Unknown interaction");
    let record = shared
        .state()
        .interaction(interaction_id)
        .filter(|i| i.token == token)
        .cloned()
        .ok_or_else(unknown)?;
    let already = || {
        Reply::error(
            400,
            code::ALREADY_ACKNOWLEDGED,
            "Interaction has already been acknowledged.",
        )
    };
    if record.callback.is_some() {
        return Err(already());
    }
    if shared
        .interaction_deadline
        .is_some_and(|deadline| record.created.elapsed() > deadline)
    {
        // Discord forgets an interaction not acknowledged within 3 seconds.
        return Err(unknown());
    }
    if !allowed_callbacks(&record).contains(&kind) {
        return Err(Reply::field(
            "/type",
            "INTERACTION_RESPONSE_TYPE_INVALID",
            &format!(
                "Callback type {kind} cannot answer an interaction of type {}",
                record.kind
            ),
        ));
    }
    if matches!(kind, 4 | 7) {
        check_message_body(data, kind == 4, "/data")?;
    }
    if kind == 8 {
        check_choices(data, record.focused_type)?;
    }
    let message_id = matches!(kind, 4 | 5).then(|| shared.state().next_id());
    let original = match kind {
        4 | 5 => message_id,
        6 => record.message_id,
        7 => Some(record.message_id.ok_or_else(unknown_message)?),
        _ => None,
    };
    // Checked again and recorded under one lock: a redelivered interaction may be answered by two
    // handlers at once, and Discord accepts only the first.
    if !mark_answered(shared, &record, body, original, kind == 5) {
        return Err(already());
    }
    match kind {
        4 | 5 => {
            let id = message_id.expect("allocated above");
            let mut message = NewMessage::new(id, record.channel_id, world.bot_user_id, "");
            if kind == 4 {
                message_parts(
                    &mut message,
                    data,
                    EPHEMERAL | SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS,
                );
            } else {
                message.flags = LOADING | (data["flags"].as_u64().unwrap_or(0) & EPHEMERAL);
            }
            interaction_message(world, &record, &mut message);
            let ephemeral = message.flags & EPHEMERAL != 0;
            store_and_announce(shared, message, ephemeral).await;
        }
        6 | 8 => {}
        7 => {
            let target = original.expect("checked above");
            update_and_announce(shared, target, data, true, false).await;
        }
        9 => {
            shared.state().modals.push(ShownModal {
                custom_id: data["custom_id"].as_str().unwrap_or_default().to_owned(),
                user_id: record.user_id,
                channel_id: record.channel_id,
                source: record.id,
                components: data["components"].clone(),
                submitted: false,
            });
        }
        _ => unreachable!("allowed_callbacks admits only the types above"),
    }
    shared.touch();
    Ok(Reply::no_content())
}

/// Discord's rules for an APPLICATION_COMMAND_AUTOCOMPLETE_RESULT (callback type 8): "autocomplete
/// suggestions (max of 25 choices)", each choice's name 1-100 characters, and a value of the
/// focused option's type (a string of up to 100 characters, an integer, or a number).
/// https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-autocomplete
/// and interactions/application-commands.mdx, "Application Command Option Choice Structure".
fn check_choices(data: &Value, focused_type: Option<u64>) -> Result<(), Reply> {
    const MAX_CHOICES: usize = 25;
    const MAX_CHOICE_NAME: usize = 100;
    const MAX_STRING_VALUE: usize = 100;
    let choices = data["choices"].as_array().ok_or_else(|| {
        Reply::field(
            "/data/choices",
            "BASE_TYPE_REQUIRED",
            "This field is required",
        )
    })?;
    if choices.len() > MAX_CHOICES {
        return Err(Reply::field(
            "/data/choices",
            "BASE_TYPE_MAX_LENGTH",
            &format!("Must be {MAX_CHOICES} or fewer in length."),
        ));
    }
    for (i, choice) in choices.iter().enumerate() {
        let name = choice["name"].as_str().unwrap_or_default().chars().count();
        if name == 0 {
            return Err(Reply::field(
                &format!("/data/choices/{i}/name"),
                "BASE_TYPE_MIN_LENGTH",
                "Must be 1 or more in length.",
            ));
        }
        if name > MAX_CHOICE_NAME {
            return Err(Reply::field(
                &format!("/data/choices/{i}/name"),
                "BASE_TYPE_MAX_LENGTH",
                &format!("Must be {MAX_CHOICE_NAME} or fewer in length."),
            ));
        }
        let value = &choice["value"];
        let fits = match focused_type {
            Some(3) => value
                .as_str()
                .is_some_and(|v| v.chars().count() <= MAX_STRING_VALUE),
            Some(4) => value.is_i64() || value.is_u64(),
            Some(10) => value.is_number(),
            _ => false,
        };
        if !fits {
            return Err(Reply::field(
                &format!("/data/choices/{i}/value"),
                "APPLICATION_COMMAND_OPTION_CHOICE_VALUE_INVALID",
                &format!(
                    "The value {value} does not fit the option's type {}",
                    focused_type.unwrap_or_default()
                ),
            ));
        }
    }
    Ok(())
}

/// Records the first answer to an interaction; `false` if it already had one.
pub(super) fn mark_answered(
    shared: &Shared,
    record: &InteractionRecord,
    body: &Value,
    original: Option<u64>,
    loading: bool,
) -> bool {
    let kind = body["type"].as_u64().unwrap_or(0) as u8;
    let mut state = shared.state();
    match state.interactions.iter_mut().find(|i| i.id == record.id) {
        Some(stored) if stored.callback.is_none() => {
            stored.callback = Some((kind, body["data"].clone()));
            stored.original = original;
            stored.original_loading = loading;
            stored.responses.push(body.clone());
            true
        }
        _ => false,
    }
}

/// Marks `message` as sent through the interaction's webhook.
pub(super) fn interaction_message(
    world: &World,
    record: &InteractionRecord,
    message: &mut NewMessage,
) {
    message.webhook_id = Some(world.application_id);
    message.application_id = Some(world.application_id);
    message.interaction_metadata = Some(record.metadata.clone());
    if let Some(name) = &record.command_name {
        message.kind = 20;
        message.interaction = Some(json!({
            "id": snowflake(record.id),
            "type": record.kind,
            "name": name,
            "user": payloads::user(world, record.user_id),
        }));
    }
}

/// The interaction a webhook token belongs to, or Discord's Unknown Webhook.
pub(super) fn webhook_interaction(
    shared: &Shared,
    app: &str,
    token: &str,
) -> Result<InteractionRecord, Reply> {
    let unknown = || Reply::error(404, code::UNKNOWN_WEBHOOK, "Unknown Webhook");
    if id("webhook_id", app)? != shared.world.application_id {
        return Err(unknown());
    }
    let state = shared.state();
    state
        .interactions
        .iter()
        .find(|i| i.token == token)
        // Follow-ups exist only once the interaction has been answered.
        .filter(|i| i.callback.is_some())
        .cloned()
        .ok_or_else(unknown)
}

pub(super) async fn followup(shared: &Shared, app: &str, token: &str, body: &Value) -> Handled {
    let world = &shared.world;
    let record = webhook_interaction(shared, app, token)?;
    check_message_body(body, true, "")?;
    remember_later(shared, token, body);
    if record.original_loading {
        // The first follow-up after a deferral replaces the "thinking" message.
        let original = record
            .original
            .expect("a loading interaction has an original");
        shared
            .state()
            .interaction_by_token_mut(token)
            .expect("found above")
            .original_loading = false;
        let updated = update_and_announce(shared, original, body, false, true)
            .await
            .ok_or_else(unknown_message)?;
        return Ok(Reply::ok(updated));
    }
    let mut message = {
        let mut state = shared.state();
        NewMessage::new(state.next_id(), record.channel_id, world.bot_user_id, "")
    };
    message_parts(
        &mut message,
        body,
        EPHEMERAL | SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS,
    );
    interaction_message(world, &record, &mut message);
    message.kind = 0;
    if let (Some(meta), Some(original)) = (message.interaction_metadata.as_mut(), record.original) {
        meta["original_response_message_id"] = snowflake(original);
    }
    let ephemeral = message.flags & EPHEMERAL != 0;
    let id = message.id;
    let rendered = store_and_announce(shared, message, ephemeral).await;
    if let Some(stored) = shared.state().interaction_by_token_mut(token) {
        stored.followups.push(id);
    }
    Ok(Reply::ok(rendered))
}

/// Records a follow-up or edit body for `responses` and `wait_followup`.
pub(super) fn remember_later(shared: &Shared, token: &str, body: &Value) {
    if let Some(stored) = shared.state().interaction_by_token_mut(token) {
        stored.responses.push(body.clone());
        stored.later.push(body.clone());
    }
}

pub(super) async fn webhook_message(
    shared: &Shared,
    method: &str,
    app: &str,
    token: &str,
    which: &str,
    body: &Value,
) -> Handled {
    let record = webhook_interaction(shared, app, token)?;
    let target = if which == "@original" {
        record.original
    } else {
        let id = id("message_id", which)?;
        (record.original == Some(id) || record.followups.contains(&id)).then_some(id)
    }
    .ok_or_else(unknown_message)?;
    let is_original = record.original == Some(target);
    match method {
        "GET" => {
            let state = shared.state();
            state
                .messages
                .iter()
                .find(|m| m.id == target && !m.deleted)
                .map(|m| Reply::ok(m.render(&shared.world)))
                .ok_or_else(unknown_message)
        }
        "PATCH" => {
            check_message_body(body, false, "")?;
            remember_later(shared, token, body);
            let loading = is_original && record.original_loading;
            if loading {
                if let Some(stored) = shared.state().interaction_by_token_mut(token) {
                    stored.original_loading = false;
                }
            }
            update_and_announce(shared, target, body, !loading, loading)
                .await
                .map(Reply::ok)
                .ok_or_else(unknown_message)
        }
        _ => {
            let (channel, ephemeral) = {
                let mut state = shared.state();
                let stored = state
                    .message_by_id_mut(target)
                    .ok_or_else(unknown_message)?;
                stored.deleted = true;
                (stored.channel_id, stored.ephemeral)
            };
            if !ephemeral {
                let event = payloads::message_delete(&shared.world, channel, target);
                dispatch(shared, "MESSAGE_DELETE", event, false).await;
            }
            Ok(Reply::no_content())
        }
    }
}

/// `interaction_metadata` extras for an interaction of `kind`.
pub(crate) fn metadata_extras(
    kind: u8,
    message_id: Option<u64>,
    triggering: Option<Value>,
) -> Map<String, Value> {
    let mut extra = Map::new();
    if kind == 3 {
        if let Some(message) = message_id {
            extra.insert("interacted_message_id".into(), snowflake(message));
        }
    }
    if let Some(triggering) = triggering {
        extra.insert("triggering_interaction_metadata".into(), triggering);
    }
    extra
}
