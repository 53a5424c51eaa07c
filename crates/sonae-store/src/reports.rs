//! Vulnerability reports from outside: the tracked report, its message log,
//! the intake settings, and the public form's rate limits and used
//! proof-of-work challenges (kept here so they hold across restarts and
//! nodes).

use crate::audit::Change as AuditChange;
use crate::db::Store;
use crate::{Result, StoreError};
use sonae_domain::intake::{self, ReportInput, ReportStatus, SecurityTxt};
use sonae_domain::Actor;
use sqlx::any::AnyRow;
use sqlx::Row;

/// Who the audit log names for what the public sends.
pub const REPORTER_ACTOR: &str = "reporter";
const SETTINGS_KEY: &str = "intake";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: i64,
    pub version: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub reference: String,
    pub reporter_name: Option<String>,
    pub reporter_email: Option<String>,
    pub product: String,
    pub description: String,
    pub vuln_ids: Vec<String>,
    pub linked_vuln_ids: Vec<String>,
    pub status: ReportStatus,
    pub ack_due_at_ms: i64,
    pub acknowledged_at_ms: Option<i64>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub system_id: Option<i64>,
}

impl Report {
    fn audit_json(&self) -> String {
        serde_json::json!({
            "row_version": self.version,
            "reference": self.reference,
            "reporter_name": self.reporter_name,
            "reporter_email": self.reporter_email,
            "product": self.product,
            "description": self.description,
            "vuln_ids": self.vuln_ids,
            "linked_vuln_ids": self.linked_vuln_ids,
            "status": self.status.as_str(),
            "ack_due_at": self.ack_due_at_ms,
            "assignee_id": self.assignee_id,
            "system_id": self.system_id,
        })
        .to_string()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// From the reporter.
    Reporter,
    /// Staff to the reporter (the reporter sees it).
    Reply,
    /// Internal; never shown to the reporter.
    Note,
    /// A status change, with who and when.
    Status,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Reporter => "reporter",
            MessageKind::Reply => "reply",
            MessageKind::Note => "note",
            MessageKind::Status => "status",
        }
    }
    fn parse(s: &str) -> Result<MessageKind> {
        Ok(match s {
            "reporter" => MessageKind::Reporter,
            "reply" => MessageKind::Reply,
            "note" => MessageKind::Note,
            "status" => MessageKind::Status,
            other => return Err(StoreError::Other(format!("unknown message kind {other}"))),
        })
    }
    /// What the reporter's page shows.
    pub fn reporter_sees(self) -> bool {
        matches!(self, MessageKind::Reporter | MessageKind::Reply)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportMessage {
    pub id: i64,
    pub at_ms: i64,
    pub kind: MessageKind,
    pub author: String,
    pub body: String,
    pub from_status: Option<ReportStatus>,
    pub to_status: Option<ReportStatus>,
}

/// A new report as the public form hands it over.
pub struct NewReport {
    pub input: ReportInput,
    pub reference: String,
    pub token_hash: String,
    pub ack_due_at_ms: i64,
}

/// What staff change on a report in one save.
#[derive(Debug, Clone)]
pub struct ReportUpdate {
    pub status: ReportStatus,
    pub assignee_id: Option<i64>,
    pub linked_vuln_ids: Vec<String>,
    pub system_id: Option<i64>,
}

const COLUMNS: &str = "r.id, r.row_version, r.created_at, r.updated_at, r.reference, r.reporter_name, r.reporter_email, \
     r.product, r.description, r.vuln_ids, r.linked_vuln_ids, r.status, r.ack_due_at, r.acknowledged_at, \
     r.assignee_id, u.display_name AS assignee_name, r.system_id";
const FROM: &str = "reports r LEFT JOIN users u ON u.id = r.assignee_id";

fn ids(s: String) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

fn status(s: &str) -> Result<ReportStatus> {
    ReportStatus::parse(s).ok_or_else(|| StoreError::Other(format!("unknown report status {s}")))
}

fn report(r: &AnyRow) -> Result<Report> {
    Ok(Report {
        id: r.try_get("id")?,
        version: r.try_get("row_version")?,
        created_at_ms: r.try_get("created_at")?,
        updated_at_ms: r.try_get("updated_at")?,
        reference: r.try_get("reference")?,
        reporter_name: r.try_get("reporter_name")?,
        reporter_email: r.try_get("reporter_email")?,
        product: r.try_get("product")?,
        description: r.try_get("description")?,
        vuln_ids: ids(r.try_get("vuln_ids")?),
        linked_vuln_ids: ids(r.try_get("linked_vuln_ids")?),
        status: status(&r.try_get::<String, _>("status")?)?,
        ack_due_at_ms: r.try_get("ack_due_at")?,
        acknowledged_at_ms: r.try_get("acknowledged_at")?,
        assignee_id: r.try_get("assignee_id")?,
        assignee_name: r.try_get("assignee_name")?,
        system_id: r.try_get("system_id")?,
    })
}

fn message(r: &AnyRow) -> Result<ReportMessage> {
    let opt = |c: &str| -> Result<Option<ReportStatus>> {
        r.try_get::<Option<String>, _>(c)?
            .map(|s| status(&s))
            .transpose()
    };
    Ok(ReportMessage {
        id: r.try_get("id")?,
        at_ms: r.try_get("at_ms")?,
        kind: MessageKind::parse(&r.try_get::<String, _>("kind")?)?,
        author: r.try_get("author")?,
        body: r.try_get("body")?,
        from_status: opt("from_status")?,
        to_status: opt("to_status")?,
    })
}

fn require(ok: bool) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

impl Store {
    // --- settings -------------------------------------------------------

    /// The saved intake settings, or None before an administrator saved any.
    pub async fn intake_settings(&self) -> Result<Option<SecurityTxt>> {
        self.setting(SETTINGS_KEY)
            .await?
            .map(|s| {
                serde_json::from_str(&s)
                    .map_err(|e| StoreError::Other(format!("intake settings: {e}")))
            })
            .transpose()
    }

    pub async fn set_intake_settings(&self, actor: &Actor, s: &SecurityTxt) -> Result<()> {
        require(sonae_domain::access::can_admin(actor))?;
        let json = serde_json::to_string(s)
            .map_err(|e| StoreError::Other(format!("intake settings: {e}")))?;
        self.set_setting(actor, SETTINGS_KEY, &json).await
    }

    // --- anti-abuse -----------------------------------------------------

    /// Count one request in each bucket unless one of them already holds
    /// its limit within the window; false (and nothing counted) when limited.
    pub async fn take_rate(&self, buckets: &[(String, i64)], window_ms: i64) -> Result<bool> {
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM intake_hits WHERE at_ms <= $1")
            .bind(now - window_ms)
            .execute(&mut *w.tx)
            .await?;
        for (bucket, limit) in buckets {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM intake_hits WHERE bucket = $1 AND at_ms > $2",
            )
            .bind(bucket.clone())
            .bind(now - window_ms)
            .fetch_one(&mut *w.tx)
            .await?;
            if n >= *limit {
                return Ok(false);
            }
        }
        for (bucket, _) in buckets {
            sqlx::query("INSERT INTO intake_hits (bucket, at_ms) VALUES ($1, $2)")
                .bind(bucket.clone())
                .bind(now)
                .execute(&mut *w.tx)
                .await?;
        }
        w.tx.commit().await?;
        Ok(true)
    }

    /// Record a proof-of-work challenge as used; false when it already was.
    pub async fn use_challenge(&self, challenge_hash: &str, expires_at_ms: i64) -> Result<bool> {
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM intake_challenges WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *w.tx)
            .await?;
        let seen: Option<String> = sqlx::query_scalar(
            "SELECT challenge_hash FROM intake_challenges WHERE challenge_hash = $1",
        )
        .bind(challenge_hash.to_owned())
        .fetch_optional(&mut *w.tx)
        .await?;
        if seen.is_some() {
            return Ok(false);
        }
        let done = sqlx::query(
            "INSERT INTO intake_challenges (challenge_hash, expires_at) VALUES ($1, $2)",
        )
        .bind(challenge_hash.to_owned())
        .bind(expires_at_ms)
        .execute(&mut *w.tx)
        .await
        .map_err(StoreError::from_write);
        match done {
            Ok(_) => {
                w.tx.commit().await?;
                Ok(true)
            }
            // Another node took it between our read and write.
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    // --- the public side --------------------------------------------------

    pub async fn create_report(&self, r: NewReport) -> Result<Report> {
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reports (row_version, created_at, updated_at, reference, token_hash, reporter_name, reporter_email, \
             product, description, vuln_ids, status, ack_due_at) \
             VALUES (1, $1, $1, $2, $3, $4, $5, $6, $7, $8, 'received', $9) RETURNING id",
        )
        .bind(now)
        .bind(r.reference)
        .bind(r.token_hash)
        .bind(r.input.reporter_name)
        .bind(r.input.reporter_email)
        .bind(r.input.product)
        .bind(r.input.description)
        .bind(r.input.vuln_ids.join(" "))
        .bind(r.ack_due_at_ms)
        .fetch_one(&mut *w.tx)
        .await
        .map_err(StoreError::from_write)?;
        let created = Self::report_in(&mut w.tx, id).await?;
        self.append_audit(
            &mut w.tx,
            AuditChange {
                actor: REPORTER_ACTOR,
                action: "create",
                object_kind: "reports",
                object_id: Some(id),
                before: None,
                after: Some(created.audit_json()),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(created)
    }

    async fn report_in(tx: &mut sqlx::Transaction<'static, sqlx::Any>, id: i64) -> Result<Report> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM {FROM} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        report(&row)
    }

    /// The report a reporter's link opens.
    pub async fn report_by_token(&self, token_hash: &str) -> Result<Report> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE r.token_hash = $1"
        ))
        .bind(token_hash.to_owned())
        .fetch_optional(&self.pool)
        .await?
        .map(|r| report(&r))
        .transpose()?
        .ok_or(StoreError::NotFound)
    }

    /// Messages the reporter may see: theirs and staff replies.
    pub async fn reporter_messages(&self, token_hash: &str) -> Result<Vec<ReportMessage>> {
        let r = self.report_by_token(token_hash).await?;
        Ok(self
            .messages_of(r.id)
            .await?
            .into_iter()
            .filter(|m| m.kind.reporter_sees())
            .collect())
    }

    /// A message from the reporter, through their link.
    pub async fn add_reporter_message(&self, token_hash: &str, body: &str) -> Result<()> {
        let r = self.report_by_token(token_hash).await?;
        self.add_message(REPORTER_ACTOR, r.id, MessageKind::Reporter, body)
            .await
    }

    // --- staff ------------------------------------------------------------

    pub async fn reports(
        &self,
        actor: &Actor,
        status: Option<ReportStatus>,
    ) -> Result<Vec<Report>> {
        require(intake::may_read(actor.role))?;
        let sql = format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE ($1 = '' OR r.status = $1) ORDER BY r.created_at DESC, r.id DESC LIMIT 1000"
        );
        sqlx::query(&sql)
            .bind(status.map_or("", ReportStatus::as_str))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(report)
            .collect()
    }

    /// Reports still waiting for their first answer.
    pub async fn reports_awaiting_ack(&self, actor: &Actor) -> Result<i64> {
        require(intake::may_read(actor.role))?;
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE status = 'received'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    pub async fn report(&self, actor: &Actor, id: i64) -> Result<Report> {
        require(intake::may_read(actor.role))?;
        sqlx::query(&format!("SELECT {COLUMNS} FROM {FROM} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| report(&r))
            .transpose()?
            .ok_or(StoreError::NotFound)
    }

    /// The whole log, internal notes and status changes included.
    pub async fn report_messages(&self, actor: &Actor, id: i64) -> Result<Vec<ReportMessage>> {
        require(intake::may_read(actor.role))?;
        self.messages_of(id).await
    }

    async fn messages_of(&self, id: i64) -> Result<Vec<ReportMessage>> {
        sqlx::query(
            "SELECT id, at_ms, kind, author, body, from_status, to_status FROM report_messages WHERE report_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(message)
        .collect()
    }

    /// A staff reply to the reporter or an internal note. The first reply
    /// to a report that was only received acknowledges it.
    pub async fn add_staff_message(
        &self,
        actor: &Actor,
        id: i64,
        kind: MessageKind,
        body: &str,
    ) -> Result<()> {
        require(intake::may_work(actor.role))?;
        if !matches!(kind, MessageKind::Reply | MessageKind::Note) {
            return Err(StoreError::Forbidden);
        }
        self.add_message(&actor.name, id, kind, body).await
    }

    async fn add_message(
        &self,
        author: &str,
        id: i64,
        kind: MessageKind,
        body: &str,
    ) -> Result<()> {
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let before = Self::report_in(&mut w.tx, id).await?;
        let msg_id: i64 = sqlx::query_scalar(
            "INSERT INTO report_messages (report_id, at_ms, kind, author, body) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(id)
        .bind(now)
        .bind(kind.as_str())
        .bind(author.to_owned())
        .bind(body.to_owned())
        .fetch_one(&mut *w.tx)
        .await?;
        self.append_audit(
            &mut w.tx,
            AuditChange {
                actor: author,
                action: "create",
                object_kind: "report_messages",
                object_id: Some(msg_id),
                before: None,
                after: Some(
                    serde_json::json!({"report_id": id, "kind": kind.as_str(), "body": body})
                        .to_string(),
                ),
            },
        )
        .await?;
        if kind == MessageKind::Reply && before.status.awaits_acknowledgement() {
            self.move_status(&mut w.tx, author, &before, ReportStatus::Acknowledged, now)
                .await?;
        }
        sqlx::query("UPDATE reports SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Record a status change in the report and its log (audited by the caller's save).
    async fn move_status(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        author: &str,
        before: &Report,
        to: ReportStatus,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE reports SET status = $1, acknowledged_at = COALESCE(acknowledged_at, $2), \
             row_version = row_version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(before.id)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO report_messages (report_id, at_ms, kind, author, body, from_status, to_status) VALUES ($1, $2, 'status', $3, '', $4, $5)",
        )
        .bind(before.id)
        .bind(now)
        .bind(author.to_owned())
        .bind(before.status.as_str())
        .bind(to.as_str())
        .execute(&mut **tx)
        .await?;
        let after = Self::report_in(tx, before.id).await?;
        self.append_audit(
            tx,
            AuditChange {
                actor: author,
                action: "update",
                object_kind: "reports",
                object_id: Some(before.id),
                before: Some(before.audit_json()),
                after: Some(after.audit_json()),
            },
        )
        .await
    }

    /// Save status, assignee and links. A save based on an old version is
    /// refused (`Conflict("stale")`); a step the life of a report does not
    /// allow, an assignee who may not work reports, or an unknown system is
    /// `Invalid` with the field named.
    pub async fn update_report(
        &self,
        actor: &Actor,
        id: i64,
        base_version: i64,
        u: ReportUpdate,
    ) -> Result<Report> {
        require(intake::may_work(actor.role))?;
        let mut errors = Vec::new();
        let bad = |field: &'static str, kind| sonae_domain::FieldError { field, kind };
        if let Some(a) = u.assignee_id {
            let ok = match self.user_by_id(a).await {
                Ok(user) => intake::may_work(user.role) && !user.disabled,
                Err(StoreError::NotFound) => false,
                Err(e) => return Err(e),
            };
            if !ok {
                errors.push(bad(
                    "assignee_id",
                    sonae_domain::FieldErrorKind::UnknownReference,
                ));
            }
        }
        if let Some(s) = u.system_id {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM systems WHERE id = $1")
                .bind(s)
                .fetch_one(&self.pool)
                .await?;
            if n == 0 {
                errors.push(bad(
                    "system_id",
                    sonae_domain::FieldErrorKind::UnknownReference,
                ));
            }
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let before = Self::report_in(&mut w.tx, id).await?;
        if before.version != base_version {
            return Err(StoreError::Conflict("stale".to_owned()));
        }
        if !before.status.may_become(u.status) {
            errors.push(bad("status", sonae_domain::FieldErrorKind::NotInList));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        sqlx::query(
            "UPDATE reports SET assignee_id = $1, linked_vuln_ids = $2, system_id = $3, updated_at = $4, \
             row_version = row_version + 1 WHERE id = $5",
        )
        .bind(u.assignee_id)
        .bind(u.linked_vuln_ids.join(" "))
        .bind(u.system_id)
        .bind(now)
        .bind(id)
        .execute(&mut *w.tx)
        .await
        .map_err(StoreError::from_write)?;
        let mid = Self::report_in(&mut w.tx, id).await?;
        if (mid.assignee_id, &mid.linked_vuln_ids, mid.system_id)
            != (
                before.assignee_id,
                &before.linked_vuln_ids,
                before.system_id,
            )
        {
            self.append_audit(
                &mut w.tx,
                AuditChange {
                    actor: &actor.name,
                    action: "update",
                    object_kind: "reports",
                    object_id: Some(id),
                    before: Some(before.audit_json()),
                    after: Some(mid.audit_json()),
                },
            )
            .await?;
        }
        if u.status != before.status {
            self.move_status(&mut w.tx, &actor.name, &mid, u.status, now)
                .await?;
        }
        let after = Self::report_in(&mut w.tx, id).await?;
        w.tx.commit().await?;
        Ok(after)
    }
}
