//! NVD CVE API 2.0: a full load pages through everything; later runs ask
//! for what changed since the last completed run (lastModStartDate /
//! lastModEndDate, at most 120 days per request, so an older checkpoint
//! falls back to a full load).

use crate::{SyncError, SyncReport, Syncer};
use chrono::{DateTime, Duration as Days, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sonae_domain::vuln::Feed;
use sonae_feeds::Collect;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Checkpoint {
    /// When the last completed run started: the next incremental window starts here.
    completed_at: Option<String>,
    /// A run in progress.
    run: Option<Run>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Run {
    started_at: String,
    /// None for a full load.
    window: Option<(String, String)>,
    next_index: u64,
}

/// NVD wants an explicit offset (`2024-03-01T00:00:00.000+00:00`).
fn api_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, false)
}

pub async fn sync(s: &Syncer) -> Result<SyncReport, SyncError> {
    let cfg = &s.config;
    let mut cp: Checkpoint = s.load_checkpoint(Feed::Nvd).await?;
    let now = s.clock.now();
    let mut report = SyncReport::default();
    let run = match cp.run.clone() {
        Some(r) => {
            report.resumed = true;
            r
        }
        None => {
            let since = cp
                .completed_at
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
                .filter(|t| now - *t < Days::days(119));
            Run {
                started_at: api_time(now),
                window: since.map(|t| (api_time(t - Days::minutes(5)), api_time(now))),
                next_index: 0,
            }
        }
    };
    cp.run = Some(run.clone());
    s.checkpoint(Feed::Nvd, Some(&cp)).await?;
    let (spacing, headers) = match &cfg.nvd_api_key {
        Some(k) => (cfg.nvd_spacing_with_key_ms, vec![("apiKey", k.clone())]),
        None => (cfg.nvd_spacing_ms, Vec::new()),
    };
    let fetcher = s.fetcher(spacing)?;
    let mut index = run.next_index;
    loop {
        let mut url =
            url::Url::parse(&cfg.nvd_url).map_err(|e| SyncError::Feed(format!("nvd_url: {e}")))?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("resultsPerPage", &cfg.nvd_page_size.to_string());
            q.append_pair("startIndex", &index.to_string());
            if let Some((from, to)) = &run.window {
                q.append_pair("lastModStartDate", from);
                q.append_pair("lastModEndDate", to);
            }
        }
        let (collect, doc) = fetcher
            .get_checked(url.as_str(), &headers, |body| {
                let mut c = Collect::default();
                sonae_feeds::nvd::parse(&mut &body[..], &mut c)
                    .map(|doc| (c, doc))
                    .map_err(|e| e.to_string())
            })
            .await?;
        report.requests += 1;
        s.store_page(Feed::Nvd, &collect.records, &collect.skipped, &mut report)
            .await?;
        let next = doc.next_start_index();
        match next {
            Some(n) if n > index => {
                index = n;
                cp.run = Some(Run {
                    next_index: n,
                    ..run.clone()
                });
                s.checkpoint(Feed::Nvd, Some(&cp)).await?;
                s.renew(Feed::Nvd).await?;
            }
            _ => break,
        }
    }
    cp.completed_at = Some(run.started_at.clone());
    cp.run = None;
    s.checkpoint(Feed::Nvd, Some(&cp)).await?;
    Ok(report)
}
