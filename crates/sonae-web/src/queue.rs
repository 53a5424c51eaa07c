//! The security officer's queue of findings (filters, bulk steps), the
//! system owner's "my systems: what to fix by when and why", and the
//! admin's priority policy (DESIGN §3–§4).

use crate::ctx::{Ctx, Layout, PageResult};
use crate::findings::{priority_text, refusal_text, status_label};
use crate::inventory::Opt;
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use sonae_domain::access::Access;
use sonae_domain::priority::Policy;
use sonae_domain::workflow::Status;
use sonae_domain::Kind;
use sonae_store::{open_statuses, FindingFilter, StoreError};
use std::collections::HashMap;

const PAGE: i64 = 100;

pub struct QueueRow {
    pub id: i64,
    pub href: String,
    pub priority: String,
    pub why: String,
    pub due: String,
    pub overdue: bool,
    pub vuln: String,
    pub system: String,
    pub component: String,
    pub status: String,
    pub reason: String,
}

pub struct SelectFilter {
    pub name: &'static str,
    pub label: String,
    pub options: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    l: Layout,
    intro: String,
    error: Option<String>,
    search_label: String,
    q: String,
    selects: Vec<SelectFilter>,
    overdue_label: String,
    overdue: bool,
    kev_label: String,
    kev: bool,
    apply_label: String,
    count_line: String,
    /// (link, text) to the possible findings, when the list shows confirmed ones.
    possible_line: Option<(String, String)>,
    export_label: String,
    columns: Vec<String>,
    rows: Vec<QueueRow>,
    empty: String,
    may_bulk: bool,
    bulk_heading: String,
    bulk_step_label: String,
    bulk_steps: Vec<Opt>,
    justification_label: String,
    justifications: Vec<Opt>,
    note_label: String,
    bulk_apply: String,
    select_label: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    prev_label: String,
    next_label: String,
}

fn opts(values: &[(String, String)], current: &str) -> Vec<Opt> {
    values
        .iter()
        .map(|(v, label)| Opt {
            value: v.clone(),
            label: label.clone(),
            selected: v == current,
        })
        .collect()
}

/// The filter a query string asks for; open findings by default.
fn filter_of(ctx: &Ctx, p: &HashMap<String, String>) -> FindingFilter {
    let get = |k: &str| p.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let status = get("status");
    let statuses = match status.as_str() {
        "" | "open" => open_statuses(),
        "all" => Vec::new(),
        s => Status::parse(s)
            .map(|s| vec![s.as_str().to_owned()])
            .unwrap_or_else(open_statuses),
    };
    let now = ctx.st.store.clock().now_ms();
    FindingFilter {
        statuses,
        priority: Some(get("priority")).filter(|p| ["p1", "p2", "p3", "p4"].contains(&p.as_str())),
        department_id: get("department").parse().ok(),
        due_before_ms: (get("overdue") == "1").then_some(now),
        kev_only: get("kev") == "1",
        // Possible findings (no comparable version data) are listed apart.
        certainty: match get("certainty").as_str() {
            "all" => None,
            "possible" => Some("possible".to_owned()),
            _ => Some("confirmed".to_owned()),
        },
        text: Some(get("q")).filter(|t| !t.is_empty()),
        by_due: true,
        limit: PAGE,
        offset: get("offset").parse::<i64>().unwrap_or(0).max(0),
        ..FindingFilter::default()
    }
}

fn page_href(p: &HashMap<String, String>, offset: i64) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    let mut keys: Vec<_> = p.keys().filter(|k| k.as_str() != "offset").collect();
    keys.sort();
    for k in keys {
        ser.append_pair(k, &p[k]);
    }
    ser.append_pair("offset", &offset.to_string());
    format!("/findings?{}", ser.finish())
}

async fn queue_page(ctx: &Ctx, p: &HashMap<String, String>, error: Option<String>) -> PageResult {
    let actor = ctx.require_actor()?;
    let store = &ctx.st.store;
    let err = |e| ctx.store_error(e);
    let filter = filter_of(ctx, p);
    let found = store
        .findings_filtered(&actor, &filter)
        .await
        .map_err(err)?;
    let total = store.count_findings(&actor, &filter).await.map_err(err)?;
    let possible = if filter.certainty.as_deref() == Some("confirmed") {
        let q = FindingFilter {
            certainty: Some("possible".to_owned()),
            ..filter.clone()
        };
        store.count_findings(&actor, &q).await.map_err(err)?
    } else {
        0
    };
    let possible_line = (possible > 0).then(|| {
        let mut p2 = p.clone();
        p2.insert("certainty".into(), "possible".into());
        p2.remove("offset");
        (
            page_href(&p2, 0),
            ctx.ta("queue-possible-line", &[("n", possible.to_string())]),
        )
    });
    let certainty_opts = vec![
        ("confirmed".to_owned(), ctx.t("queue-certainty-confirmed")),
        ("possible".to_owned(), ctx.t("queue-certainty-possible")),
        ("all".to_owned(), ctx.t("queue-certainty-all")),
    ];
    let current_certainty = match p.get("certainty").map(String::as_str).unwrap_or("") {
        "possible" => "possible",
        "all" => "all",
        _ => "confirmed",
    };
    let policy = store.priority_policy().await.map_err(err)?;
    let now = store.clock().now_ms();
    let get = |k: &str| p.get(k).cloned().unwrap_or_default();
    let mut status_opts = vec![
        ("open".to_owned(), ctx.t("queue-status-open")),
        ("all".to_owned(), ctx.t("queue-status-all")),
    ];
    status_opts.extend(
        Status::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), status_label(ctx, s.as_str()))),
    );
    let prio_opts: Vec<(String, String)> = std::iter::once((String::new(), "—".to_owned()))
        .chain(
            ["p1", "p2", "p3", "p4"]
                .iter()
                .map(|p| ((*p).to_owned(), ctx.t(&format!("prio-level-{p}")))),
        )
        .collect();
    let departments: Vec<(String, String)> = std::iter::once((String::new(), "—".to_owned()))
        .chain(
            store
                .titles(&actor, Kind::Department, Access::Read)
                .await
                .map_err(err)?
                .into_iter()
                .map(|(id, t)| (id.to_string(), t)),
        )
        .collect();
    let current_status = match get("status").as_str() {
        "" => "open".to_owned(),
        s => s.to_owned(),
    };
    let selects = vec![
        SelectFilter {
            name: "status",
            label: ctx.t("queue-filter-status"),
            options: opts(&status_opts, &current_status),
        },
        SelectFilter {
            name: "priority",
            label: ctx.t("queue-filter-priority"),
            options: opts(&prio_opts, &get("priority")),
        },
        SelectFilter {
            name: "certainty",
            label: ctx.t("queue-filter-certainty"),
            options: opts(&certainty_opts, current_certainty),
        },
        SelectFilter {
            name: "department",
            label: ctx.t("queue-filter-department"),
            options: opts(&departments, &get("department")),
        },
    ];
    let rows = found
        .iter()
        .map(|f| {
            let (priority, why) = priority_text(ctx, f, &policy);
            QueueRow {
                id: f.id,
                href: format!("/findings/{}", f.id),
                priority,
                why,
                due: f.due_at_ms.map(|d| ctx.date(d)).unwrap_or_default(),
                overdue: f.overdue(now),
                vuln: f.vuln_id.clone(),
                system: f.system_name.clone(),
                component: f.component_label.clone(),
                status: status_label(ctx, &f.status),
                reason: f.reason.chars().take(160).collect(),
            }
        })
        .collect();
    let may_bulk = sonae_domain::access::may_write_some(&actor, Kind::Component);
    let bulk_steps = opts(
        &["start", "not_affected", "reopen"]
            .iter()
            .map(|s| {
                (
                    (*s).to_owned(),
                    ctx.t(&format!("wf-step-{}", s.replace('_', "-"))),
                )
            })
            .collect::<Vec<_>>(),
        "",
    );
    let justifications = opts(
        &sonae_domain::finding::JUSTIFICATIONS
            .iter()
            .map(|j| {
                (
                    (*j).to_owned(),
                    ctx.t(&format!("vex-{}", j.replace('_', "-"))),
                )
            })
            .collect::<Vec<_>>(),
        "",
    );
    let tpl = QueuePage {
        l: ctx.layout(ctx.t("queue-title")),
        intro: ctx.t("queue-intro"),
        error,
        search_label: ctx.t("queue-search"),
        q: get("q"),
        selects,
        overdue_label: ctx.t("queue-overdue-only"),
        overdue: get("overdue") == "1",
        kev_label: ctx.t("queue-kev-only"),
        kev: get("kev") == "1",
        apply_label: ctx.t("queue-apply"),
        count_line: ctx.ta("queue-count", &[("n", total.to_string())]),
        possible_line,
        export_label: ctx.t("queue-export"),
        columns: [
            "queue-select",
            "wf-priority",
            "wf-due",
            "findings-col-vuln",
            "queue-col-system",
            "findings-col-component",
            "findings-col-status",
            "findings-col-reason",
        ]
        .iter()
        .map(|k| ctx.t(k))
        .collect(),
        rows,
        empty: ctx.t("queue-empty"),
        may_bulk,
        bulk_heading: ctx.t("queue-bulk-heading"),
        bulk_step_label: ctx.t("queue-bulk-step"),
        bulk_steps,
        justification_label: ctx.t("wf-field-justification"),
        justifications,
        note_label: ctx.t("wf-field-note"),
        bulk_apply: ctx.t("queue-bulk-apply"),
        select_label: ctx.t("queue-select"),
        prev_href: (filter.offset > 0).then(|| page_href(p, (filter.offset - PAGE).max(0))),
        next_href: (filter.offset + PAGE < total).then(|| page_href(p, filter.offset + PAGE)),
        prev_label: ctx.t("page-prev"),
        next_label: ctx.t("page-next"),
    };
    let status = if tpl.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    ctx.render_status(status, &tpl)
}

/// `GET /findings`: the queue.
pub async fn queue(ctx: Ctx, Query(p): Query<HashMap<String, String>>) -> PageResult {
    queue_page(&ctx, &p, None).await
}

/// `POST /findings/bulk`: one step on every selected finding; each is
/// checked on its own, and the user learns how many passed.
pub async fn bulk(ctx: Ctx, body: String) -> PageResult {
    let actor = ctx.require_actor()?;
    let mut ids: Vec<i64> = Vec::new();
    let mut form: HashMap<String, String> = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
        if k == "id" {
            if let Ok(id) = v.parse() {
                ids.push(id);
            }
        } else {
            form.insert(k.into_owned(), v.into_owned());
        }
    }
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let back = HashMap::new();
    if ids.is_empty() {
        return queue_page(&ctx, &back, Some(ctx.t("queue-bulk-none"))).await;
    }
    let step = match crate::findings::parse_step(&ctx, &form) {
        Ok(s) => s,
        Err(r) => return queue_page(&ctx, &back, Some(refusal_text(&ctx, r))).await,
    };
    let store = &ctx.st.store;
    let (mut done, mut failed) = (0, 0);
    let mut first_refusal = None;
    for id in ids.iter().take(500) {
        let f = match store.finding(&actor, *id).await {
            Ok(f) => f,
            Err(StoreError::NotFound) => {
                failed += 1;
                continue;
            }
            Err(e) => return Err(ctx.store_error(e)),
        };
        match store
            .finding_step(&actor, *id, f.version, step.clone())
            .await
        {
            Ok(()) => done += 1,
            Err(StoreError::Workflow(r)) => {
                failed += 1;
                first_refusal.get_or_insert(r);
            }
            Err(StoreError::Conflict(_)) => failed += 1,
            Err(e) => return Err(ctx.store_error(e)),
        }
    }
    // A refusal that applies to all (a missing note) is shown as such.
    if done == 0 {
        if let Some(r @ sonae_domain::workflow::Refusal::Missing(_)) = first_refusal {
            return queue_page(&ctx, &back, Some(refusal_text(&ctx, r))).await;
        }
    }
    let msg = ctx.ta(
        "queue-bulk-done",
        &[("done", done.to_string()), ("failed", failed.to_string())],
    );
    Ok(ctx.message(
        StatusCode::OK,
        "queue-title",
        msg,
        Some(crate::ctx::Link {
            href: "/findings".to_owned(),
            label: ctx.t("queue-title"),
        }),
    ))
}

pub struct MySystem {
    pub name: String,
    pub href: String,
    pub summary: String,
    pub rows: Vec<QueueRow>,
    /// Possible findings, shown apart: they need a person to check them.
    pub possible: Vec<QueueRow>,
}

#[derive(Template)]
#[template(path = "my.html")]
struct MyPage {
    l: Layout,
    intro: String,
    columns: Vec<String>,
    systems: Vec<MySystem>,
    empty: String,
    possible_heading: String,
}

/// `GET /my`: the open findings of the user's systems, grouped by system,
/// nearest due date first, each with the facts behind its priority.
pub async fn my(ctx: Ctx) -> PageResult {
    let actor = ctx.require_actor()?;
    let store = &ctx.st.store;
    let err = |e| ctx.store_error(e);
    let found = store
        .findings_filtered(
            &actor,
            &FindingFilter {
                statuses: open_statuses(),
                by_due: true,
                limit: 5000,
                ..FindingFilter::default()
            },
        )
        .await
        .map_err(err)?;
    let policy = store.priority_policy().await.map_err(err)?;
    let now = store.clock().now_ms();
    let mut systems: Vec<MySystem> = Vec::new();
    let mut index: HashMap<i64, usize> = HashMap::new();
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for f in &found {
        let i = *index.entry(f.system_id).or_insert_with(|| {
            systems.push(MySystem {
                name: f.system_name.clone(),
                href: format!("/inventory/systems/{}", f.system_id),
                summary: String::new(),
                rows: Vec::new(),
                possible: Vec::new(),
            });
            counts.push((0, 0));
            systems.len() - 1
        });
        let (priority, why) = priority_text(&ctx, f, &policy);
        // Possible findings (no comparable version data) are listed apart.
        let possible = f.certainty == "possible";
        if !possible {
            counts[i].0 += 1;
            if f.overdue(now) {
                counts[i].1 += 1;
            }
        }
        let target = if possible {
            &mut systems[i].possible
        } else {
            &mut systems[i].rows
        };
        target.push(QueueRow {
            id: f.id,
            href: format!("/findings/{}", f.id),
            priority,
            why,
            due: f.due_at_ms.map(|d| ctx.date(d)).unwrap_or_default(),
            overdue: f.overdue(now),
            vuln: f.vuln_id.clone(),
            system: f.system_name.clone(),
            component: f.component_label.clone(),
            status: status_label(&ctx, &f.status),
            reason: f.reason.chars().take(160).collect(),
        });
    }
    for (s, (open, overdue)) in systems.iter_mut().zip(&counts) {
        s.summary = ctx.ta("my-open", &[("n", open.to_string())]);
        if !s.possible.is_empty() {
            s.summary = format!(
                "{} / {}",
                s.summary,
                ctx.ta("my-possible", &[("n", s.possible.len().to_string())])
            );
        }
        if *overdue > 0 {
            s.summary = format!(
                "{} / {}",
                s.summary,
                ctx.ta("my-overdue", &[("n", overdue.to_string())])
            );
        }
    }
    let tpl = MyPage {
        l: ctx.layout(ctx.t("my-title")),
        intro: ctx.t("my-intro"),
        columns: [
            "wf-due",
            "wf-priority",
            "wf-why",
            "findings-col-vuln",
            "findings-col-component",
            "findings-col-status",
            "findings-col-reason",
        ]
        .iter()
        .map(|k| ctx.t(k))
        .collect(),
        systems,
        empty: ctx.t("my-empty"),
        possible_heading: ctx.t("my-possible-heading"),
    };
    ctx.render(&tpl)
}

pub struct PolicyField {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub step: &'static str,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    l: Layout,
    intro: String,
    fields: Vec<PolicyField>,
    save_label: String,
    error: Option<String>,
}

const POLICY_FIELDS: [&str; 8] = [
    "kev_internet_days",
    "p1_days",
    "p2_days",
    "p3_days",
    "p4_days",
    "epss_likely",
    "epss_very_likely",
    "rto_urgent_hours",
];

fn policy_value(p: &Policy, name: &str) -> String {
    match name {
        "kev_internet_days" => p.kev_internet_days.to_string(),
        "p1_days" => p.p1_days.to_string(),
        "p2_days" => p.p2_days.to_string(),
        "p3_days" => p.p3_days.to_string(),
        "p4_days" => p.p4_days.to_string(),
        "epss_likely" => p.epss_likely.to_string(),
        "epss_very_likely" => p.epss_very_likely.to_string(),
        "rto_urgent_hours" => p.rto_urgent_hours.to_string(),
        _ => String::new(),
    }
}

fn policy_page(
    ctx: &Ctx,
    values: &HashMap<String, String>,
    errors: &[sonae_domain::FieldError],
    flash: Option<String>,
) -> PageResult {
    let fields = POLICY_FIELDS
        .iter()
        .map(|name| PolicyField {
            name,
            label: ctx.t(&format!("policy-field-{}", name.replace('_', "-"))),
            value: values.get(*name).cloned().unwrap_or_default(),
            step: if name.starts_with("epss") {
                "0.01"
            } else {
                "1"
            },
            error: errors.iter().find(|e| e.field == *name).map(|e| {
                let (min, max) = match e.kind {
                    sonae_domain::FieldErrorKind::OutOfRange { min, max } => (min, max),
                    _ => (0, 0),
                };
                ctx.ta(
                    e.kind.message_key(),
                    &[("min", min.to_string()), ("max", max.to_string())],
                )
            }),
        })
        .collect();
    let mut l = ctx.layout(ctx.t("policy-title"));
    l.flash = flash;
    let tpl = PolicyPage {
        l,
        intro: ctx.t("policy-intro"),
        fields,
        save_label: ctx.t("policy-save"),
        error: (!errors.is_empty()).then(|| ctx.t("error-form")),
    };
    ctx.render_status(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &tpl,
    )
}

/// `GET /admin/policy`.
pub async fn policy(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> PageResult {
    let actor = ctx.require_actor()?;
    if !sonae_domain::access::can_admin(&actor) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let p = ctx
        .st
        .store
        .priority_policy()
        .await
        .map_err(|e| ctx.store_error(e))?;
    let values = POLICY_FIELDS
        .iter()
        .map(|n| ((*n).to_owned(), policy_value(&p, n)))
        .collect();
    let flash = q
        .get("changed")
        .map(|n| ctx.ta("policy-saved", &[("n", n.clone())]));
    policy_page(&ctx, &values, &[], flash)
}

/// `POST /admin/policy`: save and re-compute every finding's priority.
pub async fn policy_post(
    ctx: Ctx,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    if !sonae_domain::access::can_admin(&actor) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let mut errors = Vec::new();
    let mut p = Policy::default();
    for name in POLICY_FIELDS {
        let raw = form.get(name).map(|s| s.trim()).unwrap_or("");
        let ok = match name {
            "epss_likely" | "epss_very_likely" => raw.parse::<f64>().ok().map(|v| {
                if name == "epss_likely" {
                    p.epss_likely = v
                } else {
                    p.epss_very_likely = v
                }
            }),
            _ => raw.parse::<i64>().ok().map(|v| match name {
                "kev_internet_days" => p.kev_internet_days = v,
                "p1_days" => p.p1_days = v,
                "p2_days" => p.p2_days = v,
                "p3_days" => p.p3_days = v,
                "rto_urgent_hours" => p.rto_urgent_hours = v,
                _ => p.p4_days = v,
            }),
        };
        if ok.is_none() {
            errors.push(sonae_domain::FieldError {
                field: name,
                kind: if name.starts_with("epss") {
                    sonae_domain::FieldErrorKind::NotProbability
                } else {
                    sonae_domain::FieldErrorKind::NotInteger
                },
            });
        }
    }
    if errors.is_empty() {
        errors = p.validate();
    }
    if !errors.is_empty() {
        return policy_page(&ctx, &form, &errors, None);
    }
    match ctx.st.store.set_priority_policy(&actor, &p).await {
        Ok(n) => Ok(Redirect::to(&format!("/admin/policy?changed={n}")).into_response()),
        Err(StoreError::Invalid(errors)) => policy_page(&ctx, &form, &errors, None),
        Err(e) => Err(ctx.store_error(e)),
    }
}
