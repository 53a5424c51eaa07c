//! Name matching (NISTIR 7696) and one NVD `cpeMatch` against one component.

use std::cmp::Ordering;

use sonae_domain::vuln::CpeMatch;

use super::config::Interner;
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
    /// to decide (its version, or its update, target software… see
    /// [`match_cpe`]), so it may be affected.
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
/// one), and likewise when the criteria names an update (`sp1`), an
/// edition, a sw_edition, a target_sw (`iphone_os`), a target_hw or an
/// other and the component's is ANY (see [`Unstated`]; for a platform
/// criteria only the update counts).
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
    let Some(unstated) = Unstated::check(crit, component, m.vulnerable) else {
        return MatchResult::No;
    };
    let bounds = [
        m.version_start_including.as_deref(),
        m.version_start_excluding.as_deref(),
        m.version_end_including.as_deref(),
        m.version_end_excluding.as_deref(),
    ];
    finish(
        &m.criteria,
        m.vulnerable,
        VersionRef::of(&crit.version),
        bounds,
        unstated,
        component,
        scheme,
    )
}

/// The version half of a match, once every other attribute matched.
/// `bounds` are versionStartIncluding, versionStartExcluding,
/// versionEndIncluding, versionEndExcluding. Strings for the reason are
/// built only for a match (most attempts fail and must stay cheap).
pub(crate) fn finish(
    criteria: &str,
    vulnerable: bool,
    crit_version: VersionRef<'_>,
    bounds: [Option<&str>; 4],
    unstated: Unstated<'_>,
    component: &Cpe23,
    scheme: Scheme,
) -> MatchResult {
    let has_range = bounds.iter().any(Option::is_some);
    let crit_version = match crit_version {
        VersionRef::Na if !vulnerable => VersionRef::Any,
        v => v,
    };
    let comp_version = match &component.version {
        AttrValue::Value(v) if v.has_wildcards() => return MatchResult::No,
        v => v,
    };
    let mut unknown: Vec<String> = Vec::new();
    let mut why: Vec<String> = Vec::new();
    match (crit_version, comp_version) {
        (VersionRef::Na, AttrValue::Na | AttrValue::Any) => why.push("no version".to_owned()),
        (VersionRef::Na, AttrValue::Value(_)) => return MatchResult::No,
        (VersionRef::Any, AttrValue::Any) if !has_range => why.push("all versions".to_owned()),
        (VersionRef::Any, AttrValue::Value(v)) if !has_range => {
            why.push(format!("all versions ({} included)", v.as_str()))
        }
        (VersionRef::Any, AttrValue::Na) if !has_range => why.push("all versions".to_owned()),
        (VersionRef::Lit(c), AttrValue::Value(v)) => {
            let equal = c == v.as_str()
                || version::compare(Scheme::Generic, v.as_str(), c) == Ordering::Equal;
            if !equal {
                return MatchResult::No;
            }
            why.push(format!("version {c} = {}", v.as_str()));
        }
        (VersionRef::Pattern(p), AttrValue::Value(v)) => {
            if compare_attr(p, comp_version) != Relation::Superset {
                return MatchResult::No;
            }
            why.push(format!("version {} = {}", crit_version.text(), v.as_str()));
        }
        (VersionRef::Lit(_) | VersionRef::Pattern(_), AttrValue::Any) => {
            unknown.push(format!("version {}", crit_version.text()))
        }
        (VersionRef::Lit(_) | VersionRef::Pattern(_), AttrValue::Na) => return MatchResult::No,
        (VersionRef::Any, AttrValue::Any) => {}
        (VersionRef::Any, AttrValue::Na) => return MatchResult::No,
        (VersionRef::Any, AttrValue::Value(_)) => {}
    }
    if has_range {
        match comp_version {
            AttrValue::Value(v) => {
                let v = v.as_str();
                for (i, bound) in bounds.iter().enumerate() {
                    let Some(bound) = bound else { continue };
                    let (_, holds, _) = BOUNDS[i];
                    if !holds(version::compare(scheme, v, bound)) {
                        return MatchResult::No;
                    }
                }
                for (i, bound) in bounds.iter().enumerate() {
                    let Some(bound) = bound else { continue };
                    let (key, _, op) = BOUNDS[i];
                    why.push(format!("{key} {bound} {op} {v}"));
                }
            }
            AttrValue::Any => unknown.push(
                bounds
                    .iter()
                    .enumerate()
                    .filter_map(|(i, b)| b.map(|b| format!("{} {b}", BOUNDS[i].0)))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            AttrValue::Na => return MatchResult::No,
        }
    }

    if unknown.is_empty() && unstated.is_empty() {
        return MatchResult::Yes {
            reason: format!("{} {}", criteria, why.join(", ")),
        };
    }
    let mut reason = if unknown.is_empty() {
        format!("{} {}", criteria, why.join(", "))
    } else {
        let mut r = format!("{} affects {}", criteria, unknown.join(", "));
        if !why.is_empty() {
            r.push_str(&format!(" ({})", why.join(", ")));
        }
        r.push_str("; the component does not say its version");
        r
    };
    if !unstated.is_empty() {
        reason.push_str("; the component does not state ");
        reason.push_str(&unstated.describe());
    }
    MatchResult::Possible { reason }
}

/// The attributes (besides the version) that a criteria names a value for
/// and a component leaves open (ANY): the component may be that edition,
/// target software… or another, so a match can only be possible.
///
/// Of a vulnerable criteria: update, edition, sw_edition, target_sw,
/// target_hw and other. Of a platform criteria (`vulnerable: false`),
/// which is about the system rather than the component, only the update.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Unstated<'a> {
    crit: Option<&'a Cpe23>,
    /// Bit `i` for attribute `i` of [`Cpe23::attrs`].
    mask: u16,
}

impl<'a> Unstated<'a> {
    /// Compare every attribute but the version ([`attr_matches`]): None
    /// when one does not match, else the ones left unstated. Allocates
    /// nothing.
    pub(crate) fn check(
        crit: &'a Cpe23,
        component: &Cpe23,
        vulnerable: bool,
    ) -> Option<Unstated<'a>> {
        let mut mask = 0u16;
        for (i, ((name, s), (_, t))) in crit.attrs().into_iter().zip(component.attrs()).enumerate()
        {
            if name == "version" {
                continue;
            }
            if !attr_matches(s, t) {
                return None;
            }
            let counts = match name {
                "update" => true,
                "edition" | "sw_edition" | "target_sw" | "target_hw" | "other" => vulnerable,
                _ => false,
            };
            if counts && matches!(s, AttrValue::Value(_)) && *t == AttrValue::Any {
                mask |= 1 << i;
            }
        }
        Some(Unstated {
            crit: Some(crit),
            mask,
        })
    }

    fn is_empty(&self) -> bool {
        self.mask == 0
    }

    /// `target_sw (criteria: iphone_os), update (criteria: sp1)`.
    fn describe(&self) -> String {
        let Some(crit) = self.crit else {
            return String::new();
        };
        crit.attrs()
            .into_iter()
            .enumerate()
            .filter(|(i, _)| self.mask & (1 << i) != 0)
            .map(|(_, (name, v))| format!("{name} (criteria: {v})"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A criteria's version, held compactly: nearly every one is ANY or a
/// plain version.
#[derive(Debug, Clone)]
enum CritVersion {
    Any,
    Na,
    /// A version without wildcards.
    Lit(Box<str>),
    Pattern(Box<AttrValue>),
}

impl CritVersion {
    fn of(v: &AttrValue) -> CritVersion {
        match v {
            AttrValue::Any => CritVersion::Any,
            AttrValue::Na => CritVersion::Na,
            AttrValue::Value(t) if t.has_wildcards() => CritVersion::Pattern(Box::new(v.clone())),
            AttrValue::Value(t) => CritVersion::Lit(t.as_str().into()),
        }
    }

    fn as_ref(&self) -> VersionRef<'_> {
        match self {
            CritVersion::Any => VersionRef::Any,
            CritVersion::Na => VersionRef::Na,
            CritVersion::Lit(t) => VersionRef::Lit(t),
            CritVersion::Pattern(p) => VersionRef::Pattern(p),
        }
    }
}

/// A criteria's version as [`finish`] reads it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum VersionRef<'a> {
    Any,
    Na,
    Lit(&'a str),
    /// A value with wildcards.
    Pattern(&'a AttrValue),
}

impl<'a> VersionRef<'a> {
    pub(crate) fn of(v: &'a AttrValue) -> VersionRef<'a> {
        match v {
            AttrValue::Any => VersionRef::Any,
            AttrValue::Na => VersionRef::Na,
            AttrValue::Value(t) if t.has_wildcards() => VersionRef::Pattern(v),
            AttrValue::Value(t) => VersionRef::Lit(t.as_str()),
        }
    }

    /// The version's text (wildcards shown as `*` and `?`).
    fn text(&self) -> &'a str {
        match self {
            VersionRef::Lit(t) => t,
            VersionRef::Pattern(AttrValue::Value(t)) => t.as_str(),
            _ => "",
        }
    }
}

/// See [`Criterion::version_kind`].
pub(crate) enum VersionKind<'a> {
    Point(&'a str),
    /// versionStartIncluding, versionStartExcluding, versionEndIncluding,
    /// versionEndExcluding.
    Range([Option<&'a str>; 4]),
    Other,
}

/// Whether the ordering of (component version, bound) satisfies bound
/// `i` of NVD's order (see [`VersionKind::Range`]).
pub(crate) fn bound_holds(i: usize, o: Ordering) -> bool {
    BOUNDS.get(i).is_some_and(|(_, holds, _)| holds(o))
}

/// The range bounds in NVD order: name, whether an ordering of (component
/// version, bound) satisfies it, and the operator read from the bound's
/// side ("2.4.59 > 2.4.58").
type BoundRule = (&'static str, fn(Ordering) -> bool, &'static str);
const BOUNDS: [BoundRule; 4] = [
    ("versionStartIncluding", |o| o != Ordering::Less, "<="),
    ("versionStartExcluding", |o| o == Ordering::Greater, "<"),
    ("versionEndIncluding", |o| o != Ordering::Greater, ">="),
    ("versionEndExcluding", |o| o == Ordering::Less, ">"),
];

/// A `cpeMatch` prepared once for matching many components: its criteria
/// parsed, its product interned, its range bounds kept. Memory matters (an
/// index holds about a million of these), so the parts that are ANY in
/// nearly every criteria are held only when they are not.
#[derive(Debug, Clone)]
pub(crate) struct Criterion {
    /// Shared between the records that name the same criteria.
    pub(crate) criteria: std::sync::Arc<str>,
    pub(crate) vulnerable: bool,
    /// The interned vendor:product when both are literal values.
    pub(crate) key: Option<u32>,
    part: Part,
    version: CritVersion,
    /// The whole name, when it says more than part, product and version.
    full: Option<Box<Cpe23>>,
    bounds: Option<Box<[Option<Box<str>>; 4]>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Any,
    A,
    O,
    H,
}

impl Part {
    fn of(v: &AttrValue) -> Option<Part> {
        match v {
            AttrValue::Any => Some(Part::Any),
            AttrValue::Value(t) => match t.toks() {
                [Tok::Lit('a')] => Some(Part::A),
                [Tok::Lit('o')] => Some(Part::O),
                [Tok::Lit('h')] => Some(Part::H),
                _ => None,
            },
            AttrValue::Na => None,
        }
    }
}

impl Criterion {
    /// Prepare a `cpeMatch`; `intern` gives the vendor:product key. None
    /// when the criteria is not a CPE 2.3 name.
    pub(crate) fn new(m: &CpeMatch, interner: &mut Interner) -> Option<Criterion> {
        let crit = Cpe23::parse(&m.criteria).ok()?;
        let key = match (&crit.vendor, &crit.product) {
            (AttrValue::Value(v), AttrValue::Value(p))
                if !v.has_wildcards() && !p.has_wildcards() =>
            {
                Some(interner.intern(v.as_str(), p.as_str()))
            }
            _ => None,
        };
        let part = Part::of(&crit.part);
        let rest_any = [
            &crit.update,
            &crit.edition,
            &crit.language,
            &crit.sw_edition,
            &crit.target_sw,
            &crit.target_hw,
            &crit.other,
        ]
        .iter()
        .all(|a| **a == AttrValue::Any);
        let b = [
            &m.version_start_including,
            &m.version_start_excluding,
            &m.version_end_including,
            &m.version_end_excluding,
        ];
        let bounds = b
            .iter()
            .any(|x| x.is_some())
            .then(|| Box::new(b.map(|x| x.as_deref().map(Box::from))));
        let version = CritVersion::of(&crit.version);
        let (part, full) = match part {
            Some(p) if rest_any && key.is_some() => (p, None),
            _ => (Part::Any, Some(Box::new(crit))),
        };
        Some(Criterion {
            criteria: interner.text(&m.criteria),
            vulnerable: m.vulnerable,
            key,
            part,
            version,
            full,
            bounds,
        })
    }

    /// What an index files this criteria under, by its version: a single
    /// version without wildcards and no range; a range (version ANY and
    /// bounds); or anything else (every version, NA, a pattern, a version
    /// with a range), which is tried on every component of its product.
    pub(crate) fn version_kind(&self) -> VersionKind<'_> {
        match (&self.version, &self.bounds) {
            (CritVersion::Lit(t), None) => VersionKind::Point(t),
            (CritVersion::Any, Some(b)) => {
                VersionKind::Range([0, 1, 2, 3].map(|i| b[i].as_deref()))
            }
            _ => VersionKind::Other,
        }
    }

    /// Match one component. `same_key` says the component's vendor:product
    /// equals this criteria's key (the caller checked it).
    pub(crate) fn matches(&self, component: &Cpe23, same_key: bool, scheme: Scheme) -> MatchResult {
        let mut unstated = Unstated::default();
        match &self.full {
            None => {
                let ok = same_key
                    && match self.part {
                        Part::Any => true,
                        p => match Part::of(&component.part) {
                            Some(Part::Any) => true,
                            Some(c) => c == p,
                            None => false,
                        },
                    };
                if !ok {
                    return MatchResult::No;
                }
            }
            Some(crit) => match Unstated::check(crit, component, self.vulnerable) {
                Some(u) => unstated = u,
                None => return MatchResult::No,
            },
        }
        let bounds: [Option<&str>; 4] = match &self.bounds {
            Some(b) => [0, 1, 2, 3].map(|i| b[i].as_deref()),
            None => [None; 4],
        };
        finish(
            &self.criteria,
            self.vulnerable,
            self.version.as_ref(),
            bounds,
            unstated,
            component,
            scheme,
        )
    }
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
