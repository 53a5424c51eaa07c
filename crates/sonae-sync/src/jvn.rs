//! JVN iPedia: a first load from the yearly detail files, then the MyJVN
//! API's changes.
//!
//! - First load (no completed run yet): JVN's checksum list, then every
//!   yearly VULDEF file `jvndb_detail_YYYY.rdf` from `jvn_bulk_from_year`
//!   to this year whose hash differs from the one stored in the checkpoint
//!   (the year → SHA-256 map is saved after each year, so a killed load
//!   resumes with the years left). The run then counts as completed at the
//!   oldest `lastModified` of those files (or its start, when earlier), so
//!   the next run asks the API for what changed since. Without a checksum
//!   list (or with `jvn_bulk_url` empty) the first run uses the API.
//! - API: the overview list (JVNRSS) pages through entries updated since
//!   the last completed run (all of them on a first run without yearly
//!   files), then the detail records (VULDEF, up to 10 ids a request) bring
//!   the affected products and versions. An entry whose detail does not
//!   come (a call that fails after its retries, or an answer without it)
//!   is stored from its overview record and reported as skipped; the ids
//!   of a failed call are asked again on the next run.

use crate::http::Fetcher;
use crate::{SyncError, SyncReport, Syncer};
use chrono::{
    DateTime, Datelike, Duration as Days, FixedOffset, NaiveDateTime, SecondsFormat, Utc,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sonae_domain::vuln::{Feed, Skipped, SourceRecord};
use sonae_feeds::{Collect, Sink};
use std::collections::BTreeMap;

/// Most entries kept to ask again for their details.
const MAX_PENDING: usize = 10_000;
/// Ids per `getVulnDetailInfo` call (MyJVN's limit).
const DETAIL_IDS: usize = 10;
/// Records stored per batch while a yearly file is read.
const BATCH: usize = 1000;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Checkpoint {
    completed_at: Option<String>,
    run: Option<Run>,
    /// Yearly detail files stored by the first load: year → the SHA-256
    /// the checksum list gave for the file loaded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    bulk: BTreeMap<i32, String>,
    /// When the first load began (kept while it resumes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bulk_started_at: Option<String>,
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
    let mut cp: Checkpoint = s.load_checkpoint(Feed::Jvn).await?;
    let fetcher = s.fetcher(s.config.jvn_spacing_ms)?;
    let mut report = SyncReport::default();
    if cp.run.is_none()
        && cp.completed_at.is_none()
        && bulk(s, &fetcher, &mut cp, &mut report).await?
    {
        return Ok(report);
    }
    api(s, &fetcher, cp, report).await
}

// --- first load: yearly files -------------------------------------------------

/// One yearly detail file named by the checksum list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct YearFile {
    year: i32,
    sha256: String,
    last_modified: Option<DateTime<Utc>>,
}

/// An entry of JVN's checksum list as published (`checksum.txt`, a JSON
/// array covering every feed file).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Listed {
    #[serde(default)]
    url: String,
    #[serde(default)]
    filename: String,
    sha256: String,
    /// JST, "2023/10/29 09:15:44".
    #[serde(default)]
    last_modified: Option<String>,
}

/// Where the checksum list lives: `checksum.txt` in the folder above the
/// yearly files (`…/ja/feed/detail` → `…/ja/feed/checksum.txt`).
fn checksum_url(bulk_url: &str) -> Result<String, SyncError> {
    let base = url::Url::parse(&format!("{}/", bulk_url.trim_end_matches('/')))
        .map_err(|e| SyncError::Feed(format!("jvn_bulk_url: {e}")))?;
    base.join("../checksum.txt")
        .map(String::from)
        .map_err(|e| SyncError::Feed(format!("jvn_bulk_url: {e}")))
}

/// `jvndb_detail_2021.rdf` → 2021.
fn detail_year(name: &str) -> Option<i32> {
    let y = name.strip_prefix("jvndb_detail_")?.strip_suffix(".rdf")?;
    (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
        .then(|| y.parse().ok())
        .flatten()
}

fn jst(s: &str) -> Option<DateTime<Utc>> {
    let t = NaiveDateTime::parse_from_str(s.trim(), "%Y/%m/%d %H:%M:%S").ok()?;
    let offset = FixedOffset::east_opt(9 * 3600)?;
    t.and_local_timezone(offset)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// The yearly detail files of a checksum list: JVN's JSON array
/// (`[{"url", "filename", "sha256", "size", "lastModified"}, …]`) or
/// `sha256sum` lines (`<sha256>  jvndb_detail_YYYY.rdf`). Other files of
/// the list are left out; a list naming no yearly file is an error.
fn parse_checksums(body: &[u8]) -> Result<Vec<YearFile>, String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("checksum list: {e}"))?;
    let text = text.trim_start_matches('\u{feff}').trim();
    let entries: Vec<(String, String, Option<String>)> = if text.starts_with('[') {
        serde_json::from_str::<Vec<Listed>>(text)
            .map_err(|e| format!("checksum list: {e}"))?
            .into_iter()
            .map(|l| {
                let name = if l.filename.is_empty() {
                    l.url.rsplit('/').next().unwrap_or("").to_owned()
                } else {
                    l.filename
                };
                (name, l.sha256, l.last_modified)
            })
            .collect()
    } else {
        text.lines()
            .filter_map(|line| {
                let mut parts = line.split_whitespace();
                let sha = parts.next()?;
                let name = parts.next()?.trim_start_matches('*');
                Some((name.to_owned(), sha.to_owned(), None))
            })
            .collect()
    };
    let mut files: Vec<YearFile> = entries
        .into_iter()
        .filter_map(|(name, sha, lm)| {
            let year = detail_year(&name)?;
            let sha = sha.trim().to_ascii_lowercase();
            (sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit())).then(|| YearFile {
                year,
                sha256: sha,
                last_modified: lm.as_deref().and_then(jst),
            })
        })
        .collect();
    if files.is_empty() {
        return Err("checksum list names no jvndb_detail_YYYY.rdf".into());
    }
    files.sort_by_key(|f| f.year);
    files.dedup_by_key(|f| f.year);
    Ok(files)
}

/// The first load from the yearly files. `false` when it cannot start
/// (no URL, no checksum list): the API path then does the first load.
async fn bulk(
    s: &Syncer,
    fetcher: &Fetcher,
    cp: &mut Checkpoint,
    report: &mut SyncReport,
) -> Result<bool, SyncError> {
    let base = s.config.jvn_bulk_url.trim().trim_end_matches('/');
    if base.is_empty() {
        return Ok(false);
    }
    let list_url = checksum_url(base)?;
    let listed = match fetcher
        .get_checked(&list_url, &[], |body| parse_checksums(&body))
        .await
    {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(url = %list_url, error = %e, "JVN checksum list unavailable; the first load pages through the MyJVN API instead");
            report.requests += 1;
            cp.bulk_started_at = None;
            return Ok(false);
        }
    };
    report.requests += 1;
    let now = s.clock.now();
    let started = match cp.bulk_started_at.as_deref() {
        Some(t) => {
            report.resumed = true;
            t.to_owned()
        }
        None => now.to_rfc3339_opts(SecondsFormat::Secs, true),
    };
    cp.bulk_started_at = Some(started.clone());
    s.checkpoint(Feed::Jvn, Some(&*cp)).await?;
    // JVN's years are Japanese ones.
    let this_year = (now + Days::hours(9)).year();
    let years = s.config.jvn_bulk_from_year..=this_year;
    let files: Vec<YearFile> = listed
        .into_iter()
        .filter(|f| years.contains(&f.year))
        .collect();
    let unlisted: Vec<i32> = years
        .clone()
        .filter(|y| !files.iter().any(|f| f.year == *y))
        .collect();
    if !unlisted.is_empty() {
        tracing::warn!(
            ?unlisted,
            "JVN checksum list names no detail file for these years; they are not loaded"
        );
    }
    for f in &files {
        if cp.bulk.get(&f.year) == Some(&f.sha256) {
            continue; // stored before, unchanged since
        }
        let url = format!("{base}/jvndb_detail_{}.rdf", f.year);
        let body = fetcher
            .get_checked(&url, &[], |body| {
                // A cut-off download does not end the document: retried.
                let end = body.trim_ascii_end();
                if end.ends_with(b"VULDEF-Document>") {
                    Ok(body)
                } else {
                    Err("the document does not end with </VULDEF-Document>".into())
                }
            })
            .await?;
        report.requests += 1;
        let sha = hex::encode(Sha256::digest(&body));
        if sha != f.sha256 {
            tracing::warn!(%url, listed = %f.sha256, got = %sha, "JVN yearly file differs from the checksum list (updated in between?); loaded as received");
        }
        store_vuldef(s, &url, body, report).await?;
        cp.bulk.insert(f.year, f.sha256.clone());
        s.checkpoint(Feed::Jvn, Some(&*cp)).await?;
        s.renew(Feed::Jvn).await?;
    }
    // Changes after a file was made are the API's to bring.
    let started_at = DateTime::parse_from_rfc3339(&started)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now);
    let covered = files
        .iter()
        .filter_map(|f| f.last_modified)
        .chain([started_at])
        .min()
        .unwrap_or(started_at);
    cp.completed_at = Some(covered.to_rfc3339_opts(SecondsFormat::Secs, true));
    cp.bulk_started_at = None;
    s.checkpoint(Feed::Jvn, Some(&*cp)).await?;
    Ok(true)
}

/// A sink handing records on in batches (parse thread → storing task).
struct Batches {
    tx: tokio::sync::mpsc::Sender<Collect>,
    c: Collect,
    stopped: bool,
}

impl Batches {
    fn flush(&mut self) {
        let batch = std::mem::take(&mut self.c);
        if !self.stopped && self.tx.blocking_send(batch).is_err() {
            self.stopped = true; // storing failed; the rest is dropped
        }
    }
}

impl Sink for Batches {
    fn record(&mut self, r: SourceRecord) {
        self.c.records.push(r);
        if self.c.records.len() >= BATCH {
            self.flush();
        }
    }
    fn skipped(&mut self, s: Skipped) {
        self.c.skipped.push(s);
    }
}

/// Parse a VULDEF document and store its records as they are read.
async fn store_vuldef(
    s: &Syncer,
    url: &str,
    body: Vec<u8>,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Collect>(4);
    let parser = tokio::task::spawn_blocking(move || {
        let mut sink = Batches {
            tx,
            c: Collect::default(),
            stopped: false,
        };
        let result = sonae_feeds::jvn::parse(&mut &body[..], &mut sink);
        sink.flush();
        result.map_err(|e| e.to_string())
    });
    let mut failed = None;
    while let Some(batch) = rx.recv().await {
        if failed.is_some() {
            continue;
        }
        let stored = match s
            .store_page(Feed::Jvn, &batch.records, &batch.skipped, report)
            .await
        {
            // A large year takes a while: keep the lease.
            Ok(()) => s.renew(Feed::Jvn).await,
            Err(e) => Err(e),
        };
        if let Err(e) = stored {
            failed = Some(e);
            rx.close();
        }
    }
    let parsed = parser
        .await
        .map_err(|e| SyncError::Feed(format!("JVN parser: {e}")))?;
    if let Some(e) = failed {
        return Err(e);
    }
    let doc = parsed.map_err(|e| SyncError::Feed(format!("{url}: {e}")))?;
    if doc.format != sonae_feeds::jvn::JvnFormat::Vuldef {
        return Err(SyncError::Feed(format!("{url}: not a VULDEF document")));
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_checksum_list_is_above_the_yearly_files() {
        assert_eq!(
            checksum_url("https://jvndb.jvn.jp/ja/feed/detail").unwrap(),
            "https://jvndb.jvn.jp/ja/feed/checksum.txt"
        );
        assert_eq!(
            checksum_url("http://127.0.0.1:8080/jvnfeed/detail/").unwrap(),
            "http://127.0.0.1:8080/jvnfeed/checksum.txt"
        );
    }

    #[test]
    fn reads_jvns_checksum_list() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../sonae-feeds/tests/fixtures/jvn/checksum.txt"
        );
        let files = parse_checksums(&std::fs::read(path).unwrap()).unwrap();
        assert_eq!(
            files.iter().map(|f| f.year).collect::<Vec<_>>(),
            [2021, 2022, 2023],
            "only the yearly detail files"
        );
        assert_eq!(
            files[1].sha256,
            "e4ec48cb9e634cc62dc38daa80345564177df32eb016bf141189d90625c974da"
        );
        // "2023/10/29 09:15:44" JST
        assert_eq!(
            files[1].last_modified.unwrap().to_rfc3339(),
            "2023-10-29T00:15:44+00:00"
        );
    }

    #[test]
    fn reads_sha256sum_lines() {
        let body = format!(
            "{}  jvndb_detail_1998.rdf\n{} *jvndb_detail_2024.rdf\n{}  jvndb_2024.rdf\n",
            "A".repeat(64),
            "b".repeat(64),
            "c".repeat(64)
        );
        let files = parse_checksums(body.as_bytes()).unwrap();
        assert_eq!(
            files,
            [
                YearFile {
                    year: 1998,
                    sha256: "a".repeat(64),
                    last_modified: None
                },
                YearFile {
                    year: 2024,
                    sha256: "b".repeat(64),
                    last_modified: None
                }
            ]
        );
        assert!(parse_checksums(b"[]").is_err());
        assert!(parse_checksums(b"[{\"filename\": \"jvndb_detail_2021.rdf\"").is_err());
    }
}
