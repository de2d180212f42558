//! Votes: a frozen electorate, a window, ballots that can change until the close, and the tally.
//!
//! Every ballot is kept; the last one of each voter before the deadline counts. The result is
//! computed from the ballots and the electorate alone, as of the deadline.
//!
//! A vote's ballots are not part of its group's state: they are [`Ballots`], a fold of the vote's
//! `BallotCast` events of their own. A vote of thousands is thousands of ballots, and a ballot must
//! cost the same whatever the size of the vote, so the store keeps one row per ballot and a count
//! per vote, and a ballot writes a row, not the group. [`decide`](super::decide) is given the
//! ballots its command reads ([`Command::ballots_read`](super::Command::ballots_read)): the acting
//! voter's last one for a ballot, every voter's last one to close or remind.

use super::event::{Event, EventKind};
use super::ids::{MemberId, Timestamp};
use super::policy::{BallotVisibility, HumanDuration, Policy, Threshold};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Yes,
    No,
    Abstain,
}

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Choice::Yes => "yes",
            Choice::No => "no",
            Choice::Abstain => "abstain",
        })
    }
}

/// What a vote decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VotePurpose {
    /// Whether a proposal becomes an active group.
    Creation,
    /// Whether an active group's creation is reversed.
    Reversal,
}

/// The rules of one vote, frozen when it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteRule {
    pub window: HumanDuration,
    pub threshold: Threshold,
    /// Before the close, when to remind electorate members who have not voted.
    pub reminders: Vec<HumanDuration>,
    /// Who is shown how each member voted. Votes opened before the setting existed were held in
    /// the moderators' channel, so they stay private.
    #[serde(default)]
    pub ballot_visibility: BallotVisibility,
}

/// One ballot as cast; `choice: None` is a withdrawn ballot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ballot {
    pub voter: MemberId,
    pub choice: Option<Choice>,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub purpose: VotePurpose,
    pub opened_at: Timestamp,
    pub closes_at: Timestamp,
    #[serde(deserialize_with = "member_set")]
    pub electorate: BTreeSet<MemberId>,
    pub rule: VoteRule,
    pub result: Option<VoteResult>,
    /// When a veto or a retirement ended the vote before its deadline; it then has no result.
    #[serde(default)]
    pub cancelled_at: Option<Timestamp>,
    /// The reminder offsets already sent, so each point is reminded once, even across restarts.
    #[serde(default)]
    pub reminded: Vec<HumanDuration>,
}

/// Reads a set of members (an electorate, kept sorted) in one pass: collected, then built in bulk,
/// instead of inserted one by one. A group's state is read for every decision on it, and an
/// electorate can be thousands long.
pub(super) fn member_set<'de, D>(d: D) -> Result<BTreeSet<MemberId>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Ok(Vec::<MemberId>::deserialize(d)?.into_iter().collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approved,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteResult {
    pub tally: Tally,
    pub outcome: Outcome,
}

/// The count of the ballots that stand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
    pub electorate: u32,
    /// Electorate members with no standing ballot.
    pub not_voted: Vec<MemberId>,
}

impl Tally {
    pub fn cast(&self) -> u32 {
        self.yes + self.no + self.abstain
    }

    /// Whether the tally passes the threshold. Ties fail under both rules.
    pub fn outcome(&self, threshold: Threshold) -> Outcome {
        let passes = match threshold {
            Threshold::MajorityOfElectorate => u64::from(self.yes) * 2 > u64::from(self.electorate),
            Threshold::MajorityOfCast { quorum_percent } => {
                let quorum_met = u64::from(self.cast()) * 100
                    >= u64::from(quorum_percent) * u64::from(self.electorate);
                quorum_met && self.yes > self.no
            }
        };
        if passes {
            Outcome::Approved
        } else {
            Outcome::Rejected
        }
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} yes, {} no, {} abstain, {} of {} not voted",
            self.yes,
            self.no,
            self.abstain,
            self.not_voted.len(),
            self.electorate
        )
    }
}

impl VoteRule {
    pub fn from_policy(policy: &Policy) -> Self {
        VoteRule {
            window: policy.vote_window,
            threshold: policy.threshold,
            reminders: policy.vote_reminders.clone(),
            ballot_visibility: policy.ballot_visibility,
        }
    }

    /// Writes this vote's frozen values over `policy`, giving the rules in force during the vote.
    pub fn overlay(&self, policy: &mut Policy) {
        policy.vote_window = self.window;
        policy.threshold = self.threshold;
        policy.vote_reminders = self.reminders.clone();
        policy.ballot_visibility = self.ballot_visibility;
    }
}

impl Vote {
    pub fn open(
        purpose: VotePurpose,
        electorate: BTreeSet<MemberId>,
        rule: VoteRule,
        now: Timestamp,
    ) -> Self {
        Vote {
            purpose,
            opened_at: now,
            closes_at: now + rule.window.to_chrono(),
            electorate,
            rule,
            result: None,
            cancelled_at: None,
            reminded: Vec::new(),
        }
    }

    /// The instant of each reminder offset not yet sent, earliest first.
    pub fn pending_reminders(&self) -> Vec<(HumanDuration, Timestamp)> {
        let mut points: Vec<_> = self
            .rule
            .reminders
            .iter()
            .filter(|r| !self.reminded.contains(r))
            .map(|r| (*r, self.closes_at - r.to_chrono()))
            .collect();
        points.sort_by_key(|(_, at)| *at);
        points
    }

    /// The reminder offsets whose time has come at `now` while the vote is still open. After
    /// downtime several may be due at once; they are sent together, as one reminder.
    pub fn due_reminders(&self, now: Timestamp) -> Vec<HumanDuration> {
        if !self.is_open_at(now) {
            return Vec::new();
        }
        self.pending_reminders()
            .into_iter()
            .filter(|(_, at)| *at <= now)
            .map(|(r, _)| r)
            .collect()
    }

    /// Open until the instant before `closes_at`: a ballot at exactly the deadline is too late.
    pub fn is_open_at(&self, at: Timestamp) -> bool {
        self.result.is_none() && self.cancelled_at.is_none() && at < self.closes_at
    }
}

/// How many standing ballots each choice has: what the store keeps beside each vote, so showing
/// a tally or checking reactions reads one row, not every ballot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
}

impl Counts {
    pub fn of(&self, choice: Choice) -> u32 {
        match choice {
            Choice::Yes => self.yes,
            Choice::No => self.no,
            Choice::Abstain => self.abstain,
        }
    }

    fn slot(&mut self, choice: Choice) -> &mut u32 {
        match choice {
            Choice::Yes => &mut self.yes,
            Choice::No => &mut self.no,
            Choice::Abstain => &mut self.abstain,
        }
    }

    /// The counts once a voter's standing choice goes from `from` to `to` (`None`: no ballot).
    pub fn moved(mut self, from: Option<Choice>, to: Option<Choice>) -> Counts {
        if let Some(c) = from {
            let n = self.slot(c);
            *n = n.saturating_sub(1);
        }
        if let Some(c) = to {
            *self.slot(c) += 1;
        }
        self
    }

    pub fn cast(&self) -> u32 {
        self.yes + self.no + self.abstain
    }
}

/// The ballots of one vote in the order cast, changes and withdrawals included.
///
/// In memory it is the whole record, a fold of the vote's events ([`Ballots::apply`]). A caller
/// that keeps ballots elsewhere (the store) hands [`decide`](super::decide) only the part its
/// command reads ([`Command::ballots_read`](super::Command::ballots_read)): each voter's last
/// ballot answers every question below exactly as the whole record does for that voter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ballots(Vec<Ballot>);

impl Ballots {
    /// No ballots: what a command that reads none is given.
    pub const NONE: Ballots = Ballots(Vec::new());

    pub fn new(ballots: Vec<Ballot>) -> Ballots {
        Ballots(ballots)
    }

    pub fn push(&mut self, ballot: Ballot) {
        self.0.push(ballot);
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Ballot> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether a ballot counts in `vote`: cast before its deadline by a member of its electorate.
    fn counts_in(vote: &Vote, b: &Ballot) -> bool {
        b.at < vote.closes_at && vote.electorate.contains(&b.voter)
    }

    /// `voter`'s standing choice in `vote`: their last ballot before the deadline (`None` when
    /// they have none or withdrew it).
    pub fn choice_of(&self, vote: &Vote, voter: MemberId) -> Option<Choice> {
        self.0
            .iter()
            .rev()
            .find(|b| b.voter == voter && Self::counts_in(vote, b))
            .and_then(|b| b.choice)
    }

    /// The standing choice of each voter: their last ballot before the deadline.
    pub fn standing(&self, vote: &Vote) -> BTreeMap<MemberId, Choice> {
        let mut last = BTreeMap::new();
        for b in self.0.iter().filter(|b| Self::counts_in(vote, b)) {
            match b.choice {
                Some(c) => last.insert(b.voter, c),
                None => last.remove(&b.voter),
            };
        }
        last
    }

    pub fn counts(&self, vote: &Vote) -> Counts {
        self.standing(vote)
            .values()
            .fold(Counts::default(), |n, c| n.moved(None, Some(*c)))
    }

    pub fn tally(&self, vote: &Vote) -> Tally {
        let standing = self.standing(vote);
        let count = |c| standing.values().filter(|v| **v == c).count() as u32;
        Tally {
            yes: count(Choice::Yes),
            no: count(Choice::No),
            abstain: count(Choice::Abstain),
            electorate: vote.electorate.len() as u32,
            not_voted: vote
                .electorate
                .iter()
                .filter(|m| !standing.contains_key(m))
                .copied()
                .collect(),
        }
    }

    /// Applies one event of the group: a vote opening starts a new, empty record; a ballot joins
    /// it. Every other event leaves the ballots alone.
    pub fn apply(&mut self, event: &Event) {
        match &event.kind {
            EventKind::VoteOpened { .. } => self.0.clear(),
            EventKind::BallotCast { voter, choice } => self.0.push(Ballot {
                voter: *voter,
                choice: *choice,
                at: event.at,
            }),
            _ => {}
        }
    }

    /// The ballots of the last vote in a group's history.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Ballots {
        let mut ballots = Ballots::default();
        for e in events {
            ballots.apply(e);
        }
        ballots
    }
}

impl FromIterator<Ballot> for Ballots {
    fn from_iter<I: IntoIterator<Item = Ballot>>(iter: I) -> Self {
        Ballots(iter.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a Ballots {
    type Item = &'a Ballot;
    type IntoIter = std::slice::Iter<'a, Ballot>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(yes: u32, no: u32, abstain: u32, electorate: u32) -> Tally {
        Tally {
            yes,
            no,
            abstain,
            electorate,
            not_voted: Vec::new(),
        }
    }

    /// One row per case of the threshold rules: (yes, no, abstain, electorate, threshold, outcome).
    #[test]
    fn threshold_table() {
        use Outcome::*;
        let elect = Threshold::MajorityOfElectorate;
        let cast50 = Threshold::MajorityOfCast { quorum_percent: 50 };
        let rows = [
            // Majority of the electorate: yes must be more than half of all members.
            (3, 0, 0, 5, elect, Approved),
            (2, 0, 3, 5, elect, Rejected),
            (2, 2, 0, 4, elect, Rejected), // a tie fails
            (2, 0, 0, 4, elect, Rejected), // exactly half is not more than half
            (3, 1, 0, 4, elect, Approved),
            (0, 0, 0, 1, elect, Rejected),
            (1, 0, 0, 1, elect, Approved),
            // Majority of ballots cast, with a quorum of half the electorate.
            (2, 1, 0, 6, cast50, Approved),
            (2, 0, 0, 6, cast50, Rejected), // quorum not met
            (2, 2, 1, 6, cast50, Rejected), // a tie fails
            (1, 0, 2, 6, cast50, Approved), // abstentions count toward the quorum only
            (0, 0, 3, 6, cast50, Rejected),
        ];
        for (yes, no, abstain, electorate, threshold, want) in rows {
            assert_eq!(
                tally(yes, no, abstain, electorate).outcome(threshold),
                want,
                "{yes} yes, {no} no, {abstain} abstain of {electorate} under {threshold:?}"
            );
        }
    }
}
