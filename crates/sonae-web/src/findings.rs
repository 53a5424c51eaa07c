//! One finding: what matched and why, its priority with the facts behind
//! it, the workflow steps (DESIGN §4, seed 003 §3.3) the user may take now,
//! and its history.

use crate::ctx::{Ctx, Layout, PageResult};
use crate::inventory::Opt;

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use sonae_domain::finding::JUSTIFICATIONS;
use sonae_domain::workflow::{Direction, Refusal, Step, WorkPlan, TEST_ENVIRONMENTS};
use sonae_domain::Kind;
use sonae_store::StoreError;
use std::collections::HashMap;

pub struct LinkFact {
    pub label: String,
    pub text: String,
    pub href: Option<String>,
}

/// One input of a step's form.
pub struct StepField {
    pub name: &'static str,
    pub label: String,
    /// "text", "textarea", "date" or "select".
    pub kind: &'static str,
    pub required: bool,
    pub options: Vec<Opt>,
    pub value: String,
}

/// The form of one step the user may take.
pub struct StepForm {
    pub name: &'static str,
    pub label: String,
    pub hint: String,
    pub fields: Vec<StepField>,
}

pub struct EventRow {
    pub when: String,
    pub who: String,
    pub step: String,
    pub change: String,
    pub notes: Vec<String>,
}

#[derive(Template)]
#[template(path = "finding.html")]
struct FindingPage {
    l: Layout,
    error: Option<String>,
    facts: Vec<LinkFact>,
    action: String,
    version: i64,
    steps_heading: String,
    no_steps: String,
    steps: Vec<StepForm>,
    history_heading: String,
    history_empty: String,
    history_cols: Vec<String>,
    events: Vec<EventRow>,
}

fn label_of(ctx: &Ctx, prefix: &str, value: &str) -> String {
    ctx.t(&crate::i18n::key(prefix, value))
}

/// The localized status of a finding.
pub fn status_label(ctx: &Ctx, status: &str) -> String {
    label_of(ctx, "wf-status-", status)
}

/// The priority with the facts behind it, for lists and the finding page.
pub fn priority_text(
    ctx: &Ctx,
    f: &sonae_store::Finding,
    policy: &sonae_domain::priority::Policy,
) -> (String, String) {
    let a = policy.assess(&f.facts());
    let level = f
        .priority
        .clone()
        .unwrap_or_else(|| a.level.as_str().to_owned());
    (
        ctx.t(&format!("prio-level-{level}")),
        a.factors
            .iter()
            .map(|x| ctx.t(x.key))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

fn field(
    ctx: &Ctx,
    name: &'static str,
    kind: &'static str,
    required: bool,
    value: &str,
) -> StepField {
    StepField {
        name,
        label: ctx.t(&format!("wf-field-{}", name.replace('_', "-"))),
        kind,
        required,
        options: Vec::new(),
        value: value.to_owned(),
    }
}

fn select(
    ctx: &Ctx,
    name: &'static str,
    prefix: &str,
    values: &[&str],
    current: &str,
) -> StepField {
    StepField {
        options: values
            .iter()
            .map(|v| Opt {
                value: (*v).to_owned(),
                label: label_of(ctx, prefix, v),
                selected: *v == current,
            })
            .collect(),
        ..field(ctx, name, "select", true, "")
    }
}

fn step_form(
    ctx: &Ctx,
    name: &'static str,
    f: &sonae_store::Finding,
    form: &HashMap<String, String>,
) -> StepForm {
    let v = |k: &str| form.get(k).cloned().unwrap_or_default();
    let fields = match name {
        "start" | "agree" | "verify" | "mitigate" | "reject_acceptance" | "reopen" => {
            vec![field(
                ctx,
                "note",
                "textarea",
                !matches!(name, "start" | "agree"),
                &v("note"),
            )]
        }
        "investigated" => vec![field(ctx, "conditions", "textarea", true, &v("conditions"))],
        "direct" => vec![
            select(
                ctx,
                "direction",
                "wf-direction-",
                &Direction::ALL.map(|d| d.as_str()),
                &v("direction"),
            ),
            field(ctx, "impact", "textarea", true, &v("impact")),
        ],
        "plan" => {
            let p = f.work_plan.clone().unwrap_or_default();
            let or = |k: &str, current: String| if form.contains_key(k) { v(k) } else { current };
            vec![
                field(
                    ctx,
                    "scheduled",
                    "date",
                    true,
                    &or(
                        "scheduled",
                        if p.scheduled_ms > 0 {
                            ctx.date(p.scheduled_ms)
                        } else {
                            String::new()
                        },
                    ),
                ),
                field(
                    ctx,
                    "downtime",
                    "text",
                    false,
                    &or("downtime", p.downtime.clone()),
                ),
                select(
                    ctx,
                    "test_environment",
                    "wf-testenv-",
                    TEST_ENVIRONMENTS,
                    &or("test_environment", p.test_environment.clone()),
                ),
                field(ctx, "cost", "text", false, &or("cost", p.cost.clone())),
                field(ctx, "people", "text", true, &or("people", p.people.clone())),
            ]
        }
        "not_affected" => vec![
            select(
                ctx,
                "justification",
                "vex-",
                JUSTIFICATIONS,
                &v("justification"),
            ),
            field(ctx, "note", "textarea", true, &v("note")),
        ],
        "request_acceptance" => vec![field(ctx, "reason", "textarea", true, &v("reason"))],
        "confirm_possible" => vec![field(ctx, "note", "textarea", false, &v("note"))],
        "approve_acceptance" => vec![
            field(ctx, "expires", "date", true, &v("expires")),
            field(ctx, "note", "textarea", false, &v("note")),
        ],
        _ => Vec::new(),
    };
    StepForm {
        name,
        label: label_of(ctx, "wf-step-", name),
        hint: label_of(ctx, "wf-hint-", name),
        fields,
    }
}

/// Milliseconds at the start of a `YYYY-MM-DD` day in the organization's time zone.
fn day_ms(ctx: &Ctx, s: &str) -> Option<i64> {
    use chrono::TimeZone;
    let d = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    ctx.st
        .config
        .time_zone
        .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.timestamp_millis())
}

async fn page(
    ctx: &Ctx,
    id: i64,
    error: Option<String>,
    form: &HashMap<String, String>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    let store = &ctx.st.store;
    let f = store
        .finding(&actor, id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let policy = store
        .priority_policy()
        .await
        .map_err(|e| ctx.store_error(e))?;
    let now = store.clock().now_ms();
    let fact = |key: &str, text: String, href: Option<String>| LinkFact {
        label: ctx.t(key),
        text,
        href,
    };
    let (prio, why) = priority_text(ctx, &f, &policy);
    let mut facts = vec![
        fact(
            "findings-col-vuln",
            f.vuln_id.clone(),
            Some(format!("/vulns/{}", f.vuln_id)),
        ),
        fact(
            "kind-systems-one",
            f.system_name.clone(),
            Some(format!("/inventory/systems/{}", f.system_id)),
        ),
        fact(
            "findings-col-component",
            f.component_label.clone(),
            Some(format!("/inventory/components/{}", f.component_id)),
        ),
        fact(
            "findings-col-certainty",
            ctx.t(&format!("findings-certainty-{}", f.certainty)),
            None,
        ),
        fact("findings-col-reason", f.reason.clone(), None),
        fact("wf-priority", prio, None),
        fact("wf-why", why, None),
    ];
    if let Some(due) = f.due_at_ms {
        let mut text = ctx.date(due);
        if f.overdue(now) {
            text = format!("{text} — {}", ctx.t("wf-overdue"));
        }
        facts.push(fact("wf-due", text, None));
    }
    facts.push(fact(
        "findings-col-status",
        status_label(ctx, &f.status),
        None,
    ));
    if let Some(d) = &f.direction {
        facts.push(fact(
            "wf-field-direction",
            label_of(ctx, "wf-direction-", d),
            None,
        ));
    }
    if let Some(p) = &f.work_plan {
        facts.push(fact(
            "wf-field-plan",
            format!(
                "{} / {}: {} / {}: {} / {}: {} / {}: {}",
                ctx.date(p.scheduled_ms),
                ctx.t("wf-field-downtime"),
                p.downtime,
                ctx.t("wf-field-test-environment"),
                label_of(ctx, "wf-testenv-", &p.test_environment),
                ctx.t("wf-field-cost"),
                p.cost,
                ctx.t("wf-field-people"),
                p.people
            ),
            None,
        ));
        facts.push(fact(
            "wf-agreed",
            match (&f.agreed_by, f.agreed_at_ms) {
                (Some(who), Some(at)) => ctx.ta(
                    "wf-agreed-by",
                    &[("who", who.clone()), ("when", ctx.datetime(at))],
                ),
                _ => ctx.t("wf-not-agreed"),
            },
            None,
        ));
    }
    if let Some(who) = &f.acceptance_requested_by {
        facts.push(fact(
            "wf-status-risk-accepted",
            ctx.ta("wf-acceptance-requested", &[("who", who.clone())]),
            None,
        ));
    }
    if let (Some(who), Some(until)) = (&f.accepted_by, f.accepted_until_ms) {
        facts.push(fact(
            "wf-status-risk-accepted",
            ctx.ta(
                "wf-accepted",
                &[("who", who.clone()), ("until", ctx.date(until))],
            ),
            None,
        ));
    }
    if let Some(j) = &f.justification {
        facts.push(fact(
            "findings-justification",
            label_of(ctx, "vex-", j),
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
    let mut offered = store
        .offered_steps(&actor, &f)
        .await
        .map_err(|e| ctx.store_error(e))?;
    // A possible finding (no comparable version data): a person who may
    // work on the system confirms it here, or dismisses it as not affected.
    if f.certainty == "possible" && !offered.is_empty() {
        offered.insert(0, "confirm_possible");
    }
    let steps = offered
        .into_iter()
        .map(|name| {
            // Keep what the user typed only in the form they sent.
            let empty = HashMap::new();
            let values = if form.get("step").map(String::as_str) == Some(name) {
                form
            } else {
                &empty
            };
            step_form(ctx, name, &f, values)
        })
        .collect();
    let events = store
        .finding_events(&actor, id)
        .await
        .map_err(|e| ctx.store_error(e))?
        .into_iter()
        .map(|e| EventRow {
            when: ctx.datetime(e.at_ms),
            who: e.actor.clone(),
            step: label_of(ctx, "wf-step-", &e.step),
            change: if e.from_status == e.to_status {
                status_label(ctx, &e.to_status)
            } else {
                format!(
                    "{} → {}",
                    status_label(ctx, &e.from_status),
                    status_label(ctx, &e.to_status)
                )
            },
            notes: e
                .data
                .iter()
                .filter_map(|(k, v)| event_note(ctx, k, v))
                .collect(),
        })
        .collect();
    let tpl = FindingPage {
        l: ctx.layout(format!("{} — {}", f.vuln_id, f.component_label)),
        error,
        facts,
        action: format!("/findings/{id}/step"),
        version: f.version,
        steps_heading: ctx.t("wf-next-steps"),
        no_steps: ctx.t("wf-no-steps"),
        steps,
        history_heading: ctx.t("wf-history"),
        history_empty: ctx.t("wf-history-empty"),
        history_cols: [
            "wf-col-when",
            "wf-col-who",
            "wf-col-step",
            "wf-col-change",
            "wf-col-notes",
        ]
        .iter()
        .map(|k| ctx.t(k))
        .collect(),
        events,
    };
    let status = if tpl.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    ctx.render_status(status, &tpl)
}

/// One recorded note of a history entry, labelled in the user's language.
fn event_note(ctx: &Ctx, key: &str, v: &serde_json::Value) -> Option<String> {
    let text = match (key, v) {
        (_, serde_json::Value::String(s)) if s.is_empty() => return None,
        ("direction", serde_json::Value::String(s)) => label_of(ctx, "wf-direction-", s),
        ("justification", serde_json::Value::String(s)) => label_of(ctx, "vex-", s),
        ("expires_ms" | "accepted_until", serde_json::Value::Number(n)) => ctx.date(n.as_i64()?),
        ("fix_known", serde_json::Value::Bool(b)) => {
            ctx.t(if *b { "value-yes" } else { "value-no" })
        }
        ("plan", serde_json::Value::Object(_)) => {
            let p: WorkPlan = serde_json::from_value(v.clone()).ok()?;
            format!(
                "{}, {}, {}, {}, {}",
                ctx.date(p.scheduled_ms),
                p.downtime,
                label_of(ctx, "wf-testenv-", &p.test_environment),
                p.cost,
                p.people
            )
        }
        ("reason", serde_json::Value::String(s)) => s.clone(),
        (_, serde_json::Value::String(s)) => s.clone(),
        _ => return None,
    };
    Some(format!(
        "{}: {text}",
        ctx.t(&format!("wf-field-{}", key.replace('_', "-")))
    ))
}

pub async fn view(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    page(&ctx, id, None, &HashMap::new()).await
}

/// Read a step and its notes from a submitted form.
pub fn parse_step(ctx: &Ctx, form: &HashMap<String, String>) -> Result<Step, Refusal> {
    let get = |k: &str| form.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    Ok(match get("step").as_str() {
        "start" => Step::Start { note: get("note") },
        "investigated" => Step::Investigated {
            conditions: get("conditions"),
        },
        "direct" => Step::Direct {
            direction: Direction::parse(&get("direction")).ok_or(Refusal::Missing("direction"))?,
            impact: get("impact"),
        },
        "plan" => Step::Plan(WorkPlan {
            scheduled_ms: day_ms(ctx, &get("scheduled")).ok_or(Refusal::Missing("scheduled"))?,
            downtime: get("downtime"),
            test_environment: get("test_environment"),
            cost: get("cost"),
            people: get("people"),
        }),
        "agree" => Step::Agree { note: get("note") },
        "implement" => Step::Implement,
        "verify" => Step::Verify { note: get("note") },
        "mitigate" => Step::Mitigate {
            note: get("note"),
            fix_known: false,
        },
        "not_affected" => Step::NotAffected {
            justification: get("justification"),
            note: get("note"),
        },
        "request_acceptance" => Step::RequestAcceptance {
            reason: get("reason"),
        },
        "approve_acceptance" => Step::ApproveAcceptance {
            expires_ms: day_ms(ctx, &get("expires")).ok_or(Refusal::Missing("expires"))?,
            note: get("note"),
        },
        "reject_acceptance" => Step::RejectAcceptance { note: get("note") },
        "reopen" => Step::Reopen { note: get("note") },
        _ => return Err(Refusal::WrongState),
    })
}

/// The user's message for a refused step.
pub fn refusal_text(ctx: &Ctx, r: Refusal) -> String {
    match r {
        Refusal::Missing(field) => ctx.ta(
            "wf-err-missing",
            &[(
                "field",
                ctx.t(&format!("wf-field-{}", field.replace('_', "-"))),
            )],
        ),
        other => ctx.t(other.key()),
    }
}

/// `POST /findings/{id}/step`: take one workflow step.
pub async fn step(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let version: i64 = form
        .get("row_version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if form.get("step").map(String::as_str) == Some("confirm_possible") {
        let note = form.get("note").map(|s| s.trim()).unwrap_or_default();
        return match ctx.st.store.confirm_possible(&actor, id, note).await {
            Ok(()) => Ok(Redirect::to(&format!("/findings/{id}")).into_response()),
            Err(StoreError::Workflow(Refusal::NotPermitted)) => {
                Err(ctx.error(StatusCode::FORBIDDEN, "wf-err-permission"))
            }
            Err(StoreError::Workflow(r)) => {
                page(&ctx, id, Some(refusal_text(&ctx, r)), &form).await
            }
            Err(StoreError::Conflict(_)) => {
                page(&ctx, id, Some(ctx.t("wf-err-stale")), &HashMap::new()).await
            }
            Err(e) => Err(ctx.store_error(e)),
        };
    }
    let step = match parse_step(&ctx, &form) {
        Ok(s) => s,
        Err(r) => return page(&ctx, id, Some(refusal_text(&ctx, r)), &form).await,
    };
    match ctx.st.store.finding_step(&actor, id, version, step).await {
        Ok(()) => Ok(Redirect::to(&format!("/findings/{id}")).into_response()),
        Err(StoreError::Workflow(Refusal::NotPermitted)) => {
            Err(ctx.error(StatusCode::FORBIDDEN, "wf-err-permission"))
        }
        Err(StoreError::Workflow(r)) => page(&ctx, id, Some(refusal_text(&ctx, r)), &form).await,
        Err(StoreError::Conflict(_)) => {
            page(&ctx, id, Some(ctx.t("wf-err-stale")), &HashMap::new()).await
        }
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
        "priority",
        "due",
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
                f.priority.clone().unwrap_or_default(),
                f.due_at_ms.map(|d| ctx.date(d)).unwrap_or_default(),
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
            // OpenVEX statuses from the workflow: not yet looked at or
            // being investigated is "under_investigation", verified is "fixed".
            let status = match f.status.as_str() {
                "not_affected" => "not_affected",
                "verified" => "fixed",
                "new" | "investigating" => "under_investigation",
                _ => "affected",
            };
            let mut st = serde_json::json!({
                "vulnerability": { "name": f.vuln_id },
                "products": [{ "@id": product_id, "identifiers": { "sonae_system": sys } }],
                "status": status,
            });
            if status == "not_affected" {
                st["justification"] = serde_json::json!(f.justification);
                st["impact_statement"] = serde_json::json!(f.decision_note);
            } else if status == "affected" {
                st["action_statement"] = serde_json::json!(format!("{} ({})", f.status, f.reason));
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

/// `GET /findings/cyclonedx-vex.json`: the findings as a CycloneDX 1.5 VEX
/// document: each component once (by its package URL or CPE), each
/// vulnerability with the components it affects and the analysis from the
/// workflow (state, justification, response, detail).
pub async fn export_cyclonedx_vex(ctx: Ctx) -> PageResult {
    let rows = export_rows(&ctx).await?;
    let now = ctx.st.store.clock().now();
    let mut components: Vec<serde_json::Value> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut vulns: Vec<serde_json::Value> = Vec::new();
    for (f, c, sys) in &rows {
        let bom_ref = format!("component-{}", c.id);
        if seen.insert(c.id) {
            let mut comp = serde_json::json!({
                "type": "application",
                "bom-ref": bom_ref,
                "name": c.get("product").to_input_string(),
                "properties": [{ "name": "sonae:system", "value": sys }],
            });
            for (field, key) in [("version", "version"), ("purl", "purl"), ("cpe", "cpe")] {
                if let Some(v) = c.get(field).as_text() {
                    comp[key] = serde_json::json!(v);
                }
            }
            components.push(comp);
        }
        // CycloneDX analysis states and responses from the workflow.
        let (state, response) = match f.status.as_str() {
            "not_affected" => ("not_affected", None),
            "verified" => ("resolved", Some("update")),
            "mitigated" => ("exploitable", Some("workaround_available")),
            "risk_accepted" => ("exploitable", Some("will_not_fix")),
            "new" => ("in_triage", None),
            "investigating" => ("in_triage", None),
            _ => ("exploitable", Some("update")),
        };
        let mut analysis = serde_json::json!({ "state": state, "detail": f.reason });
        if let Some(j) = &f.justification {
            // CycloneDX names VEX justifications differently.
            let cdx = match j.as_str() {
                "component_not_present" => "requires_dependency",
                "vulnerable_code_not_present" => "code_not_present",
                "vulnerable_code_not_in_execute_path" => "code_not_reachable",
                "vulnerable_code_cannot_be_controlled_by_adversary" => {
                    "protected_by_mitigating_control"
                }
                _ => "protected_at_runtime",
            };
            analysis["justification"] = serde_json::json!(cdx);
            analysis["detail"] = serde_json::json!(f.decision_note.clone().unwrap_or_default());
        }
        if let Some(r) = response {
            analysis["response"] = serde_json::json!([r]);
        }
        let source = if f.vuln_id.starts_with("CVE-") {
            serde_json::json!({"name": "NVD", "url": format!("https://nvd.nist.gov/vuln/detail/{}", f.vuln_id)})
        } else if f.vuln_id.starts_with("JVNDB-") {
            serde_json::json!({"name": "JVN iPedia"})
        } else {
            serde_json::json!({"name": "OSV", "url": format!("https://osv.dev/vulnerability/{}", f.vuln_id)})
        };
        vulns.push(serde_json::json!({
            "bom-ref": format!("finding-{}", f.id),
            "id": f.vuln_id,
            "source": source,
            "analysis": analysis,
            "affects": [{ "ref": bom_ref }],
        }));
    }
    let doc = serde_json::json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "metadata": {
            "timestamp": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "tools": { "components": [{ "type": "application", "name": "sonae", "version": env!("CARGO_PKG_VERSION") }] },
        },
        "components": components,
        "vulnerabilities": vulns,
    });
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.cyclonedx+json",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"sonae-cyclonedx-vex.json\"",
            ),
        ],
        doc.to_string(),
    )
        .into_response())
}
