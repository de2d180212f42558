//! What the vote, veto and group-channel templates are given: the vote message and its tally,
//! ballots, reminders, results, vetoes, a new group's opening and announcement, archiving notices
//! and the history.

use super::render::{render, template, RenderError, Rendered};
use super::views::Answer;
use crate::config::VoteReactions;
use crate::discord::markdown::{self, Markdown};
use crate::governance::{
    Actor, Ballots, Choice, Event, EventKind, Field, Group, GroupKind, MemberId, Outcome, Role,
    Threshold, Vote, VotePurpose,
};
use crate::store::{GroupId, PendingHead, StoredEvent};
use serde::Serialize;

fn ids(people: &[MemberId]) -> Vec<String> {
    people.iter().map(|m| m.0.to_string()).collect()
}

/// The rule a vote passes by, in words.
pub fn rule_text(t: Threshold) -> String {
    match t {
        Threshold::MajorityOfElectorate => {
            "approve from more than half of the electorate".to_owned()
        }
        Threshold::MajorityOfCast { quorum_percent } => format!(
            "more approve than reject among ballots cast, with at least {quorum_percent}% of the electorate voting"
        ),
    }
}

pub fn emoji_of(r: &VoteReactions, c: Choice) -> &str {
    match c {
        Choice::Yes => &r.approve,
        Choice::No => &r.reject,
        Choice::Abstain => &r.abstain,
    }
}

/// What a choice is called on buttons and in answers.
pub fn choice_label(c: Choice) -> &'static str {
    match c {
        Choice::Yes => "approve",
        Choice::No => "reject",
        Choice::Abstain => "abstain",
    }
}

/// The field that says what a group is for, and the one that says where it starts.
pub fn purpose_and_opener(g: &Group) -> (Option<Answer>, Option<Answer>) {
    let find = |field: Field| {
        g.template
            .answers()
            .into_iter()
            .find(|(f, _)| *f == field)
            .map(|(f, text)| Answer {
                label: f.label(),
                text,
            })
    };
    match g.kind {
        GroupKind::Ig => (find(Field::Differentiation), find(Field::FirstTopic)),
        GroupKind::Wg => (find(Field::UseCases), find(Field::FirstItem)),
    }
}

#[derive(Serialize)]
struct BallotView {
    voter: String,
    emoji: String,
}

#[derive(Serialize)]
struct VoteMessage<'a> {
    status: &'static str,
    reversal: bool,
    reason: Option<String>,
    id: i64,
    kind: &'static str,
    name: &'a str,
    proposer: String,
    facilitators: Vec<String>,
    /// The purpose's lines, quoted by the template.
    summary: Vec<String>,
    closes: i64,
    electorate: usize,
    rule: String,
    emoji: &'a VoteReactions,
    yes: u32,
    no: u32,
    abstain: u32,
    not_voted: usize,
    ballots: Vec<BallotView>,
    outcome: Option<&'static str>,
    ended: Option<Markdown>,
}

/// The vote message: open with its live tally, closed with its result, or ended early.
/// `ballots` are the vote's (at least each voter's last one).
pub fn vote_message(
    id: GroupId,
    g: &Group,
    vote: &Vote,
    ballots: &Ballots,
    reason: Option<String>,
    emoji: &VoteReactions,
) -> Result<Rendered, RenderError> {
    let tally = vote
        .result
        .as_ref()
        .map(|r| r.tally.clone())
        .unwrap_or_else(|| ballots.tally(vote));
    let (status, outcome, ended) = match (&vote.result, vote.cancelled_at) {
        (Some(r), _) => (
            "closed",
            Some(match r.outcome {
                Outcome::Approved => "approved",
                Outcome::Rejected => "rejected",
            }),
            None,
        ),
        (None, Some(_)) => (
            "ended",
            None,
            Some(match &g.veto {
                Some(v) => Markdown::trusted(format!(
                    "vetoed by <@{}>: {}",
                    v.by.0,
                    markdown::escape(&v.reason)
                )),
                None => Markdown::text(&format!("the group is now {}.", g.state.label())),
            }),
        ),
        (None, None) => ("open", None, None),
    };
    let (purpose, _) = purpose_and_opener(g);
    render(
        template!("vote_message"),
        VoteMessage {
            status,
            reversal: vote.purpose == VotePurpose::Reversal,
            reason,
            id: id.0,
            kind: g.kind.code(),
            name: &g.name,
            proposer: g.proposer.0.to_string(),
            facilitators: ids(&g.facilitators),
            summary: purpose
                .map(|a| {
                    super::render::truncate(&a.text, 300)
                        .lines()
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            closes: vote.closes_at.timestamp(),
            electorate: vote.electorate.len(),
            rule: rule_text(vote.rule.threshold),
            emoji,
            yes: tally.yes,
            no: tally.no,
            abstain: tally.abstain,
            not_voted: tally.not_voted.len(),
            ballots: ballots
                .standing(vote)
                .into_iter()
                .map(|(voter, c)| BallotView {
                    voter: voter.0.to_string(),
                    emoji: emoji_of(emoji, c).to_owned(),
                })
                .collect(),
            outcome,
            ended,
        },
    )
}

#[derive(Serialize)]
struct VoteCalled<'a> {
    reversal: bool,
    id: i64,
    kind: &'static str,
    name: &'a str,
    electorate: usize,
    closes: i64,
    channel: String,
}

pub fn vote_called(
    id: GroupId,
    g: &Group,
    vote: &Vote,
    channel: u64,
) -> Result<Rendered, RenderError> {
    render(
        template!("vote_called"),
        VoteCalled {
            reversal: vote.purpose == VotePurpose::Reversal,
            id: id.0,
            kind: g.kind.code(),
            name: &g.name,
            electorate: vote.electorate.len(),
            closes: vote.closes_at.timestamp(),
            channel: channel.to_string(),
        },
    )
}

#[derive(Serialize)]
struct BallotRecorded<'a> {
    id: i64,
    kind: &'static str,
    name: &'a str,
    choice: Option<&'static str>,
    closes: i64,
}

pub fn ballot_recorded(
    id: GroupId,
    g: &Group,
    vote: &Vote,
    choice: Option<Choice>,
) -> Result<Rendered, RenderError> {
    render(
        template!("ballot_recorded"),
        BallotRecorded {
            id: id.0,
            kind: g.kind.code(),
            name: &g.name,
            choice: choice.map(choice_label),
            closes: vote.closes_at.timestamp(),
        },
    )
}

#[derive(Serialize)]
struct Reminder<'a> {
    reversal: bool,
    id: i64,
    kind: &'static str,
    name: &'a str,
    closes: i64,
    not_voted: Vec<String>,
}

pub fn vote_reminder(
    id: GroupId,
    g: &Group,
    vote: &Vote,
    not_voted: &[MemberId],
) -> Result<Rendered, RenderError> {
    render(
        template!("vote_reminder"),
        Reminder {
            reversal: vote.purpose == VotePurpose::Reversal,
            id: id.0,
            kind: g.kind.code(),
            name: &g.name,
            closes: vote.closes_at.timestamp(),
            not_voted: ids(not_voted),
        },
    )
}

#[derive(Serialize)]
struct Stuck<'a> {
    id: i64,
    kind: &'static str,
    name: &'a str,
    event: i64,
    what: &'a str,
    fix: Markdown,
}

/// Tells the moderators that an effect needs a person (a permission, a deleted channel), and how
/// to fix it; `what` is the event's kind.
pub fn outbox_stuck(
    id: GroupId,
    g: &Group,
    event: i64,
    what: &str,
    fix: &str,
) -> Result<Rendered, RenderError> {
    render(
        template!("outbox_stuck"),
        Stuck {
            id: id.0,
            kind: g.kind.code(),
            name: &g.name,
            event,
            what,
            fix: markdown::composite(fix),
        },
    )
}

#[derive(Serialize)]
struct AuditHeadView<'a> {
    period: String,
    events: i64,
    head: &'a str,
    problem: Option<&'a str>,
}

/// The audit log's head for the moderators, once per period (docs/audit.md).
pub fn audit_head(h: &PendingHead) -> Result<Rendered, RenderError> {
    let period = chrono::DateTime::from_timestamp_millis(h.period_start).map_or_else(
        || h.period_start.to_string(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    );
    render(
        template!("audit_head"),
        AuditHeadView {
            period,
            events: h.events,
            head: &h.head,
            problem: h.problem.as_deref(),
        },
    )
}

#[derive(Serialize)]
struct VoteResult<'a> {
    reversal: bool,
    approved: bool,
    verdict: &'static str,
    id: i64,
    kind: &'static str,
    name: &'a str,
    yes: u32,
    no: u32,
    abstain: u32,
    not_voted: usize,
    electorate: u32,
    rule: String,
    closes: i64,
}

/// The result of a closed vote; `ballots` count only for a vote without its result recorded.
pub fn vote_result(
    id: GroupId,
    g: &Group,
    vote: &Vote,
    ballots: &Ballots,
) -> Result<Rendered, RenderError> {
    let result = vote.result.clone().unwrap_or_else(|| {
        let tally = ballots.tally(vote);
        let outcome = tally.outcome(vote.rule.threshold);
        crate::governance::VoteResult { tally, outcome }
    });
    let approved = result.outcome == Outcome::Approved;
    render(
        template!("vote_result"),
        VoteResult {
            reversal: vote.purpose == VotePurpose::Reversal,
            approved,
            verdict: if approved { "approved" } else { "rejected" },
            id: id.0,
            kind: g.kind.code(),
            name: &g.name,
            yes: result.tally.yes,
            no: result.tally.no,
            abstain: result.tally.abstain,
            not_voted: result.tally.not_voted.len(),
            electorate: result.tally.electorate,
            rule: rule_text(vote.rule.threshold),
            closes: vote.closes_at.timestamp(),
        },
    )
}

#[derive(Serialize)]
struct Veto<'a> {
    id: i64,
    kind: &'static str,
    name: &'a str,
    actor: String,
    reason: &'a str,
    lifted: bool,
    reversed: bool,
    restored: bool,
    vote_cancelled: bool,
}

/// A veto, or its lifting. `reversed`: the veto dissolved an active group; `restored`: lifting it
/// made the group active again.
pub struct VetoFacts<'a> {
    pub actor: MemberId,
    pub reason: &'a str,
    pub lifted: bool,
    pub reversed: bool,
    pub restored: bool,
    pub vote_cancelled: bool,
}

pub fn veto_notice(id: GroupId, g: &Group, f: VetoFacts<'_>) -> Result<Rendered, RenderError> {
    render(
        template!("veto_notice"),
        Veto {
            id: id.0,
            kind: g.kind.code(),
            name: &g.name,
            actor: f.actor.0.to_string(),
            reason: f.reason,
            lifted: f.lifted,
            reversed: f.reversed,
            restored: f.restored,
            vote_cancelled: f.vote_cancelled,
        },
    )
}

#[derive(Serialize)]
struct Opening<'a> {
    id: i64,
    kind: &'static str,
    kind_long: &'static str,
    name: &'a str,
    since: i64,
    facilitators: Vec<String>,
    maintainers: Vec<String>,
    purpose: Option<Answer>,
    opener: Option<Answer>,
}

/// The first message in a new group's channel: who runs it, what it is for, where it starts.
pub fn group_opening(id: GroupId, g: &Group) -> Result<Rendered, RenderError> {
    let (purpose, opener) = purpose_and_opener(g);
    render(
        template!("group_opening"),
        Opening {
            id: id.0,
            kind: g.kind.code(),
            kind_long: g.kind.long_name(),
            name: &g.name,
            since: g.active_since.unwrap_or(g.proposed_at).timestamp(),
            facilitators: ids(&g.facilitators),
            maintainers: ids(&g.maintainers),
            purpose,
            opener,
        },
    )
}

#[derive(Serialize)]
struct Announced<'a> {
    kind: &'static str,
    kind_long: &'static str,
    name: &'a str,
    channel: String,
    facilitators: Vec<String>,
    purpose: Option<Answer>,
}

pub fn group_announced(g: &Group, channel: u64) -> Result<Rendered, RenderError> {
    let (purpose, _) = purpose_and_opener(g);
    render(
        template!("group_announced"),
        Announced {
            kind: g.kind.code(),
            kind_long: g.kind.long_name(),
            name: &g.name,
            channel: channel.to_string(),
            facilitators: ids(&g.facilitators),
            purpose,
        },
    )
}

#[derive(Serialize)]
struct Archived<'a> {
    id: i64,
    kind: &'static str,
    name: &'a str,
    how: &'a str,
    at: i64,
    actor: Option<String>,
    reason: Option<String>,
    channel: Option<String>,
}

/// A group dissolved or retired: `how` says which ("was retired", "was dissolved").
pub fn group_archived(
    id: GroupId,
    g: &Group,
    how: &str,
    event: &Event,
) -> Result<Rendered, RenderError> {
    render(
        template!("group_archived"),
        Archived {
            id: id.0,
            kind: g.kind.code(),
            name: &g.name,
            how,
            at: event.at.timestamp(),
            actor: event.actor.id().map(|m| m.0.to_string()),
            reason: event.reason.clone().or_else(|| match &event.kind {
                crate::governance::EventKind::Retired { cause } => {
                    Some(format!("{cause}, and its grace period passed"))
                }
                _ => None,
            }),
            channel: g.channel.map(|c| c.to_string()),
        },
    )
}

#[derive(Serialize)]
struct HistoryLine {
    /// Unix seconds, shown as a Discord timestamp in the reader's time zone.
    at: i64,
    actor: Option<String>,
    /// govbot itself acted (a line with neither `actor` nor `system` names nobody).
    system: bool,
    what: Markdown,
    reason: Option<String>,
}

#[derive(Serialize)]
struct History<'a> {
    id: i64,
    kind: &'static str,
    name: &'a str,
    events: Vec<HistoryLine>,
    page: usize,
    pages: usize,
}

/// Lines on a page of `/group history`: 25 lines of up to ~200 characters stay well inside an
/// embed's 4,096.
pub const HISTORY_LINES: usize = 25;

/// What one event did, in words; members named in it are mentioned. Only the events whose words
/// hold member ids and nothing anyone typed get mentions, so a name typed as "member 12" stays text.
fn history_what(kind: &EventKind) -> Markdown {
    let when = |t: &crate::governance::Timestamp| format!("<t:{}:f>", t.timestamp());
    match kind {
        // Discord shows a channel mention as the channel's name, and a timestamp in the reader's
        // time zone.
        EventKind::ChannelLinked { channel } => {
            Markdown::trusted(format!("linked the channel <#{channel}>"))
        }
        EventKind::VoteOpened {
            purpose,
            electorate,
            closes_at,
            ..
        } => Markdown::trusted(format!(
            "opened a {} vote among {}, closing {}",
            match purpose {
                crate::governance::VotePurpose::Creation => "creation",
                crate::governance::VotePurpose::Reversal => "reversal",
            },
            match electorate.len() {
                1 => "1 moderator".to_string(),
                n => format!("{n} moderators"),
            },
            when(closes_at)
        )),
        EventKind::InactivityReminder { deadline, .. } => Markdown::trusted(format!(
            "reminded the facilitators that the WG becomes a retirement candidate {}",
            when(deadline)
        )),
        EventKind::FacilitatorAdded { .. }
        | EventKind::FacilitatorRemoved { .. }
        | EventKind::MaintainerAdded { .. }
        | EventKind::MaintainerRemoved { .. } => markdown::composite(&kind.to_string()),
        _ => Markdown::text(&kind.to_string()),
    }
}

/// A group's audit trail as `viewer` may see it. A ballot whose vote keeps ballots among
/// moderators ([`crate::governance::BallotVisibility`], frozen in the ballot's policy) is shown
/// to anyone else without its voter or choice, and a run of them as one line: the tally and the
/// result are in the vote's own lines. Page 1 is the newest [`HISTORY_LINES`] lines, page 2 the
/// ones before, and so on (a page past the last shows the oldest); each page in time order.
pub fn history(
    id: GroupId,
    g: &Group,
    events: &[StoredEvent],
    viewer: &Actor,
    page: usize,
) -> Result<Rendered, RenderError> {
    let at = |e: &StoredEvent| e.event.at.timestamp();
    let mut lines: Vec<HistoryLine> = Vec::new();
    let mut hidden_run = 0;
    for e in events {
        let hidden = matches!(e.event.kind, EventKind::BallotCast { .. })
            && !e.event.policy.ballot_visibility.shown_to(viewer);
        if hidden {
            hidden_run += 1;
            if hidden_run > 1 {
                lines.pop();
            }
            lines.push(HistoryLine {
                at: at(e),
                actor: None,
                system: false,
                what: Markdown::text(&format!(
                    "{hidden_run} ballot{} cast, changed or withdrawn (who voted what is \
                         shown to moderators, core and lead maintainers)",
                    if hidden_run == 1 { " was" } else { "s were" }
                )),
                reason: None,
            });
            continue;
        }
        hidden_run = 0;
        lines.push(HistoryLine {
            at: at(e),
            actor: e.event.actor.id().map(|m| m.0.to_string()),
            system: e.event.actor.id().is_none(),
            what: history_what(&e.event.kind),
            reason: e
                .event
                .reason
                .as_deref()
                .map(|r| super::render::truncate(r, 150)),
        });
    }
    let pages = lines.len().div_ceil(HISTORY_LINES).max(1);
    let page = page.clamp(1, pages);
    let end = lines.len().saturating_sub((page - 1) * HISTORY_LINES);
    let start = end.saturating_sub(HISTORY_LINES);
    render(
        template!("history"),
        History {
            id: id.0,
            kind: g.kind.code(),
            name: &g.name,
            events: lines.into_iter().skip(start).take(end - start).collect(),
            page,
            pages,
        },
    )
}

#[derive(Serialize)]
struct Done {
    text: Markdown,
}

/// A short private confirmation of what the caller just did, in govbot's Markdown: whatever
/// people typed inside it (a group's name) must be [`markdown::escape`]d by the caller.
pub fn done(text: Markdown) -> Result<Rendered, RenderError> {
    render(template!("action_done"), Done { text })
}

#[derive(Serialize)]
struct Sponsored<'a> {
    sponsor: String,
    id: i64,
    kind: &'static str,
    name: &'a str,
    role: String,
    approved: bool,
    core: usize,
    lead: usize,
    need_core: u8,
    need_lead: u8,
}

pub fn sponsored(
    id: GroupId,
    g: &Group,
    sponsor: MemberId,
    role: Role,
) -> Result<Rendered, RenderError> {
    let count = |r: Role| g.sponsors.iter().filter(|(_, x)| *x == r).count();
    render(
        template!("sponsored"),
        Sponsored {
            sponsor: sponsor.0.to_string(),
            id: id.0,
            kind: g.kind.code(),
            name: &g.name,
            role: role.to_string(),
            approved: g.active_since.is_some(),
            core: count(Role::CoreMaintainer),
            lead: count(Role::LeadMaintainer),
            need_core: g.policy.sponsorship.core_maintainers,
            need_lead: g.policy.sponsorship.lead_maintainers,
        },
    )
}

#[derive(Serialize)]
struct InactivityReminder<'a> {
    name: &'a str,
    facilitators: Vec<String>,
    last: i64,
    deadline: i64,
}

/// Reminds a WG's facilitators that the inactivity limit is near.
pub fn inactivity_reminder(
    g: &Group,
    deadline: chrono::DateTime<chrono::Utc>,
) -> Result<Rendered, RenderError> {
    render(
        template!("inactivity_reminder"),
        InactivityReminder {
            name: &g.name,
            facilitators: ids(&g.facilitators),
            last: (deadline - g.policy.wg_inactivity.to_chrono()).timestamp(),
            deadline: deadline.timestamp(),
        },
    )
}

#[derive(Serialize)]
struct Candidate<'a> {
    kind: &'static str,
    name: &'a str,
    cause: &'static str,
    inactivity: String,
    last: i64,
    grace_end: i64,
    facilitators: Vec<String>,
    items: Vec<ClosedItem>,
}

#[derive(Serialize)]
struct ClosedItem {
    item: String,
    how: String,
    done: bool,
}

/// A WG became a retirement candidate: why, and when it will be retired.
pub fn retirement_candidate(
    g: &Group,
    since: chrono::DateTime<chrono::Utc>,
    cause: crate::governance::RetirementCause,
) -> Result<Rendered, RenderError> {
    let inactivity = g.policy.wg_inactivity.to_chrono();
    render(
        template!("retirement_candidate"),
        Candidate {
            kind: g.kind.code(),
            name: &g.name,
            cause: match cause {
                crate::governance::RetirementCause::AllItemsCompleted => "all_items_completed",
                _ => "inactivity",
            },
            inactivity: g.policy.wg_inactivity.in_words(),
            last: crate::governance::wg_inactivity_deadline(g)
                .map_or(since - inactivity, |d| d - inactivity)
                .timestamp(),
            grace_end: (since + g.policy.wg_retirement_grace.to_chrono()).timestamp(),
            facilitators: ids(&g.facilitators),
            items: g
                .items
                .iter()
                .map(|i| ClosedItem {
                    item: i.item.to_string(),
                    how: i
                        .close_reason
                        .map_or_else(|| "completed".to_string(), |r| r.to_string()),
                    done: i.close_reason.is_none_or(|r| r.is_done()),
                })
                .collect(),
        },
    )
}

#[derive(Serialize)]
struct ItemUnreadable<'a> {
    kind: &'static str,
    id: i64,
    name: &'a str,
    item: String,
    reason: Markdown,
    fix: Markdown,
}

/// Tells the moderators, once, that govbot cannot read one of a WG's items, and what to do.
pub fn item_unreadable(
    id: GroupId,
    g: &Group,
    item: &crate::governance::ItemRef,
    reason: &str,
) -> Result<Rendered, RenderError> {
    // The reason is one of the sync's own messages (GitHubError, or "cannot follow …"), so its
    // wording says which fix applies.
    let fix = if reason.contains("(401)") || reason.contains("needs a GitHub token") {
        "set GITHUB_TOKEN to a valid token (read access to issues, pull requests and discussions) and restart govbot"
    } else if reason.contains("(403)") {
        "authorize the token for the organisation's SAML single sign-on, or give it access to the repository"
    } else if reason.contains("was deleted") {
        "track what replaced it with `/wg item add`"
    } else if reason.contains("not read from GitHub since") {
        "check `govbot check-config` (GitHub coverage) and the logs: GitHub's rate limit or an outage keeps govbot from reading it"
    } else if reason.contains("cannot follow") {
        "track it again as `manual: <link>` and record its activity with `/wg item touch`"
    } else {
        "give the token access to the repository (or make it public again), or track where the item lives now with `/wg item add`"
    };
    render(
        template!("item_unreadable"),
        ItemUnreadable {
            kind: g.kind.code(),
            id: id.0,
            name: &g.name,
            item: item.to_string(),
            reason: markdown::composite(reason),
            fix: Markdown::trusted(fix),
        },
    )
}

#[derive(Serialize)]
struct CandidacyDecided<'a> {
    kept: bool,
    actor: String,
    kind: &'static str,
    name: &'a str,
    how: Markdown,
    reason: Option<&'a str>,
}

/// The end of a candidacy: kept by a moderator (with the reason), or `how` it ended otherwise.
pub fn candidacy_decided(g: &Group, event: &Event, how: &str) -> Result<Rendered, RenderError> {
    render(
        template!("candidacy_decided"),
        CandidacyDecided {
            kept: matches!(event.kind, crate::governance::EventKind::Kept),
            actor: event
                .actor
                .id()
                .map(|m| m.0.to_string())
                .unwrap_or_default(),
            kind: g.kind.code(),
            name: &g.name,
            how: Markdown::trusted(how),
            reason: event.reason.as_deref(),
        },
    )
}

#[derive(Serialize)]
struct Quiet<'a> {
    for_moderators: bool,
    id: i64,
    name: &'a str,
    channel: String,
    since: i64,
    facilitators: Vec<String>,
}

/// A quiet IG: the reminder in its channel, or the note to moderators.
pub fn quiet_reminder(
    id: GroupId,
    g: &Group,
    for_moderators: bool,
) -> Result<Rendered, RenderError> {
    let since = crate::governance::ig_last_activity(g)
        .max(g.active_since)
        .unwrap_or(g.proposed_at);
    render(
        template!("quiet_reminder"),
        Quiet {
            for_moderators,
            id: id.0,
            name: &g.name,
            channel: g.channel.unwrap_or_default().to_string(),
            since: since.timestamp(),
            facilitators: ids(&g.facilitators),
        },
    )
}

#[derive(Serialize)]
struct Status<'a> {
    kind: &'static str,
    name: &'a str,
    text: &'a str,
    author: String,
    at: i64,
}

pub fn status_posted(g: &Group, event: &Event, text: &str) -> Result<Rendered, RenderError> {
    render(
        template!("status_posted"),
        Status {
            kind: g.kind.code(),
            name: &g.name,
            text,
            author: event
                .actor
                .id()
                .map(|m| m.0.to_string())
                .unwrap_or_default(),
            at: event.at.timestamp(),
        },
    )
}
