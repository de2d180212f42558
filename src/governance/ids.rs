//! Identifiers and time as the core sees them: plain numbers and UTC instants, no Discord types.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An instant in UTC. The core never reads the clock; callers pass this in.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// A community member, identified by a stable number (a Discord user id in the bot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MemberId(pub u64);

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "member {}", self.0)
    }
}
