#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sonae_domain::vuln::Feed;
use sonae_feeds::{input, kev, Collect, FeedError, ParseStats};
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kev")
        .join(name)
}

fn parse_str(s: &str) -> (Result<kev::KevDocument, FeedError>, Collect) {
    let mut sink = Collect::default();
    let mut r = s.as_bytes();
    let res = kev::parse(&mut r, &mut sink);
    (res, sink)
}

#[test]
fn real_catalog_excerpt() {
    let mut sink = Collect::default();
    let mut doc = None;
    input::for_each_document(
        &fixture("known_exploited_vulnerabilities-first23.json"),
        &mut |_, r| {
            doc = Some(kev::parse(r, &mut sink)?);
            Ok(())
        },
    )
    .unwrap();
    let doc = doc.unwrap();
    assert_eq!(doc.catalog_version.as_deref(), Some("2025.08.25"));
    assert_eq!(doc.date_released.as_deref(), Some("2025-08-25T17:04:19Z"));
    assert_eq!(
        doc.stats,
        ParseStats {
            records: 23,
            skipped: 0
        }
    );
    assert_eq!(sink.records.len(), 23);
    assert!(sink.skipped.is_empty());

    // First entry of the catalog: Git, not known to ransomware.
    let git = &sink.records[0];
    assert_eq!(git.feed, Feed::Kev);
    assert_eq!(git.id, "CVE-2025-48384");
    assert_eq!(git.vulnerability_ids(), vec!["CVE-2025-48384"]);
    assert_eq!(git.lang, "en");
    assert_eq!(
        git.title.as_deref(),
        Some("Git Link Following Vulnerability")
    );
    assert_eq!(git.published.as_deref(), Some("2025-08-25T00:00:00Z"));
    assert!(git
        .description
        .as_deref()
        .unwrap()
        .starts_with("Git contains a link following vulnerability that stems from Git\u{2019}s"));
    let k = git.kev.as_ref().unwrap();
    assert_eq!(k.vendor_project, "Git");
    assert_eq!(k.product, "Git");
    assert_eq!(k.date_added, "2025-08-25");
    assert_eq!(k.due_date.as_deref(), Some("2025-09-15"));
    assert!(!k.known_ransomware);
    assert_eq!(k.cwes, vec!["CWE-59", "CWE-436"]);
    assert_eq!(git.cwes, vec!["CWE-59", "CWE-436"]);
    // `\/` escapes in notes are undone.
    assert!(k
        .notes
        .as_deref()
        .unwrap()
        .contains("https://github.com/git/git/security/advisories/GHSA-vwqx-4fm8-6qc9 ; "));

    // SharePoint: known ransomware use, one-day due date.
    let sp = sink
        .records
        .iter()
        .find(|r| r.id == "CVE-2025-49704")
        .unwrap();
    let k = sp.kev.as_ref().unwrap();
    assert_eq!(k.vendor_project, "Microsoft");
    assert_eq!(k.product, "SharePoint");
    assert_eq!(k.name, "Microsoft SharePoint Code Injection Vulnerability");
    assert_eq!(k.date_added, "2025-07-22");
    assert_eq!(k.due_date.as_deref(), Some("2025-07-23"));
    assert!(k.known_ransomware);
    assert_eq!(k.cwes, vec!["CWE-94"]);
    assert!(k
        .required_action
        .as_deref()
        .unwrap()
        .starts_with("Disconnect public-facing versions of SharePoint Server"));

    // Empty cwes array stays empty.
    let n = sink
        .records
        .iter()
        .find(|r| r.id == "CVE-2025-8876")
        .unwrap();
    assert!(n.kev.as_ref().unwrap().cwes.is_empty());

    let known = sink
        .records
        .iter()
        .filter(|r| r.kev.as_ref().unwrap().known_ransomware)
        .count();
    assert_eq!(known, 3); // CVE-2025-49704, -49706, -53770
}

#[test]
fn malformed_entries_are_skipped_and_the_rest_loads() {
    let json = r#"{
      "title": "t", "catalogVersion": "1", "dateReleased": "2025-08-25T17:04:19.9796Z", "count": 5,
      "vulnerabilities": [
        {"cveID": "CVE-2021-44228", "vendorProject": "Apache", "product": "Log4j2",
         "vulnerabilityName": "Apache Log4j2 RCE", "dateAdded": "2021-12-10",
         "shortDescription": "d", "requiredAction": "a", "dueDate": "2021-12-24",
         "knownRansomwareCampaignUse": "Known", "notes": "", "cwes": ["CWE-20"]},
        {"cveID": "not-a-cve", "dateAdded": "2021-12-10"},
        {"cveID": "CVE-2021-0001", "dateAdded": "someday"},
        "just a string",
        {"cveID": "CVE-2021-0002", "dateAdded": "2021-12-10", "cwes": "CWE-1"}
      ]
    }"#;
    let (res, sink) = parse_str(json);
    let doc = res.unwrap();
    assert_eq!(
        doc.stats,
        ParseStats {
            records: 1,
            skipped: 4
        }
    );
    assert_eq!(sink.records[0].id, "CVE-2021-44228");
    let k = sink.records[0].kev.as_ref().unwrap();
    assert!(k.known_ransomware);
    assert_eq!(k.notes, None);
    let ids: Vec<&str> = sink.skipped.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        vec!["not-a-cve", "CVE-2021-0001", "#4", "CVE-2021-0002"]
    );
    assert!(sink.skipped[1].reason.contains("dateAdded"));
    assert!(sink.skipped[3].reason.contains("cwes"));
}

#[test]
fn broken_structure_is_a_format_error_with_position() {
    // Truncated in the middle of the array.
    let (res, _) = parse_str("{\"vulnerabilities\": [\n {\"cveID\": \"CVE-2021-44228\",\n");
    match res {
        Err(FeedError::Format { expected, detail }) => {
            assert_eq!(expected, "CISA KEV JSON");
            assert!(detail.contains("line"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    // No vulnerabilities array.
    let (res, _) = parse_str(r#"{"title": "x"}"#);
    assert!(matches!(res, Err(FeedError::Format { .. })), "{res:?}");
    // vulnerabilities not an array.
    let (res, _) = parse_str(r#"{"vulnerabilities": 3}"#);
    assert!(matches!(res, Err(FeedError::Format { .. })), "{res:?}");
    // Trailing garbage.
    let (res, _) = parse_str(r#"{"vulnerabilities": []} x"#);
    assert!(matches!(res, Err(FeedError::Format { .. })), "{res:?}");
}

#[test]
fn enisa_eu_kev_array_is_not_a_cisa_catalog() {
    // The ENISA EU-KEV fixture is a bare array with another shape.
    let mut sink = Collect::default();
    let res = input::for_each_document(&fixture("enisa-eukev-fixture.json"), &mut |_, r| {
        kev::parse(r, &mut sink).map(|_| ())
    });
    match res {
        Err(FeedError::Format { detail, .. }) => {
            assert!(detail.contains("line 1 column 1"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
    assert!(sink.records.is_empty());
}

#[test]
fn full_shared_catalog_when_present() {
    // The whole 2025.08.25 catalog from the shared corpus (not copied into
    // the repo: 1.2 MB); skipped when the corpus is not mounted.
    let path = Path::new(
        "/work/shared/data/kev/cisagov-kev-data_2025-08-25/known_exploited_vulnerabilities.json",
    );
    if !path.exists() {
        return;
    }
    let mut sink = Collect::default();
    input::for_each_document(path, &mut |_, r| kev::parse(r, &mut sink).map(|_| ())).unwrap();
    assert_eq!(sink.records.len(), 1404);
    assert!(sink.skipped.is_empty());
    let known = sink
        .records
        .iter()
        .filter(|r| r.kev.as_ref().unwrap().known_ransomware)
        .count();
    assert_eq!(known, 293);
    let last = sink.records.last().unwrap();
    assert_eq!(last.id, "CVE-2020-29583");
    assert_eq!(
        last.kev.as_ref().unwrap().due_date.as_deref(),
        Some("2022-05-03")
    );
}
