//! The sync: every interval, each active WG's tracked items that live on GitHub are read, and
//! what moved becomes governance: activity newer than recorded is `RecordItemActivity`, a closed
//! or merged item is `CompleteItem`, both carried out as govbot through the store. A rate limit
//! ends the pass early; the next pass starts after the reset.

use super::{parse_item, to_activity, GitHubClient, GitHubError};
use crate::clock::{jumped, Clock};
use crate::config::GitHub as Settings;
use crate::governance::{Actor, Command, Context, GroupKind, GroupState, Policy, Timestamp};
use crate::store::{Store, Target};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Items asked about.
    pub checked: usize,
    /// Items whose newer activity was recorded.
    pub updated: usize,
    /// Items recorded as completed.
    pub completed: usize,
    /// Items that could not be read (missing, private, errors); logged.
    pub failed: usize,
    /// Set when a rate limit stopped the pass: until when.
    pub paused_until: Option<Timestamp>,
}

/// Reads every tracked GitHub item of every active WG once.
pub async fn pass(
    store: &Store,
    client: &GitHubClient,
    settings: &Settings,
    policy: &Policy,
    now: Timestamp,
) -> anyhow::Result<SyncReport> {
    let mut report = SyncReport::default();
    let groups = store
        .list_in(Some(GroupKind::Wg), &GroupState::LIVE)
        .await?;
    let ctx = Context::new(&Actor::System, now, policy);
    for g in groups {
        for tracked in &g.group.items {
            let Some(item) = parse_item(&tracked.item, settings.sep_repo()) else {
                continue;
            };
            report.checked += 1;
            let status = match client.fetch(&item, now).await {
                Ok(s) => s,
                Err(GitHubError::RateLimited { until }) => {
                    report.paused_until = Some(until);
                    return Ok(report);
                }
                Err(e) => {
                    tracing::warn!(group = %g.id, item = %item, "cannot read from GitHub: {e}");
                    report.failed += 1;
                    continue;
                }
            };
            let (updated_at, done) = to_activity(&status);
            let seen_at = updated_at.min(now);
            if seen_at > tracked.last_activity {
                let cmd = Command::RecordItemActivity {
                    item: tracked.item.clone(),
                    seen_at,
                };
                match store.execute(Target::Group(g.id), &cmd, &ctx, None).await {
                    Ok(_) => report.updated += 1,
                    Err(e) => tracing::warn!(group = %g.id, "recording activity failed: {e}"),
                }
            }
            if done && tracked.completed_at.is_none() {
                let cmd = Command::CompleteItem {
                    item: tracked.item.clone(),
                };
                match store.execute(Target::Group(g.id), &cmd, &ctx, None).await {
                    Ok(_) => report.completed += 1,
                    Err(e) => tracing::warn!(group = %g.id, "recording completion failed: {e}"),
                }
            }
        }
    }
    Ok(report)
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
                    checked = r.checked,
                    updated = r.updated,
                    completed = r.completed,
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
