//! Policy: every configurable rule in one value.
//!
//! A copy is frozen into each proposal when it is made and into each vote when it opens, so a
//! later change of configuration never alters a decision already running (GitVote snapshots its
//! configuration per vote for the same reason).

use super::roles::{Actor, Role};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// How a proposal becomes an active group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Approval {
    /// The spec's process: community moderators vote for the window.
    #[default]
    ModeratorVote,
    /// The later upstream process: enough core or lead maintainers sponsor the group.
    Sponsorship,
}

/// When a vote passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case", tag = "rule")]
pub enum Threshold {
    /// Yes ballots are more than half of the whole electorate ("majority positive vote by members").
    #[default]
    MajorityOfElectorate,
    /// More yes than no among ballots cast, provided at least `quorum_percent` of the electorate
    /// cast a ballot (abstentions count toward the quorum).
    MajorityOfCast { quorum_percent: u8 },
}

/// How many sponsors approve a group under [`Approval::Sponsorship`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sponsorship {
    pub core_maintainers: u8,
    pub lead_maintainers: u8,
}

impl Default for Sponsorship {
    fn default() -> Self {
        Sponsorship {
            core_maintainers: 2,
            lead_maintainers: 1,
        }
    }
}

/// Who is shown how each member voted. The tally and the result are shown to everyone either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BallotVisibility {
    /// The spec's: votes are cast in the private moderators' channel, so who voted what is shown
    /// there and to community moderators, core and lead maintainers, and to nobody else.
    #[default]
    Moderators,
    /// Everyone who can see a group's history or information sees its ballots.
    Public,
}

impl BallotVisibility {
    /// The roles that see ballots under [`BallotVisibility::Moderators`].
    pub const SEE_BALLOTS: [Role; 3] =
        [Role::Moderator, Role::CoreMaintainer, Role::LeadMaintainer];

    /// Whether `viewer` is shown who voted what in a vote held under this setting.
    pub fn shown_to(self, viewer: &Actor) -> bool {
        match self {
            BallotVisibility::Public => true,
            BallotVisibility::Moderators => {
                matches!(viewer, Actor::System) || viewer.has_any(&Self::SEE_BALLOTS)
            }
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            BallotVisibility::Moderators => "moderators",
            BallotVisibility::Public => "public",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    pub approval: Approval,
    pub sponsorship: Sponsorship,
    /// How long a vote stays open, from its absolute opening time.
    pub vote_window: HumanDuration,
    pub threshold: Threshold,
    /// Before the close, when to remind electorate members who have not voted.
    pub vote_reminders: Vec<HumanDuration>,
    /// A WG with no activity on its tracked items for this long becomes a retirement candidate.
    pub wg_inactivity: HumanDuration,
    /// Before the inactivity limit, when to remind a WG's facilitators.
    pub wg_inactivity_reminders: Vec<HumanDuration>,
    /// How long a retirement candidate has before it is retired.
    pub wg_retirement_grace: HumanDuration,
    /// An IG with neither conversation nor meeting for this long gets a reminder (never retired).
    pub ig_quiet_after: HumanDuration,
    /// Who is shown how each member voted; frozen into each vote when it opens.
    pub ballot_visibility: BallotVisibility,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            approval: Approval::ModeratorVote,
            sponsorship: Sponsorship::default(),
            vote_window: HumanDuration::hours(72),
            threshold: Threshold::MajorityOfElectorate,
            vote_reminders: vec![HumanDuration::hours(24)],
            wg_inactivity: HumanDuration::days(30),
            wg_inactivity_reminders: vec![HumanDuration::days(7), HumanDuration::days(2)],
            wg_retirement_grace: HumanDuration::days(7),
            ig_quiet_after: HumanDuration::days(30),
            ballot_visibility: BallotVisibility::Moderators,
        }
    }
}

impl Policy {
    /// Every rule that makes the policy unusable, as `(key, problem)` pairs; empty when valid.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.vote_window.secs == 0 {
            out.push(("vote_window", "must be longer than zero".to_string()));
        }
        for r in &self.vote_reminders {
            if r.secs == 0 || r.secs >= self.vote_window.secs {
                out.push((
                    "vote_reminders",
                    format!(
                        "{r} is not between zero and the vote window ({})",
                        self.vote_window
                    ),
                ));
            }
        }
        if self.wg_inactivity.secs == 0 {
            out.push(("wg_inactivity", "must be longer than zero".to_string()));
        }
        for r in &self.wg_inactivity_reminders {
            if r.secs == 0 || r.secs >= self.wg_inactivity.secs {
                out.push((
                    "wg_inactivity_reminders",
                    format!(
                        "{r} is not between zero and wg_inactivity ({})",
                        self.wg_inactivity
                    ),
                ));
            }
        }
        if self.ig_quiet_after.secs == 0 {
            out.push(("ig_quiet_after", "must be longer than zero".to_string()));
        }
        if let Threshold::MajorityOfCast { quorum_percent } = self.threshold {
            if !(1..=100).contains(&quorum_percent) {
                out.push((
                    "threshold.quorum_percent",
                    format!("{quorum_percent} is not a percentage from 1 to 100"),
                ));
            }
        }
        if self.sponsorship.core_maintainers == 0 && self.sponsorship.lead_maintainers == 0 {
            out.push((
                "sponsorship",
                "at least one of core_maintainers or lead_maintainers must be above zero".into(),
            ));
        }
        out
    }
}

/// A duration written for humans: `"72h"`, `"30d"`, `"1h 30m"`. Whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HumanDuration {
    pub secs: u64,
}

impl HumanDuration {
    pub const fn seconds(secs: u64) -> Self {
        HumanDuration { secs }
    }
    pub const fn hours(h: u64) -> Self {
        HumanDuration { secs: h * 3600 }
    }
    pub const fn days(d: u64) -> Self {
        HumanDuration { secs: d * 86_400 }
    }
    pub fn to_chrono(self) -> chrono::Duration {
        chrono::Duration::seconds(i64::try_from(self.secs).unwrap_or(i64::MAX / 1000))
    }
}

impl fmt::Display for HumanDuration {
    /// The largest unit that divides the duration exactly, except that periods under a week stay in
    /// hours, the way the spec writes them: `72h`, `30d`, `90m`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.secs;
        match s {
            0 => f.write_str("0s"),
            s if s % 86_400 == 0 && s >= 7 * 86_400 => write!(f, "{}d", s / 86_400),
            s if s % 3600 == 0 => write!(f, "{}h", s / 3600),
            s if s % 60 == 0 => write!(f, "{}m", s / 60),
            s => write!(f, "{s}s"),
        }
    }
}

impl HumanDuration {
    /// The duration as people read it on Discord: "72 hours", "30 days", "1 hour", "90 minutes";
    /// the same units as [`fmt::Display`] (which configuration files and the CLI use), in words.
    pub fn in_words(&self) -> String {
        let (n, unit) = match self.secs {
            s if s % 86_400 == 0 && s >= 7 * 86_400 => (s / 86_400, "day"),
            s if s % 3600 == 0 && s > 0 => (s / 3600, "hour"),
            s if s % 60 == 0 && s > 0 => (s / 60, "minute"),
            s => (s, "second"),
        };
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    }
}

impl FromStr for HumanDuration {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let d = humantime::parse_duration(s.trim()).map_err(|e| {
            format!("invalid duration {s:?} ({e}); write it like \"72h\", \"30d\" or \"1h 30m\"")
        })?;
        if d.subsec_nanos() != 0 {
            return Err(format!("invalid duration {s:?}: use whole seconds"));
        }
        // Ten years is far beyond any governance period and keeps arithmetic far from overflow.
        if d.as_secs() > 10 * 366 * 86_400 {
            return Err(format!("invalid duration {s:?}: longer than ten years"));
        }
        Ok(HumanDuration { secs: d.as_secs() })
    }
}

impl Serialize for HumanDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_as_humans_write_them_and_print_back() {
        for (text, secs, shown) in [
            ("72h", 259_200, "72h"),
            ("2d", 172_800, "48h"),
            ("30d", 2_592_000, "30d"),
            ("1h 30m", 5400, "90m"),
            ("45s", 45, "45s"),
        ] {
            let d: HumanDuration = text.parse().unwrap();
            assert_eq!(d.secs, secs, "{text}");
            assert_eq!(d.to_string(), shown);
            assert_eq!(shown.parse::<HumanDuration>().unwrap(), d);
        }
    }

    /// Discord shows durations in words: "30 days", never "30d" or "720h".
    #[test]
    fn durations_in_words_name_their_unit() {
        for (text, words) in [
            ("72h", "72 hours"),
            ("24h", "24 hours"),
            ("1h", "1 hour"),
            ("7d", "7 days"),
            ("30d", "30 days"),
            ("1h 30m", "90 minutes"),
            ("1s", "1 second"),
        ] {
            let d: HumanDuration = text.parse().unwrap();
            assert_eq!(d.in_words(), words, "{text}");
        }
    }

    #[test]
    fn bad_durations_are_refused_with_an_example() {
        for text in ["", "soon", "72", "-1h", "1.5ms", "20000d"] {
            let err = text.parse::<HumanDuration>().unwrap_err();
            assert!(err.contains(&format!("{text:?}")), "{err}");
        }
    }

    #[test]
    fn the_default_policy_is_valid_and_follows_the_spec() {
        let p = Policy::default();
        assert!(p.problems().is_empty());
        assert_eq!(p.vote_window, HumanDuration::hours(72));
        assert_eq!(p.wg_inactivity, HumanDuration::days(30));
        assert_eq!(p.threshold, Threshold::MajorityOfElectorate);
        assert_eq!(p.ballot_visibility, BallotVisibility::Moderators);
    }

    #[test]
    fn ballots_are_shown_to_moderators_and_maintainers_unless_public() {
        use super::super::ids::MemberId;
        let member = Actor::member(MemberId(1), []);
        let steering = Actor::member(MemberId(2), [Role::SteeringGroup]);
        let private = BallotVisibility::Moderators;
        assert!(!private.shown_to(&member));
        assert!(!private.shown_to(&steering));
        for role in BallotVisibility::SEE_BALLOTS {
            assert!(
                private.shown_to(&Actor::member(MemberId(3), [role])),
                "{role}"
            );
        }
        assert!(BallotVisibility::Public.shown_to(&member));
    }

    #[test]
    fn a_policy_stored_before_ballot_visibility_existed_keeps_ballots_private() {
        let mut json = serde_json::to_value(Policy::default()).unwrap();
        json.as_object_mut().unwrap().remove("ballot_visibility");
        let p: Policy = serde_json::from_value(json).unwrap();
        assert_eq!(p.ballot_visibility, BallotVisibility::Moderators);
    }

    #[test]
    fn an_impossible_policy_names_each_problem() {
        let p = Policy {
            vote_window: HumanDuration::hours(1),
            vote_reminders: vec![HumanDuration::hours(2)],
            threshold: Threshold::MajorityOfCast { quorum_percent: 0 },
            ..Policy::default()
        };
        let keys: Vec<_> = p.problems().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["vote_reminders", "threshold.quorum_percent"]);
    }
}
