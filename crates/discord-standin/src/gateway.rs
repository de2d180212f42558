//! The gateway: one WebSocket connection from the bot, speaking Discord's v10 opcodes.
//!
//! A connection gets HELLO at once; IDENTIFY starts a fresh session (READY, then GUILD_CREATE);
//! heartbeats are ACKed; RESUME with the current session's id continues its sequence numbers and
//! is answered with RESUMED; a member request (op 8) gets one GUILD_MEMBERS_CHUNK; anything
//! undecodable closes the socket with 4002, a wrong token with
//! 4004, a privileged intent the application has not turned on (its `application_flags`) with
//! 4014, as Discord does. Only the newest identified (or resumed) connection receives dispatches;
//! an older one still open is closed.
//!
//! Dispatches go out through [`dispatch`], which applies what Discord applies before sending:
//! the bot's intents (an event it did not subscribe to is not sent, and a message's content is
//! blanked without MESSAGE_CONTENT). A dispatch with no bot connected is not queued: Discord does
//! not replay events to a new session, so a bot that was down really misses them. Both cases are
//! recorded as undelivered.
//!
//! Each connection is served by one task that owns the socket and writes, in order, the frames
//! queued for it; a dispatcher learns when its frame was written, so injection helpers return
//! only once the bot can read the event.

use super::payloads::{self, intents};
use super::state::{ConnHandle, Outgoing, Session, Shared, Undelivered};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Discord's gateway close codes the sandbox uses.
mod close {
    pub const UNKNOWN_ERROR: u16 = 4000;
    pub const DECODE_ERROR: u16 = 4002;
    pub const AUTHENTICATION_FAILED: u16 = 4004;
    pub const ALREADY_AUTHENTICATED: u16 = 4005;
    pub const DISALLOWED_INTENTS: u16 = 4014;
    pub const GOING_AWAY: u16 = 1001;
}

/// `GET /` with an upgrade: the gateway.
pub(crate) async fn upgrade(State(shared): State<Arc<Shared>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| serve(shared, socket))
}

/// Sends a dispatch to the bot and returns once it was written; `false` if it was not delivered
/// (no bot connected, an intent missing, or the connection failed). `injected` marks dispatches
/// made through the sandbox's API, which `redeliver_last_dispatch` can repeat.
pub(crate) async fn dispatch(shared: &Shared, event: &str, data: Value, injected: bool) -> bool {
    let queued = {
        let mut state = shared.state();
        let gateway = &mut state.gateway;
        let reason = match (&gateway.conn, &mut gateway.session) {
            (Some(conn), Some(session)) => match required_intent(event) {
                Some((bit, name)) if session.intents & bit == 0 => {
                    Err(format!("the bot did not ask for the {name} intent"))
                }
                _ => {
                    session.seq += 1;
                    let data =
                        if is_message(event) && session.intents & intents::MESSAGE_CONTENT == 0 {
                            without_content(shared, data.clone())
                        } else {
                            data.clone()
                        };
                    let frame = payloads::frame(0, data, Some((event, session.seq)));
                    let (written, done) = oneshot::channel();
                    let text = frame.to_string();
                    if conn
                        .tx
                        .send(Outgoing::Frame {
                            text,
                            written: Some(written),
                        })
                        .is_ok()
                    {
                        Ok((frame, done))
                    } else {
                        Err("the bot's connection had closed".to_owned())
                    }
                }
            },
            _ => Err("no bot connected".to_owned()),
        };
        match reason {
            Ok((frame, done)) => {
                state.dispatch_log.push(frame.clone());
                Some((frame, done))
            }
            Err(reason) => {
                state.undelivered.push(Undelivered {
                    event: event.to_owned(),
                    data: data.clone(),
                    reason,
                });
                None
            }
        }
    };
    let Some((frame, done)) = queued else {
        shared.touch();
        return false;
    };
    let written = done.await.unwrap_or(false);
    {
        let mut state = shared.state();
        if written {
            if injected {
                state.last_injected = Some((event.to_owned(), data));
            }
        } else {
            state.dispatch_log.retain(|f| f != &frame);
            state.undelivered.push(Undelivered {
                event: event.to_owned(),
                data,
                reason: "the bot's connection closed before the frame was written".to_owned(),
            });
        }
    }
    shared.touch();
    written
}

/// Sends op 7 RECONNECT on the bot's connection; returns once written (`false` if none).
pub(crate) async fn request_reconnect(shared: &Shared) -> bool {
    let conn = shared.state().gateway.conn.clone();
    match conn {
        Some(conn) => write(&conn, payloads::reconnect().to_string()).await,
        None => false,
    }
}

/// Closes the bot's connection with `code`, as Discord does on errors; the bot reconnects.
/// Holds every new session (its IDENTIFY waits unanswered) until `hold` is false again, when a
/// held IDENTIFY is answered with READY.
pub(crate) fn hold_sessions(shared: &Shared, hold: bool) {
    let held = {
        let mut state = shared.state();
        state.gateway.hold_sessions = hold;
        if hold {
            None
        } else {
            state.gateway.held.take()
        }
    };
    if let Some((conn, d)) = held {
        identify(shared, &conn, &d);
    }
}

pub(crate) fn disconnect(shared: &Shared, code: u16) -> bool {
    let conn = shared.state().gateway.conn.clone();
    conn.is_some_and(|c| c.tx.send(Outgoing::Close(code)).is_ok())
}

async fn write(conn: &ConnHandle, text: String) -> bool {
    let (written, done) = oneshot::channel();
    if conn
        .tx
        .send(Outgoing::Frame {
            text,
            written: Some(written),
        })
        .is_err()
    {
        return false;
    }
    done.await.unwrap_or(false)
}

/// Which intent an event needs, as Discord applies them to guild events.
fn required_intent(event: &str) -> Option<(u64, &'static str)> {
    match event {
        "GUILD_CREATE" | "GUILD_UPDATE" | "CHANNEL_CREATE" | "CHANNEL_UPDATE"
        | "CHANNEL_DELETE" | "THREAD_CREATE" | "THREAD_UPDATE" | "THREAD_DELETE" => {
            Some((intents::GUILDS, "GUILDS"))
        }
        "GUILD_MEMBER_ADD" | "GUILD_MEMBER_UPDATE" | "GUILD_MEMBER_REMOVE" => {
            Some((intents::GUILD_MEMBERS, "GUILD_MEMBERS"))
        }
        "MESSAGE_CREATE" | "MESSAGE_UPDATE" | "MESSAGE_DELETE" => {
            Some((intents::GUILD_MESSAGES, "GUILD_MESSAGES"))
        }
        "MESSAGE_REACTION_ADD" | "MESSAGE_REACTION_REMOVE" => {
            Some((intents::GUILD_MESSAGE_REACTIONS, "GUILD_MESSAGE_REACTIONS"))
        }
        _ => None,
    }
}

fn is_message(event: &str) -> bool {
    matches!(event, "MESSAGE_CREATE" | "MESSAGE_UPDATE")
}

/// A message as a bot without MESSAGE_CONTENT sees it: empty content, embeds, attachments and
/// components, unless the bot wrote it or is mentioned in it.
fn without_content(shared: &Shared, mut message: Value) -> Value {
    let bot = shared.world.bot_user_id;
    let by_bot = payloads::id_of(&message["author"]) == Some(bot);
    let mentions_bot = message["mentions"]
        .as_array()
        .is_some_and(|m| m.iter().any(|u| payloads::id_of(u) == Some(bot)));
    if !by_bot && !mentions_bot {
        message["content"] = Value::String(String::new());
        for key in ["embeds", "attachments", "components"] {
            message[key] = Value::Array(Vec::new());
        }
    }
    message
}

/// One connection, from HELLO until either side closes it.
async fn serve(shared: Arc<Shared>, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let conn = {
        let mut state = shared.state();
        state.gateway.next_conn_id += 1;
        ConnHandle {
            id: state.gateway.next_conn_id,
            tx,
        }
    };
    let mut shutdown = shared.shutdown.subscribe();
    let hello = payloads::hello(shared.heartbeat_interval_ms).to_string();
    let mut identified = false;
    if socket.send(Message::Text(hello.into())).await.is_ok() {
        loop {
            tokio::select! {
                incoming = socket.recv() => {
                    let text = match incoming {
                        Some(Ok(Message::Text(text))) => text.to_string(),
                        Some(Ok(Message::Binary(bytes))) => {
                            String::from_utf8_lossy(&bytes).into_owned()
                        }
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                        Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                    };
                    if let Err(code) = receive(&shared, &conn, &mut identified, &text) {
                        let _ = close_with(&mut socket, code).await;
                        break;
                    }
                }
                outgoing = rx.recv() => match outgoing {
                    Some(Outgoing::Frame { text, written }) => {
                        let ok = socket.send(Message::Text(text.into())).await.is_ok();
                        if let Some(written) = written {
                            let _ = written.send(ok);
                        }
                        if !ok {
                            break;
                        }
                    }
                    Some(Outgoing::Close(code)) => {
                        let _ = close_with(&mut socket, code).await;
                        break;
                    }
                    None => break,
                },
                _ = shutdown.changed() => {
                    let _ = close_with(&mut socket, close::GOING_AWAY).await;
                    break;
                }
            }
        }
    }
    {
        let mut state = shared.state();
        if state.gateway.conn.as_ref().is_some_and(|c| c.id == conn.id) {
            state.gateway.conn = None;
            state.gateway.stats.connected = false;
        }
    }
    // Frames queued after the socket closed were never written.
    rx.close();
    while let Ok(outgoing) = rx.try_recv() {
        if let Outgoing::Frame {
            written: Some(written),
            ..
        } = outgoing
        {
            let _ = written.send(false);
        }
    }
    shared.touch();
}

async fn close_with(socket: &mut WebSocket, code: u16) -> Result<(), axum::Error> {
    socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: "".into(),
        })))
        .await
}

/// Handles one frame from the bot; `Err(close code)` ends the connection.
fn receive(
    shared: &Shared,
    conn: &ConnHandle,
    identified: &mut bool,
    text: &str,
) -> Result<(), u16> {
    let frame: Value = serde_json::from_str(text).map_err(|_| close::DECODE_ERROR)?;
    let d = &frame["d"];
    match frame["op"].as_u64() {
        // Heartbeat.
        Some(1) => {
            queue(conn, payloads::heartbeat_ack());
            shared.state().gateway.stats.heartbeats += 1;
            shared.touch();
            Ok(())
        }
        // Identify.
        Some(2) => {
            if *identified {
                return Err(close::ALREADY_AUTHENTICATED);
            }
            if !token_ok(shared, d) {
                return Err(close::AUTHENTICATION_FAILED);
            }
            if !intents_allowed(shared, d["intents"].as_u64().unwrap_or(0)) {
                return Err(close::DISALLOWED_INTENTS);
            }
            *identified = true;
            let mut state = shared.state();
            if state.gateway.hold_sessions {
                state.gateway.held = Some((conn.clone(), d.clone()));
                return Ok(());
            }
            drop(state);
            identify(shared, conn, d);
            Ok(())
        }
        // Resume.
        Some(6) => {
            if !token_ok(shared, d) {
                return Err(close::AUTHENTICATION_FAILED);
            }
            let resumed = {
                let mut state = shared.state();
                let gateway = &mut state.gateway;
                let current = gateway.session.as_ref().map(|s| s.id.as_str());
                if current.is_some() && current == d["session_id"].as_str() {
                    replace_connection(&mut gateway.conn, conn);
                    let session = gateway.session.as_mut().expect("checked above");
                    session.seq += 1;
                    let frame =
                        payloads::frame(0, payloads::resumed(), Some(("RESUMED", session.seq)));
                    queue(conn, frame.clone());
                    state.dispatch_log.push(frame);
                    state.gateway.stats.resumes += 1;
                    state.gateway.stats.connected = true;
                    true
                } else {
                    false
                }
            };
            if resumed {
                *identified = true;
            } else {
                queue(conn, payloads::invalid_session(false));
            }
            shared.touch();
            Ok(())
        }
        // Request guild members: answered with one GUILD_MEMBERS_CHUNK.
        Some(8) => {
            request_members(shared, conn, d);
            Ok(())
        }
        // Presence and voice state updates, soundboard requests: accepted and ignored.
        Some(3 | 4 | 31) => Ok(()),
        _ => Err(close::DECODE_ERROR),
    }
}

fn token_ok(shared: &Shared, d: &Value) -> bool {
    let token = d["token"].as_str().unwrap_or_default();
    shared.accepts(token.strip_prefix("Bot ").unwrap_or(token))
}

/// Whether the application may ask for `requested`: each privileged intent needs its flag (or its
/// `_LIMITED` flag) turned on for the application.
///
/// Discord: events/gateway.mdx, "Gateway Intents": "The connection with your app will be closed
/// if it passes [...] a privileged intent that hasn't been configured or approved for your app
/// (4014 close code)"; resources/application.mdx, "Application Flags".
fn intents_allowed(shared: &Shared, requested: u64) -> bool {
    use super::permissions::application_flags as flags;
    let granted = shared.world.application_flags;
    [
        (
            intents::GUILD_MEMBERS,
            flags::GATEWAY_GUILD_MEMBERS | flags::GATEWAY_GUILD_MEMBERS_LIMITED,
        ),
        (
            intents::GUILD_PRESENCES,
            flags::GATEWAY_PRESENCE | flags::GATEWAY_PRESENCE_LIMITED,
        ),
        (
            intents::MESSAGE_CONTENT,
            flags::GATEWAY_MESSAGE_CONTENT | flags::GATEWAY_MESSAGE_CONTENT_LIMITED,
        ),
    ]
    .iter()
    .all(|(intent, flag)| requested & intent == 0 || granted & flag != 0)
}

/// Starts a fresh session on `conn`: READY, then GUILD_CREATE if the bot asked for GUILDS.
fn identify(shared: &Shared, conn: &ConnHandle, d: &Value) {
    let world = &shared.world;
    let intents = d["intents"].as_u64().unwrap_or(0);
    let shard = match &d["shard"] {
        Value::Array(a) if a.len() == 2 => Value::Array(a.clone()),
        _ => serde_json::json!([0, 1]),
    };
    let mut state = shared.state();
    let session_id = format!("sandbox-session-{}", state.next_id());
    let mut frames = vec![(
        "READY",
        payloads::ready(world, &session_id, &shared.ws_url, &shard),
    )];
    if intents & intents::GUILDS != 0 {
        // Discord sends offline members only to bots with GUILD_PRESENCES; the bot itself always.
        let members = world
            .members
            .iter()
            .filter(|m| intents & intents::GUILD_PRESENCES != 0 || m.user_id == world.bot_user_id)
            .map(|m| {
                let roles = state.roles_of(m.user_id).unwrap_or_default();
                payloads::member(world, m.user_id, &roles)
            })
            .collect();
        frames.push((
            "GUILD_CREATE",
            payloads::guild_create(world, &state.channels, &state.threads, members),
        ));
    }
    let mut seq = 0;
    for (event, data) in frames {
        seq += 1;
        let frame = payloads::frame(0, data, Some((event, seq)));
        queue(conn, frame.clone());
        state.dispatch_log.push(frame);
    }
    let gateway = &mut state.gateway;
    replace_connection(&mut gateway.conn, conn);
    gateway.session = Some(Session {
        id: session_id,
        seq,
        intents,
    });
    gateway.stats.identifies += 1;
    gateway.stats.connected = true;
    drop(state);
    shared.touch();
}

/// Answers op 8 REQUEST_GUILD_MEMBERS with a single GUILD_MEMBERS_CHUNK: the members named by
/// `user_ids`, or those whose username starts with `query` (all for an empty query), at most
/// `limit` (0 for no limit). Listing members needs the GUILD_MEMBERS intent on Discord; without
/// it nothing is sent and the chunk is recorded as undelivered.
fn request_members(shared: &Shared, conn: &ConnHandle, d: &Value) {
    let world = &shared.world;
    let mut state = shared.state();
    let active = state.gateway.conn.as_ref().is_some_and(|c| c.id == conn.id);
    let intents = state.gateway.session.as_ref().map_or(0, |s| s.intents);
    if !active || payloads::body_id(&d["guild_id"]) != Some(world.guild_id) {
        return;
    }
    let wanted: Option<Vec<u64>> = match &d["user_ids"] {
        Value::Array(ids) => Some(ids.iter().filter_map(payloads::body_id).collect()),
        Value::Null => None,
        single => payloads::body_id(single).map(|id| vec![id]),
    };
    let query = d["query"].as_str().unwrap_or_default().to_lowercase();
    let limit = match d["limit"].as_u64().unwrap_or(0) {
        0 => usize::MAX,
        n => n as usize,
    };
    let mut not_found = Vec::new();
    let members: Vec<Value> = match &wanted {
        Some(ids) => ids
            .iter()
            .filter_map(|id| {
                let found = state
                    .roles_of(*id)
                    .map(|roles| payloads::member(world, *id, &roles));
                if found.is_none() {
                    not_found.push(payloads::snowflake(*id));
                }
                found
            })
            .collect(),
        None => world
            .members
            .iter()
            .filter(|m| m.username.to_lowercase().starts_with(&query))
            .take(limit)
            .map(|m| {
                let roles = state.roles_of(m.user_id).unwrap_or_default();
                payloads::member(world, m.user_id, &roles)
            })
            .collect(),
    };
    let mut chunk = serde_json::json!({
        "guild_id": payloads::snowflake(world.guild_id),
        "members": members,
        "chunk_index": 0,
        "chunk_count": 1,
        "not_found": not_found,
    });
    if let Some(nonce) = d["nonce"].as_str().filter(|n| !n.is_empty()) {
        chunk["nonce"] = Value::String(nonce.to_owned());
    }
    if intents & intents::GUILD_MEMBERS == 0 {
        state.undelivered.push(Undelivered {
            event: "GUILD_MEMBERS_CHUNK".to_owned(),
            data: chunk,
            reason: "the bot did not ask for the GUILD_MEMBERS intent".to_owned(),
        });
    } else if let Some(session) = state.gateway.session.as_mut() {
        session.seq += 1;
        let frame = payloads::frame(0, chunk, Some(("GUILD_MEMBERS_CHUNK", session.seq)));
        queue(conn, frame.clone());
        state.dispatch_log.push(frame);
    }
    drop(state);
    shared.touch();
}

/// Makes `conn` the connection dispatches go to, closing the previous one if still open.
fn replace_connection(current: &mut Option<ConnHandle>, conn: &ConnHandle) {
    if let Some(old) = current.take() {
        if old.id != conn.id {
            let _ = old.tx.send(Outgoing::Close(close::UNKNOWN_ERROR));
        }
    }
    *current = Some(conn.clone());
}

/// Queues a frame for `conn` without waiting for the write.
fn queue(conn: &ConnHandle, frame: Value) {
    let _ = conn.tx.send(Outgoing::Frame {
        text: frame.to_string(),
        written: None,
    });
}
