//! The slash commands, one file per family of what people do: proposing and looking up groups
//! (`group`), the decisions moderators and maintainers take (`decisions`), running a group
//! (`group_life`), its facilitators and maintainers (`stewardship`) and a WG's items (`items`).
//! Each command's `///` comment is its description in Discord; the shared acknowledge-act-answer
//! steps are in `preamble`.

mod decisions;
mod group;
mod group_life;
mod items;
pub(crate) mod preamble;
mod stewardship;

use crate::discord::data::{Context, Data, Error};
use decisions::{call_vote, lift_veto, reverse, sponsor, veto};
use group_life::retire;
use items::maintenance;
use stewardship::{facilitator, maintainer};

/// Every command govbot registers in the guild.
pub(crate) fn all() -> Vec<poise::Command<Data, Error>> {
    vec![group::group(), govern(), items::wg(), group::ping()]
}

/// Decide on groups: votes, vetoes, reversals, retirement, facilitators and maintainers.
///
/// Only some roles may (the core checks every time, whatever Discord shows). So that members do
/// not see commands they cannot use, Discord shows `/govern` by default only to members with
/// Manage Messages; server admins add the moderator, core and lead maintainer roles under
/// Server Settings → Integrations (docs/operating.md).
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_MESSAGES",
    subcommands(
        "call_vote",
        "veto",
        "lift_veto",
        "reverse",
        "sponsor",
        "retire",
        "facilitator",
        "maintainer",
        "maintenance"
    ),
    subcommand_required
)]
pub async fn govern(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}
