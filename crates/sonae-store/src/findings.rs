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
    pub justification: Option<String>,
    pub decision_note: Option<String>,
    pub decided_by: Option<String>,
    pub version: i64,
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
    /// Decisions re-opened because their match changed.
    pub reopened: u64,
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
        let rows =
            sqlx::query("SELECT id, component_id, vuln_id, status, decided_reason FROM findings")
                .fetch_all(&mut *w.tx)
                .await?;
        let mut existing: Vec<(i64, i64, String, String)> = Vec::new();
        let mut decided: std::collections::HashMap<(i64, String), Option<String>> =
            std::collections::HashMap::new();
        for r in &rows {
            let (id, c, v, st): (i64, i64, String, String) = (
                r.try_get("id")?,
                r.try_get("component_id")?,
                r.try_get("vuln_id")?,
                r.try_get("status")?,
            );
            if st != "new" {
                decided.insert((c, v.clone()), r.try_get("decided_reason")?);
            }
            existing.push((id, c, v, st));
        }
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
                // A decision stands only while the match it was made on stands.
                if let Some(on) = decided.get(&(f.component_id, f.vuln_id.clone())) {
                    if !sonae_domain::finding::decision_holds(on.as_deref(), &f.reason) {
                        stats.reopened += 1;
                        sqlx::query("UPDATE findings SET status = 'new', row_version = row_version + 1, updated_at = $1 WHERE component_id = $2 AND vuln_id = $3")
                            .bind(now)
                            .bind(f.component_id)
                            .bind(f.vuln_id.as_str())
                            .execute(&mut *w.tx)
                            .await?;
                    }
                }
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
        self.findings_where(actor, system_id, None, limit).await
    }

    /// One finding the actor may see.
    pub async fn finding(&self, actor: &Actor, id: i64) -> Result<Finding> {
        self.findings_where(actor, None, Some(id), 1)
            .await?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound)
    }

    async fn findings_where(
        &self,
        actor: &Actor,
        system_id: Option<i64>,
        finding_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Finding>> {
        let mut sql = crate::records::Sql::new();
        sql.push("SELECT f.id, f.component_id, f.system_id, f.vuln_id, f.certainty, f.reason, f.status, f.matched_at, f.created_at, \
                  f.justification, f.decision_note, f.decided_by, f.row_version, \
                  v.cvss_score, COALESCE(v.kev, 0) AS kev, e.epss FROM findings f \
                  LEFT JOIN vulnerabilities v ON v.id = f.vuln_id LEFT JOIN epss_scores e ON e.cve = f.vuln_id \
                  WHERE f.system_id IN (SELECT id FROM systems WHERE ");
        sql.scope(&scope(actor, Kind::System, Access::Read))
            .push(")");
        if let Some(s) = system_id {
            sql.push(" AND f.system_id = ").bind_int(s);
        }
        if let Some(id) = finding_id {
            sql.push(" AND f.id = ").bind_int(id);
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
                    justification: r.try_get("justification")?,
                    decision_note: r.try_get("decision_note")?,
                    decided_by: r.try_get("decided_by")?,
                    version: r.try_get("row_version")?,
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

impl Store {
    /// Record that a finding does not affect its component, with the VEX
    /// justification and a note; or, with `None`, re-open it. Only those who
    /// may change the system's components decide.
    pub async fn decide_finding(
        &self,
        actor: &Actor,
        id: i64,
        base_version: i64,
        decision: Option<(&str, &str)>,
    ) -> Result<()> {
        let f = self.finding(actor, id).await?;
        let writable = match scope(actor, Kind::Component, Access::Write) {
            sonae_domain::Scope::All => true,
            sonae_domain::Scope::SystemIn(inner) => {
                let mut sql = crate::records::Sql::new();
                sql.push("SELECT COUNT(*) AS n FROM systems WHERE id = ")
                    .bind_int(f.system_id)
                    .push(" AND ")
                    .scope(&inner);
                sql.query()
                    .fetch_one(&self.pool)
                    .await?
                    .try_get::<i64, _>("n")?
                    > 0
            }
            _ => false,
        };
        if !writable {
            return Err(StoreError::Forbidden);
        }
        if let Some((j, _)) = decision {
            if !sonae_domain::finding::is_justification(j) {
                return Err(StoreError::Invalid(vec![sonae_domain::FieldError {
                    field: "justification",
                    kind: sonae_domain::FieldErrorKind::NotInList,
                }]));
            }
        }
        let before = serde_json::json!({"status": f.status, "justification": f.justification, "note": f.decision_note}).to_string();
        let (status, justification, note, by, on) = match decision {
            Some((j, n)) => (
                "not_affected",
                Some(j.to_owned()),
                Some(n.chars().take(2000).collect::<String>()),
                Some(actor.name.clone()),
                Some(f.reason.clone()),
            ),
            None => ("new", None, None, None, None),
        };
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE findings SET status = $1, justification = $2, decision_note = $3, decided_by = $4, decided_reason = $5, \
             row_version = row_version + 1, updated_at = $6 WHERE id = $7 AND row_version = $8",
        )
        .bind(status)
        .bind(justification.clone())
        .bind(note.clone())
        .bind(by)
        .bind(on)
        .bind(self.clock.now_ms())
        .bind(id)
        .bind(base_version)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("stale".into()));
        }
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "update",
                object_kind: "findings",
                object_id: Some(id),
                before: Some(before),
                after: Some(serde_json::json!({"status": status, "justification": justification, "note": note}).to_string()),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }
}
