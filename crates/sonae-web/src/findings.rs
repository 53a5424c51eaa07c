//! One finding: what matched and why, and the "not affected" decision
//! (VEX-style justification) a person records on it.

use crate::ctx::{Ctx, Layout, PageResult};
use crate::inventory::Opt;

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use sonae_domain::finding::JUSTIFICATIONS;
use sonae_domain::Kind;
use sonae_store::StoreError;
use std::collections::HashMap;

pub struct LinkFact {
    pub label: String,
    pub text: String,
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "finding.html")]
struct FindingPage {
    l: Layout,
    error: Option<String>,
    facts: Vec<LinkFact>,
    may_decide: bool,
    decided: bool,
    action: String,
    version: i64,
    decide_heading: String,
    justification_label: String,
    justifications: Vec<Opt>,
    note_label: String,
    note: String,
    decide_label: String,
    reopen_label: String,
}

async fn page(ctx: &Ctx, id: i64, error: Option<String>) -> PageResult {
    let actor = ctx.require_actor()?;
    let store = &ctx.st.store;
    let f = store
        .finding(&actor, id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let system = store
        .get(&actor, Kind::System, f.system_id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let component = store
        .get(&actor, Kind::Component, f.component_id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let may_decide = sonae_domain::access::may_write_some(&actor, Kind::Component)
        && store
            .may_write(&actor, Kind::Component, f.component_id)
            .await
            .map_err(|e| ctx.store_error(e))?;
    let fact = |key: &str, text: String, href: Option<String>| LinkFact {
        label: ctx.t(key),
        text,
        href,
    };
    let mut facts = vec![
        fact(
            "findings-col-vuln",
            f.vuln_id.clone(),
            Some(format!("/vulns/{}", f.vuln_id)),
        ),
        fact(
            "kind-systems-one",
            system.title(),
            Some(format!("/inventory/systems/{}", f.system_id)),
        ),
        fact(
            "findings-col-component",
            component.title(),
            Some(format!("/inventory/components/{}", f.component_id)),
        ),
        fact(
            "findings-col-certainty",
            ctx.t(&format!("findings-certainty-{}", f.certainty)),
            None,
        ),
        fact("findings-col-reason", f.reason.clone(), None),
        fact(
            "findings-col-status",
            ctx.t(&format!("findings-status-{}", f.status.replace('_', "-"))),
            None,
        ),
    ];
    if let Some(j) = &f.justification {
        facts.push(fact(
            "findings-justification",
            ctx.t(&format!("vex-{}", j.replace('_', "-"))),
            None,
        ));
        facts.push(fact(
            "findings-note",
            f.decision_note.clone().unwrap_or_default(),
            None,
        ));
        facts.push(fact(
            "findings-decided-by",
            f.decided_by.clone().unwrap_or_default(),
            None,
        ));
    }
    let selected = f.justification.clone().unwrap_or_default();
    let tpl = FindingPage {
        l: ctx.layout(format!("{} — {}", f.vuln_id, component.title())),
        error,
        facts,
        may_decide,
        decided: f.status != "new",
        action: format!("/findings/{id}"),
        version: f.version,
        decide_heading: ctx.t("findings-decide-heading"),
        justification_label: ctx.t("findings-justification"),
        justifications: JUSTIFICATIONS
            .iter()
            .map(|j| Opt {
                value: (*j).to_owned(),
                label: ctx.t(&format!("vex-{}", j.replace('_', "-"))),
                selected: selected == *j,
            })
            .collect(),
        note_label: ctx.t("findings-note"),
        note: f.decision_note.unwrap_or_default(),
        decide_label: ctx.t("action-not-affected"),
        reopen_label: ctx.t("action-reopen"),
    };
    let status = if tpl.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    ctx.render_status(status, &tpl)
}

pub async fn view(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    page(&ctx, id, None).await
}

pub async fn decide(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let get = |k: &str| form.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let version: i64 = get("row_version").parse().unwrap_or(0);
    let (justification, note) = (get("justification"), get("note"));
    let decision = match get("action").as_str() {
        "reopen" => None,
        _ => {
            if justification.is_empty() || note.is_empty() {
                return page(&ctx, id, Some(ctx.t("error-decision-needs-reason"))).await;
            }
            Some((justification.as_str(), note.as_str()))
        }
    };
    match ctx
        .st
        .store
        .decide_finding(&actor, id, version, decision)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/findings/{id}")).into_response()),
        Err(StoreError::Invalid(_)) => page(&ctx, id, Some(ctx.t("err-not-in-list"))).await,
        Err(StoreError::Conflict(_)) => page(&ctx, id, Some(ctx.t("error-user-stale"))).await,
        Err(e) => Err(ctx.store_error(e)),
    }
}
