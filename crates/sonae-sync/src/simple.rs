//! Feeds fetched whole: CISA KEV (one JSON catalog), FIRST EPSS (one gzip
//! CSV of every score) and OSV (a zip of records per ecosystem; each
//! finished ecosystem is checkpointed so a killed run skips it on resume).

use crate::{SyncError, SyncReport, Syncer};
use serde::{Deserialize, Serialize};
use sonae_domain::vuln::{EpssScore, Feed, Skipped};
use sonae_feeds::Collect;
use std::io::BufReader;

pub async fn kev(s: &Syncer) -> Result<SyncReport, SyncError> {
    let fetcher = s.fetcher(0)?;
    let (c, _doc) = fetcher
        .get_checked(&s.config.kev_url, &[], |body| {
            let mut c = Collect::default();
            sonae_feeds::kev::parse(&mut &body[..], &mut c)
                .map(|d| (c, d))
                .map_err(|e| e.to_string())
        })
        .await?;
    let mut report = SyncReport {
        requests: 1,
        ..SyncReport::default()
    };
    s.store_page(Feed::Kev, &c.records, &c.skipped, &mut report)
        .await?;
    Ok(report)
}

pub async fn epss(s: &Syncer) -> Result<SyncReport, SyncError> {
    let fetcher = s.fetcher(0)?;
    let (scores, skipped) = fetcher
        .get_checked(&s.config.epss_url, &[], |body| {
            let mut scores: Vec<EpssScore> = Vec::new();
            let mut skipped: Vec<Skipped> = Vec::new();
            let gz = body.starts_with(&[0x1f, 0x8b]);
            let result = if gz {
                let mut r = BufReader::new(flate2::read::MultiGzDecoder::new(&body[..]));
                sonae_feeds::epss::parse(&mut r, &mut |x| scores.push(x), &mut |x| skipped.push(x))
            } else {
                sonae_feeds::epss::parse(&mut &body[..], &mut |x| scores.push(x), &mut |x| {
                    skipped.push(x)
                })
            };
            result.map(|_| (scores, skipped)).map_err(|e| e.to_string())
        })
        .await?;
    let mut report = SyncReport {
        requests: 1,
        ..SyncReport::default()
    };
    for chunk in scores.chunks(5000) {
        s.store.apply_epss(chunk).await?;
    }
    s.store.record_feed_errors(Feed::Epss, &skipped).await?;
    report.records = scores.len() as u64;
    report.skipped = skipped.len() as u64;
    Ok(report)
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct OsvCheckpoint {
    /// Ecosystems finished in the run in progress.
    done: Vec<String>,
}

pub async fn osv(s: &Syncer) -> Result<SyncReport, SyncError> {
    let mut cp: OsvCheckpoint = s.load_checkpoint(Feed::Osv).await?;
    let mut report = SyncReport {
        resumed: !cp.done.is_empty(),
        ..SyncReport::default()
    };
    let fetcher = s.fetcher(0)?;
    for eco in &s.config.osv_ecosystems {
        if cp.done.contains(eco) {
            continue;
        }
        let url = format!("{}/{}/all.zip", s.config.osv_url.trim_end_matches('/'), eco);
        let dir = tempfile::tempdir().map_err(|e| SyncError::Feed(e.to_string()))?;
        let path = dir.path().join("all.zip");
        let c = fetcher
            .get_checked(&url, &[], |body| {
                std::fs::write(&path, &body).map_err(|e| e.to_string())?;
                let mut c = Collect::default();
                sonae_feeds::input::for_each_document(&path, &mut |_, r| {
                    sonae_feeds::osv::parse(r, &mut c).map(|_| ())
                })
                .map(|_| c)
                .map_err(|e| e.to_string())
            })
            .await?;
        report.requests += 1;
        s.store_page(Feed::Osv, &c.records, &c.skipped, &mut report)
            .await?;
        cp.done.push(eco.clone());
        s.checkpoint(Feed::Osv, Some(&cp)).await?;
        s.renew(Feed::Osv).await?;
    }
    s.checkpoint::<OsvCheckpoint>(Feed::Osv, None).await?;
    Ok(report)
}
