//! Staff pages for reports from outside: the list with overdue
//! acknowledgements, and one report with its message log, replies to the
//! reporter, internal notes, status, assignee and links.

use crate::ctx::{Ctx, Layout, PageResult};
use crate::intake::{input_error_text, LogEntry};
use crate::inventory::Opt;
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use sonae_domain::access::Access;
use sonae_domain::intake::report::{ack_overdue, parse_message, parse_vuln_ids};
use sonae_domain::intake::{self, ReportStatus};
use sonae_domain::{Actor, Kind};
use sonae_store::{MessageKind, ReportUpdate, StoreError};
use std::collections::HashMap;

fn require_reader(ctx: &Ctx) -> Result<Actor, crate::ctx::PageError> {
    let actor = ctx.require_actor()?;
    if !intake::may_read(actor.role) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    Ok(actor)
}

fn status_label(ctx: &Ctx, s: ReportStatus) -> String {
    ctx.t(&format!("reports-status-{}", s.as_str()))
}

pub struct ReportRow {
    pub href: String,
    pub reference: String,
    pub received: String,
    pub product: String,
    pub status: String,
    pub due: String,
    pub overdue: bool,
    pub assignee: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ListPage {
    l: Layout,
    settings_link: Option<(String, String)>,
    warning: Option<String>,
    status_label: String,
    any_label: String,
    statuses: Vec<Opt>,
    filter_label: String,
    count_line: String,
    columns: Vec<String>,
    rows: Vec<ReportRow>,
    overdue_label: String,
    empty: String,
}

/// `GET /reports`
pub async fn list(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> PageResult {
    let actor = require_reader(&ctx)?;
    let filter = q.get("status").and_then(|s| ReportStatus::parse(s));
    let reports = ctx
        .st
        .store
        .reports(&actor, filter)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let now = ctx.st.store.clock().now_ms();
    let rows: Vec<ReportRow> = reports
        .into_iter()
        .map(|r| ReportRow {
            href: format!("/reports/{}", r.id),
            reference: r.reference,
            received: ctx.datetime(r.created_at_ms),
            product: r.product,
            status: status_label(&ctx, r.status),
            due: ctx.date(r.ack_due_at_ms - 1),
            overdue: ack_overdue(r.status, r.ack_due_at_ms, now),
            assignee: r.assignee_name.unwrap_or_default(),
        })
        .collect();
    let warning = if intake::may_work(actor.role) {
        match ctx.st.store.intake_settings().await {
            Ok(Some(s)) => crate::intake::expiry_warning(&ctx, &s),
            Ok(None) => Some(ctx.t("intake-sectxt-not-set")),
            Err(e) => return Err(ctx.store_error(e)),
        }
    } else {
        None
    };
    let page = ListPage {
        warning,
        l: ctx.layout(ctx.t("reports-title")),
        settings_link: sonae_domain::access::can_admin(&actor)
            .then(|| ("/admin/intake".to_owned(), ctx.t("reports-settings-link"))),
        status_label: ctx.t("reports-col-status"),
        any_label: ctx.t("reports-any-status"),
        statuses: ReportStatus::ALL
            .iter()
            .map(|s| Opt {
                value: s.as_str().to_owned(),
                label: status_label(&ctx, *s),
                selected: filter == Some(*s),
            })
            .collect(),
        filter_label: ctx.t("reports-filter"),
        count_line: ctx.ta("reports-count", &[("count", rows.len().to_string())]),
        columns: [
            "reports-col-reference",
            "reports-col-received",
            "reports-col-product",
            "reports-col-status",
            "reports-col-ack-due",
            "reports-col-assignee",
        ]
        .iter()
        .map(|k| ctx.t(k))
        .collect(),
        rows,
        overdue_label: ctx.t("reports-overdue"),
        empty: ctx.t("reports-empty"),
    };
    ctx.render(&page)
}

pub struct Fact {
    pub label: String,
    pub text: String,
    pub href: Option<String>,
    pub class: &'static str,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ViewPage {
    l: Layout,
    error: Option<String>,
    facts: Vec<Fact>,
    description_label: String,
    description: String,
    log_heading: String,
    log: Vec<LogEntry>,
    empty_log: String,
    may_work: bool,
    message_action: String,
    message_heading: String,
    message_label: String,
    message: String,
    message_error: Option<String>,
    reply_label: String,
    note_label: String,
    update_action: String,
    update_heading: String,
    version: i64,
    status_label: String,
    statuses: Vec<Opt>,
    assignee_label: String,
    assignees: Vec<Opt>,
    system_label: String,
    systems: Vec<Opt>,
    links_label: String,
    links: String,
    links_hint: String,
    save_label: String,
}

struct Draft {
    message: String,
    message_error: Option<String>,
    error: Option<String>,
    links: Option<String>,
}

async fn page(ctx: &Ctx, id: i64, status: StatusCode, draft: Draft) -> PageResult {
    let actor = require_reader(ctx)?;
    let store = &ctx.st.store;
    let err = |e| ctx.store_error(e);
    let r = store.report(&actor, id).await.map_err(err)?;
    let msgs = store.report_messages(&actor, id).await.map_err(err)?;
    let now = store.clock().now_ms();
    let systems = store
        .titles(&actor, Kind::System, Access::Read)
        .await
        .map_err(err)?;
    let system_name = r
        .system_id
        .and_then(|s| systems.iter().find(|(i, _)| *i == s))
        .map(|(_, n)| n.clone());
    let fact = |key: &str, text: String| Fact {
        label: ctx.t(key),
        text,
        href: None,
        class: "",
    };
    let overdue = ack_overdue(r.status, r.ack_due_at_ms, now);
    let mut facts = vec![
        fact("reports-col-reference", r.reference.clone()),
        fact("reports-col-status", status_label(ctx, r.status)),
        fact("reports-col-received", ctx.datetime(r.created_at_ms)),
        Fact {
            class: if overdue { "overdue" } else { "" },
            ..fact(
                "reports-col-ack-due",
                if overdue {
                    format!(
                        "{} — {}",
                        ctx.date(r.ack_due_at_ms - 1),
                        ctx.t("reports-overdue")
                    )
                } else {
                    ctx.date(r.ack_due_at_ms - 1)
                },
            )
        },
        fact(
            "reports-acknowledged",
            r.acknowledged_at_ms
                .map(|t| ctx.datetime(t))
                .unwrap_or_else(|| "—".to_owned()),
        ),
        fact(
            "intake-field-reporter-name",
            r.reporter_name.clone().unwrap_or_else(|| "—".to_owned()),
        ),
        fact(
            "intake-field-reporter-email",
            r.reporter_email
                .clone()
                .unwrap_or_else(|| ctx.t("reports-no-email")),
        ),
        fact("intake-field-product", r.product.clone()),
        fact(
            "intake-field-vuln-ids",
            if r.vuln_ids.is_empty() {
                "—".to_owned()
            } else {
                r.vuln_ids.join(" ")
            },
        ),
        fact(
            "reports-col-assignee",
            r.assignee_name.clone().unwrap_or_else(|| "—".to_owned()),
        ),
    ];
    for v in &r.linked_vuln_ids {
        facts.push(Fact {
            href: Some(format!("/vulns/{v}")),
            ..fact("reports-linked-vuln", v.clone())
        });
    }
    if let (Some(s), Some(name)) = (r.system_id, system_name) {
        facts.push(Fact {
            href: Some(format!("/inventory/systems/{s}")),
            ..fact("reports-system", name)
        });
    }
    let log = msgs
        .into_iter()
        .map(|m| {
            let (key, class) = match m.kind {
                MessageKind::Reporter => ("reports-log-reporter", "from-reporter"),
                MessageKind::Reply => ("reports-log-reply", "from-team"),
                MessageKind::Note => ("reports-log-note", "note"),
                MessageKind::Status => ("reports-log-status", "status"),
            };
            let body = match (m.kind, m.from_status, m.to_status) {
                (MessageKind::Status, Some(f), Some(t)) => ctx.ta(
                    "reports-status-change",
                    &[("from", status_label(ctx, f)), ("to", status_label(ctx, t))],
                ),
                _ => m.body,
            };
            LogEntry {
                who: ctx.ta(key, &[("author", m.author)]),
                when: ctx.datetime(m.at_ms),
                body,
                class,
            }
        })
        .collect();
    let may_work = intake::may_work(actor.role);
    let assignees = if may_work {
        store
            .list_users()
            .await
            .map_err(err)?
            .into_iter()
            .filter(|u| intake::may_work(u.role) && !u.disabled)
            .map(|u| Opt {
                selected: r.assignee_id == Some(u.id),
                value: u.id.to_string(),
                label: u.display_name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut next = vec![r.status];
    next.extend_from_slice(r.status.next());
    let tpl = ViewPage {
        l: ctx.layout(ctx.ta("reports-view-title", &[("reference", r.reference.clone())])),
        error: draft.error,
        facts,
        description_label: ctx.t("intake-field-description"),
        description: r.description,
        log_heading: ctx.t("intake-log-heading"),
        log,
        empty_log: ctx.t("intake-log-empty"),
        may_work,
        message_action: format!("/reports/{id}/message"),
        message_heading: ctx.t("reports-message-heading"),
        message_label: ctx.t("reports-message-label"),
        message: draft.message,
        message_error: draft.message_error,
        reply_label: ctx.t("reports-send-reply"),
        note_label: ctx.t("reports-add-note"),
        update_action: format!("/reports/{id}"),
        update_heading: ctx.t("reports-update-heading"),
        version: r.version,
        status_label: ctx.t("reports-col-status"),
        statuses: next
            .into_iter()
            .map(|s| Opt {
                value: s.as_str().to_owned(),
                label: status_label(ctx, s),
                selected: s == r.status,
            })
            .collect(),
        assignee_label: ctx.t("reports-col-assignee"),
        assignees,
        system_label: ctx.t("reports-system"),
        systems: systems
            .into_iter()
            .map(|(i, n)| Opt {
                selected: r.system_id == Some(i),
                value: i.to_string(),
                label: n,
            })
            .collect(),
        links_label: ctx.t("reports-linked-vulns"),
        links: draft.links.unwrap_or_else(|| r.linked_vuln_ids.join(" ")),
        links_hint: ctx.t("intake-hint-vuln-ids"),
        save_label: ctx.t("reports-save"),
    };
    ctx.render_status(status, &tpl)
}

fn blank() -> Draft {
    Draft {
        message: String::new(),
        message_error: None,
        error: None,
        links: None,
    }
}

/// `GET /reports/{id}`
pub async fn view(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    page(&ctx, id, StatusCode::OK, blank()).await
}

fn require_worker(ctx: &Ctx) -> Result<Actor, crate::ctx::PageError> {
    let actor = require_reader(ctx)?;
    if !intake::may_work(actor.role) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    Ok(actor)
}

/// `POST /reports/{id}/message`: a reply to the reporter (`action=reply`)
/// or an internal note (`action=note`).
pub async fn message(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = require_worker(&ctx)?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let raw = form.get("body").cloned().unwrap_or_default();
    let kind = match form.get("action").map(String::as_str) {
        Some("reply") => MessageKind::Reply,
        Some("note") => MessageKind::Note,
        _ => return Err(ctx.error(StatusCode::BAD_REQUEST, "error-bad-request")),
    };
    let body = match parse_message(&raw) {
        Ok(b) => b,
        Err(e) => {
            let draft = Draft {
                message: raw,
                message_error: Some(input_error_text(&ctx, &e)),
                ..blank()
            };
            return page(&ctx, id, StatusCode::UNPROCESSABLE_ENTITY, draft).await;
        }
    };
    ctx.st
        .store
        .add_staff_message(&actor, id, kind, &body)
        .await
        .map_err(|e| ctx.store_error(e))?;
    Ok(Redirect::to(&format!("/reports/{id}")).into_response())
}

/// `POST /reports/{id}`: status, assignee, linked system and vulnerabilities.
pub async fn update(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = require_worker(&ctx)?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let get = |k: &str| form.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let links_raw = get("linked_vuln_ids");
    let refused = |msg: String| Draft {
        error: Some(msg),
        links: Some(links_raw.clone()),
        ..blank()
    };
    let Some(status) = ReportStatus::parse(&get("status")) else {
        return page(
            &ctx,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            refused(ctx.t("reports-err-status")),
        )
        .await;
    };
    let links = match parse_vuln_ids("linked_vuln_ids", &links_raw) {
        Ok(l) => l,
        Err(e) => {
            let msg = format!(
                "{}: {}",
                ctx.t("reports-linked-vulns"),
                input_error_text(&ctx, &e)
            );
            return page(&ctx, id, StatusCode::UNPROCESSABLE_ENTITY, refused(msg)).await;
        }
    };
    let opt_id = |k: &str| get(k).parse::<i64>().ok().filter(|n| *n > 0);
    let update = ReportUpdate {
        status,
        assignee_id: opt_id("assignee_id"),
        linked_vuln_ids: links,
        system_id: opt_id("system_id"),
    };
    let version = get("row_version").parse().unwrap_or(0);
    match ctx
        .st
        .store
        .update_report(&actor, id, version, update)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{id}")).into_response()),
        Err(StoreError::Conflict(_)) => {
            page(
                &ctx,
                id,
                StatusCode::CONFLICT,
                refused(ctx.t("reports-err-stale")),
            )
            .await
        }
        Err(StoreError::Invalid(errors)) => {
            let msg = errors
                .iter()
                .map(|e| match e.field {
                    "status" => ctx.t("reports-err-status"),
                    "assignee_id" => ctx.t("reports-err-assignee"),
                    _ => ctx.t("reports-err-system"),
                })
                .collect::<Vec<_>>()
                .join(" ");
            page(&ctx, id, StatusCode::UNPROCESSABLE_ENTITY, refused(msg)).await
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::i18n::{I18n, Lang};
    use sonae_domain::intake::ReportStatus;

    /// Keys made at run time (statuses, field labels) and the domain's
    /// error keys exist in both languages.
    #[test]
    fn computed_keys_are_translated() {
        let i = I18n::load().unwrap();
        let mut keys: Vec<String> = ReportStatus::ALL
            .iter()
            .map(|s| format!("reports-status-{}", s.as_str()))
            .collect();
        // Field names as the forms use them.
        for f in [
            "reporter_name",
            "reporter_email",
            "product",
            "description",
            "vuln_ids",
            "contacts",
            "expires",
            "preferred_languages",
            "policy",
            "acknowledgments",
            "intake_enabled",
            "ack_business_days",
        ] {
            keys.push(format!("intake-field-{}", f.replace('_', "-")));
        }
        let domain = [
            include_str!("../../sonae-domain/src/intake/report.rs"),
            include_str!("../../sonae-domain/src/intake/security_txt.rs"),
            include_str!("../../sonae-domain/src/intake/mod.rs"),
        ];
        for src in domain {
            for (n, part) in src.split('"').enumerate() {
                if n % 2 == 1 && part.starts_with("intake-err-") {
                    keys.push(part.to_owned());
                }
            }
        }
        for lang in [Lang::Ja, Lang::En] {
            let missing: Vec<_> = keys.iter().filter(|k| !i.has(lang, k)).collect();
            assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
        }
    }
}
