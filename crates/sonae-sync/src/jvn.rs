//! JVN iPedia through the MyJVN API: the overview list (JVNRSS) pages
//! through entries updated since the last completed run (all of them on the
//! first run), then the detail records (VULDEF, up to 10 ids a request)
//! bring the affected products and versions.

use crate::{SyncError, SyncReport, Syncer};
use chrono::{DateTime, Datelike, Duration as Days, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sonae_domain::vuln::Feed;
use sonae_feeds::Collect;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Checkpoint {
    completed_at: Option<String>,
    run: Option<Run>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Run {
    started_at: String,
    /// YYYY-MM-DD lower bound of the last-updated date; None for everything.
    since: Option<String>,
    /// 1-based position of the next overview page.
    next_item: u64,
}

pub async fn sync(s: &Syncer) -> Result<SyncReport, SyncError> {
    let cfg = &s.config;
    let mut cp: Checkpoint = s.load_checkpoint(Feed::Jvn).await?;
    let now = s.clock.now();
    let mut report = SyncReport::default();
    let run = match cp.run.clone() {
        Some(r) => {
            report.resumed = true;
            r
        }
        None => Run {
            started_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
            since: cp
                .completed_at
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                // JVN dates are JST days: step back one day so nothing falls between.
                .map(|t| {
                    (t.with_timezone(&Utc) - Days::days(1))
                        .format("%Y-%m-%d")
                        .to_string()
                }),
            next_item: 1,
        },
    };
    cp.run = Some(run.clone());
    s.checkpoint(Feed::Jvn, Some(&cp)).await?;
    let fetcher = s.fetcher(cfg.jvn_spacing_ms)?;
    let mut item = run.next_item;
    loop {
        let mut url =
            url::Url::parse(&cfg.jvn_url).map_err(|e| SyncError::Feed(format!("jvn_url: {e}")))?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("method", "getVulnOverviewList");
            q.append_pair("feed", "hnd");
            q.append_pair("lang", "ja");
            q.append_pair("startItem", &item.to_string());
            q.append_pair("maxCountItem", &cfg.jvn_page_size.to_string());
            q.append_pair("rangeDatePublic", "n");
            q.append_pair("rangeDateFirstPublished", "n");
            q.append_pair("rangeDatePublished", "n");
            if let Some(since) = run
                .since
                .as_deref()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            {
                q.append_pair("datePublishedStartY", &since.year().to_string());
                q.append_pair("datePublishedStartM", &since.month().to_string());
                q.append_pair("datePublishedStartD", &since.day().to_string());
            }
        }
        let (overview, doc) = fetcher
            .get_checked(url.as_str(), &[], |body| {
                let mut c = Collect::default();
                let doc =
                    sonae_feeds::jvn::parse(&mut &body[..], &mut c).map_err(|e| e.to_string())?;
                if let Some(st) = doc.status.as_ref().filter(|st| st.is_error()) {
                    // An API error answer is not a truncated body: report it as is.
                    return Ok((
                        c,
                        Err(st.err_msg.clone().unwrap_or_else(|| "MyJVN error".into())),
                    ));
                }
                Ok((c, Ok(doc)))
            })
            .await?;
        report.requests += 1;
        let doc = doc.map_err(|m| SyncError::Feed(format!("MyJVN: {m}")))?;
        // Details for the listed entries; the overview records stand in for
        // any detail the API does not return.
        let mut records = Vec::new();
        for ids in overview.records.chunks(10) {
            let mut durl = url::Url::parse(&cfg.jvn_url)
                .map_err(|e| SyncError::Feed(format!("jvn_url: {e}")))?;
            durl.query_pairs_mut()
                .append_pair("method", "getVulnDetailInfo")
                .append_pair("feed", "hnd")
                .append_pair("lang", "ja")
                .append_pair(
                    "vulnId",
                    &ids.iter()
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join("+"),
                );
            let detail = fetcher
                .get_checked(durl.as_str(), &[], |body| {
                    let mut c = Collect::default();
                    sonae_feeds::jvn::parse(&mut &body[..], &mut c)
                        .map(|_| c)
                        .map_err(|e| e.to_string())
                })
                .await?;
            report.requests += 1;
            for r in ids {
                match detail.records.iter().find(|d| d.id == r.id) {
                    Some(d) => records.push(d.clone()),
                    None => records.push(r.clone()),
                }
            }
        }
        s.store_page(Feed::Jvn, &records, &overview.skipped, &mut report)
            .await?;
        let returned = doc
            .status
            .as_ref()
            .and_then(|st| st.total_res_ret)
            .unwrap_or(overview.records.len() as u64);
        let total = doc.status.as_ref().and_then(|st| st.total_res).unwrap_or(0);
        let next = item + returned;
        if returned == 0 || next > total {
            break;
        }
        item = next;
        cp.run = Some(Run {
            next_item: item,
            ..run.clone()
        });
        s.checkpoint(Feed::Jvn, Some(&cp)).await?;
        s.renew(Feed::Jvn).await?;
    }
    cp.completed_at = Some(run.started_at.clone());
    cp.run = None;
    s.checkpoint(Feed::Jvn, Some(&cp)).await?;
    Ok(report)
}
