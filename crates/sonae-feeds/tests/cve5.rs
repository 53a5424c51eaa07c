//! CVE List V5 records: real records from the CVE Program / CISA
//! Vulnrichment (fixtures/cve5/SOURCE.md), read as one source record each.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sonae_domain::vuln::{Feed, SourceRecord};
use sonae_feeds::{cve5, Collect};
use std::io::Write;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cve5")
        .join(name)
}

fn parse_bytes(name: &str, bytes: &[u8]) -> Collect {
    let mut sink = Collect::default();
    cve5::parse(name, &mut &bytes[..], &mut sink).unwrap();
    sink
}

fn one(name: &str) -> SourceRecord {
    let bytes = std::fs::read(fixture(name)).unwrap();
    let mut c = parse_bytes(name, &bytes);
    assert!(c.skipped.is_empty(), "{:?}", c.skipped);
    assert_eq!(c.records.len(), 1);
    c.records.remove(0)
}

#[test]
fn cna_and_adp_containers_are_kept_side_by_side() {
    let r = one("CVE-2024-26120.json");
    assert_eq!(r.feed, Feed::Cve5);
    assert_eq!(r.id, "CVE-2024-26120");
    assert_eq!(r.cves[0].as_str(), "CVE-2024-26120");
    assert_eq!(r.status.as_deref(), Some("Published"));
    assert_eq!(r.modified.as_deref(), Some("2024-10-07T13:16:39Z"));
    assert!(r
        .title
        .as_deref()
        .unwrap()
        .starts_with("Adobe Experience Manager"));
    let providers: Vec<&str> = r.cve5.iter().map(|c| c.provider.as_str()).collect();
    assert_eq!(providers, ["cna", "CVE", "CISA-ADP"]);
    let cna = &r.cve5[0];
    assert_eq!(cna.short_name.as_deref(), Some("adobe"));
    assert_eq!(cna.affected[0].vendor.as_deref(), Some("Adobe"));
    assert_eq!(cna.affected[0].versions[0].version, "0");
    assert_eq!(
        cna.affected[0].versions[0].less_than_or_equal.as_deref(),
        Some("6.5.19")
    );
    let adp = &r.cve5[2];
    assert_eq!(
        adp.affected[0].cpes,
        ["cpe:2.3:a:adobe:experience_manager:-:*:*:*:*:*:*:*"]
    );
    assert_eq!(adp.affected[0].default_status.as_deref(), Some("unknown"));
    let ssvc = adp.ssvc.as_ref().unwrap();
    assert_eq!(ssvc.exploitation.as_deref(), Some("none"));
    assert_eq!(ssvc.automatable.as_deref(), Some("no"));
    assert_eq!(ssvc.technical_impact.as_deref(), Some("partial"));
    assert!(!r.exploitation_active());
    // The CNA's CVSS, with who scored it.
    let best = r.best_cvss().unwrap();
    assert_eq!((best.version.as_str(), best.base_score), ("3.1", 5.4));
    assert_eq!(best.source.as_deref(), Some("adobe"));
    assert!(r.cwes.contains(&"CWE-79".to_owned()));
}

#[test]
fn ranges_changes_git_blocks_and_packages_are_read() {
    let wp = one("CVE-2023-24000.json");
    let v = &wp.cve5[0].affected[0].versions[0];
    assert_eq!(v.version, "n/a");
    assert_eq!(v.changes, [("2.5.7.1".to_owned(), "unaffected".to_owned())]);
    assert_eq!(
        wp.cve5[0].affected[0].package_name.as_deref(),
        Some("gamipress")
    );
    let kernel = one("CVE-2019-25162.json");
    let blocks = &kernel.cve5[0].affected;
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].versions[0].version_type.as_deref(), Some("git"));
    assert_eq!(blocks[0].default_status.as_deref(), Some("unaffected"));
    assert!(blocks[1]
        .versions
        .iter()
        .any(|v| v.less_than_or_equal.as_deref() == Some("4.14.*")));
    let maven = one("CVE-2023-39913.json");
    let a = &maven.cve5[0].affected[0];
    assert_eq!(
        a.package_name.as_deref(),
        Some("org.apache.uima:uimaj-core")
    );
    assert_eq!(
        a.collection_url.as_deref(),
        Some("https://repo.maven.apache.org/maven2")
    );
}

#[test]
fn ssvc_active_exploitation_is_a_fact() {
    assert!(one("CVE-2019-1069.json").exploitation_active());
}

#[test]
fn rejected_records_carry_no_affected_data() {
    let r = one("CVE-2019-25161.json");
    assert_eq!(r.status.as_deref(), Some("Rejected"));
    assert!(r.cve5.is_empty());
    assert!(r.description.is_some(), "the rejection reason is shown");
}

#[test]
fn malformed_records_are_skipped_with_id_and_field() {
    let c = parse_bytes("cves/2024/1xxx/CVE-2024-1000.json", b"{ not json");
    assert!(c.records.is_empty());
    assert_eq!(c.skipped[0].id, "CVE-2024-1000", "named after the file");
    assert!(
        c.skipped[0].reason.contains("not a CVE JSON 5 record"),
        "{}",
        c.skipped[0].reason
    );

    let wrong = br#"{"cveMetadata":{"cveId":"CVE-2024-1001","state":"PUBLISHED"},
        "containers":{"cna":{"affected":[{"vendor":"x","product":"y","versions":[{"version":1,"status":"affected"}]}]}}}"#;
    let c = parse_bytes("x.json", wrong);
    assert_eq!(c.skipped[0].id, "CVE-2024-1001");
    assert!(
        c.skipped[0]
            .reason
            .contains("containers.cna.affected[0].versions[0].version"),
        "{}",
        c.skipped[0].reason
    );

    let bad_id = br#"{"cveMetadata":{"cveId":"CVE-24-1","state":"PUBLISHED"}}"#;
    let c = parse_bytes("y.json", bad_id);
    assert!(c.skipped[0].reason.contains("cveId"));

    let mut huge =
        b"{\"cveMetadata\":{\"cveId\":\"CVE-2024-1002\",\"state\":\"PUBLISHED\"},\"x\":\"".to_vec();
    huge.resize(huge.len() + (cve5::MAX_RECORD_BYTES as usize) + 10, b'a');
    let c = parse_bytes("CVE-2024-1002.json", &huge);
    assert!(c.skipped[0].reason.contains("16 MiB"), "the limit is named");
}

#[test]
fn only_record_files_are_read_from_archives() {
    assert!(cve5::is_record_name("cves/2024/3xxx/CVE-2024-3094.json"));
    assert!(cve5::is_record_name("/tmp/a.zip:cves/CVE-2024-3094.json"));
    assert!(!cve5::is_record_name("cves/delta.json"));
    assert!(!cve5::is_record_name("cves/deltaLog.json"));
    assert!(!cve5::is_record_name("README.md"));
}

/// The daily release is a zip holding a zip of `cves/…` files.
#[test]
fn a_zip_inside_a_zip_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let inner_path = dir.path().join("inner.zip");
    {
        let mut w = zip::ZipWriter::new(std::fs::File::create(&inner_path).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        for name in ["CVE-2024-26120.json", "CVE-2019-25161.json"] {
            w.start_file(format!("cves/2024/x/{name}"), opts).unwrap();
            w.write_all(&std::fs::read(fixture(name)).unwrap()).unwrap();
        }
        w.start_file("cves/delta.json", opts).unwrap();
        w.write_all(b"{}").unwrap();
        w.finish().unwrap();
    }
    let outer_path = dir.path().join("outer.zip");
    {
        let mut w = zip::ZipWriter::new(std::fs::File::create(&outer_path).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("2024-10-24_all_CVEs_at_midnight.zip", opts)
            .unwrap();
        w.write_all(&std::fs::read(&inner_path).unwrap()).unwrap();
        w.finish().unwrap();
    }
    let mut sink = Collect::default();
    sonae_feeds::input::for_each_document(&outer_path, &mut |name, r| {
        if cve5::is_record_name(name) {
            cve5::parse(name, r, &mut sink)?;
        }
        Ok(())
    })
    .unwrap();
    let ids: Vec<&str> = sink.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["CVE-2024-26120", "CVE-2019-25161"]);
}
