//! Votes: a frozen electorate, a window, ballots that can change until the close, and the tally.
//!
//! Every ballot is kept; the last one of each voter before the deadline counts. The result is
//! computed from the ballots and the electorate alone, as of the deadline.

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
    pub electorate: BTreeSet<MemberId>,
    pub rule: VoteRule,
    /// Every ballot in the order cast, changes and withdrawals included.
    pub ballots: Vec<Ballot>,
    pub result: Option<VoteResult>,
    /// When a veto or a retirement ended the vote before its deadline; it then has no result.
    #[serde(default)]
    pub cancelled_at: Option<Timestamp>,
    /// The reminder offsets already sent, so each point is reminded once, even across restarts.
    #[serde(default)]
    pub reminded: Vec<HumanDuration>,
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
            ballots: Vec::new(),
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

    /// The standing choice of each voter: their last ballot before the deadline.
    pub fn standing(&self) -> BTreeMap<MemberId, Choice> {
        let mut last = BTreeMap::new();
        for b in self
            .ballots
            .iter()
            .filter(|b| b.at < self.closes_at && self.electorate.contains(&b.voter))
        {
            match b.choice {
                Some(c) => last.insert(b.voter, c),
                None => last.remove(&b.voter),
            };
        }
        last
    }

    pub fn tally(&self) -> Tally {
        let standing = self.standing();
        let count = |c| standing.values().filter(|v| **v == c).count() as u32;
        Tally {
            yes: count(Choice::Yes),
            no: count(Choice::No),
            abstain: count(Choice::Abstain),
            electorate: self.electorate.len() as u32,
            not_voted: self
                .electorate
                .iter()
                .filter(|m| !standing.contains_key(m))
                .copied()
                .collect(),
        }
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
