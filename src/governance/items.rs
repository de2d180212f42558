//! A WG's tracked items: the Issues, PRs, Discussions and SEPs whose activity keeps the WG alive,
//! and which references govbot can follow at all.
//!
//! govbot follows what it can read from GitHub: `https://github.com/OWNER/REPO/issues/N`,
//! `…/pull/N`, `…/discussions/N` and `SEP-n`. Anything else (a Google Doc, a project board, a
//! search, a PR's `.diff`) is refused at intake with a reason, unless the proposer writes it as
//! `manual: …`: a manual item, whose activity people record with `/wg item touch`. Accepting a
//! reference govbot can never read would let the WG's inactivity clock run however busy it is.

use super::ids::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A reference to an Issue, PR, Discussion or SEP (`Url`, `Sep`), or to anything else that people
/// keep up to date by hand (`Manual`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum ItemRef {
    Url(String),
    Sep(u32),
    Manual(String),
}

/// What a GitHub URL points at. Issues and PRs share one number space per repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GitHubKind {
    Issue,
    Pull,
    Discussion,
}

/// An Issue, PR or Discussion on GitHub: `owner/repo#number`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GitHubRef {
    pub owner: String,
    pub repo: String,
    pub number: u64,
    pub kind: GitHubKind,
}

impl GitHubRef {
    /// The address a browser shows for it, which is also how govbot stores it.
    pub fn url(&self) -> String {
        let section = match self.kind {
            GitHubKind::Issue => "issues",
            GitHubKind::Pull => "pull",
            GitHubKind::Discussion => "discussions",
        };
        format!(
            "https://github.com/{}/{}/{section}/{}",
            self.owner, self.repo, self.number
        )
    }
}

impl fmt::Display for GitHubRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}#{}", self.owner, self.repo, self.number)
    }
}

/// Why a reference found in text cannot be tracked, written for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text} {why}; {fix}")]
pub struct Unfollowable {
    pub text: String,
    pub why: String,
    pub fix: String,
}

const MANUAL_FIX: &str = "link one Issue, PR or Discussion on github.com, write SEP-123, or write \
     `manual: <link>` to track it by hand (its activity is then recorded with /wg item touch)";

/// The longest reference kept; longer is not a link anyone pasted.
const MAX_REF_CHARS: usize = 512;

impl ItemRef {
    /// The first URL or `SEP-n` in free text, so `"SEP-1686: Tasks"` and a pasted link both work.
    /// What it names may still be [`Unfollowable`]; [`ItemRef::all_in`] says.
    pub fn find_in(text: &str) -> Option<ItemRef> {
        words(text).find_map(|w| raw_reference(w).map(|(r, _)| r))
    }

    /// Every reference in `text`, in order and without repeats, each checked: a GitHub URL is
    /// stored in its plain form (`…/issues/7`, whatever followed the number), so the same item
    /// pasted twice is one item. A text that starts with `manual:` is one manual item.
    pub fn all_in(text: &str) -> Vec<Result<ItemRef, Unfollowable>> {
        let trimmed = text.trim();
        if let Some(rest) = strip_prefix_ignore_case(trimmed, "manual:") {
            let rest = rest.trim();
            if rest.is_empty() {
                return vec![Err(Unfollowable {
                    text: "manual:".into(),
                    why: "names nothing".into(),
                    fix:
                        "write what the item is after it, e.g. `manual: https://docs.example/plan`"
                            .into(),
                })];
            }
            let kept: String = rest.chars().take(MAX_REF_CHARS).collect();
            return vec![Ok(ItemRef::Manual(kept))];
        }
        let mut found: Vec<Result<ItemRef, Unfollowable>> = Vec::new();
        for word in words(text) {
            let Some((reference, is_url)) = raw_reference(word) else {
                continue;
            };
            let checked = if is_url {
                reference.followable()
            } else {
                Ok(reference)
            };
            if !found.contains(&checked) {
                found.push(checked);
            }
        }
        found
    }

    /// The reference as govbot stores it, or why govbot cannot follow it.
    pub fn followable(&self) -> Result<ItemRef, Unfollowable> {
        match self {
            ItemRef::Sep(0) => Err(Unfollowable {
                text: "SEP-0".into(),
                why: "is not a SEP number".into(),
                fix: MANUAL_FIX.into(),
            }),
            ItemRef::Sep(_) | ItemRef::Manual(_) => Ok(self.clone()),
            ItemRef::Url(url) => classify_url(url).map(|r| ItemRef::Url(r.url())),
        }
    }

    /// The GitHub item a URL reference names (`None` for SEPs, manual items and anything else).
    pub fn github(&self) -> Option<GitHubRef> {
        match self {
            ItemRef::Url(url) => classify_url(url).ok(),
            ItemRef::Sep(_) | ItemRef::Manual(_) => None,
        }
    }

    pub fn is_manual(&self) -> bool {
        matches!(self, ItemRef::Manual(_))
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '[' | ']'))
        .map(|w| w.trim_end_matches(['.', ',', ';', ':', '!', '?']))
        .filter(|w| !w.is_empty())
}

/// A URL or `SEP-n` written in one word, and whether it is a URL.
fn raw_reference(word: &str) -> Option<(ItemRef, bool)> {
    if (word.starts_with("https://") || word.starts_with("http://"))
        && word.len() > "https://x".len()
        && word.chars().count() <= MAX_REF_CHARS
    {
        return Some((ItemRef::Url(word.to_string()), true));
    }
    let upper = word.to_ascii_uppercase();
    let n = upper
        .strip_prefix("SEP-")
        .or_else(|| upper.strip_prefix("SEP#"))?;
    n.parse::<u32>().ok().map(|n| (ItemRef::Sep(n), false))
}

/// A user, organisation or repository name as GitHub allows them: letters, digits, `-`, `_`,
/// `.`, and not `.` or `..`. Nothing else from a user's text can reach an API path.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `https://github.com/OWNER/REPO/{issues,pull,discussions}/N[/…][?…][#…]`, or why not.
fn classify_url(text: &str) -> Result<GitHubRef, Unfollowable> {
    let refuse = |why: &str| Unfollowable {
        text: text.to_string(),
        why: why.to_string(),
        fix: MANUAL_FIX.to_string(),
    };
    let rest = text
        .trim()
        .strip_prefix("https://")
        .or_else(|| text.trim().strip_prefix("http://"))
        .ok_or_else(|| refuse("is not a web link"))?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.to_ascii_lowercase();
    if host != "github.com" && host != "www.github.com" {
        return Err(refuse(
            "is not on github.com, so govbot cannot read its activity",
        ));
    }
    let path_only = path.split(['?', '#']).next().unwrap_or("");
    let query = path.len() > path_only.len() && path[path_only.len()..].starts_with('?');
    let mut segments = path_only.split('/');
    let (owner, repo) = (segments.next().unwrap_or(""), segments.next().unwrap_or(""));
    let section = segments.next().unwrap_or("");
    let number = segments.next().unwrap_or("");
    let kind = match section {
        "issues" | "issue" => GitHubKind::Issue,
        "pull" | "pulls" => GitHubKind::Pull,
        "discussions" => GitHubKind::Discussion,
        "projects" => return Err(refuse("is a project board, not one Issue or PR")),
        "" => return Err(refuse("is a repository or an account, not one Issue or PR")),
        _ => return Err(refuse("is not an Issue, PR or Discussion")),
    };
    if !is_name(owner) || !is_name(repo) {
        return Err(refuse("does not name a GitHub repository"));
    }
    if number.is_empty() {
        let what = if query { "is a search" } else { "is a list" };
        return Err(refuse(&format!("{what}, not one Issue or PR")));
    }
    if number.ends_with(".diff") || number.ends_with(".patch") {
        let plain = format!(
            "https://github.com/{owner}/{repo}/{section}/{}",
            number.split('.').next().unwrap_or("")
        );
        return Err(Unfollowable {
            text: text.to_string(),
            why: "is a diff or patch of a PR, not the PR".into(),
            fix: format!("link the PR itself: {plain}"),
        });
    }
    match number.parse::<u64>() {
        Ok(n) if n > 0 && number.bytes().all(|b| b.is_ascii_digit()) => Ok(GitHubRef {
            owner: owner.to_string(),
            repo: repo.to_string(),
            number: n,
            kind,
        }),
        _ => Err(refuse("does not end in an Issue, PR or Discussion number")),
    }
}

impl fmt::Display for ItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ItemRef::Url(u) => f.write_str(u),
            ItemRef::Sep(n) => write!(f, "SEP-{n}"),
            ItemRef::Manual(text) => write!(f, "manual: {text}"),
        }
    }
}

/// How an item came to be completed, as GitHub says it (or a person did), so that moderators see
/// what "all items completed" means before a WG retires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    Completed,
    NotPlanned,
    Duplicate,
    Merged,
    ClosedUnmerged,
    /// A Discussion marked answered or resolved.
    Resolved,
    /// A Discussion closed as outdated.
    Outdated,
    /// A person marked it done (`/wg item done`).
    ByHand,
}

impl CloseReason {
    /// Whether the item's goal was reached, as opposed to given up.
    pub fn is_done(self) -> bool {
        matches!(
            self,
            CloseReason::Completed
                | CloseReason::Merged
                | CloseReason::Resolved
                | CloseReason::ByHand
        )
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CloseReason::Completed => "closed as completed",
            CloseReason::NotPlanned => "closed as not planned",
            CloseReason::Duplicate => "closed as a duplicate",
            CloseReason::Merged => "merged",
            CloseReason::ClosedUnmerged => "closed without being merged",
            CloseReason::Resolved => "resolved",
            CloseReason::Outdated => "closed as outdated",
            CloseReason::ByHand => "marked done by a person",
        })
    }
}

/// Why govbot could not read an item, and since when: while any item is unreadable, the WG's
/// inactivity clock does not make it a candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreadable {
    pub since: Timestamp,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackedItem {
    pub item: ItemRef,
    pub added_at: Timestamp,
    pub last_activity: Timestamp,
    pub completed_at: Option<Timestamp>,
    /// How it was completed; `None` for items completed before govbot kept the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_reason: Option<CloseReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<Unreadable>,
}

impl TrackedItem {
    pub fn new(item: ItemRef, at: Timestamp) -> TrackedItem {
        TrackedItem {
            item,
            added_at: at,
            last_activity: at,
            completed_at: None,
            close_reason: None,
            unreadable: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found_the_way_people_write_them() {
        let cases = [
            ("SEP-1686: Tasks", Some(ItemRef::Sep(1686))),
            ("sep-12", Some(ItemRef::Sep(12))),
            (
                "see <https://github.com/org/repo/issues/7>.",
                Some(ItemRef::Url("https://github.com/org/repo/issues/7".into())),
            ),
            ("we will write a SEP", None),
            ("SEP-x", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(ItemRef::find_in(text), want, "{text}");
        }
    }

    #[test]
    fn only_what_govbot_can_read_is_followable() {
        let ok = |text: &str, want: &str| {
            assert_eq!(
                ItemRef::all_in(text),
                vec![Ok(ItemRef::Url(want.into()))],
                "{text}"
            );
        };
        ok(
            "https://github.com/org/repo/issues/7#issuecomment-1",
            "https://github.com/org/repo/issues/7",
        );
        ok(
            "https://github.com/org/repo/pull/12/files",
            "https://github.com/org/repo/pull/12",
        );
        ok(
            "https://github.com/org/repo/discussions/3",
            "https://github.com/org/repo/discussions/3",
        );
        let refused = [
            (
                "https://docs.google.com/document/d/abc",
                "not on github.com",
            ),
            ("https://github.com/org/repo/pull/5.diff", "diff or patch"),
            ("https://github.com/org/repo/pull/5.patch", "diff or patch"),
            ("https://github.com/org/repo/issues?q=is%3Aopen", "a search"),
            ("https://github.com/orgs/org/projects/4", "project board"),
            ("https://github.com/org/repo", "repository or an account"),
            ("https://github.com/org/repo/wiki/Plan", "not an Issue, PR"),
        ];
        for (text, why) in refused {
            let found = ItemRef::all_in(text);
            match found.as_slice() {
                [Err(e)] => assert!(e.to_string().contains(why), "{text}: {e}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn every_reference_in_a_text_is_found_once() {
        let text = "SEP-12, then https://github.com/o/r/pull/3 and again \
                    https://github.com/o/r/pull/3/files, plus https://example.org/x";
        let found = ItemRef::all_in(text);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0], Ok(ItemRef::Sep(12)));
        assert_eq!(
            found[1],
            Ok(ItemRef::Url("https://github.com/o/r/pull/3".into()))
        );
        assert!(found[2].is_err());
    }

    #[test]
    fn a_manual_item_is_taken_as_written() {
        assert_eq!(
            ItemRef::all_in("Manual: https://docs.google.com/document/d/abc"),
            vec![Ok(ItemRef::Manual(
                "https://docs.google.com/document/d/abc".into()
            ))]
        );
        assert!(ItemRef::all_in("manual:  ")[0].is_err());
    }
}
