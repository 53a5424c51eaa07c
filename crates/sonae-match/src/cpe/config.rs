//! An NVD configuration against the CPEs of one system.

use sonae_domain::vuln::{ConfigNode, Configuration, Operator};

use super::matching::{match_parsed, MatchResult};
use super::name::Cpe23;
use crate::version::Scheme;

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

fn eval_node(node: &ConfigNode, system: &[Cpe23], scheme: Scheme) -> NodeEval {
    let mut hits = Vec::new();
    let mut platforms = Vec::new();
    let mut truths = Vec::with_capacity(node.cpe_match.len());
    for m in &node.cpe_match {
        let Ok(crit) = Cpe23::parse(&m.criteria) else {
            truths.push(Truth::No);
            continue;
        };
        let mut best = Truth::No;
        for (i, c) in system.iter().enumerate() {
            let r = match_parsed(m, &crit, c, scheme);
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
    if config.negate {
        return Vec::new();
    }
    let nodes: Vec<NodeEval> = config
        .nodes
        .iter()
        .map(|n| eval_node(n, system_cpes, scheme))
        .collect();
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
            .filter_map(|p| system_cpes.get(*p))
            .map(Cpe23::to_formatted_string)
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
