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
use sonae_match::engine::{Aliases, Component, Found, Matcher};
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
/// Systems made and matched at a time in the full match.
const BATCH: i64 = 256;

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

/// First pass: the newest `modified` of each record id.
#[derive(Default)]
struct Newest {
    modified: HashMap<String, Option<String>>,
    skipped: u64,
}

impl Sink for Newest {
    fn record(&mut self, r: SourceRecord) {
        match self.modified.get(&r.id) {
            Some(old) if *old >= r.modified => {}
            _ => {
                self.modified.insert(r.id, r.modified);
            }
        }
    }
    fn skipped(&mut self, _s: Skipped) {
        self.skipped += 1;
    }
}

impl crate::import::SinkWithScores for Newest {
    fn as_sink(&mut self) -> &mut dyn Sink {
        self
    }
    fn score(&mut self, _s: EpssScore) {}
}

/// Second pass: each record's newest copy (the first of equals) goes
/// straight into the matcher and the product list; a random sample is
/// kept for the one-record runs. Nothing else of the records is held.
struct Feed2<'a> {
    newest: &'a HashMap<String, Option<String>>,
    added: std::collections::HashSet<String>,
    matcher: &'a mut Matcher,
    products: Products,
    sample: Vec<SourceRecord>,
    seen: u64,
    rng: Rng,
}

/// Records kept for the one-record runs.
const SAMPLE: usize = 200;

impl Sink for Feed2<'_> {
    fn record(&mut self, r: SourceRecord) {
        if self.newest.get(&r.id) != Some(&r.modified) || !self.added.insert(r.id.clone()) {
            return;
        }
        self.matcher.add(&r);
        self.products.add(&r);
        // Reservoir sampling: every record equally likely.
        self.seen += 1;
        if self.sample.len() < SAMPLE {
            self.sample.push(r);
        } else {
            let j = self.rng.below(self.seen as usize);
            if let Some(slot) = self.sample.get_mut(j) {
                *slot = r;
            }
        }
    }
    fn skipped(&mut self, _s: Skipped) {}
}

impl crate::import::SinkWithScores for Feed2<'_> {
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

/// The vendor:product pairs the feed's vulnerable criteria name, with the
/// versions they name.
#[derive(Default)]
struct Products {
    by_key: HashMap<(String, String), usize>,
    list: Vec<Product>,
    /// One entry per vulnerable criteria: picking from it weighs products as the feed does.
    weighted: Vec<usize>,
}

impl Products {
    fn add(&mut self, r: &SourceRecord) {
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
                    let list = &mut self.list;
                    let idx = *self.by_key.entry(key.clone()).or_insert_with(|| {
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
                    self.weighted.push(idx);
                    let versions = &mut self.list[idx].versions;
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

    fn finish(&mut self) {
        for p in &mut self.list {
            p.versions.sort_by(|a, b| {
                sonae_match::version::compare(sonae_match::version::Scheme::Generic, a, b)
            });
            p.versions.dedup();
        }
    }

    /// The components of one system: the same for the same system number
    /// on every call (each system has its own seed), so the inventory is
    /// made again where it is needed instead of being held in memory.
    fn system(&self, system: i64) -> Vec<Component> {
        let mut rng = Rng(0x5eed_0000_2026 ^ (system as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
        let mut out = Vec::with_capacity(PER_SYSTEM as usize);
        for slot in 0..PER_SYSTEM {
            // A tenth as often as the feed names them (popular products), the
            // rest over the long tail of distinct products.
            let p = if rng.below(10) == 0 {
                &self.list[self.weighted[rng.below(self.weighted.len())]]
            } else {
                &self.list[rng.below(self.list.len())]
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
                id: (system - 1) * PER_SYSTEM + slot + 1,
                system_id: system,
                vendor: Some(p.vendor.clone()),
                product: p.product.clone(),
                version,
                cpe: Some(p.cpe.clone()),
                purl: None,
            });
        }
        out
    }
}

fn ms(s: f64) -> f64 {
    s * 1000.0
}

/// (component, vulnerability, certainty, reason), sorted.
type Rows = Vec<(i64, String, &'static str, String)>;

fn rows(found: Vec<Found>) -> Rows {
    let mut v: Rows = found
        .into_iter()
        .map(|f| {
            (
                f.component_id,
                f.vuln_id.to_string(),
                f.certainty.as_str(),
                f.reason.to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

pub async fn run(files: &[PathBuf]) -> Result<()> {
    let n_systems = systems();
    println!(
        "match benchmark: {n_systems} systems x {PER_SYSTEM} components against {} NVD file(s); {} cores",
        files.len(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let start = Instant::now();
    let mut newest = Newest::default();
    for f in files {
        parse_file(Feed::Nvd, f, &mut newest)?;
    }
    println!(
        "scan       : {} records ({} skipped) in {:.2}s  peak {:.0} MiB",
        newest.modified.len(),
        newest.skipped,
        start.elapsed().as_secs_f64(),
        peak_rss_mib()
    );

    // The records stream into the index: none is kept but a small sample.
    let start = Instant::now();
    let mut matcher = Matcher::new(Aliases::new());
    let mut feed = Feed2 {
        newest: &newest.modified,
        added: std::collections::HashSet::new(),
        matcher: &mut matcher,
        products: Products::default(),
        sample: Vec::new(),
        seen: 0,
        rng: Rng(0x5eed_0000_2027),
    };
    for f in files {
        parse_file(Feed::Nvd, f, &mut feed)?;
    }
    let Feed2 {
        mut products,
        sample,
        ..
    } = feed;
    drop(newest);
    let parse_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    matcher.prepare();
    let prepare_s = start.elapsed().as_secs_f64();
    products.finish();
    println!(
        "index      : {} records with configurations, parsed and added in {parse_s:.2}s, per-product tables in {prepare_s:.2}s  peak {:.0} MiB",
        matcher.nvd_len(),
        peak_rss_mib()
    );

    // The inventory, made system by system; the store keeps each
    // component's keys, and so does this map (key → components).
    let start = Instant::now();
    let mut by_key: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
    let (mut total, mut without_version) = (0usize, 0usize);
    for s in 1..=n_systems {
        for c in products.system(s) {
            total += 1;
            if c.version.is_none() {
                without_version += 1;
            }
            for k in matcher.component_keys(&c) {
                by_key.entry(k).or_default().push((s, c.id));
            }
        }
    }
    println!(
        "inventory  : {total} components on {n_systems} systems from {} products ({without_version} without version) in {:.2}s  peak {:.0} MiB",
        products.list.len(),
        start.elapsed().as_secs_f64(),
        peak_rss_mib()
    );

    // The fast path against the plain reading of the rules, finding by finding.
    let verify: i64 = std::env::var("SONAE_BENCH_VERIFY")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20)
        .min(n_systems);
    if verify > 0 {
        let start = Instant::now();
        let (mut fast, mut slow) = (Vec::new(), Vec::new());
        let run = matcher.full_match();
        for s in 1..=verify {
            let comps = products.system(s);
            let refs: Vec<&Component> = comps.iter().collect();
            run.system(&refs, &mut |f| fast.push(f));
            matcher.match_system_reference(&refs, &mut |f| slow.push(f));
        }
        let (fast, slow) = (rows(fast), rows(slow));
        if fast != slow {
            let missed: Vec<_> = slow.iter().filter(|r| !fast.contains(r)).take(3).collect();
            let extra: Vec<_> = fast.iter().filter(|r| !slow.contains(r)).take(3).collect();
            anyhow::bail!(
                "check failed: the fast path gives {} findings, the reference {}; missed {missed:?}; extra {extra:?}",
                fast.len(),
                slow.len()
            );
        }
        println!(
            "check      : {} findings on {verify} systems, identical to the reference evaluation (reasons included) in {:.2}s",
            fast.len(),
            start.elapsed().as_secs_f64()
        );
    }

    // SONAE_BENCH_CVE5=FILE (the CVE Program's bulk zip or a folder): its
    // CNA and ADP affected blocks join the index for the full match (after
    // the check above, whose reference reads NVD configurations only).
    if let Some(path) = std::env::var_os("SONAE_BENCH_CVE5") {
        let start = Instant::now();
        let mut add = AddCve5 {
            matcher: &mut matcher,
            records: 0,
        };
        parse_file(Feed::Cve5, std::path::Path::new(&path), &mut add)?;
        let records = add.records;
        println!(
            "cve5       : {records} records, {} affected blocks indexed in {:.2}s  peak {:.0} MiB",
            matcher.cve5_len(),
            start.elapsed().as_secs_f64(),
            peak_rss_mib()
        );
    }

    // The full match: systems in batches over the cores, as `sonae match`
    // does. Making each batch's components stands for reading them from
    // the store and is not timed.
    let (mut findings, mut confirmed, mut reason_bytes, mut affected) = (0u64, 0u64, 0u64, 0u64);
    let mut full_s = 0.0;
    // SONAE_BENCH_THREADS: fewer threads than cores (to compare).
    let mut run = matcher.full_match();
    if let Some(n) = std::env::var("SONAE_BENCH_THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        run = run.with_threads(n);
    }
    let mut hit = vec![false; (n_systems * PER_SYSTEM) as usize + 1];
    let mut first = 1;
    while first <= n_systems {
        let last = (first + BATCH - 1).min(n_systems);
        let comps: Vec<Vec<Component>> = (first..=last).map(|s| products.system(s)).collect();
        let refs: Vec<Vec<&Component>> = comps.iter().map(|c| c.iter().collect()).collect();
        let start = Instant::now();
        run.systems(&refs, &mut |f| {
            findings += 1;
            if f.certainty == sonae_match::engine::Certainty::Confirmed {
                confirmed += 1;
            }
            reason_bytes += f.reason.len() as u64;
            if let Some(h) = usize::try_from(f.component_id)
                .ok()
                .and_then(|i| hit.get_mut(i))
            {
                *h = true;
            }
        });
        full_s += start.elapsed().as_secs_f64();
        first = last + 1;
    }
    affected += hit.iter().filter(|h| **h).count() as u64;
    drop(run);
    println!(
        "full match : {findings} findings ({confirmed} confirmed, {:.0} MiB of reasons) on {affected} components in {full_s:.2}s  peak {:.0} MiB",
        reason_bytes as f64 / 1048576.0,
        peak_rss_mib()
    );

    // One changed record: the record alone against the components that
    // name one of its products (what the store's key table yields),
    // system by system. Reading them is not timed.
    let touched = |r: &SourceRecord| -> Vec<Component> {
        let mut ids: Vec<(i64, i64)> = Matcher::record_keys(r)
            .iter()
            .filter_map(|k| by_key.get(k))
            .flatten()
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut out = Vec::new();
        let mut current: Option<(i64, Vec<Component>)> = None;
        for (s, id) in ids {
            if current.as_ref().is_none_or(|(cs, _)| *cs != s) {
                current = Some((s, products.system(s)));
            }
            if let Some(c) = current
                .as_ref()
                .and_then(|(_, comps)| comps.iter().find(|c| c.id == id))
            {
                out.push(c.clone());
            }
        }
        out
    };
    let one_record = |r: &SourceRecord, comps: &[Component]| -> (f64, u64) {
        let start = Instant::now();
        let mut one = Matcher::new(Aliases::new());
        one.add(r);
        let mut n = 0;
        one.match_all(comps, &mut |_| n += 1);
        (start.elapsed().as_secs_f64(), n)
    };
    let mut times: Vec<(f64, String, usize)> = Vec::new();
    for r in &sample {
        let comps = touched(r);
        let (t, n) = one_record(r, &comps);
        std::hint::black_box(n);
        times.push((t, r.id.clone(), comps.len()));
    }
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (median, p99, worst) = (
        &times[times.len() / 2],
        &times[times.len() * 99 / 100],
        &times[times.len() - 1],
    );
    println!(
        "one record : median {:.3} ms, p99 {:.3} ms, worst {:.3} ms ({}, {} components) over {} random records",
        ms(median.0),
        ms(p99.0),
        ms(worst.0),
        worst.1,
        worst.2,
        times.len()
    );

    // The product on the most components, and the newest record naming it:
    // the heaviest single record there is.
    if let Some((key, _)) = by_key.iter().max_by_key(|(_, c)| c.len()) {
        let mut heaviest: Option<SourceRecord> = None;
        let mut find = FindRecord {
            key: key.clone(),
            best: &mut heaviest,
        };
        for f in files {
            parse_file(Feed::Nvd, f, &mut find)?;
        }
        if let Some(r) = heaviest {
            let comps = touched(&r);
            let (t, n) = one_record(&r, &comps);
            println!(
                "heaviest   : {} ({key}, on {} components) {:.3} ms, {n} findings",
                r.id,
                comps.len(),
                ms(t)
            );
        }
    }

    // One changed component: its whole system against the whole index.
    let mut ctimes: Vec<f64> = Vec::new();
    let mut rng = Rng(0x5eed_0000_2028);
    for _ in 0..200 {
        let s = 1 + rng.below(n_systems as usize) as i64;
        let comps = products.system(s);
        let refs: Vec<&Component> = comps.iter().collect();
        let c = comps[rng.below(comps.len())].id;
        let start = Instant::now();
        let mut n = 0;
        matcher.match_system(&refs, &mut |f| {
            if f.component_id == c {
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
        "targets    : full {full_s:.2}s / 10 s = {:.2}; one record (median) {:.3} ms / 5 ms = {:.2}, p99 {:.3} ms / 5 ms = {:.2}; memory {peak:.0} MiB / 1024 MiB = {:.2}",
        full_s / 10.0,
        ms(median.0),
        ms(median.0) / 5.0,
        ms(p99.0),
        ms(p99.0) / 5.0,
        peak / 1024.0
    );
    Ok(())
}

/// CVE 5 records streamed into the matcher.
struct AddCve5<'a> {
    matcher: &'a mut Matcher,
    records: u64,
}

impl Sink for AddCve5<'_> {
    fn record(&mut self, r: SourceRecord) {
        self.records += 1;
        self.matcher.add(&r);
    }
    fn skipped(&mut self, _s: Skipped) {}
}

impl crate::import::SinkWithScores for AddCve5<'_> {
    fn as_sink(&mut self) -> &mut dyn Sink {
        self
    }
    fn score(&mut self, _s: EpssScore) {}
}

/// The record with the greatest id that names a key.
struct FindRecord<'a> {
    key: String,
    best: &'a mut Option<SourceRecord>,
}

impl Sink for FindRecord<'_> {
    fn record(&mut self, r: SourceRecord) {
        if self.best.as_ref().is_some_and(|b| b.id > r.id) {
            return;
        }
        if Matcher::record_keys(&r).contains(&self.key) {
            *self.best = Some(r);
        }
    }
    fn skipped(&mut self, _s: Skipped) {}
}

impl crate::import::SinkWithScores for FindRecord<'_> {
    fn as_sink(&mut self) -> &mut dyn Sink {
        self
    }
    fn score(&mut self, _s: EpssScore) {}
}
