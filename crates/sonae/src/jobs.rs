//! Housekeeping inside `sonae serve`: every few minutes, re-open risk
//! acceptances that ran out, bring priorities and due dates up to date
//! under the current policy, then send the notifications that are due.
//! `sonae notify run` does one pass of the same (for cron and tests).
//!
//! Several nodes may run this at once: the steps are idempotent, and the
//! notifier's sent-log lets only one node send each notification.

use sonae_notify::{Notifier, PassReport};
use sonae_store::Store;
use std::sync::Arc;
use std::time::Duration;

/// One pass; errors of one step are logged and the next steps still run.
pub async fn pass(store: &Store, notifier: &Notifier) -> anyhow::Result<PassReport> {
    match store.expire_acceptances().await {
        Ok(n) if n > 0 => tracing::info!(reopened = n, "risk acceptances expired"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "expiring risk acceptances"),
    }
    match store.priority_policy().await {
        Ok(policy) => {
            if let Err(e) = store.refresh_priorities(&policy).await {
                tracing::error!(error = %e, "refreshing priorities");
            }
        }
        Err(e) => tracing::error!(error = %e, "reading the priority policy"),
    }
    // Overdue restore tests and scheduled reviews become improvement actions.
    match store.continuity_check(&sonae_domain::Actor::system()).await {
        Ok(created) if !created.is_empty() => {
            tracing::info!(actions = created.len(), "scheduled reviews due")
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "continuity check"),
    }
    let report = notifier.run_once().await?;
    if report != PassReport::default() {
        tracing::info!(?report, "notifications");
    }
    Ok(report)
}

/// The loop; `interval_min` 0 turns it off.
pub fn spawn_housekeeping(
    store: Store,
    notifier: Arc<Notifier>,
    interval_min: u64,
) -> Option<tokio::task::JoinHandle<()>> {
    if interval_min == 0 {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(interval_min * 60));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = pass(&store, &notifier).await {
                tracing::error!(error = %e, "housekeeping pass failed; next one in {interval_min} min");
            }
        }
    }))
}
