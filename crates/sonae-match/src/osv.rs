//! Matching components (package URLs) against OSV `affected` entries.
//!
//! An entry affects a component when the ecosystem and package name agree
//! and the version is listed in `versions` or falls in one of the SEMVER /
//! ECOSYSTEM ranges (OSV schema "Evaluation"). GIT ranges are about commits
//! and only decide for a component whose version is a commit hash.

use crate::cpe::MatchResult;
use crate::purl::Purl;
use crate::version::{compare, scheme_for_ecosystem, Scheme};
use sonae_domain::vuln::{OsvAffected, OsvEvent, OsvRange, SourceRecord};
use std::cmp::Ordering;
use std::collections::HashMap;

/// `("debian", Some("12"))` for `Debian:12`: base lower-cased, release as
/// written (everything after the first `:`).
fn split_ecosystem(eco: &str) -> (String, Option<&str>) {
    let eco = eco.trim();
    match eco.split_once(':') {
        Some((b, r)) if !r.trim().is_empty() => (b.trim().to_ascii_lowercase(), Some(r.trim())),
        Some((b, _)) => (b.trim().to_ascii_lowercase(), None),
        None => (eco.to_ascii_lowercase(), None),
    }
}

/// The package name as compared within an ecosystem (`eco_base`
/// lower-case): PyPI per PEP 503 (lower-case, runs of `-_.` → `-`);
/// Packagist, NuGet, Hex lower-case; others as written.
pub fn normalize_name(eco_base: &str, name: &str) -> String {
    let name = name.trim();
    match eco_base {
        "pypi" => {
            let mut out = String::with_capacity(name.len());
            let mut sep = false;
            for c in name.chars() {
                if matches!(c, '-' | '_' | '.') {
                    sep = true;
                } else {
                    if sep && !out.is_empty() {
                        out.push('-');
                    }
                    sep = false;
                    out.extend(c.to_lowercase());
                }
            }
            out
        }
        "packagist" | "nuget" | "hex" => name.to_lowercase(),
        _ => name.to_string(),
    }
}

/// How the component's ecosystem relates to the entry's.
enum EcoFit {
    No,
    /// Same ecosystem (and release, when both name one; or the entry names
    /// none and so covers all releases).
    Exact,
    /// The entry is for one release, the component does not say which.
    ReleaseUnknown,
}

fn eco_fit(entry: &str, component: &str) -> EcoFit {
    let (eb, er) = split_ecosystem(entry);
    let (cb, cr) = split_ecosystem(component);
    if eb != cb {
        return EcoFit::No;
    }
    match (er, cr) {
        (None, _) => EcoFit::Exact,
        (Some(_), None) => EcoFit::ReleaseUnknown,
        (Some(er), Some(cr)) => {
            if release_fits(er, cr) {
                EcoFit::Exact
            } else {
                EcoFit::No
            }
        }
    }
}

/// Is the entry's release `er` the component's release `cr`? Equal
/// (case-insensitive, an Ubuntu `:LTS` mark on either side aside: "22.04"
/// and "22.04:LTS" are the same release), or the component's release
/// followed by `:` and more: a component on `Red Hat:enterprise_linux:9`
/// fits every Red Hat stream of that release
/// (`enterprise_linux:9::appstream`, `enterprise_linux:9::baseos`), not
/// another product (`rhel_eus:9.2::appstream`) nor Ubuntu Pro
/// (`Pro:22.04:LTS`).
fn release_fits(er: &str, cr: &str) -> bool {
    let norm = |r: &str| {
        let r = r.trim().to_ascii_lowercase();
        match r.strip_suffix(":lts") {
            Some(x) => x.to_string(),
            None => r,
        }
    };
    let (er, cr) = (norm(er), norm(cr));
    er == cr || er.starts_with(&format!("{cr}:"))
}

/// OSV ecosystems of Linux distributions (lower-case base, osv-schema
/// `ecosystems.json`): their advisories are the distribution's word on
/// whether and in which package version it fixed a vulnerability.
fn is_distribution(eco_base: &str) -> bool {
    matches!(
        eco_base,
        "almalinux"
            | "alpaquita"
            | "alpine"
            | "azure linux"
            | "chainguard"
            | "debian"
            | "mageia"
            | "minimos"
            | "opensuse"
            | "openeuler"
            | "photon os"
            | "red hat"
            | "rocky linux"
            | "suse"
            | "ubuntu"
            | "wolfi"
    )
}

/// The reason prefix for a distribution that has not fixed the
/// vulnerability (yet): `no fix available from the distribution
/// (Debian:11)`.
fn no_fix(ecosystem: &str) -> String {
    format!(
        "no fix available from the distribution ({})",
        ecosystem.trim()
    )
}

/// Is this entry about the package `name` in `ecosystem` (any release fit)?
fn names_package(a: &OsvAffected, ecosystem: &str, name: &str) -> bool {
    let base = split_ecosystem(ecosystem).0;
    !matches!(eco_fit(&a.ecosystem, ecosystem), EcoFit::No)
        && normalize_name(&base, &a.name) == normalize_name(&base, name)
}

/// Does the OSV entry `a` affect `name` at `version` in `ecosystem` (an OSV
/// ecosystem name, optionally with `:release`)? An empty `version` gives
/// Possible for a package the entry is about. A component ecosystem
/// without a release that the entry has (`Debian` vs `Debian:12`) turns
/// Yes into Possible.
pub fn affected(a: &OsvAffected, ecosystem: &str, name: &str, version: &str) -> MatchResult {
    let fit = eco_fit(&a.ecosystem, ecosystem);
    if matches!(fit, EcoFit::No) || !names_package(a, ecosystem, name) {
        return MatchResult::No;
    }
    let label = format!("{} {}", a.ecosystem, a.name);
    let version = version.trim();
    if version.is_empty() {
        return MatchResult::Possible {
            reason: format!("{label}: component has no version"),
        };
    }
    let result = version_affected(a, &label, version);
    match (fit, result) {
        (EcoFit::ReleaseUnknown, MatchResult::Yes { reason }) => MatchResult::Possible {
            reason: format!(
                "{reason} (component ecosystem {ecosystem} does not say which release; \
                 the advisory is for {})",
                a.ecosystem
            ),
        },
        (_, r) => r,
    }
}

/// Whether the entry is affected at `version`. For a distribution
/// ecosystem that has not fixed the vulnerability (an open range with no
/// `fixed`/`last_affected`/`limit` after the `introduced`, or a listed
/// version and no range that ends) the reason starts with
/// [`no_fix`]`: "no fix available from the distribution (Debian:11);
/// Debian:11 curl: introduced 0 (from the beginning)"`.
fn version_affected(a: &OsvAffected, label: &str, version: &str) -> MatchResult {
    let eco_scheme = scheme_for_ecosystem(&a.ecosystem);
    let distro = is_distribution(&split_ecosystem(&a.ecosystem).0);
    let listed = a.versions.iter().find(|v| {
        let v = v.trim();
        v == version || compare(eco_scheme, v, version) == Ordering::Equal
    });
    if let Some(v) = listed {
        let ends = a.ranges.iter().flat_map(|r| &r.events).any(|e| {
            matches!(
                e,
                OsvEvent::Fixed(_) | OsvEvent::LastAffected(_) | OsvEvent::Limit(_)
            )
        });
        let reason = format!("{label}: listed version {v}");
        return MatchResult::Yes {
            reason: if distro && !ends {
                format!("{}; {reason}", no_fix(&a.ecosystem))
            } else {
                reason
            },
        };
    }
    let unfixed = distro.then(|| no_fix(&a.ecosystem));
    let mut best = MatchResult::No;
    for range in &a.ranges {
        let r = match range.kind.trim().to_ascii_uppercase().as_str() {
            "SEMVER" => range_result(range, Scheme::Semver, label, version, unfixed.as_deref()),
            "ECOSYSTEM" => range_result(range, eco_scheme, label, version, unfixed.as_deref()),
            "GIT" => eval_git(range, label, version),
            _ => MatchResult::No,
        };
        if r.rank() > best.rank() {
            best = r;
        }
        if matches!(best, MatchResult::Yes { .. }) {
            break;
        }
    }
    best
}

fn event_version(e: &OsvEvent) -> &str {
    match e {
        OsvEvent::Introduced(v) | OsvEvent::Fixed(v) | OsvEvent::LastAffected(v) => v,
        OsvEvent::Limit(v) => v,
    }
}

/// `introduced: "0"` means from the beginning of history.
fn is_zero(e: &OsvEvent) -> bool {
    matches!(e, OsvEvent::Introduced(v) if v.trim() == "0")
}

/// Where in a range a version is: the event that opened the interval
/// holding it and the event that closes it (`None`: nothing does).
struct RangeHit {
    start: String,
    end: Option<String>,
}

/// Evaluate one SEMVER/ECOSYSTEM range ([`range_hit`]). The reason for an
/// interval no event closes starts with `unfixed` when given ("no fix
/// available from the distribution (…); …"), else ends in "no fixed
/// version".
fn range_result(
    range: &OsvRange,
    scheme: Scheme,
    label: &str,
    v: &str,
    unfixed: Option<&str>,
) -> MatchResult {
    let Some(hit) = range_hit(range, scheme, v) else {
        return MatchResult::No;
    };
    let reason = match (hit.end, unfixed) {
        (Some(end), _) => format!("{label}: {}, {end}", hit.start),
        (None, Some(prefix)) => format!("{prefix}; {label}: {}", hit.start),
        (None, None) => format!("{label}: {}, no fixed version", hit.start),
    };
    MatchResult::Yes { reason }
}

/// OSV schema evaluation of one SEMVER/ECOSYSTEM range: events ordered by
/// version (a stable sort, so a range already sorted is taken as given;
/// `introduced: "0"` first); `introduced <= v` opens, `fixed <= v` closes,
/// `last_affected < v` closes; `limit <= v` caps the whole range. The
/// interval holding `v`, if any.
fn range_hit(range: &OsvRange, scheme: Scheme, v: &str) -> Option<RangeHit> {
    let mut events: Vec<&OsvEvent> = range.events.iter().collect();
    events.sort_by(|x, y| match (is_zero(x), is_zero(y)) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => compare(scheme, event_version(x), event_version(y)),
    });
    let cmp = |x: &str| compare(scheme, v, x);
    let mut open: Option<usize> = None;
    let mut capped: Option<&str> = None;
    for (i, e) in events.iter().enumerate() {
        match e {
            OsvEvent::Introduced(x) => {
                if is_zero(e) || cmp(x) != Ordering::Less {
                    open = Some(i);
                }
            }
            OsvEvent::Fixed(x) => {
                if cmp(x) != Ordering::Less {
                    open = None;
                }
            }
            OsvEvent::LastAffected(x) => {
                if cmp(x) == Ordering::Greater {
                    open = None;
                }
            }
            OsvEvent::Limit(x) => {
                if cmp(x) != Ordering::Less {
                    capped = Some(x);
                }
            }
        }
    }
    let (Some(i), None) = (open, capped) else {
        return None;
    };
    let start = match events.get(i) {
        Some(e) if is_zero(e) => "introduced 0 (from the beginning)".to_string(),
        Some(e) => format!("introduced {} <= {v}", event_version(e)),
        None => return None,
    };
    let end = events.iter().skip(i + 1).find_map(|e| match e {
        OsvEvent::Introduced(_) => None,
        OsvEvent::Fixed(x) => Some(format!("fixed {x} > {v}")),
        OsvEvent::LastAffected(x) => Some(format!("last_affected {x} >= {v}")),
        OsvEvent::Limit(x) => Some(format!("limit {x} > {v}")),
    });
    Some(RangeHit { start, end })
}

/// A version that looks like a git commit id (7 to 40 hex digits).
fn is_commit(v: &str) -> bool {
    (7..=40).contains(&v.len()) && v.bytes().all(|c| c.is_ascii_hexdigit())
}

/// GIT ranges are in commits: only a component whose version is one of the
/// range's `introduced`/`last_affected` commits is known to be affected
/// (prefix match, as abbreviated hashes are common). Anything else is No.
fn eval_git(range: &OsvRange, label: &str, v: &str) -> MatchResult {
    if !is_commit(v) {
        return MatchResult::No;
    }
    let v = v.to_ascii_lowercase();
    let same = |x: &str| {
        let x = x.trim().to_ascii_lowercase();
        is_commit(&x) && (x.starts_with(&v) || v.starts_with(&x))
    };
    for e in &range.events {
        match e {
            OsvEvent::Introduced(x) | OsvEvent::LastAffected(x) if same(x) => {
                let repo = range.repo.as_deref().unwrap_or("the repository");
                return MatchResult::Yes {
                    reason: format!("{label}: commit {v} is an affected commit of {repo}"),
                };
            }
            OsvEvent::Fixed(x) | OsvEvent::Limit(x) if same(x) => return MatchResult::No,
            _ => {}
        }
    }
    MatchResult::No
}

/// Does `rec` affect the package of `purl` at `version`? `None` when no
/// entry of the record is about that package (or the purl's type has no
/// OSV ecosystem); otherwise the strongest result over its entries.
pub fn record_affects(rec: &SourceRecord, purl: &Purl, version: &str) -> Option<MatchResult> {
    let eco = purl.osv_ecosystem()?;
    let name = purl.package_name();
    let mut best: Option<MatchResult> = None;
    for a in rec
        .osv_affected
        .iter()
        .filter(|a| names_package(a, &eco, &name))
    {
        let r = affected(a, &eco, &name, version);
        if best.as_ref().is_none_or(|b| r.rank() > b.rank()) {
            best = Some(r);
        }
        if matches!(best, Some(MatchResult::Yes { .. })) {
            break;
        }
    }
    best
}

/// The ids a record is known by: its own id, then aliases, then CVE ids,
/// without duplicates.
fn vulnerability_ids(rec: &SourceRecord) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let all = std::iter::once(rec.id.as_str())
        .chain(rec.aliases.iter().map(String::as_str))
        .chain(rec.cves.iter().map(|c| c.as_str()));
    for id in all {
        if !ids.iter().any(|x| x == id) {
            ids.push(id.to_string());
        }
    }
    ids
}

/// OSV records indexed by package: (lower-case ecosystem without release,
/// normalized package name).
#[derive(Debug, Default, Clone)]
pub struct OsvIndex {
    /// Per record added: its vulnerability ids.
    records: Vec<Vec<String>>,
    by_package: HashMap<(String, String), Vec<(usize, OsvAffected)>>,
}

impl OsvIndex {
    pub fn new() -> OsvIndex {
        OsvIndex::default()
    }

    /// Index the `affected` entries of an OSV record. Withdrawn records and
    /// records without entries are ignored.
    pub fn add(&mut self, rec: &SourceRecord) {
        if rec.osv_affected.is_empty() || rec.status.as_deref() == Some("withdrawn") {
            return;
        }
        let idx = self.records.len();
        self.records.push(vulnerability_ids(rec));
        for a in &rec.osv_affected {
            let base = split_ecosystem(&a.ecosystem).0;
            let key = (base.clone(), normalize_name(&base, &a.name));
            self.by_package
                .entry(key)
                .or_default()
                .push((idx, a.clone()));
        }
    }

    /// Number of records indexed.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The records that affect (Yes) or may affect (Possible) the package
    /// of `purl` at its version, each with its vulnerability ids, in the
    /// order they were added. Without a version every record about the
    /// package (and a compatible release) is Possible. Records that do not
    /// affect the version are left out.
    pub fn match_purl(&self, purl: &Purl) -> Vec<(Vec<String>, MatchResult)> {
        let Some(eco) = purl.osv_ecosystem() else {
            return Vec::new();
        };
        let name = purl.package_name();
        let base = split_ecosystem(&eco).0;
        // A distribution's advisories name source packages (Debian, Ubuntu,
        // Alpine): the binary package is looked up by its `upstream`
        // qualifier (the source package, as the collector records it) too.
        let mut names = vec![name];
        if let Some(up) = purl
            .qualifier("upstream")
            .map(|u| u.split('@').next().unwrap_or(u).trim())
            .filter(|u| !u.is_empty() && *u != names[0])
        {
            names.push(up.to_owned());
        }
        let mut entries: Vec<(&(usize, OsvAffected), &str)> = Vec::new();
        for n in &names {
            let key = (base.clone(), normalize_name(&base, n));
            if let Some(list) = self.by_package.get(&key) {
                entries.extend(list.iter().map(|e| (e, n.as_str())));
            }
        }
        if entries.is_empty() {
            return Vec::new();
        }
        // rpm: the `epoch` qualifier is part of the version compared.
        let version = purl.full_version().unwrap_or_default();
        let version = version.as_str();
        let mut out: Vec<(usize, MatchResult)> = Vec::new();
        for ((idx, a), name) in entries {
            let r = affected(a, &eco, name, version);
            match out.iter_mut().find(|(i, _)| i == idx) {
                Some((_, best)) if r.rank() > best.rank() => *best = r,
                Some(_) => {}
                None => out.push((*idx, r)),
            }
        }
        out.sort_by_key(|(i, _)| *i);
        out.into_iter()
            .filter(|(_, r)| r.is_match())
            .filter_map(|(i, r)| Some((self.records.get(i)?.clone(), r)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(kind: &str, events: Vec<OsvEvent>) -> OsvRange {
        OsvRange {
            kind: kind.into(),
            repo: None,
            events,
        }
    }

    #[test]
    fn pep503_names() {
        assert_eq!(normalize_name("pypi", "Foo__Bar.baz"), "foo-bar-baz");
        assert_eq!(normalize_name("npm", "Foo_Bar"), "Foo_Bar");
    }

    #[test]
    fn ecosystem_releases() {
        assert!(matches!(eco_fit("Debian:12", "debian:12"), EcoFit::Exact));
        assert!(matches!(
            eco_fit("Debian:12", "Debian"),
            EcoFit::ReleaseUnknown
        ));
        assert!(matches!(eco_fit("Debian:11", "Debian:12"), EcoFit::No));
        assert!(matches!(eco_fit("Debian", "Debian:12"), EcoFit::Exact));
        assert!(matches!(
            eco_fit("Ubuntu:22.04:LTS", "Ubuntu:22.04"),
            EcoFit::Exact
        ));
    }

    #[test]
    fn distribution_releases_fit() {
        let exact = |e, c| matches!(eco_fit(e, c), EcoFit::Exact);
        assert!(exact("Ubuntu:22.04:LTS", "Ubuntu:22.04:LTS"));
        assert!(exact("Ubuntu:22.04", "Ubuntu:22.04:LTS"));
        assert!(exact("Ubuntu:23.10", "Ubuntu:23.10"));
        assert!(!exact("Ubuntu:24.04:LTS", "Ubuntu:22.04:LTS"));
        // Ubuntu Pro (ESM) fixes are not the release's.
        assert!(!exact("Ubuntu:Pro:22.04:LTS", "Ubuntu:22.04:LTS"));
        let rh = "Red Hat:enterprise_linux:9";
        assert!(exact("Red Hat:enterprise_linux:9::appstream", rh));
        assert!(exact("Red Hat:enterprise_linux:9::baseos", rh));
        assert!(exact("Red Hat:enterprise_linux:9", rh));
        assert!(!exact("Red Hat:enterprise_linux:8::appstream", rh));
        assert!(!exact("Red Hat:enterprise_linux:9.2::appstream", rh));
        assert!(!exact("Red Hat:rhel_eus:9.2::appstream", rh));
        assert!(exact("Rocky Linux:9", "Rocky Linux:9"));
        assert!(!exact("Rocky Linux:8", "Rocky Linux:9"));
        assert!(exact(
            "SUSE:Linux Enterprise Server 15 SP5",
            "SUSE:Linux Enterprise Server 15 SP5"
        ));
        assert!(!exact(
            "SUSE:Linux Enterprise Server 15 SP4",
            "SUSE:Linux Enterprise Server 15 SP5"
        ));
        assert!(!exact(
            "SUSE:Linux Enterprise Server for SAP Applications 15 SP5",
            "SUSE:Linux Enterprise Server 15 SP5"
        ));
        assert!(exact("openSUSE:Leap 15.5", "openSUSE:Leap 15.5"));
        assert!(!exact("openSUSE:Leap 15.5", "openSUSE:Tumbleweed"));
    }

    #[test]
    fn unfixed_range_reasons() {
        use OsvEvent::*;
        let r = range("ECOSYSTEM", vec![Introduced("0".into())]);
        let unfixed = Some("no fix available from the distribution (Debian:11)");
        let got = range_result(&r, Scheme::Dpkg, "Debian:11 curl", "7.74.0-1", unfixed);
        assert_eq!(
            got,
            MatchResult::Yes {
                reason: "no fix available from the distribution (Debian:11); \
                         Debian:11 curl: introduced 0 (from the beginning)"
                    .into()
            }
        );
        // Without the prefix (not a distribution) the reason is as before.
        let got = range_result(&r, Scheme::Semver, "npm x", "1.0.0", None);
        assert_eq!(
            got,
            MatchResult::Yes {
                reason: "npm x: introduced 0 (from the beginning), no fixed version".into()
            }
        );
        // A fixed event: the fix is named, whatever the prefix.
        let r = range("ECOSYSTEM", vec![Introduced("0".into()), Fixed("2".into())]);
        let got = range_result(&r, Scheme::Dpkg, "Debian:11 curl", "1", unfixed);
        assert_eq!(
            got,
            MatchResult::Yes {
                reason: "Debian:11 curl: introduced 0 (from the beginning), fixed 2 > 1".into()
            }
        );
        assert!(is_distribution("rocky linux"));
        assert!(!is_distribution("pypi"));
    }

    #[test]
    fn unsorted_and_multiple_intervals() {
        use OsvEvent::*;
        let r = range(
            "SEMVER",
            vec![
                Introduced("2.0.0".into()),
                Fixed("2.1.0".into()),
                Introduced("1.0.0".into()),
                Fixed("1.2.0".into()),
            ],
        );
        let eval = |v| range_result(&r, Scheme::Semver, "x", v, None).is_match();
        assert!(eval("1.1.0"));
        assert!(!eval("1.5.0"));
        assert!(eval("2.0.5"));
        assert!(!eval("2.1.0"));
        assert!(!eval("0.9.0"));
    }

    #[test]
    fn limit_caps() {
        use OsvEvent::*;
        let r = range(
            "SEMVER",
            vec![Introduced("0".into()), Limit("3.0.0".into())],
        );
        assert!(range_result(&r, Scheme::Semver, "x", "2.9.9", None).is_match());
        assert!(!range_result(&r, Scheme::Semver, "x", "3.0.0", None).is_match());
    }

    #[test]
    fn git_commits() {
        use OsvEvent::*;
        let r = OsvRange {
            kind: "GIT".into(),
            repo: Some("https://example.org/x.git".into()),
            events: vec![
                Introduced("0123456789abcdef0123456789abcdef01234567".into()),
                Fixed("fedcba9876543210fedcba9876543210fedcba98".into()),
            ],
        };
        assert!(eval_git(&r, "x", "0123456789ab").is_match());
        assert!(!eval_git(&r, "x", "fedcba9876543210").is_match());
        assert!(!eval_git(&r, "x", "1.2.3").is_match());
    }
}
