//! `sonae bench FEED FILES...`: the import benchmark of issue 3.
//!
//! Runs a bare parse of the files (no storage), then an import into a fresh
//! SQLite database, then the same import again (idempotent), and prints
//! records/s, MB/s, the ratio import / bare parse, and peak memory (VmHWM).

use crate::import::{import_file, parse_file, CountSink};
use anyhow::Result;
use sonae_domain::vuln::Feed;
use sonae_domain::SystemClock;
use sonae_store::Store;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

pub async fn run(feed: Feed, files: &[PathBuf]) -> Result<()> {
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let mib = bytes as f64 / (1024.0 * 1024.0);
    println!(
        "feed {} — {} file(s), {:.1} MiB on disk",
        feed.as_str(),
        files.len(),
        mib
    );

    let start = Instant::now();
    let mut sink = CountSink::default();
    for f in files {
        let f = f.clone();
        let s = tokio::task::spawn_blocking(move || {
            let mut sink = CountSink::default();
            parse_file(feed, &f, &mut sink).map(|_| sink)
        })
        .await??;
        sink.records += s.records;
        sink.skipped += s.skipped;
    }
    let parse_s = start.elapsed().as_secs_f64();
    println!(
        "bare parse : {:>9} records {:>6} skipped {:>8.2}s {:>10.0} rec/s {:>7.1} MiB/s  peak {:.0} MiB",
        sink.records,
        sink.skipped,
        parse_s,
        sink.records as f64 / parse_s,
        mib / parse_s,
        peak_rss_mib().unwrap_or(0.0)
    );

    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = Store::open(&url, Arc::new(SystemClock)).await?;
    let mut times = Vec::new();
    for round in ["import", "re-import"] {
        let start = Instant::now();
        let mut records = 0;
        for f in files {
            records += import_file(&store, feed, f).await?.records;
        }
        let s = start.elapsed().as_secs_f64();
        println!(
            "{round:<11}: {:>9} records {:>15} {:>8.2}s {:>10.0} rec/s {:>7.1} MiB/s  peak {:.0} MiB",
            records,
            "",
            s,
            records as f64 / s,
            mib / s,
            peak_rss_mib().unwrap_or(0.0)
        );
        times.push(s);
    }
    // List pages at this size: the queries the vulnerability page runs.
    let queries: Vec<(&str, sonae_store::VulnQuery)> = vec![
        (
            "first page",
            sonae_store::VulnQuery {
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "CVSS >= 9",
            sonae_store::VulnQuery {
                cvss_min: Some(9.0),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "text \"apache\"",
            sonae_store::VulnQuery {
                q: Some("apache".into()),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "product \"openssl\"",
            sonae_store::VulnQuery {
                product: Some("openssl".into()),
                limit: 50,
                ..Default::default()
            },
        ),
    ];
    for (name, q) in queries {
        let start = Instant::now();
        let mut page = store.vuln_list(&q).await?;
        let first_ms = start.elapsed().as_secs_f64() * 1000.0;
        // Walk 20 pages deep with the keyset cursor.
        let start = Instant::now();
        let mut pages = 1;
        while page.total < 0 && pages < 20 {
            let last = page
                .items
                .last()
                .map(|r| (r.summary.published.clone(), r.summary.id.clone()));
            page = store
                .vuln_list(&sonae_store::VulnQuery {
                    after: last,
                    ..q.clone()
                })
                .await?;
            pages += 1;
        }
        println!(
            "list {name:<20}: first page {first_ms:>7.1} ms, next {} pages {:>7.1} ms each",
            pages - 1,
            if pages > 1 {
                start.elapsed().as_secs_f64() * 1000.0 / (pages - 1) as f64
            } else {
                0.0
            }
        );
    }
    println!(
        "ratio import / bare parse: {:.2}   re-import / import: {:.2}   database: {:.1} MiB",
        times[0] / parse_s,
        times[1] / times[0],
        std::fs::metadata(dir.path().join("bench.db"))
            .map(|m| m.len() as f64 / 1048576.0)
            .unwrap_or(0.0)
    );
    Ok(())
}
