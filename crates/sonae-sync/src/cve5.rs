//! CVE List V5 (the CVE Program's records): a baseline once, then the
//! changes the program lists in `cves/deltaLog.json`.
//!
//! - Baseline: the bulk zip of a daily release (`cve5_baseline_url`, a zip
//!   holding a zip of `cves/…/CVE-….json`), streamed from a temporary file
//!   into the database. Without a URL the first run starts from the change
//!   log (its last 30 days); older records come from `sonae import cve5`.
//! - Changes: every delta of the log newer than the checkpoint, oldest
//!   first; each new or updated record is fetched from the repository
//!   (`cve5_url/cves/YYYY/Nxxx/CVE-….json`, the path made from the id, never
//!   a link taken from the feed). The checkpoint moves after each delta, so
//!   a killed run resumes at the delta it was in.

use crate::{SyncError, SyncReport, Syncer};
use serde::{Deserialize, Serialize};
use sonae_domain::vuln::{CveId, Feed, Skipped, SourceRecord};
use sonae_feeds::Collect;
use std::io::Write;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Checkpoint {
    /// The baseline (or the decision to go without one) is done.
    baseline_done: bool,
    /// `fetchTime` of the last delta stored.
    since: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Delta {
    fetch_time: String,
    #[serde(default)]
    new: Vec<Change>,
    #[serde(default)]
    updated: Vec<Change>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Change {
    cve_id: String,
}

/// Where the CVE Program's repository keeps a record:
/// `cves/2024/3xxx/CVE-2024-3094.json`.
pub fn record_path(id: &CveId) -> String {
    let s = id.as_str();
    let mut parts = s.splitn(3, '-').skip(1);
    let year = parts.next().unwrap_or("0");
    let num = parts.next().unwrap_or("0");
    let bucket = num
        .parse::<u64>()
        .map(|n| (n / 1000).to_string())
        .unwrap_or_else(|_| "0".into());
    format!("cves/{year}/{bucket}xxx/{s}.json")
}

pub async fn sync(s: &Syncer) -> Result<SyncReport, SyncError> {
    let mut cp: Checkpoint = s.load_checkpoint(Feed::Cve5).await?;
    let mut report = SyncReport {
        resumed: cp.since.is_some() || cp.baseline_done,
        ..SyncReport::default()
    };
    let fetcher = s.fetcher(0)?;
    if !cp.baseline_done {
        let url = s.config.cve5_baseline_url.trim();
        if !url.is_empty() {
            baseline(s, &fetcher, url, &mut report).await?;
        }
        cp.baseline_done = true;
        s.checkpoint(Feed::Cve5, Some(&cp)).await?;
        s.renew(Feed::Cve5).await?;
    }
    let base = s.config.cve5_url.trim_end_matches('/');
    let log_url = format!("{base}/cves/deltaLog.json");
    let mut deltas: Vec<Delta> = fetcher
        .get_checked(&log_url, &[], |body| {
            serde_json::from_slice::<Vec<Delta>>(&body).map_err(|e| format!("deltaLog.json: {e}"))
        })
        .await?;
    report.requests += 1;
    deltas.retain(|d| cp.since.as_ref().is_none_or(|since| d.fetch_time > *since));
    deltas.sort_by(|a, b| a.fetch_time.cmp(&b.fetch_time));
    for d in deltas {
        let mut records: Vec<SourceRecord> = Vec::new();
        let mut skipped: Vec<Skipped> = Vec::new();
        let mut ids: Vec<String> = d
            .new
            .iter()
            .chain(&d.updated)
            .map(|c| c.cve_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        for raw in ids {
            let Some(id) = CveId::parse(&raw) else {
                skipped.push(Skipped {
                    id: raw.chars().take(40).collect(),
                    reason: "deltaLog.json names no CVE id".into(),
                });
                continue;
            };
            let url = format!("{base}/{}", record_path(&id));
            let mut c = fetcher
                .get_checked(&url, &[], |body| {
                    let mut c = Collect::default();
                    sonae_feeds::cve5::parse(id.as_str(), &mut &body[..], &mut c)
                        .map_err(|e| e.to_string())?;
                    Ok(c)
                })
                .await?;
            report.requests += 1;
            records.append(&mut c.records);
            skipped.append(&mut c.skipped);
        }
        s.store_page(Feed::Cve5, &records, &skipped, &mut report)
            .await?;
        cp.since = Some(d.fetch_time.clone());
        s.checkpoint(Feed::Cve5, Some(&cp)).await?;
        s.renew(Feed::Cve5).await?;
    }
    Ok(report)
}

/// Download the bulk zip to a temporary file and store its records as they
/// are parsed (batches through a bounded channel: memory stays bounded).
async fn baseline(
    s: &Syncer,
    fetcher: &crate::http::Fetcher,
    url: &str,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let dir = tempfile::tempdir().map_err(|e| SyncError::Feed(e.to_string()))?;
    let path = dir.path().join("baseline.zip");
    fetcher
        .get_checked(url, &[], |body| {
            let mut f = std::fs::File::create(&path).map_err(|e| e.to_string())?;
            f.write_all(&body).map_err(|e| e.to_string())?;
            // A cut-off download is no zip: retried like a truncated page.
            zip_ok(&path)
        })
        .await?;
    report.requests += 1;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Vec<SourceRecord>, Vec<Skipped>)>(4);
    let parse_path = path.clone();
    let parser = tokio::task::spawn_blocking(move || {
        let mut c = Collect::default();
        let result = sonae_feeds::input::for_each_document(&parse_path, &mut |name, r| {
            if sonae_feeds::cve5::is_record_name(name) {
                sonae_feeds::cve5::parse(name, r, &mut c)?;
                if c.records.len() >= 1000 {
                    let batch = (
                        std::mem::take(&mut c.records),
                        std::mem::take(&mut c.skipped),
                    );
                    if tx.blocking_send(batch).is_err() {
                        return Err(sonae_feeds::FeedError::Archive("stopped".into()));
                    }
                }
            }
            Ok(())
        });
        let _ = tx.blocking_send((c.records, c.skipped));
        result.map_err(|e| e.to_string())
    });
    let mut failed = None;
    while let Some((records, skipped)) = rx.recv().await {
        if failed.is_some() {
            continue;
        }
        if let Err(e) = s.store_page(Feed::Cve5, &records, &skipped, report).await {
            failed = Some(e);
            rx.close();
        }
    }
    let parsed = parser
        .await
        .map_err(|e| SyncError::Feed(format!("baseline parser: {e}")))?;
    if let Some(e) = failed {
        return Err(e);
    }
    parsed.map_err(|e| SyncError::Feed(format!("baseline {url}: {e}")))
}

fn zip_ok(path: &std::path::Path) -> Result<(), String> {
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    zip::ZipArchive::new(std::io::BufReader::new(f))
        .map(|_| ())
        .map_err(|e| format!("not a zip archive: {e}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn records_live_in_thousand_buckets() {
        let p = |s: &str| record_path(&CveId::parse(s).unwrap());
        assert_eq!(p("CVE-2024-3094"), "cves/2024/3xxx/CVE-2024-3094.json");
        assert_eq!(p("CVE-2024-26120"), "cves/2024/26xxx/CVE-2024-26120.json");
        assert_eq!(p("CVE-2021-0001"), "cves/2021/0xxx/CVE-2021-0001.json");
        assert_eq!(
            p("CVE-2024-1000123"),
            "cves/2024/1000xxx/CVE-2024-1000123.json"
        );
    }
}
