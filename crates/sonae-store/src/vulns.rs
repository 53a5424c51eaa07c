//! Vulnerability records: each feed's record stored as it came (JSON), one
//! merged summary row per vulnerability, EPSS scores, and feed status.
//!
//! Re-importing the same data is idempotent and cheap: a source record whose
//! content hash is unchanged is not rewritten.

use crate::db::Store;
use crate::{Page, Result, StoreError};
use sha2::{Digest, Sha256};
use sonae_domain::vuln::{merge, EpssScore, Feed, Skipped, SourceRecord, VulnSummary};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

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

const SUMMARY_COLUMNS: &str = "v.id, v.title, v.title_ja, v.description, v.description_ja, v.cvss_score, v.cvss_version, v.cvss_vector, v.severity, v.kev, v.kev_date_added, v.kev_due_date, v.published, v.modified, v.products, v.feeds, e.epss, e.percentile";

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
    /// merged summary of every vulnerability they touch.
    pub async fn apply_records(&self, records: &[SourceRecord]) -> Result<ApplyStats> {
        let mut stats = ApplyStats::default();
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        for rec in records {
            let data = serde_json::to_string(rec).map_err(|e| StoreError::Other(e.to_string()))?;
            let h = hash(&data);
            let feed = rec.feed.as_str();
            for vid in rec.vulnerability_ids() {
                let existing = sqlx::query(
                    "SELECT data_hash, modified FROM vuln_sources WHERE vuln_id = $1 AND feed = $2 AND source_id = $3",
                )
                .bind(vid.clone())
                .bind(feed.to_owned())
                .bind(rec.id.clone())
                .fetch_optional(&mut *w.tx)
                .await?
                .map(|r| -> Result<(String, Option<String>)> { Ok((r.try_get("data_hash")?, r.try_get("modified")?)) })
                .transpose()?;
                // Older data never replaces newer: a stale mirror or an old
                // yearly file loaded after a sync leaves the record as it is.
                let older = matches!((&existing, &rec.modified), (Some((_, Some(stored))), Some(incoming)) if incoming < stored);
                match existing.map(|(h, _)| h) {
                    Some(old) if old == h || older => {
                        stats.unchanged += 1;
                        continue;
                    }
                    Some(_) => {
                        stats.updated += 1;
                        sqlx::query("UPDATE vuln_sources SET data = $1, data_hash = $2, modified = $3, synced_at = $4 WHERE vuln_id = $5 AND feed = $6 AND source_id = $7")
                            .bind(data.clone())
                            .bind(h.clone())
                            .bind(rec.modified.clone())
                            .bind(now)
                            .bind(vid.clone())
                            .bind(feed.to_owned())
                            .bind(rec.id.clone())
                            .execute(&mut *w.tx)
                            .await?;
                    }
                    None => {
                        stats.inserted += 1;
                        sqlx::query("INSERT INTO vuln_sources (vuln_id, feed, source_id, modified, data_hash, data, synced_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                            .bind(vid.clone())
                            .bind(feed.to_owned())
                            .bind(rec.id.clone())
                            .bind(rec.modified.clone())
                            .bind(h.clone())
                            .bind(data.clone())
                            .bind(now)
                            .execute(&mut *w.tx)
                            .await?;
                    }
                }
                // Aliases: the source's own id and its other ids lead here.
                let mut aliases: Vec<String> = rec.aliases.clone();
                if rec.id != vid {
                    aliases.push(rec.id.clone());
                }
                for a in aliases {
                    sqlx::query("INSERT INTO vuln_aliases (alias, vuln_id) VALUES ($1, $2) ON CONFLICT (alias, vuln_id) DO NOTHING")
                        .bind(a)
                        .bind(vid.clone())
                        .execute(&mut *w.tx)
                        .await?;
                }
                self.refresh_summary(&mut w.tx, &vid, rec, now).await?;
            }
        }
        w.tx.commit().await?;
        Ok(stats)
    }

    async fn refresh_summary(
        &self,
        tx: &mut Transaction<'static, Any>,
        vid: &str,
        current: &SourceRecord,
        now: i64,
    ) -> Result<()> {
        // Only the other sources are read back: the current one is in hand.
        let others: Vec<String> = sqlx::query_scalar(
            "SELECT data FROM vuln_sources WHERE vuln_id = $1 AND NOT (feed = $2 AND source_id = $3)",
        )
        .bind(vid.to_owned())
        .bind(current.feed.as_str().to_owned())
        .bind(current.id.clone())
        .fetch_all(&mut **tx)
        .await?;
        let others: Vec<SourceRecord> = others
            .iter()
            .filter_map(|t| serde_json::from_str(t).ok())
            .collect();
        let mut sources: Vec<&SourceRecord> = others.iter().collect();
        sources.push(current);
        let s = merge(vid, &sources);
        sqlx::query(
            "INSERT INTO vulnerabilities (id, title, title_ja, description, description_ja, cvss_score, cvss_version, cvss_vector, severity, kev, kev_date_added, kev_due_date, published, modified, products, feeds, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, title_ja = excluded.title_ja, description = excluded.description, \
             description_ja = excluded.description_ja, cvss_score = excluded.cvss_score, cvss_version = excluded.cvss_version, \
             cvss_vector = excluded.cvss_vector, severity = excluded.severity, kev = excluded.kev, kev_date_added = excluded.kev_date_added, \
             kev_due_date = excluded.kev_due_date, published = excluded.published, modified = excluded.modified, products = excluded.products, \
             feeds = excluded.feeds, updated_at = excluded.updated_at",
        )
        .bind(s.id)
        .bind(s.title)
        .bind(s.title_ja)
        .bind(s.description)
        .bind(s.description_ja)
        .bind(s.cvss_score)
        .bind(s.cvss_version)
        .bind(s.cvss_vector)
        .bind(s.severity)
        .bind(i64::from(s.kev))
        .bind(s.kev_date_added)
        .bind(s.kev_due_date)
        .bind(s.published)
        .bind(s.modified)
        .bind(s.products)
        .bind(s.feeds)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
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
            sql.push_str(" AND v.id IN (SELECT vuln_id FROM vuln_sources WHERE feed = ");
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
            "SELECT data, synced_at FROM vuln_sources WHERE vuln_id = $1 ORDER BY feed, source_id",
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
