//! Incidents (DESIGN §5): the incident, its systems, checklists created
//! from the playbooks, the append-only work log (each entry also in the
//! audit chain), decisions checked against each system's route, evidence
//! with its chain of custody.

use crate::db::Store;
use crate::{Result, StoreError};
use sonae_domain::access::Actor;
use sonae_domain::incident::{self, Phase};
use sonae_domain::{FieldError, FieldErrorKind, Role};
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct Incident {
    pub id: i64,
    pub version: i64,
    pub reference: String,
    pub title: String,
    pub category: String,
    pub level: i64,
    pub phase: String,
    pub discovered_at_ms: i64,
    pub created_at_ms: i64,
    pub reported_by: String,
    pub summary: String,
    /// "unknown", "no" or "yes".
    pub personal_data: String,
    pub commander: Option<String>,
    pub closed_at_ms: Option<i64>,
    pub system_ids: Vec<i64>,
    /// What it cost, in yen, once known.
    pub cost_yen: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct NewIncident {
    pub title: String,
    pub category: String,
    pub level: i64,
    pub discovered_at_ms: i64,
    pub summary: String,
    pub personal_data: String,
    pub system_ids: Vec<i64>,
}

#[derive(Debug, Clone)]
pub struct LogEntry {
    pub id: i64,
    pub at_ms: i64,
    pub actor: String,
    /// "note", "phase", "level", "task", "decision", "evidence", "custody", "report", "system".
    pub kind: String,
    pub body: String,
    pub corrects: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Task {
    pub id: i64,
    pub playbook: String,
    pub section: String,
    pub section_ja: String,
    pub section_en: String,
    pub phase: String,
    pub title_ja: String,
    pub title_en: String,
    pub assignee: Option<String>,
    pub vendor_id: Option<i64>,
    pub due_at_ms: Option<i64>,
    pub done_at_ms: Option<i64>,
    pub done_by: Option<String>,
    pub note: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone)]
pub struct Decision {
    pub id: i64,
    pub at_ms: i64,
    pub recorded_by: String,
    pub decider: String,
    pub decision: String,
    pub authority: String,
    pub system_id: Option<i64>,
    pub basis: String,
    pub authorized: bool,
}

#[derive(Debug, Clone)]
pub struct Evidence {
    pub id: i64,
    pub at_ms: i64,
    pub item: String,
    pub location: String,
    pub sha256: Option<String>,
    pub collected_by: String,
    pub file_name: Option<String>,
    pub file_size: Option<i64>,
    pub custody: Vec<Custody>,
}

#[derive(Debug, Clone)]
pub struct Custody {
    pub at_ms: i64,
    pub from: String,
    pub to: String,
    pub note: String,
    pub recorded_by: String,
}

/// Who may order a system stopped and who commands the response, with
/// deputies (people of the inventory).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Route {
    pub system_id: i64,
    pub stop_person_id: Option<i64>,
    pub stop_deputy_id: Option<i64>,
    pub command_person_id: Option<i64>,
    pub command_deputy_id: Option<i64>,
}

/// Someone to call: from the routes of the incident's systems.
#[derive(Debug, Clone)]
pub struct Contact {
    pub system_id: i64,
    pub system: String,
    /// "command", "command_deputy", "stop", "stop_deputy", "administrator".
    pub role: &'static str,
    pub person_id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub after_hours_phone: Option<String>,
    pub reachable_hours: Option<String>,
    pub email: Option<String>,
}

/// Another system running a product of the incident's systems.
#[derive(Debug, Clone)]
pub struct SweepHit {
    pub system_id: i64,
    pub system: String,
    pub product: String,
    pub version: Option<String>,
    /// The same product and version as an affected system's component.
    pub same_version: bool,
}

/// Roles that run incidents: record decisions and evidence, change phase.
pub fn may_manage(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::SecurityOfficer)
}

fn may_read_all(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::Admin | Role::SecurityOfficer | Role::Executive | Role::Auditor
    )
}

fn field(name: &'static str, kind: FieldErrorKind) -> FieldError {
    FieldError { field: name, kind }
}

fn check_new(n: &NewIncident) -> Vec<FieldError> {
    let mut e = Vec::new();
    if n.title.trim().is_empty() {
        e.push(field("title", FieldErrorKind::Required));
    } else if n.title.chars().count() > 200 {
        e.push(field("title", FieldErrorKind::TooLong { max: 200 }));
    }
    if !incident::is_category(&n.category) {
        e.push(field("category", FieldErrorKind::NotInList));
    }
    if !(0..=3).contains(&n.level) {
        e.push(field(
            "level",
            FieldErrorKind::OutOfRange { min: 0, max: 3 },
        ));
    }
    if n.summary.trim().is_empty() {
        e.push(field("summary", FieldErrorKind::Required));
    } else if n.summary.chars().count() > 10_000 {
        e.push(field("summary", FieldErrorKind::TooLong { max: 10_000 }));
    }
    if !["unknown", "no", "yes"].contains(&n.personal_data.as_str()) {
        e.push(field("personal_data", FieldErrorKind::NotInList));
    }
    if n.discovered_at_ms <= 0 {
        e.push(field("discovered_at", FieldErrorKind::NotDate));
    }
    e
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

impl Store {
    /// Open an incident: with its systems, the checklists of the playbooks
    /// for its category, the first work-log entry, audited. Anyone signed
    /// in may report one (the duty to report at once, seed 001).
    pub async fn create_incident(&self, actor: &Actor, n: &NewIncident) -> Result<i64> {
        let errors = check_new(n);
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let playbooks = incident::playbooks_for(&n.category).map_err(StoreError::Other)?;
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        for s in &n.system_ids {
            let found = sqlx::query("SELECT COUNT(*) AS n FROM systems WHERE id = $1")
                .bind(*s)
                .fetch_one(&mut *w.tx)
                .await?
                .try_get::<i64, _>("n")?;
            if found == 0 {
                return Err(StoreError::Invalid(vec![field(
                    "system_ids",
                    FieldErrorKind::UnknownReference,
                )]));
            }
        }
        // INC-YYYY-NNNN, numbered per year of creation.
        let year = self.clock.now().format("%Y").to_string();
        let prefix = format!("INC-{year}-");
        let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM incidents WHERE ref LIKE $1")
            .bind(format!("{prefix}%"))
            .fetch_one(&mut *w.tx)
            .await?
            .try_get("n")?;
        let reference = format!("{prefix}{:04}", count + 1);
        let row = sqlx::query(
            "INSERT INTO incidents (row_version, created_at, updated_at, ref, title, category, level, phase, discovered_at, reported_by, summary, personal_data) \
             VALUES (1, $1, $1, $2, $3, $4, $5, 'detect', $6, $7, $8, $9) RETURNING id",
        )
        .bind(now)
        .bind(reference.as_str())
        .bind(n.title.trim())
        .bind(n.category.as_str())
        .bind(n.level)
        .bind(n.discovered_at_ms)
        .bind(actor.name.as_str())
        .bind(n.summary.trim())
        .bind(n.personal_data.as_str())
        .fetch_one(&mut *w.tx)
        .await
        .map_err(StoreError::from_write)?;
        let id: i64 = row.try_get("id")?;
        for s in &n.system_ids {
            sqlx::query("INSERT INTO incident_systems (incident_id, system_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*s)
                .execute(&mut *w.tx)
                .await
                .map_err(StoreError::from_write)?;
        }
        let mut position = 0;
        for p in &playbooks {
            for s in &p.sections {
                for item in &s.items {
                    position += 1;
                    sqlx::query(
                        "INSERT INTO incident_tasks (incident_id, playbook, section, section_ja, section_en, phase, position, title_ja, title_en) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(id)
                    .bind(p.id.as_str())
                    .bind(s.id.as_str())
                    .bind(s.ja.as_str())
                    .bind(s.en.as_str())
                    .bind(s.phase.as_str())
                    .bind(position)
                    .bind(item.ja.as_str())
                    .bind(item.en.as_str())
                    .execute(&mut *w.tx)
                    .await?;
                }
            }
        }
        let body = serde_json::json!({
            "ref": reference, "title": n.title.trim(), "category": n.category, "level": n.level,
            "discovered_at": n.discovered_at_ms, "summary": n.summary.trim(),
            "personal_data": n.personal_data, "systems": n.system_ids,
        });
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "report",
            &body.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(id)
    }

    /// The actor's read scope over incidents, as a condition on `i.id`.
    fn incident_scope(actor: &Actor, sql: &mut crate::records::Sql) {
        if may_read_all(actor) {
            sql.push("1=1");
            return;
        }
        match actor.role {
            Role::SystemOwner => {
                sql.push("(i.reported_by = ")
                    .bind_text(&actor.name)
                    .push(" OR i.id IN (SELECT x.incident_id FROM incident_systems x JOIN systems s ON s.id = x.system_id WHERE s.owner_department_id = ")
                    .bind_int(actor.department_id.unwrap_or(-1))
                    .push("))");
            }
            Role::Vendor => {
                sql.push(
                    "i.id IN (SELECT t.incident_id FROM incident_tasks t WHERE t.vendor_id = ",
                )
                .bind_int(actor.vendor_id.unwrap_or(-1))
                .push(")");
            }
            _ => {
                sql.push("1=0");
            }
        }
    }

    /// Incidents the actor may see, open ones first, newest first.
    pub async fn incidents(&self, actor: &Actor, open_only: bool) -> Result<Vec<Incident>> {
        self.incidents_where(actor, None, open_only).await
    }

    pub async fn incident(&self, actor: &Actor, id: i64) -> Result<Incident> {
        self.incidents_where(actor, Some(id), false)
            .await?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound)
    }

    async fn incidents_where(
        &self,
        actor: &Actor,
        id: Option<i64>,
        open_only: bool,
    ) -> Result<Vec<Incident>> {
        let mut sql = crate::records::Sql::new();
        sql.push("SELECT i.id, i.row_version, i.ref, i.title, i.category, i.level, i.phase, i.discovered_at, i.created_at, i.reported_by, i.summary, i.personal_data, i.commander, i.closed_at, i.cost_yen FROM incidents i WHERE ");
        Self::incident_scope(actor, &mut sql);
        if let Some(id) = id {
            sql.push(" AND i.id = ").bind_int(id);
        }
        if open_only {
            sql.push(" AND i.phase <> 'closed'");
        }
        sql.push(" ORDER BY CASE WHEN i.phase = 'closed' THEN 1 ELSE 0 END, i.level DESC, i.created_at DESC LIMIT 500");
        let rows = sql.query().fetch_all(&self.pool).await?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let systems = sqlx::query(
                "SELECT system_id FROM incident_systems WHERE incident_id = $1 ORDER BY system_id",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>("system_id"))
            .collect::<std::result::Result<Vec<_>, _>>()?;
            out.push(Incident {
                id,
                version: r.try_get("row_version")?,
                reference: r.try_get("ref")?,
                title: r.try_get("title")?,
                category: r.try_get("category")?,
                level: r.try_get::<i64, _>("level")?,
                phase: r.try_get("phase")?,
                discovered_at_ms: r.try_get("discovered_at")?,
                created_at_ms: r.try_get("created_at")?,
                reported_by: r.try_get("reported_by")?,
                summary: r.try_get("summary")?,
                personal_data: r.try_get("personal_data")?,
                commander: r.try_get("commander")?,
                closed_at_ms: r.try_get("closed_at")?,
                system_ids: systems,
                cost_yen: r.try_get("cost_yen")?,
            });
        }
        Ok(out)
    }

    /// Append one work-log entry and its audit entry (same transaction).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn log_in(
        &self,
        tx: &mut Tx,
        incident_id: i64,
        actor: &str,
        kind: &str,
        body: &str,
        corrects: Option<i64>,
        now: i64,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO incident_log (incident_id, at, actor, kind, body, corrects) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(incident_id)
        .bind(now)
        .bind(actor)
        .bind(kind)
        .bind(body)
        .bind(corrects)
        .fetch_one(&mut **tx)
        .await?;
        let log_id: i64 = row.try_get("id")?;
        self.append_audit(
            tx,
            crate::audit::Change {
                actor,
                action: "create",
                object_kind: "incident_log",
                object_id: Some(log_id),
                before: None,
                after: Some(
                    serde_json::json!({"incident": incident_id, "kind": kind, "body": body, "corrects": corrects, "at": now})
                        .to_string(),
                ),
            },
        )
        .await?;
        Ok(log_id)
    }

    /// May the actor add to this incident (log entries, ticks)? Everyone who
    /// sees it except auditors, who only read.
    async fn may_contribute(&self, actor: &Actor, id: i64) -> Result<Incident> {
        let inc = self.incident(actor, id).await?;
        if actor.role == Role::Auditor {
            return Err(StoreError::Forbidden);
        }
        Ok(inc)
    }

    /// A work-log entry; a correction names the entry it corrects (that
    /// entry stays as it was).
    pub async fn add_log(
        &self,
        actor: &Actor,
        id: i64,
        text: &str,
        corrects: Option<i64>,
    ) -> Result<i64> {
        self.may_contribute(actor, id).await?;
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Invalid(vec![field(
                "text",
                FieldErrorKind::Required,
            )]));
        }
        if text.chars().count() > 10_000 {
            return Err(StoreError::Invalid(vec![field(
                "text",
                FieldErrorKind::TooLong { max: 10_000 },
            )]));
        }
        if let Some(c) = corrects {
            let n: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM incident_log WHERE id = $1 AND incident_id = $2",
            )
            .bind(c)
            .bind(id)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
            if n == 0 {
                return Err(StoreError::Invalid(vec![field(
                    "corrects",
                    FieldErrorKind::UnknownReference,
                )]));
            }
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let log_id = self
            .log_in(&mut w.tx, id, &actor.name, "note", text, corrects, now)
            .await?;
        w.tx.commit().await?;
        Ok(log_id)
    }

    pub async fn incident_log(&self, actor: &Actor, id: i64) -> Result<Vec<LogEntry>> {
        self.incident(actor, id).await?;
        let rows = sqlx::query("SELECT id, at, actor, kind, body, corrects FROM incident_log WHERE incident_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(LogEntry {
                    id: r.try_get("id")?,
                    at_ms: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    kind: r.try_get("kind")?,
                    body: r.try_get("body")?,
                    corrects: r.try_get("corrects")?,
                })
            })
            .collect()
    }

    /// Move the incident to another phase (one step on, or back), logged.
    pub async fn set_phase(
        &self,
        actor: &Actor,
        id: i64,
        base_version: i64,
        to: Phase,
        note: &str,
    ) -> Result<()> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        let inc = self.incident(actor, id).await?;
        let from = Phase::parse(&inc.phase).unwrap_or(Phase::Detect);
        if !incident::phase_change_allowed(from, to) {
            return Err(StoreError::Invalid(vec![field(
                "phase",
                FieldErrorKind::NotInList,
            )]));
        }
        if to < from && note.trim().is_empty() {
            return Err(StoreError::Invalid(vec![field(
                "note",
                FieldErrorKind::Required,
            )]));
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE incidents SET phase = $1, closed_at = $2, row_version = row_version + 1, updated_at = $3 WHERE id = $4 AND row_version = $5",
        )
        .bind(to.as_str())
        .bind((to == Phase::Closed).then_some(now))
        .bind(now)
        .bind(id)
        .bind(base_version)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("stale".into()));
        }
        let body =
            serde_json::json!({"from": from.as_str(), "to": to.as_str(), "note": note.trim()});
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "phase",
            &body.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Change the level (impact scope), logged with the reason.
    pub async fn set_level(
        &self,
        actor: &Actor,
        id: i64,
        base_version: i64,
        level: i64,
        note: &str,
    ) -> Result<()> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        let inc = self.incident(actor, id).await?;
        if !(0..=3).contains(&level) {
            return Err(StoreError::Invalid(vec![field(
                "level",
                FieldErrorKind::OutOfRange { min: 0, max: 3 },
            )]));
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE incidents SET level = $1, row_version = row_version + 1, updated_at = $2 WHERE id = $3 AND row_version = $4",
        )
        .bind(level)
        .bind(now)
        .bind(id)
        .bind(base_version)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("stale".into()));
        }
        let body = serde_json::json!({"from": inc.level, "to": level, "note": note.trim()});
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "level",
            &body.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Record what the incident cost (yen), logged; None clears it.
    pub async fn set_incident_cost(
        &self,
        actor: &Actor,
        id: i64,
        cost_yen: Option<i64>,
    ) -> Result<()> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        let inc = self.incident(actor, id).await?;
        if cost_yen.is_some_and(|c| c < 0) {
            return Err(StoreError::Invalid(vec![field(
                "cost_yen",
                FieldErrorKind::OutOfRange {
                    min: 0,
                    max: i64::MAX,
                },
            )]));
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        sqlx::query("UPDATE incidents SET cost_yen = $1, row_version = row_version + 1, updated_at = $2 WHERE id = $3")
            .bind(cost_yen)
            .bind(now)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        let body = serde_json::json!({"cost_from": inc.cost_yen, "cost_to": cost_yen});
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "cost",
            &body.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// The checklist, in playbook order.
    pub async fn incident_tasks(&self, actor: &Actor, id: i64) -> Result<Vec<Task>> {
        self.incident(actor, id).await?;
        let rows = sqlx::query(
            "SELECT id, playbook, section, section_ja, section_en, phase, title_ja, title_en, assignee, vendor_id, due_at, done_at, done_by, note, row_version \
             FROM incident_tasks WHERE incident_id = $1 ORDER BY position, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Task {
                    id: r.try_get("id")?,
                    playbook: r.try_get("playbook")?,
                    section: r.try_get("section")?,
                    section_ja: r.try_get("section_ja")?,
                    section_en: r.try_get("section_en")?,
                    phase: r.try_get("phase")?,
                    title_ja: r.try_get("title_ja")?,
                    title_en: r.try_get("title_en")?,
                    assignee: r.try_get("assignee")?,
                    vendor_id: r.try_get("vendor_id")?,
                    due_at_ms: r.try_get("due_at")?,
                    done_at_ms: r.try_get("done_at")?,
                    done_by: r.try_get("done_by")?,
                    note: r.try_get("note")?,
                    version: r.try_get("row_version")?,
                })
            })
            .collect()
    }

    /// Add an item of one's own to the checklist (same text in both
    /// languages), in the given phase.
    pub async fn add_task(&self, actor: &Actor, id: i64, title: &str, phase: Phase) -> Result<i64> {
        self.may_contribute(actor, id).await?;
        if actor.role == Role::Vendor {
            return Err(StoreError::Forbidden);
        }
        let title = title.trim();
        if title.is_empty() {
            return Err(StoreError::Invalid(vec![field(
                "title",
                FieldErrorKind::Required,
            )]));
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let pos: i64 = sqlx::query(
            "SELECT COALESCE(MAX(position), 0) + 1 AS n FROM incident_tasks WHERE incident_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *w.tx)
        .await?
        .try_get("n")?;
        let row = sqlx::query(
            "INSERT INTO incident_tasks (incident_id, playbook, section, section_ja, section_en, phase, position, title_ja, title_en) \
             VALUES ($1, 'added', 'added', '追加項目', 'Added items', $2, $3, $4, $4) RETURNING id",
        )
        .bind(id)
        .bind(phase.as_str())
        .bind(pos)
        .bind(title)
        .fetch_one(&mut *w.tx)
        .await?;
        let task_id: i64 = row.try_get("id")?;
        let body = serde_json::json!({"task": task_id, "added": title});
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "task",
            &body.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(task_id)
    }

    /// Assign an item to a user and/or a vendor, with a due time.
    pub async fn assign_task(
        &self,
        actor: &Actor,
        id: i64,
        task_id: i64,
        assignee: Option<&str>,
        vendor_id: Option<i64>,
        due_at_ms: Option<i64>,
    ) -> Result<()> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        self.incident(actor, id).await?;
        let now = self.clock.now_ms();
        let assignee = assignee.map(str::trim).filter(|a| !a.is_empty());
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE incident_tasks SET assignee = $1, vendor_id = $2, due_at = $3, row_version = row_version + 1 WHERE id = $4 AND incident_id = $5",
        )
        .bind(assignee)
        .bind(vendor_id)
        .bind(due_at_ms)
        .bind(task_id)
        .bind(id)
        .execute(&mut *w.tx)
        .await
        .map_err(StoreError::from_write)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let body = serde_json::json!({"task": task_id, "assignee": assignee, "vendor": vendor_id, "due": due_at_ms});
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "task",
            &body.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Tick an item done with a note (or un-tick it). A vendor may tick
    /// only items assigned to its company.
    pub async fn tick_task(
        &self,
        actor: &Actor,
        id: i64,
        task_id: i64,
        done: bool,
        note: &str,
    ) -> Result<()> {
        self.may_contribute(actor, id).await?;
        let row =
            sqlx::query("SELECT vendor_id FROM incident_tasks WHERE id = $1 AND incident_id = $2")
                .bind(task_id)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?;
        let vendor: Option<i64> = row.try_get("vendor_id")?;
        if actor.role == Role::Vendor && (vendor.is_none() || vendor != actor.vendor_id) {
            return Err(StoreError::Forbidden);
        }
        let now = self.clock.now_ms();
        let note = note.trim();
        let mut w = self.begin_write().await?;
        sqlx::query(
            "UPDATE incident_tasks SET done_at = $1, done_by = $2, note = $3, row_version = row_version + 1 WHERE id = $4",
        )
        .bind(done.then_some(now))
        .bind(done.then_some(actor.name.as_str()))
        .bind((!note.is_empty()).then_some(note))
        .bind(task_id)
        .execute(&mut *w.tx)
        .await?;
        let body = serde_json::json!({"task": task_id, "done": done, "note": note});
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "task",
            &body.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Record a decision; for a system's stop or command, whether the
    /// decider holds that authority under the system's route is recorded
    /// with it (and shown as a warning when not).
    #[allow(clippy::too_many_arguments)]
    pub async fn record_decision(
        &self,
        actor: &Actor,
        id: i64,
        decider_username: &str,
        decision: &str,
        authority: &str,
        system_id: Option<i64>,
        basis: &str,
    ) -> Result<bool> {
        if !may_manage(actor) && actor.role != Role::Executive {
            return Err(StoreError::Forbidden);
        }
        let inc = self.incident(actor, id).await?;
        let mut errors = Vec::new();
        if decision.trim().is_empty() {
            errors.push(field("decision", FieldErrorKind::Required));
        }
        if !incident::AUTHORITIES.contains(&authority) && authority != "other" {
            errors.push(field("authority", FieldErrorKind::NotInList));
        }
        if authority != "other" && system_id.is_none_or(|s| !inc.system_ids.contains(&s)) {
            errors.push(field("system_id", FieldErrorKind::Required));
        }
        let decider = self.user_by_name(decider_username.trim()).await?;
        if decider.is_none() {
            errors.push(field("decider", FieldErrorKind::UnknownReference));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let decider_email = decider.as_ref().and_then(|u| u.email.clone());
        let authorized = match (authority, system_id) {
            ("other", _) | (_, None) => true,
            (a, Some(s)) => {
                let holders = self.route_holders(s, a).await?;
                incident::holds_authority(decider_email.as_deref(), &holders)
            }
        };
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO incident_decisions (incident_id, at, recorded_by, decider, decision, authority, system_id, basis, authorized) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(now)
        .bind(actor.name.as_str())
        .bind(decider_username.trim())
        .bind(decision.trim())
        .bind(authority)
        .bind(system_id)
        .bind(basis.trim())
        .bind(i64::from(authorized))
        .execute(&mut *w.tx)
        .await?;
        let body = serde_json::json!({"decider": decider_username.trim(), "decision": decision.trim(), "authority": authority, "system": system_id, "basis": basis.trim(), "authorized": authorized});
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "decision",
            &body.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(authorized)
    }

    /// E-mail addresses of the people who hold an authority over a system.
    async fn route_holders(&self, system_id: i64, authority: &str) -> Result<Vec<Option<String>>> {
        let (a, b) = match authority {
            "stop_system" => ("stop_person_id", "stop_deputy_id"),
            _ => ("command_person_id", "command_deputy_id"),
        };
        let rows = sqlx::query(&format!(
            "SELECT p.email FROM system_routes r JOIN people p ON p.id = r.{a} OR p.id = r.{b} WHERE r.system_id = $1"
        ))
        .bind(system_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<Option<String>, _>("email")?))
            .collect()
    }

    pub async fn incident_decisions(&self, actor: &Actor, id: i64) -> Result<Vec<Decision>> {
        self.incident(actor, id).await?;
        let rows = sqlx::query("SELECT id, at, recorded_by, decider, decision, authority, system_id, basis, authorized FROM incident_decisions WHERE incident_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Decision {
                    id: r.try_get("id")?,
                    at_ms: r.try_get("at")?,
                    recorded_by: r.try_get("recorded_by")?,
                    decider: r.try_get("decider")?,
                    decision: r.try_get("decision")?,
                    authority: r.try_get("authority")?,
                    system_id: r.try_get("system_id")?,
                    basis: r.try_get("basis")?,
                    authorized: r.try_get::<i64, _>("authorized")? != 0,
                })
            })
            .collect()
    }

    /// Register evidence: a file kept in sonae (hashed here) or an item
    /// kept elsewhere (its hash entered, if known).
    #[allow(clippy::too_many_arguments)]
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        id: i64,
        item: &str,
        location: &str,
        collected_by: &str,
        sha256: Option<&str>,
        file: Option<(&str, &[u8])>,
    ) -> Result<i64> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        self.incident(actor, id).await?;
        let mut errors = Vec::new();
        if item.trim().is_empty() {
            errors.push(field("item", FieldErrorKind::Required));
        }
        if location.trim().is_empty() && file.is_none() {
            errors.push(field("location", FieldErrorKind::Required));
        }
        if collected_by.trim().is_empty() {
            errors.push(field("collected_by", FieldErrorKind::Required));
        }
        let entered = sha256
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        if let Some(h) = &entered {
            if h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
                errors.push(field("sha256", FieldErrorKind::NotInList));
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let (hash, name, size, data) = match file {
            Some((name, bytes)) => {
                use sha2::Digest;
                let h = hex::encode(sha2::Sha256::digest(bytes));
                (
                    Some(h),
                    Some(name.to_owned()),
                    Some(bytes.len() as i64),
                    Some(bytes.to_vec()),
                )
            }
            None => (entered, None, None, None),
        };
        let location = if file.is_some() && location.trim().is_empty() {
            "sonae".to_owned()
        } else {
            location.trim().to_owned()
        };
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO incident_evidence (incident_id, at, item, location, sha256, collected_by, recorded_by, file_name, file_size, file_data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(id)
        .bind(now)
        .bind(item.trim())
        .bind(location.as_str())
        .bind(hash.clone())
        .bind(collected_by.trim())
        .bind(actor.name.as_str())
        .bind(name.clone())
        .bind(size)
        .bind(data)
        .fetch_one(&mut *w.tx)
        .await?;
        let ev: i64 = row.try_get("id")?;
        let body = serde_json::json!({"evidence": ev, "item": item.trim(), "location": location, "sha256": hash, "collected_by": collected_by.trim(), "file": name});
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "evidence",
            &body.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(ev)
    }

    /// Record a hand-over of an evidence item (chain of custody).
    pub async fn hand_over(
        &self,
        actor: &Actor,
        id: i64,
        evidence_id: i64,
        from: &str,
        to: &str,
        note: &str,
    ) -> Result<()> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        self.incident(actor, id).await?;
        let mut errors = Vec::new();
        if from.trim().is_empty() {
            errors.push(field("from", FieldErrorKind::Required));
        }
        if to.trim().is_empty() {
            errors.push(field("to", FieldErrorKind::Required));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM incident_evidence WHERE id = $1 AND incident_id = $2",
        )
        .bind(evidence_id)
        .bind(id)
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        sqlx::query("INSERT INTO incident_custody (evidence_id, at, from_holder, to_holder, note, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(evidence_id)
            .bind(now)
            .bind(from.trim())
            .bind(to.trim())
            .bind(note.trim())
            .bind(actor.name.as_str())
            .execute(&mut *w.tx)
            .await?;
        let body = serde_json::json!({"evidence": evidence_id, "from": from.trim(), "to": to.trim(), "note": note.trim()});
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "custody",
            &body.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    pub async fn incident_evidence(&self, actor: &Actor, id: i64) -> Result<Vec<Evidence>> {
        self.incident(actor, id).await?;
        let rows = sqlx::query("SELECT id, at, item, location, sha256, collected_by, file_name, file_size FROM incident_evidence WHERE incident_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        // Every hand-over of the incident's evidence in one query.
        let mut custody: std::collections::HashMap<i64, Vec<Custody>> =
            std::collections::HashMap::new();
        for c in sqlx::query("SELECT c.evidence_id, c.at, c.from_holder, c.to_holder, c.note, c.recorded_by FROM incident_custody c JOIN incident_evidence e ON e.id = c.evidence_id WHERE e.incident_id = $1 ORDER BY c.id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
        {
            custody
                .entry(c.try_get("evidence_id")?)
                .or_default()
                .push(Custody {
                    at_ms: c.try_get("at")?,
                    from: c.try_get("from_holder")?,
                    to: c.try_get("to_holder")?,
                    note: c.try_get("note")?,
                    recorded_by: c.try_get("recorded_by")?,
                });
        }
        let mut out = Vec::new();
        for r in &rows {
            let ev: i64 = r.try_get("id")?;
            out.push(Evidence {
                id: ev,
                at_ms: r.try_get("at")?,
                item: r.try_get("item")?,
                location: r.try_get("location")?,
                sha256: r.try_get("sha256")?,
                collected_by: r.try_get("collected_by")?,
                file_name: r.try_get("file_name")?,
                file_size: r.try_get("file_size")?,
                custody: custody.remove(&ev).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// The stored file of an evidence item, with its recorded hash, and
    /// whether the bytes still match it.
    pub async fn evidence_file(
        &self,
        actor: &Actor,
        id: i64,
        evidence_id: i64,
    ) -> Result<(String, Vec<u8>, bool)> {
        self.incident(actor, id).await?;
        let r = sqlx::query("SELECT file_name, file_data, sha256 FROM incident_evidence WHERE id = $1 AND incident_id = $2")
            .bind(evidence_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let name: Option<String> = r.try_get("file_name")?;
        let data: Option<Vec<u8>> = r.try_get("file_data")?;
        let hash: Option<String> = r.try_get("sha256")?;
        let (Some(name), Some(data)) = (name, data) else {
            return Err(StoreError::NotFound);
        };
        use sha2::Digest;
        let intact = hash.as_deref() == Some(hex::encode(sha2::Sha256::digest(&data)).as_str());
        Ok((name, data, intact))
    }

    pub async fn route(&self, system_id: i64) -> Result<Route> {
        let r = sqlx::query("SELECT stop_person_id, stop_deputy_id, command_person_id, command_deputy_id FROM system_routes WHERE system_id = $1")
            .bind(system_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match r {
            Some(r) => Route {
                system_id,
                stop_person_id: r.try_get("stop_person_id")?,
                stop_deputy_id: r.try_get("stop_deputy_id")?,
                command_person_id: r.try_get("command_person_id")?,
                command_deputy_id: r.try_get("command_deputy_id")?,
            },
            None => Route {
                system_id,
                ..Route::default()
            },
        })
    }

    /// Set a system's route (admin and security officer), audited.
    pub async fn set_route(&self, actor: &Actor, route: &Route) -> Result<()> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        let before = self.route(route.system_id).await?;
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        for (name, p) in [
            ("stop_person_id", route.stop_person_id),
            ("stop_deputy_id", route.stop_deputy_id),
            ("command_person_id", route.command_person_id),
            ("command_deputy_id", route.command_deputy_id),
        ] {
            if let Some(p) = p {
                let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM people WHERE id = $1")
                    .bind(p)
                    .fetch_one(&mut *w.tx)
                    .await?
                    .try_get("n")?;
                if n == 0 {
                    return Err(StoreError::Invalid(vec![field(
                        name,
                        FieldErrorKind::UnknownReference,
                    )]));
                }
            }
        }
        sqlx::query("DELETE FROM system_routes WHERE system_id = $1")
            .bind(route.system_id)
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("INSERT INTO system_routes (system_id, stop_person_id, stop_deputy_id, command_person_id, command_deputy_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(route.system_id)
            .bind(route.stop_person_id)
            .bind(route.stop_deputy_id)
            .bind(route.command_person_id)
            .bind(route.command_deputy_id)
            .bind(now)
            .execute(&mut *w.tx)
            .await
            .map_err(StoreError::from_write)?;
        let j = |r: &Route| {
            serde_json::json!({"stop": r.stop_person_id, "stop_deputy": r.stop_deputy_id, "command": r.command_person_id, "command_deputy": r.command_deputy_id}).to_string()
        };
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "update",
                object_kind: "system_routes",
                object_id: Some(route.system_id),
                before: Some(j(&before)),
                after: Some(j(route)),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Whom to call for the incident's systems, in order: who commands the
    /// response, the deputy, who may stop the system, the deputy, then the
    /// system's administrator.
    pub async fn incident_contacts(&self, actor: &Actor, id: i64) -> Result<Vec<Contact>> {
        let inc = self.incident(actor, id).await?;
        let mut out = Vec::new();
        for s in &inc.system_ids {
            let sys = sqlx::query("SELECT name, administrator_id FROM systems WHERE id = $1")
                .bind(*s)
                .fetch_one(&self.pool)
                .await?;
            let system: String = sys.try_get("name")?;
            let admin: Option<i64> = sys.try_get("administrator_id")?;
            let r = self.route(*s).await?;
            for (role, p) in [
                ("command", r.command_person_id),
                ("command_deputy", r.command_deputy_id),
                ("stop", r.stop_person_id),
                ("stop_deputy", r.stop_deputy_id),
                ("administrator", admin),
            ] {
                let Some(p) = p else { continue };
                let Some(row) = sqlx::query("SELECT name, phone, after_hours_phone, reachable_hours, email FROM people WHERE id = $1")
                    .bind(p)
                    .fetch_optional(&self.pool)
                    .await?
                else {
                    continue;
                };
                out.push(Contact {
                    system_id: *s,
                    system: system.clone(),
                    role,
                    person_id: p,
                    name: row.try_get("name")?,
                    phone: row.try_get("phone")?,
                    after_hours_phone: row.try_get("after_hours_phone")?,
                    reachable_hours: row.try_get("reachable_hours")?,
                    email: row.try_get("email")?,
                });
            }
        }
        Ok(out)
    }

    /// Seed 002 recovery task 1: every other system running a product of
    /// the incident's systems; the same version marked.
    pub async fn similar_systems(&self, actor: &Actor, id: i64) -> Result<Vec<SweepHit>> {
        let inc = self.incident(actor, id).await?;
        if inc.system_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = crate::records::Sql::new();
        sql.push("SELECT DISTINCT LOWER(c.product) AS product, c.version FROM components c WHERE c.system_id IN (");
        for (i, s) in inc.system_ids.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind_int(*s);
        }
        sql.push(")");
        let mine: Vec<(String, Option<String>)> = sql
            .query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("product")?, r.try_get("version")?)))
            .collect::<Result<_>>()?;
        let mut sql = crate::records::Sql::new();
        sql.push("SELECT s.id, s.name, c.product, c.version FROM components c JOIN systems s ON s.id = c.system_id WHERE c.system_id NOT IN (");
        for (i, s) in inc.system_ids.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind_int(*s);
        }
        sql.push(") ORDER BY s.name, c.product");
        let rows = sql.query().fetch_all(&self.pool).await?;
        let mut out = Vec::new();
        for r in &rows {
            let product: String = r.try_get("product")?;
            let version: Option<String> = r.try_get("version")?;
            let key = product.to_lowercase();
            if !mine.iter().any(|(p, _)| *p == key) {
                continue;
            }
            let same_version = mine
                .iter()
                .any(|(p, v)| *p == key && v.is_some() && *v == version);
            out.push(SweepHit {
                system_id: r.try_get("id")?,
                system: r.try_get("name")?,
                product,
                version,
                same_version,
            });
        }
        Ok(out)
    }

    /// Turn the sweep into checklist items (one per system), in one step.
    pub async fn sweep_to_tasks(&self, actor: &Actor, id: i64) -> Result<usize> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        let hits = self.similar_systems(actor, id).await?;
        let mut by_system: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for h in &hits {
            let label = match &h.version {
                Some(v) if h.same_version => format!("{} {v} (!)", h.product),
                Some(v) => format!("{} {v}", h.product),
                None => h.product.clone(),
            };
            by_system.entry(h.system.clone()).or_default().push(label);
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let mut pos: i64 = sqlx::query(
            "SELECT COALESCE(MAX(position), 0) AS n FROM incident_tasks WHERE incident_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *w.tx)
        .await?
        .try_get("n")?;
        for (system, products) in &by_system {
            pos += 1;
            let ja = format!(
                "類似システム「{system}」を調査する：{}",
                products.join(", ")
            );
            let en = format!("Check similar system “{system}”: {}", products.join(", "));
            sqlx::query(
                "INSERT INTO incident_tasks (incident_id, playbook, section, section_ja, section_en, phase, position, title_ja, title_en) \
                 VALUES ($1, 'sweep', 'sweep', '類似システムの調査', 'Similar-system sweep', 'recover', $2, $3, $4)",
            )
            .bind(id)
            .bind(pos)
            .bind(ja)
            .bind(en)
            .execute(&mut *w.tx)
            .await?;
        }
        let body = serde_json::json!({"sweep": by_system.len()});
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "task",
            &body.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(by_system.len())
    }
}
