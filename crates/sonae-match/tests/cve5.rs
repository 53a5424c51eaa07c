//! CVE 5 `affected` data matched against components, on real CVE 5 records
//! (crates/sonae-feeds/tests/fixtures/cve5/SOURCE.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sonae_domain::vuln::{
    ConfigNode, Configuration, CpeMatch, CveId, Feed, Operator, SourceRecord,
};
use sonae_match::engine::{Aliases, Certainty, Component, Found, Matcher};
use std::path::Path;

fn record(name: &str) -> SourceRecord {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sonae-feeds/tests/fixtures/cve5")
        .join(name);
    let bytes = std::fs::read(path).unwrap();
    sonae_feeds::cve5::record(&bytes).unwrap()
}

fn matcher() -> Matcher {
    let mut m = Matcher::new(Aliases::new());
    for f in [
        "CVE-2024-26120.json",
        "CVE-2019-25162.json",
        "CVE-2023-24531.json",
        "CVE-2023-39913.json",
        "CVE-2019-25161.json",
        "CVE-2023-24000.json",
    ] {
        m.add(&record(f));
    }
    m
}

fn comp(
    id: i64,
    vendor: Option<&str>,
    product: &str,
    version: &str,
    cpe: Option<&str>,
    purl: Option<&str>,
) -> Component {
    Component {
        id,
        system_id: id,
        vendor: vendor.map(Into::into),
        product: product.into(),
        version: Some(version.into()).filter(|v: &String| !v.is_empty()),
        cpe: cpe.map(Into::into),
        purl: purl.map(Into::into),
    }
}

fn run(m: &Matcher, comps: &[Component]) -> Vec<Found> {
    let mut out = Vec::new();
    m.match_all(comps, &mut |f| out.push(f));
    out
}

fn ids(found: &[Found], component: i64) -> Vec<String> {
    let mut v: Vec<String> = found
        .iter()
        .filter(|f| f.component_id == component)
        .map(|f| f.vuln_id.to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn vendor_and_product_names_match_across_spellings() {
    let m = matcher();
    let found = run(
        &m,
        &[
            // The inventory's spelling, no CPE: folded names meet the CNA's.
            comp(
                1,
                Some("Adobe Inc."),
                "Experience Manager",
                "6.5.19",
                None,
                None,
            ),
            // A CPE meets the ADP's CPE.
            comp(
                2,
                None,
                "AEM",
                "",
                Some("cpe:2.3:a:adobe:experience_manager:6.5.18:*:*:*:*:*:*:*"),
                None,
            ),
            comp(3, Some("Adobe"), "Photoshop", "6.5.19", None, None),
        ],
    );
    assert_eq!(ids(&found, 1), ["CVE-2024-26120"]);
    assert_eq!(ids(&found, 2), ["CVE-2024-26120"]);
    assert!(ids(&found, 3).is_empty(), "another product of the vendor");
    let f = found.iter().find(|f| f.component_id == 1).unwrap();
    assert_eq!(f.certainty, Certainty::Confirmed);
    assert!(f.reason.starts_with("CVE 5 CNA (adobe)"), "{}", f.reason);
}

#[test]
fn the_kernel_version_block_outranks_the_git_block() {
    let m = matcher();
    let kernel = |id, v: &str| comp(id, Some("Linux"), "Linux Kernel", v, None, None);
    let found = run(
        &m,
        &[
            kernel(1, "4.14.200"),
            kernel(2, "4.14.300"),
            kernel(3, "6.1.20"),
            kernel(4, "4.2"),
        ],
    );
    assert_eq!(ids(&found, 1), ["CVE-2019-25162"], "below the 4.14 fix");
    assert_eq!(
        found[0].certainty,
        Certainty::Confirmed,
        "the version block decides, not the git block's possible"
    );
    assert!(ids(&found, 2).is_empty(), "4.14.291 ≤ v ≤ 4.14.* is fixed");
    assert!(ids(&found, 3).is_empty(), "6.0 and later are fixed");
    assert!(ids(&found, 4).is_empty(), "before 4.3 unaffected");
}

#[test]
fn packages_match_by_package_name_and_collection() {
    let m = matcher();
    let found = run(
        &m,
        &[
            comp(
                1,
                None,
                "uimaj-core",
                "3.4.1",
                None,
                Some("pkg:maven/org.apache.uima/uimaj-core@3.4.1"),
            ),
            comp(
                2,
                None,
                "uimaj-core",
                "3.5.0",
                None,
                Some("pkg:maven/org.apache.uima/uimaj-core@3.5.0"),
            ),
            comp(
                3,
                None,
                "go",
                "1.20.5",
                None,
                Some("pkg:golang/cmd/go@1.20.5"),
            ),
            comp(
                4,
                None,
                "go",
                "1.21.1",
                None,
                Some("pkg:golang/cmd/go@1.21.1"),
            ),
        ],
    );
    assert_eq!(ids(&found, 1), ["CVE-2023-39913"]);
    assert!(ids(&found, 2).is_empty(), "3.5.0 is the fix");
    assert_eq!(ids(&found, 3), ["CVE-2023-24531"]);
    assert!(ids(&found, 4).is_empty());
}

#[test]
fn distribution_packages_are_left_to_their_distribution() {
    let m = matcher();
    let found = run(
        &m,
        &[comp(
            1,
            Some("Linux"),
            "linux",
            "4.14.200",
            None,
            Some("pkg:deb/debian/linux@4.14.200-1?distro=debian-10"),
        )],
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn changes_inside_a_range_and_unversioned_components() {
    let m = matcher();
    let found = run(
        &m,
        &[
            comp(1, Some("GamiPress"), "GamiPress", "2.5.6", None, None),
            comp(2, Some("GamiPress"), "GamiPress", "2.5.8", None, None),
            comp(3, Some("GamiPress"), "GamiPress", "", None, None),
        ],
    );
    assert_eq!(ids(&found, 1), ["CVE-2023-24000"]);
    assert!(ids(&found, 2).is_empty());
    let unversioned = found.iter().find(|f| f.component_id == 3).unwrap();
    assert_eq!(unversioned.certainty, Certainty::Possible);
    assert!(unversioned.reason.contains("does not state its version"));
}

/// NVD and the CNA both find it: one finding with both reasons.
#[test]
fn one_finding_with_every_source_reason() {
    let mut m = matcher();
    let mut nvd = SourceRecord::new(Feed::Nvd, "CVE-2024-26120", "en");
    nvd.cves = vec![CveId::parse("CVE-2024-26120").unwrap()];
    nvd.configurations = vec![Configuration {
        operator: None,
        negate: false,
        nodes: vec![ConfigNode {
            operator: Operator::Or,
            negate: false,
            cpe_match: vec![CpeMatch {
                vulnerable: true,
                criteria: "cpe:2.3:a:adobe:experience_manager:*:*:*:*:*:*:*:*".into(),
                match_criteria_id: None,
                version_start_including: None,
                version_start_excluding: None,
                version_end_including: Some("6.5.19".into()),
                version_end_excluding: None,
            }],
        }],
    }];
    m.add(&nvd);
    let found = run(
        &m,
        &[comp(
            1,
            None,
            "AEM",
            "",
            Some("cpe:2.3:a:adobe:experience_manager:6.5.18:*:*:*:*:*:*:*"),
            None,
        )],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].reason.contains("CVE 5 CNA (adobe)"),
        "{}",
        found[0].reason
    );
    assert!(found[0].reason.contains("6.5.19"), "NVD's reason kept");
}

#[test]
fn record_and_component_keys_meet_for_the_incremental_rematch() {
    let m = matcher();
    let rec = record("CVE-2024-26120.json");
    let keys = Matcher::record_keys(&rec);
    let c = comp(
        1,
        Some("Adobe Inc."),
        "Experience Manager",
        "6.5.19",
        None,
        None,
    );
    let ck = m.component_keys(&c);
    assert!(ck.iter().any(|k| keys.contains(k)), "{keys:?} / {ck:?}");
}

/// NVD says vulnerable, the CNA says this version is not: the finding
/// stays (NVD's configuration matched) and its reason says they disagree.
#[test]
fn a_disagreement_between_sources_is_shown() {
    let mut m = matcher();
    let mut nvd = SourceRecord::new(Feed::Nvd, "CVE-2019-25162", "en");
    nvd.cves = vec![CveId::parse("CVE-2019-25162").unwrap()];
    nvd.configurations = vec![Configuration {
        operator: None,
        negate: false,
        nodes: vec![ConfigNode {
            operator: Operator::Or,
            negate: false,
            cpe_match: vec![CpeMatch {
                vulnerable: true,
                criteria: "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*".into(),
                match_criteria_id: None,
                version_start_including: Some("4.3".into()),
                version_start_excluding: None,
                version_end_including: None,
                version_end_excluding: Some("6.0".into()),
            }],
        }],
    }];
    m.add(&nvd);
    let found = run(
        &m,
        &[comp(
            1,
            None,
            "kernel",
            "",
            Some("cpe:2.3:o:linux:linux_kernel:4.14.300:*:*:*:*:*:*:*"),
            None,
        )],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .reason
            .contains("sources disagree: CVE 5 CNA (Linux) says version 4.14.300 is not affected"),
        "{}",
        found[0].reason
    );
}

/// Microsoft names each Windows release with a build-number range: the
/// release and full build a collector reports decide.
#[test]
fn windows_releases_match_by_build_number() {
    let mut m = Matcher::new(Aliases::new());
    m.add(&record("CVE-2024-30000.json"));
    let win =
        |id, product: &str, build: &str| comp(id, Some("Microsoft"), product, build, None, None);
    let found = run(
        &m,
        &[
            win(1, "Windows 11 Version 23H2", "10.0.22631.3447"),
            win(2, "Windows 11 Version 23H2", "10.0.22631.3593"),
            win(3, "Windows 11 Version 22H2", "10.0.22621.3447"),
            win(4, "Windows Server 2022", "10.0.20348.2402"),
        ],
    );
    assert_eq!(ids(&found, 1), ["CVE-2024-30000"]);
    assert!(ids(&found, 2).is_empty(), "the fixed build");
    assert_eq!(ids(&found, 3), ["CVE-2024-30000"], "its own range");
    assert_eq!(ids(&found, 4), ["CVE-2024-30000"]);
    let f = found.iter().find(|f| f.component_id == 1).unwrap();
    assert!(f.reason.contains("10.0.22631.3593"), "{}", f.reason);
}
