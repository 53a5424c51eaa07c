//! The match index: NVD configurations keyed by the (vendor, product) of
//! their vulnerable cpeMatch entries, so that a system's components are
//! evaluated only against the records that name their products.
//!
//! Criteria are parsed once when a record is added and products are
//! interned, so matching a system compares integers before it compares
//! names; nothing is allocated for an attempt that fails.

use crate::cpe::{evaluate_compiled, sorted_keys, CompiledConfig, Cpe23, Interner, MatchResult};
use crate::version::Scheme;
use sonae_domain::vuln::SourceRecord;
use std::collections::HashMap;

struct Entry {
    vuln_ids: Vec<String>,
    configs: Vec<CompiledConfig>,
    /// Every configuration is component-local (see [`CompiledConfig::is_local`]).
    local: bool,
}

#[derive(Default)]
pub struct MatchIndex {
    interner: Interner,
    /// Per interned key: the entries whose vulnerable criteria name it.
    by_key: HashMap<u32, Vec<u32>>,
    entries: Vec<Entry>,
}

/// One component found vulnerable.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Index into the components given to `match_system`.
    pub component: usize,
    pub vuln_id: String,
    pub result: MatchResult,
}

impl MatchIndex {
    pub fn new() -> MatchIndex {
        MatchIndex::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Add a record's configurations (records without any, or whose
    /// vulnerable criteria name no literal product, are skipped).
    pub fn add(&mut self, rec: &SourceRecord) {
        if rec.configurations.is_empty() {
            return;
        }
        let configs: Vec<CompiledConfig> = rec
            .configurations
            .iter()
            .map(|c| CompiledConfig::new(c, &mut self.interner))
            .collect();
        let mut keys: Vec<u32> = configs.iter().flat_map(|c| c.vulnerable_keys()).collect();
        keys.sort_unstable();
        keys.dedup();
        if keys.is_empty() {
            return;
        }
        let Ok(idx) = u32::try_from(self.entries.len()) else {
            return;
        };
        for k in keys {
            self.by_key.entry(k).or_default().push(idx);
        }
        let local = configs.iter().all(CompiledConfig::is_local);
        self.entries.push(Entry {
            vuln_ids: rec.vulnerability_ids(),
            configs,
            local,
        });
    }

    /// The vendor:product pairs every criteria of a record names (its
    /// platforms too): what a component must name to be touched by it.
    pub fn record_products(rec: &SourceRecord) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for c in &rec.configurations {
            for n in &c.nodes {
                for m in &n.cpe_match {
                    if let Ok(c) = Cpe23::parse(&m.criteria) {
                        if let (Some(v), Some(p)) = (literal(&c.vendor), literal(&c.product)) {
                            let k = (v.to_owned(), p.to_owned());
                            if !out.contains(&k) {
                                out.push(k);
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// Every vulnerability that hits one of a system's components. All the
    /// system's components are given together so that application-on-
    /// platform configurations (AND) see the platform too.
    pub fn match_system(&self, components: &[Cpe23], scheme: Scheme) -> Vec<Hit> {
        let mut hits = Vec::new();
        self.match_system_with(components, scheme, |h| hits.push(h));
        hits
    }

    /// [`MatchIndex::match_system`], handing each hit to `out` as it is found.
    pub fn match_system_with(&self, components: &[Cpe23], scheme: Scheme, out: impl FnMut(Hit)) {
        self.match_entries(components, scheme, false, out)
    }

    /// The hits of component-local records on one component name alone:
    /// the same on every system, so callers cache them per name.
    pub fn match_local(&self, component: &Cpe23, scheme: Scheme) -> Vec<(String, MatchResult)> {
        let mut out = Vec::new();
        let one = std::slice::from_ref(component);
        let key = self.interner.lookup(component);
        let Some(candidates) = key.and_then(|k| self.by_key.get(&k)) else {
            return out;
        };
        let sorted = sorted_keys(&[key]);
        for i in candidates {
            let Some(e) = self.entries.get(*i as usize).filter(|e| e.local) else {
                continue;
            };
            let mut best: Option<MatchResult> = None;
            for c in &e.configs {
                for (_, r) in evaluate_compiled(c, one, &sorted, scheme) {
                    if !r.is_match() {
                        continue;
                    }
                    if best.as_ref().is_none_or(|b| {
                        matches!(
                            (b, &r),
                            (MatchResult::Possible { .. }, MatchResult::Yes { .. })
                        )
                    }) {
                        best = Some(r);
                    }
                }
            }
            if let Some(r) = best {
                for v in &e.vuln_ids {
                    out.push((v.clone(), r.clone()));
                }
            }
        }
        out
    }

    /// [`MatchIndex::match_system_with`] over the records that depend on
    /// more than one component only (platforms, AND, negation); the local
    /// ones come from [`MatchIndex::match_local`].
    pub fn match_system_nonlocal(
        &self,
        components: &[Cpe23],
        scheme: Scheme,
        out: impl FnMut(Hit),
    ) {
        self.match_entries(components, scheme, true, out)
    }

    fn match_entries(
        &self,
        components: &[Cpe23],
        scheme: Scheme,
        skip_local: bool,
        mut out: impl FnMut(Hit),
    ) {
        let keys: Vec<Option<u32>> = components.iter().map(|c| self.interner.lookup(c)).collect();
        let mut candidates: Vec<u32> = keys
            .iter()
            .flatten()
            .filter_map(|k| self.by_key.get(k))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let sorted = sorted_keys(&keys);
        let mut best: Vec<(usize, MatchResult)> = Vec::new();
        for i in candidates {
            let Some(e) = self.entries.get(i as usize) else {
                continue;
            };
            if skip_local && e.local {
                continue;
            }
            best.clear();
            for c in &e.configs {
                for (comp, r) in evaluate_compiled(c, components, &sorted, scheme) {
                    if !r.is_match() {
                        continue;
                    }
                    match best.iter_mut().find(|(j, _)| *j == comp) {
                        Some(slot) => {
                            if matches!(
                                (&slot.1, &r),
                                (MatchResult::Possible { .. }, MatchResult::Yes { .. })
                            ) {
                                slot.1 = r;
                            }
                        }
                        None => best.push((comp, r)),
                    }
                }
            }
            best.sort_by_key(|(c, _)| *c);
            for (comp, r) in best.drain(..) {
                for v in &e.vuln_ids {
                    out(Hit {
                        component: comp,
                        vuln_id: v.clone(),
                        result: r.clone(),
                    });
                }
            }
        }
    }
}

fn literal(v: &crate::cpe::AttrValue) -> Option<&str> {
    match v {
        crate::cpe::AttrValue::Value(t) if !t.has_wildcards() => Some(t.as_str()),
        _ => None,
    }
}

/// The CPE a component is matched by: its CPE 2.3 name, with the
/// component's version filled in when the name leaves the version open.
pub fn component_cpe(cpe: Option<&str>, version: Option<&str>) -> Option<Cpe23> {
    let mut c = crate::cpe::Cpe23::parse(cpe?).ok()?;
    if matches!(c.version, crate::cpe::AttrValue::Any) {
        if let Some(v) = version.map(str::trim).filter(|v| !v.is_empty()) {
            c.version = crate::cpe::AttrValue::literal(v);
        }
    }
    Some(c)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sonae_domain::vuln::{ConfigNode, Configuration, CpeMatch, CveId, Feed, Operator};

    fn record(id: &str, criteria: &str, end_excl: &str) -> SourceRecord {
        let mut r = SourceRecord::new(Feed::Nvd, id, "en");
        r.cves = vec![CveId::parse(id).unwrap()];
        r.configurations = vec![Configuration {
            operator: None,
            negate: false,
            nodes: vec![ConfigNode {
                operator: Operator::Or,
                negate: false,
                cpe_match: vec![CpeMatch {
                    vulnerable: true,
                    criteria: criteria.into(),
                    match_criteria_id: None,
                    version_start_including: None,
                    version_start_excluding: None,
                    version_end_including: None,
                    version_end_excluding: Some(end_excl.into()),
                }],
            }],
        }];
        r
    }

    #[test]
    fn only_records_naming_the_product_are_evaluated_and_ranges_decide() {
        let mut idx = MatchIndex::new();
        idx.add(&record(
            "CVE-2024-27316",
            "cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*",
            "2.4.59",
        ));
        idx.add(&record(
            "CVE-2023-38545",
            "cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*",
            "8.4.0",
        ));
        idx.add(&record(
            "CVE-2021-0001",
            "cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*",
            "2.4.10",
        ));
        let comps = vec![
            component_cpe(
                Some("cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*"),
                Some("2.4.58"),
            )
            .unwrap(),
            component_cpe(Some("cpe:2.3:a:openbsd:openssh:9.6:*:*:*:*:*:*:*"), None).unwrap(),
        ];
        let hits = idx.match_system(&comps, Scheme::Generic);
        let ids: Vec<&str> = hits.iter().map(|h| h.vuln_id.as_str()).collect();
        assert_eq!(
            ids,
            vec!["CVE-2024-27316"],
            "2.4.58 < 2.4.59 hits; 2.4.58 >= 2.4.10 does not; curl is not installed"
        );
        assert_eq!(hits[0].component, 0);
        assert!(hits[0].result.reason().unwrap_or("").contains("2.4.59"));
    }
}
