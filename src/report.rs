//! Plain-text views of groups and their histories for the operator's terminal.

use crate::governance::{Actor, Ballots, Event, Group, MemberId, Timestamp};
use crate::store::{StoredEvent, StoredGroup};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Display names by member, as the store last saw them.
pub type Names = BTreeMap<MemberId, String>;

pub fn person(id: MemberId, names: &Names) -> String {
    match names.get(&id) {
        Some(name) => format!("{name} ({})", id.0),
        None => id.to_string(),
    }
}

pub fn people(ids: &[MemberId], names: &Names) -> String {
    if ids.is_empty() {
        return "none".to_string();
    }
    ids.iter()
        .map(|id| person(*id, names))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn when(t: Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn actor(a: &Actor, names: &Names) -> String {
    match a {
        Actor::System => "govbot".to_string(),
        Actor::Member { id, roles } if roles.is_empty() => person(*id, names),
        Actor::Member { id, roles } => {
            let roles: Vec<_> = roles.iter().map(|r| r.label()).collect();
            format!("{} [{}]", person(*id, names), roles.join(", "))
        }
    }
}

/// One line per group: id, kind, state, name, facilitators.
pub fn list(groups: &[StoredGroup], names: &Names) -> String {
    if groups.is_empty() {
        return "No groups match.\n".to_string();
    }
    let mut out = format!("{:>4}  {:<5}{:<21}{}\n", "ID", "KIND", "STATE", "NAME");
    for g in groups {
        let _ = writeln!(
            out,
            "{:>4}  {:<5}{:<21}{}  (facilitators: {})",
            g.id.0,
            g.group.kind.code(),
            g.group.state.label(),
            g.group.name,
            people(&g.group.facilitators, names)
        );
    }
    out
}

/// Everything known about one group.
/// One group; `ballots` are its vote's, if it has one.
pub fn show(stored: &StoredGroup, ballots: &Ballots, names: &Names) -> String {
    let g: &Group = &stored.group;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} '{}' (id {})",
        g.kind.long_name(),
        g.name,
        stored.id
    );
    let _ = writeln!(out, "State:         {}", g.state.label());
    let _ = writeln!(
        out,
        "Proposed:      {} by {}",
        when(g.proposed_at),
        person(g.proposer, names)
    );
    if let Some(t) = g.active_since {
        let _ = writeln!(out, "Active since:  {}", when(t));
    }
    if let Some(t) = g.ended_at {
        let _ = writeln!(out, "Ended:         {}", when(t));
    }
    let _ = writeln!(out, "Facilitators:  {}", people(&g.facilitators, names));
    let _ = writeln!(out, "Maintainers:   {}", people(&g.maintainers, names));
    if let Some(c) = g.channel {
        let _ = writeln!(out, "Channel:       {c}");
    }
    for (field, answer) in g.template.answers() {
        let _ = writeln!(
            out,
            "{}:\n  {}",
            field.label(),
            answer.replace('\n', "\n  ")
        );
    }
    if let Some(v) = &g.vote {
        let _ = writeln!(
            out,
            "Vote ({:?}): opened {}, closes {}; {}; {}",
            v.purpose,
            when(v.opened_at),
            when(v.closes_at),
            v.result
                .as_ref()
                .map_or_else(|| ballots.tally(v), |r| r.tally.clone()),
            match &v.result {
                Some(r) => format!("result: {:?}", r.outcome).to_lowercase(),
                None => "no result yet".to_string(),
            }
        );
    }
    if let Some(veto) = &g.veto {
        let _ = writeln!(
            out,
            "Veto:          by {} on {}: {}",
            person(veto.by, names),
            when(veto.at),
            veto.reason
        );
    }
    for item in &g.items {
        let _ = writeln!(
            out,
            "Tracked item:  {} (last activity {}{})",
            item.item,
            when(item.last_activity),
            if item.completed_at.is_some() {
                ", completed"
            } else {
                ""
            }
        );
    }
    if g.maintenance {
        let _ = writeln!(
            out,
            "Maintenance:   maintains a project; exempt from the inactivity rule"
        );
    }
    if let Some(c) = &g.candidacy {
        let _ = writeln!(
            out,
            "Retirement candidate since {}: {}",
            when(c.since),
            c.cause
        );
    }
    out
}

/// The audit trail in order: who, when, what, why.
pub fn history(stored: &StoredGroup, events: &[StoredEvent], names: &Names) -> String {
    let g = &stored.group;
    let mut out = format!("History of {} '{}' (id {})\n", g.kind, g.name, stored.id);
    for StoredEvent { seq, event, .. } in events {
        let Event {
            at,
            actor: who,
            reason,
            kind,
            ..
        } = event;
        let _ = writeln!(
            out,
            "#{seq:<3} {}  {}: {kind}",
            when(*at),
            actor(who, names)
        );
        if let Some(r) = reason {
            let _ = writeln!(out, "      reason: {r}");
        }
    }
    out
}
