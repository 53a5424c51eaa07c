//! JVN iPedia entries matched against components, on real VULDEF records
//! (crates/sonae-feeds/tests/fixtures/jvn/SOURCE.md) and minimal edits of
//! them: placeholders affect nothing, "all versions" affects every version.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sonae_domain::vuln::SourceRecord;
use sonae_feeds::Collect;
use sonae_match::engine::{Aliases, Certainty, Component, Found, Matcher};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../sonae-feeds/tests/fixtures/jvn/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn records(xml: &str) -> Vec<SourceRecord> {
    let mut c = Collect::default();
    sonae_feeds::jvn::parse(&mut xml.as_bytes(), &mut c).unwrap();
    assert!(c.skipped.is_empty(), "{:?}", c.skipped);
    c.records
}

/// Quiz And Survey Master (JVNDB-2022-000002, `7.3.7 より前のバージョン`)
/// at `version`, named by its CPE.
fn qsm(version: &str) -> Component {
    Component {
        id: 1,
        system_id: 1,
        vendor: Some("ExpressTech".into()),
        product: "Quiz And Survey Master".into(),
        version: (!version.is_empty()).then(|| version.to_owned()),
        cpe: Some("cpe:2.3:a:expresstech:quiz_and_survey_master:*:*:*:*:*:*:*:*".into()),
        purl: None,
    }
}

fn run(xml: &str, c: Component) -> Vec<Found> {
    let mut m = Matcher::new(Aliases::new());
    for r in records(xml) {
        m.add(&r);
    }
    let mut out = Vec::new();
    m.match_all(&[c], &mut |f| out.push(f));
    out
}

#[test]
fn the_real_entry_matches_before_its_fixed_version() {
    let xml = fixture("jvndb_detail_2022.rdf");
    let found = run(&xml, qsm("7.3.6"));
    assert_eq!(found.len(), 3, "one per CVE of the entry: {found:?}");
    assert!(found.iter().all(|f| f.certainty == Certainty::Confirmed));
    assert!(
        found[0].reason.contains("(read as < 7.3.7)"),
        "{}",
        found[0].reason
    );
    assert!(run(&xml, qsm("7.3.7")).is_empty());
}

#[test]
fn a_placeholder_entry_matches_nothing() {
    for marker in [
        "** 削除 **",
        "** 未確定 **",
        "** サポート外 **",
        "** REJECT **",
    ] {
        let xml = fixture("jvndb_detail_2022.rdf").replace(
            "<Title>WordPress 用プラグイン",
            &format!("<Title>{marker} WordPress 用プラグイン"),
        );
        assert!(run(&xml, qsm("7.3.6")).is_empty(), "{marker}");
        assert!(run(&xml, qsm("")).is_empty(), "{marker}");
    }
    // A disputed one still matches.
    let xml = fixture("jvndb_detail_2022.rdf").replace(
        "<Title>WordPress 用プラグイン",
        "<Title>** DISPUTED ** WordPress 用プラグイン",
    );
    assert_eq!(run(&xml, qsm("7.3.6")).len(), 3);
}

#[test]
fn all_versions_is_a_confirmed_finding_for_any_version() {
    let xml = fixture("jvndb_detail_2022.rdf").replace(
        "<VersionNumber>7.3.7 より前のバージョン</VersionNumber>",
        "<VersionNumber>全てのバージョン</VersionNumber>",
    );
    for v in ["1.0", "7.3.7", "8.1.2", ""] {
        let found = run(&xml, qsm(v));
        assert_eq!(found.len(), 3, "{v}: {found:?}");
        for f in &found {
            assert_eq!(f.certainty, Certainty::Confirmed, "{v}");
            assert!(f.reason.contains("read as all versions"), "{}", f.reason);
        }
    }
}

#[test]
fn log4j_range_with_an_excluded_end() {
    let xml = fixture("jvndb_detail_2021.rdf");
    let log4j = |v: &str| Component {
        id: 1,
        system_id: 1,
        vendor: Some("Apache".into()),
        product: "log4j".into(),
        version: Some(v.into()),
        cpe: Some("cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*".into()),
        purl: None,
    };
    let found = run(&xml, log4j("2.14.1"));
    assert_eq!(found.len(), 1, "{found:?}");
    // The entry names its CVE only in its prose: it stands on its own id.
    assert_eq!(&*found[0].vuln_id, "JVNDB-2021-005429");
    assert_eq!(found[0].certainty, Certainty::Confirmed);
    assert!(
        found[0].reason.contains("read as 2.13.0 ≤ v < 2.15.0"),
        "{}",
        found[0].reason
    );
    assert!(run(&xml, log4j("2.15.0")).is_empty());
    // core 2.0-beta9 から 2.12.1 より前
    assert_eq!(run(&xml, log4j("2.12.0")).len(), 1);
    assert!(run(&xml, log4j("2.12.1")).is_empty());
}
