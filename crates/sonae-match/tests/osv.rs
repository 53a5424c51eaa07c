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
