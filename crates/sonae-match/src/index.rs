//! The match index: NVD configurations keyed by the (vendor, product) of
//! their vulnerable cpeMatch entries, so that a system's components are
//! evaluated only against the records that name their products.
//!
//! Criteria are parsed once when a record is added and products are
//! interned, so matching a system compares integers before it compares
//! names; nothing is allocated for an attempt that fails.

use crate::cpe::{
    bound_holds, evaluate_compiled, evaluate_sparse, sorted_keys, AttrValue, CompiledConfig, Cpe23,
    Interner, MatchResult, VersionKind,
};
use crate::version::{generic_key, Scheme};
use sonae_domain::vuln::SourceRecord;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

struct Entry {
    vuln_ids: Vec<Arc<str>>,
    configs: Vec<CompiledConfig>,
    /// Every configuration is component-local (see [`CompiledConfig::is_local`]).
    local: bool,
    /// A criteria names no product (a pattern): the entry is evaluated
    /// whole for every component of its products.
    whole: bool,
}

#[derive(Default)]
pub struct MatchIndex {
    interner: Interner,
    /// Per interned key: the entries whose vulnerable criteria name it.
    by_key: HashMap<u32, Vec<u32>>,
    entries: Vec<Entry>,
    /// The per-product tables, built on first use after the last `add`.
    tables: OnceLock<Tables>,
    /// Every vulnerability id seen, and whether one names two entries.
    ids: rustc_hash::FxHashSet<Arc<str>>,
    ids_shared: bool,
}

/// One component found vulnerable.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Index into the components given to `match_system`.
    pub component: usize,
    pub vuln_id: Arc<str>,
    pub result: MatchResult,
}

/// What a component name gets from the index on its own (see
/// [`MatchIndex::match_name`]).
#[derive(Debug, Default)]
pub struct NameHits {
    /// (entry, result) of component-local entries, by entry.
    pub local: Vec<(u32, MatchResult)>,
    /// The criteria of entries that depend on other components of the
    /// system that this name meets, with the result (ids for
    /// [`MatchIndex::match_nonlocal`]), sorted. A platform's result keeps
    /// no reason (none is shown for it).
    ///
    /// (entry, criteria, result) of vulnerable criteria.
    pub nonlocal: Vec<Try>,
    /// The same of platform criteria (`vulnerable: false`): only entries
    /// that some component meets as the vulnerable one need them.
    pub platforms: Vec<Try>,
    /// Entries that depend on other components and are evaluated whole.
    pub whole: Vec<u32>,
}

/// One criteria's result on a component name, with where the criteria is
/// (see [`NameHits::nonlocal`]): all a system needs to combine it.
#[derive(Debug, Clone)]
pub struct Try {
    pub entry: u32,
    /// Criteria are numbered entry by entry, in their order there.
    pub crit: u32,
    config: u16,
    node: u16,
    idx: u32,
    vulnerable: bool,
    pub result: MatchResult,
}

/// Where a criteria is: entry, configuration, node, position.
#[derive(Clone, Copy)]
struct CritRef {
    entry: u32,
    config: u16,
    node: u16,
    idx: u32,
    vulnerable: bool,
    /// How its version is filed: a single version or a range (which can
    /// only say "possibly" to a component without a version), or other.
    versioned: bool,
}

/// A version key in [`Tables::vkeys`].
#[derive(Clone, Copy)]
struct Span {
    off: u32,
    len: u32,
}

#[derive(Clone, Copy)]
struct Point {
    key: Span,
    crit: u32,
}

#[derive(Clone, Copy)]
struct Range {
    crit: u32,
    /// The bounds in [`Tables::bounds`]: `first..first + n`.
    first: u32,
    n: u32,
}

#[derive(Clone, Copy)]
struct Bound {
    /// Which bound, in NVD's order (see [`bound_holds`]).
    rule: u8,
    key: Span,
}

/// Per product, the criteria by the versions they name, so a
/// component meets only the criteria its version can satisfy: single
/// versions sorted by their order-preserving key (a binary search finds
/// the equal ones), ranges with their bounds as keys (byte compares), and
/// the rest tried one by one. Every criteria it yields is then decided by
/// the general rules ([`crate::cpe::match_cpe`]'s), so this only narrows
/// what is tried and never decides.
#[derive(Default)]
struct Tables {
    keys: Vec<KeyTable>,
    crits: Vec<CritRef>,
    vkeys: Vec<u8>,
    bounds: Vec<Bound>,
}

#[derive(Default)]
struct KeyTable {
    points: Vec<Point>,
    ranges: Vec<Range>,
    others: Vec<u32>,
    /// Entries evaluated whole (see [`Entry::whole`]).
    whole: Vec<u32>,
}

impl Tables {
    fn span(&mut self, version: &str) -> Span {
        let off = self.vkeys.len();
        generic_key(version, &mut self.vkeys);
        Span {
            off: u32::try_from(off).unwrap_or(u32::MAX),
            len: u32::try_from(self.vkeys.len() - off).unwrap_or(0),
        }
    }

    fn key(&self, s: Span) -> &[u8] {
        let from = s.off as usize;
        self.vkeys
            .get(from..from + s.len as usize)
            .unwrap_or_default()
    }

    fn build(entries: &[Entry], keys: usize) -> Tables {
        let mut t = Tables {
            keys: (0..keys).map(|_| KeyTable::default()).collect(),
            ..Tables::default()
        };
        for (e, entry) in entries.iter().enumerate() {
            let e = u32::try_from(e).unwrap_or(u32::MAX);
            if entry.whole {
                let mut ks: Vec<u32> = entry
                    .configs
                    .iter()
                    .flat_map(|c| c.vulnerable_keys())
                    .collect();
                ks.sort_unstable();
                ks.dedup();
                for k in ks {
                    if let Some(kt) = t.keys.get_mut(k as usize) {
                        kt.whole.push(e);
                    }
                }
                continue;
            }
            for (c, config) in entry.configs.iter().enumerate() {
                for (n, i, m) in config.criteria() {
                    // Platforms too: a configuration that needs other
                    // components is evaluated on the criteria they meet.
                    let Some(k) = m.key else {
                        continue;
                    };
                    let crit = u32::try_from(t.crits.len()).unwrap_or(u32::MAX);
                    t.crits.push(CritRef {
                        entry: e,
                        config: u16::try_from(c).unwrap_or(u16::MAX),
                        node: u16::try_from(n).unwrap_or(u16::MAX),
                        idx: u32::try_from(i).unwrap_or(u32::MAX),
                        vulnerable: m.vulnerable,
                        versioned: !matches!(m.version_kind(), VersionKind::Other),
                    });
                    match m.version_kind() {
                        VersionKind::Point(v) => {
                            let key = t.span(v);
                            if let Some(kt) = t.keys.get_mut(k as usize) {
                                kt.points.push(Point { key, crit });
                            }
                        }
                        VersionKind::Range(bounds) => {
                            let first = u32::try_from(t.bounds.len()).unwrap_or(u32::MAX);
                            for (rule, b) in bounds.iter().enumerate() {
                                if let Some(b) = b {
                                    let key = t.span(b);
                                    t.bounds.push(Bound {
                                        rule: rule as u8,
                                        key,
                                    });
                                }
                            }
                            let n = u32::try_from(t.bounds.len()).unwrap_or(u32::MAX) - first;
                            if let Some(kt) = t.keys.get_mut(k as usize) {
                                kt.ranges.push(Range { crit, first, n });
                            }
                        }
                        VersionKind::Other => {
                            if let Some(kt) = t.keys.get_mut(k as usize) {
                                kt.others.push(crit);
                            }
                        }
                    }
                }
            }
        }
        let mut keys = std::mem::take(&mut t.keys);
        for kt in &mut keys {
            kt.points
                .sort_unstable_by(|a, b| t.key(a.key).cmp(t.key(b.key)).then(a.crit.cmp(&b.crit)));
        }
        t.keys = keys;
        t
    }

    /// The criteria of product `k` that a component of that
    /// product with this version may meet (into `crits`), and the entries
    /// to evaluate whole (into `whole`).
    fn candidates(&self, k: u32, version: &AttrValue, crits: &mut Vec<u32>, whole: &mut Vec<u32>) {
        let Some(kt) = self.keys.get(k as usize) else {
            return;
        };
        whole.extend_from_slice(&kt.whole);
        match version {
            // A pattern is not a version: no criteria admits it.
            AttrValue::Value(v) if v.has_wildcards() => {}
            AttrValue::Value(v) => {
                let mut vk = Vec::with_capacity(32);
                generic_key(v.as_str(), &mut vk);
                let vk = vk.as_slice();
                let from = kt.points.partition_point(|p| self.key(p.key) < vk);
                crits.extend(
                    kt.points[from..]
                        .iter()
                        .take_while(|p| self.key(p.key) == vk)
                        .map(|p| p.crit),
                );
                for r in &kt.ranges {
                    let from = r.first as usize;
                    let bounds = self
                        .bounds
                        .get(from..from + r.n as usize)
                        .unwrap_or_default();
                    if bounds
                        .iter()
                        .all(|b| bound_holds(b.rule as usize, vk.cmp(self.key(b.key))))
                    {
                        crits.push(r.crit);
                    }
                }
                crits.extend_from_slice(&kt.others);
            }
            // No version (or NA): every criteria decides for itself.
            _ => {
                crits.extend(kt.points.iter().map(|p| p.crit));
                crits.extend(kt.ranges.iter().map(|r| r.crit));
                crits.extend_from_slice(&kt.others);
            }
        }
    }
}

/// Keep a component's result, or replace the one kept when it is stronger.
fn keep_stronger(best: &mut Vec<(usize, MatchResult)>, comp: usize, r: MatchResult) {
    match best.iter_mut().find(|(j, _)| *j == comp) {
        Some(slot) => {
            if stronger(&slot.1, &r) {
                slot.1 = r;
            }
        }
        None => best.push((comp, r)),
    }
}

/// An entry's hits, by component, each under every id of the entry.
fn hits(best: &mut Vec<(usize, MatchResult)>, ids: &[Arc<str>], out: &mut impl FnMut(Hit)) {
    best.sort_by_key(|(c, _)| *c);
    for (comp, r) in best.drain(..) {
        for v in ids {
            out(Hit {
                component: comp,
                vuln_id: v.clone(),
                result: r.clone(),
            });
        }
    }
}

/// `b` replaces `a` only when it is stronger (Yes over Possible): the
/// first of equals is kept.
fn stronger(a: &MatchResult, b: &MatchResult) -> bool {
    matches!(
        (a, b),
        (MatchResult::Possible { .. }, MatchResult::Yes { .. })
    )
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
        let whole = configs
            .iter()
            .flat_map(|c| c.criteria())
            .any(|(_, _, m)| m.key.is_none());
        let vuln_ids: Vec<Arc<str>> = rec.vulnerability_ids().into_iter().map(Arc::from).collect();
        for id in &vuln_ids {
            if !self.ids.insert(id.clone()) {
                self.ids_shared = true;
            }
        }
        self.entries.push(Entry {
            vuln_ids,
            configs,
            local,
            whole,
        });
        self.tables.take();
    }

    /// Whether no vulnerability id belongs to two entries: then no two
    /// hits of one component name the same vulnerability.
    pub fn ids_unique(&self) -> bool {
        !self.ids_shared
    }

    /// Build the per-product tables now (else the first match does).
    pub fn prepare(&self) {
        self.tables();
    }

    fn tables(&self) -> &Tables {
        self.tables
            .get_or_init(|| Tables::build(&self.entries, self.interner.len()))
    }

    /// The vulnerability ids of an entry (see [`NameHits`]).
    pub fn entry_ids(&self, entry: u32) -> &[Arc<str>] {
        self.entries
            .get(entry as usize)
            .map(|e| e.vuln_ids.as_slice())
            .unwrap_or_default()
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

    /// Every vulnerability that hits one of a system's components,
    /// evaluating every configuration that names one of their products
    /// as it stands: the plain reading of the rules, kept as the reference
    /// the fast path ([`MatchIndex::match_name`] with
    /// [`MatchIndex::match_entries`]) is checked against. All the system's
    /// components are given together so that application-on-platform
    /// configurations (AND) see the platform too.
    pub fn match_system(&self, components: &[Cpe23], scheme: Scheme) -> Vec<Hit> {
        let mut hits = Vec::new();
        self.match_system_with(components, scheme, |h| hits.push(h));
        hits
    }

    /// [`MatchIndex::match_system`], handing each hit to `out` as it is found.
    pub fn match_system_with(&self, components: &[Cpe23], scheme: Scheme, out: impl FnMut(Hit)) {
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
        self.eval_entries(&candidates, components, &sorted_keys(&keys), scheme, out)
    }

    /// What one component name gets on its own, the same on every system
    /// (callers cache it per name): the results of the component-local
    /// entries, and the other entries it may be the vulnerable part of.
    /// Only the criteria whose versions the name can meet are tried
    /// (see [`Tables`]).
    pub fn match_name(&self, component: &Cpe23) -> NameHits {
        let mut out = NameHits::default();
        let Some(k) = self.interner.lookup(component) else {
            return out;
        };
        let t = self.tables();
        let (mut crits, mut whole) = (Vec::new(), Vec::new());
        t.candidates(k, &component.version, &mut crits, &mut whole);
        // Criteria are numbered entry by entry, in their order there.
        crits.sort_unstable();
        // A component without a version can only possibly meet a criteria
        // that names versions: once one such result is in, others like it
        // change nothing (the first of equals is kept).
        let versionless = !matches!(component.version, AttrValue::Value(_));
        let can_improve = |best: Option<&MatchResult>, r: &CritRef| match best {
            None => true,
            Some(MatchResult::Yes { .. }) => false,
            Some(_) => !(versionless && r.versioned),
        };
        let result = |entry: &Entry, r: &CritRef| -> Option<(bool, MatchResult)> {
            let m = entry
                .configs
                .get(r.config as usize)?
                .criterion(r.node as usize, r.idx as usize)?;
            let res = m.matches(component, true, Scheme::Generic);
            Some((m.vulnerable, res)).filter(|(_, r)| r.is_match())
        };
        let of = |c: u32| t.crits.get(c as usize);
        let mut i = 0;
        while let Some(first) = crits.get(i).and_then(|c| of(*c)) {
            let e = first.entry;
            let to = i + crits[i..].partition_point(|c| of(*c).is_some_and(|r| r.entry == e));
            let group = &crits[i..to.max(i + 1)];
            i = to.max(i + 1);
            let Some(entry) = self.entries.get(e as usize) else {
                continue;
            };
            if entry.local {
                let mut best: Option<MatchResult> = None;
                for r in group.iter().filter_map(|c| of(*c)) {
                    if !can_improve(best.as_ref(), r) {
                        continue;
                    }
                    if let Some((_, res)) = result(entry, r) {
                        if best.as_ref().is_none_or(|b| stronger(b, &res)) {
                            best = Some(res);
                        }
                    }
                }
                if let Some(b) = best {
                    out.local.push((e, b));
                }
                continue;
            }
            // Needs the rest of the system: each criteria's result is kept
            // for combining there. Of an OR node only the first strongest
            // result of its vulnerable criteria and of its platforms
            // count; of an AND node every one.
            let mut k = 0;
            while let Some(r0) = group.get(k).and_then(|c| of(*c)) {
                let (cfg, node) = (r0.config, r0.node);
                let end = k + group[k..]
                    .partition_point(|c| of(*c).is_some_and(|r| (r.config, r.node) == (cfg, node)));
                let part = &group[k..end.max(k + 1)];
                k = end.max(k + 1);
                let or = entry
                    .configs
                    .get(cfg as usize)
                    .is_some_and(|c| c.node_is_or(node as usize));
                let mut best: [Option<Try>; 2] = [None, None];
                for c in part {
                    let Some(r) = of(*c) else { continue };
                    let slot = usize::from(r.vulnerable);
                    if or && !can_improve(best[slot].as_ref().map(|b| &b.result), r) {
                        continue;
                    }
                    let Some((vulnerable, res)) = result(entry, r) else {
                        continue;
                    };
                    // A platform's reason is never shown.
                    let res = match res {
                        MatchResult::Yes { .. } if !vulnerable => MatchResult::Yes {
                            reason: String::new(),
                        },
                        MatchResult::Possible { .. } if !vulnerable => MatchResult::Possible {
                            reason: String::new(),
                        },
                        res => res,
                    };
                    let found = Try {
                        entry: e,
                        crit: *c,
                        config: r.config,
                        node: r.node,
                        idx: r.idx,
                        vulnerable,
                        result: res,
                    };
                    if !or {
                        match vulnerable {
                            true => out.nonlocal.push(found),
                            false => out.platforms.push(found),
                        }
                    } else if best[slot]
                        .as_ref()
                        .is_none_or(|b| stronger(&b.result, &found.result))
                    {
                        best[slot] = Some(found);
                    }
                }
                let [platform, vulnerable] = best;
                out.platforms.extend(platform);
                out.nonlocal.extend(vulnerable);
            }
        }
        out.nonlocal.sort_by_key(|t| t.crit);
        out.platforms.sort_by_key(|t| t.crit);
        // Entries with a pattern for a product: evaluated as they stand.
        let one = std::slice::from_ref(component);
        let sorted = sorted_keys(&[Some(k)]);
        for e in whole {
            let Some(entry) = self.entries.get(e as usize) else {
                continue;
            };
            if !entry.local {
                out.whole.push(e);
                continue;
            }
            let mut best: Option<MatchResult> = None;
            for c in &entry.configs {
                for (_, r) in evaluate_compiled(c, one, &sorted, Scheme::Generic) {
                    if r.is_match() && best.as_ref().is_none_or(|b| stronger(b, &r)) {
                        best = Some(r);
                    }
                }
            }
            if let Some(b) = best {
                out.local.push((e, b));
            }
        }
        out.local.sort_by_key(|(e, _)| *e);
        out.whole.sort_unstable();
        out.whole.dedup();
        out
    }

    /// The entries that depend on more than one component, on one system:
    /// `tries` are (criteria's result, component) from
    /// [`MatchIndex::match_name`] of each component ([`NameHits::nonlocal`]).
    /// An entry is evaluated only when one of its vulnerable criteria
    /// matched, and then on those results alone (see [`evaluate_sparse`]).
    /// `components` is how many there are; `name` gives one's formatted CPE
    /// name (for reasons).
    pub fn match_nonlocal(
        &self,
        tries: &mut Vec<(&Try, u32)>,
        components: usize,
        name: &dyn Fn(usize) -> Option<String>,
        mut out: impl FnMut(Hit),
    ) {
        tries.sort_unstable_by_key(|(t, comp)| (t.crit, *comp));
        tries.dedup_by_key(|(t, comp)| (t.crit, *comp));
        let mut best: Vec<(usize, MatchResult)> = Vec::new();
        let mut sub: Vec<(u16, u32, u32, &MatchResult, bool)> = Vec::new();
        let mut i = 0;
        while let Some((first, _)) = tries.get(i) {
            let e = first.entry;
            let to = i + tries[i..].partition_point(|(t, _)| t.entry == e);
            let group = &tries[i..to.max(i + 1)];
            i = to.max(i + 1);
            let vulnerable = group.iter().any(|(t, _)| t.vulnerable);
            let Some(entry) = self.entries.get(e as usize).filter(|_| vulnerable) else {
                continue;
            };
            best.clear();
            for (ci, config) in entry.configs.iter().enumerate() {
                sub.clear();
                sub.extend(group.iter().filter_map(|(t, comp)| {
                    (t.config as usize == ci).then_some((
                        t.node,
                        t.idx,
                        *comp,
                        &t.result,
                        t.vulnerable,
                    ))
                }));
                if sub.is_empty() {
                    continue;
                }
                for (comp, r) in evaluate_sparse(config, components, name, &sub) {
                    if !r.is_match() {
                        continue;
                    }
                    keep_stronger(&mut best, comp, r);
                }
            }
            hits(&mut best, &entry.vuln_ids, &mut out);
        }
    }

    /// Evaluate the given entries (sorted) on a system's components, each
    /// configuration as it stands (platforms, AND, negation).
    pub fn match_entries(
        &self,
        entries: &[u32],
        components: &[Cpe23],
        scheme: Scheme,
        out: impl FnMut(Hit),
    ) {
        let keys: Vec<Option<u32>> = components.iter().map(|c| self.interner.lookup(c)).collect();
        self.eval_entries(entries, components, &sorted_keys(&keys), scheme, out)
    }

    fn eval_entries(
        &self,
        entries: &[u32],
        components: &[Cpe23],
        sorted: &[(u32, usize)],
        scheme: Scheme,
        mut out: impl FnMut(Hit),
    ) {
        let mut best: Vec<(usize, MatchResult)> = Vec::new();
        for i in entries {
            let Some(e) = self.entries.get(*i as usize) else {
                continue;
            };
            best.clear();
            for c in &e.configs {
                for (comp, r) in evaluate_compiled(c, components, sorted, scheme) {
                    if !r.is_match() {
                        continue;
                    }
                    keep_stronger(&mut best, comp, r);
                }
            }
            hits(&mut best, &e.vuln_ids, &mut out);
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
        let ids: Vec<&str> = hits.iter().map(|h| &*h.vuln_id).collect();
        assert_eq!(
            ids,
            vec!["CVE-2024-27316"],
            "2.4.58 < 2.4.59 hits; 2.4.58 >= 2.4.10 does not; curl is not installed"
        );
        assert_eq!(hits[0].component, 0);
        assert!(hits[0].result.reason().unwrap_or("").contains("2.4.59"));
    }
}
