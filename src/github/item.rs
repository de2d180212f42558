//! From a tracked item's reference to the repository and number GitHub knows it by.

use crate::governance::{GitHubKind, GitHubRef, ItemRef};

/// The GitHub item behind a reference, or `None` when it names none govbot can read.
///
/// URLs are `https://github.com/OWNER/REPO/issues/N`, `…/pull/N` or `…/discussions/N`, as pasted
/// from a browser (see [`ItemRef::github`]). `SEP-n` is Issue or PR `n` of `sep_repo` (owner,
/// repository), and names nothing when no SEP repository is configured. Owners and repositories
/// are checked to be names GitHub allows, so nothing from a user's text can reach another API path.
pub fn parse_item(item: &ItemRef, sep_repo: Option<(&str, &str)>) -> Option<GitHubRef> {
    match item {
        ItemRef::Sep(n) => {
            let (owner, repo) = sep_repo?;
            let probe = ItemRef::Url(format!("https://github.com/{owner}/{repo}/issues/{n}"));
            let found = probe.github()?;
            (found.owner == owner && found.repo == repo).then_some(GitHubRef {
                kind: GitHubKind::Issue,
                ..found
            })
        }
        ItemRef::Url(_) => item.github(),
        ItemRef::Manual(_) => None,
    }
}
