//! Vulnerability records: each feed's record stored as it came (JSON), one
//! merged summary row per vulnerability, EPSS scores, and feed status.
//!
//! Re-importing the same data is idempotent and cheap: a source record whose
//! content hash is unchanged is not rewritten.

use crate::db::{Backend, Store};
use crate::{Page, Result, StoreError};
use sha2::{Digest, Sha256};
use sonae_domain::vuln::{merge, EpssScore, Feed, Skipped, SourceRecord, VulnSummary};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ApplyStats {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// Filters of the vulnerability list (DESIGN §2: search in Japanese and English).
#[derive(Debug, Clone, Default)]
pub struct VulnQuery {
    pub q: Option<String>,
    pub cvss_min: Option<f64>,
    pub cvss_max: Option<f64>,
    pub kev: bool,
    pub epss_min: Option<f64>,
    /// Vendor or product name, part of a "vendor:product" token.
    pub product: Option<String>,
    /// YYYY-MM-DD bounds on the publication date.
    pub published_from: Option<String>,
    pub published_to: Option<String>,
    pub feed: Option<Feed>,
    /// Keyset paging: continue after this (published, id).
    pub after: Option<(String, String)>,
    pub limit: i64,
}

#[derive(Debug, Clone)]
pub struct VulnRow {
    pub summary: VulnSummary,
    pub epss: Option<f64>,
    pub epss_percentile: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct SourceEntry {
    pub record: SourceRecord,
    pub synced_at_ms: i64,
}

#[derive(Debug, Clone)]
pub struct VulnDetail {
    pub row: VulnRow,
    pub sources: Vec<SourceEntry>,
    pub aliases: Vec<String>,
    pub epss_date: Option<String>,
}

/// How many recent CVEs each source describes in a form sonae can match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// CVEs published since the start of the window.
    pub total: i64,
    /// Of those, with machine-readable affected data from any source.
    pub matchable: i64,
    /// Per feed: CVEs with affected data from it (NVD configurations, CVE 5
    /// affected blocks, JVN affected products, OSV packages).
    pub by_feed: Vec<(Feed, i64)>,
}

#[derive(Debug, Clone, Default)]
pub struct FeedState {
    pub feed: String,
    pub last_success_ms: Option<i64>,
    pub last_attempt_ms: Option<i64>,
    pub data_time: Option<String>,
    pub records: i64,
    pub skipped: i64,
    pub checkpoint: Option<String>,
    pub last_error: Option<String>,
}

const SUMMARY_COLUMNS: &str = "v.id, v.title, v.title_ja, v.description, v.description_ja, v.cvss_score, v.cvss_version, v.cvss_vector, v.severity, v.kev, v.kev_date_added, v.kev_due_date, v.exploited, v.published, v.modified, v.products, v.feeds, e.epss, e.percentile";

fn row(r: &AnyRow) -> Result<VulnRow> {
    Ok(VulnRow {
        summary: VulnSummary {
            id: r.try_get("id")?,
            title: r.try_get("title")?,
            title_ja: r.try_get("title_ja")?,
            description: r.try_get("description")?,
            description_ja: r.try_get("description_ja")?,
            cvss_score: r.try_get("cvss_score")?,
            cvss_version: r.try_get("cvss_version")?,
            cvss_vector: r.try_get("cvss_vector")?,
            severity: r.try_get("severity")?,
            kev: r.try_get::<i64, _>("kev")? != 0,
            kev_date_added: r.try_get("kev_date_added")?,
            kev_due_date: r.try_get("kev_due_date")?,
            exploited: r.try_get::<i64, _>("exploited")? != 0,
            published: r.try_get("published")?,
            modified: r.try_get("modified")?,
            products: r
                .try_get::<Option<String>, _>("products")?
                .unwrap_or_default(),
            feeds: r.try_get("feeds")?,
        },
        epss: r.try_get("epss")?,
        epss_percentile: r.try_get("percentile")?,
    })
}

fn hash(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..16])
}

impl Store {
    /// Store a batch of source records in one transaction and refresh the
    /// merged summary of every vulnerability they touch. Work is done per
    /// batch, not per record (a handful of multi-row statements), because
    /// each statement is a round trip to the database.
    pub async fn apply_records(&self, records: &[SourceRecord]) -> Result<ApplyStats> {
        let mut stats = ApplyStats::default();
        let now = self.clock.now_ms();
        // The last copy of a record in the batch wins.
        let mut batch: Vec<&SourceRecord> = Vec::new();
        let mut seen = HashSet::new();
        for r in records.iter().rev() {
            if seen.insert((r.feed, r.id.as_str())) {
                batch.push(r);
            }
        }
        batch.reverse();
        let mut w = self.begin_write().await?;
        // 1. What is stored already.
        let mut existing: HashMap<(String, String), (String, Option<String>)> = HashMap::new();
        for chunk in batch.chunks(500) {
            let mut q = Multi::new(self.backend, "SELECT feed, source_id, data_hash, modified FROM vuln_sources WHERE (feed, source_id) IN (");
            for (i, r) in chunk.iter().enumerate() {
                q.sql.push_str(if i == 0 { "(" } else { ", (" });
                q.text(r.feed.as_str());
                q.sql.push_str(", ");
                q.text(&r.id);
                q.sql.push(')');
            }
            q.sql.push(')');
            for row in q.query().fetch_all(&mut *w.tx).await? {
                existing.insert(
                    (row.try_get("feed")?, row.try_get("source_id")?),
                    (row.try_get("data_hash")?, row.try_get("modified")?),
                );
            }
        }
        // 2. What changed: new, or different and not older than what is stored.
        let mut changed: Vec<(&SourceRecord, String, String, bool)> = Vec::new();
        for r in batch {
            let data = serde_json::to_string(r).map_err(|e| StoreError::Other(e.to_string()))?;
            let h = hash(&data);
            match existing.get(&(r.feed.as_str().to_owned(), r.id.clone())) {
                Some((old, stored)) => {
                    // Older data never replaces newer: a stale mirror or an
                    // old yearly file loaded after a sync leaves it as it is.
                    let older = matches!((stored, &r.modified), (Some(st), Some(inc)) if inc < st);
                    if *old == h || older {
                        stats.unchanged += 1;
                    } else {
                        stats.updated += 1;
                        changed.push((r, data, h, true));
                    }
                }
                None => {
                    stats.inserted += 1;
                    changed.push((r, data, h, false));
                }
            }
        }
        if changed.is_empty() {
            w.tx.commit().await?;
            return Ok(stats);
        }
        // 3. The records themselves.
        for chunk in changed.chunks(200) {
            let mut q = Multi::new(self.backend, "INSERT INTO vuln_sources (feed, source_id, modified, data_hash, data, synced_at) VALUES ");
            for (i, (r, data, h, _)) in chunk.iter().enumerate() {
                q.sql.push_str(if i == 0 { "(" } else { ", (" });
                q.text(r.feed.as_str());
                q.sql.push_str(", ");
                q.text(&r.id);
                q.sql.push_str(", ");
                q.opt_text(r.modified.as_deref());
                q.sql.push_str(", ");
                q.text(h);
                q.sql.push_str(", ");
                q.text(data);
                q.sql.push_str(", ");
                q.int(now);
                q.sql.push(')');
            }
            q.sql.push_str(
                " ON CONFLICT (feed, source_id) DO UPDATE SET modified = excluded.modified, data_hash = excluded.data_hash, data = excluded.data, synced_at = excluded.synced_at",
            );
            q.query().execute(&mut *w.tx).await?;
        }
        // 4. Links and aliases; vulnerabilities a changed record no longer names lose it.
        let mut touched: Vec<String> = Vec::new();
        let mut links: Vec<(String, &'static str, &str)> = Vec::new();
        let mut aliases: Vec<(&str, String)> = Vec::new();
        for (r, _, _, was_stored) in &changed {
            let ids = r.vulnerability_ids();
            if *was_stored {
                let before: Vec<String> = sqlx::query_scalar(
                    "SELECT vuln_id FROM vuln_source_links WHERE feed = $1 AND source_id = $2",
                )
                .bind(r.feed.as_str())
                .bind(r.id.as_str())
                .fetch_all(&mut *w.tx)
                .await?;
                for gone in before.into_iter().filter(|v| !ids.contains(v)) {
                    sqlx::query("DELETE FROM vuln_source_links WHERE vuln_id = $1 AND feed = $2 AND source_id = $3")
                        .bind(gone.as_str())
                        .bind(r.feed.as_str())
                        .bind(r.id.as_str())
                        .execute(&mut *w.tx)
                        .await?;
                    touched.push(gone);
                }
            }
            for vid in ids {
                let own = (r.id != vid).then_some(r.id.as_str());
                for a in r.aliases.iter().map(String::as_str).chain(own) {
                    aliases.push((a, vid.clone()));
                }
                links.push((vid.clone(), r.feed.as_str(), r.id.as_str()));
                touched.push(vid);
            }
        }
        for chunk in links.chunks(500) {
            let mut q = Multi::new(
                self.backend,
                "INSERT INTO vuln_source_links (vuln_id, feed, source_id) VALUES ",
            );
            for (i, (v, f, sid)) in chunk.iter().enumerate() {
                q.sql.push_str(if i == 0 { "(" } else { ", (" });
                q.text(v);
                q.sql.push_str(", ");
                q.text(f);
                q.sql.push_str(", ");
                q.text(sid);
                q.sql.push(')');
            }
            q.sql
                .push_str(" ON CONFLICT (vuln_id, feed, source_id) DO NOTHING");
            q.query().execute(&mut *w.tx).await?;
        }
        aliases.sort();
        aliases.dedup();
        for chunk in aliases.chunks(500) {
            let mut q = Multi::new(
                self.backend,
                "INSERT INTO vuln_aliases (alias, vuln_id) VALUES ",
            );
            for (i, (a, v)) in chunk.iter().enumerate() {
                q.sql.push_str(if i == 0 { "(" } else { ", (" });
                q.text(a);
                q.sql.push_str(", ");
                q.text(v);
                q.sql.push(')');
            }
            q.sql.push_str(" ON CONFLICT (alias, vuln_id) DO NOTHING");
            q.query().execute(&mut *w.tx).await?;
        }
        // 5. Summaries of every touched vulnerability, from all its sources:
        // the records in hand, and the others read back once for the batch.
        touched.sort();
        touched.dedup();
        let in_hand: HashMap<(&str, &str), &SourceRecord> = changed
            .iter()
            .map(|(r, _, _, _)| ((r.feed.as_str(), r.id.as_str()), *r))
            .collect();
        let mut stored: Vec<(String, SourceRecord)> = Vec::new();
        let mut hand_links: Vec<(String, &SourceRecord)> = Vec::new();
        for chunk in touched.chunks(500) {
            let mut q = Multi::new(self.backend, "SELECT l.vuln_id, l.feed, l.source_id FROM vuln_source_links l WHERE l.vuln_id IN (");
            for (i, v) in chunk.iter().enumerate() {
                if i > 0 {
                    q.sql.push_str(", ");
                }
                q.text(v);
            }
            q.sql.push(')');
            let mut need: Vec<(String, String, String)> = Vec::new();
            for row in q.query().fetch_all(&mut *w.tx).await? {
                let (v, f, sid): (String, String, String) = (
                    row.try_get("vuln_id")?,
                    row.try_get("feed")?,
                    row.try_get("source_id")?,
                );
                match in_hand.get(&(f.as_str(), sid.as_str())) {
                    Some(r) => hand_links.push((v, r)),
                    None => need.push((v, f, sid)),
                }
            }
            for (v, f, sid) in need {
                let text: Option<String> = sqlx::query_scalar(
                    "SELECT data FROM vuln_sources WHERE feed = $1 AND source_id = $2",
                )
                .bind(f.as_str())
                .bind(sid.as_str())
                .fetch_optional(&mut *w.tx)
                .await?;
                if let Some(rec) = text.and_then(|t| serde_json::from_str::<SourceRecord>(&t).ok())
                {
                    stored.push((v, rec));
                }
            }
        }
        let mut by_vuln: HashMap<&str, Vec<&SourceRecord>> = HashMap::new();
        for (v, r) in &hand_links {
            by_vuln.entry(v.as_str()).or_default().push(*r);
        }
        for (v, r) in &stored {
            by_vuln.entry(v.as_str()).or_default().push(r);
        }
        let summaries: Vec<VulnSummary> = touched
            .iter()
            .filter_map(|v| by_vuln.get(v.as_str()).map(|srcs| merge(v, srcs)))
            .collect();
        for gone in touched.iter().filter(|v| !by_vuln.contains_key(v.as_str())) {
            sqlx::query("DELETE FROM vulnerabilities WHERE id = $1")
                .bind(gone.as_str())
                .execute(&mut *w.tx)
                .await?;
        }
        for chunk in summaries.chunks(100) {
            let mut q = Multi::new(
                self.backend,
                "INSERT INTO vulnerabilities (id, title, title_ja, description, description_ja, cvss_score, cvss_version, cvss_vector, severity, kev, kev_date_added, kev_due_date, exploited, published, modified, products, feeds, updated_at) VALUES ",
            );
            for (i, s) in chunk.iter().enumerate() {
                q.sql.push_str(if i == 0 { "(" } else { ", (" });
                q.text(&s.id);
                for t in [&s.title, &s.title_ja, &s.description, &s.description_ja] {
                    q.sql.push_str(", ");
                    q.opt_text(t.as_deref());
                }
                q.sql.push_str(", ");
                q.real(s.cvss_score);
                for t in [&s.cvss_version, &s.cvss_vector, &s.severity] {
                    q.sql.push_str(", ");
                    q.opt_text(t.as_deref());
                }
                q.sql.push_str(", ");
                q.int(i64::from(s.kev));
                for t in [&s.kev_date_added, &s.kev_due_date] {
                    q.sql.push_str(", ");
                    q.opt_text(t.as_deref());
                }
                q.sql.push_str(", ");
                q.int(i64::from(s.exploited));
                q.sql.push_str(", ");
                q.text(&s.published);
                q.sql.push_str(", ");
                q.opt_text(s.modified.as_deref());
                q.sql.push_str(", ");
                q.text(&s.products);
                q.sql.push_str(", ");
                q.text(&s.feeds);
                q.sql.push_str(", ");
                q.int(now);
                q.sql.push(')');
            }
            q.sql.push_str(
                " ON CONFLICT (id) DO UPDATE SET title = excluded.title, title_ja = excluded.title_ja, description = excluded.description, \
                 description_ja = excluded.description_ja, cvss_score = excluded.cvss_score, cvss_version = excluded.cvss_version, \
                 cvss_vector = excluded.cvss_vector, severity = excluded.severity, kev = excluded.kev, kev_date_added = excluded.kev_date_added, \
                 kev_due_date = excluded.kev_due_date, exploited = excluded.exploited, published = excluded.published, modified = excluded.modified, products = excluded.products, \
                 feeds = excluded.feeds, updated_at = excluded.updated_at",
            );
            q.query().execute(&mut *w.tx).await?;
        }
        w.tx.commit().await?;
        Ok(stats)
    }

    /// Coverage of the CVEs published at or after `since` (RFC 3339).
    pub async fn coverage_since(&self, since: &str) -> Result<Coverage> {
        // A source's JSON holds a list only when it is not empty.
        const HAS_DATA: &str = "((s.feed = 'nvd' AND s.data LIKE '%\"configurations\":[{%') \
             OR (s.feed IN ('cve5', 'jvn') AND s.data LIKE '%\"affected\":[{%') \
             OR (s.feed = 'osv' AND s.data LIKE '%\"osv_affected\":[{%'))";
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM vulnerabilities WHERE published >= $1 AND id LIKE 'CVE-%'",
        )
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        let join = "FROM vulnerabilities v JOIN vuln_source_links l ON l.vuln_id = v.id \
             JOIN vuln_sources s ON s.feed = l.feed AND s.source_id = l.source_id \
             WHERE v.published >= $1 AND v.id LIKE 'CVE-%' AND ";
        let matchable: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(DISTINCT v.id) {join}{HAS_DATA}"))
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
        let rows = sqlx::query(&format!(
            "SELECT l.feed AS feed, COUNT(DISTINCT v.id) AS n {join}{HAS_DATA} GROUP BY l.feed"
        ))
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        let mut by_feed = Vec::new();
        for r in rows {
            let feed: String = r.try_get("feed")?;
            if let Some(f) = Feed::parse(&feed) {
                by_feed.push((f, r.try_get("n")?));
            }
        }
        by_feed.sort();
        Ok(Coverage {
            total,
            matchable,
            by_feed,
        })
    }

    /// Store EPSS scores (replacing earlier ones of the same CVEs).
    pub async fn apply_epss(&self, scores: &[EpssScore]) -> Result<u64> {
        let mut w = self.begin_write().await?;
        for s in scores {
            sqlx::query(
                "INSERT INTO epss_scores (cve, epss, percentile, score_date) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (cve) DO UPDATE SET epss = excluded.epss, percentile = excluded.percentile, score_date = excluded.score_date",
            )
            .bind(s.cve.as_str().to_owned())
            .bind(s.epss)
            .bind(s.percentile)
            .bind(s.date.clone())
            .execute(&mut *w.tx)
            .await?;
        }
        w.tx.commit().await?;
        Ok(scores.len() as u64)
    }

    /// A page of vulnerabilities, newest first, with keyset paging so that
    /// deep pages cost what the first does.
    pub async fn vuln_list(&self, q: &VulnQuery) -> Result<Page<VulnRow>> {
        let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM vulnerabilities v LEFT JOIN epss_scores e ON e.cve = v.id WHERE 1=1");
        let mut binds: Vec<Bind> = Vec::new();
        let mut p = |sql: &mut String, b: Bind| {
            binds.push(b);
            sql.push_str(&format!("${}", binds.len()));
        };
        if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let pattern = format!(
                "%{}%",
                text.to_lowercase()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            sql.push_str(" AND (LOWER(v.id) LIKE ");
            p(&mut sql, Bind::Text(pattern.clone()));
            for col in ["v.title", "v.title_ja", "v.description", "v.description_ja"] {
                sql.push_str(&format!(" ESCAPE '\\' OR LOWER({col}) LIKE "));
                p(&mut sql, Bind::Text(pattern.clone()));
            }
            sql.push_str(
                " ESCAPE '\\' OR v.id IN (SELECT vuln_id FROM vuln_aliases WHERE alias = ",
            );
            p(&mut sql, Bind::Text(text.to_uppercase()));
            sql.push_str("))");
        }
        if let Some(min) = q.cvss_min {
            sql.push_str(" AND v.cvss_score >= ");
            p(&mut sql, Bind::Real(min));
        }
        if let Some(max) = q.cvss_max {
            sql.push_str(" AND v.cvss_score <= ");
            p(&mut sql, Bind::Real(max));
        }
        if q.kev {
            sql.push_str(" AND v.kev = 1");
        }
        if let Some(min) = q.epss_min {
            sql.push_str(" AND e.epss >= ");
            p(&mut sql, Bind::Real(min));
        }
        if let Some(prod) = q
            .product
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            sql.push_str(" AND v.products LIKE ");
            p(
                &mut sql,
                Bind::Text(format!(
                    "%{}%",
                    prod.to_lowercase()
                        .replace(' ', "_")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )),
            );
            sql.push_str(" ESCAPE '\\'");
        }
        if let Some(from) = &q.published_from {
            sql.push_str(" AND v.published >= ");
            p(&mut sql, Bind::Text(from.clone()));
        }
        if let Some(to) = &q.published_to {
            sql.push_str(" AND v.published < ");
            // The whole "to" day is included.
            p(&mut sql, Bind::Text(format!("{to}T99")));
        }
        if let Some(feed) = q.feed {
            sql.push_str(" AND v.id IN (SELECT vuln_id FROM vuln_source_links WHERE feed = ");
            p(&mut sql, Bind::Text(feed.as_str().to_owned()));
            sql.push(')');
        }
        if let Some((published, id)) = &q.after {
            sql.push_str(" AND (v.published < ");
            p(&mut sql, Bind::Text(published.clone()));
            sql.push_str(" OR (v.published = ");
            p(&mut sql, Bind::Text(published.clone()));
            sql.push_str(" AND v.id < ");
            p(&mut sql, Bind::Text(id.clone()));
            sql.push_str("))");
        }
        let limit = q.limit.clamp(1, 500);
        sql.push_str(" ORDER BY v.published DESC, v.id DESC LIMIT ");
        p(&mut sql, Bind::Int(limit + 1));
        let mut query = sqlx::query(&sql);
        for b in &binds {
            query = match b {
                Bind::Text(t) => query.bind(t.clone()),
                Bind::Real(r) => query.bind(*r),
                Bind::Int(i) => query.bind(*i),
            };
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut items: Vec<VulnRow> = rows.iter().map(row).collect::<Result<_>>()?;
        // One row past the page tells whether there is a next page.
        let more = items.len() as i64 > limit;
        items.truncate(limit as usize);
        Ok(Page {
            total: if more { -1 } else { items.len() as i64 },
            items,
        })
    }

    /// One vulnerability by its id or any alias (a JVNDB id, a GHSA id).
    pub async fn vuln_get(&self, id: &str) -> Result<VulnDetail> {
        let id = id.trim();
        let found = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS}, e.score_date FROM vulnerabilities v LEFT JOIN epss_scores e ON e.cve = v.id WHERE v.id = $1"
        ))
        .bind(id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        let r = match found {
            Some(r) => r,
            None => {
                let target: Option<String> = sqlx::query_scalar(
                    "SELECT vuln_id FROM vuln_aliases WHERE alias = $1 ORDER BY vuln_id LIMIT 1",
                )
                .bind(id.to_owned())
                .fetch_optional(&self.pool)
                .await?;
                let target = target.ok_or(StoreError::NotFound)?;
                sqlx::query(&format!(
                    "SELECT {SUMMARY_COLUMNS}, e.score_date FROM vulnerabilities v LEFT JOIN epss_scores e ON e.cve = v.id WHERE v.id = $1"
                ))
                .bind(target)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?
            }
        };
        let vrow = row(&r)?;
        let epss_date: Option<String> = r.try_get("score_date")?;
        let vid = vrow.summary.id.clone();
        let srcs = sqlx::query(
            "SELECT s.data, s.synced_at FROM vuln_source_links l JOIN vuln_sources s ON s.feed = l.feed AND s.source_id = l.source_id WHERE l.vuln_id = $1 ORDER BY s.feed, s.source_id",
        )
        .bind(vid.clone())
        .fetch_all(&self.pool)
        .await?;
        let mut sources = Vec::new();
        for s in &srcs {
            let text: String = s.try_get("data")?;
            if let Ok(record) = serde_json::from_str::<SourceRecord>(&text) {
                sources.push(SourceEntry {
                    record,
                    synced_at_ms: s.try_get("synced_at")?,
                });
            }
        }
        let aliases: Vec<String> =
            sqlx::query_scalar("SELECT alias FROM vuln_aliases WHERE vuln_id = $1 ORDER BY alias")
                .bind(vid)
                .fetch_all(&self.pool)
                .await?;
        Ok(VulnDetail {
            row: vrow,
            sources,
            aliases,
            epss_date,
        })
    }

    pub async fn vuln_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM vulnerabilities")
            .fetch_one(&self.pool)
            .await?)
    }

    // --- feed status --------------------------------------------------------

    pub async fn feed_states(&self) -> Result<Vec<FeedState>> {
        let rows = sqlx::query("SELECT feed, last_success_ms, last_attempt_ms, data_time, records, skipped, checkpoint, last_error FROM feed_state ORDER BY feed")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(FeedState {
                    feed: r.try_get("feed")?,
                    last_success_ms: r.try_get("last_success_ms")?,
                    last_attempt_ms: r.try_get("last_attempt_ms")?,
                    data_time: r.try_get("data_time")?,
                    records: r.try_get("records")?,
                    skipped: r.try_get("skipped")?,
                    checkpoint: r.try_get("checkpoint")?,
                    last_error: r.try_get("last_error")?,
                })
            })
            .collect()
    }

    async fn ensure_feed_row(&self, tx: &mut Transaction<'static, Any>, feed: Feed) -> Result<()> {
        sqlx::query("INSERT INTO feed_state (feed, records, skipped) VALUES ($1, 0, 0) ON CONFLICT (feed) DO NOTHING")
            .bind(feed.as_str().to_owned())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Note the end of a load or sync: success (with the data's own time and
    /// the number of records seen) or the error that stopped it. A failure
    /// keeps the last good data and its time.
    pub async fn record_feed_run(
        &self,
        feed: Feed,
        outcome: std::result::Result<(u64, u64, Option<String>), String>,
        checkpoint: Option<String>,
    ) -> Result<()> {
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        self.ensure_feed_row(&mut w.tx, feed).await?;
        match outcome {
            Ok((records, skipped, data_time)) => {
                let count = self.feed_record_count(&mut w.tx, feed).await?;
                sqlx::query("UPDATE feed_state SET last_success_ms = $1, last_attempt_ms = $1, data_time = COALESCE($2, data_time), records = $3, skipped = $4, checkpoint = $5, last_error = NULL WHERE feed = $6")
                    .bind(now)
                    .bind(data_time)
                    .bind(count.max(records as i64))
                    .bind(skipped as i64)
                    .bind(checkpoint)
                    .bind(feed.as_str().to_owned())
                    .execute(&mut *w.tx)
                    .await?;
            }
            Err(message) => {
                sqlx::query("UPDATE feed_state SET last_attempt_ms = $1, last_error = $2, checkpoint = COALESCE($3, checkpoint) WHERE feed = $4")
                    .bind(now)
                    .bind(message)
                    .bind(checkpoint)
                    .bind(feed.as_str().to_owned())
                    .execute(&mut *w.tx)
                    .await?;
            }
        }
        w.tx.commit().await?;
        Ok(())
    }

    async fn feed_record_count(
        &self,
        tx: &mut Transaction<'static, Any>,
        feed: Feed,
    ) -> Result<i64> {
        let n: i64 = match feed {
            Feed::Epss => {
                sqlx::query_scalar("SELECT COUNT(*) FROM epss_scores")
                    .fetch_one(&mut **tx)
                    .await?
            }
            f => {
                sqlx::query_scalar("SELECT COUNT(*) FROM vuln_sources WHERE feed = $1")
                    .bind(f.as_str().to_owned())
                    .fetch_one(&mut **tx)
                    .await?
            }
        };
        Ok(n)
    }

    /// Keep the records a parser skipped, with their reasons, for the status page.
    pub async fn record_feed_errors(&self, feed: Feed, skipped: &[Skipped]) -> Result<()> {
        if skipped.is_empty() {
            return Ok(());
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        for s in skipped.iter().take(1000) {
            sqlx::query(
                "INSERT INTO feed_errors (feed, at_ms, record_id, reason) VALUES ($1, $2, $3, $4)",
            )
            .bind(feed.as_str().to_owned())
            .bind(now)
            .bind(s.id.chars().take(200).collect::<String>())
            .bind(s.reason.chars().take(1000).collect::<String>())
            .execute(&mut *w.tx)
            .await?;
        }
        w.tx.commit().await?;
        Ok(())
    }

    /// The newest skipped records of a feed.
    pub async fn feed_errors(&self, feed: Feed, limit: i64) -> Result<Vec<(i64, Skipped)>> {
        let rows = sqlx::query("SELECT at_ms, record_id, reason FROM feed_errors WHERE feed = $1 ORDER BY id DESC LIMIT $2")
            .bind(feed.as_str().to_owned())
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("at_ms")?,
                    Skipped {
                        id: r.try_get("record_id")?,
                        reason: r.try_get("reason")?,
                    },
                ))
            })
            .collect()
    }
}

enum Bind {
    Text(String),
    Real(f64),
    Int(i64),
}

/// A statement with many rows of values, its placeholders numbered as they
/// are added.
struct Multi {
    sql: String,
    binds: Vec<MBind>,
    /// SQLite gets anonymous `?` placeholders: sqlx-sqlite looks `$n` names
    /// up one by one, a cost that grows with the square of their number.
    positional: bool,
}

enum MBind {
    Text(Option<String>),
    Real(Option<f64>),
    Int(i64),
}

impl Multi {
    fn new(backend: Backend, head: &str) -> Multi {
        Multi {
            sql: head.to_owned(),
            binds: Vec::new(),
            positional: backend == Backend::Sqlite,
        }
    }
    fn placeholder(&mut self, b: MBind) {
        self.binds.push(b);
        if self.positional {
            self.sql.push('?');
        } else {
            self.sql.push_str(&format!("${}", self.binds.len()));
        }
    }
    fn text(&mut self, t: &str) {
        self.placeholder(MBind::Text(Some(t.to_owned())));
    }
    fn opt_text(&mut self, t: Option<&str>) {
        self.placeholder(MBind::Text(t.map(str::to_owned)));
    }
    fn real(&mut self, r: Option<f64>) {
        // A missing number is written as NULL, not bound: PostgreSQL keeps
        // the parameter types of a prepared statement, and a NULL bound
        // first would fix the column's parameter to another type, so a
        // later number in the same place would be refused.
        match r {
            Some(x) => self.placeholder(MBind::Real(Some(x))),
            None => self.sql.push_str("NULL"),
        }
    }
    fn int(&mut self, i: i64) {
        self.placeholder(MBind::Int(i));
    }
    fn query(&self) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments<'_>> {
        let mut q = sqlx::query(&self.sql);
        for b in &self.binds {
            q = match b {
                MBind::Text(t) => q.bind(t.clone()),
                MBind::Real(r) => q.bind(*r),
                MBind::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

impl Store {
    /// The saved progress of a feed's sync (JSON owned by the sync code).
    pub async fn feed_checkpoint(&self, feed: Feed) -> Result<Option<String>> {
        Ok(sqlx::query_scalar::<_, Option<String>>(
            "SELECT checkpoint FROM feed_state WHERE feed = $1",
        )
        .bind(feed.as_str().to_owned())
        .fetch_optional(&self.pool)
        .await?
        .flatten())
    }

    /// Save a feed's progress; called after each stored page, so a sync
    /// killed at any point resumes from the last stored page.
    pub async fn save_feed_checkpoint(&self, feed: Feed, checkpoint: Option<&str>) -> Result<()> {
        let mut w = self.begin_write().await?;
        self.ensure_feed_row(&mut w.tx, feed).await?;
        sqlx::query("UPDATE feed_state SET checkpoint = $1 WHERE feed = $2")
            .bind(checkpoint.map(str::to_owned))
            .bind(feed.as_str().to_owned())
            .execute(&mut *w.tx)
            .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Take (or renew) the right to sync a feed until `until_ms`. Only one
    /// holder at a time across every node sharing the database; a lease
    /// that ran out may be taken over.
    pub async fn try_lock_feed(&self, feed: Feed, owner: &str, until_ms: i64) -> Result<bool> {
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        self.ensure_feed_row(&mut w.tx, feed).await?;
        let done = sqlx::query(
            "UPDATE feed_state SET lock_owner = $1, lock_until = $2 WHERE feed = $3 \
             AND (lock_owner IS NULL OR lock_until IS NULL OR lock_until < $4 OR lock_owner = $1)",
        )
        .bind(owner.to_owned())
        .bind(until_ms)
        .bind(feed.as_str().to_owned())
        .bind(now)
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn unlock_feed(&self, feed: Feed, owner: &str) -> Result<()> {
        let _w = self.begin_write().await?;
        sqlx::query("UPDATE feed_state SET lock_owner = NULL, lock_until = NULL WHERE feed = $1 AND lock_owner = $2")
            .bind(feed.as_str().to_owned())
            .bind(owner.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
