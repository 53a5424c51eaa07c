#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Version ordering: tricky cases per scheme, plus order-law checks.

use std::cmp::Ordering::{self, Equal, Greater, Less};

use sonae_match::version::{compare, scheme_for_ecosystem, scheme_for_purl_type, Scheme};

/// Check every `(a, expected, b)` both ways round; report all failures at once.
fn check(scheme: Scheme, table: &[(&str, Ordering, &str)]) {
    let mut failures = Vec::new();
    for &(a, want, b) in table {
        let got = compare(scheme, a, b);
        if got != want {
            failures.push(format!(
                "{scheme:?}: {a:?} vs {b:?}: want {want:?}, got {got:?}"
            ));
        }
        let back = compare(scheme, b, a);
        if back != want.reverse() {
            failures.push(format!(
                "{scheme:?}: {b:?} vs {a:?}: want {:?}, got {back:?}",
                want.reverse()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `ascending` must be strictly increasing. Checks that every pair agrees
/// with the list order, that sorting a scrambled copy restores it, and that
/// the comparison is reflexive, antisymmetric and transitive on the list.
fn check_order_laws(scheme: Scheme, ascending: &[&str]) {
    let n = ascending.len();
    let cmp = |a: &str, b: &str| compare(scheme, a, b);
    for (i, a) in ascending.iter().enumerate() {
        assert_eq!(cmp(a, a), Equal, "{scheme:?}: {a:?} not equal to itself");
        for (j, b) in ascending.iter().enumerate() {
            let want = i.cmp(&j);
            assert_eq!(cmp(a, b), want, "{scheme:?}: {a:?} vs {b:?}");
            assert_eq!(cmp(a, b), cmp(b, a).reverse(), "antisymmetry {a:?} {b:?}");
        }
    }
    // Scramble deterministically (reverse, then interleave) and sort back.
    let mut scrambled: Vec<&str> = ascending.iter().rev().copied().collect();
    let (front, back) = scrambled.split_at(n / 2);
    let mut mixed: Vec<&str> = Vec::with_capacity(n);
    for k in 0..n {
        if let Some(x) = back.get(k) {
            mixed.push(x);
        }
        if let Some(x) = front.get(k) {
            mixed.push(x);
        }
    }
    scrambled = mixed;
    scrambled.sort_by(|a, b| cmp(a, b));
    assert_eq!(
        scrambled, ascending,
        "{scheme:?}: sort did not restore the order"
    );
    // Transitivity over every triple.
    for a in ascending {
        for b in ascending {
            for c in ascending {
                let (ab, bc, ac) = (cmp(a, b), cmp(b, c), cmp(a, c));
                if ab != Greater && bc != Greater {
                    assert_ne!(ac, Greater, "{scheme:?}: {a:?} <= {b:?} <= {c:?}");
                }
                if ab == Equal && bc == Equal {
                    assert_eq!(ac, Equal, "{scheme:?}: {a:?} == {b:?} == {c:?}");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Generic
// ---------------------------------------------------------------------------

#[test]
fn generic_tricky_cases() {
    check(
        Scheme::Generic,
        &[
            ("1.2.10", Greater, "1.2.9"),
            ("2.4.58", Equal, "2.4.58.0"),
            ("1.0", Equal, "1.0.0"),
            ("1", Equal, "1.0.0.0"),
            ("2.4.58-1", Greater, "2.4.58"),
            ("1.0rc1", Less, "1.0"),
            ("1.0", Less, "1.0.1"),
            ("1.0rc1", Less, "1.0rc2"),
            ("1.0rc1", Equal, "1.0.0rc1"),
            ("1.0beta2", Less, "1.0rc1"),
            ("1.0a1", Less, "1.0b1"),
            ("1.0a1", Equal, "1.0alpha1"),
            ("1.0-m1", Less, "1.0"),
            ("1.0.dev1", Less, "1.0a1"),
            ("5.0rc2", Less, "5.0"),
            ("5.0rc2", Greater, "4.9"),
            ("5.0-beta", Less, "5.0"),
            ("5.0", Less, "5.0.1"),
            ("5.0-beta", Less, "5.0.1"),
            ("1.2.3-beta.1", Less, "1.2.3"),
            ("1.2.3-beta.1", Less, "1.2.3-beta.2"),
            ("1.2.3-beta.1", Greater, "1.2.2"),
            ("9.2.0.0_beta", Less, "9.2"),
            ("9.2.0.0_beta", Greater, "9.1.9"),
            ("1.1.1w", Greater, "1.1.1a"),
            ("1.1.1a", Greater, "1.1.1"),
            ("1.1.1w", Less, "1.1.2"),
            ("1.0.2k", Less, "1.0.2l"),
            ("1.0.0a", Less, "1.0.1"),
            ("7.4p1", Greater, "7.4"),
            ("7.4p1", Less, "7.4p2"),
            ("7.4p1", Less, "7.5"),
            ("7.4p1", Less, "7.5p1"),
            ("9.3p2", Greater, "9.3p1"),
            ("1.8.0u202", Greater, "1.8.0"),
            ("1.8.0u202", Greater, "1.8.0u191"),
            ("1.8.0u202", Less, "1.8.1"),
            ("1.8.0_update_202", Equal, "1.8.0u202"),
            ("2008-sp1", Greater, "2008"),
            ("1.0-patch2", Equal, "1.0p2"),
            ("1.0.final", Equal, "1.0"),
            ("5.3.0.RELEASE", Equal, "5.3.0"),
            ("1.0-GA", Equal, "1.0"),
            ("10.0", Greater, "9.9.9"),
            ("2016", Less, "2017"),
            ("3.0.0.1234", Greater, "3.0.0"),
            ("3.0.0.1234", Less, "3.0.1"),
            ("2.17.1", Less, "2.17.1.1"),
            ("8.0.33", Greater, "8.0.4"),
            ("11.0.2", Greater, "11.0.1"),
            ("r12", Less, "r13"),
            ("r9", Less, "r12"),
            ("99999999999999999999", Greater, "9"),
            ("99999999999999999999", Less, "100000000000000000000"),
            (
                "1.0.99999999999999999999999999",
                Greater,
                "1.0.99999999999999999999999998",
            ),
            ("1.02", Equal, "1.2"),
            ("1.0RC1", Equal, "1.0rc1"),
            ("1.1.1W", Equal, "1.1.1w"),
            ("v1.2.3", Equal, "1.2.3"),
            ("2.4.58+dfsg", Greater, "2.4.58"),
            ("2.4.58+dfsg", Less, "2.4.59"),
            ("", Equal, "0"),
            ("", Less, "0.1"),
        ],
    );
}

/// Versions from RPM/dpkg inventories carry an epoch (`1:3.0.1`); CPE
/// versions and NVD bounds have none, so the Generic rules ignore it.
#[test]
fn generic_ignores_an_epoch() {
    check(
        Scheme::Generic,
        &[
            ("1:3.0.1", Less, "3.0.7"),
            ("1:3.0.1", Equal, "3.0.1"),
            ("1:3.0.1", Greater, "3.0.0"),
            ("2:1.0", Equal, "1:1.0"),
            ("2:1.0", Less, "1.5"),
            ("0:2.4.58-1", Greater, "2.4.58"),
            ("10:1.2.3", Less, "1.2.4"),
            ("1:3.0.1", Less, "1:3.0.7"),
        ],
    );
}

/// NVD range bounds that start with a word (CVE-2006-4016:
/// `versionEndIncluding: stable_1.0.3`) compare by their numbers.
#[test]
fn generic_ignores_a_leading_word() {
    check(
        Scheme::Generic,
        &[
            ("0.6.1", Less, "stable_1.0.3"),
            ("1.0.3", Equal, "stable_1.0.3"),
            ("1.0.4", Greater, "stable_1.0.3"),
            ("2.4", Equal, "release-2.4"),
            ("2.3.9", Less, "release-2.4"),
            ("1.2", Equal, "v1.2"),
            ("1.2", Equal, "v.1.2"),
            ("3.1", Equal, "version_3.1"),
            ("3.1.1", Greater, "Version 3.1"),
            ("1233", Less, "build_1234"),
            ("12", Equal, "r12"),
            ("stable_1.0.3", Less, "stable_1.0.4"),
            // A pre-release word is no prefix to drop.
            ("beta2", Less, "1.0"),
            ("rc1", Less, "0.1"),
        ],
    );
}

#[test]
fn generic_order_laws() {
    check_order_laws(
        Scheme::Generic,
        &[
            "",
            "0.9",
            "0.9.1",
            "1.0.dev1",
            "1.0a1",
            "1.0b1",
            "1.0b2",
            "1.0-m1",
            "1.0-ea",
            "1.0rc1",
            "1.0rc2",
            "1.0-snapshot",
            "1.0",
            "1.0a",
            "1.0p1",
            "1.0-foo",
            "1.0.1",
            "1.1.1",
            "1.1.1a",
            "1.1.1w",
            "1.1.1.1",
            "1.2.3-beta.1",
            "1.2.3",
            "1.2.9",
            "1.2.10",
            "1.8.0",
            "1.8.0u191",
            "1.8.0u202",
            "2.4.58",
            "2.4.58-1",
            "5.0-beta",
            "5.0",
            "5.0.1",
            "7.4",
            "7.4p1",
            "7.4p2",
            "8.0.33",
            "9.2.0.0_beta",
            "9.2",
            "10.0",
            "2016",
            "2017",
            "99999999999999999999",
        ],
    );
}

// ---------------------------------------------------------------------------
// Dpkg
// ---------------------------------------------------------------------------

#[test]
fn dpkg_tricky_cases() {
    check(
        Scheme::Dpkg,
        &[
            ("1:1.0", Greater, "2.0"),
            ("0:1.0", Equal, "1.0"),
            ("1.0~rc1", Less, "1.0"),
            ("1.0~~", Less, "1.0~"),
            ("1.0~~a", Less, "1.0~"),
            ("1.0~", Less, "1.0"),
            ("1.0", Less, "1.0a"),
            ("1.0a", Less, "1.0+"),
            ("1.0", Less, "1.0+dfsg"),
            ("2.4.58-1", Less, "2.4.58-1+deb12u1"),
            ("1.0-1", Less, "1.0-1.1"),
            ("3.0.11-1~deb12u2", Less, "3.0.11-1"),
            // dpkg: a missing revision is "", which compares equal to "0".
            ("1.2.3", Equal, "1.2.3-0"),
            ("1.2.3", Less, "1.2.3-1"),
            ("1.2.3", Less, "1.2.3-0.1"),
            ("1.01", Equal, "1.1"),
            ("1.2.10", Greater, "1.2.9"),
            ("1.0", Less, "1.0.0"),
            // Revision is after the LAST hyphen.
            ("1.0-2-1", Greater, "1.0-1-9"),
            ("1.0-rc1-1", Greater, "1.0-1"),
            (
                "1.99999999999999999999999",
                Greater,
                "1.99999999999999999999998",
            ),
            ("99999999999999999999:1.0", Greater, "9:9.0"),
            // Real pairs from /work/shared/data/inventory/dpkg-status.
            ("2:8.39-12build1", Greater, "1:8.31-2ubuntu2"),
            ("2:8.39-13", Greater, "2:8.39-12build1"),
            ("1:3.3.9-1ubuntu2", Less, "2:3.3.16-1ubuntu2"),
            ("6.2+20210905-1", Greater, "6.2-0ubuntu2"),
            ("5.9+20140118-1ubuntu1", Less, "6.2-0ubuntu2"),
            (
                "1.60+git20180626.aebd88e-1ubuntu1",
                Greater,
                "1.60-25ubuntu2",
            ),
            ("5.3.28+dfsg1-0.8", Greater, "5.3.28-3ubuntu3"),
            ("5.3.28+dfsg1-0.6ubuntu2", Less, "5.3.28+dfsg1-0.8"),
            ("1:1.2.11.dfsg-2", Less, "1:1.2.11.dfsg-2ubuntu1"),
            ("1:1.2.8.dfsg-1ubuntu1", Less, "1:1.2.11.dfsg-2"),
            ("1:4.8.1-1", Less, "1:4.8.1-1ubuntu5.20.04"),
            ("5.1.1alpha+20120614-2ubuntu2", Less, "5.2.4-1"),
            ("1.64.1-1~ubuntu20.04.1", Less, "1.64.1-1"),
            ("0.7.9-2.1build1", Less, "0.7.9-2.2+b1"),
            ("3.113+nmu3ubuntu3", Less, "3.118"),
            ("3.118", Less, "3.118ubuntu2"),
            ("11.1.0ubuntu2", Greater, "4.1+Debian11ubuntu6"),
            ("11.1.0", Less, "11.1.0ubuntu2"),
            ("0.5.11+git20210903+057cd650a4ed-1", Greater, "0.5.10.2-6"),
            ("1.8.5-5ubuntu1", Less, "1.9.4-3+b1"),
            ("0~20171227-0.2", Less, "0.1"),
            ("2:6.2.0+dfsg-4", Less, "2:6.2.1+dfsg-2"),
            ("1:4.2.6.p5+dfsg-3ubuntu2", Greater, "1:4.2.6-1"),
            ("3:20121221-4ubuntu1", Less, "3:20190709-3"),
        ],
    );
}

#[test]
fn dpkg_order_laws() {
    // Mostly real versions from the dpkg-status samples, plus `~` cases.
    check_order_laws(
        Scheme::Dpkg,
        &[
            "0~20171227-0.2",
            "0.0.9",
            "0.0.12+nmu1",
            "0.0.17",
            "0.5.7-4ubuntu1",
            "0.5.10.2-6",
            "0.5.11+git20210903+057cd650a4ed-1",
            "0.7.9-2.1build1",
            "0.7.9-2.2+b1",
            "1.0~~",
            "1.0~~a",
            "1.0~",
            "1.0~rc1",
            "1.0",
            "1.0-1",
            "1.0-1.1",
            "1.0a",
            "1.0+dfsg",
            "1.8.5-5ubuntu1",
            "1.9.4-3+b1",
            "1.60-25ubuntu2",
            "1.60+git20180626.aebd88e-1ubuntu1",
            "1.64.1-1~ubuntu20.04.1",
            "1.64.1-1",
            "2.4.58-1",
            "2.4.58-1+deb12u1",
            "3.0.11-1~deb12u2",
            "3.0.11-1",
            "3.113+nmu3ubuntu3",
            "3.118",
            "3.118ubuntu2",
            "4.1+Debian11ubuntu6",
            "5.1.1alpha+20120614-2ubuntu2",
            "5.2.4-1",
            "5.3.28-3ubuntu3",
            "5.3.28+dfsg1-0.6ubuntu2",
            "5.3.28+dfsg1-0.8",
            "6.2-0ubuntu2",
            "6.2+20210905-1",
            "11.1.0",
            "11.1.0ubuntu2",
            "1:1.2.8.dfsg-1ubuntu1",
            "1:1.2.11.dfsg-2",
            "1:1.2.11.dfsg-2ubuntu1",
            "1:8.31-2ubuntu2",
            "2:3.3.16-1ubuntu2",
            "2:8.39-12build1",
            "2:8.39-13",
            "3:20121221-4ubuntu1",
        ],
    );
}

// ---------------------------------------------------------------------------
// Rpm
// ---------------------------------------------------------------------------

#[test]
fn rpm_tricky_cases() {
    check(
        Scheme::Rpm,
        &[
            ("1.0~rc1", Less, "1.0"),
            ("1.0^git1", Greater, "1.0"),
            ("1.0^git1", Less, "1.0.1"),
            ("2.02-0.81.el8", Less, "2.02-0.87.el8"),
            ("1:0.9", Greater, "2.0"),
            ("0:2.0", Equal, "2.0"),
            // rpmvercmp: the extra alpha segment makes it greater.
            ("1.0a", Greater, "1.0"),
            ("5.11.0-1.el9", Greater, "5.9.0-1.el9"),
            ("5.11.0-1.el9", Greater, "5.9.0"),
            // Release is compared only after the version.
            ("1.0.1-1", Greater, "1.0-5"),
            ("2.02-0.87.el8_1", Greater, "2.02-0.87.el8"),
            ("3.6.8-18.el8", Less, "3.6.8-18.el8_6.1"),
            ("1.1.1k-7.el8_6", Less, "1:1.1.1k-1.el8"),
            (
                "1.99999999999999999999999",
                Greater,
                "1.99999999999999999999998",
            ),
            // Missing release sorts before any release (documented deviation:
            // rpm's rpmverCmp would skip the release comparison).
            ("1.0", Less, "1.0-1"),
            // Numeric segment beats alphabetic; alpha compares by ASCII.
            ("1.0.1", Greater, "1.0.a"),
            ("1.0.B", Less, "1.0.a"),
            ("1.0.a", Equal, "1.0a"),
        ],
    );
}

/// The cases of rpm's own tests/rpmvercmp.at (none contains `-`, so the
/// EVR split does not change them), plus the caret cases added in 4.15.
#[test]
fn rpm_upstream_rpmvercmp_vectors() {
    check(
        Scheme::Rpm,
        &[
            ("1.0", Equal, "1.0"),
            ("1.0", Less, "2.0"),
            ("2.0.1", Equal, "2.0.1"),
            ("2.0", Less, "2.0.1"),
            ("2.0.1a", Equal, "2.0.1a"),
            ("2.0.1a", Greater, "2.0.1"),
            ("5.5p1", Less, "5.5p2"),
            ("5.5p1", Less, "5.5p10"),
            ("10xyz", Less, "10.1xyz"),
            ("xyz10", Less, "xyz10.1"),
            ("xyz.4", Equal, "xyz.4"),
            ("xyz.4", Less, "8"),
            ("xyz.4", Less, "2"),
            ("5.5p2", Less, "5.6p1"),
            ("5.6p1", Less, "6.5p1"),
            ("6.0.rc1", Greater, "6.0"),
            ("10b2", Greater, "10a1"),
            ("10a2", Less, "10b2"),
            ("1.0a", Less, "1.0aa"),
            ("10.0001", Equal, "10.1"),
            ("10.0001", Less, "10.0039"),
            ("4.999.9", Less, "5.0"),
            ("20101121", Less, "20101122"),
            ("2_0", Equal, "2.0"),
            ("a+", Equal, "a_"),
            ("+a", Equal, "_a"),
            ("_+", Equal, "+_"),
            ("+", Equal, "_"),
            ("1.0~rc1", Less, "1.0~rc2"),
            ("1.0~rc1~git123", Less, "1.0~rc1"),
            ("1b.fc17", Less, "1.fc17"),
            ("1g.fc17", Greater, "1.fc17"),
            ("1.0^", Greater, "1.0"),
            ("1.0^git1", Less, "1.0^git2"),
            ("1.0^git1", Less, "1.01"),
            ("1.0^20160101", Less, "1.0.1"),
            ("1.0^20160101^git1", Greater, "1.0^20160101"),
            ("1.0~rc1^git1", Greater, "1.0~rc1"),
            ("1.0~rc1^git1", Less, "1.0"),
            ("1.0^git1~pre", Less, "1.0^git1"),
        ],
    );
}

#[test]
fn rpm_order_laws() {
    check_order_laws(
        Scheme::Rpm,
        &[
            "0.9",
            "1.0~~",
            "1.0~rc1",
            "1.0~rc1^git1",
            "1.0~rc2",
            "1.0",
            "1.0-1",
            "1.0-1.el9",
            "1.0-2.el9",
            "1.0-10.el9",
            "1.0^git1",
            "1.0^git2",
            "1.0.B",
            "1.0a",
            "1.0aa",
            "1.0.1",
            "1.0.1-1",
            "1.1.1k-7.el8_6",
            "2.0",
            "2.02-0.81.el8",
            "2.02-0.87.el8",
            "2.02-0.87.el8_1",
            "3.6.8-18.el8",
            "3.6.8-18.el8_6.1",
            "4.999.9",
            "5.0",
            "5.5p1",
            "5.5p2",
            "5.5p10",
            "5.6p1",
            "5.9.0",
            "5.9.0-1.el9",
            "5.11.0-1.el9",
            "6.0",
            "6.0.rc1",
            "10.0039",
            "20101121",
            "1:0.9",
            "1:1.1.1k-1.el8",
            "2:1.0",
        ],
    );
}

// ---------------------------------------------------------------------------
// Semver
// ---------------------------------------------------------------------------

#[test]
fn semver_spec_precedence_list() {
    // SemVer 2.0.0 §11.4's own example, in ascending order.
    let spec = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
    ];
    for w in spec.windows(2) {
        assert_eq!(compare(Scheme::Semver, w[0], w[1]), Less, "{w:?}");
    }
    check_order_laws(Scheme::Semver, &spec);
}

#[test]
fn semver_tricky_cases() {
    check(
        Scheme::Semver,
        &[
            ("1.0.0+build", Equal, "1.0.0"),
            ("1.0.0+build.1", Equal, "1.0.0+build.2"),
            ("1.0.0-rc.1+build.5", Equal, "1.0.0-rc.1"),
            ("v1.2", Equal, "1.2.0"),
            ("V1.2.3", Equal, "1.2.3"),
            ("1", Equal, "1.0.0"),
            ("1.2.10", Greater, "1.2.9"),
            ("2.0.0", Greater, "1.99.99"),
            ("1.0.0-alpha", Less, "1.0.0"),
            ("1.0.0-0", Less, "1.0.0-alpha"),
            ("1.0.0-2", Less, "1.0.0-10"),
            ("1.0.0-rc.1", Less, "1.0.0-rc.1.1"),
            ("1.0.0-Beta", Less, "1.0.0-alpha"), // ASCII: 'B' < 'a'
            ("1.0.0-x-y", Greater, "1.0.0-x"),
            ("1.0.0-alpha", Greater, "0.9.9"),
            ("99999999999999999999.0.0", Greater, "9.0.0"),
            // Go pseudo-versions are pre-releases of the next patch.
            (
                "v0.0.0-20210101000000-abcdef123456",
                Less,
                "v0.0.0-20220101000000-012345abcdef",
            ),
            ("v1.2.4-0.20210101000000-abcdef123456", Less, "v1.2.4"),
            ("v1.2.4-0.20210101000000-abcdef123456", Greater, "v1.2.3"),
            // Not semver: both sides fall back to the Generic rules.
            ("1.2.3.4", Greater, "1.2.3"),
            ("1.2.3.beta", Less, "1.2.3"),
            ("4.0.0.rc1", Less, "4.0.0"),
            ("1.2.3.4", Less, "1.2.4"),
            ("1.0rc1", Less, "1.0"),
            ("", Less, "1"),
            ("1.2.3+build.7", Less, "1.2.3.4"),
            ("1.2.3+build.7", Greater, "1.2.3.beta"),
        ],
    );
}

#[test]
fn semver_order_laws() {
    check_order_laws(
        Scheme::Semver,
        &[
            "0.0.0-20210101000000-abcdef123456",
            "0.0.1",
            "0.1.0",
            "0.9.9",
            "1.0.0-0",
            "1.0.0-2",
            "1.0.0-10",
            "1.0.0-Beta",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0-rc.1.1",
            "1.0.0-x",
            "1.0.0-x-y",
            "1.0.0",
            "1.0.1",
            "v1.1",
            "1.2.0-rc.1",
            "1.2.3",
            "1.2.4-0.20210101000000-abcdef123456",
            "1.2.4",
            "1.2.9",
            "1.2.10",
            "1.10.0",
            "1.99.99",
            "2.0.0-alpha",
            "2.0.0",
            "2.0.1",
            "2.1",
            "3",
            "10.0.0",
            "10.0.1",
            "11.0.0-beta",
            "11.0.0",
            "99999999999999999999.0.0",
        ],
    );
}

// ---------------------------------------------------------------------------
// Scheme selection and robustness
// ---------------------------------------------------------------------------

#[test]
fn scheme_for_purl_types() {
    for (t, s) in [
        ("deb", Scheme::Dpkg),
        ("rpm", Scheme::Rpm),
        ("npm", Scheme::Semver),
        ("cargo", Scheme::Semver),
        ("golang", Scheme::Semver),
        ("nuget", Scheme::Semver),
        ("composer", Scheme::Semver),
        ("gem", Scheme::Semver),
        ("maven", Scheme::Generic),
        ("pypi", Scheme::Generic),
        ("apk", Scheme::Generic),
        ("generic", Scheme::Generic),
        ("DEB", Scheme::Dpkg),
        ("", Scheme::Generic),
    ] {
        assert_eq!(scheme_for_purl_type(t), s, "{t:?}");
    }
}

#[test]
fn scheme_for_osv_ecosystems() {
    for (e, s) in [
        ("Debian", Scheme::Dpkg),
        ("Debian:12", Scheme::Dpkg),
        ("Ubuntu", Scheme::Dpkg),
        ("Ubuntu:22.04:LTS", Scheme::Dpkg),
        ("Ubuntu:Pro:18.04:LTS", Scheme::Dpkg),
        ("Red Hat", Scheme::Rpm),
        ("Red Hat:enterprise_linux:9::appstream", Scheme::Rpm),
        ("Rocky Linux", Scheme::Rpm),
        ("Rocky Linux:9", Scheme::Rpm),
        ("AlmaLinux", Scheme::Rpm),
        ("AlmaLinux:8", Scheme::Rpm),
        ("openSUSE", Scheme::Rpm),
        ("openSUSE:Leap 15.5", Scheme::Rpm),
        ("SUSE", Scheme::Rpm),
        ("SUSE:Linux Enterprise Server 15 SP5", Scheme::Rpm),
        ("Fedora", Scheme::Rpm),
        ("Oracle", Scheme::Rpm),
        ("npm", Scheme::Semver),
        ("crates.io", Scheme::Semver),
        ("Go", Scheme::Semver),
        ("NuGet", Scheme::Semver),
        ("Packagist", Scheme::Semver),
        ("RubyGems", Scheme::Semver),
        ("PyPI", Scheme::Generic),
        ("Maven", Scheme::Generic),
        ("Alpine:v3.18", Scheme::Generic),
        ("GIT", Scheme::Generic),
        ("", Scheme::Generic),
    ] {
        assert_eq!(scheme_for_ecosystem(e), s, "{e:?}");
    }
}

#[test]
fn garbage_never_panics_and_is_reflexive() {
    let junk = [
        "", " ", ":", "-", "~", "^", "+", "::", "--", "1:", ":1", "a:b:c", "1.0-", "-1", "~~~",
        "1.0^", "v", "vv1", "é1.0", "1.0é", "1..0", "..", "1-2-3-4", "\u{0}", "ÿ~1", "1.0-~",
    ];
    for scheme in [Scheme::Generic, Scheme::Dpkg, Scheme::Rpm, Scheme::Semver] {
        for a in junk {
            assert_eq!(compare(scheme, a, a), Equal, "{scheme:?} {a:?}");
            for b in junk {
                assert_eq!(
                    compare(scheme, a, b),
                    compare(scheme, b, a).reverse(),
                    "{scheme:?} {a:?} {b:?}"
                );
            }
        }
    }
}

#[test]
fn whitespace_is_ignored() {
    for scheme in [Scheme::Generic, Scheme::Dpkg, Scheme::Rpm, Scheme::Semver] {
        assert_eq!(compare(scheme, " 1.2.3\n", "1.2.3"), Equal, "{scheme:?}");
    }
}
