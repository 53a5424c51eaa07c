//! An NVD configuration against the CPEs of one system.

use sonae_domain::vuln::{Configuration, Operator};

use super::matching::{Criterion, MatchResult};
use super::name::{AttrValue, Cpe23};
use crate::version::Scheme;
use std::collections::HashMap;

/// Three-valued truth: a condition may hold only possibly, when a
/// component does not say its version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Truth {
    No,
    Possible,
    Yes,
}

impl Truth {
    fn of(r: &MatchResult) -> Truth {
        match r {
            MatchResult::No => Truth::No,
            MatchResult::Possible { .. } => Truth::Possible,
            MatchResult::Yes { .. } => Truth::Yes,
        }
    }

    fn not(self) -> Truth {
        match self {
            Truth::No => Truth::Yes,
            Truth::Possible => Truth::Possible,
            Truth::Yes => Truth::No,
        }
    }
}

/// Combine truths: AND is the weakest, OR the strongest; nothing is false.
fn combine(op: Operator, truths: impl Iterator<Item = Truth>) -> Truth {
    let mut any = false;
    let mut acc = match op {
        Operator::And => Truth::Yes,
        Operator::Or => Truth::No,
    };
    for t in truths {
        any = true;
        acc = match op {
            Operator::And => acc.min(t),
            Operator::Or => acc.max(t),
        };
    }
    if any {
        acc
    } else {
        Truth::No
    }
}

struct NodeEval {
    truth: Truth,
    /// Components matched by `vulnerable: true` entries.
    hits: Vec<(usize, MatchResult)>,
    /// Components matched by `vulnerable: false` entries (platforms).
    platforms: Vec<usize>,
}

/// A configuration prepared once (criteria parsed, products interned) for
/// evaluation against many systems.
#[derive(Debug, Clone)]
pub(crate) struct CompiledConfig {
    operator: Option<Operator>,
    negate: bool,
    nodes: Vec<CompiledNode>,
}

#[derive(Debug, Clone)]
struct CompiledNode {
    operator: Operator,
    negate: bool,
    /// None for a criteria that is not a CPE 2.3 name (it matches nothing).
    matches: Vec<Option<Criterion>>,
}

/// Interned vendor:product pairs: the keys by which criteria and
/// components meet.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    ids: HashMap<Box<str>, u32>,
    /// Criteria texts (see [`Interner::text`]).
    texts: std::collections::HashSet<std::sync::Arc<str>>,
    buf: String,
}

impl Interner {
    /// One shared copy of a criteria's text.
    pub(crate) fn text(&mut self, s: &str) -> std::sync::Arc<str> {
        if let Some(t) = self.texts.get(s) {
            return t.clone();
        }
        let t: std::sync::Arc<str> = std::sync::Arc::from(s);
        self.texts.insert(t.clone());
        t
    }

    /// How many keys there are (they are numbered from 0).
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    fn fill(&mut self, vendor: &str, product: &str) {
        self.buf.clear();
        self.buf.push_str(vendor);
        self.buf.push('\0');
        self.buf.push_str(product);
    }

    pub(crate) fn intern(&mut self, vendor: &str, product: &str) -> u32 {
        self.fill(vendor, product);
        if let Some(id) = self.ids.get(self.buf.as_str()) {
            return *id;
        }
        let id = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        self.ids.insert(self.buf.as_str().into(), id);
        id
    }

    /// [`Interner::key_of`] without adding to the table's buffer: for
    /// shared use while matching.
    pub(crate) fn lookup(&self, c: &Cpe23) -> Option<u32> {
        match (&c.vendor, &c.product) {
            (AttrValue::Value(v), AttrValue::Value(p))
                if !v.has_wildcards() && !p.has_wildcards() =>
            {
                let (v, p) = (v.as_str(), p.as_str());
                let mut buf = [0u8; 256];
                let n = v.len() + 1 + p.len();
                if n <= buf.len() {
                    buf[..v.len()].copy_from_slice(v.as_bytes());
                    buf[v.len() + 1..n].copy_from_slice(p.as_bytes());
                    let key = std::str::from_utf8(&buf[..n]).ok()?;
                    self.ids.get(key).copied()
                } else {
                    self.ids.get(format!("{v}\0{p}").as_str()).copied()
                }
            }
            _ => None,
        }
    }

    /// The key of a name whose vendor and product are literal values and
    /// that some criteria names.
    pub(crate) fn key_of(&mut self, c: &Cpe23) -> Option<u32> {
        match (&c.vendor, &c.product) {
            (AttrValue::Value(v), AttrValue::Value(p))
                if !v.has_wildcards() && !p.has_wildcards() =>
            {
                self.fill(v.as_str(), p.as_str());
                self.ids.get(self.buf.as_str()).copied()
            }
            _ => None,
        }
    }
}

impl CompiledConfig {
    /// Whether the configuration's result for a component depends on that
    /// component alone: OR of OR-nodes of vulnerable criteria, nothing
    /// negated, no platform. Such results are the same on every system
    /// and can be computed once per distinct component name.
    pub(crate) fn is_local(&self) -> bool {
        !self.negate
            && self.operator.is_none_or(|o| o == Operator::Or)
            && self.nodes.iter().all(|n| {
                n.operator == Operator::Or
                    && !n.negate
                    && n.matches.iter().flatten().all(|m| m.vulnerable)
            })
    }

    pub(crate) fn new(c: &Configuration, interner: &mut Interner) -> CompiledConfig {
        CompiledConfig {
            operator: c.operator,
            negate: c.negate,
            nodes: c
                .nodes
                .iter()
                .map(|n| CompiledNode {
                    operator: n.operator,
                    negate: n.negate,
                    matches: n
                        .cpe_match
                        .iter()
                        .map(|m| Criterion::new(m, interner))
                        .collect(),
                })
                .collect(),
        }
    }

    /// Every criteria with its place: (node, position in the node).
    pub(crate) fn criteria(&self) -> impl Iterator<Item = (usize, usize, &Criterion)> + '_ {
        self.nodes.iter().enumerate().flat_map(|(n, node)| {
            node.matches
                .iter()
                .enumerate()
                .filter_map(move |(i, m)| m.as_ref().map(|m| (n, i, m)))
        })
    }

    /// Whether node `n` combines its criteria by OR.
    pub(crate) fn node_is_or(&self, n: usize) -> bool {
        self.nodes
            .get(n)
            .is_some_and(|n| n.operator == Operator::Or)
    }

    /// The criteria at a place given by [`CompiledConfig::criteria`].
    pub(crate) fn criterion(&self, node: usize, i: usize) -> Option<&Criterion> {
        self.nodes.get(node)?.matches.get(i)?.as_ref()
    }

    /// The keys of the vulnerable criteria (what an index files it under).
    pub(crate) fn vulnerable_keys(&self) -> impl Iterator<Item = u32> + '_ {
        self.nodes
            .iter()
            .flat_map(|n| n.matches.iter().flatten())
            .filter(|m| m.vulnerable)
            .filter_map(|m| m.key)
    }
}

fn eval_node(
    node: &CompiledNode,
    system: &[Cpe23],
    keys: &[(u32, usize)],
    scheme: Scheme,
) -> NodeEval {
    let mut hits = Vec::new();
    let mut platforms = Vec::new();
    let mut truths = Vec::with_capacity(node.matches.len());
    for m in &node.matches {
        let Some(m) = m else {
            truths.push(Truth::No);
            continue;
        };
        let mut best = Truth::No;
        // A criteria that names its product only meets components of that
        // product: `keys` is sorted by key, so they are one run of it.
        let run: &[(u32, usize)] = match m.key {
            Some(k) => {
                let from = keys.partition_point(|(x, _)| *x < k);
                let to = from + keys[from..].partition_point(|(x, _)| *x == k);
                &keys[from..to]
            }
            None => &[],
        };
        let all: Vec<(u32, usize)>;
        let candidates = if m.key.is_some() {
            run
        } else {
            all = (0..system.len()).map(|i| (u32::MAX, i)).collect();
            &all
        };
        for &(_, i) in candidates {
            let Some(c) = system.get(i) else { continue };
            let r = m.matches(c, m.key.is_some(), scheme);
            let t = Truth::of(&r);
            if t == Truth::No {
                continue;
            }
            best = best.max(t);
            if m.vulnerable {
                hits.push((i, r));
            } else if !platforms.contains(&i) {
                platforms.push(i);
            }
        }
        truths.push(best);
    }
    let mut truth = combine(node.operator, truths.into_iter());
    if node.negate {
        // A negated node says what must be absent: it names no vulnerable
        // component.
        truth = truth.not();
        hits.clear();
        platforms.clear();
    }
    NodeEval {
        truth,
        hits,
        platforms,
    }
}

/// Evaluate an NVD configuration against the CPEs of one system (its
/// components and, for platform conditions, its operating system and
/// hardware).
///
/// Each node's `cpeMatch` entries are tried against every CPE of the
/// system ([`super::match_cpe`]); a node with operator OR holds when one
/// entry matches some CPE, AND when every entry does; `negate` inverts a
/// node. The configuration combines its nodes by its operator (AND for
/// application-on-platform pairs; absent means OR). A node of
/// `vulnerable: false` entries only is a platform condition: it holds when
/// the system has a matching CPE, but that CPE is not reported.
///
/// Returns the vulnerable components (indices into `system_cpes`, in
/// order, each once with its strongest result) matched by a
/// `vulnerable: true` entry of a node that holds, when the configuration
/// holds; empty otherwise. When the configuration holds only possibly
/// (a needed CPE's version is unknown) every result is `Possible`.
///
/// A negated configuration names no component, so it yields nothing.
pub fn evaluate(
    config: &Configuration,
    system_cpes: &[Cpe23],
    scheme: Scheme,
) -> Vec<(usize, MatchResult)> {
    let mut interner = Interner::default();
    let compiled = CompiledConfig::new(config, &mut interner);
    let keys: Vec<Option<u32>> = system_cpes.iter().map(|c| interner.key_of(c)).collect();
    evaluate_compiled(&compiled, system_cpes, &sorted_keys(&keys), scheme)
}

/// The components' keys as (key, index) pairs sorted by key, for
/// [`evaluate_compiled`].
pub(crate) fn sorted_keys(keys: &[Option<u32>]) -> Vec<(u32, usize)> {
    let mut v: Vec<(u32, usize)> = keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| k.map(|k| (k, i)))
        .collect();
    v.sort_unstable();
    v
}

/// [`evaluate`] for a prepared configuration; `keys` holds the interned
/// vendor:product of the components that have one, with their index,
/// sorted (see [`sorted_keys`]).
pub(crate) fn evaluate_compiled(
    config: &CompiledConfig,
    system_cpes: &[Cpe23],
    keys: &[(u32, usize)],
    scheme: Scheme,
) -> Vec<(usize, MatchResult)> {
    if config.negate {
        return Vec::new();
    }
    let nodes: Vec<NodeEval> = config
        .nodes
        .iter()
        .map(|n| eval_node(n, system_cpes, keys, scheme))
        .collect();
    conclude(config, nodes, |p| {
        system_cpes.get(p).map(Cpe23::to_formatted_string)
    })
}

/// [`evaluate_compiled`] from the criteria's results given: `tries` holds
/// (node, position in the node, component, result of that criteria on
/// that component, whether the criteria is vulnerable), sorted, for every
/// criteria that matches a component;
/// every other criteria counts as matching nothing. An index that keeps
/// each criteria's result per component name uses this so that each
/// system only combines them; it gives what [`evaluate_compiled`] gives as
/// long as no matching criteria is left out.
pub(crate) fn evaluate_sparse(
    config: &CompiledConfig,
    components: usize,
    name: &dyn Fn(usize) -> Option<String>,
    tries: &[(u16, u32, u32, &MatchResult, bool)],
) -> Vec<(usize, MatchResult)> {
    if config.negate {
        return Vec::new();
    }
    let mut rest = tries;
    let mut nodes: Vec<NodeEval> = Vec::with_capacity(config.nodes.len());
    for (n, node) in config.nodes.iter().enumerate() {
        let n = u16::try_from(n).unwrap_or(u16::MAX);
        let from = rest.partition_point(|t| t.0 < n);
        let to = from + rest[from..].partition_point(|t| t.0 == n);
        let mine = &rest[from..to];
        rest = &rest[to..];
        let mut hits = Vec::new();
        let mut platforms = Vec::new();
        let mut truths: Vec<Truth> = Vec::new();
        let mut k = 0;
        while let Some(&(_, idx, _, _, _)) = mine.get(k) {
            let mut best = Truth::No;
            while let Some(&(_, i, comp, r, vulnerable)) = mine.get(k) {
                if i != idx {
                    break;
                }
                k += 1;
                if comp as usize >= components {
                    continue;
                }
                let t = Truth::of(r);
                if t == Truth::No {
                    continue;
                }
                best = best.max(t);
                let comp = comp as usize;
                if vulnerable {
                    hits.push((comp, r.clone()));
                } else if !platforms.contains(&comp) {
                    platforms.push(comp);
                }
            }
            truths.push(best);
        }
        // The criteria not tried match nothing.
        truths.resize(node.matches.len().max(truths.len()), Truth::No);
        let mut truth = combine(node.operator, truths.into_iter());
        if node.negate {
            truth = truth.not();
            hits.clear();
            platforms.clear();
        }
        nodes.push(NodeEval {
            truth,
            hits,
            platforms,
        });
    }
    conclude(config, nodes, name)
}

/// A configuration's result from its nodes' (see [`evaluate_compiled`]);
/// `name` gives a component's formatted CPE name.
fn conclude(
    config: &CompiledConfig,
    nodes: Vec<NodeEval>,
    name: impl Fn(usize) -> Option<String>,
) -> Vec<(usize, MatchResult)> {
    let op = config.operator.unwrap_or(Operator::Or);
    let truth = combine(op, nodes.iter().map(|n| n.truth));
    if truth == Truth::No {
        return Vec::new();
    }

    let holding = || nodes.iter().filter(|n| n.truth != Truth::No);
    let mut platforms: Vec<usize> = Vec::new();
    if op == Operator::And {
        for p in holding().flat_map(|n| n.platforms.iter()) {
            if !platforms.contains(p) {
                platforms.push(*p);
            }
        }
    }

    let mut out: Vec<(usize, MatchResult)> = Vec::new();
    for (i, r) in holding().flat_map(|n| n.hits.iter()) {
        let on: Vec<String> = platforms
            .iter()
            .filter(|p| **p != *i)
            .filter_map(|p| name(*p))
            .collect();
        let suffix = if on.is_empty() {
            String::new()
        } else {
            format!("; running on {}", on.join(", "))
        };
        let r = match r {
            MatchResult::Yes { reason } if truth == Truth::Possible => MatchResult::Possible {
                reason: format!(
                    "{reason}{suffix}; other conditions of the configuration are only possibly met"
                ),
            },
            MatchResult::Yes { reason } => MatchResult::Yes {
                reason: format!("{reason}{suffix}"),
            },
            MatchResult::Possible { reason } => MatchResult::Possible {
                reason: format!("{reason}{suffix}"),
            },
            MatchResult::No => continue,
        };
        match out.iter_mut().find(|(j, _)| j == i) {
            Some(slot) if slot.1.rank() < r.rank() => slot.1 = r,
            Some(_) => {}
            None => out.push((*i, r)),
        }
    }
    out.sort_by_key(|(i, _)| *i);
    out
}
