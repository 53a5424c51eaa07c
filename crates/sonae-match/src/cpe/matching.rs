//! Name matching (NISTIR 7696) and one NVD `cpeMatch` against one component.

use std::cmp::Ordering;

use sonae_domain::vuln::CpeMatch;

use super::name::{AttrValue, Cpe23, Tok};
use crate::version::{self, Scheme};

/// How the set of names a source attribute stands for relates to the set
/// a target attribute stands for (NISTIR 7696 §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// The source covers the target and more (`*` vs `2.4.58`, `java*` vs `java_se`).
    Superset,
    /// The target covers the source and more (`2.4.58` vs `*`).
    Subset,
    Equal,
    Disjoint,
    /// The target holds wildcards: it is a pattern, not a name.
    Undefined,
}

/// Compare one attribute: `source` is the pattern (a feed's criteria),
/// `target` the name (an inventory component's).
pub fn compare_attr(source: &AttrValue, target: &AttrValue) -> Relation {
    if let AttrValue::Value(t) = target {
        if t.has_wildcards() {
            return Relation::Undefined;
        }
    }
    if source == target {
        return Relation::Equal;
    }
    match (source, target) {
        (AttrValue::Any, _) => Relation::Superset,
        (_, AttrValue::Any) => Relation::Subset,
        (AttrValue::Na, _) | (_, AttrValue::Na) => Relation::Disjoint,
        (AttrValue::Value(s), AttrValue::Value(t)) => {
            let target: Vec<char> = t
                .toks()
                .iter()
                .filter_map(|t| match t {
                    Tok::Lit(c) => Some(*c),
                    Tok::One | Tok::Many => None,
                })
                .collect();
            if s.has_wildcards() && glob(s.toks(), &target) {
                Relation::Superset
            } else {
                Relation::Disjoint
            }
        }
    }
}

/// Whether one attribute of a source pattern admits the target: ANY in the
/// source admits everything, NA only NA (or an unknown ANY target), a
/// value an equal value (or ANY), a value with wildcards each value they
/// match. Every relation but DISJOINT and UNDEFINED.
pub fn attr_matches(source: &AttrValue, target: &AttrValue) -> bool {
    !matches!(
        compare_attr(source, target),
        Relation::Disjoint | Relation::Undefined
    )
}

/// Each `?` one character, each `*` any run of characters.
fn glob(pattern: &[Tok], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((Tok::Many, rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        Some((Tok::One, rest)) => !text.is_empty() && glob(rest, &text[1..]),
        Some((Tok::Lit(c), rest)) => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}

/// The outcome of one criteria against one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchResult {
    No,
    /// The component is affected; `reason` says by which criteria and why
    /// its version is in range, in English.
    Yes {
        reason: String,
    },
    /// Name matches but the component does not say what the criteria needs
    /// to decide (its version, or its update), so it may be affected.
    Possible {
        reason: String,
    },
}

impl MatchResult {
    /// Yes or Possible.
    pub fn is_match(&self) -> bool {
        !matches!(self, MatchResult::No)
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            MatchResult::No => None,
            MatchResult::Yes { reason } | MatchResult::Possible { reason } => Some(reason),
        }
    }

    /// Yes before Possible before No.
    pub(crate) fn rank(&self) -> u8 {
        match self {
            MatchResult::No => 0,
            MatchResult::Possible { .. } => 1,
            MatchResult::Yes { .. } => 2,
        }
    }
}

/// Does a `cpeMatch` affect the component?
///
/// Every attribute but the version must match ([`attr_matches`]). The
/// version: criteria version ANY with a range (versionStart/End…) → the
/// component's version must lie in the range, compared under `scheme`;
/// ANY without a range → every version; a specific version → equal
/// (text equal, or equal under [`Scheme::Generic`] so `2.4` = `2.4.0`);
/// NA → only a component without a version (NA or ANY).
///
/// `Possible` when the component's version is ANY (a product-level
/// inventory entry) and the criteria needs a version (a range or a specific
/// one), and likewise when the criteria names an update (`sp1`) and the
/// component's update is ANY.
///
/// A platform condition (`vulnerable: false`) whose version is NA
/// (`cpe:2.3:o:microsoft:windows:-:…`, the NVD's way of saying "Windows")
/// admits any version of that platform.
///
/// A criteria that is not a valid CPE 2.3 name matches nothing.
pub fn match_cpe(criteria: &CpeMatch, component: &Cpe23, scheme: Scheme) -> MatchResult {
    match Cpe23::parse(&criteria.criteria) {
        Ok(crit) => match_parsed(criteria, &crit, component, scheme),
        Err(_) => MatchResult::No,
    }
}

pub(crate) fn match_parsed(
    m: &CpeMatch,
    crit: &Cpe23,
    component: &Cpe23,
    scheme: Scheme,
) -> MatchResult {
    let mut unknown: Vec<String> = Vec::new();
    for ((name, s), (_, t)) in crit.attrs().into_iter().zip(component.attrs()) {
        if name == "version" {
            continue;
        }
        if !attr_matches(s, t) {
            return MatchResult::No;
        }
        if name == "update" && matches!(s, AttrValue::Value(_)) && *t == AttrValue::Any {
            unknown.push(format!("update {s}"));
        }
    }

    let range = bounds(m);
    let crit_version = match &crit.version {
        AttrValue::Na if !m.vulnerable => &AttrValue::Any,
        v => v,
    };
    let comp_version = match &component.version {
        AttrValue::Value(v) if v.has_wildcards() => return MatchResult::No,
        v => v,
    };
    let mut why: Vec<String> = Vec::new();
    match (crit_version, comp_version) {
        (AttrValue::Na, AttrValue::Na | AttrValue::Any) => why.push("no version".to_owned()),
        (AttrValue::Na, AttrValue::Value(_)) => return MatchResult::No,
        (AttrValue::Any, AttrValue::Any) if range.is_empty() => why.push("all versions".to_owned()),
        (AttrValue::Any, AttrValue::Value(v)) if range.is_empty() => {
            why.push(format!("all versions ({} included)", v.as_str()))
        }
        (AttrValue::Any, AttrValue::Na) if range.is_empty() => why.push("all versions".to_owned()),
        (AttrValue::Value(c), AttrValue::Value(v)) => {
            let equal = if c.has_wildcards() {
                compare_attr(crit_version, comp_version) == Relation::Superset
            } else {
                c.as_str() == v.as_str()
                    || version::compare(Scheme::Generic, v.as_str(), c.as_str()) == Ordering::Equal
            };
            if !equal {
                return MatchResult::No;
            }
            why.push(format!("version {} = {}", c.as_str(), v.as_str()));
        }
        (AttrValue::Value(c), AttrValue::Any) => unknown.push(format!("version {}", c.as_str())),
        (AttrValue::Value(_), AttrValue::Na) => return MatchResult::No,
        (AttrValue::Any, AttrValue::Any) => {}
        (AttrValue::Any, AttrValue::Na) => return MatchResult::No,
        (AttrValue::Any, AttrValue::Value(_)) => {}
    }
    if !range.is_empty() {
        match comp_version {
            AttrValue::Value(v) => {
                let v = v.as_str();
                for (key, bound, holds, op) in &range {
                    let ord = version::compare(scheme, v, bound);
                    if !holds(ord) {
                        return MatchResult::No;
                    }
                    why.push(format!("{key} {bound} {op} {v}"));
                }
            }
            AttrValue::Any => unknown.push(
                range
                    .iter()
                    .map(|(key, bound, _, _)| format!("{key} {bound}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            AttrValue::Na => return MatchResult::No,
        }
    }

    if unknown.is_empty() {
        MatchResult::Yes {
            reason: format!("{} {}", m.criteria, why.join(", ")),
        }
    } else {
        let mut reason = format!("{} affects {}", m.criteria, unknown.join(", "));
        if !why.is_empty() {
            reason.push_str(&format!(" ({})", why.join(", ")));
        }
        reason.push_str("; the component does not say its ");
        reason.push_str(if unknown.iter().all(|u| u.starts_with("update")) {
            "update"
        } else {
            "version"
        });
        MatchResult::Possible { reason }
    }
}

/// A range bound: its NVD name, its version, whether an ordering of
/// (component version, bound) satisfies it, and the operator read from
/// the bound's side ("2.4.59 > 2.4.58").
type Bound<'a> = (&'static str, &'a str, fn(Ordering) -> bool, &'static str);

fn bounds(m: &CpeMatch) -> Vec<Bound<'_>> {
    let mut out: Vec<Bound<'_>> = Vec::new();
    if let Some(b) = &m.version_start_including {
        out.push(("versionStartIncluding", b, |o| o != Ordering::Less, "<="));
    }
    if let Some(b) = &m.version_start_excluding {
        out.push(("versionStartExcluding", b, |o| o == Ordering::Greater, "<"));
    }
    if let Some(b) = &m.version_end_including {
        out.push(("versionEndIncluding", b, |o| o != Ordering::Greater, ">="));
    }
    if let Some(b) = &m.version_end_excluding {
        out.push(("versionEndExcluding", b, |o| o == Ordering::Less, ">"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn glob_ends() {
        let p = [Tok::Lit('a'), Tok::Many];
        assert!(glob(&p, &lit("a")));
        assert!(glob(&p, &lit("abc")));
        assert!(!glob(&p, &lit("ba")));
        let q = [Tok::One, Tok::Lit('b')];
        assert!(glob(&q, &lit("ab")));
        assert!(!glob(&q, &lit("b")));
        assert!(!glob(&q, &lit("aab")));
    }
}
