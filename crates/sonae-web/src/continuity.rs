//! `/continuity`: business continuity (DESIGN §6) — processes and their
//! impact analysis, recovery objectives inherited by systems, recovery
//! plans, the backups register, and the tabletop exercise runner with its
//! after-action report. Handlers are thin: the rules are in
//! `sonae_domain::continuity`, the data in the store.

use crate::ctx::{Ctx, Layout, PageResult};
use crate::inventory::{Cell, Opt, Row, Section};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use sonae_domain::access::Access;
use sonae_domain::continuity::{
    self as bc, derive_system_objectives, system_warnings, Outcome, ProcessForm, ProcessInput,
    RtoVerdict, SystemObjectives, Warning, DIMENSIONS, HORIZONS,
};
use sonae_domain::inventory::Kind;
use sonae_domain::{Actor, FieldError};
use sonae_store::{may_manage_continuity, Backup, NewBackup, NewPlan, Plan, Process, StoreError};
use std::collections::{BTreeMap, HashMap};

/// Labels every continuity page may use.
const LABELS: &[&str] = &[
    "bc-title",
    "bc-intro",
    "bc-processes",
    "bc-systems",
    "bc-plans",
    "bc-backups",
    "bc-exercises",
    "bc-add-process",
    "bc-add-plan",
    "bc-add-backup",
    "bc-col-process",
    "bc-col-department",
    "bc-col-rto",
    "bc-col-rpo",
    "bc-col-suggested",
    "bc-col-systems",
    "bc-col-system",
    "bc-col-origin",
    "bc-col-warnings",
    "bc-col-what",
    "bc-col-where",
    "bc-col-interval",
    "bc-col-retention",
    "bc-col-last-restore",
    "bc-col-next-test",
    "bc-col-owner",
    "bc-col-estimate",
    "bc-col-steps",
    "bc-col-alternatives",
    "bc-col-contacts",
    "bc-col-scenario",
    "bc-col-status",
    "bc-col-started",
    "bc-none",
    "bc-ok",
    "bc-hours",
    "bc-field-name",
    "bc-field-owner-department-id",
    "bc-field-description",
    "bc-field-rto-hours",
    "bc-field-rpo-hours",
    "bc-field-system-ids",
    "bc-field-impact",
    "bc-impact-hint",
    "bc-field-title",
    "bc-field-process-id",
    "bc-field-system-id",
    "bc-field-owner-person-id",
    "bc-field-contacts",
    "bc-field-steps",
    "bc-field-alt-manual",
    "bc-field-alt-backup-system",
    "bc-field-alt-degraded",
    "bc-field-estimated-hours",
    "bc-field-what",
    "bc-field-location",
    "bc-field-interval-hours",
    "bc-field-retention-days",
    "bc-field-test-interval-days",
    "bc-field-tested-at",
    "bc-field-note",
    "bc-field-scenario",
    "bc-field-participants",
    "bc-field-processes",
    "bc-save",
    "bc-record-restore",
    "bc-delete",
    "bc-edit-plan",
    "bc-start-exercise",
    "bc-run-check",
    "bc-overdue",
    "bc-ex-clock",
    "bc-ex-injects",
    "bc-ex-next",
    "bc-ex-log",
    "bc-ex-log-add",
    "bc-ex-milestones",
    "bc-ex-mark",
    "bc-ex-finish",
    "bc-ex-findings-hint",
    "bc-ex-report",
    "bc-ex-rto",
    "bc-ex-findings",
    "bc-ex-to-action",
    "bc-ex-action-made",
    "bc-ex-participants",
    "bc-ex-refresh",
    "bc-ex-source",
    "bc-choose",
];

fn labels(ctx: &Ctx) -> HashMap<&'static str, String> {
    LABELS.iter().map(|k| (*k, ctx.t(k))).collect()
}

fn parse_body(body: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn first<'a>(form: &'a [(String, String)], key: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

fn all<'a>(form: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    form.iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
        .collect()
}

fn ids(form: &[(String, String)], key: &str) -> Vec<i64> {
    all(form, key)
        .iter()
        .filter_map(|v| v.trim().parse().ok())
        .collect()
}

fn opt_id(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// Localized text of field errors, each naming its field.
fn field_errors(ctx: &Ctx, errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| {
            let args: Vec<(&str, String)> = match &e.kind {
                sonae_domain::FieldErrorKind::TooLong { max } => vec![("max", max.to_string())],
                sonae_domain::FieldErrorKind::OutOfRange { min, max } => {
                    vec![("min", min.to_string()), ("max", max.to_string())]
                }
                _ => Vec::new(),
            };
            format!(
                "{}: {}",
                ctx.t(&format!("bc-field-{}", e.field.replace('_', "-"))),
                ctx.ta(e.kind.message_key(), &args)
            )
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

fn hours_text(ctx: &Ctx, h: Option<i64>) -> String {
    match h {
        Some(h) => ctx.ta("bc-hours-n", &[("n", h.to_string())]),
        None => ctx.t("bc-none"),
    }
}

fn horizon_label(ctx: &Ctx, i: usize) -> String {
    ctx.t(&format!("bc-horizon-{}", HORIZONS[i].0))
}

/// A warning in words, naming the backup or plan concerned.
fn warning_text(ctx: &Ctx, w: &Warning, backups: &[Backup], plans: &[Plan]) -> String {
    let backup = |id: i64| {
        backups
            .iter()
            .find(|b| b.id == id)
            .map(|b| b.backup.what.clone())
            .unwrap_or_default()
    };
    let plan = |id: i64| {
        plans
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.plan.title.clone())
            .unwrap_or_default()
    };
    let args: Vec<(&str, String)> = match w {
        Warning::NoBackup { rpo_hours } => vec![("rpo", rpo_hours.to_string())],
        Warning::IntervalOverRpo {
            backup_id,
            interval_hours,
            rpo_hours,
        } => vec![
            ("backup", backup(*backup_id)),
            ("interval", interval_hours.to_string()),
            ("rpo", rpo_hours.to_string()),
        ],
        Warning::NeverRestored { backup_id } => vec![("backup", backup(*backup_id))],
        Warning::RestoreOverdue { backup_id, due_ms } => {
            vec![("backup", backup(*backup_id)), ("due", ctx.date(*due_ms))]
        }
        Warning::NoPlan { rto_hours } => vec![("rto", rto_hours.to_string())],
        Warning::PlanUnestimated { plan_id } => vec![("plan", plan(*plan_id))],
        Warning::PlanOverRto {
            plan_id,
            estimated_hours,
            rto_hours,
        } => vec![
            ("plan", plan(*plan_id)),
            ("estimate", estimated_hours.to_string()),
            ("rto", rto_hours.to_string()),
        ],
    };
    ctx.ta(w.key(), &args)
}

/// Everything the overview and the system page derive from.
struct Data {
    processes: Vec<Process>,
    plans: Vec<Plan>,
    backups: Vec<Backup>,
    derived: BTreeMap<i64, SystemObjectives>,
}

async fn load(ctx: &Ctx, actor: &Actor) -> Result<Data, crate::ctx::PageError> {
    let s = &ctx.st.store;
    let err = |e| ctx.store_error(e);
    let processes = s.processes(actor).await.map_err(err)?;
    let plans = s.plans(actor).await.map_err(err)?;
    let backups = s.backups(actor).await.map_err(err)?;
    let derived = derive_system_objectives(
        &processes
            .iter()
            .map(Process::objectives)
            .collect::<Vec<_>>(),
    );
    Ok(Data {
        processes,
        plans,
        backups,
        derived,
    })
}

impl Data {
    fn warnings(&self, system_id: i64, now: i64) -> Vec<Warning> {
        let obj = self.derived.get(&system_id).cloned().unwrap_or_default();
        let backups: Vec<_> = self
            .backups
            .iter()
            .filter(|b| b.backup.system_id == system_id)
            .map(Backup::facts)
            .collect();
        let plans: Vec<_> =
            sonae_store::Store::plans_for_system(&self.plans, &self.processes, system_id)
                .iter()
                .map(|p| p.facts())
                .collect();
        system_warnings(&obj, &backups, &plans, now)
    }
}

/// The continuity section of a system's page: its inherited RTO and RPO
/// with their origin, and what cannot meet them.
pub async fn system_section(
    ctx: &Ctx,
    actor: &Actor,
    system_id: i64,
) -> Result<Option<Section>, crate::ctx::PageError> {
    if !sonae_store::may_read_continuity(actor) {
        return Ok(None);
    }
    let d = load(ctx, actor).await?;
    let now = ctx.st.store.clock().now_ms();
    let obj = d.derived.get(&system_id).cloned().unwrap_or_default();
    let origin = |o: &Option<bc::Objective>| Cell {
        text: o
            .as_ref()
            .map_or_else(String::new, |o| o.process_name.clone()),
        href: o
            .as_ref()
            .map(|o| format!("/continuity/processes/{}", o.process_id)),
    };
    let mut rows = Vec::new();
    if obj.rto.is_some() || obj.rpo.is_some() || !obj.processes.is_empty() {
        rows.push(Row {
            cells: vec![
                Cell {
                    text: ctx.t("bc-col-rto"),
                    href: None,
                },
                Cell {
                    text: hours_text(ctx, obj.rto.as_ref().map(|o| o.hours)),
                    href: None,
                },
                origin(&obj.rto),
            ],
        });
        rows.push(Row {
            cells: vec![
                Cell {
                    text: ctx.t("bc-col-rpo"),
                    href: None,
                },
                Cell {
                    text: hours_text(ctx, obj.rpo.as_ref().map(|o| o.hours)),
                    href: None,
                },
                origin(&obj.rpo),
            ],
        });
        for w in d.warnings(system_id, now) {
            rows.push(Row {
                cells: vec![
                    Cell {
                        text: ctx.t("bc-col-warnings"),
                        href: None,
                    },
                    Cell {
                        text: warning_text(ctx, &w, &d.backups, &d.plans),
                        href: None,
                    },
                    Cell {
                        text: String::new(),
                        href: Some("/continuity".into()),
                    },
                ],
            });
        }
    }
    Ok(Some(Section {
        heading: ctx.t("bc-system-section"),
        columns: vec![
            ctx.t("bc-col-what"),
            ctx.t("bc-col-value"),
            ctx.t("bc-col-origin"),
        ],
        rows,
        empty: ctx.t("bc-system-none"),
        add_href: Some("/continuity".into()),
        add_label: ctx.t("bc-title"),
    }))
}

// ---------------------------------------------------------------- overview

struct ProcessRow {
    id: i64,
    name: String,
    department: String,
    rto: String,
    rpo: String,
    suggested: String,
    systems: String,
}

struct SystemRow {
    id: i64,
    name: String,
    rto: String,
    rto_origin: String,
    rpo: String,
    rpo_origin: String,
    warnings: Vec<String>,
}

struct BackupRow {
    id: i64,
    system: String,
    what: String,
    location: String,
    interval: String,
    retention: String,
    last: String,
    next: String,
    overdue: bool,
}

struct PlanRow {
    id: i64,
    title: String,
    target: String,
    owner: String,
    contacts: String,
    estimate: String,
    steps: Vec<String>,
    alternatives: Vec<String>,
}

struct ExerciseRow {
    id: i64,
    title: String,
    status: String,
    started: String,
}

#[derive(Template)]
#[template(path = "continuity.html")]
struct Overview {
    l: Layout,
    t: HashMap<&'static str, String>,
    error: Option<String>,
    manage: bool,
    processes: Vec<ProcessRow>,
    systems: Vec<SystemRow>,
    backups: Vec<BackupRow>,
    plans: Vec<PlanRow>,
    exercises: Vec<ExerciseRow>,
    system_opts: Vec<Opt>,
    scenario_opts: Vec<Opt>,
    user_opts: Vec<Opt>,
    process_opts: Vec<Opt>,
}

async fn overview_page(ctx: &Ctx, error: Option<String>) -> PageResult {
    let actor = ctx.require_actor()?;
    if !sonae_store::may_read_continuity(&actor) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let store = &ctx.st.store;
    let err = |e| ctx.store_error(e);
    let d = load(ctx, &actor).await?;
    let now = store.clock().now_ms();
    let depts: HashMap<i64, String> = store
        .titles(&actor, Kind::Department, Access::Read)
        .await
        .map_err(err)?
        .into_iter()
        .collect();
    let systems = store
        .titles(&Actor::system(), Kind::System, Access::Read)
        .await
        .map_err(err)?;
    let sys_name: HashMap<i64, String> = systems.iter().cloned().collect();
    let people: HashMap<i64, String> = store
        .titles(&actor, Kind::Person, Access::Read)
        .await
        .map_err(err)?
        .into_iter()
        .collect();
    let processes = d
        .processes
        .iter()
        .map(|p| ProcessRow {
            id: p.id,
            name: p.name.clone(),
            department: depts
                .get(&p.owner_department_id)
                .cloned()
                .unwrap_or_default(),
            rto: hours_text(ctx, p.rto_hours),
            rpo: hours_text(ctx, p.rpo_hours),
            suggested: hours_text(ctx, p.impact.suggested_rto_hours()),
            systems: p
                .system_ids
                .iter()
                .filter_map(|s| sys_name.get(s).cloned())
                .collect::<Vec<_>>()
                .join("、"),
        })
        .collect();
    let system_rows = systems
        .iter()
        .filter(|(id, _)| d.derived.contains_key(id))
        .map(|(id, name)| {
            let o = &d.derived[id];
            SystemRow {
                id: *id,
                name: name.clone(),
                rto: hours_text(ctx, o.rto.as_ref().map(|x| x.hours)),
                rto_origin: o
                    .rto
                    .as_ref()
                    .map(|x| x.process_name.clone())
                    .unwrap_or_default(),
                rpo: hours_text(ctx, o.rpo.as_ref().map(|x| x.hours)),
                rpo_origin: o
                    .rpo
                    .as_ref()
                    .map(|x| x.process_name.clone())
                    .unwrap_or_default(),
                warnings: d
                    .warnings(*id, now)
                    .iter()
                    .map(|w| warning_text(ctx, w, &d.backups, &d.plans))
                    .collect(),
            }
        })
        .collect();
    let backups = d
        .backups
        .iter()
        .map(|b| {
            let f = b.facts();
            BackupRow {
                id: b.id,
                system: sys_name
                    .get(&b.backup.system_id)
                    .cloned()
                    .unwrap_or_default(),
                what: b.backup.what.clone(),
                location: b.backup.location.clone(),
                interval: hours_text(ctx, Some(b.backup.interval_hours)),
                retention: ctx.ta("bc-days-n", &[("n", b.backup.retention_days.to_string())]),
                last: match (b.last_restore_ms, &b.last_restore_by) {
                    (Some(t), by) => {
                        format!("{} ({})", ctx.date(t), by.clone().unwrap_or_default())
                    }
                    _ => ctx.t("bc-never"),
                },
                next: ctx.date(f.restore_due_ms()),
                overdue: f.restore_overdue(now),
            }
        })
        .collect();
    let plans = d
        .plans
        .iter()
        .map(|p| {
            let target = match (p.plan.process_id, p.plan.system_id) {
                (Some(pid), _) => d
                    .processes
                    .iter()
                    .find(|x| x.id == pid)
                    .map(|x| x.name.clone())
                    .unwrap_or_default(),
                (None, Some(sid)) => sys_name.get(&sid).cloned().unwrap_or_default(),
                _ => String::new(),
            };
            let mut alternatives = Vec::new();
            for (k, v) in [
                ("bc-field-alt-manual", &p.plan.alt_manual),
                ("bc-field-alt-backup-system", &p.plan.alt_backup_system),
                ("bc-field-alt-degraded", &p.plan.alt_degraded),
            ] {
                if !v.is_empty() {
                    alternatives.push(format!("{}: {v}", ctx.t(k)));
                }
            }
            PlanRow {
                id: p.id,
                title: p.plan.title.clone(),
                target,
                owner: p
                    .plan
                    .owner_person_id
                    .and_then(|i| people.get(&i).cloned())
                    .unwrap_or_default(),
                contacts: p
                    .plan
                    .contact_ids
                    .iter()
                    .filter_map(|i| people.get(i).cloned())
                    .collect::<Vec<_>>()
                    .join("、"),
                estimate: hours_text(ctx, p.plan.estimated_hours),
                steps: bc::steps(&p.plan.steps),
                alternatives,
            }
        })
        .collect();
    let ja = ctx.tr.lang == crate::Lang::Ja;
    let exercises = store
        .exercises(&actor)
        .await
        .map_err(err)?
        .into_iter()
        .map(|e| ExerciseRow {
            id: e.id,
            title: bc::scenario(&e.scenario_id)
                .map(|s| s.title(ja).to_owned())
                .unwrap_or(e.title),
            status: ctx.t(&format!("bc-status-{}", e.status)),
            started: ctx.datetime(e.started_at_ms),
        })
        .collect();
    let manage = may_manage_continuity(&actor);
    let users = if manage {
        store.list_users().await.map_err(err)?
    } else {
        Vec::new()
    };
    let opt = |value: i64, label: &str| Opt {
        value: value.to_string(),
        label: label.to_owned(),
        selected: false,
    };
    let tpl = Overview {
        l: ctx.layout(ctx.t("bc-title")),
        t: labels(ctx),
        error,
        manage,
        processes,
        systems: system_rows,
        backups,
        plans,
        exercises,
        system_opts: systems.iter().map(|(i, n)| opt(*i, n)).collect(),
        scenario_opts: bc::scenarios()
            .unwrap_or_default()
            .iter()
            .map(|s| Opt {
                value: s.id.clone(),
                label: s.title(ja).to_owned(),
                selected: false,
            })
            .collect(),
        user_opts: users
            .iter()
            .filter(|u| !u.disabled)
            .map(|u| opt(u.id, &format!("{} ({})", u.display_name, u.username)))
            .collect(),
        process_opts: d.processes.iter().map(|p| opt(p.id, &p.name)).collect(),
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

/// `GET /continuity`.
pub async fn overview(ctx: Ctx) -> PageResult {
    overview_page(&ctx, None).await
}

/// `POST /continuity/check`: the restore-test review, now.
pub async fn check(ctx: Ctx, body: String) -> PageResult {
    let actor = ctx.require_actor()?;
    let form = parse_body(&body);
    ctx.check_csrf(first(&form, "csrf"))?;
    ctx.st
        .store
        .continuity_check(&actor)
        .await
        .map_err(|e| ctx.store_error(e))?;
    Ok(Redirect::to("/actions").into_response())
}

/// `POST /continuity/backups`.
pub async fn backup_create(ctx: Ctx, body: String) -> PageResult {
    let actor = ctx.require_actor()?;
    let form = parse_body(&body);
    ctx.check_csrf(first(&form, "csrf"))?;
    let num = |k: &'static str, default: i64| -> Result<i64, FieldError> {
        let v = first(&form, k).trim();
        if v.is_empty() {
            return Ok(default);
        }
        v.parse().map_err(|_| FieldError {
            field: k,
            kind: sonae_domain::FieldErrorKind::NotInteger,
        })
    };
    let mut errors = Vec::new();
    let mut n = |k: &'static str, d: i64| {
        num(k, d).unwrap_or_else(|e| {
            errors.push(e);
            0
        })
    };
    let b = NewBackup {
        system_id: opt_id(first(&form, "system_id")).unwrap_or(0),
        what: first(&form, "what").to_owned(),
        location: first(&form, "location").to_owned(),
        interval_hours: n("interval_hours", 0),
        retention_days: n("retention_days", 0),
        test_interval_days: n("test_interval_days", bc::DEFAULT_RESTORE_TEST_DAYS),
    };
    if !errors.is_empty() {
        return overview_page(&ctx, Some(field_errors(&ctx, &errors))).await;
    }
    match ctx.st.store.create_backup(&actor, &b).await {
        Ok(_) => Ok(Redirect::to("/continuity#backups").into_response()),
        Err(StoreError::Invalid(e)) => overview_page(&ctx, Some(field_errors(&ctx, &e))).await,
        Err(e) => Err(ctx.store_error(e)),
    }
}

/// `POST /continuity/backups/{id}/restore`: a restore was proven.
pub async fn backup_restore(ctx: Ctx, Path(id): Path<i64>, body: String) -> PageResult {
    let actor = ctx.require_actor()?;
    let form = parse_body(&body);
    ctx.check_csrf(first(&form, "csrf"))?;
    let raw = first(&form, "tested_at");
    let at = if raw.trim().is_empty() {
        Some(ctx.st.store.clock().now_ms())
    } else {
        crate::incidents::local_ms(&ctx, raw)
    };
    let Some(at) = at else {
        return overview_page(
            &ctx,
            Some(format!(
                "{}: {}",
                ctx.t("bc-field-tested-at"),
                ctx.t("err-not-date")
            )),
        )
        .await;
    };
    match ctx
        .st
        .store
        .record_restore_test(&actor, id, at, first(&form, "note"))
        .await
    {
        Ok(()) => Ok(Redirect::to("/continuity#backups").into_response()),
        Err(StoreError::Invalid(e)) => overview_page(&ctx, Some(field_errors(&ctx, &e))).await,
        Err(e) => Err(ctx.store_error(e)),
    }
}

// ---------------------------------------------------------------- processes

struct ImpactCell {
    name: String,
    value: u8,
    label: String,
}

struct ImpactRow {
    horizon: String,
    cells: Vec<ImpactCell>,
}

#[derive(Template)]
#[template(path = "bc_process.html")]
struct ProcessPage {
    l: Layout,
    t: HashMap<&'static str, String>,
    error: Option<String>,
    action: String,
    version: i64,
    name: String,
    description: String,
    rto: String,
    rpo: String,
    departments: Vec<Opt>,
    systems: Vec<Opt>,
    dimensions: Vec<String>,
    impact: Vec<ImpactRow>,
    writable: bool,
}

struct ProcessValues {
    name: String,
    department: Option<i64>,
    description: String,
    rto: String,
    rpo: String,
    impact: bc::Impact,
    systems: Vec<i64>,
}

async fn process_page(
    ctx: &Ctx,
    id: Option<i64>,
    version: i64,
    v: ProcessValues,
    error: Option<String>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    let store = &ctx.st.store;
    let err = |e| ctx.store_error(e);
    let depts = store
        .titles(&actor, Kind::Department, Access::Read)
        .await
        .map_err(err)?;
    let systems = store
        .titles(&Actor::system(), Kind::System, Access::Read)
        .await
        .map_err(err)?;
    let writable = may_manage_continuity(&actor)
        || (actor.role == sonae_domain::Role::SystemOwner
            && (v.department.is_none() || v.department == actor.department_id));
    let title = match id {
        Some(_) => format!("{}: {}", ctx.t("bc-process"), v.name),
        None => ctx.t("bc-add-process"),
    };
    let tpl = ProcessPage {
        l: ctx.layout(title),
        t: labels(ctx),
        error,
        action: id.map_or("/continuity/processes".into(), |i| {
            format!("/continuity/processes/{i}")
        }),
        version,
        name: v.name,
        description: v.description,
        rto: v.rto,
        rpo: v.rpo,
        departments: depts
            .iter()
            .map(|(i, n)| Opt {
                value: i.to_string(),
                label: n.clone(),
                selected: v.department == Some(*i),
            })
            .collect(),
        systems: systems
            .iter()
            .map(|(i, n)| Opt {
                value: i.to_string(),
                label: n.clone(),
                selected: v.systems.contains(i),
            })
            .collect(),
        dimensions: DIMENSIONS
            .iter()
            .map(|d| ctx.t(&format!("bc-dim-{d}")))
            .collect(),
        impact: (0..HORIZONS.len())
            .map(|h| ImpactRow {
                horizon: horizon_label(ctx, h),
                cells: (0..DIMENSIONS.len())
                    .map(|d| ImpactCell {
                        name: bc::impact_field(h, d),
                        value: v.impact.get(h, d),
                        label: format!(
                            "{} / {}",
                            horizon_label(ctx, h),
                            ctx.t(&format!("bc-dim-{}", DIMENSIONS[d]))
                        ),
                    })
                    .collect(),
            })
            .collect(),
        writable,
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

/// `GET /continuity/processes/new`.
pub async fn process_new(ctx: Ctx) -> PageResult {
    let actor = ctx.require_actor()?;
    process_page(
        &ctx,
        None,
        0,
        ProcessValues {
            name: String::new(),
            department: actor.department_id,
            description: String::new(),
            rto: String::new(),
            rpo: String::new(),
            impact: bc::Impact::default(),
            systems: Vec::new(),
        },
        None,
    )
    .await
}

/// `GET /continuity/processes/{id}`: the process with its BIA, editable.
pub async fn process_view(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let actor = ctx.require_actor()?;
    let p = ctx
        .st
        .store
        .process(&actor, id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    process_page(
        &ctx,
        Some(id),
        p.version,
        ProcessValues {
            name: p.name,
            department: Some(p.owner_department_id),
            description: p.description,
            rto: p.rto_hours.map(|h| h.to_string()).unwrap_or_default(),
            rpo: p.rpo_hours.map(|h| h.to_string()).unwrap_or_default(),
            impact: p.impact,
            systems: p.system_ids,
        },
        None,
    )
    .await
}

async fn process_save(ctx: Ctx, id: Option<i64>, body: String) -> PageResult {
    let actor = ctx.require_actor()?;
    let form = parse_body(&body);
    ctx.check_csrf(first(&form, "csrf"))?;
    let ratings: BTreeMap<String, String> = form
        .iter()
        .filter(|(k, _)| k.starts_with("impact_"))
        .cloned()
        .collect();
    let pf = ProcessForm {
        name: first(&form, "name"),
        owner_department_id: first(&form, "owner_department_id"),
        description: first(&form, "description"),
        rto_hours: first(&form, "rto_hours"),
        rpo_hours: first(&form, "rpo_hours"),
        ratings: ratings.clone(),
        system_ids: all(&form, "system_ids"),
    };
    let version: i64 = first(&form, "row_version").parse().unwrap_or(0);
    // What the user typed comes back with the error: nothing is lost.
    let values = || {
        let impact = bc::Impact::decode(
            &(0..16)
                .map(|i| {
                    ratings
                        .get(&bc::impact_field(i / 4, i % 4))
                        .and_then(|v| v.trim().parse::<u8>().ok())
                        .filter(|v| *v <= bc::MAX_RATING)
                        .unwrap_or(0)
                        .to_string()
                })
                .collect::<String>(),
        );
        ProcessValues {
            name: pf.name.to_owned(),
            department: opt_id(pf.owner_department_id),
            description: pf.description.to_owned(),
            rto: pf.rto_hours.to_owned(),
            rpo: pf.rpo_hours.to_owned(),
            impact,
            systems: ids(&form, "system_ids"),
        }
    };
    let input = match ProcessInput::parse(&pf) {
        Ok(i) => i,
        Err(e) => {
            let msg = field_errors(&ctx, &e);
            return process_page(&ctx, id, version, values(), Some(msg)).await;
        }
    };
    let store = &ctx.st.store;
    let r = match id {
        None => store.create_process(&actor, &input).await,
        Some(id) => store
            .update_process(&actor, id, version, &input)
            .await
            .map(|()| id),
    };
    match r {
        Ok(_) => Ok(Redirect::to("/continuity").into_response()),
        Err(StoreError::Invalid(e)) => {
            let msg = field_errors(&ctx, &e);
            process_page(&ctx, id, version, values(), Some(msg)).await
        }
        Err(StoreError::Conflict(_)) => {
            let msg = ctx.t("error-user-stale");
            process_page(&ctx, id, version, values(), Some(msg)).await
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}

/// `POST /continuity/processes`.
pub async fn process_create(ctx: Ctx, body: String) -> PageResult {
    process_save(ctx, None, body).await
}

/// `POST /continuity/processes/{id}`.
pub async fn process_update(ctx: Ctx, Path(id): Path<i64>, body: String) -> PageResult {
    process_save(ctx, Some(id), body).await
}

// ---------------------------------------------------------------- plans

#[derive(Template)]
#[template(path = "bc_plan.html")]
struct PlanPage {
    l: Layout,
    action: String,
    version: Option<i64>,
    t: HashMap<&'static str, String>,
    error: Option<String>,
    f: HashMap<&'static str, String>,
    processes: Vec<Opt>,
    systems: Vec<Opt>,
    people: Vec<Opt>,
    contacts: Vec<Opt>,
}

async fn plan_page(ctx: &Ctx, form: &[(String, String)], error: Option<String>) -> PageResult {
    plan_page_for(ctx, form, error, None).await
}

/// The plan form, new or (with `target`: id and version) editing one.
async fn plan_page_for(
    ctx: &Ctx,
    form: &[(String, String)],
    error: Option<String>,
    target: Option<(i64, i64)>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    if !may_manage_continuity(&actor) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let store = &ctx.st.store;
    let err = |e| ctx.store_error(e);
    let sel = |key: &str, list: Vec<(i64, String)>| -> Vec<Opt> {
        let chosen = ids(form, key);
        list.into_iter()
            .map(|(i, n)| Opt {
                value: i.to_string(),
                label: n,
                selected: chosen.contains(&i),
            })
            .collect()
    };
    let processes = store
        .processes(&actor)
        .await
        .map_err(err)?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let systems = store
        .titles(&actor, Kind::System, Access::Read)
        .await
        .map_err(err)?;
    let people = store
        .titles(&actor, Kind::Person, Access::Read)
        .await
        .map_err(err)?;
    let mut f = HashMap::new();
    for k in [
        "title",
        "steps",
        "alt_manual",
        "alt_backup_system",
        "alt_degraded",
        "estimated_hours",
    ] {
        f.insert(k, first(form, k).to_owned());
    }
    let tpl = PlanPage {
        action: match target {
            Some((id, _)) => format!("/continuity/plans/{id}"),
            None => "/continuity/plans".to_owned(),
        },
        version: target.map(|(_, v)| v),
        l: ctx.layout(ctx.t(if target.is_some() {
            "bc-edit-plan"
        } else {
            "bc-add-plan"
        })),
        t: labels(ctx),
        error,
        f,
        processes: sel("process_id", processes),
        systems: sel("system_id", systems),
        people: sel("owner_person_id", people.clone()),
        contacts: sel("contact_ids", people),
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

/// `GET /continuity/plans/new`.
pub async fn plan_new(ctx: Ctx) -> PageResult {
    plan_page(&ctx, &[], None).await
}

/// `POST /continuity/plans`.
pub async fn plan_create(ctx: Ctx, body: String) -> PageResult {
    save_plan(ctx, None, body).await
}

/// `GET /continuity/plans/{id}/edit`.
pub async fn plan_edit(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let actor = ctx.require_actor()?;
    let p = ctx
        .st
        .store
        .plan(&actor, id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let opt = |v: Option<i64>| v.map(|i| i.to_string()).unwrap_or_default();
    let mut form: Vec<(String, String)> = vec![
        ("title".into(), p.plan.title.clone()),
        ("steps".into(), p.plan.steps.clone()),
        ("alt_manual".into(), p.plan.alt_manual.clone()),
        ("alt_backup_system".into(), p.plan.alt_backup_system.clone()),
        ("alt_degraded".into(), p.plan.alt_degraded.clone()),
        ("estimated_hours".into(), opt(p.plan.estimated_hours)),
        ("process_id".into(), opt(p.plan.process_id)),
        ("system_id".into(), opt(p.plan.system_id)),
        ("owner_person_id".into(), opt(p.plan.owner_person_id)),
    ];
    form.extend(
        p.plan
            .contact_ids
            .iter()
            .map(|c| ("contact_ids".to_owned(), c.to_string())),
    );
    plan_page_for(&ctx, &form, None, Some((id, p.version))).await
}

/// `POST /continuity/plans/{id}`: save an edited plan.
pub async fn plan_update(ctx: Ctx, Path(id): Path<i64>, body: String) -> PageResult {
    save_plan(ctx, Some(id), body).await
}

async fn save_plan(ctx: Ctx, id: Option<i64>, body: String) -> PageResult {
    let actor = ctx.require_actor()?;
    let form = parse_body(&body);
    ctx.check_csrf(first(&form, "csrf"))?;
    let target = id.map(|i| (i, first(&form, "row_version").parse::<i64>().unwrap_or(0)));
    let estimated = match bc::parse_hours("estimated_hours", first(&form, "estimated_hours")) {
        Ok(h) => h,
        Err(e) => return plan_page_for(&ctx, &form, Some(field_errors(&ctx, &[e])), target).await,
    };
    let p = NewPlan {
        title: first(&form, "title").to_owned(),
        process_id: opt_id(first(&form, "process_id")),
        system_id: opt_id(first(&form, "system_id")),
        owner_person_id: opt_id(first(&form, "owner_person_id")),
        contact_ids: ids(&form, "contact_ids"),
        steps: first(&form, "steps").to_owned(),
        alt_manual: first(&form, "alt_manual").to_owned(),
        alt_backup_system: first(&form, "alt_backup_system").to_owned(),
        alt_degraded: first(&form, "alt_degraded").to_owned(),
        estimated_hours: estimated,
    };
    let saved = match target {
        Some((id, version)) => ctx.st.store.update_plan(&actor, id, version, &p).await,
        None => ctx.st.store.create_plan(&actor, &p).await,
    };
    match saved {
        Ok(_) => Ok(Redirect::to("/continuity#plans").into_response()),
        Err(StoreError::Invalid(e)) => {
            plan_page_for(&ctx, &form, Some(field_errors(&ctx, &e)), target).await
        }
        Err(StoreError::Conflict(_)) | Err(StoreError::Stale { .. }) => {
            plan_page_for(&ctx, &form, Some(ctx.t("error-user-stale")), target).await
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}

// ---------------------------------------------------------------- exercises

/// `POST /continuity/exercises`: start one.
pub async fn exercise_start(ctx: Ctx, body: String) -> PageResult {
    let actor = ctx.require_actor()?;
    let form = parse_body(&body);
    ctx.check_csrf(first(&form, "csrf"))?;
    match ctx
        .st
        .store
        .start_exercise(
            &actor,
            first(&form, "scenario"),
            &ids(&form, "participants"),
            &ids(&form, "processes"),
        )
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/continuity/exercises/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => overview_page(&ctx, Some(field_errors(&ctx, &e))).await,
        Err(e) => Err(ctx.store_error(e)),
    }
}

struct InjectView {
    at: String,
    stage: String,
    text: String,
}

struct MilestoneView {
    id: String,
    label: String,
    target: String,
    reached: Option<String>,
    outcome: String,
    class: &'static str,
}

struct LogView {
    at: String,
    minute: String,
    actor: String,
    text: String,
}

struct FindingView {
    id: i64,
    body: String,
    action_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "bc_exercise.html")]
struct ExercisePage {
    l: Layout,
    t: HashMap<&'static str, String>,
    error: Option<String>,
    id: i64,
    summary: String,
    source: String,
    running: bool,
    facilitator: bool,
    participant: bool,
    clock: String,
    next_at: Option<String>,
    participants: String,
    injects: Vec<InjectView>,
    milestones: Vec<MilestoneView>,
    log: Vec<LogView>,
    rto: String,
    rto_class: &'static str,
    findings: Vec<FindingView>,
    suggested: String,
    me: String,
}

/// The exercise's RTO: the strictest of the processes involved.
fn exercise_rto(processes: &[Process], ids: &[i64]) -> Option<i64> {
    processes
        .iter()
        .filter(|p| ids.contains(&p.id))
        .filter_map(|p| p.rto_hours)
        .min()
}

/// The findings the runner proposes from the measurements, in the
/// facilitator's language: missed or late milestones, a restore over the RTO.
fn proposed_findings(
    ctx: &Ctx,
    s: &bc::Scenario,
    reached: &[(String, i64)],
    verdict: &RtoVerdict,
) -> Vec<String> {
    let ja = ctx.tr.lang == crate::Lang::Ja;
    let mut out = Vec::new();
    for m in &s.milestones {
        let at = reached.iter().find(|(i, _)| *i == m.id).map(|(_, x)| *x);
        let label = if ja { &m.ja } else { &m.en };
        match bc::milestone_outcome(m, at) {
            Outcome::Missed => out.push(ctx.ta("bc-ex-finding-missed", &[("m", label.clone())])),
            Outcome::Late { minute, target } => out.push(ctx.ta(
                "bc-ex-finding-late",
                &[
                    ("m", label.clone()),
                    ("at", bc::minutes_text(minute)),
                    ("target", bc::minutes_text(target)),
                ],
            )),
            Outcome::Reached { .. } => {}
        }
    }
    if let RtoVerdict::Missed { minutes, rto_hours } = verdict {
        out.push(ctx.ta(
            "bc-ex-finding-rto",
            &[
                ("at", bc::minutes_text(*minutes)),
                ("rto", rto_hours.to_string()),
            ],
        ));
    }
    out
}

async fn exercise_page(ctx: &Ctx, id: i64, error: Option<String>) -> PageResult {
    let actor = ctx.require_actor()?;
    let store = &ctx.st.store;
    let err = |e| ctx.store_error(e);
    let d = store.exercise(&actor, id).await.map_err(err)?;
    let Some(s) = bc::scenario(&d.exercise.scenario_id) else {
        return Err(ctx.error(StatusCode::NOT_FOUND, "error-not-found"));
    };
    let ja = ctx.tr.lang == crate::Lang::Ja;
    let now = store.clock().now_ms();
    let minute = d.exercise.minute(now);
    let processes = store.processes(&actor).await.map_err(err)?;
    let rto = exercise_rto(&processes, &d.process_ids);
    let restored = d
        .milestones
        .iter()
        .find(|(m, _)| m == bc::RESTORED)
        .map(|(_, x)| *x);
    let verdict = bc::rto_verdict(restored, rto);
    let (rto_text, rto_class) = match &verdict {
        RtoVerdict::NoRto => (ctx.t("bc-ex-rto-none"), ""),
        RtoVerdict::NotRestored { rto_hours } => (
            ctx.ta("bc-ex-rto-not-restored", &[("rto", rto_hours.to_string())]),
            "overdue",
        ),
        RtoVerdict::Met { minutes, rto_hours } => (
            ctx.ta(
                "bc-ex-rto-met",
                &[
                    ("at", bc::minutes_text(*minutes)),
                    ("rto", rto_hours.to_string()),
                ],
            ),
            "",
        ),
        RtoVerdict::Missed { minutes, rto_hours } => (
            ctx.ta(
                "bc-ex-rto-missed",
                &[
                    ("at", bc::minutes_text(*minutes)),
                    ("rto", rto_hours.to_string()),
                ],
            ),
            "overdue",
        ),
    };
    let milestones = s
        .milestones
        .iter()
        .map(|m| {
            let at = d
                .milestones
                .iter()
                .find(|(i, _)| *i == m.id)
                .map(|(_, x)| *x);
            let (outcome, class) = match bc::milestone_outcome(m, at) {
                Outcome::Reached { .. } => (ctx.t("bc-ex-on-time"), "ok"),
                Outcome::Late { .. } => (ctx.t("bc-ex-late"), "overdue"),
                Outcome::Missed => (
                    if d.exercise.running() {
                        String::new()
                    } else {
                        ctx.t("bc-ex-missed")
                    },
                    "",
                ),
            };
            MilestoneView {
                id: m.id.clone(),
                label: if ja { m.ja.clone() } else { m.en.clone() },
                target: m.target_minutes.map(bc::minutes_text).unwrap_or_default(),
                reached: at.map(bc::minutes_text),
                outcome,
                class,
            }
        })
        .collect();
    let log = d
        .log
        .iter()
        .filter(|l| l.kind == "action" || l.kind == "milestone")
        .map(|l| LogView {
            at: ctx.datetime(l.at_ms),
            minute: bc::minutes_text(l.minute),
            actor: l.actor.clone(),
            text: if l.kind == "milestone" {
                let label = s
                    .milestone(&l.body)
                    .map(|m| if ja { m.ja.clone() } else { m.en.clone() })
                    .unwrap_or_else(|| l.body.clone());
                format!("✔ {label}")
            } else {
                l.body.clone()
            },
        })
        .collect();
    let facilitator = may_manage_continuity(&actor);
    let tpl = ExercisePage {
        l: ctx.layout(s.title(ja).to_owned()),
        t: labels(ctx),
        error,
        id,
        summary: if ja {
            s.summary_ja.clone()
        } else {
            s.summary_en.clone()
        },
        source: s.source.clone(),
        running: d.exercise.running(),
        facilitator,
        participant: facilitator || d.participant_names.contains(&actor.name),
        clock: bc::minutes_text(minute),
        next_at: s.next_inject_minute(minute).map(bc::minutes_text),
        participants: d
            .participants
            .iter()
            .map(|(_, n)| n.clone())
            .collect::<Vec<_>>()
            .join("、"),
        injects: s
            .released(minute)
            .map(|i| InjectView {
                at: bc::minutes_text(i.minute),
                stage: i.stage.clone(),
                text: if ja { i.ja.clone() } else { i.en.clone() },
            })
            .collect(),
        milestones,
        log,
        rto: rto_text,
        rto_class,
        findings: d
            .findings
            .iter()
            .map(|f| FindingView {
                id: f.id,
                body: f.body.clone(),
                action_id: f.action_id,
            })
            .collect(),
        suggested: proposed_findings(ctx, &s, &d.milestones, &verdict).join("\n"),
        me: actor.name.clone(),
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

/// `GET /continuity/exercises/{id}`: the runner, or the after-action
/// report once finished.
pub async fn exercise_view(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    exercise_page(&ctx, id, None).await
}

/// `POST /continuity/exercises/{id}/{action}`: log, next, milestone,
/// finish, action.
pub async fn exercise_act(
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    body: String,
) -> PageResult {
    let actor = ctx.require_actor()?;
    let form = parse_body(&body);
    ctx.check_csrf(first(&form, "csrf"))?;
    let store = &ctx.st.store;
    let r = match action.as_str() {
        "log" => {
            store
                .log_exercise_action(&actor, id, first(&form, "body"))
                .await
        }
        "next" => store.exercise_next_inject(&actor, id).await.map(|_| ()),
        "milestone" => store
            .mark_milestone(&actor, id, first(&form, "milestone"))
            .await
            .map(|_| ()),
        "finish" => {
            let findings: Vec<String> = first(&form, "findings")
                .lines()
                .map(str::to_owned)
                .collect();
            store.finish_exercise(&actor, id, &findings).await
        }
        "action" => {
            let owner = first(&form, "owner").trim();
            let owner = if owner.is_empty() {
                actor.name.as_str()
            } else {
                owner
            };
            store
                .finding_to_action(
                    &actor,
                    id,
                    opt_id(first(&form, "finding")).unwrap_or(0),
                    owner,
                )
                .await
                .map(|_| ())
        }
        _ => return Err(ctx.error(StatusCode::NOT_FOUND, "error-not-found")),
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/continuity/exercises/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => exercise_page(&ctx, id, Some(field_errors(&ctx, &e))).await,
        Err(StoreError::Conflict(_)) => {
            exercise_page(&ctx, id, Some(ctx.t("bc-ex-finished-already"))).await
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}

/// `POST /continuity/plans/{id}/delete` and `/continuity/backups/{id}/delete`.
pub async fn delete(ctx: Ctx, Path((what, id)): Path<(String, i64)>, body: String) -> PageResult {
    let actor = ctx.require_actor()?;
    let form = parse_body(&body);
    ctx.check_csrf(first(&form, "csrf"))?;
    let store = &ctx.st.store;
    let (result, anchor) = match what.as_str() {
        "plans" => (store.delete_plan(&actor, id).await, "plans"),
        "backups" => (store.delete_backup(&actor, id).await, "backups"),
        _ => (Err(StoreError::NotFound), ""),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/continuity#{anchor}")).into_response()),
        Err(e) => Err(ctx.store_error(e)),
    }
}
