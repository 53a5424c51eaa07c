//! The first public statement (DESIGN §5, seed 004): facts per incident,
//! drafts with every version, approval and sending, template overrides and
//! the regulatory clocks. Every change to an incident's statement goes into
//! its work log, and so into the audit chain.

use crate::db::Store;
use crate::incidents::{may_manage, Incident};
use crate::{Result, StoreError};
use sonae_domain::access::Actor;
use sonae_domain::statement::{
    self, ClockInput, ClockState, DraftLang, DraftStatus, FactState, Knowledge, TemplateText,
};
use sonae_domain::{FieldError, FieldErrorKind, Role};
use sqlx::Row;
use std::collections::HashMap;

/// What is known of one fact of one incident.
#[derive(Debug, Clone)]
pub struct FactRow {
    pub fact: String,
    pub knowledge: Knowledge,
    pub value: String,
    /// Who or what it came from.
    pub source: String,
    pub updated_by: String,
    pub updated_at_ms: i64,
    pub version: i64,
}

impl FactRow {
    pub fn state(&self) -> FactState {
        FactState {
            knowledge: self.knowledge,
            value: self.value.clone(),
        }
    }
}

/// A fact as submitted.
#[derive(Debug, Clone, Default)]
pub struct FactInput {
    pub fact: String,
    pub knowledge: String,
    pub value: String,
    pub source: String,
    /// The version the editor saw; 0 when the fact was never set.
    pub base_version: i64,
}

#[derive(Debug, Clone)]
pub struct Draft {
    pub id: i64,
    pub incident_id: i64,
    pub kind: String,
    pub lang: String,
    pub status: DraftStatus,
    pub created_at_ms: i64,
    pub created_by: String,
    pub approved_by: Option<String>,
    pub approved_at_ms: Option<i64>,
    pub sent_by: Option<String>,
    pub sent_at_ms: Option<i64>,
    pub sent_to: Option<String>,
    pub version: i64,
    /// The latest saved text.
    pub current: DraftVersion,
}

#[derive(Debug, Clone)]
pub struct DraftVersion {
    pub version: i64,
    pub title: String,
    pub body: String,
    pub edited_by: String,
    pub edited_at_ms: i64,
}

/// A clock due soon or overdue, for reminders.
#[derive(Debug, Clone)]
pub struct DueClock {
    pub incident_id: i64,
    pub reference: String,
    pub title: String,
    pub clock: ClockState,
}

/// Everyone who may read the incident except vendors, who see only their
/// assigned items.
fn may_read(actor: &Actor) -> bool {
    actor.role != Role::Vendor
}

fn field(name: &'static str, kind: FieldErrorKind) -> FieldError {
    FieldError { field: name, kind }
}

fn check_len(e: &mut Vec<FieldError>, name: &'static str, v: &str, max: usize, required: bool) {
    if required && v.trim().is_empty() {
        e.push(field(name, FieldErrorKind::Required));
    } else if v.chars().count() > max {
        e.push(field(name, FieldErrorKind::TooLong { max }));
    }
}

fn catalog_err(e: String) -> StoreError {
    StoreError::Other(e)
}

const DRAFT_COLUMNS: &str = "d.id, d.incident_id, d.kind, d.lang, d.status, d.created_at, d.created_by, d.approved_by, d.approved_at, d.sent_by, d.sent_at, d.sent_to, d.row_version, v.version, v.title, v.body, v.edited_by, v.edited_at";

fn draft_from(r: &sqlx::any::AnyRow) -> Result<Draft> {
    let status: String = r.try_get("status")?;
    Ok(Draft {
        id: r.try_get("id")?,
        incident_id: r.try_get("incident_id")?,
        kind: r.try_get("kind")?,
        lang: r.try_get("lang")?,
        status: DraftStatus::parse(&status).unwrap_or(DraftStatus::Draft),
        created_at_ms: r.try_get("created_at")?,
        created_by: r.try_get("created_by")?,
        approved_by: r.try_get("approved_by")?,
        approved_at_ms: r.try_get("approved_at")?,
        sent_by: r.try_get("sent_by")?,
        sent_at_ms: r.try_get("sent_at")?,
        sent_to: r.try_get("sent_to")?,
        version: r.try_get("row_version")?,
        current: DraftVersion {
            version: r.try_get("version")?,
            title: r.try_get("title")?,
            body: r.try_get("body")?,
            edited_by: r.try_get("edited_by")?,
            edited_at_ms: r.try_get("edited_at")?,
        },
    })
}

impl Store {
    async fn statement_incident(&self, actor: &Actor, id: i64) -> Result<Incident> {
        if !may_read(actor) {
            return Err(StoreError::Forbidden);
        }
        self.incident(actor, id).await
    }

    /// The facts recorded for an incident, by fact id.
    pub async fn incident_facts(&self, actor: &Actor, id: i64) -> Result<HashMap<String, FactRow>> {
        self.statement_incident(actor, id).await?;
        let rows = sqlx::query("SELECT fact, knowledge, value, source, updated_by, updated_at, row_version FROM incident_facts WHERE incident_id = $1")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        let mut out = HashMap::new();
        for r in &rows {
            let k: String = r.try_get("knowledge")?;
            let f = FactRow {
                fact: r.try_get("fact")?,
                knowledge: Knowledge::parse(&k).unwrap_or(Knowledge::Unknown),
                value: r.try_get("value")?,
                source: r.try_get("source")?,
                updated_by: r.try_get("updated_by")?,
                updated_at_ms: r.try_get("updated_at")?,
                version: r.try_get("row_version")?,
            };
            out.insert(f.fact.clone(), f);
        }
        Ok(out)
    }

    /// Record what is known of one fact; logged. A save based on an older
    /// version than the stored one is refused (someone else changed it).
    pub async fn set_fact(&self, actor: &Actor, id: i64, f: &FactInput) -> Result<()> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        self.statement_incident(actor, id).await?;
        let catalog = statement::facts().map_err(catalog_err)?;
        let mut e = Vec::new();
        if catalog.fact(&f.fact).is_none() {
            e.push(field("fact", FieldErrorKind::NotInList));
        }
        let knowledge = Knowledge::parse(&f.knowledge);
        if knowledge.is_none() {
            e.push(field("knowledge", FieldErrorKind::NotInList));
        }
        check_len(&mut e, "value", &f.value, 2000, false);
        check_len(&mut e, "source", &f.source, 500, false);
        // Something known must say what and where from.
        if knowledge.is_some_and(|k| k != Knowledge::Unknown) {
            if f.value.trim().is_empty() {
                e.push(field("value", FieldErrorKind::Required));
            }
            if f.source.trim().is_empty() {
                e.push(field("source", FieldErrorKind::Required));
            }
        }
        let Some(knowledge) = knowledge.filter(|_| e.is_empty()) else {
            return Err(StoreError::Invalid(e));
        };
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let before = sqlx::query("SELECT knowledge, value, source, row_version FROM incident_facts WHERE incident_id = $1 AND fact = $2")
            .bind(id)
            .bind(f.fact.as_str())
            .fetch_optional(&mut *w.tx)
            .await?;
        let current_version = match &before {
            Some(r) => r.try_get::<i64, _>("row_version")?,
            None => 0,
        };
        if current_version != f.base_version {
            return Err(StoreError::Conflict("stale".into()));
        }
        if before.is_some() {
            sqlx::query("UPDATE incident_facts SET knowledge = $1, value = $2, source = $3, updated_by = $4, updated_at = $5, row_version = row_version + 1 WHERE incident_id = $6 AND fact = $7")
                .bind(knowledge.as_str())
                .bind(f.value.trim())
                .bind(f.source.trim())
                .bind(actor.name.as_str())
                .bind(now)
                .bind(id)
                .bind(f.fact.as_str())
                .execute(&mut *w.tx)
                .await?;
        } else {
            sqlx::query("INSERT INTO incident_facts (incident_id, fact, knowledge, value, source, updated_by, updated_at, row_version) VALUES ($1, $2, $3, $4, $5, $6, $7, 1)")
                .bind(id)
                .bind(f.fact.as_str())
                .bind(knowledge.as_str())
                .bind(f.value.trim())
                .bind(f.source.trim())
                .bind(actor.name.as_str())
                .bind(now)
                .execute(&mut *w.tx)
                .await
                .map_err(StoreError::from_write)?;
        }
        let body = serde_json::json!({
            "fact": f.fact, "knowledge": knowledge.as_str(),
            "value": f.value.trim(), "source": f.source.trim(),
        });
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "fact",
            &body.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Whether the officer marked the incident as possibly done for an
    /// unauthorized purpose (不正の目的, Enforcement Rules Art. 7(iii)).
    pub async fn unauthorized_purpose(&self, actor: &Actor, id: i64) -> Result<bool> {
        self.statement_incident(actor, id).await?;
        let v: i64 = sqlx::query("SELECT unauthorized_purpose FROM incidents WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?
            .try_get("unauthorized_purpose")?;
        Ok(v != 0)
    }

    /// Set whether personal data is involved and the unauthorized-purpose
    /// flag (they decide which clocks run); logged.
    pub async fn set_statement_flags(
        &self,
        actor: &Actor,
        id: i64,
        base_version: i64,
        personal_data: &str,
        unauthorized_purpose: bool,
    ) -> Result<()> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        let inc = self.statement_incident(actor, id).await?;
        if !["unknown", "no", "yes"].contains(&personal_data) {
            return Err(StoreError::Invalid(vec![field(
                "personal_data",
                FieldErrorKind::NotInList,
            )]));
        }
        let was = self.unauthorized_purpose(actor, id).await?;
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let done = sqlx::query("UPDATE incidents SET personal_data = $1, unauthorized_purpose = $2, row_version = row_version + 1, updated_at = $3 WHERE id = $4 AND row_version = $5")
            .bind(personal_data)
            .bind(i64::from(unauthorized_purpose))
            .bind(now)
            .bind(id)
            .bind(base_version)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("stale".into()));
        }
        let body = serde_json::json!({
            "personal_data": format!("{} → {personal_data}", inc.personal_data),
            "unauthorized_purpose": format!("{was} → {unauthorized_purpose}"),
        });
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "flags",
            &body.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    // ---- templates --------------------------------------------------------

    /// The template in use: an admin's override, else the shipped file.
    /// The flag says whether it is an override.
    pub async fn draft_template(
        &self,
        kind: &str,
        lang: DraftLang,
    ) -> Result<(TemplateText, bool)> {
        if !statement::is_draft_kind(kind) {
            return Err(StoreError::NotFound);
        }
        let row =
            sqlx::query("SELECT title, body FROM draft_templates WHERE kind = $1 AND lang = $2")
                .bind(kind)
                .bind(lang.as_str())
                .fetch_optional(&self.pool)
                .await?;
        if let Some(r) = row {
            return Ok((
                TemplateText {
                    title: r.try_get("title")?,
                    body: r.try_get("body")?,
                },
                true,
            ));
        }
        let shipped = statement::templates().map_err(catalog_err)?;
        let t = shipped
            .into_iter()
            .find(|t| t.kind == kind)
            .ok_or(StoreError::NotFound)?;
        Ok((t.text(lang).clone(), false))
    }

    /// An admin replaces a template; placeholders nothing fills are refused.
    pub async fn set_draft_template(
        &self,
        actor: &Actor,
        kind: &str,
        lang: DraftLang,
        title: &str,
        body: &str,
    ) -> Result<()> {
        if actor.role != Role::Admin {
            return Err(StoreError::Forbidden);
        }
        if !statement::is_draft_kind(kind) {
            return Err(StoreError::NotFound);
        }
        let mut e = Vec::new();
        check_len(&mut e, "title", title, 300, true);
        check_len(&mut e, "body", body, 50_000, true);
        let catalog = statement::facts().map_err(catalog_err)?;
        if !statement::unknown_placeholders(title, &catalog).is_empty() {
            e.push(field("title", FieldErrorKind::UnknownReference));
        }
        if !statement::unknown_placeholders(body, &catalog).is_empty() {
            e.push(field("body", FieldErrorKind::UnknownReference));
        }
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let (before, _) = self.draft_template(kind, lang).await?;
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM draft_templates WHERE kind = $1 AND lang = $2")
            .bind(kind)
            .bind(lang.as_str())
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("INSERT INTO draft_templates (kind, lang, title, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(kind)
            .bind(lang.as_str())
            .bind(title.trim())
            .bind(body)
            .bind(actor.name.as_str())
            .bind(now)
            .execute(&mut *w.tx)
            .await?;
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "update",
                object_kind: "draft_templates",
                object_id: None,
                before: Some(serde_json::json!({"kind": kind, "lang": lang.as_str(), "title": before.title, "body": before.body}).to_string()),
                after: Some(serde_json::json!({"kind": kind, "lang": lang.as_str(), "title": title.trim(), "body": body}).to_string()),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Back to the shipped template.
    pub async fn reset_draft_template(
        &self,
        actor: &Actor,
        kind: &str,
        lang: DraftLang,
    ) -> Result<()> {
        if actor.role != Role::Admin {
            return Err(StoreError::Forbidden);
        }
        let mut w = self.begin_write().await?;
        let n = sqlx::query("DELETE FROM draft_templates WHERE kind = $1 AND lang = $2")
            .bind(kind)
            .bind(lang.as_str())
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
        if n > 0 {
            self.append_audit(
                &mut w.tx,
                crate::audit::Change {
                    actor: &actor.name,
                    action: "delete",
                    object_kind: "draft_templates",
                    object_id: None,
                    before: Some(
                        serde_json::json!({"kind": kind, "lang": lang.as_str()}).to_string(),
                    ),
                    after: None,
                },
            )
            .await?;
        }
        w.tx.commit().await?;
        Ok(())
    }

    // ---- drafts -------------------------------------------------------------

    /// Start a draft with its first version (the text filled from the
    /// incident by the caller); logged.
    pub async fn create_draft(
        &self,
        actor: &Actor,
        id: i64,
        kind: &str,
        lang: DraftLang,
        title: &str,
        body: &str,
    ) -> Result<i64> {
        if !may_manage(actor) {
            return Err(StoreError::Forbidden);
        }
        self.statement_incident(actor, id).await?;
        let mut e = Vec::new();
        if !statement::is_draft_kind(kind) {
            e.push(field("kind", FieldErrorKind::NotInList));
        }
        check_len(&mut e, "title", title, 300, true);
        check_len(&mut e, "body", body, 50_000, true);
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let draft_id: i64 = sqlx::query("INSERT INTO incident_drafts (incident_id, kind, lang, status, created_at, created_by, row_version) VALUES ($1, $2, $3, 'draft', $4, $5, 1) RETURNING id")
            .bind(id)
            .bind(kind)
            .bind(lang.as_str())
            .bind(now)
            .bind(actor.name.as_str())
            .fetch_one(&mut *w.tx)
            .await?
            .try_get("id")?;
        self.insert_version(&mut w, draft_id, 1, title, body, &actor.name, now)
            .await?;
        let log = serde_json::json!({"draft": draft_id, "kind": kind, "lang": lang.as_str(), "step": "created", "version": 1});
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "draft",
            &log.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(draft_id)
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_version(
        &self,
        w: &mut crate::db::WriteTx<'_>,
        draft_id: i64,
        version: i64,
        title: &str,
        body: &str,
        editor: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query("INSERT INTO incident_draft_versions (draft_id, version, title, body, edited_by, edited_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(draft_id)
            .bind(version)
            .bind(title.trim())
            .bind(body)
            .bind(editor)
            .bind(now)
            .execute(&mut *w.tx)
            .await
            .map_err(StoreError::from_write)?;
        Ok(())
    }

    /// The incident's drafts, newest first, each with its latest text.
    pub async fn incident_drafts(&self, actor: &Actor, id: i64) -> Result<Vec<Draft>> {
        self.statement_incident(actor, id).await?;
        let rows = sqlx::query(&format!(
            "SELECT {DRAFT_COLUMNS} FROM incident_drafts d JOIN incident_draft_versions v ON v.draft_id = d.id \
             WHERE d.incident_id = $1 AND v.version = (SELECT MAX(x.version) FROM incident_draft_versions x WHERE x.draft_id = d.id) ORDER BY d.id DESC"
        ))
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(draft_from).collect()
    }

    /// One draft and every saved version, oldest first.
    pub async fn draft(
        &self,
        actor: &Actor,
        id: i64,
        draft_id: i64,
    ) -> Result<(Draft, Vec<DraftVersion>)> {
        self.statement_incident(actor, id).await?;
        let row = sqlx::query(&format!(
            "SELECT {DRAFT_COLUMNS} FROM incident_drafts d JOIN incident_draft_versions v ON v.draft_id = d.id \
             WHERE d.incident_id = $1 AND d.id = $2 AND v.version = (SELECT MAX(x.version) FROM incident_draft_versions x WHERE x.draft_id = d.id)"
        ))
        .bind(id)
        .bind(draft_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let d = draft_from(&row)?;
        let versions = sqlx::query("SELECT version, title, body, edited_by, edited_at FROM incident_draft_versions WHERE draft_id = $1 ORDER BY version")
            .bind(draft_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(DraftVersion {
                    version: r.try_get("version")?,
                    title: r.try_get("title")?,
                    body: r.try_get("body")?,
                    edited_by: r.try_get("edited_by")?,
                    edited_at_ms: r.try_get("edited_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((d, versions))
    }

    /// Save a new version. An approved draft goes back to draft: the
    /// approval was for the text that was approved. A sent draft is final.
    pub async fn save_draft(
        &self,
        actor: &Actor,
        id: i64,
        draft_id: i64,
        base_version: i64,
        title: &str,
        body: &str,
    ) -> Result<i64> {
        if !may_manage(actor) && !statement::may_approve_role(actor.role) {
            return Err(StoreError::Forbidden);
        }
        let (d, _) = self.draft(actor, id, draft_id).await?;
        statement::check_edit(d.status).map_err(StoreError::Draft)?;
        let mut e = Vec::new();
        check_len(&mut e, "title", title, 300, true);
        check_len(&mut e, "body", body, 50_000, true);
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let done = sqlx::query("UPDATE incident_drafts SET status = 'draft', approved_by = NULL, approved_at = NULL, row_version = row_version + 1 WHERE id = $1 AND row_version = $2 AND status <> 'sent'")
            .bind(draft_id)
            .bind(base_version)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("stale".into()));
        }
        let version = d.current.version + 1;
        self.insert_version(&mut w, draft_id, version, title, body, &actor.name, now)
            .await?;
        let log = serde_json::json!({"draft": draft_id, "kind": d.kind, "step": "edited", "version": version});
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "draft",
            &log.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(version)
    }

    /// Approve the latest version: an executive or an admin who did not
    /// write it.
    pub async fn approve_draft(
        &self,
        actor: &Actor,
        id: i64,
        draft_id: i64,
        base_version: i64,
    ) -> Result<()> {
        let (d, _) = self.draft(actor, id, draft_id).await?;
        statement::check_approve(actor.role, &actor.name, &d.current.edited_by, d.status)
            .map_err(StoreError::Draft)?;
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let done = sqlx::query("UPDATE incident_drafts SET status = 'approved', approved_by = $1, approved_at = $2, row_version = row_version + 1 WHERE id = $3 AND row_version = $4 AND status = 'draft'")
            .bind(actor.name.as_str())
            .bind(now)
            .bind(draft_id)
            .bind(base_version)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("stale".into()));
        }
        let log = serde_json::json!({"draft": draft_id, "kind": d.kind, "step": "approved", "version": d.current.version});
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "draft",
            &log.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Record that the approved draft went out: who, when, where to.
    pub async fn mark_draft_sent(
        &self,
        actor: &Actor,
        id: i64,
        draft_id: i64,
        base_version: i64,
        sent_to: &str,
    ) -> Result<()> {
        if !may_manage(actor) && !statement::may_approve_role(actor.role) {
            return Err(StoreError::Forbidden);
        }
        let (d, _) = self.draft(actor, id, draft_id).await?;
        statement::check_send(d.status).map_err(StoreError::Draft)?;
        let mut e = Vec::new();
        check_len(&mut e, "sent_to", sent_to, 500, true);
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        let done = sqlx::query("UPDATE incident_drafts SET status = 'sent', sent_by = $1, sent_at = $2, sent_to = $3, row_version = row_version + 1 WHERE id = $4 AND row_version = $5 AND status = 'approved'")
            .bind(actor.name.as_str())
            .bind(now)
            .bind(sent_to.trim())
            .bind(draft_id)
            .bind(base_version)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("stale".into()));
        }
        let log = serde_json::json!({"draft": draft_id, "kind": d.kind, "step": "sent", "version": d.current.version, "to": sent_to.trim()});
        self.log_in(
            &mut w.tx,
            id,
            &actor.name,
            "draft",
            &log.to_string(),
            None,
            now,
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    // ---- clocks ---------------------------------------------------------------

    /// Admins' choices of which clocks run (rules not listed keep the
    /// catalog's default).
    pub async fn clock_settings(&self) -> Result<HashMap<String, bool>> {
        let rows = sqlx::query("SELECT clock, enabled FROM regulatory_clock_settings")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>("clock")?,
                    r.try_get::<i64, _>("enabled")? != 0,
                ))
            })
            .collect()
    }

    pub async fn set_clock_enabled(&self, actor: &Actor, clock: &str, enabled: bool) -> Result<()> {
        if actor.role != Role::Admin {
            return Err(StoreError::Forbidden);
        }
        let catalog = statement::clocks().map_err(catalog_err)?;
        if !catalog.clocks.iter().any(|c| c.id == clock) {
            return Err(StoreError::NotFound);
        }
        let before = self.clock_settings().await?.get(clock).copied();
        let now = self.clock.now_ms();
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM regulatory_clock_settings WHERE clock = $1")
            .bind(clock)
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("INSERT INTO regulatory_clock_settings (clock, enabled, updated_by, updated_at) VALUES ($1, $2, $3, $4)")
            .bind(clock)
            .bind(i64::from(enabled))
            .bind(actor.name.as_str())
            .bind(now)
            .execute(&mut *w.tx)
            .await?;
        self.append_audit(
            &mut w.tx,
            crate::audit::Change {
                actor: &actor.name,
                action: "update",
                object_kind: "regulatory_clock_settings",
                object_id: None,
                before: before
                    .map(|b| serde_json::json!({"clock": clock, "enabled": b}).to_string()),
                after: Some(serde_json::json!({"clock": clock, "enabled": enabled}).to_string()),
            },
        )
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// The clock input of some incidents: flags and the times drafts were sent.
    async fn clock_inputs(&self, incidents: &[Incident]) -> Result<HashMap<i64, ClockInput>> {
        let mut out = HashMap::new();
        for inc in incidents {
            let flag: i64 = sqlx::query("SELECT unauthorized_purpose FROM incidents WHERE id = $1")
                .bind(inc.id)
                .fetch_one(&self.pool)
                .await?
                .try_get("unauthorized_purpose")?;
            let mut sent: HashMap<String, Vec<i64>> = HashMap::new();
            for r in sqlx::query("SELECT kind, sent_at FROM incident_drafts WHERE incident_id = $1 AND status = 'sent' ORDER BY sent_at, id")
                .bind(inc.id)
                .fetch_all(&self.pool)
                .await?
            {
                sent.entry(r.try_get("kind")?)
                    .or_default()
                    .push(r.try_get("sent_at")?);
            }
            out.insert(
                inc.id,
                ClockInput {
                    discovered_at_ms: inc.discovered_at_ms,
                    personal_data: inc.personal_data.clone(),
                    category: inc.category.clone(),
                    unauthorized_purpose: flag != 0,
                    sent,
                },
            );
        }
        Ok(out)
    }

    /// The clocks of each incident given (those they apply to), now.
    pub async fn clocks_of(&self, incidents: &[Incident]) -> Result<HashMap<i64, Vec<ClockState>>> {
        let catalog = statement::clocks().map_err(catalog_err)?;
        let settings = self.clock_settings().await?;
        let now = self.clock.now_ms();
        Ok(self
            .clock_inputs(incidents)
            .await?
            .into_iter()
            .map(|(id, input)| {
                (
                    id,
                    statement::clock_states(&catalog, &settings, &input, now),
                )
            })
            .collect())
    }

    /// One incident's clocks.
    pub async fn incident_clocks(&self, actor: &Actor, id: i64) -> Result<Vec<ClockState>> {
        let inc = self.incident(actor, id).await?;
        Ok(self
            .clocks_of(&[inc])
            .await?
            .remove(&id)
            .unwrap_or_default())
    }

    /// Every clock of every open incident that is overdue or due within
    /// `warn_ms` and not yet satisfied: for the notifications job.
    pub async fn due_regulatory_clocks(&self, warn_ms: i64) -> Result<Vec<DueClock>> {
        let open = self.incidents(&Actor::system(), true).await?;
        let clocks = self.clocks_of(&open).await?;
        let mut out = Vec::new();
        for inc in &open {
            for c in clocks.get(&inc.id).map(Vec::as_slice).unwrap_or(&[]) {
                if statement::reminders(std::slice::from_ref(c), warn_ms).is_empty() {
                    continue;
                }
                out.push(DueClock {
                    incident_id: inc.id,
                    reference: inc.reference.clone(),
                    title: inc.title.clone(),
                    clock: c.clone(),
                });
            }
        }
        out.sort_by_key(|d| d.clock.due_at_ms);
        Ok(out)
    }
}
