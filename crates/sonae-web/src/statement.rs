//! The first public statement (DESIGN §5, seed 004): the incident's
//! statement page (facts with the readiness gauge, the personal-data flags,
//! the regulatory clocks, the drafts), each draft's page (versions,
//! approval, sending), and the admin's template and clock settings.

use crate::ctx::{Ctx, Layout, PageResult};
use crate::i18n::key;
use crate::i18n::Lang;
use crate::inventory::Opt;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use sonae_domain::statement::{
    self, ClockState, DraftLang, DraftStatus, FactCatalog, FillInput, Knowledge, DRAFT_KINDS,
};
use sonae_domain::{Actor, FieldError, Role};
use sonae_store::{may_manage_incidents, FactInput, Incident, StoreError};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents/{id}/statement", get(page))
        .route("/incidents/{id}/statement/{action}", post(act))
        .route("/incidents/{id}/drafts/{draft}", get(draft_page))
        .route("/incidents/{id}/drafts/{draft}/{action}", post(draft_act))
        .route("/admin/drafts", get(admin_page))
        .route("/admin/clocks", post(admin_clock))
        .route(
            "/admin/drafts/{kind}/{lang}",
            get(template_page).post(template_post),
        )
        .route("/admin/drafts/{kind}/{lang}/reset", post(template_reset))
}

fn catalog(ctx: &Ctx) -> Result<FactCatalog, crate::ctx::PageError> {
    statement::facts().map_err(|e| {
        tracing::error!(error = %e, "statement facts");
        ctx.error(StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
    })
}

fn errors_text(ctx: &Ctx, errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| {
            let max = match e.kind {
                sonae_domain::FieldErrorKind::TooLong { max } => max.to_string(),
                _ => String::new(),
            };
            format!(
                "{}: {}",
                ctx.t(&key("stmt-field-", e.field)),
                ctx.ta(
                    e.kind.message_key(),
                    &[("max", max), ("min", String::new())]
                )
            )
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

/// A store error a statement form can explain; anything else is a page error.
fn form_error(ctx: &Ctx, e: StoreError) -> Result<String, crate::ctx::PageError> {
    match e {
        StoreError::Invalid(errors) => Ok(errors_text(ctx, &errors)),
        StoreError::Draft(r) => Ok(ctx.t(&key("stmt-refusal-", r.as_str()))),
        StoreError::Conflict(_) => Ok(ctx.t("stmt-stale")),
        other => Err(ctx.store_error(other)),
    }
}

/// "2 days 3 hours" in the user's language.
fn span(ctx: &Ctx, ms: i64) -> String {
    let h = ms.abs() / 3_600_000;
    ctx.ta(
        "stmt-span",
        &[("d", (h / 24).to_string()), ("h", (h % 24).to_string())],
    )
}

pub struct ClockRow {
    pub label: String,
    pub due: String,
    pub state: String,
    pub overdue: bool,
    pub note: String,
    pub source: String,
}

fn clock_rows(ctx: &Ctx, clocks: &[ClockState]) -> Vec<ClockRow> {
    let ja = ctx.tr.lang == Lang::Ja;
    clocks
        .iter()
        .map(|c| ClockRow {
            label: c.rule.label(ja).to_owned(),
            due: ctx.datetime(c.due_at_ms),
            state: match c.satisfied_at_ms {
                Some(at) if c.late() => {
                    ctx.ta("stmt-clock-sent-late", &[("when", ctx.datetime(at))])
                }
                Some(at) => ctx.ta("stmt-clock-sent", &[("when", ctx.datetime(at))]),
                None if c.overdue() => {
                    ctx.ta("stmt-clock-overdue", &[("span", span(ctx, c.remaining_ms))])
                }
                None => ctx.ta(
                    "stmt-clock-remaining",
                    &[("span", span(ctx, c.remaining_ms))],
                ),
            },
            overdue: c.overdue(),
            note: c.rule.note(ja).to_owned(),
            source: c.rule.source.clone(),
        })
        .collect()
}

/// Lines for the incident page's facts area: the readiness gauge and each
/// clock, linking to the statement page. Empty for vendors.
pub struct SummaryLine {
    pub label: String,
    pub text: String,
    pub href: String,
    pub overdue: bool,
}

pub async fn incident_summary(
    ctx: &Ctx,
    actor: &Actor,
    inc: &Incident,
) -> Result<Vec<SummaryLine>, crate::ctx::PageError> {
    if actor.role == Role::Vendor {
        return Ok(Vec::new());
    }
    let store = &ctx.st.store;
    let facts = store
        .incident_facts(actor, inc.id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let states = facts.iter().map(|(k, v)| (k.clone(), v.state())).collect();
    let (gauge, _) = statement::readiness(&catalog(ctx)?, &states);
    let href = format!("/incidents/{}/statement", inc.id);
    let mut out = vec![SummaryLine {
        label: ctx.t("stmt-readiness"),
        text: ctx.ta(
            "stmt-gauge-line",
            &[
                ("percent", gauge.percent().to_string()),
                ("unknown", gauge.unknown().to_string()),
            ],
        ),
        href: href.clone(),
        overdue: false,
    }];
    let clocks = store
        .incident_clocks(actor, inc.id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    for c in clock_rows(ctx, &clocks) {
        out.push(SummaryLine {
            label: c.label,
            text: format!("{} — {}", c.due, c.state),
            href: href.clone(),
            overdue: c.overdue,
        });
    }
    Ok(out)
}

/// For the incident list: a badge on incidents with an overdue clock.
pub async fn list_badges(ctx: &Ctx, incidents: &[Incident]) -> HashMap<i64, String> {
    // Vendors see only their assigned items, not the reporting state.
    if ctx.actor().is_none_or(|a| a.role == Role::Vendor) {
        return HashMap::new();
    }
    match ctx.st.store.clocks_of(incidents).await {
        Ok(m) => m
            .into_iter()
            .filter_map(|(id, cs)| {
                let n = cs.iter().filter(|c| c.overdue()).count();
                (n > 0).then(|| (id, ctx.ta("stmt-badge-overdue", &[("n", n.to_string())])))
            })
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, "clocks for the incident list");
            HashMap::new()
        }
    }
}

// ---- the statement page -------------------------------------------------------

pub struct GaugeRow {
    pub label: String,
    pub percent: u32,
    pub text: String,
}

pub struct FactRowView {
    pub id: String,
    pub label: String,
    pub section: String,
    pub knowledge: String,
    pub knowledge_class: &'static str,
    pub value: String,
    pub source: String,
    pub updated: String,
    pub version: i64,
    pub options: Vec<Opt>,
}

pub struct FactGroupView {
    pub label: String,
    pub facts: Vec<FactRowView>,
}

pub struct DraftRow {
    pub href: String,
    pub kind: String,
    pub lang: String,
    pub status: String,
    pub version: i64,
    pub edited: String,
}

#[derive(Template)]
#[template(path = "statement.html")]
struct StatementPage {
    l: Layout,
    id: i64,
    incident_version: i64,
    error: Option<String>,
    t: HashMap<&'static str, String>,
    source: String,
    percent: u32,
    overall: String,
    groups: Vec<GaugeRow>,
    manage: bool,
    pds: Vec<Opt>,
    unauthorized: bool,
    clocks: Vec<ClockRow>,
    clocks_apply: bool,
    facts: Vec<FactGroupView>,
    drafts: Vec<DraftRow>,
    kinds: Vec<Opt>,
    langs: Vec<Opt>,
    is_admin: bool,
}

const LABELS: &[&str] = &[
    "stmt-back",
    "stmt-intro",
    "stmt-readiness",
    "stmt-flags-heading",
    "stmt-field-personal-data",
    "stmt-field-unauthorized-purpose",
    "stmt-flags-save",
    "stmt-clocks-heading",
    "stmt-clocks-none",
    "stmt-col-clock",
    "stmt-col-due",
    "stmt-col-state",
    "stmt-col-note",
    "stmt-facts-heading",
    "stmt-col-fact",
    "stmt-col-knowledge",
    "stmt-col-value",
    "stmt-col-source",
    "stmt-col-updated",
    "stmt-field-knowledge",
    "stmt-field-value",
    "stmt-field-source",
    "stmt-fact-save",
    "stmt-drafts-heading",
    "stmt-drafts-none",
    "stmt-col-kind",
    "stmt-col-lang",
    "stmt-col-status",
    "stmt-col-version",
    "stmt-field-kind",
    "stmt-field-lang",
    "stmt-generate",
    "stmt-edit-templates",
];

fn lang_name(ctx: &Ctx, l: &str) -> String {
    ctx.t(&format!("stmt-lang-{l}"))
}

async fn statement_page(ctx: &Ctx, id: i64, error: Option<String>) -> PageResult {
    let actor = ctx.require_actor()?;
    let store = &ctx.st.store;
    let err = |e| ctx.store_error(e);
    let inc = store.incident(&actor, id).await.map_err(err)?;
    let cat = catalog(ctx)?;
    let facts = store.incident_facts(&actor, id).await.map_err(err)?;
    let ja = ctx.tr.lang == Lang::Ja;
    let states = facts.iter().map(|(k, v)| (k.clone(), v.state())).collect();
    let (all, groups) = statement::readiness(&cat, &states);
    let gauge_text = |g: &statement::Gauge| {
        ctx.ta(
            "stmt-gauge",
            &[
                ("percent", g.percent().to_string()),
                ("known", g.known.to_string()),
                ("partial", g.partial.to_string()),
                ("total", g.total.to_string()),
            ],
        )
    };
    let group_rows = cat
        .groups
        .iter()
        .zip(groups.iter())
        .map(|(def, (_, g))| GaugeRow {
            label: format!("{} ({})", if ja { &def.ja } else { &def.en }, def.section),
            percent: g.percent(),
            text: gauge_text(g),
        })
        .collect();
    let fact_groups = cat
        .groups
        .iter()
        .map(|g| FactGroupView {
            label: if ja { g.ja.clone() } else { g.en.clone() },
            facts: cat
                .facts
                .iter()
                .filter(|f| f.group == g.id)
                .map(|f| {
                    let row = facts.get(&f.id);
                    let k = row.map_or(Knowledge::Unknown, |r| r.knowledge);
                    FactRowView {
                        id: f.id.clone(),
                        label: f.label(ja).to_owned(),
                        section: f.section.clone(),
                        knowledge: ctx.t(&format!("stmt-knowledge-{}", k.as_str())),
                        knowledge_class: k.as_str(),
                        value: row.map(|r| r.value.clone()).unwrap_or_default(),
                        source: row.map(|r| r.source.clone()).unwrap_or_default(),
                        updated: row
                            .map(|r| {
                                ctx.ta(
                                    "stmt-updated",
                                    &[
                                        ("who", r.updated_by.clone()),
                                        ("when", ctx.datetime(r.updated_at_ms)),
                                    ],
                                )
                            })
                            .unwrap_or_default(),
                        version: row.map_or(0, |r| r.version),
                        options: Knowledge::ALL
                            .iter()
                            .map(|o| Opt {
                                value: o.as_str().to_owned(),
                                label: ctx.t(&format!("stmt-knowledge-{}", o.as_str())),
                                selected: *o == k,
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect();
    let clocks = store.incident_clocks(&actor, id).await.map_err(err)?;
    let drafts = store
        .incident_drafts(&actor, id)
        .await
        .map_err(err)?
        .into_iter()
        .map(|d| DraftRow {
            href: format!("/incidents/{id}/drafts/{}", d.id),
            kind: ctx.t(&key("stmt-kind-", &d.kind)),
            lang: lang_name(ctx, &d.lang),
            status: ctx.t(&format!("stmt-status-{}", d.status.as_str())),
            version: d.current.version,
            edited: ctx.ta(
                "stmt-updated",
                &[
                    ("who", d.current.edited_by.clone()),
                    ("when", ctx.datetime(d.current.edited_at_ms)),
                ],
            ),
        })
        .collect();
    let mut t = HashMap::new();
    for k in LABELS {
        t.insert(*k, ctx.t(k));
    }
    let unauthorized = store.unauthorized_purpose(&actor, id).await.map_err(err)?;
    let input = statement::ClockInput {
        personal_data: inc.personal_data.clone(),
        category: inc.category.clone(),
        ..Default::default()
    };
    let tpl = StatementPage {
        l: ctx.layout(ctx.ta(
            "stmt-title",
            &[("ref", inc.reference.clone()), ("title", inc.title.clone())],
        )),
        id,
        incident_version: inc.version,
        error,
        t,
        source: cat.source.clone(),
        percent: all.percent(),
        overall: gauge_text(&all),
        groups: group_rows,
        manage: may_manage_incidents(&actor),
        pds: ["unknown", "no", "yes"]
            .iter()
            .map(|p| Opt {
                value: (*p).to_owned(),
                label: ctx.t(&format!("inc-pd-{p}")),
                selected: inc.personal_data == *p,
            })
            .collect(),
        unauthorized,
        clocks: clock_rows(ctx, &clocks),
        clocks_apply: statement::clocks_apply(&input),
        facts: fact_groups,
        drafts,
        kinds: DRAFT_KINDS
            .iter()
            .map(|k| Opt {
                value: (*k).to_owned(),
                label: ctx.t(&key("stmt-kind-", k)),
                selected: false,
            })
            .collect(),
        langs: ["ja", "en"]
            .iter()
            .map(|l| Opt {
                value: (*l).to_owned(),
                label: lang_name(ctx, l),
                selected: *l == ctx.tr.lang.code(),
            })
            .collect(),
        is_admin: actor.role == Role::Admin,
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

/// `GET /incidents/{id}/statement`.
pub async fn page(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    statement_page(&ctx, id, None).await
}

/// The text a template gives for this incident, in the draft's language.
async fn generate(
    ctx: &Ctx,
    actor: &Actor,
    inc: &Incident,
    kind: &str,
    lang: DraftLang,
) -> Result<(String, String), StoreError> {
    let store = &ctx.st.store;
    let cat = statement::facts().map_err(StoreError::Other)?;
    let (tpl, _) = store.draft_template(kind, lang).await?;
    let facts = store.incident_facts(actor, inc.id).await?;
    let ui = match lang {
        DraftLang::Ja => Lang::Ja,
        DraftLang::En => Lang::En,
    };
    let tr = |k: &str| ctx.st.i18n.get(ui, k, &[]);
    let incident: HashMap<String, String> = [
        ("ref", inc.reference.clone()),
        ("title", inc.title.clone()),
        ("category", tr(&key("inc-cat-", &inc.category))),
        ("discovered_at", ctx.datetime(inc.discovered_at_ms)),
        ("summary", inc.summary.clone()),
        ("level", inc.level.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let input = FillInput {
        incident,
        today: ctx.date(store.clock().now_ms()),
        facts: facts.iter().map(|(k, v)| (k.clone(), v.state())).collect(),
    };
    Ok((
        statement::fill(&tpl.title, lang, &cat, &input),
        statement::fill(&tpl.body, lang, &cat, &input),
    ))
}

/// `POST /incidents/{id}/statement/{action}`: fact, flags, draft.
pub async fn act(
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let int = |k: &str| get(k).trim().parse::<i64>().unwrap_or(-1);
    let store = &ctx.st.store;
    let result: Result<String, StoreError> = match action.as_str() {
        "fact" => store
            .set_fact(
                &actor,
                id,
                &FactInput {
                    fact: get("fact"),
                    knowledge: get("knowledge"),
                    value: get("value"),
                    source: get("source"),
                    base_version: int("base_version"),
                },
            )
            .await
            .map(|()| format!("/incidents/{id}/statement#fact-{}", get("fact"))),
        "flags" => store
            .set_statement_flags(
                &actor,
                id,
                int("row_version"),
                get("personal_data").trim(),
                get("unauthorized_purpose") == "1",
            )
            .await
            .map(|()| format!("/incidents/{id}/statement")),
        "draft" => {
            let kind = get("kind");
            match DraftLang::parse(&get("lang")) {
                None => Err(StoreError::Invalid(vec![FieldError {
                    field: "lang",
                    kind: sonae_domain::FieldErrorKind::NotInList,
                }])),
                Some(_) if !statement::is_draft_kind(&kind) => {
                    Err(StoreError::Invalid(vec![FieldError {
                        field: "kind",
                        kind: sonae_domain::FieldErrorKind::NotInList,
                    }]))
                }
                Some(lang) => match store.incident(&actor, id).await {
                    Ok(inc) => match generate(&ctx, &actor, &inc, &kind, lang).await {
                        Ok((title, body)) => store
                            .create_draft(&actor, id, &kind, lang, &title, &body)
                            .await
                            .map(|d| format!("/incidents/{id}/drafts/{d}")),
                        Err(e) => Err(e),
                    },
                    Err(e) => Err(e),
                },
            }
        }
        _ => Err(StoreError::NotFound),
    };
    match result {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(e) => statement_page(&ctx, id, Some(form_error(&ctx, e)?)).await,
    }
}

// ---- one draft --------------------------------------------------------------------

pub struct VersionRow {
    pub href: String,
    pub label: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "draft.html")]
struct DraftPage {
    l: Layout,
    id: i64,
    draft_id: i64,
    row_version: i64,
    error: Option<String>,
    t: HashMap<&'static str, String>,
    status: String,
    meta: Vec<String>,
    old: Option<String>,
    title: String,
    body: String,
    may_edit: bool,
    may_approve: bool,
    approve_hint: Option<String>,
    may_send: bool,
    versions: Vec<VersionRow>,
}

const DRAFT_LABELS: &[&str] = &[
    "stmt-back-statement",
    "stmt-draft-text",
    "stmt-field-title",
    "stmt-field-body",
    "stmt-draft-save",
    "stmt-approve",
    "stmt-field-sent-to",
    "stmt-mark-sent",
    "stmt-versions-heading",
    "stmt-markers-hint",
];

async fn draft_view(
    ctx: &Ctx,
    id: i64,
    draft_id: i64,
    shown: Option<i64>,
    error: Option<String>,
    form: Option<(String, String)>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    let store = &ctx.st.store;
    let inc = store
        .incident(&actor, id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let (d, versions) = store
        .draft(&actor, id, draft_id)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let shown_v = shown
        .and_then(|n| versions.iter().find(|v| v.version == n))
        .unwrap_or(&d.current);
    let mut meta = vec![ctx.ta(
        "stmt-created",
        &[
            ("who", d.created_by.clone()),
            ("when", ctx.datetime(d.created_at_ms)),
        ],
    )];
    if let (Some(by), Some(at)) = (&d.approved_by, d.approved_at_ms) {
        meta.push(ctx.ta(
            "stmt-approved-by",
            &[("who", by.clone()), ("when", ctx.datetime(at))],
        ));
    }
    if let (Some(by), Some(at)) = (&d.sent_by, d.sent_at_ms) {
        meta.push(ctx.ta(
            "stmt-sent-by",
            &[
                ("who", by.clone()),
                ("when", ctx.datetime(at)),
                ("to", d.sent_to.clone().unwrap_or_default()),
            ],
        ));
    }
    let editor = may_manage_incidents(&actor) || statement::may_approve_role(actor.role);
    let approve_check =
        statement::check_approve(actor.role, &actor.name, &d.current.edited_by, d.status);
    let mut t = HashMap::new();
    for k in DRAFT_LABELS {
        t.insert(*k, ctx.t(k));
    }
    let (title, body) = form.unwrap_or_else(|| (d.current.title.clone(), d.current.body.clone()));
    let tpl = DraftPage {
        l: ctx.layout(format!(
            "{} — {} ({})",
            inc.reference,
            ctx.t(&key("stmt-kind-", &d.kind)),
            lang_name(ctx, &d.lang)
        )),
        id,
        draft_id,
        row_version: d.version,
        error,
        t,
        status: ctx.t(&format!("stmt-status-{}", d.status.as_str())),
        meta,
        old: (shown_v.version != d.current.version).then(|| {
            ctx.ta(
                "stmt-old-version",
                &[
                    ("n", shown_v.version.to_string()),
                    ("who", shown_v.edited_by.clone()),
                    ("when", ctx.datetime(shown_v.edited_at_ms)),
                ],
            )
        }),
        title: if shown_v.version == d.current.version {
            title
        } else {
            shown_v.title.clone()
        },
        body: if shown_v.version == d.current.version {
            body
        } else {
            shown_v.body.clone()
        },
        may_edit: editor && d.status != DraftStatus::Sent,
        may_approve: approve_check.is_ok(),
        approve_hint: match approve_check {
            Err(r @ statement::DraftRefusal::OwnVersion) if d.status == DraftStatus::Draft => {
                Some(ctx.t(&key("stmt-refusal-", r.as_str())))
            }
            _ => None,
        },
        may_send: editor && d.status == DraftStatus::Approved,
        versions: versions
            .iter()
            .rev()
            .map(|v| VersionRow {
                href: format!("/incidents/{id}/drafts/{draft_id}?v={}", v.version),
                label: ctx.ta(
                    "stmt-version-line",
                    &[
                        ("n", v.version.to_string()),
                        ("who", v.edited_by.clone()),
                        ("when", ctx.datetime(v.edited_at_ms)),
                    ],
                ),
                current: v.version == shown_v.version,
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

/// `GET /incidents/{id}/drafts/{draft}` (`?v=N` shows an older version).
pub async fn draft_page(
    ctx: Ctx,
    Path((id, draft_id)): Path<(i64, i64)>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let shown = q.get("v").and_then(|v| v.parse().ok());
    draft_view(&ctx, id, draft_id, shown, None, None).await
}

/// `POST /incidents/{id}/drafts/{draft}/{action}`: save, approve, sent.
pub async fn draft_act(
    ctx: Ctx,
    Path((id, draft_id, action)): Path<(i64, i64, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = ctx.require_actor()?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let version = get("row_version").trim().parse::<i64>().unwrap_or(-1);
    let store = &ctx.st.store;
    // Text in textareas arrives with CRLF line ends; keep LF.
    let body = get("body").replace("\r\n", "\n");
    let result = match action.as_str() {
        "save" => store
            .save_draft(&actor, id, draft_id, version, &get("title"), &body)
            .await
            .map(|_| ()),
        "approve" => store.approve_draft(&actor, id, draft_id, version).await,
        "sent" => {
            store
                .mark_draft_sent(&actor, id, draft_id, version, &get("sent_to"))
                .await
        }
        _ => Err(StoreError::NotFound),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/incidents/{id}/drafts/{draft_id}")).into_response()),
        Err(e) => {
            let msg = form_error(&ctx, e)?;
            // A failed save keeps what was typed.
            let typed = (action == "save").then(|| (get("title"), body));
            draft_view(&ctx, id, draft_id, None, Some(msg), typed).await
        }
    }
}

// ---- admin: templates and clocks ----------------------------------------------------------

pub struct TemplateRow {
    pub kind: String,
    pub links: Vec<(String, String, bool)>,
}

pub struct ClockSwitch {
    pub id: String,
    pub label: String,
    pub detail: String,
    pub enabled: bool,
}

#[derive(Template)]
#[template(path = "draft_templates.html")]
struct AdminPage {
    l: Layout,
    t: HashMap<&'static str, String>,
    rows: Vec<TemplateRow>,
    clocks: Vec<ClockSwitch>,
}

fn require_admin(ctx: &Ctx) -> Result<Actor, crate::ctx::PageError> {
    let actor = ctx.require_actor()?;
    if actor.role != Role::Admin {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    Ok(actor)
}

/// `GET /admin/drafts`.
pub async fn admin_page(ctx: Ctx) -> PageResult {
    require_admin(&ctx)?;
    let store = &ctx.st.store;
    let mut rows = Vec::new();
    for k in DRAFT_KINDS {
        let mut links = Vec::new();
        for l in [DraftLang::Ja, DraftLang::En] {
            let (_, overridden) = store
                .draft_template(k, l)
                .await
                .map_err(|e| ctx.store_error(e))?;
            links.push((
                format!("/admin/drafts/{k}/{}", l.as_str()),
                lang_name(&ctx, l.as_str()),
                overridden,
            ));
        }
        rows.push(TemplateRow {
            kind: ctx.t(&key("stmt-kind-", k)),
            links,
        });
    }
    let settings = store
        .clock_settings()
        .await
        .map_err(|e| ctx.store_error(e))?;
    let rules = statement::clocks().map_err(|e| {
        tracing::error!(error = %e, "clock catalog");
        ctx.error(StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
    })?;
    let ja = ctx.tr.lang == Lang::Ja;
    let clocks = rules
        .clocks
        .iter()
        .map(|r| ClockSwitch {
            id: r.id.clone(),
            label: r.label(ja).to_owned(),
            detail: format!("{} ({}) — {}", r.after, r.note(ja), r.source),
            enabled: *settings.get(&r.id).unwrap_or(&r.enabled),
        })
        .collect();
    let mut t = HashMap::new();
    for k in [
        "stmt-admin-intro",
        "stmt-templates-heading",
        "stmt-overridden",
        "stmt-clock-settings",
        "stmt-clock-on",
        "stmt-clock-off",
        "stmt-clock-enabled",
        "stmt-clock-disabled",
    ] {
        t.insert(k, ctx.t(k));
    }
    ctx.render(&AdminPage {
        l: ctx.layout(ctx.t("stmt-admin-title")),
        t,
        rows,
        clocks,
    })
}

/// `POST /admin/clocks`: switch one rule on or off.
pub async fn admin_clock(ctx: Ctx, Form(form): Form<HashMap<String, String>>) -> PageResult {
    let actor = require_admin(&ctx)?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let clock = form.get("clock").cloned().unwrap_or_default();
    let on = form.get("enabled").is_some_and(|v| v == "1");
    ctx.st
        .store
        .set_clock_enabled(&actor, &clock, on)
        .await
        .map_err(|e| ctx.store_error(e))?;
    Ok(Redirect::to("/admin/drafts").into_response())
}

#[derive(Template)]
#[template(path = "draft_template.html")]
struct TemplateEditPage {
    l: Layout,
    t: HashMap<&'static str, String>,
    action: String,
    error: Option<String>,
    source: String,
    overridden: bool,
    title: String,
    body: String,
    placeholders: String,
}

fn parse_kind_lang(
    ctx: &Ctx,
    kind: &str,
    lang: &str,
) -> Result<(String, DraftLang), crate::ctx::PageError> {
    match DraftLang::parse(lang) {
        Some(l) if statement::is_draft_kind(kind) => Ok((kind.to_owned(), l)),
        _ => Err(ctx.error(StatusCode::NOT_FOUND, "error-not-found")),
    }
}

async fn template_view(
    ctx: &Ctx,
    kind: &str,
    lang: DraftLang,
    error: Option<String>,
    typed: Option<(String, String)>,
) -> PageResult {
    let store = &ctx.st.store;
    let (tpl, overridden) = store
        .draft_template(kind, lang)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let source = statement::templates()
        .ok()
        .and_then(|ts| ts.into_iter().find(|t| t.kind == kind))
        .map(|t| t.source)
        .unwrap_or_default();
    let cat = catalog(ctx)?;
    let mut names = vec!["{{today}}".to_owned()];
    names.extend(
        statement::INCIDENT_FIELDS
            .iter()
            .map(|f| format!("{{{{incident.{f}}}}}")),
    );
    names.extend(cat.facts.iter().map(|f| format!("{{{{fact.{}}}}}", f.id)));
    let mut t = HashMap::new();
    for k in [
        "stmt-field-title",
        "stmt-field-body",
        "stmt-template-save",
        "stmt-template-reset",
        "stmt-overridden",
        "stmt-shipped",
        "stmt-placeholders",
        "stmt-back-admin",
    ] {
        t.insert(k, ctx.t(k));
    }
    let (title, body) = typed.unwrap_or((tpl.title, tpl.body));
    let tpl = TemplateEditPage {
        l: ctx.layout(format!(
            "{} ({})",
            ctx.t(&key("stmt-kind-", kind)),
            lang_name(ctx, lang.as_str())
        )),
        t,
        action: format!("/admin/drafts/{kind}/{}", lang.as_str()),
        error,
        source,
        overridden,
        title,
        body,
        placeholders: names.join(" "),
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

/// `GET /admin/drafts/{kind}/{lang}`.
pub async fn template_page(ctx: Ctx, Path((kind, lang)): Path<(String, String)>) -> PageResult {
    require_admin(&ctx)?;
    let (kind, lang) = parse_kind_lang(&ctx, &kind, &lang)?;
    template_view(&ctx, &kind, lang, None, None).await
}

/// `POST /admin/drafts/{kind}/{lang}`: store an override.
pub async fn template_post(
    ctx: Ctx,
    Path((kind, lang)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = require_admin(&ctx)?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let (kind, lang) = parse_kind_lang(&ctx, &kind, &lang)?;
    let title = form.get("title").cloned().unwrap_or_default();
    let body = form
        .get("body")
        .cloned()
        .unwrap_or_default()
        .replace("\r\n", "\n");
    match ctx
        .st
        .store
        .set_draft_template(&actor, &kind, lang, &title, &body)
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/drafts").into_response()),
        Err(e) => {
            let mut msg = form_error(&ctx, e)?;
            if let Ok(cat) = statement::facts() {
                let bad: Vec<String> = statement::unknown_placeholders(&title, &cat)
                    .into_iter()
                    .chain(statement::unknown_placeholders(&body, &cat))
                    .collect();
                if !bad.is_empty() {
                    msg = format!(
                        "{msg} ({})",
                        ctx.ta("stmt-unknown-placeholders", &[("names", bad.join(", "))])
                    );
                }
            }
            template_view(&ctx, &kind, lang, Some(msg), Some((title, body))).await
        }
    }
}

/// `POST /admin/drafts/{kind}/{lang}/reset`: back to the shipped file.
pub async fn template_reset(
    ctx: Ctx,
    Path((kind, lang)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let actor = require_admin(&ctx)?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let (kind, lang) = parse_kind_lang(&ctx, &kind, &lang)?;
    ctx.st
        .store
        .reset_draft_template(&actor, &kind, lang)
        .await
        .map_err(|e| ctx.store_error(e))?;
    Ok(Redirect::to("/admin/drafts").into_response())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::i18n::I18n;

    /// Keys built at run time from the domain's lists exist in both languages.
    #[test]
    fn every_statement_label_is_translated() {
        let i = I18n::load().unwrap();
        let mut need: Vec<String> = Vec::new();
        for k in DRAFT_KINDS {
            need.push(key("stmt-kind-", k));
        }
        for k in Knowledge::ALL {
            need.push(format!("stmt-knowledge-{}", k.as_str()));
        }
        for s in [DraftStatus::Draft, DraftStatus::Approved, DraftStatus::Sent] {
            need.push(format!("stmt-status-{}", s.as_str()));
        }
        for r in [
            statement::DraftRefusal::NotApprover,
            statement::DraftRefusal::OwnVersion,
            statement::DraftRefusal::NotApproved,
            statement::DraftRefusal::AlreadySent,
            statement::DraftRefusal::AlreadyApproved,
        ] {
            need.push(key("stmt-refusal-", r.as_str()));
        }
        for f in [
            "fact",
            "knowledge",
            "value",
            "source",
            "personal_data",
            "title",
            "body",
            "kind",
            "lang",
            "sent_to",
        ] {
            need.push(key("stmt-field-", f));
        }
        for k in ["fact", "flags", "draft"] {
            need.push(format!("inc-log-kind-{k}"));
        }
        for l in ["ja", "en"] {
            need.push(format!("stmt-lang-{l}"));
        }
        for lang in [Lang::Ja, Lang::En] {
            let missing: Vec<_> = need.iter().filter(|k| !i.has(lang, k)).collect();
            assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
        }
    }
}
