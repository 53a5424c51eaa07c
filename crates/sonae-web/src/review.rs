//! After an incident: the post-incident review (seed 001 column after
//! NIST SP 800-61) with improvement actions that join the PDCA list, and
//! the incident's exports — a printable report and JSON.

use crate::ctx::{Ctx, Layout, PageError, PageResult};
use crate::Lang;
use askama::Template;
use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use sonae_domain::access::Access;
use sonae_domain::notice::{self, ReviewQuestion};
use sonae_domain::{Actor, Kind};
use sonae_store::{
    Action, ActionFilter, Decision, Evidence, Incident, LogEntry, NewAction, Notice, ReviewAnswer,
    StoreError, Task,
};
use std::collections::HashMap;

pub fn routes() -> Router<crate::AppState> {
    Router::new()
        .route("/incidents/{id}/review", get(review).post(review_post))
        .route("/incidents/{id}/review/action", post(action_post))
        .route("/incidents/{id}/report", get(report))
}

fn key(prefix: &str, v: &str) -> String {
    format!("{prefix}{}", v.replace('_', "-"))
}

fn labels(ctx: &Ctx, keys: &[&'static str]) -> HashMap<&'static str, String> {
    keys.iter().map(|k| (*k, ctx.t(k))).collect()
}

fn questions(ctx: &Ctx) -> Result<(String, Vec<ReviewQuestion>), PageError> {
    notice::review_questions()
        .map(|c| (c.source, c.questions))
        .map_err(|e| {
            tracing::error!(error = %e, "review questions");
            ctx.error(StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
        })
}

fn question_text(ctx: &Ctx, q: &ReviewQuestion) -> String {
    if ctx.tr.lang == Lang::Ja {
        q.ja.clone()
    } else {
        q.en.clone()
    }
}

/// Everything about one incident that the exports carry.
struct Gathered {
    inc: Incident,
    systems: HashMap<i64, String>,
    vendors: HashMap<i64, String>,
    log: Vec<LogEntry>,
    tasks: Vec<Task>,
    decisions: Vec<Decision>,
    evidence: Vec<Evidence>,
    answers: Vec<ReviewAnswer>,
    actions: Vec<Action>,
    notices: Vec<Notice>,
}

async fn gather(ctx: &Ctx, actor: &Actor, id: i64) -> Result<Gathered, PageError> {
    let store = &ctx.st.store;
    let err = |e| ctx.store_error(e);
    let inc = store.incident(actor, id).await.map_err(err)?;
    let titles = |k| async move {
        store
            .titles(actor, k, Access::Read)
            .await
            .map(|v| v.into_iter().collect::<HashMap<_, _>>())
    };
    let actions = match store
        .actions(
            actor,
            &ActionFilter {
                source_kind: Some("incident".into()),
                source_id: Some(id),
                ..ActionFilter::default()
            },
        )
        .await
    {
        Ok(a) => a,
        // Vendors do not see the PDCA list.
        Err(StoreError::Forbidden) => Vec::new(),
        Err(e) => return Err(err(e)),
    };
    let notices = if notice::may_read_staff(actor.role) {
        store.staff_notices(actor).await.map_err(err)?
    } else {
        store.public_notices().await.map_err(err)?
    }
    .into_iter()
    .filter(|n| n.incident_id == Some(id))
    .collect();
    Ok(Gathered {
        systems: titles(Kind::System).await.map_err(err)?,
        vendors: titles(Kind::Vendor).await.map_err(err)?,
        log: store.incident_log(actor, id).await.map_err(err)?,
        tasks: store.incident_tasks(actor, id).await.map_err(err)?,
        decisions: store.incident_decisions(actor, id).await.map_err(err)?,
        evidence: store.incident_evidence(actor, id).await.map_err(err)?,
        answers: store.review_answers(actor, id).await.map_err(err)?,
        actions,
        notices,
        inc,
    })
}

/// The latest version of each answer.
fn latest(answers: &[ReviewAnswer]) -> HashMap<String, &ReviewAnswer> {
    let mut out: HashMap<String, &ReviewAnswer> = HashMap::new();
    for a in answers {
        if out.get(&a.question).is_none_or(|b| b.version < a.version) {
            out.insert(a.question.clone(), a);
        }
    }
    out
}

// ---- the review form --------------------------------------------------------------

pub struct QuestionRow {
    pub id: String,
    pub n: usize,
    pub text: String,
    pub answer: String,
    pub meta: Option<String>,
}

pub struct ActionRow {
    pub title: String,
    pub question: String,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub overdue: bool,
}

const REVIEW_LABELS: &[&str] = &[
    "rev-intro",
    "rev-source",
    "rev-save",
    "rev-actions-heading",
    "rev-actions-empty",
    "rev-action-add",
    "rev-field-question",
    "rev-field-title",
    "rev-field-owner",
    "rev-field-due",
    "rev-col-action",
    "rev-col-question",
    "rev-col-owner",
    "rev-col-due",
    "rev-col-status",
    "rev-back",
    "rev-report",
    "rev-read-only",
];

#[derive(Template)]
#[template(path = "incident_review.html")]
struct ReviewPage {
    l: Layout,
    t: HashMap<&'static str, String>,
    id: i64,
    source: String,
    error: Option<String>,
    manage: bool,
    questions: Vec<QuestionRow>,
    actions: Vec<ActionRow>,
}

async fn review_page(
    ctx: &Ctx,
    id: i64,
    error: Option<String>,
    typed: Option<&HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    let g = gather(ctx, &actor, id).await?;
    let (source, qs) = questions(ctx)?;
    let last = latest(&g.answers);
    let now = ctx.st.store.clock().now_ms();
    let qtext: HashMap<&str, String> = qs
        .iter()
        .map(|q| (q.id.as_str(), question_text(ctx, q)))
        .collect();
    let rows = qs
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let saved = last.get(&q.id);
            QuestionRow {
                id: q.id.clone(),
                n: i + 1,
                text: question_text(ctx, q),
                answer: typed
                    .and_then(|f| f.get(&format!("q_{}", q.id)).cloned())
                    .or_else(|| saved.map(|a| a.answer.clone()))
                    .unwrap_or_default(),
                meta: saved.map(|a| {
                    ctx.ta(
                        "rev-answer-meta",
                        &[
                            ("version", a.version.to_string()),
                            ("who", a.answered_by.clone()),
                            ("when", ctx.datetime(a.at_ms)),
                        ],
                    )
                }),
            }
        })
        .collect();
    let actions = g
        .actions
        .iter()
        .map(|a| ActionRow {
            title: a.title.clone(),
            question: qtext.get(a.detail.as_str()).cloned().unwrap_or_default(),
            owner: a.owner.clone(),
            due: a.due_at_ms.map(|d| ctx.date(d)).unwrap_or_default(),
            status: ctx.t(&key("act-status-", &a.status)),
            overdue: a.overdue(now),
        })
        .collect();
    let tpl = ReviewPage {
        l: ctx.layout(format!(
            "{} — {} {}",
            ctx.t("rev-title"),
            g.inc.reference,
            g.inc.title
        )),
        t: labels(ctx, REVIEW_LABELS),
        id,
        source,
        error,
        manage: sonae_store::may_manage_incidents(&actor),
        questions: rows,
        actions,
    };
    ctx.render_status(
        if tpl.error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &tpl,
    )
}

/// `GET /incidents/{id}/review`.
pub async fn review(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    review_page(&ctx, id, None, None).await
}

/// `POST /incidents/{id}/review`: save the answers; each changed one is a
/// new version and a work-log entry.
pub async fn review_post(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let (_, qs) = questions(&ctx)?;
    let answers: Vec<(String, String)> = qs
        .iter()
        .filter_map(|q| {
            form.get(&format!("q_{}", q.id))
                .map(|a| (q.id.clone(), a.clone()))
        })
        .collect();
    match ctx.st.store.save_review(&actor, id, &answers).await {
        Ok(_) => Ok(Redirect::to(&format!("/incidents/{id}/review")).into_response()),
        Err(StoreError::Invalid(_)) => {
            let msg = format!(
                "{}: {}",
                ctx.t("rev-field-answer"),
                ctx.ta("err-too-long", &[("max", notice::ANSWER_MAX.to_string())])
            );
            review_page(&ctx, id, Some(msg), Some(&form)).await
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}

/// `POST /incidents/{id}/review/action`: an improvement action from one
/// answer, into the PDCA list (source: this incident).
pub async fn action_post(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    // The incident must be within the actor's reach.
    ctx.st
        .store
        .incident(&actor, id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let get = |k: &str| form.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let (_, qs) = questions(&ctx)?;
    let question = get("question");
    let field_error = |field: &str, msg_key: &str| {
        format!(
            "{}: {}",
            ctx.t(field),
            ctx.ta(msg_key, &[("max", "300".into())])
        )
    };
    if !qs.iter().any(|q| q.id == question) {
        let msg = field_error("rev-field-question", "err-not-in-list");
        return review_page(&ctx, id, Some(msg), None).await;
    }
    let due = get("due");
    let due_ms = if due.is_empty() {
        None
    } else {
        match crate::incidents::local_ms(&ctx, &due) {
            Some(d) => Some(d),
            None => {
                let msg = field_error("rev-field-due", "err-not-date");
                return review_page(&ctx, id, Some(msg), None).await;
            }
        }
    };
    let n = NewAction {
        source_kind: "incident".into(),
        source_id: Some(id),
        title: get("title"),
        detail: question,
        owner: get("owner"),
        due_at_ms: due_ms,
    };
    match ctx.st.store.create_action(&actor, &n).await {
        Ok(_) => Ok(Redirect::to(&format!("/incidents/{id}/review")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let msg = errors
                .iter()
                .map(|e| field_error(&key("rev-field-", e.field), e.kind.message_key()))
                .collect::<Vec<_>>()
                .join(" / ");
            review_page(&ctx, id, Some(msg), None).await
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}

// ---- exports --------------------------------------------------------------------

pub struct Row {
    pub cells: Vec<String>,
    pub warning: Option<String>,
}

pub struct Section {
    pub title: String,
    pub head: Vec<String>,
    pub rows: Vec<Row>,
    pub empty: String,
}

#[derive(Template)]
#[template(path = "incident_export.html")]
struct ReportPage {
    l: Layout,
    t: HashMap<&'static str, String>,
    id: i64,
    generated: String,
    facts: Vec<(String, String)>,
    sections: Vec<Section>,
}

fn section(ctx: &Ctx, title: &str, head: &[&str], rows: Vec<Row>) -> Section {
    Section {
        title: ctx.t(title),
        head: head.iter().map(|h| ctx.t(h)).collect(),
        rows,
        empty: ctx.t("rep-none"),
    }
}

fn row(cells: Vec<String>) -> Row {
    Row {
        cells,
        warning: None,
    }
}

/// `GET /incidents/{id}/report`: the whole incident on one printable page.
pub async fn report(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let actor = ctx.require_actor()?;
    let g = gather(&ctx, &actor, id).await?;
    let (_, qs) = questions(&ctx)?;
    let ja = ctx.tr.lang == Lang::Ja;
    let inc = &g.inc;
    let facts = vec![
        (ctx.t("inc-col-ref"), inc.reference.clone()),
        (ctx.t("inc-field-title"), inc.title.clone()),
        (
            ctx.t("inc-col-category"),
            ctx.t(&key("inc-cat-", &inc.category)),
        ),
        (
            ctx.t("inc-col-level"),
            ctx.ta("inc-level-n", &[("n", inc.level.to_string())]),
        ),
        (
            ctx.t("inc-col-phase"),
            ctx.t(&key("inc-phase-", &inc.phase)),
        ),
        (
            ctx.t("inc-col-discovered"),
            ctx.datetime(inc.discovered_at_ms),
        ),
        (
            ctx.t("rep-closed"),
            inc.closed_at_ms
                .map(|t| ctx.datetime(t))
                .unwrap_or_default(),
        ),
        (ctx.t("inc-field-summary"), inc.summary.clone()),
        (
            ctx.t("inc-field-personal-data"),
            ctx.t(&format!("inc-pd-{}", inc.personal_data)),
        ),
        (
            ctx.t("inc-col-systems"),
            inc.system_ids
                .iter()
                .filter_map(|s| g.systems.get(s).cloned())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ];
    let timeline = g
        .log
        .iter()
        .map(|e| {
            row(vec![
                e.id.to_string(),
                ctx.datetime(e.at_ms),
                e.actor.clone(),
                ctx.t(&key("inc-log-kind-", &e.kind)),
                format!(
                    "{}{}",
                    crate::incidents::log_text(&ctx, &e.kind, &e.body, &g.systems),
                    e.corrects
                        .map(|c| format!(
                            " ({})",
                            ctx.ta("inc-log-corrects", &[("id", c.to_string())])
                        ))
                        .unwrap_or_default()
                ),
            ])
        })
        .collect();
    let decisions = g
        .decisions
        .iter()
        .map(|d| {
            let system = d
                .system_id
                .and_then(|s| g.systems.get(&s).cloned())
                .unwrap_or_default();
            Row {
                cells: vec![
                    ctx.datetime(d.at_ms),
                    d.decider.clone(),
                    d.decision.clone(),
                    format!("{} {system}", ctx.t(&key("inc-authority-", &d.authority))),
                    d.basis.clone(),
                    d.recorded_by.clone(),
                ],
                warning: (!d.authorized).then(|| {
                    ctx.ta(
                        "inc-decision-warning",
                        &[("decider", d.decider.clone()), ("system", system.clone())],
                    )
                }),
            }
        })
        .collect();
    let evidence = g
        .evidence
        .iter()
        .map(|e| {
            row(vec![
                e.item.clone(),
                e.location.clone(),
                e.sha256.clone().unwrap_or_default(),
                format!("{} ({})", e.collected_by, ctx.datetime(e.at_ms)),
                e.custody
                    .iter()
                    .map(|c| {
                        ctx.ta(
                            "inc-custody-line",
                            &[
                                ("when", ctx.datetime(c.at_ms)),
                                ("from", c.from.clone()),
                                ("to", c.to.clone()),
                                ("note", c.note.clone()),
                            ],
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            ])
        })
        .collect();
    let tasks = g
        .tasks
        .iter()
        .map(|t| {
            let (section, title) = if ja {
                (&t.section_ja, &t.title_ja)
            } else {
                (&t.section_en, &t.title_en)
            };
            row(vec![
                section.clone(),
                title.clone(),
                t.assignee
                    .clone()
                    .or_else(|| t.vendor_id.and_then(|v| g.vendors.get(&v).cloned()))
                    .unwrap_or_default(),
                t.due_at_ms.map(|d| ctx.datetime(d)).unwrap_or_default(),
                match (t.done_at_ms, &t.done_by) {
                    (Some(at), Some(by)) => ctx.ta(
                        "inc-task-done",
                        &[("who", by.clone()), ("when", ctx.datetime(at))],
                    ),
                    _ => String::new(),
                },
                t.note.clone().unwrap_or_default(),
            ])
        })
        .collect();
    let last = latest(&g.answers);
    let lessons = qs
        .iter()
        .map(|q| {
            let a = last.get(&q.id);
            row(vec![
                question_text(&ctx, q),
                a.map(|a| a.answer.clone()).unwrap_or_default(),
                a.map(|a| {
                    ctx.ta(
                        "rev-answer-meta",
                        &[
                            ("version", a.version.to_string()),
                            ("who", a.answered_by.clone()),
                            ("when", ctx.datetime(a.at_ms)),
                        ],
                    )
                })
                .unwrap_or_default(),
            ])
        })
        .collect();
    let actions = g
        .actions
        .iter()
        .map(|a| {
            row(vec![
                a.title.clone(),
                a.owner.clone(),
                a.due_at_ms.map(|d| ctx.date(d)).unwrap_or_default(),
                ctx.t(&key("act-status-", &a.status)),
            ])
        })
        .collect();
    let notices = g
        .notices
        .iter()
        .map(|n| {
            let (title, _) = n.text.localized(!ja);
            row(vec![
                title.to_owned(),
                ctx.t(&key("ntc-status-", n.status.as_str())),
                n.published_at_ms
                    .map(|t| ctx.datetime(t))
                    .unwrap_or_default(),
                n.updates.len().to_string(),
            ])
        })
        .collect();
    let sections = vec![
        section(
            &ctx,
            "rep-timeline",
            &[
                "inc-col-log-no",
                "inc-col-log-at",
                "inc-col-log-who",
                "inc-col-log-kind",
                "inc-col-log-entry",
            ],
            timeline,
        ),
        section(
            &ctx,
            "inc-decisions-heading",
            &[
                "inc-col-decided-at",
                "inc-col-decider",
                "inc-col-decision",
                "inc-col-authority",
                "inc-col-basis",
                "inc-col-recorded-by",
            ],
            decisions,
        ),
        section(
            &ctx,
            "inc-evidence-heading",
            &[
                "inc-col-item",
                "inc-col-location",
                "inc-col-sha256",
                "inc-col-collected-by",
                "inc-col-custody",
            ],
            evidence,
        ),
        section(
            &ctx,
            "inc-tasks-heading",
            &[
                "rep-col-section",
                "rep-col-task",
                "inc-field-assignee",
                "inc-field-due",
                "rep-col-done",
                "inc-field-note",
            ],
            tasks,
        ),
        section(
            &ctx,
            "rev-title",
            &["rev-field-question", "rev-field-answer", "rep-col-answered"],
            lessons,
        ),
        section(
            &ctx,
            "rev-actions-heading",
            &[
                "rev-col-action",
                "rev-col-owner",
                "rev-col-due",
                "rev-col-status",
            ],
            actions,
        ),
        section(
            &ctx,
            "rep-notices",
            &[
                "ntc-col-title",
                "ntc-col-status",
                "ntc-published",
                "ntc-updates",
            ],
            notices,
        ),
    ];
    let tpl = ReportPage {
        l: ctx.layout(format!(
            "{} — {} {}",
            ctx.t("rep-title"),
            inc.reference,
            inc.title
        )),
        t: labels(
            &ctx,
            &["rep-print", "rep-json", "rep-generated", "rev-back"],
        ),
        id,
        generated: ctx.datetime(ctx.st.store.clock().now_ms()),
        facts,
        sections,
    };
    ctx.render(&tpl)
}

/// `GET /incidents/{id}.json`: the same as the report, machine-readable
/// (times as Unix milliseconds, codes instead of labels).
async fn json(ctx: &Ctx, id: i64) -> PageResult {
    let actor = ctx.require_actor()?;
    let g = gather(ctx, &actor, id).await?;
    let inc = &g.inc;
    let body = serde_json::json!({
        "format": "sonae-incident/1",
        "generated_at": ctx.st.store.clock().now_ms(),
        "incident": {
            "id": inc.id, "ref": inc.reference, "title": inc.title, "category": inc.category,
            "level": inc.level, "phase": inc.phase, "discovered_at": inc.discovered_at_ms,
            "created_at": inc.created_at_ms, "reported_by": inc.reported_by, "summary": inc.summary,
            "personal_data": inc.personal_data, "commander": inc.commander, "closed_at": inc.closed_at_ms,
            "systems": inc.system_ids.iter().map(|s| serde_json::json!({"id": s, "name": g.systems.get(s)})).collect::<Vec<_>>(),
        },
        "log": g.log.iter().map(|e| serde_json::json!({
            "id": e.id, "at": e.at_ms, "actor": e.actor, "kind": e.kind,
            "body": serde_json::from_str::<serde_json::Value>(&e.body).ok().filter(serde_json::Value::is_object).unwrap_or_else(|| serde_json::Value::String(e.body.clone())),
            "corrects": e.corrects,
        })).collect::<Vec<_>>(),
        "tasks": g.tasks.iter().map(|t| serde_json::json!({
            "id": t.id, "playbook": t.playbook, "section": t.section, "phase": t.phase,
            "title_ja": t.title_ja, "title_en": t.title_en, "assignee": t.assignee,
            "vendor": t.vendor_id.and_then(|v| g.vendors.get(&v)), "due_at": t.due_at_ms,
            "done_at": t.done_at_ms, "done_by": t.done_by, "note": t.note,
        })).collect::<Vec<_>>(),
        "decisions": g.decisions.iter().map(|d| serde_json::json!({
            "id": d.id, "at": d.at_ms, "decider": d.decider, "decision": d.decision,
            "authority": d.authority, "system": d.system_id.and_then(|s| g.systems.get(&s)),
            "basis": d.basis, "recorded_by": d.recorded_by, "authorized": d.authorized,
        })).collect::<Vec<_>>(),
        "evidence": g.evidence.iter().map(|e| serde_json::json!({
            "id": e.id, "at": e.at_ms, "item": e.item, "location": e.location, "sha256": e.sha256,
            "collected_by": e.collected_by, "file_name": e.file_name, "file_size": e.file_size,
            "custody": e.custody.iter().map(|c| serde_json::json!({
                "at": c.at_ms, "from": c.from, "to": c.to, "note": c.note, "recorded_by": c.recorded_by,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "review": g.answers.iter().map(|a| serde_json::json!({
            "question": a.question, "version": a.version, "at": a.at_ms,
            "answered_by": a.answered_by, "answer": a.answer,
        })).collect::<Vec<_>>(),
        "improvement_actions": g.actions.iter().map(|a| serde_json::json!({
            "id": a.id, "title": a.title, "question": a.detail, "owner": a.owner,
            "due_at": a.due_at_ms, "status": a.status, "done_at": a.done_at_ms,
        })).collect::<Vec<_>>(),
        "notices": g.notices.iter().map(|n| serde_json::json!({
            "id": n.id, "status": n.status, "text": n.text, "published_at": n.published_at_ms,
            "withdrawn_at": n.withdrawn_at_ms,
            "updates": n.updates.iter().map(|u| serde_json::json!({
                "at": u.at_ms, "approved_by": u.approved_by, "body_ja": u.body_ja, "body_en": u.body_en,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    let name = format!("attachment; filename=\"{}.json\"", inc.reference);
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        body.to_string(),
    )
        .into_response())
}

/// `GET /incidents/{id}` and `GET /incidents/{id}.json`: one route, since
/// the router cannot tell a parameter from a parameter with a suffix.
pub async fn view_or_json(ctx: Ctx, Path(id): Path<String>) -> PageResult {
    if let Some(n) = id.strip_suffix(".json").and_then(|n| n.parse::<i64>().ok()) {
        return json(&ctx, n).await;
    }
    match id.parse::<i64>() {
        Ok(n) => crate::incidents::view(ctx, Path(n)).await,
        Err(_) => Err(ctx.error(StatusCode::NOT_FOUND, "error-not-found")),
    }
}
