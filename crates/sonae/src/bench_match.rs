//! `sonae bench match NVD-FILES...`: matching at the scale of DESIGN
//! (10,000 systems, 1,000,000 components) in memory, through the same
//! [`Matcher`] that `sonae match` uses.
//!
//! The inventory is synthetic but drawn from the data: products are the
//! vendor:product pairs of the NVD files' vulnerable criteria (a tenth
//! picked as often as the feed names them, the rest uniformly over the
//! distinct pairs), versions from the newest third of those the criteria
//! and their range bounds name (inventories run mostly current versions),
//! plus versions no record knows (10 %) and no version at all (10 %). A fixed
//! seed makes runs comparable.

use crate::import::parse_file;
use anyhow::Result;
use sonae_domain::vuln::{EpssScore, Feed, Skipped, SourceRecord};
use sonae_feeds::Sink;
use sonae_match::cpe::{AttrValue, Cpe23};
use sonae_match::engine::{Aliases, Component, Matcher};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

/// DESIGN's scale; SONAE_BENCH_SYSTEMS runs a smaller one.
fn systems() -> i64 {
    std::env::var("SONAE_BENCH_SYSTEMS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000)
}
const PER_SYSTEM: i64 = 100;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_owned();
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// The newest copy of each record, with only what matching reads.
#[derive(Default)]
struct Keep {
    records: HashMap<String, SourceRecord>,
    skipped: u64,
}

impl Sink for Keep {
    fn record(&mut self, mut r: SourceRecord) {
        r.description = None;
        r.title = None;
        r.references = Vec::new();
        r.cvss = Vec::new();
        r.cwes = Vec::new();
        match self.records.get(&r.id) {
            Some(old) if old.modified >= r.modified => {}
            _ => {
                self.records.insert(r.id.clone(), r);
            }
        }
    }
    fn skipped(&mut self, _s: Skipped) {
        self.skipped += 1;
    }
}

impl crate::import::SinkWithScores for Keep {
    fn as_sink(&mut self) -> &mut dyn Sink {
        self
    }
    fn score(&mut self, _s: EpssScore) {}
}

/// splitmix64: a small deterministic generator (the bench needs no more).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }
}

struct Product {
    /// The product's CPE without a version (`cpe:2.3:a:apache:http_server:*:…`).
    cpe: String,
    vendor: String,
    product: String,
    versions: Vec<String>,
}

fn products(records: &[SourceRecord]) -> (Vec<Product>, Vec<usize>) {
    let mut by_key: HashMap<(String, String), usize> = HashMap::new();
    let mut list: Vec<Product> = Vec::new();
    // One entry per vulnerable criteria: picking from it weighs products as the feed does.
    let mut weighted: Vec<usize> = Vec::new();
    for r in records {
        for c in &r.configurations {
            for n in &c.nodes {
                for m in n.cpe_match.iter().filter(|m| m.vulnerable) {
                    let Ok(crit) = Cpe23::parse(&m.criteria) else {
                        continue;
                    };
                    let (Some(v), Some(p)) = (crit.vendor.as_text(), crit.product.as_text()) else {
                        continue;
                    };
                    let key = (v.to_owned(), p.to_owned());
                    let idx = *by_key.entry(key.clone()).or_insert_with(|| {
                        let name = Cpe23 {
                            part: crit.part.clone(),
                            vendor: crit.vendor.clone(),
                            product: crit.product.clone(),
                            ..Cpe23::default()
                        };
                        list.push(Product {
                            cpe: name.to_formatted_string(),
                            vendor: key.0.clone(),
                            product: key.1.clone(),
                            versions: Vec::new(),
                        });
                        list.len() - 1
                    });
                    weighted.push(idx);
                    let versions = &mut list[idx].versions;
                    if let AttrValue::Value(t) = &crit.version {
                        if !t.has_wildcards() && versions.len() < 200 {
                            versions.push(t.as_str().to_owned());
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
                        if versions.len() < 200 {
                            versions.push(b.clone());
                        }
                    }
                }
            }
        }
    }
    for p in &mut list {
        p.versions.sort_by(|a, b| {
            sonae_match::version::compare(sonae_match::version::Scheme::Generic, a, b)
        });
        p.versions.dedup();
    }
    (list, weighted)
}

fn inventory(products: &[Product], weighted: &[usize], rng: &mut Rng) -> Vec<Component> {
    let n = systems();
    let mut out = Vec::with_capacity((n * PER_SYSTEM) as usize);
    let mut id = 0;
    for system in 1..=n {
        for _ in 0..PER_SYSTEM {
            id += 1;
            // A tenth as often as the feed names them (popular products), the
            // rest over the long tail of distinct products.
            let p = if rng.below(10) == 0 {
                &products[weighted[rng.below(weighted.len())]]
            } else {
                &products[rng.below(products.len())]
            };
            let version = match rng.below(10) {
                // A version no record names.
                0 => Some(format!(
                    "{}.{}.{}",
                    90 + rng.below(9),
                    rng.below(20),
                    rng.below(50)
                )),
                // Product-level entry without a version.
                1 => None,
                _ if p.versions.is_empty() => None,
                // Mostly current versions: the newest third of those the feed names.
                _ => {
                    let n = p.versions.len();
                    let from = n - n.div_ceil(3);
                    Some(p.versions[from + rng.below(n - from)].clone())
                }
            };
            out.push(Component {
                id,
                system_id: system,
                vendor: Some(p.vendor.clone()),
                product: p.product.clone(),
                version,
                cpe: Some(p.cpe.clone()),
                purl: None,
            });
        }
    }
    out
}

fn ms(s: f64) -> f64 {
    s * 1000.0
}

pub async fn run(files: &[PathBuf]) -> Result<()> {
    println!(
        "match benchmark: {} systems x {PER_SYSTEM} components against {} NVD file(s); {} cores",
        systems(),
        files.len(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let start = Instant::now();
    let mut keep = Keep::default();
    for f in files {
        parse_file(Feed::Nvd, f, &mut keep)?;
    }
    let mut records: Vec<SourceRecord> = keep.records.into_values().collect();
    records.sort_by(|a, b| a.id.cmp(&b.id));
    println!(
        "parse      : {} records ({} skipped) in {:.2}s  peak {:.0} MiB",
        records.len(),
        keep.skipped,
        start.elapsed().as_secs_f64(),
        peak_rss_mib()
    );

    let start = Instant::now();
    let (products, weighted) = products(&records);
    let mut rng = Rng(0x5eed_0000_2026);
    let comps = inventory(&products, &weighted, &mut rng);
    let without_version = comps.iter().filter(|c| c.version.is_none()).count();
    println!(
        "inventory  : {} components on {} systems from {} products ({} without version) in {:.2}s  peak {:.0} MiB",
        comps.len(),
        systems(),
        products.len(),
        without_version,
        start.elapsed().as_secs_f64(),
        peak_rss_mib()
    );

    let start = Instant::now();
    let mut matcher = Matcher::new(Aliases::new());
    for r in &records {
        matcher.add(r);
    }
    let index_s = start.elapsed().as_secs_f64();
    println!(
        "index      : {} records with configurations in {:.2}s  peak {:.0} MiB",
        matcher.nvd_len(),
        index_s,
        peak_rss_mib()
    );

    let start = Instant::now();
    let (mut findings, mut confirmed, mut reason_bytes) = (0u64, 0u64, 0u64);
    let mut affected = vec![false; comps.len() + 1];
    matcher.match_all(&comps, &mut |f| {
        findings += 1;
        if f.certainty == sonae_match::engine::Certainty::Confirmed {
            confirmed += 1;
        }
        reason_bytes += f.reason.len() as u64;
        if let Some(a) = usize::try_from(f.component_id)
            .ok()
            .and_then(|i| affected.get_mut(i))
        {
            *a = true;
        }
    });
    let full_s = start.elapsed().as_secs_f64();
    println!(
        "full match : {findings} findings ({confirmed} confirmed) on {} components in {full_s:.2}s  peak {:.0} MiB",
        affected.iter().filter(|a| **a).count(),
        peak_rss_mib()
    );
    let _ = reason_bytes;

    // The store keeps each component's keys; here the same map in memory.
    let mut by_key: HashMap<String, Vec<i64>> = HashMap::new();
    for c in &comps {
        for k in matcher.component_keys(c) {
            let systems = by_key.entry(k).or_default();
            if systems.last() != Some(&c.system_id) {
                systems.push(c.system_id);
            }
        }
    }
    let per_system = |s: i64| -> Vec<&Component> {
        let from = ((s - 1) * PER_SYSTEM) as usize;
        comps[from..from + PER_SYSTEM as usize].iter().collect()
    };

    // One changed record: the record alone against the systems whose
    // components name one of its products.
    let mut times: Vec<(f64, String, usize)> = Vec::new();
    for _ in 0..200 {
        let r = &records[rng.below(records.len())];
        let start = Instant::now();
        let mut one = Matcher::new(Aliases::new());
        one.add(r);
        let mut systems: Vec<i64> = Matcher::record_keys(r)
            .iter()
            .filter_map(|k| by_key.get(k))
            .flatten()
            .copied()
            .collect();
        systems.sort_unstable();
        systems.dedup();
        let mut n = 0;
        for s in &systems {
            one.match_system(&per_system(*s), &mut |_| n += 1);
        }
        times.push((start.elapsed().as_secs_f64(), r.id.clone(), systems.len()));
        std::hint::black_box(n);
    }
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (median, p99, worst) = (
        &times[times.len() / 2],
        &times[times.len() * 99 / 100],
        &times[times.len() - 1],
    );
    println!(
        "one record : median {:.3} ms, p99 {:.3} ms, worst {:.3} ms ({}, {} systems) over {} random records",
        ms(median.0),
        ms(p99.0),
        ms(worst.0),
        worst.1,
        worst.2,
        times.len()
    );
    // The most-named product's record: the heaviest case there is.
    if let Some((key, systems)) = by_key.iter().max_by_key(|(_, s)| s.len()) {
        if let Some(r) = records
            .iter()
            .rev()
            .find(|r| Matcher::record_keys(r).contains(key))
        {
            let start = Instant::now();
            let mut one = Matcher::new(Aliases::new());
            one.add(r);
            let mut n = 0;
            for s in systems {
                one.match_system(&per_system(*s), &mut |_| n += 1);
            }
            println!(
                "heaviest   : {} ({key}, on {} systems) {:.3} ms, {n} findings",
                r.id,
                systems.len(),
                ms(start.elapsed().as_secs_f64())
            );
        }
    }

    // One changed component: its system against the whole index.
    let mut ctimes: Vec<f64> = Vec::new();
    for _ in 0..200 {
        let c = &comps[rng.below(comps.len())];
        let start = Instant::now();
        let mut n = 0;
        matcher.match_system(&per_system(c.system_id), &mut |f| {
            if f.component_id == c.id {
                n += 1
            }
        });
        ctimes.push(start.elapsed().as_secs_f64());
        std::hint::black_box(n);
    }
    ctimes.sort_by(|a, b| a.total_cmp(b));
    println!(
        "one component: median {:.3} ms, worst {:.3} ms (its whole system re-matched)",
        ms(ctimes[ctimes.len() / 2]),
        ms(ctimes[ctimes.len() - 1])
    );
    let peak = peak_rss_mib();
    println!("peak memory: {peak:.0} MiB");
    println!(
        "targets    : full {full_s:.2}s / 10 s = {:.2}; one record (median) {:.3} ms / 5 ms = {:.2}; memory {peak:.0} MiB / 1024 MiB = {:.2}",
        full_s / 10.0,
        ms(median.0),
        ms(median.0) / 5.0,
        peak / 1024.0
    );
    Ok(())
}
