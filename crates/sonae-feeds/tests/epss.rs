#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sonae_domain::vuln::{EpssScore, Skipped};
use sonae_feeds::{epss, input, FeedError};
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/epss")
        .join(name)
}

struct Out {
    doc: epss::EpssDocument,
    scores: Vec<EpssScore>,
    skipped: Vec<Skipped>,
}

fn parse_file(name: &str) -> Out {
    let mut scores = Vec::new();
    let mut skipped = Vec::new();
    let mut doc = None;
    input::for_each_document(&fixture(name), &mut |_, r| {
        doc = Some(epss::parse(r, &mut |s| scores.push(s), &mut |s| {
            skipped.push(s)
        })?);
        Ok(())
    })
    .unwrap();
    Out {
        doc: doc.unwrap(),
        scores,
        skipped,
    }
}

fn parse_str(
    s: &str,
) -> (
    Result<epss::EpssDocument, FeedError>,
    Vec<EpssScore>,
    Vec<Skipped>,
) {
    let mut scores = Vec::new();
    let mut skipped = Vec::new();
    let mut r = s.as_bytes();
    let res = epss::parse(&mut r, &mut |s| scores.push(s), &mut |s| skipped.push(s));
    (res, scores, skipped)
}

fn find<'a>(scores: &'a [EpssScore], cve: &str) -> &'a EpssScore {
    scores.iter().find(|s| s.cve.as_str() == cve).unwrap()
}

#[test]
fn v1_2021_two_columns_gz() {
    let out = parse_file("epss_scores-2021-04-14.csv.gz");
    assert_eq!(out.doc.scores, 2);
    assert_eq!(out.doc.skipped, 0);
    assert_eq!(out.doc.score_date, None);
    assert_eq!(out.doc.model_version, None);
    let s = find(&out.scores, "CVE-2020-5902");
    assert_eq!(s.epss, 0.65117);
    assert_eq!(s.percentile, None);
    assert_eq!(s.date, None);
    assert_eq!(find(&out.scores, "CVE-2018-19571").epss, 0.04773);
}

#[test]
fn three_columns_without_comment_gz() {
    let out = parse_file("epss_scores-2021-09-01.csv.gz");
    assert_eq!(out.doc.scores, 2);
    assert_eq!(out.doc.score_date, None);
    let s = find(&out.scores, "CVE-2020-5902");
    assert_eq!(s.epss, 0.65117);
    assert_eq!(s.percentile, Some(0.9981063485700858));
}

#[test]
fn model_version_comment_gz() {
    let out = parse_file("epss_scores-2022-02-04.csv.gz");
    assert_eq!(out.doc.model_version.as_deref(), Some("v2022.01.01"));
    assert_eq!(out.doc.score_date.as_deref(), Some("2022-02-04"));
    let s = find(&out.scores, "CVE-2020-5902");
    assert_eq!((s.epss, s.percentile), (0.96817, Some(0.99999)));

    let out = parse_file("epss_scores-2023-03-07.csv.gz");
    assert_eq!(out.doc.model_version.as_deref(), Some("v2023.03.01"));
    assert_eq!(out.doc.score_date.as_deref(), Some("2023-03-07"));
    assert_eq!(out.doc.scores, 2);
    assert!(out.skipped.is_empty());
    let s = find(&out.scores, "CVE-2018-19571");
    assert_eq!(s.epss, 0.00113);
    assert_eq!(s.percentile, Some(0.43131));
    assert_eq!(s.date.as_deref(), Some("2023-03-07"));
}

#[test]
fn plain_csv_with_comment() {
    let out = parse_file("vunnel-example-1.csv");
    assert_eq!(out.doc.scores, 5);
    assert_eq!(out.doc.score_date.as_deref(), Some("2025-02-20"));
    let s = find(&out.scores, "CVE-1999-0005");
    assert_eq!((s.epss, s.percentile), (0.91963, Some(0.99214)));
    assert_eq!(s.date.as_deref(), Some("2025-02-20"));
}

#[test]
fn emba_semicolon_without_header() {
    let out = parse_file("emba-CVE_2021_EPSS-excerpt.csv");
    assert_eq!(out.doc.scores, 21);
    assert_eq!(out.doc.skipped, 0);
    assert_eq!(out.doc.score_date, None);
    assert_eq!(out.doc.model_version, None);
    // The first line is data, not a header.
    let first = &out.scores[0];
    assert_eq!(first.cve.as_str(), "CVE-2021-47688");
    assert_eq!((first.epss, first.percentile), (0.00017, Some(0.02568)));
    let log4shell = find(&out.scores, "CVE-2021-44228");
    assert_eq!(log4shell.epss, 0.9447);
    assert_eq!(log4shell.percentile, Some(0.99996));
}

#[test]
fn bad_rows_are_skipped_with_their_line() {
    let csv = "#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000\r\n\
               cve,epss,percentile\r\n\
               CVE-2020-5902,0.97567,0.99995\r\n\
               CVE-XXXX-1,0.1,0.2\r\n\
               CVE-2018-19571,abc,0.43131\r\n\
               CVE-2018-19572,1.5,0.5\r\n\
               CVE-2018-19573,0.5,-0.1\r\n\
               \r\n\
               CVE-2018-19571,0.00113,0.43131\r\n";
    let (res, scores, skipped) = parse_str(csv);
    let doc = res.unwrap();
    assert_eq!((doc.scores, doc.skipped), (2, 4));
    assert_eq!(scores.len(), 2);
    assert_eq!(scores[1].cve.as_str(), "CVE-2018-19571");
    assert_eq!(skipped[0].id, "line 4");
    assert!(skipped[0].reason.contains("CVE-XXXX-1"), "{:?}", skipped[0]);
    assert_eq!(skipped[1].id, "CVE-2018-19571");
    assert!(skipped[1].reason.starts_with("line 5:"), "{:?}", skipped[1]);
    assert_eq!(skipped[2].id, "CVE-2018-19572");
    assert!(skipped[2].reason.starts_with("line 6:"));
    assert_eq!(skipped[3].id, "CVE-2018-19573");
    assert!(skipped[3].reason.contains("percentile"));
}

#[test]
fn bad_semicolon_row_is_skipped() {
    let (res, scores, skipped) =
        parse_str("CVE-2021-47688;0.000170000;0.025680000\nCVE-2021-47671;;0.027350000\n");
    assert_eq!(res.unwrap().skipped, 1);
    assert_eq!(scores.len(), 1);
    assert_eq!(skipped[0].id, "CVE-2021-47671");
    assert!(skipped[0].reason.starts_with("line 2:"));
}

#[test]
fn not_an_epss_file() {
    for text in [
        "{\"vulnerabilities\": []}\n",
        "id,score\nCVE-2020-5902,1\n",
        "cve,score\n",
    ] {
        let (res, _, _) = parse_str(text);
        match res {
            Err(FeedError::Format { expected, detail }) => {
                assert_eq!(expected, "EPSS CSV");
                assert!(detail.starts_with("line 1:"), "{detail}");
            }
            other => panic!("{text:?}: {other:?}"),
        }
    }
    // An empty file is simply empty.
    let (res, _, _) = parse_str("");
    assert_eq!(res.unwrap().scores, 0);
}
