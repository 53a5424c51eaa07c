//! Findings: which component is affected by which vulnerability, and why.
//! The matcher computes them; the store keeps them, scoped like systems.

use crate::db::Store;
use crate::{Result, StoreError};
use sonae_domain::access::{scope, Access, Actor};
use sonae_domain::inventory::Kind;
use sonae_domain::vuln::{Feed, SourceRecord};
use sqlx::Row;
use std::collections::HashSet;

/// What the matcher needs of a component.
#[derive(Debug, Clone)]
pub struct MatchComponent {
    pub id: i64,
    pub system_id: i64,
    pub vendor: Option<String>,
    pub product: String,
    pub version: Option<String>,
    pub cpe: Option<String>,
    pub purl: Option<String>,
}

/// One match found by the matcher.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFinding {
    pub component_id: i64,
    pub system_id: i64,
    pub vuln_id: String,
    /// "confirmed" (the version is in the range) or "possible" (the version is unknown).
    pub certainty: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub id: i64,
    pub component_id: i64,
    pub system_id: i64,
    pub vuln_id: String,
    pub certainty: String,
    pub reason: String,
    pub status: String,
    pub matched_at_ms: i64,
    pub created_at_ms: i64,
    /// Facts of the vulnerability, for the priority.
    pub cvss: Option<f64>,
    pub kev: bool,
    pub epss: Option<f64>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MatchStats {
    pub added: u64,
    pub kept: u64,
    pub removed: u64,
}

impl Store {
    /// Every component, for a full re-match.
    pub async fn match_components(&self) -> Result<Vec<MatchComponent>> {
        let rows = sqlx::query(
            "SELECT id, system_id, vendor, product, version, cpe, purl FROM components ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MatchComponent {
                    id: r.try_get("id")?,
                    system_id: r.try_get("system_id")?,
                    vendor: r.try_get("vendor")?,
                    product: r.try_get("product")?,
                    version: r.try_get("version")?,
                    cpe: r.try_get("cpe")?,
                    purl: r.try_get("purl")?,
                })
            })
            .collect()
    }

    /// Every stored record of a feed, in batches (memory stays bounded).
    pub async fn for_each_source(
        &self,
        feed: Feed,
        mut f: impl FnMut(SourceRecord),
    ) -> Result<u64> {
        let mut after = String::new();
        let mut n = 0;
        loop {
            let rows = sqlx::query("SELECT source_id, data FROM vuln_sources WHERE feed = $1 AND source_id > $2 ORDER BY source_id LIMIT 2000")
                .bind(feed.as_str())
                .bind(after.as_str())
                .fetch_all(&self.pool)
                .await?;
            if rows.is_empty() {
                return Ok(n);
            }
            for r in &rows {
                after = r.try_get("source_id")?;
                let text: String = r.try_get("data")?;
                if let Ok(rec) = serde_json::from_str::<SourceRecord>(&text) {
                    f(rec);
                    n += 1;
                }
            }
        }
    }

    /// Replace the matcher's findings with a new full set: new matches are
    /// added, existing ones get the new reason, and untouched ("new")
    /// findings that no longer match are removed. Findings someone has
    /// worked on stay.
    pub async fn replace_findings(&self, found: &[NewFinding]) -> Result<MatchStats> {
        let now = self.clock.now_ms();
        let mut stats = MatchStats::default();
        let mut w = self.begin_write().await?;
        let existing: Vec<(i64, i64, String, String)> =
            sqlx::query("SELECT id, component_id, vuln_id, status FROM findings")
                .fetch_all(&mut *w.tx)
                .await?
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get("id")?,
                        r.try_get("component_id")?,
                        r.try_get("vuln_id")?,
                        r.try_get("status")?,
                    ))
                })
                .collect::<Result<_>>()?;
        let wanted: HashSet<(i64, &str)> = found
            .iter()
            .map(|f| (f.component_id, f.vuln_id.as_str()))
            .collect();
        let have: HashSet<(i64, &str)> = existing
            .iter()
            .map(|(_, c, v, _)| (*c, v.as_str()))
            .collect();
        for f in found {
            if have.contains(&(f.component_id, f.vuln_id.as_str())) {
                stats.kept += 1;
                sqlx::query("UPDATE findings SET certainty = $1, reason = $2, matched_at = $3 WHERE component_id = $4 AND vuln_id = $5")
                    .bind(f.certainty.as_str())
                    .bind(f.reason.as_str())
                    .bind(now)
                    .bind(f.component_id)
                    .bind(f.vuln_id.as_str())
                    .execute(&mut *w.tx)
                    .await?;
            } else {
                stats.added += 1;
                sqlx::query(
                    "INSERT INTO findings (row_version, created_at, updated_at, component_id, system_id, vuln_id, certainty, reason, status, matched_at) \
                     VALUES (1, $1, $1, $2, $3, $4, $5, $6, 'new', $1)",
                )
                .bind(now)
                .bind(f.component_id)
                .bind(f.system_id)
                .bind(f.vuln_id.as_str())
                .bind(f.certainty.as_str())
                .bind(f.reason.as_str())
                .execute(&mut *w.tx)
                .await
                .map_err(StoreError::from_write)?;
            }
        }
        for (id, c, v, status) in &existing {
            if status == "new" && !wanted.contains(&(*c, v.as_str())) {
                stats.removed += 1;
                sqlx::query("DELETE FROM findings WHERE id = $1")
                    .bind(*id)
                    .execute(&mut *w.tx)
                    .await?;
            }
        }
        w.tx.commit().await?;
        Ok(stats)
    }

    /// Findings the actor may see (those of systems in their read scope),
    /// optionally of one system, newest vulnerabilities first.
    pub async fn findings(
        &self,
        actor: &Actor,
        system_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Finding>> {
        let mut sql = crate::records::Sql::new();
        sql.push("SELECT f.id, f.component_id, f.system_id, f.vuln_id, f.certainty, f.reason, f.status, f.matched_at, f.created_at, \
                  v.cvss_score, COALESCE(v.kev, 0) AS kev, e.epss FROM findings f \
                  LEFT JOIN vulnerabilities v ON v.id = f.vuln_id LEFT JOIN epss_scores e ON e.cve = f.vuln_id \
                  WHERE f.system_id IN (SELECT id FROM systems WHERE ");
        sql.scope(&scope(actor, Kind::System, Access::Read))
            .push(")");
        if let Some(s) = system_id {
            sql.push(" AND f.system_id = ").bind_int(s);
        }
        sql.push(" ORDER BY COALESCE(v.cvss_score, 0) DESC, f.vuln_id DESC LIMIT ")
            .bind_int(limit.clamp(1, 5000));
        let rows = sql.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(Finding {
                    id: r.try_get("id")?,
                    component_id: r.try_get("component_id")?,
                    system_id: r.try_get("system_id")?,
                    vuln_id: r.try_get("vuln_id")?,
                    certainty: r.try_get("certainty")?,
                    reason: r.try_get("reason")?,
                    status: r.try_get("status")?,
                    matched_at_ms: r.try_get("matched_at")?,
                    created_at_ms: r.try_get("created_at")?,
                    cvss: r.try_get("cvss_score")?,
                    kev: r.try_get::<i64, _>("kev")? != 0,
                    epss: r.try_get("epss")?,
                })
            })
            .collect()
    }
}
