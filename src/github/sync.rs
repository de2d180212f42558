//! The sync: every interval, each distinct item tracked by an active WG is read from GitHub once,
//! and what moved becomes governance, carried out as govbot through the store.
//!
//! - **Coverage.** Items are asked about least recently asked first, so a pass that GitHub's rate
//!   limit cuts short resumes where it stopped instead of starting again from the first WG; an
//!   item tracked by several WGs is read once; closed items are read again only daily
//!   ([`CLOSED_REREAD`]); without a token each item is asked with its last ETag, and with a token
//!   items are read [`BATCH`](super::graphql::BATCH) at a time through GraphQL.
//! - **Unreadable is not inactive.** An item GitHub refuses for good (401, 403, 404, 410), one govbot
//!   cannot follow at all, or one not read for two intervals for any reason, is marked unreadable
//!   with the reason; the moderators are told once, and the WG is not made an inactivity candidate
//!   until it is readable again or a person drops it.
//! - **State as GitHub has it.** Activity newer than recorded is `RecordItemActivity` (a person's
//!   activity through GraphQL, `updated_at` through REST); a close is `CompleteItem` with GitHub's
//!   reason; an item reopened on GitHub is reopened (unless a person marked it done by hand); an
//!   item GitHub moved is followed to its new place.

use super::{parse_item, to_activity, Fetched, GitHubClient, GitHubError, GitHubItem, ItemStatus};
use crate::clock::{jumped, Clock};
use crate::config::GitHub as Settings;
use crate::governance::{
    Acting, Actor, CloseReason, Command, GroupKind, GroupState, ItemRef, Policy, Timestamp,
    TrackedItem,
};
use crate::store::{GroupId, Store, StoreError, SyncOutcome, Target};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How often an item closed on GitHub is read again (to see it reopen).
pub const CLOSED_REREAD: chrono::Duration = chrono::Duration::days(1);

/// Requests an hour GitHub allows without a token ("Rate limits for the REST API").
pub const ANONYMOUS_PER_HOUR: u64 = 60;
/// GraphQL points an hour GitHub allows a personal access token.
pub const GRAPHQL_POINTS_PER_HOUR: u64 = 5_000;

/// How many items the budget lets the sync read per interval, against how many there are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coverage {
    pub items: usize,
    /// Items the budget reads per interval, fractions included (an interval shorter than the
    /// budget's hour may read less than one).
    capacity: f64,
}

impl Coverage {
    /// Items a budget covers per `interval`, keeping the client's tenth in reserve: anonymously
    /// one REST call per item (a 304 still costs one), with a token [`BATCH`]-item GraphQL
    /// queries.
    ///
    /// [`BATCH`]: super::graphql::BATCH
    pub fn of(items: usize, has_token: bool, interval: chrono::Duration) -> Coverage {
        let hours = interval.num_seconds().max(1) as f64 / 3600.0;
        // The client stops once less than a tenth of a budget is left.
        let usable = |limit: u64| limit - limit / 10 + 1;
        let per_hour = if has_token {
            let batch = super::graphql::BATCH as u64;
            usable(GRAPHQL_POINTS_PER_HOUR) / super::graphql::query_cost(batch as usize) * batch
        } else {
            usable(ANONYMOUS_PER_HOUR)
        };
        Coverage {
            items,
            capacity: per_hour as f64 * hours,
        }
    }

    /// Whole items read per interval.
    pub fn per_interval(&self) -> u64 {
        self.capacity.floor() as u64
    }

    pub fn is_complete(&self) -> bool {
        self.items as f64 <= self.capacity
    }

    /// How many intervals it takes to read every item once.
    pub fn intervals_to_read_all(&self) -> u64 {
        (self.items as f64 / self.capacity).ceil().max(1.0) as u64
    }
}

impl std::fmt::Display for Coverage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} tracked item{}; the budget reads up to {} per interval",
            self.items,
            if self.items == 1 { "" } else { "s" },
            self.per_interval()
        )?;
        if !self.is_complete() {
            write!(
                f,
                ", so each item is read only every {} intervals (set {} or lengthen sync_interval)",
                self.intervals_to_read_all(),
                super::TOKEN_VAR
            )?;
        }
        Ok(())
    }
}

/// The distinct items of active WGs the sync would read (manual items aside).
pub async fn tracked_items(store: &Store) -> anyhow::Result<usize> {
    let groups = store
        .list_in(Some(GroupKind::Wg), &GroupState::LIVE)
        .await?;
    let items: std::collections::BTreeSet<&ItemRef> = groups
        .iter()
        .flat_map(|g| g.group.items.iter().map(|t| &t.item))
        .filter(|i| !i.is_manual())
        .collect();
    Ok(items.len())
}

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Distinct items due this pass (tracked, readable in principle, not closed and read today).
    pub due: usize,
    /// Distinct items read (including "not modified").
    pub read: usize,
    /// Of those, answered "not modified" (304).
    pub not_modified: usize,
    /// HTTP requests sent to GitHub.
    pub requests: usize,
    /// Items whose newer activity was recorded (per WG).
    pub updated: usize,
    /// Items recorded as completed (per WG).
    pub completed: usize,
    /// Items reopened because GitHub says they are open again (per WG).
    pub reopened: usize,
    /// Items followed to a new place (per WG).
    pub moved: usize,
    /// Items newly marked unreadable (per WG).
    pub unreadable: usize,
    /// Items that could not be read this time, for a reason that may pass.
    pub failed: usize,
    /// Set when a rate limit stopped the pass: until when.
    pub paused_until: Option<Timestamp>,
}

/// One distinct item and every active WG that tracks it.
struct Due {
    item: ItemRef,
    github: GitHubItem,
    trackers: Vec<(GroupId, TrackedItem)>,
}

/// Reads every due item of every active WG, at most once each.
pub async fn pass(
    store: &Store,
    client: &GitHubClient,
    settings: &Settings,
    policy: &Policy,
    now: Timestamp,
) -> anyhow::Result<SyncReport> {
    let mut report = SyncReport::default();
    let ctx = Acting::new(&Actor::System, now, policy);
    let sync = Sync {
        store,
        ctx: &ctx,
        now,
        write_failed: AtomicBool::new(false),
    };
    let groups = store
        .list_in(Some(GroupKind::Wg), &GroupState::LIVE)
        .await?;
    let mut tracked: BTreeMap<ItemRef, Vec<(GroupId, TrackedItem)>> = BTreeMap::new();
    for g in &groups {
        for t in &g.group.items {
            tracked
                .entry(t.item.clone())
                .or_default()
                .push((g.id, t.clone()));
        }
    }
    let rows = store.github_sync_rows().await?;
    let mut due = Vec::new();
    for (item, trackers) in tracked {
        if item.is_manual() {
            continue;
        }
        let Some(github) = parse_item(&item, settings.sep_repo()) else {
            let reason = match (&item, item.followable()) {
                (ItemRef::Sep(_), _) => {
                    "govbot cannot follow SEPs: no `sep_repository` is set in the [github] section"
                        .to_string()
                }
                (_, Err(e)) => format!("govbot cannot follow {e}"),
                (_, Ok(_)) => "govbot cannot follow this reference".to_string(),
            };
            report.unreadable += sync.unreadable(&item, &trackers, &reason).await;
            continue;
        };
        if github.kind == super::ItemKind::Discussion && !client.has_token() {
            let reason = GitHubError::NeedsToken {
                what: format!("Reading the Discussion {github} (GitHub's GraphQL API)"),
            };
            report.unreadable += sync.unreadable(&item, &trackers, &reason.to_string()).await;
            continue;
        }
        let row = rows.get(&item).cloned().unwrap_or_default();
        let all_closed = trackers.iter().all(|(_, t)| t.completed_at.is_some());
        let read_recently = row.last_read_at.is_some_and(|r| now - r < CLOSED_REREAD);
        if all_closed && read_recently {
            continue;
        }
        due.push((
            row,
            Due {
                item,
                github,
                trackers,
            },
        ));
    }
    // Round robin: never asked first, then least recently asked.
    due.sort_by_key(|(row, _)| row.last_attempt_at);
    report.due = due.len();

    let mut read_now = Vec::new();
    if client.has_token() {
        for chunk in due.chunks(super::graphql::BATCH) {
            let items: Vec<GitHubItem> = chunk.iter().map(|(_, d)| d.github.clone()).collect();
            report.requests += 1;
            match client.fetch_batch(&items, now).await {
                Ok(answers) => {
                    for ((_, d), answer) in chunk.iter().zip(answers) {
                        let answer = match answer {
                            // GraphQL does not follow a transferred issue or a deleted one; REST
                            // answers 301 (followed) or 410, so one REST call tells which.
                            Err(GitHubError::NotFound { .. })
                                if d.github.kind != super::ItemKind::Discussion =>
                            {
                                report.requests += 1;
                                client.fetch(&d.github, None, now).await
                            }
                            answer => answer.map(|status| Fetched::Changed { status, etag: None }),
                        };
                        if sync.apply(d, answer, &mut report).await {
                            read_now.push(d.item.clone());
                        }
                    }
                }
                Err(GitHubError::RateLimited { until }) => {
                    report.paused_until = Some(until);
                    break;
                }
                Err(e) => {
                    for (_, d) in chunk {
                        sync.apply(d, Err(e.clone()), &mut report).await;
                    }
                    if !e.is_persistent() {
                        break;
                    }
                }
            }
        }
    } else {
        for (row, d) in &due {
            if let Some(until) = client.paused_until(now) {
                report.paused_until = Some(until);
                break;
            }
            report.requests += 1;
            match client.fetch(&d.github, row.etag.as_deref(), now).await {
                Err(GitHubError::RateLimited { until }) => {
                    report.paused_until = Some(until);
                    break;
                }
                answer => {
                    if sync.apply(d, answer, &mut report).await {
                        read_now.push(d.item.clone());
                    }
                }
            }
        }
    }

    // Not read for two intervals, whatever the reason: say so rather than let the clock run.
    let stale_after = settings.sync_interval.to_chrono() * 2;
    for (row, d) in &due {
        if read_now.contains(&d.item) {
            continue;
        }
        let since = row
            .last_read_at
            .or_else(|| d.trackers.iter().map(|(_, t)| t.added_at).min())
            .unwrap_or(now);
        if now - since >= stale_after {
            let fresh_row = store.github_sync_rows().await?.remove(&d.item);
            let why = fresh_row
                .and_then(|r| r.last_error)
                .map_or_else(String::new, |e| format!(" (last problem: {e})"));
            let reason = format!(
                "not read from GitHub since {}{why}",
                since.format("%Y-%m-%d %H:%M UTC")
            );
            report.unreadable += sync.unreadable(&d.item, &d.trackers, &reason).await;
        }
    }
    Ok(report)
}

/// What a pass carries to each item.
struct Sync<'a> {
    store: &'a Store,
    ctx: &'a Acting<'a>,
    now: Timestamp,
    /// Set when recording what GitHub said failed in the store (busy, I/O), as opposed to the
    /// core refusing it; the item's ETag is then not kept, so the next pass reads it in full
    /// instead of being told "not modified" about news that was never recorded.
    write_failed: AtomicBool,
}

impl Sync<'_> {
    /// Carries out `command` for `group` as govbot; whether it changed anything. Refusals (the WG
    /// changed meanwhile, nothing new) are expected and only logged at debug level.
    async fn execute(&self, group: GroupId, command: Command) -> bool {
        match self
            .store
            .execute(Target::Group(group), &command, self.ctx, None)
            .await
        {
            Ok(_) => true,
            Err(StoreError::Governance(e)) => {
                tracing::debug!(group = %group, "GitHub sync: {e}");
                false
            }
            Err(e) => {
                tracing::warn!(group = %group, "GitHub sync: recording failed: {e}");
                self.write_failed.store(true, Ordering::Relaxed);
                false
            }
        }
    }

    /// Marks `item` unreadable in every WG that tracks it and does not know yet; how many.
    async fn unreadable(
        &self,
        item: &ItemRef,
        trackers: &[(GroupId, TrackedItem)],
        reason: &str,
    ) -> usize {
        let mut marked = 0;
        for (group, t) in trackers {
            if t.unreadable.is_none() {
                tracing::warn!(group = %group, item = %item, "cannot read from GitHub: {reason}");
                let command = Command::MarkItemUnreadable {
                    item: item.clone(),
                    reason: reason.to_string(),
                };
                marked += usize::from(self.execute(*group, command).await);
            }
        }
        marked
    }

    /// Records an answer about `d`; whether the item was read.
    async fn apply(
        &self,
        d: &Due,
        answer: Result<Fetched, GitHubError>,
        report: &mut SyncReport,
    ) -> bool {
        let (status, etag) = match answer {
            Ok(Fetched::Changed { status, etag }) => (Some(status), etag),
            Ok(Fetched::NotModified) => {
                report.not_modified += 1;
                (None, None)
            }
            Err(e) => {
                let error = e.to_string();
                if let Err(store_error) = self
                    .store
                    .github_sync_note(
                        &d.item,
                        &SyncOutcome::Failed {
                            error: error.clone(),
                        },
                        self.now,
                    )
                    .await
                {
                    tracing::warn!("GitHub sync: cannot record a failed read: {store_error}");
                }
                if e.is_persistent() {
                    report.unreadable += self.unreadable(&d.item, &d.trackers, &error).await;
                } else {
                    tracing::warn!(item = %d.item, "cannot read from GitHub for now: {e}");
                    report.failed += 1;
                }
                return false;
            }
        };
        report.read += 1;
        self.write_failed.store(false, Ordering::Relaxed);
        let mut item = d.item.clone();
        if let Some(to) = status.as_ref().and_then(|s| moved_to(&d.github, s)) {
            for (group, _) in &d.trackers {
                let command = Command::MoveItem {
                    from: item.clone(),
                    to: to.clone(),
                };
                report.moved += usize::from(self.execute(*group, command).await);
            }
            if let Err(e) = self.store.github_sync_moved(&item, &to).await {
                tracing::warn!("GitHub sync: cannot record a move: {e}");
            }
            item = to;
        }
        for (group, tracked) in &d.trackers {
            if tracked.unreadable.is_some() {
                let command = Command::MarkItemReadable { item: item.clone() };
                self.execute(*group, command).await;
            }
            let Some(status) = &status else { continue };
            let (activity, closed) = to_activity(status);
            if let Some(seen_at) = activity.map(|a| a.min(self.now)) {
                if seen_at > tracked.last_activity {
                    let command = Command::RecordItemActivity {
                        item: item.clone(),
                        seen_at,
                    };
                    report.updated += usize::from(self.execute(*group, command).await);
                }
            }
            match (closed, tracked.completed_at, tracked.close_reason) {
                (Some(reason), None, _) => {
                    let command = Command::CompleteItem {
                        item: item.clone(),
                        reason,
                    };
                    report.completed += usize::from(self.execute(*group, command).await);
                }
                // A person's "done" stands even while the item stays open on GitHub.
                (None, Some(_), reason) if reason != Some(CloseReason::ByHand) => {
                    let command = Command::ReopenItem { item: item.clone() };
                    report.reopened += usize::from(self.execute(*group, command).await);
                }
                _ => {}
            }
        }
        // Only once everything GitHub said is recorded is the read (and its ETag) kept.
        let outcome = if self.write_failed.load(Ordering::Relaxed) {
            SyncOutcome::Failed {
                error: "recording GitHub's answer in the database failed".into(),
            }
        } else {
            SyncOutcome::Read { etag }
        };
        if let Err(e) = self.store.github_sync_note(&item, &outcome, self.now).await {
            tracing::warn!("GitHub sync: cannot record a read: {e}");
        }
        true
    }
}

/// Where GitHub says the item lives now, when that is not where govbot asked.
fn moved_to(asked: &GitHubItem, status: &ItemStatus) -> Option<ItemRef> {
    let at = status.location.as_ref()?;
    let same = at.owner.eq_ignore_ascii_case(&asked.owner)
        && at.repo.eq_ignore_ascii_case(&asked.repo)
        && at.number == asked.number;
    (!same).then(|| ItemRef::Url(at.url()))
}

/// Runs a pass now and then every `sync_interval` of the governance clock, until `stop`.
pub async fn run(
    store: Store,
    client: GitHubClient,
    settings: Settings,
    policy: Policy,
    clock: Arc<dyn Clock>,
    mut stop: watch::Receiver<bool>,
) {
    let interval = settings.sync_interval.to_chrono();
    let mut jumps = clock.jumps();
    while !*stop.borrow() {
        let now = clock.now();
        let next = match pass(&store, &client, &settings, &policy, now).await {
            Ok(r) => {
                tracing::info!(
                    due = r.due,
                    read = r.read,
                    not_modified = r.not_modified,
                    requests = r.requests,
                    updated = r.updated,
                    completed = r.completed,
                    reopened = r.reopened,
                    moved = r.moved,
                    unreadable = r.unreadable,
                    failed = r.failed,
                    "GitHub sync pass"
                );
                r.paused_until
                    .map_or(now + interval, |until| until.max(now))
            }
            Err(e) => {
                tracing::error!("the GitHub sync pass failed: {e:#}");
                now + interval
            }
        };
        // Until the governance clock reaches `next`: woken by a jump of a manual clock, or after a
        // real sleep of at most a minute to look at the clock again.
        while clock.now() < next && !*stop.borrow() {
            let left = (next - clock.now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .min(Duration::from_secs(60));
            tokio::select! {
                _ = tokio::time::sleep(left) => {}
                _ = jumped(&mut jumps) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Coverage;
    use chrono::Duration;

    #[test]
    fn coverage_says_how_much_of_the_work_the_budget_reads() {
        let anonymous = Coverage::of(60, false, Duration::hours(1));
        assert_eq!(
            anonymous.per_interval(),
            55,
            "60 an hour, the client stops with less than a tenth left"
        );
        assert!(!anonymous.is_complete());
        assert!(
            anonymous.to_string().contains("only every 2 intervals"),
            "{anonymous}"
        );
        assert!(Coverage::of(60, false, Duration::hours(2)).is_complete());
        let token = Coverage::of(1_000, true, Duration::hours(1));
        assert_eq!(token.per_interval(), 4_501 / 21 * 50);
        assert!(token.is_complete(), "{token}");
        let short = Coverage::of(1, false, Duration::minutes(1));
        assert_eq!(
            (short.per_interval(), short.intervals_to_read_all()),
            (0, 2)
        );
    }
}
