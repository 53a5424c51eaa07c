//! NVD parser against real feed excerpts (fixtures/nvd/SOURCE.md).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sonae_domain::vuln::{Feed, Operator, Skipped, SourceRecord};
use sonae_feeds::nvd::{self, NvdDocument, NvdFormat};
use sonae_feeds::{input, Collect, FeedError, ParseStats, Sink};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nvd")
        .join(name)
}

fn parse_bytes(bytes: &[u8]) -> (Result<NvdDocument, FeedError>, Collect) {
    let mut sink = Collect::default();
    let mut reader: &[u8] = bytes;
    let res = nvd::parse(&mut reader, &mut sink);
    (res, sink)
}

fn parse_fixture(name: &str) -> (NvdDocument, Collect) {
    let bytes = std::fs::read(fixture(name)).unwrap();
    let (res, sink) = parse_bytes(&bytes);
    (res.unwrap(), sink)
}

fn find<'a>(sink: &'a Collect, id: &str) -> &'a SourceRecord {
    sink.records
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("{id} not parsed"))
}

#[test]
fn api2_page_envelope_and_records() {
    let (doc, sink) = parse_fixture("api2-page-vunnel.json");
    assert_eq!(doc.format, NvdFormat::Api2);
    assert_eq!(
        doc.stats,
        ParseStats {
            records: 38,
            skipped: 0
        }
    );
    assert_eq!(doc.results_per_page, Some(38));
    assert_eq!(doc.start_index, Some(0));
    assert_eq!(doc.total_results, Some(38));
    assert_eq!(doc.timestamp.as_deref(), Some("2023-10-18T18:04:18Z"));
    assert_eq!(doc.next_start_index(), None);
    assert_eq!(sink.records.len(), 38);
    assert!(sink.skipped.is_empty());
    // Order kept as in the file.
    assert_eq!(sink.records[0].id, "CVE-2023-27314");
    assert_eq!(sink.records[37].id, "CVE-2023-20261");
    assert!(sink.records.iter().all(|r| r.feed == Feed::Nvd
        && r.lang == "en"
        && r.title.is_none()
        && r.cves.len() == 1
        && r.cves[0].as_str() == r.id));
}

#[test]
fn api2_record_fields_cvss_cwe_and_platform_configuration() {
    let (_, sink) = parse_fixture("api2-page-vunnel.json");
    let r = find(&sink, "CVE-2022-22377");
    assert_eq!(r.status.as_deref(), Some("Analyzed"));
    assert_eq!(r.published.as_deref(), Some("2023-10-17T01:15:09Z"));
    assert_eq!(r.modified.as_deref(), Some("2023-10-18T17:57:47Z"));
    // The English description, not the Spanish one.
    let d = r.description.as_deref().unwrap();
    assert!(
        d.starts_with(
            "IBM Security Verify Privilege On-Premises 11.5 could allow a remote attacker"
        ),
        "{d}"
    );

    // CVSS v3.1: NVD's primary score and the CNA's secondary one.
    assert_eq!(r.cvss.len(), 2);
    let primary = &r.cvss[0];
    assert_eq!(primary.version, "3.1");
    assert_eq!(primary.base_score, 5.3);
    assert_eq!(
        primary.vector.as_deref(),
        Some("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N")
    );
    assert_eq!(primary.severity.as_deref(), Some("MEDIUM"));
    assert_eq!(primary.source.as_deref(), Some("nvd@nist.gov"));
    assert!(primary.primary);
    assert_eq!(r.cvss[1].source.as_deref(), Some("psirt@us.ibm.com"));
    assert!(!r.cvss[1].primary);
    assert_eq!(r.best_cvss().map(|c| c.base_score), Some(5.3));

    // Two weakness entries both say CWE-311: kept once.
    assert_eq!(r.cwes, vec!["CWE-311"]);

    assert_eq!(r.references.len(), 2);
    assert_eq!(
        r.references[0].url,
        "https://exchange.xforce.ibmcloud.com/vulnerabilities/221827"
    );
    assert_eq!(r.references[0].source.as_deref(), Some("psirt@us.ibm.com"));
    assert_eq!(r.references[0].tags, vec!["VDB Entry", "Vendor Advisory"]);

    // Application on platform: AND of the vulnerable app and the OS it runs on.
    assert_eq!(r.configurations.len(), 1);
    let cfg = &r.configurations[0];
    assert_eq!(cfg.operator, Some(Operator::And));
    assert!(!cfg.negate);
    assert_eq!(cfg.nodes.len(), 2);
    let app = &cfg.nodes[0];
    assert_eq!(app.operator, Operator::Or);
    assert!(!app.negate);
    assert_eq!(app.cpe_match.len(), 1);
    let m = &app.cpe_match[0];
    assert!(m.vulnerable);
    assert_eq!(
        m.criteria,
        "cpe:2.3:a:ibm:security_verify_privilege_on-premises:*:*:*:*:*:*:*:*"
    );
    assert_eq!(m.version_end_excluding.as_deref(), Some("11.5"));
    assert_eq!(m.version_end_including, None);
    assert_eq!(m.version_start_including, None);
    assert_eq!(m.version_start_excluding, None);
    assert_eq!(
        m.match_criteria_id.as_deref(),
        Some("CEE9CBED-455C-4B83-A735-76EE4C7E331A")
    );
    let platform = &cfg.nodes[1];
    assert_eq!(platform.cpe_match.len(), 2);
    assert!(!platform.cpe_match[0].vulnerable);
    assert_eq!(
        platform.cpe_match[0].criteria,
        "cpe:2.3:o:apple:macos:-:*:*:*:*:*:*:*"
    );
    assert_eq!(
        platform.cpe_match[1].criteria,
        "cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*"
    );
    assert!(!platform.cpe_match[1].vulnerable);
}

#[test]
fn api2_nvd_cwe_placeholders_kept_and_unanalysed_records_load() {
    let (_, sink) = parse_fixture("api2-page-vunnel.json");
    assert_eq!(
        find(&sink, "CVE-2023-27314").cwes,
        vec!["NVD-CWE-noinfo", "CWE-400"]
    );
    let r = find(&sink, "CVE-2023-43250");
    assert_eq!(r.status.as_deref(), Some("Awaiting Analysis"));
    assert!(r.cvss.is_empty() && r.configurations.is_empty() && r.cwes.is_empty());
    // A CNA's score only: secondary.
    let r = find(&sink, "CVE-2023-5642");
    assert_eq!(r.cvss.len(), 1);
    assert_eq!(r.cvss[0].base_score, 9.8);
    assert_eq!(r.cvss[0].source.as_deref(), Some("vulnreport@tenable.com"));
    assert!(!r.cvss[0].primary);
    assert_eq!(r.cvss[0].severity.as_deref(), Some("CRITICAL"));
}

#[test]
fn api2_single_cve_escaped_criteria_and_v2_severity() {
    let (doc, sink) = parse_fixture("api2-single-CVE-2022-1576.json");
    assert_eq!(doc.stats.records, 1);
    assert_eq!(doc.total_results, Some(1));
    assert_eq!(doc.timestamp.as_deref(), Some("2023-01-03T21:56:15Z"));
    let r = find(&sink, "CVE-2022-1576");
    assert_eq!(r.status.as_deref(), Some("Modified"));
    assert_eq!(r.published.as_deref(), Some("2022-07-11T13:15:08Z"));
    assert_eq!(r.modified.as_deref(), Some("2024-11-21T06:41:00Z"));

    // The file writes `wp_maintenance_mode_\\&_coming_soon` (JSON), i.e. one
    // backslash before `&`: kept exactly as the CPE 2.3 escape.
    let cfg = &r.configurations[0];
    assert_eq!(cfg.operator, None);
    let m = &cfg.nodes[0].cpe_match[0];
    assert_eq!(
        m.criteria,
        r"cpe:2.3:a:themeisle:wp_maintenance_mode_\&_coming_soon:*:*:*:*:*:wordpress:*:*"
    );
    assert_eq!(m.version_end_excluding.as_deref(), Some("2.4.5"));

    // V2: severity sits outside cvssData.
    let v2 = r.cvss.iter().find(|c| c.version == "2.0").unwrap();
    assert_eq!(v2.base_score, 4.3);
    assert_eq!(v2.vector.as_deref(), Some("AV:N/AC:M/Au:N/C:N/I:P/A:N"));
    assert_eq!(v2.severity.as_deref(), Some("MEDIUM"));
    assert!(v2.primary);
    let v31 = r.cvss.iter().find(|c| c.version == "3.1").unwrap();
    assert_eq!(v31.base_score, 6.5);
    assert_eq!(r.best_cvss().map(|c| c.version.as_str()), Some("3.1"));
    assert_eq!(r.cwes, vec!["CWE-352"]);
    // Same URL from two sources: both kept as the feed lists them.
    assert_eq!(r.references.len(), 2);
    assert_eq!(
        r.references[1].source.as_deref(),
        Some("af854a3a-2127-422b-91ae-364da2661108")
    );
}

#[test]
fn api2_cvss_v40_and_references_without_tags() {
    let (_, sink) = parse_fixture("api2-single-CVE-2025-9377-v40.json");
    let r = find(&sink, "CVE-2025-9377");
    let v4 = r.cvss.iter().find(|c| c.version == "4.0").unwrap();
    assert_eq!(v4.base_score, 9.3);
    assert_eq!(
        v4.vector.as_deref(),
        Some("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
    );
    assert_eq!(v4.severity.as_deref(), Some("CRITICAL"));
    assert_eq!(r.best_cvss().map(|c| c.version.as_str()), Some("4.0"));
    assert!(r.configurations.is_empty());
    assert_eq!(r.references.len(), 1);
    assert!(r.references[0].tags.is_empty());
}

#[test]
fn legacy_children_node_becomes_one_configuration() {
    let (doc, sink) = parse_fixture("legacy11-osvdev-subset.json");
    assert_eq!(doc.format, NvdFormat::Legacy11);
    assert_eq!(doc.stats.records, 5);
    assert_eq!(doc.total_results, Some(660)); // CVE_data_numberOfCVEs of the original file
    assert_eq!(doc.timestamp.as_deref(), Some("2022-08-31T05:00:00Z"));
    assert_eq!(doc.results_per_page, None);

    let r = find(&sink, "CVE-2021-3669");
    assert_eq!(r.feed, Feed::Nvd);
    assert_eq!(r.cves[0].as_str(), "CVE-2021-3669");
    assert_eq!(r.status, None);
    assert_eq!(r.published.as_deref(), Some("2022-08-26T16:15:00Z"));
    assert_eq!(r.modified.as_deref(), Some("2022-08-29T17:38:00Z"));
    assert_eq!(r.cwes, vec!["CWE-400"]);
    assert_eq!(r.cvss.len(), 1);
    let c = &r.cvss[0];
    assert_eq!(c.version, "3.1");
    assert_eq!(c.base_score, 5.5);
    assert_eq!(
        c.vector.as_deref(),
        Some("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H")
    );
    assert_eq!(c.severity.as_deref(), Some("MEDIUM"));
    assert_eq!(c.source.as_deref(), Some("nvd@nist.gov"));
    assert!(c.primary);
    assert_eq!(
        r.references[0].url,
        "https://access.redhat.com/security/cve/CVE-2021-3669"
    );
    assert_eq!(r.references[0].source.as_deref(), Some("MISC"));
    assert_eq!(
        r.references[0].tags,
        vec!["Issue Tracking", "Third Party Advisory"]
    );

    // 7 top-level nodes -> 7 configurations.
    assert_eq!(r.configurations.len(), 7);
    // A plain node: a configuration of that node alone.
    let plain = &r.configurations[0];
    assert_eq!(plain.operator, None);
    assert!(!plain.negate);
    assert_eq!(plain.nodes.len(), 1);
    assert_eq!(plain.nodes[0].operator, Operator::Or);
    assert_eq!(
        plain.nodes[0].cpe_match[0].criteria,
        "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*"
    );
    // An AND node with children: its children become the nodes.
    let and = &r.configurations[1];
    assert_eq!(and.operator, Some(Operator::And));
    assert_eq!(and.nodes.len(), 2);
    let app = &and.nodes[0].cpe_match[0];
    assert!(app.vulnerable);
    assert_eq!(
        app.criteria,
        "cpe:2.3:a:ibm:spectrum_copy_data_management:*:*:*:*:*:*:*:*"
    );
    assert_eq!(app.version_start_including.as_deref(), Some("2.2.0.0"));
    assert_eq!(app.version_end_including.as_deref(), Some("2.2.15.0"));
    assert_eq!(app.match_criteria_id, None);
    let platform = &and.nodes[1].cpe_match[0];
    assert!(!platform.vulnerable);
    assert_eq!(
        platform.criteria,
        "cpe:2.3:o:linux:linux_kernel:-:*:*:*:*:*:*:*"
    );
    // A range key inside a plain node.
    let quarkus = r.configurations[4].nodes[0].cpe_match.last().unwrap();
    assert_eq!(
        quarkus.criteria,
        "cpe:2.3:a:redhat:build_of_quarkus:*:*:*:*:*:*:*:*"
    );
    assert_eq!(quarkus.version_start_including.as_deref(), Some("2.0"));
    assert_eq!(quarkus.version_end_excluding.as_deref(), Some("2.7"));
}

#[test]
fn legacy_plain_feed_with_v2_and_v3() {
    let (doc, sink) = parse_fixture("legacy11-postmodern-recent.json");
    assert_eq!(doc.stats.records, 2);
    assert_eq!(doc.total_results, Some(343));
    let r = find(&sink, "CVE-2018-1000891");
    assert_eq!(
        r.description.as_deref(),
        Some("Bitcoin SV before 0.1.1 allows uncontrolled resource consumption when receiving messages with invalid checksums.")
    );
    assert_eq!(r.published.as_deref(), Some("2020-12-23T17:15:00Z"));
    let v3 = r.cvss.iter().find(|c| c.version == "3.1").unwrap();
    assert_eq!(v3.base_score, 7.5);
    assert_eq!(v3.severity.as_deref(), Some("HIGH"));
    let v2 = r.cvss.iter().find(|c| c.version == "2.0").unwrap();
    assert_eq!(v2.base_score, 5.0);
    assert_eq!(v2.vector.as_deref(), Some("AV:N/AC:L/Au:N/C:N/I:N/A:P"));
    assert_eq!(v2.severity.as_deref(), Some("MEDIUM"));
    assert_eq!(r.configurations.len(), 1);
    assert_eq!(r.configurations[0].operator, None);
    let m = &r.configurations[0].nodes[0].cpe_match[0];
    assert_eq!(m.criteria, "cpe:2.3:a:bitcoinsv:bitcoin_sv:*:*:*:*:*:*:*:*");
    assert_eq!(m.version_end_excluding.as_deref(), Some("0.1.1"));
    assert_eq!(r.references[0].source.as_deref(), Some("MISC"));
}

#[test]
fn broken_element_is_skipped_and_the_rest_loads() {
    let json = r#"{
      "resultsPerPage": 3, "startIndex": 0, "totalResults": 3,
      "format": "NVD_CVE", "version": "2.0", "timestamp": "2024-04-07T10:15:09.120",
      "vulnerabilities": [
        {"cve": {"id": "CVE-2024-0001", "vulnStatus": "Analyzed",
                 "descriptions": [{"lang": "en", "value": "first"}]}},
        {"cve": {"sourceIdentifier": "cve@mitre.org", "vulnStatus": "Received",
                 "descriptions": [{"lang": "en", "value": "no id"}]}},
        {"cve": {"id": "CVE-2024-0003", "descriptions": [{"lang": "en", "value": "third"}]}}
      ]
    }"#;
    let (res, sink) = parse_bytes(json.as_bytes());
    let doc = res.unwrap();
    assert_eq!(
        doc.stats,
        ParseStats {
            records: 2,
            skipped: 1
        }
    );
    let ids: Vec<&str> = sink.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["CVE-2024-0001", "CVE-2024-0003"]);
    assert_eq!(sink.records[1].description.as_deref(), Some("third"));
    assert_eq!(
        sink.skipped,
        vec![Skipped {
            id: "#1".into(),
            reason: "cve.id: missing".into()
        }]
    );
}

#[test]
fn truncated_file_is_a_format_error_after_the_complete_records() {
    let bytes = std::fs::read(fixture("api2-page-vunnel.json")).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    // Cut inside the sixth element.
    let cut = text.find(r#""id": "CVE-2023-3746""#).unwrap() + 10;
    let (res, sink) = parse_bytes(&text.as_bytes()[..cut]);
    let ids: Vec<&str> = sink.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "CVE-2023-27314",
            "CVE-2023-45109",
            "CVE-2023-45391",
            "CVE-2023-3706",
            "CVE-2023-3707"
        ]
    );
    assert!(sink.skipped.is_empty());
    match res {
        Err(FeedError::Format { expected, detail }) => {
            assert_eq!(expected, "NVD JSON");
            assert!(detail.contains("EOF"), "{detail}");
            assert!(
                detail.contains("line") && detail.contains("column"),
                "{detail}"
            );
            assert!(detail.contains("after 5 records"), "{detail}");
        }
        other => panic!("expected a format error, got {other:?}"),
    }
}

#[test]
fn syntax_error_mid_file_keeps_earlier_records() {
    let json =
        r#"{"vulnerabilities":[{"cve":{"id":"CVE-2024-0001"}},{"cve":{"id":"CVE-2024-0002",}}]}"#;
    let (res, sink) = parse_bytes(json.as_bytes());
    assert_eq!(sink.records.len(), 1);
    match res {
        Err(FeedError::Format { detail, .. }) => {
            assert!(detail.contains("line 1 column"), "{detail}")
        }
        other => panic!("expected a format error, got {other:?}"),
    }
}

#[test]
fn not_nvd_json_is_a_format_error() {
    for input in [
        &b"<?xml version=\"1.0\"?><VULDEF-Document/>"[..],
        b"cve,epss,percentile\nCVE-2024-0001,0.1,0.2\n",
        br#"{"title":"CISA Catalog","count":0}"#,
    ] {
        let (res, sink) = parse_bytes(input);
        assert!(
            matches!(res, Err(FeedError::Format { .. })),
            "{:?}",
            String::from_utf8_lossy(input)
        );
        assert!(sink.records.is_empty());
    }
}

#[test]
fn gzip_input_through_for_each_document() {
    let plain = std::fs::read(fixture("api2-single-CVE-2022-1576.json")).unwrap();
    // Unique per process and call, without reading the clock (clippy.toml).
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let unique = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "sonae-nvd-test-{}-{unique}.json.gz",
        std::process::id()
    ));
    {
        let file = std::fs::File::create(&path).unwrap();
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        gz.write_all(&plain).unwrap();
        gz.finish().unwrap();
    }
    let mut sink = Collect::default();
    let mut docs = Vec::new();
    let res = input::for_each_document(&path, &mut |name, reader| {
        docs.push((name.to_owned(), nvd::parse(reader, &mut sink)?));
        Ok(())
    });
    std::fs::remove_file(&path).unwrap();
    res.unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].1.stats.records, 1);
    assert_eq!(sink.records[0].id, "CVE-2022-1576");
    assert_eq!(
        sink.records[0].configurations[0].nodes[0].cpe_match[0].criteria,
        r"cpe:2.3:a:themeisle:wp_maintenance_mode_\&_coming_soon:*:*:*:*:*:wordpress:*:*"
    );
}

/// Counts without keeping records, as a database loader would.
#[derive(Default)]
struct Count {
    records: u64,
    skipped: Vec<Skipped>,
    cpe_matches: u64,
}

impl Sink for Count {
    fn record(&mut self, r: SourceRecord) {
        self.records += 1;
        self.cpe_matches += r
            .configurations
            .iter()
            .flat_map(|c| &c.nodes)
            .map(|n| n.cpe_match.len() as u64)
            .sum::<u64>();
    }
    fn skipped(&mut self, s: Skipped) {
        self.skipped.push(s);
    }
}

const DATA: &str = "/work/shared/data";

fn stream_file(path: &Path) -> (Vec<NvdDocument>, Count) {
    let mut sink = Count::default();
    let mut docs = Vec::new();
    input::for_each_document(path, &mut |_, reader: &mut dyn BufRead| {
        docs.push(nvd::parse(reader, &mut sink)?);
        Ok(())
    })
    .unwrap();
    (docs, sink)
}

/// Peak resident memory of this process (Linux), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Streams the real 2024 yearly file (24 MB of JSON, 3.5 MB gzip).
/// Run: cargo test -p sonae-feeds --test nvd -- --ignored --nocapture
#[test]
#[ignore = "reads /work/shared/data (large)"]
fn stream_real_yearly_file() {
    let path = Path::new(DATA).join("nvd-api2/vulnz-cache-2024-04-07/nvdcve-2024.json.gz");
    let start = std::time::Instant::now();
    let (docs, sink) = stream_file(&path);
    let elapsed = start.elapsed();
    assert_eq!(docs.len(), 1);
    let doc = &docs[0];
    eprintln!(
        "{}: {} records, {} skipped, {} cpeMatch in {:.2?}; peak RSS {:?} KiB",
        path.display(),
        sink.records,
        sink.skipped.len(),
        sink.cpe_matches,
        elapsed,
        peak_rss_kib()
    );
    assert_eq!(doc.total_results, Some(9715));
    assert_eq!(doc.stats.records, 9715);
    assert_eq!(sink.records, 9715);
    assert!(sink.skipped.is_empty(), "{:?}", &sink.skipped[..]);
}

/// Every staged NVD file, 2.0 and 1.1: nothing skipped, counts match the envelope.
#[test]
#[ignore = "reads /work/shared/data (large)"]
fn stream_all_real_files() {
    let mut total = 0;
    for dir in [
        "nvd-api2/vulnz-cache-2024-04-07",
        "nvd-api2/feeds-modified-recent",
        "nvd-legacy-1.1/jeffpound-NVD-JSON-Feeds-2025-02",
    ] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new(DATA).join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".json.gz"))
            .collect();
        files.sort();
        for path in files {
            let start = std::time::Instant::now();
            let (docs, sink) = stream_file(&path);
            let doc = &docs[0];
            eprintln!(
                "{}: {:?} {} records, {} skipped in {:.2?}",
                path.display(),
                doc.format,
                sink.records,
                sink.skipped.len(),
                start.elapsed()
            );
            assert!(sink.skipped.is_empty(), "{:?}", &sink.skipped[..]);
            assert_eq!(Some(sink.records), doc.total_results);
            total += sink.records;
        }
    }
    eprintln!("total {total} records; peak RSS {:?} KiB", peak_rss_kib());
}
