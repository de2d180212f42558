//! Optional GitHub sync: reads the state and latest activity of a Working Group's tracked Issues,
//! PRs, Discussions and SEPs from GitHub, so work on GitHub keeps the WG alive.
//!
//! [`item`] turns an [`ItemRef`](crate::governance::ItemRef) into the repository and number
//! GitHub knows it by; [`client`] asks GitHub about it (REST, or [`graphql`] in batches when a
//! token is set), within GitHub's rate limits; [`sync`] decides what to ask each interval and
//! what the answers mean; the `github-standin` crate is a local GitHub on 127.0.0.1 for tests, so that nothing
//! here ever needs the network to be checked. [`to_activity`] is what the governance side needs
//! from an answer.
//!
//! ```no_run
//! # async fn demo() -> Result<(), govbot::github::GitHubError> {
//! use govbot::github::{parse_item, GitHubClient, Token, DEFAULT_API_BASE};
//! use govbot::governance::ItemRef;
//!
//! let client = GitHubClient::new(DEFAULT_API_BASE, Some(Token::new("ghp_…".into())))?;
//! let sep_repo = Some(("modelcontextprotocol", "modelcontextprotocol"));
//! if let Some(item) = parse_item(&ItemRef::Sep(1686), sep_repo) {
//!     if let govbot::github::Fetched::Changed { status, etag } =
//!         client.fetch(&item, None, chrono::Utc::now()).await?
//!     {
//!         let (last_activity, closed) = govbot::github::to_activity(&status);
//!     }
//! }
//! # Ok(()) }
//! ```

pub mod client;
pub mod graphql;
pub mod item;

pub mod sync;

pub use crate::governance::{GitHubKind as ItemKind, GitHubRef as GitHubItem};
pub use client::{
    github_token, Fetched, GitHubClient, GitHubError, ItemState, ItemStatus, RateLimit, Resource,
    Token, DEFAULT_API_BASE, TOKEN_VAR,
};
pub use item::parse_item;

use crate::governance::CloseReason;
use chrono::{DateTime, Utc};

/// What an item's status means for its WG: when it last moved (if GitHub said), and how it
/// closed, if it did.
pub fn to_activity(status: &ItemStatus) -> (Option<DateTime<Utc>>, Option<CloseReason>) {
    let closed = match status.state {
        ItemState::Open => None,
        ItemState::Closed(reason) => Some(reason),
    };
    (status.activity, closed)
}
