#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sonae_domain::vuln::{Feed, OsvEvent, SourceRecord};
use sonae_feeds::{input, osv, Collect, FeedError, ParseStats};
use std::io::Write;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/osv")
        .join(name)
}

fn one(name: &str) -> SourceRecord {
    let mut sink = Collect::default();
    input::for_each_document(&fixture(name), &mut |_, r| {
        let stats = osv::parse(r, &mut sink)?;
        assert_eq!(
            stats,
            ParseStats {
                records: 1,
                skipped: 0
            }
        );
        Ok(())
    })
    .unwrap();
    assert!(sink.skipped.is_empty(), "{:?}", sink.skipped);
    assert_eq!(sink.records.len(), 1);
    sink.records.pop().unwrap()
}

fn parse_str(s: &str) -> (Result<ParseStats, FeedError>, Collect) {
    let mut sink = Collect::default();
    let mut r = s.as_bytes();
    let res = osv::parse(&mut r, &mut sink);
    (res, sink)
}

fn cves(r: &SourceRecord) -> Vec<&str> {
    r.cves.iter().map(|c| c.as_str()).collect()
}

fn ev(s: &str) -> String {
    s.to_owned()
}

#[test]
fn go_vulndb_record() {
    let r = one("GO-2020-0001.json");
    assert_eq!(r.feed, Feed::Osv);
    assert_eq!(r.id, "GO-2020-0001");
    assert_eq!(r.lang, "en");
    assert_eq!(cves(&r), vec!["CVE-2020-36567"]);
    assert_eq!(r.aliases, vec!["GHSA-6vm3-jj99-7229"]);
    assert_eq!(r.vulnerability_ids(), vec!["CVE-2020-36567"]);
    assert_eq!(
        r.title.as_deref(),
        Some("Arbitrary log line injection in github.com/gin-gonic/gin")
    );
    assert_eq!(r.published.as_deref(), Some("2021-04-14T20:04:52Z"));
    assert_eq!(r.modified.as_deref(), Some("2023-11-08T04:03:47Z"));
    assert_eq!(r.status, None);
    assert!(r.cvss.is_empty());
    assert_eq!(r.references.len(), 2);
    assert_eq!(
        r.references[0].url,
        "https://github.com/gin-gonic/gin/pull/2237"
    );
    assert_eq!(r.references[0].tags, vec!["FIX"]);
    assert_eq!(r.osv_affected.len(), 1);
    let a = &r.osv_affected[0];
    assert_eq!(a.ecosystem, "Go");
    assert_eq!(a.name, "github.com/gin-gonic/gin");
    assert_eq!(
        a.purl.as_deref(),
        Some("pkg:golang/github.com/gin-gonic/gin")
    );
    assert_eq!(a.ranges.len(), 1);
    assert_eq!(a.ranges[0].kind, "SEMVER");
    assert_eq!(a.ranges[0].repo, None);
    assert_eq!(
        a.ranges[0].events,
        vec![OsvEvent::Introduced(ev("0")), OsvEvent::Fixed(ev("1.6.0"))]
    );
    assert!(a.versions.is_empty());
}

#[test]
fn pypi_record_without_aliases() {
    let r = one("PYSEC-2023-1.json");
    assert_eq!(r.id, "PYSEC-2023-1");
    assert!(r.cves.is_empty());
    assert_eq!(r.vulnerability_ids(), vec!["PYSEC-2023-1"]);
    assert_eq!(r.title, None);
    assert!(r
        .description
        .as_deref()
        .unwrap()
        .starts_with("Adyen has utility methods"));
    let a = &r.osv_affected[0];
    assert_eq!((a.ecosystem.as_str(), a.name.as_str()), ("PyPI", "adyen"));
    assert_eq!(a.ranges[0].kind, "ECOSYSTEM");
    assert_eq!(
        a.ranges[0].events,
        vec![
            OsvEvent::Introduced(ev("2.2.0")),
            OsvEvent::Fixed(ev("7.1.0"))
        ]
    );
    assert_eq!(a.versions.len(), 9);
    assert_eq!(a.versions.first().map(String::as_str), Some("2.2.0"));
    assert_eq!(a.versions.last().map(String::as_str), Some("7.0.0"));
    assert_eq!(r.references[0].tags, vec!["REPORT"]);
}

#[test]
fn debian_dsa_record() {
    let r = one("DSA-135.json");
    assert_eq!(r.id, "DSA-135");
    // DSA records name their CVE under `related`, which is not an alias.
    assert!(r.cves.is_empty());
    assert_eq!(r.published.as_deref(), Some("2002-07-02T00:00:00Z"));
    assert!(r
        .description
        .as_deref()
        .unwrap()
        .starts_with("The libapache-mod-ssl package provides SSL capability"));
    let a = &r.osv_affected[0];
    assert_eq!(a.ecosystem, "Debian:3.0");
    assert_eq!(a.name, "libapache-mod-ssl");
    assert_eq!(
        a.purl.as_deref(),
        Some("pkg:deb/debian/libapache-mod-ssl?arch=source")
    );
    assert_eq!(
        a.ranges[0].events,
        vec![
            OsvEvent::Introduced(ev("0")),
            OsvEvent::Fixed(ev("2.8.9-2"))
        ]
    );
    assert_eq!(
        a.versions,
        vec!["2.4.10-1.3.9-1potato2", "2.4.10-1.3.9-1potato4", "2.8.7-1"]
    );
}

#[test]
fn rustsec_crates_io_record() {
    let r = one("RUSTSEC-2023-0072.json");
    assert_eq!(
        r.title.as_deref(),
        Some("`openssl` `X509StoreRef::objects` is unsound")
    );
    let a = &r.osv_affected[0];
    assert_eq!(
        (a.ecosystem.as_str(), a.name.as_str()),
        ("crates.io", "openssl")
    );
    assert_eq!(a.ranges[0].kind, "SEMVER");
    assert_eq!(
        a.ranges[0].events,
        vec![
            OsvEvent::Introduced(ev("0.0.0-0")),
            OsvEvent::Fixed(ev("0.10.60"))
        ]
    );
    assert!(r.cvss.is_empty());
}

#[test]
fn npm_ghsa_with_cvss_vector_and_cwe() {
    let r = one("GHSA-xxxq-chmp-67g4.json");
    assert_eq!(cves(&r), vec!["CVE-2020-14967"]);
    assert!(r.aliases.is_empty());
    assert_eq!(r.cwes, vec!["CWE-119"]);
    assert_eq!(r.cvss.len(), 1);
    let c = &r.cvss[0];
    assert_eq!(c.version, "3.1");
    assert_eq!(
        c.vector.as_deref(),
        Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    );
    // No score in the record: none is computed from the vector.
    assert_eq!(c.base_score, 0.0);
    assert_eq!(c.severity.as_deref(), Some("CRITICAL"));
    assert_eq!(c.source.as_deref(), Some("osv"));
    assert!(!c.primary);
    assert_eq!(r.references.len(), 12);
    let a = &r.osv_affected[0];
    assert_eq!(
        (a.ecosystem.as_str(), a.name.as_str()),
        ("npm", "jsrsasign")
    );
    assert_eq!(
        a.ranges[0].events,
        vec![OsvEvent::Introduced(ev("0")), OsvEvent::Fixed(ev("8.0.18"))]
    );
}

#[test]
fn packagist_last_affected() {
    let r = one("GHSA-2c7x-w3mx-h7p6.json");
    assert_eq!(cves(&r), vec!["CVE-2023-49052"]);
    assert_eq!(r.cwes, vec!["CWE-434"]);
    assert_eq!(r.cvss[0].severity.as_deref(), Some("HIGH"));
    let a = &r.osv_affected[0];
    assert_eq!(a.ecosystem, "Packagist");
    assert_eq!(a.name, "microweber/microweber");
    assert_eq!(
        a.ranges[0].events,
        vec![
            OsvEvent::Introduced(ev("0")),
            OsvEvent::LastAffected(ev("2.0.4"))
        ]
    );
    assert_eq!(a.versions.len(), 39);
}

#[test]
fn curl_git_range_with_empty_package() {
    let r = one("CURL-CVE-2000-0973.json");
    assert_eq!(r.id, "CURL-CVE-2000-0973");
    assert_eq!(cves(&r), vec!["CVE-2000-0973"]);
    let a = &r.osv_affected[0];
    assert_eq!((a.ecosystem.as_str(), a.name.as_str()), ("", ""));
    assert_eq!(a.purl, None);
    assert_eq!(a.ranges.len(), 2);
    assert_eq!(a.ranges[0].kind, "SEMVER");
    assert_eq!(
        a.ranges[0].events,
        vec![
            OsvEvent::Introduced(ev("6.0")),
            OsvEvent::Fixed(ev("7.4.1"))
        ]
    );
    let git = &a.ranges[1];
    assert_eq!(git.kind, "GIT");
    assert_eq!(
        git.repo.as_deref(),
        Some("https://github.com/curl/curl.git")
    );
    assert_eq!(
        git.events,
        vec![
            OsvEvent::Introduced(ev("ae1912cb0d494b48d514d937826c9fe83ec96c4d")),
            OsvEvent::Fixed(ev("751d503f54596d6d86f969683fec2fe296d9d1f0"))
        ]
    );
    assert_eq!(a.versions.len(), 15);
}

#[test]
fn rocky_upstream_cves() {
    let r = one("RLSA-2025%3A8056.json");
    assert_eq!(r.id, "RLSA-2025:8056");
    assert_eq!(
        cves(&r),
        vec!["CVE-2024-40906", "CVE-2024-44970", "CVE-2025-21756"]
    );
    assert_eq!(r.cvss[0].version, "3.1");
    assert_eq!(r.cvss[0].severity, None);
    let a = &r.osv_affected[0];
    assert_eq!(
        (a.ecosystem.as_str(), a.name.as_str()),
        ("Rocky Linux:8", "kernel")
    );
    assert_eq!(
        a.ranges[0].events,
        vec![
            OsvEvent::Introduced(ev("0")),
            OsvEvent::Fixed(ev("0:4.18.0-553.53.1.el8_10"))
        ]
    );
}

#[test]
fn withdrawn_limit_v4_and_cve_id() {
    // Shapes not in the fixtures: withdrawn, limit, CVSS v4, a CVE as id,
    // database_specific.cvss as a number.
    let json = r#"{
      "schema_version": "1.6.0", "id": "CVE-2024-0001", "withdrawn": "2024-02-01T00:00:00Z",
      "aliases": ["GHSA-aaaa-bbbb-cccc", "CVE-2024-0001"],
      "severity": [{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"},
                   {"type": "Ubuntu", "score": "medium"}],
      "affected": [{"package": {"ecosystem": "Linux", "name": "Kernel"},
        "ranges": [{"type": "GIT", "repo": "https://git.kernel.org/x.git",
                    "events": [{"introduced": "571aec4d"}, {"limit": "1177bdaf"}]}]}],
      "database_specific": {"cvss": 9.3, "severity": "critical"}
    }"#;
    let (res, sink) = parse_str(json);
    assert_eq!(res.unwrap().records, 1);
    let r = &sink.records[0];
    assert_eq!(r.status.as_deref(), Some("withdrawn"));
    assert_eq!(cves(r), vec!["CVE-2024-0001"]);
    assert_eq!(r.aliases, vec!["GHSA-aaaa-bbbb-cccc"]);
    assert_eq!(r.cvss.len(), 1);
    assert_eq!(r.cvss[0].version, "4.0");
    assert_eq!(r.cvss[0].base_score, 9.3);
    assert_eq!(r.cvss[0].severity.as_deref(), Some("CRITICAL"));
    assert_eq!(
        r.osv_affected[0].ranges[0].events,
        vec![
            OsvEvent::Introduced(ev("571aec4d")),
            OsvEvent::Limit(ev("1177bdaf"))
        ]
    );
}

#[test]
fn array_document_skips_malformed_records() {
    let go = std::fs::read_to_string(fixture("GO-2020-0001.json")).unwrap();
    let py = std::fs::read_to_string(fixture("PYSEC-2023-1.json")).unwrap();
    let json = format!(
        r#"[{go}, {{"summary": "no id"}}, {{"id": "X-1", "affected": [{{"ranges": [{{"type": "SEMVER", "events": [{{"fixed": 1}}]}}]}}]}}, 7, {py}]"#
    );
    let (res, sink) = parse_str(&json);
    assert_eq!(
        res.unwrap(),
        ParseStats {
            records: 2,
            skipped: 3
        }
    );
    let ids: Vec<&str> = sink.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, vec!["GO-2020-0001", "PYSEC-2023-1"]);
    assert_eq!(sink.skipped[0].id, "#2");
    assert_eq!(sink.skipped[0].reason, "no id");
    assert_eq!(sink.skipped[1].id, "X-1");
    assert!(sink.skipped[1].reason.contains("affected[0].ranges[0]"));
    assert_eq!(sink.skipped[2].id, "#4");
}

#[test]
fn broken_documents_are_format_errors() {
    for text in [
        "",
        "not json",
        "42",
        "{\"id\": \"GO-1\",\n \"aliases\": [",
        "{} {}",
    ] {
        let (res, sink) = parse_str(text);
        match res {
            Err(FeedError::Format { expected, detail }) => {
                assert_eq!(expected, "OSV JSON");
                assert!(detail.contains("line"), "{text:?}: {detail}");
            }
            other => panic!("{text:?}: {other:?}"),
        }
        assert!(sink.records.is_empty());
    }
}

#[test]
fn zip_with_two_records_through_input() {
    // Unique per process; `create_new` refuses a leftover of the same name.
    let path = std::env::temp_dir().join(format!(
        "sonae-feeds-osv-two-records-{}.zip",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    {
        let file = std::fs::File::options()
            .write(true)
            .create_new(true)
            .open(&path)
            .unwrap();
        let mut zip = zip::ZipWriter::new(file);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for name in ["GO-2020-0001.json", "DSA-135.json"] {
            zip.start_file(name, opts).unwrap();
            zip.write_all(&std::fs::read(fixture(name)).unwrap())
                .unwrap();
        }
        zip.finish().unwrap();
    }
    let mut sink = Collect::default();
    let mut names = Vec::new();
    let res = input::for_each_document(&path, &mut |name, r| {
        names.push(name.to_owned());
        osv::parse(r, &mut sink).map(|_| ())
    });
    std::fs::remove_file(&path).unwrap();
    res.unwrap();
    assert_eq!(sink.records.len(), 2);
    assert!(sink.skipped.is_empty());
    assert_eq!(sink.records[0].id, "GO-2020-0001");
    assert_eq!(sink.records[1].id, "DSA-135");
    assert!(names[0].ends_with(":GO-2020-0001.json"), "{names:?}");
}

#[test]
fn all_shared_multi_ecosystem_samples_when_present() {
    // The 60 OSV fixtures of the shared corpus; skipped when not mounted.
    let root = Path::new("/work/shared/data/osv/samples-multi-ecosystem");
    if !root.exists() {
        return;
    }
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    let mut sink = Collect::default();
    let mut errors = Vec::new();
    for f in &files {
        if let Err(e) =
            input::for_each_document(f, &mut |_, r| osv::parse(r, &mut sink).map(|_| ()))
        {
            errors.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(files.len(), 60);
    assert_eq!(sink.records.len(), 60);
    assert!(sink.skipped.is_empty(), "{:?}", sink.skipped);
}
