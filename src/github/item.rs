//! From a tracked item's reference to the repository and number GitHub knows it by.

use crate::governance::ItemRef;
use std::fmt;

/// Whether a GitHub item is an Issue or a Pull Request. They share one number space per
/// repository, and GitHub's issues endpoint answers for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Issue,
    Pull,
}

/// An Issue or PR on GitHub: `owner/repo#number`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GitHubItem {
    pub owner: String,
    pub repo: String,
    pub number: u64,
    /// What the reference says it is. A SEP is written as a number alone, so it says
    /// [`ItemKind::Issue`]; [`ItemStatus::kind`](super::ItemStatus::kind) tells what GitHub says.
    pub kind: ItemKind,
}

impl fmt::Display for GitHubItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}#{}", self.owner, self.repo, self.number)
    }
}

/// The GitHub item behind a reference, or `None` when it names none.
///
/// URLs are `https://github.com/OWNER/REPO/issues/N` or `…/pull/N`, as pasted from a browser:
/// a trailing slash, a `?query`, a `#fragment` and anything after the number (`/files`,
/// `/commits/…`) are ignored. `SEP-n` is Issue or PR `n` of `sep_repo` (owner, repository), and
/// names nothing when no SEP repository is configured. Owners and repositories are checked to be
/// names GitHub allows, so nothing from a user's text can reach another API path.
pub fn parse_item(item: &ItemRef, sep_repo: Option<(&str, &str)>) -> Option<GitHubItem> {
    match item {
        ItemRef::Sep(n) => {
            let (owner, repo) = sep_repo?;
            if !is_name(owner) || !is_name(repo) || *n == 0 {
                return None;
            }
            Some(GitHubItem {
                owner: owner.to_string(),
                repo: repo.to_string(),
                number: u64::from(*n),
                kind: ItemKind::Issue,
            })
        }
        ItemRef::Url(url) => parse_url(url),
    }
}

fn parse_url(text: &str) -> Option<GitHubItem> {
    let url = reqwest::Url::parse(text.trim()).ok()?;
    if !matches!(url.scheme(), "https" | "http") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    if host != "github.com" && host != "www.github.com" {
        return None;
    }
    let mut segments = url.path_segments()?;
    let owner = segments.next()?;
    let repo = segments.next()?;
    let kind = match segments.next()? {
        "issues" => ItemKind::Issue,
        "pull" | "pulls" => ItemKind::Pull,
        _ => return None,
    };
    let number = segments.next()?;
    if !is_name(owner) || !is_name(repo) {
        return None;
    }
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: u64 = number.parse().ok()?;
    if number == 0 {
        return None;
    }
    Some(GitHubItem {
        owner: owner.to_string(),
        repo: repo.to_string(),
        number,
        kind,
    })
}

/// A user, organisation or repository name as GitHub allows them: letters, digits, `-`, `_`,
/// `.`, and not `.` or `..`.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}
