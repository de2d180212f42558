//! Who is acting, and which governance roles they hold.
//!
//! Every member may propose; the roles below grant the rest. A group's facilitators and
//! maintainers are not roles here: they are read from the group itself.

use super::ids::MemberId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Community moderator: calls votes, votes, retires, keeps candidates, starts reversals.
    Moderator,
    /// Core maintainer: vetoes and retires.
    CoreMaintainer,
    /// Lead maintainer: vetoes, retires and lifts vetoes.
    LeadMaintainer,
    /// Member of the MCP steering group: the only people who may be a group's maintainer.
    SteeringGroup,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Moderator => "community moderator",
            Role::CoreMaintainer => "core maintainer",
            Role::LeadMaintainer => "lead maintainer",
            Role::SteeringGroup => "steering group member",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The author of a command: a member with their roles at the moment they act, or govbot itself
/// acting on a schedule (closing a vote at its deadline, flagging an inactive WG).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Actor {
    Member { id: MemberId, roles: BTreeSet<Role> },
    System,
}

impl Actor {
    pub fn member(id: MemberId, roles: impl IntoIterator<Item = Role>) -> Self {
        Actor::Member {
            id,
            roles: roles.into_iter().collect(),
        }
    }

    pub fn id(&self) -> Option<MemberId> {
        match self {
            Actor::Member { id, .. } => Some(*id),
            Actor::System => None,
        }
    }

    pub fn has(&self, role: Role) -> bool {
        matches!(self, Actor::Member { roles, .. } if roles.contains(&role))
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Member { id, .. } => write!(f, "{id}"),
            Actor::System => f.write_str("govbot"),
        }
    }
}
