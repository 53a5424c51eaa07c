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

/// Findings the user may see, with the component's identifiers, for exports.
async fn export_rows(
    ctx: &Ctx,
) -> Result<
    Vec<(
        sonae_store::Finding,
        sonae_domain::inventory::Record,
        String,
    )>,
    crate::ctx::PageError,
> {
    let actor = ctx.require_actor()?;
    let store = &ctx.st.store;
    let found = store
        .findings(&actor, None, 5000)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let systems: HashMap<i64, String> = store
        .titles(&actor, Kind::System, sonae_domain::access::Access::Read)
        .await
        .map_err(|e| ctx.store_error(e))?
        .into_iter()
        .collect();
    let mut out = Vec::new();
    for f in found {
        let comp = store
            .get(&actor, Kind::Component, f.component_id)
            .await
            .map_err(|e| ctx.store_error(e))?;
        let sys = systems.get(&f.system_id).cloned().unwrap_or_default();
        out.push((f, comp, sys));
    }
    Ok(out)
}

/// `GET /findings.csv`: every visible finding with why it matched and the decision.
pub async fn export_csv(ctx: Ctx) -> PageResult {
    let rows = export_rows(&ctx).await?;
    let headers = [
        "system",
        "component",
        "version",
        "cpe",
        "purl",
        "vulnerability",
        "certainty",
        "reason",
        "status",
        "justification",
        "note",
    ];
    let data: Vec<Vec<String>> = rows
        .iter()
        .map(|(f, c, sys)| {
            vec![
                sys.clone(),
                c.get("product").to_input_string(),
                c.get("version").to_input_string(),
                c.get("cpe").to_input_string(),
                c.get("purl").to_input_string(),
                f.vuln_id.clone(),
                f.certainty.clone(),
                f.reason.clone(),
                f.status.clone(),
                f.justification.clone().unwrap_or_default(),
                f.decision_note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let bytes = sonae_import::write_csv(&headers, &data, sonae_import::TextEncoding::Utf8Bom)
        .map_err(|e| {
            ctx.error_text(
                StatusCode::UNPROCESSABLE_ENTITY,
                crate::csvio::import_error_text(&ctx, &e),
            )
        })?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"sonae-findings.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /findings/openvex.json`: the same as an OpenVEX document (v0.2.0):
/// "affected" for open findings, "not_affected" with the justification and
/// note for decided ones.
pub async fn export_openvex(ctx: Ctx) -> PageResult {
    let rows = export_rows(&ctx).await?;
    let author = ctx
        .user
        .as_ref()
        .map(|u| u.display_name.clone())
        .unwrap_or_default();
    let now = ctx.st.store.clock().now();
    let statements: Vec<serde_json::Value> = rows
        .iter()
        .map(|(f, c, sys)| {
            let product_id = c
                .get("purl")
                .as_text()
                .or(c.get("cpe").as_text())
                .map(str::to_owned)
                .unwrap_or_else(|| format!("urn:sonae:component:{}", c.id));
            let mut st = serde_json::json!({
                "vulnerability": { "name": f.vuln_id },
                "products": [{ "@id": product_id, "identifiers": { "sonae_system": sys } }],
                "status": if f.status == "not_affected" { "not_affected" } else { "affected" },
            });
            if f.status == "not_affected" {
                st["justification"] = serde_json::json!(f.justification);
                st["impact_statement"] = serde_json::json!(f.decision_note);
            } else {
                st["action_statement"] = serde_json::json!(f.reason);
            }
            st
        })
        .collect();
    let doc = serde_json::json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": format!("{}/findings/openvex.json#{}", ctx.st.config.base_url.trim_end_matches('/'), now.timestamp()),
        "author": author,
        "timestamp": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "version": 1,
        "statements": statements,
    });
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/json"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"sonae-openvex.json\"",
            ),
        ],
        doc.to_string(),
    )
        .into_response())
}
