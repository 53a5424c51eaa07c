//! Improvement actions: the one PDCA list (DESIGN §8) that incident
//! reviews, exercises, assessments, risk treatment and scheduled reviews
//! all add to.

use crate::db::Store;
use crate::{Result, StoreError};
use sonae_domain::access::Actor;
use sonae_domain::{FieldError, FieldErrorKind, Role};
use sqlx::Row;

/// Where an action came from.
pub const ACTION_SOURCES: &[&str] = &[
    "incident",
    "exercise",
    "assessment",
    "risk",
    "review",
    "finding",
    "other",
];

pub const ACTION_STATUSES: &[&str] = &["open", "in_progress", "done", "dropped"];

#[derive(Debug, Clone, Default)]
pub struct NewAction {
    pub source_kind: String,
    pub source_id: Option<i64>,
    pub title: String,
    pub detail: String,
    /// A user name (or a person's name when they have no account).
    pub owner: String,
    pub due_at_ms: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Action {
    pub id: i64,
    pub version: i64,
    pub created_at_ms: i64,
    pub source_kind: String,
    pub source_id: Option<i64>,
    pub title: String,
    pub detail: String,
    pub owner: String,
    pub due_at_ms: Option<i64>,
    pub status: String,
    pub done_at_ms: Option<i64>,
    pub created_by: String,
}

impl Action {
    pub fn overdue(&self, now_ms: i64) -> bool {
        matches!(self.status.as_str(), "open" | "in_progress")
            && self.due_at_ms.is_some_and(|d| d < now_ms)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub status: Option<String>,
    /// Open or in progress only.
    pub open_only: bool,
    pub owner: Option<String>,
    pub source_kind: Option<String>,
    pub source_id: Option<i64>,
    /// Open and due before this time.
    pub due_before_ms: Option<i64>,
}

fn may_read(actor: &Actor) -> bool {
    actor.role != Role::Vendor
}

fn may_create(actor: &Actor) -> bool {
    !matches!(actor.role, Role::Vendor | Role::Auditor)
}

impl Store {
    /// Add an action to the PDCA list, audited.
    pub async fn create_action(&self, actor: &Actor, n: &NewAction) -> Result<i64> {
        if !may_create(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut e = Vec::new();
        if !ACTION_SOURCES.contains(&n.source_kind.as_str()) {
            e.push(FieldError {
                field: "source_kind",
                kind: FieldErrorKind::NotInList,
            });
        }
        if n.title.trim().is_empty() {
            e.push(FieldError {
                field: "title",
                kind: FieldErrorKind::Required,
            });
        } else if n.title.chars().count() > 300 {
            e.push(FieldError {
                field: "title",
                kind: FieldErrorKind::TooLong { max: 300 },
            });
        }
        if n.owner.trim().is_empty() {
            e.push(FieldError {
                field: "owner",
                kind: FieldErrorKind::Required,
            });
        }
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO improvement_actions (row_version, created_at, updated_at, source_kind, source_id, title, detail, owner, due_at, status, created_by) \
             VALUES (1, $1, $1, $2, $3, $4, $5, $6, $7, 'open', $8) RETURNING id",
        )
        .bind(now)
        .bind(n.source_kind.as_str())
        .bind(n.source_id)
        .bind(n.title.trim())
        .bind(n.detail.trim())
        .bind(n.owner.trim())
        .bind(n.due_at_ms)
        .bind(actor.name.as_str())
        .fetch_one(&mut *w.tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "create",
                object_kind: "improvement_actions",
                object_id: Some(id),
                before: None,
                after: Some(
                    serde_json::json!({"source": n.source_kind, "source_id": n.source_id, "title": n.title.trim(), "owner": n.owner.trim(), "due": n.due_at_ms})
                        .to_string(),
                ),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(id)
    }

    /// The PDCA list: open first, nearest due date first.
    pub async fn actions(&self, actor: &Actor, f: &ActionFilter) -> Result<Vec<Action>> {
        if !may_read(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut sql = crate::records::Sql::new();
        sql.push("SELECT id, row_version, created_at, source_kind, source_id, title, detail, owner, due_at, status, done_at, created_by FROM improvement_actions WHERE 1=1");
        if let Some(s) = &f.status {
            sql.push(" AND status = ").bind_text(s);
        }
        if f.open_only || f.due_before_ms.is_some() {
            sql.push(" AND status IN ('open', 'in_progress')");
        }
        if let Some(o) = &f.owner {
            sql.push(" AND owner = ").bind_text(o);
        }
        if let Some(k) = &f.source_kind {
            sql.push(" AND source_kind = ").bind_text(k);
        }
        if let Some(i) = f.source_id {
            sql.push(" AND source_id = ").bind_int(i);
        }
        if let Some(t) = f.due_before_ms {
            sql.push(" AND due_at < ").bind_int(t);
        }
        sql.push(" ORDER BY CASE WHEN status IN ('open', 'in_progress') THEN 0 ELSE 1 END, COALESCE(due_at, 9000000000000000), id LIMIT 2000");
        let rows = sql.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(Action {
                    id: r.try_get("id")?,
                    version: r.try_get("row_version")?,
                    created_at_ms: r.try_get("created_at")?,
                    source_kind: r.try_get("source_kind")?,
                    source_id: r.try_get("source_id")?,
                    title: r.try_get("title")?,
                    detail: r.try_get("detail")?,
                    owner: r.try_get("owner")?,
                    due_at_ms: r.try_get("due_at")?,
                    status: r.try_get("status")?,
                    done_at_ms: r.try_get("done_at")?,
                    created_by: r.try_get("created_by")?,
                })
            })
            .collect()
    }

    /// Move an action along: its owner, an admin or a security officer.
    pub async fn set_action_status(
        &self,
        actor: &Actor,
        id: i64,
        base_version: i64,
        status: &str,
    ) -> Result<()> {
        if !ACTION_STATUSES.contains(&status) {
            return Err(StoreError::Invalid(vec![FieldError {
                field: "status",
                kind: FieldErrorKind::NotInList,
            }]));
        }
        let row = sqlx::query("SELECT owner, status FROM improvement_actions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let owner: String = row.try_get("owner")?;
        let before: String = row.try_get("status")?;
        let allowed = matches!(actor.role, Role::Admin | Role::SecurityOfficer)
            || (owner == actor.name && may_create(actor));
        if !allowed {
            return Err(StoreError::Forbidden);
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE improvement_actions SET status = $1, done_at = $2, row_version = row_version + 1, updated_at = $3 WHERE id = $4 AND row_version = $5",
        )
        .bind(status)
        .bind((status == "done").then_some(now))
        .bind(now)
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
                object_kind: "improvement_actions",
                object_id: Some(id),
                before: Some(serde_json::json!({"status": before}).to_string()),
                after: Some(serde_json::json!({"status": status}).to_string()),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }
}
