//! Property tests of the governance core over random histories.
//!
//! Each case proposes a random valid IG or WG, then applies a random sequence of commands (every
//! `Command` variant) from a small pool of members with random roles, and from govbot itself,
//! while time moves forward by random amounts: seconds to weeks, and sometimes to just before, at
//! or just after a vote deadline, a grace period's end or an inactivity deadline. Refusals are
//! expected; they must change nothing. The configuration in force also changes between steps, so
//! the frozen-policy rules are exercised.

use crate::common::t0;
use chrono::Duration;
use govbot::governance::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::collections::{BTreeMap, BTreeSet, HashSet};

const POOL: [MemberId; 5] = [
    MemberId(1),
    MemberId(2),
    MemberId(3),
    MemberId(4),
    MemberId(5),
];
/// Never holds a role and is never in the pool: an outsider.
const OUTSIDER: MemberId = MemberId(99);
/// Actor index that stands for govbot itself.
const SYSTEM: usize = POOL.len();

/// Valid configurations the operator may switch between at any time.
fn policies() -> Vec<Policy> {
    let short = Policy {
        vote_window: HumanDuration::hours(1),
        vote_reminders: vec![HumanDuration::seconds(1800)],
        threshold: Threshold::MajorityOfCast { quorum_percent: 34 },
        wg_inactivity: HumanDuration::days(2),
        wg_inactivity_reminders: vec![HumanDuration::days(1)],
        wg_retirement_grace: HumanDuration::days(1),
        ig_quiet_after: HumanDuration::days(2),
        ..Policy::default()
    };
    let ps = vec![
        Policy::default(),
        Policy {
            approval: Approval::Sponsorship,
            ..Policy::default()
        },
        Policy {
            vote_window: HumanDuration::hours(48),
            threshold: Threshold::MajorityOfCast { quorum_percent: 50 },
            ..Policy::default()
        },
        short.clone(),
        Policy {
            approval: Approval::Sponsorship,
            sponsorship: Sponsorship {
                core_maintainers: 1,
                lead_maintainers: 0,
            },
            ..short
        },
        // Several vote reminders, listed out of order, so that downtime can skip more than one.
        Policy {
            vote_reminders: vec![
                HumanDuration::hours(1),
                HumanDuration::hours(48),
                HumanDuration::hours(24),
            ],
            ..Policy::default()
        },
    ];
    for p in &ps {
        assert!(p.problems().is_empty(), "{p:?}");
    }
    ps
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// How far time moves before a step.
#[derive(Debug, Clone, Copy)]
enum Advance {
    Secs(i64),
    /// To the running vote's deadline plus this many seconds (or not at all).
    VoteDeadline(i64),
    /// To the end of the retirement candidate's grace period plus this many seconds.
    GraceEnd(i64),
    /// To the WG's inactivity deadline plus this many seconds.
    Inactivity(i64),
    /// To the running vote's next pending reminder point plus this many seconds.
    Reminder(i64),
    /// Past every pending reminder point of the running vote (downtime), plus this many seconds.
    LastReminder(i64),
    /// To `next_deadline` plus this many seconds: where the scheduler wakes up.
    NextDeadline(i64),
}

#[derive(Debug, Clone)]
enum CmdGen {
    Plain(Command),
    /// `CallVote` among the pool members who are moderators at that moment.
    CallVoteAmongModerators,
    /// `StartReversal` among the pool members who are moderators at that moment.
    ReversalAmongModerators(String),
    /// `RecordItemActivity` seen this many seconds before now (negative: in the future).
    Activity(ItemRef, i64),
    /// Whatever moves the group's lifecycle on from its current state, so that histories reach
    /// the later states often (the choice is used for ballots).
    Progress(Choice, u64),
}

/// Who gives a command.
#[derive(Debug, Clone, Copy)]
enum Who {
    /// Pool member `i`, or govbot itself for `SYSTEM`: often someone the rules refuse.
    Anyone(usize),
    /// The `k`-th (cyclically) of the actors the rules would let give the command now, so
    /// histories get far; anyone at all when nobody fits.
    Fit(usize),
}

#[derive(Debug, Clone)]
struct Step {
    who: Who,
    cmd: CmdGen,
    advance: Advance,
    policy: usize,
}

#[derive(Debug, Clone)]
struct Scenario {
    template: Template,
    proposer: usize,
    proposal_policy: usize,
    roles: Vec<BTreeSet<Role>>,
    steps: Vec<Step>,
}

fn template() -> impl Strategy<Value = Template> {
    (
        any::<bool>(),
        Just(POOL.to_vec()).prop_shuffle(),
        1usize..=2,
        0usize..=2,
        prop::sample::select(vec!["Registry", "Security in MCP", "Sécurité 安全", "SDKs"]),
        prop::sample::select(vec![
            "SEP-1234: Registry API",
            "https://github.com/modelcontextprotocol/registry/issues/7",
        ]),
    )
        .prop_map(|(wg, people, nf, nm, name, first_item)| {
            let kind = if wg { GroupKind::Wg } else { GroupKind::Ig };
            let mut draft = TemplateDraft::new(kind).name(name);
            for f in &people[..nf] {
                draft = draft.facilitator(*f);
            }
            for m in &people[nf..nf + nm] {
                draft = draft.maintainer(*m);
            }
            let draft = match kind {
                GroupKind::Wg => draft
                    .field(Field::UseCases, "Servers need to be discoverable")
                    .field(Field::FirstItem, first_item),
                GroupKind::Ig => draft
                    .field(Field::SimilarGroups, "None")
                    .field(Field::Differentiation, "Narrower")
                    .field(Field::FirstTopic, "Threat models"),
            };
            draft.validate().expect("generated templates are valid")
        })
}

fn roles() -> impl Strategy<Value = BTreeSet<Role>> {
    (
        prop::bool::weighted(0.5),
        prop::bool::weighted(0.35),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.3),
    )
        .prop_map(|(m, c, l, s)| {
            [
                (m, Role::Moderator),
                (c, Role::CoreMaintainer),
                (l, Role::LeadMaintainer),
                (s, Role::SteeringGroup),
            ]
            .into_iter()
            .filter_map(|(on, r)| on.then_some(r))
            .collect()
        })
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        1 => (0..=SYSTEM).prop_map(Who::Anyone),
        1 => (0..=SYSTEM).prop_map(Who::Fit),
    ]
}

fn someone() -> impl Strategy<Value = MemberId> {
    prop_oneof![
        9 => prop::sample::select(POOL.to_vec()),
        1 => Just(OUTSIDER),
    ]
}

fn advance() -> impl Strategy<Value = Advance> {
    prop_oneof![
        8 => Just(Advance::Secs(0)),
        8 => (1i64..120).prop_map(Advance::Secs),
        10 => (120i64..6 * 3600).prop_map(Advance::Secs),
        2 => (6 * 3600i64..4 * 86_400).prop_map(Advance::Secs),
        1 => (5 * 86_400i64..40 * 86_400).prop_map(Advance::Secs),
        2 => (-1i64..=1).prop_map(Advance::VoteDeadline),
        3 => (-1i64..=1).prop_map(Advance::GraceEnd),
        3 => (-1i64..=1).prop_map(Advance::Inactivity),
        2 => (-1i64..=1).prop_map(Advance::Reminder),
        2 => (0i64..=7200).prop_map(Advance::LastReminder),
        2 => (-1i64..=1).prop_map(Advance::NextDeadline),
    ]
}

fn command(template: Template) -> impl Strategy<Value = CmdGen> {
    let reason = prop_oneof![
        1 => Just(String::new()),
        1 => Just("   ".to_string()),
        6 => Just("because".to_string()),
        1 => Just("x".repeat(1001)),
    ];
    let item = prop::sample::select(vec![
        ItemRef::Sep(1234),
        ItemRef::Url("https://github.com/modelcontextprotocol/registry/issues/7".into()),
        ItemRef::Sep(1),
    ]);
    let electorate = prop::collection::btree_set(someone(), 0..=4);
    let status = prop::sample::select(vec![
        String::new(),
        "Shipped the draft".to_string(),
        "y".repeat(1001),
    ]);
    (
        0u32..129,
        (someone(), electorate, any::<bool>()),
        (
            prop_oneof![3 => Just(Choice::Yes), 1 => Just(Choice::No), 1 => Just(Choice::Abstain)],
            reason,
            item,
            -3600i64..40 * 86_400,
        ),
        (status, 1u64..4),
    )
        .prop_map(
            move |(pick, (member, electorate, flag), (choice, reason, item, back), (text, ch))| {
                use Command::*;
                let plain = |c| CmdGen::Plain(c);
                match pick {
                    125.. => plain(RemindVoters),
                    100.. => CmdGen::Progress(choice, ch),
                    0 => plain(Propose {
                        template: template.clone(),
                    }),
                    1 => plain(Withdraw),
                    2 => plain(Amend {
                        template: template.clone(),
                    }),
                    3..=8 => CmdGen::CallVoteAmongModerators,
                    9 => plain(CallVote { electorate }),
                    10..=31 => plain(Cast { choice }),
                    32..=33 => plain(WithdrawBallot),
                    34..=39 => plain(CloseVote),
                    40..=43 => plain(Sponsor),
                    44..=45 => plain(Veto { reason }),
                    46..=49 => plain(LiftVeto { reason }),
                    50..=52 => CmdGen::ReversalAmongModerators(reason),
                    53 => plain(StartReversal { reason, electorate }),
                    54..=55 => plain(Retire { reason }),
                    56..=60 => plain(FlagRetirementCandidate),
                    61..=64 => plain(RetireCandidate),
                    65..=68 => plain(Keep { reason }),
                    69 => plain(LinkChannel { channel: ch }),
                    70..=72 => plain(TrackItem { item }),
                    73..=75 => plain(CompleteItem {
                        item,
                        reason: CloseReason::Merged,
                    }),
                    76 => plain(DropItem { item }),
                    77 => plain(ReopenItem { item }),
                    78 => plain(MarkItemUnreadable { item, reason }),
                    79..=83 => CmdGen::Activity(item, back),
                    84..=85 => plain(SetMaintenance { on: flag }),
                    86..=87 => plain(AddFacilitator { member }),
                    88..=89 => plain(RemoveFacilitator { member }),
                    90..=91 => plain(AddMaintainer {
                        member,
                        in_steering_group: flag,
                    }),
                    92..=93 => plain(RemoveMaintainer { member }),
                    _ => plain(PostStatus { text }),
                }
            },
        )
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let n = policies().len();
    (
        template(),
        0..POOL.len(),
        0..n,
        prop::collection::vec(roles(), POOL.len()),
    )
        .prop_flat_map(move |(template, proposer, proposal_policy, roles)| {
            let step = (who(), command(template.clone()), advance(), 0..n).prop_map(
                |(who, cmd, advance, policy)| Step {
                    who,
                    cmd,
                    advance,
                    policy,
                },
            );
            prop::collection::vec(step, 1..=60).prop_map(move |steps| Scenario {
                template: template.clone(),
                proposer,
                proposal_policy,
                roles: roles.clone(),
                steps,
            })
        })
}

// ---------------------------------------------------------------------------------------------
// Running a scenario
// ---------------------------------------------------------------------------------------------

/// One step as it happened.
#[derive(Debug)]
struct Record {
    now: Timestamp,
    actor: Actor,
    command: Command,
    before: Group,
    result: Result<Vec<Event>, GovernanceError>,
    after: Group,
    /// The vote's ballots (kept beside the group) before and after this step.
    ballots_before: Ballots,
    ballots_after: Ballots,
    /// The whole history after this step.
    events_len: usize,
}

#[derive(Debug)]
struct Trace {
    events: Vec<Event>,
    records: Vec<Record>,
}

fn actor(s: &Scenario, i: usize) -> Actor {
    if i == SYSTEM {
        Actor::System
    } else {
        Actor::member(POOL[i], s.roles[i].iter().copied())
    }
}

/// Whether actor `i` may give `command` to `g` as far as roles and membership go.
fn fits(s: &Scenario, i: usize, command: &Command, g: &Group) -> bool {
    use Command::*;
    let a = actor(s, i);
    let id = a.id();
    let decider = a.has_any(&[Role::Moderator, Role::CoreMaintainer, Role::LeadMaintainer]);
    let runs_group = id.is_some_and(|m| g.is_facilitator_or_maintainer(m));
    match command {
        Propose { .. } => id.is_some(),
        Withdraw | Amend { .. } => id == Some(g.proposer),
        CallVote { .. } | StartReversal { .. } | Keep { .. } => a.has(Role::Moderator),
        Cast { .. } | WithdrawBallot | BallotOn { .. } => g
            .vote
            .as_ref()
            .is_some_and(|v| id.is_some_and(|m| v.electorate.contains(&m))),
        CloseVote
        | RemindVoters
        | RemindInactivity
        | RemindQuiet
        | NoteConversation { .. }
        | FlagRetirementCandidate
        | RetireCandidate
        | LinkChannel { .. }
        | NoteTemplateDeleted
        | MarkItemUnreadable { .. }
        | MarkItemReadable { .. }
        | MoveItem { .. }
        | DropEffect { .. } => a == Actor::System,
        Sponsor | Veto { .. } => a.has_any(&[Role::CoreMaintainer, Role::LeadMaintainer]),
        LiftVeto { .. } => a.has(Role::LeadMaintainer),
        Retire { .. }
        | SetMaintenance { .. }
        | AddFacilitator { .. }
        | RemoveFacilitator { .. }
        | AddMaintainer { .. }
        | RemoveMaintainer { .. } => decider,
        TrackItem { .. }
        | CompleteItem { .. }
        | ReopenItem { .. }
        | RecordItemActivity { .. }
        | DropItem { .. } => a == Actor::System || runs_group,
        PostStatus { .. } => runs_group,
        RecordMeeting { .. } => runs_group || decider,
    }
}

fn pick_actor(s: &Scenario, who: Who, command: &Command, g: &Group) -> Actor {
    match who {
        Who::Anyone(i) => actor(s, i),
        Who::Fit(k) => {
            let fitting: Vec<usize> = (0..=SYSTEM).filter(|i| fits(s, *i, command, g)).collect();
            if fitting.is_empty() {
                actor(s, k)
            } else {
                actor(s, fitting[k % fitting.len()])
            }
        }
    }
}

fn progress(s: &Scenario, g: &Group, now: Timestamp, choice: Choice, variant: u64) -> Command {
    let because = || "because".to_string();
    match g.state {
        GroupState::Proposed if g.policy.approval == Approval::Sponsorship => Command::Sponsor,
        GroupState::Proposed => Command::CallVote {
            electorate: moderators(s),
        },
        GroupState::UnderVote | GroupState::UnderReversalVote => match &g.vote {
            // What the scheduler would do first: remind the voters of every point that has come.
            Some(v) if !v.due_reminders(now).is_empty() => Command::RemindVoters,
            Some(v) if now < v.closes_at => Command::Cast { choice },
            _ => Command::CloseVote,
        },
        GroupState::Active if g.candidacy.is_some() => match variant % 2 {
            0 => Command::Keep { reason: because() },
            _ => Command::RetireCandidate,
        },
        GroupState::Active => match (variant % 4, g.kind) {
            (1, GroupKind::Wg) => Command::FlagRetirementCandidate,
            (1, GroupKind::Ig) => Command::Retire { reason: because() },
            (2, _) => Command::StartReversal {
                reason: because(),
                electorate: moderators(s),
            },
            (3, GroupKind::Wg) => match g.items.iter().find(|i| i.completed_at.is_none()) {
                Some(open) => Command::CompleteItem {
                    item: open.item.clone(),
                    reason: CloseReason::ByHand,
                },
                None => Command::ReopenItem {
                    item: g.items.first().map_or(ItemRef::Sep(1), |i| i.item.clone()),
                },
            },
            _ => Command::PostStatus {
                text: "Progress".into(),
            },
        },
        GroupState::Vetoed | GroupState::Reversed => Command::LiftVeto { reason: because() },
        GroupState::Rejected | GroupState::Withdrawn | GroupState::Retired => {
            Command::Veto { reason: because() }
        }
    }
}

fn moderators(s: &Scenario) -> BTreeSet<MemberId> {
    POOL.iter()
        .zip(&s.roles)
        .filter(|(_, r)| r.contains(&Role::Moderator))
        .map(|(m, _)| *m)
        .collect()
}

fn next_time(now: Timestamp, advance: Advance, g: &Group) -> Timestamp {
    let target = match advance {
        Advance::Secs(s) => Some(now + Duration::seconds(s)),
        Advance::VoteDeadline(off) => g
            .vote
            .as_ref()
            .filter(|v| v.result.is_none())
            .map(|v| v.closes_at + Duration::seconds(off)),
        Advance::GraceEnd(off) => g
            .candidacy
            .as_ref()
            .map(|c| c.since + g.policy.wg_retirement_grace.to_chrono() + Duration::seconds(off)),
        Advance::Inactivity(off) => wg_inactivity_deadline(g).map(|d| d + Duration::seconds(off)),
        Advance::Reminder(off) => g
            .running_vote()
            .and_then(|v| v.pending_reminders().first().map(|(_, at)| *at))
            .map(|at| at + Duration::seconds(off)),
        Advance::LastReminder(off) => g
            .running_vote()
            .and_then(|v| v.pending_reminders().last().map(|(_, at)| *at))
            .map(|at| at + Duration::seconds(off)),
        Advance::NextDeadline(off) => next_deadline(g).map(|t| t + Duration::seconds(off)),
    };
    target.map_or(now, |t| t.max(now))
}

fn run(s: &Scenario) -> Trace {
    let policies = policies();
    let proposer = Actor::member(POOL[s.proposer], s.roles[s.proposer].iter().copied());
    let mut events = decide(
        None,
        &Ballots::NONE,
        &Command::Propose {
            template: s.template.clone(),
        },
        &Acting::new(&proposer, t0(), &policies[s.proposal_policy]),
    )
    .expect("a member proposes a valid template");
    let mut group = replay(&events).expect("a proposal replays");
    let mut ballots = Ballots::default();
    let mut now = t0();
    let mut records = Vec::new();
    for step in &s.steps {
        now = next_time(now, step.advance, &group);
        let command = match &step.cmd {
            CmdGen::Plain(c) => c.clone(),
            CmdGen::CallVoteAmongModerators => Command::CallVote {
                electorate: moderators(s),
            },
            CmdGen::ReversalAmongModerators(reason) => Command::StartReversal {
                reason: reason.clone(),
                electorate: moderators(s),
            },
            CmdGen::Activity(item, back) => Command::RecordItemActivity {
                item: item.clone(),
                seen_at: now - Duration::seconds(*back),
            },
            CmdGen::Progress(choice, variant) => progress(s, &group, now, *choice, *variant),
        };
        let actor = pick_actor(s, step.who, &command, &group);
        let before = group.clone();
        let ballots_before = ballots.clone();
        let result = group.decide_and_apply(
            &mut ballots,
            &command,
            &Acting::new(&actor, now, &policies[step.policy]),
        );
        if let Ok(new) = &result {
            events.extend(new.iter().cloned());
        }
        records.push(Record {
            now,
            actor,
            command,
            before,
            result,
            after: group.clone(),
            ballots_before,
            ballots_after: ballots.clone(),
            events_len: events.len(),
        });
    }
    Trace { events, records }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        max_shrink_iters: 2048,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Independent oracles
// ---------------------------------------------------------------------------------------------

/// The tally of the latest vote in `events`, computed from the events alone: the last ballot
/// (before the deadline) of each electorate member counts; a withdrawal removes it.
fn independent_tally(events: &[Event]) -> Option<(Tally, Threshold, Timestamp)> {
    let start = events
        .iter()
        .rposition(|e| matches!(e.kind, EventKind::VoteOpened { .. }))?;
    let EventKind::VoteOpened {
        electorate,
        rule,
        closes_at,
        ..
    } = &events[start].kind
    else {
        unreachable!()
    };
    let mut standing: BTreeMap<MemberId, Choice> = BTreeMap::new();
    for e in &events[start + 1..] {
        if let EventKind::BallotCast { voter, choice } = &e.kind {
            if e.at < *closes_at && electorate.contains(voter) {
                match choice {
                    Some(c) => {
                        standing.insert(*voter, *c);
                    }
                    None => {
                        standing.remove(voter);
                    }
                }
            }
        }
    }
    let count = |c: Choice| standing.values().filter(|v| **v == c).count() as u32;
    let tally = Tally {
        yes: count(Choice::Yes),
        no: count(Choice::No),
        abstain: count(Choice::Abstain),
        electorate: electorate.len() as u32,
        not_voted: electorate
            .iter()
            .filter(|m| !standing.contains_key(m))
            .copied()
            .collect(),
    };
    Some((tally, rule.threshold, *closes_at))
}

/// The outcome by the written rule (DESIGN.md section 2), independent of `Tally::outcome`.
fn independent_outcome(t: &Tally, threshold: Threshold) -> Outcome {
    let approved = match threshold {
        Threshold::MajorityOfElectorate => 2 * t.yes > t.electorate,
        Threshold::MajorityOfCast { quorum_percent } => {
            let cast = t.yes + t.no + t.abstain;
            100 * cast >= u32::from(quorum_percent) * t.electorate && t.yes > t.no
        }
    };
    if approved {
        Outcome::Approved
    } else {
        Outcome::Rejected
    }
}

// ---------------------------------------------------------------------------------------------
// The scheduler's view
// ---------------------------------------------------------------------------------------------

/// Instants at which to ask the scheduler's questions about a state reached at `now`: now, around
/// the next deadline, and long after (downtime). Never before `now`: time does not go back.
fn scheduler_instants(g: &Group, now: Timestamp) -> Vec<Timestamp> {
    let mut ts = vec![now, now + Duration::days(400)];
    if let Some(t) = next_deadline(g) {
        for secs in [-1, 0, 1, 3600, 3 * 86_400, 45 * 86_400] {
            ts.push(t + Duration::seconds(secs));
        }
    }
    ts.retain(|t| *t >= now);
    ts.sort();
    ts.dedup();
    ts
}

/// Plays the scheduler on `g` at the fixed instant `at`: while `due_command` names something,
/// govbot does it. At every turn `next_deadline` and `due_command` must agree (a deadline at or
/// before `at` exactly when something is due; no deadline, nothing due), every due command must
/// be accepted, and the loop must end (the scheduler never spins).
fn play_scheduler(
    g: &Group,
    ballots: &Ballots,
    at: Timestamp,
    policy: &Policy,
) -> Result<(), TestCaseError> {
    let mut g = g.clone();
    let mut ballots = ballots.clone();
    let mut done: Vec<Command> = Vec::new();
    loop {
        let next = next_deadline(&g);
        let due = due_command(&g, at);
        match (next, &due) {
            (None, None) => {}
            (None, Some(c)) => {
                prop_assert!(false, "{:?} due at {} in state {} with no next deadline (after {:?})", c, at, g.state, done);
            }
            (Some(t), None) => prop_assert!(
                t > at,
                "next deadline {} has come at {} yet nothing is due (state {}, vote {:?}, candidacy {:?}, after {:?})",
                t, at, g.state, g.vote, g.candidacy, done
            ),
            (Some(t), Some(c)) => prop_assert!(
                t <= at,
                "{:?} due at {} but the next deadline is later, {} (state {}, after {:?})",
                c, at, t, g.state, done
            ),
        }
        let Some(command) = due else { return Ok(()) };
        prop_assert!(
            done.len() < 6,
            "the scheduler spins at {}: {:?} then {:?}",
            at,
            done,
            command
        );
        let before = g.clone();
        match g.decide_and_apply(
            &mut ballots,
            &command,
            &Acting::new(&Actor::System, at, policy),
        ) {
            Ok(events) => prop_assert!(!events.is_empty(), "{:?} accepted with no event", command),
            Err(e) => prop_assert!(
                false,
                "{:?} is due at {} but refused: {} (state {}, vote {:?}, after {:?})",
                command,
                at,
                e,
                before.state,
                before.vote,
                done
            ),
        }
        done.push(command);
    }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// (a) Replaying the history rebuilds the live state, at every step; a refusal changes nothing.
    #[test]
    fn replay_of_the_history_equals_the_live_state(s in scenario()) {
        let trace = run(&s);
        for r in &trace.records {
            match &r.result {
                Err(e) => {
                    prop_assert_eq!(&r.after, &r.before, "refused ({}) yet changed: {:?}", e, r.command);
                    prop_assert_eq!(&r.ballots_after, &r.ballots_before, "refused ({}) yet changed the ballots", e);
                }
                Ok(events) => prop_assert!(!events.is_empty(), "{:?} accepted with no event", r.command),
            }
            let replayed = replay(&trace.events[..r.events_len]).unwrap();
            prop_assert_eq!(&replayed, &r.after, "after {:?} by {}", r.command, r.actor);
            let ballots = Ballots::replay(&trace.events[..r.events_len]);
            prop_assert_eq!(&ballots, &r.ballots_after, "ballots after {:?} by {}", r.command, r.actor);
        }
        let last = trace.records.last().map_or_else(|| replay(&trace.events).unwrap(), |r| r.after.clone());
        prop_assert_eq!(replay(&trace.events).unwrap(), last);
    }

    /// (b) A vote's tally equals an independent count of the recorded ballots, and a closed vote's
    /// result is that count as of the deadline, judged by the vote's own frozen threshold.
    #[test]
    fn every_tally_matches_an_independent_count(s in scenario()) {
        let trace = run(&s);
        for r in &trace.records {
            let Some(vote) = &r.after.vote else { continue };
            let events = &trace.events[..r.events_len];
            let (want, threshold, closes_at) = independent_tally(events).expect("a vote was opened");
            let tally = r.ballots_after.tally(vote);
            prop_assert_eq!(&tally, &want, "after {:?}", r.command);
            prop_assert_eq!(
                (tally.yes + tally.no + tally.abstain) as usize + tally.not_voted.len(),
                vote.electorate.len()
            );
            prop_assert_eq!(vote.closes_at, closes_at);
            prop_assert_eq!(vote.rule.threshold, threshold);
            if let Some(result) = &vote.result {
                prop_assert_eq!(&result.tally, &want);
                prop_assert_eq!(result.outcome, independent_outcome(&want, threshold));
                let closed = events.iter().rev().find_map(|e| match &e.kind {
                    EventKind::VoteClosed { as_of, tally, outcome, .. } => Some((e.at, *as_of, tally, *outcome)),
                    _ => None,
                });
                let (at, as_of, closed_tally, outcome) = closed.expect("a result comes from a VoteClosed event");
                prop_assert_eq!(as_of, closes_at);
                prop_assert!(at >= closes_at, "closed at {} before its deadline {}", at, closes_at);
                prop_assert_eq!(closed_tally, &want);
                prop_assert_eq!(outcome, result.outcome);
            }
        }
    }

    /// (c) Nothing follows a terminal state except what the rules allow.
    #[test]
    fn terminal_states_only_leave_by_the_rules(s in scenario()) {
        let trace = run(&s);
        let mut ended: Option<GroupState> = None;
        for r in &trace.records {
            let st = r.before.state;
            if let Some(end) = ended {
                prop_assert_eq!(r.after.state, end, "{:?} left a final state", r.command);
            }
            match st {
                GroupState::Rejected | GroupState::Withdrawn | GroupState::Retired => {
                    prop_assert!(r.result.is_err(), "{:?} accepted in {}", r.command, st);
                    prop_assert_eq!(&r.after, &r.before);
                }
                GroupState::Reversed if r.before.veto.is_none() => {
                    prop_assert!(r.result.is_err(), "{:?} accepted after a reversal vote", r.command);
                    prop_assert_eq!(&r.after, &r.before);
                }
                GroupState::Vetoed | GroupState::Reversed => {
                    prop_assert!(r.before.veto.is_some(), "{} without a veto record", st);
                    match &r.result {
                        Err(_) => prop_assert_eq!(&r.after, &r.before),
                        Ok(events) => {
                            prop_assert!(matches!(r.command, Command::LiftVeto { .. }), "{:?} accepted in {}", r.command, st);
                            prop_assert!(r.actor.has(Role::LeadMaintainer), "{} lifted a veto", r.actor);
                            prop_assert_eq!(events.len(), 1);
                            prop_assert_eq!(&events[0].kind, &EventKind::VetoLifted);
                            let back = if st == GroupState::Vetoed { GroupState::Proposed } else { GroupState::Active };
                            prop_assert_eq!(r.after.state, back);
                            prop_assert!(r.after.veto.is_none());
                        }
                    }
                }
                _ => {}
            }
            let after = r.after.state;
            let final_state = matches!(after, GroupState::Rejected | GroupState::Withdrawn | GroupState::Retired)
                || (after == GroupState::Reversed && r.after.veto.is_none());
            if final_state {
                ended = Some(after);
            }
        }
    }

    /// (d1) Event times never decrease, and each is the time of the decision that made it.
    #[test]
    fn event_times_never_decrease(s in scenario()) {
        let trace = run(&s);
        for pair in trace.events.windows(2) {
            prop_assert!(pair[0].at <= pair[1].at, "{:?} then {:?}", pair[0], pair[1]);
        }
        for r in &trace.records {
            if let Ok(events) = &r.result {
                for e in events {
                    prop_assert_eq!(e.at, r.now);
                    prop_assert_eq!(&e.actor, &r.actor);
                }
            }
        }
    }

    /// (d2) Every event records a valid policy (see
    /// `a_vote_opened_under_a_new_config_records_a_valid_policy` in governance_rules.rs).
    #[test]
    fn every_event_records_a_valid_policy(s in scenario()) {
        let trace = run(&s);
        for e in &trace.events {
            prop_assert!(
                e.policy.problems().is_empty(),
                "{} at {} recorded an invalid policy: {:?}", e.kind.name(), e.at, e.policy.problems()
            );
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// (e) For every reachable state and any later instant, the scheduler's two questions agree:
    /// `next_deadline` is at or before that instant exactly when `due_command` names something
    /// (and `None` means nothing is ever due), and what `due_command` names `decide` accepts, so
    /// the scheduler can never spin on something it cannot do.
    #[test]
    fn next_deadline_and_due_command_agree(s in scenario()) {
        let trace = run(&s);
        let policies = policies();
        let first = replay(&trace.events[..1]).unwrap();
        for at in scheduler_instants(&first, t0()) {
            play_scheduler(&first, &Ballots::NONE, at, &policies[s.proposal_policy])?;
        }
        for (r, step) in trace.records.iter().zip(&s.steps) {
            for at in scheduler_instants(&r.after, r.now) {
                play_scheduler(&r.after, &r.ballots_after, at, &policies[step.policy])?;
            }
        }
    }

    /// (f) Each reminder point of a vote is reminded at most once, only by govbot, only once it has
    /// come and while the vote is open, naming exactly the electorate members with no standing
    /// ballot; every point due is covered by the one reminder (none left behind).
    #[test]
    fn vote_reminders_are_sent_once_each_while_the_vote_is_open(s in scenario()) {
        let trace = run(&s);
        for r in &trace.records {
            let Ok(events) = &r.result else { continue };
            for e in events {
                let EventKind::VoteReminder { before, not_voted } = &e.kind else { continue };
                prop_assert_eq!(&r.command, &Command::RemindVoters);
                prop_assert_eq!(&r.actor, &Actor::System);
                let vote = r.before.running_vote().expect("a reminder needs a running vote");
                prop_assert!(r.now < vote.closes_at, "reminded at {} after the close {}", r.now, vote.closes_at);
                prop_assert!(!before.is_empty());
                for offset in before {
                    prop_assert!(vote.rule.reminders.contains(offset), "{} is not one of {:?}", offset, vote.rule.reminders);
                    prop_assert!(!vote.reminded.contains(offset), "{} reminded twice", offset);
                    prop_assert!(vote.closes_at - offset.to_chrono() <= r.now, "{} reminded early at {}", offset, r.now);
                }
                let due_now: Vec<_> = vote.rule.reminders.iter()
                    .filter(|o| !vote.reminded.contains(o) && vote.closes_at - o.to_chrono() <= r.now)
                    .copied()
                    .collect();
                let mut sorted = before.clone();
                sorted.sort();
                let mut want = due_now;
                want.sort();
                prop_assert_eq!(sorted, want, "a reminder must cover every point due");
                prop_assert_eq!(not_voted, &r.ballots_before.tally(vote).not_voted);
                let after = r.after.vote.as_ref().unwrap();
                prop_assert_eq!(after.reminded.len(), vote.reminded.len() + before.len());
            }
        }
    }
}

/// The generator is not vacuous: with a fixed seed, the random histories reach every state and
/// accept every kind of event. Deterministic, so it cannot flake.
#[test]
fn random_histories_reach_every_state_and_event() {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = scenario();
    let mut states = HashSet::new();
    let mut kinds = HashSet::new();
    let mut caught_up = false;
    let mut due = HashSet::new();
    for _ in 0..256 {
        let s = strategy.new_tree(&mut runner).unwrap().current();
        let trace = run(&s);
        for r in &trace.records {
            states.insert(r.after.state);
            for at in scheduler_instants(&r.after, r.now) {
                if let Some(c) = due_command(&r.after, at) {
                    due.insert(format!("{c:?}"));
                }
            }
        }
        for e in &trace.events {
            kinds.insert(e.kind.name());
            if matches!(&e.kind, EventKind::VoteReminder { before, .. } if before.len() > 1) {
                caught_up = true;
            }
        }
    }
    for st in GroupState::ALL {
        assert!(states.contains(&st), "no history reached {st}");
    }
    let all_kinds = [
        "proposed",
        "withdrawn",
        "vote_opened",
        "ballot_cast",
        "vote_reminder",
        "vote_closed",
        "sponsored",
        "approved",
        "vetoed",
        "veto_lifted",
        "retired",
        "retirement_candidate",
        "kept",
        "channel_linked",
        "item_tracked",
        "item_completed",
        "item_reopened",
        "item_activity",
        "maintenance_set",
        "facilitator_added",
        "facilitator_removed",
        "maintainer_added",
        "maintainer_removed",
        "status_posted",
    ];
    for k in all_kinds {
        assert!(kinds.contains(k), "no history produced a {k} event");
    }
    assert!(
        caught_up,
        "no history sent one reminder for several points at once"
    );
    for c in [
        "CloseVote",
        "RemindVoters",
        "FlagRetirementCandidate",
        "RetireCandidate",
    ] {
        assert!(due.contains(c), "due_command never answered {c}: {due:?}");
    }
}
