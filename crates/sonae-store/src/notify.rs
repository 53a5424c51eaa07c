//! Notification storage: webhooks (admin), each user's preferences, the
//! department heads escalations go to, and the sent-log.
//!
//! The sent-log has one row per (event kind, subject, recipient). Claiming
//! a row is an insert that does nothing when the row exists, so two nodes
//! (or a restart) never send the same notification twice; a failed send
//! keeps its row with a time for the next attempt.

use crate::audit::Change;
use crate::db::Store;
use crate::users::User;
use crate::{Result, StoreError};
use sonae_domain::access::{can_admin, Actor};
use sonae_domain::notify::{retry_delay_ms, Delivery, EventKind, Prefs};
use sqlx::Row;

#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub secret: String,
    pub events: Vec<EventKind>,
    pub enabled: bool,
    pub created_at_ms: i64,
}

impl std::fmt::Debug for Webhook {
    // The signing secret never reaches logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("url", &self.url)
            .field("secret", &"<hidden>")
            .field("events", &self.events)
            .field("enabled", &self.enabled)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentHead {
    pub department_id: i64,
    pub department_name: String,
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    pub email: Option<String>,
}

/// One row of the sent-log, for the admin page.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub kind: String,
    pub subject: String,
    pub recipient: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub updated_at_ms: i64,
}

/// How a failed attempt is handled.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub base_ms: i64,
    pub max_attempts: i64,
}

/// A webhook URL without its path and query, which often carry a token
/// (Slack's and Teams' do): for the audit log and lists.
pub fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = host.rsplit('@').next().unwrap_or("");
            if rest.len() > host.len() {
                format!("{scheme}://{host}/…")
            } else {
                format!("{scheme}://{host}")
            }
        }
        None => "…".to_owned(),
    }
}

fn webhook(r: &sqlx::any::AnyRow) -> Result<Webhook> {
    let events: String = r.try_get("events")?;
    Ok(Webhook {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        url: r.try_get("url")?,
        secret: r.try_get("secret")?,
        events: EventKind::parse_list(&events),
        enabled: r.try_get::<i64, _>("enabled")? != 0,
        created_at_ms: r.try_get("created_at")?,
    })
}

impl Store {
    // --- webhooks (admins) --------------------------------------------

    pub async fn webhooks(&self, actor: &Actor) -> Result<Vec<Webhook>> {
        if !can_admin(actor) {
            return Err(StoreError::Forbidden);
        }
        self.webhooks_for_delivery(false).await
    }

    /// The webhooks the notifier posts to (enabled ones unless `all`).
    pub async fn webhooks_for_delivery(&self, all: bool) -> Result<Vec<Webhook>> {
        let rows = sqlx::query(
            "SELECT id, name, url, secret, events, enabled, created_at FROM webhooks WHERE enabled = 1 OR $1 = 0 ORDER BY id",
        )
        .bind(i64::from(!all))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(webhook).collect()
    }

    /// Add a webhook; the caller made the secret (randomness comes in as a
    /// parameter) and shows it once.
    pub async fn create_webhook(
        &self,
        actor: &Actor,
        name: &str,
        url: &str,
        events: &[EventKind],
        secret: &str,
    ) -> Result<Webhook> {
        if !can_admin(actor) {
            return Err(StoreError::Forbidden);
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO webhooks (created_at, updated_at, name, url, secret, events, enabled) VALUES ($1, $1, $2, $3, $4, $5, 1) RETURNING id",
        )
        .bind(now)
        .bind(name.to_owned())
        .bind(url.to_owned())
        .bind(secret.to_owned())
        .bind(EventKind::join(events))
        .fetch_one(&mut *w.tx)
        .await?;
        self.append_audit(
            &mut w.tx,
            Change {
                actor: &actor.name,
                action: "create",
                object_kind: "webhooks",
                object_id: Some(id),
                before: None,
                // Never the secret.
                after: Some(
                    serde_json::json!({"name": name, "url": redact_url(url), "events": EventKind::join(events), "enabled": true})
                        .to_string(),
                ),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(Webhook {
            id,
            name: name.to_owned(),
            url: url.to_owned(),
            secret: secret.to_owned(),
            events: events.to_vec(),
            enabled: true,
            created_at_ms: now,
        })
    }

    pub async fn set_webhook_enabled(&self, actor: &Actor, id: i64, enabled: bool) -> Result<()> {
        if !can_admin(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut w = self.begin_write().await?;
        let n = sqlx::query("UPDATE webhooks SET enabled = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(enabled))
            .bind(self.clock.now_ms())
            .bind(id)
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.append_audit(
            &mut w.tx,
            Change {
                actor: &actor.name,
                action: "update",
                object_kind: "webhooks",
                object_id: Some(id),
                before: Some(serde_json::json!({"enabled": !enabled}).to_string()),
                after: Some(serde_json::json!({"enabled": enabled}).to_string()),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    pub async fn delete_webhook(&self, actor: &Actor, id: i64) -> Result<()> {
        if !can_admin(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut w = self.begin_write().await?;
        let row = sqlx::query("DELETE FROM webhooks WHERE id = $1 RETURNING name, url")
            .bind(id)
            .fetch_optional(&mut *w.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let (name, url): (String, String) = (row.try_get("name")?, row.try_get("url")?);
        self.append_audit(
            &mut w.tx,
            Change {
                actor: &actor.name,
                action: "delete",
                object_kind: "webhooks",
                object_id: Some(id),
                before: Some(
                    serde_json::json!({"name": name, "url": redact_url(&url)}).to_string(),
                ),
                after: None,
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    // --- preferences -----------------------------------------------------

    /// A user's preferences: saved ones, or the defaults of their role.
    pub async fn notification_prefs(&self, user: &User) -> Result<Prefs> {
        let row =
            sqlx::query("SELECT events, delivery, lang FROM notification_prefs WHERE user_id = $1")
                .bind(user.id)
                .fetch_optional(&self.pool)
                .await?;
        let mut p = Prefs::default_for(user.role, user.email.clone(), user.lang.clone());
        if let Some(r) = row {
            p.events = EventKind::parse_list(&r.try_get::<String, _>("events")?);
            p.delivery = Delivery::parse(&r.try_get::<String, _>("delivery")?)
                .unwrap_or(Delivery::Immediate);
            p.lang = r.try_get("lang")?;
        }
        Ok(p)
    }

    /// Save the actor's own preferences (an admin may save anyone's),
    /// including the account's e-mail address; audited.
    pub async fn set_notification_prefs(
        &self,
        actor: &Actor,
        user_id: i64,
        prefs: &Prefs,
    ) -> Result<()> {
        if actor.user_id != Some(user_id) && !can_admin(actor) {
            return Err(StoreError::Forbidden);
        }
        let user = self.user_by_id(user_id).await?;
        let before = self.notification_prefs(&user).await?;
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        sqlx::query("UPDATE users SET email = $1, updated_at = $2, row_version = row_version + 1 WHERE id = $3")
            .bind(prefs.email.clone())
            .bind(now)
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("DELETE FROM notification_prefs WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("INSERT INTO notification_prefs (user_id, events, delivery, lang, updated_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(user_id)
            .bind(EventKind::join(&prefs.events))
            .bind(prefs.delivery.as_str())
            .bind(prefs.lang.clone())
            .bind(now)
            .execute(&mut *w.tx)
            .await?;
        let json = |p: &Prefs| {
            serde_json::json!({
                "email": p.email,
                "events": EventKind::join(&p.events),
                "delivery": p.delivery.as_str(),
                "lang": p.lang,
            })
            .to_string()
        };
        self.append_audit(
            &mut w.tx,
            Change {
                actor: &actor.name,
                action: "update",
                object_kind: "notification_prefs",
                object_id: Some(user_id),
                before: Some(json(&before)),
                after: Some(json(prefs)),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Every enabled account with an e-mail address, with its preferences.
    pub async fn notification_recipients(&self) -> Result<Vec<(User, Prefs)>> {
        let mut out = Vec::new();
        for u in self.list_users().await? {
            if u.disabled || u.email.as_deref().is_none_or(str::is_empty) {
                continue;
            }
            let p = self.notification_prefs(&u).await?;
            out.push((u, p));
        }
        Ok(out)
    }

    // --- department heads ---------------------------------------------

    /// Every department with its head (if set) and the head's address.
    pub async fn department_heads(&self) -> Result<Vec<DepartmentHead>> {
        let rows = sqlx::query(
            "SELECT d.id, d.name, p.id AS person_id, p.name AS person_name, p.email \
             FROM departments d LEFT JOIN department_heads h ON h.department_id = d.id \
             LEFT JOIN people p ON p.id = h.person_id ORDER BY d.name, d.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DepartmentHead {
                    department_id: r.try_get("id")?,
                    department_name: r.try_get("name")?,
                    person_id: r.try_get("person_id")?,
                    person_name: r.try_get("person_name")?,
                    email: r.try_get("email")?,
                })
            })
            .collect()
    }

    /// Set (or clear) the person escalations of a department go to.
    pub async fn set_department_head(
        &self,
        actor: &Actor,
        department_id: i64,
        person_id: Option<i64>,
    ) -> Result<()> {
        if !can_admin(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut w = self.begin_write().await?;
        let before: Option<i64> =
            sqlx::query_scalar("SELECT person_id FROM department_heads WHERE department_id = $1")
                .bind(department_id)
                .fetch_optional(&mut *w.tx)
                .await?;
        sqlx::query("DELETE FROM department_heads WHERE department_id = $1")
            .bind(department_id)
            .execute(&mut *w.tx)
            .await?;
        if let Some(p) = person_id {
            sqlx::query("INSERT INTO department_heads (department_id, person_id) VALUES ($1, $2)")
                .bind(department_id)
                .bind(p)
                .execute(&mut *w.tx)
                .await
                .map_err(|e| match StoreError::from_write(e) {
                    StoreError::InUse => StoreError::Invalid(vec![sonae_domain::FieldError {
                        field: "person_id",
                        kind: sonae_domain::FieldErrorKind::UnknownReference,
                    }]),
                    other => other,
                })?;
        }
        self.append_audit(
            &mut w.tx,
            Change {
                actor: &actor.name,
                action: "update",
                object_kind: "department_heads",
                object_id: Some(department_id),
                before: Some(serde_json::json!({ "person_id": before }).to_string()),
                after: Some(serde_json::json!({ "person_id": person_id }).to_string()),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    // --- the sent-log ---------------------------------------------------

    /// Take the right to send one notification. True when this caller may
    /// send it now: it was never tried, or its last attempt failed and the
    /// retry time has come, or a node that claimed it stopped before
    /// finishing (`stale_ms` ago).
    pub async fn claim_notification(
        &self,
        kind: &str,
        subject: &str,
        recipient: &str,
        stale_ms: i64,
    ) -> Result<bool> {
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO notification_log (kind, subject, recipient, status, attempts, created_at, updated_at) \
             VALUES ($1, $2, $3, 'sending', 0, $4, $4) ON CONFLICT (kind, subject, recipient) DO NOTHING",
        )
        .bind(kind.to_owned())
        .bind(subject.to_owned())
        .bind(recipient.to_owned())
        .bind(now)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        let claimed = if inserted == 1 {
            true
        } else {
            sqlx::query(
                "UPDATE notification_log SET status = 'sending', updated_at = $1 \
                 WHERE kind = $2 AND subject = $3 AND recipient = $4 \
                 AND ((status = 'failed' AND next_attempt_at <= $1) OR (status = 'sending' AND updated_at < $5))",
            )
            .bind(now)
            .bind(kind.to_owned())
            .bind(subject.to_owned())
            .bind(recipient.to_owned())
            .bind(now - stale_ms)
            .execute(&mut *w.tx)
            .await?
            .rows_affected()
                == 1
        };
        w.tx.commit().await?;
        Ok(claimed)
    }

    /// Record the outcome of a claimed notification: sent, or failed with
    /// the error (which must hold no secret) and the next attempt's time;
    /// after the last allowed attempt it is given up. Returns the status.
    pub async fn finish_notification(
        &self,
        kind: &str,
        subject: &str,
        recipient: &str,
        outcome: std::result::Result<(), &str>,
        retry: RetryPolicy,
    ) -> Result<&'static str> {
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let attempts: i64 = sqlx::query_scalar(
            "SELECT attempts FROM notification_log WHERE kind = $1 AND subject = $2 AND recipient = $3",
        )
        .bind(kind.to_owned())
        .bind(subject.to_owned())
        .bind(recipient.to_owned())
        .fetch_optional(&mut *w.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let attempts = attempts + 1;
        let (status, error, next) = match outcome {
            Ok(()) => ("sent", None, None),
            Err(e) if attempts >= retry.max_attempts => (
                "gave_up",
                Some(e.chars().take(500).collect::<String>()),
                None,
            ),
            Err(e) => (
                "failed",
                Some(e.chars().take(500).collect::<String>()),
                Some(now + retry_delay_ms(retry.base_ms, attempts)),
            ),
        };
        sqlx::query(
            "UPDATE notification_log SET status = $1, attempts = $2, last_error = $3, next_attempt_at = $4, updated_at = $5 \
             WHERE kind = $6 AND subject = $7 AND recipient = $8",
        )
        .bind(status)
        .bind(attempts)
        .bind(error)
        .bind(next)
        .bind(now)
        .bind(kind.to_owned())
        .bind(subject.to_owned())
        .bind(recipient.to_owned())
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok(status)
    }

    /// Mark a claimed notification as having had nothing to say (an empty
    /// digest), so it is not looked at again.
    pub async fn skip_notification(
        &self,
        kind: &str,
        subject: &str,
        recipient: &str,
    ) -> Result<()> {
        let mut w = self.begin_write().await?;
        sqlx::query("UPDATE notification_log SET status = 'empty', updated_at = $1 WHERE kind = $2 AND subject = $3 AND recipient = $4")
            .bind(self.clock.now_ms())
            .bind(kind.to_owned())
            .bind(subject.to_owned())
            .bind(recipient.to_owned())
            .execute(&mut *w.tx)
            .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// The sent-log, newest first (admins).
    pub async fn notification_log(&self, actor: &Actor, limit: i64) -> Result<Vec<LogEntry>> {
        if !can_admin(actor) {
            return Err(StoreError::Forbidden);
        }
        self.notification_log_all(limit).await
    }

    /// The sent-log without an access check, for the notifier and tests.
    pub async fn notification_log_all(&self, limit: i64) -> Result<Vec<LogEntry>> {
        let rows = sqlx::query(
            "SELECT kind, subject, recipient, status, attempts, last_error, updated_at FROM notification_log ORDER BY updated_at DESC, id DESC LIMIT $1",
        )
        .bind(limit.clamp(1, 5000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LogEntry {
                    kind: r.try_get("kind")?,
                    subject: r.try_get("subject")?,
                    recipient: r.try_get("recipient")?,
                    status: r.try_get("status")?,
                    attempts: r.try_get("attempts")?,
                    last_error: r.try_get("last_error")?,
                    updated_at_ms: r.try_get("updated_at")?,
                })
            })
            .collect()
    }
}
