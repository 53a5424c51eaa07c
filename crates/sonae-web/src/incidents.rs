//! Incident pages (DESIGN §5): the list, the report form any signed-in
//! person can use, and the incident's page with its phase, whom to call,
//! checklists, work log, decisions, evidence and the similar-system sweep;
//! plus each system's response route.

use crate::ctx::{Ctx, Layout, Link, PageResult};
use crate::i18n::key;
use crate::inventory::Opt;
use crate::Lang;
use askama::Template;
use axum::extract::{Multipart, Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use sonae_domain::access::Access;
use sonae_domain::incident::{self, Phase, CATEGORIES};
use sonae_domain::{FieldError, Kind};
use sonae_store::{may_manage_incidents, NewIncident, Route, StoreError};
use std::collections::HashMap;

/// Parse a `datetime-local` value in the organization's time zone.
pub fn local_ms(ctx: &Ctx, s: &str) -> Option<i64> {
    use chrono::TimeZone;
    let s = s.trim();
    let t = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
        })
        .ok()?;
    ctx.st
        .config
        .time_zone
        .from_local_datetime(&t)
        .earliest()
        .map(|t| t.timestamp_millis())
}

fn local_input(ctx: &Ctx, ms: i64) -> String {
    ctx.datetime(ms).replace(' ', "T")
}

fn errors_text(ctx: &Ctx, errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| {
            let (min, max) = match e.kind {
                sonae_domain::FieldErrorKind::OutOfRange { min, max } => (min, max),
                _ => (0, 0),
            };
            let maxlen = match e.kind {
                sonae_domain::FieldErrorKind::TooLong { max } => max,
                _ => 0,
            };
            format!(
                "{}: {}",
                ctx.t(&key("inc-field-", e.field)),
                ctx.ta(
                    e.kind.message_key(),
                    &[
                        ("min", min.to_string()),
                        (
                            "max",
                            if maxlen > 0 {
                                maxlen.to_string()
                            } else {
                                max.to_string()
                            }
                        ),
                    ]
                )
            )
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

// ---- list ---------------------------------------------------------------

pub struct IncidentRow {
    pub href: String,
    pub reference: String,
    pub title: String,
    pub category: String,
    pub level: String,
    pub phase: String,
    pub discovered: String,
    pub systems: String,
    pub badge: Option<String>,
}

#[derive(Template)]
#[template(path = "incidents.html")]
struct ListPage {
    l: Layout,
    intro: String,
    new_label: String,
    toggle_href: String,
    toggle_label: String,
    columns: Vec<String>,
    rows: Vec<IncidentRow>,
    empty: String,
}

async fn system_names(
    ctx: &Ctx,
    actor: &sonae_domain::Actor,
) -> Result<HashMap<i64, String>, crate::ctx::PageError> {
    Ok(ctx
        .st
        .store
        .titles(actor, Kind::System, Access::Read)
        .await
        .map_err(|e| ctx.store_error(e))?
        .into_iter()
        .collect())
}

/// `GET /incidents`.
pub async fn list(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> PageResult {
    let actor = ctx.require_actor()?;
    let all = q.get("all").is_some_and(|v| v == "1");
    let incidents = ctx
        .st
        .store
        .incidents(&actor, !all)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let names = system_names(&ctx, &actor).await?;
    let badges = crate::statement::list_badges(&ctx, &incidents).await;
    let rows = incidents
        .iter()
        .map(|i| IncidentRow {
            href: format!("/incidents/{}", i.id),
            reference: i.reference.clone(),
            title: i.title.clone(),
            category: ctx.t(&key("inc-cat-", &i.category)),
            level: ctx.ta("inc-level-n", &[("n", i.level.to_string())]),
            phase: ctx.t(&key("inc-phase-", &i.phase)),
            discovered: ctx.datetime(i.discovered_at_ms),
            systems: i
                .system_ids
                .iter()
                .filter_map(|s| names.get(s).cloned())
                .collect::<Vec<_>>()
                .join(", "),
            badge: badges.get(&i.id).cloned(),
        })
        .collect();
    let tpl = ListPage {
        l: ctx.layout(ctx.t("inc-title")),
        intro: ctx.t("inc-intro"),
        new_label: ctx.t("inc-new"),
        toggle_href: if all {
            "/incidents".into()
        } else {
            "/incidents?all=1".into()
        },
        toggle_label: ctx.t(if all { "inc-open-only" } else { "inc-show-all" }),
        columns: [
            "inc-col-ref",
            "inc-col-title",
            "inc-col-category",
            "inc-col-level",
            "inc-col-phase",
            "inc-col-discovered",
            "inc-col-systems",
        ]
        .iter()
        .map(|k| ctx.t(k))
        .collect(),
        rows,
        empty: ctx.t("inc-empty"),
    };
    ctx.render(&tpl)
}

// ---- report form ----------------------------------------------------------

pub struct Check {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "incident_new.html")]
struct NewPage {
    l: Layout,
    intro: String,
    error: Option<String>,
    title_label: String,
    title: String,
    category_label: String,
    categories: Vec<Opt>,
    level_label: String,
    levels: Vec<Opt>,
    discovered_label: String,
    discovered: String,
    summary_label: String,
    summary: String,
    pd_label: String,
    pds: Vec<Opt>,
    systems_label: String,
    systems: Vec<Check>,
    submit: String,
}

async fn new_page(
    ctx: &Ctx,
    form: &HashMap<String, String>,
    chosen: &[i64],
    error: Option<String>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let levels = incident::levels().map_err(|e| {
        tracing::error!(error = %e, "incident levels");
        ctx.error(StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
    })?;
    let level = form.get("level").cloned().unwrap_or_else(|| "1".into());
    let category = get("category");
    let pd = form
        .get("personal_data")
        .cloned()
        .unwrap_or_else(|| "unknown".into());
    let mut names: Vec<(i64, String)> = system_names(ctx, &actor).await?.into_iter().collect();
    names.sort_by(|a, b| a.1.cmp(&b.1));
    let tpl = NewPage {
        l: ctx.layout(ctx.t("inc-new-title")),
        intro: ctx.t("inc-new-intro"),
        error,
        title_label: ctx.t("inc-field-title"),
        title: get("title"),
        category_label: ctx.t("inc-field-category"),
        categories: CATEGORIES
            .iter()
            .map(|c| Opt {
                value: (*c).to_owned(),
                label: ctx.t(&key("inc-cat-", c)),
                selected: category == *c,
            })
            .collect(),
        level_label: ctx.t("inc-field-level"),
        levels: levels
            .levels
            .iter()
            .map(|l| Opt {
                value: l.level.to_string(),
                label: format!(
                    "{} — {}",
                    ctx.ta("inc-level-n", &[("n", l.level.to_string())]),
                    if ctx.tr.lang == Lang::Ja {
                        &l.ja
                    } else {
                        &l.en
                    }
                ),
                selected: level == l.level.to_string(),
            })
            .collect(),
        discovered_label: ctx.t("inc-field-discovered-at"),
        discovered: form
            .get("discovered_at")
            .cloned()
            .unwrap_or_else(|| local_input(ctx, ctx.st.store.clock().now_ms())),
        summary_label: ctx.t("inc-field-summary"),
        summary: get("summary"),
        pd_label: ctx.t("inc-field-personal-data"),
        pds: ["unknown", "no", "yes"]
            .iter()
            .map(|p| Opt {
                value: (*p).to_owned(),
                label: ctx.t(&format!("inc-pd-{p}")),
                selected: pd == *p,
            })
            .collect(),
        systems_label: ctx.t("inc-field-system-ids"),
        systems: names
            .into_iter()
            .map(|(id, name)| Check {
                value: id.to_string(),
                label: name,
                checked: chosen.contains(&id),
            })
            .collect(),
        submit: ctx.t("inc-submit"),
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

/// `GET /incidents/new`.
pub async fn new_form(ctx: Ctx) -> PageResult {
    new_page(&ctx, &HashMap::new(), &[], None).await
}

/// Split a urlencoded body into single fields and the repeated `key`.
fn form_with_list(body: &str, list_key: &str) -> (HashMap<String, String>, Vec<i64>) {
    let mut form = HashMap::new();
    let mut list = Vec::new();
    for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
        if k == list_key {
            if let Ok(id) = v.parse() {
                list.push(id);
            }
        } else {
            form.insert(k.into_owned(), v.into_owned());
        }
    }
    (form, list)
}

/// `POST /incidents`: anyone signed in reports; the playbooks start.
pub async fn create(ctx: Ctx, body: String) -> PageResult {
    let actor = ctx.require_actor()?;
    let (form, systems) = form_with_list(&body, "system_ids");
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let get = |k: &str| form.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let n = NewIncident {
        title: get("title"),
        category: get("category"),
        level: get("level").parse().unwrap_or(-1),
        discovered_at_ms: local_ms(&ctx, &get("discovered_at")).unwrap_or(0),
        summary: get("summary"),
        personal_data: get("personal_data"),
        system_ids: systems.clone(),
    };
    match ctx.st.store.create_incident(&actor, &n).await {
        Ok(id) => Ok(Redirect::to(&format!("/incidents/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            new_page(&ctx, &form, &systems, Some(errors_text(&ctx, &errors))).await
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}

// ---- the incident page ------------------------------------------------------

pub struct Fact {
    pub label: String,
    pub text: String,
}

pub struct ContactRow {
    pub system: String,
    pub role: String,
    pub name: String,
    pub phone: String,
    pub after_hours: String,
    pub hours: String,
    pub email: String,
}

pub struct TaskRow {
    pub id: i64,
    pub title: String,
    pub done: bool,
    pub status: String,
    pub may_tick: bool,
}

pub struct TaskSection {
    pub title: String,
    pub phase: String,
    pub tasks: Vec<TaskRow>,
}

pub struct LogRow {
    pub id: i64,
    pub at: String,
    pub who: String,
    pub kind: String,
    pub text: String,
    pub corrects: Option<String>,
}

pub struct DecisionRow {
    pub at: String,
    pub decider: String,
    pub decision: String,
    pub authority: String,
    pub basis: String,
    pub recorded_by: String,
    pub warning: Option<String>,
}

pub struct EvidenceRow {
    pub id: i64,
    pub item: String,
    pub location: String,
    pub sha256: String,
    pub collected_by: String,
    pub custody: Vec<String>,
    pub download: Option<String>,
}

pub struct SweepRow {
    pub system: String,
    pub product: String,
    pub same: bool,
}

#[derive(Template)]
#[template(path = "incident.html")]
struct IncidentPage {
    l: Layout,
    cost: String,
    id: i64,
    version: i64,
    error: Option<String>,
    facts: Vec<Fact>,
    statement: Vec<crate::statement::SummaryLine>,
    manage: bool,
    contribute: bool,
    t: HashMap<&'static str, String>,
    next_phase: Option<(String, String)>,
    back_phases: Vec<Opt>,
    levels: Vec<Opt>,
    contacts: Vec<ContactRow>,
    sections: Vec<TaskSection>,
    phases: Vec<Opt>,
    vendors: Vec<Opt>,
    all_tasks: Vec<Opt>,
    log: Vec<LogRow>,
    decisions: Vec<DecisionRow>,
    authorities: Vec<Opt>,
    systems: Vec<Opt>,
    evidence: Vec<EvidenceRow>,
    sweep: Vec<SweepRow>,
}

const LABELS: &[&str] = &[
    "inc-phase-heading",
    "inc-phase-back",
    "inc-phase-back-note",
    "inc-level-change",
    "inc-field-cost-yen",
    "inc-cost-save",
    "inc-field-level",
    "inc-field-note",
    "inc-contacts-heading",
    "inc-contacts-empty",
    "inc-col-contact-system",
    "inc-col-contact-role",
    "inc-col-contact-name",
    "inc-col-contact-phone",
    "inc-col-contact-after-hours",
    "inc-col-contact-hours",
    "inc-col-contact-email",
    "inc-tasks-heading",
    "inc-task-tick",
    "inc-task-untick",
    "inc-task-assign",
    "inc-task-add",
    "inc-field-title",
    "inc-field-phase",
    "inc-field-assignee",
    "inc-field-vendor",
    "inc-field-due",
    "inc-log-heading",
    "inc-log-intro",
    "inc-log-add",
    "inc-field-text",
    "inc-field-corrects",
    "inc-col-log-no",
    "inc-col-log-at",
    "inc-col-log-who",
    "inc-col-log-kind",
    "inc-col-log-entry",
    "inc-decisions-heading",
    "inc-decision-add",
    "inc-field-decider",
    "inc-field-decision",
    "inc-field-authority",
    "inc-field-system-id",
    "inc-field-basis",
    "inc-col-decided-at",
    "inc-col-decider",
    "inc-col-decision",
    "inc-col-authority",
    "inc-col-basis",
    "inc-col-recorded-by",
    "inc-evidence-heading",
    "inc-evidence-add",
    "inc-evidence-handover",
    "inc-field-item",
    "inc-field-location",
    "inc-field-collected-by",
    "inc-field-sha256",
    "inc-field-file",
    "inc-field-from",
    "inc-field-to",
    "inc-col-item",
    "inc-col-location",
    "inc-col-sha256",
    "inc-col-collected-by",
    "inc-col-custody",
    "inc-evidence-download",
    "inc-sweep-heading",
    "inc-sweep-intro",
    "inc-sweep-same",
    "inc-sweep-empty",
    "inc-sweep-to-tasks",
    "rev-link",
    "rep-link",
    "rep-json",
];

async fn incident_page(ctx: &Ctx, id: i64, error: Option<String>) -> PageResult {
    let actor = ctx.require_actor()?;
    let store = &ctx.st.store;
    let err = |e| ctx.store_error(e);
    let inc = store.incident(&actor, id).await.map_err(err)?;
    let names = system_names(ctx, &actor).await?;
    let ja = ctx.tr.lang == Lang::Ja;
    let levels = incident::levels().map_err(|e| {
        tracing::error!(error = %e, "incident levels");
        ctx.error(StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
    })?;
    let level = levels.levels.iter().find(|l| l.level == inc.level);
    let roles = |rs: &[String]| {
        rs.iter()
            .map(|r| ctx.t(&key("role-", r)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut facts = vec![
        Fact {
            label: ctx.t("inc-col-ref"),
            text: inc.reference.clone(),
        },
        Fact {
            label: ctx.t("inc-col-category"),
            text: ctx.t(&key("inc-cat-", &inc.category)),
        },
        Fact {
            label: ctx.t("inc-col-level"),
            text: format!(
                "{} — {}",
                ctx.ta("inc-level-n", &[("n", inc.level.to_string())]),
                level
                    .map(|l| if ja { l.ja.clone() } else { l.en.clone() })
                    .unwrap_or_default()
            ),
        },
        Fact {
            label: ctx.t("inc-col-phase"),
            text: ctx.t(&key("inc-phase-", &inc.phase)),
        },
        Fact {
            label: ctx.t("inc-col-discovered"),
            text: ctx.datetime(inc.discovered_at_ms),
        },
        Fact {
            label: ctx.t("inc-field-summary"),
            text: format!(
                "{} ({})",
                inc.summary,
                ctx.ta(
                    "inc-reported",
                    &[
                        ("who", inc.reported_by.clone()),
                        ("when", ctx.datetime(inc.created_at_ms))
                    ]
                )
            ),
        },
        Fact {
            label: ctx.t("inc-field-personal-data"),
            text: ctx.t(&format!("inc-pd-{}", inc.personal_data)),
        },
        Fact {
            label: ctx.t("inc-col-systems"),
            text: inc
                .system_ids
                .iter()
                .filter_map(|s| names.get(s).cloned())
                .collect::<Vec<_>>()
                .join(", "),
        },
    ];
    if let Some(y) = inc.cost_yen {
        facts.push(Fact {
            label: ctx.t("inc-field-cost-yen"),
            text: ctx.ta("inc-cost-value", &[("yen", y.to_string())]),
        });
    }
    // The business processes that depend on the affected systems, with
    // the RTO each needs (DESIGN §5, §6).
    if actor.role != sonae_domain::Role::Vendor {
        let touched: Vec<String> = store
            .processes(&actor)
            .await
            .map_err(err)?
            .into_iter()
            .filter(|p| p.system_ids.iter().any(|s| inc.system_ids.contains(s)))
            .map(|p| match p.rto_hours {
                Some(h) => format!("{} (RTO {h} h)", p.name),
                None => p.name,
            })
            .collect();
        if !touched.is_empty() {
            facts.push(Fact {
                label: ctx.t("inc-processes"),
                text: touched.join(", "),
            });
        }
    }
    if let Some(l) = level {
        facts.push(Fact {
            label: ctx.t("inc-responders"),
            text: roles(&l.responders),
        });
        let mut tell = roles(&l.notify);
        if l.chief_executive {
            tell = [tell, ctx.t("inc-chief-exec")]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
        }
        facts.push(Fact {
            label: ctx.t("inc-must-tell"),
            text: tell,
        });
    }
    let statement = crate::statement::incident_summary(ctx, &actor, &inc).await?;
    let manage = may_manage_incidents(&actor);
    let contribute = actor.role != sonae_domain::Role::Auditor;
    let phase = Phase::parse(&inc.phase).unwrap_or(Phase::Detect);
    let next_phase = phase.next().filter(|_| phase != Phase::Closed).map(|p| {
        (
            p.as_str().to_owned(),
            ctx.ta(
                "inc-phase-next",
                &[("phase", ctx.t(&key("inc-phase-", p.as_str())))],
            ),
        )
    });
    let back_phases = Phase::ALL
        .iter()
        .filter(|p| **p < phase || (phase == Phase::Closed && **p == Phase::Learn))
        .filter(|p| incident::phase_change_allowed(phase, **p))
        .map(|p| Opt {
            value: p.as_str().to_owned(),
            label: ctx.t(&key("inc-phase-", p.as_str())),
            selected: false,
        })
        .collect();
    let level_opts = (0..=3)
        .map(|n| Opt {
            value: n.to_string(),
            label: ctx.ta("inc-level-n", &[("n", n.to_string())]),
            selected: n == inc.level,
        })
        .collect();
    let contacts = store
        .incident_contacts(&actor, id)
        .await
        .map_err(err)?
        .into_iter()
        .map(|c| ContactRow {
            system: c.system,
            role: ctx.t(&key("inc-contact-", c.role)),
            name: c.name,
            phone: c.phone.unwrap_or_default(),
            after_hours: c.after_hours_phone.unwrap_or_default(),
            hours: c.reachable_hours.unwrap_or_default(),
            email: c.email.unwrap_or_default(),
        })
        .collect();
    let vendor_names: HashMap<i64, String> = store
        .titles(&actor, Kind::Vendor, Access::Read)
        .await
        .map_err(err)?
        .into_iter()
        .collect();
    let tasks = store.incident_tasks(&actor, id).await.map_err(err)?;
    let mut sections: Vec<TaskSection> = Vec::new();
    let mut last_key = String::new();
    for t in &tasks {
        let section_key = format!("{}/{}", t.playbook, t.section);
        if section_key != last_key {
            sections.push(TaskSection {
                title: if ja {
                    t.section_ja.clone()
                } else {
                    t.section_en.clone()
                },
                phase: ctx.t(&key("inc-phase-", &t.phase)),
                tasks: Vec::new(),
            });
            last_key = section_key;
        }
        let mut status = Vec::new();
        if let Some(who) = t
            .assignee
            .clone()
            .or_else(|| t.vendor_id.and_then(|v| vendor_names.get(&v).cloned()))
        {
            status.push(ctx.ta("inc-task-assigned", &[("who", who)]));
        }
        if let Some(d) = t.due_at_ms {
            status.push(ctx.ta("inc-task-due", &[("when", ctx.datetime(d))]));
        }
        if let (Some(at), Some(by)) = (t.done_at_ms, &t.done_by) {
            status.push(ctx.ta(
                "inc-task-done",
                &[("who", by.clone()), ("when", ctx.datetime(at))],
            ));
        }
        if let Some(n) = &t.note {
            status.push(n.clone());
        }
        let may_tick = contribute
            && (actor.role != sonae_domain::Role::Vendor
                || (t.vendor_id.is_some() && t.vendor_id == actor.vendor_id));
        if let Some(s) = sections.last_mut() {
            s.tasks.push(TaskRow {
                id: t.id,
                title: if ja {
                    t.title_ja.clone()
                } else {
                    t.title_en.clone()
                },
                done: t.done_at_ms.is_some(),
                status: status.join(" · "),
                may_tick,
            });
        }
    }
    let all_tasks = tasks
        .iter()
        .map(|t| Opt {
            value: t.id.to_string(),
            label: if ja {
                t.title_ja.clone()
            } else {
                t.title_en.clone()
            }
            .chars()
            .take(80)
            .collect(),
            selected: false,
        })
        .collect();
    let log = store
        .incident_log(&actor, id)
        .await
        .map_err(err)?
        .into_iter()
        .map(|e| LogRow {
            id: e.id,
            at: ctx.datetime(e.at_ms),
            who: e.actor,
            kind: ctx.t(&key("inc-log-kind-", &e.kind)),
            text: log_text(ctx, &e.kind, &e.body, &names),
            corrects: e
                .corrects
                .map(|c| ctx.ta("inc-log-corrects", &[("id", c.to_string())])),
        })
        .collect();
    let decisions = store
        .incident_decisions(&actor, id)
        .await
        .map_err(err)?
        .into_iter()
        .map(|d| {
            let system = d
                .system_id
                .and_then(|s| names.get(&s).cloned())
                .unwrap_or_default();
            DecisionRow {
                at: ctx.datetime(d.at_ms),
                warning: (!d.authorized).then(|| {
                    ctx.ta(
                        "inc-decision-warning",
                        &[("decider", d.decider.clone()), ("system", system.clone())],
                    )
                }),
                decider: d.decider,
                decision: d.decision,
                authority: format!(
                    "{}{}",
                    ctx.t(&key("inc-authority-", &d.authority)),
                    if system.is_empty() {
                        String::new()
                    } else {
                        format!(" ({system})")
                    }
                ),
                basis: d.basis,
                recorded_by: d.recorded_by,
            }
        })
        .collect();
    let evidence = store
        .incident_evidence(&actor, id)
        .await
        .map_err(err)?
        .into_iter()
        .map(|e| EvidenceRow {
            id: e.id,
            item: e.item,
            location: match &e.file_name {
                Some(f) => format!("{} ({f}, {} B)", e.location, e.file_size.unwrap_or(0)),
                None => e.location.clone(),
            },
            sha256: e.sha256.unwrap_or_default(),
            collected_by: format!("{} ({})", e.collected_by, ctx.datetime(e.at_ms)),
            custody: e
                .custody
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
                .collect(),
            download: e
                .file_name
                .as_ref()
                .map(|_| format!("/incidents/{id}/evidence/{}", e.id)),
        })
        .collect();
    let sweep = store
        .similar_systems(&actor, id)
        .await
        .map_err(err)?
        .into_iter()
        .map(|h| SweepRow {
            system: h.system,
            product: match h.version {
                Some(v) => format!("{} {v}", h.product),
                None => h.product,
            },
            same: h.same_version,
        })
        .collect();
    let mut t = HashMap::new();
    for k in LABELS {
        t.insert(*k, ctx.t(k));
    }
    let tpl = IncidentPage {
        l: ctx.layout(format!("{} {}", inc.reference, inc.title)),
        cost: inc.cost_yen.map(|c| c.to_string()).unwrap_or_default(),
        id,
        version: inc.version,
        error,
        facts,
        statement,
        manage,
        contribute,
        t,
        next_phase,
        back_phases,
        levels: level_opts,
        contacts,
        sections,
        phases: Phase::ALL
            .iter()
            .filter(|p| **p != Phase::Closed)
            .map(|p| Opt {
                value: p.as_str().to_owned(),
                label: ctx.t(&key("inc-phase-", p.as_str())),
                selected: *p == phase,
            })
            .collect(),
        vendors: {
            let mut v: Vec<Opt> = vendor_names
                .iter()
                .map(|(id, n)| Opt {
                    value: id.to_string(),
                    label: n.clone(),
                    selected: false,
                })
                .collect();
            v.sort_by(|a, b| a.label.cmp(&b.label));
            v
        },
        all_tasks,
        log,
        decisions,
        authorities: ["stop_system", "command", "other"]
            .iter()
            .map(|a| Opt {
                value: (*a).to_owned(),
                label: ctx.t(&key("inc-authority-", a)),
                selected: false,
            })
            .collect(),
        systems: inc
            .system_ids
            .iter()
            .map(|s| Opt {
                value: s.to_string(),
                label: names.get(s).cloned().unwrap_or_default(),
                selected: false,
            })
            .collect(),
        evidence,
        sweep,
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

/// A log entry's body in words: notes as written, structured entries
/// (JSON) as "field: value" in the user's language.
pub(crate) fn log_text(ctx: &Ctx, kind: &str, body: &str, names: &HashMap<i64, String>) -> String {
    if kind == "note" {
        return body.to_owned();
    }
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(body) else {
        return body.to_owned();
    };
    map.iter()
        .filter_map(|(k, v)| {
            let text = match (k.as_str(), v) {
                (_, serde_json::Value::Null) => return None,
                ("from" | "to", serde_json::Value::String(s)) if kind == "phase" => {
                    ctx.t(&key("inc-phase-", s))
                }
                ("category", serde_json::Value::String(s)) => ctx.t(&key("inc-cat-", s)),
                ("authority", serde_json::Value::String(s)) => ctx.t(&key("inc-authority-", s)),
                ("discovered_at" | "due", serde_json::Value::Number(n)) => {
                    ctx.datetime(n.as_i64()?)
                }
                ("systems", serde_json::Value::Array(a)) => a
                    .iter()
                    .filter_map(|s| s.as_i64().and_then(|s| names.get(&s).cloned()))
                    .collect::<Vec<_>>()
                    .join(", "),
                ("system", serde_json::Value::Number(n)) => names.get(&n.as_i64()?).cloned()?,
                (_, serde_json::Value::String(s)) if s.is_empty() => return None,
                (_, serde_json::Value::String(s)) => s.clone(),
                (_, other) => other.to_string(),
            };
            Some(format!("{k}: {text}"))
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

/// `GET /incidents/{id}`.
pub async fn view(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    incident_page(&ctx, id, None).await
}

/// `POST /incidents/{id}/{action}`: every form on the incident page.
pub async fn act(
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let get = |k: &str| form.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let int = |k: &str| get(k).parse::<i64>().ok();
    let store = &ctx.st.store;
    let version = int("row_version").unwrap_or(0);
    let result: Result<(), StoreError> = match action.as_str() {
        "phase" => match Phase::parse(&get("phase")) {
            Some(p) => store.set_phase(&actor, id, version, p, &get("note")).await,
            None => Err(StoreError::Invalid(vec![FieldError {
                field: "phase",
                kind: sonae_domain::FieldErrorKind::NotInList,
            }])),
        },
        "level" => {
            store
                .set_level(
                    &actor,
                    id,
                    version,
                    int("level").unwrap_or(-1),
                    &get("note"),
                )
                .await
        }
        "cost" => {
            let raw = get("cost_yen").replace([',', '_', ' '], "");
            match raw.parse::<i64>() {
                Ok(v) => store.set_incident_cost(&actor, id, Some(v)).await,
                Err(_) if raw.is_empty() => store.set_incident_cost(&actor, id, None).await,
                Err(_) => Err(StoreError::Invalid(vec![FieldError {
                    field: "cost_yen",
                    kind: sonae_domain::FieldErrorKind::NotInteger,
                }])),
            }
        }
        "log" => store
            .add_log(&actor, id, &get("text"), int("corrects"))
            .await
            .map(|_| ()),
        "task-add" => {
            let phase = Phase::parse(&get("phase")).unwrap_or(Phase::Respond);
            store
                .add_task(&actor, id, &get("title"), phase)
                .await
                .map(|_| ())
        }
        "task-tick" => {
            store
                .tick_task(
                    &actor,
                    id,
                    int("task").unwrap_or(0),
                    get("done") == "1",
                    &get("note"),
                )
                .await
        }
        "task-assign" => {
            let due = Some(get("due"))
                .filter(|d| !d.is_empty())
                .map(|d| local_ms(&ctx, &d));
            if due == Some(None) {
                Err(StoreError::Invalid(vec![FieldError {
                    field: "due",
                    kind: sonae_domain::FieldErrorKind::NotDate,
                }]))
            } else {
                let assignee = get("assignee");
                store
                    .assign_task(
                        &actor,
                        id,
                        int("task").unwrap_or(0),
                        Some(assignee.as_str()).filter(|a| !a.is_empty()),
                        int("vendor"),
                        due.flatten(),
                    )
                    .await
            }
        }
        "decision" => store
            .record_decision(
                &actor,
                id,
                &get("decider"),
                &get("decision"),
                &get("authority"),
                int("system_id"),
                &get("basis"),
            )
            .await
            .map(|_| ()),
        "handover" => {
            store
                .hand_over(
                    &actor,
                    id,
                    int("evidence").unwrap_or(0),
                    &get("from"),
                    &get("to"),
                    &get("note"),
                )
                .await
        }
        "sweep" => store.sweep_to_tasks(&actor, id).await.map(|_| ()),
        _ => Err(StoreError::NotFound),
    };
    finish(&ctx, id, result).await
}

async fn finish(ctx: &Ctx, id: i64, result: Result<(), StoreError>) -> PageResult {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/incidents/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            incident_page(ctx, id, Some(errors_text(ctx, &errors))).await
        }
        Err(StoreError::Conflict(_)) => {
            incident_page(ctx, id, Some(ctx.t("error-user-stale"))).await
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}

/// `POST /incidents/{id}/evidence`: register evidence, with a file kept
/// in sonae (hashed here) or a hash entered for an item kept elsewhere.
pub async fn evidence_post(ctx: Ctx, Path(id): Path<i64>, mp: Multipart) -> PageResult {
    let actor = ctx.require_actor()?;
    let (fields, file) = crate::inventory::read_upload(&ctx, mp).await?;
    ctx.check_csrf(fields.get("csrf").map_or("", String::as_str))?;
    let get = |k: &str| {
        fields
            .get(k)
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let name = get("file_name");
    let upload = (!file.is_empty()).then(|| {
        (
            if name.is_empty() {
                "evidence.bin".to_owned()
            } else {
                name.clone()
            },
            file,
        )
    });
    let sha = get("sha256");
    let result = ctx
        .st
        .store
        .add_evidence(
            &actor,
            id,
            &get("item"),
            &get("location"),
            &get("collected_by"),
            Some(sha.as_str()).filter(|s| !s.is_empty()),
            upload.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
        )
        .await
        .map(|_| ());
    finish(&ctx, id, result).await
}

/// `GET /incidents/{id}/evidence/{ev}`: the stored file, refused when it
/// no longer matches its recorded hash.
pub async fn evidence_file(ctx: Ctx, Path((id, ev)): Path<(i64, i64)>) -> PageResult {
    let actor = ctx.require_actor()?;
    let (name, bytes, intact) = ctx
        .st
        .store
        .evidence_file(&actor, id, ev)
        .await
        .map_err(|e| ctx.store_error(e))?;
    if !intact {
        return Err(ctx.error(StatusCode::CONFLICT, "inc-evidence-tampered"));
    }
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

// ---- routes ------------------------------------------------------------------

#[derive(Template)]
#[template(path = "route.html")]
struct RoutePage {
    l: Layout,
    intro: String,
    error: Option<String>,
    action: String,
    fields: Vec<(String, String, Vec<Opt>)>,
    save: String,
    back: Link,
}

async fn route_page(ctx: &Ctx, system_id: i64, error: Option<String>) -> PageResult {
    let actor = ctx.require_actor()?;
    if !may_manage_incidents(&actor) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let store = &ctx.st.store;
    let err = |e| ctx.store_error(e);
    let system = store
        .get(&actor, Kind::System, system_id)
        .await
        .map_err(err)?;
    let route = store.route(system_id).await.map_err(err)?;
    let mut people: Vec<(i64, String)> = store
        .titles(&actor, Kind::Person, Access::Read)
        .await
        .map_err(err)?;
    people.sort_by(|a, b| a.1.cmp(&b.1));
    let fields = [
        ("stop_person_id", route.stop_person_id),
        ("stop_deputy_id", route.stop_deputy_id),
        ("command_person_id", route.command_person_id),
        ("command_deputy_id", route.command_deputy_id),
    ]
    .iter()
    .map(|(name, current)| {
        (
            (*name).to_owned(),
            ctx.t(&key("route-field-", name)),
            std::iter::once(Opt {
                value: String::new(),
                label: "—".into(),
                selected: current.is_none(),
            })
            .chain(people.iter().map(|(id, n)| Opt {
                value: id.to_string(),
                label: n.clone(),
                selected: *current == Some(*id),
            }))
            .collect(),
        )
    })
    .collect();
    let tpl = RoutePage {
        l: ctx.layout(ctx.ta("route-title", &[("system", system.title())])),
        intro: ctx.t("route-intro"),
        error,
        action: format!("/inventory/systems/{system_id}/route"),
        fields,
        save: ctx.t("route-save"),
        back: Link {
            href: format!("/inventory/systems/{system_id}"),
            label: system.title(),
        },
    };
    ctx.render(&tpl)
}

/// `GET /inventory/systems/{id}/route`.
pub async fn route_form(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    route_page(&ctx, id, None).await
}

/// `POST /inventory/systems/{id}/route`.
pub async fn route_post(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let int = |k: &str| form.get(k).and_then(|v| v.trim().parse::<i64>().ok());
    let route = Route {
        system_id: id,
        stop_person_id: int("stop_person_id"),
        stop_deputy_id: int("stop_deputy_id"),
        command_person_id: int("command_person_id"),
        command_deputy_id: int("command_deputy_id"),
    };
    match ctx.st.store.set_route(&actor, &route).await {
        Ok(()) => Ok(Redirect::to(&format!("/inventory/systems/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let text = errors
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        ctx.t(&key("route-field-", e.field)),
                        ctx.t(e.kind.message_key())
                    )
                })
                .collect::<Vec<_>>()
                .join(" / ");
            route_page(&ctx, id, Some(text)).await
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}

// ---- the employees' report form (no account needed) ---------------------------

#[derive(Template)]
#[template(path = "incident_report.html")]
struct EmployeeReportPage {
    l: Layout,
    intro: String,
    error: Option<String>,
    t: HashMap<&'static str, String>,
    name: String,
    contact: String,
    summary: String,
    noticed: String,
    categories: Vec<Opt>,
}

const REPORT_LABELS: &[&str] = &[
    "inc-emp-name",
    "inc-emp-contact",
    "inc-field-summary",
    "inc-emp-noticed",
    "inc-field-category",
    "inc-emp-hp",
    "inc-submit",
];

/// Reports per address and overall per hour on the no-login form.
const EMPLOYEE_REPORTS_PER_ADDRESS: i64 = 10;
const EMPLOYEE_REPORTS_OVERALL: i64 = 100;

fn employee_page(ctx: &Ctx, form: &HashMap<String, String>, error: Option<String>) -> PageResult {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let mut t = HashMap::new();
    for k in REPORT_LABELS {
        t.insert(*k, ctx.t(k));
    }
    let category = form
        .get("category")
        .cloned()
        .unwrap_or_else(|| "other".into());
    let tpl = EmployeeReportPage {
        l: ctx.layout(ctx.t("inc-emp-title")),
        intro: ctx.t("inc-emp-intro"),
        error,
        t,
        name: get("name"),
        contact: get("contact"),
        summary: get("summary"),
        noticed: form
            .get("noticed")
            .cloned()
            .unwrap_or_else(|| local_input(ctx, ctx.st.store.clock().now_ms())),
        categories: CATEGORIES
            .iter()
            .map(|c| Opt {
                value: (*c).to_owned(),
                label: ctx.t(&key("inc-cat-", c)),
                selected: category == *c,
            })
            .collect(),
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

/// `GET /report-incident`: seed 001's duty to report at once, for every
/// employee, with or without an account.
pub async fn employee_form(ctx: Ctx) -> PageResult {
    employee_page(&ctx, &HashMap::new(), None)
}

/// `POST /report-incident`: rate-limited, with a honeypot; the report
/// becomes a level-1 incident for the security team to triage.
pub async fn employee_submit(
    ctx: Ctx,
    axum::extract::ConnectInfo(addr): axum::extract::ConnectInfo<std::net::SocketAddr>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let store = &ctx.st.store;
    let allowed = store
        .take_rate(
            &[
                (
                    format!("incident-report:{}", addr.ip()),
                    EMPLOYEE_REPORTS_PER_ADDRESS,
                ),
                ("incident-report:*".to_owned(), EMPLOYEE_REPORTS_OVERALL),
            ],
            3_600_000,
        )
        .await
        .map_err(|e| ctx.store_error(e))?;
    if !allowed {
        return employee_page(&ctx, &form, Some(ctx.t("inc-emp-rate")))
            .map(|r| (StatusCode::TOO_MANY_REQUESTS, r).into_response());
    }
    if form.get("website").is_some_and(|v| !v.trim().is_empty()) {
        tracing::info!(ip = %addr.ip(), "incident report form: honeypot filled");
        return employee_page(&ctx, &form, Some(ctx.t("inc-emp-refused")));
    }
    let get = |k: &str| form.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let name: String = get("name").chars().take(100).collect();
    if name.is_empty() {
        return employee_page(
            &ctx,
            &form,
            Some(format!(
                "{}: {}",
                ctx.t("inc-emp-name"),
                ctx.t("err-required")
            )),
        );
    }
    let summary = get("summary");
    let contact: String = get("contact").chars().take(200).collect();
    let title: String = summary
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(60)
        .collect();
    let n = NewIncident {
        title,
        category: get("category"),
        level: 1,
        discovered_at_ms: local_ms(&ctx, &get("noticed")).unwrap_or(0),
        summary: if contact.is_empty() {
            summary.clone()
        } else {
            format!("{summary}\n({contact})")
        },
        personal_data: "unknown".into(),
        system_ids: Vec::new(),
    };
    let reporter = sonae_domain::Actor {
        user_id: None,
        name: format!("{name} ({})", ctx.t("inc-emp-via-form")),
        role: sonae_domain::Role::Auditor,
        department_id: None,
        vendor_id: None,
    };
    match store.create_incident(&reporter, &n).await {
        Ok(id) => {
            let inc = store
                .incident(&sonae_domain::Actor::system(), id)
                .await
                .map_err(|e| ctx.store_error(e))?;
            Ok(ctx.message(
                StatusCode::OK,
                "inc-emp-title",
                ctx.ta("inc-emp-thanks", &[("ref", inc.reference)]),
                None,
            ))
        }
        Err(StoreError::Invalid(errors)) => {
            let errors: Vec<FieldError> = errors
                .into_iter()
                .map(|mut e| {
                    // The form names the summary and the time differently.
                    if e.field == "title" {
                        e.field = "summary";
                    }
                    e
                })
                .collect();
            employee_page(&ctx, &form, Some(errors_text(&ctx, &errors)))
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}
