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

use crate::discord::data::{Data, Error};

/// Every command govbot registers in the guild.
pub(crate) fn all() -> Vec<poise::Command<Data, Error>> {
    vec![group::group(), items::wg(), group::ping()]
}
