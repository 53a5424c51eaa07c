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
    /// SSVC exploitation "active" (CISA, in CVE 5 data).
    pub exploited: bool,
    pub epss: Option<f64>,
    /// Facts of the system, for the priority.
    pub system_name: String,
    pub department_id: i64,
    pub exposure: String,
    pub importance: Option<i64>,
    pub personal_data: bool,
    /// The system's RTO inherited from business processes (strictest).
    pub rto_hours: Option<i64>,
    /// The component, for lists.
    pub component_label: String,
    /// Priority and due date under the policy at the last refresh.
    pub priority: Option<String>,
    pub due_at_ms: Option<i64>,
    /// The workflow's record (DESIGN §4).
    pub direction: Option<String>,
    pub work_plan: Option<sonae_domain::workflow::WorkPlan>,
    pub agreed_by: Option<String>,
    pub agreed_at_ms: Option<i64>,
    pub acceptance_requested_by: Option<String>,
    pub accepted_by: Option<String>,
    pub accepted_until_ms: Option<i64>,
    pub fix_known: bool,
}

impl Finding {
    /// The facts the priority policy weighs.
    pub fn facts(&self) -> sonae_domain::priority::Facts {
        sonae_domain::priority::Facts {
            cvss: self.cvss,
            kev: self.kev,
            exploited: self.exploited,
            epss: self.epss,
            exposure: self.exposure.clone(),
            importance: self.importance,
            personal_data: self.personal_data,
            rto_hours: self.rto_hours,
        }
    }

    pub fn workflow_state(&self) -> sonae_domain::workflow::State {
        sonae_domain::workflow::State {
            status: sonae_domain::workflow::Status::parse(&self.status)
                .unwrap_or(sonae_domain::workflow::Status::New),
            plan_recorded: self.work_plan.is_some(),
            agreed: self.agreed_by.is_some(),
            acceptance_requested_by: self.acceptance_requested_by.clone(),
        }
    }

    /// Open and past its due date at `now_ms`.
    pub fn overdue(&self, now_ms: i64) -> bool {
        sonae_domain::workflow::Status::parse(&self.status).is_some_and(|s| s.is_open())
            && self.due_at_ms.is_some_and(|d| d < now_ms)
    }
}

/// Which findings a list shows (the security officer's queue, a system's
/// findings, an export).
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub system_id: Option<i64>,
    pub finding_id: Option<i64>,
    pub department_id: Option<i64>,
    /// Only these statuses; empty: all.
    pub statuses: Vec<String>,
    pub priority: Option<String>,
    /// Open and due before this time.
    pub due_before_ms: Option<i64>,
    pub kev_only: bool,
    /// Only "confirmed" or only "possible" findings.
    pub certainty: Option<String>,
    /// Vulnerability id or component text contains.
    pub text: Option<String>,
    /// Order by due date (the queue) instead of severity.
    pub by_due: bool,
    pub limit: i64,
    pub offset: i64,
}

/// Statuses still to be fixed, for filters.
pub fn open_statuses() -> Vec<String> {
    sonae_domain::workflow::Status::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str().to_owned())
        .collect()
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
        let rows = sqlx::query(
            "SELECT id, component_id, vuln_id, status, decided_reason, fix_known FROM findings",
        )
        .fetch_all(&mut *w.tx)
        .await?;
        let mut existing: Vec<(i64, i64, String, String)> = Vec::new();
        // Worked-on findings: id, status, the match a decision was made on,
        // whether a fix was known when it was mitigated.
        type Worked = (i64, String, Option<String>, bool);
        let mut worked: std::collections::HashMap<(i64, String), Worked> =
            std::collections::HashMap::new();
        for r in &rows {
            let (id, c, v, st): (i64, i64, String, String) = (
                r.try_get("id")?,
                r.try_get("component_id")?,
                r.try_get("vuln_id")?,
                r.try_get("status")?,
            );
            if st != "new" {
                worked.insert(
                    (c, v.clone()),
                    (
                        id,
                        st.clone(),
                        r.try_get("decided_reason")?,
                        r.try_get::<i64, _>("fix_known")? != 0,
                    ),
                );
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
                if let Some((id, status, on, fix_then)) =
                    worked.get(&(f.component_id, f.vuln_id.clone()))
                {
                    let why = sonae_domain::workflow::reopen_on_rematch(
                        status,
                        on.as_deref(),
                        *fix_then,
                        &f.reason,
                    );
                    if let Some(why) = why {
                        stats.reopened += 1;
                        self.reopen_in(
                            &mut w.tx,
                            *id,
                            status,
                            why,
                            now,
                            serde_json::json!({"reason": f.reason}),
                        )
                        .await?;
                    }
                }
                sqlx::query("UPDATE findings SET certainty = CASE WHEN certainty_confirmed_by IS NULL THEN $1 ELSE 'confirmed' END, reason = $2, matched_at = $3 WHERE component_id = $4 AND vuln_id = $5")
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
                    "INSERT INTO findings (row_version, created_at, updated_at, component_id, system_id, vuln_id, certainty, reason, status, matched_at, status_at) \
                     VALUES (1, $1, $1, $2, $3, $4, $5, $6, 'new', $1, $1)",
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
    /// optionally of one system, most severe first.
    pub async fn findings(
        &self,
        actor: &Actor,
        system_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Finding>> {
        self.findings_filtered(
            actor,
            &FindingFilter {
                system_id,
                limit,
                ..FindingFilter::default()
            },
        )
        .await
    }

    /// One finding the actor may see.
    pub async fn finding(&self, actor: &Actor, id: i64) -> Result<Finding> {
        self.findings_filtered(
            actor,
            &FindingFilter {
                finding_id: Some(id),
                limit: 1,
                ..FindingFilter::default()
            },
        )
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
    }

    fn finding_sql(actor: &Actor, q: &FindingFilter, count: bool) -> crate::records::Sql {
        let mut sql = crate::records::Sql::new();
        if count {
            sql.push("SELECT COUNT(*) AS n ");
        } else {
            sql.push(
                "SELECT f.id, f.component_id, f.system_id, f.vuln_id, f.certainty, f.reason, f.status, f.matched_at, f.created_at, \
                 f.justification, f.decision_note, f.decided_by, f.row_version, f.priority, f.due_at, f.direction, f.work_plan, \
                 f.agreed_by, f.agreed_at, f.acceptance_requested_by, f.accepted_by, f.accepted_until, f.fix_known, \
                 s.name AS system_name, s.owner_department_id, s.exposure, s.personal_data, s.confidentiality, s.integrity, s.availability, \
                 c.product, c.version AS component_version, \
                 v.cvss_score, COALESCE(v.kev, 0) AS kev, COALESCE(v.exploited, 0) AS exploited, e.epss ",
            );
        }
        sql.push(
            "FROM findings f JOIN systems s ON s.id = f.system_id JOIN components c ON c.id = f.component_id \
             LEFT JOIN vulnerabilities v ON v.id = f.vuln_id LEFT JOIN epss_scores e ON e.cve = f.vuln_id \
             WHERE f.system_id IN (SELECT id FROM systems WHERE ",
        );
        sql.scope(&scope(actor, Kind::System, Access::Read))
            .push(")");
        if let Some(s) = q.system_id {
            sql.push(" AND f.system_id = ").bind_int(s);
        }
        if let Some(id) = q.finding_id {
            sql.push(" AND f.id = ").bind_int(id);
        }
        if let Some(d) = q.department_id {
            sql.push(" AND s.owner_department_id = ").bind_int(d);
        }
        if !q.statuses.is_empty() {
            sql.push(" AND f.status IN (");
            for (i, st) in q.statuses.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind_text(st);
            }
            sql.push(")");
        }
        if let Some(p) = &q.priority {
            sql.push(" AND f.priority = ").bind_text(p);
        }
        if let Some(t) = q.due_before_ms {
            sql.push(" AND f.due_at < ").bind_int(t);
        }
        if q.kev_only {
            sql.push(" AND v.kev = 1");
        }
        if let Some(c) = &q.certainty {
            sql.push(" AND f.certainty = ").bind_text(c);
        }
        if let Some(t) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let like = format!("%{}%", t.to_lowercase().replace(['%', '_'], ""));
            sql.push(" AND (LOWER(f.vuln_id) LIKE ")
                .bind_text(&like)
                .push(" OR LOWER(c.product) LIKE ")
                .bind_text(&like)
                .push(" OR LOWER(s.name) LIKE ")
                .bind_text(&like)
                .push(")");
        }
        if !count {
            if q.by_due {
                sql.push(" ORDER BY COALESCE(f.due_at, 9000000000000000), f.priority, f.id");
            } else {
                sql.push(" ORDER BY COALESCE(v.cvss_score, 0) DESC, f.vuln_id DESC, f.id");
            }
            sql.push(" LIMIT ")
                .bind_int(q.limit.clamp(1, 5000))
                .push(" OFFSET ")
                .bind_int(q.offset.max(0));
        }
        sql
    }

    /// How many findings match the filter (for paging).
    pub async fn count_findings(&self, actor: &Actor, q: &FindingFilter) -> Result<i64> {
        let sql = Self::finding_sql(actor, q, true);
        Ok(sql.query().fetch_one(&self.pool).await?.try_get("n")?)
    }

    pub async fn findings_filtered(
        &self,
        actor: &Actor,
        q: &FindingFilter,
    ) -> Result<Vec<Finding>> {
        let mut found = self.findings_rows(actor, q).await?;
        if !found.is_empty() {
            let rto = self.system_rto_hours().await?;
            for f in &mut found {
                f.rto_hours = rto.get(&f.system_id).copied();
            }
        }
        Ok(found)
    }

    async fn findings_rows(&self, actor: &Actor, q: &FindingFilter) -> Result<Vec<Finding>> {
        let sql = Self::finding_sql(actor, q, false);
        let rows = sql.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let cia: Vec<Option<i64>> = ["confidentiality", "integrity", "availability"]
                    .iter()
                    .map(|c| r.try_get::<Option<i64>, _>(*c))
                    .collect::<std::result::Result<_, _>>()?;
                let product: String = r.try_get("product")?;
                let cver: Option<String> = r.try_get("component_version")?;
                let plan: Option<String> = r.try_get("work_plan")?;
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
                    exploited: r.try_get::<i64, _>("exploited")? != 0,
                    epss: r.try_get("epss")?,
                    system_name: r.try_get("system_name")?,
                    department_id: r.try_get("owner_department_id")?,
                    exposure: r.try_get("exposure")?,
                    importance: cia.into_iter().flatten().max(),
                    personal_data: r.try_get::<i64, _>("personal_data")? != 0,
                    rto_hours: None,
                    component_label: match cver.filter(|v| !v.is_empty()) {
                        Some(v) => format!("{product} {v}"),
                        None => product,
                    },
                    priority: r.try_get("priority")?,
                    due_at_ms: r.try_get("due_at")?,
                    direction: r.try_get("direction")?,
                    work_plan: plan.and_then(|p| serde_json::from_str(&p).ok()),
                    agreed_by: r.try_get("agreed_by")?,
                    agreed_at_ms: r.try_get("agreed_at")?,
                    acceptance_requested_by: r.try_get("acceptance_requested_by")?,
                    accepted_by: r.try_get("accepted_by")?,
                    accepted_until_ms: r.try_get("accepted_until")?,
                    fix_known: r.try_get::<i64, _>("fix_known")? != 0,
                })
            })
            .collect()
    }
}
