//! Self-assessment, the risk register and the executive dashboard (DESIGN
//! §7, §8): `/assessments`, `/risks`, `/dashboard`, `/dashboard/report`.
//! Charts are inline SVG drawn on the server from geometry the domain
//! computes; no script.

use crate::ctx::{Ctx, Layout, PageResult};
use crate::i18n::Lang;
use crate::inventory::Opt;
use askama::Template;
use axum::extract::{Multipart, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use sonae_domain::assessment::{self, Catalog, Radar};
use sonae_domain::inventory::Kind;
use sonae_domain::{risk, Actor, Role};
use sonae_store::{ListQuery, NewAction, NewRisk, StoreError};
use std::collections::HashMap;

type T = HashMap<&'static str, String>;

fn labels(ctx: &Ctx, keys: &[&'static str]) -> T {
    keys.iter().map(|k| (*k, ctx.t(k))).collect()
}

fn ja(ctx: &Ctx) -> bool {
    ctx.tr.lang == Lang::Ja
}

fn pick<'a>(ctx: &Ctx, ja_text: &'a str, en_text: &'a str) -> &'a str {
    if ja(ctx) {
        ja_text
    } else {
        en_text
    }
}

fn require_reader(ctx: &Ctx) -> Result<Actor, crate::ctx::PageError> {
    let actor = ctx.require_actor()?;
    if !sonae_store::may_read_assessments(actor.role) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    Ok(actor)
}

fn form_int(form: &HashMap<String, String>, k: &str) -> Option<i64> {
    form.get(k).and_then(|v| v.trim().parse().ok())
}

/// "field: problem" lines for a store refusal.
fn field_errors(ctx: &Ctx, errors: &[sonae_domain::FieldError]) -> String {
    errors
        .iter()
        .map(|e| {
            let args = match e.kind {
                sonae_domain::FieldErrorKind::TooLong { max } => vec![("max", max.to_string())],
                sonae_domain::FieldErrorKind::OutOfRange { min, max } => {
                    vec![("min", min.to_string()), ("max", max.to_string())]
                }
                _ => vec![],
            };
            format!(
                "{}: {}",
                ctx.t(&format!("asm-field-{}", e.field.replace('_', "-"))),
                ctx.ta(e.kind.message_key(), &args)
            )
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

// ---------------------------------------------------------------- charts

pub struct Trend {
    pub points: String,
    pub rows: Vec<TrendRow>,
}

pub struct TrendRow {
    pub id: i64,
    pub date: String,
    pub title: String,
    pub total: i64,
    pub max: i64,
    pub percent: String,
    pub band: String,
}

fn trend(ctx: &Ctx, cat: &Catalog, list: &[sonae_store::Assessment]) -> Trend {
    let rows: Vec<TrendRow> = list
        .iter()
        .map(|a| {
            let s = cat.score(&a.choices());
            TrendRow {
                id: a.id,
                date: ctx.date(a.assessed_at_ms),
                title: a.title.clone(),
                total: s.total.points,
                max: s.total.max,
                percent: format!("{:.0}", s.total.percent()),
                band: cat
                    .band(s.total.points)
                    .map(|b| pick(ctx, &b.ja, &b.en).to_owned())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let values: Vec<f64> = list
        .iter()
        .map(|a| cat.score(&a.choices()).total.percent())
        .collect();
    Trend {
        points: assessment::sparkline(&values, 240.0, 60.0),
        rows,
    }
}

pub struct HeatCell {
    pub x: i64,
    pub y: i64,
    pub count: usize,
    pub fill: &'static str,
    pub tx: i64,
    pub ty: i64,
    pub label: String,
}

/// The importance × likelihood grid with counts (importance up, likelihood
/// right), 3 × 3 cells of 60 px after a 40 px margin.
fn heat_cells(grid: &[[usize; 3]; 3]) -> Vec<HeatCell> {
    let mut out = Vec::new();
    for imp in 1..=3i64 {
        for lik in 1..=3i64 {
            let count = grid[(imp - 1) as usize][(lik - 1) as usize];
            let fill = match risk::level(imp * lik) {
                "high" => "#e8a0a0",
                "medium" => "#f3dc8c",
                _ => "#b9dcb5",
            };
            let x = 40 + (lik - 1) * 60;
            let y = 10 + (3 - imp) * 60;
            out.push(HeatCell {
                x,
                y,
                count,
                fill,
                tx: x + 30,
                ty: y + 36,
                label: format!("{}×{}={}: {count}", imp, lik, imp * lik),
            });
        }
    }
    out
}

// ---------------------------------------------------------------- /assessments

pub struct CatalogRow {
    pub id: String,
    pub title: String,
    pub source: String,
    pub items: usize,
    pub builtin: bool,
    pub trend: Trend,
}

#[derive(Template)]
#[template(path = "assessments.html")]
struct ListPage {
    l: Layout,
    t: T,
    error: Option<String>,
    catalogs: Vec<CatalogRow>,
    options: Vec<Opt>,
    today: String,
    may_write: bool,
    may_add: bool,
}

const LIST_LABELS: &[&str] = &[
    "asm-intro",
    "asm-start",
    "asm-field-catalog",
    "asm-field-title",
    "asm-field-assessed-at",
    "asm-col-date",
    "asm-col-title",
    "asm-col-total",
    "asm-col-band",
    "asm-items",
    "asm-none-yet",
    "asm-trend",
    "asm-upload",
    "asm-upload-hint",
    "asm-field-file",
    "asm-user-catalog",
];

async fn list_page(ctx: &Ctx, error: Option<String>) -> PageResult {
    let actor = require_reader(ctx)?;
    let store = &ctx.st.store;
    let cats = store.catalogs().await.map_err(|e| ctx.store_error(e))?;
    let all = store
        .assessments(&actor, None)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let builtin: Vec<&str> = assessment::BUILTIN.iter().map(|(k, _)| *k).collect();
    let catalogs = cats
        .iter()
        .map(|c| {
            let mine: Vec<_> = all
                .iter()
                .filter(|a| a.catalog_key == c.id)
                .cloned()
                .collect();
            CatalogRow {
                id: c.id.clone(),
                title: c.title(ja(ctx)).to_owned(),
                source: c.source.clone(),
                items: c.items.len(),
                builtin: builtin.contains(&c.id.as_str()),
                trend: trend(ctx, c, &mine),
            }
        })
        .collect();
    let options = cats
        .iter()
        .map(|c| Opt {
            value: c.id.clone(),
            label: c.title(ja(ctx)).to_owned(),
            selected: c.id == "ipa-25",
        })
        .collect();
    let page = ListPage {
        l: ctx.layout(ctx.t("asm-title")),
        t: labels(ctx, LIST_LABELS),
        error,
        catalogs,
        options,
        today: ctx.date(store.clock().now_ms()),
        may_write: sonae_store::may_write_assessments(actor.role),
        may_add: sonae_store::may_add_catalogs(actor.role),
    };
    ctx.render_status(
        if page.error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &page,
    )
}

/// `GET /assessments`.
pub async fn list(ctx: Ctx) -> PageResult {
    list_page(&ctx, None).await
}

/// `POST /assessments`: start one.
pub async fn start(ctx: Ctx, Form(form): Form<HashMap<String, String>>) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let date = form.get("assessed_at").cloned().unwrap_or_default();
    let Some(at) = crate::incidents::local_ms(&ctx, &date) else {
        let msg = format!(
            "{}: {}",
            ctx.t("asm-field-assessed-at"),
            ctx.t("err-not-date")
        );
        return list_page(&ctx, Some(msg)).await;
    };
    let catalog = form.get("catalog").cloned().unwrap_or_default();
    let title = form.get("title").cloned().unwrap_or_default();
    match ctx
        .st
        .store
        .create_assessment(&actor, &catalog, &title, at)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/assessments/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => list_page(&ctx, Some(field_errors(&ctx, &e))).await,
        Err(e) => Err(ctx.store_error(e)),
    }
}

/// `POST /assessments/catalogs`: upload a catalog file (TOML).
pub async fn upload(ctx: Ctx, mp: Multipart) -> PageResult {
    let actor = ctx.require_actor()?;
    let (fields, file) = crate::inventory::read_upload(&ctx, mp).await?;
    ctx.check_csrf(fields.get("csrf").map_or("", String::as_str))?;
    if !sonae_store::may_add_catalogs(actor.role) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let Ok(src) = String::from_utf8(file) else {
        let msg = format!("{}: {}", ctx.t("asm-field-file"), ctx.t("asm-err-not-utf8"));
        return list_page(&ctx, Some(msg)).await;
    };
    if let Err(errors) = assessment::parse_catalog(&src) {
        let msg = errors
            .iter()
            .map(|e| {
                let problem = match &e.problem {
                    assessment::Problem::Syntax(s) => {
                        format!("{} ({s})", ctx.t(e.problem.key()))
                    }
                    assessment::Problem::TooLong { max } | assessment::Problem::TooMany { max } => {
                        ctx.ta(e.problem.key(), &[("max", max.to_string())])
                    }
                    _ => ctx.t(e.problem.key()),
                };
                let line = e
                    .line
                    .map(|l| ctx.ta("asm-line", &[("line", l.to_string())]))
                    .unwrap_or_default();
                format!("{line} {}: {problem}", e.field).trim().to_owned()
            })
            .collect::<Vec<_>>()
            .join(" / ");
        return list_page(&ctx, Some(msg)).await;
    }
    match ctx.st.store.add_catalog(&actor, &src).await {
        Ok(_) => Ok(Redirect::to("/assessments").into_response()),
        Err(StoreError::Invalid(e)) => {
            let msg = format!(
                "id: {}",
                ctx.t(e.first().map_or("err-duplicate", |x| x.kind.message_key()))
            );
            list_page(&ctx, Some(msg)).await
        }
        Err(e) => Err(ctx.store_error(e)),
    }
}

// ---------------------------------------------------------------- /assessments/{id}

pub struct ChoiceView {
    pub id: String,
    pub label: String,
    pub points: i64,
    pub checked: bool,
}

pub struct ItemView {
    pub id: String,
    pub number: String,
    pub text: String,
    pub choices: Vec<ChoiceView>,
    pub note: String,
    pub gap: bool,
}

pub struct PartView {
    pub number: String,
    pub title: String,
    pub points: i64,
    pub max: i64,
    pub items: Vec<ItemView>,
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage {
    l: Layout,
    t: T,
    error: Option<String>,
    id: i64,
    version: i64,
    catalog: String,
    source: String,
    note: String,
    date: String,
    parts: Vec<PartView>,
    total: i64,
    max: i64,
    answered: usize,
    items: usize,
    band: Option<String>,
    radar: Radar,
    may_write: bool,
    gaps: usize,
}

const VIEW_LABELS: &[&str] = &[
    "asm-total",
    "asm-band",
    "asm-answered",
    "asm-radar",
    "asm-save",
    "asm-note",
    "asm-make-action",
    "asm-gaps",
    "asm-part-score",
    "asm-back",
];

async fn view_page(ctx: &Ctx, id: i64, error: Option<String>) -> PageResult {
    let actor = require_reader(ctx)?;
    let store = &ctx.st.store;
    let a = store
        .assessment(&actor, id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let cat = store
        .catalog(&a.catalog_key)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let choices = a.choices();
    let scores = cat.score(&choices);
    let gaps: Vec<String> = cat.gaps(&choices).iter().map(|i| i.id.clone()).collect();
    let parts = cat
        .parts
        .iter()
        .zip(&scores.parts)
        .map(|(p, (_, s))| PartView {
            number: p.number.clone(),
            title: pick(ctx, &p.ja, &p.en).to_owned(),
            points: s.points,
            max: s.max,
            items: cat
                .items
                .iter()
                .filter(|i| i.part == p.id)
                .map(|i| ItemView {
                    id: i.id.clone(),
                    number: i.number.clone(),
                    text: pick(ctx, &i.ja, &i.en).to_owned(),
                    choices: cat
                        .scale
                        .iter()
                        .map(|c| ChoiceView {
                            id: c.id.clone(),
                            label: pick(ctx, &c.ja, &c.en).to_owned(),
                            points: c.points,
                            checked: choices.get(&i.id) == Some(&c.id),
                        })
                        .collect(),
                    note: a
                        .answers
                        .get(&i.id)
                        .map(|x| x.note.clone())
                        .unwrap_or_default(),
                    // Only answered items below "done" become actions;
                    // blanks are still to be answered.
                    gap: choices.contains_key(&i.id) && gaps.contains(&i.id),
                })
                .collect(),
        })
        .collect();
    let axes = assessment::radar_axes(&cat, &scores, &choices);
    let page = AssessmentPage {
        l: ctx.layout(a.title.clone()),
        t: labels(ctx, VIEW_LABELS),
        error,
        id: a.id,
        version: a.version,
        catalog: cat.title(ja(ctx)).to_owned(),
        source: cat.source.clone(),
        note: pick(ctx, &cat.note_ja, &cat.note_en).to_owned(),
        date: ctx.date(a.assessed_at_ms),
        parts,
        total: scores.total.points,
        max: scores.total.max,
        answered: scores.total.answered,
        items: cat.items.len(),
        band: cat
            .band(scores.total.points)
            .map(|b| pick(ctx, &b.ja, &b.en).to_owned()),
        radar: assessment::radar(&axes, 320.0),
        may_write: sonae_store::may_write_assessments(actor.role),
        gaps: gaps.len(),
    };
    ctx.render_status(
        if page.error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &page,
    )
}

/// `GET /assessments/{id}`.
pub async fn view(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    view_page(&ctx, id, None).await
}

/// `POST /assessments/{id}`: save answers (`a-ITEM` = choice, `n-ITEM` = note).
pub async fn save(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    ctx.check_csrf(&get("csrf").unwrap_or_default())?;
    let version = get("row_version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let a = ctx
        .st
        .store
        .assessment(&actor, id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let cat = ctx
        .st
        .store
        .catalog(&a.catalog_key)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let answers: Vec<(String, String, String)> = cat
        .items
        .iter()
        .filter_map(|i| {
            let choice = get(&format!("a-{}", i.id));
            let note = get(&format!("n-{}", i.id));
            if choice.is_none() && note.is_none() {
                return None;
            }
            // A note alone keeps the earlier answer.
            let choice = choice
                .or_else(|| a.answers.get(&i.id).map(|x| x.choice.clone()))
                .unwrap_or_default();
            Some((i.id.clone(), choice, note.unwrap_or_default()))
        })
        .collect();
    match ctx
        .st
        .store
        .save_answers(&actor, id, version, &answers)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/assessments/{id}")).into_response()),
        Err(StoreError::Conflict(_)) => view_page(&ctx, id, Some(ctx.t("error-user-stale"))).await,
        Err(StoreError::Invalid(e)) => view_page(&ctx, id, Some(field_errors(&ctx, &e))).await,
        Err(e) => Err(ctx.store_error(e)),
    }
}

/// `POST /assessments/{id}/action`: one item below "done" becomes an
/// improvement action on the PDCA list.
pub async fn make_action(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let a = ctx
        .st
        .store
        .assessment(&actor, id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let cat = ctx
        .st
        .store
        .catalog(&a.catalog_key)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let item_id = form.get("item").cloned().unwrap_or_default();
    let Some(item) = cat.items.iter().find(|i| i.id == item_id) else {
        return Err(ctx.error(StatusCode::NOT_FOUND, "error-not-found"));
    };
    let answer = a
        .answers
        .get(&item.id)
        .and_then(|x| cat.choice(&x.choice))
        .map(|c| pick(&ctx, &c.ja, &c.en).to_owned())
        .unwrap_or_default();
    let n = NewAction {
        source_kind: "assessment".into(),
        source_id: Some(id),
        title: format!("{} {}", item.number, pick(&ctx, &item.ja, &item.en)),
        detail: format!("{} — {}: {answer}", cat.title(ja(&ctx)), a.title),
        owner: actor.name.clone(),
        due_at_ms: None,
    };
    ctx.st
        .store
        .create_action(&actor, &n)
        .await
        .map_err(|e| ctx.store_error(e))?;
    Ok(Redirect::to(&format!("/assessments/{id}")).into_response())
}

// ---------------------------------------------------------------- /risks

pub struct RiskView {
    pub id: i64,
    pub version: i64,
    pub asset: String,
    pub asset_href: String,
    pub threat: String,
    pub group: String,
    pub description: String,
    pub importance: String,
    pub frequency: i64,
    pub vulnerability: i64,
    pub likelihood: String,
    pub value: String,
    pub level: &'static str,
    pub treatment: String,
    pub treatment_note: String,
    pub treatments: Vec<Opt>,
    pub residual: String,
    pub residual_opts: Vec<Opt>,
    pub accepted: Option<String>,
}

#[derive(Template)]
#[template(path = "risks.html")]
struct RisksPage {
    l: Layout,
    t: T,
    error: Option<String>,
    rows: Vec<RiskView>,
    cells: Vec<HeatCell>,
    assets: Vec<Opt>,
    threats: Vec<Opt>,
    levels: Vec<i64>,
    may_write: bool,
    may_accept: bool,
}

const RISK_LABELS: &[&str] = &[
    "risk-intro",
    "risk-heat",
    "risk-axis-importance",
    "risk-axis-likelihood",
    "risk-col-asset",
    "risk-col-threat",
    "risk-col-importance",
    "risk-col-frequency",
    "risk-col-vulnerability",
    "risk-col-likelihood",
    "risk-col-value",
    "risk-col-treatment",
    "risk-col-residual",
    "risk-col-accepted",
    "risk-add",
    "risk-field-asset",
    "risk-field-threat",
    "risk-field-description",
    "risk-field-frequency",
    "risk-field-vulnerability",
    "risk-field-treatment",
    "risk-field-treatment-note",
    "risk-field-residual",
    "risk-save",
    "risk-accept",
    "risk-make-action",
    "risk-none",
    "risk-no-assets",
    "risk-scale-hint",
];

async fn risks_page(ctx: &Ctx, error: Option<String>) -> PageResult {
    let actor = require_reader(ctx)?;
    let store = &ctx.st.store;
    let list = store.risks(&actor).await.map_err(|e| ctx.store_error(e))?;
    let threats = risk::threats()
        .map_err(|_| ctx.error(StatusCode::INTERNAL_SERVER_ERROR, "error-internal"))?;
    let threat = |id: &str| threats.threats.iter().find(|t| t.id == id);
    let rows = list
        .iter()
        .map(|r| {
            let th = threat(&r.threat);
            RiskView {
                id: r.id,
                version: r.version,
                asset: r.asset_name.clone(),
                asset_href: format!("/inventory/assets/{}", r.asset_id),
                threat: th.map_or(r.threat.clone(), |t| pick(ctx, &t.ja, &t.en).to_owned()),
                group: th
                    .map(|t| ctx.t(&format!("risk-group-{}", t.group)))
                    .unwrap_or_default(),
                description: r.description.clone(),
                importance: r.importance.map(|v| v.to_string()).unwrap_or_default(),
                frequency: r.frequency,
                vulnerability: r.vulnerability,
                likelihood: r.likelihood().map(|v| v.to_string()).unwrap_or_default(),
                value: r.value().map(|v| v.to_string()).unwrap_or_default(),
                level: risk::level(r.value().unwrap_or(0)),
                treatment: r
                    .treatment
                    .as_deref()
                    .map(|t| ctx.t(&format!("risk-treatment-{t}")))
                    .unwrap_or_default(),
                treatment_note: r.treatment_note.clone(),
                treatments: risk::TREATMENTS
                    .iter()
                    .map(|t| Opt {
                        value: (*t).to_owned(),
                        label: ctx.t(&format!("risk-treatment-{t}")),
                        selected: r.treatment.as_deref() == Some(*t),
                    })
                    .collect(),
                residual: r
                    .residual_value()
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
                residual_opts: (1..=3)
                    .map(|v| Opt {
                        value: v.to_string(),
                        label: v.to_string(),
                        selected: r.residual_vulnerability == Some(v),
                    })
                    .collect(),
                accepted: r.accepted_by.as_ref().map(|by| {
                    format!(
                        "{by} {}",
                        r.accepted_at_ms.map(|t| ctx.date(t)).unwrap_or_default()
                    )
                }),
            }
        })
        .collect();
    let grid = risk::heat_map(
        list.iter()
            .filter_map(|r| Some((r.importance?, r.likelihood()?))),
    );
    let assets = store
        .list(
            &actor,
            Kind::Asset,
            &ListQuery {
                limit: 500,
                ..ListQuery::default()
            },
        )
        .await
        .map(|p| p.items)
        .unwrap_or_default()
        .iter()
        .map(|r| Opt {
            value: r.id.to_string(),
            label: r.get("name").as_text().unwrap_or_default().to_owned(),
            selected: false,
        })
        .collect();
    let page = RisksPage {
        l: ctx.layout(ctx.t("risk-title")),
        t: labels(ctx, RISK_LABELS),
        error,
        rows,
        cells: heat_cells(&grid),
        assets,
        threats: threats
            .threats
            .iter()
            .map(|t| Opt {
                value: t.id.clone(),
                label: format!(
                    "{} — {}",
                    ctx.t(&format!("risk-group-{}", t.group)),
                    pick(ctx, &t.ja, &t.en)
                ),
                selected: false,
            })
            .collect(),
        levels: risk::LEVELS.to_vec(),
        may_write: sonae_store::may_write_assessments(actor.role),
        may_accept: actor.role == Role::Executive,
    };
    ctx.render_status(
        if page.error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &page,
    )
}

/// `GET /risks`.
pub async fn risks(ctx: Ctx) -> PageResult {
    risks_page(&ctx, None).await
}

/// `POST /risks`: add a risk.
pub async fn add_risk(ctx: Ctx, Form(form): Form<HashMap<String, String>>) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let n = NewRisk {
        asset_id: form_int(&form, "asset").unwrap_or(0),
        threat: form.get("threat").cloned().unwrap_or_default(),
        description: form.get("description").cloned().unwrap_or_default(),
        frequency: form_int(&form, "frequency").unwrap_or(0),
        vulnerability: form_int(&form, "vulnerability").unwrap_or(0),
    };
    match ctx.st.store.create_risk(&actor, &n).await {
        Ok(_) => Ok(Redirect::to("/risks").into_response()),
        Err(StoreError::Invalid(e)) => risks_page(&ctx, Some(field_errors(&ctx, &e))).await,
        Err(e) => Err(ctx.store_error(e)),
    }
}

/// `POST /risks/{id}/{act}`: treat, accept, or make an improvement action.
pub async fn risk_act(
    ctx: Ctx,
    Path((id, act)): Path<(i64, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let store = &ctx.st.store;
    let version = form_int(&form, "row_version").unwrap_or(0);
    let res = match act.as_str() {
        "treat" => {
            store
                .treat_risk(
                    &actor,
                    id,
                    version,
                    form.get("treatment").map_or("", String::as_str),
                    form.get("treatment_note").map_or("", String::as_str),
                    form_int(&form, "residual_vulnerability"),
                )
                .await
        }
        "accept" => store.accept_risk(&actor, id, version).await,
        "action" => {
            let r = store
                .risks(&actor)
                .await
                .map_err(|e| ctx.store_error(e))?
                .into_iter()
                .find(|r| r.id == id)
                .ok_or_else(|| ctx.error(StatusCode::NOT_FOUND, "error-not-found"))?;
            let threat = risk::threats()
                .ok()
                .and_then(|c| c.threats.into_iter().find(|t| t.id == r.threat))
                .map_or(r.threat.clone(), |t| pick(&ctx, &t.ja, &t.en).to_owned());
            let treatment = r
                .treatment
                .as_deref()
                .map(|t| ctx.t(&format!("risk-treatment-{t}")))
                .unwrap_or_default();
            store
                .create_action(
                    &actor,
                    &NewAction {
                        source_kind: "risk".into(),
                        source_id: Some(id),
                        title: format!("{} — {threat}: {treatment}", r.asset_name),
                        detail: r.treatment_note.clone(),
                        owner: actor.name.clone(),
                        due_at_ms: None,
                    },
                )
                .await
                .map(|_| ())
        }
        _ => return Err(ctx.error(StatusCode::NOT_FOUND, "error-not-found")),
    };
    match res {
        Ok(()) => Ok(Redirect::to("/risks").into_response()),
        Err(StoreError::Conflict(_)) => risks_page(&ctx, Some(ctx.t("error-user-stale"))).await,
        Err(StoreError::Invalid(e)) => risks_page(&ctx, Some(field_errors(&ctx, &e))).await,
        Err(e) => Err(ctx.store_error(e)),
    }
}

// ---------------------------------------------------------------- /dashboard

pub struct ExposureRow {
    pub importance: String,
    pub open: i64,
    pub kev: i64,
    pub overdue: i64,
    pub possible: i64,
}

pub struct IncidentRow {
    pub level: i64,
    pub open: i64,
    pub closed: i64,
    pub cost: String,
}

pub struct TrendTile {
    pub title: String,
    pub trend: Trend,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    l: Layout,
    t: T,
    report: bool,
    period: String,
    generated: String,
    exposure: Vec<ExposureRow>,
    incidents: Vec<IncidentRow>,
    trends: Vec<TrendTile>,
    cells: Vec<HeatCell>,
    risk_count: usize,
    unaccepted_high: usize,
    actions: sonae_store::ActionCounts,
    bcp: BcpTile,
}

/// Business continuity readiness (DESIGN §8): processes with an RTO,
/// recovery plans, exercises held, backups whose restore is proven.
pub struct BcpTile {
    pub processes: usize,
    pub with_rto: usize,
    pub plans: usize,
    pub exercises_done: usize,
    pub backups: usize,
    pub proven: usize,
    pub overdue: usize,
}

const DASH_LABELS: &[&str] = &[
    "dash-intro",
    "dash-exposure",
    "dash-col-importance",
    "dash-col-open",
    "dash-col-kev",
    "dash-col-overdue",
    "dash-col-possible",
    "dash-incidents",
    "dash-col-level",
    "dash-col-open-incidents",
    "dash-col-closed",
    "dash-cost-missing",
    "dash-col-cost",
    "dash-assessments",
    "dash-no-assessments",
    "dash-risks",
    "dash-risk-count",
    "dash-unaccepted-high",
    "dash-bcp",
    "dash-bcp-later",
    "dash-bcp-processes",
    "dash-bcp-with-rto",
    "dash-bcp-plans",
    "dash-bcp-exercises",
    "dash-bcp-backups",
    "dash-bcp-proven",
    "dash-bcp-overdue",
    "dash-actions",
    "dash-actions-open",
    "dash-actions-in-progress",
    "dash-actions-overdue",
    "dash-actions-done",
    "dash-print",
    "dash-report",
    "dash-period",
    "dash-generated",
    "risk-heat",
    "risk-axis-importance",
    "risk-axis-likelihood",
    "asm-col-date",
    "asm-col-title",
    "asm-col-total",
    "asm-col-band",
];

/// The reporting period: the last 90 days.
const PERIOD_MS: i64 = 90 * 24 * 60 * 60 * 1000;

async fn dashboard_page(ctx: &Ctx, report: bool) -> Result<Response, crate::ctx::PageError> {
    let actor = require_reader(ctx)?;
    let store = &ctx.st.store;
    let now = store.clock().now_ms();
    let from = now - PERIOD_MS;
    let err = |e| ctx.store_error(e);
    let ex = store.exposure(&actor).await.map_err(err)?;
    let exposure = ["3", "2", "1"]
        .iter()
        .enumerate()
        .map(|(i, imp)| ExposureRow {
            importance: ctx.ta("dash-importance", &[("level", (*imp).to_owned())]),
            open: ex.open[i],
            kev: ex.kev[i],
            overdue: ex.overdue[i],
            possible: ex.possible[i],
        })
        .collect();
    let incidents = store
        .incident_counts(&actor, from, now + 1)
        .await
        .map_err(err)?
        .into_iter()
        .map(|c| IncidentRow {
            level: c.level,
            open: c.open,
            closed: c.closed,
            cost: if c.with_cost > 0 {
                ctx.ta("inc-cost-value", &[("yen", c.cost_yen.to_string())])
            } else {
                "—".to_owned()
            },
        })
        .collect();
    let cats = store.catalogs().await.map_err(err)?;
    let all = store.assessments(&actor, None).await.map_err(err)?;
    let trends = cats
        .iter()
        .filter_map(|c| {
            let mine: Vec<_> = all
                .iter()
                .filter(|a| a.catalog_key == c.id)
                .cloned()
                .collect();
            (!mine.is_empty()).then(|| TrendTile {
                title: c.title(ja(ctx)).to_owned(),
                trend: trend(ctx, c, &mine),
            })
        })
        .collect();
    let risks = store.risks(&actor).await.map_err(err)?;
    let grid = risk::heat_map(
        risks
            .iter()
            .filter_map(|r| Some((r.importance?, r.likelihood()?))),
    );
    let unaccepted_high = risks
        .iter()
        .filter(|r| {
            r.accepted_by.is_none()
                && risk::level(r.residual_value().or(r.value()).unwrap_or(0)) == "high"
        })
        .count();
    let actions = store.action_counts(&actor, from).await.map_err(err)?;
    let processes = store.processes(&actor).await.map_err(err)?;
    let backups = store.backups(&actor).await.map_err(err)?;
    let bcp = BcpTile {
        processes: processes.len(),
        with_rto: processes.iter().filter(|p| p.rto_hours.is_some()).count(),
        plans: store.plans(&actor).await.map_err(err)?.len(),
        exercises_done: store
            .exercises(&actor)
            .await
            .map_err(err)?
            .iter()
            .filter(|e| !e.running())
            .count(),
        backups: backups.len(),
        proven: backups
            .iter()
            .filter(|b| b.last_restore_ms.is_some() && !b.facts().restore_overdue(now))
            .count(),
        overdue: backups
            .iter()
            .filter(|b| b.facts().restore_overdue(now))
            .count(),
    };
    let page = DashboardPage {
        l: ctx.layout(ctx.t(if report { "dash-report" } else { "dash-title" })),
        t: labels(ctx, DASH_LABELS),
        report,
        period: format!("{} – {}", ctx.date(from), ctx.date(now)),
        generated: ctx.datetime(now),
        exposure,
        incidents,
        trends,
        cells: heat_cells(&grid),
        risk_count: risks.len(),
        unaccepted_high,
        actions,
        bcp,
    };
    ctx.render(&page)
}

/// `GET /dashboard`.
pub async fn dashboard(ctx: Ctx) -> PageResult {
    dashboard_page(&ctx, false).await
}

/// `GET /dashboard/report`: the same figures as a printable report.
pub async fn report(ctx: Ctx) -> PageResult {
    dashboard_page(&ctx, true).await
}

const CSS: &str = include_str!("../static/assessment.css");

/// `GET /static/assessment.css`: chart colours and the print stylesheet.
pub async fn css() -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}
