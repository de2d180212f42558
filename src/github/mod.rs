//! Optional GitHub sync: reads the state and last update of a Working Group's tracked Issues, PRs
//! and SEPs from GitHub's REST API, so activity on GitHub keeps the WG alive.
//!
//! [`item`] turns an [`ItemRef`](crate::governance::ItemRef) into the repository and number
//! GitHub knows it by; [`client`] asks GitHub about it, within GitHub's rate limits; [`standin`]
//! is a local GitHub on 127.0.0.1 for tests, so that nothing here ever needs the network to be
//! checked. [`to_activity`] is what the governance side needs from an answer.
//!
//! ```no_run
//! # async fn demo() -> Result<(), govbot::github::GitHubError> {
//! use govbot::github::{parse_item, GitHubClient, Token, DEFAULT_API_BASE};
//! use govbot::governance::ItemRef;
//!
//! let client = GitHubClient::new(DEFAULT_API_BASE, Some(Token::new("ghp_…".into())))?;
//! let sep_repo = Some(("modelcontextprotocol", "modelcontextprotocol"));
//! if let Some(item) = parse_item(&ItemRef::Sep(1686), sep_repo) {
//!     let status = client.fetch(&item, chrono::Utc::now()).await?;
//!     let (last_activity, completed) = govbot::github::to_activity(&status);
//! }
//! # Ok(()) }
//! ```

pub mod client;
pub mod item;
pub mod standin;
pub mod sync;

pub use client::{
    GitHubClient, GitHubError, ItemState, ItemStatus, RateLimit, Token, DEFAULT_API_BASE, TOKEN_VAR,
};
pub use item::{parse_item, GitHubItem, ItemKind};

use chrono::{DateTime, Utc};

/// What an item's status means for its WG: when it last moved, and whether it is done (closed or
/// merged). A closed item's last activity is its `updated_at`, which is never before it closed.
pub fn to_activity(status: &ItemStatus) -> (DateTime<Utc>, bool) {
    let completed = matches!(status.state, ItemState::Closed | ItemState::Merged);
    (status.updated_at, completed)
}
