//! The fast matching path (per-product tables, per-name cache, sparse
//! evaluation of platform configurations, threads) against the plain
//! reading of the rules, finding by finding, on real NVD records.
//!
//! The fixture `fixtures/nvd-sample.json.gz` holds 357 records of the NVD
//! API 2.0 yearly files (vulnz cache of 2024-04-07, see
//! `fixtures/SOURCE.md`): products with many versions and ranges (Linux,
//! Firefox, Chrome, Cisco IOS, OpenSSL, PHP…), application-on-platform
//! configurations (Flash Player, Acrobat Reader on Windows and macOS…) and
//! 40 more records with AND or platform configurations.

#![allow(clippy::unwrap_used)]

use sonae_domain::vuln::SourceRecord;
use sonae_match::cpe::{AttrValue, Cpe23};
use sonae_match::engine::{Aliases, Component, Found, Matcher};
use std::collections::BTreeSet;
use std::path::Path;

fn records() -> Vec<SourceRecord> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nvd-sample.json.gz");
    let mut sink = sonae_feeds::Collect::default();
    sonae_feeds::input::for_each_document(&path, &mut |_, r| {
        sonae_feeds::nvd::parse(r, &mut sink).map(|_| ())
    })
    .unwrap();
    assert!(sink.skipped.is_empty(), "{:?}", sink.skipped);
    sink.records
}

/// splitmix64, for a fixed inventory.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) % n.max(1) as u64) as usize
    }
}

/// (cpe, version) pairs an inventory could hold for the records' products:
/// every version their criteria and bounds name, no version, a version no
/// record names, and the criteria names themselves (with update, target
/// software… as the feed writes them).
fn names(records: &[SourceRecord]) -> Vec<(String, Option<String>)> {
    let mut out: BTreeSet<(String, Option<String>)> = BTreeSet::new();
    for r in records {
        for c in &r.configurations {
            for n in &c.nodes {
                for m in &n.cpe_match {
                    let Ok(crit) = Cpe23::parse(&m.criteria) else {
                        continue;
                    };
                    let product = Cpe23 {
                        part: crit.part.clone(),
                        vendor: crit.vendor.clone(),
                        product: crit.product.clone(),
                        ..Cpe23::default()
                    }
                    .to_formatted_string();
                    out.insert((product.clone(), None));
                    out.insert((product.clone(), Some("99.1.2".into())));
                    if let AttrValue::Value(v) = &crit.version {
                        if !v.has_wildcards() {
                            out.insert((product.clone(), Some(v.as_str().to_owned())));
                            out.insert((m.criteria.clone(), None));
                        }
                    }
                    for b in [
                        &m.version_start_including,
                        &m.version_start_excluding,
                        &m.version_end_including,
                        &m.version_end_excluding,
                    ]
                    .into_iter()
                    .flatten()
                    {
                        out.insert((product.clone(), Some(b.clone())));
                    }
                }
            }
        }
    }
    out.into_iter().collect()
}

type Row = (i64, String, &'static str, String);

fn row(f: Found) -> Row {
    (
        f.component_id,
        f.vuln_id.to_string(),
        f.certainty.as_str(),
        f.reason.to_string(),
    )
}

#[test]
fn the_fast_path_finds_what_the_plain_rules_find() {
    let records = records();
    assert_eq!(records.len(), 357);
    let mut m = Matcher::new(Aliases::new());
    for r in &records {
        m.add(r);
    }
    let pool = names(&records);
    // Platforms often enough that application-on-platform records hold.
    let platforms: Vec<&(String, Option<String>)> = pool
        .iter()
        .filter(|(c, _)| c.starts_with("cpe:2.3:o:"))
        .collect();
    let mut rng = Rng(2026);
    let mut comps: Vec<Component> = Vec::new();
    // Enough components that the full match runs on threads.
    for system in 1..=240i64 {
        for slot in 0..25 {
            let (cpe, version) = if slot < 3 {
                platforms[rng.below(platforms.len())].clone()
            } else {
                pool[rng.below(pool.len())].clone()
            };
            comps.push(Component {
                id: system * 100 + slot,
                system_id: system,
                vendor: None,
                product: String::new(),
                version,
                cpe: Some(cpe),
                purl: None,
            });
        }
    }
    let mut fast: Vec<Row> = Vec::new();
    m.match_all(&comps, &mut |f| fast.push(row(f)));
    let mut slow: Vec<Row> = Vec::new();
    for system in comps.chunks(25) {
        let refs: Vec<&Component> = system.iter().collect();
        m.match_system_reference(&refs, &mut |f| slow.push(row(f)));
    }
    fast.sort();
    slow.sort();
    let missed: Vec<&Row> = slow
        .iter()
        .filter(|r| fast.binary_search(r).is_err())
        .collect();
    let extra: Vec<&Row> = fast
        .iter()
        .filter(|r| slow.binary_search(r).is_err())
        .collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed {}: {:?}\nextra {}: {:?}",
        missed.len(),
        missed.iter().take(5).collect::<Vec<_>>(),
        extra.len(),
        extra.iter().take(5).collect::<Vec<_>>()
    );
    // The comparison covers every kind of result.
    let confirmed = fast.iter().filter(|r| r.2 == "confirmed").count();
    let possible = fast.iter().filter(|r| r.2 == "possible").count();
    let on_platform = fast.iter().filter(|r| r.3.contains("running on")).count();
    let ranges = fast
        .iter()
        .filter(|r| r.3.contains("versionEndExcluding"))
        .count();
    assert!(fast.len() > 5_000, "{} findings", fast.len());
    assert!(
        confirmed > 1_000 && possible > 1_000,
        "{confirmed} / {possible}"
    );
    assert!(on_platform > 50, "{on_platform} platform findings");
    assert!(ranges > 100, "{ranges} range findings");
}

/// A record added after a match is seen by the next one (the tables are
/// built again), and a name cached before does not hide it.
#[test]
fn records_added_later_are_matched() {
    let records = records();
    let mut m = Matcher::new(Aliases::new());
    let (first, rest) = records.split_at(records.len() / 2);
    for r in first {
        m.add(r);
    }
    let comps: Vec<Component> = names(&records)
        .into_iter()
        .enumerate()
        .map(|(i, (cpe, version))| Component {
            id: i as i64,
            system_id: i as i64 / 20,
            vendor: None,
            product: String::new(),
            version,
            cpe: Some(cpe),
            purl: None,
        })
        .collect();
    let mut before = 0;
    m.match_all(&comps, &mut |_| before += 1);
    for r in rest {
        m.add(r);
    }
    let mut after: Vec<Row> = Vec::new();
    m.match_all(&comps, &mut |f| after.push(row(f)));
    let mut all = Matcher::new(Aliases::new());
    for r in &records {
        all.add(r);
    }
    let mut expected: Vec<Row> = Vec::new();
    all.match_all(&comps, &mut |f| expected.push(row(f)));
    after.sort();
    expected.sort();
    assert!(after.len() > before, "{} then {}", before, after.len());
    assert_eq!(after, expected);
}

/// A criteria for Firefox on iOS (CVE-2026-2032) against a desktop Firefox
/// whose CPE states no target software: possible, on the fast path as on
/// the plain one; a Firefox that states iphone_os is confirmed.
#[test]
fn an_unstated_target_sw_is_possible_on_both_paths() {
    use sonae_domain::vuln::{ConfigNode, Configuration, CpeMatch, CveId, Feed, Operator};
    let mut r = SourceRecord::new(Feed::Nvd, "CVE-2026-2032", "en");
    r.cves = vec![CveId::parse("CVE-2026-2032").unwrap()];
    r.configurations = vec![Configuration {
        operator: None,
        negate: false,
        nodes: vec![ConfigNode {
            operator: Operator::Or,
            negate: false,
            cpe_match: vec![CpeMatch {
                vulnerable: true,
                criteria: "cpe:2.3:a:mozilla:firefox:*:*:*:*:*:iphone_os:*:*".into(),
                match_criteria_id: None,
                version_start_including: None,
                version_start_excluding: None,
                version_end_including: None,
                version_end_excluding: Some("148.0".into()),
            }],
        }],
    }];
    let mut m = Matcher::new(Aliases::new());
    m.add(&r);
    let comp = |id: i64, cpe: &str| Component {
        id,
        system_id: 1,
        vendor: None,
        product: String::new(),
        version: None,
        cpe: Some(cpe.into()),
        purl: None,
    };
    let comps = vec![
        comp(1, "cpe:2.3:a:mozilla:firefox:147.0:*:*:*:*:*:*:*"),
        comp(2, "cpe:2.3:a:mozilla:firefox:147.0:*:*:*:*:iphone_os:*:*"),
        comp(3, "cpe:2.3:a:mozilla:firefox:147.0:*:*:*:*:android:*:*"),
    ];
    let mut fast: Vec<Row> = Vec::new();
    m.match_all(&comps, &mut |f| fast.push(row(f)));
    let refs: Vec<&Component> = comps.iter().collect();
    let mut slow: Vec<Row> = Vec::new();
    m.match_system_reference(&refs, &mut |f| slow.push(row(f)));
    fast.sort();
    slow.sort();
    assert_eq!(fast, slow);
    let certainty: Vec<(i64, &str)> = fast.iter().map(|r| (r.0, r.2)).collect();
    assert_eq!(certainty, vec![(1, "possible"), (2, "confirmed")]);
    assert!(
        fast[0]
            .3
            .contains("component does not state target_sw (criteria: iphone_os)"),
        "{fast:?}"
    );
}
