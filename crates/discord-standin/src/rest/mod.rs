//! The HTTP API under `/api/v10`: the routes the bot uses, answered as Discord answers them.
//!
//! Every request is recorded ([`RestCall`]) with what Discord's OpenAPI description finds wrong
//! with it. A request body the description rejects is refused with Discord's 400 Invalid Form
//! Body (50035, with Discord's codes such as `BASE_TYPE_MAX_LENGTH` at the field's path), as
//! Discord would refuse it, so the bot sees the same failure it would see in production.
//! Beyond the schema, handlers enforce the rules Discord applies that tests are likely to meet:
//! the bot token, unknown ids (Discord's 404 codes), empty or over-long messages, editing someone
//! else's message, callback types that do not suit the interaction, answering an interaction
//! twice or after its 3 seconds, follow-ups before the first answer, and these:
//!
//! Permissions (`access`; each rule cites its documentation next to the check). The bot's
//! permissions are computed in the channel (overwrites included); no VIEW_CHANNEL there is 403
//! code 50001, another missing permission 403 code 50013.
//!
//! | route | needs |
//! |---|---|
//! | `POST /channels/{c}/messages` | VIEW_CHANNEL, SEND_MESSAGES; READ_MESSAGE_HISTORY for a reply; SEND_TTS_MESSAGES for `tts`; without EMBED_LINKS embeds are dropped and an embed-only message is 50013 |
//! | `GET /channels/{c}/messages` | VIEW_CHANNEL; without READ_MESSAGE_HISTORY the list is empty |
//! | `GET /channels/{c}/messages/{m}` | VIEW_CHANNEL, READ_MESSAGE_HISTORY |
//! | `PATCH /channels/{c}/messages/{m}` | VIEW_CHANNEL; another's message: flags only (50005 otherwise), with MANAGE_MESSAGES; without EMBED_LINKS embeds are ignored |
//! | `DELETE /channels/{c}/messages/{m}` | VIEW_CHANNEL; another's message: MANAGE_MESSAGES |
//! | `PUT …/reactions/{e}/@me` | VIEW_CHANNEL, READ_MESSAGE_HISTORY; ADD_REACTIONS if nobody reacted with `e` yet |
//! | `DELETE …/reactions/{e}/{user}` | VIEW_CHANNEL; another user's: MANAGE_MESSAGES |
//! | `GET …/reactions/{e}` | VIEW_CHANNEL |
//! | `GET /channels/{c}` | VIEW_CHANNEL |
//! | `POST /guilds/{g}/channels` | MANAGE_CHANNELS (in `parent_id` if given); the overwrite rule |
//! | `PATCH /channels/{c}` | VIEW_CHANNEL, MANAGE_CHANNELS; a new parent: both there too (else 50001); `permission_overwrites` or `lock_permissions`: MANAGE_ROLES, and the overwrite rule |
//! | `PUT`/`DELETE /channels/{c}/permissions/{id}` | VIEW_CHANNEL, MANAGE_ROLES in the channel; `PUT`: the overwrite rule |
//! | `PUT`/`DELETE /guilds/{g}/members/{u}/roles/{r}` | MANAGE_ROLES; the role below the bot's highest and not managed |
//! | `GET /guilds/{g}/members` | the GUILD_MEMBERS privileged intent in the application's flags (else 50001) |
//! | interaction callbacks, follow-ups, `@original` | nothing: the interaction token is the permission |
//!
//! The overwrite rule: every bit an overwrite allows or denies must be held by the bot in the
//! channel's category (the guild when it has none), and MANAGE_ROLES may appear only for an
//! administrator, unless the bot has an overwrite allowing it MANAGE_ROLES in the channel. A
//! channel created in a category without overwrites gets the category's (synced).
//!
//! Limits the description does not express: content over 2,000 characters, over 6,000
//! characters across a message's embeds (`MAX_EMBED_SIZE_EXCEEDED`), over 5 action rows
//! without the IS_COMPONENTS_V2 flag; an autocomplete result (callback type 8, the only answer to
//! an autocomplete interaction) with more than 25 choices or a choice whose value is not of the
//! focused option's type.
//!
//! Routing is by hand over the percent-decoded path segments rather than with axum's router, so
//! that unknown routes are recorded like known ones and a reaction's emoji arrives decoded.
//! Effects visible to the bot over the gateway (its own messages, channel and role changes) are
//! dispatched before the HTTP answer is returned, which is the order a bot usually sees on
//! Discord too.

mod access;
mod guild;
mod interactions;
mod messages;

pub(crate) use interactions::metadata_extras;
pub(crate) use messages::toggle_reaction;

use super::commands;
use super::gateway::dispatch;
use super::openapi::{percent_decode, query_pairs};
use super::payloads::{self, snowflake, NewMessage};
use super::state::{InteractionRecord, RestCall, Shared, ShownModal, StoredMessage};
use super::world::World;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// Discord's message content limit for bots.
const MAX_CONTENT_CHARS: usize = 2000;
/// The characters all embeds of a message may hold together.
const MAX_EMBEDS_TOTAL_CHARS: usize = 6000;
/// Top-level action rows of a message without the IS_COMPONENTS_V2 flag.
const MAX_ACTION_ROWS: usize = 5;

/// Message flags a bot may set when sending: SUPPRESS_EMBEDS, EPHEMERAL (interactions only),
/// SUPPRESS_NOTIFICATIONS.
const SUPPRESS_EMBEDS: u64 = 1 << 2;
const EPHEMERAL: u64 = 1 << 6;
const LOADING: u64 = 1 << 7;
const SUPPRESS_NOTIFICATIONS: u64 = 1 << 12;
const IS_COMPONENTS_V2: u64 = 1 << 15;

/// An answer: status and JSON body (none for 204).
#[derive(Debug)]
pub(crate) struct Reply {
    status: u16,
    body: Option<Value>,
    /// Made up by an injected fault (`Sandbox::fail_requests`), not by a rule of Discord's.
    injected: bool,
}

impl Reply {
    fn ok(body: Value) -> Reply {
        Reply {
            status: 200,
            body: Some(body),
            injected: false,
        }
    }

    fn created(body: Value) -> Reply {
        Reply {
            status: 201,
            body: Some(body),
            injected: false,
        }
    }

    fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
            injected: false,
        }
    }

    fn error(status: u16, code: u32, message: &str) -> Reply {
        Reply {
            status,
            body: Some(payloads::error(code, message)),
            injected: false,
        }
    }

    fn not_found() -> Reply {
        Reply::error(404, 0, "404: Not Found")
    }

    fn form(problems: &[(String, String, String)]) -> Reply {
        Reply {
            status: 400,
            body: Some(payloads::invalid_form_body(problems)),
            injected: false,
        }
    }

    fn field(path: &str, code: &str, message: &str) -> Reply {
        Reply::form(&[(path.to_owned(), code.to_owned(), message.to_owned())])
    }
}

/// Discord's JSON error codes the sandbox answers with.
mod code {
    pub const UNKNOWN_CHANNEL: u32 = 10003;
    pub const UNKNOWN_GUILD: u32 = 10004;
    pub const UNKNOWN_MEMBER: u32 = 10007;
    pub const UNKNOWN_MESSAGE: u32 = 10008;
    pub const UNKNOWN_ROLE: u32 = 10011;
    pub const UNKNOWN_EMOJI: u32 = 10014;
    pub const UNKNOWN_WEBHOOK: u32 = 10015;
    pub const UNKNOWN_INTERACTION: u32 = 10062;
    pub const ALREADY_ACKNOWLEDGED: u32 = 40060;
    pub const MISSING_ACCESS: u32 = 50001;
    pub const CANNOT_EDIT_OTHERS: u32 = 50005;
    pub const EMPTY_MESSAGE: u32 = 50006;
    pub const NON_TEXT_CHANNEL: u32 = 50008;
    pub const MISSING_PERMISSIONS: u32 = 50013;
    pub const INVALID_JSON: u32 = 50109;
}

/// The fallback handler: every HTTP request that is not the gateway.
pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let arrived = std::time::Instant::now();
    let identified = shared.state().gateway.stats.identifies;
    let raw_path = uri.path().to_owned();
    let query = uri.query().unwrap_or_default().to_owned();
    let path = raw_path
        .strip_prefix("/api/v10")
        .filter(|p| p.is_empty() || p.starts_with('/'))
        .map(str::to_owned);
    let body = parse_body(&headers, &body);
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let parsed = body.as_ref().ok().and_then(Option::as_ref);
    let gate = shared
        .ratelimits
        .admit(method.as_str(), path.as_deref(), token, parsed);
    let mut openapi_problems = Vec::new();
    let reply = match &path {
        None => {
            openapi_problems.push(format!(
                "{method} {raw_path}: not under /api/v10 (Discord's API base)"
            ));
            Reply::not_found()
        }
        Some(path) => {
            let authorised = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bot "))
                .is_some_and(|t| shared.accepts(t));
            let check = match (&shared.openapi, &body) {
                (Some(api), Ok(body)) => {
                    Some(api.check_request(method.as_str(), path, &query, body.as_ref()))
                }
                _ => None,
            };
            if let Some(check) = &check {
                openapi_problems = check.messages();
            }
            match body.as_ref() {
                // Rate limits and injected faults come first, as on Discord (see `ratelimit`).
                _ if gate.refusal.is_some() => {
                    let (status, body) = gate.refusal.clone().expect("checked");
                    Reply {
                        status,
                        body: Some(body),
                        injected: false,
                    }
                }
                _ if !authorised => Reply::error(401, 0, "401: Unauthorized"),
                Err(_) => Reply::error(
                    400,
                    code::INVALID_JSON,
                    "The request body contains invalid JSON.",
                ),
                Ok(_) if check.as_ref().is_some_and(|c| !c.body.is_empty()) => {
                    let problems: Vec<_> = check
                        .expect("checked above")
                        .body
                        .into_iter()
                        .map(|p| (p.path, p.code.to_owned(), p.message))
                        .collect();
                    Reply::form(&problems)
                }
                Ok(body) => route(&shared, &method, path, &query, body.clone()).await,
            }
        }
    };
    let response_problems = match (&shared.openapi, &path) {
        (Some(api), Some(path)) if shared.check_responses && reply.status < 300 => {
            api.check_response(method.as_str(), path, reply.status, reply.body.as_ref())
        }
        _ => Vec::new(),
    };
    shared.state().rest_log.push(RestCall {
        method: method.to_string(),
        path: path.unwrap_or(raw_path),
        query,
        body: body.ok().flatten(),
        status: reply.status,
        injected: reply.injected,
        openapi_problems,
        response: reply.body.clone(),
        response_problems,
        arrived,
        identified,
    });
    shared.touch();
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match reply.body {
        Some(body) => (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response(),
        None => status.into_response(),
    };
    gate.apply(response.headers_mut());
    response
}

/// The JSON body (for multipart, its `payload_json` part); `Ok(None)` for an empty body.
fn parse_body(headers: &HeaderMap, body: &Bytes) -> Result<Option<Value>, String> {
    if body.is_empty() {
        return Ok(None);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if let Some(boundary) = content_type
        .strip_prefix("multipart/form-data")
        .and_then(|rest| rest.split("boundary=").nth(1))
    {
        let boundary = boundary
            .split(';')
            .next()
            .unwrap_or_default()
            .trim_matches('"');
        return match multipart_part(body, boundary, "payload_json") {
            Some(json) => serde_json::from_slice(json)
                .map(Some)
                .map_err(|e| e.to_string()),
            None => Ok(None),
        };
    }
    serde_json::from_slice(body)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// The contents of the part named `name` in a multipart body.
fn multipart_part<'a>(body: &'a [u8], boundary: &str, name: &str) -> Option<&'a [u8]> {
    let delimiter = format!("--{boundary}");
    let needle = format!("name=\"{name}\"");
    let mut rest = body;
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        let end = find(rest, delimiter.as_bytes()).unwrap_or(rest.len());
        let part = &rest[..end];
        let header_end = find(part, b"\r\n\r\n")?;
        let headers = String::from_utf8_lossy(&part[..header_end]);
        if headers.contains(&needle) {
            let content = &part[header_end + 4..];
            return Some(content.strip_suffix(b"\r\n").unwrap_or(content));
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Dispatches to the handler for `method` and `path`.
async fn route(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: &str,
    body: Option<Value>,
) -> Reply {
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let world = &shared.world;
    let body = body.unwrap_or(Value::Null);
    if let Some((status, code, message)) = shared.faults.check(method.as_str(), path, &body) {
        return Reply {
            injected: true,
            ..Reply::error(status, code, &message)
        };
    }
    let result = match (method.as_str(), s.as_slice()) {
        ("GET", ["gateway"]) => Ok(Reply::ok(payloads::gateway(&shared.ws_url))),
        ("GET", ["gateway", "bot"]) => Ok(Reply::ok(payloads::gateway_bot(&shared.ws_url))),
        ("GET", ["oauth2", "applications", "@me"]) => Ok(Reply::ok(payloads::application(world))),
        ("GET", ["users", "@me"]) => Ok(Reply::ok(payloads::current_user(world))),
        (m @ ("GET" | "PUT"), ["applications", app, "guilds", guild, "commands"]) => {
            guild::commands(shared, m, app, Some(guild), &body)
        }
        (m @ ("GET" | "PUT"), ["applications", app, "commands"]) => {
            guild::commands(shared, m, app, None, &body)
        }
        ("GET", ["guilds", guild]) => {
            guild_id(shared, guild).map(|_| Reply::ok(payloads::guild(world)))
        }
        ("GET", ["guilds", guild, "channels"]) => guild_id(shared, guild)
            .map(|_| Reply::ok(Value::Array(shared.state().channels.clone()))),
        ("POST", ["guilds", guild, "channels"]) => {
            guild::create_channel(shared, guild, &body).await
        }
        ("GET", ["guilds", guild, "roles"]) => {
            guild_id(shared, guild).map(|_| Reply::ok(Value::Array(payloads::roles(world))))
        }
        ("GET", ["guilds", guild, "members"]) => guild::list_members(shared, guild, query),
        ("GET", ["guilds", guild, "members", user]) => guild::get_member(shared, guild, user),
        (m @ ("PUT" | "DELETE"), ["guilds", guild, "members", user, "roles", role]) => {
            guild::member_role(shared, m == "PUT", guild, user, role).await
        }
        ("GET", ["channels", channel]) => guild::get_channel(shared, channel),
        ("PATCH", ["channels", channel]) => guild::edit_channel(shared, channel, &body).await,
        (m @ ("PUT" | "DELETE"), ["channels", channel, "permissions", target]) => {
            guild::permission(shared, m == "PUT", channel, target, &body).await
        }
        ("GET", ["channels", channel, "messages"]) => {
            messages::list_messages(shared, channel, query)
        }
        ("POST", ["channels", channel, "messages"]) => {
            messages::create_message(shared, channel, &body).await
        }
        ("GET", ["channels", channel, "messages", message]) => {
            messages::get_message(shared, channel, message)
        }
        ("PATCH", ["channels", channel, "messages", message]) => {
            messages::edit_message(shared, channel, message, &body).await
        }
        ("DELETE", ["channels", channel, "messages", message]) => {
            messages::delete_message(shared, channel, message).await
        }
        ("PUT", ["channels", channel, "messages", message, "reactions", emoji, "@me"]) => {
            messages::reaction(shared, true, channel, message, emoji, "@me").await
        }
        ("DELETE", ["channels", channel, "messages", message, "reactions", emoji, user]) => {
            messages::reaction(shared, false, channel, message, emoji, user).await
        }
        ("GET", ["channels", channel, "messages", message, "reactions", emoji]) => {
            messages::reaction_users(shared, channel, message, emoji, query)
        }
        ("POST", ["interactions", id, token, "callback"]) => {
            interactions::callback(shared, id, token, &body).await
        }
        ("POST", ["webhooks", app, token]) => {
            interactions::followup(shared, app, token, &body).await
        }
        (m @ ("GET" | "PATCH" | "DELETE"), ["webhooks", app, token, "messages", which]) => {
            interactions::webhook_message(shared, m, app, token, which, &body).await
        }
        _ => {
            tracing::warn!(%method, path, "the Discord sandbox does not serve this route");
            Ok(Reply::not_found())
        }
    };
    match shared.faults.lost(method.as_str(), path, &body) {
        Some((status, code, message)) => Reply::error(status, code, &message),
        None => result.unwrap_or_else(|reply| reply),
    }
}

type Handled = Result<Reply, Reply>;

fn unknown_channel() -> Reply {
    Reply::error(404, code::UNKNOWN_CHANNEL, "Unknown Channel")
}

fn unknown_message() -> Reply {
    Reply::error(404, code::UNKNOWN_MESSAGE, "Unknown Message")
}

/// A snowflake path segment, or Discord's 400 for a malformed one.
fn id(field: &str, segment: &str) -> Result<u64, Reply> {
    segment.parse::<u64>().map_err(|_| {
        Reply::field(
            &format!("/{field}"),
            "NUMBER_TYPE_COERCE",
            &format!("Value \"{segment}\" is not snowflake."),
        )
    })
}

fn guild_id(shared: &Shared, segment: &str) -> Result<u64, Reply> {
    let guild = id("guild_id", segment)?;
    if guild == shared.world.guild_id {
        Ok(guild)
    } else {
        Err(Reply::error(404, code::UNKNOWN_GUILD, "Unknown Guild"))
    }
}

fn application_id(shared: &Shared, segment: &str) -> Result<u64, Reply> {
    let app = id("application_id", segment)?;
    if app == shared.world.application_id {
        Ok(app)
    } else {
        Err(Reply::error(403, code::MISSING_ACCESS, "Missing Access"))
    }
}

/// The id in a body field that may be a string or a number.
fn body_id(value: &Value) -> Option<u64> {
    payloads::body_id(value)
}

fn query_u64(query: &str, name: &str) -> Option<u64> {
    query_pairs(query)
        .into_iter()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_payload_json_is_found() {
        let body = concat!(
            "--XYZ\r\nContent-Disposition: form-data; name=\"files[0]\"; filename=\"a.txt\"\r\n",
            "\r\nhello\r\n--XYZ\r\nContent-Disposition: form-data; name=\"payload_json\"\r\n",
            "Content-Type: application/json\r\n\r\n{\"content\":\"hi\"}\r\n--XYZ--\r\n",
        )
        .as_bytes();
        assert_eq!(
            multipart_part(body, "XYZ", "payload_json"),
            Some(&b"{\"content\":\"hi\"}"[..])
        );
    }

    #[test]
    fn text_channel_names_are_normalised() {
        assert_eq!(
            guild::text_channel_name("IG Security  in MCP"),
            "ig-security-in-mcp"
        );
    }

    #[test]
    fn reactions_toggle_once_per_user() {
        let mut reactions = Vec::new();
        assert!(toggle_reaction(&mut reactions, "👍", 1, true));
        assert!(!toggle_reaction(&mut reactions, "👍", 1, true));
        assert!(toggle_reaction(&mut reactions, "👍", 2, true));
        assert!(toggle_reaction(&mut reactions, "👍", 1, false));
        assert!(!toggle_reaction(&mut reactions, "👍", 1, false));
        assert_eq!(reactions, vec![("👍".to_owned(), vec![2])]);
    }
}
