//! Business continuity in the store (DESIGN §6): processes with their
//! impact analysis and objectives, recovery plans, the backups register with
//! restore tests, and tabletop exercises. Every change is audited; the
//! derivation and the checks are the domain's (`sonae_domain::continuity`).

use crate::actions::NewAction;
use crate::db::Store;
use crate::{Result, StoreError};
use sonae_domain::continuity::{
    self as bc, BackupFacts, Impact, PlanFacts, ProcessInput, ProcessObjectives,
};
use sonae_domain::{Actor, FieldError, FieldErrorKind, Role};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Everyone but vendors reads the continuity plan.
/// Contact details older than this are due for verification.
pub const CONTACT_VERIFY_DAYS: i64 = 365;
/// The security policy is reviewed at least this often.
pub const POLICY_REVIEW_DAYS: i64 = 365;

pub fn may_read(actor: &Actor) -> bool {
    actor.role != Role::Vendor
}

/// The security officer and admins keep the plan; a system owner
/// department keeps its own processes.
pub fn may_manage(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::SecurityOfficer)
}

fn may_edit_process(actor: &Actor, department_id: i64) -> bool {
    may_manage(actor)
        || (actor.role == Role::SystemOwner && actor.department_id == Some(department_id))
}

fn invalid(field: &'static str, kind: FieldErrorKind) -> StoreError {
    StoreError::Invalid(vec![FieldError { field, kind }])
}

#[derive(Debug, Clone)]
pub struct Process {
    pub id: i64,
    pub version: i64,
    pub name: String,
    pub owner_department_id: i64,
    pub description: String,
    pub rto_hours: Option<i64>,
    pub rpo_hours: Option<i64>,
    pub impact: Impact,
    pub system_ids: Vec<i64>,
}

impl Process {
    pub fn objectives(&self) -> ProcessObjectives {
        ProcessObjectives {
            id: self.id,
            name: self.name.clone(),
            rto_hours: self.rto_hours,
            rpo_hours: self.rpo_hours,
            system_ids: self.system_ids.clone(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct NewPlan {
    pub title: String,
    pub process_id: Option<i64>,
    pub system_id: Option<i64>,
    pub owner_person_id: Option<i64>,
    pub contact_ids: Vec<i64>,
    /// One step per line.
    pub steps: String,
    pub alt_manual: String,
    pub alt_backup_system: String,
    pub alt_degraded: String,
    pub estimated_hours: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub id: i64,
    pub version: i64,
    pub plan: NewPlan,
}

impl Plan {
    pub fn facts(&self) -> PlanFacts {
        PlanFacts {
            id: self.id,
            estimated_hours: self.plan.estimated_hours,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct NewBackup {
    pub system_id: i64,
    pub what: String,
    pub location: String,
    pub interval_hours: i64,
    pub retention_days: i64,
    pub test_interval_days: i64,
}

#[derive(Debug, Clone)]
pub struct Backup {
    pub id: i64,
    pub version: i64,
    pub created_at_ms: i64,
    pub backup: NewBackup,
    pub last_restore_ms: Option<i64>,
    pub last_restore_by: Option<String>,
    pub last_restore_note: String,
}

impl Backup {
    pub fn facts(&self) -> BackupFacts {
        BackupFacts {
            id: self.id,
            system_id: self.backup.system_id,
            interval_hours: self.backup.interval_hours,
            test_interval_days: self.backup.test_interval_days,
            registered_at_ms: self.created_at_ms,
            last_restore_ms: self.last_restore_ms,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Exercise {
    pub id: i64,
    pub scenario_id: String,
    pub title: String,
    pub facilitator: String,
    pub status: String,
    pub started_at_ms: i64,
    pub skipped_minutes: i64,
    pub finished_at_ms: Option<i64>,
    pub finished_minute: Option<i64>,
}

impl Exercise {
    pub fn running(&self) -> bool {
        self.status == "running"
    }
    /// Exercise time now, or when it finished.
    pub fn minute(&self, now_ms: i64) -> i64 {
        self.finished_minute.unwrap_or_else(|| {
            bc::exercise_minute(self.started_at_ms, self.skipped_minutes, now_ms)
        })
    }
}

#[derive(Debug, Clone)]
pub struct ExerciseLog {
    pub at_ms: i64,
    pub minute: i64,
    pub actor: String,
    pub kind: String,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct ExerciseFinding {
    pub id: i64,
    pub body: String,
    pub action_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct ExerciseDetail {
    pub exercise: Exercise,
    /// (user id, display name)
    pub participants: Vec<(i64, String)>,
    pub participant_names: Vec<String>,
    pub process_ids: Vec<i64>,
    pub log: Vec<ExerciseLog>,
    /// (milestone id, exercise minute)
    pub milestones: Vec<(String, i64)>,
    pub findings: Vec<ExerciseFinding>,
}

fn process_row(r: &AnyRow) -> Result<Process> {
    let impact: String = r.try_get("impact")?;
    Ok(Process {
        id: r.try_get("id")?,
        version: r.try_get("row_version")?,
        name: r.try_get("name")?,
        owner_department_id: r.try_get("owner_department_id")?,
        description: r.try_get("description")?,
        rto_hours: r.try_get("rto_hours")?,
        rpo_hours: r.try_get("rpo_hours")?,
        impact: Impact::decode(&impact),
        system_ids: Vec::new(),
    })
}

fn exercise_row(r: &AnyRow) -> Result<Exercise> {
    Ok(Exercise {
        id: r.try_get("id")?,
        scenario_id: r.try_get("scenario_id")?,
        title: r.try_get("title")?,
        facilitator: r.try_get("facilitator")?,
        status: r.try_get("status")?,
        started_at_ms: r.try_get("started_at")?,
        skipped_minutes: r.try_get("skipped_minutes")?,
        finished_at_ms: r.try_get("finished_at")?,
        finished_minute: r.try_get("finished_minute")?,
    })
}

fn json(v: serde_json::Value) -> Option<String> {
    Some(v.to_string())
}

impl Store {
    async fn exists(&self, table: &str, id: i64) -> Result<bool> {
        let n: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        Ok(n > 0)
    }

    async fn check_process_refs(&self, p: &ProcessInput) -> Result<()> {
        let mut e = Vec::new();
        if !self.exists("departments", p.owner_department_id).await? {
            e.push(FieldError {
                field: "owner_department_id",
                kind: FieldErrorKind::UnknownReference,
            });
        }
        for s in &p.system_ids {
            if !self.exists("systems", *s).await? {
                e.push(FieldError {
                    field: "system_ids",
                    kind: FieldErrorKind::UnknownReference,
                });
                break;
            }
        }
        if e.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Invalid(e))
        }
    }

    fn process_json(p: &ProcessInput) -> Option<String> {
        json(serde_json::json!({
            "name": p.name, "owner_department_id": p.owner_department_id,
            "description": p.description, "rto_hours": p.rto_hours, "rpo_hours": p.rpo_hours,
            "impact": p.impact.encode(), "system_ids": p.system_ids,
        }))
    }

    /// Add a business process with its impact analysis and systems.
    pub async fn create_process(&self, actor: &Actor, p: &ProcessInput) -> Result<i64> {
        if !may_edit_process(actor, p.owner_department_id) {
            return Err(StoreError::Forbidden);
        }
        self.check_process_refs(p).await?;
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO bc_processes (row_version, created_at, updated_at, name, owner_department_id, description, rto_hours, rpo_hours, impact) \
             VALUES (1, $1, $1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(now)
        .bind(p.name.as_str())
        .bind(p.owner_department_id)
        .bind(p.description.as_str())
        .bind(p.rto_hours)
        .bind(p.rpo_hours)
        .bind(p.impact.encode())
        .fetch_one(&mut *w.tx)
        .await
        .map_err(duplicate_name)?;
        let id: i64 = row.try_get("id")?;
        for s in &p.system_ids {
            sqlx::query("INSERT INTO bc_process_systems (process_id, system_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*s)
                .execute(&mut *w.tx)
                .await
                .map_err(StoreError::from_write)?;
        }
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "create",
                object_kind: "bc_processes",
                object_id: Some(id),
                before: None,
                after: Self::process_json(p),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(id)
    }

    /// Change a process; refused as stale when someone saved it since
    /// `base_version` was read.
    pub async fn update_process(
        &self,
        actor: &Actor,
        id: i64,
        base_version: i64,
        p: &ProcessInput,
    ) -> Result<()> {
        let before = self.process(actor, id).await?;
        if !may_edit_process(actor, before.owner_department_id)
            || !may_edit_process(actor, p.owner_department_id)
        {
            return Err(StoreError::Forbidden);
        }
        self.check_process_refs(p).await?;
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE bc_processes SET name = $1, owner_department_id = $2, description = $3, rto_hours = $4, rpo_hours = $5, impact = $6, \
             row_version = row_version + 1, updated_at = $7 WHERE id = $8 AND row_version = $9",
        )
        .bind(p.name.as_str())
        .bind(p.owner_department_id)
        .bind(p.description.as_str())
        .bind(p.rto_hours)
        .bind(p.rpo_hours)
        .bind(p.impact.encode())
        .bind(now)
        .bind(id)
        .bind(base_version)
        .execute(&mut *w.tx)
        .await
        .map_err(duplicate_name)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("stale".into()));
        }
        sqlx::query("DELETE FROM bc_process_systems WHERE process_id = $1")
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        for s in &p.system_ids {
            sqlx::query("INSERT INTO bc_process_systems (process_id, system_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*s)
                .execute(&mut *w.tx)
                .await
                .map_err(StoreError::from_write)?;
        }
        let old = ProcessInput {
            name: before.name,
            owner_department_id: before.owner_department_id,
            description: before.description,
            rto_hours: before.rto_hours,
            rpo_hours: before.rpo_hours,
            impact: before.impact,
            system_ids: before.system_ids,
        };
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "update",
                object_kind: "bc_processes",
                object_id: Some(id),
                before: Self::process_json(&old),
                after: Self::process_json(p),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Every business process with its systems, by name.
    pub async fn processes(&self, actor: &Actor) -> Result<Vec<Process>> {
        if !may_read(actor) {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query("SELECT id, row_version, name, owner_department_id, description, rto_hours, rpo_hours, impact FROM bc_processes ORDER BY name, id")
            .fetch_all(&self.pool)
            .await?;
        let mut out = rows.iter().map(process_row).collect::<Result<Vec<_>>>()?;
        let links =
            sqlx::query("SELECT process_id, system_id FROM bc_process_systems ORDER BY system_id")
                .fetch_all(&self.pool)
                .await?;
        for l in links {
            let pid: i64 = l.try_get("process_id")?;
            let sid: i64 = l.try_get("system_id")?;
            if let Some(p) = out.iter_mut().find(|p| p.id == pid) {
                p.system_ids.push(sid);
            }
        }
        Ok(out)
    }

    pub async fn process(&self, actor: &Actor, id: i64) -> Result<Process> {
        self.processes(actor)
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or(StoreError::NotFound)
    }

    // --- recovery plans ---

    async fn check_plan(&self, p: &NewPlan) -> Result<()> {
        let mut e = Vec::new();
        if p.title.trim().is_empty() {
            e.push(FieldError {
                field: "title",
                kind: FieldErrorKind::Required,
            });
        } else if p.title.chars().count() > 200 {
            e.push(FieldError {
                field: "title",
                kind: FieldErrorKind::TooLong { max: 200 },
            });
        }
        if p.process_id.is_none() && p.system_id.is_none() {
            e.push(FieldError {
                field: "target",
                kind: FieldErrorKind::Required,
            });
        }
        if let Some(id) = p.process_id {
            if !self.exists("bc_processes", id).await? {
                e.push(FieldError {
                    field: "process_id",
                    kind: FieldErrorKind::UnknownReference,
                });
            }
        }
        if let Some(id) = p.system_id {
            if !self.exists("systems", id).await? {
                e.push(FieldError {
                    field: "system_id",
                    kind: FieldErrorKind::UnknownReference,
                });
            }
        }
        for id in p.owner_person_id.iter().chain(p.contact_ids.iter()) {
            if !self.exists("people", *id).await? {
                e.push(FieldError {
                    field: "owner_person_id",
                    kind: FieldErrorKind::UnknownReference,
                });
                break;
            }
        }
        for (field, text) in [
            ("steps", &p.steps),
            ("alt_manual", &p.alt_manual),
            ("alt_backup_system", &p.alt_backup_system),
            ("alt_degraded", &p.alt_degraded),
        ] {
            if text.chars().count() > 8000 {
                e.push(FieldError {
                    field,
                    kind: FieldErrorKind::TooLong { max: 8000 },
                });
            }
        }
        if e.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Invalid(e))
        }
    }

    fn plan_json(p: &NewPlan) -> Option<String> {
        json(serde_json::json!({
            "title": p.title.trim(), "process_id": p.process_id, "system_id": p.system_id,
            "owner_person_id": p.owner_person_id, "contact_ids": p.contact_ids,
            "steps": bc::steps(&p.steps), "alt_manual": p.alt_manual.trim(),
            "alt_backup_system": p.alt_backup_system.trim(), "alt_degraded": p.alt_degraded.trim(),
            "estimated_hours": p.estimated_hours,
        }))
    }

    /// Add a recovery plan (seed 001 §5.2–5.3, seed 002 recovery plan).
    pub async fn create_plan(&self, actor: &Actor, p: &NewPlan) -> Result<i64> {
        self.save_plan(actor, None, p).await
    }

    pub async fn update_plan(
        &self,
        actor: &Actor,
        id: i64,
        base_version: i64,
        p: &NewPlan,
    ) -> Result<i64> {
        self.save_plan(actor, Some((id, base_version)), p).await
    }

    async fn save_plan(
        &self,
        actor: &Actor,
        existing: Option<(i64, i64)>,
        p: &NewPlan,
    ) -> Result<i64> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        self.check_plan(p).await?;
        let before = match existing {
            Some((id, _)) => Some(self.plan(actor, id).await?),
            None => None,
        };
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let id = match existing {
            None => sqlx::query(
                "INSERT INTO bc_plans (row_version, created_at, updated_at, title, process_id, system_id, owner_person_id, steps, alt_manual, alt_backup_system, alt_degraded, estimated_hours) \
                 VALUES (1, $1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(now)
            .bind(p.title.trim())
            .bind(p.process_id)
            .bind(p.system_id)
            .bind(p.owner_person_id)
            .bind(p.steps.trim())
            .bind(p.alt_manual.trim())
            .bind(p.alt_backup_system.trim())
            .bind(p.alt_degraded.trim())
            .bind(p.estimated_hours)
            .fetch_one(&mut *w.tx)
            .await
            .map_err(StoreError::from_write)?
            .try_get("id")?,
            Some((id, version)) => {
                let done = sqlx::query(
                    "UPDATE bc_plans SET title = $1, process_id = $2, system_id = $3, owner_person_id = $4, steps = $5, alt_manual = $6, alt_backup_system = $7, alt_degraded = $8, estimated_hours = $9, \
                     row_version = row_version + 1, updated_at = $10 WHERE id = $11 AND row_version = $12",
                )
                .bind(p.title.trim())
                .bind(p.process_id)
                .bind(p.system_id)
                .bind(p.owner_person_id)
                .bind(p.steps.trim())
                .bind(p.alt_manual.trim())
                .bind(p.alt_backup_system.trim())
                .bind(p.alt_degraded.trim())
                .bind(p.estimated_hours)
                .bind(now)
                .bind(id)
                .bind(version)
                .execute(&mut *w.tx)
                .await
                .map_err(StoreError::from_write)?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict("stale".into()));
                }
                sqlx::query("DELETE FROM bc_plan_contacts WHERE plan_id = $1")
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await?;
                id
            }
        };
        let mut contacts = p.contact_ids.clone();
        contacts.dedup();
        for c in &contacts {
            sqlx::query("INSERT INTO bc_plan_contacts (plan_id, person_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*c)
                .execute(&mut *w.tx)
                .await
                .map_err(StoreError::from_write)?;
        }
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: if before.is_some() { "update" } else { "create" },
                object_kind: "bc_plans",
                object_id: Some(id),
                before: before.as_ref().and_then(|b| Self::plan_json(&b.plan)),
                after: Self::plan_json(p),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(id)
    }

    pub async fn plans(&self, actor: &Actor) -> Result<Vec<Plan>> {
        if !may_read(actor) {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query("SELECT id, row_version, title, process_id, system_id, owner_person_id, steps, alt_manual, alt_backup_system, alt_degraded, estimated_hours FROM bc_plans ORDER BY title, id")
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            out.push(Plan {
                id: r.try_get("id")?,
                version: r.try_get("row_version")?,
                plan: NewPlan {
                    title: r.try_get("title")?,
                    process_id: r.try_get("process_id")?,
                    system_id: r.try_get("system_id")?,
                    owner_person_id: r.try_get("owner_person_id")?,
                    contact_ids: Vec::new(),
                    steps: r.try_get("steps")?,
                    alt_manual: r.try_get("alt_manual")?,
                    alt_backup_system: r.try_get("alt_backup_system")?,
                    alt_degraded: r.try_get("alt_degraded")?,
                    estimated_hours: r.try_get("estimated_hours")?,
                },
            });
        }
        let links =
            sqlx::query("SELECT plan_id, person_id FROM bc_plan_contacts ORDER BY person_id")
                .fetch_all(&self.pool)
                .await?;
        for l in links {
            let pid: i64 = l.try_get("plan_id")?;
            if let Some(p) = out.iter_mut().find(|p| p.id == pid) {
                p.plan.contact_ids.push(l.try_get("person_id")?);
            }
        }
        Ok(out)
    }

    pub async fn plan(&self, actor: &Actor, id: i64) -> Result<Plan> {
        self.plans(actor)
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// The plans that cover a system: its own and those of the processes
    /// that depend on it.
    pub fn plans_for_system<'a>(
        plans: &'a [Plan],
        processes: &[Process],
        system_id: i64,
    ) -> Vec<&'a Plan> {
        plans
            .iter()
            .filter(|p| {
                p.plan.system_id == Some(system_id)
                    || p.plan.process_id.is_some_and(|pid| {
                        processes
                            .iter()
                            .any(|x| x.id == pid && x.system_ids.contains(&system_id))
                    })
            })
            .collect()
    }

    // --- backups ---

    /// Register a backup.
    pub async fn create_backup(&self, actor: &Actor, b: &NewBackup) -> Result<i64> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut e = Vec::new();
        let mut need = |ok: bool, field: &'static str, kind: FieldErrorKind| {
            if !ok {
                e.push(FieldError { field, kind });
            }
        };
        need(!b.what.trim().is_empty(), "what", FieldErrorKind::Required);
        need(
            !b.location.trim().is_empty(),
            "location",
            FieldErrorKind::Required,
        );
        need(
            (1..=87_600).contains(&b.interval_hours),
            "interval_hours",
            FieldErrorKind::OutOfRange {
                min: 1,
                max: 87_600,
            },
        );
        need(
            (1..=36_500).contains(&b.retention_days),
            "retention_days",
            FieldErrorKind::OutOfRange {
                min: 1,
                max: 36_500,
            },
        );
        need(
            (1..=3_650).contains(&b.test_interval_days),
            "test_interval_days",
            FieldErrorKind::OutOfRange { min: 1, max: 3_650 },
        );
        if !self.exists("systems", b.system_id).await? {
            e.push(FieldError {
                field: "system_id",
                kind: FieldErrorKind::UnknownReference,
            });
        }
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO bc_backups (row_version, created_at, updated_at, system_id, what, location, interval_hours, retention_days, test_interval_days) \
             VALUES (1, $1, $1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(now)
        .bind(b.system_id)
        .bind(b.what.trim())
        .bind(b.location.trim())
        .bind(b.interval_hours)
        .bind(b.retention_days)
        .bind(b.test_interval_days)
        .fetch_one(&mut *w.tx)
        .await
        .map_err(StoreError::from_write)?
        .try_get("id")?;
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "create",
                object_kind: "bc_backups",
                object_id: Some(id),
                before: None,
                after: json(serde_json::json!({
                    "system_id": b.system_id, "what": b.what.trim(), "location": b.location.trim(),
                    "interval_hours": b.interval_hours, "retention_days": b.retention_days,
                    "test_interval_days": b.test_interval_days,
                })),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(id)
    }

    /// Record that a restore from this backup was proven, when and by whom.
    pub async fn record_restore_test(
        &self,
        actor: &Actor,
        id: i64,
        tested_at_ms: i64,
        note: &str,
    ) -> Result<()> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        let now = self.clock.now_ms();
        if tested_at_ms > now {
            return Err(invalid(
                "tested_at",
                FieldErrorKind::OutOfRange { min: 0, max: 0 },
            ));
        }
        if note.chars().count() > 2000 {
            return Err(invalid("note", FieldErrorKind::TooLong { max: 2000 }));
        }
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE bc_backups SET last_restore_at = $1, last_restore_by = $2, last_restore_note = $3, row_version = row_version + 1, updated_at = $4 WHERE id = $5",
        )
        .bind(tested_at_ms)
        .bind(actor.name.as_str())
        .bind(note.trim())
        .bind(now)
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "restore_test",
                object_kind: "bc_backups",
                object_id: Some(id),
                before: None,
                after: json(serde_json::json!({"tested_at": tested_at_ms, "by": actor.name, "note": note.trim()})),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    pub async fn backups(&self, actor: &Actor) -> Result<Vec<Backup>> {
        if !may_read(actor) {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query("SELECT id, row_version, created_at, system_id, what, location, interval_hours, retention_days, test_interval_days, last_restore_at, last_restore_by, last_restore_note FROM bc_backups ORDER BY system_id, id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Backup {
                    id: r.try_get("id")?,
                    version: r.try_get("row_version")?,
                    created_at_ms: r.try_get("created_at")?,
                    backup: NewBackup {
                        system_id: r.try_get("system_id")?,
                        what: r.try_get("what")?,
                        location: r.try_get("location")?,
                        interval_hours: r.try_get("interval_hours")?,
                        retention_days: r.try_get("retention_days")?,
                        test_interval_days: r.try_get("test_interval_days")?,
                    },
                    last_restore_ms: r.try_get("last_restore_at")?,
                    last_restore_by: r.try_get("last_restore_by")?,
                    last_restore_note: r.try_get("last_restore_note")?,
                })
            })
            .collect()
    }

    /// The scheduled review of restore tests (DESIGN §8): every backup whose
    /// restore test is overdue gets one improvement action ("review") per
    /// due date. Idempotent: run it as often as you like. Returns the new
    /// actions' ids.
    pub async fn continuity_check(&self, actor: &Actor) -> Result<Vec<i64>> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        let now = self.clock.now_ms();
        let systems: std::collections::HashMap<i64, String> =
            sqlx::query("SELECT id, name FROM systems")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
                .collect::<Result<_>>()?;
        let mut created = Vec::new();
        for b in self.backups(actor).await? {
            let f = b.facts();
            if !f.restore_overdue(now) {
                continue;
            }
            let due = f.restore_due_ms();
            // Claim the reminder first so two nodes running the check at
            // once create one action between them.
            let claimed = {
                let mut w = self.begin_write().await?;
                let n = sqlx::query(
                    "UPDATE bc_backups SET reminded_due_at = $1 WHERE id = $2 AND (reminded_due_at IS NULL OR reminded_due_at <> $1)",
                )
                .bind(due)
                .bind(b.id)
                .execute(&mut *w.tx)
                .await?
                .rows_affected();
                w.tx.commit().await?;
                n > 0
            };
            if !claimed {
                continue;
            }
            let system = systems
                .get(&b.backup.system_id)
                .cloned()
                .unwrap_or_default();
            let id = self
                .create_action(
                    actor,
                    &NewAction {
                        source_kind: "review".into(),
                        source_id: Some(b.id),
                        // Stored text, not UI chrome: both languages, like the playbooks.
                        title: format!(
                            "リストアテスト期限超過 / Restore test overdue: {system} — {}",
                            b.backup.what
                        ),
                        detail: format!(
                            "backup #{} ({}), every {} h; last proven restore: {}",
                            b.id,
                            b.backup.location,
                            b.backup.interval_hours,
                            b.last_restore_by.as_deref().unwrap_or("-")
                        ),
                        owner: actor.name.clone(),
                        due_at_ms: Some(now + 14 * 24 * 3_600_000),
                    },
                )
                .await?;
            created.push(id);
        }
        created.extend(self.scheduled_reviews(actor, now).await?);
        Ok(created)
    }

    /// Scheduled reviews (DESIGN §8) as actions on the PDCA list: the
    /// contact list when someone's entry has not been verified for
    /// [`CONTACT_VERIFY_DAYS`], and the security policy every
    /// [`POLICY_REVIEW_DAYS`]. Each is created once while an earlier one is
    /// still open (or, for the policy, done within the interval).
    async fn scheduled_reviews(&self, actor: &Actor, now: i64) -> Result<Vec<i64>> {
        const DAY: i64 = 24 * 3_600_000;
        let mut created = Vec::new();
        let open_reviews = self
            .actions(
                &Actor::system(),
                &crate::ActionFilter {
                    source_kind: Some("review".into()),
                    ..Default::default()
                },
            )
            .await?;
        let has = |prefix: &str, since: Option<i64>| {
            open_reviews.iter().any(|a| {
                a.title.starts_with(prefix)
                    && (matches!(a.status.as_str(), "open" | "in_progress")
                        || since.is_some_and(|t| a.created_at_ms >= t))
            })
        };
        // People whose contact details were not verified within the interval.
        let cutoff = now - CONTACT_VERIFY_DAYS * DAY;
        let stale: Vec<String> =
            sqlx::query("SELECT name, last_verified FROM people ORDER BY name")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .filter_map(|r| {
                    let name: String = r.try_get("name").ok()?;
                    let verified: Option<String> = r.try_get("last_verified").ok()?;
                    let ok = verified
                        .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                        .is_some_and(|d| d.and_utc().timestamp_millis() >= cutoff);
                    (!ok).then_some(name)
                })
                .collect();
        const CONTACTS: &str = "連絡先の確認 / Verify the contact list";
        if !stale.is_empty() && !has(CONTACTS, None) {
            created.push(
                self.create_action(
                    actor,
                    &NewAction {
                        source_kind: "review".into(),
                        source_id: None,
                        title: CONTACTS.into(),
                        detail: format!(
                            "not verified for {CONTACT_VERIFY_DAYS} days: {}",
                            stale.join(", ")
                        ),
                        owner: actor.name.clone(),
                        due_at_ms: Some(now + 14 * DAY),
                    },
                )
                .await?,
            );
        }
        const POLICY: &str = "情報セキュリティ方針の見直し / Review the security policy";
        if !has(POLICY, Some(now - POLICY_REVIEW_DAYS * DAY)) {
            created.push(
                self.create_action(
                    actor,
                    &NewAction {
                        source_kind: "review".into(),
                        source_id: None,
                        title: POLICY.into(),
                        detail: format!("every {POLICY_REVIEW_DAYS} days"),
                        owner: actor.name.clone(),
                        due_at_ms: Some(now + 30 * DAY),
                    },
                )
                .await?,
            );
        }
        Ok(created)
    }

    // --- exercises ---

    /// Start a tabletop exercise from a shipped scenario.
    pub async fn start_exercise(
        &self,
        actor: &Actor,
        scenario_id: &str,
        participant_ids: &[i64],
        process_ids: &[i64],
    ) -> Result<i64> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        let Some(s) = bc::scenario(scenario_id) else {
            return Err(invalid("scenario", FieldErrorKind::NotInList));
        };
        if participant_ids.is_empty() {
            return Err(invalid("participants", FieldErrorKind::Required));
        }
        for u in participant_ids {
            if !self.exists("users", *u).await? {
                return Err(invalid("participants", FieldErrorKind::UnknownReference));
            }
        }
        for p in process_ids {
            if !self.exists("bc_processes", *p).await? {
                return Err(invalid("processes", FieldErrorKind::UnknownReference));
            }
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO bc_exercises (created_at, scenario_id, title, facilitator, status, started_at, skipped_minutes) VALUES ($1, $2, $3, $4, 'running', $1, 0) RETURNING id",
        )
        .bind(now)
        .bind(scenario_id)
        .bind(s.title_ja.as_str())
        .bind(actor.name.as_str())
        .fetch_one(&mut *w.tx)
        .await?
        .try_get("id")?;
        let mut ps = participant_ids.to_vec();
        ps.sort_unstable();
        ps.dedup();
        for u in &ps {
            sqlx::query(
                "INSERT INTO bc_exercise_participants (exercise_id, user_id) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(*u)
            .execute(&mut *w.tx)
            .await?;
        }
        let mut pr = process_ids.to_vec();
        pr.sort_unstable();
        pr.dedup();
        for p in &pr {
            sqlx::query(
                "INSERT INTO bc_exercise_processes (exercise_id, process_id) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(*p)
            .execute(&mut *w.tx)
            .await?;
        }
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "create",
                object_kind: "bc_exercises",
                object_id: Some(id),
                before: None,
                after: json(serde_json::json!({"scenario": scenario_id, "participants": ps, "processes": pr})),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(id)
    }

    pub async fn exercises(&self, actor: &Actor) -> Result<Vec<Exercise>> {
        if !may_read(actor) {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query("SELECT id, scenario_id, title, facilitator, status, started_at, skipped_minutes, finished_at, finished_minute FROM bc_exercises ORDER BY id DESC")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(exercise_row).collect()
    }

    pub async fn exercise(&self, actor: &Actor, id: i64) -> Result<ExerciseDetail> {
        if !may_read(actor) {
            return Err(StoreError::Forbidden);
        }
        let row = sqlx::query("SELECT id, scenario_id, title, facilitator, status, started_at, skipped_minutes, finished_at, finished_minute FROM bc_exercises WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let exercise = exercise_row(&row)?;
        let mut participants = Vec::new();
        let mut participant_names = Vec::new();
        for r in sqlx::query("SELECT u.id, u.username, u.display_name FROM bc_exercise_participants p JOIN users u ON u.id = p.user_id WHERE p.exercise_id = $1 ORDER BY u.id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
        {
            participants.push((r.try_get("id")?, r.try_get("display_name")?));
            participant_names.push(r.try_get("username")?);
        }
        let process_ids = sqlx::query("SELECT process_id FROM bc_exercise_processes WHERE exercise_id = $1 ORDER BY process_id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("process_id").map_err(StoreError::from))
            .collect::<Result<Vec<i64>>>()?;
        let log = sqlx::query("SELECT at, minute, actor, kind, body FROM bc_exercise_log WHERE exercise_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(ExerciseLog {
                    at_ms: r.try_get("at")?,
                    minute: r.try_get("minute")?,
                    actor: r.try_get("actor")?,
                    kind: r.try_get("kind")?,
                    body: r.try_get("body")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let milestones = sqlx::query("SELECT milestone_id, minute FROM bc_exercise_milestones WHERE exercise_id = $1 ORDER BY minute, milestone_id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("milestone_id")?, r.try_get("minute")?)))
            .collect::<Result<Vec<_>>>()?;
        let findings = sqlx::query("SELECT id, body, action_id FROM bc_exercise_findings WHERE exercise_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(ExerciseFinding {
                    id: r.try_get("id")?,
                    body: r.try_get("body")?,
                    action_id: r.try_get("action_id")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ExerciseDetail {
            exercise,
            participants,
            participant_names,
            process_ids,
            log,
            milestones,
            findings,
        })
    }

    async fn running_exercise(&self, actor: &Actor, id: i64) -> Result<ExerciseDetail> {
        let d = self.exercise(actor, id).await?;
        if !d.exercise.running() {
            return Err(StoreError::Conflict("finished".into()));
        }
        Ok(d)
    }

    async fn exercise_log(
        &self,
        w: &mut crate::db::WriteTx<'_>,
        id: i64,
        minute: i64,
        actor: &Actor,
        kind: &str,
        body: &str,
    ) -> Result<()> {
        sqlx::query("INSERT INTO bc_exercise_log (exercise_id, at, minute, actor, kind, body) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id)
            .bind(self.clock.now_ms())
            .bind(minute)
            .bind(actor.name.as_str())
            .bind(kind)
            .bind(body)
            .execute(&mut *w.tx)
            .await?;
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: kind,
                object_kind: "bc_exercises",
                object_id: Some(id),
                before: None,
                after: json(serde_json::json!({"minute": minute, "body": body})),
            },
        )
        .await
    }

    /// A participant (or the facilitator) records what they do, stamped
    /// with real and exercise time.
    pub async fn log_exercise_action(&self, actor: &Actor, id: i64, body: &str) -> Result<()> {
        let d = self.running_exercise(actor, id).await?;
        let allowed = may_manage(actor) || d.participant_names.contains(&actor.name);
        if !allowed {
            return Err(StoreError::Forbidden);
        }
        let body = body.trim();
        if body.is_empty() {
            return Err(invalid("body", FieldErrorKind::Required));
        }
        if body.chars().count() > 4000 {
            return Err(invalid("body", FieldErrorKind::TooLong { max: 4000 }));
        }
        let minute = d.exercise.minute(self.clock.now_ms());
        let mut w = self.begin_write().await?;
        self.exercise_log(&mut w, id, minute, actor, "action", body)
            .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// The facilitator moves the exercise clock on to the next inject.
    pub async fn exercise_next_inject(&self, actor: &Actor, id: i64) -> Result<Option<i64>> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        let d = self.running_exercise(actor, id).await?;
        let s = bc::scenario(&d.exercise.scenario_id)
            .ok_or_else(|| StoreError::Other("scenario file missing".into()))?;
        let now_min = d.exercise.minute(self.clock.now_ms());
        let Some(next) = s.next_inject_minute(now_min) else {
            return Ok(None);
        };
        let mut w = self.begin_write().await?;
        sqlx::query("UPDATE bc_exercises SET skipped_minutes = skipped_minutes + $1 WHERE id = $2")
            .bind(next - now_min)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        self.exercise_log(
            &mut w,
            id,
            next,
            actor,
            "skip",
            &format!("{now_min}→{next}"),
        )
        .await?;
        w.tx.commit().await?;
        Ok(Some(next))
    }

    /// The facilitator marks a milestone reached (once), at exercise time now.
    pub async fn mark_milestone(&self, actor: &Actor, id: i64, milestone: &str) -> Result<i64> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        let d = self.running_exercise(actor, id).await?;
        let s = bc::scenario(&d.exercise.scenario_id)
            .ok_or_else(|| StoreError::Other("scenario file missing".into()))?;
        if s.milestone(milestone).is_none() {
            return Err(invalid("milestone", FieldErrorKind::NotInList));
        }
        if d.milestones.iter().any(|(m, _)| m == milestone) {
            return Err(invalid("milestone", FieldErrorKind::Duplicate));
        }
        let minute = d.exercise.minute(self.clock.now_ms());
        let mut w = self.begin_write().await?;
        sqlx::query("INSERT INTO bc_exercise_milestones (exercise_id, milestone_id, minute, at, marked_by) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(milestone)
            .bind(minute)
            .bind(self.clock.now_ms())
            .bind(actor.name.as_str())
            .execute(&mut *w.tx)
            .await
            .map_err(StoreError::from_write)?;
        self.exercise_log(&mut w, id, minute, actor, "milestone", milestone)
            .await?;
        w.tx.commit().await?;
        Ok(minute)
    }

    /// Finish: the clock stops and the findings (one per entry) are kept for
    /// the after-action report.
    pub async fn finish_exercise(&self, actor: &Actor, id: i64, findings: &[String]) -> Result<()> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        let d = self.running_exercise(actor, id).await?;
        let now = self.clock.now_ms();
        let minute = d.exercise.minute(now);
        let mut w = self.begin_write().await?;
        sqlx::query("UPDATE bc_exercises SET status = 'finished', finished_at = $1, finished_minute = $2 WHERE id = $3 AND status = 'running'")
            .bind(now)
            .bind(minute)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        for f in findings.iter().map(|f| f.trim()).filter(|f| !f.is_empty()) {
            let f: String = f.chars().take(1000).collect();
            sqlx::query("INSERT INTO bc_exercise_findings (exercise_id, created_at, body) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(now)
                .bind(f.as_str())
                .execute(&mut *w.tx)
                .await?;
        }
        self.exercise_log(
            &mut w,
            id,
            minute,
            actor,
            "finish",
            &findings.len().to_string(),
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Turn one finding of the after-action report into an improvement
    /// action (source "exercise"); a second click returns the same action.
    pub async fn finding_to_action(
        &self,
        actor: &Actor,
        exercise_id: i64,
        finding_id: i64,
        owner: &str,
    ) -> Result<i64> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        let d = self.exercise(actor, exercise_id).await?;
        let f = d
            .findings
            .iter()
            .find(|f| f.id == finding_id)
            .ok_or(StoreError::NotFound)?;
        if let Some(a) = f.action_id {
            return Ok(a);
        }
        let title: String = f.body.chars().take(300).collect();
        let action = self
            .create_action(
                actor,
                &NewAction {
                    source_kind: "exercise".into(),
                    source_id: Some(exercise_id),
                    title,
                    detail: d.exercise.title.clone(),
                    owner: owner.to_owned(),
                    due_at_ms: None,
                },
            )
            .await?;
        let mut w = self.begin_write().await?;
        sqlx::query(
            "UPDATE bc_exercise_findings SET action_id = $1 WHERE id = $2 AND action_id IS NULL",
        )
        .bind(action)
        .bind(finding_id)
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok(action)
    }
}

fn duplicate_name(e: sqlx::Error) -> StoreError {
    match StoreError::from_write(e) {
        StoreError::Conflict(_) => invalid("name", FieldErrorKind::Duplicate),
        other => other,
    }
}

impl Store {
    /// Each system's RTO in hours, inherited from the business processes
    /// that depend on it (the strictest wins): a fact of finding priority.
    pub async fn system_rto_hours(&self) -> Result<std::collections::HashMap<i64, i64>> {
        let processes = self.processes(&Actor::system()).await?;
        let objectives: Vec<_> = processes.iter().map(Process::objectives).collect();
        Ok(
            sonae_domain::continuity::derive_system_objectives(&objectives)
                .into_iter()
                .filter_map(|(system, o)| o.rto.map(|r| (system, r.hours)))
                .collect(),
        )
    }
}

impl Store {
    /// Remove a recovery plan (admins and security officers), audited with
    /// what it held.
    pub async fn delete_plan(&self, actor: &Actor, id: i64) -> Result<()> {
        self.delete_bc_row(actor, "bc_plans", id).await
    }

    /// Remove a backup from the register (admins and security officers),
    /// audited with what it held.
    pub async fn delete_backup(&self, actor: &Actor, id: i64) -> Result<()> {
        self.delete_bc_row(actor, "bc_backups", id).await
    }

    async fn delete_bc_row(&self, actor: &Actor, table: &'static str, id: i64) -> Result<()> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        let before = match table {
            "bc_plans" => self
                .plans(actor)
                .await?
                .into_iter()
                .find(|p| p.id == id)
                .map(|p| {
                    serde_json::json!({"title": p.plan.title, "steps": p.plan.steps}).to_string()
                }),
            _ => self
                .backups(actor)
                .await?
                .into_iter()
                .find(|b| b.id == id)
                .map(|b| {
                    serde_json::json!({"what": b.backup.what, "location": b.backup.location})
                        .to_string()
                }),
        };
        let Some(before) = before else {
            return Err(StoreError::NotFound);
        };
        let mut w = self.begin_write().await?;
        sqlx::query(&format!("DELETE FROM {table} WHERE id = $1"))
            .bind(id)
            .execute(&mut *w.tx)
            .await
            .map_err(StoreError::from_write)?;
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "delete",
                object_kind: table,
                object_id: Some(id),
                before: Some(before),
                after: None,
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }
}
