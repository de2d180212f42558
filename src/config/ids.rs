//! Discord ids in the configuration: each must be one Discord could have issued, must not be one
//! of the example file's placeholders, and the ids the rules need apart must be apart.
//!
//! A Discord id is a snowflake: a 64-bit integer whose top 42 bits count milliseconds since
//! Discord's epoch, 2015-01-01. The smallest 17-digit number, 10^16, dates from 2015-01-28, and
//! Discord opened in May 2015, so an id of 16 digits or fewer names nothing: it is a typo, a
//! truncated paste or a made-up number. Real ids today have 17 to 20 digits (a `u64` has at most
//! 20). Ids can be written as TOML integers or as strings of digits, since people paste "Copy ID"
//! either way.

use super::reader::{Reader, Spanned};
use super::report::hint;
use toml_edit::Value;

/// 10^16: anything smaller would be older than Discord (see the module docs).
const SMALLEST: u64 = 10_000_000_000_000_000;

/// The ids `config.example.toml` ships with. They are plausible snowflakes, so only this list
/// tells a copied example that was never filled in from a real server. `tests/it/config.rs` checks
/// that every id in the example is refused, so the list follows the file.
const PLACEHOLDERS: [u64; 12] = [
    111_111_111_111_111_111,
    222_222_222_222_222_222,
    333_333_333_333_333_333,
    444_444_444_444_444_444,
    555_555_555_555_555_555,
    666_666_666_666_666_666,
    777_777_777_777_777_777,
    888_888_888_888_888_888,
    999_999_999_999_999_999,
    121_212_121_212_121_212,
    131_313_131_313_131_313,
    141_414_141_414_141_414,
];

/// What an id names, to say where to copy it from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Names {
    Server,
    Channel,
    Category,
    Role,
}

impl Names {
    fn noun(self) -> &'static str {
        match self {
            Names::Server => "server",
            Names::Channel => "channel",
            Names::Category => "category",
            Names::Role => "role (Server Settings > Roles)",
        }
    }

    /// How to get the real id, for every message about one.
    pub fn copy_id(self) -> String {
        format!(
            "turn on Developer Mode (User Settings > Advanced), then right-click the {} and choose \
             Copy ID",
            self.noun()
        )
    }
}

/// Reads a Discord id naming a `names`.
pub(super) fn id(names: Names) -> impl FnOnce(&Value) -> Result<u64, String> {
    move |value| {
        let number = match value {
            Value::Integer(i) => u64::try_from(*i.value()).ok(),
            Value::String(s) => {
                let s = s.value();
                let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
                match s.parse::<u64>() {
                    Ok(n) if digits => Some(n),
                    Err(_) if digits => {
                        return Err(format!(
                            "{} is too large to be a Discord id (a 64-bit number); {}",
                            hint(value),
                            names.copy_id()
                        ))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        let Some(number) = number else {
            return Err(format!(
                "{} is not a Discord id, which is a number such as 1234567890123456789 (quotes \
                 optional); {}",
                hint(value),
                names.copy_id()
            ));
        };
        if number < SMALLEST {
            return Err(format!(
                "{} is too short to be a Discord id: ids are snowflakes of 17 to 20 digits, whose \
                 top bits are their creation time, and a shorter number would be older than \
                 Discord itself; {}",
                hint(value),
                names.copy_id()
            ));
        }
        if PLACEHOLDERS.contains(&number) {
            return Err(format!(
                "is a placeholder from config.example.toml; replace it with your server's real \
                 id: {}",
                names.copy_id()
            ));
        }
        Ok(number)
    }
}

/// An id as read, with its dotted key.
pub(super) type Named = (String, Spanned<u64>);

/// The rules that need ids apart. Each refusal points at the later key and names the earlier.
///
/// - The six channels and categories are six places, and none is the server itself.
/// - No role is the server's id: that is `@everyone`, which every member holds.
/// - The facilitator role is none of the others: govbot gives it to facilitators and takes it
///   back when they stop, so sharing it would hand out, and then remove, moderator or maintainer
///   powers.
/// - The moderator role is neither maintainer role: moderators vote on a proposal, and any one
///   core or lead maintainer can veto it (spec: "Core and lead maintainers can veto"). With one
///   role, every voter could stop the vote alone, and the majority rule would mean nothing.
/// - Allowed to coincide: the core and lead maintainer roles (the spec names them together for
///   vetoes and retirement; only lifting a veto, govbot's addition, is the lead's alone) and the
///   steering group with either (the steering group is made of maintainers).
/// - A channel's id is never a role's: a snowflake names one thing, so that is a paste in the
///   wrong key.
pub(super) fn check_apart(r: &mut Reader, guild: Option<u64>, channels: &[Named], roles: &[Named]) {
    for (i, (key, id)) in channels.iter().enumerate() {
        if Some(id.value) == guild {
            r.error(
                key,
                Some(id.at),
                format!(
                    "is the server's own id (guild_id), not a channel's; {}",
                    Names::Channel.copy_id()
                ),
            );
        } else if let Some((first, _)) = channels[..i].iter().find(|(_, o)| o.value == id.value) {
            r.error(
                key,
                Some(id.at),
                format!(
                    "is the same id as {first}; the three channels and three categories are six \
                     different places, each with its own id"
                ),
            );
        }
    }
    for (key, id) in roles {
        if Some(id.value) == guild {
            r.error(
                key,
                Some(id.at),
                "is the server's own id, which is the @everyone role that every member holds; \
                 use a role that only the right people hold"
                    .to_owned(),
            );
        }
        if let Some((channel, _)) = channels.iter().find(|(_, c)| c.value == id.value) {
            r.error(
                key,
                Some(id.at),
                format!(
                    "is the id of {channel}, not of a role; {}",
                    Names::Role.copy_id()
                ),
            );
        }
    }
    let role = |name: &str| roles.iter().find(|(k, _)| k == &format!("roles.{name}"));
    let same = |a: &Named, b: &Named| a.1.value == b.1.value;
    if let Some(facilitator) = role("facilitator") {
        for other in [
            "moderator",
            "core_maintainer",
            "lead_maintainer",
            "steering_group",
        ] {
            if let Some(o) = role(other).filter(|o| same(o, facilitator)) {
                r.error(
                    &facilitator.0,
                    Some(facilitator.1.at),
                    format!(
                        "is the same role as {}: govbot gives the facilitator role to facilitators \
                         and takes it back when they stop, which would hand out and remove that \
                         role's powers; create a separate role for facilitators, or leave \
                         roles.facilitator out",
                        o.0
                    ),
                );
            }
        }
    }
    if let Some(moderator) = role("moderator") {
        for other in ["core_maintainer", "lead_maintainer"] {
            if let Some(o) = role(other).filter(|o| same(o, moderator)) {
                r.error(
                    &o.0,
                    Some(o.1.at),
                    "is the same role as roles.moderator: moderators vote on proposals and any \
                     one core or lead maintainer can veto them, so with one role every voter \
                     could stop a vote alone; use the maintainers' own role"
                        .to_owned(),
                );
            }
        }
    }
}
