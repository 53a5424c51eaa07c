//! Public notices with their time-stamped updates (the rules are in
//! `sonae_domain::notice`), and the answers of post-incident reviews, every
//! version kept and each saved answer also written to the incident's work
//! log (so it is in the audit chain).

use crate::db::Store;
use crate::{Result, StoreError};
use sonae_domain::access::Actor;
use sonae_domain::notice::{self, check_step, NoticeRefusal, NoticeStatus, NoticeStep, NoticeText};
use sonae_domain::{FieldError, FieldErrorKind};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct NoticeUpdate {
    pub id: i64,
    pub at_ms: i64,
    pub approved_by: String,
    pub body_ja: String,
    pub body_en: String,
}

#[derive(Debug, Clone)]
pub struct Notice {
    pub id: i64,
    pub version: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub created_by: String,
    pub incident_id: Option<i64>,
    pub status: NoticeStatus,
    pub text: NoticeText,
    pub published_at_ms: Option<i64>,
    pub published_by: Option<String>,
    pub withdrawn_at_ms: Option<i64>,
    pub withdrawn_by: Option<String>,
    /// Newest first.
    pub updates: Vec<NoticeUpdate>,
}

impl Notice {
    /// When the notice last changed for a reader (its newest update, else
    /// withdrawal or publication).
    pub fn last_changed_ms(&self) -> i64 {
        [
            self.updates.first().map(|u| u.at_ms),
            self.withdrawn_at_ms,
            self.published_at_ms,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(self.updated_at_ms)
    }
}

/// One saved version of a review answer.
#[derive(Debug, Clone)]
pub struct ReviewAnswer {
    pub question: String,
    pub version: i64,
    pub at_ms: i64,
    pub answered_by: String,
    pub answer: String,
}

const NOTICE_COLUMNS: &str = "id, row_version, created_at, updated_at, created_by, incident_id, status, title_ja, body_ja, title_en, body_en, published_at, published_by, withdrawn_at, withdrawn_by";

fn refusal(r: NoticeRefusal) -> StoreError {
    match r {
        NoticeRefusal::Role => StoreError::Forbidden,
        NoticeRefusal::Status => StoreError::Conflict("status".into()),
    }
}

fn notice_row(r: &AnyRow) -> Result<Notice> {
    let status: String = r.try_get("status")?;
    Ok(Notice {
        id: r.try_get("id")?,
        version: r.try_get("row_version")?,
        created_at_ms: r.try_get("created_at")?,
        updated_at_ms: r.try_get("updated_at")?,
        created_by: r.try_get("created_by")?,
        incident_id: r.try_get("incident_id")?,
        status: NoticeStatus::parse(&status)
            .ok_or_else(|| StoreError::Other(format!("unknown notice status {status}")))?,
        text: NoticeText {
            title_ja: r.try_get("title_ja")?,
            body_ja: r.try_get("body_ja")?,
            title_en: r.try_get("title_en")?,
            body_en: r.try_get("body_en")?,
        },
        published_at_ms: r.try_get("published_at")?,
        published_by: r.try_get("published_by")?,
        withdrawn_at_ms: r.try_get("withdrawn_at")?,
        withdrawn_by: r.try_get("withdrawn_by")?,
        updates: Vec::new(),
    })
}

impl Store {
    async fn load_notices(&self, where_sql: &str, id: Option<i64>) -> Result<Vec<Notice>> {
        let sql = format!(
            "SELECT {NOTICE_COLUMNS} FROM notices WHERE {where_sql} ORDER BY COALESCE(published_at, created_at) DESC, id DESC LIMIT 500"
        );
        let mut q = sqlx::query(&sql);
        if let Some(id) = id {
            q = q.bind(id);
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut out = Vec::new();
        for r in &rows {
            let mut n = notice_row(r)?;
            n.updates = sqlx::query(
                "SELECT id, at, approved_by, body_ja, body_en FROM notice_updates WHERE notice_id = $1 ORDER BY at DESC, id DESC",
            )
            .bind(n.id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|u| {
                Ok(NoticeUpdate {
                    id: u.try_get("id")?,
                    at_ms: u.try_get("at")?,
                    approved_by: u.try_get("approved_by")?,
                    body_ja: u.try_get("body_ja")?,
                    body_en: u.try_get("body_en")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
            out.push(n);
        }
        Ok(out)
    }

    /// What the public sees: published notices and withdrawn ones (kept,
    /// marked), newest first. No sign-in needed.
    pub async fn public_notices(&self) -> Result<Vec<Notice>> {
        self.load_notices("status IN ('published', 'withdrawn')", None)
            .await
    }

    /// One public notice; a draft is not found.
    pub async fn public_notice(&self, id: i64) -> Result<Notice> {
        self.load_notices("status IN ('published', 'withdrawn') AND id = $1", Some(id))
            .await?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound)
    }

    /// Every notice, drafts included, for the staff pages.
    pub async fn staff_notices(&self, actor: &Actor) -> Result<Vec<Notice>> {
        if !notice::may_read_staff(actor.role) {
            return Err(StoreError::Forbidden);
        }
        self.load_notices("1=1", None).await
    }

    pub async fn staff_notice(&self, actor: &Actor, id: i64) -> Result<Notice> {
        if !notice::may_read_staff(actor.role) {
            return Err(StoreError::Forbidden);
        }
        self.load_notices("id = $1", Some(id))
            .await?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound)
    }

    async fn check_incident(&self, incident_id: Option<i64>) -> Result<()> {
        if let Some(i) = incident_id {
            let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM incidents WHERE id = $1")
                .bind(i)
                .fetch_one(&self.pool)
                .await?
                .try_get("n")?;
            if n == 0 {
                return Err(StoreError::Invalid(vec![FieldError {
                    field: "incident_id",
                    kind: FieldErrorKind::UnknownReference,
                }]));
            }
        }
        Ok(())
    }

    /// Draft a notice, audited.
    pub async fn create_notice(
        &self,
        actor: &Actor,
        incident_id: Option<i64>,
        text: NoticeText,
    ) -> Result<i64> {
        if !notice::may_draft(actor.role) {
            return Err(StoreError::Forbidden);
        }
        let text = text.parse().map_err(StoreError::Invalid)?;
        self.check_incident(incident_id).await?;
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO notices (row_version, created_at, updated_at, created_by, incident_id, status, title_ja, body_ja, title_en, body_en) \
             VALUES (1, $1, $1, $2, $3, 'draft', $4, $5, $6, $7) RETURNING id",
        )
        .bind(now)
        .bind(actor.name.as_str())
        .bind(incident_id)
        .bind(text.title_ja.as_str())
        .bind(text.body_ja.as_str())
        .bind(text.title_en.as_str())
        .bind(text.body_en.as_str())
        .fetch_one(&mut *w.tx)
        .await
        .map_err(StoreError::from_write)?
        .try_get("id")?;
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "create",
                object_kind: "notices",
                object_id: Some(id),
                before: None,
                after: Some(
                    serde_json::json!({"status": "draft", "incident": incident_id, "text": text})
                        .to_string(),
                ),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(id)
    }

    /// Change a draft; a save based on an old version is refused.
    pub async fn edit_notice(
        &self,
        actor: &Actor,
        id: i64,
        base_version: i64,
        incident_id: Option<i64>,
        text: NoticeText,
    ) -> Result<()> {
        let before = self.staff_notice(actor, id).await?;
        check_step(actor.role, before.status, NoticeStep::Edit).map_err(refusal)?;
        let text = text.parse().map_err(StoreError::Invalid)?;
        self.check_incident(incident_id).await?;
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE notices SET title_ja = $1, body_ja = $2, title_en = $3, body_en = $4, incident_id = $5, row_version = row_version + 1, updated_at = $6 \
             WHERE id = $7 AND row_version = $8 AND status = 'draft'",
        )
        .bind(text.title_ja.as_str())
        .bind(text.body_ja.as_str())
        .bind(text.title_en.as_str())
        .bind(text.body_en.as_str())
        .bind(incident_id)
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
                object_kind: "notices",
                object_id: Some(id),
                before: Some(
                    serde_json::json!({"incident": before.incident_id, "text": before.text})
                        .to_string(),
                ),
                after: Some(serde_json::json!({"incident": incident_id, "text": text}).to_string()),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Publish or withdraw: a status change by an approver.
    async fn move_notice(
        &self,
        actor: &Actor,
        id: i64,
        base_version: i64,
        step: NoticeStep,
    ) -> Result<()> {
        let before = self.staff_notice(actor, id).await?;
        check_step(actor.role, before.status, step).map_err(refusal)?;
        let now = self.clock.now_ms();
        let (to, sql) = match step {
            NoticeStep::Publish => (
                NoticeStatus::Published,
                "UPDATE notices SET status = 'published', published_at = $1, published_by = $2, row_version = row_version + 1, updated_at = $1 WHERE id = $3 AND row_version = $4 AND status = 'draft'",
            ),
            _ => (
                NoticeStatus::Withdrawn,
                "UPDATE notices SET status = 'withdrawn', withdrawn_at = $1, withdrawn_by = $2, row_version = row_version + 1, updated_at = $1 WHERE id = $3 AND row_version = $4 AND status = 'published'",
            ),
        };
        let mut w = self.begin_write().await?;
        let done = sqlx::query(sql)
            .bind(now)
            .bind(actor.name.as_str())
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
                object_kind: "notices",
                object_id: Some(id),
                before: Some(serde_json::json!({"status": before.status}).to_string()),
                after: Some(serde_json::json!({"status": to}).to_string()),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Make a draft public (approving role only).
    pub async fn publish_notice(&self, actor: &Actor, id: i64, base_version: i64) -> Result<()> {
        self.move_notice(actor, id, base_version, NoticeStep::Publish)
            .await
    }

    /// Withdraw a published notice; it and its updates stay readable at
    /// their address, marked withdrawn.
    pub async fn withdraw_notice(&self, actor: &Actor, id: i64, base_version: i64) -> Result<()> {
        self.move_notice(actor, id, base_version, NoticeStep::Withdraw)
            .await
    }

    /// Append a time-stamped update to a published notice (approving role).
    pub async fn add_notice_update(
        &self,
        actor: &Actor,
        id: i64,
        body_ja: &str,
        body_en: &str,
    ) -> Result<i64> {
        let n = self.staff_notice(actor, id).await?;
        check_step(actor.role, n.status, NoticeStep::Update).map_err(refusal)?;
        let (ja, en) = notice::parse_update(body_ja, body_en).map_err(StoreError::Invalid)?;
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        // Taking the notice row first orders concurrent updates and makes
        // sure it is still published when the update lands.
        let still = sqlx::query(
            "UPDATE notices SET row_version = row_version + 1, updated_at = $1 WHERE id = $2 AND status = 'published'",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        if still.rows_affected() == 0 {
            return Err(StoreError::Conflict("status".into()));
        }
        let uid: i64 = sqlx::query(
            "INSERT INTO notice_updates (notice_id, at, approved_by, body_ja, body_en) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(id)
        .bind(now)
        .bind(actor.name.as_str())
        .bind(ja.as_str())
        .bind(en.as_str())
        .fetch_one(&mut *w.tx)
        .await?
        .try_get("id")?;
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "create",
                object_kind: "notice_updates",
                object_id: Some(uid),
                before: None,
                after: Some(
                    serde_json::json!({"notice": id, "body_ja": ja, "body_en": en}).to_string(),
                ),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(uid)
    }

    // ---- post-incident review --------------------------------------------------

    /// Save review answers: each answer that differs from its latest
    /// version becomes a new version and a work-log entry. Returns how many
    /// changed. Those who run incidents answer.
    pub async fn save_review(
        &self,
        actor: &Actor,
        incident_id: i64,
        answers: &[(String, String)],
    ) -> Result<usize> {
        self.incident(actor, incident_id).await?;
        if !crate::may_manage_incidents(actor) {
            return Err(StoreError::Forbidden);
        }
        let catalog = notice::review_questions().map_err(StoreError::Other)?;
        let mut errors = Vec::new();
        for (q, a) in answers {
            if !catalog.questions.iter().any(|c| &c.id == q) {
                errors.push(FieldError {
                    field: "question",
                    kind: FieldErrorKind::NotInList,
                });
            } else if a.chars().count() > notice::ANSWER_MAX {
                errors.push(FieldError {
                    field: "answer",
                    kind: FieldErrorKind::TooLong {
                        max: notice::ANSWER_MAX,
                    },
                });
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let latest = self.review_answers(actor, incident_id).await?;
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let mut changed = 0;
        for (q, a) in answers {
            let a = a.trim();
            let last = latest
                .iter()
                .filter(|x| &x.question == q)
                .max_by_key(|x| x.version);
            let same = match last {
                Some(l) => l.answer == a,
                None => a.is_empty(),
            };
            if same {
                continue;
            }
            let version = last.map_or(1, |l| l.version + 1);
            sqlx::query(
                "INSERT INTO incident_review_answers (incident_id, question, version, at, answered_by, answer) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(incident_id)
            .bind(q.as_str())
            .bind(version)
            .bind(now)
            .bind(actor.name.as_str())
            .bind(a)
            .execute(&mut *w.tx)
            .await
            .map_err(StoreError::from_write)?;
            let body = serde_json::json!({"question": q, "version": version, "answer": a});
            self.log_in(
                &mut w.tx,
                incident_id,
                &actor.name,
                "review",
                &body.to_string(),
                None,
                now,
            )
            .await?;
            changed += 1;
        }
        w.tx.commit().await?;
        Ok(changed)
    }

    /// Every saved version of every answer, oldest first.
    pub async fn review_answers(
        &self,
        actor: &Actor,
        incident_id: i64,
    ) -> Result<Vec<ReviewAnswer>> {
        self.incident(actor, incident_id).await?;
        sqlx::query(
            "SELECT question, version, at, answered_by, answer FROM incident_review_answers WHERE incident_id = $1 ORDER BY question, version",
        )
        .bind(incident_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ReviewAnswer {
                question: r.try_get("question")?,
                version: r.try_get("version")?,
                at_ms: r.try_get("at")?,
                answered_by: r.try_get("answered_by")?,
                answer: r.try_get("answer")?,
            })
        })
        .collect()
    }
}
