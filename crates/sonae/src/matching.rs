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
    let indexed = start.elapsed().as_secs_f64();
    let components = store.match_components().await?;
    let mut by_system: BTreeMap<i64, Vec<(i64, sonae_match::cpe::Cpe23)>> = BTreeMap::new();
    let mut without_cpe = 0;
    for c in &components {
        match component_cpe(c.cpe.as_deref(), c.version.as_deref()) {
            Some(cpe) => by_system.entry(c.system_id).or_default().push((c.id, cpe)),
            None => without_cpe += 1,
        }
    }
    let mut found = Vec::new();
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
    let stats = store.replace_findings(&found).await?;
    println!(
        "matched {} components ({} without a CPE name) against {} NVD records ({} with configurations) in {:.2}s (index {:.2}s)",
        components.len() - without_cpe,
        without_cpe,
        records,
        index.len(),
        matched,
        indexed
    );
    println!(
        "findings: {} ({} new, {} unchanged, {} no longer matching removed)",
        found.len(),
        stats.added,
        stats.kept,
        stats.removed
    );
    Ok(())
}
