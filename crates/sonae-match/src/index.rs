//! The match index: NVD configurations keyed by the (vendor, product) of
//! their vulnerable cpeMatch entries, so that a system's components are
//! evaluated only against the records that name their products.

use crate::cpe::{evaluate, AttrValue, Cpe23, MatchResult};
use crate::version::Scheme;
use sonae_domain::vuln::{Configuration, SourceRecord};
use std::collections::{HashMap, HashSet};

struct Entry {
    vuln_ids: Vec<String>,
    configs: Vec<Configuration>,
}

#[derive(Default)]
pub struct MatchIndex {
    by_product: HashMap<(String, String), Vec<usize>>,
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

fn key_of(c: &Cpe23) -> Option<(String, String)> {
    match (&c.vendor, &c.product) {
        (AttrValue::Value(v), AttrValue::Value(p)) if !v.has_wildcards() && !p.has_wildcards() => {
            Some((v.as_str().to_owned(), p.as_str().to_owned()))
        }
        _ => None,
    }
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

    /// Add a record's configurations (records without any are skipped).
    pub fn add(&mut self, rec: &SourceRecord) {
        if rec.configurations.is_empty() {
            return;
        }
        let idx = self.entries.len();
        let mut keys = HashSet::new();
        for c in &rec.configurations {
            for n in &c.nodes {
                for m in n.cpe_match.iter().filter(|m| m.vulnerable) {
                    if let Some(k) = Cpe23::parse(&m.criteria).ok().as_ref().and_then(key_of) {
                        keys.insert(k);
                    }
                }
            }
        }
        if keys.is_empty() {
            return;
        }
        for k in keys {
            self.by_product.entry(k).or_default().push(idx);
        }
        self.entries.push(Entry {
            vuln_ids: rec.vulnerability_ids(),
            configs: rec.configurations.clone(),
        });
    }

    /// Every vulnerability that hits one of a system's components. All the
    /// system's components are given together so that application-on-
    /// platform configurations (AND) see the platform too.
    pub fn match_system(&self, components: &[Cpe23], scheme: Scheme) -> Vec<Hit> {
        let mut candidates: Vec<usize> = components
            .iter()
            .filter_map(key_of)
            .filter_map(|k| self.by_product.get(&k))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut hits = Vec::new();
        for i in candidates {
            let e = &self.entries[i];
            let mut best: HashMap<usize, MatchResult> = HashMap::new();
            for c in &e.configs {
                for (comp, r) in evaluate(c, components, scheme) {
                    let stronger = matches!(
                        (best.get(&comp), &r),
                        (None, _) | (Some(MatchResult::Possible { .. }), MatchResult::Yes { .. })
                    );
                    if r.is_match() && stronger {
                        best.insert(comp, r);
                    }
                }
            }
            let mut found: Vec<(usize, MatchResult)> = best.into_iter().collect();
            found.sort_by_key(|(c, _)| *c);
            for (comp, r) in found {
                for v in &e.vuln_ids {
                    hits.push(Hit {
                        component: comp,
                        vuln_id: v.clone(),
                        result: r.clone(),
                    });
                }
            }
        }
        hits
    }
}

/// The CPE a component is matched by: its CPE 2.3 name, with the
/// component's version filled in when the name leaves the version open.
pub fn component_cpe(cpe: Option<&str>, version: Option<&str>) -> Option<Cpe23> {
    let mut c = Cpe23::parse(cpe?).ok()?;
    if matches!(c.version, AttrValue::Any) {
        if let Some(v) = version.map(str::trim).filter(|v| !v.is_empty()) {
            c.version = AttrValue::literal(v);
        }
    }
    Some(c)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sonae_domain::vuln::{ConfigNode, CpeMatch, CveId, Feed, Operator};

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
