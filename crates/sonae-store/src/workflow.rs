//! The handling workflow's storage (DESIGN §4): each step a person takes on
//! a finding, checked by the domain's rules, written with its history and
//! audited; priorities and due dates under the policy; risk acceptances
//! that run out.

use crate::db::Store;
use crate::findings::Finding;
use crate::{Result, StoreError};
use sonae_domain::access::{scope, Access, Actor};
use sonae_domain::inventory::Kind;
use sonae_domain::priority::Policy;
use sonae_domain::workflow::{self, Standing, Status, Step};
use sqlx::Row;

/// One entry of a finding's history.
#[derive(Debug, Clone)]
pub struct FindingEvent {
    pub at_ms: i64,
    pub actor: String,
    pub step: String,
    pub from_status: String,
    pub to_status: String,
    /// The notes the step recorded, by field name.
    pub data: serde_json::Map<String, serde_json::Value>,
}

/// The settings key of the priority policy.
const POLICY_KEY: &str = "priority_policy";

/// The workflow columns of one finding, as written back.
#[derive(Debug, Clone, Default)]
struct Columns {
    status: String,
    direction: Option<String>,
    work_plan: Option<String>,
    agreed_by: Option<String>,
    agreed_at: Option<i64>,
    acceptance_requested_by: Option<String>,
    accepted_by: Option<String>,
    accepted_until: Option<i64>,
    fix_known: bool,
    justification: Option<String>,
    decision_note: Option<String>,
    decided_by: Option<String>,
    decided_reason: Option<String>,
}

impl Columns {
    fn of(f: &Finding) -> Columns {
        Columns {
            status: f.status.clone(),
            direction: f.direction.clone(),
            work_plan: f
                .work_plan
                .as_ref()
                .and_then(|p| serde_json::to_string(p).ok()),
            agreed_by: f.agreed_by.clone(),
            agreed_at: f.agreed_at_ms,
            acceptance_requested_by: f.acceptance_requested_by.clone(),
            accepted_by: f.accepted_by.clone(),
            accepted_until: f.accepted_until_ms,
            fix_known: f.fix_known,
            justification: f.justification.clone(),
            decision_note: f.decision_note.clone(),
            decided_by: f.decided_by.clone(),
            decided_reason: None,
        }
    }
}

fn clip(s: &str) -> String {
    s.trim().chars().take(4000).collect()
}

impl Store {
    /// How the actor stands to the finding's system: may they work on it,
    /// do they own it.
    async fn standing(&self, actor: &Actor, f: &Finding) -> Result<Standing> {
        let may_work = match scope(actor, Kind::Component, Access::Write) {
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
        Ok(Standing {
            may_work,
            is_owner: actor.role == sonae_domain::Role::SystemOwner
                && actor.department_id == Some(f.department_id),
        })
    }

    /// The steps this actor may take on the finding now.
    pub async fn offered_steps(&self, actor: &Actor, f: &Finding) -> Result<Vec<&'static str>> {
        let standing = self.standing(actor, f).await?;
        Ok(workflow::offered(&f.workflow_state(), actor, standing))
    }

    /// Take one workflow step on a finding, if the rules allow it; writes
    /// the new state, the history entry and the audit entry together.
    pub async fn finding_step(
        &self,
        actor: &Actor,
        id: i64,
        base_version: i64,
        step: Step,
    ) -> Result<()> {
        let f = self.finding(actor, id).await?;
        let standing = self.standing(actor, &f).await?;
        let now = self.clock.now_ms();
        let next = workflow::apply(&f.workflow_state(), &step, actor, standing, now)
            .map_err(StoreError::Workflow)?;
        let mut c = Columns::of(&f);
        c.decided_reason = None;
        let mut data = serde_json::Map::new();
        let mut put = |k: &str, v: serde_json::Value| {
            data.insert(k.to_owned(), v);
        };
        match &step {
            Step::Start { note } => put("note", clip(note).into()),
            Step::Investigated { conditions } => put("conditions", clip(conditions).into()),
            Step::Direct { direction, impact } => {
                c.direction = Some(direction.as_str().to_owned());
                c.acceptance_requested_by = None;
                put("direction", direction.as_str().into());
                put("impact", clip(impact).into());
            }
            Step::Plan(plan) => {
                let mut p = plan.clone();
                p.downtime = clip(&p.downtime);
                p.cost = clip(&p.cost);
                p.people = clip(&p.people);
                let v = serde_json::to_value(&p).map_err(|e| StoreError::Other(e.to_string()))?;
                c.work_plan = Some(v.to_string());
                c.agreed_by = None;
                c.agreed_at = None;
                put("plan", v);
            }
            Step::Agree { note } => {
                c.agreed_by = Some(actor.name.clone());
                c.agreed_at = Some(now);
                put("note", clip(note).into());
            }
            Step::Implement => {}
            Step::Verify { note } => put("note", clip(note).into()),
            Step::Mitigate { note, .. } => {
                // Whether the feeds named a fix when the workaround went in:
                // a fix appearing later re-opens the finding.
                c.fix_known = workflow::reason_names_fix(&f.reason);
                put("note", clip(note).into());
                put("fix_known", c.fix_known.into());
            }
            Step::NotAffected {
                justification,
                note,
            } => {
                c.justification = Some(justification.clone());
                c.decision_note = Some(clip(note));
                c.decided_by = Some(actor.name.clone());
                c.decided_reason = Some(f.reason.clone());
                put("justification", justification.as_str().into());
                put("note", clip(note).into());
            }
            Step::RequestAcceptance { reason } => {
                c.acceptance_requested_by = Some(actor.name.clone());
                put("reason", clip(reason).into());
            }
            Step::ApproveAcceptance { expires_ms, note } => {
                c.accepted_by = Some(actor.name.clone());
                c.accepted_until = Some(*expires_ms);
                c.acceptance_requested_by = None;
                put("expires_ms", (*expires_ms).into());
                put("note", clip(note).into());
            }
            Step::RejectAcceptance { note } => {
                c.acceptance_requested_by = None;
                put("note", clip(note).into());
            }
            Step::Reopen { note } => {
                c = Columns {
                    status: Status::New.as_str().to_owned(),
                    ..Columns::default()
                };
                put("note", clip(note).into());
            }
        }
        c.status = next.status.as_str().to_owned();
        let mut w = self.begin_write().await?;
        let done = self
            .write_columns(&mut w.tx, id, Some(base_version), &c, now)
            .await?;
        if !done {
            return Err(StoreError::Conflict("stale".into()));
        }
        let data = serde_json::Value::Object(data);
        self.add_event(
            &mut w.tx,
            id,
            now,
            &actor.name,
            step.name(),
            &f.status,
            &c.status,
            &data,
        )
        .await?;
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "update",
                object_kind: "findings",
                object_id: Some(id),
                before: Some(serde_json::json!({"status": f.status}).to_string()),
                after: Some(
                    serde_json::json!({"status": c.status, "step": step.name(), "data": data})
                        .to_string(),
                ),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// A person who may work on the system confirms a "possible" finding
    /// (the system is affected): it becomes confirmed and stays so through
    /// later matches; history and audit log record who and why.
    pub async fn confirm_possible(&self, actor: &Actor, id: i64, note: &str) -> Result<()> {
        let f = self.finding(actor, id).await?;
        if !self.standing(actor, &f).await?.may_work {
            return Err(StoreError::Workflow(workflow::Refusal::NotPermitted));
        }
        if f.certainty != "possible" {
            return Err(StoreError::Workflow(workflow::Refusal::WrongState));
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE findings SET certainty = 'confirmed', certainty_confirmed_by = $1, \
             row_version = row_version + 1, updated_at = $2 WHERE id = $3 AND certainty = 'possible'",
        )
        .bind(actor.name.as_str())
        .bind(now)
        .bind(id)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Err(StoreError::Conflict("stale".into()));
        }
        let data = serde_json::json!({ "note": clip(note) });
        self.add_event(
            &mut w.tx,
            id,
            now,
            &actor.name,
            "confirm_possible",
            &f.status,
            &f.status,
            &data,
        )
        .await?;
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "update",
                object_kind: "findings",
                object_id: Some(id),
                before: Some(serde_json::json!({"certainty": "possible"}).to_string()),
                after: Some(
                    serde_json::json!({"certainty": "confirmed", "step": "confirm_possible", "data": data})
                        .to_string(),
                ),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    async fn write_columns(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        id: i64,
        base_version: Option<i64>,
        c: &Columns,
        now: i64,
    ) -> Result<bool> {
        let mut sql = String::from(
            "UPDATE findings SET status = $1, direction = $2, work_plan = $3, agreed_by = $4, agreed_at = $5, \
             acceptance_requested_by = $6, accepted_by = $7, accepted_until = $8, fix_known = $9, \
             justification = $10, decision_note = $11, decided_by = $12, decided_reason = $13, \
             status_at = CASE WHEN status = $1 THEN status_at ELSE $14 END, \
             row_version = row_version + 1, updated_at = $14 WHERE id = $15",
        );
        if base_version.is_some() {
            sql.push_str(" AND row_version = $16");
        }
        let mut q = sqlx::query(&sql)
            .bind(c.status.clone())
            .bind(c.direction.clone())
            .bind(c.work_plan.clone())
            .bind(c.agreed_by.clone())
            .bind(c.agreed_at)
            .bind(c.acceptance_requested_by.clone())
            .bind(c.accepted_by.clone())
            .bind(c.accepted_until)
            .bind(i64::from(c.fix_known))
            .bind(c.justification.clone())
            .bind(c.decision_note.clone())
            .bind(c.decided_by.clone())
            .bind(c.decided_reason.clone())
            .bind(now)
            .bind(id);
        if let Some(v) = base_version {
            q = q.bind(v);
        }
        Ok(q.execute(&mut **tx).await?.rows_affected() > 0)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn add_event(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        finding_id: i64,
        at: i64,
        actor: &str,
        step: &str,
        from: &str,
        to: &str,
        data: &serde_json::Value,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO finding_events (finding_id, at, actor, step, from_status, to_status, data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(finding_id)
        .bind(at)
        .bind(actor)
        .bind(step)
        .bind(from)
        .bind(to)
        .bind(data.to_string())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// A finding's history, oldest first.
    pub async fn finding_events(&self, actor: &Actor, id: i64) -> Result<Vec<FindingEvent>> {
        // Reading the finding checks the actor may see it.
        self.finding(actor, id).await?;
        let rows = sqlx::query(
            "SELECT at, actor, step, from_status, to_status, data FROM finding_events WHERE finding_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let data: String = r.try_get("data")?;
                Ok(FindingEvent {
                    at_ms: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    step: r.try_get("step")?,
                    from_status: r.try_get("from_status")?,
                    to_status: r.try_get("to_status")?,
                    data: serde_json::from_str(&data).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Record that a finding does not affect its component, with the VEX
    /// justification and a note; or, with `None`, re-open it.
    pub async fn decide_finding(
        &self,
        actor: &Actor,
        id: i64,
        base_version: i64,
        decision: Option<(&str, &str)>,
    ) -> Result<()> {
        let step = match decision {
            Some((j, n)) => Step::NotAffected {
                justification: j.to_owned(),
                note: n.to_owned(),
            },
            None => Step::Reopen {
                note: "-".to_owned(),
            },
        };
        match self.finding_step(actor, id, base_version, step).await {
            Err(StoreError::Workflow(workflow::Refusal::NotPermitted)) => {
                Err(StoreError::Forbidden)
            }
            Err(StoreError::Workflow(workflow::Refusal::BadJustification)) => {
                Err(StoreError::Invalid(vec![sonae_domain::FieldError {
                    field: "justification",
                    kind: sonae_domain::FieldErrorKind::NotInList,
                }]))
            }
            other => other,
        }
    }

    /// The priority policy: the admin's, or the default.
    pub async fn priority_policy(&self) -> Result<Policy> {
        Ok(match self.setting(POLICY_KEY).await? {
            Some(text) => serde_json::from_str(&text).unwrap_or_default(),
            None => Policy::default(),
        })
    }

    /// Save a new policy (admins only) and re-compute every finding's
    /// priority and due date under it.
    pub async fn set_priority_policy(&self, actor: &Actor, policy: &Policy) -> Result<u64> {
        if !sonae_domain::access::can_admin(actor) {
            return Err(StoreError::Forbidden);
        }
        let errors = policy.validate();
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let text = serde_json::to_string(policy).map_err(|e| StoreError::Other(e.to_string()))?;
        self.set_setting(actor, POLICY_KEY, &text).await?;
        self.refresh_priorities(policy).await
    }

    /// Re-compute priority and due date of every finding from its facts;
    /// returns how many changed. Run after a match, a feed update (KEV,
    /// EPSS) and a policy change.
    pub async fn refresh_priorities(&self, policy: &Policy) -> Result<u64> {
        let rows = sqlx::query(
            "SELECT f.id, f.system_id, f.created_at, f.priority, f.due_at, v.cvss_score, COALESCE(v.kev, 0) AS kev, COALESCE(v.exploited, 0) AS exploited, e.epss, \
             s.exposure, s.personal_data, s.confidentiality, s.integrity, s.availability \
             FROM findings f JOIN systems s ON s.id = f.system_id \
             LEFT JOIN vulnerabilities v ON v.id = f.vuln_id LEFT JOIN epss_scores e ON e.cve = f.vuln_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let rto = self.system_rto_hours().await?;
        let mut changes: Vec<(i64, &'static str, i64)> = Vec::new();
        for r in &rows {
            let cia = [
                r.try_get::<i64, _>("confidentiality")?,
                r.try_get::<i64, _>("integrity")?,
                r.try_get::<i64, _>("availability")?,
            ];
            let facts = sonae_domain::priority::Facts {
                cvss: r.try_get("cvss_score")?,
                kev: r.try_get::<i64, _>("kev")? != 0,
                exploited: r.try_get::<i64, _>("exploited")? != 0,
                epss: r.try_get("epss")?,
                exposure: r.try_get("exposure")?,
                importance: cia.into_iter().max(),
                personal_data: r.try_get::<i64, _>("personal_data")? != 0,
                rto_hours: rto.get(&r.try_get::<i64, _>("system_id")?).copied(),
            };
            let a = policy.assess(&facts);
            let created: i64 = r.try_get("created_at")?;
            let due = created + a.due_days * 86_400_000;
            let old_p: Option<String> = r.try_get("priority")?;
            let old_due: Option<i64> = r.try_get("due_at")?;
            if old_p.as_deref() != Some(a.level.as_str()) || old_due != Some(due) {
                changes.push((r.try_get("id")?, a.level.as_str(), due));
            }
        }
        let mut w = self.begin_write().await?;
        for (id, p, due) in &changes {
            sqlx::query("UPDATE findings SET priority = $1, due_at = $2 WHERE id = $3")
                .bind(*p)
                .bind(*due)
                .bind(*id)
                .execute(&mut *w.tx)
                .await?;
        }
        w.tx.commit().await?;
        Ok(changes.len() as u64)
    }

    /// Re-open risk acceptances that have run out; returns how many.
    pub async fn expire_acceptances(&self) -> Result<u64> {
        let now = self.clock.now_ms();
        let rows = sqlx::query(
            "SELECT id, accepted_until FROM findings WHERE status = 'risk_accepted' AND accepted_until <= $1",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        let mut n = 0;
        let mut w = self.begin_write().await?;
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let until: Option<i64> = r.try_get("accepted_until")?;
            if !workflow::acceptance_expired(Status::RiskAccepted, until, now) {
                continue;
            }
            self.reopen_in(
                &mut w.tx,
                id,
                "risk_accepted",
                "expired",
                now,
                serde_json::json!({"accepted_until": until}),
            )
            .await?;
            n += 1;
        }
        w.tx.commit().await?;
        Ok(n)
    }

    /// Put a finding back to "new" on the system's behalf, with the reason
    /// as the history entry.
    pub(crate) async fn reopen_in(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        id: i64,
        from: &str,
        why: &str,
        now: i64,
        data: serde_json::Value,
    ) -> Result<()> {
        let c = Columns {
            status: Status::New.as_str().to_owned(),
            ..Columns::default()
        };
        self.write_columns(tx, id, None, &c, now).await?;
        self.add_event(tx, id, now, "sonae", why, from, "new", &data)
            .await?;
        self.append_audit(
            tx,
            crate::audit::Change {
                actor: "sonae",
                action: "update",
                object_kind: "findings",
                object_id: Some(id),
                before: Some(serde_json::json!({"status": from}).to_string()),
                after: Some(
                    serde_json::json!({"status": "new", "step": why, "data": data}).to_string(),
                ),
            },
        )
        .await
    }
}
