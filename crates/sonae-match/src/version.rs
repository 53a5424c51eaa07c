//! Version ordering for the ecosystems sonae matches against.
//!
//! Every scheme is a pure function of the two strings: no allocation-heavy
//! parsing into numbers, so arbitrarily long numeric runs never overflow
//! (digit runs are compared as strings: leading zeros stripped, then longer
//! is larger, then lexicographic).
//!
//! * [`Scheme::Dpkg`] follows dpkg's `verrevcmp` (Debian Policy §5.6.12).
//! * [`Scheme::Rpm`] follows rpm's `rpmvercmp` (lib/rpmvercmp.c, rpm ≥ 4.15
//!   for `^`).
//! * [`Scheme::Semver`] follows Semantic Versioning 2.0.0 §11, leniently;
//!   anything that does not parse falls back to [`Scheme::Generic`].
//! * [`Scheme::Generic`] is a heuristic for the versions found in CPE names
//!   (NVD); see [`compare`] and the `generic` section below for its rules.
//!
//! Each scheme yields a total preorder (antisymmetric and transitive) on the
//! strings it is given, except where noted on [`Scheme::Semver`] (mixing
//! parseable and unparseable strings) — callers should not mix schemes.

use std::cmp::Ordering;

/// Which ordering rules apply to a version string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Dotted numeric with letters and suffixes (most CPE versions).
    Generic,
    /// Debian dpkg: epoch:upstream-revision, `~` sorts before anything.
    Dpkg,
    /// RPM rpmvercmp (with epoch and release).
    Rpm,
    /// Semantic Versioning 2.0.0.
    Semver,
}

/// Compare two versions under a scheme.
///
/// Surrounding whitespace is ignored. Never panics, whatever the input.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Ordering {
    let (a, b) = (a.trim(), b.trim());
    match scheme {
        Scheme::Generic => generic_cmp(a, b),
        Scheme::Dpkg => dpkg_cmp(a, b),
        Scheme::Rpm => rpm_cmp(a, b),
        Scheme::Semver => semver_cmp(a, b),
    }
}

/// The scheme for a package-URL type (purl spec `type`, case-insensitive).
///
/// `deb` → Dpkg, `rpm` → Rpm; `npm`, `cargo`, `golang`, `nuget`, `composer`
/// and `gem` → Semver (RubyGems is only roughly semver: `1.2.3.beta` does not
/// parse as semver and is then compared by the Generic rules, which treat
/// `beta` as a pre-release); everything else (maven, pypi, …) → Generic.
pub fn scheme_for_purl_type(purl_type: &str) -> Scheme {
    match purl_type.trim().to_ascii_lowercase().as_str() {
        "deb" => Scheme::Dpkg,
        "rpm" => Scheme::Rpm,
        "npm" | "cargo" | "golang" | "nuget" | "composer" | "gem" => Scheme::Semver,
        _ => Scheme::Generic,
    }
}

/// The scheme for an OSV `affected[].package.ecosystem` value
/// (case-insensitive; a `:release` suffix such as `Debian:12` or
/// `Red Hat:enterprise_linux:9::appstream` is allowed).
///
/// Debian*, Ubuntu* → Dpkg; Red Hat, Rocky Linux, AlmaLinux, openSUSE, SUSE,
/// Fedora, Oracle, and also Mageia and openEuler (both rpm-based OSV
/// ecosystems) → Rpm; npm, crates.io, Go, NuGet, Packagist, RubyGems →
/// Semver; PyPI, Maven and everything else → Generic.
pub fn scheme_for_ecosystem(osv_ecosystem: &str) -> Scheme {
    let eco = osv_ecosystem.trim().to_ascii_lowercase();
    let starts = |p: &str| eco.starts_with(p);
    if starts("debian") || starts("ubuntu") {
        return Scheme::Dpkg;
    }
    const RPM: [&str; 9] = [
        "red hat",
        "rocky linux",
        "almalinux",
        "opensuse",
        "suse",
        "fedora",
        "oracle",
        "mageia",
        "openeuler",
    ];
    if RPM.iter().any(|p| starts(p)) {
        return Scheme::Rpm;
    }
    let base = eco.split(':').next().unwrap_or_default();
    match base {
        "npm" | "crates.io" | "go" | "nuget" | "packagist" | "rubygems" => Scheme::Semver,
        _ => Scheme::Generic,
    }
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

/// Compare two ASCII digit strings numerically without parsing them:
/// leading zeros are ignored, then the longer string is larger, then
/// lexicographic order decides.
fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Split an optional `epoch:` prefix off. The epoch is only recognised when
/// everything before the first `:` is ASCII digits (as rpm's `parseEVR` and
/// dpkg's parser do); an empty epoch (`:1.0`) counts as 0. Returns the epoch
/// digits ("" = 0) and the rest.
fn split_epoch(v: &str) -> (&str, &str) {
    match v.split_once(':') {
        Some((e, rest)) if e.bytes().all(|c| c.is_ascii_digit()) => (e, rest),
        _ => ("", v),
    }
}

// ---------------------------------------------------------------------------
// Dpkg
// ---------------------------------------------------------------------------

/// Debian Policy §5.6.12 and dpkg lib/dpkg/version.c: `[epoch:]upstream[-revision]`.
/// The epoch is numeric (default 0), the revision is everything after the
/// LAST hyphen (absent revision = "" which dpkg compares equal to "0"), and
/// upstream and revision are each compared with `verrevcmp`.
fn dpkg_cmp(a: &str, b: &str) -> Ordering {
    let (ea, ra) = split_epoch(a);
    let (eb, rb) = split_epoch(b);
    let (ua, reva) = ra.rsplit_once('-').unwrap_or((ra, ""));
    let (ub, revb) = rb.rsplit_once('-').unwrap_or((rb, ""));
    cmp_digits(ea, eb)
        .then_with(|| verrevcmp(ua.as_bytes(), ub.as_bytes()))
        .then_with(|| verrevcmp(reva.as_bytes(), revb.as_bytes()))
}

/// dpkg's `order()`: digits and end-of-string are 0, letters sort by their
/// ASCII value, `~` is -1 (before everything, even the end), every other
/// character sorts after all letters (c + 256).
fn dpkg_order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp` (lib/dpkg/version.c), transcribed: alternate
/// non-digit parts (compared char by char with [`dpkg_order`]) and digit
/// parts (compared numerically, leading zeros ignored — here as digit
/// strings, so any length works).
fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0usize, 0usize);
    let is_digit = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        // Non-digit part.
        while (i < a.len() && !is_digit(a, i)) || (j < b.len() && !is_digit(b, j)) {
            let ac = dpkg_order(a.get(i).copied());
            let bc = dpkg_order(b.get(j).copied());
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        // Digit part.
        let si = i;
        while is_digit(a, i) {
            i += 1;
        }
        let sj = j;
        while is_digit(b, j) {
            j += 1;
        }
        let da = std::str::from_utf8(a.get(si..i).unwrap_or_default()).unwrap_or_default();
        let db = std::str::from_utf8(b.get(sj..j).unwrap_or_default()).unwrap_or_default();
        let c = cmp_digits(da, db);
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

// ---------------------------------------------------------------------------
// Rpm
// ---------------------------------------------------------------------------

/// rpm's EVR comparison (lib/rpmver.c `rpmverCmp`, `parseEVR` in
/// lib/rpmds.c): epoch (default 0) numerically, then version, then release,
/// each with `rpmvercmp`. The release is everything after the LAST hyphen.
///
/// Deviation, chosen so that this is a total order: rpm itself skips the
/// release comparison when either side has no release (so `1.0` matches
/// `1.0-3.el9`); here a missing release is the empty string, which sorts
/// before any release (`1.0` < `1.0-1`). Callers wanting rpm's "any
/// release" semantics should strip the release from the other side.
fn rpm_cmp(a: &str, b: &str) -> Ordering {
    let (ea, ra) = split_epoch(a);
    let (eb, rb) = split_epoch(b);
    let (va, rela) = ra.rsplit_once('-').unwrap_or((ra, ""));
    let (vb, relb) = rb.rsplit_once('-').unwrap_or((rb, ""));
    cmp_digits(ea, eb)
        .then_with(|| rpmvercmp(va.as_bytes(), vb.as_bytes()))
        .then_with(|| rpmvercmp(rela.as_bytes(), relb.as_bytes()))
}

/// rpm's `rpmvercmp` (lib/rpmvercmp.c, rpm ≥ 4.15), transcribed.
///
/// Segments are maximal runs of ASCII digits or ASCII letters; any other
/// character except `~` and `^` separates segments. `~` sorts before
/// everything (including the end), `^` sorts after the end but before any
/// further segment. A numeric segment beats an alphabetic one; numeric
/// segments compare ignoring leading zeros; alphabetic ones by ASCII
/// (case-sensitive, like `strcmp`). When one side runs out of segments the
/// other (longer) side is greater.
fn rpmvercmp(a: &[u8], b: &[u8]) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let at = |s: &[u8], k: usize| s.get(k).copied();
    let is_sep = |c: Option<u8>| matches!(c, Some(c) if !c.is_ascii_alphanumeric() && c != b'~' && c != b'^');
    let (mut i, mut j) = (0usize, 0usize);
    while i < a.len() || j < b.len() {
        while is_sep(at(a, i)) {
            i += 1;
        }
        while is_sep(at(b, j)) {
            j += 1;
        }
        let (ca, cb) = (at(a, i), at(b, j));
        // Tilde: sorts before everything else.
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        // Caret: like tilde, except that the end of the string sorts first.
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(first_a), Some(_)) = (ca, cb) else {
            break;
        };
        let numeric = first_a.is_ascii_digit();
        let class = |c: u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let si = i;
        while at(a, i).is_some_and(class) {
            i += 1;
        }
        let sj = j;
        while at(b, j).is_some_and(class) {
            j += 1;
        }
        // `a` always has a segment of this class; if `b` has none, the
        // segments are of different types: numeric beats alphabetic.
        if sj == j {
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let sa = std::str::from_utf8(a.get(si..i).unwrap_or_default()).unwrap_or_default();
        let sb = std::str::from_utf8(b.get(sj..j).unwrap_or_default()).unwrap_or_default();
        let c = if numeric {
            cmp_digits(sa, sb)
        } else {
            sa.cmp(sb)
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    // Whichever still has characters left is greater.
    let rest_a = i < a.len();
    let rest_b = j < b.len();
    rest_a.cmp(&rest_b)
}

// ---------------------------------------------------------------------------
// Semver
// ---------------------------------------------------------------------------

/// A leniently parsed SemVer 2.0.0 version; build metadata is dropped.
struct Semver<'a> {
    core: [&'a str; 3],
    pre: Vec<&'a str>,
}

/// Parse SemVer 2.0.0 (§2, §9, §10) leniently: a leading `v`/`V` is
/// accepted, and a missing minor/patch counts as 0 (`v1.2` == `1.2.0`).
/// Leading zeros are tolerated. Returns `None` for anything else
/// (e.g. four components, letters in the core, empty identifiers).
fn parse_semver(v: &str) -> Option<Semver<'_>> {
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    // §10: build metadata after the first `+` is ignored for precedence.
    let v = v.split_once('+').map_or(v, |(x, _)| x);
    // §9: the pre-release starts at the first `-` (it may contain more `-`).
    let (core, pre) = match v.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (v, None),
    };
    let mut parts = [""; 3];
    for (n, p) in core.split('.').enumerate() {
        if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        *parts.get_mut(n)? = p;
    }
    let pre = match pre {
        None => Vec::new(),
        Some(p) => {
            let ids: Vec<&str> = p.split('.').collect();
            let valid = |id: &&str| {
                !id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
            };
            if !ids.iter().all(valid) {
                return None;
            }
            ids
        }
    };
    Some(Semver { core: parts, pre })
}

/// SemVer 2.0.0 §11 precedence; unparseable input on either side makes
/// both sides compare with the Generic rules. (Mixing parseable and
/// unparseable strings can therefore be non-transitive in rare cases.)
fn semver_cmp<'a>(a: &'a str, b: &'a str) -> Ordering {
    let (pa, pb) = (parse_semver(a), parse_semver(b));
    let (Some(sa), Some(sb)) = (pa.as_ref(), pb.as_ref()) else {
        // Fallback. Drop build metadata from a side that is valid semver, so
        // that `1.0.0+build` still equals `1.0.0` here.
        let strip = |v: &'a str, p: &Option<Semver<'_>>| match p {
            Some(_) => v.split_once('+').map_or(v, |(x, _)| x),
            None => v,
        };
        return generic_cmp(strip(a, &pa), strip(b, &pb));
    };
    // §11.2: major, minor, patch numerically ("" = missing = 0).
    for (x, y) in sa.core.iter().zip(sb.core.iter()) {
        let c = cmp_digits(x, y);
        if c != Ordering::Equal {
            return c;
        }
    }
    // §11.3: a pre-release has lower precedence than the normal version.
    match (sa.pre.is_empty(), sb.pre.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    // §11.4: identifier by identifier.
    for (x, y) in sa.pre.iter().zip(sb.pre.iter()) {
        let xn = x.bytes().all(|c| c.is_ascii_digit());
        let yn = y.bytes().all(|c| c.is_ascii_digit());
        let c = match (xn, yn) {
            // §11.4.1: numeric identifiers compare numerically.
            (true, true) => cmp_digits(x, y),
            // §11.4.3: numeric identifiers are lower than alphanumeric ones.
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            // §11.4.2: alphanumeric identifiers compare in ASCII order.
            (false, false) => x.cmp(y),
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    // §11.4.4: more identifiers win when all preceding ones are equal.
    sa.pre.len().cmp(&sb.pre.len())
}

// ---------------------------------------------------------------------------
// Generic
// ---------------------------------------------------------------------------
//
// Heuristic for NVD/CPE versions (`2.4.58`, `1.1.1w`, `7.4p1`, `5.0rc2`,
// `9.2.0.0_beta`, `1.8.0u202`, `r12`, …). Our own design, borrowing from
// Maven's ComparableVersion (qualifier order, trailing-zero trimming) and
// PEP 440 (dev < alpha < beta < rc). Rules:
//
// 0. What is compared (see `generic_strip`):
//    a. an epoch `DIGITS:` followed by a digit is dropped (`1:3.0.1` ==
//       `3.0.1`: RPM/dpkg inventories write epochs, CPE versions have none);
//    b. a leading alphabetic word, other than a pre-release word (rule 2),
//       followed by a digit directly or after one `_`, `-`, `.` or space
//       is dropped (`stable_1.0.3` == `1.0.3`, `release-2.4`, `v1.2`,
//       `version_3.1`, `build_1234`, `r12` == `12`), so that NVD bounds
//       written that way compare by their numbers.
// 1. Lower-case ASCII (a leading `v` before a digit went by rule 0b).
//    The string is split into numeric runs and alphabetic runs;
//    every other character (`.`, `-`, `_`, `+`, `:`, `~`, non-ASCII, …) only
//    separates.
// 2. Each alphabetic run becomes an item:
//    * a SINGLE letter directly after a digit and not followed by a digit
//      (OpenSSL `1.1.1w`, `1.0.2k`) is a post-release letter, a < b < … < z;
//    * pre-release words: dev < alpha = a < beta = b < milestone = m <
//      pre = preview = ea < rc = cr < snapshot;
//    * post-release words: p = patch = pl, sp, update = u, r, post;
//    * `final`, `ga`, `release` are dropped (equal to nothing);
//    * any other word is "other".
// 3. Zero numbers that end a numeric stretch (followed by a word or the end)
//    are dropped, so `1.0 == 1.0.0` and `1.0.0rc1 == 1.0rc1`.
// 4. The item lists are compared position by position, the shorter list
//    padded with an End item, with the order
//        pre-release < End < post-release < other word < number,
//    numbers compared numerically as digit strings, words within a class by
//    rank (pre) or text (post, other).
//
// So `1.0rc1 < 1.0 < 1.0a < 1.0p1 < 1.0.1` (post words compare by text),
// `5.0-beta < 5.0 < 5.0.1`, `2.4.58 < 2.4.58-1`, `2.17.1 < 2.17.1.1`.
// Being a lexicographic order over a fixed total order of items, this is a
// total preorder for any inputs.

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    /// Pre-release word, by rank.
    Pre(u8),
    /// Padding past the end of the shorter version.
    End,
    /// Post-release word or OpenSSL-style letter (canonical text).
    Post(String),
    /// Unknown word.
    Other(String),
    /// Number: (digit count, digits) with leading zeros stripped.
    Num(usize, String),
}

fn pre_rank(word: &str) -> Option<u8> {
    Some(match word {
        "dev" => 0,
        "alpha" | "a" => 1,
        "beta" | "b" => 2,
        "milestone" | "m" => 3,
        "pre" | "preview" | "ea" => 4,
        "rc" | "cr" => 5,
        "snapshot" => 6,
        _ => return None,
    })
}

fn post_canonical(word: &str) -> Option<&'static str> {
    Some(match word {
        "p" | "patch" | "pl" => "p",
        "sp" => "sp",
        "update" | "u" => "u",
        "r" => "r",
        "post" => "post",
        _ => return None,
    })
}

fn generic_items(v: &str) -> Vec<Item> {
    let v = v.to_ascii_lowercase();
    let bytes = v.as_bytes();
    let mut items = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes.get(i).copied().unwrap_or_default();
        if c.is_ascii_digit() {
            let s = i;
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            let digits = v.get(s..i).unwrap_or_default().trim_start_matches('0');
            items.push(Item::Num(digits.len(), digits.to_owned()));
        } else if c.is_ascii_alphabetic() {
            let s = i;
            while bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
                i += 1;
            }
            let word = v.get(s..i).unwrap_or_default();
            let after_digit = s > 0 && bytes.get(s - 1).is_some_and(u8::is_ascii_digit);
            let before_digit = bytes.get(i).is_some_and(u8::is_ascii_digit);
            if word.len() == 1 && after_digit && !before_digit {
                items.push(Item::Post(word.to_owned()));
            } else if let Some(r) = pre_rank(word) {
                items.push(Item::Pre(r));
            } else if let Some(p) = post_canonical(word) {
                items.push(Item::Post(p.to_owned()));
            } else if !matches!(word, "final" | "ga" | "release") {
                items.push(Item::Other(word.to_owned()));
            }
        } else {
            i += 1;
        }
    }
    drop_trailing_zeros(items)
}

/// Drop every run of zero numbers that is followed by a word or the end.
fn drop_trailing_zeros(items: Vec<Item>) -> Vec<Item> {
    let is_zero = |it: &Item| matches!(it, Item::Num(0, _));
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    let mut pending_zeros = 0usize;
    for it in items {
        if is_zero(&it) {
            pending_zeros += 1;
            continue;
        }
        if matches!(it, Item::Num(..)) {
            out.extend(std::iter::repeat_n(
                Item::Num(0, String::new()),
                pending_zeros,
            ));
        }
        pending_zeros = 0;
        out.push(it);
    }
    out
}

/// Dotted numbers only ("2.4.58"): compared without building item lists,
/// by the same rules (numbers by value, trailing zeros do not count).
fn numeric_cmp(a: &str, b: &str) -> Ordering {
    fn num(s: &str) -> &str {
        s.trim_start_matches('0')
    }
    let mut xa = a.split('.').filter(|s| !s.is_empty());
    let mut xb = b.split('.').filter(|s| !s.is_empty());
    loop {
        match (xa.next(), xb.next()) {
            (Some(x), Some(y)) => {
                let (x, y) = (num(x), num(y));
                let c = x.len().cmp(&y.len()).then_with(|| x.cmp(y));
                if c != Ordering::Equal {
                    return c;
                }
            }
            (Some(x), None) => {
                // The longer one is greater unless all it has left is zeros.
                if !num(x).is_empty() || xa.any(|s| !num(s).is_empty()) {
                    return Ordering::Greater;
                }
                return Ordering::Equal;
            }
            (None, Some(y)) => {
                if !num(y).is_empty() || xb.any(|s| !num(s).is_empty()) {
                    return Ordering::Less;
                }
                return Ordering::Equal;
            }
            (None, None) => return Ordering::Equal,
        }
    }
}

fn dotted_numeric(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit()) && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// What the Generic rules compare of a version: an RPM/dpkg epoch and a
/// leading word are dropped when a digit follows them (rules 0a and 0b
/// above). Both [`generic_cmp`] and [`generic_key`] go through here, so
/// they stay consistent; being a function of one side alone, it keeps the
/// order a total preorder.
fn generic_strip(v: &str) -> &str {
    let starts_digit = |s: &str| s.as_bytes().first().is_some_and(u8::is_ascii_digit);
    let mut v = v;
    // 0a. `1:3.0.1` → `3.0.1`.
    if let Some((e, rest)) = v.split_once(':') {
        if !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit()) && starts_digit(rest) {
            v = rest;
        }
    }
    // 0b. `stable_1.0.3`, `release-2.4`, `v1.2`, `r12` → the number.
    let word = v.bytes().take_while(u8::is_ascii_alphabetic).count();
    if let (true, Some(w), Some(rest)) = (word > 0, v.get(..word), v.get(word..)) {
        let rest = match rest.as_bytes().first() {
            Some(b'_' | b'-' | b'.' | b' ') => rest.get(1..).unwrap_or_default(),
            _ => rest,
        };
        if starts_digit(rest) && pre_rank(&w.to_ascii_lowercase()).is_none() {
            v = rest;
        }
    }
    v
}

fn generic_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (generic_strip(a), generic_strip(b));
    if dotted_numeric(a) && dotted_numeric(b) {
        return numeric_cmp(a, b);
    }
    let ia = generic_items(a);
    let ib = generic_items(b);
    let end = Item::End;
    for k in 0..ia.len().max(ib.len()) {
        let x = ia.get(k).unwrap_or(&end);
        let y = ib.get(k).unwrap_or(&end);
        let c = x.cmp(y);
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

/// An order-preserving byte key of a version under [`Scheme::Generic`]:
/// for any `a` and `b`, comparing the keys of `a` and `b` byte by byte
/// gives what [`compare`] gives, and the keys are equal exactly when the
/// versions compare equal. An index sorts and searches these instead of
/// comparing strings again and again. The key is appended to `out`.
///
/// Each item becomes a tag byte in the order of the items (pre-release
/// word < end < post-release word < other word < number) and its payload:
/// a word's letters closed by a zero byte, a number's digit count as four
/// big-endian bytes and then its digits. An end tag closes the key, so a
/// shorter version compares as if padded with End.
pub fn generic_key(v: &str, out: &mut Vec<u8>) {
    const PRE: u8 = 1;
    const END: u8 = 2;
    const POST: u8 = 3;
    const OTHER: u8 = 4;
    const NUM: u8 = 5;
    fn num(out: &mut Vec<u8>, digits: &str) {
        out.push(NUM);
        let n = u32::try_from(digits.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&n.to_be_bytes());
        out.extend_from_slice(digits.as_bytes());
    }
    let v = generic_strip(v.trim());
    if dotted_numeric(v) {
        let parts: Vec<&str> = v
            .split('.')
            .filter(|s| !s.is_empty())
            .map(|s| s.trim_start_matches('0'))
            .collect();
        // Zeros that end the version do not count (1.0 == 1).
        let keep = parts
            .iter()
            .rposition(|s| !s.is_empty())
            .map_or(0, |i| i + 1);
        for p in &parts[..keep] {
            num(out, p);
        }
    } else {
        for item in generic_items(v) {
            match item {
                Item::Pre(r) => out.extend_from_slice(&[PRE, r]),
                Item::End => out.push(END),
                Item::Post(w) => {
                    out.push(POST);
                    out.extend_from_slice(w.as_bytes());
                    out.push(0);
                }
                Item::Other(w) => {
                    out.push(OTHER);
                    out.extend_from_slice(w.as_bytes());
                    out.push(0);
                }
                Item::Num(_, d) => num(out, &d),
            }
        }
    }
    out.push(END);
}

#[cfg(test)]
mod fast_path_tests {
    use super::*;

    /// The allocation-free path for dotted numbers agrees with the general
    /// one on every pair of a set of tricky versions.
    #[test]
    fn dotted_numbers_compare_as_the_general_rules_say() {
        let vs = [
            "1", "1.0", "1.0.0", "01.2", "1.2", "1.02", "1.2.0", "1.2.1", "1.10", "1.9", "2.4.58",
            "2.4.059", "2.4.9", "1.0.0.1", "1..2", "0", "0.0", "10", "9.99.999",
        ];
        for a in vs {
            for b in vs {
                let ia = generic_items(a);
                let ib = generic_items(b);
                let end = Item::End;
                let mut slow = Ordering::Equal;
                for k in 0..ia.len().max(ib.len()) {
                    let c = ia.get(k).unwrap_or(&end).cmp(ib.get(k).unwrap_or(&end));
                    if c != Ordering::Equal {
                        slow = c;
                        break;
                    }
                }
                assert_eq!(numeric_cmp(a, b), slow, "{a} vs {b}");
            }
        }
    }

    /// The byte keys order versions exactly as `compare` does.
    #[test]
    fn generic_keys_order_as_compare_does() {
        let vs = [
            "1",
            "1.0",
            "1.0.0",
            "01.2",
            "1.2",
            "1.02",
            "1.2.0",
            "1.2.1",
            "1.10",
            "1.9",
            "2.4.58",
            "2.4.58-1",
            "2.4.059",
            "2.4.9",
            "1.0.0.1",
            "1..2",
            "0",
            "0.0",
            "10",
            "9.99.999",
            "1.1.1w",
            "1.1.1",
            "1.1.1a",
            "1.0.2k",
            "7.4p1",
            "7.4",
            "7.4p2",
            "5.0rc2",
            "5.0rc10",
            "5.0beta",
            "5.0-beta1",
            "5.0",
            "5.0.1",
            "5.0-alpha",
            "5.0.dev1",
            "9.2.0.0_beta",
            "1.8.0u202",
            "1.8.0_202",
            "1.8.0update202",
            "r12",
            "r9",
            "v1.2",
            "V1.2",
            "1.2final",
            "1.2.ga",
            "1.2-release",
            "1.2sp1",
            "1.2 sp2",
            "1.2-post1",
            "1.2patch3",
            "1.2pl3",
            "2.0.0-snapshot",
            "2.0.0-m1",
            "2.0.0-ea",
            "2.0.0-cr1",
            "abc",
            "xyz",
            "1.2abc",
            "1.2-abc-3",
            "",
            "-",
            "12.2(33)sxh",
            "12.2(33)sxi",
            "1.0.0.0.0.1",
            "00000000001",
            "18446744073709551616",
            "18446744073709551615",
            "1.2.3.4.5.6.7.8.9.10",
            "2024-04-07",
            "4.19.0-21-amd64",
            "1:2.3",
            "1.0~rc1",
            "8.0.35",
            "8.0.3.5",
            "ä1",
            "1ä",
            "1:3.0.1",
            "3.0.1",
            "3.0.7",
            "0:3.0.1",
            "12:",
            "1:abc",
            "1:v2",
            ":1.0",
            "stable_1.0.3",
            "Stable-1.0.3",
            "1.0.3",
            "1.0.4",
            "0.6.1",
            "release-2.4",
            "v.1.2",
            "version_3.1",
            "build_1234",
            "1234",
            "r 12",
            "beta2",
            "rc-1",
            "stable_",
            "stable__1",
        ];
        let key = |v: &str| {
            let mut k = Vec::new();
            generic_key(v, &mut k);
            k
        };
        for a in vs {
            for b in vs {
                assert_eq!(
                    key(a).cmp(&key(b)),
                    compare(Scheme::Generic, a, b),
                    "{a} vs {b}"
                );
            }
        }
    }
}
