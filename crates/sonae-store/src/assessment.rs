//! Self-assessments, uploaded catalogs, the risk register and the figures
//! of the executive dashboard (DESIGN §7, §8). Scoring and risk arithmetic
//! live in `sonae_domain::{assessment, risk}`; this module stores answers and
//! risks, checks who may write, and audits every change.

use crate::db::Store;
use crate::{Result, StoreError};
use sonae_domain::access::Actor;
use sonae_domain::assessment::{self, Catalog};
use sonae_domain::{risk, FieldError, FieldErrorKind, Role};
use sqlx::Row;
use std::collections::HashMap;

/// Who may read assessments, risks and the dashboard: everyone but vendors
/// and system owners (DESIGN: executive, admin, security officer, auditor).
pub fn may_read_assessments(role: Role) -> bool {
    matches!(
        role,
        Role::Admin | Role::SecurityOfficer | Role::Executive | Role::Auditor
    )
}

/// Who may answer assessments and edit risks.
pub fn may_write_assessments(role: Role) -> bool {
    matches!(role, Role::Admin | Role::SecurityOfficer | Role::Executive)
}

/// Who may add catalogs (DESIGN §7: users can add catalogs).
pub fn may_add_catalogs(role: Role) -> bool {
    matches!(role, Role::Admin | Role::SecurityOfficer)
}

#[derive(Debug, Clone)]
pub struct Answer {
    pub choice: String,
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct Assessment {
    pub id: i64,
    pub version: i64,
    pub catalog_key: String,
    pub title: String,
    pub assessed_at_ms: i64,
    pub created_by: String,
    pub answers: HashMap<String, Answer>,
}

impl Assessment {
    /// Item → choice, as the domain's scoring wants it.
    pub fn choices(&self) -> HashMap<String, String> {
        self.answers
            .iter()
            .map(|(k, a)| (k.clone(), a.choice.clone()))
            .collect()
    }
}

#[derive(Debug, Clone, Default)]
pub struct NewRisk {
    pub asset_id: i64,
    pub threat: String,
    pub description: String,
    pub frequency: i64,
    pub vulnerability: i64,
}

#[derive(Debug, Clone)]
pub struct RiskRow {
    pub id: i64,
    pub version: i64,
    pub asset_id: i64,
    pub asset_name: String,
    /// From the asset's C/I/A (the highest); None when unrated.
    pub importance: Option<i64>,
    pub threat: String,
    pub description: String,
    pub frequency: i64,
    pub vulnerability: i64,
    pub treatment: Option<String>,
    pub treatment_note: String,
    pub residual_vulnerability: Option<i64>,
    pub accepted_by: Option<String>,
    pub accepted_at_ms: Option<i64>,
}

impl RiskRow {
    pub fn likelihood(&self) -> Option<i64> {
        risk::likelihood(self.frequency, self.vulnerability)
    }
    pub fn value(&self) -> Option<i64> {
        risk::risk_value(self.importance?, self.likelihood()?)
    }
    pub fn residual_likelihood(&self) -> Option<i64> {
        risk::likelihood(self.frequency, self.residual_vulnerability?)
    }
    pub fn residual_value(&self) -> Option<i64> {
        risk::risk_value(self.importance?, self.residual_likelihood()?)
    }
}

/// Open findings on one side of the dashboard: counts by system importance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exposure {
    /// Index 0 = importance 3, 1 = 2, 2 = 1 or unrated.
    pub open: [i64; 3],
    pub kev: [i64; 3],
    pub overdue: [i64; 3],
    /// Of the open ones, "possible" findings (no comparable version data)
    /// that wait for a person to check them.
    pub possible: [i64; 3],
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentCount {
    pub level: i64,
    pub open: i64,
    pub closed: i64,
    /// Sum of the recorded costs (yen) and how many incidents have one.
    pub cost_yen: i64,
    pub with_cost: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionCounts {
    pub open: i64,
    pub in_progress: i64,
    pub overdue: i64,
    pub done_in_period: i64,
}

fn invalid(field: &'static str, kind: FieldErrorKind) -> StoreError {
    StoreError::Invalid(vec![FieldError { field, kind }])
}

fn level_ok(v: i64) -> bool {
    (1..=3).contains(&v)
}

impl Store {
    /// Shipped catalogs, then the ones users added (oldest first).
    pub async fn catalogs(&self) -> Result<Vec<Catalog>> {
        let mut out = assessment::builtin().map_err(StoreError::Other)?;
        let rows = sqlx::query("SELECT source FROM assessment_catalogs ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        for r in rows {
            let src: String = r.try_get("source")?;
            // Stored only after parsing; a catalog that no longer parses is
            // skipped (and logged) rather than hiding the others.
            match assessment::parse_catalog(&src) {
                Ok(c) => out.push(c),
                Err(e) => tracing::warn!(errors = ?e, "stored catalog no longer parses"),
            }
        }
        Ok(out)
    }

    pub async fn catalog(&self, key: &str) -> Result<Catalog> {
        self.catalogs()
            .await?
            .into_iter()
            .find(|c| c.id == key)
            .ok_or(StoreError::NotFound)
    }

    /// Add a catalog from its TOML text; the caller shows parse errors (see
    /// `assessment::parse_catalog`), here a bad file is just refused.
    pub async fn add_catalog(&self, actor: &Actor, src: &str) -> Result<String> {
        if !may_add_catalogs(actor.role) {
            return Err(StoreError::Forbidden);
        }
        let c = assessment::parse_catalog(src)
            .map_err(|_| invalid("file", FieldErrorKind::NotInList))?;
        if self.catalogs().await?.iter().any(|o| o.id == c.id) {
            return Err(invalid("id", FieldErrorKind::Duplicate));
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO assessment_catalogs (catalog_key, source, created_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(c.id.as_str())
        .bind(src)
        .bind(now)
        .bind(actor.name.as_str())
        .fetch_one(&mut *w.tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "create",
                object_kind: "assessment_catalogs",
                object_id: Some(id),
                before: None,
                after: Some(
                    serde_json::json!({"catalog": c.id, "items": c.items.len()}).to_string(),
                ),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(c.id)
    }

    /// Start an assessment of a catalog.
    pub async fn create_assessment(
        &self,
        actor: &Actor,
        catalog_key: &str,
        title: &str,
        assessed_at_ms: i64,
    ) -> Result<i64> {
        if !may_write_assessments(actor.role) {
            return Err(StoreError::Forbidden);
        }
        let cat = self
            .catalog(catalog_key)
            .await
            .map_err(|_| invalid("catalog", FieldErrorKind::UnknownReference))?;
        let title = if title.trim().is_empty() {
            cat.en.clone()
        } else {
            title.trim().to_owned()
        };
        if title.chars().count() > 200 {
            return Err(invalid("title", FieldErrorKind::TooLong { max: 200 }));
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO assessments (row_version, created_at, updated_at, catalog_key, title, assessed_at, created_by) VALUES (1, $1, $1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(now)
        .bind(cat.id.as_str())
        .bind(title.as_str())
        .bind(assessed_at_ms)
        .bind(actor.name.as_str())
        .fetch_one(&mut *w.tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "create",
                object_kind: "assessments",
                object_id: Some(id),
                before: None,
                after: Some(
                    serde_json::json!({"catalog": cat.id, "title": title, "assessed_at": assessed_at_ms})
                        .to_string(),
                ),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(id)
    }

    pub async fn assessment(&self, actor: &Actor, id: i64) -> Result<Assessment> {
        if !may_read_assessments(actor.role) {
            return Err(StoreError::Forbidden);
        }
        let r = sqlx::query(
            "SELECT id, row_version, catalog_key, title, assessed_at, created_by FROM assessments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let mut a = Assessment {
            id: r.try_get("id")?,
            version: r.try_get("row_version")?,
            catalog_key: r.try_get("catalog_key")?,
            title: r.try_get("title")?,
            assessed_at_ms: r.try_get("assessed_at")?,
            created_by: r.try_get("created_by")?,
            answers: HashMap::new(),
        };
        let rows = sqlx::query(
            "SELECT item_id, choice, note FROM assessment_answers WHERE assessment_id = $1",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        for r in rows {
            a.answers.insert(
                r.try_get("item_id")?,
                Answer {
                    choice: r.try_get("choice")?,
                    note: r.try_get("note")?,
                },
            );
        }
        Ok(a)
    }

    /// Assessments, oldest first (the trend's order), optionally of one catalog.
    pub async fn assessments(
        &self,
        actor: &Actor,
        catalog_key: Option<&str>,
    ) -> Result<Vec<Assessment>> {
        if !may_read_assessments(actor.role) {
            return Err(StoreError::Forbidden);
        }
        let rows =
            match catalog_key {
                Some(k) => sqlx::query(
                    "SELECT id FROM assessments WHERE catalog_key = $1 ORDER BY assessed_at, id",
                )
                .bind(k)
                .fetch_all(&self.pool)
                .await?,
                None => {
                    sqlx::query("SELECT id FROM assessments ORDER BY assessed_at, id")
                        .fetch_all(&self.pool)
                        .await?
                }
            };
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(self.assessment(actor, r.try_get("id")?).await?);
        }
        Ok(out)
    }

    /// Save answers (item → choice and note). Choices are checked against
    /// the catalog's scale; an empty choice clears the answer. A save based
    /// on an older version is refused.
    pub async fn save_answers(
        &self,
        actor: &Actor,
        id: i64,
        base_version: i64,
        answers: &[(String, String, String)],
    ) -> Result<()> {
        if !may_write_assessments(actor.role) {
            return Err(StoreError::Forbidden);
        }
        let before = self.assessment(actor, id).await?;
        let cat = self.catalog(&before.catalog_key).await?;
        for (item, choice, note) in answers {
            if !cat.items.iter().any(|i| &i.id == item) {
                return Err(invalid("item", FieldErrorKind::UnknownReference));
            }
            if !choice.is_empty() && cat.choice(choice).is_none() {
                return Err(invalid("choice", FieldErrorKind::NotInList));
            }
            if note.chars().count() > 2000 {
                return Err(invalid("note", FieldErrorKind::TooLong { max: 2000 }));
            }
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE assessments SET row_version = row_version + 1, updated_at = $1 WHERE id = $2 AND row_version = $3",
        )
        .bind(now)
        .bind(id)
        .bind(base_version)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("stale".into()));
        }
        let mut changed = Vec::new();
        for (item, choice, note) in answers {
            let old = before.answers.get(item);
            if old.map(|a| (a.choice.as_str(), a.note.as_str())) == Some((choice, note.trim()))
                || (old.is_none() && choice.is_empty() && note.trim().is_empty())
            {
                continue;
            }
            if choice.is_empty() && note.trim().is_empty() {
                sqlx::query(
                    "DELETE FROM assessment_answers WHERE assessment_id = $1 AND item_id = $2",
                )
                .bind(id)
                .bind(item.as_str())
                .execute(&mut *w.tx)
                .await?;
            } else {
                sqlx::query(
                    "INSERT INTO assessment_answers (assessment_id, item_id, choice, note, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (assessment_id, item_id) DO UPDATE SET choice = excluded.choice, note = excluded.note, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                )
                .bind(id)
                .bind(item.as_str())
                .bind(choice.as_str())
                .bind(note.trim())
                .bind(now)
                .bind(actor.name.as_str())
                .execute(&mut *w.tx)
                .await?;
            }
            changed.push(serde_json::json!({"item": item, "from": old.map(|a| a.choice.clone()), "to": choice}));
        }
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "update",
                object_kind: "assessments",
                object_id: Some(id),
                before: None,
                after: Some(serde_json::json!({"answers": changed}).to_string()),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Add a risk for an information asset.
    pub async fn create_risk(&self, actor: &Actor, n: &NewRisk) -> Result<i64> {
        if !may_write_assessments(actor.role) {
            return Err(StoreError::Forbidden);
        }
        let mut e = Vec::new();
        let threats = risk::threats().map_err(StoreError::Other)?;
        if !threats.threats.iter().any(|t| t.id == n.threat) {
            e.push(FieldError {
                field: "threat",
                kind: FieldErrorKind::NotInList,
            });
        }
        for (field, v) in [
            ("frequency", n.frequency),
            ("vulnerability", n.vulnerability),
        ] {
            if !level_ok(v) {
                e.push(FieldError {
                    field,
                    kind: FieldErrorKind::OutOfRange { min: 1, max: 3 },
                });
            }
        }
        if n.description.chars().count() > 2000 {
            e.push(FieldError {
                field: "description",
                kind: FieldErrorKind::TooLong { max: 2000 },
            });
        }
        let exists = sqlx::query("SELECT id FROM assets WHERE id = $1")
            .bind(n.asset_id)
            .fetch_optional(&self.pool)
            .await?
            .is_some();
        if !exists {
            e.push(FieldError {
                field: "asset",
                kind: FieldErrorKind::UnknownReference,
            });
        }
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO risks (row_version, created_at, updated_at, asset_id, threat, description, frequency, vulnerability, created_by) \
             VALUES (1, $1, $1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(now)
        .bind(n.asset_id)
        .bind(n.threat.as_str())
        .bind(n.description.trim())
        .bind(n.frequency)
        .bind(n.vulnerability)
        .bind(actor.name.as_str())
        .fetch_one(&mut *w.tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "create",
                object_kind: "risks",
                object_id: Some(id),
                before: None,
                after: Some(
                    serde_json::json!({"asset": n.asset_id, "threat": n.threat, "frequency": n.frequency, "vulnerability": n.vulnerability})
                        .to_string(),
                ),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(id)
    }

    /// The register, highest risk first.
    pub async fn risks(&self, actor: &Actor) -> Result<Vec<RiskRow>> {
        if !may_read_assessments(actor.role) {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query(
            "SELECT r.id, r.row_version, r.asset_id, a.name, a.confidentiality, a.integrity, a.availability, r.threat, r.description, r.frequency, r.vulnerability, \
             r.treatment, r.treatment_note, r.residual_vulnerability, r.accepted_by, r.accepted_at \
             FROM risks r JOIN assets a ON a.id = r.asset_id ORDER BY r.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = rows
            .iter()
            .map(|r| {
                let cia: [Option<i64>; 3] = [
                    r.try_get("confidentiality")?,
                    r.try_get("integrity")?,
                    r.try_get("availability")?,
                ];
                Ok(RiskRow {
                    id: r.try_get("id")?,
                    version: r.try_get("row_version")?,
                    asset_id: r.try_get("asset_id")?,
                    asset_name: r.try_get("name")?,
                    // seed 001: importance is the highest of C, I and A.
                    importance: cia.iter().flatten().copied().max(),
                    threat: r.try_get("threat")?,
                    description: r.try_get("description")?,
                    frequency: r.try_get("frequency")?,
                    vulnerability: r.try_get("vulnerability")?,
                    treatment: r.try_get("treatment")?,
                    treatment_note: r.try_get("treatment_note")?,
                    residual_vulnerability: r.try_get("residual_vulnerability")?,
                    accepted_by: r.try_get("accepted_by")?,
                    accepted_at_ms: r.try_get("accepted_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|r| (std::cmp::Reverse(r.value().unwrap_or(0)), r.id));
        Ok(out)
    }

    /// Decide a treatment and the vulnerability level expected after it
    /// (residual risk). A changed treatment clears an earlier acceptance.
    pub async fn treat_risk(
        &self,
        actor: &Actor,
        id: i64,
        base_version: i64,
        treatment: &str,
        note: &str,
        residual_vulnerability: Option<i64>,
    ) -> Result<()> {
        if !may_write_assessments(actor.role) {
            return Err(StoreError::Forbidden);
        }
        if !risk::TREATMENTS.contains(&treatment) {
            return Err(invalid("treatment", FieldErrorKind::NotInList));
        }
        if residual_vulnerability.is_some_and(|v| !level_ok(v)) {
            return Err(invalid(
                "residual_vulnerability",
                FieldErrorKind::OutOfRange { min: 1, max: 3 },
            ));
        }
        if note.chars().count() > 2000 {
            return Err(invalid(
                "treatment_note",
                FieldErrorKind::TooLong { max: 2000 },
            ));
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let prev = sqlx::query("SELECT treatment, residual_vulnerability FROM risks WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *w.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let prev_t: Option<String> = prev.try_get("treatment")?;
        let prev_r: Option<i64> = prev.try_get("residual_vulnerability")?;
        let done = sqlx::query(
            "UPDATE risks SET treatment = $1, treatment_note = $2, residual_vulnerability = $3, \
             accepted_by = CASE WHEN $7 = 1 THEN accepted_by ELSE NULL END, \
             accepted_at = CASE WHEN $7 = 1 THEN accepted_at ELSE NULL END, \
             row_version = row_version + 1, updated_at = $4 WHERE id = $5 AND row_version = $6",
        )
        .bind(treatment)
        .bind(note.trim())
        .bind(residual_vulnerability)
        .bind(now)
        .bind(id)
        .bind(base_version)
        .bind(i64::from(
            prev_t.as_deref() == Some(treatment) && prev_r == residual_vulnerability,
        ))
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
                object_kind: "risks",
                object_id: Some(id),
                before: Some(serde_json::json!({"treatment": prev_t, "residual_vulnerability": prev_r}).to_string()),
                after: Some(
                    serde_json::json!({"treatment": treatment, "residual_vulnerability": residual_vulnerability, "note": note.trim()})
                        .to_string(),
                ),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// An executive accepts the residual risk (seed 001: 残留リスクの許容,
    /// by management). Needs a treatment first.
    pub async fn accept_risk(&self, actor: &Actor, id: i64, base_version: i64) -> Result<()> {
        if actor.role != Role::Executive {
            return Err(StoreError::Forbidden);
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE risks SET accepted_by = $1, accepted_at = $2, row_version = row_version + 1, updated_at = $2 \
             WHERE id = $3 AND row_version = $4 AND treatment IS NOT NULL",
        )
        .bind(actor.name.as_str())
        .bind(now)
        .bind(id)
        .bind(base_version)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            let exists = sqlx::query("SELECT treatment FROM risks WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *w.tx)
                .await?;
            return match exists {
                None => Err(StoreError::NotFound),
                Some(r) if r.try_get::<Option<String>, _>("treatment")?.is_none() => {
                    Err(invalid("treatment", FieldErrorKind::Required))
                }
                Some(_) => Err(StoreError::Conflict("stale".into())),
            };
        }
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "update",
                object_kind: "risks",
                object_id: Some(id),
                before: None,
                after: Some(serde_json::json!({"accepted_by": actor.name}).to_string()),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Open findings by the importance of their system: all, known
    /// exploited (KEV), and past their due date.
    pub async fn exposure(&self, actor: &Actor) -> Result<Exposure> {
        if !may_read_assessments(actor.role) {
            return Err(StoreError::Forbidden);
        }
        let now = self.clock.now_ms();
        let open = crate::findings::open_statuses();
        let mut sql = crate::records::Sql::new();
        sql.push("SELECT s.confidentiality, s.integrity, s.availability, COALESCE(v.kev, 0) AS kev, f.due_at, f.certainty FROM findings f JOIN systems s ON s.id = f.system_id LEFT JOIN vulnerabilities v ON v.id = f.vuln_id WHERE f.status IN (");
        for (i, st) in open.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind_text(st);
        }
        sql.push(")");
        let rows = sql.query().fetch_all(&self.pool).await?;
        let mut e = Exposure::default();
        for r in rows {
            let cia: [Option<i64>; 3] = [
                r.try_get("confidentiality")?,
                r.try_get("integrity")?,
                r.try_get("availability")?,
            ];
            let idx = match cia.iter().flatten().copied().max() {
                Some(3) => 0,
                Some(2) => 1,
                _ => 2,
            };
            let kev: i64 = r.try_get("kev")?;
            let due: Option<i64> = r.try_get("due_at")?;
            e.open[idx] += 1;
            e.kev[idx] += i64::from(kev != 0);
            e.overdue[idx] += i64::from(due.is_some_and(|d| d < now));
            let certainty: String = r.try_get("certainty")?;
            e.possible[idx] += i64::from(certainty == "possible");
        }
        Ok(e)
    }

    /// Incidents discovered in [from, to), per level.
    pub async fn incident_counts(
        &self,
        actor: &Actor,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<IncidentCount>> {
        if !may_read_assessments(actor.role) {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query(
            "SELECT level, phase, cost_yen FROM incidents WHERE discovered_at >= $1 AND discovered_at < $2",
        )
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<IncidentCount> = (0..=3)
            .map(|level| IncidentCount {
                level,
                ..IncidentCount::default()
            })
            .collect();
        for r in rows {
            let level: i64 = r.try_get("level")?;
            let phase: String = r.try_get("phase")?;
            let cost: Option<i64> = r.try_get("cost_yen")?;
            if let Some(c) = out.iter_mut().find(|c| c.level == level) {
                if let Some(y) = cost {
                    c.cost_yen += y;
                    c.with_cost += 1;
                }
                if phase == "closed" {
                    c.closed += 1;
                } else {
                    c.open += 1;
                }
            }
        }
        Ok(out)
    }

    /// Improvement actions: open, in progress, overdue, and done since `from`.
    pub async fn action_counts(&self, actor: &Actor, from_ms: i64) -> Result<ActionCounts> {
        if !may_read_assessments(actor.role) {
            return Err(StoreError::Forbidden);
        }
        let now = self.clock.now_ms();
        let rows = sqlx::query("SELECT status, due_at, done_at FROM improvement_actions")
            .fetch_all(&self.pool)
            .await?;
        let mut c = ActionCounts::default();
        for r in rows {
            let status: String = r.try_get("status")?;
            let due: Option<i64> = r.try_get("due_at")?;
            let done: Option<i64> = r.try_get("done_at")?;
            let open = matches!(status.as_str(), "open" | "in_progress");
            match status.as_str() {
                "open" => c.open += 1,
                "in_progress" => c.in_progress += 1,
                _ => {}
            }
            if open && due.is_some_and(|d| d < now) {
                c.overdue += 1;
            }
            if status == "done" && done.is_some_and(|d| d >= from_ms) {
                c.done_in_period += 1;
            }
        }
        Ok(c)
    }
}
