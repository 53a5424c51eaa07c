#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Package URLs and OSV matching against real OSV advisories (the fixtures
//! of sonae-feeds), as a user of sonae sees them: which inventory purls an
//! advisory affects, and why.

use sonae_domain::vuln::{OsvAffected, OsvEvent, OsvRange, SourceRecord};
use sonae_feeds::{osv as feed, Collect};
use sonae_match::cpe::MatchResult;
use sonae_match::osv::{affected, record_affects, OsvIndex};
use sonae_match::purl::{Purl, PurlError};
use std::io::BufReader;
use std::path::PathBuf;

fn fixture(name: &str) -> SourceRecord {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../sonae-feeds/tests/fixtures/osv")
        .join(format!("{name}.json"));
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut sink = Collect::default();
    feed::parse(&mut BufReader::new(file), &mut sink).unwrap();
    assert!(sink.skipped.is_empty(), "{:?}", sink.skipped);
    assert_eq!(sink.records.len(), 1);
    sink.records.pop().unwrap()
}

/// An OSV record of `tests/fixtures/osv` (distribution advisories, see
/// the SOURCE.md there).
fn distro_fixture(name: &str) -> SourceRecord {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/osv")
        .join(format!("{name}.json"));
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut sink = Collect::default();
    feed::parse(&mut BufReader::new(file), &mut sink).unwrap();
    assert!(sink.skipped.is_empty(), "{:?}", sink.skipped);
    assert_eq!(sink.records.len(), 1);
    sink.records.pop().unwrap()
}

/// What an index of just `rec` says about the purl (at its full version,
/// rpm epoch qualifier included): `None` when it does not match.
fn index_hit(rec: &SourceRecord, p: &str) -> Option<MatchResult> {
    let mut index = OsvIndex::new();
    index.add(rec);
    let hits = index.match_purl(&purl(p));
    assert!(hits.len() <= 1);
    hits.into_iter().next().map(|(_, r)| r)
}

fn index_yes(rec: &SourceRecord, p: &str) -> String {
    match index_hit(rec, p) {
        Some(MatchResult::Yes { reason }) => reason,
        other => panic!("{} vs {p}: expected Yes, got {other:?}", rec.id),
    }
}

fn purl(s: &str) -> Purl {
    Purl::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Result of the record against the purl at the purl's version.
fn check(rec: &SourceRecord, p: &str) -> MatchResult {
    let p = purl(p);
    let v = p.version.clone().unwrap_or_default();
    record_affects(rec, &p, &v).unwrap_or_else(|| panic!("{} not about {p}", rec.id))
}

fn yes(rec: &SourceRecord, p: &str) -> String {
    match check(rec, p) {
        MatchResult::Yes { reason } => reason,
        other => panic!("{} vs {p}: expected Yes, got {other:?}", rec.id),
    }
}

fn no(rec: &SourceRecord, p: &str) {
    let r = check(rec, p);
    assert_eq!(r, MatchResult::No, "{} vs {p}", rec.id);
}

// ---------------------------------------------------------------------------
// Package URLs
// ---------------------------------------------------------------------------

#[test]
fn purl_parse_table() {
    type Row<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        &'a str,
        Option<&'a str>,
        &'a [(&'a str, &'a str)],
        Option<&'a str>,
    );
    let table: &[Row] = &[
        (
            "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?packaging=sources",
            "maven",
            Some("org.apache.xmlgraphics"),
            "batik-anim",
            Some("1.9.1"),
            &[("packaging", "sources")],
            None,
        ),
        (
            "pkg:npm/%40angular/animation@12.3.1",
            "npm",
            Some("@angular"),
            "animation",
            Some("12.3.1"),
            &[],
            None,
        ),
        (
            "pkg:golang/github.com/gorilla/context@234fd47e07d1004f0aed9c#api/v1/",
            "golang",
            Some("github.com/gorilla"),
            "context",
            Some("234fd47e07d1004f0aed9c"),
            &[],
            Some("api/v1"),
        ),
        (
            "PKG:PyPI/Django_Rest_Framework@3.14.0",
            "pypi",
            None,
            "django-rest-framework",
            Some("3.14.0"),
            &[],
            None,
        ),
        (
            "pkg:GitHub/Package-URL/Purl-Spec@244fd47e07d1004f0aed9c",
            "github",
            Some("package-url"),
            "purl-spec",
            Some("244fd47e07d1004f0aed9c"),
            &[],
            None,
        ),
        (
            "pkg:deb/Debian/libXml2@2.9.14%2Bdfsg-1.3?Distro=debian-12&arch=amd64&empty=",
            "deb",
            Some("debian"),
            "libXml2",
            Some("2.9.14+dfsg-1.3"),
            &[("arch", "amd64"), ("distro", "debian-12")],
            None,
        ),
        (
            "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25",
            "rpm",
            Some("fedora"),
            "curl",
            Some("7.50.3-1.fc25"),
            &[("arch", "i386"), ("distro", "fedora-25")],
            None,
        ),
        (
            "pkg:cargo/rand@0.7.2",
            "cargo",
            None,
            "rand",
            Some("0.7.2"),
            &[],
            None,
        ),
        (
            "pkg:generic/openssl@1.1.10g?download_url=https://openssl.org/source/openssl-1.1.0g.tar.gz&checksum=sha256:de4d501267da",
            "generic",
            None,
            "openssl",
            Some("1.1.10g"),
            &[
                ("checksum", "sha256:de4d501267da"),
                ("download_url", "https://openssl.org/source/openssl-1.1.0g.tar.gz"),
            ],
            None,
        ),
        (
            "pkg:gem/jruby-launcher@1.1.2?platform=java",
            "gem",
            None,
            "jruby-launcher",
            Some("1.1.2"),
            &[("platform", "java")],
            None,
        ),
        (
            "pkg:nuget/EnterpriseLibrary.Common@6.0.1304",
            "nuget",
            None,
            "EnterpriseLibrary.Common",
            Some("6.0.1304"),
            &[],
            None,
        ),
        (
            "pkg:generic/name%20with%20spaces@1.0%2Frc1#sub/./../dir/%7Efile",
            "generic",
            None,
            "name with spaces",
            Some("1.0/rc1"),
            &[],
            Some("sub/dir/~file"),
        ),
        (
            "pkg:composer/Laravel/Framework",
            "composer",
            Some("laravel"),
            "framework",
            None,
            &[],
            None,
        ),
    ];
    for &(s, ty, ns, name, version, quals, subpath) in table {
        let p = purl(s);
        assert_eq!(p.ty, ty, "{s}");
        assert_eq!(p.namespace.as_deref(), ns, "{s}");
        assert_eq!(p.name, name, "{s}");
        assert_eq!(p.version.as_deref(), version, "{s}");
        let q: Vec<(String, String)> = quals
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(p.qualifiers, q, "{s}");
        assert_eq!(p.subpath.as_deref(), subpath, "{s}");
        // The canonical form parses back to the same purl.
        assert_eq!(purl(&p.to_string()), p, "{s} -> {p}");
    }
}

#[test]
fn purl_errors() {
    assert_eq!(Purl::parse("npm/foo@1"), Err(PurlError::Scheme));
    assert_eq!(Purl::parse("pkg:"), Err(PurlError::MissingType));
    assert_eq!(Purl::parse("pkg:npm"), Err(PurlError::MissingName));
    assert_eq!(Purl::parse("pkg:npm/"), Err(PurlError::MissingName));
    assert!(matches!(
        Purl::parse("pkg:n&m/foo"),
        Err(PurlError::InvalidType(_))
    ));
    assert!(matches!(
        Purl::parse("pkg:npm/foo%2"),
        Err(PurlError::Encoding(_))
    ));
    assert!(matches!(
        Purl::parse("pkg:npm/foo?novalue"),
        Err(PurlError::InvalidQualifier(_))
    ));
}

#[test]
fn purl_osv_names() {
    let rows = [
        ("pkg:npm/%40babel/core@7.0.0", "npm", "@babel/core"),
        ("pkg:npm/lodash@4.17.20", "npm", "lodash"),
        ("pkg:pypi/Adyen@4.0.0", "PyPI", "adyen"),
        ("pkg:cargo/openssl@0.10.55", "crates.io", "openssl"),
        (
            "pkg:golang/github.com/gin-gonic/gin@v1.5.0",
            "Go",
            "github.com/gin-gonic/gin",
        ),
        (
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            "Maven",
            "org.apache.logging.log4j:log4j-core",
        ),
        (
            "pkg:nuget/Newtonsoft.Json@12.0.1",
            "NuGet",
            "Newtonsoft.Json",
        ),
        (
            "pkg:composer/microweber/microweber@2.0.4",
            "Packagist",
            "microweber/microweber",
        ),
        ("pkg:gem/rails@6.0.0", "RubyGems", "rails"),
        ("pkg:hex/plug@1.0.0", "Hex", "plug"),
        ("pkg:pub/http@0.13.0", "Pub", "http"),
        ("pkg:deb/debian/curl@7.88.1-10", "Debian", "curl"),
        (
            "pkg:deb/debian/curl@7.88.1-10?distro=debian-12",
            "Debian:12",
            "curl",
        ),
        (
            "pkg:deb/debian/curl@7.88.1-10?distro=bookworm",
            "Debian:12",
            "curl",
        ),
        (
            "pkg:deb/ubuntu/curl@7.81.0-1?distro=ubuntu-22.04",
            "Ubuntu:22.04:LTS",
            "curl",
        ),
        (
            "pkg:deb/ubuntu/curl@8.2.1-1?distro=ubuntu-23.10",
            "Ubuntu:23.10",
            "curl",
        ),
        (
            "pkg:rpm/rhel/openssl@3.0.7-27.el9?distro=rhel-9.3&epoch=1",
            "Red Hat:enterprise_linux:9",
            "openssl",
        ),
        (
            "pkg:rpm/almalinux/openssl@3.0.7-27.el9?distro=almalinux-9.2",
            "AlmaLinux:9",
            "openssl",
        ),
        (
            "pkg:rpm/sles/openssl-3@3.0.8-150500.5.8.1?distro=sles-15.5",
            "SUSE:Linux Enterprise Server 15 SP5",
            "openssl-3",
        ),
        (
            "pkg:rpm/opensuse-leap/openssl-3@3.0.8?distro=opensuse-leap-15.5",
            "openSUSE:Leap 15.5",
            "openssl-3",
        ),
        (
            "pkg:rpm/opensuse-tumbleweed/openssl-3@3.1.4?distro=opensuse-tumbleweed-20240101",
            "openSUSE:Tumbleweed",
            "openssl-3",
        ),
        (
            "pkg:rpm/rocky/openssl@3.0.7-27.el9?distro=rocky-9",
            "Rocky Linux:9",
            "openssl",
        ),
        ("pkg:rpm/redhat/openssl@3.0.7-27.el9", "Red Hat", "openssl"),
        ("pkg:rpm/almalinux/openssl@3.0.7", "AlmaLinux", "openssl"),
        (
            "pkg:apk/alpine/busybox@1.36.1-r2?distro=alpine-3.18.4",
            "Alpine:v3.18",
            "busybox",
        ),
    ];
    for (s, eco, name) in rows {
        let p = purl(s);
        assert_eq!(p.osv_ecosystem().as_deref(), Some(eco), "{s}");
        assert_eq!(p.package_name(), name, "{s}");
    }
    assert_eq!(purl("pkg:generic/foo@1").osv_ecosystem(), None);
    assert_eq!(purl("pkg:deb/unknown-distro/foo@1").osv_ecosystem(), None);
    // Distributions OSV has no ecosystem for (osv-schema ecosystems.json).
    for s in [
        "pkg:rpm/ol/openssl@3.0.7-27.0.1.el9?distro=ol-9.3",
        "pkg:rpm/amzn/openssl@3.0.8-1.amzn2023?distro=amzn-2023",
        "pkg:rpm/centos/openssl@1.0.2k-26.el7?distro=centos-7",
        "pkg:rpm/fedora/openssl@3.1.1-4.fc39?distro=fedora-39",
    ] {
        assert_eq!(purl(s).osv_ecosystem(), None, "{s}");
    }
}

// ---------------------------------------------------------------------------
// Real advisories
// ---------------------------------------------------------------------------

#[test]
fn go_semver_range_from_zero() {
    let rec = fixture("GO-2020-0001");
    let reason = yes(&rec, "pkg:golang/github.com/gin-gonic/gin@v1.5.0");
    assert!(reason.contains("fixed 1.6.0 > v1.5.0"), "{reason}");
    no(&rec, "pkg:golang/github.com/gin-gonic/gin@v1.6.0");
    no(&rec, "pkg:golang/github.com/gin-gonic/gin@v1.6.3");
    // Another module is not this advisory's business.
    let other = purl("pkg:golang/github.com/gin-gonic/contrib@v0.0.1");
    assert_eq!(record_affects(&rec, &other, "v0.0.1"), None);
}

#[test]
fn pypi_ecosystem_range_and_name_normalization() {
    let rec = fixture("PYSEC-2023-1");
    // 4.0.0 is in the advisory's explicit versions list.
    let reason = yes(&rec, "pkg:pypi/Adyen@4.0.0");
    assert_eq!(reason, "PyPI adyen: listed version 4.0.0");
    no(&rec, "pkg:pypi/Adyen@7.1.0");
    no(&rec, "pkg:pypi/Adyen@2.1.0");
    // With the list left aside the range decides, with the range's reason.
    let a = &rec.osv_affected[0];
    let unlisted = OsvAffected {
        versions: Vec::new(),
        ..a.clone()
    };
    match affected(&unlisted, "PyPI", "ADYEN", "4.0.0") {
        MatchResult::Yes { reason } => assert_eq!(
            reason,
            "PyPI adyen: introduced 2.2.0 <= 4.0.0, fixed 7.1.0 > 4.0.0"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        affected(&unlisted, "PyPI", "adyen", "7.1.0"),
        MatchResult::No
    );
    assert_eq!(
        affected(&unlisted, "PyPI", "adyen", "2.1.0"),
        MatchResult::No
    );
}

#[test]
fn debian_dpkg_order_and_release() {
    let rec = fixture("DSA-135");
    let base = "pkg:deb/debian/libapache-mod-ssl";
    let reason = yes(&rec, &format!("{base}@2.8.9-1?distro=debian-3.0"));
    assert!(reason.contains("fixed 2.8.9-2 > 2.8.9-1"), "{reason}");
    no(&rec, &format!("{base}@2.8.9-2?distro=debian-3.0"));
    // dpkg order, not string order: revision 10 is after revision 2.
    no(&rec, &format!("{base}@2.8.9-10?distro=debian-3.0"));
    // Codename in the distro qualifier.
    yes(&rec, &format!("{base}@2.8.9-1?distro=woody"));
    // Another release: not about it.
    let other = purl(&format!("{base}@2.8.9-1?distro=debian-12"));
    assert_eq!(record_affects(&rec, &other, "2.8.9-1"), None);
    // No release given: only Possible.
    match check(&rec, &format!("{base}@2.8.9-1")) {
        MatchResult::Possible { reason } => assert!(reason.contains("Debian:3.0"), "{reason}"),
        other => panic!("{other:?}"),
    }
    no(&rec, &format!("{base}@2.8.9-2"));
}

#[test]
fn cargo_prerelease_introduced() {
    let rec = fixture("RUSTSEC-2023-0072");
    yes(&rec, "pkg:cargo/openssl@0.10.55");
    no(&rec, "pkg:cargo/openssl@0.10.60");
    no(&rec, "pkg:cargo/openssl@0.10.66");
}

#[test]
fn packagist_last_affected_is_inclusive() {
    let rec = fixture("GHSA-2c7x-w3mx-h7p6");
    yes(&rec, "pkg:composer/microweber/microweber@2.0.4");
    no(&rec, "pkg:composer/microweber/microweber@2.0.5");
    // Not in the explicit list, but in the range.
    let a = OsvAffected {
        versions: Vec::new(),
        ..rec.osv_affected[0].clone()
    };
    match affected(&a, "Packagist", "Microweber/Microweber", "2.0.4") {
        MatchResult::Yes { reason } => {
            assert!(reason.contains("last_affected 2.0.4 >= 2.0.4"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        affected(&a, "Packagist", "microweber/microweber", "2.0.5"),
        MatchResult::No
    );
}

#[test]
fn git_ranges_are_ignored_for_versions() {
    let a = OsvAffected {
        ecosystem: "GIT".into(),
        name: "https://github.com/x/y".into(),
        purl: None,
        ranges: vec![OsvRange {
            kind: "GIT".into(),
            repo: Some("https://github.com/x/y".into()),
            events: vec![
                OsvEvent::Introduced("0".into()),
                OsvEvent::Fixed("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678".into()),
            ],
        }],
        versions: Vec::new(),
    };
    assert_eq!(
        affected(&a, "GIT", "https://github.com/x/y", "1.0.0"),
        MatchResult::No
    );
    let b = OsvAffected {
        ranges: vec![OsvRange {
            events: vec![OsvEvent::Introduced(
                "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678".into(),
            )],
            ..a.ranges[0].clone()
        }],
        ..a.clone()
    };
    assert!(affected(&b, "GIT", "https://github.com/x/y", "a1b2c3d4e5f6").is_match());
}

#[test]
fn index_matches_purls() {
    let mut index = OsvIndex::new();
    for name in [
        "GO-2020-0001",
        "PYSEC-2023-1",
        "DSA-135",
        "RUSTSEC-2023-0072",
        "GHSA-2c7x-w3mx-h7p6",
        "GHSA-xxxq-chmp-67g4",
        "CURL-CVE-2000-0973",
        "RLSA-2025%3A8056",
    ] {
        index.add(&fixture(name));
    }
    assert_eq!(index.len(), 8);

    let hits = index.match_purl(&purl("pkg:golang/github.com/gin-gonic/gin@v1.5.0"));
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].0[0], "GO-2020-0001");
    assert!(hits[0].0.iter().any(|id| id == "CVE-2020-36567"));
    assert!(matches!(hits[0].1, MatchResult::Yes { .. }));

    assert!(index
        .match_purl(&purl("pkg:golang/github.com/gin-gonic/gin@v1.6.3"))
        .is_empty());

    let hits = index.match_purl(&purl("pkg:pypi/ADYEN@4.0.0"));
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].0[0], "PYSEC-2023-1");

    // No version: every record about the package is Possible.
    let hits = index.match_purl(&purl("pkg:cargo/openssl"));
    assert_eq!(hits.len(), 1);
    assert!(matches!(hits[0].1, MatchResult::Possible { .. }));

    let hits = index.match_purl(&purl(
        "pkg:deb/debian/libapache-mod-ssl@2.8.9-1?distro=debian-3.0",
    ));
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].0[0], "DSA-135");

    assert!(index
        .match_purl(&purl("pkg:npm/not-in-any-fixture@1.0.0"))
        .is_empty());
    assert!(index
        .match_purl(&purl("pkg:generic/openssl@1.0"))
        .is_empty());
}

// ---------------------------------------------------------------------------
// Distribution advisories: own distribution, own release
// ---------------------------------------------------------------------------

/// The OSV ecosystem of the package URL the collector writes for the
/// package `x` of a host with this os-release.
fn collected_ecosystem(os_release: &str, rpm: bool) -> Option<String> {
    let os = sonae_collect::parse_os_release(os_release);
    let pkgs = if rpm {
        sonae_collect::parse_rpm_qa("x\t1\t1.0\t1.el9\tx86_64\n", Some(&os))
    } else {
        sonae_collect::parse_dpkg_status(
            "Package: x\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\n",
            Some(&os),
        )
    };
    assert_eq!(pkgs.len(), 1, "{os_release}");
    purl(&pkgs[0].purl).osv_ecosystem()
}

#[test]
fn collector_purls_name_the_osv_ecosystem() {
    let rows: &[(&str, bool, Option<&str>)] = &[
        ("ID=debian\nVERSION_ID=\"11\"", false, Some("Debian:11")),
        (
            "ID=ubuntu\nVERSION_ID=\"22.04\"",
            false,
            Some("Ubuntu:22.04:LTS"),
        ),
        (
            "ID=ubuntu\nVERSION_ID=\"23.10\"",
            false,
            Some("Ubuntu:23.10"),
        ),
        (
            "ID=\"rhel\"\nVERSION_ID=\"9.3\"",
            true,
            Some("Red Hat:enterprise_linux:9"),
        ),
        (
            "ID=\"rocky\"\nVERSION_ID=\"9.3\"",
            true,
            Some("Rocky Linux:9"),
        ),
        (
            "ID=\"almalinux\"\nVERSION_ID=\"9.2\"",
            true,
            Some("AlmaLinux:9"),
        ),
        (
            "ID=\"sles\"\nVERSION_ID=\"15.5\"",
            true,
            Some("SUSE:Linux Enterprise Server 15 SP5"),
        ),
        (
            "ID=\"opensuse-leap\"\nVERSION_ID=\"15.5\"",
            true,
            Some("openSUSE:Leap 15.5"),
        ),
        (
            "ID=\"opensuse-tumbleweed\"\nVERSION_ID=\"20240101\"",
            true,
            Some("openSUSE:Tumbleweed"),
        ),
        // No OSV ecosystem.
        ("ID=\"ol\"\nVERSION_ID=\"9.3\"", true, None),
        ("ID=\"amzn\"\nVERSION_ID=\"2023\"", true, None),
        ("ID=\"centos\"\nVERSION_ID=\"7\"", true, None),
        ("ID=fedora\nVERSION_ID=39", true, None),
    ];
    for (os, rpm, want) in rows {
        assert_eq!(collected_ecosystem(os, *rpm).as_deref(), *want, "{os}");
    }
    let os = sonae_collect::parse_os_release("ID=alpine\nVERSION_ID=3.18.4\n");
    let pkgs = sonae_collect::parse_apk_installed("P:x\nV:1.0-r0\nA:x86_64\n", Some(&os));
    assert_eq!(pkgs.len(), 1);
    assert_eq!(
        purl(&pkgs[0].purl).osv_ecosystem().as_deref(),
        Some("Alpine:v3.18")
    );
}

#[test]
fn vuls_purls_name_the_osv_ecosystem() {
    let rows = [
        ("debian", "12.5", Some("Debian:12")),
        ("ubuntu", "20.04", Some("Ubuntu:20.04:LTS")),
        ("ubuntu", "24.10", Some("Ubuntu:24.10")),
        ("redhat", "9.3", Some("Red Hat:enterprise_linux:9")),
        ("rocky", "8.4", Some("Rocky Linux:8")),
        ("alma", "9.2", Some("AlmaLinux:9")),
        (
            "suse.linux.enterprise.server",
            "12.5",
            Some("SUSE:Linux Enterprise Server 12 SP5"),
        ),
        (
            "suse.linux.enterprise.desktop",
            "15.5",
            Some("SUSE:Linux Enterprise Desktop 15 SP5"),
        ),
        ("opensuse.leap", "15.6", Some("openSUSE:Leap 15.6")),
        ("opensuse", "tumbleweed", Some("openSUSE:Tumbleweed")),
        ("opensuse.tumbleweed", "", Some("openSUSE:Tumbleweed")),
        ("alpine", "3.19.1", Some("Alpine:v3.19")),
        ("centos", "7.9.2009", None),
        ("amazon", "2023", None),
        ("oracle", "8.10", None),
        ("fedora", "42", None),
    ];
    for (family, release, want) in rows {
        let json = format!(
            r#"{{"serverName": "s", "family": "{family}", "release": "{release}",
                "packages": {{"x": {{"name": "x", "version": "1.0", "release": "1", "arch": "x86_64"}}}}}}"#
        );
        let h = sonae_collect::parse_vuls_result(json.as_bytes()).unwrap();
        assert_eq!(h.packages.len(), 1, "{family}");
        let eco = purl(&h.packages[0].purl).osv_ecosystem();
        assert_eq!(
            eco.as_deref(),
            want,
            "{family} {release}: {}",
            h.packages[0].purl
        );
    }
}

#[test]
fn ubuntu_lts_and_interim_releases() {
    let rec = distro_fixture("UBUNTU-CVE-2024-51988");
    let base = "pkg:deb/ubuntu/rabbitmq-server";
    // 22.04 is LTS: "Ubuntu:22.04:LTS"; the version is in its list.
    let reason = index_yes(
        &rec,
        &format!("{base}@3.9.13-1ubuntu0.22.04.2?arch=amd64&distro=ubuntu-22.04"),
    );
    assert_eq!(
        reason,
        "Ubuntu:22.04:LTS rabbitmq-server: listed version 3.9.13-1ubuntu0.22.04.2"
    );
    // Not listed, but below the fix.
    let reason = index_yes(&rec, &format!("{base}@3.9.20-1?distro=ubuntu-22.04"));
    assert!(
        reason.contains("fixed 3.9.27-0ubuntu0.1 > 3.9.20-1"),
        "{reason}"
    );
    assert_eq!(
        index_hit(
            &rec,
            &format!("{base}@3.9.27-0ubuntu0.1?distro=ubuntu-22.04")
        ),
        None
    );
    // 22.04's affected version on 24.04 (fixed there in 3.12.1-1ubuntu1)
    // and 24.04's on 22.04 (fixed there in 3.9.27): each release's entry.
    assert_eq!(
        index_hit(&rec, &format!("{base}@3.9.13-1?distro=ubuntu-24.04")),
        Some(MatchResult::Yes {
            reason: "Ubuntu:24.04:LTS rabbitmq-server: introduced 0 (from the beginning), \
                     fixed 3.12.1-1ubuntu1 > 3.9.13-1"
                .into()
        })
    );
    assert_eq!(
        index_hit(&rec, &format!("{base}@3.12.1-1?distro=ubuntu-22.04")),
        None
    );
    // The interim 24.10 has no ":LTS".
    let reason = index_yes(&rec, &format!("{base}@3.12.1-1ubuntu1?distro=ubuntu-24.10"));
    assert!(reason.starts_with("Ubuntu:24.10 "), "{reason}");
    assert_eq!(
        index_hit(&rec, &format!("{base}@3.12.1-1ubuntu2?distro=ubuntu-24.10")),
        None
    );
    // A release the advisory has no entry for, and another distribution.
    assert_eq!(
        index_hit(&rec, &format!("{base}@3.7.8-4ubuntu2?distro=ubuntu-23.10")),
        None
    );
    assert_eq!(
        index_hit(
            &rec,
            "pkg:deb/debian/rabbitmq-server@3.9.13-1?distro=debian-12"
        ),
        None
    );
}

#[test]
fn debian_release_is_the_components() {
    let rec = fixture("DSA-135");
    let base = "pkg:deb/debian/libapache-mod-ssl";
    assert!(index_hit(&rec, &format!("{base}@2.8.9-1?distro=debian-3.0")).is_some());
    assert_eq!(
        index_hit(&rec, &format!("{base}@2.8.9-1?distro=debian-11")),
        None
    );
    // Ubuntu does not get Debian's advisories.
    assert_eq!(
        index_hit(
            &rec,
            "pkg:deb/ubuntu/libapache-mod-ssl@2.8.9-1?distro=ubuntu-22.04"
        ),
        None
    );
}

#[test]
fn rocky_release_and_rpm_epoch() {
    let rec = distro_fixture("RLSA-2024%3A8121");
    let base = "pkg:rpm/rocky/java-11-openjdk";
    // Epoch from the qualifier, as the collector writes it.
    let reason = index_yes(
        &rec,
        &format!("{base}@11.0.24.0.8-2.el9?arch=x86_64&distro=rocky-9.4&epoch=1"),
    );
    assert_eq!(
        reason,
        "Rocky Linux:9 java-11-openjdk: introduced 0 (from the beginning), \
         fixed 1:11.0.25.0.9-2.el9 > 1:11.0.24.0.8-2.el9"
    );
    assert_eq!(
        index_hit(
            &rec,
            &format!("{base}@11.0.25.0.9-2.el9?distro=rocky-9.4&epoch=1")
        ),
        None
    );
    // Epoch in the version itself (a component version put in the purl).
    assert_eq!(
        index_hit(
            &rec,
            &format!("{base}@1:11.0.25.0.9-2.el9?distro=rocky-9.4")
        ),
        None
    );
    // No epoch is epoch 0, below the fix's epoch 1 (rpm order).
    assert!(index_hit(&rec, &format!("{base}@11.0.25.0.9-2.el9?distro=rocky-9.4")).is_some());
    // A higher epoch is after the fix whatever the version.
    assert_eq!(
        index_hit(
            &rec,
            &format!("{base}@11.0.1-1.el9?distro=rocky-9.4&epoch=2")
        ),
        None
    );
    // Rocky 8 is matched by the Rocky Linux:8 entry only.
    let reason = index_yes(
        &rec,
        &format!("{base}@11.0.24.0.8-2.el8?distro=rocky-8.10&epoch=1"),
    );
    assert!(reason.starts_with("Rocky Linux:8 "), "{reason}");
    assert_eq!(
        index_hit(
            &rec,
            &format!("{base}@11.0.24.0.8-2.el9?distro=rocky-10.0&epoch=1")
        ),
        None
    );
    // Not Rocky's advisory for AlmaLinux or Red Hat.
    assert_eq!(
        index_hit(
            &rec,
            "pkg:rpm/almalinux/java-11-openjdk@11.0.24.0.8-2.el9?distro=almalinux-9.4&epoch=1"
        ),
        None
    );
    assert_eq!(
        index_hit(
            &rec,
            "pkg:rpm/rhel/java-11-openjdk@11.0.24.0.8-2.el9?distro=rhel-9.4&epoch=1"
        ),
        None
    );
}

#[test]
fn almalinux_release_and_epoch() {
    let rec = distro_fixture("ALSA-2023%3A7465");
    let reason = index_yes(
        &rec,
        "pkg:rpm/almalinux/squid@5.5-6.el9_3.1?arch=x86_64&distro=almalinux-9.3&epoch=7",
    );
    assert!(
        reason.contains("fixed 7:5.5-6.el9_3.2 > 7:5.5-6.el9_3.1"),
        "{reason}"
    );
    assert_eq!(
        index_hit(
            &rec,
            "pkg:rpm/almalinux/squid@5.5-6.el9_3.2?distro=almalinux-9.3&epoch=7"
        ),
        None
    );
    // The Vuls importer's namespace for AlmaLinux.
    assert!(index_hit(
        &rec,
        "pkg:rpm/alma/squid@5.5-6.el9_3.1?distro=alma-9.3&epoch=7"
    )
    .is_some());
    assert_eq!(
        index_hit(
            &rec,
            "pkg:rpm/almalinux/squid@4.15-7.el8?distro=almalinux-8.9&epoch=7"
        ),
        None
    );
}

#[test]
fn alpine_branch() {
    let rec = distro_fixture("CVE-2023-46850");
    let reason = index_yes(&rec, "pkg:apk/alpine/openvpn@2.6.5-r1?distro=alpine-3.18.4");
    assert_eq!(reason, "Alpine:v3.18 openvpn: listed version 2.6.5-r1");
    assert_eq!(
        index_hit(&rec, "pkg:apk/alpine/openvpn@2.6.7-r0?distro=alpine-3.18.4"),
        None
    );
    assert_eq!(
        index_hit(&rec, "pkg:apk/alpine/openvpn@2.6.5-r1?distro=alpine-3.19.1"),
        None
    );
}

#[test]
fn red_hat_streams_of_the_major_release() {
    // Red Hat's own advisory for an EUS stream: not for a rhel-9.x system
    // on the main stream (enterprise_linux:9).
    let eus = distro_fixture("RHSA-2024%3A8709");
    assert_eq!(
        index_hit(
            &eus,
            "pkg:rpm/rhel/podman@4.4.1-20.el9?distro=rhel-9.2&epoch=2"
        ),
        None
    );
    // Without a release, only Possible.
    assert!(matches!(
        index_hit(&eus, "pkg:rpm/redhat/podman@4.4.1-20.el9?epoch=2"),
        Some(MatchResult::Possible { .. })
    ));
    // The same advisory data for the main stream (the ecosystem strings
    // osv.dev's Red Hat data uses for RHEL 9: "enterprise_linux:9::…").
    let main = |eco: &str| SourceRecord {
        osv_affected: eus
            .osv_affected
            .iter()
            .map(|a| OsvAffected {
                ecosystem: eco.into(),
                ..a.clone()
            })
            .collect(),
        ..eus.clone()
    };
    for eco in [
        "Red Hat:enterprise_linux:9::appstream",
        "Red Hat:enterprise_linux:9::baseos",
        "Red Hat:enterprise_linux:9",
    ] {
        let rec = main(eco);
        for p in [
            "pkg:rpm/rhel/podman@4.4.1-20.el9?distro=rhel-9.3&epoch=2",
            "pkg:rpm/redhat/podman@4.4.1-20.el9?distro=redhat-9.3&epoch=2",
        ] {
            let reason = index_yes(&rec, p);
            assert!(
                reason.contains("fixed 2:4.4.1-21.el9_2 > 2:4.4.1-20.el9"),
                "{eco} {p}: {reason}"
            );
        }
        assert_eq!(
            index_hit(
                &rec,
                "pkg:rpm/rhel/podman@4.4.1-21.el9_2?distro=rhel-9.3&epoch=2"
            ),
            None,
            "{eco}"
        );
        assert_eq!(
            index_hit(
                &rec,
                "pkg:rpm/rhel/podman@4.4.1-20.el8?distro=rhel-8.9&epoch=2"
            ),
            None,
            "{eco}"
        );
        // Not Red Hat's advisory for Rocky Linux or CentOS.
        assert_eq!(
            index_hit(
                &rec,
                "pkg:rpm/rocky/podman@4.4.1-20.el9?distro=rocky-9.3&epoch=2"
            ),
            None
        );
        assert_eq!(
            index_hit(
                &rec,
                "pkg:rpm/centos/podman@4.4.1-20.el9?distro=centos-9&epoch=2"
            ),
            None
        );
    }
}

#[test]
fn suse_products_and_service_packs() {
    let rec = distro_fixture("SUSE-SU-403");
    let reason = index_yes(
        &rec,
        "pkg:rpm/sles/libqt4@4.8.6-6.1?arch=x86_64&distro=sles-12.1",
    );
    assert_eq!(
        reason,
        "SUSE:Linux Enterprise Server 12 SP1 libqt4: introduced 0 (from the beginning), \
         fixed 4.8.6-7.1 > 4.8.6-6.1"
    );
    let reason = index_yes(&rec, "pkg:rpm/sles/libqt4@4.8.6-6.1?distro=sles-12");
    assert!(
        reason.starts_with("SUSE:Linux Enterprise Server 12 libqt4"),
        "{reason}"
    );
    let reason = index_yes(&rec, "pkg:rpm/sled/libqt4@4.8.6-6.1?distro=sled-12.1");
    assert!(
        reason.starts_with("SUSE:Linux Enterprise Desktop 12 SP1 "),
        "{reason}"
    );
    assert_eq!(
        index_hit(&rec, "pkg:rpm/sles/libqt4@4.8.6-7.1?distro=sles-12.1"),
        None
    );
    // Other service packs and openSUSE are not this advisory's.
    assert_eq!(
        index_hit(&rec, "pkg:rpm/sles/libqt4@4.8.6-6.1?distro=sles-12.2"),
        None
    );
    assert_eq!(
        index_hit(
            &rec,
            "pkg:rpm/opensuse-leap/libqt4@4.8.6-6.1?distro=opensuse-leap-15.5"
        ),
        None
    );
}

#[test]
fn no_fix_available_from_the_distribution() {
    // DSA-135 as it would read before Debian fixed it: no "fixed" event.
    let dsa = fixture("DSA-135");
    let unfixed = SourceRecord {
        osv_affected: dsa
            .osv_affected
            .iter()
            .map(|a| OsvAffected {
                ranges: a
                    .ranges
                    .iter()
                    .map(|r| OsvRange {
                        events: r
                            .events
                            .iter()
                            .filter(|e| matches!(e, OsvEvent::Introduced(_)))
                            .cloned()
                            .collect(),
                        ..r.clone()
                    })
                    .collect(),
                ..a.clone()
            })
            .collect(),
        ..dsa.clone()
    };
    let base = "pkg:deb/debian/libapache-mod-ssl";
    let reason = index_yes(&unfixed, &format!("{base}@2.8.9-2?distro=debian-3.0"));
    assert_eq!(
        reason,
        "no fix available from the distribution (Debian:3.0); \
         Debian:3.0 libapache-mod-ssl: introduced 0 (from the beginning)"
    );
    // Every later version too; never another release.
    assert!(
        index_yes(&unfixed, &format!("{base}@9.9-1?distro=woody")).starts_with("no fix available")
    );
    assert_eq!(
        index_hit(&unfixed, &format!("{base}@2.8.9-2?distro=debian-12")),
        None
    );
    // A component without a release: Possible, still saying so.
    match index_hit(&unfixed, &format!("{base}@2.8.9-2")) {
        Some(MatchResult::Possible { reason }) => {
            assert!(
                reason.starts_with("no fix available from the distribution (Debian:3.0); "),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    // The fixed advisory keeps its reason.
    let reason = index_yes(&dsa, &format!("{base}@2.8.9-1?distro=debian-3.0"));
    assert!(
        reason.starts_with("Debian:3.0 libapache-mod-ssl: "),
        "{reason}"
    );

    // An entry that only lists affected versions (no range ends).
    let ubuntu = distro_fixture("UBUNTU-CVE-2024-51988");
    let listed_only = SourceRecord {
        osv_affected: ubuntu
            .osv_affected
            .iter()
            .map(|a| OsvAffected {
                ranges: Vec::new(),
                ..a.clone()
            })
            .collect(),
        ..ubuntu.clone()
    };
    let reason = index_yes(
        &listed_only,
        "pkg:deb/ubuntu/rabbitmq-server@3.9.13-1?distro=ubuntu-22.04",
    );
    assert_eq!(
        reason,
        "no fix available from the distribution (Ubuntu:22.04:LTS); \
         Ubuntu:22.04:LTS rabbitmq-server: listed version 3.9.13-1"
    );
    // Listed with a range that ends: a fix exists.
    let reason = index_yes(
        &ubuntu,
        "pkg:deb/ubuntu/rabbitmq-server@3.9.13-1?distro=ubuntu-22.04",
    );
    assert!(reason.starts_with("Ubuntu:22.04:LTS "), "{reason}");

    // Not a distribution: the reason is unchanged.
    let npm = OsvAffected {
        ecosystem: "npm".into(),
        name: "left-pad".into(),
        purl: None,
        ranges: vec![OsvRange {
            kind: "SEMVER".into(),
            repo: None,
            events: vec![OsvEvent::Introduced("1.0.0".into())],
        }],
        versions: Vec::new(),
    };
    assert_eq!(
        affected(&npm, "npm", "left-pad", "1.2.0"),
        MatchResult::Yes {
            reason: "npm left-pad: introduced 1.0.0 <= 1.2.0, no fixed version".into()
        }
    );
}

/// Debian's advisories name the source package: a binary package is found
/// through the `upstream` qualifier the collector writes.
#[test]
fn binary_packages_are_found_by_their_source_package() {
    let rec = fixture("DSA-135");
    let bin = "pkg:deb/debian/libapache-mod-ssl-doc@2.8.9-1";
    assert_eq!(index_hit(&rec, &format!("{bin}?distro=debian-3.0")), None);
    assert!(index_hit(
        &rec,
        &format!("{bin}?distro=debian-3.0&upstream=libapache-mod-ssl")
    )
    .is_some());
}
