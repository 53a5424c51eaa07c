//! JVN iPedia through the MyJVN API: the overview list (JVNRSS) pages
//! through entries updated since the last completed run (all of them on the
//! first run), then the detail records (VULDEF, up to 10 ids a request)
//! bring the affected products and versions. An entry whose detail does
//! not come (a call that fails after its retries, or an answer without it)
//! is stored from its overview record and reported as skipped; the ids of
//! a failed call are asked again on the next run.

use crate::http::Fetcher;
use crate::{SyncError, SyncReport, Syncer};
use chrono::{DateTime, Datelike, Duration as Days, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sonae_domain::vuln::{Feed, Skipped, SourceRecord};
use sonae_feeds::Collect;

/// Most entries kept to ask again for their details.
const MAX_PENDING: usize = 10_000;
/// Ids per `getVulnDetailInfo` call (MyJVN's limit).
const DETAIL_IDS: usize = 10;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Checkpoint {
    completed_at: Option<String>,
    run: Option<Run>,
    /// Entries whose detail call failed, asked again on the next run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pending_details: Vec<String>,
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
    let cp: Checkpoint = s.load_checkpoint(Feed::Jvn).await?;
    let fetcher = s.fetcher(s.config.jvn_spacing_ms)?;
    api(s, &fetcher, cp, SyncReport::default()).await
}

// --- API ------------------------------------------------------------------------

async fn api(
    s: &Syncer,
    fetcher: &Fetcher,
    mut cp: Checkpoint,
    mut report: SyncReport,
) -> Result<SyncReport, SyncError> {
    let cfg = &s.config;
    let now = s.clock.now();
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
    retry_pending(s, fetcher, &mut cp, &mut report).await?;
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
        let d = details(s, fetcher, &overview.records, &mut report).await?;
        let mut skipped = overview.skipped;
        skipped.extend(d.skipped);
        s.store_page(Feed::Jvn, &d.records, &skipped, &mut report)
            .await?;
        add_pending(&mut cp, d.failed);
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

fn add_pending(cp: &mut Checkpoint, ids: Vec<String>) {
    for id in ids {
        if !cp.pending_details.contains(&id) {
            cp.pending_details.push(id);
        }
    }
    let over = cp.pending_details.len().saturating_sub(MAX_PENDING);
    if over > 0 {
        tracing::warn!(
            dropped = over,
            "too many JVN entries waiting for their details; the oldest are not asked again"
        );
        cp.pending_details.drain(..over);
    }
}

fn not_returned(id: &str, why: &str) -> Skipped {
    Skipped {
        id: id.to_owned(),
        reason: format!("detail not returned by MyJVN: {why}"),
    }
}

/// One `getVulnDetailInfo` call: the records it returned (and the ones its
/// parser skipped), or why it failed after its retries.
async fn detail_call(
    s: &Syncer,
    fetcher: &Fetcher,
    ids: &[&str],
    report: &mut SyncReport,
) -> Result<Result<Collect, String>, SyncError> {
    let mut url =
        url::Url::parse(&s.config.jvn_url).map_err(|e| SyncError::Feed(format!("jvn_url: {e}")))?;
    url.query_pairs_mut()
        .append_pair("method", "getVulnDetailInfo")
        .append_pair("feed", "hnd")
        .append_pair("lang", "ja")
        .append_pair("vulnId", &ids.join("+"));
    let answer = fetcher
        .get_checked(url.as_str(), &[], |body| {
            let mut c = Collect::default();
            let doc = sonae_feeds::jvn::parse(&mut &body[..], &mut c).map_err(|e| e.to_string())?;
            match doc.status.filter(|st| st.is_error()) {
                // An API error answer is not a truncated body: not retried.
                Some(st) => Ok(Err(format!(
                    "MyJVN error {}: {}",
                    st.err_cd.unwrap_or_default(),
                    st.err_msg.unwrap_or_default()
                ))),
                None => Ok(Ok(c)),
            }
        })
        .await;
    report.requests += 1;
    Ok(match answer {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, ids = ids.len(), "JVN detail call failed; the overview records stand in");
            Err(e.to_string())
        }
    })
}

/// What the detail calls for one overview page gave.
#[derive(Default)]
struct Details {
    /// A detail record for every listed entry, or its overview record.
    records: Vec<SourceRecord>,
    skipped: Vec<Skipped>,
    /// Entries of failed calls (to ask again).
    failed: Vec<String>,
}

async fn details(
    s: &Syncer,
    fetcher: &Fetcher,
    listed: &[SourceRecord],
    report: &mut SyncReport,
) -> Result<Details, SyncError> {
    let mut out = Details::default();
    for chunk in listed.chunks(DETAIL_IDS) {
        let ids: Vec<&str> = chunk.iter().map(|r| r.id.as_str()).collect();
        match detail_call(s, fetcher, &ids, report).await? {
            Ok(mut c) => {
                for r in chunk {
                    match c.records.iter().position(|d| d.id == r.id) {
                        Some(i) => out.records.push(c.records.swap_remove(i)),
                        None => {
                            let why = match c.skipped.iter().position(|k| k.id == r.id) {
                                Some(i) => format!(
                                    "its detail record was unreadable ({}); the overview record is kept",
                                    c.skipped.swap_remove(i).reason
                                ),
                                None => "the answer did not include it; the overview record is kept"
                                    .to_owned(),
                            };
                            out.skipped.push(not_returned(&r.id, &why));
                            out.records.push(r.clone());
                        }
                    }
                }
                // Skips of other ids are reported as the parser gave them.
                out.skipped.append(&mut c.skipped);
            }
            Err(why) => {
                for r in chunk {
                    out.skipped.push(not_returned(
                        &r.id,
                        &format!("{why}; the overview record is kept, the detail is asked again next run"),
                    ));
                    out.records.push(r.clone());
                    out.failed.push(r.id.clone());
                }
            }
        }
    }
    Ok(out)
}

/// Ask again for the details whose call failed in an earlier run.
async fn retry_pending(
    s: &Syncer,
    fetcher: &Fetcher,
    cp: &mut Checkpoint,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    if cp.pending_details.is_empty() {
        return Ok(());
    }
    let ids = std::mem::take(&mut cp.pending_details);
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    let mut failed = Vec::new();
    for chunk in ids.chunks(DETAIL_IDS) {
        let ask: Vec<&str> = chunk.iter().map(String::as_str).collect();
        match detail_call(s, fetcher, &ask, report).await? {
            Ok(mut c) => {
                for id in chunk {
                    match c.records.iter().position(|d| &d.id == id) {
                        Some(i) => records.push(c.records.swap_remove(i)),
                        None => skipped.push(not_returned(
                            id,
                            "asked again after a failed call; the answer did not include it",
                        )),
                    }
                }
                skipped.append(&mut c.skipped);
            }
            Err(why) => {
                for id in chunk {
                    skipped.push(not_returned(
                        id,
                        &format!("asked again after a failed call: {why}"),
                    ));
                }
                failed.extend(chunk.iter().cloned());
            }
        }
    }
    s.store_page(Feed::Jvn, &records, &skipped, report).await?;
    add_pending(cp, failed);
    s.checkpoint(Feed::Jvn, Some(&*cp)).await?;
    Ok(())
}
