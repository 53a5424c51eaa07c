//! Matching CVE List V5 `affected` data (the CNA's container and the ADP
//! containers of a CVE 5 record) against components.
//!
//! A block names its product by CPEs, by package name and collection URL
//! (npm, PyPI, Maven, Go, crates.io, NuGet, RubyGems, Packagist) or by
//! vendor and product names, which are folded before they are compared
//! ([`fold`]). Its versions are read as the CVE 5 schema says
//! ([`block_status`]); across blocks and containers of one CVE any
//! "affected" gives a confirmed finding, else an explicit comparable
//! "unaffected" none, else "possible" a possible finding ([`outcome`]).
//!
//! Distribution packages (deb, rpm, apk) are never matched here: their
//! distribution's own advisories (OSV) decide, since distributions fix by
//! backports that upstream version numbers do not show.

use crate::version::{compare, Scheme};
use sonae_domain::vuln::{Cve5Affected, Cve5Version};
use std::cmp::Ordering;

/// What one block says of one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// A comparable item (or the default status) says affected.
    Affected(String),
    /// A comparable item (or the default status) says unaffected.
    Unaffected,
    /// Nothing comparable covers the version, but an item that cannot be
    /// compared with a release version (git commit, prose) says affected.
    Possible(String),
    Unknown,
}

/// Starts of a range that mean "from the beginning".
fn open_start(v: &str) -> bool {
    let v = v.trim();
    [
        "",
        "0",
        "*",
        "-",
        "n/a",
        "unspecified",
        "all",
        "0.0",
        "0.0.0",
    ]
    .iter()
    .any(|o| v.eq_ignore_ascii_case(o))
}

/// A version string that cannot be ordered against a release version:
/// a commit hash, prose, nothing at all.
fn not_comparable(v: &str) -> bool {
    let v = v.trim();
    if v.is_empty() || !v.bytes().any(|b| b.is_ascii_digit()) {
        return true;
    }
    // A git commit: 7 to 40 hex digits with at least one letter.
    let hex = v.len() >= 7 && v.len() <= 40 && v.bytes().all(|b| b.is_ascii_hexdigit());
    if hex && v.bytes().any(|b| b.is_ascii_alphabetic()) {
        return true;
    }
    // Prose ("before 3.2", "all versions prior to 1.0"): several words.
    v.split_whitespace().count() > 2
}

/// The ordering rules for an item's `versionType`, else the block's.
pub fn scheme_of(version_type: Option<&str>, fallback: Scheme) -> Scheme {
    let Some(t) = version_type.map(str::trim) else {
        return fallback;
    };
    let is = |s: &str| t.eq_ignore_ascii_case(s);
    if is("semver") {
        Scheme::Semver
    } else if is("rpm") {
        Scheme::Rpm
    } else if is("deb") || is("dpkg") || is("debian") {
        Scheme::Dpkg
    } else {
        fallback
    }
}

fn is_git(item: &Cve5Version) -> bool {
    item.version_type
        .as_deref()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("git"))
}

/// Whether `v` is at or below a limit (`lessThanOrEqual` when
/// `inclusive`): `*` is open; `5.10.*` covers every 5.10 release.
fn below(scheme: Scheme, v: &str, limit: &str, inclusive: bool) -> bool {
    let limit = limit.trim();
    if limit == "*" {
        return true;
    }
    if let Some(prefix) = limit.strip_suffix(".*") {
        return compare(scheme, v, prefix) != Ordering::Greater
            || v.trim().starts_with(&format!("{prefix}."));
    }
    match compare(scheme, v, limit) {
        Ordering::Less => true,
        Ordering::Equal => inclusive,
        Ordering::Greater => false,
    }
}

/// What an item says of `v`: `None` when it does not cover `v`, `Some(Err)`
/// when it cannot be compared (set aside), else the status.
fn item_status(item: &Cve5Version, v: &str, scheme: Scheme) -> Option<Result<String, ()>> {
    let limit = item
        .less_than
        .as_deref()
        .map(|l| (l, false))
        .or(item.less_than_or_equal.as_deref().map(|l| (l, true)));
    let start = item.version.trim();
    let Some((limit, inclusive)) = limit else {
        // A single version: covers only an equal one.
        if is_git(item) || not_comparable(start) {
            return Some(Err(()));
        }
        return (compare(scheme, v, start) == Ordering::Equal).then(|| Ok(item.status.clone()));
    };
    let limit_open = limit.trim() == "*";
    if is_git(item) || (!open_start(start) && not_comparable(start)) {
        return Some(Err(()));
    }
    if !limit_open && not_comparable(limit.trim_end_matches(".*")) {
        return Some(Err(()));
    }
    if !open_start(start) && compare(scheme, v, start) == Ordering::Less {
        return None;
    }
    if !below(scheme, v, limit, inclusive) {
        return None;
    }
    let mut status = item.status.clone();
    let mut changes: Vec<&(String, String)> = item
        .changes
        .iter()
        .filter(|(at, _)| !not_comparable(at))
        .collect();
    changes.sort_by(|a, b| compare(scheme, &a.0, &b.0));
    for (at, s) in changes {
        if compare(scheme, at, v) != Ordering::Greater {
            status = s.clone();
        }
    }
    Some(Ok(status))
}

fn describe(item: &Cve5Version) -> String {
    match (&item.less_than, &item.less_than_or_equal) {
        (Some(l), _) => format!("{} ≤ v < {l}", item.version),
        (None, Some(l)) => format!("{} ≤ v ≤ {l}", item.version),
        (None, None) => format!("= {}", item.version),
    }
}

/// What one `affected` block says of version `v`, per the CVE 5 schema:
/// the first item that covers `v` decides (a change at or below `v` inside
/// a range sets the status); items that cannot be compared are set aside;
/// a version no item covers is "possible" when a set-aside item says
/// affected, else takes `defaultStatus` ("unknown" when absent).
pub fn block_status(block: &Cve5Affected, v: &str, fallback: Scheme) -> Status {
    let mut set_aside_affected: Option<&Cve5Version> = None;
    for item in &block.versions {
        let scheme = scheme_of(item.version_type.as_deref(), fallback);
        match item_status(item, v, scheme) {
            None => {}
            Some(Err(())) if item.status == "affected" && set_aside_affected.is_none() => {
                set_aside_affected = Some(item);
            }
            Some(Err(())) => {}
            Some(Ok(status)) => {
                return match status.as_str() {
                    "affected" => Status::Affected(format!("version {v} in {}", describe(item))),
                    "unaffected" => Status::Unaffected,
                    _ => Status::Unknown,
                }
            }
        }
    }
    if let Some(item) = set_aside_affected {
        let kind = item.version_type.as_deref().unwrap_or("text");
        return Status::Possible(format!(
            "no comparable version data; affected per {kind} item {}",
            describe(item)
        ));
    }
    match block.default_status.as_deref() {
        Some("affected") => Status::Affected(format!("version {v} not listed; default affected")),
        Some("unaffected") => Status::Unaffected,
        _ => Status::Unknown,
    }
}

/// What a block says of a component whose version is not known.
pub fn block_status_unversioned(block: &Cve5Affected) -> Status {
    let affected = block.versions.iter().any(|i| i.status == "affected")
        || block.default_status.as_deref() == Some("affected");
    if affected {
        Status::Possible("the component does not state its version".into())
    } else {
        Status::Unknown
    }
}

/// What the blocks of one CVE say of one component, all sources together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Affected (confirmed) or possible, with the reason.
    Found {
        confirmed: bool,
        reason: String,
    },
    /// A source says explicitly that this version is not affected (named).
    Unaffected {
        source: String,
    },
    Nothing,
}

/// The outcome of several blocks for one component and CVE: any affected →
/// confirmed; else an explicit unaffected → none (naming the source that
/// ruled the version out); else possible; else nothing.
pub fn outcome<S: AsRef<str>>(statuses: impl IntoIterator<Item = (Status, S)>) -> Outcome {
    let mut unaffected: Option<String> = None;
    let mut possible: Option<String> = None;
    for (s, source) in statuses {
        let source = source.as_ref();
        match s {
            Status::Affected(why) => {
                return Outcome::Found {
                    confirmed: true,
                    reason: format!("{source}: {why}"),
                }
            }
            Status::Unaffected => {
                unaffected.get_or_insert_with(|| source.to_owned());
            }
            Status::Possible(why) => {
                possible.get_or_insert_with(|| format!("{source}: {why}"));
            }
            Status::Unknown => {}
        }
    }
    match (unaffected, possible) {
        (Some(source), _) => Outcome::Unaffected { source },
        (None, Some(reason)) => Outcome::Found {
            confirmed: false,
            reason,
        },
        (None, None) => Outcome::Nothing,
    }
}

/// Corporate suffixes dropped from vendor names before comparing.
const SUFFIXES: [&str; 16] = [
    "incorporated",
    "corporation",
    "inc",
    "corp",
    "coltd",
    "co",
    "ltd",
    "llc",
    "gmbh",
    "ag",
    "sa",
    "plc",
    "limited",
    "kk",
    "株式会社",
    "有限会社",
];

/// A name as compared: lower-case, letters and digits only (spaces, `_`,
/// punctuation dropped), corporate suffixes ("Inc.", "Co., Ltd.",
/// 株式会社) removed. Empty for placeholders ("n/a", "unknown").
pub fn fold(s: &str) -> String {
    let lower = s.trim().to_lowercase();
    if matches!(
        lower.as_str(),
        "n/a" | "na" | "unknown" | "-" | "*" | "none" | "unspecified" | "vendor" | "product"
    ) {
        return String::new();
    }
    let mut words: Vec<String> = lower
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '_' | '-' | '/' | '(' | ')'))
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect();
    // 株式会社 may stand before or after the name, written together with it.
    for w in &mut words {
        for jp in ["株式会社", "有限会社"] {
            if w.len() > jp.len() {
                if let Some(rest) = w.strip_prefix(jp).or_else(|| w.strip_suffix(jp)) {
                    *w = rest.to_owned();
                }
            }
        }
    }
    while words.len() > 1 && words.last().is_some_and(|w| SUFFIXES.contains(&w.as_str())) {
        words.pop();
    }
    // "Co., Ltd." splits as "co" "ltd": both go.
    while words.len() > 1 && words.last().is_some_and(|w| SUFFIXES.contains(&w.as_str())) {
        words.pop();
    }
    if words.len() > 1
        && words
            .first()
            .is_some_and(|w| SUFFIXES.contains(&w.as_str()))
    {
        words.remove(0);
    }
    words.concat()
}

/// The key a vendor and product are indexed and looked up by: both folded,
/// the vendor's name dropped from the front of the product ("Adobe" +
/// "Adobe Experience Manager" and "adobe" + "experience_manager" meet).
/// `None` when either is empty after folding.
pub fn name_key(vendor: &str, product: &str) -> Option<String> {
    let mut v = fold(vendor);
    let p = fold(product);
    if v.is_empty() || p.is_empty() {
        return None;
    }
    // A few vendors whose CNA spelling differs from their CPE vendor name.
    if let Some((_, short)) = VENDORS.iter().find(|(long, _)| *long == v) {
        v = (*short).to_owned();
    }
    let p = match p.strip_prefix(v.as_str()) {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => p,
    };
    // The Linux kernel CNA writes vendor and product "Linux"; NVD
    // `linux:linux_kernel`.
    if v == "linux" && p == "linux" {
        return Some("linux:kernel".to_owned());
    }
    Some(format!("{v}:{p}"))
}

/// Folded vendor names → the folded CPE vendor name they stand for.
const VENDORS: [(&str, &str); 4] = [
    ("apachesoftwarefoundation", "apache"),
    ("theapachesoftwarefoundation", "apache"),
    ("mozillafoundation", "mozilla"),
    ("pythonsoftwarefoundation", "python"),
];

/// A `collectionURL` of a Linux distribution's package lists (Red Hat,
/// Fedora, SUSE, Debian, Ubuntu, …): the block states what the
/// distribution shipped, which its own advisories decide for a host.
pub fn is_distribution_collection(url: &str) -> bool {
    let u = url.to_ascii_lowercase();
    [
        "redhat.com",
        "fedoraproject.org",
        "suse.com",
        "opensuse.org",
        "debian.org",
        "ubuntu.com",
        "almalinux.org",
        "rockylinux.org",
        "alpinelinux.org",
        "oracle.com/linux",
    ]
    .iter()
    .any(|d| u.contains(d))
}

/// The OSV ecosystem (as [`crate::purl::Purl::osv_ecosystem`] writes it,
/// lower-case) of a CVE 5 `collectionURL`.
pub fn ecosystem_of_collection(url: &str) -> Option<&'static str> {
    let u = url.trim().to_ascii_lowercase();
    let host = u
        .split("://")
        .nth(1)
        .unwrap_or(&u)
        .split(['/', ':'])
        .next()
        .unwrap_or("");
    let eco = match host {
        "registry.npmjs.org" | "www.npmjs.com" | "npmjs.com" | "registry.npmjs.com" => "npm",
        "pypi.org" | "pypi.python.org" | "files.pythonhosted.org" => "pypi",
        "repo.maven.apache.org"
        | "repo1.maven.org"
        | "central.sonatype.com"
        | "search.maven.org"
        | "mvnrepository.com" => "maven",
        "pkg.go.dev" | "proxy.golang.org" | "go.dev" | "golang.org" => "go",
        "crates.io" | "static.crates.io" => "crates.io",
        "www.nuget.org" | "nuget.org" | "api.nuget.org" => "nuget",
        "rubygems.org" | "www.rubygems.org" => "rubygems",
        "packagist.org" | "repo.packagist.org" => "packagist",
        _ => return None,
    };
    Some(eco)
}

/// The version ordering of a package ecosystem (lower-case OSV name).
pub fn scheme_of_ecosystem(eco: &str) -> Scheme {
    crate::version::scheme_for_ecosystem(eco)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn item(v: &str, status: &str, lt: Option<&str>, le: Option<&str>) -> Cve5Version {
        Cve5Version {
            version: v.into(),
            status: status.into(),
            less_than: lt.map(Into::into),
            less_than_or_equal: le.map(Into::into),
            version_type: None,
            changes: Vec::new(),
        }
    }

    fn block(items: Vec<Cve5Version>, default: Option<&str>) -> Cve5Affected {
        Cve5Affected {
            vendor: Some("Example".into()),
            product: Some("Widget".into()),
            versions: items,
            default_status: default.map(Into::into),
            ..Cve5Affected::default()
        }
    }

    fn st(b: &Cve5Affected, v: &str) -> &'static str {
        match block_status(b, v, Scheme::Generic) {
            Status::Affected(_) => "affected",
            Status::Unaffected => "unaffected",
            Status::Possible(_) => "possible",
            Status::Unknown => "unknown",
        }
    }

    #[test]
    fn ranges_single_versions_and_default_status() {
        let b = block(
            vec![
                item("0", "affected", Some("3.4.6"), None),
                item("4.0", "affected", None, Some("4.1.2")),
                item("5.0.1", "affected", None, None),
            ],
            None,
        );
        assert_eq!(st(&b, "3.4.5"), "affected");
        assert_eq!(st(&b, "3.4.6"), "unknown", "lessThan excludes the limit");
        assert_eq!(st(&b, "4.1.2"), "affected", "lessThanOrEqual includes it");
        assert_eq!(st(&b, "4.1.3"), "unknown");
        assert_eq!(
            st(&b, "5.0.1"),
            "affected",
            "a single version covers itself"
        );
        assert_eq!(st(&b, "5.0.2"), "unknown", "and nothing else");
        let d = block(
            vec![item("2.0", "affected", None, None)],
            Some("unaffected"),
        );
        assert_eq!(st(&d, "2.1"), "unaffected");
        let a = block(
            vec![item("1.0", "unaffected", None, None)],
            Some("affected"),
        );
        assert_eq!(st(&a, "1.1"), "affected");
        assert_eq!(st(&a, "1.0"), "unaffected");
    }

    #[test]
    fn open_limits_and_wildcard_families() {
        let b = block(vec![item("6.1", "affected", None, Some("*"))], None);
        assert_eq!(st(&b, "9.9"), "affected");
        assert_eq!(st(&b, "6.0"), "unknown");
        let k = block(
            vec![
                item("5.10", "affected", None, None),
                item("0", "unaffected", Some("5.10"), None),
                item("5.10.200", "unaffected", None, Some("5.10.*")),
                item("6.7", "unaffected", None, Some("*")),
            ],
            Some("affected"),
        );
        assert_eq!(st(&k, "5.4.1"), "unaffected");
        assert_eq!(st(&k, "5.10.150"), "affected", "not covered: default");
        assert_eq!(st(&k, "5.10.201"), "unaffected", "5.10.* covers 5.10.201");
        assert_eq!(st(&k, "6.1.5"), "affected");
        assert_eq!(st(&k, "6.8"), "unaffected");
    }

    #[test]
    fn changes_inside_a_range_set_the_status() {
        let mut i = item("1.0", "affected", Some("3.0"), None);
        i.changes = vec![
            ("2.5".into(), "unaffected".into()),
            ("1.5".into(), "unaffected".into()),
        ];
        let b = block(vec![i], None);
        assert_eq!(st(&b, "1.4"), "affected");
        assert_eq!(st(&b, "1.5"), "unaffected");
        assert_eq!(st(&b, "2.7"), "unaffected");
    }

    #[test]
    fn git_items_are_set_aside_as_possible() {
        let mut g = item(
            "1da177e4c3f41524e886b7f1b8a0c1fc7321cac2",
            "affected",
            Some("a6a5eb269f6f3a2fe392f725a8d9052190c731e2"),
            None,
        );
        g.version_type = Some("git".into());
        let b = block(vec![g.clone()], Some("unaffected"));
        assert_eq!(st(&b, "5.10.1"), "possible");
        // Prose alone is set aside too.
        let p = block(
            vec![item("all versions before 2.0", "affected", None, None)],
            None,
        );
        assert_eq!(st(&p, "1.0"), "possible");
        // Across blocks, a comparable explicit unaffected outranks a git block.
        let semver = block(
            vec![item("0", "unaffected", Some("5.10"), None)],
            Some("affected"),
        );
        let found = |o: Outcome| match o {
            Outcome::Found { confirmed, .. } => Some(confirmed),
            _ => None,
        };
        let both = |v: &str| {
            outcome([
                (block_status(&b, v, Scheme::Generic), "git".to_owned()),
                (
                    block_status(&semver, v, Scheme::Generic),
                    "semver".to_owned(),
                ),
            ])
        };
        assert_eq!(
            both("5.4"),
            Outcome::Unaffected {
                source: "semver".into()
            }
        );
        assert_eq!(found(both("5.11")), Some(true));
        assert_eq!(
            found(outcome([(
                block_status(&b, "5.4", Scheme::Generic),
                "git".to_owned()
            )])),
            Some(false)
        );
    }

    #[test]
    fn names_fold_across_spellings() {
        assert_eq!(fold("Cybozu, Inc."), "cybozu");
        assert_eq!(fold("サイボウズ株式会社"), "サイボウズ");
        assert_eq!(fold("株式会社 日立製作所"), "日立製作所");
        assert_eq!(fold("FUJI SOFT Co., Ltd."), "fujisoft");
        assert_eq!(fold("n/a"), "");
        assert_eq!(
            name_key("Adobe", "Adobe Experience Manager"),
            name_key("adobe", "experience_manager")
        );
        assert_eq!(name_key("n/a", "n/a"), None);
        assert_ne!(
            name_key("Apache", "Tomcat"),
            name_key("Apache", "HTTP Server")
        );
        assert_eq!(
            name_key("Linux", "Linux"),
            name_key("linux", "linux_kernel")
        );
        assert_eq!(
            name_key("Apache Software Foundation", "Apache Tomcat"),
            name_key("apache", "tomcat")
        );
        assert!(is_distribution_collection(
            "https://access.redhat.com/downloads/content/package-browser/"
        ));
    }

    #[test]
    fn collections_map_to_ecosystems() {
        assert_eq!(
            ecosystem_of_collection("https://registry.npmjs.org"),
            Some("npm")
        );
        assert_eq!(ecosystem_of_collection("https://pypi.org/"), Some("pypi"));
        assert_eq!(
            ecosystem_of_collection("https://repo.maven.apache.org/maven2/"),
            Some("maven")
        );
        assert_eq!(ecosystem_of_collection("https://example.com"), None);
    }
}
