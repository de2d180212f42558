//! The directory of active groups that a community website publishes, as Markdown or JSON.

use crate::governance::{Group, GroupKind, GroupState, MemberId, Timestamp};
use crate::report::Names;
use crate::store::{ActivitySummary, GroupFilter, GroupId, Store, StoreError, StoredGroup};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// How many weeks of channel activity the directory counts: this week and the three before.
pub const RECENT_WEEKS: i64 = 4;

/// The start of the period the directory counts messages over: the week of this instant and
/// every week after it, up to `now`'s.
pub fn recent_since(now: Timestamp) -> Timestamp {
    now - chrono::Duration::weeks(RECENT_WEEKS - 1)
}

/// A group's activity in a few numbers: for an IG its channel over the last [`RECENT_WEEKS`]
/// weeks and its meetings, for a WG its tracked Issues/PRs/SEPs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Activity {
    Ig {
        messages_last_4_weeks: i64,
        participants_last_4_weeks: i64,
        last_message_at: Option<Timestamp>,
        meetings: usize,
        last_meeting_at: Option<Timestamp>,
    },
    Wg {
        open_items: usize,
        completed_items: usize,
        last_item_activity: Option<Timestamp>,
    },
}

impl Activity {
    /// `recent`: the group's channel over the last [`RECENT_WEEKS`] weeks, if anyone posted.
    pub fn of(g: &Group, recent: Option<&ActivitySummary>) -> Activity {
        match g.kind {
            GroupKind::Ig => {
                let recent = recent.cloned().unwrap_or_default();
                Activity::Ig {
                    messages_last_4_weeks: recent.messages,
                    participants_last_4_weeks: recent.participants,
                    last_message_at: recent.last_message_at,
                    meetings: g.meetings.len(),
                    last_meeting_at: g.meetings.iter().map(|m| m.at).max(),
                }
            }
            GroupKind::Wg => {
                let completed = g.items.iter().filter(|i| i.completed_at.is_some()).count();
                Activity::Wg {
                    open_items: g.items.len() - completed,
                    completed_items: completed,
                    last_item_activity: g.items.iter().map(|i| i.last_activity).max(),
                }
            }
        }
    }

    /// One line for people, with dates written by `date`.
    pub fn line(&self, date: impl Fn(Timestamp) -> String) -> String {
        match self {
            Activity::Ig {
                messages_last_4_weeks: messages,
                participants_last_4_weeks: people,
                last_meeting_at,
                ..
            } => {
                let talk = match (messages, people) {
                    (0, _) => format!("no messages in the last {RECENT_WEEKS} weeks"),
                    (m, p) => format!(
                        "{m} message{} from {p} {} in the last {RECENT_WEEKS} weeks",
                        plural(*m),
                        if *p == 1 { "person" } else { "people" }
                    ),
                };
                let meeting = match last_meeting_at {
                    Some(t) => format!("last meeting {}", date(*t)),
                    None => "no meeting recorded".to_string(),
                };
                format!("{talk}; {meeting}")
            }
            Activity::Wg {
                open_items,
                completed_items,
                last_item_activity,
            } => match last_item_activity {
                None => "no tracked items".to_string(),
                Some(t) => {
                    let n = open_items + completed_items;
                    format!(
                        "{n} tracked item{} ({open_items} open, {completed_items} completed); \
                         last item activity {}",
                        plural(n as i64),
                        date(*t)
                    )
                }
            },
        }
    }
}

fn plural(n: i64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub id: i64,
    pub kind: GroupKind,
    pub name: String,
    pub state: GroupState,
    pub facilitators: Vec<Person>,
    pub maintainers: Vec<Person>,
    pub channel_id: Option<String>,
    pub channel_url: Option<String>,
    pub proposed_at: Timestamp,
    pub active_since: Option<Timestamp>,
    pub maintains_a_project: bool,
    pub activity: Activity,
    /// [`Activity`] as one line, as the Markdown shows it.
    pub activity_summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directory {
    pub generated_at: Timestamp,
    pub groups: Vec<Entry>,
}

impl Directory {
    /// The directory of everything in `store` as of `now`.
    pub async fn load(
        store: &Store,
        guild: Option<u64>,
        now: Timestamp,
    ) -> Result<Directory, StoreError> {
        let groups = store.list(&GroupFilter::default()).await?;
        let names = store.member_names().await?;
        let recent = store.activity_since(recent_since(now)).await?;
        Ok(Directory::new(&groups, &names, guild, now, &recent))
    }

    /// The live groups among `groups` (active, including any under a reversal vote), IGs first,
    /// each kind by name. Channel links point into `guild` when it is known; `recent` is each
    /// group's channel activity since [`recent_since`]`(now)`.
    pub fn new(
        groups: &[StoredGroup],
        names: &Names,
        guild: Option<u64>,
        now: Timestamp,
        recent: &BTreeMap<GroupId, ActivitySummary>,
    ) -> Self {
        let person = |id: &MemberId| Person {
            // Discord ids exceed what JavaScript numbers hold exactly, so they travel as strings.
            id: id.0.to_string(),
            name: names.get(id).cloned(),
        };
        let mut entries: Vec<Entry> = groups
            .iter()
            .filter(|g| g.group.state.is_live_group())
            .map(|s| {
                let g = &s.group;
                let activity = Activity::of(g, recent.get(&s.id));
                Entry {
                    id: s.id.0,
                    kind: g.kind,
                    name: g.name.clone(),
                    state: g.state,
                    facilitators: g.facilitators.iter().map(person).collect(),
                    maintainers: g.maintainers.iter().map(person).collect(),
                    channel_id: g.channel.map(|c| c.to_string()),
                    channel_url: g
                        .channel
                        .zip(guild)
                        .map(|(c, guild)| format!("https://discord.com/channels/{guild}/{c}")),
                    proposed_at: g.proposed_at,
                    active_since: g.active_since,
                    maintains_a_project: g.maintenance,
                    activity_summary: activity.line(|t| t.format("%Y-%m-%d").to_string()),
                    activity,
                }
            })
            .collect();
        entries.sort_by_key(|e| (e.kind, e.name.to_lowercase()));
        Directory {
            generated_at: now,
            groups: entries,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a directory always serialises")
    }

    pub fn to_markdown(&self) -> String {
        let mut out = String::from("# Interest Groups and Working Groups\n\n");
        let _ = writeln!(
            out,
            "_Generated by govbot on {}._\n",
            self.generated_at.format("%Y-%m-%d")
        );
        let _ = writeln!(
            out,
            "Activity: for an Interest Group, messages in its Discord channel over the last \
             {RECENT_WEEKS} weeks and its last recorded meeting; for a Working Group, its tracked \
             Issues, PRs and SEPs.\n"
        );
        for kind in [GroupKind::Ig, GroupKind::Wg] {
            let _ = writeln!(out, "## {}s\n", kind.long_name());
            let rows: Vec<_> = self.groups.iter().filter(|e| e.kind == kind).collect();
            if rows.is_empty() {
                let _ = writeln!(out, "No active {}s.\n", kind.long_name());
                continue;
            }
            out.push_str(
                "| Group | State | Facilitators | Maintainers | Channel | Activity | Active since |\n",
            );
            out.push_str("|---|---|---|---|---|---|---|\n");
            for e in rows {
                let name = if e.maintains_a_project {
                    format!("{} (maintains a project)", escape(&e.name))
                } else {
                    escape(&e.name)
                };
                let channel = match (&e.channel_url, &e.channel_id) {
                    (Some(url), _) => format!("[Discord]({url})"),
                    (None, Some(id)) => format!("channel {id}"),
                    (None, None) => "not yet created".to_string(),
                };
                let _ = writeln!(
                    out,
                    "| {name} | {} | {} | {} | {channel} | {} | {} |",
                    e.state.label(),
                    names(&e.facilitators),
                    names(&e.maintainers),
                    escape(&e.activity_summary),
                    e.active_since
                        .map(|t| t.format("%Y-%m-%d").to_string())
                        .unwrap_or_default()
                );
            }
            out.push('\n');
        }
        out
    }
}

fn names(people: &[Person]) -> String {
    if people.is_empty() {
        return "—".to_string();
    }
    people
        .iter()
        .map(|p| escape(p.name.as_deref().unwrap_or(&format!("member {}", p.id))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Escapes what Markdown would otherwise read as formatting or as a table cell boundary.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
