//! `/actions`: the PDCA list (DESIGN §8) — every improvement action, from
//! whatever produced it, with owner, due date and status.

use crate::ctx::{Ctx, Layout, PageResult};
use crate::i18n::key;
use crate::inventory::Opt;
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use sonae_store::{ActionFilter, NewAction, StoreError, ACTION_SOURCES, ACTION_STATUSES};
use std::collections::HashMap;

pub struct ActionRow {
    pub id: i64,
    pub version: i64,
    pub title: String,
    pub detail: String,
    pub source: String,
    pub source_href: Option<String>,
    pub owner: String,
    pub due: String,
    pub overdue: bool,
    pub status: String,
    pub next: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "actions.html")]
struct ActionsPage {
    l: Layout,
    intro: String,
    error: Option<String>,
    statuses: Vec<Opt>,
    mine: bool,
    overdue: bool,
    t: HashMap<&'static str, String>,
    rows: Vec<ActionRow>,
    sources: Vec<Opt>,
    may_add: bool,
}

const LABELS: &[&str] = &[
    "act-filter-status",
    "act-mine",
    "act-overdue",
    "act-show",
    "act-col-title",
    "act-col-source",
    "act-col-owner",
    "act-col-due",
    "act-col-status",
    "act-empty",
    "act-add",
    "act-field-title",
    "act-field-detail",
    "act-field-owner",
    "act-field-due",
    "act-field-source-kind",
    "act-set",
];

/// Where an action's source lives, when it has a page.
fn source_href(kind: &str, id: Option<i64>) -> Option<String> {
    let id = id?;
    match kind {
        "incident" => Some(format!("/incidents/{id}")),
        "finding" => Some(format!("/findings/{id}")),
        _ => None,
    }
}

async fn page(ctx: &Ctx, q: &HashMap<String, String>, error: Option<String>) -> PageResult {
    let actor = ctx.require_actor()?;
    let store = &ctx.st.store;
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let now = store.clock().now_ms();
    let status = get("status");
    let mine = get("mine") == "1";
    let overdue = get("overdue") == "1";
    let filter = ActionFilter {
        status: Some(status.clone()).filter(|s| ACTION_STATUSES.contains(&s.as_str())),
        open_only: status.is_empty(),
        owner: mine.then(|| actor.name.clone()),
        due_before_ms: overdue.then_some(now),
        ..ActionFilter::default()
    };
    let list = store
        .actions(&actor, &filter)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let rows = list
        .iter()
        .map(|a| ActionRow {
            id: a.id,
            version: a.version,
            title: a.title.clone(),
            detail: a.detail.clone(),
            source: ctx.t(&key("act-source-", &a.source_kind)),
            source_href: source_href(&a.source_kind, a.source_id),
            owner: a.owner.clone(),
            due: a.due_at_ms.map(|d| ctx.date(d)).unwrap_or_default(),
            overdue: a.overdue(now),
            status: ctx.t(&key("act-status-", &a.status)),
            next: ACTION_STATUSES
                .iter()
                .filter(|s| **s != a.status)
                .map(|s| Opt {
                    value: (*s).to_owned(),
                    label: ctx.t(&key("act-status-", s)),
                    selected: false,
                })
                .collect(),
        })
        .collect();
    let mut statuses = vec![Opt {
        value: String::new(),
        label: ctx.t("act-open"),
        selected: status.is_empty(),
    }];
    statuses.extend(ACTION_STATUSES.iter().map(|s| Opt {
        value: (*s).to_owned(),
        label: ctx.t(&key("act-status-", s)),
        selected: status == *s,
    }));
    let mut t = HashMap::new();
    for k in LABELS {
        t.insert(*k, ctx.t(k));
    }
    let tpl = ActionsPage {
        l: ctx.layout(ctx.t("act-title")),
        intro: ctx.t("act-intro"),
        error,
        statuses,
        mine,
        overdue,
        t,
        rows,
        sources: ACTION_SOURCES
            .iter()
            .map(|s| Opt {
                value: (*s).to_owned(),
                label: ctx.t(&key("act-source-", s)),
                selected: *s == "other",
            })
            .collect(),
        may_add: !matches!(
            actor.role,
            sonae_domain::Role::Vendor | sonae_domain::Role::Auditor
        ),
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

/// `GET /actions`.
pub async fn list(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> PageResult {
    page(&ctx, &q, None).await
}

/// `POST /actions`: add one.
pub async fn create(ctx: Ctx, Form(form): Form<HashMap<String, String>>) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let get = |k: &str| form.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let due = get("due");
    let due_ms = if due.is_empty() {
        None
    } else {
        match crate::incidents::local_ms(&ctx, &due) {
            Some(d) => Some(d),
            None => {
                return page(
                    &ctx,
                    &HashMap::new(),
                    Some(format!(
                        "{}: {}",
                        ctx.t("act-field-due"),
                        ctx.t("err-not-date")
                    )),
                )
                .await
            }
        }
    };
    let n = NewAction {
        source_kind: get("source_kind"),
        source_id: get("source_id").parse().ok(),
        title: get("title"),
        detail: get("detail"),
        owner: get("owner"),
        due_at_ms: due_ms,
    };
    match ctx.st.store.create_action(&actor, &n).await {
        Ok(_) => Ok(Redirect::to("/actions").into_response()),
        Err(StoreError::Invalid(errors)) => {
            let text = errors
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        ctx.t(&key("act-field-", e.field)),
                        ctx.ta(e.kind.message_key(), &[("max", "300".into())])
                    )
                })
                .collect::<Vec<_>>()
                .join(" / ");
            page(&ctx, &HashMap::new(), Some(text)).await
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}

/// `POST /actions/status`.
pub async fn set_status(ctx: Ctx, Form(form): Form<HashMap<String, String>>) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let int = |k: &str| {
        form.get(k)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(0)
    };
    let status = form.get("status").cloned().unwrap_or_default();
    match ctx
        .st
        .store
        .set_action_status(&actor, int("id"), int("row_version"), &status)
        .await
    {
        Ok(()) => Ok(Redirect::to("/actions").into_response()),
        Err(StoreError::Conflict(_)) => {
            page(&ctx, &HashMap::new(), Some(ctx.t("error-user-stale"))).await
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}
