//! Application commands: what registration accepts, and what an injected invocation may carry.
//!
//! Discord's OpenAPI description leaves out rules that Discord enforces when commands are
//! registered (names lowercase, required options before optional ones, unique names); a bot that
//! breaks one fails to register on Discord and, with poise, goes deaf. The sandbox refuses such a
//! registration the way Discord does (400 Invalid Form Body) so the failure shows up in tests.
//!
//! In the other direction, a Discord client only lets people invoke commands as registered, so
//! [`check_invocation`] refuses an injected slash command whose options the bot never declared;
//! a test typo then fails loudly instead of testing something Discord cannot send.

use super::payloads::{self, snowflake};
use super::world::World;
use serde_json::{json, Map, Value};

/// One registration problem: the path of the offending field, Discord's error code, a message.
pub(crate) type Problem = (String, String, String);

const CHAT_INPUT: u64 = 1;
const SUB_COMMAND: u64 = 1;
const SUB_COMMAND_GROUP: u64 = 2;

/// Discord's rules for a bulk overwrite of commands, beyond the JSON schema.
pub(crate) fn validate_registration(commands: &[Value]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for (i, command) in commands.iter().enumerate() {
        let path = format!("/{i}");
        let kind = command["type"].as_u64().unwrap_or(CHAT_INPUT);
        let name = command["name"].as_str().unwrap_or_default();
        if seen.contains(&(kind, name)) {
            problems.push(problem(
                &format!("{path}/name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                &format!("Application command names must be unique; {name:?} is used twice"),
            ));
        }
        seen.push((kind, name));
        if kind == CHAT_INPUT {
            check_name(&mut problems, &path, name);
            check_description(&mut problems, &path, &command["description"]);
            check_options(&mut problems, &path, &command["options"], 0);
        } else if !command["description"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
        {
            problems.push(problem(
                &format!("{path}/description"),
                "APPLICATION_COMMAND_INVALID_DESCRIPTION",
                "User and message commands cannot have a description",
            ));
        }
    }
    problems
}

fn check_name(problems: &mut Vec<Problem>, path: &str, name: &str) {
    let length = name.chars().count();
    let valid_chars = name
        .chars()
        .all(|c| c == '-' || c == '_' || c == '\'' || c.is_alphanumeric());
    if !(1..=32).contains(&length) || !valid_chars || name.chars().any(char::is_uppercase) {
        problems.push(problem(
            &format!("{path}/name"),
            "APPLICATION_COMMAND_INVALID_NAME",
            &format!(
                "Command name is invalid: {name:?} (1 to 32 lowercase letters, digits, - _ ')"
            ),
        ));
    }
}

fn check_description(problems: &mut Vec<Problem>, path: &str, description: &Value) {
    let length = description.as_str().map_or(0, |d| d.chars().count());
    if !(1..=100).contains(&length) {
        problems.push(problem(
            &format!("{path}/description"),
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 100 in length.",
        ));
    }
}

fn check_options(problems: &mut Vec<Problem>, path: &str, options: &Value, depth: usize) {
    let Some(options) = options.as_array() else {
        return;
    };
    if options.len() > 25 {
        problems.push(problem(
            &format!("{path}/options"),
            "BASE_TYPE_MAX_LENGTH",
            "Must be 25 or fewer in length.",
        ));
    }
    let mut optional_seen = false;
    let mut names = Vec::new();
    for (i, option) in options.iter().enumerate() {
        let path = format!("{path}/options/{i}");
        let name = option["name"].as_str().unwrap_or_default();
        if names.contains(&name) {
            problems.push(problem(
                &format!("{path}/name"),
                "APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME",
                &format!("Option names must be unique; {name:?} is used twice"),
            ));
        }
        names.push(name);
        check_name(problems, &path, name);
        check_description(problems, &path, &option["description"]);
        let kind = option["type"].as_u64().unwrap_or(0);
        if kind == SUB_COMMAND || kind == SUB_COMMAND_GROUP {
            if depth >= 2 || (kind == SUB_COMMAND_GROUP && depth >= 1) {
                problems.push(problem(
                    &format!("{path}/type"),
                    "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                    "Subcommands nest at most one group deep",
                ));
            }
            check_options(problems, &path, &option["options"], depth + 1);
            continue;
        }
        if option["required"] == true {
            if optional_seen {
                problems.push(problem(
                    &format!("{path}/required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                ));
            }
        } else {
            optional_seen = true;
        }
        if option["choices"].as_array().is_some_and(|c| c.len() > 25) {
            problems.push(problem(
                &format!("{path}/choices"),
                "BASE_TYPE_MAX_LENGTH",
                "Must be 25 or fewer in length.",
            ));
        }
    }
}

fn problem(path: &str, code: &str, message: &str) -> Problem {
    (path.to_owned(), code.to_owned(), message.to_owned())
}

/// A registered command as Discord echoes it.
pub(crate) fn echo(
    world: &World,
    request: &Value,
    id: u64,
    version: u64,
    guild_id: Option<u64>,
) -> Value {
    let kind = request["type"].as_u64().unwrap_or(CHAT_INPUT);
    let permissions = match &request["default_member_permissions"] {
        Value::String(s) => Value::String(s.clone()),
        Value::Number(n) => Value::String(n.to_string()),
        _ => Value::Null,
    };
    let mut command = json!({
        "id": snowflake(id),
        "application_id": snowflake(world.application_id),
        "version": snowflake(version),
        "default_member_permissions": permissions,
        "type": kind,
        "name": request["name"],
        "description": request["description"].as_str().unwrap_or_default(),
        "nsfw": request["nsfw"].as_bool().unwrap_or(false),
        "integration_types": non_null(&request["integration_types"]).unwrap_or(json!([0])),
        "contexts": non_null(&request["contexts"]).unwrap_or(Value::Null),
    });
    let map = command.as_object_mut().expect("a command is an object");
    for key in ["name_localizations", "description_localizations"] {
        if let Some(v) = non_null(&request[key]) {
            map.insert(key.into(), v);
        }
    }
    match guild_id {
        Some(guild) => {
            map.insert("guild_id".into(), snowflake(guild));
        }
        None => {
            map.insert(
                "dm_permission".into(),
                json!(request["dm_permission"].as_bool().unwrap_or(true)),
            );
        }
    }
    if let Some(options) = request["options"].as_array().filter(|o| !o.is_empty()) {
        map.insert(
            "options".into(),
            Value::Array(options.iter().map(without_nulls).collect()),
        );
    }
    command
}

fn non_null(value: &Value) -> Option<Value> {
    (!value.is_null()).then(|| value.clone())
}

/// `value` with every `null` member removed, recursively (Discord omits unset fields).
pub(crate) fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// Whether `options` (Discord's ApplicationCommandInteractionDataOption array) is something a
/// client could send for `command`: every option declared with its type, every required one
/// given, string choices respected.
pub(crate) fn check_invocation(command: &Value, options: &Value) -> Result<(), String> {
    let given = match options {
        Value::Null => &[][..],
        Value::Array(a) => a.as_slice(),
        _ => return Err("options must be a JSON array".to_owned()),
    };
    check_level(
        command["name"].as_str().unwrap_or_default(),
        &command["options"],
        given,
    )
}

fn check_level(at: &str, declared: &Value, given: &[Value]) -> Result<(), String> {
    let declared = declared.as_array().map(Vec::as_slice).unwrap_or_default();
    for option in given {
        let name = option["name"].as_str().unwrap_or_default();
        let Some(spec) = declared.iter().find(|d| d["name"] == name) else {
            let names: Vec<&str> = declared.iter().filter_map(|d| d["name"].as_str()).collect();
            return Err(format!(
                "/{at} has no option {name:?} (declared: {})",
                names.join(", ")
            ));
        };
        if spec["type"] != option["type"] {
            return Err(format!(
                "/{at} option {name:?} is declared with type {} but was given type {}",
                spec["type"], option["type"]
            ));
        }
        let kind = spec["type"].as_u64().unwrap_or(0);
        if kind == SUB_COMMAND || kind == SUB_COMMAND_GROUP {
            let nested = option["options"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            return check_level(&format!("{at} {name}"), &spec["options"], nested);
        }
        if option.get("value").is_none() {
            return Err(format!("/{at} option {name:?} has no value"));
        }
        if let Some(choices) = spec["choices"].as_array().filter(|c| !c.is_empty()) {
            if !choices.iter().any(|c| c["value"] == option["value"]) {
                return Err(format!(
                    "/{at} option {name:?} must be one of its choices, not {}",
                    option["value"]
                ));
            }
        }
    }
    let takes_subcommand = declared
        .iter()
        .any(|d| matches!(d["type"].as_u64(), Some(SUB_COMMAND | SUB_COMMAND_GROUP)));
    if takes_subcommand && given.is_empty() {
        return Err(format!("/{at} needs a subcommand"));
    }
    for spec in declared {
        if spec["required"] == true && !given.iter().any(|o| o["name"] == spec["name"]) {
            return Err(format!(
                "/{at} requires option {}",
                spec["name"].as_str().unwrap_or_default()
            ));
        }
    }
    Ok(())
}

/// The type of the option a member is typing in an autocomplete invocation (interaction type 4):
/// exactly one option is `focused`, it was declared with `autocomplete: true`, and its partial
/// input arrives as a string whatever the option's type. The options already filled in are
/// checked as in [`check_invocation`]; required ones may still be missing. Discord:
/// interactions/application-commands.mdx, "Autocomplete".
pub(crate) fn check_autocomplete(command: &Value, options: &Value) -> Result<u64, String> {
    fn level(at: &str, declared: &Value, given: &[Value]) -> Result<Option<u64>, String> {
        let declared = declared.as_array().map(Vec::as_slice).unwrap_or_default();
        let mut focused = None;
        for option in given {
            let name = option["name"].as_str().unwrap_or_default();
            let spec = declared
                .iter()
                .find(|d| d["name"] == name)
                .ok_or_else(|| format!("/{at} has no option {name:?}"))?;
            if spec["type"] != option["type"] {
                return Err(format!(
                    "/{at} option {name:?} is declared with type {} but was given type {}",
                    spec["type"], option["type"]
                ));
            }
            let kind = spec["type"].as_u64().unwrap_or(0);
            let found = if kind == SUB_COMMAND || kind == SUB_COMMAND_GROUP {
                let nested = option["options"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                level(&format!("{at} {name}"), &spec["options"], nested)?
            } else if option["focused"] == true {
                if spec["autocomplete"] != true {
                    return Err(format!(
                        "/{at} option {name:?} was not declared with autocomplete"
                    ));
                }
                if !option["value"].is_string() {
                    return Err(format!(
                        "/{at} option {name:?}: a client sends what is typed as a string"
                    ));
                }
                Some(kind)
            } else {
                None
            };
            if let Some(kind) = found {
                if focused.replace(kind).is_some() {
                    return Err(format!("/{at}: more than one option is focused"));
                }
            }
        }
        Ok(focused)
    }
    let given = options.as_array().map(Vec::as_slice).unwrap_or_default();
    let at = command["name"].as_str().unwrap_or_default();
    level(at, &command["options"], given)?
        .ok_or_else(|| format!("/{at}: no option is focused (an autocomplete needs one)"))
}

/// Who runs a command, where, and how to read the guild, for [`resolved`].
pub(crate) struct Invocation<'a> {
    pub channels: &'a [Value],
    pub roles_of: &'a dyn Fn(u64) -> Option<Vec<u64>>,
    /// A member's permissions in a channel: `(user, channel)`.
    pub permissions_in: &'a dyn Fn(u64, u64) -> u64,
    pub user_id: u64,
    pub channel_id: u64,
}

/// `data.resolved` for the user, channel, role and mentionable options in `options`, looked
/// up in the guild; `None` when there are none. Resolved members carry their permissions in the
/// channel of the interaction, resolved channels the invoking member's permissions in them
/// (`interactions/receiving-and-responding.mdx`, "Resolved Data Structure").
pub(crate) fn resolved(world: &World, at: &Invocation<'_>, options: &Value) -> Option<Value> {
    let channels = at.channels;
    let roles_of = at.roles_of;
    let mut users = Map::new();
    let mut members = Map::new();
    let mut roles = Map::new();
    let mut resolved_channels = Map::new();
    let all_roles = payloads::roles(world);
    let mut add_user = |id: u64| {
        if let Some(member_roles) = roles_of(id) {
            users.insert(id.to_string(), payloads::user(world, id));
            let mut member = payloads::partial_member(&member_roles);
            member["permissions"] = json!((at.permissions_in)(id, at.channel_id).to_string());
            members.insert(id.to_string(), member);
            true
        } else {
            false
        }
    };
    for (kind, id) in option_ids(options) {
        match kind {
            6 => {
                add_user(id);
            }
            7 => {
                if let Some(c) = channels.iter().find(|c| payloads::id_of(c) == Some(id)) {
                    let mut partial = Map::new();
                    for key in ["id", "type", "name", "parent_id", "flags"] {
                        partial.insert(key.into(), c[key].clone());
                    }
                    partial.insert(
                        "permissions".into(),
                        json!((at.permissions_in)(at.user_id, id).to_string()),
                    );
                    resolved_channels.insert(id.to_string(), Value::Object(partial));
                }
            }
            8 | 9 => {
                if kind == 9 && add_user(id) {
                    continue;
                }
                if let Some(r) = all_roles.iter().find(|r| payloads::id_of(r) == Some(id)) {
                    roles.insert(id.to_string(), r.clone());
                }
            }
            _ => {}
        }
    }
    let mut resolved = Map::new();
    for (key, map) in [
        ("users", users),
        ("members", members),
        ("roles", roles),
        ("channels", resolved_channels),
    ] {
        if !map.is_empty() {
            resolved.insert(key.into(), Value::Object(map));
        }
    }
    (!resolved.is_empty()).then_some(Value::Object(resolved))
}

/// `(option type, id)` for every snowflake-valued option, nested ones included.
fn option_ids(options: &Value) -> Vec<(u64, u64)> {
    let mut ids = Vec::new();
    for option in options.as_array().map(Vec::as_slice).unwrap_or_default() {
        let kind = option["type"].as_u64().unwrap_or(0);
        match kind {
            SUB_COMMAND | SUB_COMMAND_GROUP => ids.extend(option_ids(&option["options"])),
            6..=9 => {
                let id = match &option["value"] {
                    Value::String(s) => s.parse().ok(),
                    Value::Number(n) => n.as_u64(),
                    _ => None,
                };
                if let Some(id) = id {
                    ids.push((kind, id));
                }
            }
            _ => {}
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uppercase_names_and_misordered_options_are_refused() {
        let problems = validate_registration(&[json!({
            "name": "Group", "description": "d", "type": 1,
            "options": [
                {"type": 3, "name": "a", "description": "d"},
                {"type": 3, "name": "b", "description": "d", "required": true},
            ],
        })]);
        let codes: Vec<&str> = problems.iter().map(|p| p.1.as_str()).collect();
        assert_eq!(
            codes,
            [
                "APPLICATION_COMMAND_INVALID_NAME",
                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID"
            ]
        );
    }

    #[test]
    fn invocations_must_match_the_declaration() {
        let command = json!({"name": "group", "options": [
            {"type": 1, "name": "propose", "description": "d", "options": [
                {"type": 3, "name": "kind", "description": "d", "required": true,
                 "choices": [{"name": "IG", "value": "IG"}, {"name": "WG", "value": "WG"}]},
                {"type": 3, "name": "name", "description": "d", "required": true},
            ]},
        ]});
        let propose = |options: Value| json!([{"type": 1, "name": "propose", "options": options}]);
        let kind = |value: &str| json!({"type": 3, "name": "kind", "value": value});
        let name = json!({"type": 3, "name": "name", "value": "Security"});
        let ok = propose(json!([kind("IG"), name]));
        assert_eq!(check_invocation(&command, &ok), Ok(()));
        let bad_choice = propose(json!([kind("XG"), name]));
        assert!(check_invocation(&command, &bad_choice).is_err());
        let missing = propose(json!([kind("IG")]));
        assert!(check_invocation(&command, &missing)
            .unwrap_err()
            .contains("requires option name"));
        assert!(check_invocation(&command, &json!([])).is_err());
    }
}
