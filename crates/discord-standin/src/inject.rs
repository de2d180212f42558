//! The [`Sandbox`] methods that play the other side of Discord: people posting, editing,
//! deleting and reacting, running slash commands, clicking buttons and submitting modals, and the
//! gateway reconnecting or redelivering.
//!
//! Each injection changes the sandbox's state first (the message exists, the reaction is
//! counted) and then dispatches the event, returning once the frame was written to the bot's
//! socket, or recorded as undelivered when no bot is connected or the bot lacks the intent. What
//! a Discord client would refuse to send (a command the bot never registered, a button that is
//! not on the message, a modal field that does not exist) is refused here too, and so is what
//! the person's permissions do not allow: nothing at all in a channel they cannot see
//! (VIEW_CHANNEL), no post without SEND_MESSAGES, no new reaction without ADD_REACTIONS (and
//! READ_MESSAGE_HISTORY), no slash command without USE_APPLICATION_COMMANDS. The `try_` methods
//! return those refusals as errors naming the rule; the others panic with them.

use super::payloads::{self, snowflake, InteractionBase, NewMessage};
use super::permissions::{self, bits};
use super::state::{InteractionRecord, ShownModal, State, StoredMessage};
use super::{commands, gateway, rest, threads, Interaction, Sandbox};
use anyhow::{anyhow, bail};
use serde_json::{json, Value};
use std::time::Instant;

impl Sandbox {
    // -----------------------------------------------------------------------------------------
    // Gateway

    /// Sends op 7 RECONNECT; the bot reconnects and RESUMEs, and is answered with RESUMED (see
    /// [`GatewayStats::resumes`](super::GatewayStats::resumes)). Returns once the frame was
    /// written; `false` if no bot is connected.
    pub async fn request_reconnect(&self) -> bool {
        gateway::request_reconnect(&self.shared).await
    }

    /// Closes the bot's connection with a gateway close `code` (4000 unknown error makes serenity
    /// resume; 4004 authentication failed makes it give up). `false` if no bot is connected.
    pub fn disconnect(&self, code: u16) -> bool {
        gateway::disconnect(&self.shared, code)
    }

    /// While `hold` is true, a new session is not started: the bot's IDENTIFY waits unanswered,
    /// and nothing is delivered to it (a gap like a lost session's on Discord). Setting it false
    /// answers a waiting IDENTIFY with READY.
    pub fn hold_sessions(&self, hold: bool) {
        gateway::hold_sessions(&self.shared, hold);
    }

    /// Sends the last dispatch injected through this API (not one caused by the bot's own REST
    /// calls, such as its reply) again, unchanged but with a new sequence number, as Discord may
    /// when it redelivers. Panics if nothing was injected yet.
    pub async fn redeliver_last_dispatch(&self) {
        let (event, data) = self
            .shared
            .state()
            .last_injected
            .clone()
            .expect("redeliver_last_dispatch: nothing has been injected and delivered yet");
        gateway::dispatch(&self.shared, &event, data, true).await;
    }

    // -----------------------------------------------------------------------------------------
    // Messages and reactions

    /// Posts a message as `author_user_id` in `channel_id` and dispatches MESSAGE_CREATE (with
    /// `guild_id`, the author's `member`, mentions parsed from `<@id>` and `<@&id>`). Returns the
    /// message id once the dispatch was written (or found undeliverable). Panics on an unknown
    /// channel or author, or where the author may not post ([`Sandbox::try_post_message`]
    /// returns the error instead).
    pub async fn post_message(&self, channel_id: u64, author_user_id: u64, content: &str) -> u64 {
        self.try_post_message(channel_id, author_user_id, content)
            .await
            .unwrap_or_else(|e| panic!("post_message: {e:#}"))
    }

    /// [`Sandbox::post_message`], failing instead of panicking, also when the author cannot see
    /// the channel (VIEW_CHANNEL) or send there (SEND_MESSAGES), as a Discord client would not
    /// let them.
    pub async fn try_post_message(
        &self,
        channel_id: u64,
        author_user_id: u64,
        content: &str,
    ) -> anyhow::Result<u64> {
        let world = &self.shared.world;
        let event = {
            let mut state = self.shared.state();
            self.text_channel(&state, channel_id)?;
            if world.member(author_user_id).is_none() {
                bail!("user {author_user_id} is not a member of the sandbox guild");
            }
            // Discord: resources/message.mdx, "Create Message", Limitations: "the current user
            // must have the SEND_MESSAGES permission"; VIEW_CHANNEL before anything else.
            self.may(
                &state,
                author_user_id,
                channel_id,
                bits::SEND_MESSAGES,
                "post",
            )?;
            let message = NewMessage::new(state.next_id(), channel_id, author_user_id, content);
            let value = payloads::message(world, &message);
            if let Some(channel) = state.channel_mut(channel_id) {
                channel["last_message_id"] = snowflake(message.id);
                threads::count_message(channel);
            }
            let event = payloads::gateway_message(world, &value, &|u| state.roles_of(u));
            state.messages.push(StoredMessage {
                id: message.id,
                channel_id,
                author_id: author_user_id,
                value,
                reactions: Vec::new(),
                deleted: false,
                ephemeral: false,
            });
            event
        };
        let id = payloads::id_of(&event).expect("a message has an id");
        gateway::dispatch(&self.shared, "MESSAGE_CREATE", event, true).await;
        Ok(id)
    }

    /// Edits a message as its author would: new content, `edited_timestamp` set, MESSAGE_UPDATE
    /// with the full message. Panics on an unknown message or one the bot wrote.
    pub async fn edit_message(&self, channel_id: u64, message_id: u64, content: &str) {
        let world = &self.shared.world;
        let event = {
            let mut state = self.shared.state();
            let stored = state
                .message_mut(channel_id, message_id)
                .filter(|m| !m.ephemeral)
                .unwrap_or_else(|| {
                    panic!("edit_message: no message {message_id} in channel {channel_id}")
                });
            assert!(
                stored.author_id != world.bot_user_id,
                "edit_message: message {message_id} is the bot's; people edit only their own"
            );
            let (users, roles) = payloads::mentions(world, content);
            let value = &mut stored.value;
            value["content"] = json!(content);
            value["mentions"] = users.iter().map(|u| payloads::user(world, *u)).collect();
            value["mention_roles"] = roles.iter().map(|r| snowflake(*r)).collect();
            value["edited_timestamp"] = json!(payloads::timestamp(chrono::Utc::now()));
            let rendered = stored.render(world);
            payloads::gateway_message(world, &rendered, &|u| state.roles_of(u))
        };
        gateway::dispatch(&self.shared, "MESSAGE_UPDATE", event, true).await;
    }

    /// Deletes a message (MESSAGE_DELETE). Panics on an unknown message.
    pub async fn delete_message(&self, channel_id: u64, message_id: u64) {
        {
            let mut state = self.shared.state();
            let stored = state
                .message_mut(channel_id, message_id)
                .unwrap_or_else(|| {
                    panic!("delete_message: no message {message_id} in channel {channel_id}")
                });
            stored.deleted = true;
        }
        let event = payloads::message_delete(&self.shared.world, channel_id, message_id);
        gateway::dispatch(&self.shared, "MESSAGE_DELETE", event, true).await;
    }

    /// `user_id` reacts with `emoji` (unicode, or `name:id` for a custom one):
    /// MESSAGE_REACTION_ADD. Reacting twice with the same emoji changes nothing and sends
    /// nothing, as on Discord. Panics on an unknown message, or where the user may not react
    /// ([`Sandbox::try_add_reaction`] returns the error instead).
    pub async fn add_reaction(&self, user_id: u64, channel_id: u64, message_id: u64, emoji: &str) {
        self.try_add_reaction(user_id, channel_id, message_id, emoji)
            .await
            .unwrap_or_else(|e| panic!("add_reaction: {e:#}"));
    }

    /// [`Sandbox::add_reaction`], failing instead of panicking, also when the user cannot see
    /// the channel, read its history, or (for an emoji nobody used on the message yet) add
    /// reactions there, as a Discord client would not let them.
    pub async fn try_add_reaction(
        &self,
        user_id: u64,
        channel_id: u64,
        message_id: u64,
        emoji: &str,
    ) -> anyhow::Result<()> {
        {
            let state = self.shared.state();
            // Discord: resources/message.mdx, "Create Reaction": "requires the
            // READ_MESSAGE_HISTORY permission [...] Additionally, if nobody else has reacted to
            // the message using this emoji, this endpoint requires the ADD_REACTIONS permission".
            let new = state.message(channel_id, message_id).is_some_and(|m| {
                !m.reactions
                    .iter()
                    .any(|(e, users)| e == emoji && !users.is_empty())
            });
            let needed = bits::READ_MESSAGE_HISTORY | if new { bits::ADD_REACTIONS } else { 0 };
            self.may(&state, user_id, channel_id, needed, "react")?;
        }
        self.react(true, user_id, channel_id, message_id, emoji)
            .await;
        Ok(())
    }

    /// Removes `user_id`'s `emoji` reaction: MESSAGE_REACTION_REMOVE (nothing if there was none).
    pub async fn remove_reaction(
        &self,
        user_id: u64,
        channel_id: u64,
        message_id: u64,
        emoji: &str,
    ) {
        self.react(false, user_id, channel_id, message_id, emoji)
            .await;
    }

    async fn react(&self, add: bool, user_id: u64, channel_id: u64, message_id: u64, emoji: &str) {
        let world = &self.shared.world;
        let event = {
            let mut state = self.shared.state();
            let roles = state.roles_of(user_id).unwrap_or_else(|| {
                panic!("reaction: user {user_id} is not a member of the sandbox guild")
            });
            let stored = state
                .message_mut(channel_id, message_id)
                .filter(|m| !m.ephemeral)
                .unwrap_or_else(|| {
                    panic!("reaction: no message {message_id} in channel {channel_id}")
                });
            let author = stored.author_id;
            rest::toggle_reaction(&mut stored.reactions, emoji, user_id, add).then(|| {
                payloads::reaction(
                    world,
                    &payloads::ReactionEvent {
                        add,
                        user_id,
                        user_roles: &roles,
                        channel_id,
                        message_id,
                        message_author_id: Some(author),
                        emoji,
                    },
                )
            })
        };
        if let Some(event) = event {
            let name = if add {
                "MESSAGE_REACTION_ADD"
            } else {
                "MESSAGE_REACTION_REMOVE"
            };
            gateway::dispatch(&self.shared, name, event, true).await;
        }
    }

    // -----------------------------------------------------------------------------------------
    // Interactions

    /// `user_id` runs the slash command `name` in `channel_id`: INTERACTION_CREATE type 2 with
    /// `data.id` the id Discord gave the bot's registration. `options` is Discord's
    /// ApplicationCommandInteractionDataOption array; user, channel and role options get
    /// `data.resolved`. For `/group propose kind:IG`:
    ///
    /// ```text
    /// json!([{"type": 1, "name": "propose",
    ///         "options": [{"type": 3, "name": "kind", "value": "IG"}]}])
    /// ```
    /// Returns once the dispatch was
    /// written. Panics if the bot registered no such command or the options do not fit its
    /// declaration (a client could not send them); [`Sandbox::try_slash_command`] returns the
    /// error instead.
    pub async fn slash_command(
        &self,
        user_id: u64,
        channel_id: u64,
        name: &str,
        options: Value,
    ) -> Interaction {
        self.try_slash_command(user_id, channel_id, name, options)
            .await
            .unwrap_or_else(|e| panic!("slash_command: {e:#}"))
    }

    /// [`Sandbox::slash_command`], failing instead of panicking.
    pub async fn try_slash_command(
        &self,
        user_id: u64,
        channel_id: u64,
        name: &str,
        options: Value,
    ) -> anyhow::Result<Interaction> {
        self.invoke(user_id, channel_id, name, options, false).await
    }

    /// `user_id` types into an option of `/name`: INTERACTION_CREATE type 4
    /// (APPLICATION_COMMAND_AUTOCOMPLETE), `options` as for [`Sandbox::slash_command`] with the
    /// option being typed marked `"focused": true` and its text so far as a string value. The
    /// bot answers with callback type 8; read it with [`Sandbox::wait_response`]. Fails if the
    /// option was not declared with `autocomplete`, or as [`Sandbox::slash_command`] does.
    pub async fn autocomplete(
        &self,
        user_id: u64,
        channel_id: u64,
        name: &str,
        options: Value,
    ) -> anyhow::Result<Interaction> {
        self.invoke(user_id, channel_id, name, options, true).await
    }

    /// A command run (type 2) or, with `autocomplete`, an option being typed (type 4).
    async fn invoke(
        &self,
        user_id: u64,
        channel_id: u64,
        name: &str,
        options: Value,
        autocomplete: bool,
    ) -> anyhow::Result<Interaction> {
        let world = &self.shared.world;
        let kind: u8 = if autocomplete { 4 } else { 2 };
        let (interaction, event) = {
            let mut state = self.shared.state();
            let command = registered_command(&state, name)?;
            let focused_type = if autocomplete {
                Some(commands::check_autocomplete(&command, &options).map_err(|e| anyhow!(e))?)
            } else {
                commands::check_invocation(&command, &options).map_err(|e| anyhow!(e))?;
                None
            };
            let channel = self.channel_for_interaction(&state, channel_id)?;
            let roles = self.roles_for_interaction(&state, user_id)?;
            // Discord: topics/permissions.mdx, USE_APPLICATION_COMMANDS "Allows members to use
            // application commands, including slash commands".
            self.may(
                &state,
                user_id,
                channel_id,
                bits::USE_APPLICATION_COMMANDS,
                &format!("run /{name}"),
            )?;
            let defaults = command["default_member_permissions"]
                .as_str()
                .and_then(|p| p.parse::<u64>().ok());
            let base = state.base_permissions(world, user_id).unwrap_or(0);
            if !permissions::may_use_command(world, user_id, &roles, base, name, defaults) {
                bail!(
                    "user {user_id} cannot use /{name}: the command needs {} by default \
                     (default_member_permissions) and no command permission in Integrations \
                     lets them (Discord: interactions/application-commands.mdx, Permissions)",
                    defaults.map_or_else(
                        || "nothing".to_owned(),
                        |d| if d == 0 {
                            "an administrator".to_owned()
                        } else {
                            permissions::names(d).join(", ")
                        }
                    )
                );
            }
            let permissions_in = |u: u64, c: u64| state.permissions_in(world, u, c).unwrap_or(0);
            let at = commands::Invocation {
                channels: &state.channels,
                roles_of: &|u| state.roles_of(u),
                permissions_in: &permissions_in,
                user_id,
                channel_id,
            };
            let resolved = commands::resolved(world, &at, &options);
            let id = state.next_id();
            let token = interaction_token(id);
            let base = self.interaction_base(&state, id, &token, user_id, &roles, &channel);
            let mut event =
                payloads::command_interaction(world, &base, &command, &options, resolved);
            event["type"] = json!(kind);
            let mut extra = serde_json::Map::new();
            extra.insert("name".into(), json!(name));
            extra.insert("command_type".into(), json!(1));
            let metadata = payloads::interaction_metadata(world, id, kind, user_id, extra);
            let mut interaction = record(
                id,
                &token,
                kind,
                user_id,
                channel_id,
                None,
                metadata,
                Some(name),
            );
            interaction.focused_type = focused_type;
            state.interactions.push(interaction);
            (Interaction { id, token }, event)
        };
        gateway::dispatch(&self.shared, "INTERACTION_CREATE", event, true).await;
        Ok(interaction)
    }

    /// `user_id` clicks the button (or select menu) `custom_id` on a message: INTERACTION_CREATE
    /// type 3 with the stored message. Panics if the message has no such enabled component
    /// ([`Sandbox::try_click_button`] returns the error instead).
    pub async fn click_button(
        &self,
        user_id: u64,
        channel_id: u64,
        message_id: u64,
        custom_id: &str,
    ) -> Interaction {
        self.try_click_button(user_id, channel_id, message_id, custom_id)
            .await
            .unwrap_or_else(|e| panic!("click_button: {e:#}"))
    }

    /// [`Sandbox::click_button`], failing instead of panicking.
    pub async fn try_click_button(
        &self,
        user_id: u64,
        channel_id: u64,
        message_id: u64,
        custom_id: &str,
    ) -> anyhow::Result<Interaction> {
        let world = &self.shared.world;
        let (interaction, event) = {
            let mut state = self.shared.state();
            let channel = self.channel_for_interaction(&state, channel_id)?;
            let roles = self.roles_for_interaction(&state, user_id)?;
            // Discord: topics/permissions.mdx, "Implicit Permissions": without VIEW_CHANNEL a
            // member sees nothing of the channel, its messages' buttons included.
            self.may(&state, user_id, channel_id, 0, "click a button")?;
            let message = state
                .message(channel_id, message_id)
                .map(|m| m.render(world))
                .ok_or_else(|| anyhow!("no message {message_id} in channel {channel_id}"))?;
            let component = find_component(&message["components"], custom_id).ok_or_else(|| {
                anyhow!("message {message_id} has no component with custom_id {custom_id:?}")
            })?;
            if component["disabled"] == true {
                bail!("the component {custom_id:?} on message {message_id} is disabled");
            }
            let component_type = component["type"].as_u64().unwrap_or(2) as u8;
            let id = state.next_id();
            let token = interaction_token(id);
            let base = self.interaction_base(&state, id, &token, user_id, &roles, &channel);
            let event =
                payloads::component_interaction(world, &base, &message, custom_id, component_type);
            let extra = rest::metadata_extras(3, Some(message_id), None);
            let metadata = payloads::interaction_metadata(world, id, 3, user_id, extra);
            state.interactions.push(record(
                id,
                &token,
                3,
                user_id,
                channel_id,
                Some(message_id),
                metadata,
                None,
            ));
            (Interaction { id, token }, event)
        };
        gateway::dispatch(&self.shared, "INTERACTION_CREATE", event, true).await;
        Ok(interaction)
    }

    /// `user_id` submits the modal `custom_id` the bot showed them, with `fields` as
    /// `(text input custom_id, value)`: INTERACTION_CREATE type 5, one action row per input in
    /// the modal's order (inputs not given are sent empty). Panics if the bot showed this user
    /// no such modal in this channel, a field is not in it, or a required one is missing or a
    /// length is out of bounds ([`Sandbox::try_submit_modal`] returns the error instead).
    pub async fn submit_modal(
        &self,
        user_id: u64,
        channel_id: u64,
        custom_id: &str,
        fields: &[(&str, &str)],
    ) -> Interaction {
        self.try_submit_modal(user_id, channel_id, custom_id, fields)
            .await
            .unwrap_or_else(|e| panic!("submit_modal: {e:#}"))
    }

    /// [`Sandbox::submit_modal`], failing instead of panicking.
    pub async fn try_submit_modal(
        &self,
        user_id: u64,
        channel_id: u64,
        custom_id: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<Interaction> {
        let world = &self.shared.world;
        let (interaction, event) = {
            let mut state = self.shared.state();
            let channel = self.channel_for_interaction(&state, channel_id)?;
            let roles = self.roles_for_interaction(&state, user_id)?;
            // Discord: topics/permissions.mdx, "Implicit Permissions" (as for a button).
            self.may(&state, user_id, channel_id, 0, "submit a form")?;
            let index = state
                .modals
                .iter()
                .rposition(|m| m.custom_id == custom_id && m.user_id == user_id && !m.submitted)
                .ok_or_else(|| {
                    let shown: Vec<&str> = state
                        .modals
                        .iter()
                        .filter(|m| m.user_id == user_id && !m.submitted)
                        .map(|m| m.custom_id.as_str())
                        .collect();
                    let open = format!("open: {shown:?}");
                    anyhow!("the bot has not shown user {user_id} a modal {custom_id:?} ({open})")
                })?;
            let modal = state.modals[index].clone();
            if modal.channel_id != channel_id {
                bail!(
                    "the modal {custom_id:?} was shown in channel {}, not {channel_id}",
                    modal.channel_id
                );
            }
            let rows = modal_rows(&modal, fields)?;
            let source = state
                .interaction(modal.source)
                .cloned()
                .ok_or_else(|| anyhow!("the modal's interaction is gone"))?;
            let message = source
                .message_id
                .and_then(|m| state.message(source.channel_id, m))
                .map(|m| m.render(world));
            state.modals[index].submitted = true;
            let id = state.next_id();
            let token = interaction_token(id);
            let base = self.interaction_base(&state, id, &token, user_id, &roles, &channel);
            let event =
                payloads::modal_interaction(world, &base, custom_id, rows, message.as_ref());
            let extra = rest::metadata_extras(5, None, Some(source.metadata.clone()));
            let metadata = payloads::interaction_metadata(world, id, 5, user_id, extra);
            state.interactions.push(record(
                id,
                &token,
                5,
                user_id,
                channel_id,
                source.message_id,
                metadata,
                None,
            ));
            (Interaction { id, token }, event)
        };
        gateway::dispatch(&self.shared, "INTERACTION_CREATE", event, true).await;
        Ok(interaction)
    }

    // -----------------------------------------------------------------------------------------
    // Internals

    fn text_channel(&self, state: &State, channel_id: u64) -> anyhow::Result<()> {
        let channel = state
            .channel(channel_id)
            .ok_or_else(|| anyhow!("no channel {channel_id} in the sandbox guild"))?;
        if channel["type"] != 0 && !threads::is_thread(channel) {
            bail!("channel {channel_id} is neither a text channel nor a thread; nobody can post there");
        }
        Ok(())
    }

    fn channel_for_interaction(&self, state: &State, channel_id: u64) -> anyhow::Result<Value> {
        state
            .channel(channel_id)
            .cloned()
            .ok_or_else(|| anyhow!("no channel {channel_id} in the sandbox guild"))
    }

    /// What every interaction shares, with the member's and the bot's permissions in the
    /// channel.
    fn interaction_base<'a>(
        &self,
        state: &State,
        id: u64,
        token: &'a str,
        user_id: u64,
        roles: &'a [u64],
        channel: &'a Value,
    ) -> InteractionBase<'a> {
        let world = &self.shared.world;
        let channel_id = payloads::id_of(channel).unwrap_or_default();
        let in_channel = |u| state.permissions_in(world, u, channel_id).unwrap_or(0);
        InteractionBase {
            id,
            token,
            user_id,
            user_roles: roles,
            channel,
            member_permissions: in_channel(user_id),
            app_permissions: in_channel(world.bot_user_id),
        }
    }

    /// Refuses what a person could not do: act in a channel they cannot see (VIEW_CHANNEL), or
    /// without `needed` there.
    fn may(
        &self,
        state: &State,
        user_id: u64,
        channel_id: u64,
        needed: u64,
        what: &str,
    ) -> anyhow::Result<()> {
        let world = &self.shared.world;
        let who = world
            .member(user_id)
            .map_or_else(|| user_id.to_string(), |m| m.username.clone());
        let place = state
            .channel(channel_id)
            .and_then(|c| c["name"].as_str().map(|n| format!("#{n}")))
            .unwrap_or_else(|| channel_id.to_string());
        let held = state
            .permissions_in(world, user_id, channel_id)
            .unwrap_or(0);
        if held & bits::VIEW_CHANNEL == 0 {
            bail!(
                "{who} cannot {what} in {place}: they cannot see it (no VIEW_CHANNEL there; \
                 Discord's permission rules, topics/permissions.mdx)"
            );
        }
        let missing = needed & !held;
        if missing != 0 {
            bail!(
                "{who} cannot {what} in {place}: they lack {} there (Discord's permission \
                 rules, topics/permissions.mdx)",
                permissions::names(missing).join(", ")
            );
        }
        Ok(())
    }

    fn roles_for_interaction(&self, state: &State, user_id: u64) -> anyhow::Result<Vec<u64>> {
        state
            .roles_of(user_id)
            .ok_or_else(|| anyhow!("user {user_id} is not a member of the sandbox guild"))
    }
}

fn interaction_token(id: u64) -> String {
    format!("sandbox-interaction-token-{id}")
}

#[allow(clippy::too_many_arguments)]
fn record(
    id: u64,
    token: &str,
    kind: u8,
    user_id: u64,
    channel_id: u64,
    message_id: Option<u64>,
    metadata: Value,
    command_name: Option<&str>,
) -> InteractionRecord {
    InteractionRecord {
        id,
        token: token.to_owned(),
        kind,
        user_id,
        channel_id,
        created: Instant::now(),
        message_id,
        metadata,
        command_name: command_name.map(str::to_owned),
        focused_type: None,
        callback: None,
        original: None,
        original_loading: false,
        followups: Vec::new(),
        responses: Vec::new(),
        later: Vec::new(),
    }
}

/// The slash command the bot registered as `name`, guild commands first.
fn registered_command(state: &State, name: &str) -> anyhow::Result<Value> {
    let registered = state.guild_commands.iter().chain(&state.global_commands);
    if let Some(command) = registered
        .clone()
        .find(|c| c["name"] == name && c["type"].as_u64() == Some(1))
    {
        return Ok(command.clone());
    }
    let names: Vec<String> = registered.map(|c| c["name"].to_string()).collect();
    let names = if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    };
    bail!("the bot has not registered a slash command /{name} (registered: {names})")
}

/// The component with `custom_id` in a message's action rows.
fn find_component<'a>(components: &'a Value, custom_id: &str) -> Option<&'a Value> {
    components.as_array()?.iter().find_map(|c| {
        if c["custom_id"] == custom_id && c["type"] != 1 {
            Some(c)
        } else {
            find_component(&c["components"], custom_id)
        }
    })
}

/// The submitted action rows for `modal`, checked as a Discord client checks them.
fn modal_rows(modal: &ShownModal, fields: &[(&str, &str)]) -> anyhow::Result<Vec<Value>> {
    let mut rows = Vec::new();
    let mut known = Vec::new();
    for row in modal
        .components
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let inputs = row["components"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut submitted = Vec::new();
        for input in inputs.iter().filter(|c| c["type"] == 4) {
            let custom_id = input["custom_id"].as_str().unwrap_or_default();
            known.push(custom_id.to_owned());
            let value = fields
                .iter()
                .find(|(k, _)| *k == custom_id)
                .map_or("", |(_, v)| *v);
            let length = value.chars().count() as u64;
            let required = input["required"].as_bool().unwrap_or(true);
            if required && value.is_empty() {
                bail!("the modal's field {custom_id:?} is required");
            }
            if !value.is_empty() {
                if let Some(min) = input["min_length"].as_u64().filter(|m| length < *m) {
                    bail!("the modal's field {custom_id:?} needs at least {min} characters");
                }
            }
            if let Some(max) = input["max_length"].as_u64().filter(|m| length > *m) {
                bail!("the modal's field {custom_id:?} takes at most {max} characters");
            }
            submitted.push(json!({"type": 4, "custom_id": custom_id, "value": value}));
        }
        rows.push(json!({"type": 1, "components": submitted}));
    }
    if let Some((unknown, _)) = fields.iter().find(|(k, _)| !known.iter().any(|c| c == k)) {
        bail!(
            "the modal {:?} has no field {unknown:?} (fields: {known:?})",
            modal.custom_id
        );
    }
    Ok(rows)
}
