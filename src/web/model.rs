//! What the public pages and the JSON say, built from stored groups and their audit logs by pure
//! functions (no I/O): the same values are rendered as HTML and serialised as JSON, so the two
//! never disagree. Ids travel as strings; times as RFC 3339 UTC; members as display names only.

use super::privacy::{ballot_visibility, BallotVisibility};
use super::Settings;
use crate::export::RECENT_WEEKS;
use crate::governance::{
    Actor, Approval, Ballot, Ballots, Choice, Event, EventKind, Field, Group, GroupKind,
    GroupState, ItemRef, MemberId, Outcome, RetirementCause, Role, Threshold, Timestamp,
    TrackedItem, VetoOutcome, Vote, VotePurpose,
};
use crate::store::{ActivitySummary, GroupId, StoredEvent, StoredGroup, WeekActivity};
use serde::Serialize;
use std::collections::BTreeMap;

// The site words votes as the bot's messages do (approve, reject, abstain; the rule in full), in
// its own code: the public record reads the store and never the Discord adapter.

/// The rule a vote passes by, in words.
pub fn rule_text(t: Threshold) -> String {
    match t {
        Threshold::MajorityOfElectorate => {
            "approve from more than half of the electorate".to_owned()
        }
        Threshold::MajorityOfCast { quorum_percent } => format!(
            "more approve than reject among ballots cast, with at least {quorum_percent}% of the \
             electorate voting"
        ),
    }
}

fn choice(c: Choice) -> &'static str {
    match c {
        Choice::Yes => "approve",
        Choice::No => "reject",
        Choice::Abstain => "abstain",
    }
}

/// The answer that says what a group is for: an IG's differentiation, a WG's use cases (as the
/// bot's announcements show it).
fn purpose(g: &Group) -> Option<Answer> {
    let field = match g.kind {
        GroupKind::Ig => Field::Differentiation,
        GroupKind::Wg => Field::UseCases,
    };
    g.template
        .answers()
        .into_iter()
        .find(|(f, _)| *f == field)
        .map(|(f, text)| Answer {
            label: f.label(),
            text,
        })
}

/// How a member govbot never saw by name is shown (their id never is).
pub const UNNAMED: &str = "unnamed member";

/// Display names of the members a page mentions.
#[derive(Debug, Clone, Default)]
pub struct Names(pub BTreeMap<MemberId, String>);

impl Names {
    pub fn person(&self, id: MemberId) -> String {
        self.0
            .get(&id)
            .cloned()
            .unwrap_or_else(|| UNNAMED.to_owned())
    }

    fn people(&self, ids: &[MemberId]) -> Vec<String> {
        ids.iter().map(|m| self.person(*m)).collect()
    }

    /// Who acted, with the roles they acted in: "Ana (community moderator)", or "govbot".
    fn actor(&self, actor: &Actor) -> String {
        match actor {
            Actor::System => "govbot".to_owned(),
            Actor::Member { id, roles } if roles.is_empty() => self.person(*id),
            Actor::Member { id, roles } => {
                let roles: Vec<_> = roles.iter().map(|r| r.label()).collect();
                format!("{} ({})", self.person(*id), roles.join(", "))
            }
        }
    }
}

/// The members a group's summary names.
pub fn members_of_group(g: &Group) -> impl Iterator<Item = MemberId> + '_ {
    g.facilitators
        .iter()
        .chain(&g.maintainers)
        .copied()
        .chain(std::iter::once(g.proposer))
        .chain(g.sponsors.iter().map(|(m, _)| *m))
}

/// The members an event names (who acted and whom it is about).
pub fn members_of_event(e: &Event) -> Vec<MemberId> {
    let mut out: Vec<MemberId> = e.actor.id().into_iter().collect();
    match &e.kind {
        EventKind::Proposed { proposer, .. } => out.push(*proposer),
        EventKind::BallotCast { voter, .. } => out.push(*voter),
        EventKind::Sponsored { sponsor, .. } => out.push(*sponsor),
        EventKind::FacilitatorAdded { member }
        | EventKind::FacilitatorRemoved { member }
        | EventKind::MaintainerAdded { member }
        | EventKind::MaintainerRemoved { member } => out.push(*member),
        _ => {}
    }
    out
}

/// Where a group's page and JSON live, relative to the site's root.
pub fn page_path(id: GroupId) -> String {
    format!("groups/{}.html", id.0)
}

pub fn api_path(id: GroupId) -> String {
    format!("api/groups/{}.json", id.0)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub label: &'static str,
    pub text: String,
}

/// A tracked Issue, PR, Discussion or SEP, with a link when govbot knows where it lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub text: String,
    pub url: Option<String>,
    pub tracked_since: Timestamp,
    pub last_activity_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    /// How it was completed ("merged", "closed as not planned", ...), when known.
    pub outcome: Option<String>,
    /// Since when govbot cannot read it (the reason is for moderators and is not shown).
    pub unreadable_since: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Week {
    /// The Monday the week starts on (UTC).
    pub week_of: chrono::NaiveDate,
    pub messages: i64,
    pub participants: i64,
}

/// A group's activity: for an IG its channel over the last [`RECENT_WEEKS`] weeks and its
/// meetings, for a WG its tracked items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Activity {
    Ig {
        weeks: i64,
        messages: i64,
        participants: i64,
        last_message_at: Option<Timestamp>,
        meetings: usize,
        last_meeting_at: Option<Timestamp>,
        /// Week by week, oldest first (on a group's own page).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        by_week: Vec<Week>,
    },
    Wg {
        open: Vec<Item>,
        completed: Vec<Item>,
        last_item_activity_at: Option<Timestamp>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidacy {
    pub since: Timestamp,
    pub cause: String,
}

/// A group that was approved at some point, as the directory lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub id: String,
    pub public: bool,
    pub kind: &'static str,
    pub kind_name: &'static str,
    pub name: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub purpose: Option<Answer>,
    pub facilitators: Vec<String>,
    pub maintainers: Vec<String>,
    pub channel_url: Option<String>,
    /// Whether the channel is in the archive (read-only): the group ended.
    pub channel_archived: bool,
    pub proposed_at: Timestamp,
    pub created_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub maintains_a_project: bool,
    pub retirement_candidate: Option<Candidacy>,
    /// When the running reversal vote closes, while one runs.
    pub reversal_vote_closes_at: Option<Timestamp>,
    pub activity: Activity,
    pub page: String,
    pub api: String,
}

/// A proposal that was never approved: what the site shows of it, and nothing more
/// (see [`super::privacy`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    pub id: String,
    pub public: bool,
    pub kind: &'static str,
    pub kind_name: &'static str,
    pub state: &'static str,
    pub state_label: &'static str,
    pub proposed_at: Timestamp,
    /// When its creation vote closes, while one runs.
    pub vote_closes_at: Option<Timestamp>,
    /// When it was rejected, vetoed or withdrawn.
    pub ended_at: Option<Timestamp>,
    pub page: String,
    pub api: String,
}

/// A group in a list: in full, or as a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Listed {
    Public(Box<Summary>),
    Proposal(Proposal),
}

/// How the site names a proposal's state: "proposed" reads as a decision; it is a review.
pub fn proposal_state_label(s: GroupState) -> &'static str {
    match s {
        GroupState::Proposed => "under review",
        other => other.label(),
    }
}

fn channel_url(settings: &Settings, g: &Group) -> Option<String> {
    g.channel
        .zip(settings.guild)
        .map(|(c, guild)| format!("https://discord.com/channels/{guild}/{c}"))
}

/// A link for a `manual:` item only when it is one plain https:// address.
fn plain_link(text: &str) -> Option<String> {
    let text = text.trim();
    if text.contains(char::is_whitespace) {
        return None;
    }
    let url = reqwest::Url::parse(text).ok()?;
    (url.scheme() == "https" && url.host().is_some() && url.username().is_empty())
        .then(|| url.to_string())
}

pub fn item(settings: &Settings, t: &TrackedItem) -> Item {
    let (text, url) = match &t.item {
        ItemRef::Url(raw) => match t.item.github() {
            Some(g) => {
                let what = match g.kind {
                    crate::governance::GitHubKind::Issue => "issue",
                    crate::governance::GitHubKind::Pull => "PR",
                    crate::governance::GitHubKind::Discussion => "discussion",
                };
                (format!("{g} ({what})"), Some(g.url()))
            }
            None => (raw.clone(), None),
        },
        ItemRef::Sep(n) => (
            format!("SEP-{n}"),
            Some(format!(
                "https://github.com/{}/issues/{n}",
                settings.sep_repository
            )),
        ),
        ItemRef::Manual(text) => (text.clone(), plain_link(text)),
    };
    Item {
        text,
        url,
        tracked_since: t.added_at,
        last_activity_at: t.last_activity,
        completed_at: t.completed_at,
        outcome: t.close_reason.map(|r| r.to_string()),
        unreadable_since: t.unreadable.as_ref().map(|u| u.since),
    }
}

pub fn activity(
    settings: &Settings,
    g: &Group,
    recent: Option<&ActivitySummary>,
    weeks: &[WeekActivity],
) -> Activity {
    match g.kind {
        GroupKind::Ig => {
            let recent = recent.cloned().unwrap_or_default();
            Activity::Ig {
                weeks: RECENT_WEEKS,
                messages: recent.messages,
                participants: recent.participants,
                last_message_at: recent.last_message_at,
                meetings: g.meetings.len(),
                last_meeting_at: g.meetings.iter().map(|m| m.at).max(),
                by_week: weeks
                    .iter()
                    .map(|w| Week {
                        week_of: w.week_start,
                        messages: w.messages,
                        participants: w.participants,
                    })
                    .collect(),
            }
        }
        GroupKind::Wg => {
            let (completed, open): (Vec<_>, Vec<_>) =
                g.items.iter().partition(|i| i.completed_at.is_some());
            Activity::Wg {
                open: open.into_iter().map(|i| item(settings, i)).collect(),
                completed: completed.into_iter().map(|i| item(settings, i)).collect(),
                last_item_activity_at: g.items.iter().map(|i| i.last_activity).max(),
            }
        }
    }
}

/// A public group's summary. `recent` is its channel over the last weeks; `weeks` the same week
/// by week (empty in lists).
pub fn summary(
    settings: &Settings,
    s: &StoredGroup,
    names: &Names,
    recent: Option<&ActivitySummary>,
    weeks: &[WeekActivity],
) -> Summary {
    let g = &s.group;
    Summary {
        id: s.id.0.to_string(),
        public: true,
        kind: g.kind.code(),
        kind_name: g.kind.long_name(),
        name: g.name.clone(),
        state: g.state.code(),
        state_label: g.state.label(),
        purpose: purpose(g),
        facilitators: names.people(&g.facilitators),
        maintainers: names.people(&g.maintainers),
        channel_url: channel_url(settings, g),
        channel_archived: !g.state.is_live_group(),
        proposed_at: g.proposed_at,
        created_at: g.active_since,
        ended_at: g.ended_at,
        maintains_a_project: g.maintenance,
        retirement_candidate: g.candidacy.as_ref().map(|c| Candidacy {
            since: c.since,
            cause: c.cause.to_string(),
        }),
        reversal_vote_closes_at: g
            .running_vote()
            .filter(|v| v.purpose == VotePurpose::Reversal)
            .map(|v| v.closes_at),
        activity: activity(settings, g, recent, weeks),
        page: page_path(s.id),
        api: api_path(s.id),
    }
}

pub fn proposal(s: &StoredGroup) -> Proposal {
    let g = &s.group;
    Proposal {
        id: s.id.0.to_string(),
        public: false,
        kind: g.kind.code(),
        kind_name: g.kind.long_name(),
        state: g.state.code(),
        state_label: proposal_state_label(g.state),
        proposed_at: g.proposed_at,
        vote_closes_at: g.running_vote().map(|v| v.closes_at),
        // A vetoed proposal has not ended (a lead maintainer can lift the veto); the veto is
        // its decision.
        ended_at: match (g.state, &g.veto) {
            (GroupState::Vetoed, Some(v)) => Some(v.at),
            _ => g.ended_at,
        },
        page: page_path(s.id),
        api: api_path(s.id),
    }
}

// ---------------------------------------------------------------------------------------------
// A public group's own page

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub approve: u32,
    pub reject: u32,
    pub abstain: u32,
    pub not_voted: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BallotView {
    pub voter: String,
    pub choice: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoteView {
    /// "creation" or "reversal".
    pub purpose: &'static str,
    pub opened_at: Timestamp,
    pub closes_at: Timestamp,
    pub window: String,
    pub rule: String,
    pub electorate: usize,
    /// "open", "closed" or "ended early" (a veto or a retirement ended it without a result).
    pub status: &'static str,
    /// "approved" or "rejected", once closed.
    pub result: Option<&'static str>,
    /// Once closed; while a vote runs its tally is the moderators' (unless ballots are public).
    pub tally: Option<Tally>,
    pub ended_early_at: Option<Timestamp>,
    /// Who voted what: only when ballots are public.
    pub ballots: Vec<BallotView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sponsors {
    pub rule: String,
    pub core_maintainers: usize,
    pub lead_maintainers: usize,
    /// By name only when ballots are public.
    pub names: Vec<String>,
}

/// A decision about the group: its approval, a veto, a lift, a reversal, its retirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub at: Timestamp,
    /// The history line it is ("event-N" on the page).
    pub seq: i64,
    /// A stable code: created_by_vote, rejected_by_vote, reversed_by_vote, reversal_rejected,
    /// created_by_sponsorship, vetoed, reversed_by_veto, veto_lifted, retired, withdrawn.
    pub kind: &'static str,
    pub what: String,
    pub by: Option<String>,
    pub reason: Option<String>,
    /// A vote's tally.
    pub tally: Option<String>,
}

/// One line of the history: who, when, what, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub seq: i64,
    pub at: Timestamp,
    pub who: String,
    pub what: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    pub at: Timestamp,
    pub text: String,
}

/// Everything the site shows about a public group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    #[serde(flatten)]
    pub group: Summary,
    pub proposer: String,
    pub answers: Vec<Answer>,
    pub last_status: Option<Status>,
    pub ballots: BallotVisibility,
    pub votes: Vec<VoteView>,
    pub sponsors: Option<Sponsors>,
    pub decisions: Vec<Decision>,
    /// The decision that ended the group, once it ended (retired or reversed).
    pub ended_by: Option<Decision>,
    pub history: Vec<Line>,
}

/// Vote `v` with its `ballots` (at least each voter's last).
fn vote_view(v: &Vote, ballots: &Ballots, names: &Names) -> VoteView {
    let public = ballot_visibility(v.rule.ballot_visibility) == BallotVisibility::Public;
    let (status, result, tally) = match (&v.result, v.cancelled_at) {
        (Some(r), _) => (
            "closed",
            Some(match r.outcome {
                Outcome::Approved => "approved",
                Outcome::Rejected => "rejected",
            }),
            Some(&r.tally),
        ),
        (None, Some(_)) => ("ended early", None, None),
        (None, None) => ("open", None, None),
    };
    let live = ballots.tally(v);
    let tally = match tally {
        Some(t) => Some(t.clone()),
        None if public && status == "open" => Some(live),
        None => None,
    };
    VoteView {
        purpose: match v.purpose {
            VotePurpose::Creation => "creation",
            VotePurpose::Reversal => "reversal",
        },
        opened_at: v.opened_at,
        closes_at: v.closes_at,
        window: v.rule.window.in_words(),
        rule: rule_text(v.rule.threshold),
        electorate: v.electorate.len(),
        status,
        result,
        tally: tally.map(|t| Tally {
            approve: t.yes,
            reject: t.no,
            abstain: t.abstain,
            not_voted: t.not_voted.len(),
        }),
        ended_early_at: v.cancelled_at,
        ballots: if public && status != "ended early" {
            ballots
                .standing(v)
                .into_iter()
                .map(|(m, c)| BallotView {
                    voter: names.person(m),
                    choice: choice(c),
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}

fn item_text(i: &ItemRef) -> String {
    match i {
        ItemRef::Url(_) => i
            .github()
            .map(|g| g.to_string())
            .unwrap_or_else(|| i.to_string()),
        other => other.to_string(),
    }
}

fn day(t: Timestamp) -> String {
    t.format("%Y-%m-%d").to_string()
}

fn tally_text(t: &crate::governance::Tally) -> String {
    format!(
        "{} approve, {} reject, {} abstain; {} of {} did not vote",
        t.yes,
        t.no,
        t.abstain,
        t.not_voted.len(),
        t.electorate
    )
}

/// What an event did, in words, naming people by name; `None` for an event the site does not
/// show (a ballot, unless ballots are public).
pub fn what(e: &Event, names: &Names, visibility: BallotVisibility) -> Option<String> {
    let public = visibility == BallotVisibility::Public;
    Some(match &e.kind {
        EventKind::Proposed { template, .. } => format!(
            "proposed the {} “{}”",
            template.kind().long_name(),
            template.name
        ),
        EventKind::Withdrawn => "withdrew the proposal".to_owned(),
        EventKind::TemplateMessageDeleted => "saw the template message deleted (Discord does not \
                                              say by whom); the proposal stands"
            .to_owned(),
        EventKind::Amended { template } => {
            format!("amended the template; the name is “{}”", template.name)
        }
        EventKind::VoteOpened {
            purpose,
            electorate,
            rule,
            closes_at,
        } => format!(
            "called a {} vote among {} moderator{}, closing {} (rule: {})",
            match purpose {
                VotePurpose::Creation => "creation",
                VotePurpose::Reversal => "reversal",
            },
            electorate.len(),
            if electorate.len() == 1 { "" } else { "s" },
            closes_at.format("%Y-%m-%d %H:%M UTC"),
            rule_text(rule.threshold)
        ),
        EventKind::BallotCast { choice: c, .. } => {
            if !public {
                return None;
            }
            match c {
                Some(c) => format!("voted {}", choice(*c)),
                None => "withdrew their ballot".to_owned(),
            }
        }
        EventKind::VoteReminder { not_voted, .. } => format!(
            "reminded the {} moderator{} who had not voted",
            not_voted.len(),
            if not_voted.len() == 1 { "" } else { "s" }
        ),
        EventKind::VoteClosed {
            purpose,
            tally,
            outcome,
            ..
        } => format!(
            "closed the {} vote: {} ({})",
            match purpose {
                VotePurpose::Creation => "creation",
                VotePurpose::Reversal => "reversal",
            },
            match outcome {
                Outcome::Approved => "approved",
                Outcome::Rejected => "rejected",
            },
            tally_text(tally)
        ),
        EventKind::Sponsored { role, .. } => format!("sponsored the group as {role}"),
        EventKind::Approved => "approved the group: it had enough sponsors".to_owned(),
        EventKind::Vetoed {
            outcome: VetoOutcome::ProposalVetoed,
        } => "vetoed the proposal".to_owned(),
        EventKind::Vetoed {
            outcome: VetoOutcome::GroupReversed,
        } => "vetoed the group: its creation is reversed".to_owned(),
        EventKind::VetoLifted => "lifted the veto".to_owned(),
        EventKind::Retired {
            cause: RetirementCause::Decision,
        } => "retired the group".to_owned(),
        EventKind::Retired { cause } => format!("retired the group: {cause}"),
        EventKind::RetirementCandidate { cause } => {
            format!("made the group a retirement candidate: {cause}")
        }
        EventKind::Kept => "kept the group; it is no longer a retirement candidate".to_owned(),
        EventKind::ChannelLinked { .. } => "opened the group's Discord channel".to_owned(),
        EventKind::ItemTracked { item } => format!("tracks {}", item_text(item)),
        EventKind::ItemCompleted { item, reason: None } => {
            format!("saw {} completed", item_text(item))
        }
        EventKind::ItemCompleted {
            item,
            reason: Some(r),
        } => format!("saw {} completed ({r})", item_text(item)),
        EventKind::ItemReopened { item } => format!("saw {} reopened", item_text(item)),
        EventKind::ItemActivity { item, seen_at } => {
            format!("saw activity on {} on {}", item_text(item), day(*seen_at))
        }
        EventKind::ItemUnreadable { item, .. } => {
            format!("cannot read {} for now", item_text(item))
        }
        EventKind::ItemReadable { item } => format!("can read {} again", item_text(item)),
        EventKind::ItemMoved { from, to } => format!(
            "follows {} at its new place, {}",
            item_text(from),
            item_text(to)
        ),
        EventKind::ItemDropped { item } => format!("stopped tracking {}", item_text(item)),
        EventKind::MaintenanceSet { on: true } => {
            "marked the WG as maintaining a project".to_owned()
        }
        EventKind::MaintenanceSet { on: false } => {
            "unmarked the WG as maintaining a project".to_owned()
        }
        EventKind::FacilitatorAdded { member } => {
            format!("added {} as a facilitator", names.person(*member))
        }
        EventKind::FacilitatorRemoved { member } => {
            format!("removed {} as a facilitator", names.person(*member))
        }
        EventKind::MaintainerAdded { member } => {
            format!("added {} as a maintainer", names.person(*member))
        }
        EventKind::MaintainerRemoved { member } => {
            format!("removed {} as a maintainer", names.person(*member))
        }
        EventKind::StatusPosted { text } => format!("posted a status: {text}"),
        EventKind::InactivityReminder { deadline, .. } => format!(
            "reminded the facilitators that the WG becomes a retirement candidate on {}",
            day(*deadline)
        ),
        EventKind::ConversationNoted { at } => {
            format!("noted conversation in the channel on {}", day(*at))
        }
        EventKind::MeetingRecorded { at, attendees } => format!(
            "recorded a meeting on {} with {} attendee{}",
            day(*at),
            attendees.len(),
            if attendees.len() == 1 { "" } else { "s" }
        ),
        EventKind::QuietReminder { .. } => {
            "reminded the facilitators that the IG has been quiet".to_owned()
        }
        EventKind::EffectDropped { .. } => {
            "gave up showing an earlier event on Discord (an operator's decision after it kept \
             failing)"
                .to_owned()
        }
    })
}

/// Who did it, as the history shows it: a sponsor is named only when ballots are public (the
/// approval that follows is the last sponsor's act, so it is the rule's then).
fn who(e: &Event, names: &Names, visibility: BallotVisibility) -> String {
    match &e.kind {
        EventKind::Sponsored { role, .. } if visibility != BallotVisibility::Public => {
            format!("a {role}")
        }
        EventKind::Approved if visibility != BallotVisibility::Public => {
            "the sponsorship rule".to_owned()
        }
        _ => names.actor(&e.actor),
    }
}

/// The audit log's kinds of the events that are decisions: what the feed carries.
pub const DECISION_KINDS: [&str; 6] = [
    "vote_closed",
    "approved",
    "vetoed",
    "veto_lifted",
    "retired",
    "withdrawn",
];

/// The decision an event is: a stable code and a few words ("created by vote"), if it is one.
pub fn decision(kind: &EventKind) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        EventKind::VoteClosed {
            purpose, outcome, ..
        } => match (purpose, outcome) {
            (VotePurpose::Creation, Outcome::Approved) => ("created_by_vote", "created by vote"),
            (VotePurpose::Creation, Outcome::Rejected) => ("rejected_by_vote", "rejected by vote"),
            (VotePurpose::Reversal, Outcome::Approved) => {
                ("reversed_by_vote", "creation reversed by vote")
            }
            (VotePurpose::Reversal, Outcome::Rejected) => (
                "reversal_rejected",
                "reversal rejected by vote; the group stays",
            ),
        },
        EventKind::Approved => ("created_by_sponsorship", "created by sponsorship"),
        EventKind::Vetoed {
            outcome: VetoOutcome::ProposalVetoed,
        } => ("vetoed", "vetoed"),
        EventKind::Vetoed {
            outcome: VetoOutcome::GroupReversed,
        } => ("reversed_by_veto", "creation reversed by veto"),
        EventKind::VetoLifted => ("veto_lifted", "veto lifted"),
        EventKind::Retired { .. } => ("retired", "retired"),
        EventKind::Withdrawn => ("withdrawn", "withdrawn by its proposer"),
        _ => return None,
    })
}

/// Why a decision was taken, as the site says it: the reason given, or for a retirement by
/// govbot its cause.
fn decision_reason(e: &Event) -> Option<String> {
    match (&e.kind, &e.reason) {
        (_, Some(r)) => Some(r.clone()),
        (EventKind::Retired { cause }, None) => {
            Some(format!("{cause}, and its grace period passed"))
        }
        _ => None,
    }
}

fn decision_tally(e: &Event) -> Option<String> {
    match &e.kind {
        EventKind::VoteClosed { tally, .. } => Some(tally_text(tally)),
        _ => None,
    }
}

/// Who took a decision: a vote is closed by govbot at its deadline, on the electorate's ballots;
/// an approval by sponsorship is the last sponsor's, named only when ballots are public.
fn decided_by(e: &Event, names: &Names, visibility: BallotVisibility) -> Option<String> {
    match (&e.kind, &e.actor) {
        (EventKind::VoteClosed { .. }, _) | (_, Actor::System) => None,
        (EventKind::Approved, _) if visibility != BallotVisibility::Public => None,
        (_, actor) => Some(names.actor(actor)),
    }
}

/// Everything the site shows about public group `s`, from its history `events`, with its ballots
/// shown as [`ballot_visibility`] says.
pub fn record(
    settings: &Settings,
    s: &StoredGroup,
    events: &[StoredEvent],
    names: &Names,
    recent: Option<&ActivitySummary>,
    weeks: &[WeekActivity],
) -> Record {
    let g = &s.group;
    let visibility = ballot_visibility(g.policy.ballot_visibility);
    let mut votes = Vec::new();
    let mut decisions = Vec::new();
    let mut history = Vec::new();
    // The group as each vote left it: a vote's final state is the group's `vote` just before the
    // next vote opens (or now), and its ballots the ones cast since it opened (the same events
    // the store's `ballots` rows project).
    let mut replayed: Option<Group> = None;
    let mut ballots = Ballots::default();
    for stored in events {
        let e = &stored.event;
        if let (EventKind::VoteOpened { .. }, Some(r)) = (&e.kind, &replayed) {
            if let Some(v) = &r.vote {
                votes.push(vote_view(v, &ballots, names));
            }
            ballots = Ballots::default();
        }
        if let EventKind::BallotCast { voter, choice } = &e.kind {
            ballots.push(Ballot {
                voter: *voter,
                choice: *choice,
                at: e.at,
            });
        }
        match replayed.as_mut() {
            Some(r) => r.apply(e),
            None => replayed = Group::from_proposal(e),
        }
        let shown = ballot_visibility(e.policy.ballot_visibility);
        if let Some((kind, what)) = decision(&e.kind) {
            decisions.push(Decision {
                at: e.at,
                seq: stored.seq,
                kind,
                what: what.to_owned(),
                by: decided_by(e, names, shown),
                reason: decision_reason(e),
                tally: decision_tally(e),
            });
        }
        if let Some(what) = what(e, names, shown) {
            history.push(Line {
                seq: stored.seq,
                at: e.at,
                who: who(e, names, shown),
                what,
                reason: e.reason.clone(),
            });
        }
    }
    if let Some(v) = replayed.as_ref().and_then(|r| r.vote.as_ref()) {
        votes.push(vote_view(v, &ballots, names));
    }
    let sponsors = (g.policy.approval == Approval::Sponsorship).then(|| {
        let count = |role| g.sponsors.iter().filter(|(_, r)| *r == role).count();
        let rule = g.policy.sponsorship;
        Sponsors {
            rule: format!(
                "{} core maintainer sponsor{} or {} lead maintainer sponsor{}",
                rule.core_maintainers,
                if rule.core_maintainers == 1 { "" } else { "s" },
                rule.lead_maintainers,
                if rule.lead_maintainers == 1 { "" } else { "s" }
            ),
            core_maintainers: count(Role::CoreMaintainer),
            lead_maintainers: count(Role::LeadMaintainer),
            names: if visibility == BallotVisibility::Public {
                g.sponsors.iter().map(|(m, _)| names.person(*m)).collect()
            } else {
                Vec::new()
            },
        }
    });
    let ended_by = match g.state {
        GroupState::Retired | GroupState::Reversed => decisions
            .iter()
            .rev()
            .find(|d| matches!(d.kind, "retired" | "reversed_by_vote" | "reversed_by_veto"))
            .cloned(),
        _ => None,
    };
    Record {
        group: summary(settings, s, names, recent, weeks),
        proposer: names.person(g.proposer),
        answers: g
            .template
            .answers()
            .into_iter()
            .map(|(f, text)| Answer {
                label: f.label(),
                text,
            })
            .collect(),
        last_status: g.last_status.as_ref().map(|(at, text)| Status {
            at: *at,
            text: text.clone(),
        }),
        ballots: visibility,
        votes,
        sponsors,
        decisions,
        ended_by,
        history,
    }
}

/// One entry of the decisions feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedEntry {
    /// A permanent id (a `tag:` URI) for the decision.
    pub id: String,
    pub at: Timestamp,
    pub title: String,
    pub summary: String,
    /// The group's page, at the decision when the group is public; relative to the site's root.
    pub link: String,
}

/// The feed entry for decision `e` (the `seq`-th event of group `id`, now `g`).
pub fn feed_entry(
    id: GroupId,
    seq: i64,
    g: &Group,
    e: &Event,
    names: &Names,
    tag: &str,
) -> Option<FeedEntry> {
    let (_, title) = decision(&e.kind)?;
    let public = super::privacy::Disclosure::of(g.state) == super::privacy::Disclosure::Public;
    let (title, summary, link) = if public {
        let by = decided_by(e, names, ballot_visibility(e.policy.ballot_visibility))
            .map(|by| format!("By {by}."))
            .unwrap_or_default();
        let why = decision_reason(e)
            .map(|r| format!(" Reason: {r}"))
            .unwrap_or_default();
        let tally = decision_tally(e)
            .map(|t| format!(" Tally: {t}."))
            .unwrap_or_default();
        (
            format!("{} ({}): {title}", g.name, g.kind.code()),
            format!("{by}{why}{tally}").trim().to_owned(),
            format!("{}#event-{seq}", page_path(id)),
        )
    } else {
        (
            format!("{} proposal #{}: {title}", g.kind.code(), id.0),
            "A proposal's details are public once its group is approved; this one is not (yet)."
                .to_owned(),
            page_path(id),
        )
    };
    Some(FeedEntry {
        id: format!("{tag}/group-{}/event-{seq}", id.0),
        at: e.at,
        title,
        summary,
        link,
    })
}
