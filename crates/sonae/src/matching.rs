//! `sonae match`: every component against every vulnerability with NVD
//! configurations; the findings replace the previous full match.

use anyhow::Result;
use sonae_domain::vuln::Feed;
use sonae_match::index::{component_cpe, MatchIndex};
use sonae_match::version::Scheme;
use sonae_store::{NewFinding, Store};
use std::collections::BTreeMap;
use std::time::Instant;

pub async fn run(store: &Store) -> Result<()> {
    let start = Instant::now();
    let mut index = MatchIndex::new();
    let records = store.for_each_source(Feed::Nvd, |r| index.add(&r)).await?;
    let mut osv = sonae_match::osv::OsvIndex::new();
    let osv_records = store.for_each_source(Feed::Osv, |r| osv.add(&r)).await?;
    let indexed = start.elapsed().as_secs_f64();
    let components = store.match_components().await?;
    let mut by_system: BTreeMap<i64, Vec<(i64, sonae_match::cpe::Cpe23)>> = BTreeMap::new();
    let mut without_cpe = 0;
    let mut found = Vec::new();
    for c in &components {
        match component_cpe(c.cpe.as_deref(), c.version.as_deref()) {
            Some(cpe) => by_system.entry(c.system_id).or_default().push((c.id, cpe)),
            None => without_cpe += 1,
        }
        // Package URLs against OSV ranges; the version field fills a purl without one.
        if let Some(mut purl) = c
            .purl
            .as_deref()
            .and_then(|p| sonae_match::purl::Purl::parse(p).ok())
        {
            if purl.version.is_none() {
                purl.version = c.version.clone().filter(|v| !v.trim().is_empty());
            }
            for (ids, result) in osv.match_purl(&purl) {
                let (certainty, reason) = match result {
                    sonae_match::cpe::MatchResult::Yes { reason } => ("confirmed", reason),
                    sonae_match::cpe::MatchResult::Possible { reason } => ("possible", reason),
                    sonae_match::cpe::MatchResult::No => continue,
                };
                // One finding per vulnerability: the CVE when the advisory names one.
                let vuln_id = ids
                    .iter()
                    .find(|i| i.starts_with("CVE-"))
                    .or(ids.first())
                    .cloned()
                    .unwrap_or_default();
                found.push(NewFinding {
                    component_id: c.id,
                    system_id: c.system_id,
                    vuln_id,
                    certainty: certainty.into(),
                    reason,
                });
            }
        }
    }
    for (system_id, comps) in &by_system {
        let cpes: Vec<_> = comps.iter().map(|(_, c)| c.clone()).collect();
        for hit in index.match_system(&cpes, Scheme::Generic) {
            let (certainty, reason) = match &hit.result {
                sonae_match::cpe::MatchResult::Yes { reason } => ("confirmed", reason.clone()),
                sonae_match::cpe::MatchResult::Possible { reason } => ("possible", reason.clone()),
                sonae_match::cpe::MatchResult::No => continue,
            };
            found.push(NewFinding {
                component_id: comps[hit.component].0,
                system_id: *system_id,
                vuln_id: hit.vuln_id,
                certainty: certainty.into(),
                reason,
            });
        }
    }
    let matched = start.elapsed().as_secs_f64();
    // A component found by both CPE and PURL keeps one finding (the first).
    let mut seen = std::collections::HashSet::new();
    found.retain(|f| seen.insert((f.component_id, f.vuln_id.clone())));
    let stats = store.replace_findings(&found).await?;
    // Priorities and due dates under the current policy; acceptances that ran out.
    let policy = store.priority_policy().await?;
    let reprioritized = store.refresh_priorities(&policy).await?;
    let expired = store.expire_acceptances().await?;
    println!(
        "matched {} components ({} without a CPE name) against {} NVD records ({} with configurations) and {} OSV records in {:.2}s (index {:.2}s)",
        components.len() - without_cpe,
        without_cpe,
        records,
        index.len(),
        osv_records,
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
