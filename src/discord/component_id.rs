//! Every custom id govbot puts on a button or a form, in one type: how it is written and read.
//!
//! A custom id is the only state a button or form carries through a restart, so it names all a
//! click needs: the group, and for a ballot the vote (its opening instant) and the choice, so a
//! click on an earlier vote's button can never count in a later vote. The `gov1:` prefix versions
//! the format; ids this version does not know are ignored, not guessed at. Discord allows 100
//! characters; the longest id here is under 60.

use crate::governance::{Choice, Timestamp};
use crate::store::GroupId;
use std::fmt;

/// A button or form of govbot's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentId {
    /// The moderators' "Call a vote" button on a proposal.
    CallVote(GroupId),
    /// A ballot button. `vote` is the vote's opening instant; `None` on buttons posted before ids
    /// named the vote, which are bound to the vote whose message they are on.
    Ballot {
        group: GroupId,
        vote: Option<Timestamp>,
        choice: Choice,
    },
    /// The Retire and Keep buttons on a retirement candidacy.
    Retire(GroupId),
    Keep(GroupId),
    /// The forms that ask for the reason of a Retire or a Keep.
    RetireReason(GroupId),
    KeepReason(GroupId),
    /// The proposal form, for a saved draft.
    Propose {
        draft: i64,
    },
}

const PREFIX: &str = "gov1:";

impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PREFIX)?;
        match self {
            ComponentId::CallVote(g) => write!(f, "call-vote:{g}"),
            ComponentId::Ballot {
                group,
                vote: Some(at),
                choice,
            } => write!(f, "ballot:{group}:{}:{choice}", at.timestamp_millis()),
            ComponentId::Ballot {
                group,
                vote: None,
                choice,
            } => write!(f, "ballot:{group}:{choice}"),
            ComponentId::Retire(g) => write!(f, "retire:{g}"),
            ComponentId::Keep(g) => write!(f, "keep:{g}"),
            ComponentId::RetireReason(g) => write!(f, "retire-reason:{g}"),
            ComponentId::KeepReason(g) => write!(f, "keep-reason:{g}"),
            ComponentId::Propose { draft } => write!(f, "propose:{draft}"),
        }
    }
}

impl ComponentId {
    /// The component `custom_id` names, or `None` for anything govbot did not write.
    pub fn parse(custom_id: &str) -> Option<ComponentId> {
        let rest = custom_id.strip_prefix(PREFIX)?;
        let (kind, rest) = rest.split_once(':')?;
        let group = || rest.parse::<GroupId>().ok();
        Some(match kind {
            "call-vote" => ComponentId::CallVote(group()?),
            "retire" => ComponentId::Retire(group()?),
            "keep" => ComponentId::Keep(group()?),
            "retire-reason" => ComponentId::RetireReason(group()?),
            "keep-reason" => ComponentId::KeepReason(group()?),
            "propose" => ComponentId::Propose {
                draft: rest.parse().ok()?,
            },
            "ballot" => {
                let mut parts = rest.split(':');
                let group = parts.next()?.parse().ok()?;
                let (vote, choice) = match (parts.next()?, parts.next(), parts.next()) {
                    (choice, None, _) => (None, choice),
                    (ms, Some(choice), None) => (
                        Some(chrono::DateTime::from_timestamp_millis(ms.parse().ok()?)?),
                        choice,
                    ),
                    _ => return None,
                };
                let choice = match choice {
                    "yes" => Choice::Yes,
                    "no" => Choice::No,
                    "abstain" => Choice::Abstain,
                    _ => return None,
                };
                ComponentId::Ballot {
                    group,
                    vote,
                    choice,
                }
            }
            _ => return None,
        })
    }

    /// The group the component acts on, if it names one.
    pub fn group(&self) -> Option<GroupId> {
        match self {
            ComponentId::CallVote(g)
            | ComponentId::Retire(g)
            | ComponentId::Keep(g)
            | ComponentId::RetireReason(g)
            | ComponentId::KeepReason(g)
            | ComponentId::Ballot { group: g, .. } => Some(*g),
            ComponentId::Propose { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_id() -> impl Strategy<Value = ComponentId> {
        let group = (1i64..i64::MAX).prop_map(GroupId);
        let choice = prop_oneof![Just(Choice::Yes), Just(Choice::No), Just(Choice::Abstain)];
        let vote = proptest::option::of(
            (0i64..4_102_444_800_000)
                .prop_map(|ms| chrono::DateTime::from_timestamp_millis(ms).unwrap()),
        );
        prop_oneof![
            group.clone().prop_map(ComponentId::CallVote),
            (group.clone(), vote, choice).prop_map(|(group, vote, choice)| ComponentId::Ballot {
                group,
                vote,
                choice
            }),
            group.clone().prop_map(ComponentId::Retire),
            group.clone().prop_map(ComponentId::Keep),
            group.clone().prop_map(ComponentId::RetireReason),
            group.prop_map(ComponentId::KeepReason),
            (1i64..i64::MAX).prop_map(|draft| ComponentId::Propose { draft }),
        ]
    }

    proptest! {
        #[test]
        fn every_id_reads_back_as_written_and_fits_discord(id in any_id()) {
            let text = id.to_string();
            prop_assert!(text.len() <= 100, "{text}");
            prop_assert_eq!(ComponentId::parse(&text), Some(id));
        }

    }

    #[test]
    fn ids_keep_the_format_buttons_already_posted_carry() {
        let at = chrono::DateTime::from_timestamp_millis(1_794_000_000_000).unwrap();
        let cases = [
            ("gov1:call-vote:3", ComponentId::CallVote(GroupId(3))),
            (
                "gov1:ballot:3:1794000000000:no",
                ComponentId::Ballot {
                    group: GroupId(3),
                    vote: Some(at),
                    choice: Choice::No,
                },
            ),
            (
                "gov1:ballot:3:yes",
                ComponentId::Ballot {
                    group: GroupId(3),
                    vote: None,
                    choice: Choice::Yes,
                },
            ),
            ("gov1:keep-reason:9", ComponentId::KeepReason(GroupId(9))),
            ("gov1:propose:12", ComponentId::Propose { draft: 12 }),
        ];
        for (text, id) in cases {
            assert_eq!(ComponentId::parse(text), Some(id), "{text}");
            assert_eq!(id.to_string(), text);
        }
        for other in [
            "gov1:ballot:3:1:maybe",
            "gov2:keep:1",
            "gov1:keep:x",
            "gov1:keep",
        ] {
            assert_eq!(ComponentId::parse(other), None, "{other}");
        }
    }
}
