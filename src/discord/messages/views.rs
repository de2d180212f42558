//! What each template is given: plain serialisable views of governance values, with ids as
//! strings (Discord ids do not fit a JSON number exactly).

use super::render::{self, render, template, RenderError, Rendered};
use crate::discord::markdown::{self, Markdown};
use crate::export::{Activity, RECENT_WEEKS};
use crate::governance::{Actor, Ballots, Field, Group, GroupKind, MemberId, TemplateErrors};
use crate::store::{ActivitySummary, GroupId, NameMatch, StoredGroup};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct Answer {
    pub label: &'static str,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Overlap {
    pub id: i64,
    pub kind: &'static str,
    pub name: String,
    pub state: &'static str,
}

impl Overlap {
    pub fn of(g: &NameMatch) -> Self {
        Overlap {
            id: g.id.0,
            kind: g.kind.code(),
            name: g.name.clone(),
            state: g.state.label(),
        }
    }
}

fn ids(people: &[MemberId]) -> Vec<String> {
    people.iter().map(|m| m.0.to_string()).collect()
}

fn answers(g: &Group) -> Vec<Answer> {
    g.template
        .answers()
        .into_iter()
        .map(|(f, text)| Answer {
            label: f.label(),
            text,
        })
        .collect()
}

#[derive(Serialize)]
struct Card {
    id: i64,
    kind: &'static str,
    kind_long: &'static str,
    name: String,
    proposer: String,
    state: &'static str,
    facilitators: Vec<String>,
    maintainers: Vec<String>,
    answers: Vec<Answer>,
    overlaps: Vec<Overlap>,
    updated: bool,
    source: CardSource,
}

/// Where a proposal came from, which decides what its card says its proposer can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardSource {
    /// The `/group propose` form: withdraw, and propose again to change it.
    Form,
    /// A template message: edit it to change the proposal.
    Message,
    /// A template message since deleted: the proposal stands until withdrawn.
    Deleted,
}

/// A proposal's card.
pub fn card(
    id: GroupId,
    g: &Group,
    overlaps: Vec<Overlap>,
    updated: bool,
    source: CardSource,
) -> Result<Rendered, RenderError> {
    render(
        template!("proposal_card"),
        Card {
            id: id.0,
            kind: g.kind.code(),
            kind_long: g.kind.long_name(),
            name: g.name.clone(),
            proposer: g.proposer.0.to_string(),
            state: g.state.label(),
            facilitators: ids(&g.facilitators),
            maintainers: ids(&g.maintainers),
            answers: answers(g),
            overlaps,
            updated,
            source,
        },
    )
}

#[derive(Serialize)]
struct Announcement {
    id: i64,
    kind: &'static str,
    name: String,
    proposer: String,
    facilitators: Vec<String>,
    maintainers: Vec<String>,
    answers: Vec<Answer>,
    overlaps: Vec<Overlap>,
    source: Option<String>,
    window: String,
}

pub fn announcement(
    id: GroupId,
    g: &Group,
    overlaps: Vec<Overlap>,
    source: Option<String>,
    window: String,
) -> Result<Rendered, RenderError> {
    render(
        template!("moderators_announcement"),
        Announcement {
            id: id.0,
            kind: g.kind.code(),
            name: g.name.clone(),
            proposer: g.proposer.0.to_string(),
            facilitators: ids(&g.facilitators),
            maintainers: ids(&g.maintainers),
            answers: answers(g),
            overlaps,
            source,
            window,
        },
    )
}

#[derive(Serialize)]
struct Problem {
    label: &'static str,
    problem: Markdown,
}

#[derive(Serialize)]
struct Problems {
    kind: &'static str,
    kind_long: &'static str,
    problems: Vec<Problem>,
    labels: Vec<&'static str>,
    from_message: bool,
}

/// The problems of a template, with how to fix them where it was written: a message is edited, a
/// modal is submitted again.
pub fn template_problems(
    errors: &TemplateErrors,
    from_message: bool,
) -> Result<Rendered, RenderError> {
    render(
        template!("template_problems"),
        Problems {
            kind: errors.kind.code(),
            kind_long: errors.kind.long_name(),
            problems: errors
                .problems
                .iter()
                .map(|p| Problem {
                    label: p.field.label(),
                    problem: markdown::composite(&p.problem),
                })
                .collect(),
            labels: errors
                .kind
                .fields()
                .iter()
                .filter(|f| **f != Field::Name)
                .map(|f| f.label())
                .collect(),
            from_message,
        },
    )
}

#[derive(Serialize)]
struct EditProblems {
    id: i64,
    problems: Vec<Markdown>,
}

/// The problems of an edited template, each govbot's words around what people typed.
pub fn edit_problems(id: GroupId, problems: Vec<String>) -> Result<Rendered, RenderError> {
    render(
        template!("edit_problems"),
        EditProblems {
            id: id.0,
            problems: problems.iter().map(|p| markdown::composite(p)).collect(),
        },
    )
}

#[derive(Serialize)]
struct Summary {
    id: i64,
    kind: &'static str,
    name: String,
    state: &'static str,
}

pub fn edit_too_late(id: GroupId, g: &Group) -> Result<Rendered, RenderError> {
    render(
        template!("edit_too_late"),
        Summary {
            id: id.0,
            kind: g.kind.code(),
            name: g.name.clone(),
            state: g.state.label(),
        },
    )
}

#[derive(Serialize)]
struct Withdrawn {
    id: i64,
    kind: &'static str,
    name: String,
    actor: String,
}

/// The card and the moderators' announcement of a withdrawn proposal.
pub fn withdrawn(
    id: GroupId,
    g: &Group,
    actor: MemberId,
) -> Result<(Rendered, Rendered), RenderError> {
    let view = || Withdrawn {
        id: id.0,
        kind: g.kind.code(),
        name: g.name.clone(),
        actor: actor.0.to_string(),
    };
    Ok((
        render(template!("proposal_withdrawn"), view())?,
        render(template!("moderators_withdrawn"), view())?,
    ))
}

#[derive(Serialize)]
struct BallotLine {
    voter: String,
    choice: &'static str,
}

#[derive(Serialize)]
struct VoteLine {
    tally: String,
    closes: i64,
    /// Who voted what, when the viewer may see it (see [`crate::governance::BallotVisibility::shown_to`]).
    ballots: Option<Vec<BallotLine>>,
}

#[derive(Serialize)]
struct Info {
    id: i64,
    kind: &'static str,
    name: String,
    state: &'static str,
    proposed_at: i64,
    proposer: String,
    active_since: Option<i64>,
    facilitators: Vec<String>,
    maintainers: Vec<String>,
    channel: Option<String>,
    vote: Option<VoteLine>,
    answers: Vec<Answer>,
}

/// A group or proposal as `viewer` may see it: its latest vote's tally to everyone, and who voted
/// what only to those its ballot visibility shows ballots to. `ballots` are its vote's, if it has
/// one (at least each voter's last).
pub fn info(g: &StoredGroup, ballots: &Ballots, viewer: &Actor) -> Result<Rendered, RenderError> {
    let s = &g.group;
    render(
        template!("group_info"),
        Info {
            id: g.id.0,
            kind: s.kind.code(),
            name: s.name.clone(),
            state: s.state.label(),
            proposed_at: s.proposed_at.timestamp(),
            proposer: s.proposer.0.to_string(),
            active_since: s.active_since.map(|t| t.timestamp()),
            facilitators: ids(&s.facilitators),
            maintainers: ids(&s.maintainers),
            channel: s.channel.map(|c| c.to_string()),
            vote: s.vote.as_ref().map(|v| VoteLine {
                tally: v
                    .result
                    .as_ref()
                    .map_or_else(|| ballots.tally(v), |r| r.tally.clone())
                    .to_string(),
                closes: v.closes_at.timestamp(),
                ballots: v.rule.ballot_visibility.shown_to(viewer).then(|| {
                    ballots
                        .standing(v)
                        .into_iter()
                        .map(|(voter, c)| BallotLine {
                            voter: voter.0.to_string(),
                            choice: super::notices::choice_label(c),
                        })
                        .collect()
                }),
            }),
            answers: answers(s),
        },
    )
}

#[derive(Serialize)]
struct ListEntry {
    id: i64,
    kind: &'static str,
    name: String,
    state: &'static str,
    channel: Option<String>,
    facilitators: Vec<String>,
    maintainers: Vec<String>,
    /// A live group's activity (see [`crate::export::Activity`]); none for a proposal or an
    /// ended group.
    ig: Option<IgActivityView>,
    wg: Option<WgActivityView>,
}

#[derive(Serialize)]
struct IgActivityView {
    weeks: i64,
    messages: i64,
    participants: i64,
    last_meeting: Option<i64>,
}

#[derive(Serialize)]
struct WgActivityView {
    open: usize,
    completed: usize,
    last: Option<i64>,
}

#[derive(Serialize)]
struct List {
    filter: Option<String>,
    groups: Vec<ListEntry>,
    more: usize,
}

/// At most this many groups are listed in one message; filters narrow the rest.
pub const LIST_LIMIT: usize = 25;

pub fn list(groups: &[StoredGroup], filter: Option<String>) -> Result<Rendered, RenderError> {
    list_with_activity(groups, filter, &BTreeMap::new())
}

/// The list with each live group's activity; `recent` is each group's channel since
/// [`crate::export::recent_since`] (groups nobody posted in are absent).
pub fn list_with_activity(
    groups: &[StoredGroup],
    filter: Option<String>,
    recent: &BTreeMap<GroupId, ActivitySummary>,
) -> Result<Rendered, RenderError> {
    let entry = |g: &StoredGroup| {
        let live = g.group.state.is_live_group();
        let (mut ig, mut wg) = (None, None);
        match Activity::of(&g.group, recent.get(&g.id)) {
            _ if !live => {}
            Activity::Ig {
                messages_last_4_weeks,
                participants_last_4_weeks,
                last_meeting_at,
                ..
            } => {
                ig = Some(IgActivityView {
                    weeks: RECENT_WEEKS,
                    messages: messages_last_4_weeks,
                    participants: participants_last_4_weeks,
                    last_meeting: last_meeting_at.map(|t| t.timestamp()),
                });
            }
            Activity::Wg {
                open_items,
                completed_items,
                last_item_activity,
            } => {
                wg = Some(WgActivityView {
                    open: open_items,
                    completed: completed_items,
                    last: last_item_activity.map(|t| t.timestamp()),
                });
            }
        }
        ListEntry {
            id: g.id.0,
            kind: g.group.kind.code(),
            name: g.group.name.clone(),
            state: g.group.state.label(),
            channel: g.group.channel.map(|c| c.to_string()),
            facilitators: ids(&g.group.facilitators),
            maintainers: ids(&g.group.maintainers),
            ig,
            wg,
        }
    };
    render(
        template!("group_list"),
        List {
            filter,
            groups: groups.iter().take(LIST_LIMIT).map(entry).collect(),
            more: groups.len().saturating_sub(LIST_LIMIT),
        },
    )
}

#[derive(Serialize)]
struct ErrorView {
    message: Markdown,
    hint: Option<Markdown>,
}

/// An error for a person on Discord, where members are mentioned rather than numbered. `message`
/// is govbot's words around what people typed (see [`markdown::composite`]); `hint` is govbot's
/// own Markdown.
pub fn error(message: &str, hint: Option<&str>) -> Result<Rendered, RenderError> {
    render(
        template!("error"),
        ErrorView {
            message: markdown::composite(message),
            hint: hint.map(Markdown::trusted),
        },
    )
}

/// The `/group propose` form's title, within Discord's 45 characters: the name shortened at a
/// word boundary if it must be.
pub fn form_title(kind: GroupKind, name: &str) -> String {
    let prefix = format!("{} proposal: ", kind.code());
    let room = crate::governance::MAX_FORM_LABEL - prefix.chars().count();
    format!("{prefix}{}", render::shorten_at_word(name, room))
}

/// A group as an autocomplete suggestion: "WG #3 Registry", "(proposed)" and the like after a
/// group that is not active; within Discord's 100 characters for a choice's name.
pub fn group_choice(g: &crate::store::GroupChoice) -> String {
    let state = match g.state {
        crate::governance::GroupState::Active => String::new(),
        other => format!(" ({})", other.label()),
    };
    let room = 100 - state.chars().count();
    let named = render::shorten_at_word(&format!("{} #{} {}", g.kind.code(), g.id, g.name), room);
    format!("{named}{state}")
}
