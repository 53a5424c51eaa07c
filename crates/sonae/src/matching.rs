//! `sonae match`: every component against every vulnerability (NVD
//! configurations, OSV ranges, JVN-only records); the findings replace the
//! previous full match. The matching itself is [`Matcher`], the same code
//! the incremental re-match and the benchmark run.

use anyhow::Result;
use sonae_domain::vuln::Feed;
use sonae_match::engine::{Aliases, Component, Matcher};
use sonae_store::{MatchComponent, NewFinding, Store};
use std::time::Instant;

pub fn component(c: &MatchComponent) -> Component {
    Component {
        id: c.id,
        system_id: c.system_id,
        vendor: c.vendor.clone(),
        product: c.product.clone(),
        version: c.version.clone(),
        cpe: c.cpe.clone(),
        purl: c.purl.clone(),
    }
}

pub fn finding(f: sonae_match::engine::Found) -> NewFinding {
    NewFinding {
        component_id: f.component_id,
        system_id: f.system_id,
        vuln_id: f.vuln_id.to_string(),
        certainty: f.certainty.as_str().into(),
        reason: f.reason.to_string(),
    }
}

pub async fn aliases(store: &Store) -> Result<Aliases> {
    let mut a = Aliases::new();
    for r in store.aliases().await? {
        a.insert(&r.vendor, &r.product, &r.cpe_vendor, &r.cpe_product);
    }
    Ok(a)
}

pub async fn run(store: &Store) -> Result<()> {
    let start = Instant::now();
    // Changes queued after this point are left for the next incremental match.
    let queued = store.match_queue_last().await?;
    let mut matcher = Matcher::new(aliases(store).await?);
    let mut nvd = 0;
    let mut source_keys = Vec::new();
    for feed in [Feed::Nvd, Feed::Osv, Feed::Jvn, Feed::Cve5] {
        let n = store
            .for_each_source(feed, |r| {
                let k = Matcher::record_keys(&r);
                if !k.is_empty() {
                    source_keys.push(((r.feed, r.id.clone()), k));
                }
                matcher.add(&r)
            })
            .await?;
        if feed == Feed::Nvd {
            nvd = n;
        }
    }
    let indexed = start.elapsed().as_secs_f64();
    let components: Vec<Component> = store
        .match_components()
        .await?
        .iter()
        .map(component)
        .collect();
    let mut found = Vec::new();
    matcher.match_all(&components, &mut |f| found.push(finding(f)));
    let matched = start.elapsed().as_secs_f64();
    let stats = store.replace_findings(&found).await?;
    // The keys by which later changes find what they touch.
    store.clear_match_keys().await?;
    let comp_keys: Vec<(i64, i64, Vec<String>)> = components
        .iter()
        .map(|c| (c.id, c.system_id, matcher.component_keys(c)))
        .filter(|k| !k.2.is_empty())
        .collect();
    store.set_component_keys(&comp_keys).await?;
    store.set_source_keys(&source_keys).await?;
    // A full match settles everything queued before it.
    store.finish_match_queue(queued).await?;
    // Priorities and due dates under the current policy; acceptances that ran out.
    let policy = store.priority_policy().await?;
    let reprioritized = store.refresh_priorities(&policy).await?;
    let expired = store.expire_acceptances().await?;
    println!(
        "matched {} components against {} NVD records ({} with configurations), {} OSV records, {} CVE 5 affected blocks and JVN records in {:.2}s (index {:.2}s)",
        components.len(),
        nvd,
        matcher.nvd_len(),
        matcher.osv_len(),
        matcher.cve5_len(),
        matched,
        indexed
    );
    println!(
        "findings: {} ({} new, {} unchanged, {} no longer matching removed, {} re-opened); {} priorities or due dates changed; {} risk acceptances expired",
        found.len(),
        stats.added,
        stats.kept,
        stats.removed,
        stats.reopened,
        reprioritized,
        expired
    );
    Ok(())
}

/// More queued feed records than this: a full match is quicker.
const FULL_MATCH_ABOVE: usize = 5000;

/// What `run_pending` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    pub sources: usize,
    pub components: usize,
    pub stats: sonae_store::MatchStats,
    pub full: bool,
}

/// The incremental re-match: every change queued since the last match
/// (components first, so their keys are current, then feed records), each
/// against only what it can touch.
pub async fn run_pending(store: &Store) -> Result<Pending> {
    let mut done = Pending::default();
    loop {
        let q = store.match_queue(20_000).await?;
        if q.upto == 0 {
            if done.components + done.sources > 0 {
                // New findings get their priority and due date.
                let policy = store.priority_policy().await?;
                store.refresh_priorities(&policy).await?;
            }
            return Ok(done);
        }
        if q.sources.len() > FULL_MATCH_ABOVE {
            run(store).await?;
            done.full = true;
            return Ok(done);
        }
        let aliases = aliases(store).await?;
        let keys_of = Matcher::new(aliases.clone());
        done.components += q.components.len();
        done.sources += q.sources.len();

        // 1. Changed components: their system against the records filed
        // under their keys and those of the findings they have now.
        let systems = store.systems_of_components(&q.components).await?;
        for system in systems {
            let comps: Vec<Component> = store
                .match_components_of_systems(&[system])
                .await?
                .iter()
                .map(component)
                .collect();
            let changed: Vec<&Component> = comps
                .iter()
                .filter(|c| q.components.contains(&c.id))
                .collect();
            let ids: Vec<i64> = changed.iter().map(|c| c.id).collect();
            let keys: Vec<(i64, i64, Vec<String>)> = changed
                .iter()
                .map(|c| (c.id, c.system_id, keys_of.component_keys(c)))
                .collect();
            store.set_component_keys(&keys).await?;
            let all_keys: Vec<String> = keys.iter().flat_map(|k| k.2.clone()).collect();
            let mut sources = store.sources_with_keys(&all_keys).await?;
            let had = store.finding_vulns_of_components(&ids).await?;
            sources.extend(store.sources_of_vulns(&had).await?);
            let records = store.source_records(&sources).await?;
            let mut vulns: Vec<String> =
                records.iter().flat_map(|r| r.vulnerability_ids()).collect();
            // The records of those vulnerabilities from every feed (JVN yields to NVD).
            let more = store.sources_of_vulns(&vulns).await?;
            let records = store
                .source_records(&more)
                .await?
                .into_iter()
                .chain(records);
            let mut m = Matcher::new(aliases.clone());
            for r in records {
                m.add(&r);
            }
            vulns.sort();
            vulns.dedup();
            let refs: Vec<&Component> = comps.iter().collect();
            let mut found = Vec::new();
            m.match_system(&refs, &mut |f| found.push(finding(f)));
            let s = store
                .replace_findings_in(
                    &sonae_store::MatchScope {
                        components: ids,
                        vulns,
                        systems: vec![system],
                    },
                    &found,
                )
                .await?;
            add(&mut done.stats, s);
        }

        // 2. Changed records: alone (with the other feeds' records of the
        // same vulnerabilities) against the systems that name their products.
        if !q.sources.is_empty() {
            let records = store.source_records(&q.sources).await?;
            let keys: Vec<((Feed, String), Vec<String>)> = records
                .iter()
                .map(|r| ((r.feed, r.id.clone()), Matcher::record_keys(r)))
                .collect();
            store.set_source_keys(&keys).await?;
            let mut vulns: Vec<String> =
                records.iter().flat_map(|r| r.vulnerability_ids()).collect();
            vulns.sort();
            vulns.dedup();
            let linked = store.sources_of_vulns(&vulns).await?;
            let mut m = Matcher::new(aliases.clone());
            for r in store.source_records(&linked).await? {
                m.add(&r);
            }
            // Only the components that name the records' products (their
            // platforms too) can be touched: the rest of their systems is
            // not read.
            let all_keys: Vec<String> = keys.iter().flat_map(|k| k.1.clone()).collect();
            let comps: Vec<Component> = store
                .match_components_with_keys(&all_keys)
                .await?
                .iter()
                .map(component)
                .collect();
            let mut found = Vec::new();
            m.match_all(&comps, &mut |f| found.push(finding(f)));
            let s = store
                .replace_findings_in(
                    &sonae_store::MatchScope {
                        components: Vec::new(),
                        vulns,
                        systems: Vec::new(),
                    },
                    &found,
                )
                .await?;
            add(&mut done.stats, s);
        }
        store.finish_match_queue(q.upto).await?;
    }
}

fn add(a: &mut sonae_store::MatchStats, b: sonae_store::MatchStats) {
    a.added += b.added;
    a.kept += b.kept;
    a.removed += b.removed;
    a.reopened += b.reopened;
}

/// Inside `serve`: run the incremental re-match every `every` (never with 0).
pub async fn pending_loop(store: Store, every: std::time::Duration) {
    if every.is_zero() {
        return;
    }
    loop {
        tokio::time::sleep(every).await;
        match run_pending(&store).await {
            Ok(p) if p.sources + p.components > 0 => tracing::info!(
                components = p.components,
                sources = p.sources,
                added = p.stats.added,
                removed = p.stats.removed,
                full = p.full,
                "incremental re-match"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "incremental re-match failed"),
        }
    }
}
