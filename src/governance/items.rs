//! A WG's tracked items: the Issues, PRs and SEPs whose activity keeps the WG alive.

use super::ids::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A reference to an Issue, PR or SEP: a URL, or `SEP-n`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum ItemRef {
    Url(String),
    Sep(u32),
}

impl ItemRef {
    /// The first URL or `SEP-n` in free text, so `"SEP-1686: Tasks"` and a pasted link both work.
    pub fn find_in(text: &str) -> Option<ItemRef> {
        for word in text.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')')) {
            let word = word.trim_end_matches(['.', ',', ';', ':']);
            if (word.starts_with("https://") || word.starts_with("http://"))
                && word.len() > "https://x".len()
                && word.len() <= 512
            {
                return Some(ItemRef::Url(word.to_string()));
            }
            let upper = word.to_ascii_uppercase();
            if let Some(n) = upper
                .strip_prefix("SEP-")
                .or_else(|| upper.strip_prefix("SEP#"))
            {
                if let Ok(n) = n.parse::<u32>() {
                    return Some(ItemRef::Sep(n));
                }
            }
        }
        None
    }
}

impl fmt::Display for ItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ItemRef::Url(u) => f.write_str(u),
            ItemRef::Sep(n) => write!(f, "SEP-{n}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackedItem {
    pub item: ItemRef,
    pub added_at: Timestamp,
    pub last_activity: Timestamp,
    pub completed_at: Option<Timestamp>,
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
}
